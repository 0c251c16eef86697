/*
 * mimew_enc.c - content transfer encodings and the small text helpers of
 * the writer: base64 (RFC 2045 6.8), quoted-printable (RFC 2045 6.7),
 * the 7bit test (RFC 2045 2.7, RFC 5322 2.1.1), line-end normalisation,
 * RFC 2047 B encoded-words (RFC 2047 4.1, 5, 6.3) and FNV-1a.
 *
 * Every output line ends CRLF and none passes 76 octets (base64, QP) or
 * 75 (an encoded-word).
 */
#include <stdlib.h>
#include <string.h>

#include "mimew_int.h"

uint64_t pmw_fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

bool pmw_is_7bit(const uint8_t *p, size_t n)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (c == 0 || c >= 0x80)
			return false;
		if (c == '\r') {
			if (i + 1 >= n || p[i + 1] != '\n')
				return false;
			i++;
			col = 0;
			continue;
		}
		if (c == '\n')
			return false;
		if (++col > PMW_LINE_MAX)
			return false;
		if (c == '=' && i + 4 < n && memcmp(p + i, "=_pf_", 5) == 0)
			return false;
	}
	return true;
}

void pmw_put_crlf(struct pf_mimew_buf *out, const uint8_t *p, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\r' && p[i] != '\n')
			continue;
		pmw_put(out, p + start, i - start);
		pmw_put(out, "\r\n", 2);
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	pmw_put(out, p + start, n - start);
}

size_t pmw_u8len(const char *s)
{
	unsigned char c = (unsigned char)s[0];
	size_t len = 1, i;

	if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else if (c >= 0xE0)
		len = c <= 0xEF ? 3 : 1;
	else if (c >= 0xC2)
		len = 2;
	for (i = 1; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			return 1;
	return len;
}

char *pmw_clean(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		return NULL;
	for (char *q = d; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7F)
			*q = ' ';
	return d;
}

bool pmw_ascii_print(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E)
			return false;
	return true;
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The base64 of up to 3 bytes into 4 characters. */
static void b64_quad(const uint8_t *p, size_t n, char q[4])
{
	uint32_t v = (uint32_t)p[0] << 16;

	if (n > 1)
		v |= (uint32_t)p[1] << 8;
	if (n > 2)
		v |= p[2];
	q[0] = b64[(v >> 18) & 63];
	q[1] = b64[(v >> 12) & 63];
	q[2] = n > 1 ? b64[(v >> 6) & 63] : '=';
	q[3] = n > 2 ? b64[v & 63] : '=';
}

/* The base64 alphabet as an integer constant expression, and from it
 * every pair of characters that 12 bits make (8 KiB, built by the
 * compiler): half the lookups and stores of one character at a time. */
#define B64C(v) ((char)((v) < 26 ? 'A' + (v) : (v) < 52 ? 'a' + (v) - 26 : \
			(v) < 62 ? '0' + (v) - 52 : (v) == 62 ? '+' : '/'))
#define B64P(i) { B64C((i) >> 6), B64C((i) & 63) }
#define B64P4(i) B64P(i), B64P((i) + 1), B64P((i) + 2), B64P((i) + 3)
#define B64P16(i) B64P4(i), B64P4((i) + 4), B64P4((i) + 8), B64P4((i) + 12)
#define B64P64(i) B64P16(i), B64P16((i) + 16), B64P16((i) + 32), \
		  B64P16((i) + 48)
#define B64P256(i) B64P64(i), B64P64((i) + 64), B64P64((i) + 128), \
		   B64P64((i) + 192)
#define B64P1024(i) B64P256(i), B64P256((i) + 256), B64P256((i) + 512), \
		    B64P256((i) + 768)

static const char b64pair[4096][2] = {
	B64P1024(0), B64P1024(1024), B64P1024(2048), B64P1024(3072)
};

/* 57 bytes make one full 76-character line; the output's size is known
 * before the first byte, so it is reserved once and written in place
 * (this runs over every attachment byte of an export). */
void pf_mimew_base64(struct pf_mimew_buf *out, const uint8_t *p, size_t n)
{
	size_t full = n / 57, rest = n % 57;
	size_t cb = full * 78 + (rest ? (rest + 2) / 3 * 4 + 2 : 0);
	char *d = n ? pmw_room(out, cb) : NULL;

	if (!d)
		return;
	for (size_t l = 0; l < full; l++, p += 57) {
		for (size_t i = 0; i < 57; i += 3, d += 4) {
			uint32_t v = (uint32_t)p[i] << 16 |
				     (uint32_t)p[i + 1] << 8 | p[i + 2];

			memcpy(d, b64pair[v >> 12], 2);
			memcpy(d + 2, b64pair[v & 4095], 2);
		}
		*d++ = '\r';
		*d++ = '\n';
	}
	if (!rest)
		return;
	for (size_t i = 0; i < rest; i += 3, d += 4)
		b64_quad(p + i, rest - i < 3 ? rest - i : 3, d);
	*d++ = '\r';
	*d = '\n';
}

/* One QP line (no line end in P[N]); soft breaks keep each output line at
 * 76 octets or fewer. */
#define QP_CHUNK 4096

/* Bytes [I, END) of a QP line of N, from column *COL, written in place
 * into room reserved for the worst case (3 characters a byte, a soft
 * break each 25 bytes), the rest given back. */
static void qp_chunk(struct pf_mimew_buf *out, const uint8_t *p, size_t i,
		     size_t end, size_t n, size_t *col)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t most = 3 * (end - i) + 3 * ((end - i) / 25 + 1);
	char *d = pmw_room(out, most), *d0 = d;

	if (!d)
		return;
	for (; i < end; i++) {
		uint8_t c = p[i];
		size_t len = 1;
		bool last = i + 1 == n;

		if (c == '=' || c < 0x20 || c > 0x7E || (c == ' ' && last))
			len = 3;
		/* room for the soft break "=" unless this ends the line */
		if (*col + len > (last ? 76u : 75u)) {
			memcpy(d, "=\r\n", 3);
			d += 3;
			*col = 0;
		}
		if (len == 3) {
			d[0] = '=';
			d[1] = hex[c >> 4];
			d[2] = hex[c & 15];
		} else {
			d[0] = (char)c;
		}
		d += len;
		*col += len;
	}
	out->n -= most - (size_t)(d - d0);
	out->p[out->n] = '\0';
}

static void qp_line(struct pf_mimew_buf *out, const uint8_t *p, size_t n,
		    bool soft_end)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i += QP_CHUNK)
		qp_chunk(out, p, i, n - i < QP_CHUNK ? n : i + QP_CHUNK, n,
			 &col);
	pmw_put(out, soft_end ? "=\r\n" : "\r\n", soft_end ? 3 : 2);
}

void pf_mimew_qp(struct pf_mimew_buf *out, const uint8_t *p, size_t n)
{
	pmw_qp(out, p, n, false);
}

void pmw_qp(struct pf_mimew_buf *out, const uint8_t *p, size_t n,
	    bool soft_end)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && p[i] != '\r' && p[i] != '\n')
			continue;
		/* a text ending with a line end gets an empty last line:
		 * the CRLF before the next boundary belongs to the boundary
		 * (RFC 2046 5.1.1), so the text's own line end survives */
		qp_line(out, p + start, i - start, soft_end && i == n);
		if (i < n && p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			i++;
		start = i + 1;
	}
}

void pf_mimew_ew(struct pf_mimew_buf *out, const char *s)
{
	size_t n = strlen(s), i = 0;
	bool first = true;

	while (i < n) {
		size_t take = 0;
		char q[4];

		/* whole characters only (RFC 2047 6.3) */
		while (i + take < n) {
			size_t l = pmw_u8len(s + i + take);

			if (take + l > PMW_EW_BYTES)
				break;
			take += l;
		}
		if (!first)
			pmw_putc(out, ' ');
		first = false;
		pmw_puts(out, "=?utf-8?B?");
		for (size_t k = 0; k < take; k += 3) {
			b64_quad((const uint8_t *)s + i + k,
				 take - k < 3 ? take - k : 3, q);
			pmw_put(out, q, 4);
		}
		pmw_puts(out, "?=");
		i += take;
	}
}
