/*
 * ndbw_maps.c - the allocation map pages and the DList, written by the
 * commit once every block and B-tree page has its place.
 *
 * Contract
 * - AMap (MS-PST 2.2.2.7.2): one bit per 64 bytes (512 in 4K files) of its
 *   range, most significant bit first, 1 = allocated; the map pages
 *   themselves are allocated.  ANSI map pages start with 4 bytes of
 *   dwPadding.  Map pages carry their own offset as BID and wSig 0.
 * - PMap (2.2.2.7.3): deprecated; "each 0 bit corresponds to an available
 *   page ... the meaning of 1 bits is ambiguous".  We advertise no free
 *   page: all bits 1, as Outlook's files have them, and cbPMapFree is 0.
 * - FMap (2.2.2.7.5): byte j of the FMap in range k is the longest run of
 *   free AMap bits in AMap k + j (capped at 255); AMaps past the end of the
 *   file have 0.  The header's rgbFM covers AMaps 0-127 and is 0xFF.
 * - FPMap (2.2.2.7.6): bit n is 1 when PMap n has no free page; ours never
 *   have one, so every bit is 1 (rgbFP in the header is 0xFF too).
 * - DList (2.2.2.7.4) at dlist_ib: DFL_BACKFILL_COMPLETE, ulCurrentPage =
 *   the AMap with the most free space, then the other AMaps by free space,
 *   descending (as many as fit), as Outlook writes it.  Its BID comes from
 *   bidNextP; wSig is computed.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_le.h"
#include "ndbw_int.h"

static int put_map(struct pf_writer *w, uint8_t *page, uint64_t ib,
		   uint8_t ptype, const uint8_t *bits, int fill)
{
	memset(page, 0, w->l.page_size);
	if (bits)
		memcpy(page + w->l.amap_bits_ib, bits, w->l.amap_bits_cb);
	else
		memset(page + w->l.amap_bits_ib, fill, w->l.amap_bits_cb);
	ndbw_page_seal(w, page, ptype, ib, ib);
	return ndbw_pwrite(w, ib, page, w->l.page_size);
}

static void fmap_bits(struct pf_writer *w, uint64_t k, uint8_t *out)
{
	for (uint32_t j = 0; j < w->l.amap_bits_cb; j++) {
		uint32_t longest = 0;

		if (k + j < w->nranges)
			ndbw_range_free(w, k + j, &longest);
		out[j] = (uint8_t)(longest > 255 ? 255 : longest);
	}
}

static int put_range_maps(struct pf_writer *w, uint64_t k, uint8_t *page,
			  uint8_t *tmp)
{
	uint64_t ib = ndbw_range_ib(w, k);
	uint32_t ps = w->l.page_size;
	int rc = put_map(w, page, ib, PF_PTYPE_AMAP, ndbw_range_bits(w, k), 0);

	if (rc == 0 && ndbw_has_pmap(w, k))
		rc = put_map(w, page, ib + ps, PF_PTYPE_PMAP, NULL, 0xFF);
	if (rc == 0 && ndbw_has_fmap(w, k)) {
		fmap_bits(w, k, tmp);
		rc = put_map(w, page, ib + 2 * ps, PF_PTYPE_FMAP, tmp, 0);
	}
	if (rc == 0 && ndbw_has_fpmap(w, k))
		rc = put_map(w, page, ib + 3 * ps, PF_PTYPE_FPMAP, NULL, 0xFF);
	return rc;
}

/* ---- DList ---- */

struct dl_ent {
	uint32_t page;
	uint32_t free;
};

static int cmp_dl(const void *a, const void *b)
{
	const struct dl_ent *x = a, *y = b;

	if (x->free != y->free)
		return x->free > y->free ? -1 : 1;
	return x->page < y->page ? -1 : x->page > y->page;
}

/* DLISTPAGE: bFlags, cEntDList, wPadding, ulCurrentPage, then DLISTPAGEENT
 * (dwPageNum: 20 bits, dwFreeSlots: 12 bits). */
static void fill_dlist(struct pf_writer *w, uint8_t *page,
		       const struct dl_ent *v, size_t n)
{
	size_t area = w->variant == PF_ANSI ? 480 : 476;
	size_t max = area / 4, cent = n - 1 < max ? n - 1 : max;

	if (w->l.page_size == 4096)   /* layout as in 512-byte pages */
		cent = n - 1 < 255 ? n - 1 : 255;
	page[0] = 0x01;               /* DFL_BACKFILL_COMPLETE */
	page[1] = (uint8_t)cent;
	pf_put32(page + 4, v[0].page);
	for (size_t i = 0; i < cent; i++) {
		uint32_t fs = v[i + 1].free > 0xFFF ? 0xFFF : v[i + 1].free;

		pf_put32(page + 8 + 4 * i, (v[i + 1].page & 0xFFFFF) |
					   (fs << 20));
	}
}

static int put_dlist(struct pf_writer *w, uint8_t *page)
{
	size_t n = (size_t)w->nranges;
	struct dl_ent *v = malloc(n * sizeof(*v));
	int rc;

	if (!v)
		return ndbw_fail(w, pf_error_set(PF_E_NOMEM, "out of memory"));
	for (size_t k = 0; k < n; k++) {
		v[k].page = (uint32_t)k;
		v[k].free = ndbw_range_free(w, k, NULL);
	}
	qsort(v, n, sizeof(*v), cmp_dl);
	memset(page, 0, w->l.page_size);
	fill_dlist(w, page, v, n);
	free(v);
	ndbw_page_seal(w, page, PF_PTYPE_DL, w->l.dlist_ib, ndbw_page_bid(w));
	rc = ndbw_pwrite(w, w->l.dlist_ib, page, w->l.page_size);
	return rc;
}

int ndbw_write_maps(struct pf_writer *w)
{
	uint8_t *page = malloc(w->l.page_size);
	uint8_t *tmp = malloc(w->l.amap_bits_cb);
	int rc = 0;

	if (!page || !tmp)
		rc = ndbw_fail(w, pf_error_set(PF_E_NOMEM, "out of memory"));
	for (uint64_t k = 0; rc == 0 && k < w->nranges; k++)
		rc = put_range_maps(w, k, page, tmp);
	if (rc == 0)
		rc = put_dlist(w, page);
	free(page);
	free(tmp);
	return rc;
}
