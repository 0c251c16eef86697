/*
 * header.c - the header block of an entity: fields, unfolding, lookup,
 * and the block as text for PidTagTransportMessageHeaders.
 *
 * Rules
 * - A field is a name of printable ASCII but ':' (RFC 5322 2.2), optional
 *   WSP before the colon (obs-optional, RFC 5322 4.5), then the body.
 * - A line starting with WSP continues the field before it (RFC 5322
 *   2.2.3 folding; a WSP-only line is obs-FWS, 4.2, and continues too).
 *   Unfolding removes the CR and LF only.
 * - The block ends at the first empty line.  A line that is neither a
 *   field nor a continuation ends it too (a defect): the body starts there,
 *   as RFC 2045 entities without headers do.
 * - A leading mbox "From " line of a message is not a field and is
 *   skipped (in a body part it is the start of the body).
 * - Lines end with LF or CRLF; line ends are not part of values.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_grow.h"
#include "mime_int.h"

struct line {
	size_t start, end, next;   /* end excludes CR LF */
};

static struct line line_at(const uint8_t *p, size_t n, size_t i)
{
	const uint8_t *nl = memchr(p + i, '\n', n - i);
	struct line l;

	l.start = i;
	l.end = nl ? (size_t)(nl - p) : n;
	l.next = nl ? l.end + 1 : n;
	if (l.end > l.start && p[l.end - 1] == '\r')
		l.end--;
	return l;
}

/* The length of "name *WSP :" at the start of L, 0 when L is no field. */
static size_t field_colon(const uint8_t *p, const struct line *l,
			  size_t *name_end)
{
	size_t j = l->start;

	while (j < l->end && p[j] > 32 && p[j] < 127 && p[j] != ':')
		j++;
	*name_end = j;
	if (j == l->start)
		return 0;
	while (j < l->end && (p[j] == ' ' || p[j] == '\t'))
		j++;
	if (j >= l->end || p[j] != ':')
		return 0;
	return j + 1 - l->start;
}

static int add_field(struct pfm_ctx *c, struct pfm_fields *f,
		     const uint8_t *p, const struct line *l, size_t name_end,
		     size_t colon)
{
	struct pfm_field *fd;
	int rc;

	if (f->n >= PFM_MAX_FIELDS) {
		if (!c->truncated)
			pfm_truncate(c);
		return 0;
	}
	rc = pf_grow(&f->v, f->n, &f->cap, sizeof(*f->v));
	if (rc != 0)
		return rc;
	fd = &f->v[f->n++];
	fd->name = (const char *)p + l->start;
	fd->name_len = name_end - l->start;
	fd->val = (const char *)p + l->start + colon;
	fd->val_len = l->end - (l->start + colon);
	return 0;
}

int pfm_fields_parse(struct pfm_ctx *c, const uint8_t *p, size_t n,
		     bool envelope, struct pfm_fields *f)
{
	size_t i = 0;
	bool have = false, seen = false;
	int rc;

	memset(f, 0, sizeof(*f));
	if (envelope && n >= 5 && memcmp(p, "From ", 5) == 0)
		i = f->hdr_start = line_at(p, n, 0).next;
	while (i < n) {
		struct line l = line_at(p, n, i);
		size_t name_end, colon;

		if (l.end == l.start) {
			f->hdr_len = l.start;
			f->body_off = l.next;
			return 0;
		}
		if (p[l.start] == ' ' || p[l.start] == '\t') {
			if (have) {
				struct pfm_field *fd = &f->v[f->n - 1];

				fd->val_len = (size_t)((const char *)p + l.end -
						       fd->val);
			} else if (!seen) {
				pfm_defect(c);   /* continuation first */
			}
			i = l.next;
			continue;
		}
		colon = field_colon(p, &l, &name_end);
		if (colon == 0) {
			pfm_defect(c);           /* no separator line */
			f->hdr_len = f->body_off = l.start;
			return 0;
		}
		{
			size_t before = f->n;

			rc = add_field(c, f, p, &l, name_end, colon);
			if (rc != 0)
				return rc;
			have = f->n > before;
			seen = true;
		}
		i = l.next;
	}
	f->hdr_len = f->body_off = n;
	return 0;
}

void pfm_fields_free(struct pfm_fields *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}

const struct pfm_field *pfm_field_find(const struct pfm_fields *f,
				       const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (pfm_ieq(f->v[i].name, f->v[i].name_len, name))
			return &f->v[i];
	return NULL;
}

/* Unfold (RFC 5322 2.2.3): drop CR, LF and NUL; trim. */
static int unfold(struct pfm_ctx *c, const struct pfm_field *fd, char **out)
{
	const char *s = fd->val;
	size_t n = fd->val_len, i, run = 0;
	struct pfm_buf b = { 0 };
	int rc = 0;

	s = pfm_trim(s, &n);
	if (n > PFM_MAX_FIELD_LEN) {
		pfm_truncate(c);
		n = PFM_MAX_FIELD_LEN;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (s[i] != '\r' && s[i] != '\n' && s[i] != '\0')
			continue;
		rc = pfm_buf_put(c, &b, s + run, i - run);
		run = i + 1;
	}
	if (rc == 0)
		rc = pfm_buf_put(c, &b, s + run, n - run);
	if (rc == 0)
		rc = pfm_buf_take(c, &b, out);
	if (rc != 0)
		pfm_buf_free(c, &b);
	return rc;
}

int pfm_field_get(struct pfm_ctx *c, const struct pfm_fields *f,
		  const char *name, char **out)
{
	const struct pfm_field *fd = pfm_field_find(f, name);

	*out = NULL;
	if (!fd)
		return 0;
	return unfold(c, fd, out);
}

int pfm_header_text(struct pfm_ctx *c, const uint8_t *p, size_t n,
		    char **out)
{
	struct pfm_buf b = { 0 }, line = { 0 };
	size_t i = 0;
	int rc = 0;

	*out = NULL;
	while (i < n && rc == 0) {
		struct line l = line_at(p, n, i);
		size_t j, run = l.start;

		line.n = 0;
		for (j = l.start; j < l.end && rc == 0; j++) {
			if (p[j] != '\r' && p[j] != '\0')
				continue;
			rc = pfm_buf_put(c, &line, p + run, j - run);
			run = j + 1;
		}
		if (rc == 0)
			rc = pfm_buf_put(c, &line, p + run, l.end - run);
		if (rc == 0)
			rc = pfm_raw_to_utf8(c, (const uint8_t *)line.p,
					     line.n, &b);
		if (rc == 0)
			rc = pfm_buf_put(c, &b, "\r\n", 2);
		i = l.next;
	}
	pfm_buf_free(c, &line);
	if (rc == 0)
		rc = pfm_buf_take(c, &b, out);
	if (rc != 0)
		pfm_buf_free(c, &b);
	return rc;
}
