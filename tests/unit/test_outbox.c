/*
 * test_outbox.c - pstfix/outbox: the classification rules (a table of
 * flags, deferred time, clock and Sent Items match), the recipient
 * address rule (SMTP or unresolvable), and a writer-made store with every
 * kind of Outbox item (create/sample_outbox.c) loaded and classified as
 * the writer meant, rendered without Bcc and with CRLF only.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../../formats/msg/pf_msg.h"
#include "../../pstfix/create/sample.h"
#include "../../pstfix/outbox/outbox.h"

#define U PF_MSGFLAG_UNSENT
#define S PF_MSGFLAG_SUBMIT
#define R PF_MSGFLAG_READ
#define NOW 134000000000000000ull     /* a FILETIME in 2025 */

static const struct {
	int32_t flags;
	uint64_t deferred;
	bool in_sent;
	enum pf_outbox_class want;
	const char *why;
} rules[] = {
	{ U | S, 0, false, PF_OUTBOX_STRANDED, "queued, never sent" },
	{ U | S | R, 0, false, PF_OUTBOX_STRANDED, "read bit is no matter" },
	{ U, 0, false, PF_OUTBOX_DRAFT, "unsent, not submitted" },
	{ S, 0, false, PF_OUTBOX_SENT, "SUBMIT without UNSENT: sent" },
	{ 0, 0, false, PF_OUTBOX_SENT, "no flags: sent" },
	{ R, 0, true, PF_OUTBOX_SENT, "sent wins over a Sent Items copy" },
	{ R, NOW + 1, false, PF_OUTBOX_SENT, "sent wins over deferral" },
	{ U | S, NOW + 1, false, PF_OUTBOX_DEFERRED, "deferred, future" },
	{ U | S, NOW, false, PF_OUTBOX_STRANDED, "deferred until now" },
	{ U | S, NOW - 1, false, PF_OUTBOX_STRANDED, "deferral passed" },
	{ U, NOW + 1, false, PF_OUTBOX_DRAFT, "a deferred draft: draft" },
	{ U | S, 0, true, PF_OUTBOX_IN_SENT, "queued, copy in Sent Items" },
	{ U, 0, true, PF_OUTBOX_IN_SENT, "draft, copy in Sent Items" },
	{ U | S, NOW + 1, true, PF_OUTBOX_IN_SENT, "deferred but sent" },
	{ (int32_t)0xFFFFFFFF, 0, false, PF_OUTBOX_STRANDED, "all bits" },
};

START_TEST(test_classify)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(*rules); i++)
		ck_assert_msg(pf_outbox_classify(rules[i].flags,
			      rules[i].deferred, NOW, rules[i].in_sent) ==
			      rules[i].want, "rule %zu (%s)", i,
			      rules[i].why);
}
END_TEST

START_TEST(test_class_names)
{
	ck_assert_str_eq(pf_outbox_class_name(PF_OUTBOX_STRANDED),
			 "stranded");
	ck_assert_str_eq(pf_outbox_class_name(PF_OUTBOX_IN_SENT), "in-sent");
	ck_assert_str_eq(pf_outbox_class_name((enum pf_outbox_class)99), "?");
}
END_TEST

/* addrtype as pf_mimew_read leaves it ("SMTP" when PidTagSmtpAddress
 * was there), address, and whether it is an SMTP address to send to. */
static const struct {
	const char *type, *addr;
	bool smtp;
} addrs[] = {
	{ "SMTP", "ann@example.com", true },
	{ "smtp", "ann@example.com", true },
	{ "EX", "/o=Example/cn=Recipients/cn=bob", false },
	{ "EX", "bob@example.com", false },   /* looks like one: no guess */
	{ NULL, "ann@example.com", false },
	{ "SMTP", NULL, false },
	{ "SMTP", "not an address", false },
	{ "SMTP", "ann@exa mple.com", false },
	{ "SMTP", "ann\r\n@example.com", false },
	{ "X400", "c=US;a= ;p=Example;o=Mail;s=Bob", false },
};

START_TEST(test_smtp_rule)
{
	for (size_t i = 0; i < sizeof(addrs) / sizeof(*addrs); i++) {
		struct pf_mimew_addr a = {
			.addrtype = (char *)addrs[i].type,
			.addr = (char *)addrs[i].addr,
		};
		char *got = pf_outbox_smtp(&a);

		ck_assert_msg((got != NULL) == addrs[i].smtp, "address %zu",
			      i);
		if (got)
			ck_assert_str_eq(got, addrs[i].addr);
		free(got);
	}
}
END_TEST

/* ---- a writer-made store ---- */

#define MAX_ITEMS 32

struct meant {
	uint32_t nid[MAX_ITEMS];
	const char *cls[MAX_ITEMS];
	size_t n;
};

static int remember(void *ctx, const struct pf_sample_msg *sm)
{
	struct meant *m = ctx;

	if (sm->outbox_class && m->n < MAX_ITEMS) {
		m->nid[m->n] = sm->nid;
		m->cls[m->n++] = sm->outbox_class;
	}
	return 0;
}

static void make_mix(const char *path, struct meant *m)
{
	struct pf_write_opts wo = { .variant = PF_UNICODE,
				    .crypt = PF_CRYPT_PERMUTE };
	struct pf_storew_opts so = { .now = pf_filetime_from_unix(
					     PF_SAMPLE_EPOCH), .seed = 3 };
	struct pf_storew *s;

	ck_assert_msg(pf_storew_open(&s, path, &wo, &so) == 0, "%s",
		      pf_error_msg());
	ck_assert_msg(pf_sample_outbox_mix(s, 0, remember, m) == 0, "%s",
		      pf_error_msg());
	ck_assert_msg(pf_storew_commit(s) == 0, "%s", pf_error_msg());
}

static const struct pf_outbox_item *by_nid(const struct pf_outbox *ob,
					   uint32_t nid)
{
	for (size_t i = 0; i < ob->nitems; i++)
		if (ob->items[i].nid == nid)
			return &ob->items[i];
	return NULL;
}

/* CRLF only, and no Bcc field in the header block. */
static void check_render(struct pf_outbox *ob,
			 const struct pf_outbox_item *it)
{
	struct pf_mimew_buf b = { 0 };
	const char *end;

	ck_assert_int_eq(pf_outbox_render(&b, ob, it), 0);
	ck_assert_ptr_nonnull(b.p);
	for (size_t i = 0; i < b.n; i++) {
		if (b.p[i] == '\n')
			ck_assert_msg(i > 0 && b.p[i - 1] == '\r',
				      "bare LF at %zu", i);
		if (b.p[i] == '\r')
			ck_assert_msg(i + 1 < b.n && b.p[i + 1] == '\n',
				      "bare CR at %zu", i);
	}
	end = strstr(b.p, "\r\n\r\n");
	ck_assert_ptr_nonnull(end);
	for (const char *l = b.p; l <= end; l = strstr(l, "\r\n") + 2)
		ck_assert_msg(strncasecmp(l, "Bcc:", 4) != 0, "Bcc header");
	pf_mimew_buf_free(&b);
}

START_TEST(test_mix_store)
{
	char path[] = "/tmp/pstfix-test-outbox-XXXXXX";
	struct pf_outbox_opts o = { .now = NOW, .salvage = true };
	struct pf_outbox *ob = NULL;
	struct meant m = { .n = 0 };
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	make_mix(path, &m);
	ck_assert_int_gt(m.n, 5);
	ck_assert_msg(pf_outbox_load(&ob, path, &o) == 0, "%s",
		      pf_error_msg());
	ck_assert_uint_eq(ob->nitems, m.n);
	ck_assert(!ob->salvaged);
	ck_assert(!ob->sent_partial);
	ck_assert_uint_ne(ob->nid_outbox, 0);
	for (size_t i = 0; i < m.n; i++) {
		const struct pf_outbox_item *it = by_nid(ob, m.nid[i]);

		ck_assert_ptr_nonnull(it);
		ck_assert_msg(strcmp(pf_outbox_class_name(it->cls),
				     m.cls[i]) == 0, "0x%x: %s, meant %s",
			      it->nid, pf_outbox_class_name(it->cls),
			      m.cls[i]);
		ck_assert_msg((it->cls == PF_OUTBOX_IN_SENT) ==
			      (it->sent_nid != 0), "0x%x sent_nid", it->nid);
		ck_assert_ptr_nonnull(it->message_id);
		check_render(ob, it);
	}
	pf_outbox_free(ob);
	unlink(path);
}
END_TEST

/* The Sent Items match (outbox_sent.c), one store per case: a queued
 * Outbox item and one Sent Items message with the ids and search keys
 * of the table; IN_SENT exactly when they meet. */
static const uint8_t key_a[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t key_b[] = { 1, 2, 3, 4, 5, 6, 7, 9 };

static const struct {
	const char *out_id, *sent_id;
	const uint8_t *out_key, *sent_key;
	bool in_sent;
	const char *why;
} matches[] = {
	{ "a1@example.org", "a1@example.org", NULL, NULL, true, "same id" },
	{ "a1@example.org", "a2@example.org", NULL, NULL, false, "other id" },
	{ "a1@example.org", "A1@example.org", NULL, NULL, false,
	  "ids are case-sensitive" },
	{ "0001cc$a5$@user@host", "0001cc$a5$@user@host", NULL, NULL, true,
	  "Outlook's two-@ id, made valid the same way on both sides" },
	{ NULL, NULL, key_a, key_a, true, "no ids, same search key" },
	{ NULL, NULL, key_a, key_b, false, "no ids, other search key" },
	{ "a1@example.org", "a2@example.org", key_a, key_a, true,
	  "other ids, same search key" },
	{ NULL, NULL, NULL, NULL, false, "nothing to compare" },
};

static uint32_t one_pair(const char *path, size_t i)
{
	struct pf_write_opts wo = { .variant = PF_UNICODE,
				    .crypt = PF_CRYPT_PERMUTE };
	struct pf_storew_opts so = { .now = pf_filetime_from_unix(
					     PF_SAMPLE_EPOCH), .seed = 5 };
	struct pf_msgw_rcpt r = { .name = "Ann", .addr = "ann@example.com",
				  .type = PF_RCPT_TO };
	struct pf_msgw_message m = {
		.subject = "match", .sender_addr = "me@example.org",
		.rcpt = &r, .nrcpt = 1, .body_text = "hi\n",
		.flags = U | S, .message_id = matches[i].out_id,
		.search_key = matches[i].out_key,
		.search_key_cb = matches[i].out_key ? sizeof(key_a) : 0,
	};
	struct pf_storew *s;
	uint32_t nid = 0;

	ck_assert_int_eq(pf_storew_open(&s, path, &wo, &so), 0);
	ck_assert_int_eq(pf_storew_add_message(s, pf_storew_std_folder(s,
			 PF_FOLDER_OUTBOX), &m, &nid), 0);
	m.flags = R;
	m.message_id = matches[i].sent_id;
	m.search_key = matches[i].sent_key;
	m.search_key_cb = matches[i].sent_key ? sizeof(key_a) : 0;
	ck_assert_int_eq(pf_storew_add_message(s, pf_storew_std_folder(s,
			 PF_FOLDER_SENT), &m, NULL), 0);
	ck_assert_int_eq(pf_storew_commit(s), 0);
	return nid;
}

START_TEST(test_sent_match)
{
	char path[] = "/tmp/pstfix-test-outbox-XXXXXX";
	struct pf_outbox_opts o = { .now = NOW };
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	for (size_t i = 0; i < sizeof(matches) / sizeof(*matches); i++) {
		uint32_t nid = one_pair(path, i);
		struct pf_outbox *ob = NULL;

		ck_assert_msg(pf_outbox_load(&ob, path, &o) == 0, "%s",
			      pf_error_msg());
		ck_assert_uint_eq(ob->nitems, 1);
		ck_assert_uint_eq(ob->items[0].nid, nid);
		ck_assert_msg((ob->items[0].cls == PF_OUTBOX_IN_SENT) ==
			      matches[i].in_sent, "case %zu (%s): %s", i,
			      matches[i].why,
			      pf_outbox_class_name(ob->items[0].cls));
		pf_outbox_free(ob);
	}
	unlink(path);
}
END_TEST

/* The rendering refuses an item that is not the Outbox's own. */
START_TEST(test_render_foreign)
{
	struct pf_outbox ob = { .nitems = 0 };
	struct pf_outbox_item it = { .nid = 1 };
	struct pf_mimew_buf b = { 0 };

	ck_assert_int_eq(pf_outbox_render(&b, &ob, &it), PF_E_USAGE);
	pf_mimew_buf_free(&b);
}
END_TEST

START_TEST(test_missing_file)
{
	struct pf_outbox_opts o = { .salvage = true };
	struct pf_outbox *ob = (struct pf_outbox *)1;

	ck_assert_int_ne(pf_outbox_load(&ob, "/nonexistent/x.pst", &o), 0);
	ck_assert_ptr_null(ob);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("outbox");
	TCase *tc = tcase_create("outbox");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_classify);
	tcase_add_test(tc, test_class_names);
	tcase_add_test(tc, test_smtp_rule);
	tcase_add_test(tc, test_mix_store);
	tcase_add_test(tc, test_sent_match);
	tcase_add_test(tc, test_render_foreign);
	tcase_add_test(tc, test_missing_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
