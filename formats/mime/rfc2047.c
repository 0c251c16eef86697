/*
 * rfc2047.c - encoded-words in header text (RFC 2047).
 *
 * Rules
 * - encoded-word = "=?" charset ["*" language] "?" encoding "?"
 *   encoded-text "?=" (RFC 2047 2; the language suffix is RFC 2231 5 and
 *   is dropped).  B is base64 (4.1), Q is 4.2: "_" is a space, "=XX" a
 *   byte.  A word longer than PFM_EW_MAX, with an unknown encoding, or
 *   whose B text is not base64, is invalid and left as it is (RFC 2047 6.3
 *   says to show it as is).
 * - Whitespace between two encoded-words is dropped (6.2); the bytes of
 *   adjacent words in the same charset are joined before conversion, so a
 *   character split across two words (a common encoder bug) survives.
 * - Tolerated: words not separated from the text around them by
 *   whitespace (Python's email package does the same), whitespace inside
 *   the encoded text, missing base64 padding, unknown charsets (read as
 *   Windows-1252, a defect).
 * - Text outside encoded-words is taken as UTF-8 (RFC 6532) when valid,
 *   else Windows-1252.
 */
#include <string.h>

#include "mime_int.h"

struct ew {
	char cs[PFM_CHARSET_MAX + 1];
	char enc;
	const char *text;
	size_t tlen;
	size_t len;          /* the whole word */
};

/* "charset[*lang]?" at S[*j]: the charset into EW. */
static bool ew_charset(const char *s, size_t n, size_t *j, struct ew *ew)
{
	size_t k = *j, star = 0;

	while (k < n && s[k] != '?') {
		unsigned char ch = (unsigned char)s[k];

		if (ch <= ' ' || ch == 127 || k - *j > PFM_CHARSET_MAX)
			return false;
		if (ch == '*' && !star)
			star = k;
		k++;
	}
	if (k >= n)
		return false;
	if (!pfm_charset_name(s + *j, (star ? star : k) - *j, ew->cs,
			      sizeof(ew->cs)))
		return false;
	*j = k + 1;
	return true;
}

/* The encoded-word at S (which starts "=?"); false when there is none. */
static bool ew_parse(const char *s, size_t n, struct ew *ew)
{
	size_t j = 2, k;

	if (n < 8 || s[0] != '=' || s[1] != '?' || !ew_charset(s, n, &j, ew))
		return false;
	if (j + 2 > n || s[j + 1] != '?')
		return false;
	ew->enc = pfm_lower(s[j]);
	if (ew->enc != 'b' && ew->enc != 'q')
		return false;
	j += 2;
	for (k = j; k < n && k < PFM_EW_MAX; k++) {
		unsigned char ch = (unsigned char)s[k];

		if (ch == '?')
			break;
		if ((ch < ' ' && ch != '\t') || ch == 127)
			return false;
	}
	if (k + 1 >= n || s[k] != '?' || s[k + 1] != '=')
		return false;
	ew->text = s + j;
	ew->tlen = k - j;
	ew->len = k + 2;
	return true;
}

static bool b64_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '+' || ch == '/';
}

/* B (RFC 2047 4.1): only the base64 alphabet, '=' padding at the end and
 * (tolerated) whitespace. */
static int decode_b(struct pfm_ctx *c, const struct ew *ew,
		    struct pfm_buf *run, bool *ok)
{
	size_t i, sig = 0;
	bool pad = false;

	for (i = 0; i < ew->tlen; i++) {
		char ch = ew->text[i];

		if (pfm_is_wsp(ch))
			continue;
		if (ch == '=') {
			pad = true;
			continue;
		}
		if (!b64_char(ch) || pad) {
			*ok = false;
			return 0;
		}
		sig++;
	}
	if (sig % 4 == 1) {
		*ok = false;
		return 0;
	}
	*ok = true;
	return pfm_base64_decode(c, (const uint8_t *)ew->text, ew->tlen, run);
}

/* Q (RFC 2047 4.2). */
static int decode_q(struct pfm_ctx *c, const struct ew *ew,
		    struct pfm_buf *run)
{
	const char *t = ew->text;
	size_t i;
	int rc = 0;

	for (i = 0; i < ew->tlen && rc == 0; i++) {
		char ch = t[i];

		if (ch == '_') {
			ch = ' ';
		} else if (ch == '=' && i + 2 < ew->tlen &&
			   pfm_hex(t[i + 1]) >= 0 && pfm_hex(t[i + 2]) >= 0) {
			ch = (char)(pfm_hex(t[i + 1]) * 16 + pfm_hex(t[i + 2]));
			i += 2;
		} else if (ch == '=') {
			pfm_defect(c);
		}
		rc = pfm_buf_putc(c, run, ch);
	}
	return rc;
}

struct dec {
	struct pfm_buf run;  /* bytes of adjacent words, one charset */
	char cs[PFM_CHARSET_MAX + 1];
};

static int flush_run(struct pfm_ctx *c, struct dec *d, struct pfm_buf *out)
{
	int rc = 0;

	if (d->run.n > 0)
		rc = pfm_to_utf8(c, d->cs, (const uint8_t *)d->run.p,
				 d->run.n, out);
	d->run.n = 0;
	return rc;
}

static bool all_wsp(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!pfm_is_wsp(s[i]))
			return false;
	return true;
}

/* Decode the word EW into D's run; *ok false when it is invalid. */
static int take_word(struct pfm_ctx *c, struct dec *d, const struct ew *ew,
		     struct pfm_buf *out, bool *ok)
{
	size_t keep;
	int rc = 0;

	if (strcmp(d->cs, ew->cs) != 0) {
		rc = flush_run(c, d, out);
		memcpy(d->cs, ew->cs, sizeof(d->cs));
	}
	keep = d->run.n;
	*ok = true;
	if (rc == 0 && ew->enc == 'b')
		rc = decode_b(c, ew, &d->run, ok);
	else if (rc == 0)
		rc = decode_q(c, ew, &d->run);
	if (!*ok)
		d->run.n = keep;
	if (*ok && memchr(ew->text, ' ', ew->tlen))
		pfm_defect(c);
	return rc;
}

int pfm_words_decode(struct pfm_ctx *c, const char *s, size_t n,
		     struct pfm_buf *out)
{
	struct dec d = { { 0 }, "" };
	size_t i = 0, raw = 0;
	bool prev_ew = false;
	int rc = 0;

	while (i < n && rc == 0) {
		struct ew ew;
		bool ok = false;

		if (s[i] != '=' || !ew_parse(s + i, n - i, &ew)) {
			i++;
			continue;
		}
		if (!(prev_ew && all_wsp(s + raw, i - raw))) {
			rc = flush_run(c, &d, out);
			if (rc == 0)
				rc = pfm_raw_to_utf8(c, (const uint8_t *)s + raw,
						     i - raw, out);
			raw = i;
		}
		if (rc == 0)
			rc = take_word(c, &d, &ew, out, &ok);
		if (!ok) {
			prev_ew = false;
			i++;
			continue;
		}
		i += ew.len;
		raw = i;
		prev_ew = true;
	}
	if (rc == 0)
		rc = flush_run(c, &d, out);
	if (rc == 0)
		rc = pfm_raw_to_utf8(c, (const uint8_t *)s + raw, n - raw, out);
	pfm_buf_free(c, &d.run);
	return rc;
}

int pfm_header_decode(struct pfm_ctx *c, const char *s, char **out)
{
	struct pfm_buf b = { 0 };
	int rc;

	*out = NULL;
	if (!s)
		return 0;
	rc = pfm_words_decode(c, s, strlen(s), &b);
	if (rc == 0)
		rc = pfm_buf_take_tidy(c, &b, out);
	pfm_buf_free(c, &b);
	return rc;
}
