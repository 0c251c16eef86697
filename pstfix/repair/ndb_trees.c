/*
 * ndb_trees.c - every node's data tree and subnode tree cut to what is
 * readable, then the node into the new NBT.
 *
 * Contract
 * - Data trees (MS-PST 2.2.2.8.3.2): a data block must be kept; an XBLOCK
 *   (cLevel 1) names data blocks, an XXBLOCK (cLevel 2) XBLOCKs, so the
 *   walk is two levels at most and cannot loop.  A tree with a missing or
 *   unparsable entry is cut to its readable prefix: a new XBLOCK/XXBLOCK
 *   (new BID) over the entries before the first bad one, lcbTotal
 *   recomputed.  An lcbTotal that does not add up is rewritten too.  No
 *   readable prefix: the data is gone.
 * - Subnode trees (2.2.2.8.3.3): SLENTRYs whose data is gone are dropped,
 *   their own subnode trees are cut the same way (at most SUB_DEPTH
 *   nested, a block on the current path again is a cycle: gone); an
 *   SIBLOCK's bad SLBLOCK loses its entries.  A changed tree is written
 *   anew by pf_writer_put_subnodes (sorted, duplicate NIDs dropped).
 * - A node whose data is gone is dropped (a normal message, NID type
 *   0x04, counts as a lost message); a node whose subnode tree is gone
 *   keeps its data with bidSub 0.  Each action is a note.
 * - The old blocks a cut tree no longer names are not referenced any
 *   more: the commit frees them (cRef comes out of the references).
 */
#include <stdlib.h>
#include <string.h>

#include "../../formats/util/pf_grow.h"
#include "../../formats/util/pf_le.h"
#include "ndb_int.h"

#define SUB_DEPTH 4

static struct fixed gone(void)
{
	return (struct fixed){ .dead = true, .changed = true };
}

/* An XBLOCK's entries: data blocks; the readable prefix. */
static int fix_x1(struct rp *r, const struct rp_block *b, struct fixed *f)
{
	const uint64_t *kid = r->kids + b->kid_first;
	uint32_t k = 0;
	uint64_t lcb = 0;

	for (; k < b->kid_count; k++) {
		const struct rp_block *d = rp_block_find(r, kid[k]);

		if (!d || (d->bid & PF_BID_INTERNAL))
			break;
		lcb += d->cb_inflated;
	}
	*f = (struct fixed){ .bid = b->bid, .lcb = lcb };
	if (k == 0) {
		*f = gone();
		return 0;
	}
	if (k == b->kid_count && lcb == b->lcb_total)
		return 0;
	f->changed = true;
	return pf_writer_put_xblock(r->w, 1, kid, k, lcb, &f->bid);
}

/* An XXBLOCK's entries: XBLOCKs, each cut; stop after a cut one. */
static int fix_x2(struct rp *r, const struct rp_block *b, struct fixed *f)
{
	uint64_t *v = malloc((b->kid_count + 1) * sizeof(*v));
	uint32_t n = 0;
	bool changed = false;
	uint64_t lcb = 0;
	int rc = v ? 0 : pf_error_set(PF_E_NOMEM, "out of memory");

	for (uint32_t k = 0; rc == 0 && k < b->kid_count; k++) {
		const struct rp_block *x = rp_block_find(r, r->kids[
					    b->kid_first + k]);
		struct fixed c;

		if (!x || x->btype != 0x01 || x->level != 1) {
			changed = true;
			break;
		}
		rc = fix_x1(r, x, &c);
		if (rc != 0 || c.dead) {
			changed = true;
			break;
		}
		v[n++] = c.bid;
		lcb += c.lcb;
		if (c.changed) {
			changed = true;
			break;
		}
	}
	changed = changed || lcb != b->lcb_total;
	*f = (struct fixed){ .bid = b->bid, .lcb = lcb, .changed = changed };
	if (rc == 0 && n == 0)
		*f = gone();
	else if (rc == 0 && changed)
		rc = pf_writer_put_xblock(r->w, 2, v, n, lcb, &f->bid);
	free(v);
	return rc;
}

int rp_fix_data(struct rp *r, uint64_t bid, struct fixed *f)
{
	const struct rp_block *b;

	*f = (struct fixed){ 0 };
	if (bid == 0)
		return 0;
	b = rp_block_find(r, bid);
	if (!b) {
		*f = gone();
		return 0;
	}
	if (!(b->bid & PF_BID_INTERNAL)) {
		*f = (struct fixed){ .bid = b->bid, .lcb = b->cb_inflated };
		return 0;
	}
	if (b->btype == 0x01 && b->level == 1)
		return fix_x1(r, b, f);
	if (b->btype == 0x01 && b->level == 2)
		return fix_x2(r, b, f);
	*f = gone();
	return 0;
}

/* ---- subnode trees ---- */

struct subv {
	struct pf_subnode *v;
	size_t n, cap;
	uint64_t path[SUB_DEPTH + 2];   /* blocks on the current path */
	int depth;
};

static int fix_sub(struct rp *r, struct subv *up, uint64_t bid,
		   struct fixed *f);

int rp_fix_subtree(struct rp *r, uint64_t bid, struct fixed *f)
{
	return fix_sub(r, NULL, bid, f);
}

static uint64_t id_at(const struct pf_layout *l, const uint8_t *p)
{
	return l->bid_size == 4 ? pf_le32(p) : pf_le64(p);
}

/* One SLENTRY: its data and its own subnode tree, cut. */
static int sl_entry(struct rp *r, struct subv *s, const uint8_t *e,
		    bool *changed)
{
	uint32_t w = r->l->bid_size;
	struct pf_subnode sn = { .nid = (uint32_t)id_at(r->l, e) };
	struct fixed d, sub;
	int rc = rp_fix_data(r, id_at(r->l, e + w), &d);

	if (rc == 0 && !d.dead)
		rc = fix_sub(r, s, id_at(r->l, e + 2 * w), &sub);
	if (rc != 0)
		return rc;
	if (d.dead) {
		r->ctx->counts.subnodes_dropped++;
		*changed = true;
		return 0;
	}
	*changed = *changed || d.changed || sub.changed;
	sn.bid_data = d.bid;
	sn.bid_sub = sub.dead ? 0 : sub.bid;
	if (pf_grow(&s->v, s->n, &s->cap, sizeof(*s->v)) != 0)
		return PF_E_NOMEM;
	s->v[s->n++] = sn;
	return 0;
}

/* The entries under SLBLOCK/SIBLOCK B into S; LEVEL -1: either. */
static int collect(struct rp *r, struct subv *s, const struct rp_block *b,
		   int level, bool *changed, bool *dead)
{
	struct pf_slblock sl;
	uint8_t *data;
	size_t cb;
	int rc;

	*dead = b->btype != 0x02 || (level >= 0 && b->level != level);
	if (*dead)
		return 0;
	rc = rp_block_read(r, b, &data, &cb);
	if (rc != 0 || !pf_slblock_parse(r->l, data, cb, b->bid, NULL, &sl)) {
		*dead = true;
		free(data);
		return rc == PF_E_NOMEM || rc == PF_E_IO ? rc : 0;
	}
	for (uint32_t i = 0; rc == 0 && i < sl.cent; i++) {
		const uint8_t *e = sl.rgentries + (size_t)i * sl.cb_entry;
		const struct rp_block *c;
		bool cdead;

		if (sl.level == 0) {
			rc = sl_entry(r, s, e, changed);
			continue;
		}
		c = rp_block_find(r, id_at(r->l, e + r->l->bid_size));
		cdead = !c;
		if (c)
			rc = collect(r, s, c, 0, changed, &cdead);
		if (cdead) {
			r->ctx->counts.subnodes_dropped++;
			*changed = true;
		}
	}
	free(data);
	return rc;
}

static int cmp_sub(const void *a, const void *b)
{
	uint32_t x = ((const struct pf_subnode *)a)->nid;
	uint32_t y = ((const struct pf_subnode *)b)->nid;

	return x < y ? -1 : x > y;
}

/* Sort; keep the first of duplicate NIDs. */
static bool dedupe(struct subv *s)
{
	size_t n = 0;

	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_sub);
	for (size_t i = 0; i < s->n; i++)
		if (n == 0 || s->v[n - 1].nid != s->v[i].nid)
			s->v[n++] = s->v[i];
	if (n == s->n)
		return false;
	s->n = n;
	return true;
}

static bool on_path(const struct subv *up, uint64_t bid)
{
	for (int i = 0; up && i < up->depth; i++)
		if (up->path[i] == bid)
			return true;
	return false;
}

static int fix_sub(struct rp *r, struct subv *up, uint64_t bid,
		   struct fixed *f)
{
	struct subv s = { .depth = up ? up->depth : 0 };
	const struct rp_block *b;
	bool changed = false, dead;
	int rc;

	*f = (struct fixed){ 0 };
	if (bid == 0)
		return 0;
	b = rp_block_find(r, bid);
	if (!b || s.depth >= SUB_DEPTH || on_path(up, b->bid)) {
		*f = gone();
		return 0;
	}
	if (up)
		memcpy(s.path, up->path, sizeof(s.path));
	s.path[s.depth++] = b->bid;
	rc = collect(r, &s, b, -1, &changed, &dead);
	if (rc == 0 && !dead)
		changed = dedupe(&s) || changed;
	*f = (struct fixed){ .bid = b->bid, .changed = changed };
	if (rc == 0 && (dead || (changed && s.n == 0)))
		*f = gone();
	else if (rc == 0 && changed)
		rc = pf_writer_put_subnodes(r->w, s.v, (uint32_t)s.n, &f->bid);
	free(s.v);
	if (rc == PF_E_NOMEM)
		rc = pf_error_set(PF_E_NOMEM, "out of memory");
	return rc;
}

/* ---- nodes ---- */

static int one_node(struct rp *r, const struct pf_nbt_entry *e)
{
	struct pf_repair_counts *c = &r->ctx->counts;
	uint32_t nid = (uint32_t)e->nid;
	bool msg = PF_NID_TYPE(nid) == PF_NT_NORMAL_MESSAGE;
	struct fixed d, s;
	int rc = rp_fix_data(r, e->bid_data, &d);

	if (rc != 0)
		return rc;
	if (d.dead) {
		c->nodes_dropped++;
		c->messages_lost += msg;
		rp_note_item(r, "dropped node 0x%x: data tree 0x%llx is "
			     "missing or unreadable", nid,
			     (unsigned long long)e->bid_data);
		return 0;
	}
	rc = fix_sub(r, NULL, e->bid_sub, &s);
	if (rc != 0)
		return rc;
	if (d.changed) {
		c->trees_truncated++;
		rp_note_item(r, "node 0x%x: data tree 0x%llx cut to its "
			     "readable %llu bytes", nid,
			     (unsigned long long)e->bid_data,
			     (unsigned long long)d.lcb);
	}
	if (s.changed)
		rp_note_item(r, "node 0x%x: subnode tree 0x%llx %s", nid,
			     (unsigned long long)e->bid_sub,
			     s.dead ? "is unreadable: removed" :
				      "rewritten without its dead entries");
	rc = pf_writer_add_node(r->w, nid, d.bid, s.dead ? 0 : s.bid,
				e->nid_parent);
	if (rc == 0) {
		c->nodes_kept++;
		c->messages_kept += msg;
	}
	return rc;
}

int rp_write_nodes(struct rp *r)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < r->nnodes; i++)
		rc = one_node(r, &r->nodes[i]);
	return rc;
}
