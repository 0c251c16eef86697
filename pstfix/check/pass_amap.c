/*
 * pass_amap.c - pass 2 (run after the trees, since it needs their
 * claims): the allocation maps (MS-PST 2.2.2.7.2 - 2.2.2.7.6) and the
 * DList (2.2.2.7.4).
 *
 * Checks: every AMap page from amap_first at each span up to the end of
 * the file, and the PMap / FMap / FPMap pages at their intervals: trailer
 * (ptype, BID == own offset, wSig 0, CRC); each AMap marks itself and
 * the map pages after it allocated; ibAMapLast is the last AMap;
 * the DList page's trailer, or an all-zero DList (a warning: Outlook writes
 * those).  Then, when fAMapValid says the maps are valid, the AMap bits
 * against the space the B-tree passes claimed: referenced space marked
 * free is an error; allocated space nothing references is a warning
 * (Outlook reserves space); the free total against cbAMapFree is a
 * warning (often stale on good files).
 * Relies on: passes 1, 3, 4, 5 (ck->claims complete for pages and blocks).
 */
#include <stdlib.h>
#include <string.h>

#include "../../formats/util/pf_le.h"
#include "ck.h"

struct amap_tally {
	uint64_t free_bytes;
	uint64_t in_use_free, first_in_use_free;
	uint64_t leaked, leaked_runs;
	bool in_leak;
};

static bool map_page_ok(struct pf_ck *ck, uint64_t ib, uint8_t ptype,
			enum pf_obj obj, uint8_t *page)
{
	if (ib + ck->l->page_size > ck->eof) {
		if (obj == PF_OBJ_AMAP)
			ck_problem(ck, 2007, ib, 0, 0, ib, ck->eof, NULL);
		return false;
	}
	if (pf_ndb_pread(ck->ndb, ib, page, ck->l->page_size) != 0)
		return false;
	ck_claim(ck, ib, ck->l->page_size,
		 obj == PF_OBJ_AMAP ? "AMap page" : "map page");
	ck->sum->pages++;
	return pf_page_check(ck->l, page, ib, ptype, ib, obj, &ck->sink);
}

/* The map pages at the start of AMap INDEX's span, as bits: 1 << k for
 * the page k pages after the AMap (k 0: the AMap itself).  MS-PST
 * 2.2.2.7.3-6: a PMap every 8th AMap (512-byte pages only), an FMap from
 * the 128th every 496, an FPMap (Unicode) from the 8192nd every 31744. */
static unsigned maps_at(const struct pf_ck *ck, uint64_t index)
{
	unsigned m = 1;

	if (ck->l->page_size != 512)
		return m;
	if (index % 8 == 0)
		m |= 1u << 1;
	if (index >= 128 && (index - 128) % 496 == 0)
		m |= 1u << 2;
	if (ck->h->variant == PF_UNICODE && index >= 8192 &&
	    (index - 8192) % 31744 == 0)
		m |= 1u << 3;
	return m;
}

static const struct {
	uint8_t ptype;
	enum pf_obj obj;
	uint16_t code;          /* its row for a wrong AMap byte */
	const char *field;
} map_kind[4] = {
	{ PF_PTYPE_AMAP, PF_OBJ_AMAP, 2006, "its own rgbAMapBits[0]" },
	{ PF_PTYPE_PMAP, PF_OBJ_PMAP, 2016, "the AMap's rgbAMapBits[1]" },
	{ PF_PTYPE_FMAP, PF_OBJ_FMAP, 2026, "the AMap's rgbAMapBits[2]" },
	{ PF_PTYPE_FPMAP, PF_OBJ_FPMAP, 2036, "the AMap's rgbAMapBits[3]" },
};

static void visit_other_maps(struct pf_ck *ck, uint64_t ib, uint64_t index,
			     uint8_t *page)
{
	unsigned m = maps_at(ck, index);

	for (unsigned k = 1; k < 4; k++)
		if (m & (1u << k))
			map_page_ok(ck, ib + k * ck->l->page_size,
				    map_kind[k].ptype, map_kind[k].obj, page);
}

/* MS-PST 2.2.2.7.2: an AMap "maps itself": the first byte of its bitmap
 * is 0xFF, the 512 bytes of the AMap page; the PMap, FMap and FPMap that
 * follow it are allocated from its span too (2.2.2.7.3, 2.2.2.7.5-6), so
 * the next bytes are 0xFF where they are.  A clear bit would let an
 * allocator hand a map page out.  One byte per page in every variant
 * (64-byte units, or 512-byte units for 4 KiB pages). */
static void check_own_bits(struct pf_ck *ck, uint64_t ib, uint64_t index,
			   const uint8_t *page)
{
	const uint8_t *bits = page + ck->l->amap_bits_ib;
	unsigned m = maps_at(ck, index);

	if (ck->h->root.f_amap_valid == 0)
		return;          /* marked invalid: reported, rebuilt whole */
	for (unsigned k = 0; k < 4; k++) {
		struct pf_fault f = { .ib = ib + k * ck->l->page_size,
				      .bid = ib + k * ck->l->page_size,
				      .field = map_kind[k].field,
				      .got = bits[k], .want = 0xFF };

		if ((m & (1u << k)) && bits[k] != 0xFF)
			ck_report(ck, map_kind[k].code, &f, NULL);
	}
}

static bool bit_at(const uint8_t *bits, uint64_t i)
{
	return (bits[i >> 3] >> (7 - (i & 7))) & 1;   /* MSB first */
}

static bool claimed(const struct pf_claims *c, uint64_t u)
{
	return u < c->units && ((c->bits[u >> 3] >> (u & 7)) & 1);
}

/* One unit of the map: I of the page at IB. */
static void tally_unit(struct pf_ck *ck, uint64_t ib, const uint8_t *bits,
		       uint64_t i, bool compare, struct amap_tally *t)
{
	const struct pf_layout *l = ck->l;
	uint64_t at = ib + i * l->amap_unit;
	bool alloc = bit_at(bits, i);
	bool used = claimed(&ck->claims, at / ck->claims.unit);

	if (!alloc)
		t->free_bytes += l->amap_unit;
	if (!compare || at >= ck->eof)
		return;
	if (used && !alloc) {
		if (t->in_use_free == 0)
			t->first_in_use_free = at;
		t->in_use_free += l->amap_unit;
	}
	if (alloc && !used) {
		t->leaked += l->amap_unit;
		if (!t->in_leak)
			t->leaked_runs++;
	}
	t->in_leak = alloc && !used;
}

/* Bits set in a byte (no popcnt instruction is assumed). */
static unsigned ones8(unsigned b)
{
	static const uint8_t nibble[16] = {
		0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
	};

	return nibble[b & 0xFu] + nibble[(b >> 4) & 0xFu];
}

/* The claim bits are LSB first, the AMap's MSB first. */
static unsigned reverse8(unsigned b)
{
	b = (b & 0xF0u) >> 4 | (b & 0x0Fu) << 4;
	b = (b & 0xCCu) >> 2 | (b & 0x33u) << 2;
	return (b & 0xAAu) >> 1 | (b & 0x55u) << 1;
}

/* Eight units at once, MSB first: tally_unit() eight times over. */
static void tally_byte(struct pf_ck *ck, uint64_t at, unsigned alloc,
		       unsigned used, struct amap_tally *t)
{
	uint32_t unit = ck->l->amap_unit;
	unsigned in_use_free = used & ~alloc & 0xFFu;
	unsigned leak = alloc & ~used & 0xFFu;
	unsigned starts = leak & ~(leak >> 1 | (t->in_leak ? 0x80u : 0));

	if (in_use_free) {
		if (t->in_use_free == 0)
			t->first_in_use_free = at + (uint64_t)unit *
				(unsigned)(__builtin_clz(in_use_free) - 24);
		t->in_use_free += (uint64_t)unit *
				  ones8(in_use_free);
	}
	t->leaked += (uint64_t)unit * ones8(leak);
	t->leaked_runs += ones8(starts);
	t->in_leak = leak & 1;
}

/* A byte of the map covers eight units; when they are all inside the
 * file and the claim map's byte covers the same eight, it is tallied
 * with bit operations (a 50 GB file has 800 million units). */
static void tally_page(struct pf_ck *ck, uint64_t ib, const uint8_t *page,
		       bool compare, struct amap_tally *t)
{
	const struct pf_layout *l = ck->l;
	const struct pf_claims *c = &ck->claims;
	const uint8_t *bits = page + l->amap_bits_ib;
	uint64_t u0 = ib / c->unit;
	bool aligned = c->unit == l->amap_unit && ib % c->unit == 0 &&
		       u0 % 8 == 0;

	for (uint32_t j = 0; j < l->amap_bits_cb; j++) {
		uint64_t u = u0 + (uint64_t)j * 8;

		if (!aligned || (compare && u + 8 > c->units)) {
			for (uint64_t i = (uint64_t)j * 8; i < j * 8 + 8; i++)
				tally_unit(ck, ib, bits, i, compare, t);
			continue;
		}
		t->free_bytes += (uint64_t)l->amap_unit *
			ones8(~bits[j] & 0xFFu);
		if (compare)
			tally_byte(ck, ib + (uint64_t)j * 8 * l->amap_unit,
				   bits[j], reverse8(c->bits[u / 8]), t);
	}
}

static void dlist_fault(struct pf_ck *ck, uint64_t ib, const char *field,
			uint64_t got, uint64_t want)
{
	struct pf_fault f = { .obj = PF_OBJ_DLIST, .kind = PF_F_VALUE,
			      .field = field, .ib = ib, .got = got,
			      .want = want };

	ck_fault(ck, &f);
}

/* MS-PST 2.2.2.7.4.1 DLISTPAGE: bFlags, cEntDList, wPadding,
 * ulCurrentPage, then 4-byte entries (dwPageNum: 20 bits, dwFreeSlots: 12
 * bits) in the bytes before the trailer.  Each entry names an AMap page
 * and can count at most its 496 * 8 free 64-byte slots.  The 4 KiB-page
 * DList is undocumented (libyal: "unknown"), so only 512-byte pages are
 * read.  A DList is a hint Outlook rebuilds: faults are warnings. */
static void check_dlist_entries(struct pf_ck *ck, const uint8_t *page,
				uint64_t ib)
{
	const struct pf_layout *l = ck->l;
	uint64_t namaps = (ck->eof - l->amap_first + l->amap_span - 1) /
			  l->amap_span;
	uint32_t max = (l->page_size - l->page_trailer - 8) / 4;
	uint32_t cent = page[1], current = pf_le32(page + 4);

	if (l->page_size != 512 || ck->eof <= l->amap_first)
		return;
	if (cent > max) {
		dlist_fault(ck, ib, "cEntDList", cent, max);
		cent = max;
	}
	if (current >= namaps)
		dlist_fault(ck, ib, "ulCurrentPage", current, namaps - 1);
	for (uint32_t i = 0; i < cent; i++) {
		uint32_t e = pf_le32(page + 8 + 4 * i);

		if ((e & 0xFFFFFu) >= namaps) {
			dlist_fault(ck, ib, "dwPageNum", e & 0xFFFFFu,
				    namaps - 1);
			break;   /* one finding for a damaged list */
		}
		if ((e >> 20) > l->amap_bits_cb * 8) {
			dlist_fault(ck, ib, "dwFreeSlots", e >> 20,
				    l->amap_bits_cb * 8);
			break;
		}
	}
}

static void check_dlist(struct pf_ck *ck, uint8_t *page)
{
	uint64_t ib = ck->l->dlist_ib;
	struct pf_page_trailer t;
	bool zero = true;

	if (ib + ck->l->page_size > ck->eof ||
	    pf_ndb_pread(ck->ndb, ib, page, ck->l->page_size) != 0)
		return;
	for (uint32_t i = 0; i < ck->l->page_size && zero; i++)
		zero = page[i] == 0;
	if (zero) {
		ck_problem(ck, 2047, ib, 0, 0, 0, 0, NULL);
		return;
	}
	/* nothing references the DList, so its BID is checked apart:
	 * MS-PST 2.2.2.7.1 gives pages other than the maps a BID from
	 * bidNextP (Outlook's DList holds bidNextP itself, every corpus
	 * file); Aspose writes the page's offset, as for a map page */
	pf_page_trailer_get(ck->l, page, &t);
	if (t.bid != ib && (t.bid == 0 || t.bid > ck->h->bid_next_p) &&
	    ck->h->bid_next_p > ck->max_page_bid)   /* else PF1021 says it */
		ck_problem(ck, 2043, ib, t.bid, 0, t.bid, ck->h->bid_next_p,
			   NULL);
	if (pf_page_check(ck->l, page, ib, PF_PTYPE_DL, t.bid, PF_OBJ_DLIST,
			  &ck->sink))
		check_dlist_entries(ck, page, ib);
}

static void report_tally(struct pf_ck *ck, const struct amap_tally *t,
			 bool compared)
{
	const struct pf_root *r = &ck->h->root;

	if (compared && t->in_use_free)
		ck_problem(ck, 2050, t->first_in_use_free, 0, 0,
			   t->in_use_free, t->first_in_use_free, NULL);
	if (compared && t->leaked)
		ck_problem(ck, 2051, PF_NO_IB, 0, 0, t->leaked, t->leaked_runs,
			   NULL);
	if (compared && r->cb_amap_free != t->free_bytes)
		ck_problem(ck, 2053, PF_NO_IB, 0, 0, r->cb_amap_free,
			   t->free_bytes, NULL);
}

void pass_amap(struct pf_ck *ck)
{
	const struct pf_layout *l = ck->l;
	const struct pf_root *r = &ck->h->root;
	bool compare = r->f_amap_valid != 0 && ck->bbt_complete &&
		       ck->nbt_complete;
	struct amap_tally t;
	uint8_t *page = malloc(l->page_size);
	uint64_t last = 0;

	if (!page)
		return;
	memset(&t, 0, sizeof(t));
	ck_progress(ck, PF_PASS_AMAP, 0, 1);
	check_dlist(ck, page);
	/* claim every map page first so the comparison sees them */
	for (uint64_t ib = l->amap_first, k = 0; ib < ck->eof;
	     ib += l->amap_span, k++) {
		visit_other_maps(ck, ib, k, page);
		if (!map_page_ok(ck, ib, PF_PTYPE_AMAP, PF_OBJ_AMAP, page))
			compare = false;
		else
			check_own_bits(ck, ib, k, page);
		last = ib;
	}
	if (last != r->ib_amap_last && r->ib_amap_last >= l->amap_first &&
	    (r->ib_amap_last - l->amap_first) % l->amap_span == 0 &&
	    r->ib_amap_last < ck->eof) {
		struct pf_fault f = { .ib = PF_NO_IB, .field = "ibAMapLast",
				      .got = r->ib_amap_last, .want = last };

		ck_report(ck, 1010, &f, NULL);
	}
	for (uint64_t ib = l->amap_first; ib < ck->eof; ib += l->amap_span) {
		if (ib + l->page_size > ck->eof ||
		    pf_ndb_pread(ck->ndb, ib, page, l->page_size) != 0)
			break;
		tally_page(ck, ib, page, compare, &t);
	}
	if (!compare)
		ck_problem(ck, 2054, PF_NO_IB, 0, 0, 0, 0,
			   r->f_amap_valid == 0 ? "fAMapValid is 0" :
			   "the B-trees or the maps are damaged");
	report_tally(ck, &t, compare);
	free(page);
}
