/*
 * xproto.c - writer and strict parser for the xcheck line protocol.
 *
 * Contract: see xproto.h.  The parser checks every byte before it is used:
 * line length, control bytes, field syntax, number bounds, canonical paths,
 * order of lines and the end totals.  It keeps at most one line in memory;
 * the view it fills holds its own bounds (xview.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../formats/util/pf_io.h"
#include "xproto.h"

/* ---- writer ---- */

void pf_xwriter_init(struct pf_xwriter *w, int fd)
{
	w->fd = fd;
	w->err = 0;
	w->len = 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	if (pf_write_all(fd, p, n) != 0)
		return pf_error_set(PF_E_IO, "xcheck pipe: write: %s",
				    strerror(errno));
	return 0;
}

int pf_xwriter_flush(struct pf_xwriter *w)
{
	if (w->err == 0 && w->len > 0)
		w->err = write_all(w->fd, w->buf, w->len);
	w->len = 0;
	return w->err;
}

static int put_bytes(struct pf_xwriter *w, const char *p, size_t n)
{
	if (w->err != 0)
		return w->err;
	if (w->len + n > sizeof(w->buf) && pf_xwriter_flush(w) != 0)
		return w->err;
	if (n > sizeof(w->buf)) {
		w->err = write_all(w->fd, p, n);
		return w->err;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	return 0;
}

static int put_line(struct pf_xwriter *w, const char *fmt, ...)
	PF_PRINTF(2, 3);

static int put_line(struct pf_xwriter *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(w->line, PF_XPROTO_MAX_LINE + 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > PF_XPROTO_MAX_LINE)
		return pf_error_set(PF_E_LIMIT, "xcheck line too long");
	w->line[n++] = '\n';
	return put_bytes(w, w->line, (size_t)n);
}

/* Copy text as one printable line of at most max bytes, whole UTF-8. */
static void one_line(char *dst, const char *text, size_t max)
{
	size_t n = strnlen(text, max);

	while (n > 0 && text[n] != '\0' &&
	       ((unsigned char)text[n] & 0xC0) == 0x80)
		n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		dst[i] = (c < 0x20 || c == 0x7F) ? ' ' : (char)c;
	}
	dst[n] = '\0';
}

int pf_xproto_header(struct pf_xwriter *w)
{
	return put_line(w, "PFXV 1");
}

int pf_xproto_folder(struct pf_xwriter *w, uint32_t nid, uint32_t flags,
		     uint64_t items, uint64_t subfolders, const char *path)
{
	return put_line(w, "F %" PRIu32 " %" PRIu32 " %" PRIu64 " %" PRIu64
			" %s", nid, flags, items, subfolders, path);
}

int pf_xproto_note(struct pf_xwriter *w, const char *text)
{
	char t[PF_XVIEW_MAX_NOTE + 1];

	one_line(t, text, PF_XVIEW_MAX_NOTE);
	return put_line(w, "N %s", t);
}

int pf_xproto_orphans(struct pf_xwriter *w, uint64_t orphans)
{
	return put_line(w, "O %" PRIu64, orphans);
}

int pf_xproto_end(struct pf_xwriter *w, uint64_t folders, uint64_t items)
{
	return put_line(w, "E %" PRIu64 " %" PRIu64, folders, items);
}

int pf_xproto_error(struct pf_xwriter *w, int code, const char *text)
{
	char t[PF_XPROTO_MAX_TEXT + 1];

	one_line(t, text, PF_XPROTO_MAX_TEXT);
	return put_line(w, "X %d %s", code, t);
}

/* ---- parser ---- */

static int fail(struct pf_xparser *p, int code, const char *what)
{
	p->state = PF_XP_FAILED;
	return pf_error_set(code,
			    "libpff child: protocol error at line %zu: %s",
			    p->lineno, what);
}

int pf_xparser_init(struct pf_xparser *p, struct pf_xview *view)
{
	memset(p, 0, sizeof(*p));
	p->view = view;
	p->line = malloc(PF_XPROTO_MAX_LINE + 1);
	if (p->line == NULL)
		return pf_error_set(PF_E_NOMEM, "out of memory (xcheck line)");
	return 0;
}

void pf_xparser_free(struct pf_xparser *p)
{
	free(p->line);
	p->line = NULL;
}

/* Parse an unsigned decimal at *s up to max; then expect `end` ('\0' for
 * the end of line, ' ' for a separator, consumed). */
static int parse_u64(const char **s, uint64_t max, char end, uint64_t *out)
{
	const char *q = *s;
	uint64_t v = 0;

	if (*q < '0' || *q > '9' || (*q == '0' && q[1] >= '0' && q[1] <= '9'))
		return -1;
	for (; *q >= '0' && *q <= '9'; q++) {
		unsigned d = (unsigned)(*q - '0');

		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*q != end)
		return -1;
	*s = end ? q + 1 : q;
	*out = v;
	return 0;
}

static int line_folder(struct pf_xparser *p, const char *s)
{
	uint64_t nid, flags, items, subs;
	int rc;

	if (parse_u64(&s, UINT32_MAX, ' ', &nid) ||
	    parse_u64(&s, PF_XF_ALL, ' ', &flags) ||
	    parse_u64(&s, PF_XVIEW_MAX_COUNT, ' ', &items) ||
	    parse_u64(&s, PF_XVIEW_MAX_COUNT, ' ', &subs))
		return fail(p, PF_E_CORRUPT, "bad F line");
	if (((flags & PF_XF_ITEMS_UNKNOWN) && items != 0) ||
	    ((flags & PF_XF_SUBS_UNKNOWN) && subs != 0))
		return fail(p, PF_E_CORRUPT, "count both unknown and given");
	rc = pf_xview_add(p->view, s, items, subs, (uint32_t)nid,
			  (uint32_t)flags);
	if (rc == PF_E_USAGE)
		return fail(p, PF_E_CORRUPT, "not a canonical folder path");
	if (rc == PF_E_LIMIT)
		return fail(p, PF_E_LIMIT, "too many folders or bytes");
	if (rc != 0)
		p->state = PF_XP_FAILED;
	return rc;
}

static int line_end(struct pf_xparser *p, const char *s)
{
	uint64_t folders, items;

	if (parse_u64(&s, UINT64_MAX, ' ', &folders) ||
	    parse_u64(&s, UINT64_MAX, '\0', &items))
		return fail(p, PF_E_CORRUPT, "bad E line");
	if (folders != p->view->count || items != p->view->total_items)
		return fail(p, PF_E_CORRUPT, "E totals do not match");
	p->state = PF_XP_DONE;
	p->result = 0;
	return 0;
}

static int line_error(struct pf_xparser *p, const char *s)
{
	uint64_t code;

	if (*s++ != '-' || parse_u64(&s, (uint64_t)-PF_E_USAGE, ' ', &code) ||
	    code == 0)
		return fail(p, PF_E_CORRUPT, "bad X line");
	if (strlen(s) > PF_XPROTO_MAX_TEXT)
		return fail(p, PF_E_LIMIT, "X text too long");
	memcpy(p->msg, s, strlen(s) + 1);
	p->state = PF_XP_DONE;
	p->result = -(int)code;
	return 0;
}

static int line_body(struct pf_xparser *p, const char *s)
{
	uint64_t n;

	if (s[0] == '\0' || s[1] != ' ')
		return fail(p, PF_E_CORRUPT, "malformed line");
	switch (s[0]) {
	case 'F':
		return line_folder(p, s + 2);
	case 'N':
		if (p->view->nnotes >= PF_XVIEW_MAX_NOTES)
			return fail(p, PF_E_LIMIT, "too many N lines");
		return pf_xview_add_note(p->view, s + 2);
	case 'O':
		s += 2;
		if (p->seen_orphans || parse_u64(&s, UINT32_MAX, '\0', &n))
			return fail(p, PF_E_CORRUPT, "bad or repeated O line");
		p->seen_orphans = true;
		p->view->orphans = n;
		return 0;
	case 'E':
		return line_end(p, s + 2);
	case 'X':
		return line_error(p, s + 2);
	}
	return fail(p, PF_E_CORRUPT, "unknown line type");
}

static int take_line(struct pf_xparser *p)
{
	p->line[p->len] = '\0';
	p->len = 0;
	p->lineno++;
	if (p->state == PF_XP_BODY)
		return line_body(p, p->line);
	if (strcmp(p->line, "PFXV 1") != 0)
		return fail(p, PF_E_CORRUPT, "no PFXV 1 header");
	p->state = PF_XP_BODY;
	return 0;
}

/* Append part of a line after checking its bytes. */
static int take_bytes(struct pf_xparser *p, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];

		if (c < 0x20 || c == 0x7F) {
			p->lineno++;
			return fail(p, PF_E_CORRUPT, "control byte in line");
		}
	}
	if (n > PF_XPROTO_MAX_LINE - p->len) {
		p->lineno++;
		return fail(p, PF_E_LIMIT, "line too long");
	}
	memcpy(p->line + p->len, b, n);
	p->len += n;
	return 0;
}

int pf_xparser_feed(struct pf_xparser *p, const char *buf, size_t n)
{
	int rc = 0;

	if (p->state == PF_XP_FAILED)
		return pf_error_set(PF_E_CORRUPT, "libpff child: stream "
				    "already rejected");
	if (n > PF_XPROTO_MAX_BYTES - p->bytes)
		return fail(p, PF_E_LIMIT, "stream too large");
	p->bytes += n;
	while (rc == 0 && n > 0) {
		const char *nl = memchr(buf, '\n', n);
		size_t k = nl ? (size_t)(nl - buf) : n;

		if (p->state == PF_XP_DONE)
			return fail(p, PF_E_CORRUPT, "data after the end");
		rc = take_bytes(p, buf, k);
		if (rc == 0 && nl != NULL)
			rc = take_line(p);
		if (rc != 0)
			p->state = PF_XP_FAILED;
		k += nl ? 1 : 0;
		buf += k;
		n -= k;
	}
	return rc;
}

bool pf_xparser_done(const struct pf_xparser *p)
{
	return p->state == PF_XP_DONE;
}

int pf_xparser_finish(struct pf_xparser *p)
{
	if (p->state == PF_XP_FAILED)
		return pf_error_set(PF_E_CORRUPT, "libpff child: stream "
				    "rejected");
	if (p->state != PF_XP_DONE || p->len != 0) {
		p->lineno++;
		return fail(p, PF_E_CORRUPT, "stream ends without E or X");
	}
	if (p->result != 0)
		return pf_error_set(p->result, "%s", p->msg);
	return 0;
}
