/*
 * pf_wprop.h - property values to write (struct pf_wprop, pf_write.h) made
 * from C values, their bytes kept in an arena the caller frees once.
 *
 * Contract
 * - Every maker fills *OUT with the tag (ID and the type it names) and the
 *   bytes as a PST stores them: little-endian numbers, FILETIMEs as
 *   100 ns units since 1601-01-01, GUIDs as their 16 bytes, PtypString as
 *   UTF-16LE without a terminator (MS-PST 2.3.3.3 stores none), String8
 *   in Windows-1252, multi-valued types in the MS-PST 2.3.3.4 layout
 *   (fixed-size elements back to back; variable-size ones as ulCount,
 *   rgulDataOffsets[ulCount], then the items, each without a terminator,
 *   as Outlook writes them).
 * - UTF-8 input is decoded leniently: an invalid sequence becomes U+FFFD
 *   (String8: characters Windows-1252 lacks become '?').  A string is not
 *   a reason to fail an import.
 * - The bytes live in ARENA until pf_wprop_arena_free(); *OUT borrows
 *   them.  A present value always has p != NULL, even when empty (cb 0),
 *   so it is never confused with an absent table cell (p == NULL, made by
 *   pf_wprop_absent()).
 * - Each maker returns 0 or a negative PF_E_* code (PF_E_NOMEM;
 *   PF_E_LIMIT past PF_NODE_DATA_MAX bytes; PF_E_USAGE for NULL input
 *   with a nonzero count).  The first error is also kept in arena->err
 *   and every later maker on that arena returns it without doing
 *   anything, so a caller may make a whole list and check once.  On
 *   error *OUT is {tag, NULL, 0}.
 * - Nothing here prints.
 */
#ifndef PF_WPROP_H
#define PF_WPROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pf_write.h"

struct pf_wprop_chunk;

struct pf_wprop_arena {
	struct pf_wprop_chunk *head;  /* owned: the chunks, newest first */
	int err;                      /* first error, or 0 */
};

void pf_wprop_arena_init(struct pf_wprop_arena *a);
/* Free every byte made through A (A may be reused after init). */
void pf_wprop_arena_free(struct pf_wprop_arena *a);
/* CB bytes owned by A (uninitialised; a non-NULL pointer for cb 0). */
int pf_wprop_arena_alloc(struct pf_wprop_arena *a, size_t cb, uint8_t **p);

/* ---- single values: ID is the property id, the type is the maker's --- */

int pf_wprop_i16(struct pf_wprop_arena *a, struct pf_wprop *out,
		 uint16_t id, int16_t v);                 /* PtypInteger16 */
int pf_wprop_i32(struct pf_wprop_arena *a, struct pf_wprop *out,
		 uint16_t id, int32_t v);                 /* PtypInteger32 */
int pf_wprop_i64(struct pf_wprop_arena *a, struct pf_wprop *out,
		 uint16_t id, int64_t v);                 /* PtypInteger64 */
int pf_wprop_f32(struct pf_wprop_arena *a, struct pf_wprop *out,
		 uint16_t id, float v);                   /* PtypFloating32 */
int pf_wprop_f64(struct pf_wprop_arena *a, struct pf_wprop *out,
		 uint16_t id, double v);                  /* PtypFloating64 */
/* PtypCurrency: V in units of 1/10000 (MS-OXCDATA 2.11.1). */
int pf_wprop_currency(struct pf_wprop_arena *a, struct pf_wprop *out,
		      uint16_t id, int64_t v);
/* PtypFloatingTime: days since 1899-12-30 as a double. */
int pf_wprop_floating_time(struct pf_wprop_arena *a, struct pf_wprop *out,
			   uint16_t id, double v);
int pf_wprop_error(struct pf_wprop_arena *a, struct pf_wprop *out,
		   uint16_t id, uint32_t v);              /* PtypErrorCode */
int pf_wprop_bool(struct pf_wprop_arena *a, struct pf_wprop *out,
		  uint16_t id, bool v);                   /* PtypBoolean */
int pf_wprop_time(struct pf_wprop_arena *a, struct pf_wprop *out,
		  uint16_t id, uint64_t filetime);        /* PtypTime */
int pf_wprop_guid(struct pf_wprop_arena *a, struct pf_wprop *out,
		  uint16_t id, const uint8_t guid[16]);   /* PtypGuid */
/* PtypBinary: a copy of CB bytes (P may be NULL when CB is 0). */
int pf_wprop_binary(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint16_t id, const void *p, size_t cb);
/* PtypString from NUL-terminated UTF-8 (NULL reads as ""). */
int pf_wprop_string(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint16_t id, const char *utf8);
/* The same from LEN bytes (which may hold no NUL). */
int pf_wprop_string_n(struct pf_wprop_arena *a, struct pf_wprop *out,
		      uint16_t id, const char *utf8, size_t len);
/* PtypString8 (Windows-1252) from UTF-8. */
int pf_wprop_string8(struct pf_wprop_arena *a, struct pf_wprop *out,
		     uint16_t id, const char *utf8);
/* String for the file's VARIANT: PtypString8 in ANSI files, PtypString
 * otherwise. */
int pf_wprop_str(struct pf_wprop_arena *a, struct pf_wprop *out,
		 uint16_t id, const char *utf8, enum pf_variant variant);
/* PtypObject (MS-PST 2.3.3.5): the NID of the subnode holding the object
 * (an embedded message or OLE storage, added to the node's subnodes by
 * the caller) and the object's size. */
int pf_wprop_object(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint16_t id, uint32_t nid, uint32_t size);
/* Any TAG with CB bytes copied as they are (the caller's layout). */
int pf_wprop_raw(struct pf_wprop_arena *a, struct pf_wprop *out,
		 uint32_t tag, const void *p, size_t cb);
/* An absent table cell (p NULL); needs no arena. */
void pf_wprop_absent(struct pf_wprop *out, uint32_t tag);

/* ---- multi-valued (MS-PST 2.3.3.4): N elements, N may be 0 ---- */

int pf_wprop_mv_i16(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint16_t id, const int16_t *v, uint32_t n);
int pf_wprop_mv_i32(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint16_t id, const int32_t *v, uint32_t n);
int pf_wprop_mv_i64(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint16_t id, const int64_t *v, uint32_t n);
int pf_wprop_mv_f64(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint16_t id, const double *v, uint32_t n);
int pf_wprop_mv_time(struct pf_wprop_arena *a, struct pf_wprop *out,
		     uint16_t id, const uint64_t *filetimes, uint32_t n);
int pf_wprop_mv_guid(struct pf_wprop_arena *a, struct pf_wprop *out,
		     uint16_t id, const uint8_t (*guids)[16], uint32_t n);
/* MV String / String8 from N NUL-terminated UTF-8 strings (NULL: ""). */
int pf_wprop_mv_string(struct pf_wprop_arena *a, struct pf_wprop *out,
		       uint16_t id, const char *const *utf8, uint32_t n);
int pf_wprop_mv_string8(struct pf_wprop_arena *a, struct pf_wprop *out,
			uint16_t id, const char *const *utf8, uint32_t n);
/* MV Binary: item i is CBS[i] bytes at P[i]. */
int pf_wprop_mv_binary(struct pf_wprop_arena *a, struct pf_wprop *out,
		       uint16_t id, const void *const *p, const size_t *cbs,
		       uint32_t n);

/* ---- text conversions the makers use (exposed for tests) ---- */

/* UTF-8 (LEN bytes) to UTF-16LE: bytes needed, or written into OUT when
 * OUT is not NULL (OUT must hold what a NULL call returned). */
size_t pf_utf8_to_utf16le(const char *utf8, size_t len, uint8_t *out);
/* UTF-8 to Windows-1252, one byte per code point. */
size_t pf_utf8_to_cp1252(const char *utf8, size_t len, uint8_t *out);
/* The same for HTML: characters 1252 lacks become "&#N;" references, so
 * nothing is lost. */
size_t pf_utf8_to_cp1252_html(const char *utf8, size_t len, uint8_t *out);

#endif
