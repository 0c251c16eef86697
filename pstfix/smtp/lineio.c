/*
 * lineio.c - bytes in and out of a session: whole writes, buffered
 * line reads with hard limits, one reply, one command.
 *
 * Contract
 * - Every call has a deadline (the command's timeout from opts): a
 *   server that stops talking costs at most that long.
 * - A received line ends at LF; a CR before it is dropped.  A line that
 *   has no LF within SMTP_LINE_MAX octets is a protocol error (RFC 5321
 *   4.5.3.1.5), so the buffer is fixed (s->rbuf) and never grows.
 * - Writes are cleartext send(MSG_NOSIGNAL) or SSL_write_ex through the
 *   BIO of tls.c, never write(): no SIGPIPE.
 * - A reply the command cannot have (a 3xx but 354 to DATA and 334 to
 *   AUTH, a 2xx to DATA) is a protocol error, not an answer.
 * - The trace sees each command line (or the caller's redacted SHOWN)
 *   and each reply line; the message body is not traced.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "smtp_int.h"

size_t smtp_buffered(const struct pf_smtp *s)
{
	return s->rlen - s->rpos;
}

/* One write of at most CB bytes: >0 written, 0 would block, <0 dead. */
static int write_some(struct pf_smtp *s, const void *buf, size_t cb,
		      short *want)
{
	ssize_t n;

	if (s->ssl != NULL)
		return smtp_tls_write(s, buf, cb, want);
	n = send(s->fd, buf, cb, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
		*want = POLLOUT;
		return 0;
	}
	s->sys_errno = errno;
	return smtp_dead(s, PF_SMTP_E_NET, "send to %s: %s", s->server.host,
			 strerror(errno));
}

int smtp_write_all(struct pf_smtp *s, const void *buf, size_t cb,
		   unsigned timeout_ms)
{
	const unsigned char *p = buf;
	uint64_t deadline = smtp_now_ms() + timeout_ms;

	if (s->dead)
		return pf_error_set(PF_SMTP_E_NET, "the SMTP session is "
				    "closed");
	while (cb > 0) {
		short want = 0;
		size_t chunk = cb > 16384 ? 16384 : cb;
		int n = write_some(s, p, chunk, &want);
		int rc;

		if (n < 0)
			return n;
		if (n > 0) {
			p += n;
			cb -= (size_t)n;
			continue;
		}
		rc = smtp_conn_wait(s, want, deadline);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Read what is there into rbuf (at least one byte) before DEADLINE. */
static int fill(struct pf_smtp *s, uint64_t deadline)
{
	if (s->rpos > 0) {
		memmove(s->rbuf, s->rbuf + s->rpos, s->rlen - s->rpos);
		s->rlen -= s->rpos;
		s->rpos = 0;
	}
	for (;;) {
		unsigned char *dst = s->rbuf + s->rlen;
		size_t room = sizeof(s->rbuf) - s->rlen;
		short want = POLLIN;
		ssize_t n;
		int rc;

		if (s->ssl != NULL) {
			n = smtp_tls_read(s, dst, room, &want);
			if (n < 0)
				return (int)n;
		} else {
			n = recv(s->fd, dst, room, MSG_DONTWAIT);
			if (n == 0)
				return smtp_dead(s, PF_SMTP_E_NET, "%s closed "
						 "the connection",
						 s->server.host);
			if (n < 0 && errno != EAGAIN &&
			    errno != EWOULDBLOCK && errno != EINTR) {
				s->sys_errno = errno;
				return smtp_dead(s, PF_SMTP_E_NET, "receive "
						 "from %s: %s",
						 s->server.host,
						 strerror(errno));
			}
		}
		if (n > 0) {
			s->rlen += (size_t)n;
			return 0;
		}
		rc = smtp_conn_wait(s, want, deadline);
		if (rc < 0)
			return rc;
	}
}

/* The next line (without CR LF) into LINE/LEN; points into rbuf, valid
 * until the next read. */
static int read_line(struct pf_smtp *s, uint64_t deadline,
		     const char **line, size_t *len)
{
	for (;;) {
		unsigned char *p = s->rbuf + s->rpos;
		size_t have = s->rlen - s->rpos;
		unsigned char *lf = memchr(p, '\n', have);
		int rc;

		if (lf != NULL) {
			size_t n = (size_t)(lf - p);

			s->rpos += n + 1;
			if (n > 0 && p[n - 1] == '\r')
				n--;
			*line = (const char *)p;
			*len = n;
			return 0;
		}
		if (have >= SMTP_LINE_MAX)
			return smtp_dead(s, PF_SMTP_E_PROTO, "reply line "
					 "longer than %d octets (RFC 5321 "
					 "4.5.3.1.5)", SMTP_LINE_MAX);
		rc = fill(s, deadline);
		if (rc < 0)
			return rc;
	}
}

/* A positive reply the command cannot have (RFC 5321 4.3.2): 354 only
 * answers DATA, and DATA's only positive answer is 354; 334 is AUTH's
 * (RFC 4954 4).  Taking one as success would be taking a broken or
 * hostile server's word that a message was accepted. */
static bool impossible(enum pf_smtp_stage stage, int code)
{
	if (stage == PF_SMTP_DATA)
		return code < 400 && code != 354;
	if (stage == PF_SMTP_AUTH)
		return code >= 300 && code < 400 && code != 334;
	return code >= 300 && code < 400;
}

int smtp_read_reply(struct pf_smtp *s, enum pf_smtp_stage stage,
		    unsigned timeout_ms, struct pf_smtp_reply *r,
		    char *lines, size_t lines_cb)
{
	struct smtp_reply_parser p;
	uint64_t deadline = smtp_now_ms() + timeout_ms;
	int rc;

	smtp_reply_begin(&p, r, stage);
	if (s->dead)
		return pf_error_set(PF_SMTP_E_NET, "the SMTP session is "
				    "closed");
	do {
		const char *line = NULL;
		size_t len = 0;

		rc = read_line(s, deadline, &line, &len);
		if (rc < 0)
			break;
		smtp_trace(s, "S: ", line, len);
		rc = smtp_reply_line(&p, line, len);
		if (rc < 0)
			s->dead = true;
	} while (rc == 0);
	if (rc < 0) {
		r->code = 0;
		return rc;
	}
	if (impossible(stage, r->code)) {
		rc = smtp_dead(s, PF_SMTP_E_PROTO, "unexpected reply %d to "
			       "%s (RFC 5321 4.3.2)", r->code,
			       pf_smtp_stage_name(stage));
		r->code = 0;
		return rc;
	}
	if (lines != NULL)
		snprintf(lines, lines_cb, "%s", p.lines);
	if (r->code == 421)
		s->dead = true;   /* RFC 5321 3.8: the server closes */
	return 0;
}

int smtp_send_line(struct pf_smtp *s, const char *line, const char *shown,
		   unsigned timeout_ms)
{
	char buf[SMTP_AUTH_LINE_MAX + 2];
	size_t n = strlen(line);
	int rc;

	if (n > SMTP_AUTH_LINE_MAX || strpbrk(line, "\r\n") != NULL)
		return pf_error_set(PF_E_USAGE, "refusing an SMTP command "
				    "line that is too long or holds CR/LF");
	smtp_trace(s, "C: ", shown ? shown : line,
		   strlen(shown ? shown : line));
	memcpy(buf, line, n);
	memcpy(buf + n, "\r\n", 2);
	rc = smtp_write_all(s, buf, n + 2, timeout_ms);
	explicit_bzero(buf, n);   /* it may have held a credential */
	return rc;
}

int smtp_command(struct pf_smtp *s, const char *line, const char *shown,
		 enum pf_smtp_stage stage, unsigned timeout_ms,
		 struct pf_smtp_reply *r)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->stage = stage;
	rc = smtp_send_line(s, line, shown, timeout_ms);
	if (rc < 0)
		return rc;
	return smtp_read_reply(s, stage, timeout_ms, r, NULL, 0);
}
