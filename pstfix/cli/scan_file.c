/*
 * scan_file.c - check one file and write its whole report.
 *
 * Contract: runs pf_check_file() once, streams the findings the options
 * let through to out->f as they arrive, then writes the verdict (human) or
 * the summary record (JSON), and fills *res for the totals.  The status
 * follows fsck(8): errors found -> 4, could not be checked -> 8, else 0
 * (warnings do not make a file dirty: Outlook writes some of them itself).
 */
#include <string.h>
#include <time.h>

#include "cli.h"
#include "scan.h"

struct finding_ctx {
	const char *path;
	const struct scan_opts *o;
	struct scan_out *out;
};

double scan_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* With the bar on the same terminal, erase it before writing to stdout. */
static void out_begin(struct scan_out *out)
{
	if (out->direct)
		progress_pause(out->bar);
}

static void out_end(struct scan_out *out)
{
	if (out->direct && out->bar) {
		fflush(out->f);
		progress_resume(out->bar);
	}
}

/* The problem a "... and N more findings of PFnnnn" row is about, from
 * its message (the finding has no field for it); NULL if not found. */
static const struct pf_problem *capped_problem(const struct pf_finding *fd)
{
	const char *pf = strrchr(fd->message, 'P');
	unsigned code = 0;

	if (!pf || pf[1] != 'F')
		return NULL;
	for (int i = 2; i < 6; i++) {
		if (pf[i] < '0' || pf[i] > '9')
			return NULL;
		code = code * 10 + (unsigned)(pf[i] - '0');
	}
	return pf_problem_by_code((uint16_t)code);
}

/* Info findings are noise for a person unless -v.  A "... and N more"
 * row (pass 9, itself info) says the listing above is incomplete: shown
 * when the findings it stands for would be. */
static bool shown(const struct scan_opts *o, const struct pf_finding *fd)
{
	const struct pf_problem *p = fd->problem;

	if (o->quiet)
		return false;
	if (o->json || o->verbose)
		return true;
	if (p->code / 1000u == 9)
		p = capped_problem(fd);
	return !p || p->sev != PF_SEV_INFO;
}

static void on_finding(void *ctx, const struct pf_finding *fd)
{
	struct finding_ctx *fc = ctx;

	if (!shown(fc->o, fd))
		return;
	out_begin(fc->out);
	if (fc->o->json)
		report_finding_json(fc->out->f, fc->path, fd);
	else
		report_finding_text(fc->out->f, fd);
	out_end(fc->out);
}

/* The reason, without the "PATH: " the reader puts in front of some
 * messages: the verdict line already starts with the path. */
static void set_error(struct scan_result *res, const char *path, int rc)
{
	const char *msg = pf_error_msg();
	size_t plen = strlen(path);

	if (strncmp(msg, path, plen) == 0 && msg[plen] == ':' &&
	    msg[plen + 1] == ' ')
		msg += plen + 2;
	if (!*msg)
		msg = pf_error_name(rc);
	snprintf(res->error, sizeof(res->error), "%s", msg);
}

static void classify(struct scan_result *res, const char *path, int rc)
{
	if (rc != 0) {
		res->status = SCAN_UNREADABLE;
		res->exit = PF_EXIT_OPERATIONAL;
		set_error(res, path, rc);
	} else if (res->sum.findings[PF_SEV_ERROR] > 0) {
		res->status = SCAN_ERRORS;
		res->exit = PF_EXIT_ERRORS;
	} else {
		res->status = SCAN_CLEAN;
		res->exit = PF_EXIT_CLEAN;
	}
}

void scan_file(const char *path, const struct scan_opts *o,
	       struct scan_out *out, struct scan_result *res)
{
	struct progress_slot slot = { .bar = out->bar, .file = path };
	struct pf_check_opts copts = {
		.max_per_code = o->max_per_code,
		.cross_check = o->cross_check,
		.xcheck_timeout = o->xcheck_timeout,
		.progress = out->bar ? progress_update : NULL,
		.progress_ctx = &slot,
	};
	struct finding_ctx fc = { .path = path, .o = o, .out = out };
	double t0 = scan_clock();
	int rc;

	memset(res, 0, sizeof(*res));
	progress_update(&slot, PF_PASS_HEADER, 0, 0);
	rc = pf_check_file(path, &copts, on_finding, &fc, &res->sum);
	res->seconds = scan_clock() - t0;
	classify(res, path, rc);
	out_begin(out);
	if (o->json)
		report_summary_json(out->f, path, res);
	else
		report_verdict_text(out->f, path, res, o->verbose);
	out_end(out);
}
