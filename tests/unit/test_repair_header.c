/*
 * test_repair_header.c - stage 1 of repair (pstfix/repair/repair_header.c)
 * and the header encoder it uses (pf_header_encode, formats/ndb/header.c).
 *
 * Covers:
 * - pf_header_encode() is the inverse of pf_header_decode() for every
 *   field a repair changes, in the Unicode and the ANSI layout, leaves the
 *   other bytes alone, and seals: both CRCs then match what the decoder
 *   computes; a buffer too short is refused;
 * - pf_repair_header() on writer files with bidNextB, bidNextP, rgnid[],
 *   bSentinel and both CRCs broken at once: the output scans without a
 *   finding below pass 6, every fix is a note and a count, dwUnique went
 *   up, IN is byte for byte what it was, no temporary file is left;
 * - the same on a file that is not a PST: PF_E_NOTPST, nothing written.
 * Field offsets in the test come from tutil.h (tu_hdr_layout), written
 * from MS-PST 2.2.2.6 apart from the code under test.
 */
#include <check.h>

#include "../../formats/write/pf_msgw.h"
#include "../../pstfix/repair/repair.h"
#include "tutil.h"

static char dir[256];

/* An empty store (the mandatory nodes and standard folders). */
static void make_store(const char *path, enum pf_variant v)
{
	struct pf_write_opts wo = { .variant = v,
				    .crypt = PF_CRYPT_PERMUTE };
	struct pf_storew_opts so = { .seed = 7 };
	struct pf_storew *s = NULL;

	ck_assert_int_eq(pf_storew_open(&s, path, &wo, &so), 0);
	ck_assert_int_eq(pf_storew_commit(s), 0);
}

static void read_header(const char *path, uint8_t *buf)
{
	memset(buf, 0, PF_HEADER_CB);
	ck_assert_int_eq(tu_read_at(path, 0, buf, PF_HEADER_CB), 0);
}

static void roundtrip(enum pf_variant v)
{
	char path[300];
	uint8_t raw[PF_HEADER_CB], before[PF_HEADER_CB];
	struct pf_header h, back;
	size_t n = v == PF_ANSI ? 512 : PF_HEADER_CB;

	snprintf(path, sizeof(path), "%s/rt-%d.pst", dir, (int)v);
	make_store(path, v);
	read_header(path, raw);
	memcpy(before, raw, sizeof(raw));
	ck_assert_int_eq(pf_header_decode(&h, raw, n), 0);
	h.bid_next_b += 40;
	h.bid_next_p += 8;
	h.unique += 3;
	h.rgnid[4] = 0x1234;
	h.root.ib_file_eof += 0x3e000;
	h.root.ib_amap_last += 0x3e000;
	h.root.cb_amap_free = 4096;
	h.sentinel = 0x80;
	h.magic_client = PF_MAGIC_CLIENT_OST;
	ck_assert_int_eq(pf_header_encode(raw, n, &h), 0);
	ck_assert_int_eq(pf_header_decode(&back, raw, n), 0);
	ck_assert_uint_eq(back.bid_next_b, h.bid_next_b);
	ck_assert_uint_eq(back.bid_next_p, h.bid_next_p);
	ck_assert_uint_eq(back.unique, h.unique);
	ck_assert_uint_eq(back.rgnid[4], 0x1234);
	ck_assert_uint_eq(back.rgnid[2], h.rgnid[2]);
	ck_assert_uint_eq(back.root.ib_file_eof, h.root.ib_file_eof);
	ck_assert_uint_eq(back.root.ib_amap_last, h.root.ib_amap_last);
	ck_assert_uint_eq(back.root.cb_amap_free, 4096);
	ck_assert_uint_eq(back.root.nbt.ib, h.root.nbt.ib);
	ck_assert_uint_eq(back.root.bbt.bid, h.root.bbt.bid);
	ck_assert_uint_eq(back.magic_client, PF_MAGIC_CLIENT_OST);
	ck_assert_uint_eq(back.crc_partial, back.crc_partial_calc);
	if (v != PF_ANSI)
		ck_assert_uint_eq(back.crc_full, back.crc_full_calc);
	/* wVer, wVerClient, the platforms, rgbFM/rgbFP are not touched */
	ck_assert_mem_eq(raw + 10, before + 10, 6);
	/* rgbFM (MS-PST 2.2.2.6): ANSI at 204, Unicode at 256 */
	ck_assert_mem_eq(raw + (v == PF_ANSI ? 204 : 256),
			 before + (v == PF_ANSI ? 204 : 256), 128);
	ck_assert_int_eq(pf_header_encode(raw, n - 1, &h), PF_E_USAGE);
}

START_TEST(test_encode_unicode)
{
	roundtrip(PF_UNICODE);
}
END_TEST

START_TEST(test_encode_ansi)
{
	roundtrip(PF_ANSI);
}
END_TEST

struct notes {
	unsigned n;
	char last[512];
};

static void note(void *ctx, enum pf_repair_level level, const char *line)
{
	struct notes *t = ctx;

	ck_assert_int_eq(level, PF_REPAIR_HEADER);
	t->n++;
	snprintf(t->last, sizeof(t->last), "%s", line);
}

static void poke(const char *path, uint64_t off, unsigned width, uint64_t v)
{
	uint8_t b[8];

	tu_put(b, width, v);
	ck_assert_int_eq(tu_write_at(path, off, b, width), 0);
}

static unsigned count_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void break_and_repair(enum pf_variant v)
{
	char in[300], out[300];
	struct tu_hdr_layout at = tu_hdr_layout(v == PF_ANSI);
	unsigned w = v == PF_ANSI ? 4 : 8;
	struct notes t = { 0 };
	struct pf_repair_ctx ctx = { .note = note, .note_ctx = &t };
	uint8_t before[PF_HEADER_CB], after[PF_HEADER_CB];
	struct pf_header h0, h1;
	struct tu_findings *f;
	unsigned files;

	snprintf(in, sizeof(in), "%s/br-%d.pst", dir, (int)v);
	snprintf(out, sizeof(out), "%s/br-%d.out.pst", dir, (int)v);
	make_store(in, v);
	poke(in, at.bid_next_b, w, 4);
	poke(in, at.bid_next_p, w, 4);
	poke(in, at.rgnid + 4 * PF_NT_NORMAL_FOLDER, 4, 1);
	poke(in, at.sentinel, 1, 0);
	poke(in, 4, 4, 0);           /* dwCRCPartial */
	read_header(in, before);
	ck_assert_int_eq(pf_header_decode(&h0, before, PF_HEADER_CB), 0);
	f = tu_check(in);
	ck_assert_uint_gt(f->by_sev[PF_SEV_ERROR], 3);
	free(f);
	files = count_files();

	ck_assert_int_eq(pf_repair_header(&ctx, in, out), 0);
	ck_assert_uint_ge(t.n, 5);
	ck_assert_uint_ge(ctx.counts.header_fields, 5);
	ck_assert_uint_eq(count_files(), files + 1);  /* OUT, no temporary */
	tu_assert_clean_below(out, 6000);
	read_header(in, after);
	ck_assert_mem_eq(before, after, PF_HEADER_CB);  /* IN untouched */
	read_header(out, after);
	ck_assert_int_eq(pf_header_decode(&h1, after, PF_HEADER_CB), 0);
	ck_assert_uint_eq(h1.unique, h0.unique + 1);
	ck_assert_uint_eq(h1.sentinel, 0x80);
	ck_assert_uint_gt(h1.bid_next_b, 4);
	ck_assert_uint_gt(h1.rgnid[PF_NT_NORMAL_FOLDER], 1);
}

START_TEST(test_repair_unicode)
{
	break_and_repair(PF_UNICODE);
}
END_TEST

START_TEST(test_repair_ansi)
{
	break_and_repair(PF_ANSI);
}
END_TEST

START_TEST(test_not_a_pst)
{
	char in[300], out[300];
	struct pf_repair_ctx ctx = { 0 };
	FILE *fp;

	snprintf(in, sizeof(in), "%s/mail.pst", dir);
	snprintf(out, sizeof(out), "%s/mail.out.pst", dir);
	fp = fopen(in, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("From a@b Mon Jan  1 00:00:00 2024\n\nhello\n", fp);
	fclose(fp);
	ck_assert_int_eq(pf_repair_header(&ctx, in, out), PF_E_NOTPST);
	ck_assert(access(out, F_OK) != 0);
	ck_assert_uint_eq(ctx.counts.header_fields, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("repair_header");
	TCase *tc = tcase_create("header");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_encode_unicode);
	tcase_add_test(tc, test_encode_ansi);
	tcase_add_test(tc, test_repair_unicode);
	tcase_add_test(tc, test_repair_ansi);
	tcase_add_test(tc, test_not_a_pst);
	suite_add_tcase(s, tc);
	return tu_run_suite(s, dir, sizeof(dir), "pstfix-repair-header");
}
