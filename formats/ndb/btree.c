/*
 * btree.c - lookups and in-order walks over the NBT and BBT
 * (MS-PST 2.2.2.7.7) for readers.
 *
 * Contract: a lookup descends from the ROOT BREF; each level must be one
 * less than its parent's, so a descent ends after at most PF_BT_MAX_DEPTH
 * pages even when pages point at each other.  Pages are validated enough to
 * walk them (type, BID, cEnt bounds); the full per-page rules and the
 * reporting live in pstfix/check.  BIDs are compared with bit 0 cleared
 * (MS-PST 2.2.2.2: that bit is reserved and must be ignored on lookup).
 * A BBT index the caller installed (pf_ndb_set_bbt_index) answers BBT
 * lookups instead of the pages; the NBT is always read.
 */
#include <stdlib.h>

#include "../util/pf_set.h"
#include "ndb_internal.h"

#define BID_KEY(b) ((b) & ~(uint64_t)1)

/* Read and minimally check one page of a tree. */
static int load_page(struct pf_ndb *ndb, const struct pf_bref *bref,
		     enum pf_obj obj, uint8_t *buf, struct pf_btpage *bt)
{
	const struct pf_layout *l = &ndb->layout;
	uint8_t ptype = obj == PF_OBJ_NBT ? PF_PTYPE_NBT : PF_PTYPE_BBT;
	int rc = pf_page_read(ndb, bref->ib, buf);

	if (rc != 0)
		return rc;
	if (!pf_page_check(l, buf, bref->ib, ptype, bref->bid, obj, NULL) ||
	    !pf_btpage_parse(l, buf, bref->ib, obj, NULL, bt))
		return pf_error_set(PF_E_CORRUPT,
				    "%s page at 0x%llx (bid 0x%llx) is unusable",
				    obj == PF_OBJ_NBT ? "NBT" : "BBT",
				    (unsigned long long)bref->ib,
				    (unsigned long long)bref->bid);
	return 0;
}

/* Index of the last branch entry whose key <= key, or -1. */
static int branch_slot(const struct pf_layout *l, const struct pf_btpage *bt,
		       uint64_t key, bool is_bid)
{
	struct pf_bt_branch br;
	int lo = 0, hi = (int)bt->cent - 1, found = -1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		uint64_t k;

		pf_bt_branch_get(l, bt, (uint32_t)mid, &br);
		k = is_bid ? BID_KEY(br.key) : (uint32_t)br.key;
		if (k <= key) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

static int not_found(enum pf_obj obj, uint64_t key)
{
	return pf_error_set(PF_E_NOTFOUND, "%s 0x%llx is not in the %s",
			    obj == PF_OBJ_NBT ? "NID" : "BID",
			    (unsigned long long)key,
			    obj == PF_OBJ_NBT ? "NBT" : "BBT");
}

/* Descend to the leaf page that would hold KEY; leaves it in BUF/BT. */
static int descend(struct pf_ndb *ndb, enum pf_obj obj, uint64_t key,
		   uint8_t *buf, struct pf_btpage *bt)
{
	const struct pf_root *root = &ndb->header.root;
	struct pf_bref bref = obj == PF_OBJ_NBT ? root->nbt : root->bbt;
	uint32_t want_level = UINT32_MAX;

	for (int depth = 0; depth <= PF_BT_MAX_DEPTH; depth++) {
		struct pf_bt_branch br;
		int slot, rc = load_page(ndb, &bref, obj, buf, bt);

		if (rc != 0)
			return rc;
		if (want_level != UINT32_MAX && bt->level != want_level)
			return pf_error_set(PF_E_CORRUPT,
					    "B-tree page at 0x%llx has level %u, "
					    "expected %u",
					    (unsigned long long)bref.ib,
					    bt->level, want_level);
		if (bt->level == 0)
			return 0;
		slot = branch_slot(&ndb->layout, bt, key, obj == PF_OBJ_BBT);
		if (slot < 0)
			return not_found(obj, key);
		pf_bt_branch_get(&ndb->layout, bt, (uint32_t)slot, &br);
		bref = br.bref;
		want_level = bt->level - 1;
	}
	return pf_error_set(PF_E_CORRUPT, "B-tree deeper than %d levels",
			    PF_BT_MAX_DEPTH);
}

/* The leaf entry of OBJ's tree whose key is KEY (a NID, or a BID with
 * bit 0 cleared), decoded into OUT_NBT or OUT_BBT.  The page lives on the
 * stack: lookups are the reader's hot path. */
static int lookup(struct pf_ndb *ndb, enum pf_obj obj, uint64_t key,
		  struct pf_nbt_entry *out_nbt, struct pf_bbt_entry *out_bbt)
{
	uint8_t buf[4096];   /* the largest page (4K OST) */
	struct pf_btpage bt;
	int rc;

	if (obj == PF_OBJ_BBT && ndb->bbt_index) {
		rc = ndb->bbt_index(ndb->bbt_index_ctx, key, out_bbt);
		if (rc != PF_E_NOTFOUND)
			return rc;
		return not_found(obj, key);
	}
	rc = descend(ndb, obj, key, buf, &bt);
	if (rc != 0)
		return rc;
	for (uint32_t i = 0; i < bt.cent; i++) {
		if (obj == PF_OBJ_NBT) {
			pf_nbt_entry_get(&ndb->layout, &bt, i, out_nbt);
			if ((uint32_t)out_nbt->nid == key)
				return 0;
		} else {
			pf_bbt_entry_get(&ndb->layout, &bt, i, out_bbt);
			if (BID_KEY(out_bbt->bref.bid) == key)
				return 0;
		}
	}
	return not_found(obj, key);
}

int pf_nbt_lookup(struct pf_ndb *ndb, uint32_t nid, struct pf_nbt_entry *out)
{
	return lookup(ndb, PF_OBJ_NBT, nid, out, NULL);
}

int pf_bbt_lookup(struct pf_ndb *ndb, uint64_t bid, struct pf_bbt_entry *out)
{
	return lookup(ndb, PF_OBJ_BBT, BID_KEY(bid), NULL, out);
}

void pf_ndb_set_bbt_index(struct pf_ndb *ndb, pf_bbt_index_fn fn, void *ctx)
{
	ndb->bbt_index = fn;
	ndb->bbt_index_ctx = ctx;
}

/* In-order walk of one tree.  Levels strictly decrease, so recursion
 * depth is bounded by the root's level (itself bounded), and a page
 * reached twice ends the walk (a DAG of pages would otherwise be walked
 * once per path). */
struct walk {
	enum pf_obj obj;
	pf_nbt_visit_fn nbt;
	pf_bbt_visit_fn bbt;
	pf_bt_page_fn page;
	void *ctx;
	struct pf_set seen;     /* page offsets */
};

static int visit_leaf(struct pf_ndb *ndb, const struct walk *wk,
		      const struct pf_btpage *bt, uint32_t i)
{
	if (wk->obj == PF_OBJ_NBT) {
		struct pf_nbt_entry e;

		pf_nbt_entry_get(&ndb->layout, bt, i, &e);
		return wk->nbt(wk->ctx, &e);
	} else {
		struct pf_bbt_entry e;

		pf_bbt_entry_get(&ndb->layout, bt, i, &e);
		return wk->bbt(wk->ctx, &e);
	}
}

static int walk_tree(struct pf_ndb *ndb, struct walk *wk,
		     const struct pf_bref *bref, uint32_t want_level)
{
	const char *name = wk->obj == PF_OBJ_NBT ? "NBT" : "BBT";
	uint8_t *buf;
	struct pf_btpage bt;
	int rc = pf_set_add(&wk->seen, bref->ib);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return pf_error_set(PF_E_CORRUPT, "%s page at 0x%llx is "
				    "reached twice", name,
				    (unsigned long long)bref->ib);
	buf = malloc(ndb->layout.page_size);
	if (!buf)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	rc = load_page(ndb, bref, wk->obj, buf, &bt);
	if (rc == 0 && want_level != UINT32_MAX && bt.level != want_level)
		rc = pf_error_set(PF_E_CORRUPT, "%s page level mismatch",
				  name);
	if (rc == 0 && wk->page)
		rc = wk->page(wk->ctx, bref, bt.level);
	for (uint32_t i = 0; rc == 0 && i < bt.cent; i++) {
		if (!wk->nbt && !wk->bbt && bt.level == 0)
			break;
		if (bt.level == 0) {
			rc = visit_leaf(ndb, wk, &bt, i);
		} else {
			struct pf_bt_branch br;

			pf_bt_branch_get(&ndb->layout, &bt, i, &br);
			rc = walk_tree(ndb, wk, &br.bref, bt.level - 1);
		}
	}
	free(buf);
	return rc;
}

static int walk_root(struct pf_ndb *ndb, struct walk *wk)
{
	const struct pf_root *r = &ndb->header.root;
	int rc = walk_tree(ndb, wk, wk->obj == PF_OBJ_NBT ? &r->nbt : &r->bbt,
			   UINT32_MAX);

	pf_set_free(&wk->seen);
	return rc;
}

int pf_nbt_foreach(struct pf_ndb *ndb, pf_nbt_visit_fn fn, void *ctx)
{
	struct walk wk = { .obj = PF_OBJ_NBT, .nbt = fn, .ctx = ctx };

	return walk_root(ndb, &wk);
}

int pf_bbt_foreach(struct pf_ndb *ndb, pf_bbt_visit_fn fn, void *ctx)
{
	struct walk wk = { .obj = PF_OBJ_BBT, .bbt = fn, .ctx = ctx };

	return walk_root(ndb, &wk);
}

int pf_bt_foreach_page(struct pf_ndb *ndb, enum pf_obj obj,
		       pf_bt_page_fn fn, void *ctx)
{
	struct walk wk = { .obj = obj, .page = fn, .ctx = ctx };

	return walk_root(ndb, &wk);
}
