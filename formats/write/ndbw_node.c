/*
 * ndbw_node.c - NBT entries, NID counters and reference counts.
 *
 * Contract
 * - pf_writer_add_node() records one NBT leaf entry (MS-PST 2.2.2.7.7.4);
 *   each NID once, bidData a data tree (or 0), bidSub a subnode tree (or
 *   0), both written by this writer.
 * - rgnid[t] (MS-PST 2.2.2.6) is the last nidIndex handed out for type t,
 *   starting at the spec's initial values (0x400, 0x4000 search folders,
 *   0x10000 messages, 0x8000 associated messages; Outlook's first folder
 *   is 0x8022, index 0x401).  pf_writer_new_nid() increments, then hands
 *   out; a node added with a fixed NID above the counter moves it up, so
 *   a later pf_writer_new_nid() never returns a NID in use.
 * - At commit, ndbw_refcount() walks from the NBT through internal blocks:
 *   a block's cRef is 1 (the BBT's own reference) plus one per NBTENTRY
 *   bidData/bidSub, SLENTRY bidData/bidSub, SIENTRY and XBLOCK/XXBLOCK
 *   slot naming it (MS-PST 2.2.2.7.7.3.1).  Blocks nothing reachable names
 *   are dropped from the BBT and their space freed in the AMap, so the
 *   file has no unreferenced blocks.
 */
#include <stdlib.h>

#include "../util/pf_grow.h"
#include "ndbw_int.h"

int pf_writer_add_node(struct pf_writer *w, uint32_t nid, uint64_t bid_data,
		       uint64_t bid_sub, uint32_t nid_parent)
{
	unsigned t = PF_NID_TYPE(nid);
	int rc = ndbw_check(w);

	if (rc == 0 && nid == 0)
		rc = ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: NID 0"));
	if (rc == 0 && w->keep_trees)
		rc = ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: the old "
				 "NBT is kept: no node can be added"));
	if (rc == 0)
		rc = ndbw_check_ref(w, bid_data, false);
	if (rc == 0)
		rc = ndbw_check_ref(w, bid_sub, true);
	if (rc != 0)
		return rc;
	rc = pf_set_add(&w->nids, nid);
	if (rc == 0)
		rc = pf_error_set(PF_E_USAGE, "writer: NID 0x%x added twice",
				  nid);
	if (rc < 0 ||
	    pf_grow(&w->nodes, w->nnodes, &w->cap_nodes,
		    sizeof(*w->nodes)) != 0)
		return ndbw_fail(w, rc < 0 ? rc : PF_E_NOMEM);
	w->nodes[w->nnodes++] = (struct ndbw_node){
		.nid = nid, .nid_parent = nid_parent,
		.bid_data = bid_data, .bid_sub = bid_sub,
	};
	if (PF_NID_INDEX(nid) > w->rgnid[t])
		w->rgnid[t] = PF_NID_INDEX(nid);
	return 0;
}

uint32_t pf_writer_new_nid(struct pf_writer *w, unsigned type)
{
	/* the nidIndex is 27 bits (MS-PST 2.2.2.1) */
	if (!w || type >= 32 || w->rgnid[type] >= (1u << 27) - 1)
		return 0;
	w->rgnid[type]++;
	return (w->rgnid[type] << 5) | type;
}

/* A reference to BID from something live: count it, and visit BID's own
 * children the first time. */
static int reach(struct pf_writer *w, uint64_t bid, uint64_t **stack,
		 size_t *n, size_t *cap)
{
	struct ndbw_block *b;

	if (bid == 0)
		return 0;
	b = ndbw_block_find(w, bid);   /* checked when referenced */
	if (!b)                        /* a kept block's child (over mode) */
		return ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: a kept "
				 "block names 0x%llx, which is not in the BBT",
				 (unsigned long long)bid));
	if (b->refs == UINT16_MAX - 1)
		return ndbw_fail(w, pf_error_set(PF_E_LIMIT, "writer: block "
				 "0x%llx is referenced more than %u times",
				 (unsigned long long)bid, UINT16_MAX - 1));
	b->refs++;
	if (b->live)
		return 0;
	b->live = 1;
	if (b->kid_count == 0)
		return 0;
	if (pf_grow(stack, *n, cap, sizeof(**stack)) != 0)
		return ndbw_fail(w, PF_E_NOMEM);
	(*stack)[(*n)++] = b->bid;
	return 0;
}

static int mark_live(struct pf_writer *w)
{
	uint64_t *stack = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < w->nnodes; i++) {
		rc = reach(w, w->nodes[i].bid_data, &stack, &n, &cap);
		if (rc == 0)
			rc = reach(w, w->nodes[i].bid_sub, &stack, &n, &cap);
	}
	while (rc == 0 && n > 0) {
		const struct ndbw_block *b = ndbw_block_find(w, stack[--n]);
		uint64_t first = b->kid_first;
		uint32_t count = b->kid_count;

		for (uint32_t k = 0; rc == 0 && k < count; k++)
			rc = reach(w, w->kids[first + k], &stack, &n, &cap);
	}
	free(stack);
	return rc;
}

/* Drop the blocks nothing live names; keep the array in BID order. */
static void sweep(struct pf_writer *w)
{
	size_t kept = 0;

	for (size_t i = 0; i < w->nblocks; i++) {
		struct ndbw_block *b = &w->blocks[i];

		if (!b->live) {
			ndbw_free(w, b->ib, pf_block_size(&w->l, b->cb));
			continue;
		}
		w->blocks[kept++] = *b;
	}
	w->nblocks = kept;
}

int ndbw_refcount(struct pf_writer *w)
{
	int rc = mark_live(w);

	if (rc == 0)
		sweep(w);
	return rc;
}
