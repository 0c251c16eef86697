/*
 * ndb_maps.c - the MAPS repair: both B-trees and every block stay as they
 * are, in place; the new file gets fresh AMap/PMap/FMap/FPMap pages, a
 * DList and a header (MS-PST 2.6.1.3.7: the maps can be rebuilt from the
 * BBT and the B-tree pages).
 *
 * Contract: this is only done when the trees are sound: every page of
 * both trees validates (ndb_walk.c finds nothing lost), no BID twice in
 * the BBT, and the writer accepts every block and page where it is.
 * Otherwise *fell_back is set, nothing is written and the caller rebuilds
 * the trees instead (BTREE).  rgnid is raised past every NID the NBT has
 * (MS-PST 2.2.2.6), bidNextB/bidNextP past every BID kept.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "ndb_int.h"

static int cmp_bid(const void *a, const void *b)
{
	uint64_t x = ((const struct pf_bbt_entry *)a)->bref.bid & ~1ull;
	uint64_t y = ((const struct pf_bbt_entry *)b)->bref.bid & ~1ull;

	return x < y ? -1 : x > y;
}

static bool sound(struct rp *r)
{
	if (r->nbt.nlost > 0 || r->bbt.nlost > 0) {
		rp_note(r, "the B-trees have unusable pages: rebuilding them "
			"instead of the maps alone");
		return false;
	}
	if (r->bbt.n > 1)
		qsort(r->bbt.bbt, r->bbt.n, sizeof(*r->bbt.bbt), cmp_bid);
	for (size_t i = 1; i < r->bbt.n; i++)
		if ((r->bbt.bbt[i].bref.bid & ~1ull) ==
		    (r->bbt.bbt[i - 1].bref.bid & ~1ull)) {
			rp_note(r, "the BBT names block 0x%llx twice: "
				"rebuilding the B-trees",
				(unsigned long long)r->bbt.bbt[i].bref.bid);
			return false;
		}
	return true;
}

/* Every block and page in place; PF_E_CORRUPT when one cannot be. */
static int keep_all(struct rp *r)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < r->bbt.n; i++) {
		const struct pf_bbt_entry *e = &r->bbt.bbt[i];

		rc = pf_writer_keep_block(r->w, e->bref.bid, e->bref.ib, e->cb,
					  (uint16_t)e->cb_inflated, NULL, 0);
	}
	for (size_t i = 0; rc == 0 && i < r->nbt.npages; i++)
		rc = pf_writer_keep_page(r->w, r->nbt.pv[i].ib,
					 r->nbt.pv[i].bid);
	for (size_t i = 0; rc == 0 && i < r->bbt.npages; i++)
		rc = pf_writer_keep_page(r->w, r->bbt.pv[i].ib,
					 r->bbt.pv[i].bid);
	return rc;
}

int rp_repair_maps(struct rp *r, bool *fell_back)
{
	struct pf_over_counters c;
	int rc;

	*fell_back = true;
	if (!sound(r))
		return 0;
	rp_counters(r, &c);
	for (size_t i = 0; i < r->nbt.n; i++) {
		uint32_t nid = (uint32_t)r->nbt.nbt[i].nid;

		if (PF_NID_INDEX(nid) > c.rgnid[PF_NID_TYPE(nid)])
			c.rgnid[PF_NID_TYPE(nid)] = PF_NID_INDEX(nid);
	}
	rc = rp_open_writer(r, &c);
	if (rc == 0)
		rc = keep_all(r);
	if (rc == PF_E_CORRUPT) {
		rp_note(r, "%s: rebuilding the B-trees", pf_error_msg());
		pf_writer_abort(r->w);
		r->w = NULL;
		return 0;
	}
	if (rc == 0)
		rc = pf_writer_keep_trees(r->w, &r->hdr.root.nbt,
					  &r->hdr.root.bbt);
	*fell_back = false;
	if (rc == 0) {
		rc = pf_writer_commit(r->w);
		r->w = NULL;
	}
	if (rc == 0) {
		r->ctx->counts.nodes_kept += r->nbt.n;
		for (size_t i = 0; i < r->nbt.n; i++)
			r->ctx->counts.messages_kept +=
				PF_NID_TYPE(r->nbt.nbt[i].nid) ==
				PF_NT_NORMAL_MESSAGE;
		rp_note(r, "rebuilt the allocation maps, DList and header; "
			"kept %zu B-tree pages and %zu blocks in place",
			r->nbt.npages + r->bbt.npages, r->bbt.n);
	}
	return rc;
}
