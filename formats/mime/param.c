/*
 * param.c - the syntax of Content-Type (RFC 2045 5.1) and
 * Content-Disposition (RFC 2183 2): a lower-case type and a list of
 * attribute=value parameters.  Values are only unquoted here; rfc2231.c
 * assembles and decodes them.
 *
 * Rules
 * - CFWS (RFC 5322 3.2.2) may appear between tokens: RFC 2045's own
 *   example is "text/plain; charset=us-ascii (Plain text)".
 * - value := token / quoted-string (RFC 2045 5.1); quoted-pairs are
 *   unescaped (RFC 5322 3.2.4).  Tolerated, as defects: a missing ";"
 *   between parameters (RFC 2231 4.1's own example omits them), unquoted
 *   values with spaces or tspecials (read up to ";"), an unterminated
 *   quoted string, a parameter without "=".
 * - RFC 2231 3: "name*N" is section N, a trailing "*" marks an extended
 *   (charset'language'percent-encoded) value.
 * - The first of duplicate parameters wins (rfc2231.c looks them up in
 *   order).
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_grow.h"
#include "mime_int.h"

size_t pfm_comment_end(const char *s, size_t n, size_t i)
{
	size_t j = i, depth = 0;

	for (; j < n; j++) {
		if (s[j] == '\\' && j + 1 < n)
			j++;
		else if (s[j] == '(')
			depth++;
		else if (s[j] == ')' && --depth == 0)
			break;
	}
	return j;
}

void pfm_skip_cfws(const char *s, size_t n, size_t *i)
{
	size_t j = *i;

	while (j < n) {
		if (pfm_is_space(s[j])) {
			j++;
			continue;
		}
		if (s[j] != '(')
			break;
		j = pfm_comment_end(s, n, j);
		if (j < n)
			j++;
	}
	*i = j;
}

/* RFC 2045 5.1 token character (US-ASCII only). */
static bool tok_char(char ch)
{
	unsigned char u = (unsigned char)ch;

	if (u <= ' ' || u >= 127)
		return false;
	return !strchr("()<>@,;:\\\"/[]?=", ch);
}

static size_t read_token(const char *s, size_t n, size_t i)
{
	while (i < n && tok_char(s[i]))
		i++;
	return i;
}

/* "type/subtype" (or the disposition token) at S[*i]. */
static bool read_type(const char *s, size_t n, size_t *i, bool disposition,
		      struct pfm_ctype *ct)
{
	size_t a = *i, e = read_token(s, n, a), j, k, len;

	if (e == a || e - a >= sizeof(ct->type))
		return false;
	memcpy(ct->type, s + a, e - a);
	len = e - a;
	if (!disposition) {
		j = e;
		pfm_skip_cfws(s, n, &j);
		if (j >= n || s[j] != '/')
			return false;
		j++;
		pfm_skip_cfws(s, n, &j);
		k = read_token(s, n, j);
		if (k == j || len + 1 + (k - j) >= sizeof(ct->type))
			return false;
		ct->type[len++] = '/';
		memcpy(ct->type + len, s + j, k - j);
		len += k - j;
		e = k;
	}
	ct->type[len] = '\0';
	pfm_strlower(ct->type);
	*i = e;
	return true;
}

/* A quoted-string at S[*i] (which is '"'), unescaped into B. */
static int read_quoted(struct pfm_ctx *c, const char *s, size_t n, size_t *i,
		       struct pfm_buf *b)
{
	size_t j = *i + 1, run = j;
	int rc = 0;

	while (j < n && s[j] != '"' && rc == 0) {
		if (s[j] == '\\' && j + 1 < n) {
			rc = pfm_buf_put(c, b, s + run, j - run);
			run = ++j;
		}
		j++;
	}
	if (rc == 0)
		rc = pfm_buf_put(c, b, s + run, (j < n ? j : n) - run);
	if (j >= n)
		pfm_defect(c);            /* unterminated */
	*i = j < n ? j + 1 : n;
	return rc;
}

/* Unquoted value: a run up to ';', whitespace, '(' or '"'; then more
 * runs separated by whitespace while they hold no '=' (sloppy values such
 * as  name=my file.pdf ). */
static int read_bare(struct pfm_ctx *c, const char *s, size_t n, size_t *i,
		     struct pfm_buf *b)
{
	size_t j = *i;
	int rc = 0;

	for (;;) {
		size_t a = j, k;

		while (j < n && s[j] != ';' && !pfm_is_space(s[j]) &&
		       s[j] != '(' && s[j] != '"')
			j++;
		rc = pfm_buf_put(c, b, s + a, j - a);
		if (rc != 0 || j == a)
			break;
		k = j;
		while (k < n && pfm_is_space(s[k]))
			k++;
		if (k == j || k >= n || s[k] == ';' || s[k] == '(' ||
		    s[k] == '"')
			break;
		a = k;
		while (k < n && s[k] != ';' && !pfm_is_space(s[k]))
			if (s[k++] == '=')
				break;
		if (k > a && s[k - 1] == '=')
			break;            /* the next parameter */
		pfm_defect(c);
		rc = pfm_buf_putc(c, b, ' ');
		if (rc != 0)
			break;
		j = a;
	}
	*i = j;
	return rc;
}

/* Split "name*N*" into P (RFC 2231 3, 4). */
static void split_name(struct pfm_param *p)
{
	char *star = strchr(p->name, '*');
	char *e;
	long sec;

	p->section = -1;
	p->ext = false;
	if (!star)
		return;
	if (star[1] == '\0') {
		p->ext = true;
		*star = '\0';
		return;
	}
	if (star[1] < '0' || star[1] > '9')
		return;
	sec = strtol(star + 1, &e, 10);
	if (sec > PFM_MAX_SECTIONS || (*e != '\0' && strcmp(e, "*") != 0))
		return;
	p->section = (int)sec;
	p->ext = *e == '*';
	*star = '\0';
}

static int add_param(struct pfm_ctx *c, struct pfm_ctype *ct,
		     const char *name, size_t nlen, struct pfm_buf *val)
{
	struct pfm_param *p;
	int rc;

	if (ct->np >= PFM_MAX_PARAMS) {
		pfm_truncate(c);
		return 0;
	}
	rc = pf_grow(&ct->p, ct->np, &ct->cap, sizeof(*ct->p));
	if (rc != 0)
		return rc;
	p = &ct->p[ct->np];
	memset(p, 0, sizeof(*p));
	rc = pfm_strndup(c, name, nlen, &p->name);
	if (rc == 0)
		rc = pfm_buf_take(c, val, &p->value);
	if (rc != 0) {
		free(p->name);
		return rc;
	}
	pfm_strlower(p->name);
	split_name(p);
	ct->np++;
	return 0;
}

/* One "attr = value" at S[*i]; skips junk up to the next ';'. */
static int read_param(struct pfm_ctx *c, const char *s, size_t n, size_t *i,
		      struct pfm_ctype *ct)
{
	size_t a = *i, e = read_token(s, n, a), j = e;
	struct pfm_buf val = { 0 };
	int rc;

	pfm_skip_cfws(s, n, &j);
	if (e == a || j >= n || s[j] != '=') {
		pfm_defect(c);
		while (j < n && s[j] != ';')
			j++;
		*i = j > a ? j : a + 1;
		return 0;
	}
	j++;
	pfm_skip_cfws(s, n, &j);
	if (j < n && s[j] == '"')
		rc = read_quoted(c, s, n, &j, &val);
	else
		rc = read_bare(c, s, n, &j, &val);
	if (rc == 0)
		rc = add_param(c, ct, s + a, e - a, &val);
	pfm_buf_free(c, &val);
	*i = j;
	return rc;
}

int pfm_ctype_parse(struct pfm_ctx *c, const char *s, bool disposition,
		    struct pfm_ctype *out)
{
	size_t n, i = 0;
	bool semi = false;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!s)
		return 0;
	n = strlen(s);
	pfm_skip_cfws(s, n, &i);
	out->valid = read_type(s, n, &i, disposition, out);
	if (!out->valid) {
		pfm_defect(c);
		out->type[0] = '\0';
		while (i < n && s[i] != ';')
			i++;
	}
	while (i < n && rc == 0) {
		pfm_skip_cfws(s, n, &i);
		if (i >= n)
			break;
		if (s[i] == ';') {
			i++;
			semi = true;
			continue;
		}
		if (!semi)
			pfm_defect(c);  /* no ';' before this parameter */
		semi = false;
		rc = read_param(c, s, n, &i, out);
	}
	return rc;
}

void pfm_ctype_free(struct pfm_ctype *ct)
{
	for (size_t i = 0; i < ct->np; i++) {
		free(ct->p[i].name);
		free(ct->p[i].value);
	}
	free(ct->p);
	memset(ct, 0, sizeof(*ct));
}
