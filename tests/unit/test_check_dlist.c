/*
 * test_check_dlist.c - the DList's entries (MS-PST 2.2.2.7.4.1) are
 * checked: a writer-made Unicode file scans with no DList finding; with
 * ulCurrentPage, cEntDList or an entry's page number out of range (page
 * CRC recomputed so only the rule under test breaks) scan warns PF2046
 * and nothing worse.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../formats/util/pf_crc.h"
#include "../../formats/util/pf_le.h"
#include "../../formats/write/pf_msgw.h"
#include "../../pstfix/check/check.h"

#define DLIST_IB 0x4200

struct seen {
	unsigned dlist_2046, errors;
};

static void on(void *ctx, const struct pf_finding *f)
{
	struct seen *s = ctx;

	if (f->problem->code == 2046)
		s->dlist_2046++;
	if (f->problem->sev == PF_SEV_ERROR)
		s->errors++;
}

static void make_file(const char *path)
{
	struct pf_write_opts wo = { .variant = PF_UNICODE,
				    .crypt = PF_CRYPT_PERMUTE };
	struct pf_storew_opts so = { .now = 1, .seed = 3 };
	struct pf_storew *s;

	ck_assert_int_eq(pf_storew_open(&s, path, &wo, &so), 0);
	ck_assert_int_eq(pf_storew_commit(s), 0);
}

/* Set a 32-bit value at OFF in the DList page, then its CRC (Unicode
 * trailer: dwCRC at 500 over the first 496 bytes). */
static void patch_dlist(const char *path, unsigned off, uint32_t v,
			unsigned width)
{
	uint8_t page[512];
	FILE *f = fopen(path, "r+b");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, DLIST_IB, SEEK_SET), 0);
	ck_assert_uint_eq(fread(page, 1, 512, f), 512);
	if (width == 1)
		page[off] = (uint8_t)v;
	else
		pf_put32(page + off, v);
	pf_put32(page + 500, pf_crc(page, 496));
	ck_assert_int_eq(fseek(f, DLIST_IB, SEEK_SET), 0);
	ck_assert_uint_eq(fwrite(page, 1, 512, f), 512);
	fclose(f);
}

static struct seen scan(const char *path)
{
	struct pf_check_summary sum;
	struct seen s = { 0 };

	ck_assert_int_eq(pf_check_file(path, NULL, on, &s, &sum), 0);
	return s;
}

static const struct {
	unsigned off, width;
	uint32_t value;
} cases[] = {
	{ 4, 4, 99 },             /* ulCurrentPage past the one AMap */
	{ 1, 1, 200 },            /* cEntDList past 119 */
	{ 8, 4, 7 },              /* first entry: page 7 of 1 */
	{ 8, 4, 4000u << 20 },    /* first entry: 4000 free slots of 3968 */
};

START_TEST(test_dlist_rules)
{
	char path[] = "/tmp/pstfix-dlist-XXXXXX";
	int fd = mkstemp(path);
	struct seen s;

	ck_assert_int_ge(fd, 0);
	close(fd);
	make_file(path);
	s = scan(path);
	ck_assert_uint_eq(s.dlist_2046, 0);
	ck_assert_uint_eq(s.errors, 0);
	patch_dlist(path, cases[_i].off, cases[_i].value, cases[_i].width);
	if (cases[_i].off == 8)
		patch_dlist(path, 1, 1, 1);   /* make the entry count */
	s = scan(path);
	ck_assert_uint_eq(s.dlist_2046, 1);
	ck_assert_uint_eq(s.errors, 0);
	unlink(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dlist");
	TCase *tc = tcase_create("entries");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_dlist_rules, 0,
			    (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
