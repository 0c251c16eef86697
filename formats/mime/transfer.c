/*
 * transfer.c - Content-Transfer-Encoding (RFC 2045 6): which one, and
 * the base64 and quoted-printable decoders.
 *
 * Rules
 * - 7bit, 8bit, binary are the identity (6.2); an unknown encoding is the
 *   identity too, and a defect (6.4 says treat the part as
 *   application/octet-stream; keeping the bytes loses nothing).
 * - base64 (6.8): characters outside the alphabet are ignored (whitespace
 *   silently, others as a defect); "=" ends a quantum, and decoding goes on
 *   after it (concatenated base64); a final quantum without padding is
 *   decoded (defect); a lone final character is dropped (defect).
 * - quoted-printable (6.7): "=XX" is a byte (lower-case hex tolerated);
 *   "=" at the end of a line is a soft line break (rule 5), also with
 *   whitespace after it; trailing whitespace is removed (rule 3); an "="
 *   not followed by two hex digits is kept as is (defect).  Hard line
 *   breaks keep their form (CRLF or LF).
 */
#include <string.h>

#include "mime_int.h"

enum pfm_cte pfm_cte_of(struct pfm_ctx *c, const char *value)
{
	size_t n, i = 0;

	if (!value)
		return PFM_CTE_IDENTITY;
	n = strlen(value);
	pfm_skip_cfws(value, n, &i);
	value += i;
	n -= i;
	for (i = 0; i < n; i++)
		if (pfm_is_space(value[i]) || value[i] == '(' ||
		    value[i] == ';')
			break;
	n = i;
	if (pfm_ieq(value, n, "base64"))
		return PFM_CTE_BASE64;
	if (pfm_ieq(value, n, "quoted-printable"))
		return PFM_CTE_QP;
	if (!pfm_ieq(value, n, "7bit") && !pfm_ieq(value, n, "8bit") &&
	    !pfm_ieq(value, n, "binary") && n > 0)
		pfm_defect(c);
	return PFM_CTE_IDENTITY;
}

/* base64 alphabet values (RFC 2045 table 1); -2 '=', -3 whitespace,
 * -1 anything else. */
#define B64_PAD   -2
#define B64_SPACE -3
static const int8_t b64_val[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -3, -3, -1, -1, -3, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-3, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -2, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

struct b64 {
	uint32_t acc;
	unsigned q;          /* sextets in acc */
	bool junk, short_end;
};

/* Write the bytes of a partial quantum (q sextets) to D. */
static size_t b64_flush(struct b64 *st, uint8_t *d)
{
	size_t k = 0;

	if (st->q == 2) {
		d[k++] = (uint8_t)(st->acc >> 4);
	} else if (st->q == 3) {
		d[k++] = (uint8_t)(st->acc >> 10);
		d[k++] = (uint8_t)(st->acc >> 2);
	} else if (st->q == 1) {
		st->short_end = true;
	}
	st->q = 0;
	st->acc = 0;
	return k;
}

int pfm_base64_decode(struct pfm_ctx *c, const uint8_t *p, size_t n,
		      struct pfm_buf *out)
{
	struct b64 st = { 0, 0, false, false };
	uint8_t *d;
	size_t i, k = 0;
	int rc = pfm_buf_reserve(c, out, n / 4 * 3 + 3);

	if (rc != 0)
		return rc;
	d = (uint8_t *)out->p + out->n;
	for (i = 0; i < n; i++) {
		int v = b64_val[p[i]];

		if (st.q == 0 && v >= 0 && i + 4 <= n && (b64_val[p[i + 1]] |
		    b64_val[p[i + 2]] | b64_val[p[i + 3]]) >= 0) {
			uint32_t w = (uint32_t)v << 18 |
				     (uint32_t)b64_val[p[i + 1]] << 12 |
				     (uint32_t)b64_val[p[i + 2]] << 6 |
				     (uint32_t)b64_val[p[i + 3]];

			d[k++] = (uint8_t)(w >> 16);   /* a whole quantum */
			d[k++] = (uint8_t)(w >> 8);
			d[k++] = (uint8_t)w;
			i += 3;
		} else if (v >= 0) {
			st.acc = (st.acc << 6) | (uint32_t)v;
			if (++st.q == 4) {
				d[k++] = (uint8_t)(st.acc >> 16);
				d[k++] = (uint8_t)(st.acc >> 8);
				d[k++] = (uint8_t)st.acc;
				st.q = 0;
				st.acc = 0;
			}
		} else if (v == B64_PAD) {
			k += b64_flush(&st, d + k);
		} else if (v != B64_SPACE) {
			st.junk = true;
		}
	}
	if (st.q == 2 || st.q == 3)
		pfm_defect(c);          /* missing padding */
	k += b64_flush(&st, d + k);
	if (st.junk || st.short_end)
		pfm_defect(c);
	out->n += k;
	out->p[out->n] = '\0';
	return 0;
}

/* Decode one line's content Q[N] (no line end) into D; returns bytes. */
static size_t qp_line(struct pfm_ctx *c, const uint8_t *q, size_t n,
		      uint8_t *d)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		int h1, h2;

		if (q[i] != '=') {
			d[k++] = q[i];
			continue;
		}
		h1 = i + 1 < n ? pfm_hex((char)q[i + 1]) : -1;
		h2 = i + 2 < n ? pfm_hex((char)q[i + 2]) : -1;
		if (h1 < 0 || h2 < 0) {
			pfm_defect(c);
			d[k++] = '=';
			continue;
		}
		d[k++] = (uint8_t)(h1 * 16 + h2);
		i += 2;
	}
	return k;
}

int pfm_qp_decode(struct pfm_ctx *c, const uint8_t *p, size_t n,
		  struct pfm_buf *out)
{
	size_t i = 0, k = 0;
	uint8_t *d;
	int rc = pfm_buf_reserve(c, out, n);

	if (rc != 0)
		return rc;
	d = (uint8_t *)out->p + out->n;
	while (i < n) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - p) : n, e = end;
		bool crlf = e > i && p[e - 1] == '\r', soft = false;

		if (crlf)
			e--;
		while (e > i && pfm_is_wsp((char)p[e - 1]))
			e--;                     /* rule 3 */
		if (e > i && p[e - 1] == '=') {
			soft = true;             /* rule 5 */
			e--;
		}
		k += qp_line(c, p + i, e - i, d + k);
		if (nl && !soft) {
			if (crlf)
				d[k++] = '\r';
			d[k++] = '\n';
		}
		i = nl ? end + 1 : n;
	}
	out->n += k;
	out->p[out->n] = '\0';
	return 0;
}
