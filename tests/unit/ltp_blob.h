/*
 * ltp_blob.h - synthetic heap-on-node blobs for the LTP unit tests, and a
 * sink that records faults.  Header-only (static inline) because the
 * Makefile links each test_*.c alone against libpstfix.a.
 *
 * Build a heap with lb_new(), add allocations (lb_alloc*), BTHs (lb_bth),
 * a PC (lb_pc) or a TC (lb_tc); lb_build() lays out each block (header,
 * allocations, HNPAGEMAP at the end) into malloc'd buffers that a test
 * may corrupt before handing them to pf_hn_open_blocks() via lb_open().
 */
#ifndef LTP_BLOB_H
#define LTP_BLOB_H

#include <stdlib.h>
#include <string.h>

#include "../../formats/ltp/pf_ltp.h"
#include "../../formats/util/pf_le.h"

#define LB_MAX_BLOCKS 16
#define LB_BLOCK_MAX  8176
#define LB_MAX_ALLOC  600

struct lb_block {
	uint8_t data[LB_BLOCK_MAX];
	uint16_t ib[LB_MAX_ALLOC + 1];   /* ib[i]: start of allocation i+1 */
	uint16_t nalloc;
	uint16_t used;
};

struct lb_hn {
	struct lb_block blk[LB_MAX_BLOCKS];
	uint32_t n;
	uint8_t client_sig;
	uint32_t hid_user_root;
};

/* Built blocks, before they are opened (so tests can corrupt them). */
struct lb_out {
	uint8_t *blocks[LB_MAX_BLOCKS];
	size_t cbs[LB_MAX_BLOCKS];
	uint32_t n;
};

static inline uint16_t lb_hdr_size(uint32_t i)
{
	if (i == 0)
		return 12;
	return (i >= 8 && (i - 8) % 128 == 0) ? 66 : 2;
}

static inline uint32_t lb_add_block(struct lb_hn *h)
{
	uint32_t i = h->n++;

	if (i >= LB_MAX_BLOCKS)
		abort();
	h->blk[i].used = lb_hdr_size(i);
	h->blk[i].nalloc = 0;
	h->blk[i].ib[0] = h->blk[i].used;
	return i;
}

static inline struct lb_hn *lb_new(uint8_t client_sig)
{
	struct lb_hn *h = calloc(1, sizeof(*h));

	if (!h)
		abort();
	h->client_sig = client_sig;
	lb_add_block(h);
	return h;
}

/* Room left in block B for one more allocation of CB bytes. */
static inline int lb_fits(const struct lb_hn *h, uint32_t b, size_t cb)
{
	const struct lb_block *k = &h->blk[b];
	size_t map = 4 + 2 * ((size_t)k->nalloc + 2);

	return k->nalloc < LB_MAX_ALLOC &&
	       k->used + cb + 1 + map <= LB_BLOCK_MAX;
}

static inline uint32_t lb_alloc_in(struct lb_hn *h, uint32_t b,
				   const void *data, size_t cb)
{
	struct lb_block *k = &h->blk[b];

	if (!lb_fits(h, b, cb))
		abort();
	if (cb)
		memcpy(k->data + k->used, data, cb);
	k->used = (uint16_t)(k->used + cb);
	k->nalloc++;
	k->ib[k->nalloc] = k->used;
	return PF_HID_MAKE(b, k->nalloc);
}

static inline uint32_t lb_alloc(struct lb_hn *h, const void *data, size_t cb)
{
	uint32_t b = h->n - 1;

	if (!lb_fits(h, b, cb))
		b = lb_add_block(h);
	return lb_alloc_in(h, b, data, cb);
}

/* Lay every block out: header, allocations, HNPAGEMAP (2-aligned). */
static inline void lb_build(const struct lb_hn *h, struct lb_out *o)
{
	uint32_t i, j;

	memset(o, 0, sizeof(*o));
	o->n = h->n;
	for (i = 0; i < h->n; i++) {
		const struct lb_block *k = &h->blk[i];
		uint16_t hnpm = (uint16_t)((k->used + 1u) & ~1u);
		size_t cb = hnpm + 4u + 2u * (k->nalloc + 1u);
		uint8_t *d = calloc(1, cb);

		if (!d)
			abort();
		memcpy(d, k->data, k->used);
		pf_put16(d, hnpm);
		if (i == 0) {
			d[2] = PF_HN_SIG;
			d[3] = h->client_sig;
			pf_put32(d + 4, h->hid_user_root);
		}
		pf_put16(d + hnpm, k->nalloc);
		pf_put16(d + hnpm + 2, 0);
		for (j = 0; j <= k->nalloc; j++)
			pf_put16(d + hnpm + 4 + 2 * j, k->ib[j]);
		o->blocks[i] = d;
		o->cbs[i] = cb;
	}
}

/* Where allocation HID's bytes are in a built blob. */
static inline uint8_t *lb_ptr(struct lb_out *o, uint32_t hid)
{
	uint8_t *d = o->blocks[PF_HID_BLOCK(hid)];
	uint16_t hnpm = pf_le16(d);

	return d + pf_le16(d + hnpm + 4 + 2 * (PF_HID_INDEX(hid) - 1));
}

static inline int lb_open_out(struct lb_out *o, struct pf_hn *hn,
			      const struct pf_sink *sink)
{
	return pf_hn_open_blocks(hn, o->blocks, o->cbs, o->n, 0x21, sink);
}

static inline int lb_open(const struct lb_hn *h, struct pf_hn *hn,
			  const struct pf_sink *sink)
{
	struct lb_out o;

	lb_build(h, &o);
	return lb_open_out(&o, hn, sink);
}

/* ---- BTH ---- */

static inline uint32_t lb_bth_header(struct lb_hn *h, uint8_t btype,
				     uint8_t cb_key, uint8_t cb_ent,
				     uint8_t levels, uint32_t hid_root)
{
	uint8_t hdr[8] = { btype, cb_key, cb_ent, levels };

	pf_put32(hdr + 4, hid_root);
	return lb_alloc(h, hdr, sizeof(hdr));
}

/* A BTH over N sorted records of cb_key + cb_ent bytes, PER records per
 * array (0: all in one leaf).  Returns the BTHHEADER's HID. */
static inline uint32_t lb_bth(struct lb_hn *h, uint8_t cb_key,
			      uint8_t cb_ent, const uint8_t *recs, uint32_t n,
			      uint32_t per)
{
	uint32_t rs = (uint32_t)cb_key + cb_ent, i, level = 0;
	uint32_t cur_n = n, cur_rs = rs;
	uint8_t *cur = malloc((size_t)n * rs + 1);

	if (!cur)
		abort();
	if (n)
		memcpy(cur, recs, (size_t)n * rs);
	if (per == 0)
		per = n ? n : 1;
	if (n == 0) {
		free(cur);
		return lb_bth_header(h, PF_BTYPE_BTH, cb_key, cb_ent, 0, 0);
	}
	for (;;) {
		uint32_t groups = (cur_n + per - 1) / per;
		uint8_t *next = malloc((size_t)groups * (cb_key + 4u) + 1);

		if (!next)
			abort();
		for (i = 0; i < groups; i++) {
			uint32_t cnt = cur_n - i * per < per ?
				       cur_n - i * per : per;
			const uint8_t *g = cur + (size_t)i * per * cur_rs;
			uint32_t hid = lb_alloc(h, g, (size_t)cnt * cur_rs);

			memcpy(next + i * (cb_key + 4u), g, cb_key);
			pf_put32(next + i * (cb_key + 4u) + cb_key, hid);
		}
		free(cur);
		cur = next;
		cur_n = groups;
		cur_rs = cb_key + 4u;
		if (groups == 1)
			break;
		level++;
	}
	i = pf_le32(cur + cb_key);
	free(cur);
	return lb_bth_header(h, PF_BTYPE_BTH, cb_key, cb_ent,
			     (uint8_t)level, i);
}

/* ---- PC ---- */

struct lb_prop {
	uint16_t id, type;
	const void *data;
	size_t cb;
	uint32_t hnid;      /* used as dwValueHnid when data is NULL */
};

static inline int lb_inline(uint16_t type)
{
	int sz = pf_ptype_size(type);

	return sz > 0 && sz <= 4 && !(type & PF_PT_MV);
}

/* A PC of N properties (sorted by id); sets hidUserRoot. */
static inline uint32_t lb_pc(struct lb_hn *h, const struct lb_prop *p,
			     uint32_t n, uint32_t per)
{
	uint8_t *recs = calloc(n + 1, 8);
	uint32_t i, hid;

	if (!recs)
		abort();
	for (i = 0; i < n; i++) {
		uint8_t *r = recs + 8 * i;
		uint32_t hnid = p[i].hnid;

		pf_put16(r, p[i].id);
		pf_put16(r + 2, p[i].type);
		if (p[i].data && lb_inline(p[i].type))
			memcpy(r + 4, p[i].data, p[i].cb);
		else if (p[i].data && p[i].cb)
			hnid = lb_alloc(h, p[i].data, p[i].cb);
		if (!(p[i].data && lb_inline(p[i].type)))
			pf_put32(r + 4, hnid);
	}
	hid = lb_bth(h, 2, 6, recs, n, per);
	free(recs);
	h->hid_user_root = hid;
	return hid;
}

/* ---- TC ---- */

struct lb_col {
	uint32_t tag;
	uint16_t ib;
	uint8_t cb;
	uint8_t ibit;
};

/* Set a cell: copy CB bytes at the column's offset, set its CEB bit. */
static inline void lb_cell(uint8_t *row, const uint16_t *rgib,
			   const struct lb_col *c, const void *v)
{
	memcpy(row + c->ib, v, c->cb);
	row[rgib[PF_TCI_1B] + c->ibit / 8] |= (uint8_t)(0x80u >> (c->ibit % 8));
}

/* TCINFO with the given columns, a row index over NROWS rows (cbEnt
 * IDX_ENT: 4 Unicode, 2 ANSI) and the row matrix in the heap.  ROWS
 * holds nrows * rgib[TCI_bm] bytes; row IDs come from each row. */
static inline uint32_t lb_tc(struct lb_hn *h, const struct lb_col *cols,
			     uint32_t ncols, const uint16_t *rgib,
			     const uint8_t *rows, uint32_t nrows,
			     uint8_t idx_ent)
{
	size_t cb = 22 + 8 * (size_t)ncols;
	uint8_t *info = calloc(1, cb);
	uint8_t *recs = calloc(nrows + 1, 4u + idx_ent);
	uint32_t i, j, hid_idx, hnid_rows = 0, rs = rgib[PF_TCI_BM];

	if (!info || !recs)
		abort();
	/* row index records sorted by row id (simple insertion sort) */
	for (i = 0; i < nrows; i++) {
		uint32_t id = pf_le32(rows + (size_t)i * rs);

		for (j = i; j > 0 && pf_le32(recs + (j - 1) * (4u + idx_ent))
					> id; j--)
			memcpy(recs + j * (4u + idx_ent),
			       recs + (j - 1) * (4u + idx_ent), 4u + idx_ent);
		pf_put32(recs + j * (4u + idx_ent), id);
		if (idx_ent == 2)
			pf_put16(recs + j * (4u + idx_ent) + 4, (uint16_t)i);
		else
			pf_put32(recs + j * (4u + idx_ent) + 4, i);
	}
	hid_idx = lb_bth(h, 4, idx_ent, recs, nrows, 0);
	if (nrows)
		hnid_rows = lb_alloc(h, rows, (size_t)nrows * rs);
	info[0] = PF_BTYPE_TC;
	info[1] = (uint8_t)ncols;
	for (i = 0; i < 4; i++)
		pf_put16(info + 2 + 2 * i, rgib[i]);
	pf_put32(info + 10, hid_idx);
	pf_put32(info + 14, hnid_rows);
	for (i = 0; i < ncols; i++) {
		uint8_t *d = info + 22 + 8 * i;

		pf_put32(d, cols[i].tag);
		pf_put16(d + 4, cols[i].ib);
		d[6] = cols[i].cb;
		d[7] = cols[i].ibit;
	}
	h->hid_user_root = lb_alloc(h, info, cb);
	free(info);
	free(recs);
	return h->hid_user_root;
}

/* ---- a sink that records (obj, kind, field) ---- */

#define LB_MAX_FAULTS 256

struct lb_sink {
	struct pf_sink sink;
	int n;
	struct {
		enum pf_obj obj;
		enum pf_fault_kind kind;
		const char *field;
	} f[LB_MAX_FAULTS];
};

static inline void lb_sink_fault(void *ctx, const struct pf_fault *f)
{
	struct lb_sink *s = ctx;

	if (s->n < LB_MAX_FAULTS) {
		s->f[s->n].obj = f->obj;
		s->f[s->n].kind = f->kind;
		s->f[s->n].field = f->field;
	}
	s->n++;
}

static inline void lb_sink_init(struct lb_sink *s)
{
	memset(s, 0, sizeof(*s));
	s->sink.fault = lb_sink_fault;
	s->sink.ctx = s;
}

static inline int lb_has(const struct lb_sink *s, enum pf_obj obj,
			 enum pf_fault_kind kind)
{
	int i;

	for (i = 0; i < s->n && i < LB_MAX_FAULTS; i++)
		if (s->f[i].obj == obj && s->f[i].kind == kind)
			return 1;
	return 0;
}

#endif
