/*
 * ltpw_tc.c - table context builder (MS-PST 2.3.4).
 *
 * Contract
 * - A TC is a heap with bClientSig bTypeTC (0x7C) whose hidUserRoot is a
 *   TCINFO (2.3.4.1): bType 0x7C, cCols, rgib[4], hidRowIndex, hnidRows,
 *   hidIndex 0 (deprecated), rgTCOLDESC sorted by tag.
 * - Columns: PidTagLtpRowId (0x67F20003) and PidTagLtpRowVer (0x67F30003)
 *   are added by the builder, then the caller's NCOLS tags (known types,
 *   each tag once, not the two above: PF_E_USAGE).  At most 255 columns
 *   in all (cCols is one byte).  iBit (2.3.4.2): RowId 0, RowVer 1, then
 *   the caller's columns in the caller's order, as Outlook numbers them.
 * - Row layout (2.3.4.4): dwRowID at 0 and the row version at 4 (as in
 *   Outlook's files), then the 8-byte in-row values (fixed types of 8
 *   bytes: 8-aligned that way), then the 4-byte cells (fixed 4-byte types
 *   and the HNIDs of variable-size, multi-valued and 16-byte types):
 *   rgib[TCI_4b] ends this group; then 2-byte cells (TCI_2b), 1-byte
 *   cells (TCI_1b), then the cell existence block, ceil(cCols / 8) bytes,
 *   bit iBit of the CEB most significant bit first (2.3.4.4.1); TCI_bm
 *   is the row size.
 * - Cells: row-major, NROWS * NCOLS; p == NULL is an absent cell (CEB bit
 *   clear, bytes zero).  A present cell's tag is 0 or its column's tag.
 *   Fixed values of <= 8 bytes sit in the row; others are HNIDs placed as
 *   in a PC (ltpw_value_hnid: 0 when empty, heap, or subnode via SUB).
 *   The row version of row R is R + 1 (any value is legal; Outlook keeps a
 *   change counter there).
 * - Row IDs: ROW_IDS[r] is row r's dwRowID (NULL: r); each once.  The
 *   row index BTH (2.3.4.3) maps dwRowID to dwRowIndex, cbKey 4, cbEnt 4
 *   (2 in ANSI files: TCROWID 2.3.4.3.1; at most 65536 rows then).
 * - The row matrix (2.3.4.4) is one heap allocation when it fits
 *   (<= 3580 bytes), else a subnode whose data blocks each hold
 *   floor(block_max / row size) whole rows -- the spec's rows-per-block
 *   formula -- every block but the last zero-padded to block_max, as in
 *   Outlook's files.  No rows: hnidRows 0 and a row index with hidRoot 0.
 * - Heap order: TCINFO, the row index BTH, the row matrix (when in the
 *   heap), then the cell values -- Outlook's order, so a small table's
 *   TCINFO is HID 0x20.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_le.h"
#include "ltpw_int.h"

#define TCINFO_CB   22u
#define TCOLDESC_CB  8u
#define MAX_COLS   255u
#define FIXED_COLS   2u   /* RowId, RowVer */

struct tc_col {
	uint32_t tag;
	uint16_t ib;
	uint8_t cb;
	uint8_t ibit;
};

struct tc {
	struct pf_hnw *h;
	struct pf_subw *sub;
	struct tc_col *col;      /* [0] RowId, [1] RowVer, then the caller's */
	uint32_t ncol;           /* all of them */
	uint16_t rgib[4];
	uint32_t rs;             /* row size, TCI_bm */
	const uint32_t *row_ids;
	const struct pf_wprop *cells;
	uint32_t nrows;
	bool ansi;
	uint8_t *matrix;         /* nrows * rs */
	uint32_t hid_info, hid_index, hnid_rows;
};

/* ---- columns ---- */

/* 2.3.4.4.1: fixed values of <= 8 bytes in the row, the rest HNIDs. */
static bool cell_inline(uint16_t type)
{
	int sz = pf_ptype_size(type);

	return sz > 0 && sz <= 8 && !pf_ptype_is_mv(type);
}

static uint8_t cell_cb(uint16_t type)
{
	return cell_inline(type) ? (uint8_t)pf_ptype_size(type) : 4;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int check_tags(const uint32_t *tags, uint32_t n)
{
	uint32_t *s, i;
	int rc = 0;

	if (n > MAX_COLS - FIXED_COLS)
		return pf_error_set(PF_E_LIMIT, "TC builder: %u columns (max "
				    "%u)", n, MAX_COLS - FIXED_COLS);
	if (n > 0 && !tags)
		return pf_error_set(PF_E_USAGE, "TC builder: no column tags");
	for (i = 0; i < n; i++) {
		uint16_t id = PF_PROP_ID(tags[i]);

		if (pf_ptype_size(PF_PROP_TYPE(tags[i])) < 0)
			return pf_error_set(PF_E_USAGE, "TC builder: column "
					    "%#010x has an unknown type",
					    tags[i]);
		if (id == PF_PROP_ID(PF_TC_TAG_ROWID) ||
		    id == PF_PROP_ID(PF_TC_TAG_ROWVER))
			return pf_error_set(PF_E_USAGE, "TC builder: column "
					    "%#010x is added by the builder",
					    tags[i]);
	}
	s = malloc(((size_t)n + 1) * sizeof(*s));
	if (!s)
		return pf_error_set(PF_E_NOMEM, "out of memory (TC)");
	if (n > 0) {   /* memcpy/qsort need a valid pointer even for 0 */
		memcpy(s, tags, (size_t)n * sizeof(*s));
		qsort(s, n, sizeof(*s), cmp_u32);
	}
	for (i = 1; rc == 0 && i < n; i++)
		if (s[i] == s[i - 1])
			rc = pf_error_set(PF_E_USAGE, "TC builder: column "
					  "%#010x given twice", s[i]);
	free(s);
	return rc;
}

/* Give every column of CB bytes an offset from *off on. */
static void place(struct tc *t, uint8_t cb, uint32_t *off)
{
	uint32_t i;

	for (i = FIXED_COLS; i < t->ncol; i++) {
		if (t->col[i].cb != cb)
			continue;
		t->col[i].ib = (uint16_t)*off;
		*off += cb;
	}
}

static int layout(struct tc *t, const uint32_t *tags, uint32_t n)
{
	uint32_t i, off = 8;

	t->ncol = n + FIXED_COLS;
	t->col = calloc(t->ncol, sizeof(*t->col));
	if (!t->col)
		return pf_error_set(PF_E_NOMEM, "out of memory (TC)");
	t->col[0] = (struct tc_col){ PF_TC_TAG_ROWID, 0, 4, 0 };
	t->col[1] = (struct tc_col){ PF_TC_TAG_ROWVER, 4, 4, 1 };
	for (i = 0; i < n; i++) {
		t->col[FIXED_COLS + i].tag = tags[i];
		t->col[FIXED_COLS + i].cb = cell_cb(PF_PROP_TYPE(tags[i]));
		t->col[FIXED_COLS + i].ibit = (uint8_t)(FIXED_COLS + i);
	}
	place(t, 8, &off);
	place(t, 4, &off);
	t->rgib[PF_TCI_4B] = (uint16_t)off;           /* 2.3.4.1 rgib */
	place(t, 2, &off);
	t->rgib[PF_TCI_2B] = (uint16_t)off;
	place(t, 1, &off);
	t->rgib[PF_TCI_1B] = (uint16_t)off;
	off += (t->ncol + 7) / 8;                     /* the CEB */
	t->rgib[PF_TCI_BM] = (uint16_t)off;
	t->rs = off;
	return 0;
}

/* ---- TCINFO ---- */

static int cmp_col(const void *a, const void *b)
{
	uint32_t x = ((const struct tc_col *)a)->tag;
	uint32_t y = ((const struct tc_col *)b)->tag;

	return x < y ? -1 : x > y;
}

static int put_tcinfo(struct tc *t)
{
	uint8_t *p = pf_hnw_ptr(t->h, t->hid_info);
	struct tc_col *s = malloc(t->ncol * sizeof(*s));
	uint32_t i;

	if (!s)
		return pf_error_set(PF_E_NOMEM, "out of memory (TC)");
	memcpy(s, t->col, t->ncol * sizeof(*s));
	qsort(s, t->ncol, sizeof(*s), cmp_col);   /* 2.3.4.1 rgTCOLDESC */
	p[0] = PF_BTYPE_TC;
	p[1] = (uint8_t)t->ncol;
	for (i = 0; i < 4; i++)
		pf_put16(p + 2 + 2 * i, t->rgib[i]);
	pf_put32(p + 10, t->hid_index);
	pf_put32(p + 14, t->hnid_rows);
	pf_put32(p + 18, 0);                          /* hidIndex */
	for (i = 0; i < t->ncol; i++) {               /* 2.3.4.2 TCOLDESC */
		uint8_t *d = p + TCINFO_CB + TCOLDESC_CB * i;

		pf_put32(d, s[i].tag);
		pf_put16(d + 4, s[i].ib);
		d[6] = s[i].cb;
		d[7] = s[i].ibit;
	}
	free(s);
	return 0;
}

/* ---- row index (2.3.4.3) ---- */

struct rowref {
	uint32_t id, row;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct rowref *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static uint32_t row_id(const struct tc *t, uint32_t r)
{
	return t->row_ids ? t->row_ids[r] : r;
}

static int index_records(const struct tc *t, uint8_t *recs, uint32_t es)
{
	struct rowref *v = malloc(((size_t)t->nrows + 1) * sizeof(*v));
	uint32_t i;
	int rc = 0;

	if (!v)
		return pf_error_set(PF_E_NOMEM, "out of memory (TC)");
	for (i = 0; i < t->nrows; i++)
		v[i] = (struct rowref){ row_id(t, i), i };
	qsort(v, t->nrows, sizeof(*v), cmp_ref);
	for (i = 0; rc == 0 && i < t->nrows; i++) {
		uint8_t *r = recs + (size_t)i * (4 + es);

		if (i > 0 && v[i].id == v[i - 1].id)
			rc = pf_error_set(PF_E_USAGE, "TC builder: row ID %#x "
					  "given twice", v[i].id);
		pf_put32(r, v[i].id);
		if (es == 2)                          /* 2.3.4.3.1 TCROWID */
			pf_put16(r + 4, (uint16_t)v[i].row);
		else
			pf_put32(r + 4, v[i].row);
	}
	free(v);
	return rc;
}

static int put_index(struct tc *t)
{
	uint32_t es = t->ansi ? 2 : 4;
	uint8_t *recs;
	int rc;

	if (t->ansi && t->nrows > 65536)
		return pf_error_set(PF_E_LIMIT, "TC builder: %u rows (an ANSI "
				    "file's row index holds 65536)", t->nrows);
	recs = malloc(((size_t)t->nrows + 1) * (4 + es));
	if (!recs)
		return pf_error_set(PF_E_NOMEM, "out of memory (TC)");
	rc = index_records(t, recs, es);
	if (rc == 0)
		rc = pf_bthw_build(t->h, 4, (uint8_t)es, recs, t->nrows,
				   &t->hid_index);
	free(recs);
	return rc;
}

/* ---- rows (2.3.4.4) ---- */

static void ceb_set(const struct tc *t, uint8_t *row, uint8_t ibit)
{
	row[t->rgib[PF_TCI_1B] + ibit / 8] |= (uint8_t)(0x80u >> (ibit % 8));
}

static int put_cell(struct tc *t, uint8_t *row, const struct tc_col *c,
		    const struct pf_wprop *v)
{
	uint32_t hnid;
	int rc;

	if (!v->p)
		return 0;                             /* absent */
	if (v->tag != 0 && v->tag != c->tag)
		return pf_error_set(PF_E_USAGE, "TC builder: cell %#010x in "
				    "column %#010x", v->tag, c->tag);
	rc = ltpw_check_value(c->tag, v->p, v->cb, "cell");
	if (rc < 0)
		return rc;
	if (cell_inline(PF_PROP_TYPE(c->tag))) {
		memcpy(row + c->ib, v->p, v->cb);     /* cb == size */
	} else {
		rc = ltpw_value_hnid(t->h, t->sub, v->p, v->cb, &hnid);
		if (rc < 0)
			return rc;
		pf_put32(row + c->ib, hnid);
	}
	ceb_set(t, row, c->ibit);
	return 0;
}

static int put_row(struct tc *t, uint32_t r)
{
	uint8_t *row = t->matrix + (size_t)r * t->rs;
	uint32_t ncols = t->ncol - FIXED_COLS, c;
	int rc = 0;

	pf_put32(row, row_id(t, r));                  /* dwRowID */
	pf_put32(row + 4, r + 1);                     /* row version */
	ceb_set(t, row, 0);
	ceb_set(t, row, 1);
	for (c = 0; rc == 0 && c < ncols; c++)
		rc = put_cell(t, row, &t->col[FIXED_COLS + c],
			      &t->cells[(size_t)r * ncols + c]);
	return rc;
}

/* The row matrix as a subnode: whole rows per block, full blocks padded
 * to block_max (2.3.4.4). */
static int matrix_subnode(struct tc *t)
{
	uint32_t per = (uint32_t)(t->h->block_max / t->rs), nb, i;
	uint8_t **blocks;
	size_t *cbs;
	int rc = 0;

	if (per == 0)
		return pf_error_set(PF_E_LIMIT, "TC builder: a %u-byte row "
				    "does not fit a %zu-byte block", t->rs,
				    t->h->block_max);
	nb = t->nrows / per + (t->nrows % per != 0);
	blocks = calloc(nb, sizeof(*blocks));
	cbs = calloc(nb, sizeof(*cbs));
	if (!blocks || !cbs)
		rc = pf_error_set(PF_E_NOMEM, "out of memory (TC)");
	for (i = 0; rc == 0 && i < nb; i++) {
		uint32_t rows = i + 1 < nb ? per : t->nrows - i * per;
		size_t cb = (size_t)rows * t->rs;

		cbs[i] = i + 1 < nb ? t->h->block_max : cb;
		blocks[i] = calloc(1, cbs[i]);
		if (!blocks[i]) {
			rc = pf_error_set(PF_E_NOMEM, "out of memory (TC)");
			break;
		}
		memcpy(blocks[i], t->matrix + (size_t)i * per * t->rs, cb);
	}
	if (rc == 0)
		rc = ltpw_sub_put_blocks(t->sub, blocks, cbs, nb,
					 &t->hnid_rows);
	ltpw_blocks_free(blocks, cbs, nb);
	return rc;
}

static int put_rows(struct tc *t)
{
	size_t cb = (size_t)t->nrows * t->rs;
	bool in_heap = cb <= PF_HN_MAX_ALLOC_CB;
	uint32_t r;
	int rc = 0;

	if (t->nrows == 0)
		return 0;                             /* hnidRows 0 */
	if (cb > PF_NODE_DATA_MAX)
		return pf_error_set(PF_E_LIMIT, "TC builder: a row matrix of "
				    "%zu bytes", cb);
	t->matrix = calloc(1, cb);
	if (!t->matrix)
		return pf_error_set(PF_E_NOMEM, "out of memory (TC rows)");
	if (in_heap)
		rc = pf_hnw_alloc(t->h, NULL, cb, &t->hnid_rows);
	for (r = 0; rc == 0 && r < t->nrows; r++)
		rc = put_row(t, r);
	if (rc == 0 && in_heap)
		memcpy(pf_hnw_ptr(t->h, t->hnid_rows), t->matrix, cb);
	else if (rc == 0)
		rc = matrix_subnode(t);
	return rc;
}

/* ---- the table ---- */

int ltpw_tc_build(struct pf_hnw *h, const uint32_t *col_tags,
		  uint32_t ncols, const uint32_t *row_ids,
		  const struct pf_wprop *cells, uint32_t nrows,
		  enum pf_variant variant, struct pf_subw *sub)
{
	struct tc t = {
		.h = h, .sub = sub, .row_ids = row_ids, .cells = cells,
		.nrows = nrows, .ansi = variant == PF_ANSI,
	};
	int rc = check_tags(col_tags, ncols);

	h->client_sig = PF_BTYPE_TC;                  /* 2.3.1.2 */
	if (rc == 0 && nrows > 0 && ncols > 0 && !cells)
		rc = pf_error_set(PF_E_USAGE, "TC builder: no cells");
	if (rc == 0)
		rc = layout(&t, col_tags, ncols);
	if (rc == 0)
		rc = pf_hnw_alloc(h, NULL, TCINFO_CB +
				  (size_t)TCOLDESC_CB * t.ncol, &t.hid_info);
	if (rc == 0)
		rc = put_index(&t);
	if (rc == 0)
		rc = put_rows(&t);
	if (rc == 0)
		rc = put_tcinfo(&t);
	if (rc == 0)
		pf_hnw_set_root(h, t.hid_info);
	free(t.matrix);
	free(t.col);
	return rc;
}

int pf_tcw_write(struct pf_writer *w, const uint32_t *col_tags,
		 uint32_t ncols, const uint32_t *row_ids,
		 const struct pf_wprop *cells, uint32_t nrows,
		 struct pf_subw *sub, uint64_t *bid_data)
{
	const struct pf_layout *l;
	struct pf_hnw h;
	int rc = 0;

	*bid_data = 0;
	if (!w)
		return pf_error_set(PF_E_USAGE, "no writer");
	if (sub && sub->w && sub->w != w)
		return pf_error_set(PF_E_USAGE, "subnode list of another "
				    "writer");
	l = pf_writer_layout(w);
	pf_hnw_init(&h, PF_BTYPE_TC, pf_writer_block_data_max(w));
	h.wide_hid = pf_writer_layout(w)->page_size == 4096;
	rc = ltpw_tc_build(&h, col_tags, ncols, row_ids, cells, nrows,
			   l->bid_size == 4 ? PF_ANSI : PF_UNICODE, sub);
	if (rc == 0)
		rc = ltpw_hn_write(w, &h, bid_data);
	pf_hnw_free(&h);
	return rc;
}
