/*
 * cmd_repair.c - `pstfix repair [options] FILE...`: repair PST/OST files
 * (pstfix/repair/repair_run.h) the way scanpst does, keeping the
 * original.
 *
 * Contract
 * - In place (no -o): FILE is replaced by its repaired copy and the
 *   original is kept as FILE.bak.  An existing FILE.bak is never
 *   replaced: once the scan shows there is something to repair, the file
 *   is refused before any stage runs (exit 8) and the user moves the old
 *   backup away or uses -o.  (A FILE.bak that is another
 *   name of FILE itself, left by a run killed between its two install
 *   steps, is removed: nothing is lost.)  A symbolic link is followed:
 *   the real file is repaired and its backup lies next to it.
 * - -o OUT (one FILE only): the repaired copy is OUT, FILE is not
 *   touched; an existing OUT, or OUT naming FILE itself, is refused.
 * - Nothing to repair: nothing is written (no OUT, no FILE.bak), exit 0.
 * - -n / --dry-run: scan and say which level would run and which
 *   findings ask for it; nothing is written; exit 4 when there is
 *   something to repair, 0 when not.
 * - -j N: N files at a time; each report is printed whole when its file
 *   is done.  Several files end with a summary table (or a JSON total).
 * - Exit status: per file 0 nothing to repair, 1 repaired and the rescan
 *   has no errors, 4 problems left, 8 could not be repaired (not a PST,
 *   I/O, a backup in the way); several files: the bitwise OR; 16 usage.
 * - Ctrl-C (SIGINT): the files in progress finish, no new file starts,
 *   the status gains 32 (scan's rule, interrupt.h).  A kill or a crash
 *   leaves FILE the original (or FILE.bak the original and FILE
 *   complete); at most FILE.pstfix-* temporaries stay.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../formats/util/pf_grow.h"
#include "cli.h"
#include "interrupt.h"
#include "progress.h"
#include "repair_cli.h"

static const char usage_text[] =
"usage: pstfix repair [options] FILE...\n"
"Repair PST/OST files: rebuild what is damaged, keep every message whose\n"
"data survives.  FILE is replaced by the repaired copy and the original is\n"
"kept as FILE.bak (an existing FILE.bak is never replaced).\n"
"\n"
"  -o, --output OUT  write the repaired copy to OUT, leave FILE untouched\n"
"                    (one FILE only; OUT must not exist)\n"
"  -n, --dry-run     say what would be repaired and why; write nothing\n"
"  -j, --jobs N      repair N files at a time (1-64, default 1)\n"
"      --json        JSON Lines: one record per file, a total for several\n"
"  -q, --quiet       only the verdict lines (and the table)\n"
"  -v, --verbose     also every finding of the first scan\n"
"  -h, --help        this text\n"
"\n"
"Exit status (bits, as fsck): 0 nothing to repair, 1 repaired (the rescan\n"
"has no errors), 4 problems left (or, with -n, something to repair), 8 a\n"
"file could not be repaired, 16 usage error; several files: the OR.\n";

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "json", no_argument, NULL, 'J' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse(struct repair_opts *o, bool *help, int argc, char **argv)
{
	uint64_t v;
	int c;

	opterr = 0;
	optind = 0;
	for (;;) {
		c = getopt_long(argc, argv, ":o:nj:qvh", long_opts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'n': o->dry_run = true; break;
		case 'j':
			if (!cli_parse_uint(optarg, 1, REPAIR_MAX_JOBS, &v))
				return cli_usage("repair", "-j wants a number "
						 "from 1 to %d, not '%s'",
						 REPAIR_MAX_JOBS, optarg);
			o->jobs = (unsigned)v;
			break;
		case 'J': o->json = true; break;
		case 'q': o->quiet = true; o->verbose = false; break;
		case 'v': o->verbose = true; o->quiet = false; break;
		case 'h': *help = true; break;
		default: return cli_bad_option("repair", c, argv, optind);
		}
	}
	if (*help)
		return 0;
	if (optind >= argc)
		return cli_usage("repair", "no file given");
	if (o->out && argc - optind > 1)
		return cli_usage("repair", "-o takes one FILE, not %d",
				 argc - optind);
	if (o->out && !o->out[0])
		return cli_usage("repair", "-o wants a file name");
	return 0;
}

/* ---- collecting one file's report ---- */

static void list_add(struct repair_list *l, const struct pf_finding *f)
{
	struct repair_item *it;

	if (l->n >= REPAIR_NOTES_MAX ||
	    pf_grow(&l->v, l->n, &l->cap, sizeof(*l->v)) != 0) {
		l->dropped++;
		return;
	}
	it = &l->v[l->n++];
	it->f = *f;
	it->f.field = NULL;
	it->code = f->problem ? f->problem->code : 0;
	it->level = pf_repair_level_of(f);
}

static void on_before(void *ctx, const struct pf_finding *f)
{
	list_add(&((struct repair_job *)ctx)->before, f);
}

static void on_after(void *ctx, const struct pf_finding *f)
{
	list_add(&((struct repair_job *)ctx)->after, f);
}

static void on_note(void *ctx, enum pf_repair_level level, const char *line)
{
	struct repair_job *j = ctx;
	char *copy;

	(void)level;
	if (j->nnotes >= REPAIR_NOTES_MAX ||
	    pf_grow(&j->notes, j->nnotes, &j->notes_cap,
		    sizeof(*j->notes)) != 0 || !(copy = strdup(line))) {
		j->notes_dropped++;
		return;
	}
	j->notes[j->nnotes++] = copy;
}

static void job_free(struct repair_job *j)
{
	for (size_t i = 0; i < j->nnotes; i++)
		free(j->notes[i]);
	free(j->notes);
	free(j->before.v);
	free(j->after.v);
	free(j->bak);
}

/* ---- the checks before a file is touched ---- */

static int refuse(struct repair_job *j, const char *fmt, ...)
	PF_PRINTF(2, 3);

static int refuse(struct repair_job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->res.error, sizeof(j->res.error), fmt, ap);
	va_end(ap);
	j->res.exit = PF_EXIT_OPERATIONAL;
	j->refused = true;
	return -1;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Where the result goes; 0, or -1 with the job refused. */
static int plan(struct repair_job *j, const struct repair_opts *o,
		char *real, size_t cap)
{
	struct stat st;

	if (stat(j->path, &st) != 0)
		return refuse(j, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return refuse(j, "%s", "not a regular file");
	if (!realpath(j->path, real) || strlen(real) + 5 > cap)
		return refuse(j, "%s", strerror(errno ? errno : ENAMETOOLONG));
	if (o->dry_run)
		return 0;
	if (o->out) {
		if (same_file(o->out, real))
			return refuse(j, "-o %s is the input file", o->out);
		if (lstat(o->out, &st) == 0)
			return refuse(j, "%s exists: not replaced", o->out);
		return 0;
	}
	j->bak = malloc(strlen(real) + 5);
	if (!j->bak)
		return refuse(j, "%s", "out of memory");
	strcpy(j->bak, real);
	strcat(j->bak, ".bak");
	/* FILE.bak as a second name of FILE itself is what a run killed
	 * between its two install steps leaves: dropping that name loses
	 * nothing */
	if (same_file(j->bak, real))
		(void)unlink(j->bak);
	return 0;     /* an existing FILE.bak: refused once there is work */
}

/* ---- running the files ---- */

struct pool {
	struct repair_job *jobs;
	size_t n, next;
	const struct repair_opts *o;
	struct progress *bar;
	pthread_mutex_t lock;
	int exit;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void repair_one(struct pool *pl, struct repair_job *j)
{
	char real[PATH_MAX];
	struct progress_slot slot = { .bar = pl->bar, .file = j->path };
	struct pf_repair_opts ro = {
		.out = pl->o->out, .dry_run = pl->o->dry_run,
		.note = on_note, .note_ctx = j,
		.on_before = on_before, .on_after = on_after,
		.finding_ctx = j,
		.progress = pl->bar ? progress_update : NULL,
		.progress_ctx = &slot,
	};
	double t0 = now();

	if (plan(j, pl->o, real, sizeof(real)) == 0) {
		ro.backup = j->bak;
		pf_repair_file(real, &ro, &j->res);
	}
	j->seconds = now() - t0;
}

static void publish(struct pool *pl, struct repair_job *j)
{
	FILE *f = stdout;

	pthread_mutex_lock(&pl->lock);
	progress_pause(pl->bar);
	if (pl->o->json)
		repair_report_json(f, j, pl->o);
	else
		repair_report_text(f, j, pl->o);
	fflush(f);
	progress_file_done(pl->bar);
	progress_resume(pl->bar);
	pl->exit |= j->res.exit;
	pthread_mutex_unlock(&pl->lock);
}

static void *worker(void *arg)
{
	struct pool *pl = arg;

	for (;;) {
		struct repair_job *j;

		pthread_mutex_lock(&pl->lock);
		j = pl->next < pl->n && !cli_interrupted() ?
		    &pl->jobs[pl->next++] : NULL;
		if (j)
			j->started = true;
		pthread_mutex_unlock(&pl->lock);
		if (!j)
			return NULL;
		repair_one(pl, j);
		publish(pl, j);
	}
}

static int run(const struct repair_opts *o, char **files, size_t n)
{
	struct pool pl = { .n = n, .o = o };
	struct sigaction old;
	pthread_t tid[REPAIR_MAX_JOBS];
	unsigned started = 0, jobs = o->jobs < n ? o->jobs : (unsigned)n;

	pl.jobs = calloc(n, sizeof(*pl.jobs));
	if (!pl.jobs) {
		fprintf(stderr, "pstfix repair: out of memory\n");
		return PF_EXIT_OPERATIONAL;
	}
	for (size_t i = 0; i < n; i++)
		pl.jobs[i].path = files[i];
	pthread_mutex_init(&pl.lock, NULL);
	cli_sigint_catch(&old);
	pl.bar = progress_start(!o->quiet && !o->json, (unsigned)n);
	while (started + 1 < jobs &&
	       pthread_create(&tid[started], NULL, worker, &pl) == 0)
		started++;
	worker(&pl);
	for (unsigned k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
	progress_end(pl.bar);
	cli_sigint_restore(&old);
	if (cli_interrupted()) {
		pl.exit |= PF_EXIT_CANCELLED;
		fprintf(stderr, "pstfix repair: interrupted: %zu of %zu files "
			"not started\n", n - pl.next, n);
	}
	if (n > 1 && o->json)
		repair_total_json(stdout, pl.jobs, n, pl.exit);
	else if (n > 1)
		repair_table_text(stdout, pl.jobs, n);
	for (size_t i = 0; i < n; i++)
		job_free(&pl.jobs[i]);
	free(pl.jobs);
	pthread_mutex_destroy(&pl.lock);
	return pl.exit;
}

int cmd_repair(int argc, char **argv)
{
	struct repair_opts o = { .jobs = 1 };
	bool help = false;
	int rc = parse(&o, &help, argc, argv);

	if (rc != 0)
		return rc;
	if (help) {
		fputs(usage_text, stdout);
		return PF_EXIT_CLEAN;
	}
	return run(&o, argv + optind, (size_t)(argc - optind));
}
