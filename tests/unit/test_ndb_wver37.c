/*
 * test_ndb_wver37.c - wVer 37 (MS-PST 2.2.2.6: a Unicode file from an
 * Outlook that knows Windows Information Protection) opens with the page
 * size its NBT root page has: files written by our writer as Unicode and
 * as 4K OST, their wVer patched to 37 and the header CRCs recomputed, open
 * as PF_UNICODE and PF_UNICODE4K and scan with no error.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../formats/util/pf_crc.h"
#include "../../formats/util/pf_le.h"
#include "../../formats/write/pf_msgw.h"
#include "../../pstfix/check/check.h"

static void make_file(const char *path, enum pf_variant v)
{
	struct pf_write_opts wo = { .variant = v, .crypt = PF_CRYPT_PERMUTE,
				    .ost = v == PF_UNICODE4K };
	struct pf_storew_opts so = { .now = 1, .seed = 7 };
	struct pf_storew *s;

	ck_assert_int_eq(pf_storew_open(&s, path, &wo, &so), 0);
	ck_assert_int_eq(pf_storew_commit(s), 0);
}

/* wVer at 10; dwCRCPartial over 471 bytes from 8, dwCRCFull over 516. */
static void patch_wver(const char *path, uint16_t ver)
{
	uint8_t h[564];
	FILE *f = fopen(path, "r+b");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(h, 1, sizeof(h), f), sizeof(h));
	pf_put16(h + 10, ver);
	pf_put32(h + 4, pf_crc(h + 8, 471));
	pf_put32(h + 524, pf_crc(h + 8, 516));
	rewind(f);
	ck_assert_uint_eq(fwrite(h, 1, sizeof(h), f), sizeof(h));
	fclose(f);
}

static void check_as(enum pf_variant written)
{
	char path[] = "/tmp/pstfix-wver37-XXXXXX";
	int fd = mkstemp(path);
	struct pf_check_summary sum;
	struct pf_ndb *ndb;

	ck_assert_int_ge(fd, 0);
	close(fd);
	make_file(path, written);
	patch_wver(path, 37);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_uint_eq(pf_ndb_header(ndb)->ver, 37);
	ck_assert_int_eq(pf_ndb_header(ndb)->variant, written);
	pf_ndb_close(ndb);
	ck_assert_int_eq(pf_check_file(path, NULL, NULL, NULL, &sum), 0);
	ck_assert_uint_eq(sum.findings[PF_SEV_ERROR], 0);
	unlink(path);
}

START_TEST(test_wver37_unicode)
{
	check_as(PF_UNICODE);
}
END_TEST

START_TEST(test_wver37_4k)
{
	check_as(PF_UNICODE4K);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wver37");
	TCase *tc = tcase_create("open");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_wver37_unicode);
	tcase_add_test(tc, test_wver37_4k);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
