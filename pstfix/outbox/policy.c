/*
 * policy.c - replies to verdicts, the retry schedule, adaptive
 * concurrency and the exit status of `outbox send` (policy.h).
 *
 * Contract: smtp-facts.md "The wire" is the table this implements; each
 * rule cites its RFC.  Classes come from the first digit (RFC 5321
 * 4.2.1), refined by the enhanced code (RFC 3463) where one is defined
 * for the case (X.5.3 "too many recipients").
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "policy.h"

const char *ob_verdict_name(enum ob_verdict v)
{
	static const char *const n[] = {
		"ok", "recipient temp-fail", "recipient perm-fail",
		"too many recipients", "message temp-fail",
		"message perm-fail", "server (requeue)", "uncertain",
		"server refuses us", "authentication failed",
		"TLS/configuration",
	};

	return (unsigned)v < sizeof(n) / sizeof(*n) ? n[v] : "?";
}

/* No reply at all: before the dot the server took nothing (RFC 5321
 * 3.8: treat as 451, back off the server); after it, nobody knows. */
static enum ob_verdict no_reply(enum pf_smtp_stage stage, int err,
				bool dot_sent)
{
	if (dot_sent)
		return OB_V_UNCERTAIN;
	if (err == PF_SMTP_E_TLS || err == PF_SMTP_E_NOTLS ||
	    err == PF_SMTP_E_AUTH)
		return OB_V_CONFIG;
	if (err == PF_E_USAGE)   /* an address the client refuses to send */
		return stage == PF_SMTP_RCPT ? OB_V_RCPT_PERM : OB_V_MSG_PERM;
	return OB_V_SERVER;
}

/* RFC 5321 4.5.3.1.10: 452 is "too many recipients"; old servers said
 * 552, which clients are to treat as temporary; RFC 3463 X.5.3. */
static bool too_many_rcpts(int code, const int enh[3])
{
	return code == 452 || (enh[1] == 5 && enh[2] == 3 &&
			       (code / 100 == 4 || code == 552));
}

static enum ob_verdict session_stage(enum pf_smtp_stage stage, int cls)
{
	if (stage == PF_SMTP_AUTH)   /* 535 RFC 4954 6; 454 temporary */
		return cls == 5 ? OB_V_AUTH : OB_V_SERVER;
	if (stage == PF_SMTP_STARTTLS)   /* RFC 3207 4: required here */
		return cls == 5 ? OB_V_CONFIG : OB_V_SERVER;
	/* greeting, EHLO/HELO, RSET, QUIT: 554 = "no SMTP service here"
	 * (RFC 5321 3.1); 4xx: try this server later */
	return cls == 5 ? OB_V_REFUSED : OB_V_SERVER;
}

enum ob_verdict ob_policy(enum pf_smtp_stage stage, int code,
			  const int enh[3], int err, bool dot_sent)
{
	static const int none[3];
	int cls = code / 100;

	if (!enh)
		enh = none;
	if (err < 0 || code < 200 || code > 599)
		return no_reply(stage, err < 0 ? err : PF_SMTP_E_PROTO,
				dot_sent);
	if (code == 421)         /* RFC 5321 3.8: closing, nothing taken */
		return OB_V_SERVER;
	if (stage == PF_SMTP_MAIL || stage == PF_SMTP_DATA ||
	    stage == PF_SMTP_DOT) {
		if (cls == 2 || (cls == 3 && stage == PF_SMTP_DATA))
			return OB_V_OK;
		return cls == 5 ? OB_V_MSG_PERM : OB_V_MSG_TEMP;
	}
	if (stage == PF_SMTP_RCPT) {
		if (cls == 2)
			return OB_V_OK;
		if (too_many_rcpts(code, enh))
			return OB_V_SPLIT;
		return cls == 5 ? OB_V_RCPT_PERM : OB_V_RCPT_TEMP;
	}
	if (cls == 2 || cls == 3)
		return OB_V_OK;
	return session_stage(stage, cls);
}

int64_t ob_backoff_ms(int64_t base, int64_t max, unsigned n)
{
	int64_t d = base;

	for (unsigned i = 1; i < n && d < max; i++)
		d *= 2;
	return d < max ? d : max;
}

void ob_conc_init(struct ob_conc *c, unsigned max, unsigned raise_after)
{
	c->cur = 1;
	c->max = max ? max : 1;
	c->raise_after = raise_after ? raise_after : 1;
	c->streak = 0;
}

void ob_conc_fail(struct ob_conc *c)
{
	if (c->cur > 1)
		c->cur--;
	c->streak = 0;
}

void ob_conc_ok(struct ob_conc *c)
{
	if (++c->streak < c->raise_after)
		return;
	c->streak = 0;
	if (c->cur < c->max)
		c->cur++;
}

bool ob_parse_duration(const char *s, int64_t *ms)
{
	static const struct { const char *sfx; int64_t mul; } units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v > 365ull * 86400000)
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
		if (strcmp(end, units[i].sfx) != 0)
			continue;
		if ((int64_t)v * units[i].mul > 365ll * 86400000)
			return false;
		*ms = (int64_t)v * units[i].mul;
		return true;
	}
	return false;
}

int ob_exit_status(const struct ob_tally *t)
{
	if (t->io_failed)
		return EX_IOERR;
	if (t->config_failed)
		return EX_CONFIG;
	if (t->auth_failed)
		return EX_NOPERM;
	if (t->refused || t->unreachable)
		return EX_UNAVAILABLE;
	if (t->pending || t->tempfail || t->deferred)
		return EX_TEMPFAIL;
	if (t->permfail || t->expired || t->skipped_bad || t->uncertain)
		return EX_DATAERR;
	return EX_OK;
}
