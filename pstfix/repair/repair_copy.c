/*
 * repair_copy.c - a copy of IN made by a second thread while this one
 * reads IN (two cores: the kernel copies while the scan checks CRCs),
 * then taken over by a stage's writer (pf_writer_open_adopt(): the bytes
 * pf_writer_open_over() would have copied after the reading).  The run
 * starts one as soon as its first scan finds something to repair
 * (repair_run.c); the NDB stage starts its own when given none, to
 * overlap its trailer scan (ndb_stage.c).
 *
 * Contract
 * - pf_repair_bgcopy_start() creates a private sibling of NEAR
 *   (pf_repair_tmp_name, tag "copy", O_EXCL, mode 0600 as the writer's
 *   own temporary) and starts copying IN's first CB bytes into it; when
 *   no thread can be started the copy is made in _finish() instead.
 * - pf_repair_bgcopy_finish() waits for the copy: 0, or its PF_E_* with
 *   its message (carried over from the copying thread: pf_err is per
 *   thread).
 * - pf_repair_bgcopy_drop() waits too and removes the file unless a
 *   writer took it (c->taken): every path ends there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../formats/util/pf_err.h"
#include "repair_run.h"

/* copy_file_range(2) as far as it goes, then plain reads and writes. */
static int copy_bytes(struct pf_repair_bgcopy *c)
{
	loff_t in = 0, out = 0;

	while ((uint64_t)in < c->cb) {
		size_t n = c->cb - (uint64_t)in < (1u << 30) ?
			   (size_t)(c->cb - (uint64_t)in) : (1u << 30);
		ssize_t put = copy_file_range(c->src, &in, c->dst, &out, n, 0);

		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)      /* EXDEV, ENOSYS, EINVAL, short source */
			break;
	}
	if ((uint64_t)in == c->cb)
		return 0;
	/* pf_repair_copy starts at 0: cheap to redo, and never wrong */
	return pf_repair_copy(c->src, c->dst, c->cb, c->in);
}

static void *copy_main(void *arg)
{
	struct pf_repair_bgcopy *c = arg;

	c->rc = copy_bytes(c);
	if (c->rc != 0)
		snprintf(c->why, sizeof(c->why), "%s", pf_error_msg());
	else    /* start writing it out here, beside the reading thread:
		 * the stage's fsync then waits for what is left */
		(void)sync_file_range(c->dst, 0, 0, SYNC_FILE_RANGE_WRITE);
	return NULL;
}

int pf_repair_bgcopy_start(struct pf_repair_bgcopy *c, const char *in,
			   const char *near, uint64_t cb)
{
	memset(c, 0, sizeof(*c));
	c->src = c->dst = -1;
	c->in = in;
	c->cb = cb;
	c->path = pf_repair_tmp_name(near, "copy");
	if (!c->path)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	c->src = open(in, O_RDONLY | O_CLOEXEC);
	if (c->src < 0)
		return pf_error_set(PF_E_IO, "%s: cannot open: %s", in,
				    strerror(errno));
	c->dst = open(c->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (c->dst < 0)
		return pf_error_set(PF_E_IO, "%s: cannot create: %s", c->path,
				    strerror(errno));
	c->created = true;
	c->started = pthread_create(&c->th, NULL, copy_main, c) == 0;
	return 0;
}

int pf_repair_bgcopy_finish(struct pf_repair_bgcopy *c)
{
	if (c->started) {
		pthread_join(c->th, NULL);
		c->started = false;
	} else if (c->dst >= 0 && !c->done) {
		copy_main(c);   /* no second thread: copy now */
	}
	c->done = true;
	if (c->rc != 0)
		return pf_error_set(c->rc, "%s", c->why);
	return 0;
}

void pf_repair_bgcopy_drop(struct pf_repair_bgcopy *c)
{
	if (c->started) {
		pthread_join(c->th, NULL);
		c->started = false;
	}
	if (c->src >= 0)
		close(c->src);
	if (c->dst >= 0)
		close(c->dst);
	c->src = c->dst = -1;
	if (c->created && !c->taken)
		(void)unlink(c->path);
	free(c->path);
	c->path = NULL;
}
