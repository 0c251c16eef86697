/*
 * journal.c - the append-only journal of a send spool: the record format,
 * appends (one write + fdatasync each) and the replay into states.
 *
 * Format (version 1).  A text file, one record per line, so `cat` and
 * `grep` read it and `outbox status` needs no other index:
 *
 *     FIELD<TAB>FIELD<TAB>...<TAB>CRC\n
 *
 * Field 1 is the time in Unix milliseconds, field 2 the record type.
 * CRC is the CRC-32 (zlib, 8 lower-case hex digits) of every byte before
 * the last tab.  Inside a field '%', TAB, CR, LF, the other C0 controls
 * and DEL are written %XX, so a field never holds a separator.  A line
 * without its '\n' or whose CRC does not match is damaged: the last one
 * (a crash mid-write: a torn tail) is dropped and truncated away before
 * the next append; one in the middle is skipped and counted.
 *
 *   T journal 1                               the first record
 *   T run TRANSPORT PID                       a `send` started
 *   T item M NID MSGID SRC SUBJECT FROM       message M is this item
 *   T note M WHY DEFERRED                     M not spooled: why (0/1)
 *   T spool M CB CRC32                        msg/mM.eml holds CB bytes
 *   T rcpt M RI KIND STATE ADDR WHY           recipient RI: pending or
 *                                             skipped (WHY), KIND 1-3
 *   T try M ATT RI,RI,...                     before MAIL FROM
 *   T to M ATT RI INTXN STATE NEXT STAGE CODE ENH TEXT
 *                                             after RCPT's reply
 *   T dot M ATT                               before the final dot
 *   T end M ATT STATE CHARGE NEXT STAGE CODE ENH TEXT
 *                                             the attempt's outcome for
 *                                             its RCPT-accepted recipients
 *                                             (STAGE "MAIL FROM": for all)
 *   T state M RI STATE WHY                    expired, or an UNCERTAIN
 *                                             one requeued on request
 *
 * STATE is ob_state_name(); ENH "x.y.z" or "-"; NEXT Unix ms or 0.
 * A message is written as item, rcpt..., spool: it counts as spooled
 * (and a resume leaves it alone) only once its spool record is there.
 * Replay rule (smtp-facts.md): an attempt with "dot" and no "end" left
 * its RCPT-accepted recipients UNCERTAIN; one without "dot" and without
 * "end" changed nothing.  Live appends apply the very record they wrote
 * through the same function as the replay (ob_rec_apply(), replay.c), so
 * a run and its replay cannot disagree.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "spool.h"

#define MAX_FIELDS 16

static bool needs_escape(unsigned char c)
{
	return c < 0x20 || c == 0x7f || c == '%';
}

int ob_rec_encode(char **line, size_t *len, const char *const *fields,
		  size_t n)
{
	size_t cap = 12, o = 0;
	char *p;
	uLong crc;

	for (size_t i = 0; i < n; i++)
		cap += 3 * strlen(fields[i] ? fields[i] : "") + 1;
	p = malloc(cap);
	if (!p)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const unsigned char *f = (const unsigned char *)
			(fields[i] ? fields[i] : "");

		if (i)
			p[o++] = '\t';
		for (; *f; f++) {
			if (needs_escape(*f)) {
				snprintf(p + o, 4, "%%%02X", *f);
				o += 3;
			} else {
				p[o++] = (char)*f;
			}
		}
	}
	crc = crc32(0L, (const Bytef *)p, (uInt)o);
	o += (size_t)snprintf(p + o, cap - o, "\t%08lx\n",
			      (unsigned long)crc);
	*line = p;
	*len = o;
	return 0;
}

/* The byte %XX at P (two hex digits), or -1. */
static int hex2(const char *p)
{
	char b[3] = { p[0], p[1], '\0' };

	if (!isxdigit((unsigned char)b[0]) || !isxdigit((unsigned char)b[1]))
		return -1;
	return (int)strtol(b, NULL, 16);
}

/* Unescape F in place; false on a bad escape. */
static bool unescape(char *f)
{
	char *w = f;

	for (char *r = f; *r; r++) {
		if (*r != '%') {
			*w++ = *r;
			continue;
		}
		if (hex2(r + 1) < 0)
			return false;
		*w++ = (char)hex2(r + 1);
		r += 2;
	}
	*w = '\0';
	return true;
}

int ob_rec_parse(char *line, size_t len, char **fields, size_t max)
{
	char *tab, *end;
	unsigned long want;
	size_t n = 0;

	if (len < 10 || line[len - 1] != '\n')
		return -1;
	line[len - 1] = '\0';
	tab = strrchr(line, '\t');
	if (!tab || strlen(tab + 1) != 8)
		return -1;
	errno = 0;
	want = strtoul(tab + 1, &end, 16);
	if (*end || errno)
		return -1;
	if (crc32(0L, (const Bytef *)line, (uInt)(tab - line)) != want)
		return -1;
	*tab = '\0';
	for (char *f = line; f; ) {
		char *t = strchr(f, '\t');

		if (n == max)
			return -1;
		if (t)
			*t++ = '\0';
		if (!unescape(f))
			return -1;
		fields[n++] = f;
		f = t;
	}
	return (int)n;
}

/* ---- appends ---- */

static int append(struct ob_spool *sp, const char *const *fields, size_t n)
{
	char *line, *f[MAX_FIELDS];
	size_t len;
	int rc;

	if (sp->jfd < 0 || sp->io_failed)
		return pf_error_set(PF_E_IO, "%s/journal: not writable",
				    sp->dir);
	rc = ob_rec_encode(&line, &len, fields, n);
	if (rc)
		return rc;
	if (pf_write_all(sp->jfd, line, len) != 0 || fdatasync(sp->jfd) != 0)
		goto io;
	rc = ob_rec_parse(line, len, f, MAX_FIELDS);
	rc = rc < 0 ? PF_E_CORRUPT : ob_rec_apply(sp, f, rc);
	free(line);
	if (rc)
		return pf_error_set(rc < 0 && rc != -1 ? rc : PF_E_CORRUPT,
				    "journal record rejected (internal)");
	return 0;
io:
	free(line);
	sp->io_failed = true;
	return pf_error_set(PF_E_IO, "%s/journal: %s", sp->dir,
			    strerror(errno ? errno : EIO));
}

/* Append under the lock: the engine's threads share the spool. */
static int append_locked(struct ob_spool *sp, const char *const *fields,
			 size_t n)
{
	int rc;

	pthread_mutex_lock(&sp->mu);
	rc = append(sp, fields, n);
	pthread_mutex_unlock(&sp->mu);
	return rc;
}

int ob_journal_header(struct ob_spool *sp)
{
	char t[24];
	const char *f[] = { t, "journal", "1" };

	snprintf(t, sizeof(t), "%" PRId64, ob_now_ms());
	return append_locked(sp, f, 3);
}

int ob_j_run(struct ob_spool *sp, const char *transport)
{
	char t[24], pid[24];
	const char *f[] = { t, "run", transport, pid };

	snprintf(t, sizeof(t), "%" PRId64, ob_now_ms());
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	return append_locked(sp, f, 4);
}

/* The common head of the records about message M: T TYPE M. */
struct head {
	char t[24], m[16], a[16], b[24], c[24], code[8], enh[16];
};

static void head_init(struct head *h, const struct ob_msg *m)
{
	snprintf(h->t, sizeof(h->t), "%" PRId64, ob_now_ms());
	snprintf(h->m, sizeof(h->m), "%u", m->id);
}

static void reply_fields(struct head *h, const struct ob_reply *r)
{
	snprintf(h->code, sizeof(h->code), "%d", r->code);
	if (r->enh[0])
		snprintf(h->enh, sizeof(h->enh), "%d.%d.%d", r->enh[0] % 10,
			 r->enh[1] % 1000, r->enh[2] % 1000);
	else
		snprintf(h->enh, sizeof(h->enh), "-");
}

int ob_journal_item(struct ob_spool *sp, const struct ob_msg *m)
{
	struct head h;
	const char *f[8];

	head_init(&h, m);
	snprintf(h.a, sizeof(h.a), "%" PRIu32, m->nid);
	f[0] = h.t; f[1] = "item"; f[2] = h.m; f[3] = h.a;
	f[4] = m->msgid; f[5] = m->src; f[6] = m->subject; f[7] = m->from;
	return append_locked(sp, f, 8);
}

int ob_journal_note(struct ob_spool *sp, const struct ob_msg *m)
{
	struct head h;
	const char *f[5];

	head_init(&h, m);
	f[0] = h.t; f[1] = "note"; f[2] = h.m; f[3] = m->why;
	f[4] = m->deferred ? "1" : "0";
	return append_locked(sp, f, 5);
}

int ob_journal_spool(struct ob_spool *sp, const struct ob_msg *m)
{
	struct head h;
	const char *f[5];

	head_init(&h, m);
	snprintf(h.b, sizeof(h.b), "%" PRIu64, m->cb);
	snprintf(h.c, sizeof(h.c), "%" PRIu32, m->crc);
	f[0] = h.t; f[1] = "spool"; f[2] = h.m; f[3] = h.b; f[4] = h.c;
	return append_locked(sp, f, 5);
}

int ob_journal_rcpt(struct ob_spool *sp, const struct ob_msg *m, size_t ri,
		    const struct ob_rcpt *rc)
{
	struct head h;
	const char *f[8];

	head_init(&h, m);
	snprintf(h.a, sizeof(h.a), "%zu", ri);
	snprintf(h.b, sizeof(h.b), "%d", rc->kind);
	f[0] = h.t; f[1] = "rcpt"; f[2] = h.m; f[3] = h.a; f[4] = h.b;
	f[5] = ob_state_name(rc->state); f[6] = rc->addr; f[7] = rc->why;
	return append_locked(sp, f, 8);
}

int ob_j_try(struct ob_spool *sp, struct ob_msg *m, const size_t *idx,
	     size_t n, unsigned *att)
{
	struct head h;
	char *list = malloc(n * 8 + 1);
	const char *f[5];
	size_t o = 0;
	int rc;

	if (!list)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	list[0] = '\0';
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(list + o, 8, i ? ",%zu" : "%zu",
				      idx[i]);
	head_init(&h, m);
	pthread_mutex_lock(&sp->mu);
	snprintf(h.a, sizeof(h.a), "%u", m->att + 1);
	f[0] = h.t; f[1] = "try"; f[2] = h.m; f[3] = h.a; f[4] = list;
	rc = append(sp, f, 5);
	*att = m->att;
	pthread_mutex_unlock(&sp->mu);
	free(list);
	return rc;
}

/* `to` and `end`: T TYPE M ATT, then A, B, C (the caller's), then
 * STAGE CODE ENH TEXT. */
static int reply_rec(struct ob_spool *sp, const struct ob_msg *m,
		     const char *type, unsigned att, const char *const *abc,
		     size_t nabc, const struct ob_reply *r)
{
	struct head h;
	const char *f[12];
	size_t n = 0;

	head_init(&h, m);
	reply_fields(&h, r);
	snprintf(h.a, sizeof(h.a), "%u", att);
	f[n++] = h.t; f[n++] = type; f[n++] = h.m; f[n++] = h.a;
	for (size_t i = 0; i < nabc; i++)
		f[n++] = abc[i];
	f[n++] = r->stage; f[n++] = h.code; f[n++] = h.enh;
	f[n++] = r->text;
	return append_locked(sp, f, n);
}

int ob_j_rcpt(struct ob_spool *sp, struct ob_msg *m, unsigned att,
	      size_t ri, bool in_txn, enum ob_state st, int64_t next_ms,
	      const struct ob_reply *r)
{
	char b[24], c[24];
	const char *abc[4] = { b, in_txn ? "1" : "0", ob_state_name(st), c };

	snprintf(b, sizeof(b), "%zu", ri);
	snprintf(c, sizeof(c), "%" PRId64, next_ms);
	return reply_rec(sp, m, "to", att, abc, 4, r);
}

int ob_j_dot(struct ob_spool *sp, struct ob_msg *m, unsigned att)
{
	struct head h;
	const char *f[4];

	head_init(&h, m);
	snprintf(h.a, sizeof(h.a), "%u", att);
	f[0] = h.t; f[1] = "dot"; f[2] = h.m; f[3] = h.a;
	return append_locked(sp, f, 4);
}

int ob_j_end(struct ob_spool *sp, struct ob_msg *m, unsigned att,
	     enum ob_state st, bool charge, int64_t next_ms,
	     const struct ob_reply *r)
{
	char c[24];
	const char *abc[3] = { ob_state_name(st), charge ? "1" : "0", c };

	snprintf(c, sizeof(c), "%" PRId64, next_ms);
	return reply_rec(sp, m, "end", att, abc, 3, r);
}

int ob_j_state(struct ob_spool *sp, struct ob_msg *m, size_t ri,
	       enum ob_state st, const char *why)
{
	struct head h;
	const char *f[6];

	head_init(&h, m);
	snprintf(h.a, sizeof(h.a), "%zu", ri);
	f[0] = h.t; f[1] = "state"; f[2] = h.m; f[3] = h.a;
	f[4] = ob_state_name(st); f[5] = why;
	return append_locked(sp, f, 6);
}
