/*
 * spool.c - the spool directory of `outbox send`: the lock, the journal
 * file, and the message files written once and read on every attempt.
 *
 * Contract
 * - Layout and write-ahead rules: spool.h.  A message file is written
 *   under a temporary name, fsync'd, renamed into place and the directory
 *   fsync'd before the journal says it exists ("never destroy user data";
 *   a crash leaves at most an unreferenced file, overwritten later).
 * - One writer per spool: flock(LOCK_EX|LOCK_NB) on DIR/lock, holding
 *   the writer's pid for the refusal message.  Readers (status) take no
 *   lock: appends are whole lines, a torn last one is ignored.
 * - The journal is read whole into memory, bounded (MAX_JOURNAL).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "spool.h"

#define MAX_JOURNAL ((off_t)1 << 30)
#define MAX_MESSAGE ((uint64_t)1 << 31)    /* PF_MIMEW_MAX_OUT */

static int io_err(const char *what, const char *path)
{
	return pf_error_set(PF_E_IO, "%s %s: %s", what, path,
			    strerror(errno));
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static int mkdir_ok(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return io_err("cannot create", path);
}

static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return io_err("cannot open", path);
	if (fsync(fd) != 0)
		rc = io_err("cannot fsync", path);
	close(fd);
	return rc;
}

/* N bytes from offset 0 (pread may return less than asked: loop). */
static int pread_all(int fd, void *buf, size_t n)
{
	size_t done = 0;
	ssize_t r = 1;

	for (; done < n && r > 0; done += r > 0 ? (size_t)r : 0)
		r = pread(fd, (char *)buf + done, n - done, (off_t)done);
	return done == n ? 0 : -1;
}

/* Take DIR/lock or say who holds it. */
static int take_lock(struct ob_spool *sp)
{
	char *path = join(sp->dir, "lock"), pid[32] = "";
	int n;

	if (!path)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	sp->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (sp->lock_fd < 0) {
		n = io_err("cannot open", path);
		free(path);
		return n;
	}
	free(path);
	if (flock(sp->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		n = (int)pread(sp->lock_fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		return pf_error_set(PF_E_USAGE, "spool %s is in use by "
				    "another 'outbox send' (pid %s)",
				    sp->dir, *pid ? pid : "?");
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(sp->lock_fd, 0) != 0 ||
	    pwrite(sp->lock_fd, pid, (size_t)n, 0) != n)
		return io_err("cannot write", "the spool lock");
	return 0;
}

/* Read the journal and replay it; a writer drops a torn tail. */
static int load_journal(struct ob_spool *sp, const char *path, bool write)
{
	struct stat st;
	size_t good = 0;
	char *text;
	int rc;

	if (fstat(sp->jfd, &st) != 0)
		return io_err("cannot stat", path);
	if (st.st_size > MAX_JOURNAL)
		return pf_error_set(PF_E_LIMIT, "%s: larger than %lld bytes",
				    path, (long long)MAX_JOURNAL);
	if (st.st_size == 0)
		return write ? ob_journal_header(sp) : pf_error_set(
			PF_E_CORRUPT, "%s: empty journal", path);
	text = malloc((size_t)st.st_size);
	if (!text)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	if (pread_all(sp->jfd, text, (size_t)st.st_size) != 0) {
		free(text);
		return io_err("cannot read", path);
	}
	rc = ob_journal_replay(sp, text, (size_t)st.st_size, &good);
	free(text);
	if (rc || !write || good == (size_t)st.st_size)
		return rc;
	if (ftruncate(sp->jfd, (off_t)good) != 0 || fsync(sp->jfd) != 0)
		return io_err("cannot truncate the torn tail of", path);
	return 0;
}

int ob_spool_open(struct ob_spool **out, const char *dir, bool write)
{
	struct ob_spool *sp = calloc(1, sizeof(*sp));
	char *path = NULL, *msgdir = NULL;
	int rc = PF_E_NOMEM;

	*out = NULL;
	if (!sp || !(sp->dir = strdup(dir)))
		goto nomem;
	pthread_mutex_init(&sp->mu, NULL);
	sp->lock_fd = sp->jfd = -1;
	sp->next_id = 1;
	path = join(dir, "journal");
	msgdir = join(dir, "msg");
	if (!path || !msgdir)
		goto nomem;
	if (write) {
		rc = mkdir_ok(dir);
		if (!rc)
			rc = mkdir_ok(msgdir);
		if (!rc)
			rc = take_lock(sp);
		if (rc)
			goto fail;
	}
	sp->jfd = open(path, write ? O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC
		       : O_RDONLY | O_CLOEXEC, 0600);
	if (sp->jfd < 0) {
		rc = errno == ENOENT ? pf_error_set(PF_E_NOTFOUND, "%s: no "
			"journal (not a send spool?)", path)
			: io_err("cannot open", path);
		goto fail;
	}
	rc = load_journal(sp, path, write);
	if (rc)
		goto fail;
	if (!write) {
		close(sp->jfd);
		sp->jfd = -1;
	}
	free(path);
	free(msgdir);
	*out = sp;
	return 0;
nomem:
	rc = pf_error_set(PF_E_NOMEM, "out of memory");
fail:
	free(path);
	free(msgdir);
	ob_spool_close(sp);
	return rc;
}

void ob_spool_close(struct ob_spool *sp)
{
	if (!sp)
		return;
	if (sp->jfd >= 0)
		close(sp->jfd);
	if (sp->lock_fd >= 0)
		close(sp->lock_fd);   /* releases the flock */
	for (size_t i = 0; i < sp->nmsg; i++)
		ob_msg_free(sp->msg[i]);
	free(sp->msg);
	if (sp->dir)
		pthread_mutex_destroy(&sp->mu);
	free(sp->dir);
	free(sp);
}

static char *msg_path(const struct ob_spool *sp, unsigned id, bool tmp)
{
	char name[48];

	snprintf(name, sizeof(name), tmp ? "msg/.m%u.tmp" : "msg/m%u.eml",
		 id);
	return join(sp->dir, name);
}

/* BYTES into msg/mID.eml: temp name, fsync, rename, directory fsync. */
static int write_msg(struct ob_spool *sp, unsigned id, const uint8_t *bytes,
		     size_t cb)
{
	char *tmp = msg_path(sp, id, true), *dst = msg_path(sp, id, false);
	char *dir = join(sp->dir, "msg");
	int fd = -1, rc = PF_E_NOMEM;

	if (!tmp || !dst || !dir)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || pf_write_all(fd, bytes, cb) != 0 || fsync(fd) != 0) {
		rc = io_err("cannot write", tmp);
		goto out;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, dst) != 0) {
		rc = io_err("cannot rename into", dst);
		goto out;
	}
	rc = fsync_dir(dir);
out:
	if (rc == PF_E_NOMEM)
		pf_error_set(rc, "out of memory");
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(dst);
	free(dir);
	if (rc)
		sp->io_failed = true;
	return rc;
}

/* The id M gets: the one its Message-ID already has, else a new one. */
static unsigned id_for(struct ob_spool *sp, const struct ob_msg *m)
{
	struct ob_msg *old = m->msgid ? ob_spool_find(sp, m->msgid) : NULL;

	return old ? old->id : sp->next_id;
}

int ob_spool_add(struct ob_msg **out, struct ob_spool *sp,
		 const struct ob_msg *m, const uint8_t *bytes, size_t cb)
{
	struct ob_msg t = *m;
	int rc;

	*out = NULL;
	t.id = id_for(sp, m);
	t.cb = cb;
	t.crc = (uint32_t)crc32(0L, bytes, (uInt)0);
	for (size_t done = 0; done < cb; ) {
		uInt n = cb - done > (1u << 30) ? 1u << 30 : (uInt)(cb - done);

		t.crc = (uint32_t)crc32(t.crc, bytes + done, n);
		done += n;
	}
	/* the `spool` record last: until it is on disk the message does
	 * not exist for a resume, which spools it again whole */
	rc = write_msg(sp, t.id, bytes, cb);
	if (!rc)
		rc = ob_journal_item(sp, &t);
	for (size_t i = 0; !rc && i < m->nrcpt; i++)
		rc = ob_journal_rcpt(sp, &t, i, &m->rcpt[i]);
	if (!rc)
		rc = ob_journal_spool(sp, &t);
	if (rc)
		return rc;
	*out = ob_spool_find(sp, m->msgid);
	return 0;
}

int ob_spool_note(struct ob_spool *sp, const struct ob_msg *m)
{
	struct ob_msg *old = ob_spool_find(sp, m->msgid);
	struct ob_msg t = *m;
	int rc;

	if (old && (old->spooled || (old->why && m->why &&
				     strcmp(old->why, m->why) == 0)))
		return 0;   /* spooled already, or the same note */
	t.id = id_for(sp, m);
	rc = ob_journal_item(sp, &t);
	return rc ? rc : ob_journal_note(sp, &t);
}

int ob_spool_read(uint8_t **out, size_t *cb, struct ob_spool *sp,
		  const struct ob_msg *m)
{
	char *path = msg_path(sp, m->id, false);
	uint8_t *buf = NULL;
	struct stat st;
	int fd = -1, rc;

	*out = NULL;
	if (!path)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = io_err("cannot open", path);
		goto out;
	}
	if ((uint64_t)st.st_size != m->cb || m->cb > MAX_MESSAGE) {
		rc = pf_error_set(PF_E_CORRUPT, "%s: %lld bytes, the journal "
				  "says %" PRIu64, path,
				  (long long)st.st_size, m->cb);
		goto out;
	}
	buf = malloc(m->cb ? m->cb : 1);
	if (!buf) {
		rc = pf_error_set(PF_E_NOMEM, "out of memory");
		goto out;
	}
	if (pread_all(fd, buf, m->cb) != 0) {
		rc = io_err("cannot read", path);
		goto out;
	}
	if (crc32(0L, buf, (uInt)m->cb) != m->crc) {
		rc = pf_error_set(PF_E_CORRUPT, "%s: CRC mismatch with the "
				  "journal (the spooled bytes changed)", path);
		goto out;
	}
	*out = buf;
	*cb = m->cb;
	buf = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(path);
	return rc;
}
