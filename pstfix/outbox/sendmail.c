/*
 * sendmail.c - one message through a local sendmail program (send.h):
 * `PATH -i -f FROM -- RCPT...` with the spooled bytes on its stdin.
 *
 * Contract
 * - The sendmail(8) convention (Postfix sendmail(1), sysexits.h): exit 0
 *   = accepted, 75 EX_TEMPFAIL = try again later, any other exit =
 *   permanent failure.  -i: a line holding one "." does not end input.
 * - Journaled like SMTP: `try`, every recipient handed over (`to`, in the
 *   transaction), `dot` before stdin is closed (the moment the program
 *   may take the message), `end` from the exit status.  A program killed
 *   by a signal after `dot` leaves the outcome unknown: UNCERTAIN.
 * - A program that cannot be started stops the run (EX_CONFIG): every
 *   message would fail the same way.
 * - posix_spawn, not fork: the engine is multithreaded.  The pipe is
 *   close-on-exec; SIGPIPE is ignored by the caller (a program that quits
 *   early makes write() fail with EPIPE, then its exit status decides).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "send.h"

extern char **environ;

static char **make_argv(const struct ob_job *job)
{
	char **av = calloc(job->n + 6, sizeof(*av));
	size_t k = 0;

	if (!av)
		return NULL;
	av[k++] = (char *)(uintptr_t)job->cfg->sendmail;
	av[k++] = "-i";
	av[k++] = "-f";
	av[k++] = job->m->from ? job->m->from : "";
	av[k++] = "--";
	for (size_t i = 0; i < job->n; i++)
		av[k++] = job->m->rcpt[job->idx[i]].addr;
	return av;
}

static int spawn(pid_t *pid, int *wfd, const struct ob_job *job)
{
	posix_spawn_file_actions_t fa;
	char **av = make_argv(job);
	int p[2], rc;

	if (!av)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	if (pipe2(p, O_CLOEXEC) != 0) {
		free(av);
		return pf_error_set(PF_E_IO, "pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	rc = posix_spawn(pid, job->cfg->sendmail, &fa, NULL, av, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(av);
	close(p[0]);
	if (rc != 0) {
		close(p[1]);
		return pf_error_set(PF_E_IO, "cannot run %s: %s",
				    job->cfg->sendmail, strerror(rc));
	}
	*wfd = p[1];
	return 0;
}

/* The exit status ST of the program as a state and reply text. */
static enum ob_state verdict(int st, bool dot, char *text, size_t cap)
{
	if (WIFEXITED(st)) {
		snprintf(text, cap, "exit status %d", WEXITSTATUS(st));
		if (WEXITSTATUS(st) == 0)
			return dot ? OB_ACCEPTED : OB_TEMPFAIL;
		return WEXITSTATUS(st) == EX_TEMPFAIL ? OB_TEMPFAIL
			: OB_PERMFAIL;
	}
	snprintf(text, cap, "killed by signal %d",
		 WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return dot ? OB_UNCERTAIN : OB_TEMPFAIL;
}

/* Journal the handover of every recipient; false on I/O. */
static bool handed(struct ob_job *job, unsigned att)
{
	struct ob_reply r = { .stage = "sendmail", .text = "handed over" };

	for (size_t i = 0; i < job->n; i++)
		if (ob_j_rcpt(job->sp, job->m, att, job->idx[i], true,
			      OB_PENDING, 0, &r))
			return false;
	return true;
}

void ob_sendmail_job(struct ob_job *job)
{
	struct ob_reply r = { .stage = "sendmail" };
	uint8_t *bytes = NULL;
	char text[64];
	size_t cb = 0;
	unsigned att;
	pid_t pid;
	int fd = -1, st = 0;
	bool dot = false;
	enum ob_state s;

	job->server = OB_V_OK;
	if (ob_spool_read(&bytes, &cb, job->sp, job->m) ||
	    ob_j_try(job->sp, job->m, job->idx, job->n, &att) ||
	    !handed(job, att))
		goto io;
	if (spawn(&pid, &fd, job)) {
		/* not runnable: nothing was handed over, and nothing will be
		 * until the setup is fixed: requeue, stop the run */
		snprintf(job->why, sizeof(job->why), "%s", pf_error_msg());
		r.text = job->why;
		if (ob_j_end(job->sp, job->m, att, OB_PENDING, false, 0, &r))
			goto io;
		job->server = OB_V_CONFIG;
		goto out;
	}
	if (pf_write_all(fd, bytes, cb) == 0) {
		if (ob_j_dot(job->sp, job->m, att)) {
			kill(pid, SIGKILL);   /* before EOF: nothing taken */
			close(fd);
			waitpid(pid, &st, 0);
			goto io;
		}
		dot = true;
	}
	close(fd);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	s = verdict(st, dot, text, sizeof(text));
	r.text = text;      /* no SMTP code: the exit status says it */
	if (ob_j_end(job->sp, job->m, att, s, s == OB_TEMPFAIL,
		     s == OB_TEMPFAIL ? ob_next_try(job, &job->m->rcpt[
			     job->idx[0]]) : 0, &r))
		goto io;
	job->accepted = s == OB_ACCEPTED;
	goto out;
io:
	job->io_failed = true;
	snprintf(job->why, sizeof(job->why), "%s", pf_error_msg());
out:
	free(bytes);
}
