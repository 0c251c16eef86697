/*
 * ndb_nodes.c - the nodes of the repaired file: the NBT's valid entries,
 * plus nodes lost with an unreadable NBT page, taken from stale NBT leaf
 * pages the trailer scan found (scanpst's "scavenge for nodes").
 *
 * Outlook updates the NBT copy-on-write: a changed leaf is written as a
 * new page with a new, higher BID and the old page's bytes stay in the
 * file.  So a NID on a stale page is either a node the user deleted (the
 * current tree no longer has it: it must not come back) or a node whose
 * current page was lost (it must).  The rule:
 * - a NID the valid tree has: the tree's entry, always;
 * - a NID on stale pages only, in a key range the valid tree covers: a
 *   deleted node.  Left out, unless ctx->keep_deleted (salvage view);
 * - a NID on stale pages only, in a key range lost under an unreadable
 *   page (all keys when the root is lost): restored from the newest page
 *   (highest page BID) that has it - unless a newer stale page whose key
 *   range [first, last NID] spans it lacks it (deleted before the damage;
 *   then as above).
 * Restored nodes count as nodes_scavenged; their data still has to pass
 * ndb_trees.c like every other node.
 */
#include <stdlib.h>
#include <string.h>

#include "ndb_int.h"

struct cand {
	struct pf_nbt_entry e;
	uint64_t page_bid;
};

struct span {
	uint32_t first, last;
	uint64_t bid;
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	uint32_t nx = (uint32_t)x->e.nid, ny = (uint32_t)y->e.nid;

	if (nx != ny)
		return nx < ny ? -1 : 1;
	return x->page_bid > y->page_bid ? -1 : x->page_bid < y->page_bid;
}

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

static int cmp_node(const void *a, const void *b)
{
	uint32_t x = (uint32_t)((const struct pf_nbt_entry *)a)->nid;
	uint32_t y = (uint32_t)((const struct pf_nbt_entry *)b)->nid;

	return x < y ? -1 : x > y;
}

/* Stale leaf pages: NBT leaves the walk did not reach. */
static bool stale_leaf(const struct rp *r, const struct pf_scav_page *p)
{
	return p->ptype == PF_PTYPE_NBT && p->level == 0 && p->cent > 0 &&
	       !pf_set_has(&r->nbt.pages, p->ib);
}

/* Entries of stale pages (newest page first per NID) and their spans. */
static int gather(struct rp *r, struct cand **cv, size_t *nc,
		  struct span **sv, size_t *ns)
{
	const struct pf_scavenge *s = &r->scav;
	size_t n = 0, m = 0;

	for (size_t i = 0; i < s->npages; i++)
		if (stale_leaf(r, &s->pages[i])) {
			n += s->pages[i].cent;
			m++;
		}
	*cv = malloc((n + 1) * sizeof(**cv));
	*sv = malloc((m + 1) * sizeof(**sv));
	if (!*cv || !*sv)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	*nc = *ns = 0;
	for (size_t i = 0; i < s->npages; i++) {
		const struct pf_scav_page *p = &s->pages[i];
		const struct pf_nbt_entry *e;

		if (!stale_leaf(r, p))
			continue;
		e = s->nbt + p->first;   /* a leaf with entries: s->nbt set */
		(*sv)[(*ns)++] = (struct span){ (uint32_t)e[0].nid,
			(uint32_t)e[p->cent - 1].nid, p->bid };
		for (uint32_t k = 0; k < p->cent; k++)
			(*cv)[(*nc)++] = (struct cand){ e[k], p->bid };
	}
	qsort(*cv, *nc, sizeof(**cv), cmp_cand);
	qsort(*sv, *ns, sizeof(**sv), cmp_span);
	return 0;
}

/* ---- the highest page BID among spans covering a NID: a sweep over
 * spans sorted by first NID with a max-heap on BID ---- */

struct heap {
	const struct span **v;
	size_t n;
};

static void heap_push(struct heap *h, const struct span *s)
{
	size_t i = h->n++;

	h->v[i] = s;
	while (i > 0 && h->v[(i - 1) / 2]->bid < h->v[i]->bid) {
		const struct span *t = h->v[i];

		h->v[i] = h->v[(i - 1) / 2];
		h->v[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static void heap_pop(struct heap *h)
{
	size_t i = 0;

	h->v[0] = h->v[--h->n];
	for (;;) {
		size_t c = 2 * i + 1, best = i;
		const struct span *t;

		if (c < h->n && h->v[c]->bid > h->v[best]->bid)
			best = c;
		if (c + 1 < h->n && h->v[c + 1]->bid > h->v[best]->bid)
			best = c + 1;
		if (best == i)
			return;
		t = h->v[i];
		h->v[i] = h->v[best];
		h->v[best] = t;
		i = best;
	}
}

/* Mark candidates a newer stale page supersedes (page_bid set to 0). */
static int supersede(struct cand *cv, size_t nc, const struct span *sv,
		     size_t ns)
{
	struct heap h = { malloc((ns + 1) * sizeof(*h.v)), 0 };
	size_t j = 0;

	if (!h.v)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	for (size_t i = 0; i < nc; i++) {
		uint32_t nid = (uint32_t)cv[i].e.nid;

		if (i > 0 && (uint32_t)cv[i - 1].e.nid == nid)
			continue;      /* an older copy: not used */
		while (j < ns && sv[j].first <= nid)
			heap_push(&h, &sv[j++]);
		while (h.n > 0 && h.v[0]->last < nid)
			heap_pop(&h);
		if (h.n > 0 && h.v[0]->bid > cv[i].page_bid)
			cv[i].page_bid = 0;
	}
	free(h.v);
	return 0;
}

static bool in_set(const struct pf_nbt_entry *v, size_t n, uint32_t nid)
{
	struct pf_nbt_entry key = { .nid = nid };

	if (n == 0)
		return false;
	return bsearch(&key, v, n, sizeof(key), cmp_node) != NULL;
}

/* The valid tree's entries, sorted, one per NID. */
static size_t current_nodes(struct rp *r)
{
	struct pf_nbt_entry *v = r->nbt.nbt;
	size_t n = 0;

	if (r->nbt.n > 1)
		qsort(v, r->nbt.n, sizeof(*v), cmp_node);
	for (size_t i = 0; i < r->nbt.n; i++) {
		if ((uint32_t)v[i].nid == 0 ||
		    (n > 0 && (uint32_t)v[n - 1].nid == (uint32_t)v[i].nid))
			continue;
		v[n++] = v[i];
	}
	return n;
}

static int merge(struct rp *r, size_t ncur, const struct cand *cv,
		 size_t nc)
{
	uint64_t restored = 0, deleted = 0;
	size_t n = ncur;

	r->nodes = malloc((ncur + nc + 1) * sizeof(*r->nodes));
	if (!r->nodes)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	if (ncur > 0)
		memcpy(r->nodes, r->nbt.nbt, ncur * sizeof(*r->nodes));
	for (size_t i = 0; i < nc; i++) {
		uint32_t nid = (uint32_t)cv[i].e.nid;
		bool lost;

		if (nid == 0 || (i > 0 && (uint32_t)cv[i - 1].e.nid == nid) ||
		    in_set(r->nbt.nbt, ncur, nid))
			continue;
		lost = cv[i].page_bid != 0 && rp_walk_lost(&r->nbt, nid);
		if (!lost && !r->ctx->keep_deleted) {
			deleted++;
			continue;
		}
		if (r->nbt.root_ok)      /* else every node is: no news */
			rp_note_item(r, "node 0x%x restored from a scavenged "
				     "NBT page%s", nid,
				     lost ? "" : " (a deleted item)");
		r->nodes[n++] = cv[i].e;
		restored++;
	}
	if (n > 1)
		qsort(r->nodes, n, sizeof(*r->nodes), cmp_node);
	r->nnodes = n;
	r->ctx->counts.nodes_scavenged += restored;
	if (restored > 0 || deleted > 0)
		rp_note(r, "scavenged NBT pages: %llu nodes restored, %llu "
			"deleted nodes left out%s",
			(unsigned long long)restored,
			(unsigned long long)deleted,
			r->ctx->keep_deleted ? "" :
			" (keep-deleted would keep them)");
	return 0;
}

int rp_choose_nodes(struct rp *r)
{
	struct cand *cv = NULL;
	struct span *sv = NULL;
	size_t nc = 0, ns = 0, ncur = current_nodes(r);
	int rc = gather(r, &cv, &nc, &sv, &ns);

	if (rc == 0)
		rc = supersede(cv, nc, sv, ns);
	if (rc == 0)
		rc = merge(r, ncur, cv, nc);
	if (rc == 0)
		rp_note(r, "rebuilt the NBT from %llu valid pages and %zu "
			"scavenged leaf pages: %zu nodes",
			(unsigned long long)r->nbt.npages, ns, r->nnodes);
	free(cv);
	free(sv);
	return rc;
}
