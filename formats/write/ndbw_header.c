/*
 * ndbw_header.c - the HEADER and its ROOT (MS-PST 2.2.2.6, 2.2.2.5),
 * written last, in place at offset 0.
 *
 * Contract
 * - Unicode / 4K (564 bytes) and ANSI (512 bytes) layouts as in the spec;
 *   every reserved field zero, rgbFM and rgbFP filled with 0xFF ("MUST be
 *   filled with 0xFF"), bSentinel 0x80, wVerClient 19, bPlatformCreate and
 *   bPlatformAccess 0x01, wMagicClient "SM" (PST) or "SO" (OST), wVer 23 /
 *   14 / 36 (4K, libyal PFF).
 * - ROOT: ibFileEof is the end of the last AMap range (Outlook files end on
 *   a range boundary), ibAMapLast that range's AMap, cbAMapFree the bytes
 *   the AMaps mark free, cbPMapFree 0 (our PMaps offer no page, see
 *   ndbw_maps.c), the two tree roots, fAMapValid 2 (VALID_AMAP2).
 * - dwCRCPartial covers the 471 bytes from wMagicClient; dwCRCFull
 *   (Unicode only) the 516 bytes from wMagicClient through bidNextB.
 */
#include <string.h>

#include "../util/pf_crc.h"
#include "../util/pf_le.h"
#include "ndbw_int.h"

uint64_t ndbw_file_eof(const struct pf_writer *w)
{
	return ndbw_range_ib(w, w->nranges);
}

uint64_t ndbw_amap_free_bytes(const struct pf_writer *w)
{
	uint64_t total = 0;

	for (uint64_t k = 0; k < w->nranges; k++)
		total += (uint64_t)ndbw_range_free(w, k, NULL) *
			 w->l.amap_unit;
	return total;
}

/* Field offsets that differ between the two layouts. */
struct hdr_at {
	uint32_t bid_next_b, bid_next_p, unique, rgnid, root, fm, fp;
	uint32_t sentinel, size;
};

static const struct hdr_at ansi_at = {
	.bid_next_b = 24, .bid_next_p = 28, .unique = 32, .rgnid = 36,
	.root = 164, .fm = 204, .fp = 332, .sentinel = 460, .size = 512,
};

static const struct hdr_at unicode_at = {
	.bid_next_b = 516, .bid_next_p = 32, .unique = 40, .rgnid = 44,
	.root = 180, .fm = 256, .fp = 384, .sentinel = 512,
	.size = PF_HEADER_CB,
};

/* ROOT: dwReserved, ibFileEof, ibAMapLast, cbAMapFree, cbPMapFree,
 * BREFNBT, BREFBBT, fAMapValid, bReserved, wReserved. */
static void put_root(const struct pf_writer *w, uint8_t *p)
{
	uint32_t bs = w->l.bid_size;

	p += 4;
	ndbw_put_id(w, p, ndbw_file_eof(w));
	ndbw_put_id(w, p + bs, ndbw_range_ib(w, w->nranges - 1));
	ndbw_put_id(w, p + 2 * bs, ndbw_amap_free_bytes(w));
	ndbw_put_id(w, p + 3 * bs, 0);
	ndbw_put_id(w, p + 4 * bs, w->nbt_root.bid);
	ndbw_put_id(w, p + 5 * bs, w->nbt_root.ib);
	ndbw_put_id(w, p + 6 * bs, w->bbt_root.bid);
	ndbw_put_id(w, p + 7 * bs, w->bbt_root.ib);
	p[8 * bs] = 2;                /* fAMapValid: VALID_AMAP2 */
}

static uint16_t wver(const struct pf_writer *w)
{
	return w->variant == PF_ANSI ? 14 : w->variant == PF_UNICODE ? 23 : 36;
}

static void fill_header(const struct pf_writer *w, uint8_t *h,
			const struct hdr_at *at)
{
	pf_put32(h, PF_MAGIC);
	pf_put16(h + 8, w->ost ? PF_MAGIC_CLIENT_OST : PF_MAGIC_CLIENT_PST);
	pf_put16(h + 10, wver(w));
	pf_put16(h + 12, 19);         /* wVerClient */
	h[14] = 0x01;                 /* bPlatformCreate */
	h[15] = 0x01;                 /* bPlatformAccess */
	ndbw_put_id(w, h + at->bid_next_b, w->bid_next_b);
	ndbw_put_id(w, h + at->bid_next_p, w->bid_next_p);
	pf_put32(h + at->unique, w->unique);
	for (unsigned t = 0; t < 32; t++)
		pf_put32(h + at->rgnid + 4 * t, w->rgnid[t]);
	put_root(w, h + at->root);
	memset(h + at->fm, 0xFF, 128);
	memset(h + at->fp, 0xFF, 128);
	h[at->sentinel] = 0x80;
	h[at->sentinel + 1] = (uint8_t)w->crypt;
}

int ndbw_write_header(struct pf_writer *w)
{
	const struct hdr_at *at = w->variant == PF_ANSI ? &ansi_at :
							  &unicode_at;
	uint8_t h[PF_HEADER_CB];

	memset(h, 0, sizeof(h));
	fill_header(w, h, at);
	pf_put32(h + 4, pf_crc(h + 8, 471));
	if (w->variant != PF_ANSI)
		pf_put32(h + 524, pf_crc(h + 8, 516));
	return ndbw_pwrite(w, 0, h, at->size);
}
