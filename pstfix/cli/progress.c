/*
 * progress.c - the progress bar behind progress.h.
 *
 * Contract: see progress.h.  The line is built in a buffer and written
 * with one fwrite, starting with '\r' and ending with "ESC [K" (erase to
 * end of line), so a shorter line never leaves the tail of a longer one
 * and the terminal never shows half a line.  The width is read once: a
 * resize during a scan at worst wraps one line until the next redraw.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

#define REDRAW_NS (100 * 1000 * 1000L)  /* at most ten redraws a second */
#define BAR_CELLS 20

struct progress {
	pthread_mutex_t lock;
	unsigned nfiles, files_done;
	unsigned width;                 /* terminal columns */
	bool drawn;                     /* a bar is on the screen */
	bool paused;
	struct timespec last;           /* when it was last drawn */
};

static unsigned terminal_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col < 20)
		return 80;
	return ws.ws_col > 400 ? 400 : ws.ws_col;
}

struct progress *progress_start(bool wanted, unsigned nfiles)
{
	const char *term = getenv("TERM");
	struct progress *p;

	if (!wanted || !isatty(STDERR_FILENO) ||
	    (term && strcmp(term, "dumb") == 0))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;    /* no bar is no loss */
	pthread_mutex_init(&p->lock, NULL);
	p->nfiles = nfiles;
	p->width = terminal_width();
	return p;
}

static bool too_soon(struct progress *p)
{
	struct timespec now;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (long long)(now.tv_sec - p->last.tv_sec) * 1000000000LL +
	     (now.tv_nsec - p->last.tv_nsec);
	if (p->drawn && ns >= 0 && ns < REDRAW_NS)
		return true;
	p->last = now;
	return false;
}

static unsigned percent(uint64_t done, uint64_t total)
{
	if (total == 0)
		return 0;
	if (done >= total)
		return 100;
	return (unsigned)((double)done * 100.0 / (double)total);
}

/* Append the tail of NAME that fits in ROOM columns, "..." marking a cut:
 * the end of a path (the file name) says more than its start. */
static void put_name(char *line, size_t *n, size_t room, const char *name)
{
	size_t len = strlen(name);
	const char *from = name;

	if (room < 4)
		return;
	if (len > room) {
		memcpy(line + *n, "...", 3);
		*n += 3;
		from = name + len - (room - 3);
	}
	for (; *from; from++) {
		unsigned char c = (unsigned char)*from;

		line[(*n)++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
}

static void draw(struct progress *p, const char *file, unsigned pass,
		 unsigned pct)
{
	char line[512];
	size_t n = 1, cells = (size_t)pct * BAR_CELLS / 100;
	int w;

	line[0] = '\r';
	if (p->nfiles > 1)
		n += (size_t)snprintf(line + n, 32, "[%u/%u] ", p->files_done,
				      p->nfiles);
	w = snprintf(line + n, 64, "%-11s %3u%% ", cli_pass_short(pass), pct);
	n += w > 0 ? (size_t)w : 0;
	if (p->width >= 60) {
		line[n++] = '[';
		for (size_t i = 0; i < BAR_CELLS; i++)
			line[n++] = i < cells ? '#' : '.';
		memcpy(line + n, "] ", 2);
		n += 2;
	}
	/* One column short of the width: writing the last column makes
	 * some terminals wrap before the '\r'. */
	if (n < p->width)
		put_name(line, &n, p->width - 1 - (n - 1), file);
	memcpy(line + n, "\033[K", 3);
	n += 3;
	fwrite(line, 1, n, stderr);
	p->drawn = true;
}

void progress_update(void *ctx, enum pf_pass pass, uint64_t done,
		     uint64_t total)
{
	struct progress_slot *slot = ctx;
	struct progress *p = slot ? slot->bar : NULL;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	if (!p->paused && !too_soon(p))
		draw(p, slot->file, (unsigned)pass, percent(done, total));
	pthread_mutex_unlock(&p->lock);
}

static void erase(struct progress *p)
{
	if (p->drawn)
		fputs("\r\033[K", stderr);
	p->drawn = false;
}

void progress_file_done(struct progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->files_done++;
	pthread_mutex_unlock(&p->lock);
}

void progress_pause(struct progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	erase(p);
	p->paused = true;
	pthread_mutex_unlock(&p->lock);
}

void progress_resume(struct progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->paused = false;
	pthread_mutex_unlock(&p->lock);
}

void progress_end(struct progress *p)
{
	if (!p)
		return;
	erase(p);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
