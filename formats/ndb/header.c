/*
 * header.c - decode the file HEADER and ROOT (MS-PST 2.2.2.6, 2.2.2.5) and
 * pick the per-variant layout.
 *
 * Contract: pf_header_decode() never judges the values it decodes beyond
 * what is needed to tell the variant apart; it computes both CRCs so the
 * checker can compare.  It returns PF_E_NOTPST when the bytes are not a PST
 * header (short, wrong magic, unknown wVer) and PF_E_UNSUPPORTED for WIP.
 * pf_header_encode() is its inverse for the fields a repair may change,
 * with the same offset tables, and seals the result with both CRCs.
 */
#include <string.h>

#include "../util/pf_crc.h"
#include "../util/pf_le.h"
#include "pf_ndb.h"

/* Offsets that differ between the two header layouts. */
struct header_offsets {
	uint32_t bid_next_b, bid_next_p, unique, rgnid, root, sentinel;
	uint32_t bid_size;
};

static const struct header_offsets ansi_offsets = {
	.bid_next_b = 24, .bid_next_p = 28, .unique = 32, .rgnid = 36,
	.root = 164, .sentinel = 460, .bid_size = 4,
};

static const struct header_offsets unicode_offsets = {
	.bid_next_b = 516, .bid_next_p = 32, .unique = 40, .rgnid = 44,
	.root = 180, .sentinel = 512, .bid_size = 8,
};

static void put_id(uint8_t *p, uint32_t width, uint64_t v)
{
	if (width == 4)
		pf_put32(p, (uint32_t)v);
	else
		pf_put64(p, v);
}

static uint64_t get_id(const uint8_t *p, uint32_t width)
{
	return width == 4 ? pf_le32(p) : pf_le64(p);
}

/* MS-PST 2.2.2.5 ROOT: dwReserved, then 4 sizes, 2 BREFs, fAMapValid. */
static void decode_root(struct pf_root *r, const uint8_t *p, uint32_t w)
{
	p += 4;
	r->ib_file_eof = get_id(p, w);
	r->ib_amap_last = get_id(p + w, w);
	r->cb_amap_free = get_id(p + 2 * w, w);
	r->cb_pmap_free = get_id(p + 3 * w, w);
	r->nbt.bid = get_id(p + 4 * w, w);
	r->nbt.ib = get_id(p + 5 * w, w);
	r->bbt.bid = get_id(p + 6 * w, w);
	r->bbt.ib = get_id(p + 7 * w, w);
	r->f_amap_valid = p[8 * w];
}

/* wVer 14/15 ANSI, 23 Unicode, 36 4K-page OST (libpff's "OST 2013").
 * MS-PST 2.2.2.6: 37 is a Unicode file written by an Outlook that knows
 * Windows Information Protection; libpff reads 37 as 4K.  The header alone
 * cannot tell: pf_ndb_open() looks at the NBT root page to decide. */
static int variant_of(uint16_t ver, enum pf_variant *v)
{
	if (ver == 14 || ver == 15)
		*v = PF_ANSI;
	else if ((ver >= 20 && ver <= 23) || ver == 37)
		*v = PF_UNICODE;
	else if (ver == 36)
		*v = PF_UNICODE4K;
	else
		return PF_E_NOTPST;
	return 0;
}

int pf_header_decode(struct pf_header *h, const uint8_t *buf, size_t n)
{
	const struct header_offsets *o;

	memset(h, 0, sizeof(*h));
	if (n < 24)
		return pf_error_set(PF_E_NOTPST,
				    "not a PST file: only %zu bytes", n);
	h->magic = pf_le32(buf);
	if (h->magic != PF_MAGIC)
		return pf_error_set(PF_E_NOTPST,
				    "not a PST file: no !BDN magic at offset 0");
	h->crc_partial = pf_le32(buf + 4);
	h->magic_client = pf_le16(buf + 8);
	h->ver = pf_le16(buf + 10);
	h->ver_client = pf_le16(buf + 12);
	h->platform_create = buf[14];
	h->platform_access = buf[15];
	if (variant_of(h->ver, &h->variant) != 0)
		return pf_error_set(PF_E_NOTPST,
				    "not a PST file: unknown wVer %u", h->ver);
	o = h->variant == PF_ANSI ? &ansi_offsets : &unicode_offsets;
	if (n < (h->variant == PF_ANSI ? 512u : PF_HEADER_CB))
		return pf_error_set(PF_E_NOTPST,
				    "not a PST file: header truncated at %zu bytes",
				    n);

	h->bid_next_b = get_id(buf + o->bid_next_b, o->bid_size);
	h->bid_next_p = get_id(buf + o->bid_next_p, o->bid_size);
	h->unique = pf_le32(buf + o->unique);
	for (int i = 0; i < 32; i++)
		h->rgnid[i] = pf_le32(buf + o->rgnid + 4 * i);
	decode_root(&h->root, buf + o->root, o->bid_size);
	h->sentinel = buf[o->sentinel];
	h->crypt_method = buf[o->sentinel + 1];

	/* MS-PST 2.2.2.6: dwCRCPartial covers 471 bytes from wMagicClient;
	 * the Unicode dwCRCFull covers 516. */
	h->crc_partial_calc = pf_crc(buf + 8, 471);
	if (h->variant != PF_ANSI) {
		h->crc_full = pf_le32(buf + 524);
		h->crc_full_calc = pf_crc(buf + 8, 516);
	}
	if (h->crypt_method == PF_CRYPT_WIP)
		return pf_error_set(PF_E_UNSUPPORTED,
				    "protected by Windows Information Protection "
				    "(bCryptMethod 0x10): cannot be read");
	return 0;
}

/* The inverse of decode_root(); dwReserved and the bytes after fAMapValid
 * are left as they are. */
static void encode_root(uint8_t *p, const struct pf_root *r, uint32_t w)
{
	p += 4;
	put_id(p, w, r->ib_file_eof);
	put_id(p + w, w, r->ib_amap_last);
	put_id(p + 2 * w, w, r->cb_amap_free);
	put_id(p + 3 * w, w, r->cb_pmap_free);
	put_id(p + 4 * w, w, r->nbt.bid);
	put_id(p + 5 * w, w, r->nbt.ib);
	put_id(p + 6 * w, w, r->bbt.bid);
	put_id(p + 7 * w, w, r->bbt.ib);
	p[8 * w] = r->f_amap_valid;
}

int pf_header_encode(uint8_t *buf, size_t n, const struct pf_header *h)
{
	const struct header_offsets *o = h->variant == PF_ANSI ?
					 &ansi_offsets : &unicode_offsets;

	if (n < (h->variant == PF_ANSI ? 512u : PF_HEADER_CB))
		return pf_error_set(PF_E_USAGE, "header buffer of %zu bytes "
				    "is too small", n);
	pf_put16(buf + 8, h->magic_client);
	put_id(buf + o->bid_next_b, o->bid_size, h->bid_next_b);
	put_id(buf + o->bid_next_p, o->bid_size, h->bid_next_p);
	pf_put32(buf + o->unique, h->unique);
	for (int i = 0; i < 32; i++)
		pf_put32(buf + o->rgnid + 4 * i, h->rgnid[i]);
	encode_root(buf + o->root, &h->root, o->bid_size);
	buf[o->sentinel] = h->sentinel;
	buf[o->sentinel + 1] = h->crypt_method;
	/* the CRCs last: they cover what was just written (MS-PST 2.2.2.6) */
	pf_put32(buf + 4, pf_crc(buf + 8, 471));
	if (h->variant != PF_ANSI)
		pf_put32(buf + 524, pf_crc(buf + 8, 516));
	return 0;
}
