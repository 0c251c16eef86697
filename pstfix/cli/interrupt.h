/*
 * interrupt.h - Ctrl-C for the commands that work through a list of
 * files (scan, repair): the first SIGINT asks them to start no new file.
 *
 * Contract
 * - cli_sigint_catch() installs a one-shot handler (SA_RESETHAND: a second
 *   Ctrl-C kills the process as usual) that only sets a flag, and clears
 *   the flag.  A SIGINT ignored on entry (a background job of a
 *   non-interactive shell, nohup) stays ignored.
 * - cli_interrupted() reads the flag (lock-free, from any thread).
 * - cli_sigint_restore() puts back what was there before.
 */
#ifndef PF_CLI_INTERRUPT_H
#define PF_CLI_INTERRUPT_H

#include <signal.h>
#include <stdbool.h>

void cli_sigint_catch(struct sigaction *old);
void cli_sigint_restore(const struct sigaction *old);
bool cli_interrupted(void);

#endif
