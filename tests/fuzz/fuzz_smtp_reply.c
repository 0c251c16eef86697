/*
 * fuzz_smtp_reply.c - libFuzzer harness over what an SMTP server can
 * send us: the input is the server's byte stream.  It goes through a
 * socketpair into the session's real read path (lineio.c: buffered
 * lines, the 512-octet limit; reply.c: the grammar, the line cap,
 * enhanced codes), reply after reply until the stream ends, and each
 * reply's lines go through the EHLO keyword parser (caps.c).  The
 * address check and the URL parser get the input as a string too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../pstfix/smtp/smtp_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The kernel buffers this much on a socketpair without a reader. */
#define FEED_MAX 65536

static void strings(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct pf_smtp_server srv;

	if (s == NULL)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)pf_smtp_addr_ok(s, true);
	(void)pf_smtp_url_parse(&srv, s);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_smtp *s;
	struct pf_smtp_reply r;
	struct pf_smtp_caps caps;
	char lines[2048];
	int sv[2];

	strings(data, size);
	if (size > FEED_MAX)
		size = FEED_MAX;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return 0;
	if (write(sv[1], data, size) != (ssize_t)size) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	close(sv[1]);
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		close(sv[0]);
		return 0;
	}
	s->fd = sv[0];
	strcpy(s->server.host, "fuzz");
	while (smtp_read_reply(s, PF_SMTP_EHLO, 1000, &r, lines,
			       sizeof(lines)) == 0) {
		(void)pf_smtp_classify(&r);
		smtp_caps_parse(&caps, lines);
		if (s->dead)
			break;
	}
	close(sv[0]);
	free(s);
	return 0;
}
