/*
 * tc.c - table context (MS-PST 2.3.4).
 *
 * Contract: a TC is a heap with bClientSig bTypeTC whose hidUserRoot is a
 * TCINFO (bType, cCols, rgib[4], hidRowIndex, hnidRows, hidIndex,
 * rgTCOLDESC[cCols]).  Opening checks TCINFO and every column descriptor
 * against the row layout (a bad column is kept but marked unusable),
 * loads the row index BTH (dwRowID -> dwRowIndex; 4-byte dwRowIndex in
 * Unicode files, 2-byte in ANSI) and the row matrix, from the heap (HID)
 * or from a subnode (NID: whole rows per data block, 2.3.4.4).
 * Every cell read is bounded: the column lies inside the row, the row
 * inside its block, the CEB bit inside the CEB.  pf_tc_validate() compares
 * the row index with the row matrix and checks every present cell value.
 * Bounds: cCols <= what fits in the TCINFO allocation, row matrix <=
 * PF_NODE_DATA_MAX bytes, rows <= UINT32_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_le.h"
#include "ltp_int.h"

#define TCINFO_CB    22u  /* 2.3.4.1 without rgTCOLDESC */
#define TCOLDESC_CB   8u  /* 2.3.4.2 */
#define ROWID_CB      4u  /* dwRowID at the start of each row (2.3.4.4) */

static void tc_fault(const struct pf_tc *tc, enum pf_fault_kind kind,
		     const char *field, uint32_t hid, uint64_t got,
		     uint64_t want, const struct pf_sink *sink)
{
	pf_ltp_fault(sink, PF_OBJ_TC, kind, field, tc->hn.nid, hid, got,
		     want);
}

static int tc_fail(struct pf_tc *tc, enum pf_fault_kind kind,
		   const char *field, uint64_t got, uint64_t want,
		   const struct pf_sink *sink)
{
	uint32_t nid = tc->hn.nid;

	tc_fault(tc, kind, field, tc->hn.hid_user_root, got, want, sink);
	pf_tc_close(tc);
	return pf_error_set(PF_E_CORRUPT, "node %#x is not a usable TC (%s)",
			    nid, field);
}

static uint32_t row_size(const struct pf_tc *tc)
{
	return tc->rgib[PF_TCI_BM];
}

static uint32_t ceb_size(const struct pf_tc *tc)
{
	return (uint32_t)tc->rgib[PF_TCI_BM] - tc->rgib[PF_TCI_1B];
}

/* Fixed values of <= 8 bytes sit in the row; the rest is an HNID
 * (2.3.4.4.1). */
static bool cell_inline(uint16_t type)
{
	int sz = pf_ptype_size(type);

	return sz > 0 && sz <= 8 && !pf_ptype_is_mv(type);
}

/* ---- TCINFO and columns ---- */

/* 2.3.4.1 rgib: ascending group ends, room for dwRowID. */
static bool rgib_ordered(const uint16_t *rgib)
{
	return rgib[PF_TCI_4B] >= ROWID_CB &&
	       rgib[PF_TCI_4B] <= rgib[PF_TCI_2B] &&
	       rgib[PF_TCI_2B] <= rgib[PF_TCI_1B] &&
	       rgib[PF_TCI_1B] <= rgib[PF_TCI_BM];
}

/* The size group a column of CB bytes belongs to (2.3.4.1 rgib). */
static void col_group(const struct pf_tc *tc, uint8_t cb, uint32_t *lo,
		      uint32_t *hi)
{
	*lo = 0;
	*hi = tc->rgib[PF_TCI_4B];
	if (cb == 2) {
		*lo = tc->rgib[PF_TCI_4B];
		*hi = tc->rgib[PF_TCI_2B];
	} else if (cb == 1) {
		*lo = tc->rgib[PF_TCI_2B];
		*hi = tc->rgib[PF_TCI_1B];
	}
}

/* 2.3.4.2 TCOLDESC: type, cbData for the type, ibData inside the data
 * area and its size group, iBit inside the CEB. */
static void check_col(struct pf_tc *tc, struct pf_tc_col *c,
		      const struct pf_sink *sink)
{
	uint16_t type = PF_PROP_TYPE(c->tag);
	int sz = pf_ptype_size(type);
	uint32_t want, lo, hi, end = (uint32_t)c->ib_data + c->cb_data;

	c->ok = false;
	if (sz < 0) {
		tc_fault(tc, PF_F_TYPE, "tag", c->tag, type, 0, sink);
		return;
	}
	want = cell_inline(type) ? (uint32_t)sz : 4;
	if (c->cb_data != want) {
		tc_fault(tc, PF_F_CB, "cbData", c->tag, c->cb_data, want,
			 sink);
		return;
	}
	if (end > tc->rgib[PF_TCI_1B]) {
		tc_fault(tc, PF_F_CB, "ibData", c->tag, end,
			 tc->rgib[PF_TCI_1B], sink);
		return;
	}
	if (c->ibit >= 8 * ceb_size(tc)) {
		tc_fault(tc, PF_F_VALUE, "iBit", c->tag, c->ibit,
			 8 * ceb_size(tc), sink);
		return;
	}
	c->ok = true;
	col_group(tc, c->cb_data, &lo, &hi);
	if (c->ib_data < lo || end > hi)
		tc_fault(tc, PF_F_VALUE, "ibData", c->tag, c->ib_data, lo,
			 sink);
}

static int parse_cols(struct pf_tc *tc, const uint8_t *p,
		      const struct pf_sink *sink)
{
	uint32_t i;

	tc->cols = calloc(tc->ccols ? tc->ccols : 1, sizeof(*tc->cols));
	if (!tc->cols)
		return pf_error_set(PF_E_NOMEM, "out of memory (TC columns)");
	for (i = 0; i < tc->ccols; i++) {
		const uint8_t *d = p + TCINFO_CB + TCOLDESC_CB * i;
		struct pf_tc_col *c = &tc->cols[i];

		c->tag = pf_le32(d);
		c->ib_data = pf_le16(d + 4);
		c->cb_data = d[6];
		c->ibit = d[7];
		check_col(tc, c, sink);
		/* 2.3.4.1 rgTCOLDESC: sorted by tag */
		if (i > 0 && c->tag <= tc->cols[i - 1].tag)
			tc_fault(tc, PF_F_KEY_ORDER, "tag", c->tag, c->tag,
				 tc->cols[i - 1].tag, sink);
	}
	return 0;
}

static int parse_tcinfo(struct pf_tc *tc, const struct pf_sink *sink)
{
	uint32_t hid = tc->hn.hid_user_root, k, fit, ceb;
	const uint8_t *p;
	size_t cb;

	/* a non-zero hidUserRoot that does not resolve the heap reported
	 * when it opened (2.3.1.2); only 0 is the TC's to report */
	if (!pf_ltp_hid_check(&tc->hn, hid, PF_OBJ_TC, "hidUserRoot", hid,
			      hid ? NULL : sink) ||
	    pf_hn_get(&tc->hn, hid, &p, &cb) < 0) {
		pf_tc_close(tc);
		return pf_error_set(PF_E_CORRUPT, "TC: no TCINFO");
	}
	if (cb < TCINFO_CB)
		return tc_fail(tc, PF_F_CB, "TCINFO", cb, TCINFO_CB, sink);
	if (p[0] != PF_BTYPE_TC)                       /* 2.3.4.1 bType */
		return tc_fail(tc, PF_F_MAGIC, "bType", p[0], PF_BTYPE_TC,
			       sink);
	for (k = 0; k < 4; k++)
		tc->rgib[k] = pf_le16(p + 2 + 2 * k);
	tc->hid_row_index = pf_le32(p + 10);
	tc->hnid_rows = pf_le32(p + 14);
	tc->ccols = p[1];
	fit = (uint32_t)((cb - TCINFO_CB) / TCOLDESC_CB);
	if (tc->ccols > fit) {                         /* 2.3.4.1 cCols */
		tc_fault(tc, PF_F_CENT, "cCols", hid, tc->ccols, fit, sink);
		tc->ccols = (uint8_t)fit;
	}
	if (!rgib_ordered(tc->rgib))
		return tc_fail(tc, PF_F_VALUE, "rgib", tc->rgib[PF_TCI_BM],
			       tc->rgib[PF_TCI_1B], sink);
	/* 2.3.4.1 TCI_bm: the CEB is ceil(cCols / 8) bytes */
	ceb = ((uint32_t)p[1] + 7) / 8;
	if (ceb_size(tc) != ceb)
		tc_fault(tc, PF_F_VALUE, "rgib", hid, tc->rgib[PF_TCI_BM],
			 tc->rgib[PF_TCI_1B] + ceb, sink);
	return parse_cols(tc, p, sink);
}

/* ---- row index (2.3.4.3) ---- */

struct idx_collect {
	struct pf_tc *tc;
	uint32_t cap;
};

static int collect_row(void *ctx, const uint8_t *key, const uint8_t *ent)
{
	struct idx_collect *c = ctx;
	struct pf_tc *tc = c->tc;
	struct pf_tc_rowref *r;

	if (tc->nindex == c->cap) {
		uint32_t cap = c->cap ? c->cap * 2 : 64;
		struct pf_tc_rowref *nv = realloc(tc->index,
						  cap * sizeof(*nv));

		if (!nv)
			return pf_error_set(PF_E_NOMEM,
					    "out of memory (TC row index)");
		tc->index = nv;
		c->cap = cap;
	}
	r = &tc->index[tc->nindex++];
	r->row_id = pf_le32(key);
	r->row = tc->rowidx.cb_ent == 2 ? pf_le16(ent) : pf_le32(ent);
	return 0;
}

/* 2.3.4.3.1 TCROWID: dwRowIndex is 2 bytes in ANSI files, 4 in Unicode. */
static bool cb_ent_ok(const struct pf_tc *tc, uint32_t cb_ent)
{
	if (tc->variant == PF_ANSI)
		return cb_ent == 2;
	if (tc->variant != 0)
		return cb_ent == 4;
	return cb_ent == 2 || cb_ent == 4;
}

static int load_index(struct pf_tc *tc, const struct pf_sink *sink)
{
	struct idx_collect c = { .tc = tc };
	uint32_t hid = tc->hid_row_index, i;
	int rc;

	if (hid == 0)
		return 0;
	if (!pf_ltp_hid_check(&tc->hn, hid, PF_OBJ_TC, "hidRowIndex", hid,
			      sink))
		return 0;
	rc = pf_bth_open(&tc->rowidx, &tc->hn, hid, sink);
	if (rc < 0)
		return rc == PF_E_NOMEM ? rc : 0;
	if (tc->rowidx.cb_key != 4) {                  /* 2.3.4.3 */
		tc_fault(tc, PF_F_VALUE, "cbKey", hid, tc->rowidx.cb_key, 4,
			 sink);
		return 0;
	}
	if (!cb_ent_ok(tc, tc->rowidx.cb_ent)) {
		tc_fault(tc, PF_F_VALUE, "cbEnt", hid, tc->rowidx.cb_ent,
			 tc->variant == PF_ANSI ? 2 : 4, sink);
		return 0;
	}
	rc = pf_bth_walk(&tc->rowidx, sink, collect_row, &c, NULL);
	if (rc < 0)
		return rc;
	tc->index_sorted = true;
	for (i = 1; i < tc->nindex; i++)
		if (tc->index[i].row_id <= tc->index[i - 1].row_id)
			tc->index_sorted = false;
	return 0;
}

/* ---- row matrix (2.3.4.4) ---- */

static int matrix_alloc(struct pf_tc *tc, uint32_t n)
{
	tc->mblk = calloc(n, sizeof(*tc->mblk));
	tc->mcb = calloc(n, sizeof(*tc->mcb));
	if (!tc->mblk || !tc->mcb)
		return pf_error_set(PF_E_NOMEM, "out of memory (row matrix)");
	tc->nmblk = n;
	return 0;
}

static int rows_from_heap(struct pf_tc *tc, const struct pf_sink *sink)
{
	uint32_t rs = row_size(tc);
	const uint8_t *p;
	size_t cb;
	int rc;

	if (!pf_ltp_hid_check(&tc->hn, tc->hnid_rows, PF_OBJ_TC, "hnidRows",
			      tc->hnid_rows, sink) ||
	    pf_hn_get(&tc->hn, tc->hnid_rows, &p, &cb) < 0)
		return 0;
	rc = matrix_alloc(tc, 1);
	if (rc < 0)
		return rc;
	tc->mblk[0] = p;
	tc->mcb[0] = cb;
	if (cb % rs != 0)
		tc_fault(tc, PF_F_CB, "hnidRows", tc->hnid_rows, cb,
			 cb - cb % rs, sink);
	tc->rows_per_block = (uint32_t)(cb / rs);
	tc->nrows = tc->rows_per_block;
	tc->rows_loaded = true;
	return 0;
}

static int read_matrix_blocks(struct pf_tc *tc, const struct pf_datatree *t,
			      const struct pf_sink *sink)
{
	uint64_t total = 0;
	uint32_t i;
	int rc = matrix_alloc(tc, t->count);

	if (rc < 0)
		return rc;
	tc->mowned = true;
	for (i = 0; i < t->count; i++) {
		uint8_t *d = NULL;

		rc = pf_block_read_bid(tc->ndb, t->bids[i], sink, &d,
				       &tc->mcb[i]);
		if (rc == PF_E_NOMEM || rc == PF_E_IO || rc == PF_E_LIMIT)
			return rc;
		tc->mblk[i] = rc < 0 ? NULL : d;
		if (rc < 0)
			tc->mcb[i] = 0;
		total += tc->mcb[i];
		if (total > PF_NODE_DATA_MAX)
			return pf_error_set(PF_E_LIMIT, "row matrix larger "
					    "than %u bytes", PF_NODE_DATA_MAX);
	}
	return 0;
}

/* 2.3.4.4: rows per block = floor((block size - trailer) / row size);
 * every block but the last holds exactly that many. */
static void count_block_rows(struct pf_tc *tc, const struct pf_sink *sink)
{
	const struct pf_layout *l = pf_ndb_layout(tc->ndb);
	uint32_t rs = row_size(tc), n = tc->nmblk, i, last, maxr;
	uint64_t rows;

	maxr = l ? (l->block_max - l->block_trailer) / rs : UINT32_MAX;
	tc->rows_per_block = (n > 1 && tc->mblk[0]) ?
			     (uint32_t)(tc->mcb[0] / rs) : maxr;
	if (tc->rows_per_block > maxr) {
		tc_fault(tc, PF_F_CB, "hnidRows", tc->hnid_rows, tc->mcb[0],
			 (uint64_t)maxr * rs, sink);
		tc->rows_per_block = maxr;
	}
	if (tc->rows_per_block == 0 || n == 0)
		return;
	for (i = 0; i + 1 < n; i++)
		if (tc->mblk[i] && tc->mcb[i] / rs != tc->rows_per_block)
			tc_fault(tc, PF_F_CB, "hnidRows", tc->hnid_rows,
				 tc->mcb[i],
				 (uint64_t)tc->rows_per_block * rs, sink);
	last = (uint32_t)(tc->mcb[n - 1] / rs);
	if (tc->mcb[n - 1] % rs != 0 || last > tc->rows_per_block)
		tc_fault(tc, PF_F_CB, "hnidRows", tc->hnid_rows,
			 tc->mcb[n - 1], (uint64_t)last * rs, sink);
	if (last > tc->rows_per_block)
		last = tc->rows_per_block;
	rows = (uint64_t)(n - 1) * tc->rows_per_block + last;
	tc->nrows = rows > UINT32_MAX ? UINT32_MAX : (uint32_t)rows;
}

static int rows_from_subnode(struct pf_tc *tc, const struct pf_sink *sink)
{
	const struct pf_subnode *sn;
	struct pf_datatree t = { 0 };
	int rc;

	sn = tc->sub ? pf_subnodes_find(tc->sub, tc->hnid_rows) : NULL;
	if (!sn) {
		tc_fault(tc, PF_F_MISSING, "hnidRows", tc->hnid_rows,
			 tc->hnid_rows, 0, sink);
		return 0;
	}
	if (!tc->ndb)
		return 0;   /* opened without a file: rows not readable */
	rc = pf_datatree_load(tc->ndb, sn->bid_data, sink, &t);
	if (rc < 0)
		return (rc == PF_E_NOMEM || rc == PF_E_IO) ? rc : 0;
	rc = read_matrix_blocks(tc, &t, sink);
	pf_datatree_free(&t);
	if (rc < 0)
		return rc;
	count_block_rows(tc, sink);
	tc->rows_loaded = true;
	return 0;
}

static int load_rows(struct pf_tc *tc, const struct pf_sink *sink)
{
	if (tc->hnid_rows == 0) {
		tc->rows_loaded = true;
		return 0;
	}
	if (PF_HNID_IS_HID(tc->hnid_rows))
		return rows_from_heap(tc, sink);
	return rows_from_subnode(tc, sink);
}

/* ---- open / close ---- */

static int tc_load(struct pf_tc *tc, const struct pf_sink *sink)
{
	int rc;

	if (tc->hn.client_sig != PF_BTYPE_TC)        /* 2.3.1.2 bClientSig */
		return tc_fail(tc, PF_F_MAGIC, "bClientSig",
			       tc->hn.client_sig, PF_BTYPE_TC, sink);
	rc = parse_tcinfo(tc, sink);
	if (rc < 0)
		return rc;   /* tc already closed */
	rc = load_index(tc, sink);
	if (rc == 0)
		rc = load_rows(tc, sink);
	if (rc < 0)
		pf_tc_close(tc);
	return rc;
}

int pf_tc_open_hn(struct pf_tc *tc, struct pf_hn *hn, struct pf_ndb *ndb,
		  const struct pf_subnodes *sub, enum pf_variant variant,
		  const struct pf_sink *sink)
{
	memset(tc, 0, sizeof(*tc));
	tc->hn = *hn;
	memset(hn, 0, sizeof(*hn));
	tc->ndb = ndb;
	tc->sub = sub;
	tc->variant = variant;
	tc->codepage = 1252;
	if (ndb && pf_ndb_header(ndb))
		tc->variant = pf_ndb_header(ndb)->variant;
	return tc_load(tc, sink);
}

int pf_tc_open(struct pf_tc *tc, struct pf_ndb *ndb, uint32_t nid,
	       uint64_t bid_data, const struct pf_subnodes *sub,
	       const struct pf_sink *sink)
{
	struct pf_hn hn;
	int rc;

	memset(tc, 0, sizeof(*tc));
	rc = pf_hn_open(&hn, ndb, nid, bid_data, sink);
	if (rc < 0)
		return rc;
	return pf_tc_open_hn(tc, &hn, ndb, sub, 0, sink);
}

void pf_tc_close(struct pf_tc *tc)
{
	uint32_t i;

	if (!tc)
		return;
	if (tc->mowned && tc->mblk)
		for (i = 0; i < tc->nmblk; i++)
			free((void *)(uintptr_t)tc->mblk[i]);
	free(tc->mblk);
	free(tc->mcb);
	free(tc->index);
	free(tc->cols);
	pf_hn_close(&tc->hn);
	memset(tc, 0, sizeof(*tc));
}

void pf_tc_set_codepage(struct pf_tc *tc, uint32_t codepage)
{
	tc->codepage = codepage;
}

/* ---- access ---- */

uint32_t pf_tc_rows(const struct pf_tc *tc)
{
	return tc->nrows;
}

uint32_t pf_tc_cols(const struct pf_tc *tc)
{
	return tc->ccols;
}

uint32_t pf_tc_col_tag(const struct pf_tc *tc, uint32_t col)
{
	return col < tc->ccols ? tc->cols[col].tag : 0;
}

/* Row ROW's bytes, or NULL when its block is unreadable or short. */
static const uint8_t *row_ptr(const struct pf_tc *tc, uint32_t row)
{
	uint32_t rs = row_size(tc), b;
	size_t off;

	if (row >= tc->nrows || tc->rows_per_block == 0)
		return NULL;
	b = row / tc->rows_per_block;
	off = (size_t)(row % tc->rows_per_block) * rs;
	if (b >= tc->nmblk || !tc->mblk[b] || off + rs > tc->mcb[b])
		return NULL;
	return tc->mblk[b] + off;
}

static int no_row(const struct pf_tc *tc, uint32_t row)
{
	if (row >= tc->nrows)
		return pf_error_set(PF_E_NOTFOUND, "TC of node %#x has %u "
				    "rows, not %u", tc->hn.nid, tc->nrows,
				    row + 1);
	return pf_error_set(PF_E_CORRUPT, "TC of node %#x: row %u is in an "
			    "unreadable block", tc->hn.nid, row);
}

int pf_tc_row_id(const struct pf_tc *tc, uint32_t row, uint32_t *row_id)
{
	const uint8_t *r = row_ptr(tc, row);

	*row_id = 0;
	if (!r)
		return no_row(tc, row);
	*row_id = pf_le32(r);
	return 0;
}

int pf_tc_find_row(const struct pf_tc *tc, uint32_t row_id, uint32_t *row)
{
	uint32_t lo = 0, hi = tc->nindex, i;

	*row = 0;
	if (!tc->index_sorted) {
		for (i = 0; i < tc->nindex; i++)
			if (tc->index[i].row_id == row_id)
				break;
		lo = i;
	}
	while (tc->index_sorted && lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (tc->index[mid].row_id == row_id) {
			lo = mid;
			break;
		}
		if (tc->index[mid].row_id < row_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= tc->nindex || tc->index[lo].row_id != row_id)
		return pf_error_set(PF_E_NOTFOUND, "row %#x not in the TC "
				    "row index", row_id);
	*row = tc->index[lo].row;
	return 0;
}

static const struct pf_tc_col *find_col(const struct pf_tc *tc,
					uint32_t tag)
{
	uint32_t i;

	for (i = 0; i < tc->ccols; i++) {
		const struct pf_tc_col *c = &tc->cols[i];

		if (c->tag == tag ||
		    (PF_PROP_TYPE(tag) == 0 &&
		     PF_PROP_ID(c->tag) == PF_PROP_ID(tag)))
			return c;
	}
	return NULL;
}

/* 2.3.4.4.1 CEB: bit iBit, most significant bit of byte 0 first. */
static bool ceb_bit(const struct pf_tc *tc, const uint8_t *r,
		    const struct pf_tc_col *c)
{
	uint8_t byte = r[tc->rgib[PF_TCI_1B] + c->ibit / 8];

	return (byte & (0x80u >> (c->ibit % 8))) != 0;
}

bool pf_tc_cell_exists(const struct pf_tc *tc, uint32_t row, uint32_t tag)
{
	const struct pf_tc_col *c = find_col(tc, tag);
	const uint8_t *r = row_ptr(tc, row);

	return c && c->ok && r && ceb_bit(tc, r, c);
}

/* Fill V from the cell of column C in row R (READ: fetch subnodes). */
static int cell_value(const struct pf_tc *tc, const uint8_t *r,
		      const struct pf_tc_col *c, bool read,
		      struct pf_value *v)
{
	uint16_t type = PF_PROP_TYPE(c->tag);
	int rc;

	memset(v, 0, sizeof(*v));
	v->tag = c->tag;
	v->type = type;
	if (cell_inline(type)) {
		v->loc = PF_VAL_INLINE;
		memcpy(v->raw, r + c->ib_data, c->cb_data);
		v->cb = c->cb_data;
		return 0;
	}
	rc = pf_ltp_hnid_get(&tc->hn, tc->ndb, tc->sub,
			     pf_le32(r + c->ib_data), read, v);
	v->tag = c->tag;
	v->type = type;
	return rc;
}

/* 0 when V (resolved and read) fits its type, else a fault kind. */
static int cell_shape(const struct pf_value *v, uint64_t *want)
{
	*want = 0;
	if (v->loc == PF_VAL_EMPTY && pf_ptype_size(v->type) > 0 &&
	    !pf_ptype_is_mv(v->type))
		return PF_F_MISSING;
	return pf_value_shape(v->type, pf_value_data(v), v->cb, want);
}

int pf_tc_get_value(const struct pf_tc *tc, uint32_t row, uint32_t tag,
		    struct pf_value *v)
{
	const struct pf_tc_col *c = find_col(tc, tag);
	const uint8_t *r = row_ptr(tc, row);
	uint64_t want;
	int rc;

	memset(v, 0, sizeof(*v));
	if (!c)
		return pf_error_set(PF_E_NOTFOUND, "no column %#010x", tag);
	if (!c->ok)
		return pf_error_set(PF_E_CORRUPT, "column %#010x damaged",
				    c->tag);
	if (!r)
		return no_row(tc, row);
	if (!ceb_bit(tc, r, c))
		return pf_error_set(PF_E_NOTFOUND, "row %u has no %#010x",
				    row, c->tag);
	rc = cell_value(tc, r, c, true, v);
	if (rc == 0 && cell_shape(v, &want) != 0) {
		pf_value_free(v);
		rc = pf_error_set(PF_E_CORRUPT, "row %u, column %#010x: value "
				  "does not fit its type", row, c->tag);
	}
	return rc;
}

#define TC_GETTER(name, type, reader)                                   \
	int name(const struct pf_tc *tc, uint32_t row, uint32_t tag,    \
		 type *out)                                             \
	{                                                               \
		struct pf_value v;                                      \
		int rc = pf_tc_get_value(tc, row, tag, &v);             \
									\
		if (rc == 0)                                            \
			rc = reader(&v, out);                           \
		pf_value_free(&v);                                      \
		return rc;                                              \
	}

TC_GETTER(pf_tc_get_i32, int32_t, pf_value_i32)
TC_GETTER(pf_tc_get_i64, int64_t, pf_value_i64)
TC_GETTER(pf_tc_get_bool, bool, pf_value_bool)
TC_GETTER(pf_tc_get_time, uint64_t, pf_value_time)

int pf_tc_get_bin(const struct pf_tc *tc, uint32_t row, uint32_t tag,
		  uint8_t **out, size_t *cb)
{
	struct pf_value v;
	int rc = pf_tc_get_value(tc, row, tag, &v);

	*out = NULL;
	*cb = 0;
	if (rc == 0)
		rc = pf_value_bin(&v, out, cb);
	pf_value_free(&v);
	return rc;
}

int pf_tc_get_string(const struct pf_tc *tc, uint32_t row, uint32_t tag,
		     char **utf8_out)
{
	struct pf_value v;
	int rc = pf_tc_get_value(tc, row, tag, &v);

	*utf8_out = NULL;
	if (rc == 0)
		rc = pf_value_string(&v, tc->codepage, utf8_out);
	pf_value_free(&v);
	return rc;
}

/* ---- validate ---- */

/* Row index against the row matrix (2.3.4.3, 2.3.4.4). */
static int validate_index(const struct pf_tc *tc, const struct pf_sink *sink)
{
	uint8_t *seen;
	uint32_t i, rid;
	int faults = 0;

	if (tc->nindex != tc->nrows) {
		tc_fault(tc, PF_F_CENT, "hidRowIndex", tc->hid_row_index,
			 tc->nindex, tc->nrows, sink);
		faults++;
	}
	seen = calloc(tc->nrows / 8 + 1, 1);
	if (!seen)
		return pf_error_set(PF_E_NOMEM, "out of memory (TC check)");
	for (i = 0; i < tc->nindex; i++) {
		const struct pf_tc_rowref *x = &tc->index[i];
		bool dup = x->row < tc->nrows &&
			   (seen[x->row / 8] & (1u << (x->row % 8)));

		if (x->row >= tc->nrows || dup) {
			tc_fault(tc, PF_F_VALUE, "dwRowIndex", x->row_id,
				 x->row, tc->nrows, sink);
			faults++;
			continue;
		}
		seen[x->row / 8] |= (uint8_t)(1u << (x->row % 8));
		if (pf_tc_row_id(tc, x->row, &rid) == 0 && rid != x->row_id) {
			tc_fault(tc, PF_F_VALUE, "dwRowID", x->row_id, rid,
				 x->row_id, sink);
			faults++;
		}
	}
	free(seen);
	return faults;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* dwRowID unique across the matrix. */
static int validate_row_ids(const struct pf_tc *tc,
			    const struct pf_sink *sink)
{
	uint32_t *ids, i, n = 0;
	int faults = 0;

	ids = malloc(((size_t)tc->nrows + 1) * sizeof(*ids));
	if (!ids)
		return pf_error_set(PF_E_NOMEM, "out of memory (TC check)");
	for (i = 0; i < tc->nrows; i++)
		if (pf_tc_row_id(tc, i, &ids[n]) == 0)
			n++;
	qsort(ids, n, sizeof(*ids), cmp_u32);
	for (i = 1; i < n; i++) {
		if (ids[i] == ids[i - 1]) {
			tc_fault(tc, PF_F_VALUE, "dwRowID", ids[i], ids[i], 0,
				 sink);
			faults++;
		}
	}
	free(ids);
	return faults;
}

/* One present, HNID-valued cell; returns faults (0/1) or PF_E_*. */
static int validate_cell(const struct pf_tc *tc, const uint8_t *r,
			 const struct pf_tc_col *c,
			 const struct pf_sink *sink)
{
	uint32_t hnid = pf_le32(r + c->ib_data);
	struct pf_value v;
	uint64_t want;
	int rc, kind;

	if (!pf_ltp_hnid_check(&tc->hn, tc->sub, hnid, PF_OBJ_TC,
			       "dwValueHnid", c->tag, sink))
		return 1;
	rc = cell_value(tc, r, c, false, &v);
	if (rc < 0)
		return rc == PF_E_NOMEM ? rc : 0;
	kind = v.loc == PF_VAL_SUBNODE ? 0 : cell_shape(&v, &want);
	if (kind != 0)
		tc_fault(tc, (enum pf_fault_kind)kind, "dwValueHnid", c->tag,
			 kind == PF_F_MISSING ? hnid : v.cb, want, sink);
	pf_value_free(&v);
	return kind != 0;
}

static int validate_cells(const struct pf_tc *tc,
			  const struct pf_sink *sink)
{
	uint32_t row, i;
	int faults = 0;

	for (row = 0; row < tc->nrows; row++) {
		const uint8_t *r = row_ptr(tc, row);

		for (i = 0; r && i < tc->ccols; i++) {
			const struct pf_tc_col *c = &tc->cols[i];
			int rc;

			if (!c->ok || cell_inline(PF_PROP_TYPE(c->tag)) ||
			    !ceb_bit(tc, r, c))
				continue;
			rc = validate_cell(tc, r, c, sink);
			if (rc < 0)
				return rc;
			faults += rc;
		}
	}
	return faults;
}

int pf_tc_validate(const struct pf_tc *tc, const struct pf_sink *sink)
{
	int faults = 0, rc;

	/* a TC that claims rows but has no row matrix */
	if (tc->hnid_rows == 0 && tc->nindex > 0) {
		tc_fault(tc, PF_F_MISSING, "hnidRows", tc->hid_row_index,
			 tc->nindex, 0, sink);
		return 1;
	}
	if (!tc->rows_loaded)
		return 0;   /* open reported why; nothing to compare */
	rc = validate_index(tc, sink);
	if (rc < 0)
		return rc;
	faults += rc;
	rc = validate_row_ids(tc, sink);
	if (rc < 0)
		return rc;
	faults += rc;
	rc = validate_cells(tc, sink);
	if (rc < 0)
		return rc;
	return faults + rc;
}

bool pf_tc_empty_root_alloc(const struct pf_tc *tc)
{
	const uint8_t *p;
	size_t cb;

	return tc->nindex == 0 && tc->hnid_rows == 0 &&
	       tc->rowidx.hid_root != 0 &&
	       pf_hn_get(&tc->hn, tc->rowidx.hid_root, &p, &cb) == 0 &&
	       cb == 0;
}
