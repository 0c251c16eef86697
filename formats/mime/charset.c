/*
 * charset.c - text in any declared charset to UTF-8 (RFC 2045 5.1
 * "charset", RFC 2046 4.1.2), and the line-end normalisation of text
 * bodies.
 *
 * Rules
 * - UTF-8 is validated per RFC 3629 4 (no overlongs, surrogates or values
 *   past U+10FFFF); invalid bytes in declared UTF-8 become U+FFFD (defect).
 * - ISO-8859-1 and US-ASCII labels are read as Windows-1252, as the WHATWG
 *   Encoding Standard does (the C1 range is never meant); 8-bit bytes in
 *   "us-ascii" text are tried as UTF-8 first (a defect either way).
 * - Other names go through iconv after a small alias table (names glibc
 *   lacks or that mail uses loosely: ks_c_5601-1987, gb2312, x-sjis...).
 *   An unknown charset is read as Windows-1252 and counts a defect.
 * - Undeclared 8-bit text: UTF-8 when valid, else Windows-1252 (defect).
 * - A charset name is used only when it is short and made of
 *   [A-Za-z0-9._:+-] (it is handed to iconv_open()).
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "mime_int.h"

/* Windows-1252 0x80..0x9F (the undefined five map to the C1 controls, as
 * WHATWG's index does). */
static const uint16_t cp1252_hi[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* Length of the valid UTF-8 sequence at P (RFC 3629 4), 0 if invalid. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
	uint8_t b = p[0], lo = 0x80, hi = 0xBF;
	size_t len, i;

	if (b < 0x80)
		return 1;
	if (b >= 0xC2 && b <= 0xDF)
		len = 2;
	else if (b >= 0xE0 && b <= 0xEF)
		len = 3;
	else if (b >= 0xF0 && b <= 0xF4)
		len = 4;
	else
		return 0;
	if (b == 0xE0)
		lo = 0xA0;
	else if (b == 0xED)
		hi = 0x9F;
	else if (b == 0xF0)
		lo = 0x90;
	else if (b == 0xF4)
		hi = 0x8F;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return len;
}

/* The first byte >= 0x80 in P[N] at or after I (N if none); 8 at a time. */
static size_t skip_ascii(const uint8_t *p, size_t n, size_t i)
{
	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		if (w & 0x8080808080808080ull)
			break;
	}
	while (i < n && p[i] < 0x80)
		i++;
	return i;
}

bool pfm_utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0, k;

	for (;;) {
		i = skip_ascii(p, n, i);
		if (i >= n)
			return true;
		k = utf8_seq(p + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
}

static bool all_ascii(const uint8_t *p, size_t n)
{
	return skip_ascii(p, n, 0) == n;
}

/* Copy P[N] as UTF-8, each invalid byte replaced by U+FFFD. */
static int put_utf8_lossy(struct pfm_ctx *c, const uint8_t *p, size_t n,
			  struct pfm_buf *out)
{
	size_t i = 0, run = 0, k;
	int rc = 0;

	while (i < n && rc == 0) {
		k = utf8_seq(p + i, n - i);
		if (k > 0) {
			i += k;
			continue;
		}
		rc = pfm_buf_put(c, out, p + run, i - run);
		if (rc == 0)
			rc = pfm_buf_put_cp(c, out, 0xFFFD);
		run = ++i;
	}
	if (rc == 0)
		rc = pfm_buf_put(c, out, p + run, n - run);
	return rc;
}

static int put_cp1252(struct pfm_ctx *c, const uint8_t *p, size_t n,
		      struct pfm_buf *out)
{
	size_t i = 0, run = 0;
	int rc = 0;

	while (i < n && rc == 0) {
		uint32_t cp;

		if (p[i] < 0x80) {
			i++;
			continue;
		}
		rc = pfm_buf_put(c, out, p + run, i - run);
		cp = p[i] < 0xA0 ? cp1252_hi[p[i] - 0x80] : p[i];
		if (rc == 0)
			rc = pfm_buf_put_cp(c, out, cp);
		run = ++i;
	}
	if (rc == 0)
		rc = pfm_buf_put(c, out, p + run, n - run);
	return rc;
}

int pfm_raw_to_utf8(struct pfm_ctx *c, const uint8_t *p, size_t n,
		    struct pfm_buf *out)
{
	if (pfm_utf8_valid(p, n))
		return pfm_buf_put(c, out, p, n);
	return put_cp1252(c, p, n, out);
}

bool pfm_charset_name(const char *s, size_t n, char *out, size_t cap)
{
	size_t i;

	s = pfm_trim(s, &n);
	if (n == 0 || n >= cap)
		return false;
	for (i = 0; i < n; i++) {
		char ch = pfm_lower(s[i]);

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '-' || ch == '_' || ch == '.' || ch == ':' ||
		      ch == '+'))
			return false;
		out[i] = ch;
	}
	out[n] = '\0';
	return true;
}

enum cs_kind { CS_ASCII, CS_UTF8, CS_1252, CS_NONE, CS_ICONV };

struct cs_alias {
	const char *name;
	enum cs_kind kind;
	const char *iconv_name;
};

static const struct cs_alias aliases[] = {
	{ "us-ascii", CS_ASCII, NULL },       { "ascii", CS_ASCII, NULL },
	{ "ansi_x3.4-1968", CS_ASCII, NULL }, { "us", CS_ASCII, NULL },
	{ "iso646-us", CS_ASCII, NULL },      { "utf-8", CS_UTF8, NULL },
	{ "utf8", CS_UTF8, NULL },            { "iso-8859-1", CS_1252, NULL },
	{ "iso8859-1", CS_1252, NULL },       { "iso_8859-1", CS_1252, NULL },
	{ "latin1", CS_1252, NULL },          { "latin-1", CS_1252, NULL },
	{ "l1", CS_1252, NULL },              { "windows-1252", CS_1252, NULL },
	{ "cp1252", CS_1252, NULL },          { "x-cp1252", CS_1252, NULL },
	{ "unknown-8bit", CS_NONE, NULL },    { "x-unknown", CS_NONE, NULL },
	{ "unknown", CS_NONE, NULL },         { "default", CS_NONE, NULL },
	{ "x-user-defined", CS_NONE, NULL },  { "8bit", CS_NONE, NULL },
	{ "ks_c_5601-1987", CS_ICONV, "CP949" },
	{ "ks_c_5601", CS_ICONV, "CP949" },   { "euc-kr", CS_ICONV, "CP949" },
	{ "gb2312", CS_ICONV, "GB18030" },    { "gbk", CS_ICONV, "GB18030" },
	{ "x-gbk", CS_ICONV, "GB18030" },     { "cp936", CS_ICONV, "GB18030" },
	{ "x-sjis", CS_ICONV, "CP932" },      { "shift-jis", CS_ICONV, "CP932" },
	{ "shift_jis", CS_ICONV, "CP932" },   { "sjis", CS_ICONV, "CP932" },
	{ "ms_kanji", CS_ICONV, "CP932" },    { "windows-31j", CS_ICONV, "CP932" },
	{ "iso-8859-8-i", CS_ICONV, "ISO-8859-8" },
	{ "x-mac-roman", CS_ICONV, "MACINTOSH" },
	{ "mac", CS_ICONV, "MACINTOSH" },
	{ "unicode-1-1-utf-7", CS_ICONV, "UTF-7" },
	{ "x-unicode-2-0-utf-7", CS_ICONV, "UTF-7" },
	{ "unicode", CS_ICONV, "UTF-16LE" },
	{ "tis-620", CS_ICONV, "CP874" },     { "windows-874", CS_ICONV, "CP874" },
	{ "iso-8859-11", CS_ICONV, "CP874" },
};

static const struct cs_alias *alias_of(const char *name)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(aliases[i].name, name) == 0)
			return &aliases[i];
	return NULL;
}

/* The cached descriptor for NAME, opening it when needed. */
static bool cd_for(struct pfm_ctx *c, const char *name)
{
	iconv_t cd;

	if (c->cd != (void *)-1 && strcmp(c->cd_name, name) == 0) {
		iconv(c->cd, NULL, NULL, NULL, NULL);
		return true;
	}
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return false;
	pfm_ctx_done(c);
	c->cd = cd;
	strncpy(c->cd_name, name, sizeof(c->cd_name) - 1);
	c->cd_name[sizeof(c->cd_name) - 1] = '\0';
	return true;
}

/* One iconv() step into OUT's spare room; *stop when finished. */
static int iconv_step(struct pfm_ctx *c, char **in, size_t *inleft,
		      struct pfm_buf *out, bool *stop, bool *bad)
{
	size_t room = *inleft < 2048 ? 4096 : *inleft / 2 * 3;
	char *o;
	size_t oleft, r;
	int rc;

	rc = pfm_buf_reserve(c, out, room);
	if (rc != 0)
		return rc;
	o = out->p + out->n;
	oleft = out->cap - out->n - 1;
	r = iconv((iconv_t)c->cd, in, inleft, &o, &oleft);
	out->n = (size_t)(o - out->p);
	out->p[out->n] = '\0';
	if (r != (size_t)-1) {
		*stop = true;
		return 0;
	}
	if (errno == E2BIG)
		return 0;
	*bad = true;
	if (errno == EILSEQ && *inleft > 0) {
		(*in)++;
		(*inleft)--;
		return pfm_buf_put_cp(c, out, 0xFFFD);
	}
	*stop = true;         /* EINVAL: truncated sequence at the end */
	return pfm_buf_put_cp(c, out, 0xFFFD);
}

/* Write the shift sequence that ends a stateful encoding's output. */
static int iconv_flush(struct pfm_ctx *c, struct pfm_buf *out)
{
	char *o;
	size_t oleft;
	int rc = pfm_buf_reserve(c, out, 64);

	if (rc != 0)
		return rc;
	o = out->p + out->n;
	oleft = out->cap - out->n - 1;
	iconv((iconv_t)c->cd, NULL, NULL, &o, &oleft);
	out->n = (size_t)(o - out->p);
	out->p[out->n] = '\0';
	return 0;
}

static int put_iconv(struct pfm_ctx *c, const uint8_t *p, size_t n,
		     struct pfm_buf *out)
{
	char *in = (char *)(uintptr_t)p;
	size_t inleft = n, steps = 0;
	bool stop = false, bad = false;
	int rc = 0;

	/* each step consumes input, or grows OUT (bounded by the budget),
	 * or stops; the step bound is belt and braces */
	while (!stop && rc == 0 && inleft > 0 && steps++ <= n + 64)
		rc = iconv_step(c, &in, &inleft, out, &stop, &bad);
	if (rc == 0)
		rc = iconv_flush(c, out);
	if (bad || inleft > 0)
		pfm_defect(c);
	return rc;
}

static int put_undeclared(struct pfm_ctx *c, const uint8_t *p, size_t n,
			  struct pfm_buf *out)
{
	if (all_ascii(p, n))
		return pfm_buf_put(c, out, p, n);
	if (pfm_utf8_valid(p, n))
		return pfm_buf_put(c, out, p, n);
	pfm_defect(c);
	return put_cp1252(c, p, n, out);
}

int pfm_to_utf8(struct pfm_ctx *c, const char *charset, const uint8_t *p,
		size_t n, struct pfm_buf *out)
{
	char name[PFM_CHARSET_MAX + 1];
	const struct cs_alias *a;

	if (n == 0)
		return 0;
	if (!charset || !*charset)
		return put_undeclared(c, p, n, out);
	if (!pfm_charset_name(charset, strlen(charset), name, sizeof(name))) {
		pfm_defect(c);
		return put_cp1252(c, p, n, out);
	}
	a = alias_of(name);
	if (a && a->kind == CS_ASCII) {
		if (all_ascii(p, n))
			return pfm_buf_put(c, out, p, n);
		pfm_defect(c);
		return pfm_raw_to_utf8(c, p, n, out);
	}
	if (a && a->kind == CS_UTF8) {
		if (pfm_utf8_valid(p, n))
			return pfm_buf_put(c, out, p, n);
		pfm_defect(c);
		return put_utf8_lossy(c, p, n, out);
	}
	if (a && a->kind == CS_1252)
		return put_cp1252(c, p, n, out);
	if (a && a->kind == CS_NONE)
		return put_undeclared(c, p, n, out);
	if (!cd_for(c, a ? a->iconv_name : name)) {
		pfm_defect(c);
		return put_cp1252(c, p, n, out);
	}
	return put_iconv(c, p, n, out);
}

struct ends {
	size_t lf, cr, crlf, nul;
};

/* Count what the normalisation changes (loops the compiler vectorises). */
static struct ends count_ends(const char *s, size_t n)
{
	struct ends e = { 0, 0, 0, 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		e.lf += s[i] == '\n';
		e.cr += s[i] == '\r';
		e.nul += s[i] == '\0';
	}
	for (i = 0; i + 1 < n; i++)
		e.crlf += s[i] == '\r' && s[i + 1] == '\n';
	return e;
}

/* Lone LFs become CRLF (no lone CR, no NUL in S). */
static size_t put_lf_only(const char *s, size_t n, char *d)
{
	size_t i = 0, o = 0;

	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t k = nl ? (size_t)(nl - (s + i)) : n - i;

		memcpy(d + o, s + i, k);
		o += k;
		i += k;
		if (!nl)
			break;
		if (i == 0 || s[i - 1] != '\r')
			d[o++] = '\r';
		d[o++] = '\n';
		i++;
	}
	return o;
}

/* Any mix of CR, LF, CRLF and NUL. */
static size_t put_mixed(const char *s, size_t n, char *d)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\0')
			continue;
		if (s[i] == '\r' || s[i] == '\n') {
			if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
				i++;
			d[o++] = '\r';
			d[o++] = '\n';
		} else {
			d[o++] = s[i];
		}
	}
	return o;
}

int pfm_text_finish(struct pfm_ctx *c, const char *s, size_t n, char **out)
{
	struct ends e = count_ends(s, n);
	size_t need = n + (e.lf - e.crlf) + (e.cr - e.crlf) - e.nul, o;
	char *d;
	int rc;

	*out = NULL;
	rc = pfm_charge(c, need + 1);
	if (rc != 0)
		return rc;
	d = malloc(need + 1);
	if (!d)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	if (e.cr == e.crlf && e.nul == 0)
		o = put_lf_only(s, n, d);
	else
		o = put_mixed(s, n, d);
	d[o] = '\0';
	*out = d;
	return 0;
}
