/*
 * repair_install.c - the file handling around the repair stages: names
 * for their temporary outputs, a durable copy, and putting the finished
 * file in place without ever losing the original.
 *
 * Contract (see repair_run.h)
 * - Nothing here overwrites a file that exists: OUT and FILE.bak are
 *   created with link(2), which fails with EEXIST rather than replace.
 * - Every name change is followed by an fsync of the directory, so the
 *   order of the steps is the order a crash can observe.
 * - Errors are PF_E_IO with the path and strerror in one line.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../formats/util/pf_err.h"
#include "repair_run.h"

#define COPY_CHUNK (1u << 20)

char *pf_repair_tmp_name(const char *final, const char *tag)
{
	static unsigned serial;
	size_t cap = strlen(final) + strlen(tag) + 64;
	char *name = malloc(cap);
	struct stat st;

	if (!name)
		return NULL;
	/* the pid and a counter make the name unique to this process; the
	 * loop steps over a leftover of an earlier, killed run */
	do {
		snprintf(name, cap, "%s.pstfix-%s-%ld-%u", final, tag,
			 (long)getpid(), __atomic_add_fetch(&serial, 1,
							    __ATOMIC_RELAXED));
	} while (lstat(name, &st) == 0);
	return name;
}

/* The directory holding PATH, fsynced so a link or rename in it is on
 * disk before the next step. */
int pf_repair_fsync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, rc = 0;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		rc = pf_error_set(PF_E_IO, "%s: fsync: %s", dir,
				  strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

int pf_repair_copy(int src, int dst, uint64_t n, const char *what)
{
	uint8_t *buf = malloc(COPY_CHUNK);
	uint64_t at = 0;
	int rc = 0;

	if (!buf)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	while (rc == 0 && at < n) {
		size_t want = n - at < COPY_CHUNK ? (size_t)(n - at) :
						    COPY_CHUNK;
		ssize_t got = pread(src, buf, want, (off_t)at);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			rc = pf_error_set(PF_E_IO, "%s: read at %llu: %s",
					  what, (unsigned long long)at,
					  got < 0 ? strerror(errno) :
						    "unexpected end of file");
			break;
		}
		for (ssize_t put = 0, k; rc == 0 && put < got; put += k) {
			k = pwrite(dst, buf + put, (size_t)(got - put),
				   (off_t)(at + (uint64_t)put));
			if (k < 0 && errno == EINTR)
				k = 0;
			else if (k <= 0)
				rc = pf_error_set(PF_E_IO, "%s: write: %s",
						  what, k < 0 ?
						  strerror(errno) :
						  "nothing written");
		}
		at += (uint64_t)got;
	}
	free(buf);
	return rc;
}

/* Give the repaired file the mode of the file it replaces. */
static void same_mode(const char *tmp, const char *like)
{
	struct stat st;

	if (stat(like, &st) == 0)
		(void)chmod(tmp, st.st_mode & 07777);
}

/* A second name for an existing file that never replaces one: link(2),
 * or, where the file system has no hard links, a durable copy under a
 * temporary name renamed into place after checking the name is free. */
static int new_name(const char *from, const char *to)
{
	char *tmp;
	int src, dst, rc;
	struct stat st;

	if (link(from, to) == 0)
		return 0;
	if (errno == EEXIST)
		return pf_error_set(PF_E_IO, "%s exists: not replaced", to);
	if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOSYS &&
	    errno != EMLINK)
		return pf_error_set(PF_E_IO, "%s: %s", to, strerror(errno));
	tmp = pf_repair_tmp_name(to, "copy");
	if (!tmp)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	src = open(from, O_RDONLY | O_CLOEXEC);
	dst = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	rc = src < 0 || dst < 0 || fstat(src, &st) != 0 ?
	     pf_error_set(PF_E_IO, "%s: %s", src < 0 ? from : tmp,
			  strerror(errno)) :
	     pf_repair_copy(src, dst, (uint64_t)st.st_size, from);
	if (rc == 0 && fsync(dst) != 0)
		rc = pf_error_set(PF_E_IO, "%s: fsync: %s", tmp,
				  strerror(errno));
	if (rc == 0 && lstat(to, &st) == 0)
		rc = pf_error_set(PF_E_IO, "%s exists: not replaced", to);
	if (rc == 0 && rename(tmp, to) != 0)
		rc = pf_error_set(PF_E_IO, "%s: %s", to, strerror(errno));
	if (src >= 0)
		close(src);
	if (dst >= 0)
		close(dst);
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

int pf_repair_install_out(const char *tmp, const char *out, const char *like)
{
	int rc;

	same_mode(tmp, like);
	rc = new_name(tmp, out);
	if (rc == 0 && unlink(tmp) != 0 && errno != ENOENT)
		rc = pf_error_set(PF_E_IO, "%s: %s", tmp, strerror(errno));
	return rc != 0 ? rc : pf_repair_fsync_dir(out);
}

/*
 * In place, as scanpst does it, but crash-safe.  TMP is complete and
 * fsynced (every stage fsyncs its output before renaming it).
 *   1. link FILE -> BAK: a second name for the original; EEXIST refuses
 *      an existing BAK.  fsync the directory.
 *   2. rename TMP -> FILE: rename(2) swaps the name atomically; the
 *      original lives on as BAK.  fsync the directory.
 * At every instant FILE is the original (before 2), or BAK is the
 * original and FILE the complete repaired file (after 2).  A crash leaves
 * at most TMP behind (FILE.pstfix-*), never a half-written FILE.
 */
int pf_repair_install_inplace(const char *tmp, const char *file,
			      const char *bak)
{
	int rc;

	same_mode(tmp, file);
	rc = new_name(file, bak);
	if (rc == 0)
		rc = pf_repair_fsync_dir(bak);
	if (rc == 0 && rename(tmp, file) != 0) {
		rc = pf_error_set(PF_E_IO, "%s: %s", file, strerror(errno));
		unlink(bak);    /* ours, and FILE is still the original */
	}
	return rc != 0 ? rc : pf_repair_fsync_dir(file);
}
