/*
 * scratch.c - the private scratch directory (scratch.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "scratch.h"

static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
#define NSIGS (sizeof(sigs) / sizeof(sigs[0]))

static char dir[PATH_MAX];
static volatile sig_atomic_t armed;
static struct sigaction old[NSIGS];

/* linux_dirent64 (getdents64(2)): d_reclen at 16, d_name at 19. */
static int empty_dir(void)
{
	char buf[4096];
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n;

	if (fd < 0)
		return -1;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			unsigned short reclen;
			const char *name = buf + off + 19;

			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			if (reclen == 0 || off + reclen > n)
				break;
			if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
				(void)unlinkat(fd, name, 0);
			off += reclen;
		}
	}
	close(fd);
	return n < 0 ? -1 : 0;
}

static void on_signal(int sig)
{
	int saved = errno;

	if (armed) {
		armed = 0;
		(void)empty_dir();
		(void)rmdir(dir);
	}
	errno = saved;
	raise(sig);   /* SA_RESETHAND: the default action, once we return */
}

static void arm(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSIGS; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (size_t i = 0; i < NSIGS; i++) {
		sigaction(sigs[i], NULL, &old[i]);
		if (old[i].sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
}

const char *cli_scratch_make(const char *base, const char *name)
{
	int n;

	if (armed) {
		errno = EBUSY;
		return NULL;
	}
	n = snprintf(dir, sizeof(dir), "%s/.pstfix-%s-XXXXXX", base, name);
	if (n < 0 || (size_t)n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	arm();   /* before mkdtemp: no window where it exists unarmed */
	armed = 1;
	if (!mkdtemp(dir)) {
		int e = errno;

		armed = 0;
		for (size_t i = 0; i < NSIGS; i++)
			if (old[i].sa_handler != SIG_IGN)
				sigaction(sigs[i], &old[i], NULL);
		errno = e;
		return NULL;
	}
	return dir;
}

int cli_scratch_remove(void)
{
	int rc = 0;

	if (!armed)
		return 0;
	if (empty_dir() != 0 || rmdir(dir) != 0)
		rc = -1;
	armed = 0;
	for (size_t i = 0; i < NSIGS; i++)
		if (old[i].sa_handler != SIG_IGN)
			sigaction(sigs[i], &old[i], NULL);
	return rc;
}
