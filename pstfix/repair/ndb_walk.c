/*
 * ndb_walk.c - a tolerant walk of the NBT or BBT from its ROOT BREF
 * (MS-PST 2.2.2.7.7) for repair.
 *
 * Contract
 * - A page is used only when it proves itself: ptype and ptypeRepeat,
 *   the BID its parent's BREF names, wSig and CRC (2.2.2.7.1; a CRC is
 *   never trusted over bytes that fail it), BTPAGE metadata in bounds
 *   (2.2.2.7.7.1) and the cLevel one below its parent's.
 * - A page that fails loses its key range: [its BTENTRY's btkey, the next
 *   entry's btkey) within the parent's range; the whole key space when
 *   the root fails.  Those ranges are what scavenged pages may fill.
 * - Leaf entries outside their page's range are left out (a page moved
 *   or a key overwritten).  Every page is visited once (a set of
 *   offsets: a cycle or a shared child is a lost range the second time)
 *   and the depth is bounded by PF_BT_MAX_DEPTH.
 */
#include <stdlib.h>
#include <string.h>

#include "../../formats/util/pf_grow.h"
#include "ndb_int.h"

struct walk_ctx {
	struct rp *r;
	struct rp_walk *w;
	struct pf_set seen;
	const char *name;
};

static int lose(struct walk_ctx *c, uint64_t lo, uint64_t hi,
		const struct pf_bref *bref, const char *why)
{
	struct rp_walk *w = c->w;

	if (lo >= hi)
		return 0;
	rp_note_item(c->r, "%s page 0x%llx at 0x%llx is unusable (%s): keys "
		     "0x%llx-0x%llx are looked for on scavenged pages",
		     c->name, (unsigned long long)bref->bid,
		     (unsigned long long)bref->ib, why,
		     (unsigned long long)lo,
		     hi == UINT64_MAX ? 0xFFFFFFFFFFFFFFFFull :
					(unsigned long long)(hi - 1));
	if (pf_grow(&w->lost, w->nlost, &w->cap_lost, sizeof(*w->lost)) != 0)
		return PF_E_NOMEM;
	w->lost[w->nlost++] = (struct rp_range){ lo, hi };
	return 0;
}

static uint64_t key_of(const struct rp_walk *w, uint64_t k)
{
	return w->obj == PF_OBJ_NBT ? (uint32_t)k : k & ~(uint64_t)1;
}

static int add_leaf(struct walk_ctx *c, const struct pf_btpage *bt,
		    uint64_t lo, uint64_t hi)
{
	const struct pf_layout *l = c->r->l;
	struct rp_walk *w = c->w;

	for (uint32_t i = 0; i < bt->cent; i++) {
		struct pf_nbt_entry ne;
		struct pf_bbt_entry be;
		uint64_t k;

		if (w->obj == PF_OBJ_NBT) {
			pf_nbt_entry_get(l, bt, i, &ne);
			k = key_of(w, ne.nid);
		} else {
			pf_bbt_entry_get(l, bt, i, &be);
			k = key_of(w, be.bref.bid);
		}
		if (k < lo || k >= hi)
			continue;
		if (pf_grow(w->obj == PF_OBJ_NBT ? (void *)&w->nbt :
			    (void *)&w->bbt, w->n, &w->cap,
			    w->obj == PF_OBJ_NBT ? sizeof(ne) : sizeof(be)))
			return PF_E_NOMEM;
		if (w->obj == PF_OBJ_NBT)
			w->nbt[w->n++] = ne;
		else
			w->bbt[w->n++] = be;
	}
	return 0;
}

/* Read the page BREF names and say why it cannot be used, or NULL. */
static const char *load(struct walk_ctx *c, const struct pf_bref *bref,
			uint8_t *page, struct pf_btpage *bt)
{
	const struct pf_layout *l = c->r->l;
	uint8_t want = c->w->obj == PF_OBJ_NBT ? PF_PTYPE_NBT : PF_PTYPE_BBT;
	struct pf_page_trailer t;
	uint8_t ptype;

	if (bref->ib % l->page_size != 0 || bref->ib < l->amap_first ||
	    pf_ndb_pread(c->r->ndb, bref->ib, page, l->page_size) != 0)
		return "not a page of the file";
	if (!pf_page_self_valid(l, page, bref->ib, &ptype) || ptype != want)
		return "trailer does not validate";
	pf_page_trailer_get(l, page, &t);
	if (t.bid != bref->bid)
		return "BID mismatch";
	if (!pf_btpage_parse(l, page, bref->ib, c->w->obj, NULL, bt))
		return "bad BTPAGE metadata";
	return NULL;
}

static int walk(struct walk_ctx *c, const struct pf_bref *bref,
		uint32_t want_level, uint64_t lo, uint64_t hi, int depth)
{
	uint8_t page[4096];
	struct pf_btpage bt;
	const char *why;
	int rc = pf_set_add(&c->seen, bref->ib);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return lose(c, lo, hi, bref, "reached twice");
	if (depth > PF_BT_MAX_DEPTH)
		return lose(c, lo, hi, bref, "too deep");
	why = load(c, bref, page, &bt);
	if (!why && want_level != UINT32_MAX && bt.level != want_level)
		why = "wrong cLevel";
	if (why)
		return lose(c, lo, hi, bref, why);
	rc = pf_set_add(&c->w->pages, bref->ib);
	if (rc < 0 || pf_grow(&c->w->pv, c->w->npages, &c->w->cap_pv,
			      sizeof(*c->w->pv)) != 0)
		return PF_E_NOMEM;
	c->w->pv[c->w->npages++] = *bref;
	if (bt.level == 0)
		return add_leaf(c, &bt, lo, hi);
	for (uint32_t i = 0; i < bt.cent; i++) {
		struct pf_bt_branch br, next;
		uint64_t clo, chi = hi;

		pf_bt_branch_get(c->r->l, &bt, i, &br);
		clo = i == 0 ? lo : key_of(c->w, br.key);
		if (i + 1 < bt.cent) {
			pf_bt_branch_get(c->r->l, &bt, i + 1, &next);
			chi = key_of(c->w, next.key);
		}
		clo = clo < lo ? lo : clo;
		chi = chi > hi ? hi : chi;
		if (clo >= chi)
			continue;      /* keys out of order: nothing here */
		rc = walk(c, &br.bref, bt.level - 1, clo, chi, depth + 1);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int rp_walk_tree(struct rp *r, enum pf_obj obj, struct rp_walk *out)
{
	const struct pf_root *root = &r->hdr.root;
	struct walk_ctx c = {
		.r = r, .w = out, .name = obj == PF_OBJ_NBT ? "NBT" : "BBT",
	};
	int rc;

	memset(out, 0, sizeof(*out));
	out->obj = obj;
	if (!pf_ndb_header_ok(r->ndb)) {      /* no ROOT to start from */
		out->lost = malloc(sizeof(*out->lost));
		if (!out->lost)
			return pf_error_set(PF_E_NOMEM, "out of memory");
		out->lost[0] = (struct rp_range){ 0, UINT64_MAX };
		out->nlost = out->cap_lost = 1;
		return 0;
	}
	rc = walk(&c, obj == PF_OBJ_NBT ? &root->nbt : &root->bbt,
		  UINT32_MAX, 0, UINT64_MAX, 0);
	out->root_ok = out->npages > 0;
	pf_set_free(&c.seen);
	if (rc == PF_E_NOMEM)
		rc = pf_error_set(PF_E_NOMEM, "out of memory");
	return rc;
}

void rp_walk_free(struct rp_walk *w)
{
	free(w->nbt);
	free(w->bbt);
	free(w->lost);
	free(w->pv);
	pf_set_free(&w->pages);
	memset(w, 0, sizeof(*w));
}

bool rp_walk_lost(const struct rp_walk *w, uint64_t key)
{
	for (size_t i = 0; i < w->nlost; i++)
		if (key >= w->lost[i].lo && key < w->lost[i].hi)
			return true;
	return false;
}
