/*
 * str.c - PtypString (UTF-16LE) and PtypString8 (8-bit, codepage) to UTF-8
 * (MS-OXCDATA 2.11.1).
 *
 * Contract: the output is always valid, NUL-terminated UTF-8 in a
 * malloc'd buffer the caller frees.  Anything undecodable (a lone
 * surrogate, an odd last byte, a byte the codepage does not define, bad
 * UTF-8 under 65001) becomes U+FFFD; conversion stops at the first NUL
 * character.  Output is bounded by 3 bytes per input byte (plus the NUL)
 * for the built-in paths and grows by doubling for iconv, never past
 * 4 bytes per input byte.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/pf_le.h"
#include "ltp_int.h"

#define REPLACEMENT 0xFFFDu

static size_t put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xC0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xE0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	o[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static char *alloc_out(size_t in, size_t per_unit)
{
	if (in > PF_NODE_DATA_MAX) {
		pf_error_set(PF_E_LIMIT, "string of %zu bytes", in);
		return NULL;
	}
	return malloc(in * per_unit + 4);
}

static int oom(void)
{
	return pf_error_set(PF_E_NOMEM, "out of memory (string)");
}

/* ---- UTF-16LE ---- */

int pf_utf16le_to_utf8(const uint8_t *p, size_t cb, char **out)
{
	size_t n = cb / 2, i, o = 0;
	char *s = alloc_out(cb, 2);  /* <= 3 bytes per 2-byte unit */

	*out = NULL;
	if (!s)
		return cb > PF_NODE_DATA_MAX ? PF_E_LIMIT : oom();
	for (i = 0; i < n; i++) {
		uint32_t c = pf_le16(p + 2 * i);

		if (c == 0)
			break;
		if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n) {
			uint32_t lo = pf_le16(p + 2 * i + 2);

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				c = 0x10000 + ((c - 0xD800) << 10) +
				    (lo - 0xDC00);
				i++;
			}
		}
		if (c >= 0xD800 && c <= 0xDFFF)
			c = REPLACEMENT;   /* lone surrogate */
		o += put_utf8(s + o, c);
	}
	if (cb % 2 != 0 && i == n)
		o += put_utf8(s + o, REPLACEMENT);  /* odd last byte */
	s[o] = '\0';
	*out = s;
	return 0;
}

/* ---- single-byte tables ---- */

/* Windows-1252 0x80..0x9F; 0 marks the five undefined bytes. */
static const uint16_t cp1252_80[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static uint32_t single_byte(uint32_t codepage, uint8_t b)
{
	if (b < 0x80)
		return b;
	if (codepage == 20127)
		return REPLACEMENT;
	if (codepage == 28591 || b >= 0xA0)
		return b;
	return cp1252_80[b - 0x80] ? cp1252_80[b - 0x80] : REPLACEMENT;
}

static int single_to_utf8(const uint8_t *p, size_t n, uint32_t codepage,
			  char **out)
{
	char *s = alloc_out(n, 3);
	size_t i, o = 0;

	if (!s)
		return n > PF_NODE_DATA_MAX ? PF_E_LIMIT : oom();
	for (i = 0; i < n; i++)
		o += put_utf8(s + o, single_byte(codepage, p[i]));
	s[o] = '\0';
	*out = s;
	return 0;
}

/* ---- UTF-8 (65001), validated ---- */

/* Length of the valid UTF-8 sequence at P (N bytes left), or 0. */
static size_t utf8_valid(const uint8_t *p, size_t n)
{
	uint32_t c;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2, c = p[0] & 0x1Fu;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		len = 3, c = p[0] & 0x0Fu;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		len = 4, c = p[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3Fu);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return len;
}

static int utf8_to_utf8(const uint8_t *p, size_t n, char **out)
{
	char *s = alloc_out(n, 3);
	size_t i = 0, o = 0;

	if (!s)
		return n > PF_NODE_DATA_MAX ? PF_E_LIMIT : oom();
	while (i < n) {
		size_t len = utf8_valid(p + i, n - i);

		if (len == 0) {
			o += put_utf8(s + o, REPLACEMENT);
			i++;
			continue;
		}
		memcpy(s + o, p + i, len);
		o += len;
		i += len;
	}
	s[o] = '\0';
	*out = s;
	return 0;
}

/* ---- everything else: iconv ---- */

static void iconv_name(uint32_t cp, char *name, size_t n)
{
	switch (cp) {
	case 20866: snprintf(name, n, "KOI8-R"); return;
	case 21866: snprintf(name, n, "KOI8-U"); return;
	case 50220: case 50221: case 50222:
		snprintf(name, n, "ISO-2022-JP"); return;
	case 51932: snprintf(name, n, "EUC-JP"); return;
	case 51949: snprintf(name, n, "EUC-KR"); return;
	case 52936: snprintf(name, n, "HZ"); return;
	case 54936: snprintf(name, n, "GB18030"); return;
	case 65000: snprintf(name, n, "UTF-7"); return;
	}
	if (cp >= 28592 && cp <= 28606)
		snprintf(name, n, "ISO-8859-%u", cp - 28590);
	else
		snprintf(name, n, "CP%u", cp);
}

/* Output of iconv: USED bytes of CAP written; grows by doubling. */
struct growbuf {
	char *s;
	size_t cap;
	size_t used;
};

static int grow(struct growbuf *g, size_t limit)
{
	size_t cap = g->cap * 2;
	char *ns;

	if (cap > limit)
		cap = limit;
	if (cap <= g->cap)
		return pf_error_set(PF_E_LIMIT, "converted string too long");
	ns = realloc(g->s, cap);
	if (!ns)
		return oom();
	g->s = ns;
	g->cap = cap;
	return 0;
}

/* Keep room for a U+FFFD and the NUL. */
static int put_replacement(struct growbuf *g, size_t limit)
{
	int rc = g->cap - g->used < 8 ? grow(g, limit) : 0;

	if (rc == 0)
		g->used += put_utf8(g->s + g->used, REPLACEMENT);
	return rc;
}

/* One iconv(3) call writing at the end of G (IN NULL: flush). */
static size_t step(iconv_t cd, char **in, size_t *inleft, struct growbuf *g)
{
	char *o = g->s + g->used;
	size_t left = g->cap - g->used - 1;   /* keep one for the NUL */
	size_t r = iconv(cd, in, inleft, &o, &left);

	g->used = (size_t)(o - g->s);
	return r;
}

static int run_iconv(iconv_t cd, const uint8_t *p, size_t n,
		     struct growbuf *g)
{
	size_t limit = n * 4 + 16;
	char *in = (char *)(uintptr_t)p;
	size_t inleft = n;
	int rc = 0;

	while (rc == 0 && inleft > 0) {
		if (step(cd, &in, &inleft, g) != (size_t)-1)
			break;
		if (errno == E2BIG) {
			rc = grow(g, limit);
		} else if (errno == EILSEQ) {
			rc = put_replacement(g, limit);
			in++;
			inleft--;
		} else {           /* EINVAL: incomplete at the end */
			rc = put_replacement(g, limit);
			break;
		}
	}
	while (rc == 0 && step(cd, NULL, NULL, g) == (size_t)-1 &&
	       errno == E2BIG)
		rc = grow(g, limit);
	return rc;
}

static int iconv_to_utf8(const uint8_t *p, size_t n, uint32_t codepage,
			 char **out)
{
	struct growbuf g = { 0 };
	char name[32];
	iconv_t cd;
	int rc;

	if (n > PF_NODE_DATA_MAX)
		return pf_error_set(PF_E_LIMIT, "string of %zu bytes", n);
	iconv_name(codepage, name, sizeof(name));
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return pf_error_set(PF_E_UNSUPPORTED,
				    "codepage %u (%s) not available", codepage,
				    name);
	g.cap = n * 2 + 16;
	g.s = malloc(g.cap);
	if (!g.s) {
		iconv_close(cd);
		return oom();
	}
	rc = run_iconv(cd, p, n, &g);
	iconv_close(cd);
	if (rc < 0) {
		free(g.s);
		return rc;
	}
	g.s[g.used] = '\0';
	*out = g.s;
	return 0;
}

int pf_8bit_to_utf8(const uint8_t *p, size_t cb, uint32_t codepage,
		    char **out)
{
	const uint8_t *nul = cb ? memchr(p, 0, cb) : NULL;
	size_t n = nul ? (size_t)(nul - p) : cb;

	*out = NULL;
	switch (codepage) {
	case 0: case 1252: case 20127: case 28591:
		return single_to_utf8(p, n, codepage, out);
	case 65001:
		return utf8_to_utf8(p, n, out);
	}
	return iconv_to_utf8(p, n, codepage, out);
}
