/*
 * test_journal.c - the send spool's journal (pstfix/outbox/journal.c,
 * replay.c, spool.c): record encoding, damaged and torn records, the
 * write-ahead replay rules (dot without end = UNCERTAIN, try without dot
 * = nothing happened), the lock, and the message files.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../pstfix/outbox/spool.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/pstfix-tj.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_encode_parse)
{
	const char *in[] = { "123", "to", "a\tb\nc%d\r", "", "x y" };
	char *line, *f[8];
	size_t len;
	int n;

	ck_assert_int_eq(ob_rec_encode(&line, &len, in, 5), 0);
	ck_assert_ptr_null(memchr(line, '\r', len));
	ck_assert_ptr_eq(memchr(line, '\n', len), line + len - 1);
	n = ob_rec_parse(line, len, f, 8);
	ck_assert_int_eq(n, 5);
	for (int i = 0; i < 5; i++)
		ck_assert_str_eq(f[i], in[i]);
	free(line);
}
END_TEST

START_TEST(test_parse_rejects_damage)
{
	const char *in[] = { "1", "dot", "3", "1" };
	char *line, *f[8], copy[128];
	size_t len;

	ck_assert_int_eq(ob_rec_encode(&line, &len, in, 4), 0);
	memcpy(copy, line, len);
	copy[2] ^= 1;                       /* one bit: CRC mismatch */
	ck_assert_int_eq(ob_rec_parse(copy, len, f, 8), -1);
	memcpy(copy, line, len);            /* torn: no newline */
	ck_assert_int_eq(ob_rec_parse(copy, len - 1, f, 8), -1);
	memcpy(copy, line, len);            /* too many fields for MAX */
	ck_assert_int_eq(ob_rec_parse(copy, len, f, 3), -1);
	free(line);
}
END_TEST

/* A message with recipients a (To), b (Cc), c (Bcc) and a skipped d. */
static struct ob_msg *add_sample(struct ob_spool *sp, const char *msgid)
{
	static const char bytes[] = "Subject: x\r\n\r\nbody\r\n";
	struct ob_rcpt rc[4] = {
		{ .addr = "a@example.com", .kind = 1 },
		{ .addr = "b@example.com", .kind = 2 },
		{ .addr = "c@example.com", .kind = 3 },
		{ .addr = NULL, .kind = 1, .state = OB_SKIPPED,
		  .why = "unresolvable" },
	};
	struct ob_msg m = { .nid = 0x200024, .src = "in.pst",
			    .msgid = (char *)msgid, .subject = "s\tt",
			    .from = "me@example.com", .rcpt = rc,
			    .nrcpt = 4 };
	struct ob_msg *out;

	ck_assert_int_eq(ob_spool_add(&out, sp, &m, (const uint8_t *)bytes,
				      sizeof(bytes) - 1), 0);
	ck_assert_ptr_nonnull(out);
	return out;
}

static const struct ob_reply ok250 = { "dot", 250, { 2, 0, 0 },
				       "2.0.0 Ok: queued as ABC123" };
static const struct ob_reply rcpt_ok = { "RCPT TO", 250, { 2, 1, 5 },
					 "ok" };

static struct ob_spool *reopen(struct ob_spool *sp, bool write)
{
	ob_spool_close(sp);
	ck_assert_int_eq(ob_spool_open(&sp, dir, write), 0);
	return sp;
}

START_TEST(test_accepted_and_replay)
{
	struct ob_spool *sp;
	struct ob_msg *m;
	struct ob_reply r550 = { "RCPT TO", 550, { 5, 1, 1 }, "no such" };
	size_t idx[] = { 0, 1, 2 };
	unsigned att;
	uint8_t *bytes;
	size_t cb;

	ck_assert_int_eq(ob_spool_open(&sp, dir, true), 0);
	m = add_sample(sp, "id1@x");
	ck_assert_int_eq(ob_j_try(sp, m, idx, 3, &att), 0);
	ck_assert_uint_eq(att, 1);
	ck_assert_int_eq(ob_j_rcpt(sp, m, att, 0, true, OB_PENDING, 0,
				   &rcpt_ok), 0);
	ck_assert_int_eq(ob_j_rcpt(sp, m, att, 1, false, OB_PERMFAIL, 0,
				   &r550), 0);
	ck_assert_int_eq(ob_j_rcpt(sp, m, att, 2, true, OB_PENDING, 0,
				   &rcpt_ok), 0);
	ck_assert_int_eq(ob_j_dot(sp, m, att), 0);
	ck_assert_int_eq(ob_j_end(sp, m, att, OB_ACCEPTED, false, 0,
				  &ok250), 0);
	sp = reopen(sp, false);
	m = ob_spool_find(sp, "id1@x");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->subject, "s\tt");
	ck_assert_int_eq(m->rcpt[0].state, OB_ACCEPTED);
	ck_assert_str_eq(m->rcpt[0].queue_id, "ABC123");
	ck_assert_int_eq(m->rcpt[1].state, OB_PERMFAIL);
	ck_assert_int_eq(m->rcpt[1].last.code, 550);
	ck_assert_int_eq(m->rcpt[1].last.enh[2], 1);
	ck_assert_int_eq(m->rcpt[2].state, OB_ACCEPTED);
	ck_assert_int_eq(m->rcpt[3].state, OB_SKIPPED);
	ck_assert_str_eq(m->rcpt[3].why, "unresolvable");
	ck_assert_int_eq(ob_spool_read(&bytes, &cb, sp, m), 0);
	ck_assert_uint_eq(cb, 20);
	ck_assert_int_eq(memcmp(bytes, "Subject: x\r\n", 12), 0);
	free(bytes);
	ob_spool_close(sp);
}
END_TEST

/* The crash cases: after the dot, before the reply -> UNCERTAIN; after
 * try, before the dot -> the attempt never happened. */
START_TEST(test_dot_without_end_is_uncertain)
{
	struct ob_spool *sp;
	struct ob_msg *m, *m2;
	size_t idx[] = { 0, 1, 2 };
	unsigned att;

	ck_assert_int_eq(ob_spool_open(&sp, dir, true), 0);
	m = add_sample(sp, "u@x");
	m2 = add_sample(sp, "p@x");
	ck_assert_int_eq(ob_j_try(sp, m, idx, 3, &att), 0);
	ck_assert_int_eq(ob_j_rcpt(sp, m, att, 0, true, OB_PENDING, 0,
				   &rcpt_ok), 0);
	ck_assert_int_eq(ob_j_dot(sp, m, att), 0);
	ck_assert_int_eq(ob_j_try(sp, m2, idx, 3, &att), 0);
	ck_assert_int_eq(ob_j_rcpt(sp, m2, att, 0, true, OB_PENDING, 0,
				   &rcpt_ok), 0);
	sp = reopen(sp, true);
	m = ob_spool_find(sp, "u@x");
	m2 = ob_spool_find(sp, "p@x");
	ck_assert_int_eq(m->rcpt[0].state, OB_UNCERTAIN);
	ck_assert_int_eq(m->rcpt[1].state, OB_PENDING);  /* never RCPT'd */
	ck_assert_int_eq(m2->rcpt[0].state, OB_PENDING);
	ck_assert_uint_eq(m2->rcpt[0].attempts, 0);
	/* a later attempt (resend on request) settles it */
	ck_assert_int_eq(ob_j_state(sp, m, 0, OB_PENDING, "resend"), 0);
	ck_assert_int_eq(ob_j_try(sp, m, idx, 1, &att), 0);
	ck_assert_uint_eq(att, 2);
	ck_assert_int_eq(ob_j_rcpt(sp, m, att, 0, true, OB_PENDING, 0,
				   &rcpt_ok), 0);
	ck_assert_int_eq(ob_j_dot(sp, m, att), 0);
	ck_assert_int_eq(ob_j_end(sp, m, att, OB_ACCEPTED, false, 0,
				  &ok250), 0);
	sp = reopen(sp, false);
	ck_assert_int_eq(ob_spool_find(sp, "u@x")->rcpt[0].state,
			 OB_ACCEPTED);
	ob_spool_close(sp);
}
END_TEST

/* A 4xx to MAIL FROM ends the attempt for all its recipients, charged;
 * a requeue (421) changes nothing but the reply. */
START_TEST(test_mail_reply_applies_to_all)
{
	struct ob_spool *sp;
	struct ob_msg *m;
	struct ob_reply r451 = { "MAIL FROM", 451, { 4, 3, 0 }, "later" };
	struct ob_reply r421 = { "RCPT TO", 421, { 4, 7, 0 }, "bye" };
	size_t idx[] = { 0, 1, 2 };
	unsigned att;

	ck_assert_int_eq(ob_spool_open(&sp, dir, true), 0);
	m = add_sample(sp, "t@x");
	ck_assert_int_eq(ob_j_try(sp, m, idx, 3, &att), 0);
	ck_assert_int_eq(ob_j_end(sp, m, att, OB_TEMPFAIL, true, 99, &r451),
			 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(m->rcpt[i].state, OB_TEMPFAIL);
		ck_assert_uint_eq(m->rcpt[i].attempts, 1);
		ck_assert_int_eq(m->rcpt[i].next_ms, 99);
	}
	ck_assert_int_eq(ob_j_try(sp, m, idx, 3, &att), 0);
	ck_assert_int_eq(ob_j_rcpt(sp, m, att, 0, true, OB_PENDING, 0,
				   &rcpt_ok), 0);
	ck_assert_int_eq(ob_j_end(sp, m, att, OB_PENDING, false, 0, &r421),
			 0);
	sp = reopen(sp, false);
	m = ob_spool_find(sp, "t@x");
	ck_assert_int_eq(m->rcpt[0].state, OB_PENDING);
	ck_assert_uint_eq(m->rcpt[0].attempts, 1);
	ck_assert_int_eq(m->rcpt[0].last.code, 421);
	ck_assert_int_eq(m->rcpt[1].state, OB_TEMPFAIL);  /* not reached */
	ob_spool_close(sp);
}
END_TEST

static off_t file_size(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_size;
}

static void append_raw(const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/journal", dir);
	f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_torn_tail)
{
	struct ob_spool *sp;
	struct ob_msg *m;
	size_t idx[] = { 0 };
	unsigned att;
	const char *torn = "1700000000000\ttry\t1\t1\t0\tdeadbe";
	off_t good;

	ck_assert_int_eq(ob_spool_open(&sp, dir, true), 0);
	add_sample(sp, "torn@x");
	ob_spool_close(sp);
	good = file_size("journal");
	append_raw(torn);                    /* a crash mid-write */
	/* a reader ignores it and leaves the file alone */
	ck_assert_int_eq(ob_spool_open(&sp, dir, false), 0);
	ck_assert(sp->torn_tail);
	ck_assert_uint_eq(sp->bad_records, 0);
	ob_spool_close(sp);
	ck_assert_int_eq(file_size("journal"), good + (off_t)strlen(torn));
	/* a writer truncates it, then appends whole lines */
	ck_assert_int_eq(ob_spool_open(&sp, dir, true), 0);
	ck_assert_int_eq(file_size("journal"), good);
	m = ob_spool_find(sp, "torn@x");
	ck_assert_int_eq(ob_j_try(sp, m, idx, 1, &att), 0);
	ck_assert_uint_eq(att, 1);
	sp = reopen(sp, false);
	ck_assert(!sp->torn_tail);
	ck_assert_uint_eq(ob_spool_find(sp, "torn@x")->att, 1);
	ob_spool_close(sp);
}
END_TEST

START_TEST(test_damaged_middle_record_skipped)
{
	const char *run[] = { "1700000000000", "run", "smtp://x", "1" };
	struct ob_spool *sp;
	char *line;
	size_t len;

	ck_assert_int_eq(ob_spool_open(&sp, dir, true), 0);
	add_sample(sp, "before@x");
	ob_spool_close(sp);
	append_raw("1700000000000\tdot\t1\t1\t00000000\n");  /* bad CRC */
	ck_assert_int_eq(ob_rec_encode(&line, &len, run, 4), 0);
	append_raw(line);                                /* then a good one */
	free(line);
	ck_assert_int_eq(ob_spool_open(&sp, dir, true), 0);
	ck_assert_uint_eq(sp->bad_records, 1);
	ck_assert(!sp->torn_tail);
	add_sample(sp, "after@x");
	sp = reopen(sp, false);
	ck_assert_uint_eq(sp->bad_records, 1);
	ck_assert_ptr_nonnull(ob_spool_find(sp, "before@x"));
	ck_assert_ptr_nonnull(ob_spool_find(sp, "after@x"));
	ck_assert_int_eq(ob_spool_find(sp, "before@x")->dot_att, 0);
	ob_spool_close(sp);
}
END_TEST

START_TEST(test_lock_and_bad_journal)
{
	struct ob_spool *a, *b;
	char path[128];
	FILE *f;

	ck_assert_int_eq(ob_spool_open(&a, dir, true), 0);
	ck_assert_int_eq(ob_spool_open(&b, dir, true), PF_E_USAGE);
	ck_assert_ptr_nonnull(strstr(pf_error_msg(), "in use"));
	ck_assert_int_eq(ob_spool_open(&b, dir, false), 0);  /* status */
	ob_spool_close(b);
	ob_spool_close(a);
	ck_assert_int_eq(ob_spool_open(&a, dir, true), 0);
	ob_spool_close(a);
	snprintf(path, sizeof(path), "%s/journal", dir);
	f = fopen(path, "w");
	fputs("From someone\n", f);
	fclose(f);
	ck_assert_int_eq(ob_spool_open(&a, dir, false), PF_E_CORRUPT);
}
END_TEST

START_TEST(test_spool_file_checked)
{
	struct ob_spool *sp;
	struct ob_msg *m;
	uint8_t *bytes;
	size_t cb;
	char path[128];
	int fd;

	ck_assert_int_eq(ob_spool_open(&sp, dir, true), 0);
	m = add_sample(sp, "crc@x");
	snprintf(path, sizeof(path), "%s/msg/m%u.eml", dir, m->id);
	fd = open(path, O_WRONLY);
	ck_assert_int_eq(pwrite(fd, "s", 1, 0), 1);   /* same size */
	close(fd);
	ck_assert_int_eq(ob_spool_read(&bytes, &cb, sp, m), PF_E_CORRUPT);
	ob_spool_close(sp);
}
END_TEST

START_TEST(test_queue_id)
{
	char *id = ob_queue_id("2.0.0 Ok: queued as 4Zx9-b.1");

	ck_assert_str_eq(id, "4Zx9-b.1");
	free(id);
	id = ob_queue_id("OK id=1rAbC-0007");
	ck_assert_str_eq(id, "1rAbC-0007");
	free(id);
	ck_assert_ptr_null(ob_queue_id("OK"));
	ck_assert_ptr_null(ob_queue_id(NULL));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("journal");
	TCase *tc = tcase_create("journal");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_encode_parse);
	tcase_add_test(tc, test_parse_rejects_damage);
	tcase_add_test(tc, test_accepted_and_replay);
	tcase_add_test(tc, test_dot_without_end_is_uncertain);
	tcase_add_test(tc, test_mail_reply_applies_to_all);
	tcase_add_test(tc, test_torn_tail);
	tcase_add_test(tc, test_damaged_middle_record_skipped);
	tcase_add_test(tc, test_lock_and_bad_journal);
	tcase_add_test(tc, test_spool_file_checked);
	tcase_add_test(tc, test_queue_id);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
