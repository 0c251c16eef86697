/*
 * report.c - turn faults and checker observations into findings: pick the
 * problem row, fill its template, apply the per-code cap, count.
 *
 * Contract: this is the only place a finding is built.  A fault whose
 * (obj, kind) has no row of its own falls back to the object's catch-all
 * row (kind 0), so nothing formats/ reports is ever lost.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ck.h"

static const struct pf_problem *row_for_fault(enum pf_obj obj,
					      enum pf_fault_kind kind)
{
	const struct pf_problem *fallback = NULL;

	for (unsigned i = 0; i < pf_problem_count; i++) {
		const struct pf_problem *p = &pf_problems[i];

		if (p->obj != obj)
			continue;
		if (p->kind == kind)
			return p;
		if (p->kind == 0 && !fallback)
			fallback = p;
	}
	return fallback;
}

static void append(char *out, size_t cap, size_t *n, const char *s)
{
	size_t len = strlen(s);

	if (*n + len >= cap)
		len = cap - 1 - *n;
	memcpy(out + *n, s, len);
	*n += len;
	out[*n] = '\0';
}

static void format(char *out, size_t cap, const char *tmpl,
		   const struct pf_finding *f, const char *extra)
{
	size_t n = 0;
	char tmp[64];

	out[0] = '\0';
	for (const char *p = tmpl; *p && n + 1 < cap; p++) {
		if (*p != '%' || !p[1]) {
			tmp[0] = *p;
			tmp[1] = '\0';
			append(out, cap, &n, tmp);
			continue;
		}
		switch (*++p) {
		case 'F': append(out, cap, &n, f->field ? f->field : "?"); break;
		case 'S': append(out, cap, &n, extra ? extra : ""); break;
		case 'G': snprintf(tmp, sizeof(tmp), "0x%" PRIx64, f->got);
			  append(out, cap, &n, tmp); break;
		case 'W': snprintf(tmp, sizeof(tmp), "0x%" PRIx64, f->want);
			  append(out, cap, &n, tmp); break;
		case 'g': snprintf(tmp, sizeof(tmp), "%" PRIu64, f->got);
			  append(out, cap, &n, tmp); break;
		case 'w': snprintf(tmp, sizeof(tmp), "%" PRIu64, f->want);
			  append(out, cap, &n, tmp); break;
		default:  append(out, cap, &n, "%"); break;
		}
	}
}

static void emit(struct pf_ck *ck, const struct pf_problem *p,
		 const struct pf_fault *src, const char *extra)
{
	unsigned idx = (unsigned)(p - pf_problems);
	struct pf_finding f = {
		.problem = p, .ib = src->ib, .bid = src->bid, .nid = src->nid,
		.hid = src->hid, .got = src->got, .want = src->want,
		.field = src->field,
	};

	ck->sum->findings[p->sev]++;
	ck->per_code[idx]++;
	if (ck->opts->max_per_code && ck->per_code[idx] > ck->opts->max_per_code) {
		ck->sum->suppressed++;
		return;
	}
	format(f.message, sizeof(f.message), p->text, &f, extra);
	if (ck->on_finding)
		ck->on_finding(ck->on_finding_ctx, &f);
}

void ck_report(struct pf_ck *ck, uint16_t code, const struct pf_fault *f,
	       const char *extra)
{
	const struct pf_problem *p = pf_problem_by_code(code);

	if (p)
		emit(ck, p, f, extra);
}

void ck_problem(struct pf_ck *ck, uint16_t code, uint64_t ib, uint64_t bid,
		uint32_t nid, uint64_t got, uint64_t want, const char *extra)
{
	struct pf_fault f = {
		.ib = ib, .bid = bid, .nid = nid, .got = got, .want = want,
	};

	ck_report(ck, code, &f, extra);
}

/* Faults of blocks and their trees were all reported by pass 5, which
 * reads every block; later passes meet the same blocks again through the
 * nodes that use them and must not report them once per use. */
static bool already_reported(const struct pf_ck *ck, enum pf_obj obj)
{
	return ck->pass > PF_PASS_BLOCKS &&
	       (obj == PF_OBJ_BLOCK || obj == PF_OBJ_XBLOCK ||
		obj == PF_OBJ_SUBNODE);
}

void ck_fault(void *ctx, const struct pf_fault *f)
{
	struct pf_ck *ck = ctx;
	const struct pf_problem *p = row_for_fault(f->obj, f->kind);

	if (already_reported(ck, f->obj))
		return;
	if (p)
		emit(ck, p, f, NULL);
}

/* One "... and N more" line per capped code; not counted again (the
 * originals were).  want carries the capped code for machine readers. */
void ck_report_suppressed(struct pf_ck *ck)
{
	uint32_t cap = ck->opts->max_per_code;

	for (unsigned i = 0; cap && i < pf_problem_count; i++) {
		struct pf_finding out = {
			.problem = pf_problem_by_code(9001), .ib = PF_NO_IB,
			.got = ck->per_code[i] - cap,
			.want = pf_problems[i].code,
		};
		char what[32];

		if (ck->per_code[i] <= cap)
			continue;
		snprintf(what, sizeof(what), "PF%04u",
			 (unsigned)pf_problems[i].code);
		format(out.message, sizeof(out.message), out.problem->text,
		       &out, what);
		if (ck->on_finding)
			ck->on_finding(ck->on_finding_ctx, &out);
	}
}

void ck_progress(struct pf_ck *ck, enum pf_pass pass, uint64_t done,
		 uint64_t total)
{
	if (ck->opts->progress)
		ck->opts->progress(ck->opts->progress_ctx, pass, done, total);
}
