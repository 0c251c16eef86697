/*
 * cmd_outbox_status.c - `pstfix outbox status SPOOL [--json]`: every
 * message and recipient of a send spool as its journal says (spool.h):
 * state, last reply (stage, basic and enhanced code, text), queue id,
 * next attempt, attempts, why skipped.
 *
 * Contract: read-only and lock-free, so it works while a `send` runs on
 * the same spool (a record being written shows up as a torn tail and is
 * ignored).  Exit status as `outbox send` would end now (sysexits.h:
 * 0 all accepted, 75 pending or temp-failed, 65 failed, expired or
 * UNCERTAIN), 66 when SPOOL is no spool, 64 on usage errors.
 */
#include <getopt.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "outbox_report.h"

static int usage(void)
{
	printf("usage: pstfix outbox status SPOOL [--json]\n"
	       "  Every message and recipient in the send spool SPOOL:\n"
	       "  state (pending, accepted, temp-fail, perm-fail, "
	       "uncertain,\n"
	       "  expired, skipped), last reply, queue id, next attempt.\n"
	       "  --json   JSON Lines: one object per recipient, a summary\n"
	       "Exit: 0 all accepted, 75 some pending or temp-failed, 65 "
	       "some\nfailed, expired or UNCERTAIN, 66 not a spool, 64 "
	       "usage.\n");
	return EX_OK;
}

int cmd_outbox_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ob_spool *sp = NULL;
	struct ob_tally t = { 0 };
	struct obr r;
	bool json = false;
	int c, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'h')
			return usage();
		else {
			cli_bad_option("outbox status", c, argv, optind);
			return EX_USAGE;
		}
	}
	if (argc - optind != 1) {
		cli_usage("outbox status", "give exactly one SPOOL directory");
		return EX_USAGE;
	}
	if (ob_spool_open(&sp, argv[optind], false) != 0) {
		fprintf(stderr, "pstfix outbox status: %s\n", pf_error_msg());
		return EX_NOINPUT;
	}
	obr_init(&r, stdout, json);
	obr_spool(&r, sp, &t);
	status = ob_exit_status(&t);
	obr_summary(&r, &t, argv[optind], sp->torn_tail ? "the journal "
		    "ends in an incomplete record (ignored)" : NULL, status);
	ob_spool_close(sp);
	return status;
}
