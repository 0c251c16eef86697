/*
 * pf_ltp.h - the LTP layer of MS-PST 2.3: heap-on-node (HN), BTree-on-heap
 * (BTH), property context (PC) and table context (TC).
 *
 * Contract
 * - Everything here sits on pf_ndb.h: a node's data blocks are the heap's
 *   pages; values too big for the heap live in the node's subnodes.
 * - Every count, offset and size read from the file is checked against its
 *   container before use: allocation extents against their block, records
 *   against their allocation, columns against the row size, rows against
 *   the row matrix.  Every walk is bounded: BTH depth by PF_BTH_MAX_LEVELS
 *   and a visited set of HIDs, so a BTH with a cycle ends with a fault.
 *   One value is never larger than PF_NODE_DATA_MAX.
 * - Two channels, as everywhere in formats/: operational errors (and "the
 *   thing you asked for cannot be read") are negative PF_E_* codes with a
 *   message set by pf_error_set(); damage is reported through a struct
 *   pf_sink (NULL allowed) with obj PF_OBJ_HN / BTH / PC / TC, field =
 *   spec spelling, nid = the node, hid = the HID or property tag involved.
 * - Opening reports the structural faults it must look at anyway (headers,
 *   page maps, BTH shape and key order, TCINFO and column descriptors, the
 *   row matrix); pf_pc_validate() / pf_tc_validate() report the content
 *   faults (each value resolvable and of the right size, row index against
 *   row matrix).  Open + validate together report each fault once.
 * - Opened objects own their memory; pointers they hand out (allocation
 *   bytes, BTH records, borrowed value bytes) stay valid until the object
 *   is closed.  A struct pf_hn / pf_pc / pf_tc must not be copied by value
 *   after it is opened (the BTH inside points at the HN next to it).
 * - One object is used by one thread at a time; none of this prints.
 *
 * Fault kinds used (obj, kind, field):
 *   HN  CB     HNHDR/HNPAGEHDR/HNBITMAPHDR (block too short), ibHnpm
 *   HN  MAGIC  bSig, bClientSig
 *   HN  CENT   cAlloc, cFree
 *   HN  VALUE  rgibAlloc (not ascending / outside the block's heap area)
 *   *   VALUE  <hid field> hidType != 0, or hidIndex == 0
 *   *   MISSING <hid field> hidBlockIndex past the blocks, hidIndex past
 *              cAlloc, or the allocation's block or extent is unusable
 *   BTH CB     BTHHEADER, cbEnt (record array not a multiple of a record)
 *   BTH MAGIC  bType;  BTH VALUE cbKey, cbEnt;  BTH DEPTH bIdxLevels
 *   BTH KEY_ORDER key;  BTH KEY_MIN key;  BTH CYCLE hidNextLevel
 *   PC  MAGIC  bClientSig;  PC VALUE cbKey, cbEnt;  PC TYPE wPropType
 *   PC  CB     dwValueHnid (value size wrong for its type; PtypObject
 *              must be 8 bytes, 2.3.3.5)
 *   PC  VALUE  dwValueHnid (bad multi-value offsets, or a HID with
 *              hidIndex 0)
 *   PC  MISSING dwValueHnid (HID or subnode absent, or HNID 0 for a
 *              fixed-size type of more than 4 bytes)
 *   TC  MAGIC  bClientSig, bType;  TC CB TCINFO;  TC CENT cCols
 *   TC  VALUE  rgib, iBit, ibData (column outside its size group)
 *   TC  CB     cbData, ibData (column past the data area), hnidRows
 *   TC  TYPE   tag;  TC KEY_ORDER tag (rgTCOLDESC not sorted)
 *   TC  VALUE  cbKey, cbEnt (row index BTH), dwRowIndex, dwRowID
 *   TC  MISSING hnidRows, hidRowIndex, dwValueHnid (cell value)
 *   TC  CENT   hidRowIndex (row index count != rows in the matrix)
 *   TC  CB     dwValueHnid (cell value size wrong for its type)
 *   TC  VALUE  dwValueHnid (bad multi-value offsets, hidIndex 0)
 *   TC  CB     hnidRows (row matrix not whole rows, or a data block of
 *              the row matrix not holding rows-per-block rows)
 */
#ifndef PF_LTP_H
#define PF_LTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../ndb/pf_ndb.h"
#include "../util/pf_err.h"
#include "../util/pf_fault.h"

/* ---- HID and HNID (MS-PST 2.3.1.1, 2.3.3.2) ---- */

#define PF_HID_TYPE(hid)   ((uint32_t)(hid) & 0x1Fu)
#define PF_HID_INDEX(hid)  (((uint32_t)(hid) >> 5) & 0x7FFu)
#define PF_HID_BLOCK(hid)  ((uint32_t)(hid) >> 16)
#define PF_HID_MAKE(block, index) \
	(((uint32_t)(block) << 16) | (((uint32_t)(index) & 0x7FFu) << 5))

/* 4K-page files (wVer 36) split a HID 5/14/13 bits instead of 5/11/16
 * (libyal's PFF format description; libpff reads them so): "wide" HIDs.
 * The heap knows which it has (struct pf_hn.wide_hid). */
static inline uint32_t pf_hid_index(bool wide, uint32_t hid)
{
	return wide ? (hid >> 5) & 0x3FFFu : PF_HID_INDEX(hid);
}

static inline uint32_t pf_hid_block(bool wide, uint32_t hid)
{
	return wide ? hid >> 19 : PF_HID_BLOCK(hid);
}

static inline uint32_t pf_hid_make(bool wide, uint32_t block, uint32_t index)
{
	return wide ? (block << 19) | ((index & 0x3FFFu) << 5) :
		      PF_HID_MAKE(block, index);
}

/* An HNID is a HID when its low 5 bits are NID_TYPE_HID (0), else a NID. */
#define PF_HNID_IS_HID(hnid) (PF_HID_TYPE(hnid) == 0)

/* ---- heap-on-node (MS-PST 2.3.1) ---- */

#define PF_HN_SIG        0xECu  /* HNHDR.bSig */
#define PF_BTYPE_TC      0x7Cu  /* bClientSig / TCINFO.bType */
#define PF_BTYPE_BTH     0xB5u  /* bClientSig / BTHHEADER.bType */
#define PF_BTYPE_PC      0xBCu  /* bClientSig */
#define PF_HN_MAX_BLOCKS 65536u /* hidBlockIndex is 16 bits */
#define PF_HN_MAX_ALLOC  2047u  /* hidIndex is 11 bits, 1-based */

struct pf_hn_block {
	uint8_t *data;      /* owned; NULL when the block could not be read */
	size_t cb;
	uint64_t bid;       /* 0 when loaded from memory */
	uint16_t ib_hnpm;   /* HNPAGEMAP offset */
	uint16_t c_alloc;
	uint16_t c_free;
	uint16_t cb_hdr;    /* HNHDR 12, HNPAGEHDR 2, HNBITMAPHDR 66 */
	bool ok;            /* page map usable */
};

struct pf_hn {
	struct pf_hn_block *blk;
	uint32_t nblocks;
	uint32_t nid;
	bool wide_hid;           /* 4K-page file: 5/14/13-bit HIDs */
	uint8_t client_sig;      /* HNHDR.bClientSig */
	uint32_t hid_user_root;  /* HNHDR.hidUserRoot */
	uint8_t fill_level[4];   /* HNHDR.rgbFillLevel (a hint, not checked) */
};

/* Load the heap of node NID whose data is BID_DATA (a block or a data
 * tree).  Blocks the NDB cannot read become unusable pages (faults are
 * reported by the NDB); an unreadable first block fails the open with
 * PF_E_CORRUPT.  On failure *hn is empty and needs no close. */
int pf_hn_open(struct pf_hn *hn, struct pf_ndb *ndb, uint32_t nid,
	       uint64_t bid_data, const struct pf_sink *sink);

/* The same from N malloc'd block buffers (unit tests, salvage).  Takes
 * ownership of every blocks[i] (NULL allowed: an unreadable block) in all
 * cases, success or not; the two arrays themselves stay the caller's. */
int pf_hn_open_blocks(struct pf_hn *hn, uint8_t **blocks, size_t *cbs,
		      uint32_t n, uint32_t nid, const struct pf_sink *sink);
void pf_hn_close(struct pf_hn *hn);

/* The bytes of allocation HID: PF_E_CORRUPT when hidType != 0 or the
 * allocation's block / extent is damaged, PF_E_NOTFOUND when hidIndex is 0
 * or past cAlloc or hidBlockIndex past the blocks.  *ptr is valid until
 * pf_hn_close(); a zero-length (freed) allocation gives *cb == 0. */
int pf_hn_get(const struct pf_hn *hn, uint32_t hid, const uint8_t **ptr,
	      size_t *cb);

/* Report (as OBJ, FIELD) why HID does not resolve; true when it does. */
bool pf_hn_hid_check(const struct pf_hn *hn, uint32_t hid, enum pf_obj obj,
		     const char *field, const struct pf_sink *sink);

/* ---- BTree-on-heap (MS-PST 2.3.2) ---- */

#define PF_BTH_MAX_LEVELS PF_BT_MAX_DEPTH  /* bIdxLevels bound */

struct pf_bth {
	const struct pf_hn *hn;
	uint32_t hid;        /* of the BTHHEADER */
	uint8_t cb_key;      /* 2, 4, 8 or 16 */
	uint8_t cb_ent;      /* 1..32 */
	uint8_t levels;      /* bIdxLevels */
	uint32_t hid_root;   /* 0: empty */
};

/* Read the BTHHEADER at HID.  Fails (PF_E_CORRUPT, fault reported) when
 * the header is unusable: short, bType, cbKey, cbEnt, bIdxLevels past the
 * bound, or a hidRoot that does not resolve. */
int pf_bth_open(struct pf_bth *bth, const struct pf_hn *hn, uint32_t hid,
		const struct pf_sink *sink);

/* Find KEY (cb_key bytes, little-endian as stored).  *ent points at the
 * cb_ent data bytes inside the heap.  PF_E_NOTFOUND when absent,
 * PF_E_CORRUPT when an index record on the way does not resolve. */
int pf_bth_lookup(const struct pf_bth *bth, const uint8_t *key,
		  const uint8_t **ent);

/* Visit every leaf record in order.  Checks and reports: record arrays a
 * multiple of the record size, keys strictly ascending, the first key of a
 * child equal to its index record's key, HIDs resolvable, no allocation
 * reached twice.  Damaged subtrees are skipped, the walk goes on.  FN may
 * be NULL (validation only); a nonzero return from FN stops the walk and
 * is returned.  *nfaults (may be NULL) gets the faults seen. */
typedef int (*pf_bth_visit_fn)(void *ctx, const uint8_t *key,
			       const uint8_t *ent);
int pf_bth_walk(const struct pf_bth *bth, const struct pf_sink *sink,
		pf_bth_visit_fn fn, void *ctx, uint32_t *nfaults);

/* ---- property types (MS-OXCDATA 2.11.1) ---- */

enum pf_ptype {
	PF_PT_INT16 = 0x0002,
	PF_PT_INT32 = 0x0003,
	PF_PT_FLOAT32 = 0x0004,
	PF_PT_FLOAT64 = 0x0005,
	PF_PT_CURRENCY = 0x0006,
	PF_PT_FLOATINGTIME = 0x0007,
	PF_PT_ERROR = 0x000A,
	PF_PT_BOOLEAN = 0x000B,
	PF_PT_OBJECT = 0x000D,
	PF_PT_INT64 = 0x0014,
	PF_PT_STRING8 = 0x001E,
	PF_PT_STRING = 0x001F,
	PF_PT_TIME = 0x0040,
	PF_PT_GUID = 0x0048,
	PF_PT_SERVERID = 0x00FB,
	PF_PT_RESTRICTION = 0x00FD,
	PF_PT_RULEACTION = 0x00FE,
	PF_PT_BINARY = 0x0102,
	PF_PT_MV = 0x1000,
	PF_PT_MV_INT16 = 0x1002,
	PF_PT_MV_INT32 = 0x1003,
	PF_PT_MV_FLOAT32 = 0x1004,
	PF_PT_MV_FLOAT64 = 0x1005,
	PF_PT_MV_CURRENCY = 0x1006,
	PF_PT_MV_FLOATINGTIME = 0x1007,
	PF_PT_MV_INT64 = 0x1014,
	PF_PT_MV_STRING8 = 0x101E,
	PF_PT_MV_STRING = 0x101F,
	PF_PT_MV_TIME = 0x1040,
	PF_PT_MV_GUID = 0x1048,
	PF_PT_MV_BINARY = 0x1102,
};

#define PF_PROP_TAG(id, type) (((uint32_t)(id) << 16) | (uint16_t)(type))
#define PF_PROP_ID(tag)   ((uint16_t)((uint32_t)(tag) >> 16))
#define PF_PROP_TYPE(tag) ((uint16_t)(tag))

/* Size of one value of TYPE: > 0 fixed size, 0 variable size, -1 not a
 * type a PST stores.  For multi-valued types: the element size, 0 when the
 * elements are variable (ulCount + rgulDataOffsets, MS-PST 2.3.3.4.2). */
int pf_ptype_size(uint16_t type);
bool pf_ptype_is_mv(uint16_t type);

/* ---- a property value, shared by PC and TC ---- */

enum pf_vloc {
	PF_VAL_INLINE = 1, /* in dwValueHnid (PC) or in the row (TC): raw[] */
	PF_VAL_HEAP,       /* a heap allocation: borrowed, lives with the HN */
	PF_VAL_SUBNODE,    /* a subnode's data: owned, freed by pf_value_free */
	PF_VAL_EMPTY,      /* HNID 0: a zero-length value */
};

struct pf_value {
	uint32_t tag;           /* (id << 16) | type */
	uint16_t type;
	enum pf_vloc loc;
	uint32_t hnid;          /* the HNID when not inline */
	const uint8_t *p;       /* the bytes unless inline */
	size_t cb;              /* bytes of the value */
	uint8_t raw[8];         /* inline bytes, little-endian */
	uint8_t *own;           /* subnode copy, or NULL */
};

/* The value's bytes (raw[] when inline; NULL when empty). */
static inline const uint8_t *pf_value_data(const struct pf_value *v)
{
	return v->loc == PF_VAL_INLINE ? v->raw : v->p;
}
void pf_value_free(struct pf_value *v);

/* Typed reads.  PF_E_NOTFOUND (message says so) when the value's type does
 * not fit the request:
 *   i32:  Int16 (sign-extended), Int32, ErrorCode
 *   i64:  Int64, Currency, Time, and the i32 types
 *   bool: Boolean;  time: Time (FILETIME, 100 ns since 1601);
 *   f64:  Float32, Float64, FloatingTime
 *   bin:  any type: a malloc'd copy of the bytes (never NULL on success)
 *   string: String (UTF-16LE) or String8 (CODEPAGE, 0 = Windows-1252) to a
 *           malloc'd NUL-terminated UTF-8 string. */
int pf_value_i32(const struct pf_value *v, int32_t *out);
int pf_value_i64(const struct pf_value *v, int64_t *out);
int pf_value_bool(const struct pf_value *v, bool *out);
int pf_value_time(const struct pf_value *v, uint64_t *out);
int pf_value_f64(const struct pf_value *v, double *out);
int pf_value_bin(const struct pf_value *v, uint8_t **out, size_t *cb);
int pf_value_string(const struct pf_value *v, uint32_t codepage,
		    char **utf8_out);

/* Multi-valued values: count and the bytes of element I (borrowed from V).
 * pf_value_mv_string converts an element of MV String / MV String8. */
int pf_value_mv_count(const struct pf_value *v, uint32_t *count);
int pf_value_mv_item(const struct pf_value *v, uint32_t i,
		     const uint8_t **p, size_t *cb);
int pf_value_mv_string(const struct pf_value *v, uint32_t i,
		       uint32_t codepage, char **utf8_out);

/* 0 when P/CB has the shape TYPE requires, else a pf_fault_kind (PF_F_CB
 * for a wrong size, PF_F_VALUE for bad multi-value offsets, PF_F_TYPE for
 * an unknown type) and *want the size expected where one is. */
int pf_value_shape(uint16_t type, const uint8_t *p, size_t cb,
		   uint64_t *want);

/* ---- strings ---- */

/* UTF-16LE to UTF-8: surrogate pairs joined, lone surrogates and an odd
 * last byte become U+FFFD; stops at the first U+0000. */
int pf_utf16le_to_utf8(const uint8_t *p, size_t cb, char **out);

/* 8-bit text in CODEPAGE to UTF-8; stops at the first NUL byte.  Built in:
 * 0 and 1252 (Windows-1252), 20127 (ASCII), 28591 (Latin-1), 65001
 * (UTF-8, validated); others through iconv(3).  Undecodable bytes become
 * U+FFFD.  PF_E_UNSUPPORTED when iconv has no such codepage. */
int pf_8bit_to_utf8(const uint8_t *p, size_t cb, uint32_t codepage,
		    char **out);

/* ---- property context (MS-PST 2.3.3) ---- */

struct pf_pc {
	struct pf_hn hn;
	struct pf_bth bth;
	struct pf_ndb *ndb;              /* NULL: no subnode values */
	const struct pf_subnodes *sub;   /* borrowed; may be NULL */
	const uint8_t **recs;            /* PC BTH records, 8 bytes each */
	uint32_t count;
	bool sorted;                     /* keys strictly ascending */
	uint32_t codepage;               /* for String8; 0 = 1252 */
};

/* Open the PC of node NID.  SUB (the node's subnodes, loaded by the
 * caller from bidSub) is borrowed and must outlive the PC.  Fails with
 * PF_E_CORRUPT when the node is not a readable PC (faults reported). */
int pf_pc_open(struct pf_pc *pc, struct pf_ndb *ndb, uint32_t nid,
	       uint64_t bid_data, const struct pf_subnodes *sub,
	       const struct pf_sink *sink);

/* Open a PC on a loaded heap; *HN is moved into the PC (left empty), in
 * all cases.  NDB and SUB may be NULL. */
int pf_pc_open_hn(struct pf_pc *pc, struct pf_hn *hn, struct pf_ndb *ndb,
		  const struct pf_subnodes *sub, const struct pf_sink *sink);
void pf_pc_close(struct pf_pc *pc);
void pf_pc_set_codepage(struct pf_pc *pc, uint32_t codepage);

/* Properties in key (property id) order. */
uint32_t pf_pc_count(const struct pf_pc *pc);
uint32_t pf_pc_tag(const struct pf_pc *pc, uint32_t i);
int pf_pc_prop(const struct pf_pc *pc, uint32_t i, struct pf_value *v);

/* Values by property id.  PF_E_NOTFOUND when absent (or, for the typed
 * getters, of another type), PF_E_CORRUPT when present but unreadable.
 * Free V with pf_value_free(). */
int pf_pc_get_value(const struct pf_pc *pc, uint16_t prop_id,
		    struct pf_value *v);
int pf_pc_get_i32(const struct pf_pc *pc, uint16_t prop_id, int32_t *out);
int pf_pc_get_i64(const struct pf_pc *pc, uint16_t prop_id, int64_t *out);
int pf_pc_get_bool(const struct pf_pc *pc, uint16_t prop_id, bool *out);
int pf_pc_get_time(const struct pf_pc *pc, uint16_t prop_id,
		   uint64_t *out);
/* A malloc'd copy the caller frees. */
int pf_pc_get_bin(const struct pf_pc *pc, uint16_t prop_id, uint8_t **out,
		  size_t *cb);
/* String or String8 (with the PC's codepage) as malloc'd UTF-8. */
int pf_pc_get_string(const struct pf_pc *pc, uint16_t prop_id,
		     char **utf8_out);
/* PtypObject (MS-PST 2.3.3.5): the subnode NID and size it names. */
int pf_pc_get_object(const struct pf_pc *pc, uint16_t prop_id,
		     uint32_t *nid, uint32_t *size);

/* Check every property: known type, value resolvable (HID in the heap or
 * NID among the subnodes; subnode data is not read), size right for the
 * type.  Returns the number of faults reported (>= 0) or a PF_E_* code. */
int pf_pc_validate(const struct pf_pc *pc, const struct pf_sink *sink);

/* ---- table context (MS-PST 2.3.4) ---- */

enum { PF_TCI_4B = 0, PF_TCI_2B, PF_TCI_1B, PF_TCI_BM };

#define PF_TC_TAG_ROWID 0x67F20003u   /* PidTagLtpRowId */
#define PF_TC_TAG_ROWVER 0x67F30003u  /* PidTagLtpRowVer */

struct pf_tc_col {
	uint32_t tag;
	uint16_t ib_data;
	uint8_t cb_data;
	uint8_t ibit;
	bool ok;           /* the descriptor is usable */
};

struct pf_tc_rowref {
	uint32_t row_id;   /* dwRowID */
	uint32_t row;      /* dwRowIndex */
};

struct pf_tc {
	struct pf_hn hn;
	struct pf_bth rowidx;            /* the row index BTH */
	struct pf_ndb *ndb;
	const struct pf_subnodes *sub;   /* borrowed; may be NULL */
	enum pf_variant variant;         /* 0 when unknown */
	uint32_t codepage;
	uint8_t ccols;
	uint16_t rgib[4];
	struct pf_tc_col *cols;
	uint32_t hid_row_index;
	uint32_t hnid_rows;
	struct pf_tc_rowref *index;      /* in walk (dwRowID) order */
	uint32_t nindex;
	bool index_sorted;               /* dwRowIDs strictly ascending */
	/* the row matrix: blocks of whole rows */
	const uint8_t **mblk;
	size_t *mcb;
	uint32_t nmblk;
	bool mowned;                     /* blocks read from a subnode */
	uint32_t rows_per_block;
	uint32_t nrows;
	bool rows_loaded;                /* hnidRows was read (or is 0) */
};

int pf_tc_open(struct pf_tc *tc, struct pf_ndb *ndb, uint32_t nid,
	       uint64_t bid_data, const struct pf_subnodes *sub,
	       const struct pf_sink *sink);
/* As pf_pc_open_hn; VARIANT (0 unknown) picks the TCROWID size when NDB
 * is NULL: 2-byte dwRowIndex for PF_ANSI, 4 otherwise. */
int pf_tc_open_hn(struct pf_tc *tc, struct pf_hn *hn, struct pf_ndb *ndb,
		  const struct pf_subnodes *sub, enum pf_variant variant,
		  const struct pf_sink *sink);
void pf_tc_close(struct pf_tc *tc);
void pf_tc_set_codepage(struct pf_tc *tc, uint32_t codepage);

/* Rows are numbered by their place in the row matrix (dwRowIndex). */
uint32_t pf_tc_rows(const struct pf_tc *tc);
uint32_t pf_tc_cols(const struct pf_tc *tc);
uint32_t pf_tc_col_tag(const struct pf_tc *tc, uint32_t col);
int pf_tc_row_id(const struct pf_tc *tc, uint32_t row, uint32_t *row_id);
/* Through the row index: the row holding ROW_ID. */
int pf_tc_find_row(const struct pf_tc *tc, uint32_t row_id, uint32_t *row);

/* TAG matches a column exactly; a TAG whose type is 0 matches the first
 * column with that property id. */
bool pf_tc_cell_exists(const struct pf_tc *tc, uint32_t row, uint32_t tag);
int pf_tc_get_value(const struct pf_tc *tc, uint32_t row, uint32_t tag,
		    struct pf_value *v);
int pf_tc_get_i32(const struct pf_tc *tc, uint32_t row, uint32_t tag,
		  int32_t *out);
int pf_tc_get_i64(const struct pf_tc *tc, uint32_t row, uint32_t tag,
		  int64_t *out);
int pf_tc_get_bool(const struct pf_tc *tc, uint32_t row, uint32_t tag,
		   bool *out);
int pf_tc_get_time(const struct pf_tc *tc, uint32_t row, uint32_t tag,
		   uint64_t *out);
int pf_tc_get_bin(const struct pf_tc *tc, uint32_t row, uint32_t tag,
		  uint8_t **out, size_t *cb);
int pf_tc_get_string(const struct pf_tc *tc, uint32_t row, uint32_t tag,
		     char **utf8_out);

/* Row index against row matrix (counts, dwRowIndex in range and unique,
 * dwRowID matching, row IDs unique) and every present cell's value
 * (resolvable, size right).  Returns the number of faults or PF_E_*. */
int pf_tc_validate(const struct pf_tc *tc, const struct pf_sink *sink);

/* An empty table (no rows, hnidRows 0) whose row index hidRoot is a
 * zero-byte allocation instead of 0 (2.3.4.3): valid by the spec, but
 * libpff reads it as rows without a row matrix. */
bool pf_tc_empty_root_alloc(const struct pf_tc *tc);

#endif
