/*
 * test_crc_memo.c - block CRCs proved once (formats/ndb/crcmemo.c and its
 * use by block.c, scavenge.c and the checker, which also maps the file
 * when asked: pf_ndb_map).
 *
 * Covers, in Unicode and ANSI files written by formats/write
 * (tu_xfile.h: one node whose data is an XBLOCK over 20 blocks of 4000
 * bytes):
 * - the memo alone: notes out of order are sorted by the seal; it holds a
 *   trailer only with the same ib, cb, BID (bit 0 ignored) and dwCRC;
 *   two notes at one offset both answer; nothing is held before the seal
 *   and nothing is noted after it;
 * - filling: verifying every BBT block notes each one (21) and no more; a
 *   block whose CRC is wrong is not noted;
 * - trusting: a data byte changed under an unchanged trailer is taken as
 *   proved (the caller's promise, pf_crcmemo.h) where a handle without
 *   the memo reports the CRC; a trailer whose dwCRC changed is computed
 *   and reported; the trailer scan keeps the trusted block and, without
 *   the memo, drops it;
 * - the checker: a file with one bad CRC gives the same findings scanned
 *   plain, filling, trusting the memo it filled, and mapped: a block the
 *   first scan could not prove is checked again by every rescan; the
 *   memo gets one note per block proved (the block pass's), though a
 *   later pass reads the node's blocks again.
 * The mapped window itself: test_ndb_window.c.
 */
#include "tu_xfile.h"

#include "../../formats/ndb/ndb_internal.h"
#include "../../formats/ndb/pf_scavenge.h"

#define NID TU_XNID
#define NBLK TU_XNBLK

static char tmpdir[64];

static const enum pf_variant variants[] = { PF_UNICODE, PF_ANSI };

/* ---- the memo alone ---- */

START_TEST(test_memo_set)
{
	struct pf_crc_memo m = { 0 };

	pf_crc_memo_note(&m, 0x8000, 100, 0x24, 0xAAAA);
	pf_crc_memo_note(&m, 0x4400, 200, 0x28, 0xBBBB);
	pf_crc_memo_note(&m, 0x4400, 300, 0x2C, 0xCCCC);
	ck_assert(!pf_crc_memo_holds(&m, 0x8000, 100, 0x24, 0xAAAA));
	pf_crc_memo_seal(&m);
	ck_assert(m.v[0].ib == 0x4400 && m.v[2].ib == 0x8000);
	ck_assert(pf_crc_memo_holds(&m, 0x8000, 100, 0x24, 0xAAAA));
	ck_assert(pf_crc_memo_holds(&m, 0x8000, 100, 0x25, 0xAAAA));
	ck_assert(pf_crc_memo_holds(&m, 0x4400, 200, 0x28, 0xBBBB));
	ck_assert(pf_crc_memo_holds(&m, 0x4400, 300, 0x2C, 0xCCCC));
	ck_assert(!pf_crc_memo_holds(&m, 0x8040, 100, 0x24, 0xAAAA));
	ck_assert(!pf_crc_memo_holds(&m, 0x8000, 101, 0x24, 0xAAAA));
	ck_assert(!pf_crc_memo_holds(&m, 0x8000, 100, 0x26, 0xAAAA));
	ck_assert(!pf_crc_memo_holds(&m, 0x8000, 100, 0x24, 0xAAAB));
	ck_assert(!pf_crc_memo_holds(&m, 0x4400, 300, 0x28, 0xBBBB));
	ck_assert(!pf_crc_memo_holds(&m, 0, 0, 0, 0));
	ck_assert(!pf_crc_memo_holds(NULL, 0x8000, 100, 0x24, 0xAAAA));
	pf_crc_memo_note(&m, 0x9000, 100, 0x30, 1);   /* sealed: ignored */
	ck_assert_uint_eq(m.n, 3);
	pf_crc_memo_free(&m);
	ck_assert_uint_eq(m.n, 0);
}
END_TEST

/* ---- through a pf_ndb handle ---- */

struct verify_all {
	struct pf_ndb *ndb;
	struct pf_sink sink;
	unsigned blocks;
};

static int verify_one(void *arg, const struct pf_bbt_entry *e)
{
	struct verify_all *v = arg;

	v->blocks++;
	(void)pf_block_verify(v->ndb, e, &v->sink);
	return 0;
}

/* Verify every BBT block of PATH through a handle with M in MODE: the
 * faults in *f, the block count returned. */
static unsigned verify_file(const char *path, struct pf_crc_memo *m,
			    enum pf_memo_mode mode, struct tu_faults *f)
{
	struct verify_all v = { .sink = tu_sink(f) };

	ck_assert_int_eq(pf_ndb_open(&v.ndb, path), 0);
	pf_ndb_crc_memo(v.ndb, m, mode);
	ck_assert_int_eq(pf_bbt_foreach(v.ndb, verify_one, &v), 0);
	pf_ndb_close(v.ndb);
	return v.blocks;
}

/* The BBT entry of leaf I of the node's XBLOCK. */
static void leaf_entry(const char *path, unsigned i, struct pf_bbt_entry *e,
		       struct pf_layout *l)
{
	struct pf_ndb *ndb;
	struct pf_nbt_entry ne;
	uint8_t *x;
	size_t cb;
	uint64_t bid;

	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	*l = *pf_ndb_layout(ndb);
	ck_assert_int_eq(pf_nbt_lookup(ndb, NID, &ne), 0);
	ck_assert_int_eq(pf_block_read_bid(ndb, ne.bid_data, NULL, &x, &cb),
			 0);
	bid = tu_get(x + 8 + (size_t)i * l->bid_size, l->bid_size);
	free(x);
	ck_assert_int_eq(pf_bbt_lookup(ndb, bid, e), 0);
	pf_ndb_close(ndb);
}

static uint64_t crc_at(const struct pf_layout *l, const struct pf_bbt_entry *e)
{
	return e->bref.ib + pf_block_size(l, e->cb) - l->block_trailer +
	       (l->bid_size == 4 ? 8 : 4);
}

static bool scavenged(const char *path, struct pf_crc_memo *m,
		      uint64_t bid)
{
	struct pf_scavenge s;
	struct pf_ndb *ndb;
	size_t n = 0;

	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	pf_ndb_crc_memo(ndb, m, PF_MEMO_TRUST);
	ck_assert_int_eq(pf_scavenge(ndb, &s), 0);
	(void)pf_scavenge_block_find(&s, bid, &n);
	pf_scavenge_free(&s);
	pf_ndb_close(ndb);
	return n > 0;
}

START_TEST(test_fill_and_trust)
{
	struct pf_crc_memo m = { 0 }, partial = { 0 };
	struct pf_bbt_entry e3, e5;
	struct pf_layout l;
	struct tu_faults f;
	char path[128];
	uint8_t b;
	unsigned n;

	snprintf(path, sizeof(path), "%s/memo-%d.pst", tmpdir, _i);
	tu_xfile_write(variants[_i], path);
	leaf_entry(path, 3, &e3, &l);
	leaf_entry(path, 5, &e5, &l);

	n = verify_file(path, &m, PF_MEMO_FILL, &f);
	ck_assert_uint_eq(n, NBLK + 1);
	ck_assert_uint_eq(f.n, 0);
	ck_assert_uint_eq(m.n, n);
	pf_crc_memo_seal(&m);

	/* a data byte of leaf 3 changed, its trailer not */
	ck_assert_int_eq(tu_xor_byte(path, e3.bref.ib + 17, 0x40), 0);
	verify_file(path, NULL, PF_MEMO_OFF, &f);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(tu_fault_of(&f, PF_F_CRC)->bid, e3.bref.bid);
	verify_file(path, &m, PF_MEMO_TRUST, &f);
	ck_assert_uint_eq(f.n, 0);
	ck_assert(scavenged(path, &m, e3.bref.bid));
	ck_assert(!scavenged(path, NULL, e3.bref.bid));

	/* filling again: the bad block is not noted */
	verify_file(path, &partial, PF_MEMO_FILL, &f);
	ck_assert_uint_eq(partial.n, NBLK);
	pf_crc_memo_seal(&partial);
	verify_file(path, &partial, PF_MEMO_TRUST, &f);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(tu_fault_of(&f, PF_F_CRC)->bid, e3.bref.bid);

	/* leaf 5's dwCRC changed: the memo does not hold that trailer */
	ck_assert_int_eq(tu_read_at(path, crc_at(&l, &e5), &b, 1), 0);
	ck_assert_int_eq(tu_xor_byte(path, crc_at(&l, &e5), 0x01), 0);
	verify_file(path, &m, PF_MEMO_TRUST, &f);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(tu_fault_of(&f, PF_F_CRC)->bid, e5.bref.bid);
	ck_assert(!scavenged(path, &m, e5.bref.bid));
	pf_crc_memo_free(&m);
	pf_crc_memo_free(&partial);
}
END_TEST

/* ---- the checker ---- */

static void check_with(const char *path, struct pf_crc_memo *m,
		       enum pf_memo_mode mode, bool map, struct tu_findings *t)
{
	struct pf_check_opts o = { .crc_memo = m, .crc_memo_mode = mode,
				   .map_file = map };

	memset(t, 0, sizeof(*t));
	t->rc = pf_check_file(path, &o, tu_findings_cb, t, &t->sum);
	ck_assert_int_eq(t->rc, 0);
}

START_TEST(test_checker_same_findings)
{
	static struct tu_findings plain, fill, trust, mapped;
	struct pf_crc_memo m = { 0 };
	struct pf_bbt_entry e;
	struct pf_layout l;
	char path[128], a[512], b[512];

	snprintf(path, sizeof(path), "%s/check-%d.pst", tmpdir, _i);
	tu_xfile_write(variants[_i], path);
	leaf_entry(path, 7, &e, &l);
	ck_assert_int_eq(tu_xor_byte(path, e.bref.ib + 100, 0x08), 0);

	check_with(path, NULL, PF_MEMO_OFF, false, &plain);
	ck_assert_uint_gt(plain.by_sev[PF_SEV_ERROR], 0);
	check_with(path, &m, PF_MEMO_FILL, false, &fill);
	ck_assert_uint_eq(m.n, NBLK);   /* all but the bad one */
	pf_crc_memo_seal(&m);
	check_with(path, &m, PF_MEMO_TRUST, false, &trust);
	check_with(path, &m, PF_MEMO_TRUST, true, &mapped);
	tu_codes_str(&plain, false, a, sizeof(a));
	ck_assert_str_eq(tu_codes_str(&fill, false, b, sizeof(b)), a);
	ck_assert_str_eq(tu_codes_str(&trust, false, b, sizeof(b)), a);
	ck_assert_str_eq(tu_codes_str(&mapped, false, b, sizeof(b)), a);
	ck_assert_uint_eq(trust.total, plain.total);
	ck_assert_uint_eq(mapped.total, plain.total);
	pf_crc_memo_free(&m);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("crc_memo");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_memo_set);
	tcase_add_loop_test(tc, test_fill_and_trust, 0, 2);
	tcase_add_loop_test(tc, test_checker_same_findings, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(suite(), tmpdir, sizeof(tmpdir), "crc_memo");
}
