/*
 * pass_trees.c - the end of pass 5: no node's data tree or subnode tree
 * reaches an internal block twice (MS-PST 2.2.2.8.3.2-3: an XXBLOCK names
 * XBLOCKs, an SIBLOCK SLBLOCKs, an SLENTRY a data tree and a subnode tree
 * of its own; each is a tree).  A block reached twice is a cycle (an
 * SLENTRY whose bidSub names the SLBLOCK it sits in) or two paths to one
 * block; a reader that follows it loops or reads a subnode twice.
 *
 * Checks: for each node, a walk from bidData and bidSub over internal
 * blocks (a visited set per node, depth bounded), one PF5032 per node.
 * The walk only runs when some internal block has two references or more
 * (a second path needs a second reference), so a healthy file costs
 * nothing but one look at the reference counts.
 * Relies on: pass 5's block scan (blocks[].refs, .state).
 */
#include <stdlib.h>

#include "../../formats/util/pf_le.h"
#include "../../formats/util/pf_set.h"
#include "ck.h"

#define TREE_MAX_DEPTH 16

struct tree_walk {
	struct pf_ck *ck;
	struct pf_set seen;
	uint32_t nid;
	uint64_t twice;          /* the first block reached twice, or 0 */
};

static uint64_t id_at(const struct pf_layout *l, const uint8_t *p)
{
	return l->bid_size == 4 ? pf_le32(p) : pf_le64(p);
}

static void visit(struct tree_walk *w, uint64_t bid, unsigned depth);

/* The children of internal block DATA: an XXBLOCK's XBLOCKs (an XBLOCK
 * names data blocks only), an SIBLOCK's SLBLOCKs, an SLBLOCK's entries'
 * data and subnode trees. */
static void visit_kids(struct tree_walk *w, uint64_t bid, const uint8_t *data,
		       size_t cb, unsigned depth)
{
	const struct pf_layout *l = w->ck->l;
	struct pf_xblock x;
	struct pf_slblock s;

	if (data[0] == 0x01 && pf_xblock_parse(l, data, cb, bid, NULL, &x)) {
		for (uint32_t i = 0; x.level == 2 && i < x.cent; i++)
			visit(w, id_at(l, x.rgbid + (size_t)i * l->bid_size),
			      depth + 1);
		return;
	}
	if (data[0] != 0x02 || !pf_slblock_parse(l, data, cb, bid, NULL, &s))
		return;
	for (uint32_t i = 0; i < s.cent && !w->twice; i++) {
		const uint8_t *e = s.rgentries + (size_t)i * s.cb_entry;

		visit(w, id_at(l, e + l->bid_size), depth + 1);
		if (s.level == 0)
			visit(w, id_at(l, e + 2 * l->bid_size), depth + 1);
	}
}

static void visit(struct tree_walk *w, uint64_t bid, unsigned depth)
{
	const struct pf_block_rec *b;
	struct pf_bbt_entry e;
	uint8_t *data;
	size_t cb;
	int rc;

	if (!(bid & PF_BID_INTERNAL) || w->twice || depth > TREE_MAX_DEPTH)
		return;
	rc = pf_set_add(&w->seen, bid & ~(uint64_t)1);
	if (rc == 0)
		w->twice = bid;
	b = ck_block(w->ck, bid);
	if (rc != 1 || !b || b->state != BLK_OK)
		return;
	ck_bbt_entry(w->ck, b, &e);
	if (pf_block_read_ex(w->ck->ndb, &e, NULL, 0, &data, &cb) != 0)
		return;
	if (cb > 0)
		visit_kids(w, bid, data, cb, depth);
	free(data);
}

static bool shared_internal(const struct pf_ck *ck)
{
	for (size_t i = 0; i < ck->nblocks; i++)
		if ((ck->blocks[i].bid & PF_BID_INTERNAL) &&
		    ck->blocks[i].refs >= 2)
			return true;
	return false;
}

void check_trees(struct pf_ck *ck)
{
	if (!shared_internal(ck))
		return;
	for (size_t i = 0; i < ck->nnodes; i++) {
		struct tree_walk w = { .ck = ck, .nid = ck->nodes[i].nid };

		visit(&w, ck->nodes[i].bid_data, 0);
		visit(&w, ck->nodes[i].bid_sub, 0);
		if (w.twice)
			ck_problem(ck, 5032, PF_NO_IB, w.twice, w.nid, w.twice,
				   0, NULL);
		pf_set_free(&w.seen);
	}
}
