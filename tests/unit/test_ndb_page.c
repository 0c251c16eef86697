/*
 * test_ndb_page.c - page trailers and B-tree pages (MS-PST 2.2.2.7):
 * pf_page_trailer_get(), pf_page_check(), pf_btpage_parse() and the entry
 * getters, for the ANSI, Unicode and 4K layouts (pf_layout_for()).
 *
 * Covers:
 * - pages built in memory with correct trailers (ptype, ptypeRepeat,
 *   wSig = pf_sig(ib, bid), CRC over the page minus the trailer, bid) pass
 *   with no fault, for BBT and NBT leaves and branches in every layout;
 * - one corruption at a time, each asserting the exact set of fault kinds
 *   and the usable verdict: ptype, ptypeRepeat, trailer bid, referencing
 *   bid, wSig, CRC (body byte and stored field), the page read at another
 *   offset, an all-zero page (PTYPE + BID + SIG, no CRC fault: the CRC of
 *   zeros is zero), cEnt > cEntMax, cEntMax wrong, cbEnt wrong, cLevel too
 *   big; the fault's obj / ib / got / want for a few;
 * - map pages (AMap, PMap, FMap, FPMap): bid == ib and wSig == 0 pass, a
 *   computed wSig or another bid fail; the DList has a computed wSig;
 * - the entry getters decode BBT/NBT leaf entries and branch entries field
 *   by field in each layout, 64-bit values in Unicode/4K;
 * - 4K pages: 16-bit cEnt/cEntMax, wider cbEnt accepted;
 * - lookups on real files (pstsdk-sample1.pst, pstsdk-sample2-ansi.pst;
 *   skipped when ../shared/corpus is absent): pf_nbt_foreach() visits
 *   NIDs in ascending order, pf_nbt_lookup() finds each of them with the
 *   same entry, pf_bbt_lookup() finds every BBT leaf entry (also with the
 *   reserved bit 0 set), and an absent key gives PF_E_NOTFOUND with its
 *   own message (pf_err.h: the function that detects an error sets the
 *   message -- a stale one misleads every caller that prints it).
 */
#include <check.h>

#include "tutil.h"

static const enum pf_variant variants[] = {
	PF_ANSI, PF_UNICODE, PF_UNICODE4K,
};
#define NVARIANTS 3

static const char *vname(enum pf_variant v)
{
	return v == PF_ANSI ? "ANSI" : v == PF_UNICODE ? "Unicode" : "4K";
}

/* The kinds of page we build. */
enum pkind { PK_BBT_LEAF, PK_NBT_LEAF, PK_BBT_BRANCH, PK_NBT_BRANCH };
#define NPKINDS 4

static enum pf_obj pk_obj(enum pkind k)
{
	return k == PK_NBT_LEAF || k == PK_NBT_BRANCH ? PF_OBJ_NBT :
							PF_OBJ_BBT;
}

static uint8_t pk_ptype(enum pkind k)
{
	return pk_obj(k) == PF_OBJ_NBT ? PF_PTYPE_NBT : PF_PTYPE_BBT;
}

static uint32_t pk_cb(const struct pf_layout *l, enum pkind k)
{
	switch (k) {
	case PK_BBT_LEAF: return l->bbt_leaf_cb;
	case PK_NBT_LEAF: return l->nbt_leaf_cb;
	default: return l->branch_cb;
	}
}

/* Values that need all 64 bits where the layout has them. */
static uint64_t big(const struct pf_layout *l, uint64_t v64, uint32_t v32)
{
	return l->bid_size == 8 ? v64 : v32;
}

/* Entry I's expected fields (keys ascending). */
static uint64_t e_key(const struct pf_layout *l, uint32_t i)
{
	return big(l, 0x0000001100000000ull, 0x1000) + 4u * (i + 1);
}

static uint64_t e_bid(const struct pf_layout *l, uint32_t i)
{
	return big(l, 0x0022000000000000ull, 0x20000000) + 0x100u + 4u * i;
}

static uint64_t e_ib(const struct pf_layout *l, uint32_t i)
{
	return big(l, 0x0000000300000000ull, 0x30000000) + 0x4c00u + 64u * i;
}

static uint64_t e_sub(const struct pf_layout *l, uint32_t i)
{
	return big(l, 0x0044000000000002ull, 0x40000002) + 4u * i;
}

/* Write entry I of a page of kind K at P, field by field, from MS-PST
 * 2.2.2.7.7.2-4 (independent of page.c's getters). */
static void put_entry(const struct pf_layout *l, enum pkind k, uint8_t *p,
		      uint32_t i)
{
	unsigned w = l->bid_size;

	switch (k) {
	case PK_BBT_BRANCH:
	case PK_NBT_BRANCH:      /* BTENTRY: btkey, BREF */
		tu_put(p, w, k == PK_NBT_BRANCH ? (uint32_t)(0x21u + 0x20u * i)
					     : e_key(l, i));
		tu_put(p + w, w, e_bid(l, i));
		tu_put(p + 2 * w, w, e_ib(l, i));
		break;
	case PK_NBT_LEAF:   /* NBTENTRY: nid, bidData, bidSub, nidParent */
		tu_put(p, w, 0x21u + 0x20u * i);  /* Unicode: padded to 8 */
		tu_put(p + w, w, e_bid(l, i));
		tu_put(p + 2 * w, w, e_sub(l, i));
		pf_put32(p + 3 * w, 0x122u + i);
		break;
	case PK_BBT_LEAF:        /* BBTENTRY: BREF, cb, cRef */
		tu_put(p, w, e_bid(l, i));
		tu_put(p + w, w, e_ib(l, i));
		pf_put16(p + 2 * w, (uint16_t)(100 + i));
		pf_put16(p + 2 * w + 2, (uint16_t)(2 + i));
		break;
	}
}

#define TEST_IB 0x7400u
#define TEST_BID 0x4deu

/* Build a sealed B-tree page of kind K at TEST_IB with CENT entries. */
static void build_btpage(const struct pf_layout *l, enum pkind k,
			 uint32_t cent, uint8_t *page)
{
	struct tu_btmeta_at m = tu_btmeta_at(l);
	uint32_t cb = pk_cb(l, k);

	memset(page, 0, l->page_size);
	for (uint32_t i = 0; i < cent; i++)
		put_entry(l, k, page + (size_t)i * cb, i);
	tu_put(page + m.cent, m.cent_w, cent);
	tu_put(page + m.cent_max, m.cent_w, l->bt_entries / cb);
	page[m.cb_ent] = (uint8_t)cb;
	page[m.level] = k == PK_BBT_BRANCH || k == PK_NBT_BRANCH ? 1 : 0;
	tu_page_seal(l, page, TEST_IB, pk_ptype(k), TEST_BID);
}

/* ---- the good page ---- */

START_TEST(test_good_pages)
{
	for (int v = 0; v < NVARIANTS; v++) {
		struct pf_layout l;

		ck_assert(pf_layout_for(&l, variants[v]));
		for (int k = 0; k < NPKINDS; k++) {
			uint8_t page[4096];
			struct tu_faults c;
			struct pf_sink s = tu_sink(&c);
			struct pf_btpage bt;
			struct pf_page_trailer t;
			uint32_t cent = l.bt_entries / pk_cb(&l, k) - 1;

			build_btpage(&l, k, cent, page);
			pf_page_trailer_get(&l, page, &t);
			ck_assert_uint_eq(t.ptype, pk_ptype(k));
			ck_assert_uint_eq(t.ptype_repeat, pk_ptype(k));
			ck_assert_uint_eq(t.bid, TEST_BID);
			ck_assert_uint_eq(t.sig, pf_sig(TEST_IB, TEST_BID));
			ck_assert_uint_eq(t.crc,
					  pf_crc(page, l.page_size -
						       l.page_trailer));
			ck_assert_msg(pf_page_check(&l, page, TEST_IB,
						    pk_ptype(k), TEST_BID,
						    pk_obj(k), &s),
				      "%s kind %d: good page refused",
				      vname(variants[v]), k);
			ck_assert_msg(pf_btpage_parse(&l, page, TEST_IB,
						      pk_obj(k), &s, &bt),
				      "%s kind %d: good BTPAGE refused",
				      vname(variants[v]), k);
			ck_assert_msg(c.n == 0, "%s kind %d: %u faults on a "
				      "good page (first kind %d)",
				      vname(variants[v]), k, c.n,
				      c.n ? (int)c.v[0].kind : 0);
			ck_assert_uint_eq(bt.cent, cent);
			ck_assert_uint_eq(bt.cent_max, l.bt_entries /
						       pk_cb(&l, k));
			ck_assert_uint_eq(bt.cb_ent, pk_cb(&l, k));
			ck_assert_uint_eq(bt.level, k >= PK_BBT_BRANCH);
			ck_assert_ptr_eq(bt.entries, page);
			/* a NULL sink is allowed */
			ck_assert(pf_page_check(&l, page, TEST_IB, pk_ptype(k),
						TEST_BID, pk_obj(k), NULL));
		}
	}
}
END_TEST

/* ---- trailer corruptions, one at a time ---- */

enum tcorrupt {
	TC_PTYPE,          /* ptype changed (repeat kept) */
	TC_PTYPE_BOTH,     /* both bytes say the other tree */
	TC_PTYPE_REPEAT,
	TC_BID,            /* trailer bid changed, wSig recomputed */
	TC_WANT_BID,       /* the referencing BREF has another bid */
	TC_SIG,
	TC_CRC_BODY,       /* a byte of the body flipped */
	TC_CRC_FIELD,      /* the stored CRC flipped */
	TC_MOVED,          /* the page read at another offset */
	TC_ZERO,           /* the whole page zeroed */
};

static const struct {
	enum tcorrupt c;
	const char *name;
	uint32_t kinds;
	bool usable;
} trailer_rows[] = {
	{ TC_PTYPE, "ptype", TU_K(PF_F_PTYPE), false },
	{ TC_PTYPE_BOTH, "ptype+repeat", TU_K(PF_F_PTYPE), false },
	{ TC_PTYPE_REPEAT, "ptypeRepeat", TU_K(PF_F_PTYPE_REPEAT), true },
	{ TC_BID, "bid", TU_K(PF_F_BID), false },
	{ TC_WANT_BID, "referenced bid", TU_K(PF_F_BID), false },
	{ TC_SIG, "wSig", TU_K(PF_F_SIG), true },
	{ TC_CRC_BODY, "body byte", TU_K(PF_F_CRC), true },
	{ TC_CRC_FIELD, "dwCRC", TU_K(PF_F_CRC), true },
	{ TC_MOVED, "moved", TU_K(PF_F_SIG), true },
	{ TC_ZERO, "zero page",
	  TU_K(PF_F_PTYPE) | TU_K(PF_F_BID) | TU_K(PF_F_SIG), false },
};
#define NTRAILER (sizeof(trailer_rows) / sizeof(trailer_rows[0]))

/* _i = (row * NVARIANTS + variant) * NPKINDS + kind */
START_TEST(test_trailer_corruption)
{
	int k = _i % NPKINDS;
	int v = (_i / NPKINDS) % NVARIANTS;
	size_t row = (size_t)_i / NPKINDS / NVARIANTS;
	struct pf_layout l;
	struct tu_trailer_at at;
	uint8_t page[4096];
	struct tu_faults c;
	struct pf_sink s = tu_sink(&c);
	uint64_t ib = TEST_IB, want_bid = TEST_BID;
	bool usable;

	ck_assert(pf_layout_for(&l, variants[v]));
	at = tu_trailer_at(&l);
	build_btpage(&l, k, 3, page);
	switch (trailer_rows[row].c) {
	case TC_PTYPE:
		page[at.base] = pk_ptype(k) == PF_PTYPE_BBT ? PF_PTYPE_NBT :
							      PF_PTYPE_BBT;
		break;
	case TC_PTYPE_BOTH:
		page[at.base] = page[at.base + 1] = PF_PTYPE_AMAP;
		break;
	case TC_PTYPE_REPEAT:
		page[at.base + 1] ^= 0x01;
		break;
	case TC_BID:
		tu_put(page + at.bid, at.bid_w, TEST_BID + 4);
		tu_page_fix(&l, page, TEST_IB);  /* wSig follows the bid */
		break;
	case TC_WANT_BID:
		want_bid = TEST_BID - 4;
		break;
	case TC_SIG:
		page[at.sig + 1] ^= 0x80;
		break;
	case TC_CRC_BODY:
		page[l.bt_entries - 1] ^= 0x01;  /* unused slot: body only */
		break;
	case TC_CRC_FIELD:
		page[at.crc] ^= 0x01;
		break;
	case TC_MOVED:
		ib = TEST_IB + (uint64_t)l.page_size * 2;
		break;
	case TC_ZERO:
		memset(page, 0, l.page_size);
		break;
	}
	usable = pf_page_check(&l, page, ib, pk_ptype(k), want_bid, pk_obj(k),
			       &s);
	ck_assert_msg(tu_kinds(&c) == trailer_rows[row].kinds,
		      "%s page kind %d, %s: fault kinds 0x%x, want 0x%x",
		      vname(variants[v]), k, trailer_rows[row].name,
		      tu_kinds(&c), trailer_rows[row].kinds);
	ck_assert_msg(usable == trailer_rows[row].usable,
		      "%s page kind %d, %s: usable %d, want %d",
		      vname(variants[v]), k, trailer_rows[row].name, usable,
		      trailer_rows[row].usable);
	{
		unsigned nk = 0;

		for (uint32_t m = trailer_rows[row].kinds; m; m &= m - 1)
			nk++;
		ck_assert_msg(c.n == nk, "%s: one fault per kind expected, "
			      "got %u", trailer_rows[row].name, c.n);
	}
	ck_assert(tu_all_obj(&c, pk_obj(k)));
	for (unsigned i = 0; i < c.n; i++)
		ck_assert_uint_eq(c.v[i].ib, ib);
}
END_TEST

/* got / want carry what was read and what was expected. */
START_TEST(test_fault_values)
{
	struct pf_layout l;
	struct tu_trailer_at at;
	uint8_t page[512];
	struct tu_faults c;
	struct pf_sink s = tu_sink(&c);
	const struct pf_fault *f;

	ck_assert(pf_layout_for(&l, PF_UNICODE));
	at = tu_trailer_at(&l);
	build_btpage(&l, PK_NBT_LEAF, 2, page);
	page[at.base] = 0x42;
	ck_assert(!pf_page_check(&l, page, TEST_IB, PF_PTYPE_NBT, TEST_BID,
				 PF_OBJ_NBT, &s));
	f = tu_fault_of(&c, PF_F_PTYPE);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->got, 0x42);
	ck_assert_uint_eq(f->want, PF_PTYPE_NBT);
	ck_assert_uint_eq(f->bid, TEST_BID);
	ck_assert_int_eq(f->obj, PF_OBJ_NBT);

	build_btpage(&l, PK_NBT_LEAF, 2, page);
	s = tu_sink(&c);
	ck_assert(!pf_page_check(&l, page, TEST_IB, PF_PTYPE_NBT, 0x999,
				 PF_OBJ_NBT, &s));
	f = tu_fault_of(&c, PF_F_BID);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->got, TEST_BID);
	ck_assert_uint_eq(f->want, 0x999);

	build_btpage(&l, PK_NBT_LEAF, 2, page);
	page[0] ^= 0xFF;
	s = tu_sink(&c);
	ck_assert(pf_page_check(&l, page, TEST_IB, PF_PTYPE_NBT, TEST_BID,
				PF_OBJ_NBT, &s));
	f = tu_fault_of(&c, PF_F_CRC);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->got, pf_le32(page + at.crc));
	ck_assert_uint_eq(f->want, pf_crc(page, at.base));
}
END_TEST

/* ---- BTPAGE metadata corruptions ---- */

enum mcorrupt {
	MC_CENT_OVER_MAX,    /* cEnt = cEntMax + 1 */
	MC_CENT_255,
	MC_CENT_MAX_SMALL,   /* cEntMax below what fits, cEnt under it */
	MC_CENT_MAX_BIG,     /* cEntMax above what fits */
	MC_CBENT_SMALL,
	MC_CBENT_ZERO,
	MC_CBENT_BRANCH,     /* a leaf claiming branch-sized entries */
	MC_LEVEL_17,
	MC_LEVEL_255,
};

static const struct {
	enum mcorrupt c;
	const char *name;
	uint32_t kinds;
	bool usable;
	bool leaf_only;      /* skip for branch kinds */
} meta_rows[] = {
	{ MC_CENT_OVER_MAX, "cEnt > cEntMax", TU_K(PF_F_CENT), false, false },
	{ MC_CENT_255, "cEnt 255", TU_K(PF_F_CENT), false, false },
	{ MC_CENT_MAX_SMALL, "cEntMax small", TU_K(PF_F_CENT), true, false },
	{ MC_CENT_MAX_BIG, "cEntMax big", TU_K(PF_F_CENT), true, false },
	{ MC_CBENT_SMALL, "cbEnt - 1", TU_K(PF_F_CBENT), false, false },
	{ MC_CBENT_ZERO, "cbEnt 0", TU_K(PF_F_CBENT), false, false },
	{ MC_CBENT_BRANCH, "leaf cbEnt", TU_K(PF_F_CBENT), false, true },
	{ MC_LEVEL_17, "cLevel 17", TU_K(PF_F_LEVEL), false, false },
	{ MC_LEVEL_255, "cLevel 255", TU_K(PF_F_LEVEL), false, false },
};
#define NMETA (sizeof(meta_rows) / sizeof(meta_rows[0]))

START_TEST(test_btpage_corruption)
{
	int k = _i % NPKINDS;
	int v = (_i / NPKINDS) % NVARIANTS;
	size_t row = (size_t)_i / NPKINDS / NVARIANTS;
	struct pf_layout l;
	struct tu_btmeta_at m;
	uint8_t page[4096];
	struct tu_faults c;
	struct pf_sink s = tu_sink(&c);
	struct pf_btpage bt;
	uint32_t cb, max;
	bool usable;

	if (meta_rows[row].leaf_only && k >= PK_BBT_BRANCH)
		return;   /* the row's corruption is a leaf's */
	ck_assert(pf_layout_for(&l, variants[v]));
	m = tu_btmeta_at(&l);
	cb = pk_cb(&l, k);
	max = l.bt_entries / cb;
	build_btpage(&l, k, 3, page);
	switch (meta_rows[row].c) {
	case MC_CENT_OVER_MAX:
		tu_put(page + m.cent, m.cent_w, max + 1);
		break;
	case MC_CENT_255:
		tu_put(page + m.cent, m.cent_w, 255);
		if (max >= 255)     /* 4K leaves hold more than 255 */
			tu_put(page + m.cent, m.cent_w, 0xFFFF);
		break;
	case MC_CENT_MAX_SMALL:
		tu_put(page + m.cent_max, m.cent_w, max - 1);
		break;
	case MC_CENT_MAX_BIG:
		tu_put(page + m.cent_max, m.cent_w, max + 1);
		break;
	case MC_CBENT_SMALL:
		page[m.cb_ent] = (uint8_t)(cb - 1);
		break;
	case MC_CBENT_ZERO:
		page[m.cb_ent] = 0;
		break;
	case MC_CBENT_BRANCH:
		/* NBT leaves are wider than branches in every layout; BBT
		 * leaves have the branch size, so use a size that is wrong
		 * for both */
		page[m.cb_ent] = (uint8_t)(pk_obj(k) == PF_OBJ_NBT ?
					   l.branch_cb : cb + 8);
		if (l.page_size == 4096)   /* wider is accepted in 4K */
			page[m.cb_ent] = (uint8_t)(cb - 4);
		break;
	case MC_LEVEL_17:
		page[m.level] = 17;
		break;
	case MC_LEVEL_255:
		page[m.level] = 255;
		break;
	}
	/* a level past the limit makes the page a branch: give it branch
	 * entries so only the level is wrong */
	if (meta_rows[row].c == MC_LEVEL_17 ||
	    meta_rows[row].c == MC_LEVEL_255) {
		page[m.cb_ent] = (uint8_t)l.branch_cb;
		tu_put(page + m.cent_max, m.cent_w,
		       l.bt_entries / l.branch_cb);
	}
	tu_page_fix(&l, page, TEST_IB);
	ck_assert(pf_page_check(&l, page, TEST_IB, pk_ptype(k), TEST_BID,
				pk_obj(k), &s));
	ck_assert_uint_eq(c.n, 0);
	usable = pf_btpage_parse(&l, page, TEST_IB, pk_obj(k), &s, &bt);
	ck_assert_msg(tu_kinds(&c) == meta_rows[row].kinds,
		      "%s page kind %d, %s: fault kinds 0x%x, want 0x%x",
		      vname(variants[v]), k, meta_rows[row].name,
		      tu_kinds(&c), meta_rows[row].kinds);
	ck_assert_msg(usable == meta_rows[row].usable,
		      "%s page kind %d, %s: usable %d, want %d",
		      vname(variants[v]), k, meta_rows[row].name, usable,
		      meta_rows[row].usable);
	ck_assert(tu_all_obj(&c, pk_obj(k)));
	/* whatever was wrong, the parse leaves entries inside rgentries */
	ck_assert_uint_ne(bt.cb_ent, 0);
	ck_assert_uint_le((uint64_t)bt.cent * bt.cb_ent, l.bt_entries);
}
END_TEST

/* 4K pages: cEnt/cEntMax are 16-bit, and wider leaf entries are
 * accepted (libyal PFF). */
START_TEST(test_4k_specifics)
{
	struct pf_layout l;
	struct tu_btmeta_at m;
	uint8_t page[4096];
	struct tu_faults c;
	struct pf_sink s = tu_sink(&c);
	struct pf_btpage bt;

	ck_assert(pf_layout_for(&l, PF_UNICODE4K));
	m = tu_btmeta_at(&l);
	build_btpage(&l, PK_BBT_LEAF, 160, page);
	ck_assert(pf_btpage_parse(&l, page, TEST_IB, PF_OBJ_BBT, &s, &bt));
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(bt.cent, 160);
	ck_assert_uint_eq(bt.cent_max, 4056 / 24);
	/* a 40-byte NBT leaf entry, cEntMax to match */
	build_btpage(&l, PK_NBT_LEAF, 2, page);
	page[m.cb_ent] = 40;
	pf_put16(page + m.cent_max, 4056 / 40);
	s = tu_sink(&c);
	ck_assert(pf_btpage_parse(&l, page, TEST_IB, PF_OBJ_NBT, &s, &bt));
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(bt.cb_ent, 40);
	/* the same on a 512-byte Unicode page is a fault */
	ck_assert(pf_layout_for(&l, PF_UNICODE));
	m = tu_btmeta_at(&l);
	build_btpage(&l, PK_NBT_LEAF, 2, page);
	page[m.cb_ent] = 40;
	page[m.cent_max] = 488 / 40;
	s = tu_sink(&c);
	ck_assert(!pf_btpage_parse(&l, page, TEST_IB, PF_OBJ_NBT, &s, &bt));
	ck_assert(tu_kinds(&c) & TU_K(PF_F_CBENT));
}
END_TEST

/* ---- map pages ---- */

START_TEST(test_map_pages)
{
	static const uint8_t maps[] = {
		PF_PTYPE_AMAP, PF_PTYPE_PMAP, PF_PTYPE_FMAP, PF_PTYPE_FPMAP,
	};
	static const enum pf_obj objs[] = {
		PF_OBJ_AMAP, PF_OBJ_PMAP, PF_OBJ_FMAP, PF_OBJ_FPMAP,
	};

	for (int v = 0; v < NVARIANTS; v++) {
		struct pf_layout l;
		struct tu_trailer_at at;

		ck_assert(pf_layout_for(&l, variants[v]));
		at = tu_trailer_at(&l);
		for (size_t i = 0; i < sizeof(maps); i++) {
			uint64_t ib = l.amap_first + (uint64_t)l.page_size * i;
			uint8_t page[4096];
			struct tu_faults c;
			struct pf_sink s = tu_sink(&c);

			memset(page, 0xFF, l.page_size);  /* all allocated */
			tu_page_seal(&l, page, ib, maps[i], ib);
			ck_assert_uint_eq(pf_le16(page + at.sig), 0);
			ck_assert_msg(pf_page_check(&l, page, ib, maps[i], ib,
						    objs[i], &s) && c.n == 0,
				      "%s map ptype 0x%x: good page has %u "
				      "faults", vname(variants[v]), maps[i],
				      c.n);
			/* a computed signature is wrong on a map page */
			pf_put16(page + at.sig, pf_sig(ib, ib + 1));
			s = tu_sink(&c);
			ck_assert(pf_page_check(&l, page, ib, maps[i], ib,
						objs[i], &s));
			ck_assert_uint_eq(tu_kinds(&c), TU_K(PF_F_SIG));
			ck_assert_uint_eq(c.v[0].want, 0);
			/* the BID of a map page is its offset */
			tu_page_seal(&l, page, ib, maps[i], ib + 512);
			s = tu_sink(&c);
			ck_assert(!pf_page_check(&l, page, ib, maps[i], ib,
						 objs[i], &s));
			ck_assert_uint_eq(tu_kinds(&c), TU_K(PF_F_BID));
		}
		/* the DList's wSig is computed like a B-tree page's */
		{
			uint64_t ib = l.dlist_ib, bid = 0x1234;
			uint8_t page[4096];
			struct tu_faults c;
			struct pf_sink s = tu_sink(&c);

			memset(page, 0, l.page_size);
			tu_page_seal(&l, page, ib, PF_PTYPE_DL, bid);
			ck_assert_uint_ne(pf_le16(page + at.sig), 0);
			ck_assert(pf_page_check(&l, page, ib, PF_PTYPE_DL, bid,
						PF_OBJ_DLIST, &s));
			ck_assert_uint_eq(c.n, 0);
			pf_put16(page + at.sig, 0);
			s = tu_sink(&c);
			pf_page_check(&l, page, ib, PF_PTYPE_DL, bid,
				      PF_OBJ_DLIST, &s);
			ck_assert_uint_eq(tu_kinds(&c), TU_K(PF_F_SIG));
		}
	}
}
END_TEST

/* ---- entry getters ---- */

/* Entry I of a page of kind K decodes to what put_entry() wrote. */
static void check_entry(const struct pf_layout *l, enum pkind k,
			const struct pf_btpage *bt, uint32_t i)
{
	if (k == PK_BBT_BRANCH || k == PK_NBT_BRANCH) {
		struct pf_bt_branch b;

		pf_bt_branch_get(l, bt, i, &b);
		ck_assert_uint_eq(b.key, k == PK_NBT_BRANCH ?
				  0x21u + 0x20u * i : e_key(l, i));
		ck_assert_uint_eq(b.bref.bid, e_bid(l, i));
		ck_assert_uint_eq(b.bref.ib, e_ib(l, i));
	} else if (k == PK_NBT_LEAF) {
		struct pf_nbt_entry e;

		pf_nbt_entry_get(l, bt, i, &e);
		ck_assert_uint_eq(e.nid, 0x21u + 0x20u * i);
		ck_assert_uint_eq(e.bid_data, e_bid(l, i));
		ck_assert_uint_eq(e.bid_sub, e_sub(l, i));
		ck_assert_uint_eq(e.nid_parent, 0x122u + i);
	} else {
		struct pf_bbt_entry e;

		pf_bbt_entry_get(l, bt, i, &e);
		ck_assert_uint_eq(e.bref.bid, e_bid(l, i));
		ck_assert_uint_eq(e.bref.ib, e_ib(l, i));
		ck_assert_uint_eq(e.cb, 100 + i);
		/* the 4K BBTENTRY tail is not settled (see page.c): check
		 * cRef for the MS-PST layouts */
		if (l->page_size != 4096) {
			ck_assert_uint_eq(e.cref, 2 + i);
			ck_assert_uint_eq(e.cb_inflated, e.cb);
		}
	}
}

START_TEST(test_entry_getters)
{
	for (int v = 0; v < NVARIANTS; v++) {
		struct pf_layout l;

		ck_assert(pf_layout_for(&l, variants[v]));
		for (int k = 0; k < NPKINDS; k++) {
			uint8_t page[4096];
			struct pf_btpage bt;
			uint32_t cent = l.bt_entries / pk_cb(&l, k);

			if (cent > 40)
				cent = 40;
			build_btpage(&l, k, cent, page);
			ck_assert(pf_btpage_parse(&l, page, TEST_IB, pk_obj(k),
						  NULL, &bt));
			for (uint32_t i = 0; i < cent; i++)
				check_entry(&l, k, &bt, i);
		}
	}
}
END_TEST

/* Unicode NBTENTRY: the nid is 4 bytes plus 4 of padding; nidParent
 * follows bidSub at 24.  Bytes of a neighbour must not leak in. */
START_TEST(test_nbt_entry_unicode_bytes)
{
	struct pf_layout l;
	uint8_t page[512];
	struct pf_btpage bt;
	struct pf_nbt_entry e;
	static const uint8_t ent[32] = {
		0x22, 0x80, 0x00, 0x00, 0, 0, 0, 0,          /* nid 0x8022 */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
		0x12, 0x11, 0x10, 0x0F, 0x0E, 0x0D, 0x0C, 0x0B,
		0x22, 0x01, 0x00, 0x00,                      /* parent 0x122 */
		0xEE, 0xEE, 0xEE, 0xEE,                      /* dwPadding */
	};

	ck_assert(pf_layout_for(&l, PF_UNICODE));
	build_btpage(&l, PK_NBT_LEAF, 3, page);
	memcpy(page + 32, ent, sizeof(ent));
	ck_assert(pf_btpage_parse(&l, page, TEST_IB, PF_OBJ_NBT, NULL, &bt));
	pf_nbt_entry_get(&l, &bt, 1, &e);
	ck_assert_uint_eq(e.nid, 0x8022);
	ck_assert_uint_eq(e.bid_data, 0x0102030405060708ull);
	ck_assert_uint_eq(e.bid_sub, 0x0B0C0D0E0F101112ull);
	ck_assert_uint_eq(e.nid_parent, 0x122);
}
END_TEST

/* ---- lookups on real files ---- */

struct nids {
	uint32_t v[4096];
	struct pf_nbt_entry e[4096];
	unsigned n;
};

static int collect_nid(void *ctx, const struct pf_nbt_entry *e)
{
	struct nids *k = ctx;

	if (k->n >= 4096)
		return -1;
	k->v[k->n] = (uint32_t)e->nid;
	k->e[k->n++] = *e;
	return 0;
}

/* Every BBT leaf entry, by walking the pages ourselves. */
static unsigned collect_bids(struct pf_ndb *ndb, struct pf_bref bref,
			     int depth, struct pf_bbt_entry *out,
			     unsigned cap, unsigned n)
{
	const struct pf_layout *l = pf_ndb_layout(ndb);
	uint8_t page[4096];
	struct pf_btpage bt;

	ck_assert_int_lt(depth, PF_BT_MAX_DEPTH);
	ck_assert_int_eq(pf_ndb_pread(ndb, bref.ib, page, l->page_size), 0);
	ck_assert(pf_page_check(l, page, bref.ib, PF_PTYPE_BBT, bref.bid,
				PF_OBJ_BBT, NULL));
	ck_assert(pf_btpage_parse(l, page, bref.ib, PF_OBJ_BBT, NULL, &bt));
	for (uint32_t i = 0; i < bt.cent; i++) {
		if (bt.level > 0) {
			struct pf_bt_branch br;

			pf_bt_branch_get(l, &bt, i, &br);
			n = collect_bids(ndb, br.bref, depth + 1, out, cap, n);
		} else if (n < cap) {
			pf_bbt_entry_get(l, &bt, i, &out[n++]);
		}
	}
	return n;
}

START_TEST(test_lookups_corpus)
{
	static const char *const names[] = {
		"pstsdk-sample1.pst", "pstsdk-sample2-ansi.pst",
	};
	const char *name = names[_i];
	char path[256];
	struct pf_ndb *ndb;
	struct nids *k = calloc(1, sizeof(*k));
	struct pf_bbt_entry *bids = calloc(4096, sizeof(*bids));
	unsigned nb;

	ck_assert(k && bids);
	if (!tu_corpus_present()) {
		printf("%s\n", TU_SKIP_CORPUS_MSG);
		free(k);
		free(bids);
		return;
	}
	tu_corpus_path(path, sizeof(path), name);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_nbt_foreach(ndb, collect_nid, k), 0);
	ck_assert_uint_gt(k->n, 27);       /* a minimum PST has 27 nodes */
	for (unsigned i = 0; i < k->n; i++) {
		struct pf_nbt_entry e;

		if (i > 0)
			ck_assert_msg(k->v[i - 1] < k->v[i], "%s: NID 0x%x "
				      "after 0x%x", name, k->v[i],
				      k->v[i - 1]);
		ck_assert_int_eq(pf_nbt_lookup(ndb, k->v[i], &e), 0);
		ck_assert_uint_eq((uint32_t)e.nid, k->v[i]);
		ck_assert_uint_eq(e.bid_data, k->e[i].bid_data);
		ck_assert_uint_eq(e.bid_sub, k->e[i].bid_sub);
		ck_assert_uint_eq(e.nid_parent, k->e[i].nid_parent);
	}
	nb = collect_bids(ndb, pf_ndb_header(ndb)->root.bbt, 0, bids, 4096,
			  0);
	ck_assert_uint_gt(nb, 10);
	for (unsigned i = 0; i < nb; i++) {
		struct pf_bbt_entry e;
		uint64_t bid = bids[i].bref.bid;

		ck_assert_int_eq(pf_bbt_lookup(ndb, bid, &e), 0);
		ck_assert_uint_eq(e.bref.ib, bids[i].bref.ib);
		ck_assert_uint_eq(e.cb, bids[i].cb);
		ck_assert_uint_eq(e.cref, bids[i].cref);
		/* MS-PST 2.2.2.2: bit 0 is ignored on lookup */
		ck_assert_int_eq(pf_bbt_lookup(ndb, bid | 1, &e), 0);
		ck_assert_uint_eq(e.bref.ib, bids[i].bref.ib);
	}
	pf_ndb_close(ndb);
	free(k);
	free(bids);
}
END_TEST

/* An absent key: PF_E_NOTFOUND, and the message is about this lookup.
 * _i: sample * 2 + tree (0 NBT, 1 BBT). */
START_TEST(test_lookup_absent_message)
{
	static const char *const names[] = {
		"pstsdk-sample1.pst", "pstsdk-sample2-ansi.pst",
	};
	/* below the first key (no branch slot), past the last, between */
	static const uint32_t nids[] = { 0x1, 0x7FFFFF, 0x25 };
	static const uint64_t bids[] = { 0x0, 0x7FFFFF00, 0x6 };
	bool bbt = _i % 2 == 1;
	char path[256];
	struct pf_ndb *ndb;

	if (!tu_corpus_present()) {
		printf("%s\n", TU_SKIP_CORPUS_MSG);
		return;
	}
	tu_corpus_path(path, sizeof(path), names[_i / 2]);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	for (size_t i = 0; i < 3; i++) {
		struct pf_nbt_entry ne;
		struct pf_bbt_entry be;
		int rc;

		pf_error_set(PF_E_IO, "stale message");
		rc = bbt ? pf_bbt_lookup(ndb, bids[i], &be) :
			   pf_nbt_lookup(ndb, nids[i], &ne);
		ck_assert_int_eq(rc, PF_E_NOTFOUND);
		ck_assert_msg(strcmp(pf_error_msg(), "stale message") != 0,
			      "%s(0x%" PRIx64 "): PF_E_NOTFOUND left the "
			      "previous message in place",
			      bbt ? "pf_bbt_lookup" : "pf_nbt_lookup",
			      bbt ? bids[i] : nids[i]);
	}
	pf_ndb_close(ndb);
}
END_TEST

static Suite *page_suite(void)
{
	Suite *s = suite_create("ndb_page");
	TCase *tc = tcase_create("page");
	TCase *tl = tcase_create("lookup");

	tcase_add_test(tc, test_good_pages);
	tcase_add_loop_test(tc, test_trailer_corruption, 0,
			    (int)(NTRAILER * NVARIANTS * NPKINDS));
	tcase_add_test(tc, test_fault_values);
	tcase_add_loop_test(tc, test_btpage_corruption, 0,
			    (int)(NMETA * NVARIANTS * NPKINDS));
	tcase_add_test(tc, test_4k_specifics);
	tcase_add_test(tc, test_map_pages);
	tcase_add_test(tc, test_entry_getters);
	tcase_add_test(tc, test_nbt_entry_unicode_bytes);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(tl, test_lookups_corpus, 0, 2);
	tcase_add_loop_test(tl, test_lookup_absent_message, 0, 4);
	suite_add_tcase(s, tl);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(page_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
