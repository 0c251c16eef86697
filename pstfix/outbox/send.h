/*
 * send.h - the send engine of `pstfix outbox send`: takes the spooled
 * messages whose recipients are due, hands them to the transport (SMTP,
 * send_smtp.c, or a sendmail program, sendmail.c), and journals every
 * step; the scheduler (send.c) retries, backs off and adapts the number
 * of connections per policy.h until nothing is left to do, the give-up
 * time passes, or the server stops us.
 *
 * Contract
 * - Only the spool's bytes are sent; the PST is not touched here.
 * - Journal writes are write-ahead (spool.h) and serialized; a worker
 *   thread owns a message (ob_msg.busy) while it sends it, so no message
 *   is ever in two transactions at once.
 * - Time: every delay comes from ob_send_cfg (milliseconds), so tests run
 *   with `--retry-delay 1s --give-up 30s` and finish in seconds.
 */
#ifndef PF_OUTBOX_SEND_H
#define PF_OUTBOX_SEND_H

#include <stdio.h>

#include "../smtp/smtp.h"
#include "policy.h"
#include "spool.h"

struct ob_send_cfg {
	const struct pf_smtp_server *server;  /* NULL with sendmail */
	const struct pf_smtp_opts *smtp;
	const char *sendmail;         /* PATH -i -f FROM -- RCPT...; NULL */
	int64_t retry_ms;             /* first delay (default 300 s) */
	int64_t max_retry_ms;         /* doubling up to this (4000 s) */
	int64_t give_up_ms;           /* since spooling (5 days) */
	unsigned max_conn;            /* connections to the server (1) */
	unsigned raise_after;         /* successes before one more (5) */
	unsigned rate_per_min;        /* messages a minute; 0: no limit */
	bool once;                    /* one pass: never sleep for a retry */
	bool resend_uncertain;        /* UNCERTAIN ones become pending */
	bool retry_now;               /* temp-failed ones are due at once
					 (postqueue -f); later failures back
					 off as usual */
	const uint32_t *only;         /* --only: these NIDs; NULL: all */
	size_t nonly;
	FILE *log;                    /* -v: a line per event; NULL */
	bool (*cancelled)(void);      /* SIGINT: finish what runs, stop */
};

/* Why a run stopped early, for the report and the exit status. */
struct ob_run_result {
	bool refused, unreachable, auth_failed, config_failed, io_failed,
	     cancelled;
	char why[600];                /* the server's last word, or "" */
};

int ob_send_run(struct ob_run_result *res, struct ob_spool *sp,
		const struct ob_send_cfg *cfg);

/* ---- between the scheduler and the transports ---- */

/* One message to one transport: recipients IDX[N] of M are due. */
struct ob_job {
	struct ob_spool *sp;
	const struct ob_send_cfg *cfg;
	struct ob_msg *m;
	size_t *idx, n;
	/* out */
	enum ob_verdict server;       /* OK, SERVER, REFUSED, AUTH, CONFIG */
	bool unreachable;             /* could not connect at all */
	bool io_failed;               /* spool or journal I/O: stop */
	bool accepted;                /* some recipient accepted */
	bool first_mail;              /* send_smtp.c: no MAIL answered yet */
	bool stale;                   /* the first MAIL found a kept
					 connection dead (send_smtp.c) */
	char why[600];                /* server-level verdict: the reply */
};

/* Send JOB over *CONN (opened when NULL, closed and NULLed when it
 * died).  Journals every step. */
void ob_smtp_job(struct ob_job *job, struct pf_smtp **conn);
/* Send JOB through cfg->sendmail. */
void ob_sendmail_job(struct ob_job *job);

/* Helpers both transports use (send_smtp.c). */
void ob_reply_from(struct ob_reply *out, const struct pf_smtp_reply *r,
		   const char *stage);
int64_t ob_next_try(const struct ob_job *job, const struct ob_rcpt *rc);

#endif
