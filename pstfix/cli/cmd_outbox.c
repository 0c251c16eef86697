/*
 * cmd_outbox.c - `pstfix outbox ACTION ...`: find the messages stranded in
 * Outboxes and submit them (pstfix/outbox, pstfix/smtp).
 *
 * Contract: the table below is the list of actions, one line each plus
 * its cmd_outbox_*.c file; each action prints its own usage for --help.
 * Unlike the fsck-style commands, `outbox send` returns sysexits.h codes
 * (0, 65, 69, 75, ...: see its usage); the other actions return 0, 8
 * (operational error) or 16 (usage).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct outbox_action {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct outbox_action actions[] = {
	/* one row per action, added with its cmd_outbox_*.c */
	{ "list", cmd_outbox_list, "what each Outbox holds and what send "
	  "will do with it" },
	{ "send", cmd_outbox_send, "submit the stranded items through SMTP "
	  "(journaled, resumable)" },
	{ "status", cmd_outbox_status, "the state of every message and "
	  "recipient in a send spool" },
	{ "probe", cmd_outbox_probe, "check a submission server: TLS, "
	  "certificate, AUTH (sends no mail)" },
	{ NULL, NULL, NULL },
};

static int usage(FILE *out, int status)
{
	fputs("usage: pstfix outbox ACTION [options] ...\n\nactions:\n",
	      out);
	for (const struct outbox_action *a = actions; a->name; a++)
		fprintf(out, "  %-8s %s\n", a->name, a->help);
	fputs("\n'pstfix outbox ACTION --help' shows an action's options.\n",
	      out);
	return status;
}

int cmd_outbox(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("outbox", "no action given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout, PF_EXIT_CLEAN);
	for (const struct outbox_action *a = actions; a->name; a++)
		if (strcmp(a->name, argv[1]) == 0)
			return a->fn(argc - 1, argv + 1);
	return cli_usage("outbox", "unknown action '%s'", argv[1]);
}
