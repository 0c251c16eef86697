/*
 * scan.h - the parts of `pstfix scan`, shared between its files:
 *
 *   cmd_scan.c     options and operands -> struct scan_opts + file list
 *   scan_run.c     the run: -j workers, output order, Ctrl-C, totals
 *   scan_file.c    one file: run the checker, classify, write its report
 *   scan_report.c  the words and JSON records (the output format)
 *
 * Contract: one file's whole report (findings, then its verdict or
 * summary record) is written to one struct scan_out.  With -j 1 that is
 * stdout itself (`direct`: findings appear as they are found); with more
 * workers it is a private memory stream that scan_run.c copies to stdout
 * in one piece, so the reports of two files never interleave.
 */
#ifndef PF_CLI_SCAN_H
#define PF_CLI_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../check/check.h"
#include "progress.h"

#define SCAN_MAX_JOBS 256
#define SCAN_DEFAULT_MAX_PER_CODE 50
#define SCAN_DEFAULT_XCHECK_TIMEOUT 60

struct scan_opts {
	unsigned jobs;
	bool json, quiet, verbose;
	uint32_t max_per_code;
	bool cross_check;
	unsigned xcheck_timeout;
	bool want_total;      /* a final total even for one file (a
				 directory or a list was expanded) */
};

enum scan_status {
	SCAN_CLEAN,           /* no errors (warnings allowed): exit 0 */
	SCAN_ERRORS,          /* errors found: exit 4 */
	SCAN_UNREADABLE,      /* could not be checked: exit 8 */
};

struct scan_result {
	enum scan_status status;
	int exit;
	double seconds;
	struct pf_check_summary sum;
	char error[512];      /* why it could not be checked */
};

struct scan_out {
	FILE *f;
	struct progress *bar;
	bool direct;          /* f is the terminal's stdout: pause the bar */
};

struct scan_totals {
	size_t files;         /* in the list */
	size_t checked;       /* finished (clean + with_errors + unreadable) */
	size_t clean, with_errors, unreadable;
	uint64_t errors, warnings;
	int exit;
	double seconds;
	bool interrupted;
};

/* scan_run.c: check every path; returns the OR of the exit statuses. */
int scan_run(char *const *paths, size_t n, const struct scan_opts *o);

/* scan_file.c */
void scan_file(const char *path, const struct scan_opts *o,
	       struct scan_out *out, struct scan_result *res);
double scan_clock(void);  /* monotonic seconds */

/* scan_report.c: one record each; none of them flushes. */
void report_finding_text(FILE *f, const struct pf_finding *fd);
void report_finding_json(FILE *f, const char *path,
			 const struct pf_finding *fd);
void report_verdict_text(FILE *f, const char *path,
			 const struct scan_result *r, bool verbose);
void report_summary_json(FILE *f, const char *path,
			 const struct scan_result *r);
void report_total_text(FILE *f, const struct scan_totals *t);
void report_total_json(FILE *f, const struct scan_totals *t);

#endif
