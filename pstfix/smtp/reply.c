/*
 * reply.c - the grammar of an SMTP reply (RFC 5321 4.2), one line at a
 * time, with no I/O: the session feeds it what lineio.c read, the unit
 * tests and the fuzzer feed it bytes.
 *
 * Contract
 * - A line is "NNN-text" (more lines follow), "NNN text" or "NNN" (the
 *   last line).  NNN is 2-5, 0-5, 0-9 (RFC 5321 4.2: reply codes); every
 *   line of one reply carries the same code (4.2.1), else the reply is
 *   malformed.  Lines longer than 512 octets with CRLF (4.5.3.1.5) or
 *   more than SMTP_REPLY_LINES_MAX lines are a protocol error: a server
 *   cannot make us buffer without bound.
 * - r->text joins the lines' text with one space, control characters
 *   dropped (the text ends up on a terminal and in the journal), cut at
 *   sizeof(r->text) - 1.
 * - Enhanced status codes (RFC 3463 2, RFC 2034): taken from the first
 *   line's text when it starts with "c.sss.ddd " where c is the reply
 *   code's first digit (2, 4 or 5); a code of another class is the
 *   server's confusion and ignored.  The check does not depend on the
 *   EHLO keyword ENHANCEDSTATUSCODES because the greeting (554 5.7.1 ...)
 *   comes before EHLO; a text that merely starts with digits and dots
 *   of the right class is the only false positive, and it is harmless.
 */
#include <string.h>

#include "smtp_int.h"

static const char *const stage_names[] = {
	[PF_SMTP_CONNECT] = "connect",
	[PF_SMTP_GREETING] = "greeting",
	[PF_SMTP_EHLO] = "EHLO",
	[PF_SMTP_HELO] = "HELO",
	[PF_SMTP_STARTTLS] = "STARTTLS",
	[PF_SMTP_AUTH] = "AUTH",
	[PF_SMTP_MAIL] = "MAIL FROM",
	[PF_SMTP_RCPT] = "RCPT TO",
	[PF_SMTP_DATA] = "DATA",
	[PF_SMTP_DOT] = "end of data",
	[PF_SMTP_RSET] = "RSET",
	[PF_SMTP_QUIT] = "QUIT",
	[PF_SMTP_TLS] = "TLS handshake",
};

const char *pf_smtp_stage_name(enum pf_smtp_stage s)
{
	if ((unsigned)s >= sizeof(stage_names) / sizeof(stage_names[0]))
		return "?";
	return stage_names[s];
}

enum pf_smtp_class pf_smtp_classify(const struct pf_smtp_reply *r)
{
	if (r->code >= 200 && r->code < 400)
		return PF_SMTP_POSITIVE;
	if (r->code >= 400 && r->code < 500)
		return PF_SMTP_TRANSIENT;
	if (r->code >= 500 && r->code < 600)
		return PF_SMTP_PERMANENT;
	return PF_SMTP_NOREPLY;
}

void smtp_no_reply(struct pf_smtp_reply *r, enum pf_smtp_stage stage)
{
	memset(r, 0, sizeof(*r));
	r->stage = stage;
}

void smtp_reply_begin(struct smtp_reply_parser *p, struct pf_smtp_reply *r,
		      enum pf_smtp_stage stage)
{
	memset(p, 0, sizeof(*p));
	memset(r, 0, sizeof(*r));
	r->stage = stage;
	p->r = r;
}

/* NNN per RFC 5321 4.2: first digit 2-5, second 0-5, third 0-9. */
static int parse_code(const char *line)
{
	if (line[0] < '2' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '5' || line[2] < '0' || line[2] > '9')
		return -1;
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 +
	       (line[2] - '0');
}

/* Append TEXT (LEN bytes) to r->text, controls dropped, one space
 * between lines. */
static void add_text(struct smtp_reply_parser *p, const char *text,
		     size_t len)
{
	char *t = p->r->text;
	size_t cap = sizeof(p->r->text) - 1;

	if (p->textlen > 0 && len > 0 && p->textlen < cap)
		t[p->textlen++] = ' ';
	for (size_t i = 0; i < len && p->textlen < cap; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 || c == 0x7f)
			continue;
		t[p->textlen++] = (char)c;
	}
	t[p->textlen] = '\0';
}

/* Keep the raw line text for the EHLO keywords (caps.c). */
static void add_line(struct smtp_reply_parser *p, const char *text,
		     size_t len)
{
	size_t room = sizeof(p->lines) - 1 - p->lineslen;

	if (room < 2)
		return;
	if (p->lineslen > 0) {
		p->lines[p->lineslen++] = '\n';
		room--;
	}
	for (size_t i = 0; i < len && room > 0; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 || c == 0x7f)
			continue;
		p->lines[p->lineslen++] = (char)c;
		room--;
	}
	p->lines[p->lineslen] = '\0';
}

int smtp_reply_line(struct smtp_reply_parser *p, const char *line,
		    size_t len)
{
	int code;
	bool last;

	if (len + 2 > SMTP_LINE_MAX)
		return pf_error_set(PF_SMTP_E_PROTO, "reply line longer than "
				    "%d octets (RFC 5321 4.5.3.1.5)",
				    SMTP_LINE_MAX);
	if (++p->nlines > SMTP_REPLY_LINES_MAX)
		return pf_error_set(PF_SMTP_E_PROTO, "reply of more than %d "
				    "lines", SMTP_REPLY_LINES_MAX);
	code = len >= 3 ? parse_code(line) : -1;
	if (code < 0 || (len > 3 && line[3] != ' ' && line[3] != '-'))
		return pf_error_set(PF_SMTP_E_PROTO, "malformed reply line "
				    "(RFC 5321 4.2): '%.60s'",
				    len ? line : "");
	if (p->nlines > 1 && code != p->r->code)
		return pf_error_set(PF_SMTP_E_PROTO, "reply code changed from "
				    "%d to %d inside one reply (RFC 5321 "
				    "4.2.1)", p->r->code, code);
	p->r->code = code;
	last = len == 3 || line[3] == ' ';
	if (len > 4) {
		add_text(p, line + 4, len - 4);
		add_line(p, line + 4, len - 4);
	} else {
		add_line(p, "", 0);
	}
	if (!last)
		return 0;
	smtp_reply_enhanced(p->r);
	return 1;
}

/* 1-3 digits at *P; advances *P; -1 when none or too many. */
static int enh_number(const char **pp, int max_digits)
{
	const char *q = *pp;
	int v = 0, n = 0;

	while (*q >= '0' && *q <= '9') {
		if (++n > max_digits)
			return -1;
		v = v * 10 + (*q - '0');
		q++;
	}
	if (n == 0)
		return -1;
	*pp = q;
	return v;
}

void smtp_reply_enhanced(struct pf_smtp_reply *r)
{
	const char *q = r->text;
	int cls, subj, det;

	r->enh[0] = r->enh[1] = r->enh[2] = 0;
	/* RFC 3463 2: class "." subject "." detail, class 2, 4 or 5,
	 * subject and detail 1-3 digits */
	cls = enh_number(&q, 1);
	if (cls < 0 || *q++ != '.')
		return;
	subj = enh_number(&q, 3);
	if (subj < 0 || *q++ != '.')
		return;
	det = enh_number(&q, 3);
	if (det < 0 || (*q != ' ' && *q != '\0'))
		return;
	if ((cls != 2 && cls != 4 && cls != 5) || cls != r->code / 100)
		return;
	r->enh[0] = cls;
	r->enh[1] = subj;
	r->enh[2] = det;
}
