/*
 * caps.c - the EHLO reply's service extensions (RFC 5321 4.1.1.1) into
 * struct pf_smtp_caps.
 *
 * Contract: LINES is the reply's text, one line per '\n'; the first line
 * is the server's name and greeting, each later line "KEYWORD [params]".
 * Keywords are case-insensitive (RFC 5321 2.4).  Known: SIZE [n] (RFC
 * 1870), STARTTLS (RFC 3207), AUTH mech... (RFC 4954 3; "AUTH=" is the
 * old form some servers still send), PIPELINING (RFC 2920), 8BITMIME
 * (RFC 6152), SMTPUTF8 (RFC 6531), ENHANCEDSTATUSCODES (RFC 2034).
 * Others are ignored.  CAPS is rewritten whole: after STARTTLS nothing
 * learned before the handshake survives (RFC 3207 4.2).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtp_int.h"

/* Does the line start with keyword KW followed by end, space or '='? */
static const char *keyword(const char *line, size_t len, const char *kw)
{
	size_t n = strlen(kw);

	if (len < n || strncasecmp(line, kw, n) != 0)
		return NULL;
	if (len == n)
		return line + n;
	if (line[n] == ' ' || line[n] == '=')
		return line + n + 1;
	return NULL;
}

static unsigned auth_bit(const char *w, size_t n)
{
	if (n == 5 && strncasecmp(w, "PLAIN", 5) == 0)
		return 1u << PF_SMTP_AUTH_PLAIN;
	if (n == 5 && strncasecmp(w, "LOGIN", 5) == 0)
		return 1u << PF_SMTP_AUTH_LOGIN;
	if (n == 7 && strncasecmp(w, "XOAUTH2", 7) == 0)
		return 1u << PF_SMTP_AUTH_XOAUTH2;
	return 0;
}

/* The mechanisms named in P..END, space-separated. */
static unsigned auth_mechs(const char *p, const char *end)
{
	unsigned bits = 0;

	while (p < end) {
		const char *w;

		while (p < end && *p == ' ')
			p++;
		w = p;
		while (p < end && *p != ' ')
			p++;
		bits |= auth_bit(w, (size_t)(p - w));
	}
	return bits;
}

/* SIZE's optional limit; 0 when absent, malformed or 0 (no limit). */
static uint64_t size_limit(const char *p, const char *end)
{
	uint64_t v = 0;

	for (; p < end && isdigit((unsigned char)*p); p++) {
		if (v > UINT64_MAX / 10 - 1)
			return 0;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	return v;
}

static void one_line(struct pf_smtp_caps *caps, const char *l, size_t len)
{
	const char *end = l + len;
	const char *arg = keyword(l, len, "AUTH");

	if (arg != NULL) {
		caps->auth |= auth_mechs(arg, end);
		return;
	}
	arg = keyword(l, len, "SIZE");
	if (arg != NULL) {
		caps->size = true;
		caps->size_max = size_limit(arg, end);
		return;
	}
	if (keyword(l, len, "STARTTLS"))
		caps->starttls = true;
	else if (keyword(l, len, "PIPELINING"))
		caps->pipelining = true;
	else if (keyword(l, len, "8BITMIME"))
		caps->eightbitmime = true;
	else if (keyword(l, len, "SMTPUTF8"))
		caps->smtputf8 = true;
	else if (keyword(l, len, "ENHANCEDSTATUSCODES"))
		caps->enhancedcodes = true;
}

void smtp_caps_parse(struct pf_smtp_caps *caps, const char *lines)
{
	const char *p = strchr(lines, '\n');

	memset(caps, 0, sizeof(*caps));
	caps->esmtp = true;
	snprintf(caps->lines, sizeof(caps->lines), "%s", lines);
	while (p != NULL) {
		const char *l = p + 1, *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);

		one_line(caps, l, len);
		p = nl;
	}
}
