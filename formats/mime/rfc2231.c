/*
 * rfc2231.c - parameter values as UTF-8: RFC 2231 continuations and
 * extended values, RFC 2047 encoded-words in plain values.
 *
 * Rules
 * - An extended value is charset "'" [language] "'" percent-encoded bytes
 *   (RFC 2231 4); the charset and language appear only in the first
 *   section (4.1).  A missing "''" prefix is tolerated (defect).
 * - Sections name*0, name*1, ... are joined in number order (RFC 2231 3);
 *   the sequence stops at the first missing number (later ones are a
 *   defect).  Extended sections are percent-decoded, plain ones taken as
 *   they are (4.1 allows the mix).
 * - An RFC 2231 value wins over a plain one of the same name (mailers
 *   send both, the plain one as a fallback).
 * - Plain values may hold RFC 2047 encoded-words: not allowed (RFC 2047 5)
 *   but common in filename= and name=; they are decoded.
 */
#include <stdlib.h>
#include <string.h>

#include "mime_int.h"

static const struct pfm_param *find(const struct pfm_ctype *ct,
				    const char *name, int section, bool *ext)
{
	for (size_t i = 0; i < ct->np; i++) {
		const struct pfm_param *p = &ct->p[i];

		if (p->section == section && strcmp(p->name, name) == 0 &&
		    (!ext || p->ext == *ext))
			return p;
	}
	return NULL;
}

const char *pfm_param_raw(const struct pfm_ctype *ct, const char *name)
{
	bool plain = false;
	const struct pfm_param *p = find(ct, name, -1, &plain);

	return p ? p->value : NULL;
}

/* Percent-decode S into B (RFC 2231 4: "%" 2HEXDIG). */
static int pct_decode(struct pfm_ctx *c, const char *s, struct pfm_buf *b)
{
	size_t i, n = strlen(s);
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		int h1 = -1, h2 = -1;

		if (s[i] == '%' && i + 2 < n) {
			h1 = pfm_hex(s[i + 1]);
			h2 = pfm_hex(s[i + 2]);
		}
		if (s[i] != '%') {
			rc = pfm_buf_putc(c, b, s[i]);
		} else if (h1 < 0 || h2 < 0) {
			pfm_defect(c);
			rc = pfm_buf_putc(c, b, '%');
		} else {
			rc = pfm_buf_putc(c, b, (char)(h1 * 16 + h2));
			i += 2;
		}
	}
	return rc;
}

/* Split "charset'lang'rest" of a first extended section. */
static const char *ext_prefix(struct pfm_ctx *c, const char *v, char *cs,
			      size_t cap)
{
	const char *q1 = strchr(v, '\''), *q2;

	cs[0] = '\0';
	q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
	if (!q2) {
		pfm_defect(c);
		return v;
	}
	if (q1 > v && !pfm_charset_name(v, (size_t)(q1 - v), cs, cap))
		pfm_defect(c);
	return q2 + 1;
}

/* Sections 0, 1, ... of NAME into BYTES; false when there is none. */
static int join_sections(struct pfm_ctx *c, const struct pfm_ctype *ct,
			 const char *name, struct pfm_buf *bytes, char *cs,
			 size_t cap, bool *found)
{
	int k, rc = 0;

	*found = false;
	cs[0] = '\0';
	for (k = 0; k <= PFM_MAX_SECTIONS && rc == 0; k++) {
		const struct pfm_param *p = find(ct, name, k, NULL);
		const char *v;

		if (!p)
			break;
		*found = true;
		v = p->value;
		if (p->ext && k == 0)
			v = ext_prefix(c, v, cs, cap);
		if (p->ext)
			rc = pct_decode(c, v, bytes);
		else
			rc = pfm_buf_put(c, bytes, v, strlen(v));
	}
	if (k <= PFM_MAX_SECTIONS && find(ct, name, k + 1, NULL))
		pfm_defect(c);              /* a gap in the numbers */
	return rc;
}

/* The RFC 2231 value of NAME (single extended, or sections), converted
 * from its charset to UTF-8 when CONVERT, else the bytes. */
static int get_2231(struct pfm_ctx *c, const struct pfm_ctype *ct,
		    const char *name, bool convert, struct pfm_buf *out,
		    bool *found)
{
	struct pfm_buf bytes = { 0 };
	char cs[PFM_CHARSET_MAX + 1] = "";
	bool ext = true;
	const struct pfm_param *p = find(ct, name, -1, &ext);
	int rc;

	if (p) {
		*found = true;
		rc = pct_decode(c, ext_prefix(c, p->value, cs, sizeof(cs)),
				&bytes);
	} else {
		rc = join_sections(c, ct, name, &bytes, cs, sizeof(cs), found);
	}
	if (rc == 0 && *found && convert)
		rc = pfm_to_utf8(c, cs, (const uint8_t *)bytes.p, bytes.n,
				 out);
	else if (rc == 0 && *found)
		rc = pfm_buf_put(c, out, bytes.p, bytes.n);
	pfm_buf_free(c, &bytes);
	return rc;
}

int pfm_param_get(struct pfm_ctx *c, const struct pfm_ctype *ct,
		  const char *name, char **out)
{
	struct pfm_buf b = { 0 };
	bool found = false;
	const char *plain;
	int rc;

	*out = NULL;
	rc = get_2231(c, ct, name, true, &b, &found);
	if (rc == 0 && found) {
		rc = pfm_buf_take_tidy(c, &b, out);
		pfm_buf_free(c, &b);
		return rc;
	}
	pfm_buf_free(c, &b);
	plain = pfm_param_raw(ct, name);
	if (rc != 0 || !plain)
		return rc;
	return pfm_header_decode(c, plain, out);
}

int pfm_param_bytes(struct pfm_ctx *c, const struct pfm_ctype *ct,
		    const char *name, char **out)
{
	struct pfm_buf b = { 0 };
	bool found = false;
	const char *plain;
	int rc = get_2231(c, ct, name, false, &b, &found);

	*out = NULL;
	if (rc == 0 && found)
		rc = pfm_buf_take_tidy(c, &b, out);
	pfm_buf_free(c, &b);
	plain = pfm_param_raw(ct, name);
	if (rc == 0 && !found && plain)
		rc = pfm_strndup(c, plain, strlen(plain), out);
	return rc;
}
