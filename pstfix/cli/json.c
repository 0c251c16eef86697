/*
 * json.c - the JSON writer behind json.h.
 *
 * Contract: see json.h.  The UTF-8 check is the Unicode Standard's table
 * 3-7 "well-formed UTF-8 byte sequences" (the ABNF of RFC 3629): a lead
 * byte fixes the length and the allowed range of the second byte, which
 * is what rules out overlong forms, UTF-16 surrogates and values above
 * U+10FFFF.  An invalid byte is replaced by one U+FFFD and decoding
 * resumes at the next byte, so one bad byte never swallows the good text
 * after it.
 */
#include <assert.h>
#include <inttypes.h>
#include <math.h>

#include "json.h"

void pf_json_init(struct pf_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->after_key = false;
	j->has_items[0] = false;
}

/* Before any value or key: the comma that separates it from the last. */
static void separate(struct pf_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->has_items[j->depth])
		putc(',', j->out);
	j->has_items[j->depth] = true;
}

static void open_container(struct pf_json *j, char c)
{
	separate(j);
	assert(j->depth < PF_JSON_MAX_DEPTH);
	putc(c, j->out);
	j->depth++;
	j->has_items[j->depth] = false;
}

static void close_container(struct pf_json *j, char c)
{
	assert(j->depth > 0 && !j->after_key);
	j->depth--;
	putc(c, j->out);
}

void pf_json_object_begin(struct pf_json *j) { open_container(j, '{'); }
void pf_json_object_end(struct pf_json *j)   { close_container(j, '}'); }
void pf_json_array_begin(struct pf_json *j)  { open_container(j, '['); }
void pf_json_array_end(struct pf_json *j)    { close_container(j, ']'); }

void pf_json_newline(struct pf_json *j)
{
	assert(j->depth == 0);
	putc('\n', j->out);
	j->has_items[0] = false;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;              /* overlong below U+0800 */
	else if (s[0] == 0xed)
		hi = 0x9f;              /* surrogates U+D800-U+DFFF */
	else if (s[0] == 0xf0)
		lo = 0x90;              /* overlong below U+10000 */
	else if (s[0] == 0xf4)
		hi = 0x8f;              /* above U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static void put_ascii(FILE *out, unsigned char c)
{
	switch (c) {
	case '"':  fputs("\\\"", out); return;
	case '\\': fputs("\\\\", out); return;
	case '\n': fputs("\\n", out); return;
	case '\r': fputs("\\r", out); return;
	case '\t': fputs("\\t", out); return;
	case '\b': fputs("\\b", out); return;
	case '\f': fputs("\\f", out); return;
	}
	if (c < 0x20 || c == 0x7f)
		fprintf(out, "\\u%04x", c);
	else
		putc(c, out);
}

void pf_json_strn(struct pf_json *j, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	separate(j);
	putc('"', j->out);
	while (i < n) {
		size_t len;

		if (s[i] < 0x80) {
			put_ascii(j->out, s[i++]);
			continue;
		}
		len = utf8_len(s + i, n - i);
		if (len == 0) {
			fputs("\\ufffd", j->out);
			i++;
			continue;
		}
		fwrite(s + i, 1, len, j->out);
		i += len;
	}
	putc('"', j->out);
}

void pf_json_str(struct pf_json *j, const char *s)
{
	size_t n = 0;

	if (!s) {
		pf_json_null(j);
		return;
	}
	while (s[n])
		n++;
	pf_json_strn(j, s, n);
}

void pf_json_key(struct pf_json *j, const char *key)
{
	assert(j->depth > 0 && !j->after_key);
	pf_json_str(j, key);
	putc(':', j->out);
	j->after_key = true;
}

void pf_json_u64(struct pf_json *j, uint64_t v)
{
	separate(j);
	fprintf(j->out, "%" PRIu64, v);
}

void pf_json_i64(struct pf_json *j, int64_t v)
{
	separate(j);
	fprintf(j->out, "%" PRId64, v);
}

void pf_json_hex(struct pf_json *j, uint64_t v)
{
	separate(j);
	fprintf(j->out, "\"0x%" PRIx64 "\"", v);
}

void pf_json_bool(struct pf_json *j, bool v)
{
	separate(j);
	fputs(v ? "true" : "false", j->out);
}

void pf_json_null(struct pf_json *j)
{
	separate(j);
	fputs("null", j->out);
}

void pf_json_fixed(struct pf_json *j, double v, int decimals)
{
	/* JSON has no NaN or Infinity; a clock gone wrong must not make
	 * the whole line unparsable. */
	if (!isfinite(v)) {
		pf_json_null(j);
		return;
	}
	separate(j);
	fprintf(j->out, "%.*f", decimals, v);
}

void pf_json_kv_str(struct pf_json *j, const char *key, const char *s)
{
	pf_json_key(j, key);
	pf_json_str(j, s);
}

void pf_json_kv_u64(struct pf_json *j, const char *key, uint64_t v)
{
	pf_json_key(j, key);
	pf_json_u64(j, v);
}

void pf_json_kv_i64(struct pf_json *j, const char *key, int64_t v)
{
	pf_json_key(j, key);
	pf_json_i64(j, v);
}

void pf_json_kv_hex(struct pf_json *j, const char *key, uint64_t v)
{
	pf_json_key(j, key);
	pf_json_hex(j, v);
}

void pf_json_kv_bool(struct pf_json *j, const char *key, bool v)
{
	pf_json_key(j, key);
	pf_json_bool(j, v);
}
