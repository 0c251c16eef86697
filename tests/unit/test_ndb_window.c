/*
 * test_ndb_window.c - the reader's window (formats/ndb/ndb.c,
 * pf_ndb_window) that pf_block_verify() reads through, and the checker's
 * block table (pstfix/check/ck_blocks.c).
 *
 * Covers:
 * - window: bytes equal the file's at the start, inside one window, across
 *   a window's end (refilled), backwards (refilled), at the last byte;
 *   a range past EOF is PF_E_CORRUPT and one larger than the window
 *   PF_E_LIMIT, neither touching the window; a file shorter than a
 *   window.
 * - the mapped window (pf_ndb_map) over a file of 64 MiB + 3 MiB: the
 *   same bytes at the start, inside, across the first mapping's end
 *   (mapped again from there), backwards, in the short last mapping, at
 *   the last byte; past EOF PF_E_CORRUPT.
 * - block table: pushes in order need no sort; out of order the sort is
 *   stable (duplicates keep their walk order), lookups ignore BID bit 0
 *   and miss absent keys, and find what bsearch() finds (the same one of
 *   two duplicates) asked in any order; 4K cbInflated follows its entry
 *   through the sort; the file order (a merge of the runs where ib
 *   ascends) is the identity when ib ascends with the BID, else the
 *   stable sort by ib, checked against qsort on 5000 entries with runs,
 *   ties and a descending stretch; the record is 24 bytes and its refs
 *   (up to REFS_MAX), state and role do not overlap.
 */
#include <check.h>

#include "../../formats/ndb/ndb_internal.h"
#include "../../pstfix/check/ck.h"
#include "tutil.h"

static char tmpdir[64];

/* A file of N bytes, byte i = (i * 7 + i / 251) & 0xFF from offset 1024
 * on, behind a Unicode header so pf_ndb_open() takes it. */
static uint8_t byte_at(uint64_t i)
{
	return (uint8_t)((i * 7 + i / 251) & 0xFF);
}

static void make_file(char *path, size_t cap, size_t n)
{
	struct tu_hdr_layout h = tu_hdr_layout(false);
	uint8_t *buf = malloc(n);
	int fd;

	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < n; i++)
		buf[i] = byte_at(i);
	memset(buf, 0, 1024);
	memcpy(buf, "!BDN", 4);
	pf_put16(buf + 8, PF_MAGIC_CLIENT_PST);
	pf_put16(buf + 10, 23);
	buf[h.sentinel] = 0x80;
	tu_header_fix_buf(buf, false);
	snprintf(path, cap, "%s/win-XXXXXX", tmpdir);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, n), (ssize_t)n);
	close(fd);
	free(buf);
}

/* The window's N bytes at IB are the file's. */
static void expect_file_bytes(struct pf_ndb *ndb, uint64_t ib, size_t n)
{
	const uint8_t *p;

	ck_assert_int_eq(pf_ndb_window(ndb, ib, n, &p), 0);
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < n; i++)
		if (ib + i >= 1024)
			ck_assert_uint_eq(p[i], byte_at(ib + i));
}

static void expect_bytes(struct pf_ndb *ndb, uint64_t ib, size_t n)
{
	expect_file_bytes(ndb, ib, n);
	ck_assert_uint_ge(ib, ndb->win_ib);
	ck_assert_uint_le(ib + n, ndb->win_ib + ndb->win_len);
}

START_TEST(test_window)
{
	size_t size = 3 * PF_WINDOW_CB + 4321;
	struct pf_ndb *ndb;
	const uint8_t *p;
	char path[128];
	uint64_t win_ib;

	make_file(path, sizeof(path), size);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	expect_bytes(ndb, 1024, 8192);
	ck_assert_uint_eq(ndb->win_ib, 1024);
	ck_assert_uint_eq(ndb->win_len, PF_WINDOW_CB);
	expect_bytes(ndb, 1024 + 50000, 8192);        /* same window */
	ck_assert_uint_eq(ndb->win_ib, 1024);
	expect_bytes(ndb, 1024 + PF_WINDOW_CB - 100, 8192);   /* across */
	ck_assert_uint_eq(ndb->win_ib, 1024 + PF_WINDOW_CB - 100);
	expect_bytes(ndb, 4096, 512);                 /* backwards */
	ck_assert_uint_eq(ndb->win_ib, 4096);
	expect_bytes(ndb, size - 64, 64);             /* the last bytes */
	ck_assert_uint_eq(ndb->win_len, 64);
	win_ib = ndb->win_ib;
	ck_assert_int_eq(pf_ndb_window(ndb, size - 63, 64, &p),
			 PF_E_CORRUPT);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(pf_ndb_window(ndb, UINT64_MAX - 10, 64, &p),
			 PF_E_CORRUPT);
	ck_assert_int_eq(pf_ndb_window(ndb, 1024, PF_WINDOW_CB + 1, &p),
			 PF_E_LIMIT);
	ck_assert_uint_eq(ndb->win_ib, win_ib);       /* untouched */
	expect_bytes(ndb, size - 64, 64);
	pf_ndb_close(ndb);
	unlink(path);

	make_file(path, sizeof(path), 20000);         /* under a window */
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	expect_bytes(ndb, 2048, 100);
	ck_assert_uint_eq(ndb->win_len, 20000 - 2048);
	expect_bytes(ndb, 19900, 100);
	pf_ndb_close(ndb);
	unlink(path);
}
END_TEST

static void expect_mapped(struct pf_ndb *ndb, uint64_t ib, size_t n)
{
	expect_file_bytes(ndb, ib, n);
	ck_assert_ptr_nonnull(ndb->map);
	ck_assert_uint_ge(ib, ndb->map_ib);
	ck_assert_uint_le(ib + n, ndb->map_ib + ndb->map_len);
	ck_assert_uint_le(ndb->map_len, PF_MAP_CB);
}

START_TEST(test_mapped)
{
	size_t size = PF_MAP_CB + 3 * PF_WINDOW_CB + 4321;
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
	struct pf_ndb *ndb;
	const uint8_t *p;
	char path[128];

	make_file(path, sizeof(path), size);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	pf_ndb_map(ndb);
	expect_mapped(ndb, 1024, 8192);
	ck_assert_uint_eq(ndb->map_ib, 0);
	expect_mapped(ndb, 5u << 20, 8192);           /* same mapping */
	ck_assert_uint_eq(ndb->map_ib, 0);
	expect_mapped(ndb, PF_MAP_CB - 100, 8192);    /* across its end */
	ck_assert_uint_eq(ndb->map_ib, (PF_MAP_CB - 100) / pg * pg);
	expect_mapped(ndb, 3 * pg + 100, 512);        /* backwards */
	ck_assert_uint_eq(ndb->map_ib, 3 * pg);
	expect_mapped(ndb, size - 64, 64);            /* the last bytes */
	ck_assert_uint_lt(ndb->map_len, PF_MAP_CB);
	ck_assert_int_eq(pf_ndb_window(ndb, size - 63, 64, &p),
			 PF_E_CORRUPT);
	ck_assert_ptr_null(p);
	expect_mapped(ndb, 1024, PF_WINDOW_CB);
	ck_assert(ndb->win == NULL);                  /* nothing was read */
	pf_ndb_close(ndb);
	unlink(path);
}
END_TEST

/* ---- the block table ---- */

static struct pf_ck *new_ck(struct pf_layout *l, enum pf_variant v)
{
	struct pf_ck *ck = calloc(1, sizeof(*ck));

	ck_assert_ptr_nonnull(ck);
	ck_assert(pf_layout_for(l, v));
	ck->l = l;
	return ck;
}

static void free_ck(struct pf_ck *ck)
{
	free(ck->blocks);
	free(ck->inflated);
	free(ck);
}

static void push(struct pf_ck *ck, size_t *cap, uint64_t bid, uint64_t ib,
		 uint16_t cb, uint16_t inflated)
{
	struct pf_bbt_entry e = {
		.bref = { .bid = bid, .ib = ib }, .cb = cb, .cref = 2,
		.cb_inflated = inflated,
	};

	ck_assert_int_eq(ck_push_block(ck, &e, cap), 0);
}

static int cmp_rec(const void *a, const void *b)
{
	uint64_t x = ((const struct pf_block_rec *)a)->bid & ~(uint64_t)1;
	uint64_t y = ((const struct pf_block_rec *)b)->bid & ~(uint64_t)1;

	return x < y ? -1 : x > y;
}

/* ck_block() finds what the C library's bsearch() finds (the same one
 * of two duplicates), keys up to MAX asked in ascending order (the
 * finger's case), then descending. */
static void same_as_bsearch(struct pf_ck *ck, uint64_t max)
{
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t i = 0; i <= max; i++) {
			uint64_t bid = pass == 0 ? i : max - i;
			struct pf_block_rec key = { .bid = bid };
			const void *want = bsearch(&key, ck->blocks,
						   ck->nblocks, sizeof(key),
						   cmp_rec);

			ck_assert_ptr_eq(ck_block(ck, bid), want);
		}
	}
}

/* ck_order_next() yields WANT[0..N) (NULL: 0, 1, ... N-1), then ends. */
static void expect_order(struct pf_ck *ck, const size_t *want, size_t n)
{
	struct ck_order o;
	size_t k;

	ck_assert_int_eq(ck_order_start(&o, ck), 0);
	for (size_t i = 0; i < n; i++) {
		ck_assert(ck_order_next(&o, &k));
		ck_assert_uint_eq(k, want ? want[i] : i);
	}
	ck_assert(!ck_order_next(&o, &k));
	ck_order_free(&o);
}

START_TEST(test_table_in_order)
{
	struct pf_layout l;
	struct pf_ck *ck = new_ck(&l, PF_UNICODE);
	struct pf_bbt_entry e;
	size_t cap = 0;

	for (uint64_t i = 0; i < 1000; i++)
		push(ck, &cap, 4 + 4 * i, 0x4600 + 64 * i, (uint16_t)i, 0);
	ck_assert_ptr_null(ck->inflated);           /* not a 4K file */
	ck_sort_blocks(ck);
	for (uint64_t i = 0; i < 1000; i++)
		ck_assert_uint_eq(ck->blocks[i].bid, 4 + 4 * i);
	ck_assert_ptr_eq(ck_block(ck, 4 + 4 * 500), &ck->blocks[500]);
	ck_assert_ptr_eq(ck_block(ck, 5 + 4 * 500), &ck->blocks[500]);
	ck_assert_ptr_null(ck_block(ck, 6 + 4 * 500));
	ck_assert_ptr_null(ck_block(ck, 0));
	ck_assert_ptr_null(ck_block(ck, 4 + 4 * 1000));
	same_as_bsearch(ck, 4 + 4 * 1001);
	ck_bbt_entry(ck, &ck->blocks[7], &e);
	ck_assert_uint_eq(e.bref.ib, 0x4600 + 64 * 7);
	ck_assert_uint_eq(e.cb, 7);
	ck_assert_uint_eq(e.cb_inflated, 7);        /* == cb off 4K */
	ck_assert_uint_eq(e.cref, 2);
	expect_order(ck, NULL, 1000);
	ck->blocks[3].refs = REFS_MAX;
	ck_assert_uint_eq(ck->blocks[3].refs, REFS_MAX);
	ck->blocks[3].state = BLK_DEFER;
	ck->blocks[3].role = ROLE_DATA | ROLE_SUB;
	ck_assert_uint_eq(ck->blocks[3].refs, REFS_MAX);   /* no overlap */
	ck_assert_uint_eq(sizeof(struct pf_block_rec), 24);
	free_ck(ck);
}
END_TEST

START_TEST(test_table_sorted)
{
	struct pf_layout l;
	struct pf_ck *ck = new_ck(&l, PF_UNICODE4K);
	size_t cap = 0;

	/* (bid, ib, cbInflated): out of order, a duplicate of 0x20 (bit 0
	 * set on the second), two blocks at one ib */
	push(ck, &cap, 0x30, 0x30000, 10, 300);
	push(ck, &cap, 0x20, 0x50000, 11, 200);
	push(ck, &cap, 0x10, 0x30000, 12, 100);
	push(ck, &cap, 0x21, 0x40000, 13, 201);
	push(ck, &cap, 0x40, 0x10000, 14, 400);
	ck_assert_ptr_nonnull(ck->inflated);
	ck_sort_blocks(ck);
	ck_assert_uint_eq(ck->blocks[0].bid, 0x10);
	ck_assert_uint_eq(ck->blocks[1].bid, 0x20);  /* walk order kept */
	ck_assert_uint_eq(ck->blocks[2].bid, 0x21);
	ck_assert_uint_eq(ck->blocks[3].bid, 0x30);
	ck_assert_uint_eq(ck->blocks[4].bid, 0x40);
	ck_assert_uint_eq(ck_inflated(ck, &ck->blocks[0]), 100);
	ck_assert_uint_eq(ck_inflated(ck, &ck->blocks[1]), 200);
	ck_assert_uint_eq(ck_inflated(ck, &ck->blocks[2]), 201);
	ck_assert_uint_eq(ck_inflated(ck, &ck->blocks[4]), 400);
	ck_assert_uint_eq(ck->blocks[2].cb, 13);
	same_as_bsearch(ck, 0x50);
	/* ib: 0x10000 (0x40), 0x30000 (0x10, then 0x30), 0x40000 (0x21),
	 * 0x50000 (0x20) */
	expect_order(ck, (const size_t[]){ 4, 0, 3, 2, 1 }, 5);
	free_ck(ck);
}
END_TEST

static int cmp_ib_index(const void *a, const void *b, void *ctx)
{
	const struct pf_block_rec *v = ctx;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	if (v[i].ib != v[j].ib)
		return v[i].ib < v[j].ib ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* Runs of every length, equal offsets inside and across runs, one
 * descending stretch: the merge gives the stable sort by ib. */
START_TEST(test_table_order_random)
{
	struct pf_layout l;
	struct pf_ck *ck = new_ck(&l, PF_UNICODE);
	size_t cap = 0, n = 5000, *want = malloc(n * sizeof(*want));
	uint64_t r = 12345;

	ck_assert_ptr_nonnull(want);
	for (size_t i = 0; i < n; i++) {
		uint64_t ib;

		r = r * 6364136223846793005u + 1442695040888963407u;
		if (i >= 4000 && i < 4100)
			ib = (5000 - i) * 64;          /* descending */
		else if ((r >> 60) < 12)
			ib = 0x4400 + i * 64;          /* ascending */
		else
			ib = 0x4400 + (r >> 40) % 64 * 64;   /* back, dups */
		push(ck, &cap, 4 + 4 * i, ib, 1, 0);
		want[i] = i;
	}
	qsort_r(want, n, sizeof(*want), cmp_ib_index, ck->blocks);
	expect_order(ck, want, n);
	free(want);
	free_ck(ck);
}
END_TEST

static Suite *window_suite(void)
{
	Suite *s = suite_create("ndb_window");
	TCase *tc = tcase_create("window");

	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_mapped);
	tcase_add_test(tc, test_table_in_order);
	tcase_add_test(tc, test_table_sorted);
	tcase_add_test(tc, test_table_order_random);
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
	sr = srunner_create(window_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_rm_dir(tmpdir);
	return failed == 0 ? 0 : 1;
}
