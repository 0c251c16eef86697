/*
 * smtp.h - an SMTP client (RFC 5321) that submits ready-made RFC 5322
 * messages: the transport of `pstfix outbox send` and `outbox probe`.
 *
 * Contract
 * - One session per struct pf_smtp; one thread uses it.  No policy here
 *   (retries, backoff, what a reply means for a message): the caller
 *   (pstfix/outbox) decides from the replies this returns.
 * - Every call that talks to the server fills R with the reply it read
 *   and returns 0 -- whatever the reply code: a 550 is an answer, not an
 *   error.  R->stage names the command the reply answers.
 * - A negative return means no usable reply: the network failed, the
 *   per-command timeout ran out, TLS failed, or the server broke the
 *   protocol.  Then R->code is 0, the session is dead (only
 *   pf_smtp_close() is allowed), and pf_error_msg() has one line.  After
 *   a 421 reply the session is dead too (the server closes; RFC 5321
 *   3.8), but the call returned 0 with R->code 421.  One exception:
 *   PF_E_USAGE from the address check of pf_smtp_mail()/pf_smtp_rcpt()
 *   or the bare CR/LF check of pf_smtp_data() means nothing was sent,
 *   and the session is still usable (RSET, another recipient, QUIT).
 * - Security: TLS (OpenSSL) verifies the chain and the host name by
 *   default, sends SNI, refuses anything below TLS 1.2; STARTTLS is
 *   required for PF_SMTP_STARTTLS_REQUIRED, never skipped when the
 *   server does not offer it, and a reply to STARTTLS followed by bytes
 *   already buffered is refused (CVE-2011-0411 class); capabilities are
 *   discarded and EHLO sent again after the handshake.  AUTH is only
 *   sent over TLS.
 * - The wire: commands end in CRLF; an address or argument holding CR,
 *   LF, another control character, '<' or '>' is refused before anything
 *   is sent (PF_E_USAGE).  pf_smtp_data() refuses a message holding a
 *   bare CR or LF and dot-stuffs the rest (RFC 5321 4.5.2).
 * - Secrets (opts.secret) never reach the trace or an error message.
 *
 * Errors: 0 or a negative PF_E_* (formats/util/pf_err.h) or PF_SMTP_E_*.
 */
#ifndef PF_SMTP_H
#define PF_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../formats/util/pf_err.h"

/* Error codes beyond pf_err.h's (all negative, none collide). */
enum pf_smtp_error {
	PF_SMTP_E_NET = -100,     /* connect failed, reset, EOF, timeout */
	PF_SMTP_E_TIMEOUT = -101, /* a per-command timeout ran out */
	PF_SMTP_E_TLS = -102,     /* handshake or certificate check failed */
	PF_SMTP_E_NOTLS = -103,   /* STARTTLS required but not offered */
	PF_SMTP_E_PROTO = -104,   /* malformed reply, line too long, bytes
				     buffered after the STARTTLS reply */
	PF_SMTP_E_AUTH = -105,    /* no mechanism both sides support, or
				     AUTH asked for without TLS */
};

enum pf_smtp_security {
	PF_SMTP_IMPLICIT_TLS,     /* smtps://, RFC 8314 3.3 */
	PF_SMTP_STARTTLS_REQUIRED, /* smtp://, RFC 3207, required */
	PF_SMTP_CLEARTEXT,        /* smtp:// with --tls=none (trusted relay) */
};

struct pf_smtp_server {
	char host[256];           /* DNS name or IP literal, no brackets */
	uint16_t port;
	enum pf_smtp_security security;
};

/* "smtps://HOST[:PORT]" (465 by default), "smtp://HOST[:PORT]" (587 by
 * default, STARTTLS); IPv6 literals in brackets.  Returns PF_E_USAGE with
 * a message for anything else (paths, user info, bad ports). */
int pf_smtp_url_parse(struct pf_smtp_server *out, const char *url);

enum pf_smtp_auth_mech {
	PF_SMTP_AUTH_NONE = 0,
	PF_SMTP_AUTH_PLAIN = 1,   /* RFC 4616 */
	PF_SMTP_AUTH_LOGIN = 2,   /* draft-murchison-sasl-login */
	PF_SMTP_AUTH_XOAUTH2 = 3, /* Google / Microsoft XOAUTH2 */
	PF_SMTP_AUTH_AUTO = 4,    /* the best the server offers: PLAIN,
				     then LOGIN (XOAUTH2 only when asked) */
};

struct pf_smtp_opts {
	const char *helo_name;    /* EHLO argument; NULL: this host's name */
	const char *ca_file;      /* PEM CA bundle; NULL: the system store */
	enum pf_smtp_auth_mech auth;
	const char *user;
	const char *secret;       /* password or OAuth2 token; never logged */
	/* Timeouts in milliseconds (RFC 5321 4.5.3.2 defaults: connect 30 s,
	 * greeting 5 min, MAIL/RCPT 5 min, DATA 2 min, each data block
	 * 3 min, the reply to the final dot 10 min); 0 picks the default. */
	unsigned connect_ms, greeting_ms, command_ms, data_ms, block_ms,
		 dot_ms;
	FILE *trace;              /* -v: the dialogue, AUTH lines redacted */
};

enum pf_smtp_stage {
	PF_SMTP_CONNECT, PF_SMTP_GREETING, PF_SMTP_EHLO, PF_SMTP_HELO,
	PF_SMTP_STARTTLS, PF_SMTP_AUTH, PF_SMTP_MAIL, PF_SMTP_RCPT,
	PF_SMTP_DATA, PF_SMTP_DOT, PF_SMTP_RSET, PF_SMTP_QUIT,
	PF_SMTP_TLS,              /* the handshake of smtps://, before the
				     greeting (connected, no reply yet) */
};
const char *pf_smtp_stage_name(enum pf_smtp_stage s);  /* "RCPT TO" */

struct pf_smtp_reply {
	enum pf_smtp_stage stage;
	int code;                 /* 200..599; 0: none (see Contract) */
	int enh[3];               /* RFC 3463 class.subject.detail; 0s when
				     the reply has none */
	char text[512];           /* the text of every line, joined by a
				     space, control characters removed */
};

/* 2xx/3xx positive, 4xx transient, 5xx permanent, 0 none. */
enum pf_smtp_class { PF_SMTP_NOREPLY, PF_SMTP_POSITIVE, PF_SMTP_TRANSIENT,
		     PF_SMTP_PERMANENT };
enum pf_smtp_class pf_smtp_classify(const struct pf_smtp_reply *r);

/* What EHLO advertised (after STARTTLS: the second EHLO). */
struct pf_smtp_caps {
	bool esmtp;               /* EHLO accepted (else HELO was used) */
	bool starttls, pipelining, eightbitmime, smtputf8, enhancedcodes;
	bool size;                /* SIZE advertised (RFC 1870) */
	uint64_t size_max;        /* SIZE n; 0 when absent or unlimited */
	unsigned auth;            /* bits 1 << PF_SMTP_AUTH_* offered */
	char lines[2048];         /* the EHLO reply lines, '\n'-separated */
};

/* The TLS session, for `outbox probe` and -v. */
struct pf_smtp_tls_info {
	bool active;
	char version[16];         /* "TLSv1.3" */
	char cipher[64];
	char subject[256], issuer[256];  /* leaf certificate, one line each */
	char not_after[32];
	long verify_result;       /* X509_V_OK (0) or the OpenSSL code */
	char verify_text[128];    /* X509_verify_cert_error_string() */
	unsigned chain_len;
	char names[256];          /* subjectAltName DNS names and IP
				     addresses, ", "-separated */
	long days_left;           /* until not_after (negative: expired) */
};

struct pf_smtp;

/* Connect to SERVER, read the greeting, EHLO (HELO when EHLO gets a 5xx
 * and the security is cleartext), STARTTLS and EHLO again when asked,
 * AUTH when opts->auth is not NONE.  Returns 0 with *out ready for MAIL
 * when every step got a positive reply.  Returns 0 with *out NULL and R
 * holding the negative reply (R->stage: the step) when the server said
 * no (421 or 554 at the greeting, 535 to AUTH, ...).  A negative return:
 * see the Contract, with R->stage the step that failed. */
int pf_smtp_open(struct pf_smtp **out, const struct pf_smtp_server *server,
		 const struct pf_smtp_opts *opts, struct pf_smtp_reply *r);

/* The steps of pf_smtp_open(), for `outbox probe`, which shows what each
 * step learned even when a later one fails.  pf_smtp_connect() connects
 * (TLS first for implicit TLS) and reads the greeting; it sets *OUT
 * whatever happens (NULL only when out of memory), and the caller closes
 * it.  It returns as pf_smtp_open() does, except that a negative reply
 * leaves *OUT set (and dead).  pf_smtp_hello() sends EHLO (or HELO),
 * STARTTLS and EHLO again; pf_smtp_login() does AUTH per opts (with
 * PF_SMTP_AUTH_NONE nothing, returning 0 with R->code 0).  Each
 * returns 0 with R positive to go on, 0 with R negative when the server
 * said no, or a negative code (the session is dead). */
int pf_smtp_connect(struct pf_smtp **out,
		    const struct pf_smtp_server *server,
		    const struct pf_smtp_opts *opts, struct pf_smtp_reply *r);
int pf_smtp_hello(struct pf_smtp *s, struct pf_smtp_reply *r);
int pf_smtp_login(struct pf_smtp *s, struct pf_smtp_reply *r);
/* The errno behind the last network failure (ECONNREFUSED, ETIMEDOUT,
 * ...), 0 when none: the probe's advice differs for each. */
int pf_smtp_errno(const struct pf_smtp *s);

const char *pf_smtp_greeting(const struct pf_smtp *s);
const struct pf_smtp_caps *pf_smtp_caps(const struct pf_smtp *s);
const struct pf_smtp_tls_info *pf_smtp_tls(const struct pf_smtp *s);

/* MAIL FROM:<FROM> (with SIZE=CB when the server advertises SIZE; FROM
 * may be "" for the null reverse-path). */
int pf_smtp_mail(struct pf_smtp *s, const char *from, size_t cb,
		 struct pf_smtp_reply *r);
/* RCPT TO:<TO>. */
int pf_smtp_rcpt(struct pf_smtp *s, const char *to, struct pf_smtp_reply *r);

/* Called after the last byte of the message and before the final
 * "." line; a nonzero return aborts: the connection is closed without
 * the dot (nothing delivered) and pf_smtp_data() returns that value. */
typedef int (*pf_smtp_before_dot_fn)(void *ctx);

/* DATA, then MSG (CB bytes, CRLF line ends only) dot-stuffed, then the
 * final dot.  R answers DATA (R->stage PF_SMTP_DATA) when that reply was
 * not 354, else it answers the dot (PF_SMTP_DOT).  A negative return
 * after BEFORE_DOT ran means the outcome is unknown (UNCERTAIN). */
int pf_smtp_data(struct pf_smtp *s, const uint8_t *msg, size_t cb,
		 pf_smtp_before_dot_fn before_dot, void *ctx,
		 struct pf_smtp_reply *r);

/* RSET, to start a new transaction on the same connection. */
int pf_smtp_rset(struct pf_smtp *s, struct pf_smtp_reply *r);

/* QUIT (short timeout, reply ignored) and free.  NULL is fine. */
void pf_smtp_quit(struct pf_smtp *s);
/* Close without QUIT and free (after an error).  NULL is fine. */
void pf_smtp_close(struct pf_smtp *s);

/* What an outcome means and what to do, one line in plain words (for
 * `outbox probe` and `outbox send`): from RC when it is negative (with
 * S's errno and TLS verification result when S is not NULL), else from
 * the reply R.  Empty when R is positive. */
void pf_smtp_explain(char *out, size_t cb, int rc,
		     const struct pf_smtp_reply *r, const struct pf_smtp *s);
/* The sysexits.h code for the same outcome: 0 positive reply, 64
 * EX_USAGE, 69 EX_UNAVAILABLE (unreachable, refused, 5xx, STARTTLS not
 * offered), 75 EX_TEMPFAIL (4xx, connection lost or timed out after
 * connecting), 76 EX_PROTOCOL (malformed reply, data after STARTTLS,
 * TLS handshake failure), 77 EX_NOPERM (5xx to AUTH: 530, 534, 535,
 * 538), 78 EX_CONFIG (certificate verification failed, AUTH not
 * possible as configured), 71 EX_OSERR (out of memory, ...). */
int pf_smtp_sysexit(int rc, const struct pf_smtp_reply *r,
		    const struct pf_smtp *s);

/* Whether ADDR may go in MAIL FROM / RCPT TO: non-empty (FROM may be
 * empty), at most 254 octets, printable ASCII without '<', '>' or
 * spaces outside a quoted local part, one '@'. */
bool pf_smtp_addr_ok(const char *addr, bool allow_empty);

/* The mechanism an --auth NAME means ("plain", "login", "xoauth2",
 * "auto"; case-insensitive); false for anything else. */
bool pf_smtp_auth_parse(const char *name, enum pf_smtp_auth_mech *out);

#endif
