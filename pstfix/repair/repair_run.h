/*
 * repair_run.h - the repair pipeline (repair_run.c) and the helpers the
 * command line needs around the stages of repair.h.
 *
 * Contract
 * - pf_repair_file() scans IN, picks the level (repair_level.c), runs the
 *   stages it needs into temporary siblings of the final path, rescans
 *   after each stage, and puts the result in place (repair_install.c):
 *   OUT when given, else IN itself with the original kept as IN.bak.  It
 *   never modifies IN's bytes and never leaves a half-written file under
 *   a final name.
 * - Findings of the first and of the last scan go to the callbacks as
 *   they are found; the stages' lines go to note.  Nothing here prints.
 * - The result says what was found, done and left; res->exit is the
 *   fsck(8) status: 0 nothing to repair, 1 repaired and the rescan has no
 *   errors, 4 problems left (or, with dry_run, something to repair), 8 an
 *   operational error (res->error says why in one line).
 */
#ifndef PF_REPAIR_RUN_H
#define PF_REPAIR_RUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "repair.h"

struct pf_repair_opts {
	const char *out;          /* NULL: in place, keeping BACKUP */
	const char *backup;       /* in place: IN.bak; must not exist */
	bool dry_run;             /* scan and decide, write nothing */
	pf_repair_note_fn note;
	void *note_ctx;
	pf_finding_fn on_before;  /* findings of the first scan */
	pf_finding_fn on_after;   /* findings of the final scan */
	void *finding_ctx;
	pf_progress_fn progress;  /* every scan's progress */
	void *progress_ctx;
};

struct pf_repair_result {
	enum pf_repair_level level;    /* what the first scan asked for */
	enum pf_repair_level done;     /* the highest stage that ran */
	bool header_unreadable;        /* IN did not open as a PST ... */
	char unreadable[256];          /* ... and why */
	bool installed;                /* the result is at its final path */
	struct pf_check_summary before, after;
	uint64_t asking[PF_REPAIR_MESSAGING + 1]; /* findings per level */
	struct pf_repair_counts counts;
	int exit;
	char error[512];
};

int pf_repair_file(const char *in, const struct pf_repair_opts *o,
		   struct pf_repair_result *res);

/* "none", "header", "maps", "btree", "nodes", "messaging". */
const char *pf_repair_level_name(enum pf_repair_level level);

/* The level of a problem code; codes the map does not know ask for the
 * fullest repair (MESSAGING) and pf_repair_level_known() is false. */
enum pf_repair_level pf_repair_level_of_code(uint16_t code);
bool pf_repair_level_known(uint16_t code);

/* The map's ranges, for the unit test: [first, last] of range I. */
unsigned pf_repair_level_ranges(void);
void pf_repair_level_range(unsigned i, uint16_t *first, uint16_t *last);

/* repair_install.c: put the finished file TMP in place, with the mode
 * of LIKE (the input).  OUT mode: TMP becomes OUT, refusing an existing
 * OUT.  In-place mode: FILE is kept as BAK (refusing an existing BAK),
 * then TMP becomes FILE.  Both fsync the directory after each step.  On
 * failure TMP is left for the caller to remove. */
int pf_repair_install_out(const char *tmp, const char *out,
			  const char *like);
int pf_repair_install_inplace(const char *tmp, const char *file,
			      const char *bak);

/* repair_copy.c: IN's first CB bytes copied into a private sibling of
 * NEAR by a second thread, for a stage's writer to take over (see there). */
struct pf_repair_bgcopy {
	const char *in;
	char *path;              /* NEAR's private sibling */
	int src, dst;
	uint64_t cb;
	pthread_t th;
	bool started, done, created;
	bool taken;              /* a writer adopted PATH */
	int rc;                  /* the copy's result */
	char why[512];           /* ... and its message */
};

int pf_repair_bgcopy_start(struct pf_repair_bgcopy *c, const char *in,
			   const char *near, uint64_t cb);
int pf_repair_bgcopy_finish(struct pf_repair_bgcopy *c);
void pf_repair_bgcopy_drop(struct pf_repair_bgcopy *c);

/* A fresh temporary sibling name of FINAL for stage TAG ("header"):
 * "FINAL.pstfix-TAG-PID-N", malloc'd; NULL when out of memory. */
char *pf_repair_tmp_name(const char *final, const char *tag);

/* fsync the directory holding PATH. */
int pf_repair_fsync_dir(const char *path);

/* Copy the first N bytes of SRC to DST (positioned I/O from offset 0);
 * WHAT names the source in the error message. */
int pf_repair_copy(int src, int dst, uint64_t n, const char *what);

#endif
