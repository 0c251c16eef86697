/*
 * html.c - the two things the parser needs from an HTML body: the cid:
 * URLs it references (RFC 2392) and the charset a <meta> declares
 * (HTML's "prescan" reads the first 1024 bytes; we read 4096).
 *
 * Rules
 * - "cid:" (any case) starts a reference; it ends at a quote, ')', '<',
 *   '>', whitespace or after 998 bytes; %XX escapes are undone (RFC 2392
 *   2: a cid URL is the percent-encoded Content-ID without <>).
 * - Content-IDs are compared ignoring ASCII case (the domain part is
 *   case-insensitive, and mailers are careless about the rest).
 * - A <meta> declares a charset by a "charset" attribute or by
 *   "charset=" inside its content attribute.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_grow.h"
#include "mime_int.h"

#define CID_MAX 998
#define META_SCAN 4096

static int ci_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = pfm_lower(*a), y = pfm_lower(*b);

		if (x != y)
			return (unsigned char)x < (unsigned char)y ? -1 : 1;
		if (!x)
			return 0;
	}
}

static int cmp_ptr(const void *a, const void *b)
{
	return ci_cmp(*(char *const *)a, *(char *const *)b);
}

static bool cid_end(char ch)
{
	return ch == '"' || ch == '\'' || ch == ')' || ch == '<' ||
	       ch == '>' || pfm_is_space(ch) || ch == '\0';
}

/* Percent-decode the reference S[N] into a new string. */
static int cid_ref(struct pfm_ctx *c, const char *s, size_t n, char **out)
{
	struct pfm_buf b = { 0 };
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		int h1 = i + 2 < n ? pfm_hex(s[i + 1]) : -1;
		int h2 = i + 2 < n ? pfm_hex(s[i + 2]) : -1;

		if (s[i] == '%' && h1 >= 0 && h2 >= 0) {
			rc = pfm_buf_putc(c, &b, (char)(h1 * 16 + h2));
			i += 2;
		} else {
			rc = pfm_buf_putc(c, &b, s[i]);
		}
	}
	if (rc == 0)
		rc = pfm_buf_take_tidy(c, &b, out);
	pfm_buf_free(c, &b);
	return rc;
}

int pfm_html_cids(struct pfm_ctx *c, const char *html, struct pfm_cids *out)
{
	const char *s = html;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	while (s && rc == 0 && (s = strchr(s, ':')) != NULL) {
		size_t n = 0;
		char *ref = NULL;

		if (s - html < 3 || !pfm_iprefix(s - 3, 3, "cid")) {
			s++;
			continue;
		}
		s++;
		while (n < CID_MAX && !cid_end(s[n]))
			n++;
		if (out->n >= PFM_MAX_CIDS)
			break;
		rc = cid_ref(c, s, n, &ref);
		if (rc == 0 && ref)
			rc = pf_grow(&out->v, out->n, &out->cap,
				     sizeof(*out->v));
		if (rc == 0 && ref)
			out->v[out->n++] = ref;
		else
			free(ref);
		s += n;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_ptr);
	return rc;
}

bool pfm_cids_has(const struct pfm_cids *cids, const char *cid)
{
	if (!cid || cids->n == 0)
		return false;
	return bsearch(&cid, cids->v, cids->n, sizeof(*cids->v),
		       cmp_ptr) != NULL;
}

void pfm_cids_free(struct pfm_cids *cids)
{
	for (size_t i = 0; i < cids->n; i++)
		free(cids->v[i]);
	free(cids->v);
	memset(cids, 0, sizeof(*cids));
}

/* The first NEEDLE (lower-case) in P[N], ignoring case; N if none. */
static size_t find_ci(const uint8_t *p, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; i + m <= n; i++)
		if (pfm_iprefix((const char *)p + i, n - i, needle))
			return i;
	return n;
}

/* "charset" [ws] "=" [ws] [quote] name inside the tag T[N]. */
static bool tag_charset(const uint8_t *t, size_t n, char *out, size_t cap)
{
	size_t i = find_ci(t, n, "charset"), a;

	if (i == n)
		return false;
	i += 7;
	while (i < n && pfm_is_space((char)t[i]))
		i++;
	if (i >= n || t[i] != '=')
		return false;
	i++;
	while (i < n && (pfm_is_space((char)t[i]) || t[i] == '"' ||
			 t[i] == '\''))
		i++;
	a = i;
	while (i < n && t[i] != '"' && t[i] != '\'' && t[i] != ';' &&
	       t[i] != '>' && t[i] != '/' && !pfm_is_space((char)t[i]))
		i++;
	return pfm_charset_name((const char *)t + a, i - a, out, cap);
}

bool pfm_html_meta_charset(const uint8_t *p, size_t n, char *out,
			   size_t cap)
{
	size_t i = 0;

	if (n > META_SCAN)
		n = META_SCAN;
	while (i < n) {
		size_t at = find_ci(p + i, n - i, "<meta"), end;
		const uint8_t *gt;

		if (at == n - i)
			return false;
		i += at + 5;
		gt = memchr(p + i, '>', n - i);
		end = gt ? (size_t)(gt - p) : n;
		if (tag_charset(p + i, end - i, out, cap))
			return true;
		i = end;
	}
	return false;
}
