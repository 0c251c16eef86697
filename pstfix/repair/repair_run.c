/*
 * repair_run.c - pf_repair_file(): the repair pipeline.
 *
 * Contract (repair_run.h)
 * - Scan IN.  The NDB level is the highest level below MESSAGING any
 *   finding asks for; MESSAGING is asked for separately.  A file whose
 *   header does not open as a PST goes straight to pf_repair_ndb at
 *   BTREE (it probes the layout; a file that is no PST at all fails
 *   there with PF_E_NOTPST).
 * - Stages, each into a temporary sibling of the final path, each
 *   followed by a rescan:
 *     HEADER            pf_repair_header
 *     MAPS..NODES       pf_repair_ndb; when IN's ibFileEof is not the
 *                       file size (PF1012, PF1013) the header stage runs
 *                       first and the level is taken again from its
 *                       rescan: a wrong ibFileEof alone makes every page
 *                       after it look lost, or the file look truncated
 *     MESSAGING         pf_repair_messaging, when the last rescan (or the
 *                       first scan, if no NDB stage ran) asks for it and
 *                       the NDB has no findings left that ask for more
 *                       (repair.h: stage 3 needs a sound NDB)
 * - The result is installed only when it is better than IN: fewer errors,
 *   or as many and fewer findings asking for repair.  Otherwise nothing
 *   is written and the exit is 4 (0 when IN had warnings only).
 * - A stage's file is removed once the next stage has written its own,
 *   and every temporary file on every path at the end: besides IN at
 *   most two copies exist at once.  The messaging stage takes over the
 *   NDB stage's file instead of copying it (ctx.consume_in: the same
 *   bytes, one copy of the whole file less).
 * - Work done once: as soon as the first scan finds something for an NDB
 *   or messaging stage, a second thread copies IN (repair_copy.c) for
 *   that stage's writer to take over, while the scan goes on.  The first
 *   scan notes each block CRC it proves (pf_crcmemo.h); the NDB stage's
 *   trailer scan and every rescan take those trailers as proved instead
 *   of computing them again (the stages keep every block at its offset;
 *   a block written anew has a new trailer and is checked), and the
 *   rescans read the stages' files through a mapping (pf_ndb_map).
 * - Scans list at most REPAIR_MAX_PER_CODE findings per code (the counts
 *   stay exact); the final scan's findings are kept and handed to
 *   on_after once the pipeline knows which scan was the last.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../formats/util/pf_err.h"
#include "../../formats/util/pf_grow.h"
#include "repair.h"
#include "repair_run.h"

#define REPAIR_MAX_PER_CODE 50
#define PROBLEM_TRUNCATED 1012  /* ROOT.ibFileEof past the file's end */
#define PROBLEM_PADDED 1013     /* ROOT.ibFileEof short of the file */
#define NSTAGES 3

struct run;

/* One scan: the findings (when kept), counted by level. */
struct scan {
	pf_finding_fn fwd;              /* live forwarding, or NULL */
	void *fwd_ctx;
	struct run *first;              /* the first scan's run (precopy) */
	bool keep;
	struct pf_finding *v;
	size_t n, cap;
	uint64_t asking[PF_REPAIR_MESSAGING + 1];
	bool eof_off, nomem;
	struct pf_check_summary sum;
};

struct run {
	const char *in;
	const struct pf_repair_opts *o;
	struct pf_repair_result *res;
	struct pf_repair_ctx ctx;
	const char *final;
	char *tmp[NSTAGES];
	unsigned ntmp;
	const char *cur;                /* the newest complete file */
	struct pf_crc_memo memo;        /* block CRCs the first scan proved */
	struct pf_repair_bgcopy pre;    /* IN's copy, begun during the first
					   scan (pre_on) */
	bool pre_decided, pre_on;
};

static void precopy_maybe(struct run *r, const struct scan *s,
			  enum pf_repair_level lv);

/* Waits for the copy and removes it unless a stage took it over. */
static void precopy_drop(struct run *r)
{
	if (r->pre_on)
		pf_repair_bgcopy_drop(&r->pre);
	r->pre_on = false;
}

static void on_finding(void *arg, const struct pf_finding *f)
{
	struct scan *s = arg;
	enum pf_repair_level lv = pf_repair_level_of(f);

	s->asking[lv]++;
	if (f->problem && (f->problem->code == PROBLEM_PADDED ||
			   f->problem->code == PROBLEM_TRUNCATED))
		s->eof_off = true;
	if (s->first)
		precopy_maybe(s->first, s, lv);
	if (s->fwd)
		s->fwd(s->fwd_ctx, f);
	if (!s->keep)
		return;
	if (pf_grow(&s->v, s->n, &s->cap, sizeof(*s->v)) != 0) {
		s->nomem = true;
		return;
	}
	s->v[s->n] = *f;
	s->v[s->n].field = NULL;  /* may not outlive the scan; in message */
	s->n++;
}

/* The first scan (of IN) fills r->memo; a rescan trusts it. */
static int scan_file(struct run *r, const char *path, struct scan *s)
{
	struct pf_check_opts co = {
		.max_per_code = REPAIR_MAX_PER_CODE,
		.progress = r->o->progress,
		.progress_ctx = r->o->progress_ctx,
		.crc_memo = &r->memo,
		.crc_memo_mode = r->memo.sealed ? PF_MEMO_TRUST :
						  PF_MEMO_FILL,
		.map_file = path != r->in,   /* a stage's file: ours alone */
	};
	int rc = pf_check_file(path, &co, on_finding, s, &s->sum);

	if (!r->memo.sealed) {
		pf_crc_memo_seal(&r->memo);
		r->ctx.crc_memo = &r->memo;
	}
	return rc;
}

static void scan_free(struct scan *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* The highest level below MESSAGING the scan asks for. */
static enum pf_repair_level ndb_level(const struct scan *s)
{
	for (int lv = PF_REPAIR_NODES; lv > PF_REPAIR_NONE; lv--)
		if (s->asking[lv])
			return (enum pf_repair_level)lv;
	return PF_REPAIR_NONE;
}

static uint64_t asking_total(const struct scan *s)
{
	uint64_t n = 0;

	for (int lv = PF_REPAIR_HEADER; lv <= PF_REPAIR_MESSAGING; lv++)
		n += s->asking[lv];
	return n;
}

static int fail(struct run *r, int rc)
{
	snprintf(r->res->error, sizeof(r->res->error), "%s",
		 pf_error_msg()[0] ? pf_error_msg() : pf_error_name(rc));
	r->res->exit = PF_EXIT_OPERATIONAL;
	return rc;
}

/* Run one stage from r->cur into a new temporary file. */
static int stage(struct run *r, enum pf_repair_level level, const char *tag)
{
	char *out;
	int rc;

	if (r->ntmp >= NSTAGES)
		return pf_error_set(PF_E_USAGE, "repair: too many stages");
	out = pf_repair_tmp_name(r->final, tag);
	if (!out)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	r->tmp[r->ntmp++] = out;
	if (level == PF_REPAIR_HEADER)
		rc = pf_repair_header(&r->ctx, r->cur, out);
	else if (level == PF_REPAIR_MESSAGING) {
		/* an earlier stage's file is taken over, not copied again */
		r->ctx.consume_in = r->cur != r->in;
		rc = pf_repair_messaging(&r->ctx, r->cur, out);
		r->ctx.consume_in = false;
	}
	else
		rc = pf_repair_ndb(&r->ctx, r->cur, out, level);
	if (rc != 0)
		return rc;
	/* the previous stage's file is no longer needed: at most two copies
	 * besides IN exist at any time */
	if (r->cur != r->in)
		(void)unlink(r->cur);
	r->cur = out;
	if (level > r->res->done)
		r->res->done = level;
	return 0;
}

/* Rescan r->cur into *s (kept findings, for on_after). */
static int rescan(struct run *r, struct scan *s)
{
	char why[256];
	int rc;

	scan_free(s);
	s->keep = true;
	rc = scan_file(r, r->cur, s);
	if (rc != 0) {
		/* a copy: the message buffer is the one pf_error_set fills */
		snprintf(why, sizeof(why), "%s", pf_error_msg());
		return pf_error_set(rc, "the repaired file does not open: %s",
				    why);
	}
	return s->nomem ? pf_error_set(PF_E_NOMEM, "out of memory") : 0;
}

/* The NDB stages.  *s is the scan that decides; it becomes the rescan of
 * the last stage that ran. */
static int ndb_stages(struct run *r, struct scan *s, bool unreadable)
{
	enum pf_repair_level lv = unreadable ? PF_REPAIR_BTREE : ndb_level(s);
	int rc = 0;

	if (lv == PF_REPAIR_HEADER || (lv > PF_REPAIR_HEADER && s->eof_off)) {
		precopy_drop(r);   /* the header stage writes its own */
		rc = stage(r, PF_REPAIR_HEADER, "header");
		if (rc == 0)
			rc = rescan(r, s);
		lv = rc == 0 ? ndb_level(s) : lv;
		if (lv == PF_REPAIR_HEADER)
			return rc;  /* what the header stage could not fix */
	}
	if (rc == 0 && lv >= PF_REPAIR_MAPS) {
		/* IN's copy, begun during the first scan, is the writer's */
		r->ctx.precopy = r->pre_on && r->cur == r->in ? &r->pre :
								 NULL;
		rc = stage(r, lv, "ndb");
		r->ctx.precopy = NULL;
		precopy_drop(r);
		if (rc == 0)
			rc = rescan(r, s);
	}
	return rc;
}

static int msg_stage(struct run *r, struct scan *s)
{
	int rc;

	if (!s->asking[PF_REPAIR_MESSAGING] || ndb_level(s) != PF_REPAIR_NONE)
		return 0;
	if (r->pre_on && r->cur == r->in) {
		/* the first stage: IN's copy stands for the file an earlier
		 * stage would have written, which this stage takes over */
		rc = pf_repair_bgcopy_finish(&r->pre);
		if (rc != 0)
			return rc;
		r->cur = r->pre.path;
	}
	rc = stage(r, PF_REPAIR_MESSAGING, "msg");
	if (rc != 0 && r->cur == r->pre.path)
		r->cur = r->in;
	r->pre.taken = r->pre_on && rc == 0;  /* renamed by the stage */
	precopy_drop(r);
	return rc != 0 ? rc : rescan(r, s);
}

static bool better(const struct run *r, const struct scan *first,
		   const struct scan *last)
{
	uint64_t e0 = first->sum.findings[PF_SEV_ERROR];
	uint64_t e1 = last->sum.findings[PF_SEV_ERROR];

	if (r->res->header_unreadable)
		return true;
	return e1 < e0 || (e1 <= e0 && asking_total(last) <
				       asking_total(first));
}

static int install(struct run *r)
{
	if (r->o->out)
		return pf_repair_install_out(r->cur, r->o->out, r->in);
	return pf_repair_install_inplace(r->cur, r->in, r->o->backup);
}

enum target { TARGET_FREE, TARGET_UNNAMED, TARGET_READONLY, TARGET_EXISTS };

static enum target target_state(const struct run *r)
{
	const char *target = r->o->out ? r->o->out : r->o->backup;
	struct stat st;

	if (!target)
		return TARGET_UNNAMED;
	/* In place, a file nobody may write is one its owner wants kept
	 * as it is (an archive, a shared evidence copy); root could replace
	 * it, so the mode bits are asked, not access(2). */
	if (!r->o->out && stat(r->in, &st) == 0 && (st.st_mode & 0222) == 0)
		return TARGET_READONLY;
	return lstat(target, &st) == 0 ? TARGET_EXISTS : TARGET_FREE;
}

/* Where the result goes must be free before any stage runs (install()
 * checks again, atomically). */
static int target_free(const struct run *r)
{
	switch (target_state(r)) {
	case TARGET_UNNAMED:
		return pf_error_set(PF_E_USAGE, "repair: no output and no "
				    "backup name");
	case TARGET_READONLY:
		return pf_error_set(PF_E_IO, "%s is read-only: repair it with "
				    "-o OUT", r->in);
	case TARGET_EXISTS:
		return pf_error_set(PF_E_IO, r->o->out ?
				    "%s exists: not replaced" :
				    "%s exists: move it away, or repair with "
				    "-o OUT", r->o->out ? r->o->out :
				    r->o->backup);
	case TARGET_FREE:
		break;
	}
	return 0;
}

/* Every stage but HEADER starts from a copy of IN.  It is begun as soon
 * as the first scan asks for an NDB or messaging stage, to run beside the
 * rest of the scan (whose block pass reads and CRCs the whole file) and
 * the NDB stage's trailer scan, instead of after them.  Not when the
 * header stage will run first and write a file of its own (a wrong
 * ibFileEof), nor when nothing may be written. */
static void precopy_maybe(struct run *r, const struct scan *s,
			  enum pf_repair_level lv)
{
	struct stat st;

	if (r->pre_decided || lv < PF_REPAIR_MAPS)
		return;
	r->pre_decided = true;
	if (s->eof_off || r->o->dry_run || target_state(r) != TARGET_FREE ||
	    stat(r->in, &st) != 0)
		return;
	r->pre_on = true;
	/* a copy that cannot start is the stage's to redo, and say why */
	if (pf_repair_bgcopy_start(&r->pre, r->in, r->final,
				   (uint64_t)st.st_size) != 0)
		precopy_drop(r);
}

static void emit_after(struct run *r, const struct scan *s)
{
	r->res->after = s->sum;
	for (size_t i = 0; r->o->on_after && i < s->n; i++)
		r->o->on_after(r->o->finding_ctx, &s->v[i]);
}

/* After the first scan: decide, run the stages, install. */
static int repair(struct run *r, struct scan *first, bool unreadable)
{
	struct scan last = *first;
	int rc;

	last.v = NULL;
	last.n = last.cap = 0;
	last.first = NULL;   /* the precopy is the first scan's business */
	rc = target_free(r);
	if (rc == 0)
		rc = ndb_stages(r, &last, unreadable);
	if (rc == 0)
		rc = msg_stage(r, &last);
	if (rc == 0 && r->res->done == PF_REPAIR_NONE)
		rc = pf_error_set(PF_E_USAGE, "repair: no stage ran");
	if (rc != 0) {
		scan_free(&last);
		return fail(r, rc);
	}
	emit_after(r, &last);
	if (!better(r, first, &last)) {
		/* only warnings asked, and they stay: the file is as sound as
		 * before, not worse */
		r->res->exit = first->sum.findings[PF_SEV_ERROR] ?
			       PF_EXIT_ERRORS : PF_EXIT_CLEAN;
		snprintf(r->res->error, sizeof(r->res->error), "the repair "
			 "did not improve the file: nothing written");
		scan_free(&last);
		return 0;
	}
	rc = install(r);
	if (rc != 0) {
		scan_free(&last);
		return fail(r, rc);
	}
	r->res->installed = true;
	r->res->exit = last.sum.findings[PF_SEV_ERROR] ? PF_EXIT_ERRORS :
							 PF_EXIT_FIXED;
	scan_free(&last);
	return 0;
}

static void cleanup(struct run *r)
{
	for (unsigned i = 0; i < r->ntmp; i++) {
		if (unlink(r->tmp[i]) != 0 && errno != ENOENT)
			pf_repair_note(&r->ctx, PF_REPAIR_NONE, "could not "
				       "remove %s: %s", r->tmp[i],
				       strerror(errno));
		free(r->tmp[i]);
	}
}

/* The first scan, the decision, the stages. */
static int repair_file(struct run *r)
{
	struct pf_repair_result *res = r->res;
	struct scan first = { .fwd = r->o->on_before,
			      .fwd_ctx = r->o->finding_ctx, .first = r };
	bool unreadable;
	int rc;

	rc = scan_file(r, r->in, &first);
	r->pre_decided = true;
	res->before = first.sum;
	memcpy(res->asking, first.asking, sizeof(res->asking));
	/* PF_E_NOTPST after the file was read: no magic, a zeroed header;
	 * the NDB stage probes for the layout or says it is no PST */
	unreadable = rc == PF_E_NOTPST;
	if (rc != 0 && !unreadable)
		return fail(r, rc);
	res->header_unreadable = unreadable;
	res->level = unreadable ? PF_REPAIR_BTREE :
		     first.asking[PF_REPAIR_MESSAGING] ? PF_REPAIR_MESSAGING :
		     ndb_level(&first);
	if (unreadable)
		snprintf(res->unreadable, sizeof(res->unreadable), "%s",
			 pf_error_msg());
	if (res->level == PF_REPAIR_NONE || r->o->dry_run) {
		res->exit = res->level == PF_REPAIR_NONE ? PF_EXIT_CLEAN :
							   PF_EXIT_ERRORS;
		return 0;
	}
	rc = repair(r, &first, unreadable);
	res->counts = r->ctx.counts;
	cleanup(r);
	return rc;
}

int pf_repair_file(const char *in, const struct pf_repair_opts *o,
		   struct pf_repair_result *res)
{
	struct run r = { .in = in, .o = o, .res = res, .cur = in,
			 .final = o->out ? o->out : in };
	int rc;

	memset(res, 0, sizeof(*res));
	r.ctx.note = o->note;
	r.ctx.note_ctx = o->note_ctx;
	rc = repair_file(&r);
	precopy_drop(&r);
	pf_crc_memo_free(&r.memo);
	return rc;
}
