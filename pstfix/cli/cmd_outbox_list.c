/*
 * cmd_outbox_list.c - `pstfix outbox list FILE... [--json] [--all |
 * --stranded] [-v] [--eml DIR] [--no-salvage]`: what each Outbox holds
 * and what `outbox send` will do with it (pstfix/outbox).
 *
 * Contract
 * - Per file: each item (class, NID, times, size, sender, recipients
 *   with the unresolvable ones flagged and the delivered ones marked,
 *   subject, Message-ID, the Sent Items copy of an in-sent item), each
 *   item the Outbox lists but that cannot be read (LOST: what its
 *   contents-table row says, and why), and a summary line.  By default
 *   every item but the ones Outlook marked sent; --all lists those too,
 *   --stranded only what send will submit.
 *   The summary always counts every class.
 * - --json: JSON Lines, one "item" object per item, one "lost" object
 *   per unreadable item and one "summary" per file ("error" for a file
 *   that cannot be read).
 * - Text from the PST goes through cli_put_safe (no terminal control).
 * - --eml DIR: the exact bytes send would submit for each listed item
 *   (pf_outbox_render: no Bcc header) as DIR/<nid>.eml, written under a
 *   temporary name and renamed.
 * - The PST is opened read-only.  A damaged file is read through the
 *   salvage path (the trailer-scan rebuild goes to a private scratch
 *   directory under $TMPDIR, else /tmp, removed at the end and on
 *   SIGINT/SIGTERM/SIGHUP); --no-salvage turns that off.
 * - Exit 0; 8 when a file cannot be read at all (or DIR not written);
 *   16 on usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../export/export.h"
#include "../outbox/outbox.h"
#include "cli.h"
#include "json.h"
#include "outbox_list.h"
#include "scratch.h"

static const char *scratch_dir(void *ctx)
{
	const char *base = getenv("TMPDIR"), *d = NULL;

	(void)ctx;
	if (base && *base)
		d = cli_scratch_make(base, "outbox");
	if (!d)
		d = cli_scratch_make("/tmp", "outbox");
	if (!d)
		pf_error_set(PF_E_IO, "cannot create a scratch directory: %s",
			     strerror(errno));
	return d;
}

static int usage(FILE *out, int status)
{
	fputs("usage: pstfix outbox list FILE... [--json] [--all | "
	      "--stranded] [-v]\n"
	      "                               [--eml DIR] [--no-salvage]\n"
	      "  --json        JSON Lines: one object per item, one summary "
	      "per file\n"
	      "  --all         also the items Outlook marked sent\n"
	      "  --stranded    only the items `outbox send` will submit\n"
	      "  -v            message class, flags, attachments, address types\n"
	      "  --eml DIR     write what send would submit, DIR/NID.eml\n"
	      "  --no-salvage  do not read a damaged file through the "
	      "salvage path\n"
	      "Classes: stranded (queued, never sent: send submits it), "
	      "deferred (queued,\n"
	      "deferred delivery time not reached), draft (unsent, not "
	      "submitted), sent\n"
	      "(Outlook sent it), in-sent (its copy is in Sent Items).\n"
	      "Exit: 0, 8 a file cannot be read, 16 usage.\n", out);
	return status;
}

static int parse(int argc, char **argv, struct ol_opts *o, int *first)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "stranded", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "eml", required_argument, NULL, 'e' },
		{ "no-salvage", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o->json = true; break;
		case 'a': o->all = true; break;
		case 's': o->stranded = true; break;
		case 'v': o->verbose = true; break;
		case 'e': o->eml_dir = optarg; break;
		case 'n': o->no_salvage = true; break;
		case 'h': return usage(stdout, PF_EXIT_CLEAN) | 0x100;
		default:
			return cli_bad_option("outbox list", c, argv, optind);
		}
	}
	if (o->all && o->stranded)
		return cli_usage("outbox list", "--all and --stranded "
				 "exclude each other");
	if (optind >= argc)
		return cli_usage("outbox list", "no FILE given");
	*first = optind;
	return 0;
}

/* Whether the options ask for ITEM. */
static bool listed(const struct ol_opts *o, const struct pf_outbox_item *it)
{
	if (o->stranded)
		return it->cls == PF_OUTBOX_STRANDED;
	return o->all || it->cls != PF_OUTBOX_SENT;
}

/* --eml: the bytes send would submit, through the export sink (temp
 * name, syncfs, rename: export_sink.c). */
static int write_eml(struct pf_export_sink *sink, struct pf_outbox *ob,
		     const struct pf_outbox_item *it)
{
	struct pf_mimew_buf b = { 0 };
	char name[32];
	int rc = pf_outbox_render(&b, ob, it);

	snprintf(name, sizeof(name), "0x%x", it->nid);
	if (rc == 0)
		rc = pf_export_sink_put(sink, name, "eml", b.p, b.n, false, 0,
					NULL);
	pf_mimew_buf_free(&b);
	return rc;
}

static int list_items(struct ol_opts *o, struct pf_outbox *ob)
{
	struct pf_export_opts eo = { .out_dir = o->eml_dir,
				     .format = PF_EXPORT_EML, .fsync = true };
	struct pf_export_sink *sink = NULL;
	int rc = 0;

	if (o->eml_dir)
		rc = pf_export_sink_open(&sink, &eo, o->eml_dir);
	for (size_t i = 0; rc == 0 && i < ob->nitems; i++) {
		if (!listed(o, &ob->items[i]))
			continue;
		ol_item(o, ob, &ob->items[i]);
		if (sink)
			rc = write_eml(sink, ob, &ob->items[i]);
	}
	for (size_t i = 0; !o->stranded && i < ob->nlost; i++)
		ol_lost(o, ob, &ob->lost[i]);
	if (sink && rc == 0)
		rc = pf_export_sink_close(sink);
	else if (sink)
		pf_export_sink_abort(sink);
	return rc;
}

static int one_file(struct ol_opts *o, const char *path)
{
	struct pf_outbox_opts lo = { .salvage = !o->no_salvage,
				     .work_dir = scratch_dir };
	struct pf_outbox *ob = NULL;
	int rc = pf_outbox_load(&ob, path, &lo), wrc;

	if (cli_scratch_remove() != 0)
		fprintf(stderr, "pstfix outbox list: could not remove the "
			"scratch directory: %s\n", strerror(errno));
	if (rc != 0) {
		ol_error(o, path, pf_error_msg());
		return PF_EXIT_OPERATIONAL;
	}
	ol_head(o, ob);
	wrc = list_items(o, ob);
	ol_summary(o, ob);
	pf_outbox_free(ob);
	if (wrc != 0) {
		fprintf(stderr, "pstfix outbox list: %s\n", pf_error_msg());
		return PF_EXIT_OPERATIONAL;
	}
	return PF_EXIT_CLEAN;
}

int cmd_outbox_list(int argc, char **argv)
{
	struct ol_opts o;
	int first = 0, rc, status = PF_EXIT_CLEAN;

	memset(&o, 0, sizeof(o));
	rc = parse(argc, argv, &o, &first);
	if (rc != 0)
		return rc & 0xFF;
	pf_json_init(&o.j, stdout);
	for (int i = first; i < argc; i++)
		status |= one_file(&o, argv[i]);
	if (fflush(stdout) != 0)
		status |= PF_EXIT_OPERATIONAL;
	return status;
}
