/*
 * ndbw_bt.c - the NBT and the BBT (MS-PST 2.2.2.7.7), built bottom-up at
 * commit, and the page trailer every page carries (2.2.2.7.1).
 *
 * Contract
 * - Leaf entries, sorted (NIDs as 32-bit values, BIDs as stored), are
 *   packed cEntMax to a page (cEntMax = rgentries bytes / cbEnt); each
 *   level above holds one BTENTRY per child page whose btkey is the
 *   child's first key, until one page remains: the root, named by the ROOT
 *   BREF.  cLevel is 0 for leaves and one more per level.  An empty tree
 *   is one leaf page with cEnt 0.
 * - Pages are 512 bytes (4096 in 4K files), page aligned, take their BIDs
 *   from bidNextP, and are sealed: ptype twice, wSig = pf_sig(ib, bid) for
 *   B-tree and DList pages and 0 for map pages, the CRC of everything
 *   before the trailer, the BID (ANSI: BID then CRC).
 * - BTPAGE metadata: cEnt, cEntMax, cbEnt, cLevel after rgentries; one
 *   byte each in 512-byte pages, cEnt and cEntMax 16 bits in 4K pages
 *   (libyal PFF format; formats/ndb/page.c reads the same).
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_crc.h"
#include "../util/pf_le.h"
#include "ndbw_int.h"

uint64_t ndbw_page_bid(struct pf_writer *w)
{
	uint64_t bid = w->bid_next_p;

	w->bid_next_p += 4;
	return bid;
}

void ndbw_page_seal(const struct pf_writer *w, uint8_t *page, uint8_t ptype,
		    uint64_t ib, uint64_t bid)
{
	uint32_t body = w->l.page_size - w->l.page_trailer;
	uint8_t *t = page + body;
	bool sig = ptype == PF_PTYPE_BBT || ptype == PF_PTYPE_NBT ||
		   ptype == PF_PTYPE_DL;

	memset(t, 0, w->l.page_trailer);
	t[0] = ptype;
	t[1] = ptype;
	pf_put16(t + 2, sig ? pf_sig(ib, bid) : 0);
	if (w->l.bid_size == 4) {
		pf_put32(t + 4, (uint32_t)bid);
		pf_put32(t + 8, pf_crc(page, body));
	} else {
		pf_put32(t + 4, pf_crc(page, body));
		pf_put64(t + 8, bid);
	}
}

/* A page of one level, as its parent names it. */
struct bt_ref {
	uint64_t key;
	uint64_t bid;
	uint64_t ib;
};

/* Writes entry I at DST and returns its key. */
typedef uint64_t (*fill_fn)(struct pf_writer *w, const void *items,
			    size_t i, uint8_t *dst);

static uint64_t fill_nbt(struct pf_writer *w, const void *items, size_t i,
			 uint8_t *dst)
{
	const struct ndbw_node *n = (const struct ndbw_node *)items + i;
	uint32_t bs = w->l.bid_size;

	ndbw_put_id(w, dst, n->nid);          /* zero-extended in Unicode */
	ndbw_put_id(w, dst + bs, n->bid_data);
	ndbw_put_id(w, dst + 2 * bs, n->bid_sub);
	pf_put32(dst + 3 * bs, n->nid_parent);
	return n->nid;
}

/* BBTENTRY: BREF, cb, cRef (4K: cb, cbInflated, cRef, as page.c reads). */
static uint64_t fill_bbt(struct pf_writer *w, const void *items, size_t i,
			 uint8_t *dst)
{
	const struct ndbw_block *b = (const struct ndbw_block *)items + i;
	uint8_t *p = dst + 2 * w->l.bid_size;

	ndbw_put_id(w, dst, b->bid);
	ndbw_put_id(w, dst + w->l.bid_size, b->ib);
	pf_put16(p, b->cb);
	if (w->l.page_size == 4096) {
		pf_put16(p + 2, b->cb_inflated);
		p += 2;
	}
	pf_put16(p + 2, (uint16_t)(b->refs + 1));
	return b->bid;
}

static uint64_t fill_branch(struct pf_writer *w, const void *items,
			    size_t i, uint8_t *dst)
{
	const struct bt_ref *r = (const struct bt_ref *)items + i;

	ndbw_put_id(w, dst, r->key);
	ndbw_put_id(w, dst + w->l.bid_size, r->bid);
	ndbw_put_id(w, dst + 2 * w->l.bid_size, r->ib);
	return r->key;
}

static void put_meta(const struct pf_writer *w, uint8_t *page, uint32_t n,
		     uint32_t cb_ent, uint8_t level)
{
	uint8_t *m = page + w->l.bt_entries;
	uint32_t max = w->l.bt_entries / cb_ent;

	if (w->l.page_size == 4096) {
		pf_put16(m, (uint16_t)n);
		pf_put16(m + 2, (uint16_t)max);
		m[4] = (uint8_t)cb_ent;
		m[5] = level;
	} else {
		m[0] = (uint8_t)n;
		m[1] = (uint8_t)max;
		m[2] = (uint8_t)cb_ent;
		m[3] = level;
	}
}

/* One page holding items [first, first + n). */
static int put_page(struct pf_writer *w, uint8_t ptype, uint8_t level,
		    uint32_t cb_ent, fill_fn fill, const void *items,
		    size_t first, uint32_t n, struct bt_ref *out)
{
	uint32_t ps = w->l.page_size;
	uint8_t *page = w->ibuf;          /* block_max >= page_size */
	int rc = ndbw_alloc(w, ps, ps, &out->ib);

	if (rc != 0)
		return rc;
	memset(page, 0, ps);
	out->bid = ndbw_page_bid(w);
	out->key = 0;
	for (uint32_t j = 0; j < n; j++) {
		uint64_t key = fill(w, items, first + j,
				    page + (size_t)j * cb_ent);

		if (j == 0)
			out->key = key;
	}
	put_meta(w, page, n, cb_ent, level);
	ndbw_page_seal(w, page, ptype, out->ib, out->bid);
	return ndbw_write(w, out->ib, page, ps);
}

/* The pages of one level over N items; *out gets one ref per page. */
static int put_level(struct pf_writer *w, uint8_t ptype, uint8_t level,
		     fill_fn fill, const void *items, size_t n,
		     struct bt_ref **out, size_t *nout)
{
	uint32_t cb_ent = level > 0 ? w->l.branch_cb :
			  ptype == PF_PTYPE_NBT ? w->l.nbt_leaf_cb :
						  w->l.bbt_leaf_cb;
	uint32_t per = w->l.bt_entries / cb_ent;
	size_t npages = n == 0 ? 1 : (n + per - 1) / per;
	int rc = 0;

	*nout = 0;
	*out = malloc(npages * sizeof(**out));
	if (!*out)
		return ndbw_fail(w, pf_error_set(PF_E_NOMEM, "out of memory"));
	for (size_t p = 0; rc == 0 && p < npages; p++) {
		size_t first = p * per;
		uint32_t m = (uint32_t)(n - first < per ? n - first : per);

		rc = put_page(w, ptype, level, cb_ent, fill, items, first, m,
			      &(*out)[p]);
	}
	*nout = npages;
	return rc;
}

static int put_tree(struct pf_writer *w, uint8_t ptype, fill_fn leaf,
		    const void *items, size_t n, struct pf_bref *root)
{
	struct bt_ref *refs, *up;
	size_t nrefs, nup;
	uint8_t level = 0;
	int rc = put_level(w, ptype, 0, leaf, items, n, &refs, &nrefs);

	while (rc == 0 && nrefs > 1) {
		if (++level > 8) {    /* MS-PST 2.2.2.7.7: 8 levels at most */
			rc = ndbw_fail(w, pf_error_set(PF_E_LIMIT, "writer: "
				       "B-tree deeper than 8 levels"));
			break;
		}
		rc = put_level(w, ptype, level, fill_branch, refs, nrefs,
			       &up, &nup);
		free(refs);
		refs = up;
		nrefs = nup;
	}
	if (rc == 0) {
		root->bid = refs[0].bid;
		root->ib = refs[0].ib;
	}
	free(refs);
	return rc;
}

static int cmp_node(const void *a, const void *b)
{
	uint32_t x = ((const struct ndbw_node *)a)->nid;
	uint32_t y = ((const struct ndbw_node *)b)->nid;

	return x < y ? -1 : x > y;
}

int ndbw_write_trees(struct pf_writer *w)
{
	int rc;

	if (w->nnodes > 1)
		qsort(w->nodes, w->nnodes, sizeof(*w->nodes), cmp_node);
	rc = put_tree(w, PF_PTYPE_BBT, fill_bbt, w->blocks, w->nblocks,
		      &w->bbt_root);
	if (rc == 0)
		rc = put_tree(w, PF_PTYPE_NBT, fill_nbt, w->nodes, w->nnodes,
			      &w->nbt_root);
	return rc;
}
