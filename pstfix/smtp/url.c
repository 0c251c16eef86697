/*
 * url.c - "smtps://HOST[:PORT]" and "smtp://HOST[:PORT]" into a
 * struct pf_smtp_server (smtp.h).
 *
 * Contract: the scheme picks the security and the default port: smtps
 * is implicit TLS on 465 (RFC 8314 3.3), smtp is STARTTLS on 587 (RFC
 * 6409 / RFC 3207); the caller lowers smtp to cleartext itself (--tls=
 * none).  HOST is a DNS name or IPv4 literal of letters, digits, '-' and
 * '.', or an IPv6 literal in brackets.  User info, paths, queries, empty
 * or out-of-range ports are usage errors: a URL we half understand must
 * not send mail somewhere else.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "smtp.h"

static int bad(const char *url, const char *why)
{
	return pf_error_set(PF_E_USAGE, "bad server URL '%.200s': %s", url,
			    why);
}

static bool host_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.';
}

static bool v6_char(char c)
{
	return isxdigit((unsigned char)c) || c == ':' || c == '.';
}

/* The port after ':' up to the end: 1..65535, digits only. */
static int parse_port(const char *p, const char *url, uint16_t *port)
{
	unsigned long v = 0;

	if (*p == '\0' || *p == '/')
		return bad(url, "empty port");
	for (; *p && strcmp(p, "/") != 0; p++) {
		if (!isdigit((unsigned char)*p))
			return bad(url, "the port is not a number (paths "
				   "and options are not accepted)");
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 65535)
			return bad(url, "port out of range");
	}
	if (v == 0)
		return bad(url, "port 0");
	*port = (uint16_t)v;
	return 0;
}

/* HOST (bracketed or not) at P; *END gets the char after it. */
static int parse_host(struct pf_smtp_server *out, const char *p,
		      const char *url, const char **end)
{
	const char *q = p;
	size_t n;

	if (*p == '[') {
		for (q = p + 1; v6_char(*q); q++)
			;
		if (*q != ']' || q == p + 1)
			return bad(url, "bad IPv6 literal");
		n = (size_t)(q - p - 1);
		p++;
		q++;
	} else {
		while (host_char(*q))
			q++;
		n = (size_t)(q - p);
		if (n == 0)
			return bad(url, "no host");
	}
	if (n >= sizeof(out->host))
		return bad(url, "host name too long");
	memcpy(out->host, p, n);
	out->host[n] = '\0';
	*end = q;
	return 0;
}

int pf_smtp_url_parse(struct pf_smtp_server *out, const char *url)
{
	const char *p;
	int rc;

	memset(out, 0, sizeof(*out));
	if (strncasecmp(url, "smtps://", 8) == 0) {
		out->security = PF_SMTP_IMPLICIT_TLS;
		out->port = 465;
		p = url + 8;
	} else if (strncasecmp(url, "smtp://", 7) == 0) {
		out->security = PF_SMTP_STARTTLS_REQUIRED;
		out->port = 587;
		p = url + 7;
	} else {
		return bad(url, "expected smtp://HOST[:PORT] or "
			   "smtps://HOST[:PORT]");
	}
	rc = parse_host(out, p, url, &p);
	if (rc < 0)
		return rc;
	if (*p == ':')
		return parse_port(p + 1, url, &out->port);
	if (*p == '/' && p[1] == '\0')
		return 0;
	if (*p == '@')
		return bad(url, "user info is not accepted (use --user)");
	if (*p != '\0')
		return bad(url, "unexpected text after the host");
	return 0;
}
