/*
 * test_mimew.c - formats/mime's writer: the header encoders and a whole
 * message rendered from a hand-made struct pf_mimew_msg.
 *
 * Covers
 * - RFC 2047 encoded-words: the B encoding of a known string (expected
 *   value from Python's base64 module), words of at most 75 octets that
 *   never split a UTF-8 character (RFC 2047 6.3);
 * - folding (RFC 5322 2.2.3): lines <= 78 where whitespace allows,
 *   unfolding gives the value back; control characters (CR/LF injection)
 *   never start a header line;
 * - address quoting (RFC 5322 3.4): atoms, quoted strings with escapes,
 *   encoded names, quoted local parts, IMCEA for non-SMTP addresses,
 *   "unknown@invalid" for none;
 * - RFC 2231 parameters: percent-encoding, continuations, quoted ASCII;
 * - base64 and quoted-printable line lengths and known answers (RFC 2045);
 * - Message-ID: made valid (two '@'), derived when absent;
 * - one-off EntryIDs in a FlatEntryList (Reply-To), built by hand;
 * - vCard 4 and iCalendar: escapes, structured values, folding at 75,
 *   dates in UTC and all-day, no card without a name or a start; a
 *   meeting request's text/calendar alternative (iTIP REQUEST);
 * - a rendered message: 7-bit, CRLF only, lines <= 998, deterministic,
 *   no Bcc header unless asked, and read back by the import parser
 *   (pf_mail_parse, separate code) with every part and zero defects;
 * - reading a writer-made message whose sender is an address type and
 *   nothing else (an empty address): From without a name or address, no
 *   Sender, nothing leaked (the ASan run checks the last; fuzz_mimew
 *   found it).
 * Expected strings are written out by hand from the RFCs, never produced
 * by the code under test.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../formats/mime/pf_mail.h"
#include "../../formats/mime/mimew_int.h"
#include "../../formats/mime/pf_mimew.h"
#include "../../formats/msg/pf_msg.h"
#include "../../formats/write/pf_msgw.h"

static void assert_smtp_safe(const struct pf_mimew_buf *b)
{
	size_t col = 0;

	ck_assert_int_eq(b->err, 0);
	for (size_t i = 0; i < b->n; i++) {
		unsigned char c = (unsigned char)b->p[i];

		ck_assert_msg(c < 0x80 && c != 0, "8-bit or NUL at %zu", i);
		if (c == '\r') {
			ck_assert_msg(i + 1 < b->n && b->p[i + 1] == '\n',
				      "bare CR at %zu", i);
			i++;
			col = 0;
			continue;
		}
		ck_assert_msg(c != '\n', "bare LF at %zu", i);
		col++;
		ck_assert_msg(col <= 998, "line over 998 at %zu", i);
	}
}

/* The longest line of a header block. */
static size_t longest(const char *s)
{
	size_t best = 0;

	while (*s) {
		size_t n = strcspn(s, "\r");

		if (n > best)
			best = n;
		s += n;
		s += strspn(s, "\r\n");
	}
	return best;
}

/* Unfold: drop every CRLF (RFC 5322 2.2.3). */
static char *unfold(const char *s)
{
	char *d = malloc(strlen(s) + 1), *q = d;

	for (; *s; s++) {
		if (s[0] == '\r' && s[1] == '\n')
			s++;
		else
			*q++ = *s;
	}
	*q = '\0';
	return d;
}

START_TEST(test_ew_known)
{
	struct pf_mimew_buf b = { 0 };

	pf_mimew_ew(&b, "Gr\xc3\xbc\xc3\x9f" "e");
	ck_assert_str_eq(b.p, "=?utf-8?B?R3LDvMOfZQ==?=");
	pf_mimew_buf_free(&b);
}
END_TEST

START_TEST(test_ew_split)
{
	struct pf_mimew_buf b = { 0 };
	char s[400] = "";
	size_t words = 0;

	for (int i = 0; i < 100; i++)
		strcat(s, "\xc3\xa9");   /* U+00E9, 2 octets */
	pf_mimew_ew(&b, s);
	for (char *w = strtok(b.p, " "); w; w = strtok(NULL, " ")) {
		size_t n = strlen(w);

		ck_assert_uint_le(n, 75);
		ck_assert(strncmp(w, "=?utf-8?B?", 10) == 0);
		/* 2-octet characters, whole: an even number of octets, i.e.
		 * base64 of 44 octets (60 chars, one '=') or fewer */
		ck_assert_uint_eq((n - 12) % 4, 0);
		words++;
	}
	ck_assert_uint_eq(words, 5);   /* 200 octets / 44 per word */
	pf_mimew_buf_free(&b);
}
END_TEST

START_TEST(test_fold_unfold)
{
	struct pf_mimew_buf b = { 0 };
	char v[600] = "", *u;

	for (int i = 0; i < 50; i++)
		strcat(v, i ? "  word" : "word");   /* double spaces kept */
	pf_mimew_field_text(&b, "Subject", v);
	assert_smtp_safe(&b);
	ck_assert_uint_le(longest(b.p), 78);
	u = unfold(b.p);
	ck_assert(strncmp(u, "Subject: ", 9) == 0);
	ck_assert_str_eq(u + 9, v);
	free(u);
	pf_mimew_buf_free(&b);
}
END_TEST

START_TEST(test_injection)
{
	struct pf_mimew_buf b = { 0 };
	struct pf_mimew_addr a = { .name = "Eve\r\nBcc: x@evil.example",
				   .addr = "eve@example.org\r\nX: y",
				   .addrtype = "SMTP" };

	pf_mimew_field_text(&b, "Subject", "hi\r\nBcc: victim@example.org\n"
			    "\rX-Evil: 1");
	pf_mimew_field_addrs(&b, "From", &a, 1);
	assert_smtp_safe(&b);
	ck_assert_ptr_null(strstr(b.p, "\r\nBcc:"));
	ck_assert_ptr_null(strstr(b.p, "\r\nX-Evil:"));
	ck_assert_ptr_null(strstr(b.p, "\r\nX:"));
	/* two fields, two lines (short values: no folding) */
	ck_assert_str_eq(b.p, "Subject: hi  Bcc: victim@example.org  X-Evil: 1"
			 "\r\nFrom: \"Eve  Bcc: x@evil.example\"\r\n"
			 " <IMCEASMTP-eve+40example+2Eorg+0D+0AX+3A+20y"
			 "@invalid>\r\n");
	pf_mimew_buf_free(&b);
}
END_TEST

static const struct {
	const char *name, *addr, *type, *want;
} addr_cases[] = {
	{ "John Doe", "jd@example.org", "SMTP",
	  "To: John Doe <jd@example.org>\r\n" },
	{ "Doe, John", "jd@example.org", "SMTP",
	  "To: \"Doe, John\" <jd@example.org>\r\n" },
	{ "A \"B\" C\\", "a@example.org", NULL,
	  "To: \"A \\\"B\\\" C\\\\\" <a@example.org>\r\n" },
	{ "J\xc3\xbcrgen", "j@example.org", "SMTP",
	  "To: =?utf-8?B?SsO8cmdlbg==?= <j@example.org>\r\n" },
	{ NULL, "a..b@example.org", "SMTP", "To: \"a..b\"@example.org\r\n" },
	{ "X", "/O=ORG/CN=X", "EX",
	  "To: X <IMCEAEX-_O=ORG_CN=X@invalid>\r\n" },
	{ "Nobody", NULL, NULL, "To: Nobody <unknown@invalid>\r\n" },
	{ "jd@example.org", "jd@example.org", "SMTP",
	  "To: jd@example.org\r\n" },
};

START_TEST(test_addresses)
{
	struct pf_mimew_buf b = { 0 };
	struct pf_mimew_addr a = { 0 };

	a.name = (char *)addr_cases[_i].name;
	a.addr = (char *)addr_cases[_i].addr;
	a.addrtype = (char *)addr_cases[_i].type;
	pf_mimew_field_addrs(&b, "To", &a, 1);
	ck_assert_str_eq(b.p, addr_cases[_i].want);
	pf_mimew_buf_free(&b);
}
END_TEST

START_TEST(test_rfc2231)
{
	struct pf_mimew_buf b = { 0 };
	const char *p1[] = { "filename", "Anhang-\xc3\xbc.bin", NULL };
	const char *p2[] = { "filename", "a\"b.txt", NULL };
	const char *p3[] = { "name", NULL, "filename", "r.pdf", NULL };

	pf_mimew_field_params(&b, "Content-Disposition", "attachment", p1);
	ck_assert_str_eq(b.p, "Content-Disposition: attachment; "
			 "filename*=utf-8''Anhang-%C3%BC.bin\r\n");
	b.n = 0;
	pf_mimew_field_params(&b, "Content-Disposition", "attachment", p2);
	ck_assert_str_eq(b.p, "Content-Disposition: attachment; "
			 "filename=\"a\\\"b.txt\"\r\n");
	b.n = 0;
	pf_mimew_field_params(&b, "Content-Type", "application/pdf", p3);
	ck_assert_str_eq(b.p, "Content-Type: application/pdf; "
			 "filename=\"r.pdf\"\r\n");
	pf_mimew_buf_free(&b);
}
END_TEST

START_TEST(test_rfc2231_long)
{
	struct pf_mimew_buf b = { 0 };
	char name[200] = "";
	const char *p[] = { "filename", name, NULL };

	for (int i = 0; i < 40; i++)
		strcat(name, "\xc3\xa9");
	pf_mimew_field_params(&b, "Content-Disposition", "attachment", p);
	assert_smtp_safe(&b);
	ck_assert_uint_le(longest(b.p), 78);
	/* 80 octets -> 240 encoded characters in sections that fit the
	 * line, each of whole characters (%C3%A9 never split) */
	ck_assert_ptr_nonnull(strstr(b.p, " filename*0*=utf-8''%C3%A9"));
	ck_assert_ptr_nonnull(strstr(b.p, "%A9;\r\n filename*1*=%C3%A9"));
	ck_assert_ptr_nonnull(strstr(b.p, "%A9;\r\n filename*4*=%C3%A9\r\n"));
	ck_assert_ptr_null(strstr(b.p, "filename*5*"));
	ck_assert_ptr_null(strstr(b.p, "%C3;"));
	pf_mimew_buf_free(&b);
}
END_TEST

START_TEST(test_base64)
{
	struct pf_mimew_buf b = { 0 };
	uint8_t d[58];

	pf_mimew_base64(&b, (const uint8_t *)"Man", 3);
	ck_assert_str_eq(b.p, "TWFu\r\n");
	b.n = 0;
	pf_mimew_base64(&b, (const uint8_t *)"Ma", 2);
	ck_assert_str_eq(b.p, "TWE=\r\n");
	b.n = 0;
	memset(d, 0, sizeof(d));
	pf_mimew_base64(&b, d, 57);
	ck_assert_uint_eq(b.n, 78);   /* one full line of 76 */
	b.n = 0;
	pf_mimew_base64(&b, d, 58);
	ck_assert_uint_eq(b.n, 78 + 6);
	pf_mimew_buf_free(&b);
}
END_TEST

START_TEST(test_qp)
{
	struct pf_mimew_buf b = { 0 };
	char x[101];

	pf_mimew_qp(&b, (const uint8_t *)"a=b \nc\xc3\xa9", 8);
	ck_assert_str_eq(b.p, "a=3Db=20\r\nc=C3=A9\r\n");
	b.n = 0;
	pf_mimew_qp(&b, (const uint8_t *)"x\r\n", 3);
	ck_assert_str_eq(b.p, "x\r\n\r\n");   /* the text's own line end */
	b.n = 0;
	memset(x, 'x', 100);
	x[100] = '\0';
	pf_mimew_qp(&b, (const uint8_t *)x, 100);
	ck_assert_uint_le(longest(b.p), 76);
	ck_assert_str_eq(b.p + 75, "=\r\nxxxxxxxxxxxxxxxxxxxxxxxxx\r\n");
	pf_mimew_buf_free(&b);
}
END_TEST

static struct pf_mimew_msg *sample(void)
{
	struct pf_mimew_msg *m = calloc(1, sizeof(*m));
	static const char png[] = "\x89PNG\r\n\x1a\nbytes";

	m->nid = 0x200024;
	m->subject = strdup("Caf\xc3\xa9 menu");
	m->from.name = strdup("Alice");
	m->from.addr = strdup("alice@example.org");
	m->nrcpt = 2;
	m->rcpt = calloc(2, sizeof(*m->rcpt));
	m->rcpt[0] = (struct pf_mimew_addr){ .name = strdup("Bob"),
		.addr = strdup("bob@example.org"), .type = PF_MIMEW_TO };
	m->rcpt[1] = (struct pf_mimew_addr){ .name = strdup("Hidden"),
		.addr = strdup("hidden@example.org"), .type = PF_MIMEW_BCC };
	m->submit_time = 133000000000000000ull;
	m->importance = -1;
	m->priority = -2;
	m->sensitivity = -1;
	m->body_text = strdup("Line one\nFrom here\n--=_pf_ boundary-like\n");
	m->body_html = (uint8_t *)strdup("<p>hi <img src=\"cid:img1@x\"></p>");
	m->body_html_cb = strlen((char *)m->body_html);
	strcpy(m->html_charset, "utf-8");
	m->natt = 3;
	m->att = calloc(3, sizeof(*m->att));
	m->att[0].filename = strdup("image.png");
	m->att[0].content_id = strdup("img1@x");
	m->att[0].method = PF_ATT_BY_VALUE;
	m->att[0].cb = sizeof(png) - 1;
	m->att[0].data = malloc(m->att[0].cb);
	memcpy(m->att[0].data, png, m->att[0].cb);
	m->att[1].filename = strdup("Bericht \xc3\xbc.txt");
	m->att[1].method = PF_ATT_BY_VALUE;
	m->att[1].data = (uint8_t *)strdup("data\r\n");
	m->att[1].cb = 6;
	m->att[2].method = PF_ATT_EMBEDDED;
	m->att[2].embedded = calloc(1, sizeof(struct pf_mimew_msg));
	m->att[2].embedded->nid = 0x8061;
	m->att[2].embedded->subject = strdup("inner");
	m->att[2].embedded->body_text = strdup("inner text");
	m->att[2].embedded->importance = -1;
	m->att[2].embedded->priority = -2;
	m->att[2].embedded->sensitivity = -1;
	return m;
}

START_TEST(test_render)
{
	struct pf_mimew_msg *m = sample();
	struct pf_mimew_opts o = { 0 };
	struct pf_mimew_buf a = { 0 }, b = { 0 };
	struct pf_mail pm;

	ck_assert_int_eq(pf_mimew_render(&a, m, &o), 0);
	ck_assert_int_eq(pf_mimew_render(&b, m, &o), 0);
	assert_smtp_safe(&a);
	ck_assert_uint_eq(a.n, b.n);
	ck_assert(memcmp(a.p, b.p, a.n) == 0);   /* deterministic */
	ck_assert_ptr_null(strstr(a.p, "Bcc:"));
	ck_assert_ptr_nonnull(strstr(a.p, "Message-ID: <pstfix."));
	ck_assert_ptr_nonnull(strstr(a.p, "multipart/related"));
	ck_assert_ptr_nonnull(strstr(a.p, "Content-ID: <img1@x>"));

	ck_assert_int_eq(pf_mail_parse((uint8_t *)a.p, a.n, &pm), 0);
	ck_assert_uint_eq(pm.defects, 0);
	ck_assert_str_eq(pm.subject, "Caf\xc3\xa9 menu");
	ck_assert_str_eq(pm.from.addr, "alice@example.org");
	ck_assert_uint_eq(pm.nto, 1);
	ck_assert_uint_eq(pm.nbcc, 0);
	ck_assert_str_eq(pm.body_text, "Line one\r\nFrom here\r\n"
			 "--=_pf_ boundary-like\r\n");
	ck_assert_str_eq(pm.body_html, "<p>hi <img src=\"cid:img1@x\"></p>");
	ck_assert_uint_eq(pm.natt, 3);
	ck_assert_str_eq(pm.att[0].content_id, "img1@x");
	ck_assert_uint_eq(pm.att[0].cb, m->att[0].cb);
	ck_assert(memcmp(pm.att[0].data, m->att[0].data, m->att[0].cb) == 0);
	ck_assert_str_eq(pm.att[1].filename, "Bericht \xc3\xbc.txt");
	ck_assert_ptr_nonnull(pm.att[2].embedded);
	ck_assert_str_eq(pm.att[2].embedded->subject, "inner");
	pf_mail_free(&pm);

	b.n = 0;
	o.include_bcc = true;
	ck_assert_int_eq(pf_mimew_render(&b, m, &o), 0);
	ck_assert_ptr_nonnull(strstr(b.p, "\r\nBcc: Hidden "
				     "<hidden@example.org>\r\n"));
	pf_mimew_buf_free(&a);
	pf_mimew_buf_free(&b);
	pf_mimew_msg_free(m);
}
END_TEST

START_TEST(test_message_id)
{
	struct pf_mimew_msg m = { 0 };
	char *id;

	m.message_id = "<0001cc$a5$@user@host.example>";
	id = pf_mimew_message_id(&m);
	ck_assert_str_eq(id, "0001cc$a5$+40user@host.example");
	free(id);
	m.message_id = "<plain@example.org>";
	id = pf_mimew_message_id(&m);
	ck_assert_str_eq(id, "plain@example.org");
	free(id);
	/* derived: stable, from the search key, with the From domain */
	m.message_id = NULL;
	m.nid = 0x44;
	m.search_key = (uint8_t *)"0123456789abcdef";
	m.search_key_cb = 16;
	m.from.addr = "a@mail.example.org";
	id = pf_mimew_message_id(&m);
	ck_assert(strncmp(id, "pstfix.", 7) == 0);
	ck_assert(strlen(id) > 7 + 16);
	ck_assert_str_eq(id + 7 + 16, ".44@mail.example.org");
	free(id);
	/* an id whose escapes would pass one line (fuzz_mimew found it: 400
	 * spaces become 1200 octets) is replaced by the derived one */
	{
		char big[420];

		memset(big, ' ', sizeof(big));
		memcpy(big, "<a", 2);
		memcpy(big + sizeof(big) - 5, "@b>", 4);
		m.message_id = big;
		id = pf_mimew_message_id(&m);
		ck_assert(strncmp(id, "pstfix.", 7) == 0);
		free(id);
	}
}
END_TEST

START_TEST(test_vcard)
{
	struct pf_mimew_msg m = { 0 };
	struct pf_mimew_buf b = { 0 };
	char note[200];

	memset(note, 'n', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0';
	m.nid = 0x200044;
	m.message_class = "IPM.Contact";
	m.subject = "Doe, Jane";
	m.item.given = "Jane";
	m.item.surname = "Doe";
	m.item.email[0] = "jane@example.org";
	m.item.phone_mobile = "+1 555 0100";
	m.item.company = "ACME; Inc";
	m.body_text = note;
	ck_assert_int_eq(pf_mimew_kind_of(m.message_class), PF_MIMEW_VCARD);
	ck_assert_int_eq(pf_mimew_vcard(&b, &m), 0);
	/* RFC 6350: TEXT escapes (3.4), structured N (6.2.2), folding at 75
	 * octets with CRLF SPACE (3.2) */
	ck_assert(strncmp(b.p, "BEGIN:VCARD\r\nVERSION:4.0\r\n"
			  "FN:Doe\\, Jane\r\nN:Doe;Jane;;;\r\n", 54) == 0);
	ck_assert_ptr_nonnull(strstr(b.p, "\r\nORG:ACME\\; Inc\r\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "\r\nEMAIL:jane@example.org\r\n"));
	ck_assert_ptr_nonnull(strstr(b.p,
				     "\r\nTEL;TYPE=cell:+1 555 0100\r\n"));
	/* "NOTE:" and 70 octets make the first line's 75 */
	ck_assert_ptr_nonnull(strstr(b.p, "\r\nNOTE:" "nnnnnnnnnnnnnnnnnnnn"
		"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
		"\r\n nnn"));
	ck_assert_uint_le(longest(b.p), 75);
	pf_mimew_buf_free(&b);
	/* no name at all: not a vCard (the exporter writes mail instead) */
	m.subject = NULL;
	m.item.given = m.item.surname = m.item.company = NULL;
	ck_assert_int_eq(pf_mimew_vcard(&b, &m), PF_E_NOTFOUND);
	pf_mimew_buf_free(&b);
}
END_TEST

START_TEST(test_ical)
{
	struct pf_mimew_msg m = { 0 };
	struct pf_mimew_buf b = { 0 };

	m.nid = 0x200064;
	m.message_class = "IPM.Appointment";
	m.subject = "Review, part 2";
	m.item.location = "Room 1";
	/* 2026-01-01 09:30:00 UTC and 10:00:00 (FILETIME) */
	m.item.start = (uint64_t)(1767259800ll + 11644473600ll) * 10000000ull;
	m.item.end = (uint64_t)(1767261600ll + 11644473600ll) * 10000000ull;
	ck_assert_int_eq(pf_mimew_kind_of(m.message_class), PF_MIMEW_VEVENT);
	ck_assert_int_eq(pf_mimew_ical(&b, &m, PF_MIMEW_VEVENT), 0);
	ck_assert_ptr_nonnull(strstr(b.p, "\r\nDTSTART:20260101T093000Z\r\n"
				     "DTEND:20260101T100000Z\r\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "\r\nSUMMARY:Review\\, part 2\r\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "\r\nLOCATION:Room 1\r\n"));
	ck_assert_ptr_nonnull(strstr(b.p, "\r\nUID:pstfix."));
	ck_assert_ptr_nonnull(strstr(b.p, "END:VEVENT\r\nEND:VCALENDAR\r\n"));
	b.n = 0;
	m.item.all_day = true;
	ck_assert_int_eq(pf_mimew_ical(&b, &m, PF_MIMEW_VEVENT), 0);
	ck_assert_ptr_nonnull(strstr(b.p, "DTSTART;VALUE=DATE:20260101\r\n"));
	pf_mimew_buf_free(&b);
	m.item.start = 0;   /* no start: not an event */
	ck_assert_int_eq(pf_mimew_ical(&b, &m, PF_MIMEW_VEVENT),
			 PF_E_NOTFOUND);
	ck_assert_int_eq(pf_mimew_kind_of("IPM.Task"), PF_MIMEW_VTODO);
	ck_assert_int_eq(pf_mimew_kind_of("IPM.Note"), PF_MIMEW_MAIL);
	ck_assert_int_eq(pf_mimew_kind_of("IPM.Contactless"), PF_MIMEW_MAIL);
	pf_mimew_buf_free(&b);
}
END_TEST

/* The literal S occurs in D[N]. */
#define HAS(d, n, s) (memmem((d), (n), (s), sizeof(s) - 1) != NULL)

START_TEST(test_meeting)
{
	struct pf_mimew_msg *m = sample();
	struct pf_mimew_buf b = { 0 };
	struct pf_mail pm;
	bool cal = false;

	m->message_class = strdup("IPM.Schedule.Meeting.Request");
	m->item.start = (uint64_t)(1767259800ll + 11644473600ll) *
		10000000ull;
	ck_assert_str_eq(pf_mimew_meeting_method(m->message_class),
			 "REQUEST");
	ck_assert_int_eq(pf_mimew_render(&b, m, NULL), 0);
	assert_smtp_safe(&b);
	/* RFC 6047 2.4, RFC 5546 3.2.2 */
	ck_assert_ptr_nonnull(strstr(b.p, "Content-Type: text/calendar; "
				     "charset=\"utf-8\"; method=\"REQUEST\""));
	ck_assert_int_eq(pf_mail_parse((uint8_t *)b.p, b.n, &pm), 0);
	ck_assert_uint_eq(pm.defects, 0);
	/* the parser keeps an alternative it does not show as a part; the
	 * calendar is quoted-printable here (the DESCRIPTION has "=_pf_") */
	for (size_t i = 0; i < pm.natt; i++) {
		const char *d = (const char *)pm.att[i].data;
		size_t n = pm.att[i].cb;

		if (strcmp(pm.att[i].mime_type, "text/calendar") != 0)
			continue;
		cal = true;
		ck_assert(HAS(d, n, "\r\nMETHOD:REQUEST\r\n"));
		ck_assert(HAS(d, n, "\r\nORGANIZER:mailto:alice@example.org"
			      "\r\n"));
		ck_assert(HAS(d, n, "\r\nATTENDEE;ROLE=REQ-PARTICIPANT:"
			      "mailto:bob@example.org\r\n"));
		ck_assert(!HAS(d, n, "hidden@"));   /* Bcc */
	}
	ck_assert(cal);
	ck_assert_str_eq(pm.body_text, "Line one\r\nFrom here\r\n"
			 "--=_pf_ boundary-like\r\n");
	pf_mail_free(&pm);
	ck_assert_ptr_null(pf_mimew_meeting_method("IPM.Note"));
	ck_assert_str_eq(pf_mimew_meeting_method(
		"IPM.Schedule.Meeting.Resp.Pos"), "REPLY");
	ck_assert_str_eq(pf_mimew_meeting_method(
		"IPM.Schedule.Meeting.Canceled"), "CANCEL");
	pf_mimew_buf_free(&b);
	pf_mimew_msg_free(m);
}
END_TEST

/* A One-Off EntryID (MS-OXCDATA 2.2.5.1) written out by hand: Flags 0,
 * MAPI's one-off UID, Version 0, flags 0x8000 (U: UTF-16LE strings)
 * stored as 00 80, then "Bob", "SMTP", "bob@example.org", NUL-ended. */
static size_t oneoff(uint8_t *p, const char *const s[3])
{
	static const uint8_t head[24] = {
		0, 0, 0, 0, 0x81, 0x2B, 0x1F, 0xA4, 0xBE, 0xA3, 0x10, 0x19,
		0x9D, 0x6E, 0x00, 0xDD, 0x01, 0x0F, 0x54, 0x02, 0, 0, 0x00,
		0x80 };
	size_t n = sizeof(head);

	memcpy(p, head, n);
	for (int i = 0; i < 3; i++) {
		for (const char *c = s[i]; *c; c++) {
			p[n++] = (uint8_t)*c;
			p[n++] = 0;
		}
		p[n++] = 0;
		p[n++] = 0;
	}
	return n;
}

START_TEST(test_flat_entries)
{
	static const char *const bob[3] = { "Bob", "SMTP", "bob@example.org" };
	static const char *const ex[3] = { "X", "EX", "/O=ORG/CN=X" };
	uint8_t fl[512];
	struct pf_mimew_addr *v;
	struct pf_mimew_buf b = { 0 };
	size_t n = 8, k, count;

	/* FlatEntryList (MS-OXCDATA 2.3.3): count, size, then FlatEntry
	 * (cb, EntryID, padding to 4) for each */
	memset(fl, 0, sizeof(fl));
	fl[0] = 2;
	k = oneoff(fl + n + 4, ex);
	fl[n] = (uint8_t)k;
	n += 4 + ((k + 3) & ~(size_t)3);
	k = oneoff(fl + n + 4, bob);
	fl[n] = (uint8_t)k;
	n += 4 + ((k + 3) & ~(size_t)3);
	fl[4] = (uint8_t)(n - 8);
	ck_assert_int_eq(pmw_flat_entries(fl, n, &v, &count), 0);
	ck_assert_uint_eq(count, 1);   /* the EX one-off is not SMTP */
	pf_mimew_field_addrs(&b, "Reply-To", v, count);
	ck_assert_str_eq(b.p, "Reply-To: Bob <bob@example.org>\r\n");
	free(v[0].name);
	free(v[0].addr);
	free(v);
	/* truncated: the second entry's size runs past the value */
	ck_assert_int_eq(pmw_flat_entries(fl, n - 10, &v, &count), 0);
	ck_assert_uint_eq(count, 0);
	free(v);
	pf_mimew_buf_free(&b);
}
END_TEST

/* An empty sender address is written as empty names and addresses beside
 * the address types ("SMTP"); the reader takes an empty string for none,
 * so From is a type alone and falls back to the sender, whose type
 * replaces From's own. */
START_TEST(test_read_addrtype_only)
{
	char path[] = "/tmp/pstfix-test-mimew-XXXXXX";
	struct pf_write_opts wo = { .variant = PF_UNICODE };
	struct pf_storew_opts so = { .now = pf_filetime_from_unix(
					     1700000000), .seed = 3 };
	struct pf_msgw_message wm = { .subject = "s", .sender_addr = "",
				      .body_text = "b\n" };
	struct pf_storew *s;
	struct pf_ndb *ndb;
	struct pf_message m;
	struct pf_mimew_msg *msg;
	uint32_t nid = 0;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(pf_storew_open(&s, path, &wo, &so), 0);
	ck_assert_int_eq(pf_storew_add_message(s, pf_storew_std_folder(s,
			 PF_FOLDER_INBOX), &wm, &nid), 0);
	ck_assert_int_eq(pf_storew_commit(s), 0);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_message_open(&m, ndb, nid), 0);
	ck_assert_int_eq(pf_mimew_read(&msg, &m, NULL), 0);
	ck_assert_ptr_null(msg->from.name);
	ck_assert_ptr_null(msg->from.addr);
	ck_assert_str_eq(msg->from.addrtype, "SMTP");
	ck_assert(!msg->has_sender);
	ck_assert_str_eq(msg->subject, "s");
	pf_mimew_msg_free(msg);
	pf_message_close(&m);
	pf_ndb_close(ndb);
	unlink(path);
}
END_TEST

static Suite *mimew_suite(void)
{
	Suite *s = suite_create("mimew");
	TCase *tc = tcase_create("mimew");

	tcase_add_test(tc, test_ew_known);
	tcase_add_test(tc, test_ew_split);
	tcase_add_test(tc, test_fold_unfold);
	tcase_add_test(tc, test_injection);
	tcase_add_loop_test(tc, test_addresses, 0,
			    sizeof(addr_cases) / sizeof(addr_cases[0]));
	tcase_add_test(tc, test_rfc2231);
	tcase_add_test(tc, test_rfc2231_long);
	tcase_add_test(tc, test_base64);
	tcase_add_test(tc, test_qp);
	tcase_add_test(tc, test_render);
	tcase_add_test(tc, test_message_id);
	tcase_add_test(tc, test_vcard);
	tcase_add_test(tc, test_ical);
	tcase_add_test(tc, test_meeting);
	tcase_add_test(tc, test_flat_entries);
	tcase_add_test(tc, test_read_addrtype_only);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mimew_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
