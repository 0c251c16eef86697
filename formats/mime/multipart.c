/*
 * multipart.c - cut a multipart body into its body parts (RFC 2046
 * 5.1.1).
 *
 * Rules
 * - A delimiter line is "--" boundary, then "--" for the close
 *   delimiter, then optional transport padding (SP / HTAB), then the line
 *   end; it must start a line.  The line break before a delimiter belongs
 *   to the delimiter, not to the part.
 * - The preamble (before the first delimiter) and the epilogue (after the
 *   close delimiter) are ignored.
 * - A missing close delimiter is tolerated: the last part runs to the end,
 *   less one final line break (which would have begun the delimiter; Python's
 *   email package reads it the same way), and it is a defect.
 * - No delimiter at all: no parts and *seen false (the caller decides).
 * - At most PFM_MAX_PARTS parts (then truncated).
 */
#include <string.h>

#include "../util/pf_grow.h"
#include "mime_int.h"

/* 0 not a delimiter, 1 delimiter, 2 close delimiter. */
static int delimiter(const uint8_t *p, size_t len, const char *b, size_t bl)
{
	size_t j = 2 + bl;
	int kind = 1;

	if (len < j || p[0] != '-' || p[1] != '-' || memcmp(p + 2, b, bl) != 0)
		return 0;
	if (j + 2 <= len && p[j] == '-' && p[j + 1] == '-') {
		kind = 2;
		j += 2;
	}
	while (j < len && (p[j] == ' ' || p[j] == '\t'))
		j++;
	if (j < len && p[j] == '\r')
		j++;
	return j == len ? kind : 0;
}

static int add_part(struct pfm_ctx *c, struct pfm_span **v, size_t *n,
		    size_t *cap, const uint8_t *p, size_t len)
{
	int rc;

	if (*n >= PFM_MAX_PARTS) {
		if (!c->truncated)
			pfm_truncate(c);
		return 0;
	}
	rc = pf_grow(v, *n, cap, sizeof(**v));
	if (rc == 0) {
		(*v)[*n].p = p;
		(*v)[*n].n = len;
		(*n)++;
	}
	return rc;
}

/* The end of a part whose delimiter line starts at I (the line break
 * before it belongs to the delimiter). */
static size_t part_end(const uint8_t *p, size_t start, size_t i)
{
	if (i > start && p[i - 1] == '\n')
		i--;
	if (i > start && p[i - 1] == '\r')
		i--;
	return i;
}

int pfm_multipart_split(struct pfm_ctx *c, const uint8_t *p, size_t n,
			const char *boundary, struct pfm_span **parts,
			size_t *nparts, bool *seen)
{
	size_t bl = strlen(boundary), i = 0, start = 0, cap = 0;
	bool in_part = false, closed = false;
	int rc = 0;

	*parts = NULL;
	*nparts = 0;
	*seen = false;
	while (i < n && !closed && rc == 0) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - p) : n;
		int kind = p[i] == '-' ? delimiter(p + i, end - i, boundary,
						   bl) : 0;

		if (kind && in_part)
			rc = add_part(c, parts, nparts, &cap, p + start,
				      part_end(p, start, i) - start);
		if (kind) {
			*seen = true;
			in_part = kind == 1;
			closed = kind == 2;
			start = nl ? end + 1 : n;
		}
		i = nl ? end + 1 : n;
	}
	if (rc == 0 && in_part && !closed) {
		pfm_defect(c);           /* no close delimiter */
		rc = add_part(c, parts, nparts, &cap, p + start,
			      part_end(p, start, n) - start);
	}
	return rc;
}
