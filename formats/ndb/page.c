/*
 * page.c - page trailers and B-tree page metadata (MS-PST 2.2.2.7).
 *
 * Contract: pf_page_check() reports every trailer rule a page breaks --
 * ptype, ptypeRepeat, BID, wSig, CRC -- and says the page is usable when it
 * is of the expected type and carries the expected BID.  A zeroed page has
 * a "valid" CRC of 0, so the type and BID checks are what reject it.
 * pf_btpage_parse() bounds cEnt/cEntMax/cbEnt/cLevel before any entry is
 * touched; entry getters then index within rgentries only.
 */
#include "../util/pf_crc.h"
#include "../util/pf_le.h"
#include "pf_ndb.h"

void pf_page_trailer_get(const struct pf_layout *l, const uint8_t *page,
			 struct pf_page_trailer *t)
{
	const uint8_t *p = page + l->page_size - l->page_trailer;

	t->ptype = p[0];
	t->ptype_repeat = p[1];
	t->sig = pf_le16(p + 2);
	if (l->bid_size == 4) {        /* ANSI: bid then dwCRC */
		t->bid = pf_le32(p + 4);
		t->crc = pf_le32(p + 8);
	} else {                       /* Unicode and 4K: dwCRC then bid */
		t->crc = pf_le32(p + 4);
		t->bid = pf_le64(p + 8);
	}
}

static void fault(const struct pf_sink *sink, enum pf_obj obj,
		  enum pf_fault_kind kind, const char *field, uint64_t ib,
		  uint64_t bid, uint64_t got, uint64_t want)
{
	struct pf_fault f = {
		.obj = obj, .kind = kind, .field = field, .ib = ib,
		.bid = bid, .got = got, .want = want,
	};

	pf_report(sink, &f);
}

/* Map pages (AMap, PMap, FMap, FPMap) carry their own offset as BID and a
 * zero signature (MS-PST 2.2.2.7.1). */
static bool is_map_page(uint8_t ptype)
{
	return ptype >= PF_PTYPE_FMAP && ptype <= PF_PTYPE_FPMAP;
}

bool pf_page_check(const struct pf_layout *l, const uint8_t *page,
		   uint64_t ib, uint8_t ptype, uint64_t want_bid,
		   enum pf_obj obj, const struct pf_sink *sink)
{
	struct pf_page_trailer t;
	uint32_t crc;
	uint16_t sig;
	bool usable = true;

	pf_page_trailer_get(l, page, &t);
	if (t.ptype != ptype) {
		fault(sink, obj, PF_F_PTYPE, "ptype", ib, t.bid, t.ptype,
		      ptype);
		usable = false;
	} else if (t.ptype_repeat != t.ptype) {
		fault(sink, obj, PF_F_PTYPE_REPEAT, "ptypeRepeat", ib, t.bid,
		      t.ptype_repeat, t.ptype);
	}
	if (t.bid != want_bid) {
		fault(sink, obj, PF_F_BID, "bid", ib, t.bid, t.bid, want_bid);
		usable = false;
	}
	sig = is_map_page(ptype) ? 0 : pf_sig(ib, t.bid);
	/* ptype DL and the B-tree pages have a computed wSig */
	if (t.sig != sig)
		fault(sink, obj, PF_F_SIG, "wSig", ib, t.bid, t.sig, sig);
	crc = pf_crc(page, l->page_size - l->page_trailer);
	if (t.crc != crc)
		fault(sink, obj, PF_F_CRC, "dwCRC", ib, t.bid, t.crc, crc);
	return usable;
}

/* MS-PST 2.2.2.7.7.1: cEnt, cEntMax, cbEnt, cLevel follow rgentries; they
 * are bytes in 512-byte pages and (cEnt, cEntMax) are 16-bit in 4K pages. */
static void btpage_meta(const struct pf_layout *l, const uint8_t *page,
			struct pf_btpage *b)
{
	const uint8_t *m = page + l->bt_entries;

	b->entries = page;
	if (l->page_size == 4096) {
		b->cent = pf_le16(m);
		b->cent_max = pf_le16(m + 2);
		b->cb_ent = m[4];
		b->level = m[5];
	} else {
		b->cent = m[0];
		b->cent_max = m[1];
		b->cb_ent = m[2];
		b->level = m[3];
	}
}

bool pf_btpage_parse(const struct pf_layout *l, const uint8_t *page,
		     uint64_t ib, enum pf_obj obj, const struct pf_sink *sink,
		     struct pf_btpage *out)
{
	struct pf_btpage b;
	uint32_t want_cb;
	bool usable = true;

	btpage_meta(l, page, &b);
	if (b.level > PF_BT_MAX_DEPTH) {
		fault(sink, obj, PF_F_LEVEL, "cLevel", ib, 0, b.level,
		      PF_BT_MAX_DEPTH);
		usable = false;
	}
	if (b.level > 0)
		want_cb = l->branch_cb;
	else
		want_cb = obj == PF_OBJ_NBT ? l->nbt_leaf_cb : l->bbt_leaf_cb;
	/* 4K files may use wider leaf entries than the minimum; accept any
	 * size that holds the fields we read and fits the page. */
	if (b.cb_ent < want_cb || (l->page_size != 4096 && b.cb_ent != want_cb)) {
		fault(sink, obj, PF_F_CBENT, "cbEnt", ib, 0, b.cb_ent, want_cb);
		usable = false;
		b.cb_ent = want_cb;
	}
	if (b.cent_max * b.cb_ent > l->bt_entries ||
	    b.cent_max != l->bt_entries / b.cb_ent) {
		fault(sink, obj, PF_F_CENT, "cEntMax", ib, 0, b.cent_max,
		      l->bt_entries / b.cb_ent);
	}
	if (b.cent > l->bt_entries / b.cb_ent || b.cent > b.cent_max) {
		fault(sink, obj, PF_F_CENT, "cEnt", ib, 0, b.cent,
		      b.cent_max);
		usable = false;
		b.cent = l->bt_entries / b.cb_ent;
	}
	*out = b;
	return usable;
}

static uint64_t get_id(const struct pf_layout *l, const uint8_t *p)
{
	return l->bid_size == 4 ? pf_le32(p) : pf_le64(p);
}

void pf_bt_branch_get(const struct pf_layout *l, const struct pf_btpage *p,
		      uint32_t i, struct pf_bt_branch *out)
{
	const uint8_t *e = p->entries + (size_t)i * p->cb_ent;
	uint32_t w = l->bid_size;

	out->key = get_id(l, e);
	out->bref.bid = get_id(l, e + w);
	out->bref.ib = get_id(l, e + 2 * w);
}

/* MS-PST 2.2.2.7.7.4: nid (padded to 8 in Unicode), bidData, bidSub,
 * nidParent. */
void pf_nbt_entry_get(const struct pf_layout *l, const struct pf_btpage *p,
		      uint32_t i, struct pf_nbt_entry *out)
{
	const uint8_t *e = p->entries + (size_t)i * p->cb_ent;
	uint32_t w = l->bid_size;

	out->nid = get_id(l, e);
	out->bid_data = get_id(l, e + w);
	out->bid_sub = get_id(l, e + 2 * w);
	out->nid_parent = pf_le32(e + 3 * w);
}

/* MS-PST 2.2.2.7.7.3: BREF, cb, cRef; 4K files add the inflated size. */
void pf_bbt_entry_get(const struct pf_layout *l, const struct pf_btpage *p,
		      uint32_t i, struct pf_bbt_entry *out)
{
	const uint8_t *e = p->entries + (size_t)i * p->cb_ent;
	uint32_t w = l->bid_size;

	out->bref.bid = get_id(l, e);
	out->bref.ib = get_id(l, e + w);
	out->cb = pf_le16(e + 2 * w);
	out->cref = pf_le16(e + 2 * w + 2);
	out->cb_inflated = out->cb;
	/* 4K OST BBTENTRY: cb, cbInflated, cRef (XstReader, Mythicsoft's
	 * notes; libpff reads cRef at +18 but takes sizes from the block
	 * trailer, which is what pf_block_read trusts too) */
	if (l->page_size == 4096) {
		out->cb_inflated = pf_le16(e + 2 * w + 2);
		out->cref = pf_le16(e + 2 * w + 4);
	}
}

bool pf_page_self_valid(const struct pf_layout *l, const uint8_t *page,
			uint64_t ib, uint8_t *ptype)
{
	struct pf_page_trailer t;
	bool map;

	pf_page_trailer_get(l, page, &t);
	map = is_map_page(t.ptype);
	if (t.ptype < PF_PTYPE_BBT || t.ptype > PF_PTYPE_DL ||
	    t.ptype_repeat != t.ptype)
		return false;
	if (map ? t.bid != ib || t.sig != 0 : t.sig != pf_sig(ib, t.bid))
		return false;
	if (t.crc != pf_crc(page, l->page_size - l->page_trailer))
		return false;
	*ptype = t.ptype;
	return true;
}
