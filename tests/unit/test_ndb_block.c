/*
 * test_ndb_block.c - blocks (MS-PST 2.2.2.8): pf_block_size(),
 * pf_xblock_parse(), pf_slblock_parse() and pf_block_read() on synthetic
 * files.
 *
 * Covers:
 * - pf_block_size() rounding (data + trailer, up to the alignment) at and
 *   around each boundary for the ANSI, Unicode and 4K layouts;
 * - XBLOCK/XXBLOCK headers, good and bad, ANSI and Unicode: btype, cLevel
 *   (0 and 3 refused, 1 and 2 accepted), cEnt that fits exactly / one BID
 *   past cb / 0xFFFF, cb below the 8-byte header -- each bad case asserts
 *   the exact fault kind (PF_F_MAGIC, PF_F_LEVEL, PF_F_CENT, PF_F_CB) on
 *   PF_OBJ_XBLOCK and the parse result;
 * - SLBLOCK/SIBLOCK likewise on PF_OBJ_SUBNODE: the header is 8 bytes in
 *   Unicode (dwPadding) and 4 in ANSI, SLENTRY 3 and SIENTRY 2 ids wide;
 * - pf_block_read() on a file holding a header and one block, ANSI and
 *   Unicode, permutative encoding: data decoded for external BIDs and left
 *   alone for internal ones; trailer faults one at a time (CRC -> data
 *   still returned; BID, cb -> refused; wSig -> returned), the reserved
 *   BID bit ignored, padding outside the CRC, extent faults (ALIGN,
 *   PAST_EOF, cb past block_max); pf_block_read_ex(PF_BLOCK_RAW) returns
 *   the stored bytes, and a NULL sink still gets the data;
 *   pf_block_verify() gives the same result and faults on every row.
 */
#include <check.h>

#include "tutil.h"

static char tmpdir[64];

static const enum pf_variant variants[] = {
	PF_ANSI, PF_UNICODE, PF_UNICODE4K,
};

/* ---- pf_block_size ---- */

START_TEST(test_block_size)
{
	static const struct {
		enum pf_variant v;
		uint32_t cb, size;
	} rows[] = {
		/* ANSI: 12-byte trailer, 64-byte units */
		{ PF_ANSI, 0, 64 }, { PF_ANSI, 1, 64 }, { PF_ANSI, 52, 64 },
		{ PF_ANSI, 53, 128 }, { PF_ANSI, 116, 128 },
		{ PF_ANSI, 117, 192 }, { PF_ANSI, 8180, 8192 },
		{ PF_ANSI, 8181, 8256 },
		/* Unicode: 16-byte trailer */
		{ PF_UNICODE, 0, 64 }, { PF_UNICODE, 48, 64 },
		{ PF_UNICODE, 49, 128 }, { PF_UNICODE, 112, 128 },
		{ PF_UNICODE, 113, 192 }, { PF_UNICODE, 8176, 8192 },
		{ PF_UNICODE, 8177, 8256 },
		/* 4K: 24-byte trailer, 512-byte units */
		{ PF_UNICODE4K, 0, 512 }, { PF_UNICODE4K, 488, 512 },
		{ PF_UNICODE4K, 489, 1024 }, { PF_UNICODE4K, 8168, 8192 },
		{ PF_UNICODE4K, 65512, 65536 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pf_layout l;
		uint32_t got;

		ck_assert(pf_layout_for(&l, rows[i].v));
		got = pf_block_size(&l, rows[i].cb);
		ck_assert_msg(got == rows[i].size,
			      "variant %d cb %u: size %u, want %u", rows[i].v,
			      rows[i].cb, got, rows[i].size);
		ck_assert_uint_eq(got % l.block_align, 0);
	}
	/* monotonic and tight over the whole range */
	for (size_t v = 0; v < 3; v++) {
		struct pf_layout l;

		ck_assert(pf_layout_for(&l, variants[v]));
		for (uint32_t cb = 0; cb + l.block_trailer <= l.block_max;
		     cb++) {
			uint32_t n = pf_block_size(&l, cb);

			ck_assert_uint_ge(n, cb + l.block_trailer);
			ck_assert_uint_lt(n - (cb + l.block_trailer),
					  l.block_align);
		}
	}
}
END_TEST

/* ---- XBLOCK / XXBLOCK ---- */

/* btype cLevel cEnt lcbTotal, then cEnt ids of width w (MS-PST
 * 2.2.2.8.3.2.1). */
static size_t build_xblock(uint8_t *buf, unsigned w, uint8_t btype,
			   uint8_t level, uint16_t cent, uint32_t lcb,
			   uint16_t ids)
{
	memset(buf, 0, 8192);
	buf[0] = btype;
	buf[1] = level;
	pf_put16(buf + 2, cent);
	pf_put32(buf + 4, lcb);
	for (uint16_t i = 0; i < ids; i++)
		tu_put(buf + 8 + (size_t)i * w, w, 0x100u + 4u * i);
	return 8 + (size_t)ids * w;
}

static const struct {
	const char *name;
	uint8_t btype, level;
	uint16_t cent, ids;  /* cEnt claimed, ids present */
	int cb_delta;        /* added to 8 + ids * w */
	uint32_t kinds;      /* 0: must parse */
} x_rows[] = {
	{ "XBLOCK", 1, 1, 3, 3, 0, 0 },
	{ "XXBLOCK", 1, 2, 2, 2, 0, 0 },
	{ "slack after the ids", 1, 1, 3, 3, 40, 0 },
	{ "no entries", 1, 1, 0, 0, 0, 0 },
	{ "btype 2", 2, 1, 3, 3, 0, TU_K(PF_F_MAGIC) },
	{ "btype 0", 0, 1, 3, 3, 0, TU_K(PF_F_MAGIC) },
	{ "cLevel 0", 1, 0, 3, 3, 0, TU_K(PF_F_LEVEL) },
	{ "cLevel 3", 1, 3, 3, 3, 0, TU_K(PF_F_LEVEL) },
	{ "cEnt one past cb", 1, 1, 4, 3, 0, TU_K(PF_F_CENT) },
	{ "cEnt past cb by a byte", 1, 1, 3, 3, -1, TU_K(PF_F_CENT) },
	{ "cEnt 0xFFFF", 1, 1, 0xFFFF, 3, 0, TU_K(PF_F_CENT) },
	{ "cb 7", 1, 1, 0, 0, -1, TU_K(PF_F_CB) },
	{ "cb 0", 1, 1, 0, 0, -8, TU_K(PF_F_CB) },
};
#define NX (sizeof(x_rows) / sizeof(x_rows[0]))

START_TEST(test_xblock_parse)
{
	size_t row = (size_t)_i / 2;
	enum pf_variant v = _i % 2 ? PF_UNICODE : PF_ANSI;
	struct pf_layout l;
	uint8_t *buf = malloc(8192);
	uint8_t *exact;
	struct tu_faults c;
	struct pf_sink s = tu_sink(&c);
	struct pf_xblock x;
	size_t cb;
	bool ok;

	ck_assert_ptr_nonnull(buf);
	ck_assert(pf_layout_for(&l, v));
	cb = build_xblock(buf, l.bid_size, x_rows[row].btype,
			  x_rows[row].level, x_rows[row].cent, 0x12345,
			  x_rows[row].ids);
	cb = (size_t)((long)cb + x_rows[row].cb_delta);
	/* an exact-size copy: a read past cb is an ASan error */
	exact = malloc(cb ? cb : 1);
	ck_assert_ptr_nonnull(exact);
	memcpy(exact, buf, cb);
	ok = pf_xblock_parse(&l, exact, cb, 0x102, &s, &x);
	ck_assert_msg(tu_kinds(&c) == x_rows[row].kinds,
		      "%s (%s): kinds 0x%x, want 0x%x", x_rows[row].name,
		      v == PF_ANSI ? "ANSI" : "Unicode", tu_kinds(&c),
		      x_rows[row].kinds);
	ck_assert_msg(ok == (x_rows[row].kinds == 0), "%s: parse %d",
		      x_rows[row].name, ok);
	ck_assert(tu_all_obj(&c, PF_OBJ_XBLOCK));
	for (unsigned i = 0; i < c.n; i++)
		ck_assert_uint_eq(c.v[i].bid, 0x102);
	if (ok) {
		ck_assert_uint_eq(x.btype, 1);
		ck_assert_uint_eq(x.level, x_rows[row].level);
		ck_assert_uint_eq(x.cent, x_rows[row].cent);
		ck_assert_uint_eq(x.lcb_total, 0x12345);
		ck_assert_ptr_eq(x.rgbid, exact + 8);
		for (uint16_t i = 0; i < x.cent; i++)
			ck_assert_uint_eq(tu_get(x.rgbid + (size_t)i *
						 l.bid_size, l.bid_size),
					  0x100u + 4u * i);
	}
	free(exact);
	free(buf);
}
END_TEST

/* ---- SLBLOCK / SIBLOCK ---- */

/* btype cLevel cEnt [dwPadding], then entries (MS-PST 2.2.2.8.3.3). */
static size_t build_slblock(uint8_t *buf, unsigned w, uint8_t btype,
			    uint8_t level, uint16_t cent, uint16_t ents)
{
	size_t hdr = w == 4 ? 4 : 8;
	size_t ecb = (level == 0 ? 3u : 2u) * w;

	memset(buf, 0, 8192);
	buf[0] = btype;
	buf[1] = level;
	pf_put16(buf + 2, cent);
	if (w == 8)
		pf_put32(buf + 4, 0xEEEEEEEE);   /* padding: never read */
	for (uint16_t i = 0; i < ents; i++) {
		uint8_t *e = buf + hdr + i * ecb;

		tu_put(e, w, 0x21u + 0x20u * i);     /* nid (padded) */
		tu_put(e + w, w, 0x200u + 4u * i);   /* bidData / bid */
		if (level == 0)
			tu_put(e + 2 * w, w, 0x302u + 4u * i);  /* bidSub */
	}
	return hdr + ents * ecb;
}

static const struct {
	const char *name;
	uint8_t btype, level;
	uint16_t cent, ents;
	int cb_delta;
	uint32_t kinds;
} sl_rows[] = {
	{ "SLBLOCK", 2, 0, 3, 3, 0, 0 },
	{ "SIBLOCK", 2, 1, 3, 3, 0, 0 },
	{ "SLBLOCK empty", 2, 0, 0, 0, 0, 0 },
	{ "slack", 2, 0, 2, 2, 16, 0 },
	{ "btype 1", 1, 0, 3, 3, 0, TU_K(PF_F_MAGIC) },
	{ "btype 0", 0, 0, 3, 3, 0, TU_K(PF_F_MAGIC) },
	{ "cLevel 2", 2, 2, 3, 3, 0, TU_K(PF_F_LEVEL) },
	{ "SLBLOCK cEnt past cb", 2, 0, 4, 3, 0, TU_K(PF_F_CENT) },
	{ "SIBLOCK cEnt past cb", 2, 1, 4, 3, 0, TU_K(PF_F_CENT) },
	{ "SLBLOCK short by a byte", 2, 0, 3, 3, -1, TU_K(PF_F_CENT) },
	{ "cEnt 0xFFFF", 2, 1, 0xFFFF, 1, 0, TU_K(PF_F_CENT) },
	{ "cb < header", 2, 0, 0, 0, -1, TU_K(PF_F_CB) },
	{ "cb 0", 2, 0, 0, 0, -100, TU_K(PF_F_CB) },
};
#define NSL (sizeof(sl_rows) / sizeof(sl_rows[0]))

START_TEST(test_slblock_parse)
{
	size_t row = (size_t)_i / 2;
	enum pf_variant v = _i % 2 ? PF_UNICODE : PF_ANSI;
	struct pf_layout l;
	uint8_t *buf = malloc(8192);
	uint8_t *exact;
	struct tu_faults c;
	struct pf_sink s = tu_sink(&c);
	struct pf_slblock sl;
	long lcb;
	size_t cb, hdr;
	bool ok;

	ck_assert_ptr_nonnull(buf);
	ck_assert(pf_layout_for(&l, v));
	hdr = l.bid_size == 4 ? 4 : 8;
	lcb = (long)build_slblock(buf, l.bid_size, sl_rows[row].btype,
				  sl_rows[row].level, sl_rows[row].cent,
				  sl_rows[row].ents) + sl_rows[row].cb_delta;
	cb = lcb < 0 ? 0 : (size_t)lcb;
	exact = malloc(cb ? cb : 1);
	ck_assert_ptr_nonnull(exact);
	memcpy(exact, buf, cb);
	ok = pf_slblock_parse(&l, exact, cb, 0x10a, &s, &sl);
	ck_assert_msg(tu_kinds(&c) == sl_rows[row].kinds,
		      "%s (%s): kinds 0x%x, want 0x%x", sl_rows[row].name,
		      v == PF_ANSI ? "ANSI" : "Unicode", tu_kinds(&c),
		      sl_rows[row].kinds);
	ck_assert_msg(ok == (sl_rows[row].kinds == 0), "%s: parse %d",
		      sl_rows[row].name, ok);
	ck_assert(tu_all_obj(&c, PF_OBJ_SUBNODE));
	if (ok) {
		ck_assert_uint_eq(sl.btype, 2);
		ck_assert_uint_eq(sl.level, sl_rows[row].level);
		ck_assert_uint_eq(sl.cent, sl_rows[row].cent);
		ck_assert_ptr_eq(sl.rgentries, exact + hdr);
		ck_assert_uint_eq(sl.cb_entry,
				  (sl.level == 0 ? 3u : 2u) * l.bid_size);
		for (uint16_t i = 0; i < sl.cent; i++) {
			const uint8_t *e = sl.rgentries +
					   (size_t)i * sl.cb_entry;

			ck_assert_uint_eq((uint32_t)tu_get(e, l.bid_size),
					  0x21u + 0x20u * i);
			ck_assert_uint_eq(tu_get(e + l.bid_size, l.bid_size),
					  0x200u + 4u * i);
		}
	}
	free(exact);
	free(buf);
}
END_TEST

/* ---- pf_block_read on a synthetic file ---- */

#define BLK_IB 0x5000u
#define BLK_FILE 0x8000u
#define BLK_CB 100u

/* A file with a valid header (permutative encoding) and one block of
 * BLK_CB bytes at BLK_IB whose plain text is 0, 1, 2, ... */
static void make_block_file(char *path, size_t cap, bool ansi, uint64_t bid,
			    uint8_t *plain)
{
	struct tu_hdr_layout h = tu_hdr_layout(ansi);
	struct pf_layout l;
	uint8_t *file = calloc(1, BLK_FILE);
	uint8_t *blk = file + BLK_IB;
	uint32_t size, t;
	int fd;

	ck_assert_ptr_nonnull(file);
	ck_assert(pf_layout_for(&l, ansi ? PF_ANSI : PF_UNICODE));
	memcpy(file, "!BDN", 4);
	pf_put16(file + 8, PF_MAGIC_CLIENT_PST);
	pf_put16(file + 10, ansi ? 14 : 23);
	tu_put(file + tu_root_off(&h, TU_ROOT_FILE_EOF), h.w, BLK_FILE);
	file[h.sentinel] = 0x80;
	file[h.crypt] = PF_CRYPT_PERMUTE;
	tu_header_fix_buf(file, ansi);
	for (uint32_t i = 0; i < BLK_CB; i++)
		plain[i] = (uint8_t)i;
	memcpy(blk, plain, BLK_CB);
	if (!(bid & PF_BID_INTERNAL))
		pf_encode(PF_CRYPT_PERMUTE, bid, blk, BLK_CB);
	size = pf_block_size(&l, BLK_CB);
	memset(blk + BLK_CB, 0xA5, size - BLK_CB - l.block_trailer);
	/* BLOCKTRAILER: ANSI cb wSig bid(4) dwCRC; Unicode cb wSig dwCRC
	 * bid(8) (MS-PST 2.2.2.8.1) */
	t = size - l.block_trailer;
	pf_put16(blk + t, BLK_CB);
	pf_put16(blk + t + 2, pf_sig(BLK_IB, bid));
	if (ansi) {
		pf_put32(blk + t + 4, (uint32_t)bid);
		pf_put32(blk + t + 8, pf_crc(blk, BLK_CB));
	} else {
		pf_put32(blk + t + 4, pf_crc(blk, BLK_CB));
		pf_put64(blk + t + 8, bid);
	}
	snprintf(path, cap, "%s/blk-XXXXXX", tmpdir);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, file, BLK_FILE), (ssize_t)BLK_FILE);
	close(fd);
	free(file);
}

enum bcorrupt {
	BC_NONE, BC_INTERNAL, BC_DATA, BC_PADDING, BC_TRAILER_BID,
	BC_BID_LOW_BIT, BC_SIG, BC_TRAILER_CB, BC_CRC_FIELD, BC_ALIGN,
	BC_PAST_EOF, BC_TOO_BIG,
};

static const struct {
	enum bcorrupt c;
	const char *name;
	uint32_t kinds;
	int rc;
	bool data;           /* data is returned */
} b_rows[] = {
	{ BC_NONE, "good", 0, 0, true },
	{ BC_INTERNAL, "internal block", 0, 0, true },
	{ BC_DATA, "data byte", TU_K(PF_F_CRC), 0, true },
	{ BC_PADDING, "padding byte", 0, 0, true },
	{ BC_TRAILER_BID, "trailer bid", TU_K(PF_F_BID), PF_E_CORRUPT, false },
	{ BC_BID_LOW_BIT, "reserved bid bit", 0, 0, true },
	{ BC_SIG, "wSig", TU_K(PF_F_SIG), 0, true },
	{ BC_TRAILER_CB, "trailer cb", TU_K(PF_F_CB), PF_E_CORRUPT, false },
	{ BC_CRC_FIELD, "dwCRC", TU_K(PF_F_CRC), 0, true },
	{ BC_ALIGN, "ib not aligned", TU_K(PF_F_ALIGN), PF_E_CORRUPT, false },
	{ BC_PAST_EOF, "extent past EOF", TU_K(PF_F_PAST_EOF), PF_E_CORRUPT,
	  false },
	{ BC_TOO_BIG, "cb past block_max", TU_K(PF_F_CB), PF_E_CORRUPT,
	  false },
};
#define NB (sizeof(b_rows) / sizeof(b_rows[0]))

START_TEST(test_block_read)
{
	size_t row = (size_t)_i / 2;
	bool ansi = _i % 2 == 0;
	struct pf_layout l;
	uint64_t bid = b_rows[row].c == BC_INTERNAL ? 0x102 : 0x2cc;
	char path[128];
	uint8_t plain[BLK_CB];
	struct pf_ndb *ndb;
	struct pf_bbt_entry e = {
		.bref = { .bid = bid, .ib = BLK_IB }, .cb = BLK_CB,
		.cref = 2, .cb_inflated = BLK_CB,
	};
	struct tu_faults c;
	struct pf_sink s = tu_sink(&c);
	uint8_t *data = (uint8_t *)path;
	size_t cb = 12345;
	uint32_t t;
	int rc;

	ck_assert(pf_layout_for(&l, ansi ? PF_ANSI : PF_UNICODE));
	make_block_file(path, sizeof(path), ansi, bid, plain);
	t = BLK_IB + pf_block_size(&l, BLK_CB) - l.block_trailer;
	switch (b_rows[row].c) {
	case BC_NONE:
	case BC_INTERNAL:
		break;
	case BC_DATA:
		ck_assert_int_eq(tu_xor_byte(path, BLK_IB + 7, 0x40), 0);
		break;
	case BC_PADDING:
		ck_assert_int_eq(tu_xor_byte(path, BLK_IB + BLK_CB, 0xFF), 0);
		break;
	case BC_TRAILER_BID:
	case BC_BID_LOW_BIT: {
		uint8_t b[8];
		uint64_t nb = b_rows[row].c == BC_TRAILER_BID ? bid + 4 :
								 bid | 1;

		tu_put(b, l.bid_size, nb);
		ck_assert_int_eq(tu_write_at(path, t + (ansi ? 4 : 8), b,
					     l.bid_size), 0);
		pf_put16(b, pf_sig(BLK_IB, nb));   /* keep wSig consistent */
		ck_assert_int_eq(tu_write_at(path, t + 2, b, 2), 0);
		break;
	}
	case BC_SIG:
		ck_assert_int_eq(tu_xor_byte(path, t + 2, 0x01), 0);
		break;
	case BC_TRAILER_CB:
		ck_assert_int_eq(tu_xor_byte(path, t, 0x01), 0);
		break;
	case BC_CRC_FIELD:
		ck_assert_int_eq(tu_xor_byte(path, t + (ansi ? 8 : 4), 0x01),
				 0);
		break;
	case BC_ALIGN:
		e.bref.ib += 8;
		break;
	case BC_PAST_EOF:
		e.bref.ib = BLK_FILE - 64;
		break;
	case BC_TOO_BIG:
		e.cb = (uint16_t)(l.block_max - l.block_trailer + 1);
		break;
	}
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	rc = pf_block_read(ndb, &e, &s, &data, &cb);
	ck_assert_msg(rc == b_rows[row].rc, "%s (%s): rc %d, want %d",
		      b_rows[row].name, ansi ? "ANSI" : "Unicode", rc,
		      b_rows[row].rc);
	ck_assert_msg(tu_kinds(&c) == b_rows[row].kinds,
		      "%s (%s): kinds 0x%x, want 0x%x", b_rows[row].name,
		      ansi ? "ANSI" : "Unicode", tu_kinds(&c),
		      b_rows[row].kinds);
	ck_assert(tu_all_obj(&c, PF_OBJ_BLOCK));
	for (unsigned i = 0; i < c.n; i++)
		ck_assert_uint_eq(c.v[i].bid, bid);
	/* pf_block_verify() judges as pf_block_read() does */
	s = tu_sink(&c);
	ck_assert_int_eq(pf_block_verify(ndb, &e, &s), b_rows[row].rc);
	ck_assert_uint_eq(tu_kinds(&c), b_rows[row].kinds);
	if (b_rows[row].data) {
		ck_assert_ptr_nonnull(data);
		ck_assert_uint_eq(cb, BLK_CB);
		if (b_rows[row].c == BC_DATA)
			plain[7] = pf_mpbb_i[pf_mpbb_r[7] ^ 0x40];
		/* external: decoded; internal: as stored (never encoded) */
		ck_assert_mem_eq(data, plain, BLK_CB);
		free(data);
	} else {
		ck_assert_ptr_null(data);
		ck_assert_uint_eq(cb, 0);
	}
	pf_ndb_close(ndb);
}
END_TEST

/* PF_BLOCK_RAW returns the stored bytes; without a sink the reader
 * still gets data whose CRC is wrong (nobody to tell, nothing to judge). */
START_TEST(test_block_read_ex)
{
	bool ansi = _i == 0;
	char path[128];
	uint8_t plain[BLK_CB], stored[BLK_CB];
	struct pf_ndb *ndb;
	struct pf_bbt_entry e = {
		.bref = { .bid = 0x2cc, .ib = BLK_IB }, .cb = BLK_CB,
		.cref = 2, .cb_inflated = BLK_CB,
	};
	struct tu_faults c;
	struct pf_sink s = tu_sink(&c);
	uint8_t *data;
	size_t cb;

	make_block_file(path, sizeof(path), ansi, e.bref.bid, plain);
	memcpy(stored, plain, BLK_CB);
	pf_encode(PF_CRYPT_PERMUTE, e.bref.bid, stored, BLK_CB);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_block_read_ex(ndb, &e, &s, PF_BLOCK_RAW, &data,
					  &cb), 0);
	ck_assert_uint_eq(c.n, 0);
	ck_assert_uint_eq(cb, BLK_CB);
	ck_assert_mem_eq(data, stored, BLK_CB);
	free(data);
	ck_assert_int_eq(pf_block_read_ex(ndb, &e, &s, 0, &data, &cb), 0);
	ck_assert_mem_eq(data, plain, BLK_CB);
	free(data);
	pf_ndb_close(ndb);

	ck_assert_int_eq(tu_xor_byte(path, BLK_IB + 3, 0x01), 0);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_block_read(ndb, &e, NULL, &data, &cb), 0);
	ck_assert_uint_eq(cb, BLK_CB);
	free(data);
	s = tu_sink(&c);
	ck_assert_int_eq(pf_block_read(ndb, &e, &s, &data, &cb), 0);
	ck_assert_uint_eq(tu_kinds(&c), TU_K(PF_F_CRC));
	free(data);
	pf_ndb_close(ndb);
}
END_TEST

static Suite *block_suite(void)
{
	Suite *s = suite_create("ndb_block");
	TCase *tc = tcase_create("block");

	tcase_add_test(tc, test_block_size);
	tcase_add_loop_test(tc, test_xblock_parse, 0, (int)(NX * 2));
	tcase_add_loop_test(tc, test_slblock_parse, 0, (int)(NSL * 2));
	tcase_add_loop_test(tc, test_block_read, 0, (int)(NB * 2));
	tcase_add_loop_test(tc, test_block_read_ex, 0, 2);
	suite_add_tcase(s, tc);
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
	sr = srunner_create(block_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_rm_dir(tmpdir);
	return failed == 0 ? 0 : 1;
}
