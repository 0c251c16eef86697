/*
 * mimew_int.h - what the writer's files share (internal names pmw_).
 *
 * Contract: every put goes through the sticky-error buffer of pf_mimew.h,
 * so building code does not test each append; the caller checks b->err
 * once.  Header text is built in a struct pmw_fold that knows the column
 * and folds (RFC 5322 2.2.3) before a token that would pass PMW_FOLD_AT.
 */
#ifndef PF_MIMEW_INT_H
#define PF_MIMEW_INT_H

#include <stdarg.h>

#include "../util/pf_err.h"
#include "pf_mimew.h"

#define PMW_FOLD_AT 78       /* RFC 5322 2.1.1 "SHOULD" */
#define PMW_LINE_MAX 998     /* RFC 5322 2.1.1 "MUST" */
#define PMW_EW_BYTES 45      /* UTF-8 octets per B encoded-word: 60
				base64 characters + 12 = 72 <= 75 */

/* ---- mimew_buf.c ---- */
void pmw_put(struct pf_mimew_buf *b, const void *p, size_t n);
void pmw_puts(struct pf_mimew_buf *b, const char *s);
/* N more bytes at the end, for the caller to fill; NULL on failure. */
char *pmw_room(struct pf_mimew_buf *b, size_t n);
void pmw_putc(struct pf_mimew_buf *b, char ch);
void pmw_printf(struct pf_mimew_buf *b, const char *fmt, ...)
	PF_PRINTF(2, 3);
/* Set the sticky error (keeps the first) and return it. */
int pmw_fail(struct pf_mimew_buf *b, int code);

/* ---- mimew_enc.c ---- */
uint64_t pmw_fnv(uint64_t h, const void *p, size_t n);
#define PMW_FNV_INIT 0xcbf29ce484222325ull
/* P[N] can go out as 7bit (RFC 2045 2.7): ASCII without NUL or bare
 * CR / LF, lines <= 998, and without "=_pf_" (our boundaries). */
bool pmw_is_7bit(const uint8_t *p, size_t n);
/* pf_mimew_qp; SOFT_END: the last line ends with a soft break "=" CRLF,
 * so a text without a final line end decodes without one where no
 * boundary follows to take the CRLF (a single-part message). */
void pmw_qp(struct pf_mimew_buf *out, const uint8_t *p, size_t n,
	    bool soft_end);
/* Copy S[N] with every line end (CR, LF, CRLF) made CRLF into OUT. */
void pmw_put_crlf(struct pf_mimew_buf *out, const uint8_t *p, size_t n);
/* Length of the UTF-8 sequence starting at S (1 for a stray byte). */
size_t pmw_u8len(const char *s);
/* A copy of S with C0 controls and DEL as spaces (header text). */
char *pmw_clean(const char *s);
bool pmw_ascii_print(const char *s);   /* only 0x20..0x7E */

/* ---- mimew_hdr.c ---- */
struct pmw_fold {
	struct pf_mimew_buf *b;
	size_t col;
};
void pmw_field_begin(struct pmw_fold *f, struct pf_mimew_buf *b,
		     const char *name);
/* Append TOKEN (no whitespace inside) preceded by SEP (" " or ""),
 * folding first when it would pass the column limit. */
void pmw_token(struct pmw_fold *f, const char *sep, const char *tok,
	       size_t n);
void pmw_field_end(struct pmw_fold *f);
/* addr-spec of A into OUT (see pf_mimew.h: SMTP or IMCEA form). */
void pmw_addr_spec(struct pf_mimew_buf *out, const struct pf_mimew_addr *a);
/* "Date: " value for FILETIME FT (RFC 5322 3.3, UTC). */
void pmw_date(char *buf, size_t cb, uint64_t ft);
/* ---- mimew_thdr.c: PidTagTransportMessageHeaders ---- */
/* The unfolded value of the first field NAME in the header block HDRS
 * (malloc'd) or NULL. */
char *pmw_thdr_get(const char *hdrs, const char *name);
/* Copy the fields of HDRS that MAPI has no property for (see pf_mimew.h)
 * to OUT, each re-folded and 7-bit. */
void pmw_thdr_copy(struct pf_mimew_buf *out, const char *hdrs);

/* VALUE (raw, as in a header block) parsed as an address list by the
 * import parser and written again; nothing when no address is in it. */
void pmw_addr_field(struct pf_mimew_buf *b, const char *name,
		    const char *value);
/* VALUE with its RFC 2047 words decoded, written as unstructured text. */
void pmw_text_field(struct pf_mimew_buf *b, const char *name,
		    const char *value);

/* ---- mimew_body.c ---- */
struct pmw_render {
	struct pf_mimew_buf *b;
	const struct pf_mimew_opts *o;
	uint64_t hash;
	unsigned depth;
	unsigned counter;
	bool multi;          /* a multipart has been opened: leaves end
				at a boundary */
};
/* The MIME structure (Content-* headers, blank line, body) of MSG. */
void pmw_body(struct pmw_render *r, const struct pf_mimew_msg *msg);
/* The whole message at the render's depth (headers then body). */
void pmw_message(struct pf_mimew_buf *b, const struct pf_mimew_msg *msg,
		 const struct pf_mimew_opts *o, unsigned depth);

/* ---- mimew_card.c ---- */
/* pf_mimew_ical with an iTIP METHOD (and ORGANIZER, ATTENDEE), or none. */
int pmw_ical(struct pf_mimew_buf *out, const struct pf_mimew_msg *m,
	     enum pf_mimew_kind kind, const char *method);

/* ---- mimew_entryid.c ---- */
/* A One-Off EntryID's display name and SMTP address (both malloc'd);
 * PF_E_NOTFOUND when it is not one or the address is not SMTP. */
int pmw_oneoff(const uint8_t *p, size_t n, char **name, char **addr);
/* The SMTP one-offs of a FlatEntryList, *v malloc'd (names and addrs
 * owned), *count of them; other entries are left out. */
int pmw_flat_entries(const uint8_t *p, size_t n, struct pf_mimew_addr **v,
		     size_t *count);

/* ---- mimew_read*.c ---- */
int pmw_read_atts(struct pf_mimew_msg *msg, struct pf_message *m,
		  const struct pf_nameid_map *map, unsigned depth);
int pmw_read_depth(struct pf_mimew_msg **out, struct pf_message *m,
		   const struct pf_nameid_map *map, unsigned depth);
void pmw_read_item(struct pf_mimew_msg *msg, struct pf_message *m,
		   const struct pf_nameid_map *map);
void pmw_att_clear(struct pf_mimew_att *a);
void pmw_lost(struct pf_mimew_msg *msg, const char *what);

#endif
