/*
 * mbox.c - read an mbox file one message at a time (RFC 4155, with the
 * mboxrd quoting of qmail's mbox(5)).
 *
 * Rules
 * - A message starts at a "From " line that begins the file (after blank
 *   lines) or follows a blank line; that line is the envelope, not part of
 *   the message.  The blank line before the next "From " line (and a last
 *   one at the end of the file) is the separator, not part of the message.
 * - mboxrd: a line of one or more '>' then "From " loses one '>'
 *   (">From " -> "From ", ">>From " -> ">From ").
 * - LF and CRLF line ends alike; messages keep theirs.
 * - Streaming: a fixed buffer (the first MB_HEAD bytes of each line are
 *   always contiguous in it, for the checks above) and one message in
 *   memory, at most PF_MBOX_MAX_MESSAGE bytes: past that the message is
 *   skipped and reported as PF_E_LIMIT, and the next call goes on.
 * - gzip files are decompressed on the fly (zlib's gzread, which passes
 *   plain files through).  Messages made only of line ends are skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "mime_int.h"

#define MB_BUF  (256u * 1024)
#define MB_HEAD 4096u
#define MB_ENV  1000u

struct pf_mbox {
	gzFile gz;
	uint8_t *buf;
	size_t pos, len;     /* unread bytes: buf[pos..len) */
	bool eof;
	uint64_t off;        /* stream offset of buf[pos] */
	bool pending;        /* a "From " line was read, its message not */
	char env[MB_ENV + 1], cur_env[MB_ENV + 1];
	uint64_t env_off, cur_off;
	size_t max;          /* bytes per message */
};

struct msg {
	uint8_t *p;
	size_t n, cap;
	size_t max;
	bool over;           /* past max: bytes dropped */
};

/* Make sure MB_HEAD bytes (or the rest of the file) are unread in buf. */
static int fill(struct pf_mbox *mb)
{
	if (mb->len - mb->pos >= MB_HEAD || mb->eof)
		return 0;
	memmove(mb->buf, mb->buf + mb->pos, mb->len - mb->pos);
	mb->len -= mb->pos;
	mb->pos = 0;
	while (mb->len < MB_BUF && !mb->eof) {
		int got = gzread(mb->gz, mb->buf + mb->len,
				 (unsigned)(MB_BUF - mb->len));

		if (got < 0) {
			int e;
			const char *m = gzerror(mb->gz, &e);

			return pf_error_set(PF_E_IO, "mbox read: %s",
					    e == Z_ERRNO ? strerror(errno) : m);
		}
		if (got == 0)
			mb->eof = true;
		mb->len += (size_t)got;
	}
	return 0;
}

static void consume(struct pf_mbox *mb, size_t n)
{
	mb->pos += n;
	mb->off += n;
}

static int msg_put(struct msg *m, const uint8_t *p, size_t n)
{
	size_t ncap;
	uint8_t *np;

	if (m->over || n == 0)
		return 0;
	if (n > m->max - m->n) {
		m->over = true;
		free(m->p);
		m->p = NULL;
		m->n = m->cap = 0;
		return 0;
	}
	if (m->n + n > m->cap) {
		ncap = m->cap ? m->cap : 65536;
		while (ncap < m->n + n)
			ncap *= 2;
		np = realloc(m->p, ncap);
		if (!np)
			return pf_error_set(PF_E_NOMEM, "out of memory");
		m->p = np;
		m->cap = ncap;
	}
	memcpy(m->p + m->n, p, n);
	m->n += n;
	return 0;
}

/* Copy (M non-NULL) or skip the rest of the current line, its LF
 * included; *len gets its length. */
static int pass_line(struct pf_mbox *mb, struct msg *m, uint64_t *len)
{
	int rc = 0;

	*len = 0;
	for (;;) {
		const uint8_t *nl = memchr(mb->buf + mb->pos, '\n',
					   mb->len - mb->pos);
		size_t k = nl ? (size_t)(nl - (mb->buf + mb->pos)) + 1 :
				mb->len - mb->pos;

		if (m)
			rc = msg_put(m, mb->buf + mb->pos, k);
		consume(mb, k);
		*len += k;
		if (rc != 0 || nl)
			return rc;
		rc = fill(mb);
		if (rc != 0 || mb->pos == mb->len)
			return rc;
	}
}

static bool head_is(const struct pf_mbox *mb, size_t at, const char *s)
{
	size_t n = strlen(s);

	return mb->len - mb->pos >= at + n &&
	       memcmp(mb->buf + mb->pos + at, s, n) == 0;
}

/* The "From " line at pos: keep it as the next envelope. */
static int read_envelope(struct pf_mbox *mb)
{
	size_t avail = mb->len - mb->pos, k = 5;
	uint64_t len;

	mb->env_off = mb->off;
	while (k < avail && k - 5 < MB_ENV && mb->buf[mb->pos + k] != '\n' &&
	       mb->buf[mb->pos + k] != '\r')
		k++;
	memcpy(mb->env, mb->buf + mb->pos + 5, k - 5);
	mb->env[k - 5] = '\0';
	for (size_t i = 0; i < k - 5; i++)
		if (mb->env[i] == '\0')
			mb->env[i] = ' ';
	mb->pending = true;
	return pass_line(mb, NULL, &len);
}

static bool blank_line(const struct pf_mbox *mb)
{
	return head_is(mb, 0, "\n") || head_is(mb, 0, "\r\n");
}

int pf_mbox_open_fd(struct pf_mbox **out, int fd)
{
	struct pf_mbox *mb = calloc(1, sizeof(*mb));
	int rc;

	*out = NULL;
	if (mb)
		mb->buf = malloc(MB_BUF);
	if (!mb || !mb->buf) {
		free(mb);
		close(fd);
		return pf_error_set(PF_E_NOMEM, "out of memory");
	}
	mb->gz = gzdopen(fd, "rb");
	if (!mb->gz) {
		close(fd);
		pf_mbox_close(mb);
		return pf_error_set(PF_E_IO, "mbox: cannot read");
	}
	gzbuffer(mb->gz, 128u * 1024);
	mb->max = PF_MBOX_MAX_MESSAGE;
	rc = fill(mb);
	if (rc == 0 && head_is(mb, 0, "\xEF\xBB\xBF"))
		consume(mb, 3);
	while (rc == 0 && blank_line(mb)) {
		uint64_t len;

		rc = pass_line(mb, NULL, &len);
		rc = rc ? rc : fill(mb);
	}
	if (rc == 0 && mb->pos < mb->len && !head_is(mb, 0, "From "))
		rc = pf_error_set(PF_E_UNSUPPORTED, "not an mbox file "
				  "(it does not start with a \"From \" line)");
	if (rc == 0 && mb->pos < mb->len)
		rc = read_envelope(mb);
	if (rc != 0) {
		pf_mbox_close(mb);
		return rc;
	}
	*out = mb;
	return 0;
}

int pf_mbox_open(struct pf_mbox **out, const char *path)
{
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pf_error_set(PF_E_IO, "%s: %s", path, strerror(errno));
	return pf_mbox_open_fd(out, fd);
}

/* One line into M: a separator ends the message (returns 1). */
static int next_line(struct pf_mbox *mb, struct msg *m, bool *blank)
{
	size_t q = 0;
	uint64_t len;
	int rc = fill(mb);

	if (rc != 0)
		return rc;
	if (*blank && head_is(mb, 0, "From ")) {
		rc = read_envelope(mb);
		return rc ? rc : 1;
	}
	while (head_is(mb, q, ">"))
		q++;
	if (q > 0 && head_is(mb, q, "From "))
		consume(mb, 1);               /* mboxrd: drop one '>' */
	*blank = blank_line(mb);
	return pass_line(mb, m, &len);
}

/* Drop the separator's blank line; true when only line ends are left. */
static bool trim_end(struct msg *m)
{
	size_t i;

	if (m->n >= 2 && m->p[m->n - 1] == '\n' && m->p[m->n - 2] == '\n')
		m->n--;
	else if (m->n >= 4 && memcmp(m->p + m->n - 4, "\r\n\r\n", 4) == 0)
		m->n -= 2;
	for (i = 0; i < m->n; i++)
		if (m->p[i] != '\r' && m->p[i] != '\n')
			return false;
	return true;
}

/* Read the message whose envelope is pending into M. */
static int read_message(struct pf_mbox *mb, struct msg *m)
{
	bool blank = false;
	int rc = 0;

	memcpy(mb->cur_env, mb->env, sizeof(mb->cur_env));
	mb->cur_off = mb->env_off;
	mb->pending = false;
	while (rc == 0) {
		rc = fill(mb);
		if (rc != 0 || mb->pos == mb->len)
			break;
		rc = next_line(mb, m, &blank);
	}
	return rc < 0 ? rc : 0;
}

int pf_mbox_next(struct pf_mbox *mb, uint8_t **raw, size_t *cb)
{
	*raw = NULL;
	*cb = 0;
	while (mb->pending) {
		struct msg m = { NULL, 0, 0, mb->max, false };
		int rc = read_message(mb, &m);

		if (rc != 0 || m.over) {
			free(m.p);
			return rc ? rc : pf_error_set(PF_E_LIMIT, "mbox message "
				"at offset %llu is larger than %zu bytes",
				(unsigned long long)mb->cur_off, mb->max);
		}
		if (trim_end(&m)) {
			free(m.p);
			continue;
		}
		*raw = m.p;
		*cb = m.n;
		return 1;
	}
	return 0;
}

void pf_mbox_set_max(struct pf_mbox *mb, size_t max)
{
	mb->max = max < PF_MBOX_MAX_MESSAGE ? max : PF_MBOX_MAX_MESSAGE;
}

const char *pf_mbox_envelope(const struct pf_mbox *mb)
{
	return mb->cur_env;
}

int pf_mbox_date(const struct pf_mbox *mb, int64_t *epoch)
{
	const char *sp = strchr(mb->cur_env, ' ');

	if (!sp)
		return pf_error_set(PF_E_CORRUPT, "no date on the From line");
	return pf_mail_parse_date(sp + 1, strlen(sp + 1), epoch, NULL);
}

uint64_t pf_mbox_offset(const struct pf_mbox *mb)
{
	return mb->cur_off;
}

void pf_mbox_close(struct pf_mbox *mb)
{
	if (!mb)
		return;
	if (mb->gz)
		gzclose(mb->gz);
	free(mb->buf);
	free(mb);
}
