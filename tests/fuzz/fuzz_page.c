/*
 * fuzz_page.c - libFuzzer harness over the page parsers of MS-PST 2.2.2.7
 * without a file: one page's trailer (ptype, ptypeRepeat, wSig, dwCRC,
 * BID), the self-validation the scavenger and prober use, and the BTPAGE
 * metadata and every entry as a branch, an NBT leaf and a BBT leaf.
 *
 * Input: byte 0 picks the variant (low two bits, mod 3: ANSI, Unicode,
 * 4K) and the mode (bit 7 set: raw; clear: checksum-fixing, wSig and
 * dwCRC recomputed by fixcrc.c so the page reaches the structural checks);
 * bytes 1..4 the page's index (IB = index * page size, so wSig varies);
 * the rest is the page, zero-padded to the page size.
 * AMap/PMap/FMap/FPMap/DList content is checked by pstfix/check with the
 * whole file around it: fuzz_scan_crc reaches those.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/util/pf_le.h"
#include "fixcrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count(void *ctx, const struct pf_fault *f)
{
	(*(uint32_t *)ctx)++;
	(void)f;
}

static void entries(const struct pf_layout *l, const struct pf_btpage *bt)
{
	for (uint32_t i = 0; i < bt->cent; i++) {
		struct pf_bt_branch br;
		struct pf_nbt_entry ne;
		struct pf_bbt_entry be;

		pf_bt_branch_get(l, bt, i, &br);
		pf_nbt_entry_get(l, bt, i, &ne);
		pf_bbt_entry_get(l, bt, i, &be);
	}
}

static void check_page(const struct pf_layout *l, const uint8_t *page,
		       uint64_t ib)
{
	uint32_t faults = 0;
	struct pf_sink sink = { count, &faults };
	struct pf_page_trailer t;
	struct pf_btpage bt;
	uint8_t ptype;

	pf_page_trailer_get(l, page, &t);
	pf_page_self_valid(l, page, ib, &ptype);
	for (uint8_t p = PF_PTYPE_BBT; p <= PF_PTYPE_DL; p++)
		pf_page_check(l, page, ib, p, p >= PF_PTYPE_FMAP &&
			      p <= PF_PTYPE_FPMAP ? ib : t.bid,
			      PF_OBJ_BBT, &sink);
	pf_btpage_parse(l, page, ib, PF_OBJ_NBT, &sink, &bt);
	entries(l, &bt);
	pf_btpage_parse(l, page, ib, PF_OBJ_BBT, &sink, &bt);
	entries(l, &bt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_layout l;
	uint8_t *page;
	uint64_t ib;

	if (size < 5 ||
	    !pf_layout_for(&l, (enum pf_variant)(1 + (data[0] & 3) % 3)))
		return 0;
	ib = (uint64_t)pf_le32(data + 1) * l.page_size;
	page = calloc(1, l.page_size);
	if (!page)
		return 0;
	memcpy(page, data + 5, size - 5 < l.page_size ? size - 5 :
	       l.page_size);
	if (!(data[0] & 0x80))
		fz_fix_page(&l, page, ib);
	check_page(&l, page, ib);
	free(page);
	return 0;
}
