/*
 * ndbw_tree.c - a node's data tree (MS-PST 2.2.2.8.3.2: XBLOCK, XXBLOCK)
 * and subnode tree (2.2.2.8.3.3: SLBLOCK, SIBLOCK).
 *
 * Contract
 * - pf_writer_put_data() cuts the data into blocks of block_data_max bytes
 *   (the last one shorter); pf_writer_put_blocks() keeps the caller's
 *   boundaries.  One block is its own tree; more go under an XBLOCK
 *   (cLevel 1) holding up to (block_data_max - 8) / bid_size BIDs, or, past
 *   that, XBLOCKs under one XXBLOCK (cLevel 2).  Each lcbTotal is the sum
 *   of the data bytes below it (MS-PST 2.2.2.8.3.2.1), so a tree holds at
 *   most 4 GiB - 1 (lcbTotal is 32 bits): PF_E_LIMIT past that.
 * - pf_writer_put_subnodes() sorts the entries by NID (MS-PST 2.2.2.8.3.3:
 *   "sorted by nid"), refuses duplicates, and writes one SLBLOCK when they
 *   fit, else SLBLOCKs under one SIBLOCK whose SIENTRY keys are the first
 *   NID of each SLBLOCK.  Deeper trees do not exist (cLevel is 0 or 1).
 * - Every BID an entry names must have been written by this writer, of
 *   the right kind (data tree for bidData, subnode tree for bidSub).
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_le.h"
#include "ndbw_int.h"

/* ---- data trees ---- */

/* One XBLOCK (LEVEL 1) or XXBLOCK (LEVEL 2): btype 0x01, cLevel, cEnt,
 * lcbTotal, rgbid. */
static int put_xblock(struct pf_writer *w, unsigned level,
		      const uint64_t *bids, uint32_t n, uint64_t lcb,
		      uint64_t *bid)
{
	uint32_t bs = w->l.bid_size;
	uint8_t *p = w->ibuf;

	p[0] = 0x01;
	p[1] = (uint8_t)level;
	pf_put16(p + 2, (uint16_t)n);
	pf_put32(p + 4, (uint32_t)lcb);
	for (uint32_t i = 0; i < n; i++)
		ndbw_put_id(w, p + 8 + (size_t)i * bs, bids[i]);
	return ndbw_block_put(w, level == 1 ? NDBW_XBLOCK : NDBW_XXBLOCK, p,
			      8 + (size_t)n * bs, bids, n, bid);
}

static uint64_t data_size(struct pf_writer *w, const uint64_t *bids,
			  uint32_t n)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < n; i++)
		sum += ndbw_block_find(w, bids[i])->cb_inflated;
	return sum;
}

static uint32_t xblock_fanout(const struct pf_writer *w)
{
	return (uint32_t)((ndbw_data_max(w) - 8) / w->l.bid_size);
}

/* XBLOCKs of up to PER leaves each, then the XXBLOCK over them. */
static int put_xxtree(struct pf_writer *w, const uint64_t *leaves,
		      uint32_t n, uint64_t total, uint64_t *bid)
{
	uint32_t per = xblock_fanout(w), nx = (n + per - 1) / per;
	uint64_t *xs;
	int rc = 0;

	if (nx > per)
		return ndbw_fail(w, pf_error_set(PF_E_LIMIT, "writer: %u data "
				 "blocks do not fit one XXBLOCK", n));
	xs = malloc((size_t)nx * sizeof(*xs));
	if (!xs)
		return ndbw_fail(w, pf_error_set(PF_E_NOMEM, "out of memory"));
	for (uint32_t i = 0; rc == 0 && i < nx; i++) {
		uint32_t m = n - i * per < per ? n - i * per : per;
		const uint64_t *g = leaves + (size_t)i * per;

		rc = put_xblock(w, 1, g, m, data_size(w, g, m), &xs[i]);
	}
	if (rc == 0)
		rc = put_xblock(w, 2, xs, nx, total, bid);
	free(xs);
	return rc;
}

/* The tree over N data blocks already written. */
static int put_tree(struct pf_writer *w, const uint64_t *leaves,
		    uint32_t n, uint64_t *bid)
{
	uint64_t total;

	if (n == 1) {
		*bid = leaves[0];
		return 0;
	}
	total = data_size(w, leaves, n);
	if (total > UINT32_MAX)
		return ndbw_fail(w, pf_error_set(PF_E_LIMIT, "writer: %llu "
				 "bytes do not fit one data tree (lcbTotal is "
				 "32 bits)", (unsigned long long)total));
	if (n <= xblock_fanout(w))
		return put_xblock(w, 1, leaves, n, total, bid);
	return put_xxtree(w, leaves, n, total, bid);
}

int pf_writer_put_data(struct pf_writer *w, const uint8_t *data, size_t cb,
		       uint64_t *bid)
{
	size_t max, n;
	uint64_t *leaves;
	int rc = ndbw_check(w);

	*bid = 0;
	if (rc != 0 || cb == 0)
		return rc;
	if (cb > UINT32_MAX)
		return ndbw_fail(w, pf_error_set(PF_E_LIMIT, "writer: %zu "
				 "bytes do not fit one data tree", cb));
	max = ndbw_data_max(w);
	n = (cb + max - 1) / max;
	leaves = malloc(n * sizeof(*leaves));
	if (!leaves)
		return ndbw_fail(w, pf_error_set(PF_E_NOMEM, "out of memory"));
	w->in_tree = n > 1;   /* see ndbw_block_put: leaves stay raw */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t off = i * max;

		rc = ndbw_block_put(w, NDBW_DATA, data + off,
				    cb - off < max ? cb - off : max, NULL, 0,
				    &leaves[i]);
	}
	w->in_tree = false;
	if (rc == 0)
		rc = put_tree(w, leaves, (uint32_t)n, bid);
	free(leaves);
	return rc;
}

int pf_writer_put_blocks(struct pf_writer *w, uint8_t *const *blocks,
			 const size_t *cbs, uint32_t n, uint64_t *bid)
{
	uint64_t *leaves;
	int rc = ndbw_check(w);

	*bid = 0;
	if (rc != 0 || n == 0)
		return rc;
	leaves = malloc((size_t)n * sizeof(*leaves));
	if (!leaves)
		return ndbw_fail(w, pf_error_set(PF_E_NOMEM, "out of memory"));
	w->in_tree = n > 1;
	for (uint32_t i = 0; rc == 0 && i < n; i++)
		rc = ndbw_block_put(w, NDBW_DATA, blocks[i], cbs[i], NULL, 0,
				    &leaves[i]);
	w->in_tree = false;
	if (rc == 0)
		rc = put_tree(w, leaves, n, bid);
	free(leaves);
	return rc;
}

/* ---- subnode trees ---- */

/* SLBLOCK / SIBLOCK header: btype 0x02, cLevel, cEnt, and in Unicode
 * 4 bytes of dwPadding (MS-PST 2.2.2.8.3.3.1). */
static uint32_t sl_header(const struct pf_writer *w)
{
	return w->l.bid_size == 4 ? 4 : 8;
}

static void sl_start(struct pf_writer *w, unsigned level, uint32_t n)
{
	memset(w->ibuf, 0, sl_header(w));
	w->ibuf[0] = 0x02;
	w->ibuf[1] = (uint8_t)level;
	pf_put16(w->ibuf + 2, (uint16_t)n);
}

/* SLENTRY: nid, bidData, bidSub (each bid_size wide). */
static int put_slblock(struct pf_writer *w, const struct pf_subnode *v,
		       uint32_t n, uint64_t *bid)
{
	uint32_t bs = w->l.bid_size, nk = 0;
	uint8_t *e = w->ibuf + sl_header(w);
	uint64_t *kids = malloc((size_t)n * 2 * sizeof(*kids) + 1);
	int rc;

	if (!kids)
		return ndbw_fail(w, pf_error_set(PF_E_NOMEM, "out of memory"));
	sl_start(w, 0, n);
	for (uint32_t i = 0; i < n; i++, e += 3 * bs) {
		ndbw_put_id(w, e, v[i].nid);
		ndbw_put_id(w, e + bs, v[i].bid_data);
		ndbw_put_id(w, e + 2 * bs, v[i].bid_sub);
		if (v[i].bid_data)
			kids[nk++] = v[i].bid_data;
		if (v[i].bid_sub)
			kids[nk++] = v[i].bid_sub;
	}
	rc = ndbw_block_put(w, NDBW_SLBLOCK, w->ibuf,
			    (size_t)(e - w->ibuf), kids, nk, bid);
	free(kids);
	return rc;
}

/* SIENTRY: nid (the first of the SLBLOCK), bid. */
static int put_siblock(struct pf_writer *w, const uint32_t *nids,
		       const uint64_t *bids, uint32_t n, uint64_t *bid)
{
	uint32_t bs = w->l.bid_size;
	uint8_t *e = w->ibuf + sl_header(w);

	sl_start(w, 1, n);
	for (uint32_t i = 0; i < n; i++, e += 2 * bs) {
		ndbw_put_id(w, e, nids[i]);
		ndbw_put_id(w, e + bs, bids[i]);
	}
	return ndbw_block_put(w, NDBW_SIBLOCK, w->ibuf,
			      (size_t)(e - w->ibuf), bids, n, bid);
}

static int put_sitree(struct pf_writer *w, const struct pf_subnode *v,
		      uint32_t n, uint64_t *bid)
{
	size_t room = ndbw_data_max(w) - sl_header(w);
	uint32_t per_sl = (uint32_t)(room / (3 * w->l.bid_size));
	uint32_t per_si = (uint32_t)(room / (2 * w->l.bid_size));
	uint32_t nsl = (n + per_sl - 1) / per_sl;
	uint32_t *nids;
	uint64_t *bids;
	int rc = 0;

	if (nsl > per_si)
		return ndbw_fail(w, pf_error_set(PF_E_LIMIT, "writer: %u "
				 "subnodes do not fit one SIBLOCK (at most "
				 "%u)", n, per_si * per_sl));
	nids = malloc((size_t)nsl * sizeof(*nids));
	bids = malloc((size_t)nsl * sizeof(*bids));
	if (!nids || !bids)
		rc = ndbw_fail(w, pf_error_set(PF_E_NOMEM, "out of memory"));
	for (uint32_t i = 0; rc == 0 && i < nsl; i++) {
		uint32_t m = n - i * per_sl < per_sl ? n - i * per_sl : per_sl;

		nids[i] = v[(size_t)i * per_sl].nid;
		rc = put_slblock(w, v + (size_t)i * per_sl, m, &bids[i]);
	}
	if (rc == 0)
		rc = put_siblock(w, nids, bids, nsl, bid);
	free(nids);
	free(bids);
	return rc;
}

static int cmp_subnode(const void *a, const void *b)
{
	uint32_t x = ((const struct pf_subnode *)a)->nid;
	uint32_t y = ((const struct pf_subnode *)b)->nid;

	return x < y ? -1 : x > y;
}

static int check_subnodes(struct pf_writer *w, const struct pf_subnode *v,
			  uint32_t n)
{
	int rc = 0;

	for (uint32_t i = 0; rc == 0 && i < n; i++) {
		if (i > 0 && v[i].nid == v[i - 1].nid)
			return ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: "
					 "subnode NID 0x%x given twice",
					 v[i].nid));
		rc = ndbw_check_ref(w, v[i].bid_data, false);
		if (rc == 0)
			rc = ndbw_check_ref(w, v[i].bid_sub, true);
	}
	return rc;
}

int pf_writer_put_subnodes(struct pf_writer *w, const struct pf_subnode *v,
			   uint32_t n, uint64_t *bid)
{
	size_t room;
	struct pf_subnode *s;
	int rc = ndbw_check(w);

	*bid = 0;
	if (rc != 0 || n == 0)
		return rc;
	s = malloc((size_t)n * sizeof(*s));
	if (!s)
		return ndbw_fail(w, pf_error_set(PF_E_NOMEM, "out of memory"));
	memcpy(s, v, (size_t)n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_subnode);
	rc = check_subnodes(w, s, n);
	room = ndbw_data_max(w) - sl_header(w);
	if (rc == 0 && n <= room / (3 * w->l.bid_size))
		rc = put_slblock(w, s, n, bid);
	else if (rc == 0)
		rc = put_sitree(w, s, n, bid);
	free(s);
	return rc;
}

int pf_writer_put_xblock(struct pf_writer *w, unsigned level,
			 const uint64_t *bids, uint32_t n, uint64_t lcb_total,
			 uint64_t *bid)
{
	int rc = ndbw_check(w);
	uint32_t max = (uint32_t)((ndbw_data_max(w) - 8) / w->l.bid_size);

	if (rc != 0)
		return rc;
	if ((level != 1 && level != 2) || n == 0 || n > max ||
	    lcb_total > UINT32_MAX)
		return ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: an "
				 "XBLOCK of level %u with %u entries and %llu "
				 "bytes", level, n,
				 (unsigned long long)lcb_total));
	for (uint32_t i = 0; i < n; i++) {
		const struct ndbw_block *b = ndbw_block_find(w, bids[i]);
		bool ok = b && (level == 1 ? b->kind == NDBW_DATA :
				b->kind == NDBW_XBLOCK ||
				b->kind == NDBW_KEPT_INT);

		if (!ok)
			return ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: "
					 "0x%llx cannot be an entry of an "
					 "XBLOCK of level %u",
					 (unsigned long long)bids[i], level));
	}
	return put_xblock(w, level, bids, n, lcb_total, bid);
}
