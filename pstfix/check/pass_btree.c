/*
 * pass_btree.c - passes 3 and 4: every page of the BBT and the NBT
 * (MS-PST 2.2.2.7.7), and the entries they hold.
 *
 * Checks per page: inside the file and page aligned, the trailer (ptype,
 * ptypeRepeat, BID against the parent's BREF, wSig, CRC), cEnt/cEntMax/
 * cbEnt, cLevel one below the parent's, dwPadding zero (Unicode), keys
 * strictly ascending, the first key equal to the parent entry's key
 * (scanpst's "btkeyMin mismatch"), and that no page is reached twice (a
 * visited set: a cycle ends here).
 * Per entry: duplicate BIDs/NIDs; NBT bidData/bidSub present in the BBT
 * ("Data block not found in BBT"); bidSub internal; NID types defined.
 * Collects: ck->blocks (BBT leaves) and ck->nodes (NBT leaves), sorted;
 * when the BBT is sound, hands ck->blocks to the reader as its BBT index.
 * Relies on: pass 1 (ck->eof).
 */
#include <stdlib.h>

#include "../../formats/util/pf_grow.h"
#include "../../formats/util/pf_le.h"
#include "../../formats/util/pf_set.h"
#include "ck.h"


struct walk {
	struct pf_ck *ck;
	enum pf_obj obj;
	struct pf_set visited;
	size_t cap;                 /* of ck->blocks or ck->nodes */
	uint8_t *page;
	bool lost;                  /* a page below the root was unusable */
};

static uint16_t code_base(enum pf_obj obj)
{
	return obj == PF_OBJ_BBT ? 3000 : 4000;
}

static int push_node(struct walk *w, const struct pf_nbt_entry *e)
{
	struct pf_ck *ck = w->ck;

	if (pf_grow(&ck->nodes, ck->nnodes, &w->cap,
		    sizeof(*ck->nodes)) != 0)
		return PF_E_NOMEM;
	ck->nodes[ck->nnodes++] = (struct pf_node_rec){
		.nid = (uint32_t)e->nid, .nid_parent = e->nid_parent,
		.bid_data = e->bid_data, .bid_sub = e->bid_sub,
	};
	return 0;
}

/* The key of entry I, whatever the page level (BIDs compare without bit 0,
 * NIDs on their 32 bits). */
static uint64_t entry_key(const struct walk *w, const struct pf_btpage *bt,
			  uint32_t i)
{
	const struct pf_layout *l = w->ck->l;

	if (bt->level > 0) {
		struct pf_bt_branch br;

		pf_bt_branch_get(l, bt, i, &br);
		return w->obj == PF_OBJ_BBT ? br.key & ~(uint64_t)1 :
					      (uint32_t)br.key;
	}
	if (w->obj == PF_OBJ_BBT) {
		struct pf_bbt_entry e;

		pf_bbt_entry_get(l, bt, i, &e);
		return e.bref.bid & ~(uint64_t)1;
	} else {
		struct pf_nbt_entry e;

		pf_nbt_entry_get(l, bt, i, &e);
		return (uint32_t)e.nid;
	}
}

/* Is BREF a place a page can be?  Reports why not. */
static bool page_in_file(struct walk *w, const struct pf_bref *bref)
{
	struct pf_ck *ck = w->ck;
	struct pf_fault f = { .obj = w->obj, .ib = bref->ib, .bid = bref->bid,
			      .field = "ib", .got = bref->ib, .want = ck->eof };

	if (bref->ib % ck->l->page_size != 0) {
		ck_report(ck, code_base(w->obj) + 13, &f, NULL);
		return false;
	}
	if (bref->ib < ck->l->amap_first ||
	    bref->ib + ck->l->page_size > ck->eof) {
		ck_report(ck, code_base(w->obj) + 12, &f, NULL);
		return false;
	}
	return true;
}

static void check_keys(struct walk *w, const struct pf_btpage *bt,
		       uint64_t ib, bool has_min, uint64_t min_key)
{
	uint64_t prev = 0;

	for (uint32_t i = 0; i < bt->cent; i++) {
		uint64_t k = entry_key(w, bt, i);

		if (i == 0 && has_min && k != min_key)
			ck_problem(w->ck, code_base(w->obj) + 10, ib, 0, 0, k,
				   min_key, NULL);
		if (i > 0 && k <= prev)
			ck_problem(w->ck, code_base(w->obj) + 9, ib, 0, 0, k,
				   prev, NULL);
		prev = k;
	}
}

static int walk_page(struct walk *w, const struct pf_bref *bref,
		     int want_level, bool has_min, uint64_t min_key);

/* MS-PST 2.2.2.7.7.1: the Unicode BTPAGE ends its metadata with dwPadding,
 * which MUST be zero (it is on every page of every Unicode corpus file;
 * the entry padding, by contrast, is often not).  The CRC covers it, so
 * a nonzero value was written with the page: the page is suspect, but
 * usable. */
static void check_padding(struct walk *w, const uint8_t *page,
			  const struct pf_bref *bref)
{
	const struct pf_layout *l = w->ck->l;
	struct pf_fault f = { .ib = bref->ib, .bid = bref->bid,
			      .field = "dwPadding" };

	if (l->page_size != 512 || l->bid_size != 8)
		return;
	f.got = pf_le32(page + l->bt_entries + 4);
	if (f.got != 0)
		ck_report(w->ck, code_base(w->obj) + 14, &f, NULL);
}

/* MS-PST 2.2.2.7.7.1: a child page's cLevel is its parent's minus one.
 * Checked before the entry sizes: cbEnt and cEntMax depend on the level
 * the page claims (an NBT leaf entry is wider than a branch entry), so a
 * wrong cLevel would otherwise show as a wrong cbEnt and cEntMax. */
static bool level_ok(struct walk *w, const uint8_t *page,
		     const struct pf_bref *bref, int want_level)
{
	struct pf_btpage bt;
	struct pf_fault f = { .ib = bref->ib, .bid = bref->bid,
			      .want = (uint64_t)want_level };

	pf_btpage_parse(w->ck->l, page, bref->ib, w->obj, NULL, &bt);
	if (want_level < 0 || bt.level == (uint32_t)want_level)
		return true;
	f.got = bt.level;
	ck_report(w->ck, code_base(w->obj) + 8, &f, NULL);
	return false;
}

static int visit_entries(struct walk *w, const struct pf_btpage *bt)
{
	const struct pf_layout *l = w->ck->l;
	int rc = 0;

	for (uint32_t i = 0; rc == 0 && i < bt->cent; i++) {
		if (bt->level > 0) {
			struct pf_bt_branch br;

			pf_bt_branch_get(l, bt, i, &br);
			rc = walk_page(w, &br.bref, (int)bt->level - 1, true,
				       entry_key(w, bt, i));
			if (rc == 0)
				w->lost = true;   /* not fatal: go on */
			if (rc > 0)
				rc = 0;
		} else if (w->obj == PF_OBJ_BBT) {
			struct pf_bbt_entry e;

			pf_bbt_entry_get(l, bt, i, &e);
			rc = ck_push_block(w->ck, &e, &w->cap);
		} else {
			struct pf_nbt_entry e;

			pf_nbt_entry_get(l, bt, i, &e);
			rc = push_node(w, &e);
		}
	}
	return rc;
}

/* Returns 1 when the page was usable, 0 when it was not, or PF_E_NOMEM. */
static int walk_page(struct walk *w, const struct pf_bref *bref,
		     int want_level, bool has_min, uint64_t min_key)
{
	struct pf_ck *ck = w->ck;
	uint8_t ptype = w->obj == PF_OBJ_BBT ? PF_PTYPE_BBT : PF_PTYPE_NBT;
	struct pf_btpage bt;
	uint8_t *page;
	int rc;

	if (!page_in_file(w, bref))
		return 0;
	rc = pf_set_add(&w->visited, bref->ib);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		ck_problem(ck, code_base(w->obj) + 11, bref->ib, bref->bid, 0,
			   bref->ib, 0, NULL);
		return 0;
	}
	page = malloc(ck->l->page_size);
	if (!page)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	rc = pf_ndb_pread(ck->ndb, bref->ib, page, ck->l->page_size);
	if (rc != 0 ||
	    !pf_page_check(ck->l, page, bref->ib, ptype, bref->bid, w->obj,
			   &ck->sink) ||
	    !level_ok(w, page, bref, want_level) ||
	    !pf_btpage_parse(ck->l, page, bref->ib, w->obj, &ck->sink, &bt)) {
		free(page);
		return 0;
	}
	ck->sum->pages++;
	ck_claim(ck, bref->ib, ck->l->page_size,
		 w->obj == PF_OBJ_BBT ? "BBT page" : "NBT page");
	if ((bref->bid & ~(uint64_t)1) > ck->max_page_bid)
		ck->max_page_bid = bref->bid & ~(uint64_t)1;
	check_padding(w, page, bref);
	check_keys(w, &bt, bref->ib, has_min, min_key);
	rc = visit_entries(w, &bt);
	free(page);
	return rc < 0 ? rc : 1;
}

/* Returns whether the root was usable; *complete says whether every page
 * below it was too. */
static bool walk_tree(struct pf_ck *ck, enum pf_obj obj, bool *complete)
{
	const struct pf_root *r = &ck->h->root;
	struct walk w = { .ck = ck, .obj = obj };
	int rc = walk_page(&w, obj == PF_OBJ_BBT ? &r->bbt : &r->nbt, -1,
			   false, 0);

	pf_set_free(&w.visited);
	*complete = rc == 1 && !w.lost;
	if (rc < 0) {
		ck_problem(ck, obj == PF_OBJ_BBT ? 3021 : 4021, PF_NO_IB, 0, 0,
			   0, 0, pf_error_msg());
		return false;
	}
	if (rc == 0)
		ck_problem(ck, obj == PF_OBJ_BBT ? 3021 : 4021,
			   obj == PF_OBJ_BBT ? r->bbt.ib : r->nbt.ib,
			   obj == PF_OBJ_BBT ? r->bbt.bid : r->nbt.bid, 0, 0, 0,
			   "see the findings above");
	return rc == 1;
}

static uint64_t findings_so_far(const struct pf_ck *ck)
{
	return ck->sum->findings[0] + ck->sum->findings[1] +
	       ck->sum->findings[2];
}

/* The leaves as walked, strictly ascending (before the sort). */
static bool keys_ascend(const struct pf_ck *ck)
{
	for (size_t i = 1; i < ck->nblocks; i++)
		if ((ck->blocks[i - 1].bid & ~(uint64_t)1) >=
		    (ck->blocks[i].bid & ~(uint64_t)1))
			return false;
	return true;
}

static int bbt_index(void *ctx, uint64_t bid, struct pf_bbt_entry *out)
{
	const struct pf_ck *ck = ctx;
	const struct pf_block_rec *b = ck_block(ck, bid);

	if (!b)
		return PF_E_NOTFOUND;
	ck_bbt_entry(ck, b, out);
	return 0;
}

/* A BBT walked without a single finding, every page usable and the
 * leaves strictly ascending is a search tree whose descent finds exactly
 * the entries in ck->blocks: each branch entry's key is its child's first
 * key (PF3010) and the subtrees do not overlap, so the readers of passes
 * 6 and 7 may look BIDs up there instead of in the pages. */
void pass_bbt(struct pf_ck *ck)
{
	uint64_t before = findings_so_far(ck);
	bool sound;

	ck_progress(ck, PF_PASS_BBT, 0, 1);
	ck->bbt_ok = walk_tree(ck, PF_OBJ_BBT, &ck->bbt_complete);
	sound = ck->bbt_complete && findings_so_far(ck) == before &&
		keys_ascend(ck);
	ck_sort_blocks(ck);
	for (size_t i = 1; i < ck->nblocks; i++) {
		const struct pf_block_rec *a = &ck->blocks[i - 1];
		const struct pf_block_rec *b = &ck->blocks[i];

		if ((a->bid & ~(uint64_t)1) == (b->bid & ~(uint64_t)1))
			ck_problem(ck, 3020, b->ib, b->bid, 0, b->bid, 0, NULL);
	}
	ck->sum->blocks = (uint32_t)ck->nblocks;
	if (sound)
		pf_ndb_set_bbt_index(ck->ndb, bbt_index, ck);
}

/* MS-PST 2.2.2.1: NID types 0x00-0x08, 0x0A-0x13 and 0x1F are defined. */
static bool nid_type_defined(uint32_t nid)
{
	unsigned t = PF_NID_TYPE(nid);

	return (t <= 0x13 && t != 0x09) || t == 0x1F;
}

static void check_node_refs(struct pf_ck *ck, const struct pf_node_rec *n)
{
	if (!nid_type_defined(n->nid))
		ck_problem(ck, 4024, PF_NO_IB, 0, n->nid, PF_NID_TYPE(n->nid), 0,
			   NULL);
	if (!ck->bbt_complete)
		return;   /* the BBT is partial: absence proves nothing */
	if (n->bid_data && !ck_block(ck, n->bid_data))
		ck_problem(ck, 4022, PF_NO_IB, n->bid_data, n->nid,
			   n->bid_data, 0, NULL);
	if (n->bid_sub && !ck_block(ck, n->bid_sub))
		ck_problem(ck, 4023, PF_NO_IB, n->bid_sub, n->nid, n->bid_sub,
			   0, NULL);
	if (n->bid_sub && !(n->bid_sub & PF_BID_INTERNAL)) {
		struct pf_fault f = { .ib = PF_NO_IB, .bid = n->bid_sub,
				      .nid = n->nid, .field = "bidSub",
				      .got = n->bid_sub };

		ck_report(ck, 4025, &f, "external (data)");
	}
}

void pass_nbt(struct pf_ck *ck)
{
	ck_progress(ck, PF_PASS_NBT, 0, 1);
	ck->nbt_ok = walk_tree(ck, PF_OBJ_NBT, &ck->nbt_complete);
	ck_sort_nodes(ck);
	for (size_t i = 0; i < ck->nnodes; i++) {
		if (i > 0 && ck->nodes[i - 1].nid == ck->nodes[i].nid)
			ck_problem(ck, 4020, PF_NO_IB, 0, ck->nodes[i].nid,
				   ck->nodes[i].nid, 0, NULL);
		check_node_refs(ck, &ck->nodes[i]);
	}
	ck->sum->nodes = (uint32_t)ck->nnodes;
}
