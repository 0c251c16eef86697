/*
 * send.c - the scheduler of `outbox send` (send.h): picks due messages,
 * runs up to ob_conc.cur worker threads (one connection each), backs off
 * the server after a 421 or a lost connection, expires what the give-up
 * time leaves, sleeps until the next retry, and stops on a verdict that
 * concerns every message (server refuses us, AUTH failed, TLS).
 *
 * Contract
 * - Lock order: sched.mu, then the spool's mu (taken by the journal
 *   functions); the journal never takes sched.mu.  A message is picked
 *   only when not busy, and only its owner writes its records.
 * - Server backoff (RFC 5321 4.5.4.1, smtp-facts.md): after a server
 *   verdict nothing is picked until ready_ms; the delay doubles per
 *   failure in a row (retry_ms .. max_retry_ms) and resets on success.
 * - Recipients in PENDING or TEMPFAIL at spooled_ms + give_up_ms become
 *   EXPIRED (a `state` record with the last reply).
 * - --once: no sleeping; the run ends when nothing is due right now.
 * - --only: the run touches only the spooled messages of those NIDs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "send.h"

struct sched {
	struct ob_spool *sp;
	const struct ob_send_cfg *cfg;
	struct ob_run_result *res;
	pthread_mutex_t mu;
	struct ob_conc conc;
	int64_t ready_ms;          /* server backoff: not before */
	unsigned server_fails;     /* in a row */
	int64_t next_slot_ms;      /* --rate */
	bool stop;
	size_t cursor;             /* round-robin over messages */
};

struct worker {
	struct sched *s;
	unsigned idx;
	pthread_t tid;
};

static void sleep_ms(int64_t ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static bool due(const struct ob_rcpt *rc, int64_t now)
{
	if (rc->state == OB_PENDING)
		return true;
	return rc->state == OB_TEMPFAIL && rc->next_ms <= now;
}

/* Spooled, and selected by --only when that was given. */
static bool in_run(const struct ob_send_cfg *cfg, const struct ob_msg *m)
{
	if (!m->spooled)
		return false;
	if (!cfg->only)
		return true;
	for (size_t i = 0; i < cfg->nonly; i++)
		if (cfg->only[i] == m->nid)
			return true;
	return false;
}

static bool expires(const struct sched *s, const struct ob_msg *m,
		    int64_t now)
{
	return now >= m->spooled_ms + s->cfg->give_up_ms;
}

/* Under s->mu: the next message with due recipients, marked busy. */
static struct ob_msg *pick(struct sched *s, size_t **idx, size_t *n)
{
	int64_t now = ob_now_ms();
	size_t nmsg = s->sp->nmsg;

	if (s->stop || now < s->ready_ms)
		return NULL;
	for (size_t k = 0; k < nmsg; k++) {
		struct ob_msg *m = s->sp->msg[(s->cursor + k) % nmsg];
		size_t c = 0;

		if (m->busy || !in_run(s->cfg, m) || expires(s, m, now))
			continue;
		for (size_t i = 0; i < m->nrcpt; i++)
			c += due(&m->rcpt[i], now);
		if (!c)
			continue;
		*idx = malloc(c * sizeof(**idx));
		if (!*idx)
			return NULL;
		*n = 0;
		for (size_t i = 0; i < m->nrcpt; i++)
			if (due(&m->rcpt[i], now))
				(*idx)[(*n)++] = i;
		m->busy = true;
		s->cursor = (s->cursor + k + 1) % nmsg;
		return m;
	}
	return NULL;
}

/* --rate N: at most N MAIL FROMs a minute, spaced evenly. */
static void rate_wait(struct sched *s)
{
	int64_t now, wait;

	if (!s->cfg->rate_per_min)
		return;
	pthread_mutex_lock(&s->mu);
	now = ob_now_ms();
	if (s->next_slot_ms < now)
		s->next_slot_ms = now;
	wait = s->next_slot_ms - now;
	s->next_slot_ms += 60000 / s->cfg->rate_per_min;
	pthread_mutex_unlock(&s->mu);
	sleep_ms(wait);
}

static void stop_run(struct sched *s, const struct ob_job *j, bool *flag)
{
	*flag = true;
	s->stop = true;
	snprintf(s->res->why, sizeof(s->res->why), "%s", j->why);
}

/* Under s->mu: what the job tells about the server. */
static void after_job(struct sched *s, const struct ob_job *j)
{
	int64_t delay;

	if (j->io_failed)
		stop_run(s, j, &s->res->io_failed);
	switch (j->server) {
	case OB_V_REFUSED:
		stop_run(s, j, &s->res->refused);
		break;
	case OB_V_AUTH:
		stop_run(s, j, &s->res->auth_failed);
		break;
	case OB_V_CONFIG:
		stop_run(s, j, &s->res->config_failed);
		break;
	case OB_V_SERVER:
		s->server_fails++;
		delay = ob_backoff_ms(s->cfg->retry_ms, s->cfg->max_retry_ms,
				      s->server_fails);
		s->ready_ms = ob_now_ms() + delay;
		ob_conc_fail(&s->conc);
		s->res->unreachable = j->unreachable;
		snprintf(s->res->why, sizeof(s->res->why), "%s", j->why);
		fprintf(stderr, "pstfix outbox send: %s; next try in %"
			PRId64 " ms, %u connection%s\n", j->why, delay,
			s->conc.cur, s->conc.cur == 1 ? "" : "s");
		break;
	default:
		s->server_fails = 0;
		s->res->unreachable = false;
		if (j->accepted)
			ob_conc_ok(&s->conc);
		break;
	}
}

/* -v: one line per job, "m3 <id>: 2 accepted, 1 temp-fail". */
static void log_job(const struct sched *s, const struct ob_job *j)
{
	unsigned n[OB_NSTATES] = { 0 };

	if (!s->cfg->log)
		return;
	for (size_t i = 0; i < j->n; i++)
		n[j->m->rcpt[j->idx[i]].state]++;
	fprintf(s->cfg->log, "pstfix outbox send: m%u <%s>:", j->m->id,
		j->m->msgid ? j->m->msgid : "");
	for (int st = 0; st < OB_NSTATES; st++)
		if (n[st])
			fprintf(s->cfg->log, " %u %s", n[st],
				ob_state_name((enum ob_state)st));
	fputc('\n', s->cfg->log);
}

/* Under s->mu: whether pick() would find something. */
static bool has_due(const struct sched *s)
{
	int64_t now = ob_now_ms();

	if (s->stop || now < s->ready_ms)
		return false;
	for (size_t k = 0; k < s->sp->nmsg; k++) {
		const struct ob_msg *m = s->sp->msg[k];

		if (m->busy || !in_run(s->cfg, m) || expires(s, m, now))
			continue;
		for (size_t i = 0; i < m->nrcpt; i++)
			if (due(&m->rcpt[i], now))
				return true;
	}
	return false;
}

/* Worker IDX sends while IDX < conc.cur; above it, it waits while there
 * is work (the concurrency may rise) and leaves when there is none. */
static void *work(void *arg)
{
	struct worker *w = arg;
	struct sched *s = w->s;
	struct pf_smtp *conn = NULL;

	for (;;) {
		struct ob_job j = { .sp = s->sp, .cfg = s->cfg };
		bool idle = false;

		pthread_mutex_lock(&s->mu);
		if (s->cfg->cancelled && s->cfg->cancelled())
			;
		else if (w->idx < s->conc.cur)
			j.m = pick(s, &j.idx, &j.n);
		else
			idle = has_due(s);
		pthread_mutex_unlock(&s->mu);
		if (idle) {
			sleep_ms(50);
			continue;
		}
		if (!j.m)
			break;
		rate_wait(s);
		if (s->cfg->sendmail)
			ob_sendmail_job(&j);
		else
			ob_smtp_job(&j, &conn);
		pthread_mutex_lock(&s->mu);
		j.m->busy = false;
		log_job(s, &j);
		after_job(s, &j);
		pthread_mutex_unlock(&s->mu);
		free(j.idx);
	}
	pf_smtp_quit(conn);
	return NULL;
}

/* Start max_conn workers (at most 64) and wait for them all. */
static void pass(struct sched *s)
{
	struct worker w[64];
	unsigned n = s->conc.max < 64 ? s->conc.max : 64;
	uint64_t started = 0;

	for (unsigned i = 0; i < n; i++) {
		w[i].s = s;
		w[i].idx = i;
		if (i == 0 || pthread_create(&w[i].tid, NULL, work, &w[i]))
			continue;
		started |= (uint64_t)1 << i;
	}
	work(&w[0]);   /* this thread is worker 0 */
	for (unsigned i = 1; i < n; i++)
		if (started & ((uint64_t)1 << i))
			pthread_join(w[i].tid, NULL);
}

static void expire(struct sched *s, struct ob_msg *m, size_t i)
{
	struct ob_rcpt *rc = &m->rcpt[i];
	char why[700];

	if (rc->last.code || rc->last.text)
		snprintf(why, sizeof(why), "not accepted within the give-up "
			 "time; last: %d %s", rc->last.code,
			 rc->last.text ? rc->last.text : "");
	else
		snprintf(why, sizeof(why), "not accepted within the give-up "
			 "time; last: %s", *s->res->why ? s->res->why
			 : "never tried");
	if (ob_j_state(s->sp, m, i, OB_EXPIRED, why))
		s->res->io_failed = s->stop = true;
}

/* Expire what is over the give-up time; the earliest time something
 * becomes due or expires (INT64_MAX: nothing left to do). */
static int64_t survey(struct sched *s)
{
	int64_t now = ob_now_ms(), wake = INT64_MAX;

	for (size_t k = 0; k < s->sp->nmsg && !s->stop; k++) {
		struct ob_msg *m = s->sp->msg[k];
		int64_t dead = m->spooled_ms + s->cfg->give_up_ms;

		for (size_t i = 0; in_run(s->cfg, m) && i < m->nrcpt; i++) {
			struct ob_rcpt *rc = &m->rcpt[i];
			int64_t t = rc->state == OB_TEMPFAIL ? rc->next_ms
				: now;

			if (ob_state_final(rc->state))
				continue;
			if (now >= dead) {
				expire(s, m, i);
				continue;
			}
			t = t < s->ready_ms ? s->ready_ms : t;
			t = t < dead ? t : dead;
			wake = t < wake ? t : wake;
		}
	}
	return wake;
}

/* --resend-uncertain: the operator decided; journal the decision. */
static int requeue_uncertain(struct ob_spool *sp,
			     const struct ob_send_cfg *cfg)
{
	for (size_t k = 0; k < sp->nmsg; k++)
		for (size_t i = 0; in_run(cfg, sp->msg[k]) &&
		     i < sp->msg[k]->nrcpt; i++)
			if (sp->msg[k]->rcpt[i].state == OB_UNCERTAIN &&
			    ob_j_state(sp, sp->msg[k], i, OB_PENDING,
				       "UNCERTAIN, resent on request "
				       "(--resend-uncertain)"))
				return -1;
	return 0;
}

int ob_send_run(struct ob_run_result *res, struct ob_spool *sp,
		const struct ob_send_cfg *cfg)
{
	struct sched s = { .sp = sp, .cfg = cfg, .res = res };
	int64_t wake;

	memset(res, 0, sizeof(*res));
	if (cfg->resend_uncertain && requeue_uncertain(sp, cfg)) {
		res->io_failed = true;
		return PF_E_IO;
	}
	if (cfg->retry_now)   /* in memory: the next failure sets a time */
		for (size_t k = 0; k < sp->nmsg; k++)
			for (size_t i = 0; in_run(cfg, sp->msg[k]) &&
			     i < sp->msg[k]->nrcpt; i++)
				sp->msg[k]->rcpt[i].next_ms = 0;
	pthread_mutex_init(&s.mu, NULL);
	ob_conc_init(&s.conc, cfg->max_conn, cfg->raise_after);
	for (;;) {
		if (cfg->cancelled && cfg->cancelled()) {
			res->cancelled = true;
			break;
		}
		wake = survey(&s);
		if (s.stop || wake == INT64_MAX)
			break;
		if (wake > ob_now_ms()) {
			if (cfg->once)
				break;
			/* short naps: Ctrl-C and the clock stay in view */
			wake -= ob_now_ms();
			sleep_ms(wake < 200 ? wake : 200);
			continue;
		}
		pass(&s);
	}
	pthread_mutex_destroy(&s.mu);
	return res->io_failed ? PF_E_IO : 0;
}
