/*
 * send_smtp.c - one message over one SMTP connection (send.h), with the
 * write-ahead journal of spool.h around every step.
 *
 * Contract (smtp-facts.md "The wire", RFC 5321)
 * - `try` is journaled before MAIL FROM, each RCPT reply after reading
 *   it, `dot` from pf_smtp_data()'s before_dot callback (so it is on
 *   disk before the final "." leaves), `end` after the reply to the dot.
 * - 452 (too many recipients) ends the RCPT list: the transaction goes
 *   on with those accepted, and the rest get a new transaction on the
 *   same connection at once (RFC 5321 4.5.3.1.10).
 * - A server verdict (421, lost connection before the dot) closes the
 *   connection and requeues the recipients of the transaction without
 *   charging them an attempt; no reply after the dot is UNCERTAIN (and
 *   backs the server off as well).
 * - The connection is opened lazily and kept for the next message; after
 *   a transaction that did not end in 250, RSET (RFC 5321 4.1.1.5).  A
 *   kept connection found dead at the first MAIL FROM is replaced once
 *   at once (an idle timeout is not a server failure).
 */
#include <stdlib.h>
#include <string.h>

#include "send.h"

/* The stage names of the journal (fixed: part of its format). */
static const char *stage_name(enum pf_smtp_stage st)
{
	static const char *const n[] = {
		[PF_SMTP_CONNECT] = "connect", [PF_SMTP_GREETING] = "greeting",
		[PF_SMTP_EHLO] = "EHLO", [PF_SMTP_HELO] = "HELO",
		[PF_SMTP_STARTTLS] = "STARTTLS", [PF_SMTP_AUTH] = "AUTH",
		[PF_SMTP_MAIL] = "MAIL FROM", [PF_SMTP_RCPT] = "RCPT TO",
		[PF_SMTP_DATA] = "DATA", [PF_SMTP_DOT] = "dot",
		[PF_SMTP_RSET] = "RSET", [PF_SMTP_QUIT] = "QUIT",
		[PF_SMTP_TLS] = "TLS",
	};

	return (unsigned)st < sizeof(n) / sizeof(*n) && n[st] ? n[st] : "?";
}

void ob_reply_from(struct ob_reply *out, const struct pf_smtp_reply *r,
		   const char *stage)
{
	snprintf(out->stage, sizeof(out->stage), "%s",
		 stage ? stage : stage_name(r->stage));
	out->code = r->code;
	memcpy(out->enh, r->enh, sizeof(out->enh));
	out->text = (char *)(uintptr_t)r->text;
}

int64_t ob_next_try(const struct ob_job *job, const struct ob_rcpt *rc)
{
	return ob_now_ms() + ob_backoff_ms(job->cfg->retry_ms,
					   job->cfg->max_retry_ms,
					   rc->attempts + 1);
}

/* "421 4.7.0 text (at greeting)" or the error, for server verdicts. */
static void say_why(struct ob_job *job, const struct pf_smtp_reply *r,
		    int err)
{
	const char *stage = stage_name(r->stage);

	if (err < 0 || !r->code)
		snprintf(job->why, sizeof(job->why), "%s: %s", stage,
			 *pf_error_msg() ? pf_error_msg() : "no reply");
	else   /* the text starts with the enhanced code, if any */
		snprintf(job->why, sizeof(job->why), "%s: %d %s", stage,
			 r->code, r->text);
}

struct dot_ctx {
	struct ob_job *job;
	unsigned att;
	bool sent, io_failed;
};

/* pf_smtp_data's before_dot: journal "dot" first, or abort the dot. */
static int before_dot(void *arg)
{
	struct dot_ctx *c = arg;

	if (ob_j_dot(c->job->sp, c->job->m, c->att)) {
		c->io_failed = true;
		return 1;
	}
	c->sent = true;
	return 0;
}

static void drop(struct pf_smtp **conn)
{
	pf_smtp_close(*conn);
	*conn = NULL;
}

/* The end of attempt ATT from verdict V: journal it; false on I/O. */
static bool end_attempt(struct ob_job *job, unsigned att, enum ob_verdict v,
			const struct pf_smtp_reply *r, int err)
{
	struct ob_reply rep;
	enum ob_state st;
	bool charge = false;
	int64_t next = 0;
	size_t first = job->n ? job->idx[0] : 0;

	ob_reply_from(&rep, r, NULL);
	if (err < 0 || !r->code)
		rep.text = (char *)(uintptr_t)(*pf_error_msg() ?
					       pf_error_msg() : "no reply");
	switch (v) {
	case OB_V_OK:
		st = OB_ACCEPTED;
		break;
	case OB_V_MSG_TEMP:
		st = OB_TEMPFAIL;
		charge = true;
		next = ob_next_try(job, &job->m->rcpt[first]);
		break;
	case OB_V_MSG_PERM:
		st = OB_PERMFAIL;
		break;
	case OB_V_UNCERTAIN:
		st = OB_UNCERTAIN;
		break;
	default:
		st = OB_PENDING;   /* nothing accepted: requeue, no charge */
		break;
	}
	if (ob_j_end(job->sp, job->m, att, st, charge, next, &rep)) {
		job->io_failed = true;
		snprintf(job->why, sizeof(job->why), "%s", pf_error_msg());
		return false;
	}
	if (v == OB_V_OK)
		job->accepted = true;
	return true;
}

/* The server verdict V (421, lost connection): note it, drop CONN. */
static void server_down(struct ob_job *job, struct pf_smtp **conn,
			const struct pf_smtp_reply *r, int err)
{
	job->server = OB_V_SERVER;
	say_why(job, r, err);
	drop(conn);
}

/* RCPT TO for TODO[0..N); the accepted count; *SPLIT: where a 452 cut
 * the list (N when it did not); false when the connection died. */
static bool rcpts(struct ob_job *job, struct pf_smtp **conn, unsigned att,
		  const size_t *todo, size_t n, size_t *ok, size_t *split)
{
	struct pf_smtp_reply r;
	struct ob_reply rep;

	*ok = 0;
	*split = n;
	for (size_t i = 0; i < n; i++) {
		struct ob_rcpt *rc = &job->m->rcpt[todo[i]];
		int err = pf_smtp_rcpt(*conn, rc->addr, &r);
		enum ob_verdict v = ob_policy(PF_SMTP_RCPT, r.code, r.enh,
					      err, false);
		enum ob_state st;

		/* 452 before any recipient was accepted: not a limit on
		 * this transaction's size but a refusal (else: a loop) */
		if (v == OB_V_SPLIT && *ok == 0)
			v = OB_V_RCPT_TEMP;
		st = v == OB_V_RCPT_TEMP ? OB_TEMPFAIL
			: v == OB_V_RCPT_PERM ? OB_PERMFAIL : OB_PENDING;

		/* no usable reply, or 421: the session is over */
		if (err < 0 || (v != OB_V_OK && st == OB_PENDING &&
				v != OB_V_SPLIT)) {
			if (!end_attempt(job, att, v, &r, err))
				return false;
			server_down(job, conn, &r, err);
			return false;
		}
		ob_reply_from(&rep, &r, NULL);
		if (err < 0)
			rep.text = (char *)(uintptr_t)pf_error_msg();
		if (ob_j_rcpt(job->sp, job->m, att, todo[i], v == OB_V_OK,
			      st, st == OB_TEMPFAIL ? ob_next_try(job, rc)
			      : 0, &rep)) {
			job->io_failed = true;
			return false;
		}
		if (v == OB_V_SPLIT) {
			*split = i;
			break;
		}
		*ok += v == OB_V_OK;
	}
	return true;
}

/* RSET after a transaction that did not end in 250; drop on failure. */
static void reset(struct pf_smtp **conn)
{
	struct pf_smtp_reply r;

	if (*conn && (pf_smtp_rset(*conn, &r) < 0 || r.code / 100 != 2))
		drop(conn);
}

/* After an attempt ended with V: drop a dead session (an error, 421,
 * UNCERTAIN), RSET a live one after a failure.  True: CONN is usable. */
static bool gone(struct ob_job *job, struct pf_smtp **conn,
		 enum ob_verdict v, const struct pf_smtp_reply *r, int err)
{
	/* a session-level verdict in mid-transaction (a TLS error, a
	 * 5xx to RSET) is the server's trouble: back off, never spin; so
	 * is a connection lost after the dot: without the backoff a dying
	 * server would leave one UNCERTAIN message after another */
	if (v == OB_V_SERVER || v == OB_V_CONFIG || v == OB_V_REFUSED ||
	    v == OB_V_AUTH || v == OB_V_UNCERTAIN)
		server_down(job, conn, r, err);
	else if (err < 0 || r->code == 421)
		drop(conn);
	else if (v != OB_V_OK)
		reset(conn);
	return *conn != NULL;
}

/* One transaction for TODO[0..N); *REST: where a 452 split it (N: no
 * split).  False when the job must stop (connection gone, I/O). */
static bool transaction(struct ob_job *job, struct pf_smtp **conn,
			const uint8_t *bytes, size_t cb, const size_t *todo,
			size_t n, size_t *rest)
{
	struct pf_smtp_reply r;
	struct dot_ctx dc = { .job = job };
	size_t ok;
	enum ob_verdict v;
	int err;

	*rest = n;
	if (ob_j_try(job->sp, job->m, todo, n, &dc.att)) {
		job->io_failed = true;
		return false;
	}
	err = pf_smtp_mail(*conn, job->m->from ? job->m->from : "", cb, &r);
	v = ob_policy(PF_SMTP_MAIL, r.code, r.enh, err, false);
	job->stale = job->first_mail && v == OB_V_SERVER;
	job->first_mail = false;
	if (v != OB_V_OK) {   /* `end` at MAIL FROM: the whole attempt */
		if (!end_attempt(job, dc.att, v, &r, err))
			return false;
		return gone(job, conn, v, &r, err);
	}
	if (!rcpts(job, conn, dc.att, todo, n, &ok, rest))
		return false;
	if (!ok) {
		reset(conn);
		return *conn != NULL;
	}
	err = pf_smtp_data(*conn, bytes, cb, before_dot, &dc, &r);
	if (dc.io_failed) {
		job->io_failed = true;
		snprintf(job->why, sizeof(job->why), "%s", pf_error_msg());
		drop(conn);
		return false;
	}
	v = ob_policy(r.stage, r.code, r.enh, err, dc.sent);
	if (!end_attempt(job, dc.att, v, &r, err))
		return false;
	return gone(job, conn, v, &r, err);
}

static bool open_conn(struct ob_job *job, struct pf_smtp **conn)
{
	struct pf_smtp_reply r;
	int err;

	memset(&r, 0, sizeof(r));
	err = pf_smtp_open(conn, job->cfg->server, job->cfg->smtp, &r);
	if (err == 0 && *conn)
		return true;
	job->server = ob_policy(r.stage, r.code, r.enh, err, false);
	if (job->server == OB_V_OK)   /* no verdict: say "server" */
		job->server = OB_V_SERVER;
	job->unreachable = err < 0 && r.stage == PF_SMTP_CONNECT;
	say_why(job, &r, err);
	*conn = NULL;
	return false;
}

/* Every transaction the job needs (more than one after a 452). */
static void transactions(struct ob_job *job, struct pf_smtp **conn,
			 const uint8_t *bytes, size_t cb)
{
	size_t rest, n = job->n;
	size_t *todo = job->idx;

	job->first_mail = true;
	while (n && transaction(job, conn, bytes, cb, todo, n, &rest) &&
	       rest < n) {
		todo += rest;    /* 452: the rest, a new transaction now */
		n -= rest;
	}
}

void ob_smtp_job(struct ob_job *job, struct pf_smtp **conn)
{
	uint8_t *bytes = NULL;
	size_t cb = 0;
	bool reused = *conn != NULL;

	job->server = OB_V_OK;
	if (ob_spool_read(&bytes, &cb, job->sp, job->m)) {
		job->io_failed = true;
		snprintf(job->why, sizeof(job->why), "%s", pf_error_msg());
		return;
	}
	if (!*conn && !open_conn(job, conn))
		goto out;
	transactions(job, conn, bytes, cb);
	/* A kept connection the server closed while it was idle (a timeout,
	 * a 421 waiting on it: RFC 5321 3.8) is no verdict on the server:
	 * once, a new connection and the same recipients (requeued). */
	if (reused && job->stale && !job->io_failed) {
		job->server = OB_V_OK;
		job->stale = false;
		if (open_conn(job, conn))
			transactions(job, conn, bytes, cb);
	}
out:
	free(bytes);
}
