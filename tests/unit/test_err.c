/*
 * test_err.c - the per-thread error message (formats/util/pf_err.h).
 */
#include <check.h>
#include <stdlib.h>

#include "../../formats/util/pf_err.h"

START_TEST(test_set_returns_code)
{
	ck_assert_int_eq(pf_error_set(PF_E_CORRUPT, "bad %d", 7),
			 PF_E_CORRUPT);
	ck_assert_str_eq(pf_error_msg(), "bad 7");
}
END_TEST

/* Wrapping the message already set, as the repair's probe and export
 * do: the old text must come through whole, not garbled. */
START_TEST(test_wrap_own_message)
{
	pf_error_set(PF_E_NOTPST, "not a PST file: header truncated at 40 "
		     "bytes");
	pf_error_set(PF_E_NOTPST, "%s; %s", "why", pf_error_msg());
	ck_assert_str_eq(pf_error_msg(), "why; not a PST file: header "
			 "truncated at 40 bytes");
	pf_error_set(PF_E_NOTPST, "%s; %s", pf_error_msg(), "then");
	ck_assert_str_eq(pf_error_msg(), "why; not a PST file: header "
			 "truncated at 40 bytes; then");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("err");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_set_returns_code);
	tcase_add_test(tc, test_wrap_own_message);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
