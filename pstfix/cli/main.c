/*
 * main.c - `pstfix <command> [options] ...`: find the command and run it.
 *
 * Contract
 * - The command table below is the only list of commands: adding one is
 *   one line {name, function, one-line help} plus its cmd_*.c file.  Each
 *   command prints its own usage for --help, which `pstfix help NAME`
 *   reuses.
 * - `pstfix`, an unknown command or an unknown option: one line on stderr,
 *   exit 16 (PF_EXIT_USAGE).  `pstfix help`, `-h`, `--help`: the command
 *   list on stdout, exit 0.  `--version`: one line, exit 0.
 * - A failed write to stdout (disk full, closed pipe reader that did not
 *   kill us) is reported and adds the operational bit (8): a scan whose
 *   report was lost must not look clean.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{ "scan",     cmd_scan,     "check PST/OST files and report damage" },
	{ "info",     cmd_info,     "show a file's format, sizes and counts" },
	{ "ls",       cmd_ls,       "list the folders, or a folder's items" },
	{ "repair",   cmd_repair,   "repair damaged files, keeping the original" },
	{ "problems", cmd_problems, "list every problem code scan reports" },
	{ "create",   cmd_create,   "write a new PST with generated content" },
	{ "import",   cmd_import,   "make a PST from mbox files and .eml folders" },
	{ "export",   cmd_export,   "write the mail out as EML, mbox or Maildir" },
	{ "outbox",   cmd_outbox,   "list and re-send mail stranded in Outboxes" },
	{ "help",     cmd_help,     "show this list, or a command's options" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void list_commands(FILE *out)
{
	fputs("usage: pstfix <command> [options] ...\n"
	      "       pstfix --version\n\ncommands:\n", out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].help);
	fputs("\n'pstfix help COMMAND' shows a command's options.\n", out);
}

static int cmd_help(int argc, char **argv)
{
	const struct command *c;
	char help_opt[] = "--help";
	char *sub_argv[3];

	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		list_commands(stdout);
		return PF_EXIT_CLEAN;
	}
	if (argc > 2)
		return cli_usage("help", "one command at a time");
	c = find(argv[1]);
	if (!c)
		return cli_usage("help", "unknown command '%s'", argv[1]);
	if (c->fn == cmd_help)
		return cmd_help(1, argv);
	sub_argv[0] = argv[1];
	sub_argv[1] = help_opt;
	sub_argv[2] = NULL;
	return c->fn(2, sub_argv);
}

/* Options before the command: only help and version exist there. */
static int global_option(const char *arg)
{
	if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
		printf("pstfix %s\n", PSTFIX_VERSION);
		return PF_EXIT_CLEAN;
	}
	if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
		list_commands(stdout);
		return PF_EXIT_CLEAN;
	}
	fprintf(stderr, "pstfix: unknown option %s (see 'pstfix help')\n",
		arg);
	return PF_EXIT_USAGE;
}

static int dispatch(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		fputs("pstfix: no command given (see 'pstfix help')\n",
		      stderr);
		return PF_EXIT_USAGE;
	}
	if (argv[1][0] == '-')
		return global_option(argv[1]);
	c = find(argv[1]);
	if (!c) {
		fprintf(stderr, "pstfix: unknown command '%s' (see 'pstfix "
			"help')\n", argv[1]);
		return PF_EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	int status = dispatch(argc, argv);

	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "pstfix: writing the output failed: %s\n",
			strerror(errno));
		status |= PF_EXIT_OPERATIONAL;
	}
	return status;
}
