/*
 * scratch.h - one private scratch directory per process, removed at the
 * end and when a signal ends the process (export --salvage keeps its
 * rebuilt copy of the input there).
 *
 * Contract
 * - cli_scratch_make() creates BASE/.pstfix-NAME-XXXXXX (mkdtemp: mode
 *   0700, a fresh name) and arms handlers for SIGINT, SIGTERM and SIGHUP
 *   that empty and remove it, then let the signal end the process as it
 *   would have (the handler resets itself and re-raises).  A signal
 *   ignored on entry stays ignored.
 * - The handler uses only raw system calls (open, getdents64, unlinkat,
 *   rmdir, raise): no allocation, so it is safe whenever the signal
 *   lands.  Only plain files directly inside the directory are removed,
 *   which is all the stages write there.
 * - cli_scratch_remove() removes it and restores the handlers; a second
 *   call, or a call without a directory, does nothing.  It returns 0, or
 *   -1 with errno when the directory could not be removed.
 */
#ifndef PF_CLI_SCRATCH_H
#define PF_CLI_SCRATCH_H

/* The path (valid until cli_scratch_remove()), or NULL with errno. */
const char *cli_scratch_make(const char *base, const char *name);
int cli_scratch_remove(void);

#endif
