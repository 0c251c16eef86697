/*
 * test_ndb_header.c - pf_header_decode(), pf_layout_for() and the header
 * side of pf_ndb_open().
 *
 * Covers:
 * - the CRC (pf_crc) and signature (pf_sig) against known answers, so the
 *   helpers the other tests use to build structures are pinned;
 * - a Unicode and an ANSI header built in memory (offsets written from
 *   MS-PST 2.2.2.6 in tutil.h) with correct CRCs: every decoded field,
 *   the variant, and crc_*_calc equal to the stored CRCs and to our own
 *   computation; a header with wrong CRCs still decodes (the checker
 *   judges) with calc != stored;
 * - rejections: wrong magic, truncated buffers (0, 23, 40, 511, 563 for
 *   Unicode; 0, 23, 40, 511 for ANSI, whose header is 512 bytes so 563
 *   decodes), unknown wVer -> PF_E_NOTPST; bCryptMethod 0x10 ->
 *   PF_E_UNSUPPORTED; wVer 14/15/23/36 -> the right variant;
 * - pf_layout_for() sizes for each variant (MS-PST 2.2.2.7 and libyal PFF
 *   for 4K) and its refusal of an unknown variant;
 * - pf_ndb_open() on synthetic files and on the corpus's NOTPST files
 *   (skipped when ../shared/corpus is absent).
 */
#include <check.h>

#include "tutil.h"

static char tmpdir[64];

/* ---- known answers for the helpers ---- */

START_TEST(test_crc_known_answers)
{
	static const uint8_t zeros[512];
	const uint8_t *digits = (const uint8_t *)"123456789";

	static const uint8_t ones[4] = { 0xFF, 0xFF, 0xFF, 0xFF };

	/* MS-PST 5.3: the reflected CRC-32 table, register seeded with 0,
	 * no final inversion (values from a bitwise reference) */
	ck_assert_uint_eq(pf_crc(digits, 9), 0x2DFD2D88u);
	ck_assert_uint_eq(pf_crc(ones, 4), 0xDEBB20E3u);
	ck_assert_uint_eq(pf_crc(zeros, sizeof(zeros)), 0);
	ck_assert_uint_eq(pf_crc(digits, 0), 0);
	ck_assert_uint_ne(pf_crc(digits, 8), pf_crc(digits, 9));
}
END_TEST

START_TEST(test_sig_known_answers)
{
	/* MS-PST 5.5: ib ^= bid; (ib >> 16) ^ (ib & 0xFFFF), 16 bits */
	ck_assert_uint_eq(pf_sig(0x7400, 0x4de), 0x7400 ^ 0x4de);
	ck_assert_uint_eq(pf_sig(0x12345678, 0), 0x1234 ^ 0x5678);
	ck_assert_uint_eq(pf_sig(0, 0), 0);
	ck_assert_uint_eq(pf_sig(0x4400, 0x4400), 0);
	/* only the low 32 bits of ib ^ bid reach the signature */
	ck_assert_uint_eq(pf_sig(0x100000000ull | 0x9a00, 0x4db),
			  (0x9a00 ^ 0x4db) & 0xFFFF);
}
END_TEST

/* ---- synthetic headers ---- */

struct want_hdr {
	uint16_t ver, ver_client, magic_client;
	uint8_t pcreate, paccess;
	uint64_t bid_next_b, bid_next_p;
	uint32_t unique;
	uint64_t eof, amap_last, amap_free, pmap_free;
	uint64_t nbt_bid, nbt_ib, bbt_bid, bbt_ib;
	uint8_t amap_valid, sentinel, crypt;
};

static const struct want_hdr want_unicode = {
	.ver = 23, .ver_client = 19, .magic_client = PF_MAGIC_CLIENT_PST,
	.pcreate = 0x01, .paccess = 0x02,
	.bid_next_b = 0x0000001234567894ull,
	.bid_next_p = 0x00000009ABCDEF10ull,
	.unique = 0xDEADBEEF,
	.eof = 0x0000000123456000ull, .amap_last = 0x0000000123440400ull,
	.amap_free = 0x0000000011112222ull, .pmap_free = 0x3333,
	.nbt_bid = 0x00000044000004DBull, .nbt_ib = 0x0000000200009A00ull,
	.bbt_bid = 0x00000055000004DEull, .bbt_ib = 0x0000000300007400ull,
	.amap_valid = 2, .sentinel = 0x80, .crypt = PF_CRYPT_PERMUTE,
};

static const struct want_hdr want_ansi = {
	.ver = 14, .ver_client = 19, .magic_client = PF_MAGIC_CLIENT_OST,
	.pcreate = 0x01, .paccess = 0x01,
	.bid_next_b = 0x12345678, .bid_next_p = 0x9ABCDEF0, .unique = 0xCAFE,
	.eof = 0x7FFF0000, .amap_last = 0x7FFC4400, .amap_free = 0x1234,
	.pmap_free = 0x5678, .nbt_bid = 0x3e7, .nbt_ib = 0x8800,
	.bbt_bid = 0x3ea, .bbt_ib = 0x7000,
	.amap_valid = 1, .sentinel = 0x80, .crypt = PF_CRYPT_CYCLIC,
};

/* Build a header in BUF (564 bytes, zeroed first) from W, CRCs right. */
static void build_header(uint8_t *buf, const struct want_hdr *w)
{
	bool ansi = tu_ver_is_ansi(w->ver);
	struct tu_hdr_layout h = tu_hdr_layout(ansi);

	memset(buf, 0, PF_HEADER_CB);
	memcpy(buf, "!BDN", 4);
	pf_put16(buf + 8, w->magic_client);
	pf_put16(buf + 10, w->ver);
	pf_put16(buf + 12, w->ver_client);
	buf[14] = w->pcreate;
	buf[15] = w->paccess;
	tu_put(buf + h.bid_next_b, h.w, w->bid_next_b);
	tu_put(buf + h.bid_next_p, h.w, w->bid_next_p);
	pf_put32(buf + h.unique, w->unique);
	for (unsigned i = 0; i < 32; i++)
		pf_put32(buf + h.rgnid + 4 * i, 0x400u + i * 0x11u);
	tu_put(buf + tu_root_off(&h, TU_ROOT_FILE_EOF), h.w, w->eof);
	tu_put(buf + tu_root_off(&h, TU_ROOT_AMAP_LAST), h.w, w->amap_last);
	tu_put(buf + tu_root_off(&h, TU_ROOT_AMAP_FREE), h.w, w->amap_free);
	tu_put(buf + tu_root_off(&h, TU_ROOT_PMAP_FREE), h.w, w->pmap_free);
	tu_put(buf + tu_root_off(&h, TU_ROOT_NBT_BID), h.w, w->nbt_bid);
	tu_put(buf + tu_root_off(&h, TU_ROOT_NBT_IB), h.w, w->nbt_ib);
	tu_put(buf + tu_root_off(&h, TU_ROOT_BBT_BID), h.w, w->bbt_bid);
	tu_put(buf + tu_root_off(&h, TU_ROOT_BBT_IB), h.w, w->bbt_ib);
	buf[tu_root_off(&h, TU_ROOT_AMAP_VALID)] = w->amap_valid;
	/* rgbFM / rgbFP (deprecated) filled with 0xFF as Outlook does */
	memset(buf + tu_root_off(&h, TU_ROOT_AMAP_VALID) + 4 + (ansi ? 0 : 4),
	       0xFF, 256);
	buf[h.sentinel] = w->sentinel;
	buf[h.crypt] = w->crypt;
	tu_header_fix_buf(buf, ansi);
}

static void assert_decoded(const struct pf_header *d, const struct want_hdr *w,
			   const uint8_t *buf)
{
	bool ansi = tu_ver_is_ansi(w->ver);

	ck_assert_uint_eq(d->magic, PF_MAGIC);
	ck_assert_uint_eq(d->magic_client, w->magic_client);
	ck_assert_uint_eq(d->ver, w->ver);
	ck_assert_uint_eq(d->ver_client, w->ver_client);
	ck_assert_uint_eq(d->platform_create, w->pcreate);
	ck_assert_uint_eq(d->platform_access, w->paccess);
	ck_assert_uint_eq(d->bid_next_b, w->bid_next_b);
	ck_assert_uint_eq(d->bid_next_p, w->bid_next_p);
	ck_assert_uint_eq(d->unique, w->unique);
	for (unsigned i = 0; i < 32; i++)
		ck_assert_uint_eq(d->rgnid[i], 0x400u + i * 0x11u);
	ck_assert_uint_eq(d->root.ib_file_eof, w->eof);
	ck_assert_uint_eq(d->root.ib_amap_last, w->amap_last);
	ck_assert_uint_eq(d->root.cb_amap_free, w->amap_free);
	ck_assert_uint_eq(d->root.cb_pmap_free, w->pmap_free);
	ck_assert_uint_eq(d->root.nbt.bid, w->nbt_bid);
	ck_assert_uint_eq(d->root.nbt.ib, w->nbt_ib);
	ck_assert_uint_eq(d->root.bbt.bid, w->bbt_bid);
	ck_assert_uint_eq(d->root.bbt.ib, w->bbt_ib);
	ck_assert_uint_eq(d->root.f_amap_valid, w->amap_valid);
	ck_assert_uint_eq(d->sentinel, w->sentinel);
	ck_assert_uint_eq(d->crypt_method, w->crypt);
	ck_assert_int_eq(d->variant, ansi ? PF_ANSI : PF_UNICODE);
	/* the CRCs: stored, computed by the decoder, computed here */
	ck_assert_uint_eq(d->crc_partial, pf_le32(buf + 4));
	ck_assert_uint_eq(d->crc_partial_calc, pf_crc(buf + 8, 471));
	ck_assert_uint_eq(d->crc_partial, d->crc_partial_calc);
	if (ansi) {
		ck_assert_uint_eq(d->crc_full, 0);
		ck_assert_uint_eq(d->crc_full_calc, 0);
	} else {
		ck_assert_uint_eq(d->crc_full, pf_le32(buf + 524));
		ck_assert_uint_eq(d->crc_full_calc, pf_crc(buf + 8, 516));
		ck_assert_uint_eq(d->crc_full, d->crc_full_calc);
	}
}

START_TEST(test_decode_unicode)
{
	uint8_t buf[PF_HEADER_CB];
	struct pf_header d;

	build_header(buf, &want_unicode);
	ck_assert_int_eq(pf_header_decode(&d, buf, sizeof(buf)), 0);
	assert_decoded(&d, &want_unicode, buf);
	/* bidNextB lives after bSentinel in Unicode: prove it is not read
	 * from the ANSI place (offset 24 holds bidUnused) */
	memset(buf + 24, 0xAB, 8);
	tu_header_fix_buf(buf, false);
	ck_assert_int_eq(pf_header_decode(&d, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(d.bid_next_b, want_unicode.bid_next_b);
}
END_TEST

START_TEST(test_decode_ansi)
{
	uint8_t buf[PF_HEADER_CB];
	struct pf_header d;

	build_header(buf, &want_ansi);
	ck_assert_int_eq(pf_header_decode(&d, buf, 512), 0);
	assert_decoded(&d, &want_ansi, buf);
	/* bytes past 512 are not part of an ANSI header */
	memset(buf + 512, 0x5A, PF_HEADER_CB - 512);
	ck_assert_int_eq(pf_header_decode(&d, buf, sizeof(buf)), 0);
	assert_decoded(&d, &want_ansi, buf);
}
END_TEST

/* Each CRC covers its range: a change inside it shows as calc != stored,
 * outside it does not; a header with bad CRCs still decodes. */
START_TEST(test_crc_ranges)
{
	static const struct {
		bool ansi;
		uint32_t off;
		bool partial_bad, full_bad;
	} rows[] = {
		{ false, 8, true, true },       /* wMagicClient: both */
		{ false, 478, true, true },     /* last byte of the partial */
		{ false, 479, false, true },    /* first byte after it */
		{ false, 512, false, true },    /* bSentinel: full only */
		{ false, 523, false, true },    /* last byte of the full */
		{ false, 528, false, false },   /* rgbReserved2: neither */
		{ true, 8, true, false },
		{ true, 460, true, false },     /* ANSI bSentinel */
		{ true, 478, true, false },
		{ true, 479, false, false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t buf[PF_HEADER_CB];
		struct pf_header d;
		const struct want_hdr *w = rows[i].ansi ? &want_ansi :
							  &want_unicode;

		build_header(buf, w);
		buf[rows[i].off] ^= 0x01;
		ck_assert_msg(pf_header_decode(&d, buf, sizeof(buf)) == 0,
			      "row %zu: a CRC mismatch must not stop decoding",
			      i);
		ck_assert_msg((d.crc_partial != d.crc_partial_calc) ==
			      rows[i].partial_bad, "row %zu (offset %u): "
			      "partial CRC verdict", i, rows[i].off);
		ck_assert_msg((d.crc_full != d.crc_full_calc) ==
			      rows[i].full_bad, "row %zu (offset %u): "
			      "full CRC verdict", i, rows[i].off);
	}
}
END_TEST

/* A flipped stored CRC is decoded as stored, not replaced. */
START_TEST(test_crc_stored_flip)
{
	uint8_t buf[PF_HEADER_CB];
	struct pf_header d;

	build_header(buf, &want_unicode);
	buf[4] ^= 0x10;
	buf[524] ^= 0x20;
	ck_assert_int_eq(pf_header_decode(&d, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(d.crc_partial, d.crc_partial_calc ^ 0x10);
	ck_assert_uint_eq(d.crc_full, d.crc_full_calc ^ 0x20);
}
END_TEST

START_TEST(test_bad_magic)
{
	static const char *const magics[] = {
		"!BDM", "NDB!", "From", "\0\0\0\0", "!bdn",
	};

	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		uint8_t buf[PF_HEADER_CB];
		struct pf_header d;

		build_header(buf, &want_unicode);
		memcpy(buf, magics[i], 4);
		ck_assert_msg(pf_header_decode(&d, buf, sizeof(buf)) ==
			      PF_E_NOTPST, "magic %zu accepted", i);
		ck_assert_str_ne(pf_error_msg(), "");
	}
}
END_TEST

/* Truncated buffers: checked per loop iteration (_i indexes rows). */
static const struct {
	bool ansi;
	size_t n;
	int want;
} trunc_rows[] = {
	{ false, 0, PF_E_NOTPST },
	{ false, 23, PF_E_NOTPST },
	{ false, 40, PF_E_NOTPST },
	{ false, 511, PF_E_NOTPST },
	{ false, 563, PF_E_NOTPST },
	{ false, 564, 0 },
	{ true, 0, PF_E_NOTPST },
	{ true, 23, PF_E_NOTPST },
	{ true, 40, PF_E_NOTPST },
	{ true, 511, PF_E_NOTPST },
	{ true, 512, 0 },
	{ true, 563, 0 },               /* an ANSI header is 512 bytes */
};

START_TEST(test_truncated)
{
	uint8_t buf[PF_HEADER_CB];
	uint8_t *copy;
	struct pf_header d;
	size_t n = trunc_rows[_i].n;

	build_header(buf, trunc_rows[_i].ansi ? &want_ansi : &want_unicode);
	/* an exact-size heap copy so a read past n is an ASan error */
	copy = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, buf, n);
	ck_assert_msg(pf_header_decode(&d, copy, n) == trunc_rows[_i].want,
		      "%s header, %zu bytes: got %d, want %d",
		      trunc_rows[_i].ansi ? "ANSI" : "Unicode", n,
		      pf_header_decode(&d, copy, n), trunc_rows[_i].want);
	free(copy);
}
END_TEST

START_TEST(test_versions)
{
	static const struct {
		uint16_t ver;
		int rc;
		enum pf_variant v;
	} rows[] = {
		{ 14, 0, PF_ANSI },
		{ 15, 0, PF_ANSI },
		{ 23, 0, PF_UNICODE },
		{ 36, 0, PF_UNICODE4K },
		{ 0, PF_E_NOTPST, 0 },
		{ 1, PF_E_NOTPST, 0 },
		{ 13, PF_E_NOTPST, 0 },
		{ 16, PF_E_NOTPST, 0 },
		{ 19, PF_E_NOTPST, 0 },
		{ 24, PF_E_NOTPST, 0 },
		{ 35, PF_E_NOTPST, 0 },
		{ 38, PF_E_NOTPST, 0 },
		{ 0x0100, PF_E_NOTPST, 0 },
		{ 0xFFFF, PF_E_NOTPST, 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t buf[PF_HEADER_CB];
		struct pf_header d;
		int rc;

		/* a Unicode-shaped buffer, full length, wVer replaced */
		build_header(buf, &want_unicode);
		pf_put16(buf + 10, rows[i].ver);
		tu_header_fix_buf(buf, tu_ver_is_ansi(rows[i].ver));
		rc = pf_header_decode(&d, buf, sizeof(buf));
		ck_assert_msg(rc == rows[i].rc, "wVer %u: rc %d, want %d",
			      rows[i].ver, rc, rows[i].rc);
		if (rc == 0)
			ck_assert_msg(d.variant == rows[i].v,
				      "wVer %u: variant %d, want %d",
				      rows[i].ver, d.variant, rows[i].v);
	}
}
END_TEST

START_TEST(test_wip_unsupported)
{
	const struct want_hdr *ws[] = { &want_unicode, &want_ansi };

	for (size_t i = 0; i < 2; i++) {
		uint8_t buf[PF_HEADER_CB];
		struct pf_header d;
		bool ansi = tu_ver_is_ansi(ws[i]->ver);
		struct tu_hdr_layout h = tu_hdr_layout(ansi);

		build_header(buf, ws[i]);
		buf[h.crypt] = PF_CRYPT_WIP;
		tu_header_fix_buf(buf, ansi);
		ck_assert_int_eq(pf_header_decode(&d, buf, sizeof(buf)),
				 PF_E_UNSUPPORTED);
		ck_assert_ptr_nonnull(strstr(pf_error_msg(), "0x10"));
		/* the other methods are decoded, not judged */
		for (unsigned m = 0; m < 0x10; m++) {
			buf[h.crypt] = (uint8_t)m;
			tu_header_fix_buf(buf, ansi);
			ck_assert_int_eq(pf_header_decode(&d, buf,
							  sizeof(buf)), 0);
			ck_assert_uint_eq(d.crypt_method, m);
		}
	}
}
END_TEST

START_TEST(test_4k_variant)
{
	uint8_t buf[PF_HEADER_CB];
	struct pf_header d;
	struct want_hdr w = want_unicode;

	w.ver = 36;
	w.magic_client = PF_MAGIC_CLIENT_OST;
	build_header(buf, &w);
	ck_assert_int_eq(pf_header_decode(&d, buf, sizeof(buf)), 0);
	ck_assert_int_eq(d.variant, PF_UNICODE4K);
	/* the 4K header has the Unicode shape */
	ck_assert_uint_eq(d.root.nbt.ib, w.nbt_ib);
	ck_assert_uint_eq(d.bid_next_b, w.bid_next_b);
	ck_assert_uint_eq(d.crc_full, d.crc_full_calc);
}
END_TEST

/* ---- layouts ---- */

START_TEST(test_layouts)
{
	static const struct {
		enum pf_variant v;
		struct pf_layout want;
	} rows[] = {
		{ PF_ANSI, { .page_size = 512, .page_trailer = 12,
			     .bt_entries = 496, .bid_size = 4,
			     .block_trailer = 12, .block_align = 64,
			     .block_max = 8192, .nbt_leaf_cb = 16,
			     .bbt_leaf_cb = 12, .branch_cb = 12,
			     .amap_first = 0x4400, .dlist_ib = 0x4200,
			     .amap_bits_ib = 4, .amap_bits_cb = 496,
			     .amap_span = 253952, .amap_unit = 64 } },
		{ PF_UNICODE, { .page_size = 512, .page_trailer = 16,
				.bt_entries = 488, .bid_size = 8,
				.block_trailer = 16, .block_align = 64,
				.block_max = 8192, .nbt_leaf_cb = 32,
				.bbt_leaf_cb = 24, .branch_cb = 24,
				.amap_first = 0x4400, .dlist_ib = 0x4200,
				.amap_bits_ib = 0, .amap_bits_cb = 496,
				.amap_span = 253952, .amap_unit = 64 } },
		{ PF_UNICODE4K, { .page_size = 4096, .page_trailer = 24,
				  .bt_entries = 4056, .bid_size = 8,
				  .block_trailer = 24, .block_align = 512,
				  .block_max = 65536, .nbt_leaf_cb = 32,
				  .bbt_leaf_cb = 24, .branch_cb = 24,
				  .amap_first = 0x22000, .dlist_ib = 0x21000,
				  .amap_bits_ib = 0, .amap_bits_cb = 4072,
				  .amap_span = 4072u * 8 * 512,
				  .amap_unit = 512 } },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pf_layout l;

		ck_assert(pf_layout_for(&l, rows[i].v));
		ck_assert_msg(memcmp(&l, &rows[i].want, sizeof(l)) == 0,
			      "layout for variant %d differs", rows[i].v);
		/* MS-PST 2.2.2.7.1: entries + metadata + trailer == page */
		ck_assert_uint_le(l.bt_entries + 4 + l.page_trailer,
				  l.page_size);
	}
	{
		struct pf_layout l;

		ck_assert(!pf_layout_for(&l, (enum pf_variant)0));
		ck_assert(!pf_layout_for(&l, (enum pf_variant)99));
	}
}
END_TEST

/* ---- pf_ndb_open() on files ---- */

static void write_file(char *path, size_t cap, const uint8_t *buf, size_t n,
		       size_t total)
{
	int fd;
	uint8_t zero[512] = { 0 };

	snprintf(path, cap, "%s/hdr-XXXXXX", tmpdir);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, n), (ssize_t)n);
	while (n < total) {
		size_t k = total - n < sizeof(zero) ? total - n : sizeof(zero);

		ck_assert_int_eq(write(fd, zero, k), (ssize_t)k);
		n += k;
	}
	close(fd);
}

START_TEST(test_open_synthetic)
{
	uint8_t buf[PF_HEADER_CB];
	char path[128];
	struct pf_ndb *ndb = NULL;

	/* a whole header and some zero pages: opens, header as decoded */
	build_header(buf, &want_unicode);
	write_file(path, sizeof(path), buf, sizeof(buf), 0x8000);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_ptr_nonnull(ndb);
	ck_assert_uint_eq(pf_ndb_file_size(ndb), 0x8000);
	ck_assert_str_eq(pf_ndb_path(ndb), path);
	ck_assert_uint_eq(pf_ndb_header(ndb)->root.bbt.ib,
			  want_unicode.bbt_ib);
	ck_assert_uint_eq(pf_ndb_layout(ndb)->page_size, 512);
	ck_assert_uint_eq(pf_ndb_layout(ndb)->bid_size, 8);
	{
		uint8_t b[16];

		/* reads past the end are refused, not short */
		ck_assert_int_eq(pf_ndb_pread(ndb, 0x8000 - 8, b, 16),
				 PF_E_CORRUPT);
		ck_assert_int_eq(pf_ndb_pread(ndb, UINT64_MAX - 4, b, 16),
				 PF_E_CORRUPT);
		ck_assert_int_eq(pf_ndb_pread(ndb, 0x8000 - 16, b, 16), 0);
	}
	pf_ndb_close(ndb);

	/* the same header cut at 300 bytes: not a PST, *out is NULL */
	write_file(path, sizeof(path), buf, 300, 300);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), PF_E_NOTPST);
	ck_assert_ptr_null(ndb);

	/* an ANSI file of exactly 512 bytes opens */
	build_header(buf, &want_ansi);
	write_file(path, sizeof(path), buf, 512, 512);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_ndb_header(ndb)->variant, PF_ANSI);
	ck_assert_uint_eq(pf_ndb_layout(ndb)->bid_size, 4);
	pf_ndb_close(ndb);

	/* an empty file, a directory, a missing file */
	write_file(path, sizeof(path), buf, 0, 0);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), PF_E_NOTPST);
	ck_assert_int_eq(pf_ndb_open(&ndb, tmpdir), PF_E_IO);
	ck_assert_ptr_null(ndb);
	snprintf(path, sizeof(path), "%s/does-not-exist", tmpdir);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), PF_E_IO);
	ck_assert_ptr_null(ndb);
	pf_ndb_close(NULL);
}
END_TEST

START_TEST(test_open_corpus_notpst)
{
	static const char *const names[] = {
		"NOTPST-truncated-header.bin", "NOTPST-mbox-named-pst.pst",
	};

	if (!tu_corpus_present()) {
		printf("%s\n", TU_SKIP_CORPUS_MSG);
		return;
	}
	for (size_t i = 0; i < 2; i++) {
		char path[256];
		struct pf_ndb *ndb;

		tu_corpus_path(path, sizeof(path), names[i]);
		if (!tu_file_present(path)) {
			printf("SKIP: %s absent\n", path);
			continue;
		}
		ck_assert_int_eq(pf_ndb_open(&ndb, path), PF_E_NOTPST);
		ck_assert_ptr_null(ndb);
	}
}
END_TEST

START_TEST(test_open_corpus_samples)
{
	static const struct {
		const char *name;
		enum pf_variant v;
	} rows[] = {
		{ "pstsdk-sample1.pst", PF_UNICODE },
		{ "pstsdk-sample2-ansi.pst", PF_ANSI },
	};

	if (!tu_corpus_present()) {
		printf("%s\n", TU_SKIP_CORPUS_MSG);
		return;
	}
	for (size_t i = 0; i < 2; i++) {
		char path[256];
		struct pf_ndb *ndb;
		const struct pf_header *h;

		tu_corpus_path(path, sizeof(path), rows[i].name);
		ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
		h = pf_ndb_header(ndb);
		ck_assert_int_eq(h->variant, rows[i].v);
		ck_assert_uint_eq(h->magic_client, PF_MAGIC_CLIENT_PST);
		ck_assert_uint_eq(h->crc_partial, h->crc_partial_calc);
		ck_assert_uint_eq(h->crc_full, h->crc_full_calc);
		ck_assert_uint_eq(h->sentinel, 0x80);
		ck_assert_uint_eq(h->root.ib_file_eof, pf_ndb_file_size(ndb));
		pf_ndb_close(ndb);
	}
}
END_TEST

static Suite *header_suite(void)
{
	Suite *s = suite_create("ndb_header");
	TCase *tc = tcase_create("decode");
	TCase *tf = tcase_create("open");

	tcase_add_test(tc, test_crc_known_answers);
	tcase_add_test(tc, test_sig_known_answers);
	tcase_add_test(tc, test_decode_unicode);
	tcase_add_test(tc, test_decode_ansi);
	tcase_add_test(tc, test_crc_ranges);
	tcase_add_test(tc, test_crc_stored_flip);
	tcase_add_test(tc, test_bad_magic);
	tcase_add_loop_test(tc, test_truncated, 0,
			    (int)(sizeof(trunc_rows) / sizeof(trunc_rows[0])));
	tcase_add_test(tc, test_versions);
	tcase_add_test(tc, test_wip_unsupported);
	tcase_add_test(tc, test_4k_variant);
	tcase_add_test(tc, test_layouts);
	suite_add_tcase(s, tc);
	tcase_add_test(tf, test_open_synthetic);
	tcase_add_test(tf, test_open_corpus_notpst);
	tcase_add_test(tf, test_open_corpus_samples);
	suite_add_tcase(s, tf);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pstfix-unit-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	sr = srunner_create(header_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_rm_dir(tmpdir);
	return failed == 0 ? 0 : 1;
}
