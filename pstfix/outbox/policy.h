/*
 * policy.h - what an SMTP reply means for a message, a recipient and the
 * server (smtp-facts.md "The wire"), the retry schedule and the adaptive
 * concurrency of `outbox send`.  Pure functions: no I/O, no clock.
 */
#ifndef PF_OUTBOX_POLICY_H
#define PF_OUTBOX_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "../smtp/smtp.h"

enum ob_verdict {
	OB_V_OK,          /* positive reply: go on */
	OB_V_RCPT_TEMP,   /* 4xx to RCPT: this recipient only, later */
	OB_V_RCPT_PERM,   /* 5xx to RCPT: this recipient fails */
	OB_V_SPLIT,       /* 452 too many recipients: the rest in a new
			     transaction now, nothing charged */
	OB_V_MSG_TEMP,    /* 4xx to MAIL/DATA/dot: the message, later */
	OB_V_MSG_PERM,    /* 5xx to MAIL/DATA/dot: the message fails */
	OB_V_SERVER,      /* 421, or the connection lost before the dot:
			     nothing accepted; requeue uncharged, back off
			     the server, one connection fewer */
	OB_V_UNCERTAIN,   /* the dot went out, no reply came */
	OB_V_REFUSED,     /* 5xx at the greeting/EHLO: the server refuses us */
	OB_V_AUTH,        /* 5xx to AUTH (535): stop every message using
			     that credential */
	OB_V_CONFIG,      /* TLS verification, STARTTLS refused or absent,
			     no usable AUTH mechanism: fix the setup */
};
const char *ob_verdict_name(enum ob_verdict v);

/* The verdict for the reply CODE (0: none) with enhanced code ENH (0s:
 * none) at STAGE, or for the error ERR (< 0) that replaced the reply;
 * DOT_SENT: the final dot has gone out. */
enum ob_verdict ob_policy(enum pf_smtp_stage stage, int code,
			  const int enh[3], int err, bool dot_sent);

/* The delay before attempt N+1 after N failures (N >= 1): BASE doubled
 * N-1 times, at most MAX (RFC 5321 4.5.4.1; Postfix's 300 s / 4000 s). */
int64_t ob_backoff_ms(int64_t base, int64_t max, unsigned n);

/* Connections to one server: start at 1, one fewer after a 421 or a
 * drop (never below 1), one more after RAISE_AFTER successes in a row,
 * at most MAX. */
struct ob_conc {
	unsigned cur, max, raise_after, streak;
};
void ob_conc_init(struct ob_conc *c, unsigned max, unsigned raise_after);
void ob_conc_fail(struct ob_conc *c);
void ob_conc_ok(struct ob_conc *c);

/* "90", "90s", "500ms", "5m", "2h", "5d" -> milliseconds; false on
 * anything else or above 365 days. */
bool ob_parse_duration(const char *s, int64_t *ms);

/* What a run ended with, for the exit status (sysexits.h). */
struct ob_tally {
	unsigned accepted, pending, tempfail, permfail, uncertain, expired,
		 skipped_bad, deferred;
	bool refused, unreachable, auth_failed, config_failed, io_failed;
};
/* Precedence: 74 I/O > 78 config/TLS > 77 auth > 69 refused or
 * unreachable > 75 pending, temp-failed or deferred (running again
 * can make progress) > 65 perm-failed, expired, unresolvable or
 * UNCERTAIN (a person must look) > 0. */
int ob_exit_status(const struct ob_tally *t);

#endif
