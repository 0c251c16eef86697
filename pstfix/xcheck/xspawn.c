/*
 * xspawn.c - run a reader in a child process, read its view, bound it in
 * time and resources, and always reap it (pf_xcheck_spawn, libpff_view.h).
 *
 * Contract: the parent trusts nothing the child sends (xproto.c checks it)
 * nor how it ends.  Verdict order: deadline passed, then a protocol error,
 * then death by signal, then the child's own X line, then a missing end or
 * a non-zero exit status.  Only the child's pid is ever signalled.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "../../formats/util/pf_err.h"
#include "libpff_view.h"
#include "xproto.h"

struct run {
	struct pf_xparser parser;
	pid_t pid;
	int64_t deadline;    /* CLOCK_MONOTONIC, ms */
	unsigned timeout_ms;
	bool timed_out;
	bool reaped;
	int status;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the child ---- */

static void lower_limit(int res, rlim_t soft, rlim_t hard)
{
	struct rlimit rl;

	if (getrlimit(res, &rl) != 0)
		return;
	if (rl.rlim_max == RLIM_INFINITY || hard < rl.rlim_max)
		rl.rlim_max = hard;
	rl.rlim_cur = soft < rl.rlim_max ? soft : rl.rlim_max;
	(void)setrlimit(res, &rl);
}

/* Our address-space size now, from /proc (0 if unknown). */
static rlim_t vm_size(void)
{
	char buf[64];
	unsigned long long pages = 0;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%llu", &pages) != 1)
		return 0;
	return (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE);
}

static void set_limits(unsigned timeout_ms)
{
	rlim_t cpu = timeout_ms / 1000 + 2;
	/* Relative to what is already mapped: sanitizer runtimes reserve
	 * terabytes of shadow before main(). */
	rlim_t as = vm_size() + PF_XCHECK_AS_BUDGET;

	lower_limit(RLIMIT_CORE, 0, 0);
	lower_limit(RLIMIT_FSIZE, 0, 0);
	lower_limit(RLIMIT_CPU, cpu, cpu + 1);
	lower_limit(RLIMIT_AS, as, as);
}

/* Faults must kill the child (a handler of the caller's or a sanitizer's
 * would turn them into exit codes); SIGHUP/SIGINT/SIGTERM keep the
 * caller's disposition. */
static void default_signals(void)
{
	static const int sigs[] = {
		SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGPIPE, SIGXCPU,
		SIGXFSZ,
	};
	sigset_t all;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

/* stdin/out/err to /dev/null; the pipe above them; nothing else open. */
static int isolate_fds(int wfd)
{
	int null = open("/dev/null", O_RDWR);
	int fd = wfd;

	if (wfd < 3) {
		fd = fcntl(wfd, F_DUPFD, 3);
		if (fd < 0)
			return -1;
	}
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(null, 2) < 0)
		return -1;
	if (fd > 3 && close_range(3, (unsigned)fd - 1, 0) != 0)
		for (int i = 3; i < fd; i++)
			close(i);
	if (close_range((unsigned)fd + 1, ~0u, 0) != 0)
		for (int i = fd + 1; i < 65536; i++)
			close(i);
	return fd;
}

static void child_main(int wfd, int rfd, const char *path,
		       pf_xchild_fn child, void *arg, unsigned timeout_ms,
		       pid_t parent)
{
	close(rfd);
	wfd = isolate_fds(wfd);
	if (wfd < 0)
		_exit(5);
	default_signals();
#if defined(__linux__)
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	if (getppid() != parent)
		_exit(6);
	set_limits(timeout_ms);
	child(wfd, path, arg);
	_exit(0);
}

/* ---- the parent ---- */

static int pump(struct run *r, int fd)
{
	char buf[16384];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = r->deadline - now_ms();
		ssize_t n;
		int k;

		if (left <= 0) {
			r->timed_out = true;
			return PF_E_LIMIT;
		}
		k = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (k < 0 && errno != EINTR)
			return pf_error_set(PF_E_IO, "xcheck: poll: %s",
					    strerror(errno));
		if (k <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return pf_error_set(PF_E_IO, "xcheck: read: %s",
					    strerror(errno));
		if (n == 0)
			return 0;
		k = pf_xparser_feed(&r->parser, buf, (size_t)n);
		if (k != 0)
			return k;
	}
}

/* Wait for the child until the deadline, then kill it and wait. */
static void reap(struct run *r, bool kill_now)
{
	const struct timespec tick = { .tv_nsec = 5 * 1000 * 1000 };

	if (kill_now)
		kill(r->pid, SIGKILL);
	for (;;) {
		pid_t w = waitpid(r->pid, &r->status, kill_now ? 0 : WNOHANG);

		if (w == r->pid) {
			r->reaped = true;
			return;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return; /* ECHILD: SIGCHLD ignored, status unknown */
		if (now_ms() >= r->deadline) {
			r->timed_out = true;
			kill_now = true;
			kill(r->pid, SIGKILL);
			continue;
		}
		nanosleep(&tick, NULL);
	}
}

static int signal_verdict(int sig)
{
	const char *name = strsignal(sig);

	if (sig == SIGKILL || sig == SIGXCPU)
		return pf_error_set(PF_E_LIMIT, "libpff was killed by signal "
				    "%d (%s): memory or CPU limit", sig, name);
	return pf_error_set(PF_E_CORRUPT, "libpff crashed with signal %d (%s)",
			    sig, name);
}

static int verdict(struct run *r, int rc)
{
	char msg[PF_XPROTO_MAX_TEXT + 1];

	if (r->timed_out)
		return pf_error_set(PF_E_LIMIT, "libpff timed out after "
				    "%u.%03u s (killed)", r->timeout_ms / 1000,
				    r->timeout_ms % 1000);
	if (rc != 0)
		return rc;
	if (r->reaped && WIFSIGNALED(r->status))
		return signal_verdict(WTERMSIG(r->status));
	rc = pf_xparser_finish(&r->parser);
	if (rc != 0 && pf_xparser_done(&r->parser)) {
		snprintf(msg, sizeof(msg), "%s", pf_error_msg());
		return pf_error_set(rc, "libpff: %s", msg);
	}
	if (rc == 0 && r->reaped && WEXITSTATUS(r->status) != 0)
		return pf_error_set(PF_E_CORRUPT, "libpff child exited with "
				    "status %d", WEXITSTATUS(r->status));
	if (rc != 0 && r->reaped && WEXITSTATUS(r->status) != 0)
		return pf_error_set(PF_E_CORRUPT, "libpff child exited with "
				    "status %d before the end of its view",
				    WEXITSTATUS(r->status));
	return rc;
}

static int start(struct run *r, const char *path, pf_xchild_fn child,
		 void *arg, int *rfd)
{
	int fds[2];
	pid_t parent = getpid();

	if (pipe2(fds, O_CLOEXEC) != 0)
		return pf_error_set(PF_E_IO, "xcheck: pipe: %s",
				    strerror(errno));
	r->pid = fork();
	if (r->pid < 0) {
		int e = errno;

		close(fds[0]);
		close(fds[1]);
		return pf_error_set(PF_E_IO, "xcheck: fork: %s", strerror(e));
	}
	if (r->pid == 0)
		child_main(fds[1], fds[0], path, child, arg, r->timeout_ms,
			   parent);
	close(fds[1]);
	*rfd = fds[0];
	return 0;
}

static void fill_why(char *why, size_t why_cb)
{
	if (why != NULL && why_cb > 0)
		snprintf(why, why_cb, "%s", pf_error_msg());
}

int pf_xcheck_spawn(const char *path, unsigned timeout_ms,
		    pf_xchild_fn child, void *arg, struct pf_xview *out,
		    char *why, size_t why_cb)
{
	struct run r = { .timeout_ms = timeout_ms };
	int rc, fd = -1;

	pf_xview_init(out);
	if (path == NULL || child == NULL || timeout_ms == 0)
		rc = pf_error_set(PF_E_USAGE, "xcheck: bad arguments");
	else
		rc = pf_xparser_init(&r.parser, out);
	if (rc == 0) {
		r.deadline = now_ms() + timeout_ms;
		rc = start(&r, path, child, arg, &fd);
	}
	if (rc == 0) {
		rc = pump(&r, fd);
		close(fd);
		reap(&r, rc != 0);
		rc = verdict(&r, rc);
	}
	pf_xparser_free(&r.parser);
	if (rc != 0) {
		pf_xview_free(out);
		fill_why(why, why_cb);
	}
	return rc;
}
