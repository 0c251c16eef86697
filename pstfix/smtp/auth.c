/*
 * auth.c - SMTP AUTH (RFC 4954) with PLAIN (RFC 4616), LOGIN
 * (draft-murchison-sasl-login) and XOAUTH2 (Google's and Microsoft's
 * documented SASL profile), and the base64 it needs (RFC 4648 4).
 *
 * Contract
 * - Only over TLS: a credential never crosses the wire in cleartext
 *   (RFC 4954 4 and 14, RFC 8314); without TLS this is PF_SMTP_E_AUTH
 *   and nothing is sent.
 * - PF_SMTP_AUTH_AUTO picks PLAIN, then LOGIN, from what EHLO offered;
 *   XOAUTH2 only when asked for (the secret is then a bearer token).  A
 *   mechanism the server does not offer is PF_SMTP_E_AUTH.
 * - The trace shows "AUTH PLAIN (redacted)" and "C: (redacted)" for
 *   every client line that carries a credential; buffers that held one
 *   are wiped (explicit_bzero) before return.
 * - 235 is success; any other final reply (535, 454, 534 ...) goes back
 *   to the caller as the reply.  A 334 challenge where none is expected
 *   is answered with "*" (cancel, RFC 4954 4) and the final reply
 *   returned; XOAUTH2's 334 error challenge (base64 JSON) is answered
 *   with an empty line, after which the server sends its final reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtp_int.h"

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int smtp_b64_encode(char *out, size_t out_cb, const void *in, size_t cb)
{
	const unsigned char *p = in;
	size_t o = 0;

	if (out_cb == 0 || (cb + 2) / 3 * 4 + 1 > out_cb)
		return -1;
	for (size_t i = 0; i < cb; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		size_t left = cb - i;

		if (left > 1)
			v |= (unsigned)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = left > 1 ? b64[(v >> 6) & 63] : '=';
		out[o++] = left > 2 ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return 0;
}

struct auth_buf {
	char raw[SMTP_AUTH_LINE_MAX / 2];
	char enc[SMTP_AUTH_LINE_MAX - 32];
	char line[SMTP_AUTH_LINE_MAX];
};

static void wipe(struct auth_buf *b)
{
	explicit_bzero(b, sizeof(*b));
}

/* Send a client line carrying a credential, shown as SHOWN. */
static int secret_line(struct pf_smtp *s, const char *line, const char *shown,
		       struct pf_smtp_reply *r)
{
	return smtp_command(s, line, shown, PF_SMTP_AUTH,
			    smtp_timeout(s, PF_SMTP_AUTH), r);
}

static int too_long(struct pf_smtp *s)
{
	return smtp_dead(s, PF_SMTP_E_AUTH, "the credential is too long for "
			 "an AUTH line (RFC 4954 4: 12288 octets)");
}

/* base64 of RAW (N bytes) into b->enc. */
static int encode(struct pf_smtp *s, struct auth_buf *b, const char *raw,
		  size_t n)
{
	if (smtp_b64_encode(b->enc, sizeof(b->enc), raw, n) < 0)
		return too_long(s);
	return 0;
}

/* A 334 where the exchange should have ended: cancel with "*". */
static int cancel_if_334(struct pf_smtp *s, struct pf_smtp_reply *r)
{
	if (r->code != 334)
		return 0;
	return secret_line(s, "*", NULL, r);
}

static int auth_plain(struct pf_smtp *s, struct auth_buf *b,
		      struct pf_smtp_reply *r)
{
	size_t u = strlen(s->opts.user), p = strlen(s->opts.secret);
	int rc;

	/* RFC 4616 2: [authzid] NUL authcid NUL passwd */
	if (u + p + 2 > sizeof(b->raw))
		return too_long(s);
	b->raw[0] = '\0';
	memcpy(b->raw + 1, s->opts.user, u);
	b->raw[1 + u] = '\0';
	memcpy(b->raw + 2 + u, s->opts.secret, p);
	rc = encode(s, b, b->raw, u + p + 2);
	if (rc < 0)
		return rc;
	snprintf(b->line, sizeof(b->line), "AUTH PLAIN %s", b->enc);
	rc = secret_line(s, b->line, "AUTH PLAIN (redacted)", r);
	if (rc < 0)
		return rc;
	return cancel_if_334(s, r);
}

static int auth_login(struct pf_smtp *s, struct auth_buf *b,
		      struct pf_smtp_reply *r)
{
	const char *parts[2] = { s->opts.user, s->opts.secret };
	int rc = secret_line(s, "AUTH LOGIN", NULL, r);

	for (int i = 0; i < 2; i++) {
		if (rc < 0 || r->code != 334)
			return rc;
		rc = encode(s, b, parts[i], strlen(parts[i]));
		if (rc < 0)
			return rc;
		rc = secret_line(s, b->enc, "(redacted)", r);
	}
	if (rc < 0)
		return rc;
	return cancel_if_334(s, r);
}

static int auth_xoauth2(struct pf_smtp *s, struct auth_buf *b,
			struct pf_smtp_reply *r)
{
	int n = snprintf(b->raw, sizeof(b->raw), "user=%s\001auth=Bearer "
			 "%s\001\001", s->opts.user, s->opts.secret);
	int rc;

	if (n < 0 || (size_t)n >= sizeof(b->raw))
		return too_long(s);
	rc = encode(s, b, b->raw, (size_t)n);
	if (rc < 0)
		return rc;
	snprintf(b->line, sizeof(b->line), "AUTH XOAUTH2 %s", b->enc);
	rc = secret_line(s, b->line, "AUTH XOAUTH2 (redacted)", r);
	if (rc < 0 || r->code != 334)
		return rc;
	/* the error challenge: an empty response gets the final reply */
	return secret_line(s, "", NULL, r);
}

/* A control character would break the SASL message's framing (XOAUTH2
 * separates its fields with 0x01) or smuggle something into it. */
static bool has_control(const char *p)
{
	for (; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

static const char *wanted_name(enum pf_smtp_auth_mech m)
{
	switch (m) {
	case PF_SMTP_AUTH_PLAIN:   return "PLAIN";
	case PF_SMTP_AUTH_LOGIN:   return "LOGIN";
	case PF_SMTP_AUTH_XOAUTH2: return "XOAUTH2";
	default:                   return "PLAIN or LOGIN";
	}
}

/* Which mechanism, or PF_SMTP_AUTH_NONE when none fits. */
static enum pf_smtp_auth_mech choose(const struct pf_smtp *s)
{
	unsigned offered = s->caps.auth;
	enum pf_smtp_auth_mech want = s->opts.auth;

	if (want == PF_SMTP_AUTH_AUTO) {
		if (offered & (1u << PF_SMTP_AUTH_PLAIN))
			return PF_SMTP_AUTH_PLAIN;
		if (offered & (1u << PF_SMTP_AUTH_LOGIN))
			return PF_SMTP_AUTH_LOGIN;
		return PF_SMTP_AUTH_NONE;
	}
	return (offered & (1u << want)) ? want : PF_SMTP_AUTH_NONE;
}

int smtp_auth(struct pf_smtp *s, struct pf_smtp_reply *r)
{
	struct auth_buf *b;
	enum pf_smtp_auth_mech m;
	int rc;

	if (s->ssl == NULL)
		return smtp_dead(s, PF_SMTP_E_AUTH, "AUTH refused: the "
				 "connection is not encrypted (TLS needed "
				 "for AUTH)");
	if (s->opts.user == NULL || s->opts.secret == NULL)
		return smtp_dead(s, PF_SMTP_E_AUTH, "AUTH needs a user name "
				 "and a password or token");
	if (has_control(s->opts.user) ||
	    (s->opts.auth == PF_SMTP_AUTH_XOAUTH2 &&
	     has_control(s->opts.secret)))
		return smtp_dead(s, PF_SMTP_E_AUTH, "the user name or token "
				 "holds a control character");
	m = choose(s);
	if (m == PF_SMTP_AUTH_NONE)
		return smtp_dead(s, PF_SMTP_E_AUTH, "%s offers no AUTH "
				 "mechanism we may use here (asked: %s)",
				 s->server.host, wanted_name(s->opts.auth));
	b = malloc(sizeof(*b));
	if (b == NULL)
		return smtp_dead(s, PF_E_NOMEM, "out of memory");
	if (m == PF_SMTP_AUTH_PLAIN)
		rc = auth_plain(s, b, r);
	else if (m == PF_SMTP_AUTH_LOGIN)
		rc = auth_login(s, b, r);
	else
		rc = auth_xoauth2(s, b, r);
	wipe(b);
	free(b);
	return rc;
}

bool pf_smtp_auth_parse(const char *name, enum pf_smtp_auth_mech *out)
{
	static const struct {
		const char *name;
		enum pf_smtp_auth_mech mech;
	} t[] = {
		{ "plain", PF_SMTP_AUTH_PLAIN },
		{ "login", PF_SMTP_AUTH_LOGIN },
		{ "xoauth2", PF_SMTP_AUTH_XOAUTH2 },
		{ "auto", PF_SMTP_AUTH_AUTO },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcasecmp(name, t[i].name) == 0) {
			*out = t[i].mech;
			return true;
		}
	return false;
}
