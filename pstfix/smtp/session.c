/*
 * session.c - a session's life: connect and greeting, EHLO, STARTTLS,
 * the envelope commands, RSET, QUIT, close; and the accessors.
 *
 * Contract (see smtp.h for the caller's view)
 * - Order, each step only after a positive reply to the one before:
 *   connect (implicit TLS handshake first, RFC 8314 3.3), greeting
 *   (RFC 5321 4.3.1), EHLO (4.1.1.1; HELO only in cleartext after a 5xx,
 *   4.1.4), STARTTLS (RFC 3207 4) with EHLO again, AUTH (auth.c).
 * - STARTTLS is required, never skipped, for PF_SMTP_STARTTLS_REQUIRED:
 *   no STARTTLS keyword is PF_SMTP_E_NOTLS; bytes received after the
 *   220 and before the handshake are PF_SMTP_E_PROTO (RFC 3207 4.2 and
 *   CVE-2011-0411: they would be read as if they came over TLS); what
 *   the first EHLO said is forgotten (RFC 3207 4.2).
 * - MAIL and RCPT check their address with pf_smtp_addr_ok() before
 *   anything is sent (PF_E_USAGE, the session stays usable).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtp_int.h"

static unsigned pick(unsigned v, unsigned def)
{
	return v ? v : def;
}

unsigned smtp_timeout(const struct pf_smtp *s, enum pf_smtp_stage t)
{
	const struct pf_smtp_opts *o = &s->opts;

	switch (t) {
	case PF_SMTP_CONNECT:  return pick(o->connect_ms, SMTP_CONNECT_MS);
	case PF_SMTP_GREETING: return pick(o->greeting_ms, SMTP_GREETING_MS);
	case PF_SMTP_DATA:     return pick(o->data_ms, SMTP_DATA_MS);
	case PF_SMTP_DOT:      return pick(o->dot_ms, SMTP_DOT_MS);
	case PF_SMTP_QUIT:     return SMTP_QUIT_MS;
	default:               return pick(o->command_ms, SMTP_COMMAND_MS);
	}
}

static bool positive(const struct pf_smtp_reply *r)
{
	return pf_smtp_classify(r) == PF_SMTP_POSITIVE;
}

int pf_smtp_connect(struct pf_smtp **out,
		    const struct pf_smtp_server *server,
		    const struct pf_smtp_opts *opts, struct pf_smtp_reply *r)
{
	struct pf_smtp *s = calloc(1, sizeof(*s));
	int rc;

	memset(r, 0, sizeof(*r));
	r->stage = PF_SMTP_CONNECT;
	*out = s;
	if (s == NULL)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	s->fd = -1;
	s->server = *server;
	s->opts = *opts;
	rc = smtp_conn_open(s, smtp_timeout(s, PF_SMTP_CONNECT));
	if (rc < 0)
		return rc;
	if (server->security == PF_SMTP_IMPLICIT_TLS) {
		r->stage = PF_SMTP_TLS;
		rc = smtp_tls_start(s, smtp_now_ms() +
				    smtp_timeout(s, PF_SMTP_CONNECT));
		if (rc < 0)
			return rc;
	}
	rc = smtp_read_reply(s, PF_SMTP_GREETING,
			     smtp_timeout(s, PF_SMTP_GREETING), r, NULL, 0);
	if (rc < 0)
		return rc;
	snprintf(s->greeting, sizeof(s->greeting), "%d %.500s", r->code,
		 r->text);
	return 0;
}

/* The EHLO argument: opts.helo_name, else this host's name when it
 * looks like a FQDN, else our address literal (RFC 5321 4.1.3). */
static void helo_name(struct pf_smtp *s, char *out, size_t cb)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[256], ip[INET6_ADDRSTRLEN];

	if (s->opts.helo_name != NULL) {
		snprintf(out, cb, "%s", s->opts.helo_name);
		return;
	}
	if (gethostname(host, sizeof(host)) == 0 && strchr(host, '.') &&
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789-.") == strlen(host)) {
		snprintf(out, cb, "%s", host);
		return;
	}
	snprintf(out, cb, "[127.0.0.1]");
	if (getsockname(s->fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET &&
	    inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, ip,
		      sizeof(ip)))
		snprintf(out, cb, "[%s]", ip);
	else if (ss.ss_family == AF_INET6 &&
		 inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
			   ip, sizeof(ip)))
		snprintf(out, cb, "[IPv6:%s]", ip);
}

/* EHLO, or HELO in cleartext when EHLO gets a 5xx (RFC 5321 4.1.4). */
static int ehlo(struct pf_smtp *s, struct pf_smtp_reply *r)
{
	char name[256], cmd[300], lines[sizeof(s->caps.lines)];
	unsigned t = smtp_timeout(s, PF_SMTP_EHLO);
	int rc;

	helo_name(s, name, sizeof(name));
	memset(&s->caps, 0, sizeof(s->caps));
	snprintf(cmd, sizeof(cmd), "EHLO %s", name);
	rc = smtp_send_line(s, cmd, NULL, t);
	if (rc < 0)
		return rc;
	rc = smtp_read_reply(s, PF_SMTP_EHLO, t, r, lines, sizeof(lines));
	if (rc < 0)
		return rc;
	if (positive(r)) {
		smtp_caps_parse(&s->caps, lines);
		return 0;
	}
	if (pf_smtp_classify(r) != PF_SMTP_PERMANENT || s->ssl != NULL ||
	    s->server.security != PF_SMTP_CLEARTEXT)
		return 0;
	snprintf(cmd, sizeof(cmd), "HELO %s", name);
	return smtp_command(s, cmd, NULL, PF_SMTP_HELO, t, r);
}

/* Anything already received after the 220 to STARTTLS, in our buffer
 * or waiting in the socket? */
static bool bytes_after_starttls(struct pf_smtp *s)
{
	char c;
	ssize_t n;

	if (smtp_buffered(s) > 0)
		return true;
	n = recv(s->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return n > 0;
}

static int starttls(struct pf_smtp *s, struct pf_smtp_reply *r)
{
	int rc, code;

	smtp_no_reply(r, PF_SMTP_STARTTLS);
	if (!s->caps.starttls)
		return smtp_dead(s, PF_SMTP_E_NOTLS, "%s does not offer "
				 "STARTTLS; refusing to go on in cleartext "
				 "(RFC 3207)", s->server.host);
	rc = smtp_command(s, "STARTTLS", NULL, PF_SMTP_STARTTLS,
			  smtp_timeout(s, PF_SMTP_STARTTLS), r);
	if (rc < 0 || !positive(r))
		return rc;
	code = r->code;
	smtp_no_reply(r, PF_SMTP_STARTTLS);   /* failures from here on */
	if (code != 220)
		return smtp_dead(s, PF_SMTP_E_PROTO, "unexpected reply %d to "
				 "STARTTLS (RFC 3207 4: 220)", code);
	if (bytes_after_starttls(s))
		return smtp_dead(s, PF_SMTP_E_PROTO, "%s sent data after its "
				 "reply to STARTTLS, before the TLS "
				 "handshake (a command injection attempt, "
				 "CVE-2011-0411); refusing", s->server.host);
	rc = smtp_tls_start(s, smtp_now_ms() +
			    smtp_timeout(s, PF_SMTP_STARTTLS));
	if (rc < 0)
		return rc;
	/* RFC 3207 4.2: forget what the server said in cleartext */
	memset(&s->caps, 0, sizeof(s->caps));
	return ehlo(s, r);
}

int pf_smtp_hello(struct pf_smtp *s, struct pf_smtp_reply *r)
{
	int rc = ehlo(s, r);

	if (rc < 0 || !positive(r))
		return rc;
	if (s->server.security == PF_SMTP_STARTTLS_REQUIRED && s->ssl == NULL)
		return starttls(s, r);
	return 0;
}

int pf_smtp_login(struct pf_smtp *s, struct pf_smtp_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->stage = PF_SMTP_AUTH;
	if (s->opts.auth == PF_SMTP_AUTH_NONE)
		return 0;
	return smtp_auth(s, r);
}

int pf_smtp_open(struct pf_smtp **out, const struct pf_smtp_server *server,
		 const struct pf_smtp_opts *opts, struct pf_smtp_reply *r)
{
	struct pf_smtp *s = NULL;
	int rc = pf_smtp_connect(&s, server, opts, r);

	*out = NULL;
	if (rc == 0 && positive(r))
		rc = pf_smtp_hello(s, r);
	if (rc == 0 && positive(r) && opts->auth != PF_SMTP_AUTH_NONE)
		rc = pf_smtp_login(s, r);
	if (rc == 0 && positive(r)) {
		*out = s;
		return 0;
	}
	if (rc == 0 && r->code != 421)
		pf_smtp_quit(s);
	else
		pf_smtp_close(s);
	return rc;
}

int pf_smtp_mail(struct pf_smtp *s, const char *from, size_t cb,
		 struct pf_smtp_reply *r)
{
	char cmd[SMTP_CMD_MAX];

	memset(r, 0, sizeof(*r));
	r->stage = PF_SMTP_MAIL;
	if (!pf_smtp_addr_ok(from, true))
		return pf_error_set(PF_E_USAGE, "refusing the sender address "
				    "(control characters, '<', '>' or not "
				    "one '@'; RFC 5321 4.1.2)");
	/* RFC 1870 6: SIZE= only when the server advertised SIZE */
	if (s->caps.size)
		snprintf(cmd, sizeof(cmd), "MAIL FROM:<%s> SIZE=%zu", from,
			 cb);
	else
		snprintf(cmd, sizeof(cmd), "MAIL FROM:<%s>", from);
	return smtp_command(s, cmd, NULL, PF_SMTP_MAIL,
			    smtp_timeout(s, PF_SMTP_MAIL), r);
}

int pf_smtp_rcpt(struct pf_smtp *s, const char *to, struct pf_smtp_reply *r)
{
	char cmd[SMTP_CMD_MAX];

	memset(r, 0, sizeof(*r));
	r->stage = PF_SMTP_RCPT;
	if (!pf_smtp_addr_ok(to, false))
		return pf_error_set(PF_E_USAGE, "refusing the recipient "
				    "address (control characters, '<', '>' "
				    "or not one '@'; RFC 5321 4.1.2)");
	snprintf(cmd, sizeof(cmd), "RCPT TO:<%s>", to);
	return smtp_command(s, cmd, NULL, PF_SMTP_RCPT,
			    smtp_timeout(s, PF_SMTP_RCPT), r);
}

int pf_smtp_rset(struct pf_smtp *s, struct pf_smtp_reply *r)
{
	return smtp_command(s, "RSET", NULL, PF_SMTP_RSET,
			    smtp_timeout(s, PF_SMTP_RSET), r);
}

void pf_smtp_quit(struct pf_smtp *s)
{
	struct pf_smtp_reply r;

	if (s == NULL)
		return;
	if (!s->dead)
		(void)smtp_command(s, "QUIT", NULL, PF_SMTP_QUIT,
				   smtp_timeout(s, PF_SMTP_QUIT), &r);
	pf_smtp_close(s);
}

void pf_smtp_close(struct pf_smtp *s)
{
	if (s == NULL)
		return;
	smtp_tls_free(s);
	smtp_conn_close(s);
	free(s);
}

const char *pf_smtp_greeting(const struct pf_smtp *s)
{
	return s->greeting;
}

const struct pf_smtp_caps *pf_smtp_caps(const struct pf_smtp *s)
{
	return &s->caps;
}

const struct pf_smtp_tls_info *pf_smtp_tls(const struct pf_smtp *s)
{
	return &s->tls;
}

int pf_smtp_errno(const struct pf_smtp *s)
{
	return s->sys_errno;
}
