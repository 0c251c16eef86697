/*
 * cli.h - what the pieces of the `pstfix` command line share.
 *
 * Contract
 * - Every sub-command is a function `int cmd_x(int argc, char **argv)`
 *   with argv[0] the command's name; it returns an fsck(8) exit status
 *   (PF_EXIT_* in check.h) and prints its own usage for `--help`, which
 *   is how `pstfix help x` works without a second table of texts.
 * - Usage errors are one line on stderr and PF_EXIT_USAGE (cli_usage()).
 * - Nothing here prints to stdout except the commands' own output.
 */
#ifndef PF_CLI_H
#define PF_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../../formats/util/pf_err.h"
#include "../check/check.h"

#ifndef PSTFIX_VERSION
#define PSTFIX_VERSION "0.1.0-dev"
#endif

/* The sub-commands (main.c holds the table). */
int cmd_scan(int argc, char **argv);
int cmd_repair(int argc, char **argv);
int cmd_problems(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_outbox(int argc, char **argv);

/* The outbox actions (cmd_outbox.c holds their table). */
int cmd_outbox_list(int argc, char **argv);
int cmd_outbox_send(int argc, char **argv);    /* sysexits.h codes */
int cmd_outbox_status(int argc, char **argv);  /* sysexits.h codes */
int cmd_outbox_probe(int argc, char **argv);   /* sysexits.h codes */

/* args.c: option helpers shared by the commands. */

/* Print "pstfix CMD: MESSAGE (see 'pstfix help CMD')" on stderr and
 * return PF_EXIT_USAGE, for `return cli_usage(...)`. */
int cli_usage(const char *cmd, const char *fmt, ...) PF_PRINTF(2, 3);

/* Parse a whole decimal number in [min, max]; false on anything else
 * (sign, junk, overflow), so "-j 4x" is a usage error, not -j 4. */
bool cli_parse_uint(const char *s, uint64_t min, uint64_t max,
		    uint64_t *out);

/* The one-line usage error for what getopt_long() just rejected. */
int cli_bad_option(const char *cmd, int opt, char **argv, int optind_now);

/* Write S to OUT with control characters (C0, DEL, UTF-8-encoded C1)
 * shown as '?': file names and text taken from a damaged file must not
 * drive the user's terminal. */
void cli_put_safe(FILE *out, const char *s);

/* WHY without the "PATH: " it may already start with: the formats
 * layer names the file in its messages, and a command that prints
 * "PATH: WHY" must not say the name twice. */
const char *cli_file_msg(const char *path, const char *why);

/* cmd_create.c: --format and --encoding for the commands that write
 * (create, import); -1 on an unknown name. */
struct pf_write_opts;
int cli_write_opts(const char *format, const char *encoding,
		   struct pf_write_opts *o);

/* names.c: human names of the checker passes (for progress and docs). */
const char *cli_pass_short(unsigned pass);  /* "BBT", "messaging" */
const char *cli_pass_title(unsigned pass);  /* "BBT pages" */

#endif
