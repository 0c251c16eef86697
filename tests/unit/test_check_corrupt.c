/*
 * test_check_corrupt.c - the golden corruption matrix at the file level:
 * pf_check_file() on copies of real files, each with one corruption.
 *
 * Covers, for pstsdk-sample1.pst (Unicode) and pstsdk-sample2-ansi.pst
 * (ANSI), each copied with mkstemp into a scratch directory under /tmp:
 * - the pristine copy: rc 0, no error-severity finding (warnings and info
 *   allowed), pages / blocks / nodes counted;
 * - one corruption per case, offsets computed from the file's own
 *   structures through pf_ndb.h (ROOT BREFs from pf_ndb_header(), leaf
 *   pages found by walking, blocks via pf_nbt_lookup / pf_bbt_lookup),
 *   with the header CRCs recomputed after every header edit and page CRCs
 *   (and wSig) recomputed after every page edit, so the intended problem
 *   is the one that shows.  Each case asserts the problem codes that must
 *   appear; "only" cases also that no other error-severity code appears;
 *   "once" cases that the one fault is reported once (not again by a
 *   later pass that meets the same block); "none" that the same fault is
 *   not reported under a second code.  Every case also asserts that no
 *   finding's reason (%S, from pf_error_msg()) came out empty:
 *     header: CRC bytes (1001), a covered byte (1001), bSentinel (1003),
 *       bCryptMethod (1003), wMagicClient (1002; "AB" -> 1004 warning),
 *       fAMapValid 0/1/7 (1015 / 1016 warning / 1017), ibFileEof past
 *       the end (1012), trailing bytes (1013 warning), ibAMapLast (1010),
 *       a ROOT BREF unaligned (1014) or past the end (1011), truncation
 *       (1012, and no crash);
 *     trees: ROOT BREF bid one BID step off (3003+3021 / 4003+4021), root
 *       page zeroed (3001 / 4001), leaf page zeroed (3001 / 4001), a byte
 *       of page slack flipped (3005 / 4005), a branch entry pointing at
 *       its own page (3011 or 3008 / 4011 or 4008, in bounded time), two
 *       branch entries sharing a child (3011 / 4011), leaf entries swapped
 *       (3009 / 4009), a parent key changed (3010 / 4010), a leaf's
 *       cLevel (3008), cEnt (3007), cbEnt (4006), a BID listed twice
 *       (3020), a NID listed twice (4020);
 *     blocks: a data byte (5001), trailer bid (5003), wSig (5002), cb
 *       (5004), BBT cRef (5030), BBT entry ib unaligned (5006) or past
 *       the end (5005), NBT bidData not in the BBT (4022), an external
 *       bidSub (4025);
 *     messaging: a mandatory node's NBT entry removed (7001);
 *     allocation: AMap bits of a used block cleared (2050), an AMap byte
 *       without its CRC (2005), AMap ptype (2001);
 * - pf_check_file() refuses a file cut inside the header (PF_E_NOTPST) and
 *   a missing file (PF_E_IO);
 * - the per-code cap (opts.max_per_code): counts are unchanged, at most
 *   the cap is delivered per code, the rest in PF9001 lines.
 * Skipped (with "SKIP: ../shared/corpus absent") when the corpus is not
 * there.  Some codes come from passes still being written (pass_ltp,
 * pass_msg); a case failing for that reason is kept, not weakened.
 */
#include <check.h>

#include "tutil.h"

static char tmpdir[64];

struct sample {
	const char *name;
	bool ansi;
};

static const struct sample samples[] = {
	{ "pstsdk-sample1.pst", false },
	{ "pstsdk-sample2-ansi.pst", true },
};
#define NSAMPLES 2

/* One corruption being applied. */
struct ctx {
	const struct sample *s;
	char path[256];
	struct pf_ndb *ndb;          /* on the copy, before any change */
	const struct pf_layout *l;
	const struct pf_header *h;
	struct tu_hdr_layout hl;
	uint64_t size;
};

/* ---- helpers ---- */

static void must(int rc, const char *what)
{
	ck_assert_msg(rc == 0, "%s failed", what);
}

static void read_page(struct ctx *c, uint64_t ib, uint8_t *page)
{
	must(tu_read_at(c->path, ib, page, c->l->page_size), "read page");
}

/* Write a page back with wSig and CRC recomputed. */
static void write_page_fixed(struct ctx *c, uint64_t ib, uint8_t *page)
{
	tu_page_fix(c->l, page, ib);
	must(tu_write_at(c->path, ib, page, c->l->page_size), "write page");
}

static void set_root(struct ctx *c, enum tu_root_field f, uint64_t v)
{
	unsigned w = f == TU_ROOT_AMAP_VALID ? 1 : c->hl.w;

	must(tu_header_set(c->path, tu_root_off(&c->hl, f), w, v),
	     "header edit");
}

static void zero_page(struct ctx *c, uint64_t ib)
{
	uint8_t zero[4096] = { 0 };

	must(tu_write_at(c->path, ib, zero, c->l->page_size), "zero page");
}

static struct tu_loc find_leaf(struct ctx *c, enum pf_obj obj, uint64_t key)
{
	struct tu_loc loc;

	ck_assert_msg(tu_find_leaf(c->ndb, obj, key, &loc) == 0,
		      "%s: key 0x%" PRIx64 " not found in the %s", c->s->name,
		      key, obj == PF_OBJ_NBT ? "NBT" : "BBT");
	return loc;
}

/* The metadata of the B-tree page at IB. */
static struct pf_btpage page_meta(struct ctx *c, uint8_t *page, uint64_t ib,
				  enum pf_obj obj)
{
	struct pf_btpage bt;

	read_page(c, ib, page);
	ck_assert(pf_btpage_parse(c->l, page, ib, obj, NULL, &bt));
	return bt;
}

/* The store's (NID 0x21) data block. */
static struct pf_bbt_entry store_block(struct ctx *c)
{
	struct pf_nbt_entry ne;
	struct pf_bbt_entry be;

	must(pf_nbt_lookup(c->ndb, 0x21, &ne), "NBT lookup 0x21");
	must(pf_bbt_lookup(c->ndb, ne.bid_data, &be), "BBT lookup");
	ck_assert_uint_eq(be.bref.bid & PF_BID_INTERNAL, 0);
	ck_assert_uint_ge(be.cb, 16);
	return be;
}

static uint64_t block_trailer_ib(struct ctx *c, const struct pf_bbt_entry *e)
{
	return e->bref.ib + pf_block_size(c->l, e->cb) - c->l->block_trailer;
}

static uint64_t tree_root(struct ctx *c, enum pf_obj obj, uint64_t *bid)
{
	const struct pf_bref *b = obj == PF_OBJ_NBT ? &c->h->root.nbt :
						      &c->h->root.bbt;

	if (bid)
		*bid = b->bid;
	return b->ib;
}

/* ---- header and ROOT ---- */

static void c_none(struct ctx *c)
{
	(void)c;
}

static void c_hdr_crc_partial(struct ctx *c)
{
	must(tu_xor_byte(c->path, 4, 0x01), "flip");
}

static void c_hdr_crc_full(struct ctx *c)
{
	must(tu_xor_byte(c->path, 524, 0x80), "flip");
}

static void c_hdr_covered_byte(struct ctx *c)
{
	must(tu_xor_byte(c->path, 16, 0x01), "flip");  /* dwReserved1 */
}

static void c_hdr_sentinel(struct ctx *c)
{
	must(tu_header_set(c->path, c->hl.sentinel, 1, 0x00), "edit");
}

static void c_hdr_crypt(struct ctx *c)
{
	must(tu_header_set(c->path, c->hl.crypt, 1, 0x03), "edit");
}

static void c_hdr_client(struct ctx *c)
{
	must(tu_header_set(c->path, 8, 2, 0x5858), "edit");   /* "XX" */
}

static void c_hdr_client_pab(struct ctx *c)
{
	must(tu_header_set(c->path, 8, 2, PF_MAGIC_CLIENT_PAB), "edit");
}

static void c_amap_invalid(struct ctx *c)
{
	set_root(c, TU_ROOT_AMAP_VALID, 0);
}

static void c_amap_valid1(struct ctx *c)
{
	set_root(c, TU_ROOT_AMAP_VALID, 1);
}

static void c_amap_flag7(struct ctx *c)
{
	set_root(c, TU_ROOT_AMAP_VALID, 7);
}

static void c_eof_big(struct ctx *c)
{
	set_root(c, TU_ROOT_FILE_EOF, c->size + 0x10000);
}

static void c_eof_padded(struct ctx *c)
{
	uint8_t zero[4096] = { 0 };

	for (int i = 0; i < 16; i++)
		must(tu_write_at(c->path, c->size + (uint64_t)i * 4096, zero,
				 sizeof(zero)), "append");
}

static void c_amap_last(struct ctx *c)
{
	set_root(c, TU_ROOT_AMAP_LAST, c->h->root.ib_amap_last +
				       c->l->amap_span);
}

static void c_nbt_bref_unaligned(struct ctx *c)
{
	set_root(c, TU_ROOT_NBT_IB, c->h->root.nbt.ib + 8);
}

static void c_bbt_bref_past_eof(struct ctx *c)
{
	set_root(c, TU_ROOT_BBT_IB, c->size + 0x1000);
}

static void c_truncate_half(struct ctx *c)
{
	must(truncate(c->path, (off_t)(c->size / 2)), "truncate");
}

static void c_truncate_odd(struct ctx *c)
{
	/* inside a tree page, not on any boundary */
	must(truncate(c->path, (off_t)(c->h->root.nbt.ib + 100)), "truncate");
}

/* ---- trees ---- */

/* One BID step (BIDs count in 4s; bit 0 is reserved). */
static void c_bbt_root_bid(struct ctx *c)
{
	set_root(c, TU_ROOT_BBT_BID, c->h->root.bbt.bid + 4);
}

static void c_nbt_root_bid(struct ctx *c)
{
	set_root(c, TU_ROOT_NBT_BID, c->h->root.nbt.bid + 4);
}

static void c_bbt_root_zero(struct ctx *c)
{
	zero_page(c, c->h->root.bbt.ib);
}

static void c_nbt_root_zero(struct ctx *c)
{
	zero_page(c, c->h->root.nbt.ib);
}

/* The leftmost leaf, or the root when the tree has one level. */
static void zero_leaf(struct ctx *c, enum pf_obj obj)
{
	struct tu_loc loc = find_leaf(c, obj, UINT64_MAX);

	if (loc.parent_ib == 0)
		printf("NOTE: %s: %s has one level; zeroing its root\n",
		       c->s->name, obj == PF_OBJ_NBT ? "NBT" : "BBT");
	zero_page(c, loc.page_ib);
}

static void c_bbt_leaf_zero(struct ctx *c)
{
	zero_leaf(c, PF_OBJ_BBT);
}

static void c_nbt_leaf_zero(struct ctx *c)
{
	zero_leaf(c, PF_OBJ_NBT);
}

/* Flip a byte the CRC covers but nothing reads: an unused entry slot. */
static void flip_slack(struct ctx *c, enum pf_obj obj)
{
	uint8_t page[4096];
	uint64_t ib = tree_root(c, obj, NULL);
	struct pf_btpage bt = page_meta(c, page, ib, obj);

	ck_assert_msg(bt.cent < bt.cent_max, "%s: root page is full",
		      c->s->name);
	must(tu_xor_byte(c->path, ib + (uint64_t)bt.cent * bt.cb_ent + 1,
			 0x10), "flip");
}

static void c_bbt_page_crc(struct ctx *c)
{
	flip_slack(c, PF_OBJ_BBT);
}

static void c_nbt_page_crc(struct ctx *c)
{
	flip_slack(c, PF_OBJ_NBT);
}

/* Point branch entry SLOT of the root at PAGE (its own page for a cycle).
 * A single-level tree is made two-level first (root level 1, its first
 * entry pointing to itself), as long as its entries have branch size. */
static void redirect_branch(struct ctx *c, enum pf_obj obj, uint32_t slot,
			    bool to_self)
{
	uint8_t page[4096];
	uint64_t bid, ib = tree_root(c, obj, &bid);
	struct pf_btpage bt = page_meta(c, page, ib, obj);
	struct tu_btmeta_at m = tu_btmeta_at(c->l);
	unsigned w = c->l->bid_size;
	uint8_t *e;

	if (bt.level == 0) {
		ck_assert_msg(bt.cb_ent == c->l->branch_cb && to_self,
			      "%s: single-level tree, entries not branch "
			      "sized", c->s->name);
		page[m.level] = 1;
		slot = 0;
	}
	ck_assert_uint_lt(slot, bt.cent);
	e = page + (size_t)slot * bt.cb_ent;
	if (to_self) {
		tu_put(e + w, w, bid);
		tu_put(e + 2 * w, w, ib);
	} else {     /* share entry 0's child */
		memcpy(e + w, page + w, 2 * w);
	}
	write_page_fixed(c, ib, page);
}

static void c_bbt_cycle(struct ctx *c)
{
	redirect_branch(c, PF_OBJ_BBT, 1, true);
}

static void c_nbt_cycle(struct ctx *c)
{
	redirect_branch(c, PF_OBJ_NBT, 1, true);
}

static void c_bbt_shared(struct ctx *c)
{
	redirect_branch(c, PF_OBJ_BBT, 1, false);
}

static void c_nbt_shared(struct ctx *c)
{
	redirect_branch(c, PF_OBJ_NBT, 1, false);
}

/* Swap entries 1 and 2 of the leftmost leaf (entry 0 stays, so the
 * parent's key still matches). */
static void swap_leaf_entries(struct ctx *c, enum pf_obj obj)
{
	struct tu_loc loc = find_leaf(c, obj, UINT64_MAX);
	uint8_t page[4096], tmp[64];
	struct pf_btpage bt = page_meta(c, page, loc.page_ib, obj);

	ck_assert_uint_ge(bt.cent, 3);
	memcpy(tmp, page + bt.cb_ent, bt.cb_ent);
	memcpy(page + bt.cb_ent, page + 2 * bt.cb_ent, bt.cb_ent);
	memcpy(page + 2 * bt.cb_ent, tmp, bt.cb_ent);
	write_page_fixed(c, loc.page_ib, page);
}

static void c_bbt_key_order(struct ctx *c)
{
	swap_leaf_entries(c, PF_OBJ_BBT);
}

static void c_nbt_key_order(struct ctx *c)
{
	swap_leaf_entries(c, PF_OBJ_NBT);
}

/* Raise the key of root entry 1 (still below entry 2's): the child's
 * first key no longer equals it. */
static void bump_parent_key(struct ctx *c, enum pf_obj obj)
{
	uint8_t page[4096];
	uint64_t ib = tree_root(c, obj, NULL);
	struct pf_btpage bt = page_meta(c, page, ib, obj);
	unsigned w = c->l->bid_size;
	uint8_t *e;

	ck_assert_uint_ge(bt.level, 1);
	ck_assert_uint_ge(bt.cent, 2);
	e = page + bt.cb_ent;
	tu_put(e, w, tu_get(e, w) + (obj == PF_OBJ_BBT ? 4 : 1));
	write_page_fixed(c, ib, page);
}

static void c_bbt_key_min(struct ctx *c)
{
	bump_parent_key(c, PF_OBJ_BBT);
}

static void c_nbt_key_min(struct ctx *c)
{
	bump_parent_key(c, PF_OBJ_NBT);
}

static void edit_leaf_meta(struct ctx *c, enum pf_obj obj, int field,
			   uint32_t v)
{
	struct tu_loc loc = find_leaf(c, obj, UINT64_MAX);
	struct tu_btmeta_at m = tu_btmeta_at(c->l);
	uint8_t page[4096];

	ck_assert_msg(loc.parent_ib != 0, "%s: needs a two-level tree",
		      c->s->name);
	read_page(c, loc.page_ib, page);
	switch (field) {
	case 0: page[m.level] = (uint8_t)v; break;
	case 1: tu_put(page + m.cent, m.cent_w, v); break;
	default: page[m.cb_ent] = (uint8_t)v; break;
	}
	write_page_fixed(c, loc.page_ib, page);
}

static void c_bbt_leaf_level(struct ctx *c)
{
	/* BBT leaf entries have the branch size in both layouts, so the
	 * page parses and only the level is wrong */
	ck_assert_uint_eq(c->l->bbt_leaf_cb, c->l->branch_cb);
	edit_leaf_meta(c, PF_OBJ_BBT, 0, 1);
}

static void c_bbt_leaf_cent(struct ctx *c)
{
	edit_leaf_meta(c, PF_OBJ_BBT, 1,
		       c->l->bt_entries / c->l->bbt_leaf_cb + 1);
}

static void c_nbt_leaf_cbent(struct ctx *c)
{
	edit_leaf_meta(c, PF_OBJ_NBT, 2, c->l->branch_cb);
}

/* Entry 2 of the leftmost leaf takes entry 1's key. */
static void dup_key(struct ctx *c, enum pf_obj obj)
{
	struct tu_loc loc = find_leaf(c, obj, UINT64_MAX);
	uint8_t page[4096];
	struct pf_btpage bt = page_meta(c, page, loc.page_ib, obj);
	unsigned w = c->l->bid_size;

	ck_assert_uint_ge(bt.cent, 3);
	memcpy(page + 2 * bt.cb_ent, page + bt.cb_ent, w);
	write_page_fixed(c, loc.page_ib, page);
}

static void c_bbt_dup_bid(struct ctx *c)
{
	dup_key(c, PF_OBJ_BBT);
}

static void c_nbt_dup_nid(struct ctx *c)
{
	dup_key(c, PF_OBJ_NBT);
}

/* ---- blocks ---- */

static void c_block_crc(struct ctx *c)
{
	struct pf_bbt_entry e = store_block(c);

	must(tu_xor_byte(c->path, e.bref.ib + 10, 0x04), "flip");
}

static void c_block_bid(struct ctx *c)
{
	struct pf_bbt_entry e = store_block(c);
	uint64_t t = block_trailer_ib(c, &e);
	uint64_t nb = e.bref.bid + 4;
	uint8_t b[8];

	tu_put(b, c->l->bid_size, nb);
	must(tu_write_at(c->path, t + (c->s->ansi ? 4 : 8), b,
			 c->l->bid_size), "write bid");
	pf_put16(b, pf_sig(e.bref.ib, nb));      /* wSig follows */
	must(tu_write_at(c->path, t + 2, b, 2), "write sig");
}

static void c_block_sig(struct ctx *c)
{
	struct pf_bbt_entry e = store_block(c);

	must(tu_xor_byte(c->path, block_trailer_ib(c, &e) + 2, 0x01), "flip");
}

static void c_block_cb(struct ctx *c)
{
	struct pf_bbt_entry e = store_block(c);

	must(tu_xor_byte(c->path, block_trailer_ib(c, &e), 0x01), "flip");
}

/* Edit the store block's BBT entry: FIELD 0 cRef, 1 ib. */
static void edit_bbt_entry(struct ctx *c, int field, uint64_t v)
{
	struct pf_bbt_entry e = store_block(c);
	struct tu_loc loc = find_leaf(c, PF_OBJ_BBT, e.bref.bid);
	uint8_t page[4096];
	struct pf_btpage bt = page_meta(c, page, loc.page_ib, PF_OBJ_BBT);
	uint8_t *p = page + (size_t)loc.index * bt.cb_ent;
	unsigned w = c->l->bid_size;

	if (field == 0)
		pf_put16(p + 2 * w + 2, (uint16_t)v);
	else
		tu_put(p + w, w, v);
	write_page_fixed(c, loc.page_ib, page);
}

static void c_bbt_cref(struct ctx *c)
{
	edit_bbt_entry(c, 0, store_block(c).cref + 1u);
}

static void c_bbt_entry_unaligned(struct ctx *c)
{
	edit_bbt_entry(c, 1, store_block(c).bref.ib + 8);
}

static void c_bbt_entry_past_eof(struct ctx *c)
{
	edit_bbt_entry(c, 1, c->size + 0x400);
}

/* Edit node NID's NBT entry: FIELD 1 bidData, 2 bidSub. */
static void edit_nbt_entry(struct ctx *c, uint32_t nid, int field, uint64_t v)
{
	struct tu_loc loc = find_leaf(c, PF_OBJ_NBT, nid);
	uint8_t page[4096];
	struct pf_btpage bt = page_meta(c, page, loc.page_ib, PF_OBJ_NBT);
	unsigned w = c->l->bid_size;

	tu_put(page + (size_t)loc.index * bt.cb_ent + (size_t)field * w, w, v);
	write_page_fixed(c, loc.page_ib, page);
}

static void c_nbt_data_missing(struct ctx *c)
{
	/* a BID far above any in use, in range for ANSI's 32 bits */
	edit_nbt_entry(c, 0x122, 1, 0x7FFFFF00u);
}

static void c_nbt_sub_external(struct ctx *c)
{
	struct pf_nbt_entry ne;

	must(pf_nbt_lookup(c->ndb, 0x21, &ne), "NBT lookup 0x21");
	ck_assert_uint_eq(ne.bid_sub, 0);
	edit_nbt_entry(c, 0x21, 2, ne.bid_data);
}

/* ---- messaging ---- */

/* Remove the search management queue (0x1E1, mandatory, no data) from
 * its leaf: shift the entries after it down, cEnt - 1, fix the CRC. */
static void c_remove_mandatory(struct ctx *c)
{
	struct tu_loc loc = find_leaf(c, PF_OBJ_NBT, 0x1E1);
	struct tu_btmeta_at m = tu_btmeta_at(c->l);
	uint8_t page[4096];
	struct pf_btpage bt = page_meta(c, page, loc.page_ib, PF_OBJ_NBT);
	size_t cb = bt.cb_ent;

	ck_assert_msg(loc.index > 0, "%s: 0x1E1 starts its leaf", c->s->name);
	memmove(page + loc.index * cb, page + (loc.index + 1) * cb,
		(bt.cent - loc.index - 1) * cb);
	memset(page + (bt.cent - 1) * cb, 0, cb);
	tu_put(page + m.cent, m.cent_w, bt.cent - 1);
	write_page_fixed(c, loc.page_ib, page);
}

/* ---- allocation maps ---- */

static void c_amap_free_in_use(struct ctx *c)
{
	struct pf_bbt_entry e = store_block(c);
	const struct pf_layout *l = c->l;
	uint64_t amap = l->amap_first + (e.bref.ib - l->amap_first) /
					l->amap_span * l->amap_span;
	uint64_t first = (e.bref.ib - amap) / l->amap_unit;
	uint64_t n = pf_block_size(l, e.cb) / l->amap_unit;
	uint8_t page[4096];
	unsigned was_set = 0;

	ck_assert_uint_eq(c->h->root.f_amap_valid, 2);
	read_page(c, amap, page);
	for (uint64_t u = first; u < first + n; u++) {
		uint8_t *b = page + l->amap_bits_ib + u / 8;
		uint8_t mask = (uint8_t)(0x80u >> (u % 8));

		was_set += (*b & mask) != 0;
		*b &= (uint8_t)~mask;
	}
	ck_assert_msg(was_set == n, "%s: the block was not fully allocated "
		      "to begin with", c->s->name);
	write_page_fixed(c, amap, page);
}

static void c_amap_crc(struct ctx *c)
{
	/* the last bitmap byte of the first AMap, CRC left stale */
	must(tu_xor_byte(c->path, c->l->amap_first + c->l->amap_bits_ib +
				  c->l->amap_bits_cb - 1, 0x01), "flip");
}

static void c_amap_ptype(struct ctx *c)
{
	struct tu_trailer_at t = tu_trailer_at(c->l);
	uint8_t b = PF_PTYPE_PMAP;

	must(tu_write_at(c->path, c->l->amap_first + t.base, &b, 1), "ptype");
	must(tu_write_at(c->path, c->l->amap_first + t.base + 1, &b, 1),
	     "ptype");
}

/* ---- the matrix ---- */

#define U 1u   /* Unicode sample */
#define A 2u   /* ANSI sample */

struct ccase {
	const char *name;
	void (*apply)(struct ctx *c);
	unsigned variants;
	uint16_t all[3];     /* every one must appear */
	uint16_t any[3];     /* one of these must appear (when any[0]) */
	bool only;           /* no other error-severity code */
	bool once;           /* each code of all[] exactly once */
	uint16_t none[2];    /* codes that must not appear */
};

static const struct ccase cases[] = {
	{ .name = "pristine", .apply = c_none, .variants = U | A,
	  .only = true },
	/* header and ROOT */
	{ .name = "header dwCRCPartial", .apply = c_hdr_crc_partial,
	  .variants = U | A, .all = { 1001 }, .only = true },
	{ .name = "header dwCRCFull", .apply = c_hdr_crc_full, .variants = U,
	  .all = { 1001 }, .only = true },
	{ .name = "header covered byte", .apply = c_hdr_covered_byte,
	  .variants = U | A, .all = { 1001 }, .only = true },
	{ .name = "bSentinel", .apply = c_hdr_sentinel, .variants = U | A,
	  .all = { 1003 }, .only = true },
	{ .name = "bCryptMethod 3", .apply = c_hdr_crypt, .variants = U | A,
	  .all = { 1003 } },
	{ .name = "wMagicClient", .apply = c_hdr_client, .variants = U | A,
	  .all = { 1002 }, .only = true },
	{ .name = "wMagicClient AB", .apply = c_hdr_client_pab,
	  .variants = U | A, .all = { 1004 }, .only = true },
	{ .name = "fAMapValid 0", .apply = c_amap_invalid, .variants = U | A,
	  .all = { 1015, 2054 }, .only = true },
	{ .name = "fAMapValid 1", .apply = c_amap_valid1, .variants = U | A,
	  .all = { 1016 }, .only = true },
	{ .name = "fAMapValid 7", .apply = c_amap_flag7, .variants = U | A,
	  .all = { 1017 }, .only = true },
	{ .name = "ibFileEof past the end", .apply = c_eof_big,
	  .variants = U | A, .all = { 1012 }, .only = true },
	{ .name = "trailing bytes", .apply = c_eof_padded, .variants = U | A,
	  .all = { 1013 }, .only = true },
	{ .name = "ibAMapLast", .apply = c_amap_last, .variants = U | A,
	  .all = { 1010 }, .only = true },
	{ .name = "BREFNBT.ib unaligned", .apply = c_nbt_bref_unaligned,
	  .variants = U | A, .all = { 1014 } },
	{ .name = "BREFBBT.ib past the end", .apply = c_bbt_bref_past_eof,
	  .variants = U | A, .all = { 1011, 3012, 3021 } },
	{ .name = "truncated to half", .apply = c_truncate_half,
	  .variants = U | A, .all = { 1012 } },
	{ .name = "truncated inside the NBT root", .apply = c_truncate_odd,
	  .variants = U | A, .all = { 1012 } },
	/* trees */
	{ .name = "BBT root bid", .apply = c_bbt_root_bid, .variants = U | A,
	  .all = { 3003, 3021 } },
	{ .name = "NBT root bid", .apply = c_nbt_root_bid, .variants = U | A,
	  .all = { 4003, 4021 } },
	{ .name = "BBT root zeroed", .apply = c_bbt_root_zero,
	  .variants = U | A, .all = { 3001, 3021 } },
	{ .name = "NBT root zeroed", .apply = c_nbt_root_zero,
	  .variants = U | A, .all = { 4001, 4021 } },
	{ .name = "BBT leaf zeroed", .apply = c_bbt_leaf_zero,
	  .variants = U | A, .all = { 3001 } },
	{ .name = "NBT leaf zeroed", .apply = c_nbt_leaf_zero,
	  .variants = U | A, .all = { 4001 } },
	{ .name = "BBT page CRC", .apply = c_bbt_page_crc, .variants = U | A,
	  .all = { 3005 }, .only = true },
	{ .name = "NBT page CRC", .apply = c_nbt_page_crc, .variants = U | A,
	  .all = { 4005 }, .only = true },
	{ .name = "BBT cycle", .apply = c_bbt_cycle, .variants = U | A,
	  .any = { 3011, 3008 } },
	{ .name = "NBT cycle", .apply = c_nbt_cycle, .variants = U | A,
	  .any = { 4011, 4008 } },
	{ .name = "BBT shared child", .apply = c_bbt_shared, .variants = U | A,
	  .all = { 3011 } },
	{ .name = "NBT shared child", .apply = c_nbt_shared, .variants = U | A,
	  .all = { 4011 } },
	{ .name = "BBT keys out of order", .apply = c_bbt_key_order,
	  .variants = U | A, .all = { 3009 }, .only = true },
	{ .name = "NBT keys out of order", .apply = c_nbt_key_order,
	  .variants = U | A, .all = { 4009 }, .only = true },
	{ .name = "BBT btkeyMin", .apply = c_bbt_key_min, .variants = U | A,
	  .all = { 3010 } },
	{ .name = "NBT btkeyMin", .apply = c_nbt_key_min, .variants = U | A,
	  .all = { 4010 } },
	{ .name = "BBT leaf cLevel", .apply = c_bbt_leaf_level,
	  .variants = U | A, .all = { 3008 } },
	{ .name = "BBT leaf cEnt", .apply = c_bbt_leaf_cent, .variants = U | A,
	  .all = { 3007 } },
	{ .name = "NBT leaf cbEnt", .apply = c_nbt_leaf_cbent,
	  .variants = U | A, .all = { 4006 } },
	{ .name = "BBT duplicate BID", .apply = c_bbt_dup_bid,
	  .variants = U | A, .all = { 3020, 3009 } },
	{ .name = "NBT duplicate NID", .apply = c_nbt_dup_nid,
	  .variants = U | A, .all = { 4020, 4009 } },
	/* blocks */
	{ .name = "block data byte", .apply = c_block_crc, .variants = U | A,
	  .all = { 5001 }, .once = true },
	{ .name = "block trailer bid", .apply = c_block_bid, .variants = U | A,
	  .all = { 5003 }, .once = true },
	{ .name = "block trailer wSig", .apply = c_block_sig,
	  .variants = U | A, .all = { 5002 }, .only = true, .once = true },
	{ .name = "block trailer cb", .apply = c_block_cb, .variants = U | A,
	  .all = { 5004 }, .once = true },
	{ .name = "BBT cRef", .apply = c_bbt_cref, .variants = U | A,
	  .all = { 5030 }, .only = true },
	{ .name = "BBT entry ib unaligned", .apply = c_bbt_entry_unaligned,
	  .variants = U | A, .all = { 5006 }, .once = true },
	{ .name = "BBT entry ib past the end", .apply = c_bbt_entry_past_eof,
	  .variants = U | A, .all = { 5005 }, .once = true },
	{ .name = "NBT bidData not in BBT", .apply = c_nbt_data_missing,
	  .variants = U | A, .all = { 4022 }, .once = true, .none = { 5008 } },
	{ .name = "NBT bidSub external", .apply = c_nbt_sub_external,
	  .variants = U | A, .all = { 4025 } },
	/* messaging */
	{ .name = "mandatory node removed", .apply = c_remove_mandatory,
	  .variants = U | A, .all = { 7001 }, .only = true },
	/* allocation */
	{ .name = "AMap CRC", .apply = c_amap_crc, .variants = U | A,
	  .all = { 2005 } },
	{ .name = "AMap says a used block is free",
	  .apply = c_amap_free_in_use, .variants = U | A, .all = { 2050 },
	  .only = true },
	{ .name = "AMap ptype", .apply = c_amap_ptype, .variants = U | A,
	  .all = { 2001 } },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static bool in_list(const uint16_t *v, size_t n, unsigned code)
{
	for (size_t i = 0; i < n && v[i]; i++)
		if (v[i] == code)
			return true;
	return false;
}

/* Copy the sample, open it for offsets, apply, close. */
static bool prepare(struct ctx *c, const struct sample *s,
		    void (*apply)(struct ctx *c))
{
	char src[256];

	memset(c, 0, sizeof(*c));
	c->s = s;
	tu_corpus_path(src, sizeof(src), s->name);
	if (!tu_file_present(src)) {
		printf("SKIP: %s absent\n", src);
		return false;
	}
	must(tu_copy_to_dir(src, tmpdir, c->path, sizeof(c->path)), "copy");
	must(pf_ndb_open(&c->ndb, c->path), "pf_ndb_open");
	c->l = pf_ndb_layout(c->ndb);
	c->h = pf_ndb_header(c->ndb);
	c->hl = tu_hdr_layout(s->ansi);
	c->size = pf_ndb_file_size(c->ndb);
	ck_assert_int_eq(c->h->variant, s->ansi ? PF_ANSI : PF_UNICODE);
	apply(c);
	pf_ndb_close(c->ndb);
	c->ndb = NULL;
	return true;
}

/* _i = case * NSAMPLES + sample */
START_TEST(test_corruption)
{
	const struct ccase *k = &cases[_i / NSAMPLES];
	const struct sample *s = &samples[_i % NSAMPLES];
	struct ctx c;
	struct tu_findings *t;
	char codes[1024];

	if (!tu_corpus_present()) {
		printf("%s\n", TU_SKIP_CORPUS_MSG);
		return;
	}
	if (!(k->variants & (s->ansi ? A : U)))
		return;   /* the case does not apply to this layout */
	if (!prepare(&c, s, k->apply))
		return;
	t = tu_check(c.path);
	ck_assert_ptr_nonnull(t);
	ck_assert_msg(t->rc == 0, "%s / %s: pf_check_file rc %d (%s)",
		      s->name, k->name, t->rc, pf_error_msg());
	ck_assert_msg(t->sum.opened, "%s / %s: not opened", s->name, k->name);
	ck_assert_uint_eq(t->bad_rows, 0);
	tu_codes_str(t, false, codes, sizeof(codes));
	for (size_t i = 0; i < 3 && k->all[i]; i++)
		ck_assert_msg(t->by_code[k->all[i]] > 0,
			      "%s / %s: PF%04u expected; found: %s", s->name,
			      k->name, k->all[i], codes);
	for (size_t i = 0; k->once && i < 3 && k->all[i]; i++)
		ck_assert_msg(t->by_code[k->all[i]] == 1,
			      "%s / %s: PF%04u reported %u times for one "
			      "fault; found: %s", s->name, k->name, k->all[i],
			      t->by_code[k->all[i]], codes);
	for (size_t i = 0; i < 2 && k->none[i]; i++)
		ck_assert_msg(t->by_code[k->none[i]] == 0,
			      "%s / %s: PF%04u must not appear (the same "
			      "fault is already PF%04u); found: %s", s->name,
			      k->name, k->none[i], k->all[0], codes);
	if (k->any[0]) {
		bool hit = false;

		for (size_t i = 0; i < 3 && k->any[i]; i++)
			hit = hit || t->by_code[k->any[i]] > 0;
		ck_assert_msg(hit, "%s / %s: one of PF%04u/PF%04u expected; "
			      "found: %s", s->name, k->name, k->any[0],
			      k->any[1], codes);
	}
	if (k->only) {
		for (unsigned code = 0; code < TU_MAX_CODE; code++) {
			const struct pf_problem *p;

			if (!t->by_code[code])
				continue;
			p = pf_problem_by_code((uint16_t)code);
			if (p->sev != PF_SEV_ERROR)
				continue;
			ck_assert_msg(in_list(k->all, 3, code) ||
				      in_list(k->any, 3, code),
				      "%s / %s: unexpected error PF%04u; "
				      "found: %s", s->name, k->name, code,
				      codes);
		}
	}
	if (k->apply == c_none) {
		ck_assert_uint_eq(t->by_sev[PF_SEV_ERROR], 0);
		ck_assert_uint_eq(t->sum.findings[PF_SEV_ERROR], 0);
		ck_assert_uint_gt(t->sum.pages, 0);
		ck_assert_uint_gt(t->sum.blocks, 0);
		ck_assert_uint_gt(t->sum.nodes, 0);
		ck_assert_uint_eq(t->sum.file_size, tu_file_size(c.path));
		ck_assert_int_eq(t->sum.format_ver, s->ansi ? 14 : 23);
	}
	/* last, so a case's own expectations are reported first: a reason
	 * left empty (pf_error_msg() not set by the failing function) */
	ck_assert_msg(t->empty_reason == 0, "%s / %s: %u findings with an "
		      "empty reason, first: %s", s->name, k->name,
		      t->empty_reason, t->first_empty);
	/* the summary counts what the callback saw (no cap here) */
	ck_assert_uint_eq(t->sum.findings[0] + t->sum.findings[1] +
			  t->sum.findings[2], t->total);
	free(t);
	unlink(c.path);
}
END_TEST

/* Files that cannot be checked at all: the reason comes back as rc. */
START_TEST(test_unopenable)
{
	struct ctx c;
	struct pf_check_summary sum;
	char path[300];

	if (!tu_corpus_present()) {
		printf("%s\n", TU_SKIP_CORPUS_MSG);
		return;
	}
	if (!prepare(&c, &samples[0], c_none))
		return;
	must(truncate(c.path, 300), "truncate");
	ck_assert_int_eq(pf_check_file(c.path, NULL, NULL, NULL, &sum),
			 PF_E_NOTPST);
	ck_assert(!sum.opened);
	snprintf(path, sizeof(path), "%s/no-such-file.pst", tmpdir);
	ck_assert_int_eq(pf_check_file(path, NULL, NULL, NULL, &sum), PF_E_IO);
	ck_assert_str_ne(pf_error_msg(), "");
	unlink(c.path);
}
END_TEST

/* opts.max_per_code: the summary still counts everything; at most CAP
 * findings per code reach the callback; the rest are announced by
 * PF9001 lines, and counted in sum.suppressed. */
struct capped {
	uint32_t by_code[TU_MAX_CODE];
	uint32_t more_lines;
};

static void capped_cb(void *ctx, const struct pf_finding *f)
{
	struct capped *k = ctx;

	if (f->problem->code == 9001)
		k->more_lines++;
	else
		k->by_code[f->problem->code]++;
}

START_TEST(test_cap)
{
	struct ctx c;
	struct tu_findings *full;
	struct capped *k = calloc(1, sizeof(*k));
	struct pf_check_summary sum;
	struct pf_check_opts opts = { .max_per_code = 1 };
	uint32_t over = 0, lines = 0;

	ck_assert_ptr_nonnull(k);
	if (!tu_corpus_present()) {
		printf("%s\n", TU_SKIP_CORPUS_MSG);
		free(k);
		return;
	}
	/* a BBT leaf zeroed: many nodes lose their blocks */
	if (!prepare(&c, &samples[0], c_bbt_leaf_zero)) {
		free(k);
		return;
	}
	full = tu_check(c.path);
	ck_assert_ptr_nonnull(full);
	ck_assert_int_eq(pf_check_file(c.path, &opts, capped_cb, k, &sum), 0);
	for (unsigned code = 0; code < TU_MAX_CODE; code++) {
		ck_assert_uint_le(k->by_code[code], 1);
		ck_assert_uint_eq(k->by_code[code],
				  full->by_code[code] ? 1 : 0);
		if (full->by_code[code] > 1) {
			over += full->by_code[code] - 1;
			lines++;
		}
	}
	ck_assert_msg(lines > 0, "the case must repeat some code to test "
		      "the cap");
	ck_assert_uint_eq(k->more_lines, lines);
	ck_assert_uint_eq(sum.suppressed, over);
	for (int s = 0; s < 3; s++)
		ck_assert_uint_eq(sum.findings[s], full->sum.findings[s]);
	free(full);
	free(k);
	unlink(c.path);
}
END_TEST

static Suite *corrupt_suite(void)
{
	Suite *s = suite_create("check_corrupt");
	TCase *tc = tcase_create("matrix");
	TCase *tx = tcase_create("misc");

	/* every case is a few milliseconds; the bound catches a walker
	 * that loops */
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_corruption, 0, (int)(NCASES * NSAMPLES));
	suite_add_tcase(s, tc);
	tcase_set_timeout(tx, 30);
	tcase_add_test(tx, test_unopenable);
	tcase_add_test(tx, test_cap);
	suite_add_tcase(s, tx);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (!tu_corpus_present()) {
		/* every case needs the corpus: say so once, pass */
		printf("%s\n", TU_SKIP_CORPUS_MSG);
		return 0;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pstfix-unit-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	sr = srunner_create(corrupt_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_rm_dir(tmpdir);
	return failed == 0 ? 0 : 1;
}
