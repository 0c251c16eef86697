/*
 * repair_cli.h - the parts of `pstfix repair`, shared between its files:
 *
 *   cmd_repair.c     options, the checks before a file is touched, the -j
 *                    workers, the exit status
 *   repair_report.c  the words, the summary table and the JSON records
 *
 * Contract: one file's whole report is built in a struct repair_job (the
 * findings and note lines the pipeline hands out, pstfix/repair/
 * repair_run.h) and written in one piece when the file is done, so the
 * reports of -j workers never interleave.
 */
#ifndef PF_CLI_REPAIR_H
#define PF_CLI_REPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../repair/repair_run.h"

#define REPAIR_MAX_JOBS 64
#define REPAIR_NOTES_MAX 10000   /* note lines kept per file */

struct repair_opts {
	const char *out;          /* -o: one FILE only */
	unsigned jobs;
	bool dry_run, json, quiet, verbose;
};

/* A finding as the report needs it (the message is already filled). */
struct repair_item {
	uint16_t code;
	enum pf_repair_level level;
	struct pf_finding f;
};

struct repair_list {
	struct repair_item *v;
	size_t n, cap;
	uint64_t dropped;         /* past the cap (memory) */
};

struct repair_job {
	const char *path;
	char *bak;                /* in place: PATH.bak; else NULL */
	struct repair_list before, after;
	char **notes;
	size_t nnotes, notes_cap;
	uint64_t notes_dropped;
	struct pf_repair_result res;
	bool refused;             /* checks before the work failed */
	bool started;             /* false: not started (Ctrl-C) */
	double seconds;
};

/* repair_report.c */
void repair_report_text(FILE *f, const struct repair_job *j,
			const struct repair_opts *o);
void repair_report_json(FILE *f, const struct repair_job *j,
			const struct repair_opts *o);
void repair_table_text(FILE *f, const struct repair_job *jobs, size_t n);
void repair_total_json(FILE *f, const struct repair_job *jobs, size_t n,
		       int exit);
/* "repaired", "nothing to repair", "problems left", "would repair",
 * "failed". */
const char *repair_result_word(const struct repair_job *j,
			       const struct repair_opts *o);

#endif
