/*
 * cmd_export.c - `pstfix export FILE -o DIR [--format eml|mbox|maildir]`:
 * every item of a PST/OST as standard files (pstfix/export).
 *
 * Contract: each item that cannot be exported, or only without a part
 * that cannot be read, is named on stderr with the reason ("0x200024 in
 * Inbox: skipped: unreadable message: ..."); a summary goes to stdout.
 * Salvage (orphans into "Recovered Items") is on with --salvage, off with
 * --no-salvage, and by default on exactly when a quiet `scan` of the file
 * finds an error: the scan runs beside an export without salvage, which is run
 * again with salvage when the scan finds one (export_auto.h); the lines of a
 * round that is run again are not printed. Salvage also exports what a
 * trailer-scan rebuild finds (export_salvage.c); the rebuilt copy lives in a
 * private scratch directory (scratch.h) under $TMPDIR when that is set and
 * usable, else under DIR - the place the user already gave room of the order
 * of the file's size, where /tmp is often a small tmpfs - and is removed at
 * the end, on error, and on SIGINT/SIGTERM/SIGHUP. The rebuild's own lines go
 * to stderr with -v only. Exit 0 when every item was exported whole, 4 when
 * some were skipped or lost a part (each named with its reason), or the file
 * did not open, or its rebuild failed, 8 on an operational error (DIR
 * unusable, or neither the file nor its rebuild readable), 16 on usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../export/export.h"
#include "cli.h"
#include "export_auto.h"
#include "progress.h"
#include "scratch.h"

struct run {
	struct progress *bar;
	struct progress_slot slot;
	bool verbose;
	struct export_auto *scan;   /* the default's scan, while it runs */
	FILE *held;                 /* lines held back meanwhile, or NULL */
	char *held_buf;
	size_t held_len;
};

static int usage(void)
{
	printf("usage: pstfix export FILE -o DIR [options]\n"
	       "  Every message as a standard file, a directory per folder:\n"
	       "  mail as RFC 5322/MIME, contacts as vCard 4, appointments\n"
	       "  and tasks as iCalendar.\n"
	       "  --format eml|mbox|maildir  (default eml: one .eml per\n"
	       "                 message; mbox: one mboxrd file 'mbox' per\n"
	       "                 folder; maildir: cur/new/tmp per folder)\n"
	       "  --folder PATH  only this folder and its sub-folders (a\n"
	       "                 path as 'pstfix ls' prints it, or a NID)\n"
	       "  --since DATE, --until DATE  only items dated in the range\n"
	       "                 (YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS', UTC)\n"
	       "  --salvage      also export orphan items (their folder is\n"
	       "                 lost) into 'Recovered Items', go on past\n"
	       "                 node B-tree pages that cannot be read, and\n"
	       "                 add what a trailer-scan rebuild finds\n"
	       "                 (lost or deleted items) under 'Recovered\n"
	       "                 Items/Found by scan' and '.../Deleted'; the\n"
	       "                 default when scan finds errors\n"
	       "  --no-salvage   never; orphans are listed as skipped\n"
	       "  --bcc          write Bcc: headers (never by default)\n"
	       "  --no-sync      do not fsync before renaming (faster)\n"
	       "  -q, --quiet    no progress bar\n"
	       "  -v, --verbose  also what the salvage rebuild does\n"
	       "Exit: 0 all exported, 4 some skipped or exported without an\n"
	       "unreadable part (each named on stderr with the reason),\n"
	       "8 operational error, 16 usage.\n");
	return PF_EXIT_CLEAN;
}

/* YYYY-MM-DD [HH:MM[:SS]] (a 'T' may separate), UTC; END: a date alone
 * means its last second. */
static bool parse_when(const char *s, bool end, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, se = 0, n = 0, k;
	char sep;

	memset(&tm, 0, sizeof(tm));
	k = sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n);
	if (k != 3 || mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1601)
		return false;
	if (s[n] == '\0') {
		if (end)
			h = 23, mi = 59, se = 59;
	} else {
		sep = s[n];
		k = sscanf(s + n + 1, "%2d:%2d:%2d", &h, &mi, &se);
		if ((sep != ' ' && sep != 'T') || k < 2 || h > 23 || mi > 59 ||
		    se > 60)
			return false;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = (int64_t)timegm(&tm);
	return true;
}

/* The held lines: to stderr (RELEASE) or dropped. */
static void end_held(struct run *r, bool release)
{
	if (!r->held)
		return;
	fclose(r->held);
	r->held = NULL;
	if (release && r->held_len) {
		progress_pause(r->bar);
		fwrite(r->held_buf, 1, r->held_len, stderr);
		progress_resume(r->bar);
	}
	free(r->held_buf);
	r->held_buf = NULL;
	r->held_len = 0;
}

/* Held back while the scan may still send the export round again with
 * salvage (that round says it all again); stderr once the file is known
 * to need none. */
static FILE *log_stream(struct run *r)
{
	if (r->held && r->scan && export_auto_settled(r->scan))
		end_held(r, true);
	return r->held ? r->held : stderr;
}

static void on_log(void *ctx, uint32_t nid, const char *where,
		   const char *why)
{
	struct run *r = ctx;
	FILE *f = log_stream(r);

	progress_pause(r->bar);
	fprintf(f, "pstfix export: 0x%x in ", nid);
	cli_put_safe(f, where);
	fputs(": ", f);
	cli_put_safe(f, why);
	fputc('\n', f);
	progress_resume(r->bar);
}

static void on_note(void *ctx, enum pf_repair_level level, const char *line)
{
	struct run *r = ctx;

	(void)level;
	if (!r->verbose)
		return;
	progress_pause(r->bar);
	fputs("pstfix export: rebuild: ", stderr);
	cli_put_safe(stderr, line);
	fputc('\n', stderr);
	progress_resume(r->bar);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct run *r = ctx;

	progress_update(&r->slot, PF_PASS_MSG, done, total);
}

/* Salvage by default when a quiet scan finds an error (the bar shows
 * the scan's passes meanwhile): the way without a second thread. */
static int auto_salvage(const char *path, struct run *r, bool *salvage)
{
	struct pf_check_opts co = { .max_per_code = 1,
				    .progress = progress_update,
				    .progress_ctx = &r->slot };
	struct pf_check_summary cs;
	int rc;

	memset(&cs, 0, sizeof(cs));
	rc = pf_check_file(path, &co, NULL, NULL, &cs);
	if (rc != 0)
		return rc;
	*salvage = cs.findings[PF_SEV_ERROR] > 0;
	return 0;
}

static const char *format_name(enum pf_export_format f)
{
	return f == PF_EXPORT_MBOX ? "mbox" : f == PF_EXPORT_MAILDIR ?
		"maildir" : "eml";
}

static void summary(const char *file, const struct pf_export_opts *o,
		    const struct pf_export_summary *s)
{
	printf("%s -> %s (%s%s): %" PRIu64 " messages, %" PRIu64
	       " contacts, %" PRIu64 " calendar items in %" PRIu64
	       " folders, %" PRIu64 " bytes\n", file, o->out_dir,
	       format_name(o->format), o->salvage ? ", salvage" : "",
	       s->messages, s->vcards, s->events, s->folders, s->bytes);
	printf("recovered %" PRIu64 ", skipped %" PRIu64 ", filtered out %"
	       PRIu64 ", written without an unreadable part %" PRIu64 "\n",
	       s->recovered, s->skipped, s->filtered, s->partial);
	if (s->bad_pages || s->tree_lost)
		printf("damaged: %u unreadable NBT page%s%s (see above)\n",
		       s->bad_pages, s->bad_pages == 1 ? "" : "s",
		       s->tree_lost ? ", folder tree unreadable" : "");
	if (s->rebuilt && !s->rebuild_failed)
		printf("trailer scan: %" PRIu64 " more in %s/%s, %" PRIu64
		       " in %s/%s%s\n", s->found, PF_EXPORT_RECOVERED,
		       PF_EXPORT_FOUND, s->deleted, PF_EXPORT_RECOVERED,
		       PF_EXPORT_DELETED, s->unopened ?
		       " (the file itself did not open)" : "");
	else if (s->rebuild_failed)
		printf("trailer scan: failed (see above)\n");
}

static int parse(int argc, char **argv, struct pf_export_opts *o,
		 int *salvage, bool *quiet, bool *verbose, const char **file)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'F' },
		{ "folder", required_argument, NULL, 'f' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "salvage", no_argument, NULL, 's' },
		{ "no-salvage", no_argument, NULL, 'n' },
		{ "bcc", no_argument, NULL, 'b' },
		{ "no-sync", no_argument, NULL, 'y' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': o->out_dir = optarg; break;
		case 'f': o->folder = optarg; break;
		case 's': *salvage = 1; break;
		case 'n': *salvage = 0; break;
		case 'b': o->mime.include_bcc = true; break;
		case 'y': o->fsync = false; break;
		case 'q': *quiet = true; break;
		case 'v': *verbose = true; break;
		case 'h': return usage() | 0x100;
		case 'F':
			if (strcmp(optarg, "eml") == 0)
				o->format = PF_EXPORT_EML;
			else if (strcmp(optarg, "mbox") == 0)
				o->format = PF_EXPORT_MBOX;
			else if (strcmp(optarg, "maildir") == 0)
				o->format = PF_EXPORT_MAILDIR;
			else
				return cli_usage("export", "unknown format "
						 "'%s'", optarg);
			break;
		case 'S':
		case 'U':
			if (!parse_when(optarg, c == 'U', c == 'S' ?
					&o->since : &o->until))
				return cli_usage("export", "bad date '%s' "
						 "(YYYY-MM-DD)", optarg);
			*(c == 'S' ? &o->has_since : &o->has_until) = true;
			break;
		default:
			return cli_bad_option("export", c, argv, optind);
		}
	}
	if (optind != argc - 1)
		return cli_usage("export", "expects one FILE");
	if (!o->out_dir)
		return cli_usage("export", "-o DIR is required");
	*file = argv[optind];
	return 0;
}

/* The scratch directory for the salvage rebuild (see the top); DIR
 * when $TMPDIR is unset or unusable. */
static int make_scratch(struct pf_export_opts *o)
{
	const char *base = getenv("TMPDIR");

	if (base && *base)
		o->work_dir = cli_scratch_make(base, "salvage");
	if (o->work_dir)
		return 0;
	base = o->out_dir;
	if (pf_export_mkdirs(base) != 0)
		return -1;
	o->work_dir = cli_scratch_make(base, "salvage");
	if (!o->work_dir)
		return pf_error_set(PF_E_IO, "cannot create a scratch "
				    "directory in %s: %s", base,
				    strerror(errno));
	return 0;
}

static int export_run(const char *file, struct pf_export_opts *o,
		      struct pf_export_summary *sum)
{
	int rc = 0;

	if (o->salvage)
		rc = make_scratch(o);
	if (rc == 0)
		rc = pf_export_file(file, o, sum);
	if (o->work_dir && cli_scratch_remove() != 0)
		fprintf(stderr, "pstfix export: could not remove %s: %s\n",
			o->work_dir, strerror(errno));
	o->work_dir = NULL;
	return rc;
}

static bool stop_when_damaged(void *ctx)
{
	struct run *r = ctx;

	return export_auto_damaged(r->scan);
}

/* The default with the scan beside the export (export_auto.h): RC the
 * export's; *AGAIN when it must run again with salvage. */
static int auto_round(const char *file, struct pf_export_opts *o,
		      struct run *r, struct pf_export_summary *sum,
		      bool *again)
{
	bool damaged;
	int rc, scan_rc;

	o->salvage = false;
	o->stop = stop_when_damaged;
	rc = export_run(file, o, sum);
	o->stop = NULL;
	scan_rc = export_auto_finish(r->scan, &damaged);
	r->scan = NULL;
	/* a header that does not decode: salvage rebuilds it */
	*again = damaged || scan_rc == PF_E_NOTPST;
	end_held(r, !*again && scan_rc == 0);
	if (scan_rc != 0 && scan_rc != PF_E_NOTPST)
		return scan_rc;   /* its message is set: export_auto.h */
	return rc;
}

/* Export FILE as the options say; the default (SALVAGE < 0) decides by a
 * scan, beside the export when a thread and a buffer can be had. */
static int export_file(const char *file, struct pf_export_opts *o,
		       struct run *r, struct pf_export_summary *sum,
		       int salvage)
{
	bool again = false, sv = false;
	int rc;

	if (salvage >= 0) {
		o->salvage = salvage == 1;
		return export_run(file, o, sum);
	}
	r->held = open_memstream(&r->held_buf, &r->held_len);
	if (r->held && export_auto_start(&r->scan, file) == 0) {
		rc = auto_round(file, o, r, sum, &again);
		if (!again)
			return rc;
		memset(sum, 0, sizeof(*sum));
		o->salvage = true;
		return export_run(file, o, sum);
	}
	end_held(r, false);
	rc = auto_salvage(file, r, &sv);
	if (rc != 0 && rc != PF_E_NOTPST)
		return rc;
	o->salvage = sv || rc == PF_E_NOTPST;
	return export_run(file, o, sum);
}

int cmd_export(int argc, char **argv)
{
	struct pf_export_opts o = { .fsync = true };
	struct pf_export_summary sum;
	struct run r = { 0 };
	const char *file = NULL;
	int salvage = -1, rc;
	bool quiet = false;

	memset(&sum, 0, sizeof(sum));
	rc = parse(argc, argv, &o, &salvage, &quiet, &r.verbose, &file);
	if (rc != 0)
		return rc & 0xFF;
	r.bar = progress_start(!quiet, 1);
	r.slot.bar = r.bar;
	r.slot.file = file;
	o.log = on_log;
	o.note = on_note;
	o.progress = on_progress;
	o.ctx = &r;
	rc = export_file(file, &o, &r, &sum, salvage);
	progress_end(r.bar);
	if (rc == PF_E_USAGE)
		return cli_usage("export", "%s", pf_error_msg());
	if (rc != 0) {
		fprintf(stderr, "pstfix export: %s: %s\n", file,
			cli_file_msg(file, pf_error_msg()));
		return PF_EXIT_OPERATIONAL;
	}
	summary(file, &o, &sum);
	return sum.skipped || sum.partial || sum.bad_pages || sum.tree_lost ||
	       sum.unopened || sum.rebuild_failed ? PF_EXIT_ERRORS :
						    PF_EXIT_CLEAN;
}
