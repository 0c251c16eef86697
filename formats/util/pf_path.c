/*
 * pf_path.c - folder paths as text: names joined by '/', escaped so that a
 * path is unambiguous, printable and canonical (see pf_path.h).
 *
 * Contract: the escaper and the validator share one classification
 * (classify()), so every path pf_path_append() makes is one
 * pf_path_valid() accepts, and no other spelling of the same name is.
 * `pstfix ls` and the libpff cross-check both spell paths this way, so a
 * path one prints is the path the other compares.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pf_err.h"
#include "pf_path.h"

static const char hexdig[] = "0123456789ABCDEF";

/* ---- UTF-8 and the escaping rule ---- */

/* Length of the well-formed UTF-8 sequence at b (RFC 3629), or 0. */
static size_t utf8_len(const unsigned char *b, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len;

	if (b[0] < 0x80)
		return 1;
	if (b[0] >= 0xC2 && b[0] <= 0xDF)
		len = 2;
	else if (b[0] >= 0xE0 && b[0] <= 0xEF)
		len = 3;
	else if (b[0] >= 0xF0 && b[0] <= 0xF4)
		len = 4;
	else
		return 0;
	if (b[0] == 0xE0)
		lo = 0xA0;
	else if (b[0] == 0xED)
		hi = 0x9F;
	else if (b[0] == 0xF0)
		lo = 0x90;
	else if (b[0] == 0xF4)
		hi = 0x8F;
	if (avail < len || b[1] < lo || b[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (b[i] < 0x80 || b[i] > 0xBF)
			return 0;
	return len;
}

static bool ascii_needs_escape(unsigned char c)
{
	return c < 0x20 || c == 0x7F || c == '/' || c == '%';
}

/* The unit of escaping at b: returns its length (>= 1) and sets *esc when
 * all of its bytes are written as %XX. */
static size_t classify(const unsigned char *b, size_t avail, bool *esc)
{
	size_t len;

	if (b[0] < 0x80) {
		*esc = ascii_needs_escape(b[0]);
		return 1;
	}
	len = utf8_len(b, avail);
	if (len == 0) {
		*esc = true;
		return 1;
	}
	*esc = b[0] == 0xC2 && b[1] < 0xA0; /* C1 control */
	return len;
}

/* Escaped length of name, or SIZE_MAX once past limit. */
static size_t escaped_len(const unsigned char *name, size_t n, size_t limit)
{
	size_t out = 0, i = 0;
	bool esc;

	if (n == 0)
		return 3;
	while (i < n) {
		size_t u = classify(name + i, n - i, &esc);

		out += esc ? 3 * u : u;
		if (out > limit)
			return SIZE_MAX;
		i += u;
	}
	return out;
}

static void escape_into(char *dst, const unsigned char *name, size_t n)
{
	size_t i = 0;
	bool esc;

	if (n == 0) {
		memcpy(dst, "%00", 3);
		return;
	}
	while (i < n) {
		size_t u = classify(name + i, n - i, &esc);

		for (size_t k = 0; k < u; k++) {
			unsigned char c = name[i + k];

			if (!esc) {
				*dst++ = (char)c;
				continue;
			}
			*dst++ = '%';
			*dst++ = hexdig[c >> 4];
			*dst++ = hexdig[c & 15];
		}
		i += u;
	}
}

int pf_path_append(char *buf, size_t cb, size_t *len, const char *name,
		    size_t name_len)
{
	size_t sep = *len > 0 ? 1 : 0, room, need;

	if (*len > PF_PATH_MAX || *len >= cb)
		return pf_error_set(PF_E_LIMIT, "folder path too long");
	room = PF_PATH_MAX - *len;
	if (cb - *len - 1 < room)
		room = cb - *len - 1;
	need = escaped_len((const unsigned char *)name, name_len, room);
	if (need == SIZE_MAX || sep + need > room)
		return pf_error_set(PF_E_LIMIT,
				    "folder path longer than %u bytes",
				    (unsigned)PF_PATH_MAX);
	if (sep)
		buf[(*len)++] = '/';
	escape_into(buf + *len, (const unsigned char *)name, name_len);
	*len += need;
	buf[*len] = '\0';
	return 0;
}

/* ---- the validator ---- */

struct unit {
	unsigned char byte;
	bool esc;      /* written as %XX */
	size_t width;  /* characters of the path it took */
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode one raw byte at p[0..n); 0 if malformed. */
static bool decode_unit(const char *p, size_t n, struct unit *u)
{
	int h, l;

	if (p[0] != '%') {
		u->byte = (unsigned char)p[0];
		u->esc = false;
		u->width = 1;
		return true;
	}
	if (n < 3 || (h = hexval(p[1])) < 0 || (l = hexval(p[2])) < 0)
		return false;
	u->byte = (unsigned char)(h << 4 | l);
	u->esc = true;
	u->width = 3;
	return true;
}

/* Check one component c[0..n) (no '/'); canonical iff re-escaping its
 * decoded bytes gives it back. */
static bool valid_component(const char *c, size_t n)
{
	size_t pos = 0;

	if (n == 0)
		return false;
	while (pos < n) {
		struct unit u[4];
		unsigned char raw[4];
		size_t nu = 0, at = pos, len;
		bool esc;

		while (nu < 4 && at < n) {
			if (!decode_unit(c + at, n - at, &u[nu]))
				return false;
			raw[nu] = u[nu].byte;
			at += u[nu++].width;
		}
		len = classify(raw, nu, &esc);
		for (size_t k = 0; k < len; k++) {
			if (u[k].esc != esc)
				return false;
			pos += u[k].width;
		}
	}
	return true;
}

int pf_path_valid(const char *p, size_t n)
{
	size_t start = 0, depth = 0;

	if (n == 0)
		return 1;
	if (n > PF_PATH_MAX)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		if (++depth > PF_PATH_MAX_DEPTH ||
		    !valid_component(p + start, i - start))
			return 0;
		start = i + 1;
	}
	return 1;
}

