/*
 * conn.c - the TCP connection under a session: resolve, connect with a
 * deadline, wait for readiness, close.
 *
 * Contract
 * - smtp_conn_open() tries every address getaddrinfo() gives for the
 *   host (IPv4 and IPv6, in the resolver's order) until one connects,
 *   all within TIMEOUT_MS.  The socket is non-blocking and close-on-exec;
 *   every later wait goes through poll() with a deadline, so no read or
 *   write can hang past its command's timeout (RFC 5321 4.5.3.2).
 * - Errors: PF_SMTP_E_TIMEOUT when the deadline passed with no answer
 *   (a filtered port drops SYNs), PF_SMTP_E_NET for refused, unreachable
 *   or unresolvable; s->sys_errno keeps the errno for the caller's
 *   advice (ECONNREFUSED: nothing listens there).
 * - SIGPIPE: writes use send(MSG_NOSIGNAL) here and in the TLS BIO
 *   (tls.c), so a peer that closed cannot kill the process.
 * - TCP_NODELAY: SMTP is lock-step (one command, one reply) and the
 *   final dot goes out on its own after the message; with Nagle on it
 *   waits for the server's delayed ACK, about 40 ms a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "smtp_int.h"

uint64_t smtp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int smtp_dead(struct pf_smtp *s, int code, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->dead = true;
	return pf_error_set(code, "%s", msg);
}

int smtp_conn_wait(struct pf_smtp *s, short events, uint64_t deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = s->fd, .events = events };
		uint64_t now = smtp_now_ms();
		int n;

		if (now >= deadline)
			return smtp_dead(s, PF_SMTP_E_TIMEOUT, "%s:%u: timed "
					 "out waiting for the server",
					 s->server.host, s->server.port);
		n = poll(&pfd, 1, (int)(deadline - now > 60000 ? 60000 :
					deadline - now));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return smtp_dead(s, PF_SMTP_E_NET, "poll: %s",
					 strerror(errno));
		if (n > 0)
			return 0;
	}
}

/* One non-blocking connect to AI; 0 connected, else a PF_SMTP_E_*. */
static int try_one(struct pf_smtp *s, const struct addrinfo *ai,
		   uint64_t deadline)
{
	int err = 0, one = 1;
	socklen_t len = sizeof(err);
	int rc;

	s->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		       SOCK_CLOEXEC, ai->ai_protocol);
	if (s->fd < 0) {
		s->sys_errno = errno;
		return PF_SMTP_E_NET;
	}
	/* best effort: only speed depends on it */
	(void)setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s->fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS) {
		s->sys_errno = errno;
		goto fail;
	}
	rc = smtp_conn_wait(s, POLLOUT, deadline);
	s->dead = false;
	if (rc < 0) {
		s->sys_errno = ETIMEDOUT;
		close(s->fd);
		s->fd = -1;
		return rc;
	}
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0)
		return 0;
	s->sys_errno = err;
fail:
	close(s->fd);
	s->fd = -1;
	return PF_SMTP_E_NET;
}

int smtp_conn_open(struct pf_smtp *s, unsigned timeout_ms)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_ADDRCONFIG };
	struct addrinfo *res = NULL;
	char port[8];
	uint64_t deadline = smtp_now_ms() + timeout_ms;
	int rc = PF_SMTP_E_NET, gai;

	snprintf(port, sizeof(port), "%u", s->server.port);
	gai = getaddrinfo(s->server.host, port, &hints, &res);
	if (gai == EAI_ADDRFAMILY || gai == EAI_NONAME) {
		/* AI_ADDRCONFIG ignores loopback: on a host whose only
		 * interface is lo, ask again without it */
		hints.ai_flags = 0;
		gai = getaddrinfo(s->server.host, port, &hints, &res);
	}
	if (gai != 0)
		return smtp_dead(s, PF_SMTP_E_NET, "cannot resolve %s: %s",
				 s->server.host, gai_strerror(gai));
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		rc = try_one(s, ai, deadline);
		if (rc == 0 || rc == PF_SMTP_E_TIMEOUT)
			break;
	}
	freeaddrinfo(res);
	if (rc == PF_SMTP_E_TIMEOUT)
		return smtp_dead(s, rc, "connect to %s port %u: no answer "
				 "within %u s", s->server.host,
				 s->server.port, (timeout_ms + 999) / 1000);
	if (rc < 0)
		return smtp_dead(s, rc, "connect to %s port %u: %s",
				 s->server.host, s->server.port,
				 strerror(s->sys_errno));
	return 0;
}

void smtp_conn_close(struct pf_smtp *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
