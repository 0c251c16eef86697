/*
 * progress.h - the one-line progress bar of `pstfix scan`, on stderr.
 *
 * Contract
 * - progress_start() returns NULL (no bar) unless the caller wants one and
 *   stderr is a terminal whose TERM is not "dumb": a log file or a pipe
 *   never receives carriage returns.  Every other function accepts NULL
 *   and then does nothing, so callers need no `if (bar)`.
 * - The bar shows "[files done/files] pass percent file" and is redrawn at
 *   most ten times a second, whatever rate the checker reports at.
 * - Thread-safe: the -j workers report through their own slot; the line
 *   shows whichever file reported last.
 * - Output to stdout that may share the terminal goes between
 *   progress_pause() (erases the bar, stops redraws) and progress_resume(),
 *   so a finding is never printed in the middle of the bar.
 * - progress_end() erases the bar and frees it.
 */
#ifndef PF_CLI_PROGRESS_H
#define PF_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "../check/check.h"

struct progress;

/* What one worker hands the checker as progress_ctx. */
struct progress_slot {
	struct progress *bar;
	const char *file;
};

struct progress *progress_start(bool wanted, unsigned nfiles);

/* pf_progress_fn; ctx is a struct progress_slot. */
void progress_update(void *ctx, enum pf_pass pass, uint64_t done,
		     uint64_t total);

void progress_file_done(struct progress *p);
void progress_pause(struct progress *p);
void progress_resume(struct progress *p);
void progress_end(struct progress *p);

#endif
