/*
 * test_write_ltp.c - the LTP builders (formats/write/ltpw_*.c, pf_wprop.h)
 * read back by the READER (formats/ltp): heaps, BTHs, PCs and TCs built in
 * memory and opened with pf_hn_open_blocks(); then the same written
 * through the NDB writer into a file (Unicode and ANSI), opened with
 * pf_ndb_open() and checked with pf_check_file().
 *
 * Contract: every reader call gets a fault-collecting sink that must stay
 * empty; values are compared byte for byte with what was given.  Expected
 * layouts (fill levels, header sizes) are computed here from MS-PST
 * 2.3.1 independently of ltpw_hn.c.  File tests skip (with a message)
 * only when pf_writer_open() says the variant is unsupported.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/ltp/pf_ltp.h"
#include "../../formats/write/ltpw_int.h"
#include "../../formats/write/pf_wprop.h"
#include "tutil.h"

#define BMAX_U 8176u
#define BMAX_A 8180u

/* ---- helpers ---- */

static void faults_dump(const struct tu_faults *f)
{
	for (unsigned i = 0; i < f->n && i < TU_MAX_FAULTS; i++)
		fprintf(stderr, "  fault obj %d kind %d field %s nid %#x "
			"hid %#x got %llu want %llu\n", f->v[i].obj,
			f->v[i].kind, f->v[i].field ? f->v[i].field : "",
			f->v[i].nid, f->v[i].hid,
			(unsigned long long)f->v[i].got,
			(unsigned long long)f->v[i].want);
}

#define ck_no_faults(f)                                                \
	do {                                                           \
		if ((f)->n)                                            \
			faults_dump(f);                                \
		ck_assert_uint_eq((f)->n, 0);                          \
	} while (0)

/* Finish H and open the blocks with the reader. */
static void open_heap(struct pf_hnw *h, struct pf_hn *hn,
		      const struct pf_sink *sink)
{
	uint8_t **blocks;
	size_t *cbs;
	uint32_t n;

	ck_assert_int_eq(pf_hnw_finish(h, &blocks, &cbs, &n), 0);
	ck_assert_int_eq(pf_hn_open_blocks(hn, blocks, cbs, n, 0x21, sink), 0);
	free(blocks);
	free(cbs);
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void fill(uint8_t *p, size_t cb, uint32_t seed)
{
	for (size_t i = 0; i < cb; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
}

/* MS-PST 2.3.1.2 fill levels, written out from the table. */
static uint8_t want_fill(size_t free_cb)
{
	if (free_cb >= 3584) return 0;
	if (free_cb >= 2560) return 1;
	if (free_cb >= 2048) return 2;
	if (free_cb >= 1792) return 3;
	if (free_cb >= 1536) return 4;
	if (free_cb >= 1280) return 5;
	if (free_cb >= 1024) return 6;
	if (free_cb >= 768) return 7;
	if (free_cb >= 512) return 8;
	if (free_cb >= 256) return 9;
	if (free_cb >= 128) return 10;
	if (free_cb >= 64) return 11;
	if (free_cb >= 32) return 12;
	if (free_cb >= 16) return 13;
	if (free_cb >= 8) return 14;
	return 15;
}

/* ---- heap-on-node ---- */

START_TEST(test_hn_small)
{
	struct pf_hnw h;
	struct pf_hn hn;
	struct tu_faults f;
	struct pf_sink s = tu_sink(&f);
	uint32_t hid[5];
	static const char *v[5] = { "a", "", "hello", "odd", "0123456789" };
	const uint8_t *p;
	size_t cb;

	pf_hnw_init(&h, PF_BTYPE_PC, BMAX_U);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(pf_hnw_alloc(&h, v[i], strlen(v[i]),
					      &hid[i]), 0);
	ck_assert_uint_eq(hid[0], 0x20);          /* MS-PST 2.3.1.1 */
	ck_assert_uint_eq(hid[4], 0xA0);
	memcpy(pf_hnw_ptr(&h, hid[3]), "ODD", 3);
	ck_assert_ptr_null(pf_hnw_ptr(&h, 0xC0));
	ck_assert_ptr_null(pf_hnw_ptr(&h, 0));
	pf_hnw_set_root(&h, hid[2]);
	open_heap(&h, &hn, &s);
	ck_no_faults(&f);
	ck_assert_uint_eq(hn.nblocks, 1);
	ck_assert_uint_eq(hn.client_sig, PF_BTYPE_PC);
	ck_assert_uint_eq(hn.hid_user_root, hid[2]);
	ck_assert_uint_eq(hn.blk[0].ib_hnpm % 2, 0);
	ck_assert_uint_eq(hn.blk[0].c_alloc, 5);
	ck_assert_uint_eq(hn.blk[0].c_free, 1);   /* the empty one */
	ck_assert_uint_eq(hn.blk[0].data[2], PF_HN_SIG);
	/* one block: 12 + 19 bytes, even, + map 4 + 12 */
	ck_assert_uint_eq(hn.blk[0].cb, 32 + 4 + 12);
	ck_assert_uint_eq(hn.fill_level[0] & 0x0F,
			  want_fill(BMAX_U - hn.blk[0].cb));
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(pf_hn_get(&hn, hid[i], &p, &cb), 0);
		ck_assert_uint_eq(cb, strlen(v[i]));
		ck_assert(memcmp(p, i == 3 ? "ODD" : v[i], cb) == 0);
	}
	pf_hn_close(&hn);
	pf_hnw_free(&h);
}
END_TEST

START_TEST(test_hn_empty)
{
	struct pf_hnw h;
	struct pf_hn hn;
	struct tu_faults f;
	struct pf_sink s = tu_sink(&f);

	pf_hnw_init(&h, PF_BTYPE_TC, BMAX_A);
	open_heap(&h, &hn, &s);
	ck_no_faults(&f);
	ck_assert_uint_eq(hn.nblocks, 1);
	ck_assert_uint_eq(hn.blk[0].c_alloc, 0);
	ck_assert_uint_eq(hn.hid_user_root, 0);
	pf_hn_close(&hn);
	pf_hnw_free(&h);
}
END_TEST

/* Many blocks: block 8 (and 136) carry HNBITMAPHDR; every allocation
 * comes back; full blocks are padded to block_max; fill levels match. */
static void check_many(size_t bmax, uint32_t nalloc, size_t maxcb)
{
	struct pf_hnw h;
	struct pf_hn hn;
	struct tu_faults f;
	struct pf_sink s = tu_sink(&f);
	uint32_t *hid = malloc(nalloc * sizeof(*hid));
	size_t *len = malloc(nalloc * sizeof(*len));
	uint8_t buf[PF_HN_MAX_ALLOC_CB], want[PF_HN_MAX_ALLOC_CB];

	ck_assert_ptr_nonnull(hid);
	ck_assert_ptr_nonnull(len);
	pf_hnw_init(&h, PF_BTYPE_PC, bmax);
	for (uint32_t i = 0; i < nalloc; i++) {
		len[i] = maxcb ? rnd() % (maxcb + 1) : 0;
		fill(buf, len[i], i);
		ck_assert_int_eq(pf_hnw_alloc(&h, buf, len[i], &hid[i]), 0);
	}
	open_heap(&h, &hn, &s);
	ck_no_faults(&f);
	for (uint32_t i = 0; i < nalloc; i++) {
		const uint8_t *p;
		size_t cb;

		ck_assert_int_eq(pf_hn_get(&hn, hid[i], &p, &cb), 0);
		ck_assert_uint_eq(cb, len[i]);
		fill(want, len[i], i);
		ck_assert(memcmp(p, want, cb) == 0);
	}
	for (uint32_t b = 0; b < hn.nblocks; b++) {
		const struct pf_hn_block *k = &hn.blk[b];
		size_t end = k->ib_hnpm + 6u + 2u * k->c_alloc;
		uint8_t lv;

		ck_assert(k->ok);
		ck_assert_uint_le(k->c_alloc, PF_HN_MAX_ALLOC);
		ck_assert_uint_eq(k->ib_hnpm % 2, 0);
		ck_assert_uint_eq(k->cb, b + 1 < hn.nblocks ? bmax : end);
		ck_assert_uint_eq(pf_le16(k->data + k->ib_hnpm + 4),
				  b == 0 ? 12 : (b - 8) % 128 == 0 &&
				  b >= 8 ? 66 : 2);
		if (b < 8)
			lv = hn.fill_level[b / 2];
		else
			lv = hn.blk[8 + (b - 8) / 128 * 128].data[2 +
				(b - 8) % 128 / 2];
		lv = b % 2 ? lv >> 4 : lv & 0x0F;
		ck_assert_uint_eq(lv, want_fill(bmax - end));
	}
	pf_hn_close(&hn);
	pf_hnw_free(&h);
	free(hid);
	free(len);
}

START_TEST(test_hn_many_blocks)
{
	check_many(BMAX_U, 300, 1000);    /* ~20 blocks */
	check_many(BMAX_A, 6000, 3);      /* 2047 allocations per block */
	check_many(512, 20000, 40);       /* > 136 blocks: 2 bitmap hdrs */
	check_many(BMAX_U, 30, PF_HN_MAX_ALLOC_CB);
}
END_TEST

START_TEST(test_hn_errors)
{
	struct pf_hnw h;
	uint32_t hid;
	uint8_t big[PF_HN_MAX_ALLOC_CB + 1] = { 0 };
	uint8_t **blocks;
	size_t *cbs;
	uint32_t n;

	pf_hnw_init(&h, PF_BTYPE_PC, BMAX_U);
	ck_assert_int_eq(pf_hnw_alloc(&h, big, sizeof(big), &hid),
			 PF_E_USAGE);
	ck_assert_uint_eq(hid, 0);
	ck_assert_int_eq(pf_hnw_alloc(&h, big, PF_HN_MAX_ALLOC_CB, &hid), 0);
	pf_hnw_free(&h);
	pf_hnw_init(&h, PF_BTYPE_PC, 100000);
	ck_assert_int_eq(pf_hnw_alloc(&h, big, 1, &hid), PF_E_USAGE);
	ck_assert_int_eq(pf_hnw_finish(&h, &blocks, &cbs, &n), PF_E_USAGE);
	pf_hnw_free(&h);
	pf_hnw_init(&h, PF_BTYPE_PC, 1024);
	ck_assert_int_eq(pf_hnw_alloc(&h, big, 2000, &hid), PF_E_LIMIT);
	pf_hnw_free(&h);
}
END_TEST

/* ---- BTH ---- */

struct walk_ctx {
	const uint8_t *recs;
	uint32_t n, i, rs, cb_key;
	int bad;
};

static int walk_cmp(void *ctx, const uint8_t *key, const uint8_t *ent)
{
	struct walk_ctx *w = ctx;
	const uint8_t *r = w->recs + (size_t)w->i * w->rs;

	if (w->i >= w->n || memcmp(r, key, w->cb_key) != 0 ||
	    memcmp(r + w->cb_key, ent, w->rs - w->cb_key) != 0)
		w->bad++;
	w->i++;
	return 0;
}

/* N sorted records with distinct keys (step apart), random data. */
static uint8_t *make_recs(uint8_t cb_key, uint8_t cb_ent, uint32_t n,
			  uint32_t step)
{
	uint32_t rs = (uint32_t)cb_key + cb_ent;
	uint8_t *r = calloc((size_t)n + 1, rs);

	ck_assert_ptr_nonnull(r);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t k = 1 + (uint64_t)i * step;
		uint8_t *p = r + (size_t)i * rs;

		for (unsigned b = 0; b < cb_key && b < 8; b++)
			p[b] = (uint8_t)(k >> (8 * b));
		if (cb_key == 16)
			p[15] = (uint8_t)(i >> 20);  /* high bytes matter */
		for (unsigned b = 0; b < cb_ent; b++)
			p[cb_key + b] = (uint8_t)rnd();
	}
	return r;
}

static void check_bth(uint8_t cb_key, uint8_t cb_ent, uint32_t n,
		      uint8_t want_levels)
{
	uint32_t rs = (uint32_t)cb_key + cb_ent, hid;
	uint8_t *recs = make_recs(cb_key, cb_ent, n, cb_key == 2 ? 1 : 977);
	struct pf_hnw h;
	struct pf_hn hn;
	struct pf_bth bth;
	struct tu_faults f;
	struct pf_sink s = tu_sink(&f);
	struct walk_ctx w = { recs, n, 0, rs, cb_key, 0 };
	uint32_t nf = 99;
	const uint8_t *ent;

	pf_hnw_init(&h, PF_BTYPE_BTH, BMAX_U);
	ck_assert_int_eq(pf_bthw_build(&h, cb_key, cb_ent, recs, n, &hid),
			 0);
	pf_hnw_set_root(&h, hid);
	open_heap(&h, &hn, &s);
	ck_assert_int_eq(pf_bth_open(&bth, &hn, hid, &s), 0);
	ck_assert_uint_eq(bth.cb_key, cb_key);
	ck_assert_uint_eq(bth.cb_ent, cb_ent);
	ck_assert_uint_eq(bth.levels, want_levels);
	if (n == 0)
		ck_assert_uint_eq(bth.hid_root, 0);
	ck_assert_int_eq(pf_bth_walk(&bth, &s, walk_cmp, &w, &nf), 0);
	ck_assert_uint_eq(nf, 0);
	ck_no_faults(&f);
	ck_assert_uint_eq(w.i, n);
	ck_assert_int_eq(w.bad, 0);
	for (uint32_t i = 0; i < n; i += 1 + n / 97) {
		const uint8_t *r = recs + (size_t)i * rs;

		ck_assert_int_eq(pf_bth_lookup(&bth, r, &ent), 0);
		ck_assert(memcmp(ent, r + cb_key, cb_ent) == 0);
	}
	pf_hn_close(&hn);
	pf_hnw_free(&h);
	free(recs);
}

START_TEST(test_bth_shapes)
{
	check_bth(2, 6, 0, 0);
	check_bth(2, 6, 1, 0);
	check_bth(2, 6, 447, 0);            /* one full leaf (3576 bytes) */
	check_bth(2, 6, 448, 1);
	check_bth(4, 4, 5000, 1);
	check_bth(4, 2, 65536, 1);
	check_bth(8, 32, 3000, 1);
	check_bth(16, 1, 7, 0);
	/* leaves of 74 records, index arrays of 179: 2 levels past 13246 */
	check_bth(16, 32, 20000, 2);
}
END_TEST

START_TEST(test_bth_errors)
{
	struct pf_hnw h;
	uint32_t hid;
	uint8_t recs[12] = { 2, 0, 9, 9, 9, 9, 1, 0, 8, 8, 8, 8 };
	uint8_t dup[12] = { 1, 0, 9, 9, 9, 9, 1, 0, 8, 8, 8, 8 };
	/* 0x0100 > 0x00FF: keys are compared as little-endian numbers */
	uint8_t le[12] = { 0xFF, 0, 9, 9, 9, 9, 0, 1, 8, 8, 8, 8 };

	pf_hnw_init(&h, PF_BTYPE_BTH, BMAX_U);
	ck_assert_int_eq(pf_bthw_build(&h, 2, 4, recs, 2, &hid), PF_E_USAGE);
	ck_assert_int_eq(pf_bthw_build(&h, 2, 4, dup, 2, &hid), PF_E_USAGE);
	ck_assert_int_eq(pf_bthw_build(&h, 3, 4, recs, 1, &hid), PF_E_USAGE);
	ck_assert_int_eq(pf_bthw_build(&h, 2, 0, recs, 1, &hid), PF_E_USAGE);
	ck_assert_int_eq(pf_bthw_build(&h, 2, 33, recs, 0, &hid), PF_E_USAGE);
	ck_assert_int_eq(pf_bthw_build(&h, 2, 4, le, 2, &hid), 0);
	pf_hnw_free(&h);
}
END_TEST

/* ---- values ---- */

START_TEST(test_wprop_text)
{
	/* "aé€😀" then an invalid byte, an overlong '/', a surrogate */
	static const char in[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
				 "\xFF\xC0\xAF\xED\xA0\x80z";
	static const uint8_t u16[] = {
		'a', 0, 0xE9, 0, 0xAC, 0x20, 0x3D, 0xD8, 0x00, 0xDE,
		0xFD, 0xFF, 0xFD, 0xFF, 0xFD, 0xFF,           /* FF C0 AF */
		0xFD, 0xFF, 0xFD, 0xFF, 0xFD, 0xFF,           /* ED A0 80 */
		'z', 0,
	};
	static const uint8_t c1252[] = { 'a', 0xE9, 0x80, '?', '?', '?', '?',
					 '?', '?', '?', 'z' };
	uint8_t out[64];
	size_t n = pf_utf8_to_utf16le(in, strlen(in), NULL);

	ck_assert_uint_eq(n, sizeof(u16));
	ck_assert_uint_eq(pf_utf8_to_utf16le(in, strlen(in), out), n);
	ck_assert(memcmp(out, u16, n) == 0);
	n = pf_utf8_to_cp1252(in, strlen(in), out);
	ck_assert_uint_eq(n, sizeof(c1252));
	ck_assert(memcmp(out, c1252, n) == 0);
	/* a sequence cut short at the end */
	ck_assert_uint_eq(pf_utf8_to_utf16le("\xE2\x82", 2, out), 4);
	ck_assert_uint_eq(pf_le16(out), 0xFFFD);
}
END_TEST

START_TEST(test_wprop_layouts)
{
	struct pf_wprop_arena a;
	struct pf_wprop v;
	const char *strs[3] = { "ab", "", "c" };
	const void *bins[2] = { "\x01\x02\x03", "" };
	size_t bcb[2] = { 3, 0 };
	int32_t i32[2] = { -1, 7 };
	static const uint8_t mvs[] = {
		3, 0, 0, 0, 16, 0, 0, 0, 20, 0, 0, 0, 20, 0, 0, 0,
		'a', 0, 'b', 0, 'c', 0,
	};
	static const uint8_t mvb[] = {
		2, 0, 0, 0, 12, 0, 0, 0, 15, 0, 0, 0, 1, 2, 3,
	};

	pf_wprop_arena_init(&a);
	ck_assert_int_eq(pf_wprop_mv_string(&a, &v, 0x8001, strs, 3), 0);
	ck_assert_uint_eq(v.tag, 0x8001101F);
	ck_assert_uint_eq(v.cb, sizeof(mvs));
	ck_assert(memcmp(v.p, mvs, v.cb) == 0);
	ck_assert_int_eq(pf_wprop_mv_binary(&a, &v, 0x8002, bins, bcb, 2), 0);
	ck_assert_uint_eq(v.cb, sizeof(mvb));
	ck_assert(memcmp(v.p, mvb, v.cb) == 0);
	ck_assert_int_eq(pf_wprop_mv_i32(&a, &v, 0x8003, i32, 2), 0);
	ck_assert_uint_eq(v.tag, 0x80031003);
	ck_assert_uint_eq(v.cb, 8);
	ck_assert_uint_eq(pf_le32(v.p), 0xFFFFFFFFu);
	ck_assert_int_eq(pf_wprop_mv_string(&a, &v, 0x8004, NULL, 0), 0);
	ck_assert_uint_eq(v.cb, 4);
	ck_assert_int_eq(pf_wprop_string(&a, &v, 0x0037, ""), 0);
	ck_assert_ptr_nonnull(v.p);
	ck_assert_uint_eq(v.cb, 0);
	ck_assert_int_eq(pf_wprop_object(&a, &v, 0x3701, 0x8044, 99), 0);
	ck_assert_uint_eq(v.tag, 0x3701000D);
	ck_assert_uint_eq(pf_le32(v.p), 0x8044);
	ck_assert_uint_eq(pf_le32(v.p + 4), 99);
	ck_assert_int_eq(pf_wprop_str(&a, &v, 0x3001, "\xE2\x82\xAC", PF_ANSI),
			 0);
	ck_assert_uint_eq(v.tag, 0x3001001E);
	ck_assert_uint_eq(v.cb, 1);
	ck_assert_uint_eq(v.p[0], 0x80);
	pf_wprop_absent(&v, 0x3001001F);
	ck_assert_ptr_null(v.p);
	/* an error sticks: later makers refuse */
	ck_assert_int_eq(pf_wprop_raw(&a, &v, 0x10000102, NULL, 5),
			 PF_E_USAGE);
	ck_assert_ptr_null(v.p);
	ck_assert_int_eq(a.err, PF_E_USAGE);
	ck_assert_int_eq(pf_wprop_i32(&a, &v, 1, 1), PF_E_USAGE);
	pf_wprop_arena_free(&a);
	/* a big value gets its own chunk; small ones still fit */
	pf_wprop_arena_init(&a);
	{
		uint8_t *big = calloc(1, 100000);

		ck_assert_int_eq(pf_wprop_i32(&a, &v, 1, 5), 0);
		ck_assert_int_eq(pf_wprop_binary(&a, &v, 2, big, 100000), 0);
		ck_assert_int_eq(pf_wprop_i32(&a, &v, 3, 6), 0);
		ck_assert_uint_eq(pf_le32(v.p), 6);
		free(big);
	}
	pf_wprop_arena_free(&a);
}
END_TEST

/* ---- a property list with every type ---- */

#define MAXP 64
/* "Grüße € 😀" and "Grüße" in UTF-8 */
#define GRUSS8 "Gr\xC3\xBC\xC3\x9F" "e"
#define GRUSSE GRUSS8 " \xE2\x82\xAC \xF0\x9F\x98\x80"

struct plist {
	struct pf_wprop_arena a;
	struct pf_wprop v[MAXP];
	uint32_t n;
	uint8_t *big[4];
};

static void add(struct plist *l, int rc)
{
	ck_assert_int_eq(rc, 0);
	l->n++;
	ck_assert_uint_lt(l->n, MAXP);
}

/* Every property type (MS-OXCDATA 2.11.1 as pf_ptype_size knows them),
 * single and multi-valued, empty ones too; BIG adds values that need
 * subnodes (> 3580 bytes). */
static void all_types(struct plist *l, bool big)
{
	struct pf_wprop_arena *a = &l->a;
	static const uint8_t guid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
					  11, 12, 13, 14, 15, 16 };
	static const uint8_t guids[2][16] = { { 1 }, { 2, 3 } };
	static const int16_t i16v[3] = { -3, 0, 32767 };
	static const int32_t i32v[2] = { 1, -2 };
	static const int64_t i64v[2] = { INT64_MIN, 5 };
	static const double f64v[2] = { 1.5, -0.25 };
	static const uint64_t tv[1] = { 0x01D9000011112222ull };
	const char *sv[3] = { "one", "", "dr\xC3\xA9i \xF0\x9F\x98\x80" };
	const void *bv[3] = { "\x00\x01", "", "xyz" };
	size_t bcb[3] = { 2, 0, 3 };
	uint8_t f32[8] = { 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40 };
	uint8_t srv[5] = { 1, 0, 2, 3, 4 };

	memset(l, 0, sizeof(*l));
	pf_wprop_arena_init(a);
	add(l, pf_wprop_i16(a, &l->v[l->n], 0x6601, -2));
	add(l, pf_wprop_i32(a, &l->v[l->n], 0x6602, -123456));
	add(l, pf_wprop_f32(a, &l->v[l->n], 0x6603, 1.25f));
	add(l, pf_wprop_f64(a, &l->v[l->n], 0x6604, -2.5e10));
	add(l, pf_wprop_currency(a, &l->v[l->n], 0x6605, 123450000));
	add(l, pf_wprop_floating_time(a, &l->v[l->n], 0x6606, 45000.5));
	add(l, pf_wprop_error(a, &l->v[l->n], 0x6607, 0x8004010F));
	add(l, pf_wprop_bool(a, &l->v[l->n], 0x6608, true));
	add(l, pf_wprop_bool(a, &l->v[l->n], 0x6609, false));
	add(l, pf_wprop_i64(a, &l->v[l->n], 0x660A, -1234567890123ll));
	add(l, pf_wprop_time(a, &l->v[l->n], 0x660B, 0x01DA0B0C0D0E0F10ull));
	add(l, pf_wprop_guid(a, &l->v[l->n], 0x660C, guid));
	add(l, pf_wprop_string(a, &l->v[l->n], 0x660D, GRUSSE));
	add(l, pf_wprop_string8(a, &l->v[l->n], 0x660E, GRUSS8));
	add(l, pf_wprop_binary(a, &l->v[l->n], 0x660F, "\x00\xFF\x10", 3));
	add(l, pf_wprop_binary(a, &l->v[l->n], 0x6610, NULL, 0));
	add(l, pf_wprop_string(a, &l->v[l->n], 0x6611, ""));
	add(l, pf_wprop_object(a, &l->v[l->n], 0x6612, 0x12345, 777));
	add(l, pf_wprop_mv_i16(a, &l->v[l->n], 0x6613, i16v, 3));
	add(l, pf_wprop_mv_i32(a, &l->v[l->n], 0x6614, i32v, 2));
	add(l, pf_wprop_mv_i64(a, &l->v[l->n], 0x6615, i64v, 2));
	add(l, pf_wprop_mv_f64(a, &l->v[l->n], 0x6616, f64v, 2));
	add(l, pf_wprop_mv_time(a, &l->v[l->n], 0x6617, tv, 1));
	add(l, pf_wprop_mv_guid(a, &l->v[l->n], 0x6618, guids, 2));
	add(l, pf_wprop_mv_string(a, &l->v[l->n], 0x6619, sv, 3));
	add(l, pf_wprop_mv_string8(a, &l->v[l->n], 0x661A, sv, 2));
	add(l, pf_wprop_mv_binary(a, &l->v[l->n], 0x661B, bv, bcb, 3));
	add(l, pf_wprop_mv_i32(a, &l->v[l->n], 0x661C, NULL, 0));
	add(l, pf_wprop_mv_string(a, &l->v[l->n], 0x661D, NULL, 0));
	add(l, pf_wprop_raw(a, &l->v[l->n], PF_PROP_TAG(0x661E,
			    PF_PT_MV_FLOAT32), f32, 8));
	add(l, pf_wprop_raw(a, &l->v[l->n], PF_PROP_TAG(0x661F,
			    PF_PT_MV_CURRENCY), tv, 8));
	add(l, pf_wprop_raw(a, &l->v[l->n], PF_PROP_TAG(0x6620,
			    PF_PT_MV_FLOATINGTIME), tv, 8));
	add(l, pf_wprop_raw(a, &l->v[l->n], PF_PROP_TAG(0x6621,
			    PF_PT_SERVERID), srv, 5));
	add(l, pf_wprop_raw(a, &l->v[l->n], PF_PROP_TAG(0x6622,
			    PF_PT_RESTRICTION), srv, 5));
	add(l, pf_wprop_raw(a, &l->v[l->n], PF_PROP_TAG(0x6623,
			    PF_PT_RULEACTION), srv, 3));
	add(l, pf_wprop_binary(a, &l->v[l->n], 0x6624, guid, 16)); /* 16 */
	add(l, pf_wprop_binary(a, &l->v[l->n], 0x6625, f32, 8));   /* 8 */
	add(l, pf_wprop_binary(a, &l->v[l->n], 0x6626, f32, 4));   /* 4 */
	add(l, pf_wprop_i32(a, &l->v[l->n], 0x0001, 1));     /* low id */
	add(l, pf_wprop_i32(a, &l->v[l->n], 0xFFFF, 2));     /* high id */
	if (!big)
		return;
	{
		size_t cbs[3] = { 3581, 100000, 9000 };
		char *s;

		for (int i = 0; i < 3; i++) {
			l->big[i] = malloc(cbs[i]);
			ck_assert_ptr_nonnull(l->big[i]);
			fill(l->big[i], cbs[i], (uint32_t)i + 1);
		}
		add(l, pf_wprop_binary(a, &l->v[l->n], 0x6700, l->big[0],
				       cbs[0]));
		add(l, pf_wprop_binary(a, &l->v[l->n], 0x6701, l->big[1],
				       cbs[1]));
		s = malloc(cbs[2] + 1);
		ck_assert_ptr_nonnull(s);
		for (size_t i = 0; i < cbs[2]; i++)
			s[i] = (char)('a' + i % 26);
		s[cbs[2]] = '\0';
		add(l, pf_wprop_string(a, &l->v[l->n], 0x6702, s));
		add(l, pf_wprop_string8(a, &l->v[l->n], 0x6703, s));
		free(s);
		{
			const void *bb[2] = { l->big[1], l->big[0] };
			size_t bc[2] = { 2000, 3000 };

			add(l, pf_wprop_mv_binary(a, &l->v[l->n], 0x6704, bb,
						  bc, 2));
		}
	}
}

static void plist_free(struct plist *l)
{
	for (int i = 0; i < 4; i++)
		free(l->big[i]);
	pf_wprop_arena_free(&l->a);
}

/* The value the reader gives has the bytes P/CB was written with. */
static void same_value(const struct pf_value *v, const struct pf_wprop *w)
{
	ck_assert_uint_eq(v->tag, w->tag);
	ck_assert_uint_eq(v->cb, w->cb);
	if (w->cb)
		ck_assert(memcmp(pf_value_data(v), w->p, w->cb) == 0);
	else
		ck_assert(v->loc == PF_VAL_EMPTY);
}

static void check_pc(const struct pf_pc *pc, const struct pf_wprop *v,
		     uint32_t n, const struct pf_sink *s)
{
	ck_assert_int_eq(pf_pc_validate(pc, s), 0);
	ck_assert_uint_eq(pf_pc_count(pc), n);
	for (uint32_t i = 1; i < n; i++)
		ck_assert_uint_lt(PF_PROP_ID(pf_pc_tag(pc, i - 1)),
				  PF_PROP_ID(pf_pc_tag(pc, i)));
	for (uint32_t i = 0; i < n; i++) {
		struct pf_value pv;

		ck_assert_int_eq(pf_pc_get_value(pc, PF_PROP_ID(v[i].tag),
						 &pv), 0);
		same_value(&pv, &v[i]);
		pf_value_free(&pv);
	}
}

/* Typed getters on the all_types() list. */
static void check_pc_getters(const struct pf_pc *pc)
{
	int32_t i32;
	int64_t i64;
	bool b;
	uint64_t t;
	char *str;
	uint32_t nid, size, cnt;
	struct pf_value v;

	ck_assert_int_eq(pf_pc_get_i32(pc, 0x6601, &i32), 0);
	ck_assert_int_eq(i32, -2);
	ck_assert_int_eq(pf_pc_get_i32(pc, 0x6602, &i32), 0);
	ck_assert_int_eq(i32, -123456);
	ck_assert_int_eq(pf_pc_get_i64(pc, 0x660A, &i64), 0);
	ck_assert(i64 == -1234567890123ll);
	ck_assert_int_eq(pf_pc_get_bool(pc, 0x6608, &b), 0);
	ck_assert(b);
	ck_assert_int_eq(pf_pc_get_bool(pc, 0x6609, &b), 0);
	ck_assert(!b);
	ck_assert_int_eq(pf_pc_get_time(pc, 0x660B, &t), 0);
	ck_assert(t == 0x01DA0B0C0D0E0F10ull);
	ck_assert_int_eq(pf_pc_get_string(pc, 0x660D, &str), 0);
	ck_assert_str_eq(str, GRUSSE);
	free(str);
	ck_assert_int_eq(pf_pc_get_string(pc, 0x660E, &str), 0);
	ck_assert_str_eq(str, GRUSS8);
	free(str);
	ck_assert_int_eq(pf_pc_get_string(pc, 0x6611, &str), 0);
	ck_assert_str_eq(str, "");
	free(str);
	ck_assert_int_eq(pf_pc_get_object(pc, 0x6612, &nid, &size), 0);
	ck_assert_uint_eq(nid, 0x12345);
	ck_assert_uint_eq(size, 777);
	ck_assert_int_eq(pf_pc_get_value(pc, 0x6619, &v), 0);
	ck_assert_int_eq(pf_value_mv_count(&v, &cnt), 0);
	ck_assert_uint_eq(cnt, 3);
	ck_assert_int_eq(pf_value_mv_string(&v, 2, 0, &str), 0);
	ck_assert_str_eq(str, "dr\xC3\xA9i \xF0\x9F\x98\x80");
	free(str);
	ck_assert_int_eq(pf_value_mv_string(&v, 1, 0, &str), 0);
	ck_assert_str_eq(str, "");
	free(str);
	pf_value_free(&v);
	ck_assert_int_eq(pf_pc_get_value(pc, 0x661A, &v), 0);
	ck_assert_int_eq(pf_value_mv_string(&v, 0, 1252, &str), 0);
	ck_assert_str_eq(str, "one");
	free(str);
	pf_value_free(&v);
	ck_assert_int_eq(pf_pc_get_value(pc, 0x6613, &v), 0);
	ck_assert_int_eq(pf_value_mv_count(&v, &cnt), 0);
	ck_assert_uint_eq(cnt, 3);
	pf_value_free(&v);
}

/* ---- PC in memory ---- */

static void pc_mem(const struct pf_wprop *v, uint32_t n, struct pf_pc *pc,
		   struct pf_hnw *h, struct tu_faults *f)
{
	struct pf_sink s = tu_sink(f);
	struct pf_hn hn;
	struct pf_subw sub;

	pf_subw_init(&sub, NULL);
	pf_hnw_init(h, 0, BMAX_U);
	ck_assert_int_eq(ltpw_pc_build(h, v, n, &sub), 0);
	ck_assert_uint_eq(sub.n, 0);
	open_heap(h, &hn, &s);
	ck_assert_int_eq(pf_pc_open_hn(pc, &hn, NULL, NULL, &s), 0);
	check_pc(pc, v, n, &s);
	ck_no_faults(f);
	pf_subw_free(&sub);
}

START_TEST(test_pc_all_types)
{
	struct plist l;
	struct pf_pc pc;
	struct pf_hnw h;
	struct tu_faults f;

	all_types(&l, false);
	pc_mem(l.v, l.n, &pc, &h, &f);
	check_pc_getters(&pc);
	/* values in the heap after the header, inline ones not at all */
	pf_pc_close(&pc);
	pf_hnw_free(&h);
	plist_free(&l);
}
END_TEST

START_TEST(test_pc_counts)
{
	struct pf_wprop_arena a;
	struct pf_wprop *v = calloc(8000, sizeof(*v));
	struct pf_pc pc;
	struct pf_hnw h;
	struct tu_faults f;
	char buf[300];

	ck_assert_ptr_nonnull(v);
	pf_wprop_arena_init(&a);
	/* 0 and 1 property */
	pc_mem(v, 0, &pc, &h, &f);
	ck_assert_uint_eq(pc.bth.hid_root, 0);
	pf_pc_close(&pc);
	pf_hnw_free(&h);
	ck_assert_int_eq(pf_wprop_i32(&a, &v[0], 0x3001, 42), 0);
	pc_mem(v, 1, &pc, &h, &f);
	ck_assert_uint_eq(pc.hn.hid_user_root, 0x20);   /* header first */
	pf_pc_close(&pc);
	pf_hnw_free(&h);
	/* thousands, given in reverse id order, with strings enough for
	 * > 9 heap blocks (block 8 has an HNBITMAPHDR) and an index level */
	for (uint32_t i = 0; i < 8000; i++) {
		uint16_t id = (uint16_t)(0x9000 - i);

		if (i % 2) {
			memset(buf, 'a' + i % 26, i % 300);
			buf[i % 300] = '\0';
			ck_assert_int_eq(pf_wprop_string(&a, &v[i], id, buf),
					 0);
		} else {
			ck_assert_int_eq(pf_wprop_i64(&a, &v[i], id, i), 0);
		}
	}
	pc_mem(v, 8000, &pc, &h, &f);
	ck_assert_uint_gt(pc.hn.nblocks, 9);
	ck_assert_uint_eq(pc.bth.levels, 1);
	pf_pc_close(&pc);
	pf_hnw_free(&h);
	pf_wprop_arena_free(&a);
	free(v);
}
END_TEST

START_TEST(test_pc_errors)
{
	struct pf_wprop_arena a;
	struct pf_wprop v[2];
	struct pf_hnw h;
	struct pf_subw sub;
	uint8_t three[3] = { 1, 2, 3 }, *big = calloc(1, 5000);

	pf_wprop_arena_init(&a);
	pf_subw_init(&sub, NULL);
	ck_assert_int_eq(pf_wprop_i32(&a, &v[0], 0x3001, 1), 0);
	ck_assert_int_eq(pf_wprop_string(&a, &v[1], 0x3001, "x"), 0);
	pf_hnw_init(&h, 0, BMAX_U);            /* same id twice */
	ck_assert_int_eq(ltpw_pc_build(&h, v, 2, &sub), PF_E_USAGE);
	pf_hnw_free(&h);
	v[1].tag = PF_PROP_TAG(0x3002, PF_PT_INT32);
	v[1].p = three;                        /* Int32 of 3 bytes */
	v[1].cb = 3;
	pf_hnw_init(&h, 0, BMAX_U);
	ck_assert_int_eq(ltpw_pc_build(&h, v, 2, &sub), PF_E_USAGE);
	pf_hnw_free(&h);
	v[1].tag = PF_PROP_TAG(0x3002, 0x0009); /* not a PST type */
	pf_hnw_init(&h, 0, BMAX_U);
	ck_assert_int_eq(ltpw_pc_build(&h, v, 2, &sub), PF_E_USAGE);
	pf_hnw_free(&h);
	v[1] = (struct pf_wprop){ PF_PROP_TAG(0x3002, PF_PT_BINARY), NULL,
				  0 };                  /* no value */
	pf_hnw_init(&h, 0, BMAX_U);
	ck_assert_int_eq(ltpw_pc_build(&h, v, 2, &sub), PF_E_USAGE);
	pf_hnw_free(&h);
	v[1] = (struct pf_wprop){ PF_PROP_TAG(0x3002, PF_PT_OBJECT), three,
				  3 };                  /* object not 8 bytes */
	pf_hnw_init(&h, 0, BMAX_U);
	ck_assert_int_eq(ltpw_pc_build(&h, v, 2, &sub), PF_E_USAGE);
	pf_hnw_free(&h);
	v[1] = (struct pf_wprop){ PF_PROP_TAG(0x3002, PF_PT_BINARY), big,
				  5000 };               /* needs a subnode */
	pf_hnw_init(&h, 0, BMAX_U);
	ck_assert_int_eq(ltpw_pc_build(&h, v, 2, &sub), PF_E_USAGE);
	pf_hnw_free(&h);
	pf_hnw_init(&h, 0, BMAX_U);
	ck_assert_int_eq(ltpw_pc_build(&h, v, 2, NULL), PF_E_USAGE);
	pf_hnw_free(&h);
	ck_assert_int_eq(pf_pcw_write(NULL, v, 1, NULL, (uint64_t[1]){ 0 }),
			 PF_E_USAGE);
	pf_subw_free(&sub);
	pf_wprop_arena_free(&a);
	free(big);
}
END_TEST

/* ---- TC ---- */

struct table {
	uint32_t *cols;
	uint32_t ncols;
	uint32_t *ids;
	struct pf_wprop *cells;
	uint32_t nrows;
	struct plist l;       /* the value source */
};

/* Columns: one per property of all_types() (BIG: with big values too);
 * NROWS rows, row r has the values of the list with every (r + c) % 5 == 0
 * cell absent; row IDs scattered (not in row order). */
static void make_table(struct table *t, uint32_t nrows, bool big)
{
	all_types(&t->l, big);
	t->ncols = t->l.n;
	t->nrows = nrows;
	t->cols = malloc(t->ncols * sizeof(*t->cols));
	t->ids = malloc(((size_t)nrows + 1) * sizeof(*t->ids));
	t->cells = calloc((size_t)nrows * t->ncols + 1, sizeof(*t->cells));
	ck_assert(t->cols && t->ids && t->cells);
	for (uint32_t c = 0; c < t->ncols; c++)
		t->cols[c] = t->l.v[c].tag;
	for (uint32_t r = 0; r < nrows; r++) {
		t->ids[r] = (r * 7919u) % 1000003u * 32u + 0x24u;
		for (uint32_t c = 0; c < t->ncols; c++) {
			struct pf_wprop *cell = &t->cells[(size_t)r * t->ncols
							  + c];

			if ((r + c) % 5 == 0)
				pf_wprop_absent(cell, t->cols[c]);
			else
				*cell = t->l.v[c];
		}
	}
}

static void free_table(struct table *t)
{
	free(t->cols);
	free(t->ids);
	free(t->cells);
	plist_free(&t->l);
}

static void check_tc(const struct pf_tc *tc, const struct table *t,
		     const struct pf_sink *s)
{
	ck_assert_int_eq(pf_tc_validate(tc, s), 0);
	ck_assert_uint_eq(pf_tc_rows(tc), t->nrows);
	ck_assert_uint_eq(pf_tc_cols(tc), t->ncols + 2);
	for (uint32_t c = 1; c < pf_tc_cols(tc); c++)
		ck_assert_uint_lt(pf_tc_col_tag(tc, c - 1),
				  pf_tc_col_tag(tc, c));
	for (uint32_t r = 0; r < t->nrows; r++) {
		uint32_t row, id;
		int32_t ver;

		ck_assert_int_eq(pf_tc_find_row(tc, t->ids[r], &row), 0);
		ck_assert_uint_eq(row, r);
		ck_assert_int_eq(pf_tc_row_id(tc, r, &id), 0);
		ck_assert_uint_eq(id, t->ids[r]);
		ck_assert_int_eq(pf_tc_get_i32(tc, r, PF_TC_TAG_ROWID, &ver),
				 0);
		ck_assert_uint_eq((uint32_t)ver, t->ids[r]);
		ck_assert(pf_tc_cell_exists(tc, r, PF_TC_TAG_ROWVER));
		for (uint32_t c = 0; c < t->ncols; c++) {
			const struct pf_wprop *w =
				&t->cells[(size_t)r * t->ncols + c];
			struct pf_value v;

			ck_assert(pf_tc_cell_exists(tc, r, t->cols[c]) ==
				  (w->p != NULL));
			if (!w->p)
				continue;
			ck_assert_int_eq(pf_tc_get_value(tc, r, t->cols[c],
							 &v), 0);
			same_value(&v, w);
			pf_value_free(&v);
		}
	}
}

static void tc_mem(const struct table *t, enum pf_variant var)
{
	struct tu_faults f;
	struct pf_sink s = tu_sink(&f);
	struct pf_hnw h;
	struct pf_hn hn;
	struct pf_tc tc;

	pf_hnw_init(&h, 0, var == PF_ANSI ? BMAX_A : BMAX_U);
	ck_assert_int_eq(ltpw_tc_build(&h, t->cols, t->ncols, t->ids,
				       t->cells, t->nrows, var, NULL), 0);
	open_heap(&h, &hn, &s);
	ck_assert_int_eq(pf_tc_open_hn(&tc, &hn, NULL, NULL, var, &s), 0);
	ck_assert_uint_eq(tc.hn.hid_user_root, 0x20);  /* TCINFO first */
	ck_assert_uint_eq(tc.rowidx.cb_ent, var == PF_ANSI ? 2 : 4);
	if (t->nrows == 0) {
		ck_assert_uint_eq(tc.hnid_rows, 0);
		ck_assert_uint_eq(tc.rowidx.hid_root, 0);
	}
	check_tc(&tc, t, &s);
	ck_no_faults(&f);
	pf_tc_close(&tc);
	pf_hnw_free(&h);
}

START_TEST(test_tc_mem)
{
	enum pf_variant var = _i ? PF_ANSI : PF_UNICODE;
	uint32_t sizes[4] = { 0, 1, 7, 19 };  /* 19 rows: 3534 bytes */

	for (int k = 0; k < 4; k++) {
		struct table t;

		make_table(&t, sizes[k], false);
		tc_mem(&t, var);
		free_table(&t);
	}
}
END_TEST

/* The row layout: RowId at 0, RowVer at 4, 8-byte cells, 4-byte, 2-byte,
 * 1-byte, the CEB (MS-PST 2.3.4.1, 2.3.4.4). */
START_TEST(test_tc_layout)
{
	uint32_t cols[5] = {
		PF_PROP_TAG(0x0E07, PF_PT_BOOLEAN),
		PF_PROP_TAG(0x3001, PF_PT_STRING),
		PF_PROP_TAG(0x0E06, PF_PT_TIME),
		PF_PROP_TAG(0x1000, PF_PT_INT16),
		PF_PROP_TAG(0x0017, PF_PT_INT32),
	};
	struct tu_faults f;
	struct pf_sink s = tu_sink(&f);
	struct pf_hnw h;
	struct pf_hn hn;
	struct pf_tc tc;
	static const struct { uint32_t tag; uint16_t ib; uint8_t cb, bit; }
	want[7] = {
		{ 0x00170003, 20, 4, 6 }, { 0x0E060040, 8, 8, 4 },
		{ 0x0E07000B, 26, 1, 2 }, { 0x10000002, 24, 2, 5 },
		{ 0x3001001F, 16, 4, 3 }, { 0x67F20003, 0, 4, 0 },
		{ 0x67F30003, 4, 4, 1 },
	};

	pf_hnw_init(&h, 0, BMAX_U);
	ck_assert_int_eq(ltpw_tc_build(&h, cols, 5, NULL, NULL, 0,
				       PF_UNICODE, NULL), 0);
	open_heap(&h, &hn, &s);
	ck_assert_int_eq(pf_tc_open_hn(&tc, &hn, NULL, NULL, PF_UNICODE, &s),
			 0);
	ck_no_faults(&f);
	ck_assert_uint_eq(tc.rgib[PF_TCI_4B], 24);
	ck_assert_uint_eq(tc.rgib[PF_TCI_2B], 26);
	ck_assert_uint_eq(tc.rgib[PF_TCI_1B], 27);
	ck_assert_uint_eq(tc.rgib[PF_TCI_BM], 28);
	ck_assert_uint_eq(tc.ccols, 7);
	for (int c = 0; c < 7; c++) {
		ck_assert_uint_eq(tc.cols[c].tag, want[c].tag);
		ck_assert_uint_eq(tc.cols[c].ib_data, want[c].ib);
		ck_assert_uint_eq(tc.cols[c].cb_data, want[c].cb);
		ck_assert_uint_eq(tc.cols[c].ibit, want[c].bit);
	}
	pf_tc_close(&tc);
	pf_hnw_free(&h);
}
END_TEST

START_TEST(test_tc_errors)
{
	uint32_t cols[2] = { PF_PROP_TAG(0x3001, PF_PT_STRING),
			     PF_PROP_TAG(0x0E07, PF_PT_INT32) };
	uint32_t ids[2] = { 5, 5 };
	struct pf_wprop_arena a;
	struct pf_wprop cells[4];
	struct pf_hnw h;
	struct table t;

	pf_wprop_arena_init(&a);
	ck_assert_int_eq(pf_wprop_string(&a, &cells[0], 0x3001, "x"), 0);
	ck_assert_int_eq(pf_wprop_i32(&a, &cells[1], 0x0E07, 1), 0);
	cells[2] = cells[0];
	cells[3] = cells[1];
#define BUILD(c, nc, i, cl, nr)                                          \
	(pf_hnw_init(&h, 0, BMAX_U),                                     \
	 ltpw_tc_build(&h, c, nc, i, cl, nr, PF_UNICODE, NULL))
	ck_assert_int_eq(BUILD(cols, 2, ids, cells, 2), PF_E_USAGE);
	pf_hnw_free(&h);
	ids[1] = 6;
	ck_assert_int_eq(BUILD(cols, 2, ids, cells, 2), 0);
	pf_hnw_free(&h);
	cells[3].tag = PF_PROP_TAG(0x0E08, PF_PT_INT32);  /* wrong column */
	ck_assert_int_eq(BUILD(cols, 2, ids, cells, 2), PF_E_USAGE);
	pf_hnw_free(&h);
	cells[3].tag = 0;                                 /* untagged: ok */
	ck_assert_int_eq(BUILD(cols, 2, ids, cells, 2), 0);
	pf_hnw_free(&h);
	cols[1] = cols[0];                                /* twice */
	ck_assert_int_eq(BUILD(cols, 2, ids, cells, 0), PF_E_USAGE);
	pf_hnw_free(&h);
	cols[1] = PF_TC_TAG_ROWVER;                       /* builder's */
	ck_assert_int_eq(BUILD(cols, 2, ids, cells, 0), PF_E_USAGE);
	pf_hnw_free(&h);
	cols[1] = PF_PROP_TAG(0x0E07, 0x0009);            /* bad type */
	ck_assert_int_eq(BUILD(cols, 2, ids, cells, 0), PF_E_USAGE);
	pf_hnw_free(&h);
	/* a row matrix past one allocation needs a subnode (a writer) */
	make_table(&t, 40, false);
	ck_assert_int_eq(BUILD(t.cols, t.ncols, t.ids, t.cells, 40),
			 PF_E_USAGE);
	pf_hnw_free(&h);
	free_table(&t);
	/* an ANSI row index holds 2-byte dwRowIndex values (2.3.4.3.1) */
	pf_hnw_init(&h, 0, BMAX_A);
	ck_assert_int_eq(ltpw_tc_build(&h, NULL, 0, NULL, NULL, 65537,
				       PF_ANSI, NULL), PF_E_LIMIT);
	pf_hnw_free(&h);
#undef BUILD
	pf_wprop_arena_free(&a);
}
END_TEST

/* ---- through the NDB writer into a file ---- */

struct wnode {
	uint32_t nid;
	int kind;                 /* 0 PC, 1 TC */
	const struct pf_wprop *v; /* PC */
	uint32_t n;
	const struct table *t;    /* TC */
};

static int write_node(struct pf_writer *w, struct wnode *nd)
{
	struct pf_subw sub;
	uint64_t bid = 0, bsub = 0;
	int rc;

	pf_subw_init(&sub, w);
	if (nd->kind == 0)
		rc = pf_pcw_write(w, nd->v, nd->n, &sub, &bid);
	else if (nd->t->nrows == 0)
		rc = pf_tcw_write(w, nd->t->cols, nd->t->ncols, NULL, NULL, 0,
				  NULL, &bid);
	else
		rc = pf_tcw_write(w, nd->t->cols, nd->t->ncols, nd->t->ids,
				  nd->t->cells, nd->t->nrows, &sub, &bid);
	if (rc == 0)
		rc = pf_writer_put_subnodes(w, sub.v, sub.n, &bsub);
	if (rc == 0)
		rc = pf_writer_add_node(w, nd->nid, bid, bsub, 0);
	pf_subw_free(&sub);
	return rc;
}

static void read_node(struct pf_ndb *ndb, const struct wnode *nd)
{
	struct tu_faults f;
	struct pf_sink s = tu_sink(&f);
	struct pf_nbt_entry e;
	struct pf_subnodes sub;

	ck_assert_int_eq(pf_nbt_lookup(ndb, nd->nid, &e), 0);
	ck_assert_int_eq(pf_subnodes_load(ndb, e.bid_sub, &s, &sub), 0);
	if (nd->kind == 0) {
		struct pf_pc pc;

		ck_assert_int_eq(pf_pc_open(&pc, ndb, nd->nid, e.bid_data,
					    &sub, &s), 0);
		check_pc(&pc, nd->v, nd->n, &s);
		pf_pc_close(&pc);
	} else {
		struct pf_tc tc;

		ck_assert_int_eq(pf_tc_open(&tc, ndb, nd->nid, e.bid_data,
					    &sub, &s), 0);
		check_tc(&tc, nd->t, &s);
		pf_tc_close(&tc);
	}
	ck_no_faults(&f);
	pf_subnodes_free(&sub);
}

static void file_roundtrip(enum pf_variant var)
{
	char dir[] = "/tmp/pstfix-wltp-XXXXXX", path[128], codes[2000];
	struct pf_write_opts o = {
		.variant = var, .crypt = PF_CRYPT_PERMUTE, .unique_seed = 7,
	};
	struct pf_writer *w = NULL;
	struct pf_ndb *ndb;
	struct plist small, big;
	struct table t0, t1, tn, tb;
	struct pf_wprop_arena a;
	struct pf_wprop *many = calloc(5000, sizeof(*many));
	struct wnode nd[8];
	struct tu_findings *fi;
	uint32_t nn = 0, rows_many = 5000;
	int rc;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/w.pst", dir);
	rc = pf_writer_open(&w, path, &o);
	if (rc == PF_E_UNSUPPORTED) {
		fprintf(stderr, "SKIP: pf_writer_open(variant %d): %s\n", var,
			pf_error_msg());
		tu_rm_dir(dir);
		free(many);
		return;
	}
	ck_assert_msg(rc == 0, "pf_writer_open: %s", pf_error_msg());
	all_types(&small, false);
	all_types(&big, true);
	pf_wprop_arena_init(&a);
	for (uint32_t i = 0; i < 5000; i++) {
		char s[64];

		snprintf(s, sizeof(s), "value %u %.*s", i, (int)(i % 40),
			 "........................................");
		ck_assert_int_eq(i % 3 ? pf_wprop_str(&a, &many[i],
				 (uint16_t)(0x1000 + i), s, var) :
				 pf_wprop_i32(&a, &many[i],
				 (uint16_t)(0x1000 + i), (int32_t)i), 0);
	}
	make_table(&t0, 0, false);
	make_table(&t1, 1, false);
	make_table(&tn, rows_many, false);
	make_table(&tb, 30, true);
	nd[nn++] = (struct wnode){ pf_writer_new_nid(w, PF_NT_NORMAL_MESSAGE),
				   0, small.v, small.n, NULL };
	nd[nn++] = (struct wnode){ pf_writer_new_nid(w, PF_NT_NORMAL_MESSAGE),
				   0, big.v, big.n, NULL };
	nd[nn++] = (struct wnode){ pf_writer_new_nid(w, PF_NT_NORMAL_MESSAGE),
				   0, big.v, 0, NULL };
	nd[nn++] = (struct wnode){ pf_writer_new_nid(w, PF_NT_NORMAL_MESSAGE),
				   0, many, 5000, NULL };
	nd[nn++] = (struct wnode){ pf_writer_new_nid(w, PF_NT_CONTENTS_TABLE),
				   1, NULL, 0, &t0 };
	nd[nn++] = (struct wnode){ pf_writer_new_nid(w, PF_NT_CONTENTS_TABLE),
				   1, NULL, 0, &t1 };
	nd[nn++] = (struct wnode){ pf_writer_new_nid(w, PF_NT_CONTENTS_TABLE),
				   1, NULL, 0, &tn };
	nd[nn++] = (struct wnode){ pf_writer_new_nid(w, PF_NT_RECIPIENT_TABLE),
				   1, NULL, 0, &tb };
	for (uint32_t i = 0; i < nn; i++) {
		rc = write_node(w, &nd[i]);
		ck_assert_msg(rc == 0, "node %u: %s", i, pf_error_msg());
	}
	rc = pf_writer_commit(w);
	ck_assert_msg(rc == 0, "commit: %s", pf_error_msg());
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	for (uint32_t i = 0; i < nn; i++)
		read_node(ndb, &nd[i]);
	pf_ndb_close(ndb);
	fi = tu_check(path);
	ck_assert_ptr_nonnull(fi);
	for (unsigned c = 0; c < 7000; c++)
		ck_assert_msg(fi->by_code[c] == 0, "findings below 7000: %s",
			      tu_codes_str(fi, false, codes, sizeof(codes)));
	ck_assert_uint_eq(fi->bad_rows, 0);
	free(fi);
	free_table(&t0);
	free_table(&t1);
	free_table(&tn);
	free_table(&tb);
	plist_free(&small);
	plist_free(&big);
	pf_wprop_arena_free(&a);
	free(many);
	tu_rm_dir(dir);
}

START_TEST(test_file_roundtrip)
{
	static const enum pf_variant v[3] = { PF_UNICODE, PF_ANSI,
					      PF_UNICODE4K };

	file_roundtrip(v[_i]);
}
END_TEST

static Suite *write_ltp_suite(void)
{
	Suite *s = suite_create("write_ltp");
	TCase *mem = tcase_create("memory");
	TCase *file = tcase_create("file");

	tcase_set_timeout(mem, 120);
	tcase_add_test(mem, test_hn_small);
	tcase_add_test(mem, test_hn_empty);
	tcase_add_test(mem, test_hn_many_blocks);
	tcase_add_test(mem, test_hn_errors);
	tcase_add_test(mem, test_bth_shapes);
	tcase_add_test(mem, test_bth_errors);
	tcase_add_test(mem, test_wprop_text);
	tcase_add_test(mem, test_wprop_layouts);
	tcase_add_test(mem, test_pc_all_types);
	tcase_add_test(mem, test_pc_counts);
	tcase_add_test(mem, test_pc_errors);
	tcase_add_loop_test(mem, test_tc_mem, 0, 2);
	tcase_add_test(mem, test_tc_layout);
	tcase_add_test(mem, test_tc_errors);
	suite_add_tcase(s, mem);
	tcase_set_timeout(file, 300);
	tcase_add_loop_test(file, test_file_roundtrip, 0, 3);
	suite_add_tcase(s, file);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(write_ltp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
