/*
 * scan_run.c - run `pstfix scan` over a list of files: the worker pool,
 * the order of the output, Ctrl-C, and the totals.
 *
 * Contract
 * - -j 1: the files are checked in list order on the calling thread and
 *   each report streams straight to stdout.
 * - -j N: N workers (the calling thread is one of them) take the next
 *   file from a shared index; each report is collected in a memory stream
 *   and copied to stdout whole, under the pool lock, when its file is
 *   done, so reports appear in completion order and never interleave.
 *   pf_error_msg() is per thread, so workers do not see each other's
 *   reasons.
 * - SIGINT sets a flag: no new file starts, the files in progress finish
 *   and are reported, the exit status gains 32.  The handler is one-shot
 *   (SA_RESETHAND): a second Ctrl-C kills the process as usual, for a
 *   user who does not want to wait for a large file to finish.
 * - The exit status is the bitwise OR of the files' statuses (fsck(8)).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "interrupt.h"
#include "scan.h"

struct pool {
	char *const *paths;
	const struct scan_opts *o;
	struct progress *bar;
	pthread_mutex_t lock;      /* next, totals, and stdout */
	size_t next;
	struct scan_totals tot;
};

static bool take(struct pool *pl, size_t *i)
{
	bool ok;

	pthread_mutex_lock(&pl->lock);
	ok = !cli_interrupted() && pl->next < pl->tot.files;
	if (ok)
		*i = pl->next++;
	pthread_mutex_unlock(&pl->lock);
	return ok;
}

/* Called with the lock held (or with one thread). */
static void account(struct pool *pl, const struct scan_result *r)
{
	struct scan_totals *t = &pl->tot;

	t->checked++;
	t->exit |= r->exit;
	t->errors += r->sum.findings[PF_SEV_ERROR];
	t->warnings += r->sum.findings[PF_SEV_WARNING];
	if (r->status == SCAN_CLEAN)
		t->clean++;
	else if (r->status == SCAN_ERRORS)
		t->with_errors++;
	else
		t->unreadable++;
	progress_file_done(pl->bar);
}

static void run_direct(struct pool *pl)
{
	struct scan_out out = { .f = stdout, .bar = pl->bar, .direct = true };
	struct scan_result r;
	size_t i;

	while (take(pl, &i)) {
		scan_file(pl->paths[i], pl->o, &out, &r);
		account(pl, &r);
	}
}

static void publish(struct pool *pl, const char *buf, size_t len,
		    const struct scan_result *r)
{
	pthread_mutex_lock(&pl->lock);
	progress_pause(pl->bar);
	fwrite(buf, 1, len, stdout);
	fflush(stdout);
	progress_resume(pl->bar);
	account(pl, r);
	pthread_mutex_unlock(&pl->lock);
}

/* One file on a worker.  Without memory for a buffer, check it straight
 * to stdout holding the lock: slower for the others, still whole. */
static void check_one(struct pool *pl, const char *path)
{
	struct scan_out out = { .bar = pl->bar };
	struct scan_result r;
	char *buf = NULL;
	size_t len = 0;

	out.f = open_memstream(&buf, &len);
	if (!out.f) {
		pthread_mutex_lock(&pl->lock);
		out.f = stdout;
		out.direct = true;
		scan_file(path, pl->o, &out, &r);
		account(pl, &r);
		pthread_mutex_unlock(&pl->lock);
		return;
	}
	scan_file(path, pl->o, &out, &r);
	if (fclose(out.f) != 0) {
		r.exit |= PF_EXIT_OPERATIONAL;  /* the report was lost */
		fprintf(stderr, "pstfix scan: %s: report lost: "
			"out of memory\n", path);
	}
	publish(pl, buf ? buf : "", buf ? len : 0, &r);
	free(buf);
}

static void *worker(void *arg)
{
	struct pool *pl = arg;
	size_t i;

	while (take(pl, &i))
		check_one(pl, pl->paths[i]);
	return NULL;
}

static void run_pool(struct pool *pl, unsigned jobs)
{
	pthread_t tid[SCAN_MAX_JOBS];
	unsigned started = 0;

	/* A thread that cannot be created is one worker fewer; the calling
	 * thread always works too, so the scan runs even with none. */
	while (started + 1 < jobs &&
	       pthread_create(&tid[started], NULL, worker, pl) == 0)
		started++;
	worker(pl);
	for (unsigned k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
}

static void finish(struct pool *pl, double t0)
{
	struct scan_totals *t = &pl->tot;

	t->seconds = scan_clock() - t0;
	t->interrupted = cli_interrupted();
	if (t->interrupted) {
		t->exit |= PF_EXIT_CANCELLED;
		fprintf(stderr, "pstfix scan: interrupted: %zu of %zu files "
			"not checked\n", t->files - t->checked, t->files);
	}
	if (!pl->o->want_total)
		return;
	if (pl->o->json)
		report_total_json(stdout, t);
	else
		report_total_text(stdout, t);
}

int scan_run(char *const *paths, size_t n, const struct scan_opts *o)
{
	struct sigaction old;
	struct pool pl;
	unsigned jobs = o->jobs < n ? o->jobs : (unsigned)n;
	double t0 = scan_clock();

	memset(&pl, 0, sizeof(pl));
	pl.paths = paths;
	pl.o = o;
	pl.tot.files = n;
	pthread_mutex_init(&pl.lock, NULL);
	cli_sigint_catch(&old);

	pl.bar = progress_start(!o->quiet, (unsigned)n);
	if (jobs <= 1)
		run_direct(&pl);
	else
		run_pool(&pl, jobs);
	progress_end(pl.bar);
	cli_sigint_restore(&old);
	finish(&pl, t0);
	pthread_mutex_destroy(&pl.lock);
	return pl.tot.exit;
}
