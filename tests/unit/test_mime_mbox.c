/*
 * test_mime_mbox.c - the mbox reader (formats/mime/mbox.c).
 *
 * Covers:
 * - splitting on "From " lines at the file start and after a blank line
 *   only (an unquoted "From " elsewhere is content), the separator blank
 *   line dropped, the envelope line and its offset;
 * - mboxrd: a writer written here from the mboxrd rule (quote every
 *   /^>*From / line with one more '>') and the reader round-trip a set
 *   of awkward messages byte for byte, LF and CRLF;
 * - streaming: long lines, lines and separators across the reader's
 *   buffer boundaries (a seeded random round trip of many messages);
 * - gzip-compressed files; empty files; leading blank lines and a BOM;
 *   files that are not mboxes (PF_E_UNSUPPORTED); missing files
 *   (PF_E_IO); a last message without a final line end; messages made
 *   only of line ends (skipped);
 * - the per-message bound: an over-long message is PF_E_LIMIT and the
 *   next call returns the message after it;
 * - the messages read parse (pf_mail_parse) to the subjects written.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../../formats/mime/pf_mail.h"
#include "../../formats/util/pf_err.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static char tmpdir[] = "/tmp/pstfix-mbox-XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(tmpdir, "/tmp/pstfix-mbox-XXXXXX");
}

static const char *path_of(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	return p;
}

static void write_file(const char *name, const void *data, size_t n)
{
	FILE *f = fopen(path_of(name), "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

/* ---- an mboxrd writer, from the rule, for round trips ---- */

struct out {
	char *p;
	size_t n, cap;
};

static void out_put(struct out *o, const void *p, size_t n)
{
	if (o->n + n > o->cap) {
		o->cap = (o->n + n) * 2 + 64;
		o->p = realloc(o->p, o->cap);
		ck_assert_ptr_nonnull(o->p);
	}
	memcpy(o->p + o->n, p, n);
	o->n += n;
}

static bool needs_quote(const char *line, size_t n)
{
	size_t q = 0;

	while (q < n && line[q] == '>')
		q++;
	return n - q >= 5 && memcmp(line + q, "From ", 5) == 0;
}

/* Append message MSG (ending with EOL) as mboxrd with line end EOL. */
static void mboxrd_add(struct out *o, const char *msg, size_t n,
		       const char *eol)
{
	size_t i = 0;

	out_put(o, "From sender@x.test Thu Jan  1 00:00:00 2004", 43);
	out_put(o, eol, strlen(eol));
	while (i < n) {
		const char *nl = memchr(msg + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (msg + i)) + 1 : n - i;

		if (needs_quote(msg + i, len))
			out_put(o, ">", 1);
		out_put(o, msg + i, len);
		i += len;
	}
	out_put(o, eol, strlen(eol));
}

/* Read every message of NAME; returns the count, messages in V. */
static size_t read_all(const char *name, char **v, size_t *cb, size_t max)
{
	struct pf_mbox *mb;
	uint8_t *raw;
	size_t n = 0, len;
	int rc;

	ck_assert_int_eq(pf_mbox_open(&mb, path_of(name)), 0);
	while ((rc = pf_mbox_next(mb, &raw, &len)) == 1) {
		ck_assert_uint_lt(n, max);
		v[n] = (char *)raw;
		cb[n++] = len;
	}
	ck_assert_int_eq(rc, 0);
	pf_mbox_close(mb);
	return n;
}

static void free_all(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
}

/* ---- tests ---- */

START_TEST(test_basic)
{
	static const char file[] =
		"From a@x.test Mon Jan  1 00:00:00 2001\n"
		"Subject: one\n"
		"\n"
		"body one\n"
		"From here on, not a separator (no blank line before)\n"
		"\n"
		"From b@x.test Tue Jan  2 00:00:00 2001\n"
		"Subject: two\n"
		"\n"
		"body two\n"
		"\n"
		"\n"
		"From c@x.test Wed Jan  3 00:00:00 2001\n"
		"Subject: three\n"
		"\n"
		"no final newline";
	static const char *want[] = {
		"Subject: one\n\nbody one\nFrom here on, not a separator "
		"(no blank line before)\n",
		"Subject: two\n\nbody two\n\n",
		"Subject: three\n\nno final newline",
	};
	static const char *env[] = {
		"a@x.test Mon Jan  1 00:00:00 2001",
		"b@x.test Tue Jan  2 00:00:00 2001",
		"c@x.test Wed Jan  3 00:00:00 2001",
	};
	struct pf_mbox *mb;
	uint8_t *raw;
	size_t cb, i = 0;
	int64_t t;
	int rc;

	write_file("basic", file, sizeof(file) - 1);
	ck_assert_int_eq(pf_mbox_open(&mb, path_of("basic")), 0);
	ck_assert_str_eq(pf_mbox_envelope(mb), "");
	while ((rc = pf_mbox_next(mb, &raw, &cb)) == 1) {
		ck_assert_uint_lt(i, N_ELEM(want));
		ck_assert_msg(cb == strlen(want[i]) &&
			      memcmp(raw, want[i], cb) == 0,
			      "message %zu: '%.*s'", i, (int)cb, raw);
		ck_assert_str_eq(pf_mbox_envelope(mb), env[i]);
		ck_assert_int_eq(pf_mbox_date(mb, &t), 0);
		ck_assert_int_eq(t, 978307200 + (int64_t)i * 86400);
		ck_assert_int_eq(memcmp(file + pf_mbox_offset(mb), "From ",
					5), 0);
		free(raw);
		i++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(i, 3);
	ck_assert_int_eq(pf_mbox_next(mb, &raw, &cb), 0);  /* stays ended */
	pf_mbox_close(mb);
}
END_TEST

static const char *const awkward[] = {
	"Subject: quoting\n\nFrom the start\n>From once\n>>From twice\n"
	">>>From thrice\nFrom\n>From\nFromage\n >From not at start\n",
	"Subject: blank then From\n\n\nFrom after a blank line\n\n",
	"From: header-looking\nSubject: x\n\n>\n>>\n",
	"Subject: empty body\n\n",
	"Subject: trailing blanks\n\nx\n\n\n\n",
	"\n",                  /* only a line end: skipped by the reader */
	"Subject: last\n\nFrom end\n",
};

static void roundtrip(const char *eol)
{
	struct out o = { 0 };
	char *got[16];
	size_t cb[16], n, k = 0;
	bool crlf = strcmp(eol, "\r\n") == 0;

	for (size_t i = 0; i < N_ELEM(awkward); i++) {
		struct out m = { 0 };
		const char *s = awkward[i];

		for (; *s; s++)
			if (*s == '\n')
				out_put(&m, eol, strlen(eol));
			else
				out_put(&m, s, 1);
		mboxrd_add(&o, m.p, m.n, eol);
		free(m.p);
	}
	write_file("rt", o.p, o.n);
	n = read_all("rt", got, cb, N_ELEM(got));
	ck_assert_uint_eq(n, N_ELEM(awkward) - 1);
	for (size_t i = 0; i < N_ELEM(awkward); i++) {
		struct out m = { 0 };
		const char *s = awkward[i];

		if (strcmp(s, "\n") == 0)
			continue;
		for (; *s; s++)
			out_put(&m, *s == '\n' ? eol : s, *s == '\n' ?
				strlen(eol) : 1);
		ck_assert_msg(cb[k] == m.n && memcmp(got[k], m.p, m.n) == 0,
			      "%s message %zu: '%.*s'", crlf ? "CRLF" : "LF", k,
			      (int)cb[k], got[k]);
		free(m.p);
		k++;
	}
	free_all(got, n);
	free(o.p);
}

START_TEST(test_mboxrd_lf)
{
	roundtrip("\n");
}
END_TEST

START_TEST(test_mboxrd_crlf)
{
	roundtrip("\r\n");
}
END_TEST

/* Random messages with long lines, "From " lines and separators at every
 * kind of offset against the reader's buffer: byte-exact round trip. */
START_TEST(test_stream_random)
{
	enum { NMSG = 400 };
	struct out o = { 0 };
	char **msgs = calloc(NMSG, sizeof(*msgs)), **got;
	size_t *lens = calloc(NMSG, sizeof(*lens)), *cb, n, kept = 0;
	unsigned seed = 12345;

	for (size_t i = 0; i < NMSG; i++) {
		struct out m = { 0 };
		unsigned lines = 1 + (unsigned)(rand_r(&seed) % 12);

		out_put(&m, "Subject: r\n\n", 12);
		for (unsigned l = 0; l < lines; l++) {
			unsigned kind = (unsigned)rand_r(&seed) % 8;
			size_t len = kind == 0 ? 5000 + (size_t)rand_r(&seed) %
				     300000 : (size_t)rand_r(&seed) % 90;
			char *line = malloc(len + 8);

			memset(line, 'a' + (char)(l % 26), len);
			if (kind == 1)
				memcpy(line, ">>From ", len >= 7 ? 7 : len);
			else if (kind == 2 && len >= 5)
				memcpy(line, "From ", 5);
			else if (kind == 3)
				len = 0;                 /* blank line */
			out_put(&m, line, len);
			out_put(&m, "\n", 1);
			free(line);
		}
		msgs[i] = m.p;
		lens[i] = m.n;
		mboxrd_add(&o, m.p, m.n, "\n");
	}
	write_file("rand", o.p, o.n);
	got = calloc(NMSG, sizeof(*got));
	cb = calloc(NMSG, sizeof(*cb));
	n = read_all("rand", got, cb, NMSG);
	ck_assert_uint_eq(n, NMSG);
	for (size_t i = 0; i < NMSG; i++) {
		ck_assert_msg(cb[i] == lens[i] &&
			      memcmp(got[i], msgs[i], lens[i]) == 0,
			      "message %zu differs (%zu vs %zu bytes)", i,
			      cb[i], lens[i]);
		kept++;
	}
	ck_assert_uint_eq(kept, NMSG);
	free_all(got, n);
	free_all(msgs, NMSG);
	free(got);
	free(cb);
	free(msgs);
	free(lens);
	free(o.p);
}
END_TEST

START_TEST(test_gzip)
{
	static const char file[] = "From a Mon Jan  1 00:00:00 2001\n"
				   "Subject: gz\n\nzipped\n\n"
				   "From b Mon Jan  1 00:00:00 2001\n"
				   "Subject: gz2\n\n>From x\n";
	gzFile gz = gzopen(path_of("z.mbox.gz"), "wb");
	char *got[4];
	size_t cb[4], n;

	ck_assert_ptr_nonnull(gz);
	ck_assert_int_eq(gzwrite(gz, file, sizeof(file) - 1),
			 (int)sizeof(file) - 1);
	ck_assert_int_eq(gzclose(gz), Z_OK);
	n = read_all("z.mbox.gz", got, cb, 4);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(cb[0], strlen("Subject: gz\n\nzipped\n"));
	ck_assert_int_eq(memcmp(got[1], "Subject: gz2\n\nFrom x\n", cb[1]),
			 0);
	free_all(got, n);
}
END_TEST

START_TEST(test_edges)
{
	struct pf_mbox *mb;
	uint8_t *raw;
	size_t cb;
	char *got[4];
	size_t cbs[4];

	/* empty file: an empty mbox */
	write_file("empty", "", 0);
	ck_assert_int_eq(pf_mbox_open(&mb, path_of("empty")), 0);
	ck_assert_int_eq(pf_mbox_next(mb, &raw, &cb), 0);
	pf_mbox_close(mb);

	/* not an mbox */
	write_file("eml", "Subject: x\n\nbody\n", 17);
	ck_assert_int_eq(pf_mbox_open(&mb, path_of("eml")),
			 PF_E_UNSUPPORTED);
	ck_assert_ptr_null(mb);

	/* missing */
	ck_assert_int_eq(pf_mbox_open(&mb, path_of("nonesuch")), PF_E_IO);

	/* blank lines and a BOM before the first From line */
	{
		static const char lead[] = "\xef\xbb\xbf\n\r\n\nFrom x\nA: b\n\nc\n";

		write_file("lead", lead, sizeof(lead) - 1);
	}
	ck_assert_uint_eq(read_all("lead", got, cbs, 4), 1);
	ck_assert_uint_eq(cbs[0], 8);
	ck_assert_int_eq(memcmp(got[0], "A: b\n\nc\n", 8), 0);
	free(got[0]);

	/* From lines back to back: the second is content (no blank) */
	write_file("b2b", "From a\nFrom b\n", 14);
	ck_assert_uint_eq(read_all("b2b", got, cbs, 4), 1);
	ck_assert_uint_eq(cbs[0], 7);
	free(got[0]);

	/* only line ends in every message: nothing returned */
	write_file("blanks", "From a\n\n\nFrom b\r\n\r\n", 19);
	ck_assert_uint_eq(read_all("blanks", got, cbs, 4), 0);

	/* a From line longer than the envelope kept */
	{
		struct out o = { 0 };

		out_put(&o, "From ", 5);
		for (int i = 0; i < 3000; i++)
			out_put(&o, "x", 1);
		out_put(&o, "\nS: 1\n\nb\n", 9);
		write_file("longenv", o.p, o.n);
		ck_assert_int_eq(pf_mbox_open(&mb, path_of("longenv")), 0);
		ck_assert_int_eq(pf_mbox_next(mb, &raw, &cb), 1);
		ck_assert_uint_eq(cb, 8);
		ck_assert_uint_eq(strlen(pf_mbox_envelope(mb)), 1000);
		free(raw);
		pf_mbox_close(mb);
		free(o.p);
	}
}
END_TEST

START_TEST(test_limit)
{
	struct out o = { 0 };
	struct pf_mbox *mb;
	uint8_t *raw;
	size_t cb;
	char big[5000];

	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	mboxrd_add(&o, "Subject: small\n\n1\n", 18, "\n");
	{
		struct out m = { 0 };

		out_put(&m, "Subject: big\n\n", 14);
		out_put(&m, big, sizeof(big));
		out_put(&m, big, sizeof(big));
		mboxrd_add(&o, m.p, m.n, "\n");
		free(m.p);
	}
	mboxrd_add(&o, "Subject: after\n\n3\n", 18, "\n");
	write_file("limit", o.p, o.n);
	ck_assert_int_eq(pf_mbox_open(&mb, path_of("limit")), 0);
	pf_mbox_set_max(mb, 4096);
	ck_assert_int_eq(pf_mbox_next(mb, &raw, &cb), 1);
	free(raw);
	ck_assert_int_eq(pf_mbox_next(mb, &raw, &cb), PF_E_LIMIT);
	ck_assert_ptr_null(raw);
	ck_assert_int_eq(pf_mbox_next(mb, &raw, &cb), 1);
	ck_assert_int_eq(memcmp(raw, "Subject: after", 14), 0);
	free(raw);
	ck_assert_int_eq(pf_mbox_next(mb, &raw, &cb), 0);
	pf_mbox_close(mb);
	free(o.p);
}
END_TEST

START_TEST(test_parse_messages)
{
	static const char file[] =
		"From a Mon Jan  1 00:00:00 2001\r\n"
		"Subject: =?utf-8?q?caf=C3=A9?=\r\n"
		"Date: Mon, 1 Jan 2001 00:00:00 +0000\r\n\r\n"
		">From the body\r\n\r\n"
		"From b Mon Jan  1 00:00:00 2001\r\n"
		"Subject: second\r\n\r\nx\r\n";
	char *got[4];
	size_t cb[4], n;
	struct pf_mail m;

	write_file("p", file, sizeof(file) - 1);
	n = read_all("p", got, cb, 4);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(pf_mail_parse((uint8_t *)got[0], cb[0], &m), 0);
	ck_assert_str_eq(m.subject, "caf\xc3\xa9");
	ck_assert_int_eq(m.date, 978307200);
	ck_assert_str_eq(m.body_text, "From the body\r\n");
	ck_assert_uint_eq(m.defects, 0);
	pf_mail_free(&m);
	ck_assert_int_eq(pf_mail_parse((uint8_t *)got[1], cb[1], &m), 0);
	ck_assert_str_eq(m.subject, "second");
	pf_mail_free(&m);
	free_all(got, n);
}
END_TEST

static Suite *mbox_suite(void)
{
	Suite *s = suite_create("mime_mbox");
	TCase *tc = tcase_create("mbox");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_basic);
	tcase_add_test(tc, test_mboxrd_lf);
	tcase_add_test(tc, test_mboxrd_crlf);
	tcase_add_test(tc, test_stream_random);
	tcase_add_test(tc, test_gzip);
	tcase_add_test(tc, test_edges);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_parse_messages);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mbox_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
