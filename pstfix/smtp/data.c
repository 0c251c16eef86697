/*
 * data.c - DATA: the message, dot-stuffed, then the final dot.
 *
 * Contract
 * - The whole message is checked before DATA is sent: a bare CR or LF
 *   anywhere (a CR not followed by LF, an LF not preceded by CR) is
 *   PF_E_USAGE and nothing is sent (RFC 5321 2.3.8 and 4.1.1.4: lines
 *   end in CRLF; a bare LF is how SMTP smuggling works, CVE-2023-51764).
 * - Every line starting with '.' gets one more '.' (RFC 5321 4.5.2); a
 *   message not ending in CRLF gets one, so the final ".\r\n" is always
 *   a line of its own (4.1.1.4).
 * - BEFORE_DOT runs after the last message byte was written and before
 *   the dot; when it returns nonzero the socket is shut down without
 *   the dot (the server must then discard the transaction, 4.1.1.4) and
 *   that value is returned.  A failure after the dot was written means
 *   the outcome is unknown; the message says so.
 * - Timeouts (RFC 5321 4.5.3.2): DATA's reply data_ms, each block of
 *   the message block_ms, the reply to the dot dot_ms.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "smtp_int.h"

/* One block of the message per write, stuffed (at most 4/3 larger). */
#define DATA_BLOCK 16384

size_t smtp_bare_eol(const uint8_t *msg, size_t cb)
{
	for (size_t i = 0; i < cb; i++) {
		if (msg[i] == '\r' && (i + 1 >= cb || msg[i + 1] != '\n'))
			return i;
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			return i;
	}
	return cb;
}

size_t smtp_dot_stuff(uint8_t *out, const uint8_t *in, size_t cb,
		      bool *bol)
{
	size_t o = 0;

	for (size_t i = 0; i < cb; i++) {
		if (*bol && in[i] == '.')
			out[o++] = '.';
		out[o++] = in[i];
		*bol = in[i] == '\n';
	}
	return o;
}

/* Has the server closed its side (FIN, reset) already?  Then the dot
 * must not be sent: nothing was delivered (RFC 5321 3.8 / 4.1.1.4), and
 * the caller learns it as a failure before the dot, not as an unknown
 * outcome.  A zero-timeout poll; it narrows the uncertain window, it
 * cannot close it. */
static bool peer_closed(const struct pf_smtp *s)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLRDHUP };

	if (poll(&pfd, 1, 0) <= 0)
		return false;
	return (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

static int send_body(struct pf_smtp *s, const uint8_t *msg, size_t cb)
{
	uint8_t *buf = malloc(DATA_BLOCK * 2);
	unsigned t = s->opts.block_ms ? s->opts.block_ms : SMTP_BLOCK_MS;
	bool bol = true;
	int rc = 0;

	if (buf == NULL)
		return smtp_dead(s, PF_E_NOMEM, "out of memory");
	for (size_t off = 0; off < cb && rc == 0; off += DATA_BLOCK) {
		size_t n = cb - off < DATA_BLOCK ? cb - off : DATA_BLOCK;
		size_t m = smtp_dot_stuff(buf, msg + off, n, &bol);

		rc = smtp_write_all(s, buf, m, t);
	}
	free(buf);
	/* RFC 5321 4.1.1.4: the dot is a line of its own */
	if (rc == 0 && cb > 0 && !bol)
		rc = smtp_write_all(s, "\r\n", 2, t);
	return rc;
}

int pf_smtp_data(struct pf_smtp *s, const uint8_t *msg, size_t cb,
		 pf_smtp_before_dot_fn before_dot, void *ctx,
		 struct pf_smtp_reply *r)
{
	size_t bad = smtp_bare_eol(msg, cb);
	char note[64];
	int rc;

	memset(r, 0, sizeof(*r));
	r->stage = PF_SMTP_DATA;
	if (bad < cb)
		return pf_error_set(PF_E_USAGE, "refusing to send a message "
				    "with a bare %s at offset %zu (lines "
				    "must end in CRLF; RFC 5321 2.3.8)",
				    msg[bad] == '\r' ? "CR" : "LF", bad);
	rc = smtp_command(s, "DATA", NULL, PF_SMTP_DATA,
			  smtp_timeout(s, PF_SMTP_DATA), r);
	if (rc < 0 || r->code != 354)
		return rc;
	snprintf(note, sizeof(note), "(message, %zu octets)", cb);
	smtp_trace(s, "C: ", note, strlen(note));
	smtp_no_reply(r, PF_SMTP_DATA);   /* the 354 was not the answer */
	rc = send_body(s, msg, cb);
	if (rc < 0)
		return rc;
	if (peer_closed(s))
		return smtp_dead(s, PF_SMTP_E_NET, "%s closed the connection "
				 "before the final dot: nothing was "
				 "delivered", s->server.host);
	if (before_dot != NULL) {
		rc = before_dot(ctx);
		if (rc != 0) {
			shutdown(s->fd, SHUT_RDWR);
			s->dead = true;
			return rc;
		}
	}
	rc = smtp_command(s, ".", NULL, PF_SMTP_DOT,
			  smtp_timeout(s, PF_SMTP_DOT), r);
	if (rc < 0)
		return pf_error_set(rc, "after the final dot: %s; the outcome "
				    "is unknown (the server may have taken "
				    "the message)", pf_error_msg());
	return 0;
}
