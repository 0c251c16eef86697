/*
 * test_policy.c - pstfix/outbox/policy.c: the reply -> verdict table of
 * smtp-facts.md, the retry schedule, adaptive concurrency, durations and
 * the exit-status precedence of `outbox send`.
 */
#include <check.h>
#include <stdlib.h>
#include <sysexits.h>

#include "../../pstfix/outbox/policy.h"

struct row {
	enum pf_smtp_stage stage;
	int code, e0, e1, e2, err;
	bool dot;
	enum ob_verdict want;
};

static const struct row table[] = {
	/* greeting: 554 = the server refuses us; 421 = later */
	{ PF_SMTP_GREETING, 554, 5, 7, 1, 0, false, OB_V_REFUSED },
	{ PF_SMTP_GREETING, 421, 4, 3, 2, 0, false, OB_V_SERVER },
	{ PF_SMTP_GREETING, 0, 0, 0, 0, PF_SMTP_E_NET, false, OB_V_SERVER },
	{ PF_SMTP_CONNECT, 0, 0, 0, 0, PF_SMTP_E_NET, false, OB_V_SERVER },
	{ PF_SMTP_EHLO, 550, 0, 0, 0, 0, false, OB_V_REFUSED },
	{ PF_SMTP_STARTTLS, 0, 0, 0, 0, PF_SMTP_E_TLS, false, OB_V_CONFIG },
	{ PF_SMTP_STARTTLS, 0, 0, 0, 0, PF_SMTP_E_NOTLS, false,
	  OB_V_CONFIG },
	{ PF_SMTP_STARTTLS, 454, 4, 7, 0, 0, false, OB_V_SERVER },
	/* AUTH: 535 stops every message using the credential */
	{ PF_SMTP_AUTH, 535, 5, 7, 8, 0, false, OB_V_AUTH },
	{ PF_SMTP_AUTH, 454, 4, 7, 0, 0, false, OB_V_SERVER },
	{ PF_SMTP_AUTH, 0, 0, 0, 0, PF_SMTP_E_AUTH, false, OB_V_CONFIG },
	/* MAIL */
	{ PF_SMTP_MAIL, 250, 2, 1, 0, 0, false, OB_V_OK },
	{ PF_SMTP_MAIL, 451, 4, 3, 0, 0, false, OB_V_MSG_TEMP },
	{ PF_SMTP_MAIL, 452, 4, 3, 1, 0, false, OB_V_MSG_TEMP },
	{ PF_SMTP_MAIL, 553, 5, 1, 8, 0, false, OB_V_MSG_PERM },
	{ PF_SMTP_MAIL, 421, 4, 4, 2, 0, false, OB_V_SERVER },
	{ PF_SMTP_MAIL, 0, 0, 0, 0, PF_SMTP_E_TIMEOUT, false, OB_V_SERVER },
	/* RCPT: that recipient only; 452 splits */
	{ PF_SMTP_RCPT, 250, 2, 1, 5, 0, false, OB_V_OK },
	{ PF_SMTP_RCPT, 251, 0, 0, 0, 0, false, OB_V_OK },
	{ PF_SMTP_RCPT, 450, 4, 2, 1, 0, false, OB_V_RCPT_TEMP },
	{ PF_SMTP_RCPT, 451, 4, 3, 0, 0, false, OB_V_RCPT_TEMP },
	{ PF_SMTP_RCPT, 452, 4, 5, 3, 0, false, OB_V_SPLIT },
	{ PF_SMTP_RCPT, 452, 0, 0, 0, 0, false, OB_V_SPLIT },
	{ PF_SMTP_RCPT, 451, 4, 5, 3, 0, false, OB_V_SPLIT },
	{ PF_SMTP_RCPT, 552, 5, 5, 3, 0, false, OB_V_SPLIT },
	{ PF_SMTP_RCPT, 552, 5, 2, 2, 0, false, OB_V_RCPT_PERM },
	{ PF_SMTP_RCPT, 550, 5, 1, 1, 0, false, OB_V_RCPT_PERM },
	{ PF_SMTP_RCPT, 553, 5, 1, 3, 0, false, OB_V_RCPT_PERM },
	{ PF_SMTP_RCPT, 554, 5, 7, 1, 0, false, OB_V_RCPT_PERM },
	{ PF_SMTP_RCPT, 421, 0, 0, 0, 0, false, OB_V_SERVER },
	{ PF_SMTP_RCPT, 0, 0, 0, 0, PF_SMTP_E_NET, false, OB_V_SERVER },
	/* DATA and the dot */
	{ PF_SMTP_DATA, 354, 0, 0, 0, 0, false, OB_V_OK },
	{ PF_SMTP_DATA, 451, 4, 3, 0, 0, false, OB_V_MSG_TEMP },
	{ PF_SMTP_DATA, 554, 5, 5, 1, 0, false, OB_V_MSG_PERM },
	{ PF_SMTP_DATA, 0, 0, 0, 0, PF_SMTP_E_NET, false, OB_V_SERVER },
	{ PF_SMTP_DOT, 250, 2, 0, 0, 0, true, OB_V_OK },
	{ PF_SMTP_DOT, 451, 4, 3, 0, 0, true, OB_V_MSG_TEMP },
	{ PF_SMTP_DOT, 452, 4, 3, 1, 0, true, OB_V_MSG_TEMP },
	{ PF_SMTP_DOT, 552, 5, 3, 4, 0, true, OB_V_MSG_PERM },
	{ PF_SMTP_DOT, 554, 5, 6, 0, 0, true, OB_V_MSG_PERM },
	{ PF_SMTP_DOT, 421, 4, 3, 0, 0, true, OB_V_SERVER },
	/* the dangerous moment: no reply after the dot */
	{ PF_SMTP_DOT, 0, 0, 0, 0, PF_SMTP_E_NET, true, OB_V_UNCERTAIN },
	{ PF_SMTP_DOT, 0, 0, 0, 0, PF_SMTP_E_TIMEOUT, true,
	  OB_V_UNCERTAIN },
	{ PF_SMTP_DOT, 0, 0, 0, 0, PF_SMTP_E_PROTO, true, OB_V_UNCERTAIN },
};

START_TEST(test_verdicts)
{
	const struct row *r = &table[_i];
	int enh[3] = { r->e0, r->e1, r->e2 };
	enum ob_verdict v = ob_policy(r->stage, r->code, enh, r->err,
				      r->dot);

	ck_assert_msg(v == r->want, "row %d: stage %d code %d err %d: %s, "
		      "expected %s", _i, r->stage, r->code, r->err,
		      ob_verdict_name(v), ob_verdict_name(r->want));
}
END_TEST

START_TEST(test_backoff)
{
	static const int64_t want[] = { 300, 600, 1200, 2400, 4000, 4000 };

	for (unsigned n = 1; n <= 6; n++)
		ck_assert_int_eq(ob_backoff_ms(300000, 4000000, n),
				 want[n - 1] * 1000);
	ck_assert_int_eq(ob_backoff_ms(1000, 4000, 200), 4000);
}
END_TEST

START_TEST(test_concurrency)
{
	struct ob_conc c;

	ob_conc_init(&c, 3, 2);
	ck_assert_uint_eq(c.cur, 1);
	ob_conc_fail(&c);
	ck_assert_uint_eq(c.cur, 1);            /* never below one */
	for (int i = 0; i < 10; i++)
		ob_conc_ok(&c);
	ck_assert_uint_eq(c.cur, 3);            /* never above max */
	ob_conc_fail(&c);                       /* a 421 */
	ck_assert_uint_eq(c.cur, 2);
	ob_conc_ok(&c);
	ck_assert_uint_eq(c.cur, 2);            /* a run of 2 needed */
	ob_conc_ok(&c);
	ck_assert_uint_eq(c.cur, 3);
	ob_conc_init(&c, 0, 0);
	ck_assert_uint_eq(c.max, 1);
}
END_TEST

START_TEST(test_durations)
{
	int64_t ms;

	ck_assert(ob_parse_duration("300", &ms) && ms == 300000);
	ck_assert(ob_parse_duration("1s", &ms) && ms == 1000);
	ck_assert(ob_parse_duration("250ms", &ms) && ms == 250);
	ck_assert(ob_parse_duration("2h", &ms) && ms == 7200000);
	ck_assert(ob_parse_duration("5d", &ms) && ms == 432000000);
	ck_assert(ob_parse_duration("10m", &ms) && ms == 600000);
	ck_assert(!ob_parse_duration("", &ms));
	ck_assert(!ob_parse_duration("-1s", &ms));
	ck_assert(!ob_parse_duration("1x", &ms));
	ck_assert(!ob_parse_duration("400d", &ms));
	ck_assert(!ob_parse_duration("99999999999999999999", &ms));
}
END_TEST

START_TEST(test_exit_precedence)
{
	struct ob_tally t = { 0 };

	ck_assert_int_eq(ob_exit_status(&t), EX_OK);
	t.accepted = 3;
	ck_assert_int_eq(ob_exit_status(&t), EX_OK);
	t.uncertain = 1;
	ck_assert_int_eq(ob_exit_status(&t), EX_DATAERR);
	t.tempfail = 1;                 /* re-running can make progress */
	ck_assert_int_eq(ob_exit_status(&t), EX_TEMPFAIL);
	t.unreachable = true;
	ck_assert_int_eq(ob_exit_status(&t), EX_UNAVAILABLE);
	t.auth_failed = true;
	ck_assert_int_eq(ob_exit_status(&t), EX_NOPERM);
	t.config_failed = true;
	ck_assert_int_eq(ob_exit_status(&t), EX_CONFIG);
	t.io_failed = true;
	ck_assert_int_eq(ob_exit_status(&t), EX_IOERR);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_verdicts, 0,
			    (int)(sizeof(table) / sizeof(*table)));
	tcase_add_test(tc, test_backoff);
	tcase_add_test(tc, test_concurrency);
	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_exit_precedence);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
