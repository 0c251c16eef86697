/*
 * replay.c - applying journal records to the in-memory states of a send
 * spool (the record format is documented at the top of journal.c).
 *
 * Contract
 * - ob_rec_apply() is the one place a record changes a state: the replay
 *   at open and every live append (journal.c) go through it, so a run
 *   and the replay of its journal cannot disagree.
 * - Every number is bounded before use (message ids, recipient indexes,
 *   reply codes); a record that does not parse is rejected (-1) and the
 *   caller counts it, it is never half-applied.
 * - smtp-facts.md "The journal": an attempt whose "dot" has no "end"
 *   left its RCPT-accepted recipients UNCERTAIN (close_open_dot); an
 *   attempt without "dot" and without "end" changed nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool.h"

#define MAX_FIELDS 16
#define MAX_RCPT 100000           /* PF_MIMEW_MAX_RCPT */
#define MAX_ID 10000000u

static bool num(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !*end && !errno && *out <= max;
}

static char *dup_or_null(const char *s)
{
	return (s && *s) ? strdup(s) : NULL;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = dup_or_null(s);
}

/* sp->msg is kept sorted by id (ids are given in increasing order, so
 * the insert is nearly always an append): lookups are a binary search,
 * and a journal of N records replays in N log N. */
static size_t lower_bound(const struct ob_spool *sp, uint64_t id)
{
	size_t lo = 0, hi = sp->nmsg;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sp->msg[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct ob_msg *by_id(struct ob_spool *sp, uint64_t id)
{
	size_t i = lower_bound(sp, id);

	return i < sp->nmsg && sp->msg[i]->id == id ? sp->msg[i] : NULL;
}

static struct ob_msg *new_msg(struct ob_spool *sp, unsigned id)
{
	struct ob_msg *m, **grown;
	size_t at = lower_bound(sp, id);

	if (sp->nmsg == sp->cap) {
		size_t cap = sp->cap ? 2 * sp->cap : 64;

		grown = realloc(sp->msg, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		sp->msg = grown;
		sp->cap = cap;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->id = id;
	memmove(sp->msg + at + 1, sp->msg + at,
		(sp->nmsg - at) * sizeof(*sp->msg));
	sp->msg[at] = m;
	sp->nmsg++;
	if (id >= sp->next_id)
		sp->next_id = id + 1;
	return m;
}

static int grow_rcpt(struct ob_msg *m, uint64_t ri)
{
	struct ob_rcpt *r;

	if (ri < m->nrcpt)
		return 0;
	r = realloc(m->rcpt, (ri + 1) * sizeof(*r));
	if (!r)
		return PF_E_NOMEM;
	memset(r + m->nrcpt, 0, (ri + 1 - m->nrcpt) * sizeof(*r));
	m->rcpt = r;
	m->nrcpt = ri + 1;
	return 0;
}

static bool parse_enh(const char *s, int enh[3])
{
	enh[0] = enh[1] = enh[2] = 0;
	if (strcmp(s, "-") == 0)
		return true;
	return sscanf(s, "%3d.%3d.%3d", &enh[0], &enh[1], &enh[2]) == 3;
}

/* STAGE CODE ENH TEXT starting at F[0]. */
static bool parse_reply(char **f, struct ob_reply *r)
{
	uint64_t code;

	if (!num(f[1], 999, &code) || !parse_enh(f[2], r->enh))
		return false;
	snprintf(r->stage, sizeof(r->stage), "%s", f[0]);
	r->code = (int)code;
	set_str(&r->text, f[3]);
	return true;
}

static void set_reply(struct ob_rcpt *rc, const struct ob_reply *r)
{
	memcpy(rc->last.stage, r->stage, sizeof(rc->last.stage));
	rc->last.code = r->code;
	memcpy(rc->last.enh, r->enh, sizeof(r->enh));
	set_str(&rc->last.text, r->text);
}

/* Recipients left RCPT-accepted by an attempt whose dot went out and
 * whose reply never came (or never got recorded) are UNCERTAIN. */
static void close_open_dot(struct ob_msg *m)
{
	if (!m->dot_att)
		return;
	for (size_t i = 0; i < m->nrcpt; i++) {
		struct ob_rcpt *rc = &m->rcpt[i];

		if (rc->txn_ok && rc->txn_att == m->dot_att) {
			rc->state = OB_UNCERTAIN;
			rc->txn_ok = false;
			set_str(&rc->why, "the final dot was sent and no "
				"reply was recorded");
		}
	}
	m->dot_att = 0;
}

static int apply_msg(struct ob_spool *sp, char **f, int n, int64_t t)
{
	uint64_t id, v, w;
	struct ob_msg *m;

	if (n < 3 || !num(f[2], MAX_ID, &id) || id == 0)
		return -1;
	m = by_id(sp, id);
	if (strcmp(f[1], "item") == 0) {
		if (n != 8 || !num(f[3], UINT32_MAX, &v))
			return -1;
		if (!m)
			m = new_msg(sp, (unsigned)id);
		if (!m)
			return PF_E_NOMEM;
		m->nid = (uint32_t)v;
		set_str(&m->msgid, f[4]);
		set_str(&m->src, f[5]);
		set_str(&m->subject, f[6]);
		set_str(&m->from, f[7]);
		return 0;
	}
	if (!m)
		return -1;
	if (strcmp(f[1], "note") == 0) {
		if (n != 5)
			return -1;
		set_str(&m->why, f[3]);
		m->deferred = strcmp(f[4], "1") == 0;
		return 0;
	}
	if (strcmp(f[1], "spool") == 0) {
		if (n != 5 || !num(f[3], UINT64_MAX, &v) ||
		    !num(f[4], UINT32_MAX, &w))
			return -1;
		m->spooled = true;
		m->cb = v;
		m->crc = (uint32_t)w;
		m->spooled_ms = t;
		set_str(&m->why, NULL);
		m->deferred = false;
		return 0;
	}
	if (strcmp(f[1], "dot") == 0) {
		if (n != 4 || !num(f[3], MAX_ID, &v))
			return -1;
		m->dot_att = (unsigned)v;
		return 0;
	}
	return 1;  /* not a message-level record */
}

static int apply_rcpt(struct ob_msg *m, char **f, int n)
{
	uint64_t ri, kind;
	int st;

	if (n != 8 || !num(f[3], MAX_RCPT - 1, &ri) ||
	    !num(f[4], 3, &kind) || (st = ob_state_parse(f[5])) < 0)
		return -1;
	/* recipients are declared in order: one record grows the list by
	 * one at most (a damaged index cannot make a huge allocation) */
	if (ri > m->nrcpt)
		return -1;
	if (grow_rcpt(m, ri))
		return PF_E_NOMEM;
	m->rcpt[ri].kind = (int)kind;
	m->rcpt[ri].state = (enum ob_state)st;
	set_str(&m->rcpt[ri].addr, f[6]);
	set_str(&m->rcpt[ri].why, f[7]);
	return 0;
}

static int apply_try(struct ob_msg *m, char **f, int n)
{
	uint64_t att, ri;

	if (n != 5 || !num(f[3], MAX_ID, &att))
		return -1;
	close_open_dot(m);
	m->att = (unsigned)att;
	for (char *p = f[4]; *p; ) {
		char *end;

		errno = 0;
		ri = strtoull(p, &end, 10);
		if (end == p || errno || ri >= m->nrcpt)
			return -1;
		m->rcpt[ri].txn_att = (unsigned)att;
		m->rcpt[ri].txn_ok = false;
		m->rcpt[ri].txn_open = true;
		p = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -1;
	}
	return 0;
}

/* A state change with its reply: RC to ST (charged: one more attempt). */
static void settle(struct ob_rcpt *rc, enum ob_state st, bool charge,
		   int64_t next, const struct ob_reply *r, int64_t t)
{
	rc->state = st;
	rc->next_ms = st == OB_TEMPFAIL ? next : 0;
	rc->when_ms = t;
	/* a verdict on this recipient is an attempt; a requeue is not */
	if (charge || (st != OB_PENDING && st != OB_TEMPFAIL))
		rc->attempts++;
	set_reply(rc, r);
	free(rc->queue_id);
	rc->queue_id = st == OB_ACCEPTED ? ob_queue_id(r->text) : NULL;
	set_str(&rc->why, st == OB_UNCERTAIN ? "no reply to the final dot"
		: NULL);
}

static int apply_to(struct ob_msg *m, char **f, int n, int64_t t)
{
	uint64_t att, ri, next;
	struct ob_reply r = { .text = NULL };
	int st;

	if (n != 12 || !num(f[3], MAX_ID, &att) ||
	    !num(f[4], MAX_RCPT - 1, &ri) || ri >= m->nrcpt ||
	    (st = ob_state_parse(f[6])) < 0 || !num(f[7], INT64_MAX, &next)
	    || !parse_reply(f + 8, &r)) {
		free(r.text);
		return -1;
	}
	m->rcpt[ri].txn_open = false;
	if (strcmp(f[5], "1") == 0) {
		m->rcpt[ri].txn_ok = true;
		m->rcpt[ri].txn_att = (unsigned)att;
	} else {
		m->rcpt[ri].txn_ok = false;
		settle(&m->rcpt[ri], (enum ob_state)st,
		       st == OB_TEMPFAIL || st == OB_PERMFAIL,
		       (int64_t)next, &r, t);
	}
	free(r.text);
	return 0;
}

static int apply_end(struct ob_msg *m, char **f, int n, int64_t t)
{
	uint64_t att, next;
	struct ob_reply r = { .text = NULL };
	bool whole;
	int st;

	if (n != 11 || !num(f[3], MAX_ID, &att) ||
	    (st = ob_state_parse(f[4])) < 0 ||
	    !num(f[6], INT64_MAX, &next) || !parse_reply(f + 7, &r)) {
		free(r.text);
		return -1;
	}
	/* A reply to MAIL FROM ends the attempt for all its recipients;
	 * a later one, for those RCPT TO accepted. */
	whole = strcmp(r.stage, "MAIL FROM") == 0;
	for (size_t i = 0; i < m->nrcpt; i++) {
		struct ob_rcpt *rc = &m->rcpt[i];

		if (rc->txn_att != att || !(rc->txn_ok ||
					    (whole && rc->txn_open)))
			continue;
		rc->txn_ok = rc->txn_open = false;
		settle(rc, (enum ob_state)st, strcmp(f[5], "1") == 0,
		       (int64_t)next, &r, t);
	}
	if (m->dot_att == att)
		m->dot_att = 0;
	free(r.text);
	return 0;
}

static int apply_state(struct ob_msg *m, char **f, int n, int64_t t)
{
	uint64_t ri;
	int st;

	if (n != 6 || !num(f[3], MAX_RCPT - 1, &ri) || ri >= m->nrcpt ||
	    (st = ob_state_parse(f[4])) < 0)
		return -1;
	m->rcpt[ri].state = (enum ob_state)st;
	m->rcpt[ri].when_ms = t;
	m->rcpt[ri].next_ms = 0;
	set_str(&m->rcpt[ri].why, f[5]);
	return 0;
}

/* Apply one parsed record.  0 done, -1 malformed, <0 PF_E_*. */
int ob_rec_apply(struct ob_spool *sp, char **f, int n)
{
	uint64_t t;
	struct ob_msg *m;
	int rc;

	if (n < 2 || !num(f[0], INT64_MAX, &t))
		return -1;
	if (strcmp(f[1], "journal") == 0)
		return n == 3 && strcmp(f[2], "1") == 0 ? 0 : -1;
	if (strcmp(f[1], "run") == 0)
		return n == 4 ? 0 : -1;
	rc = apply_msg(sp, f, n, (int64_t)t);
	if (rc <= 0)
		return rc;
	m = by_id(sp, strtoull(f[2], NULL, 10));
	if (strcmp(f[1], "rcpt") == 0)
		return apply_rcpt(m, f, n);
	if (strcmp(f[1], "try") == 0)
		return apply_try(m, f, n);
	if (strcmp(f[1], "to") == 0)
		return apply_to(m, f, n, (int64_t)t);
	if (strcmp(f[1], "end") == 0)
		return apply_end(m, f, n, (int64_t)t);
	if (strcmp(f[1], "state") == 0)
		return apply_state(m, f, n, (int64_t)t);
	return -1;
}

int ob_journal_replay(struct ob_spool *sp, char *text, size_t len,
		      size_t *good_len)
{
	char *f[MAX_FIELDS];
	size_t off = 0, good = 0;
	bool first = true;

	while (off < len) {
		char *nl = memchr(text + off, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - (text + off)) + 1 : len - off;
		int n = ob_rec_parse(text + off, ll, f, MAX_FIELDS);
		int rc = n < 0 ? -1 : ob_rec_apply(sp, f, n);

		if (rc < -1)
			return pf_error_set(rc, "out of memory");
		if (first && (n < 3 || strcmp(f[1], "journal") != 0))
			return pf_error_set(PF_E_CORRUPT, "%s/journal: not a "
					    "pstfix journal (version 1)",
					    sp->dir);
		first = false;
		off += ll;
		if (rc == 0) {
			good = off;
		} else if (off >= len) {
			sp->torn_tail = true;  /* the last line: torn */
		} else {
			sp->bad_records++;
			good = off;
		}
	}
	for (size_t i = 0; i < sp->nmsg; i++)
		close_open_dot(sp->msg[i]);
	*good_len = good;
	return 0;
}
