/*
 * test_smtp.c - the pure parts of pstfix/smtp: the reply grammar (RFC
 * 5321 4.2, multi-line, malformed, over-long), RFC 3463 enhanced codes,
 * EHLO keywords, URL parsing, pf_smtp_addr_ok(), bare CR/LF detection,
 * dot-stuffing across block boundaries, base64, and the outcome ->
 * sysexits mapping.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "../../pstfix/smtp/smtp_int.h"

/* Feed TEXT ('\n'-separated lines) to the parser; the last result. */
static int parse(const char *text, struct pf_smtp_reply *r,
		 struct smtp_reply_parser *p)
{
	const char *q = text;
	int rc = 0;

	smtp_reply_begin(p, r, PF_SMTP_MAIL);
	while (*q && rc == 0) {
		const char *nl = strchr(q, '\n');
		size_t n = nl ? (size_t)(nl - q) : strlen(q);

		rc = smtp_reply_line(p, q, n);
		q += n + (nl != NULL);
	}
	return rc;
}

START_TEST(test_reply_single)
{
	struct pf_smtp_reply r;
	struct smtp_reply_parser p;

	ck_assert_int_eq(parse("250 2.1.0 Ok", &r, &p), 1);
	ck_assert_int_eq(r.code, 250);
	ck_assert_str_eq(r.text, "2.1.0 Ok");
	ck_assert_int_eq(r.enh[0], 2);
	ck_assert_int_eq(r.enh[1], 1);
	ck_assert_int_eq(r.enh[2], 0);
	ck_assert_int_eq(r.stage, PF_SMTP_MAIL);
	ck_assert_int_eq(pf_smtp_classify(&r), PF_SMTP_POSITIVE);
	/* "NNN" alone is a complete last line */
	ck_assert_int_eq(parse("354", &r, &p), 1);
	ck_assert_int_eq(r.code, 354);
	ck_assert_str_eq(r.text, "");
}
END_TEST

START_TEST(test_reply_multiline)
{
	struct pf_smtp_reply r;
	struct smtp_reply_parser p;

	ck_assert_int_eq(parse("250-mx.test\n250-SIZE 100\n250-8BITMIME\n"
			       "250 HELP", &r, &p), 1);
	ck_assert_int_eq(r.code, 250);
	ck_assert_str_eq(r.text, "mx.test SIZE 100 8BITMIME HELP");
	ck_assert_str_eq(p.lines, "mx.test\nSIZE 100\n8BITMIME\nHELP");
	/* the parser stops at the last line: more is not its business */
	smtp_reply_begin(&p, &r, PF_SMTP_EHLO);
	ck_assert_int_eq(smtp_reply_line(&p, "421-a", 5), 0);
	ck_assert_int_eq(smtp_reply_line(&p, "421 b", 5), 1);
	ck_assert_int_eq(pf_smtp_classify(&r), PF_SMTP_TRANSIENT);
	/* control characters never reach the text */
	ck_assert_int_eq(parse("550 a\033[31mb\tc", &r, &p), 1);
	ck_assert_str_eq(r.text, "a[31mbc");
}
END_TEST

START_TEST(test_reply_malformed)
{
	static const char *const bad[] = {
		"", "25", "2500 x", "250x", "600 no", "199 no", "260 no",
		"2a0 x", "abc", "250-a\n251 b", "-250 x", " 250 x",
	};
	struct pf_smtp_reply r;
	struct smtp_reply_parser p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], &r, &p) == PF_SMTP_E_PROTO ||
			      (bad[i][0] == '\0'), "accepted '%s'", bad[i]);
	smtp_reply_begin(&p, &r, PF_SMTP_MAIL);
	ck_assert_int_eq(smtp_reply_line(&p, "", 0), PF_SMTP_E_PROTO);
}
END_TEST

START_TEST(test_reply_limits)
{
	struct pf_smtp_reply r;
	struct smtp_reply_parser p;
	char line[600];
	int rc = 0;

	/* 510 octets + CRLF = 512: the longest allowed (RFC 5321
	 * 4.5.3.1.5); one more is a protocol error */
	memset(line, 'x', sizeof(line));
	memcpy(line, "250 ", 4);
	smtp_reply_begin(&p, &r, PF_SMTP_MAIL);
	ck_assert_int_eq(smtp_reply_line(&p, line, 510), 1);
	ck_assert_uint_eq(strlen(r.text), 510 - 4);
	smtp_reply_begin(&p, &r, PF_SMTP_MAIL);
	ck_assert_int_eq(smtp_reply_line(&p, line, 511), PF_SMTP_E_PROTO);
	/* at most SMTP_REPLY_LINES_MAX lines */
	smtp_reply_begin(&p, &r, PF_SMTP_EHLO);
	for (int i = 0; i < SMTP_REPLY_LINES_MAX + 1 && rc == 0; i++)
		rc = smtp_reply_line(&p, "250-x", 5);
	ck_assert_int_eq(rc, PF_SMTP_E_PROTO);
	ck_assert_uint_eq(p.nlines, SMTP_REPLY_LINES_MAX + 1);
}
END_TEST

START_TEST(test_enhanced)
{
	static const struct { const char *l; int c, s, d; } v[] = {
		{ "550 5.1.1 no such user", 5, 1, 1 },
		{ "452 4.2.2 mailbox full", 4, 2, 2 },
		{ "250 2.0.0", 2, 0, 0 },
		{ "550 5.123.999 x", 5, 123, 999 },
		{ "550 4.1.1 wrong class", 0, 0, 0 },
		{ "354 3.0.0 class 3 does not exist", 0, 0, 0 },
		{ "550 5.1234.1 subject too long", 0, 0, 0 },
		{ "550 5.1.1x glued", 0, 0, 0 },
		{ "550 5.1 short", 0, 0, 0 },
		{ "550 user unknown", 0, 0, 0 },
		{ "550 55.1.1 x", 0, 0, 0 },
	};
	struct pf_smtp_reply r;
	struct smtp_reply_parser p;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_int_eq(parse(v[i].l, &r, &p), 1);
		ck_assert_msg(r.enh[0] == v[i].c && r.enh[1] == v[i].s &&
			      r.enh[2] == v[i].d, "'%s' -> %d.%d.%d", v[i].l,
			      r.enh[0], r.enh[1], r.enh[2]);
	}
}
END_TEST

START_TEST(test_caps)
{
	struct pf_smtp_caps c;

	smtp_caps_parse(&c, "mx.test greets you\nsize 35882577\nSTARTTLS\n"
			"AUTH=LOGIN\nauth plain xoauth2 CRAM-MD5\nPIPELINING\n"
			"8BITMIME\nSMTPUTF8\nENHANCEDSTATUSCODES\nSTARTTLSX");
	ck_assert(c.esmtp && c.starttls && c.pipelining && c.eightbitmime);
	ck_assert(c.smtputf8 && c.enhancedcodes && c.size);
	ck_assert_uint_eq(c.size_max, 35882577);
	ck_assert_uint_eq(c.auth, (1u << PF_SMTP_AUTH_PLAIN) |
			  (1u << PF_SMTP_AUTH_LOGIN) |
			  (1u << PF_SMTP_AUTH_XOAUTH2));
	/* the first line is the greeting, never a keyword */
	smtp_caps_parse(&c, "STARTTLS\nSIZE\nAUTHX PLAIN");
	ck_assert(!c.starttls && c.size && c.auth == 0);
	ck_assert_uint_eq(c.size_max, 0);
	smtp_caps_parse(&c, "x\nSIZE 99999999999999999999999");
	ck_assert_uint_eq(c.size_max, 0);
}
END_TEST

START_TEST(test_url)
{
	struct pf_smtp_server s;

	ck_assert_int_eq(pf_smtp_url_parse(&s, "smtps://mail.example.org"),
			 0);
	ck_assert_str_eq(s.host, "mail.example.org");
	ck_assert_uint_eq(s.port, 465);
	ck_assert_int_eq(s.security, PF_SMTP_IMPLICIT_TLS);
	ck_assert_int_eq(pf_smtp_url_parse(&s, "SMTP://h.test:2525/"), 0);
	ck_assert_uint_eq(s.port, 2525);
	ck_assert_int_eq(s.security, PF_SMTP_STARTTLS_REQUIRED);
	ck_assert_int_eq(pf_smtp_url_parse(&s, "smtp://h.test"), 0);
	ck_assert_uint_eq(s.port, 587);
	ck_assert_int_eq(pf_smtp_url_parse(&s, "smtp://[::1]:25"), 0);
	ck_assert_str_eq(s.host, "::1");
	ck_assert_uint_eq(s.port, 25);
	ck_assert_int_eq(pf_smtp_url_parse(&s, "smtp://127.0.0.1:65535"), 0);
	static const char *const bad[] = {
		"http://h", "smtp://", "smtp://h:", "smtp://h:0",
		"smtp://h:65536", "smtp://h:25x", "smtp://u@h",
		"smtp://u:p@h", "smtp://h/path", "smtp://h?x", "smtp://[::1",
		"smtp://[]", "smtp://h h", "smtps://h:99999999999", "h:25",
		"smtp://h\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pf_smtp_url_parse(&s, bad[i]) == PF_E_USAGE,
			      "accepted '%s'", bad[i]);
}
END_TEST

START_TEST(test_addr)
{
	char longaddr[300];

	ck_assert(pf_smtp_addr_ok("a@b.example", false));
	ck_assert(pf_smtp_addr_ok("\"a b\"@example.org", false));
	ck_assert(pf_smtp_addr_ok("\"a\\\"b\"@example.org", false));
	ck_assert(pf_smtp_addr_ok("", true));
	ck_assert(!pf_smtp_addr_ok("", false));
	ck_assert(!pf_smtp_addr_ok(NULL, true));
	ck_assert(!pf_smtp_addr_ok("a@b\r\nRCPT TO:<x@y>", false));
	ck_assert(!pf_smtp_addr_ok("a@b\n", false));
	ck_assert(!pf_smtp_addr_ok("a b@c", false));
	ck_assert(!pf_smtp_addr_ok("a\t@c", false));
	ck_assert(!pf_smtp_addr_ok("<a@b>", false));
	ck_assert(!pf_smtp_addr_ok("a@b>", false));
	ck_assert(!pf_smtp_addr_ok("a@b@c", false));
	ck_assert(!pf_smtp_addr_ok("@b", false));
	ck_assert(!pf_smtp_addr_ok("a@", false));
	ck_assert(!pf_smtp_addr_ok("ab", false));
	ck_assert(!pf_smtp_addr_ok("\"a@b", false));
	ck_assert(!pf_smtp_addr_ok("\xc3\xa9@b", false));
	ck_assert(!pf_smtp_addr_ok("a@b\x7f", false));
	memset(longaddr, 'a', sizeof(longaddr));
	strcpy(longaddr + 251, "@b.c");                 /* 255 octets */
	ck_assert(!pf_smtp_addr_ok(longaddr, false));
	strcpy(longaddr + 250, "@b.c");                 /* 254 octets */
	ck_assert(pf_smtp_addr_ok(longaddr, false));
}
END_TEST

START_TEST(test_bare_eol)
{
	const uint8_t *ok = (const uint8_t *)"a\r\nb\r\n\r\nc";

	ck_assert_uint_eq(smtp_bare_eol(ok, 10), 10);
	ck_assert_uint_eq(smtp_bare_eol((const uint8_t *)"a\nb", 3), 1);
	ck_assert_uint_eq(smtp_bare_eol((const uint8_t *)"\n", 1), 0);
	ck_assert_uint_eq(smtp_bare_eol((const uint8_t *)"a\rb", 3), 1);
	ck_assert_uint_eq(smtp_bare_eol((const uint8_t *)"ab\r", 3), 2);
	ck_assert_uint_eq(smtp_bare_eol((const uint8_t *)"a\r\r\n", 4), 1);
	ck_assert_uint_eq(smtp_bare_eol((const uint8_t *)"a\r\n\n", 4), 3);
	ck_assert_uint_eq(smtp_bare_eol((const uint8_t *)"", 0), 0);
}
END_TEST

/* Stuff IN in blocks of BLOCK bytes, as data.c does. */
static size_t stuff(uint8_t *out, const char *in, size_t block)
{
	size_t n = strlen(in), o = 0;
	bool bol = true;

	for (size_t off = 0; off < n; off += block) {
		size_t k = n - off < block ? n - off : block;

		o += smtp_dot_stuff(out + o, (const uint8_t *)in + off, k,
				    &bol);
	}
	return o;
}

START_TEST(test_dot_stuff)
{
	static const char in[] = ".a\r\nb.\r\n.\r\n..\r\nc\r\n.";
	static const char want[] = "..a\r\nb.\r\n..\r\n...\r\nc\r\n..";
	uint8_t out[2 * sizeof(in)];

	/* every block size: a '.' at a block's first byte is still seen
	 * as the start of a line when the previous block ended in LF */
	for (size_t block = 1; block <= sizeof(in); block++) {
		size_t n = stuff(out, in, block);

		ck_assert_uint_eq(n, strlen(want));
		ck_assert_msg(memcmp(out, want, n) == 0, "block %zu", block);
	}
}
END_TEST

START_TEST(test_b64)
{
	static const char *const v[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	char out[16];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_int_eq(smtp_b64_encode(out, sizeof(out), v[i][0],
						 strlen(v[i][0])), 0);
		ck_assert_str_eq(out, v[i][1]);
	}
	/* RFC 4616 4's example, "\0tim\0tanstaaftanstaaf" */
	ck_assert_int_eq(smtp_b64_encode(out, 5, "foob", 4), -1);
	{
		char big[64];

		ck_assert_int_eq(smtp_b64_encode(big, sizeof(big),
			"\0tim\0tanstaaftanstaaf", 21), 0);
		ck_assert_str_eq(big, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
	}
}
END_TEST

START_TEST(test_sysexit)
{
	struct pf_smtp_reply r = { .stage = PF_SMTP_GREETING, .code = 421 };

	ck_assert_int_eq(pf_smtp_sysexit(0, &r, NULL), EX_TEMPFAIL);
	r.code = 554;
	ck_assert_int_eq(pf_smtp_sysexit(0, &r, NULL), EX_UNAVAILABLE);
	r.stage = PF_SMTP_AUTH;
	r.code = 535;
	ck_assert_int_eq(pf_smtp_sysexit(0, &r, NULL), EX_NOPERM);
	r.code = 235;
	ck_assert_int_eq(pf_smtp_sysexit(0, &r, NULL), EX_OK);
	r.stage = PF_SMTP_CONNECT;
	ck_assert_int_eq(pf_smtp_sysexit(PF_SMTP_E_NET, &r, NULL),
			 EX_UNAVAILABLE);
	r.stage = PF_SMTP_DOT;
	ck_assert_int_eq(pf_smtp_sysexit(PF_SMTP_E_TIMEOUT, &r, NULL),
			 EX_TEMPFAIL);
	ck_assert_int_eq(pf_smtp_sysexit(PF_SMTP_E_PROTO, &r, NULL),
			 EX_PROTOCOL);
	ck_assert_int_eq(pf_smtp_sysexit(PF_SMTP_E_AUTH, &r, NULL),
			 EX_CONFIG);
	ck_assert_int_eq(pf_smtp_sysexit(PF_E_USAGE, &r, NULL), EX_USAGE);
	ck_assert_str_eq(pf_smtp_stage_name(PF_SMTP_RCPT), "RCPT TO");
	ck_assert_str_eq(pf_smtp_stage_name((enum pf_smtp_stage)99), "?");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("smtp");
	TCase *tc = tcase_create("smtp");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_reply_single);
	tcase_add_test(tc, test_reply_multiline);
	tcase_add_test(tc, test_reply_malformed);
	tcase_add_test(tc, test_reply_limits);
	tcase_add_test(tc, test_enhanced);
	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_url);
	tcase_add_test(tc, test_addr);
	tcase_add_test(tc, test_bare_eol);
	tcase_add_test(tc, test_dot_stuff);
	tcase_add_test(tc, test_b64);
	tcase_add_test(tc, test_sysexit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
