/*
 * ltpw_prop.c - struct pf_wprop values from C values (pf_wprop.h).
 *
 * Contract: see pf_wprop.h.  The arena is a list of chunks (4 KiB, or one
 * chunk of its own for a bigger value); nothing is freed before
 * pf_wprop_arena_free().  Layouts: MS-PST 2.3.3.4 for multi-valued types,
 * MS-OXCDATA 2.11.1 for the fixed-size ones.  UTF-8 decoding never fails:
 * a byte that does not start a valid sequence (bad lead or continuation,
 * overlong form, surrogate, past U+10FFFF) reads as U+FFFD and decoding
 * resumes at the next byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/pf_le.h"
#include "pf_wprop.h"

#define CHUNK_CB 4096u

struct pf_wprop_chunk {
	struct pf_wprop_chunk *next;
	size_t cap, used;
	uint8_t data[];
};

/* ---- the arena ---- */

void pf_wprop_arena_init(struct pf_wprop_arena *a)
{
	a->head = NULL;
	a->err = 0;
}

void pf_wprop_arena_free(struct pf_wprop_arena *a)
{
	struct pf_wprop_chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
	a->err = 0;
}

static int fail(struct pf_wprop_arena *a, int rc)
{
	if (a->err == 0)
		a->err = rc;
	return rc;
}

static struct pf_wprop_chunk *new_chunk(size_t cap)
{
	struct pf_wprop_chunk *c = malloc(sizeof(*c) + cap);

	if (c) {
		c->next = NULL;
		c->cap = cap;
		c->used = 0;
	}
	return c;
}

int pf_wprop_arena_alloc(struct pf_wprop_arena *a, size_t cb, uint8_t **p)
{
	struct pf_wprop_chunk *c = a->head;
	size_t need = cb ? cb : 1;

	*p = NULL;
	if (a->err)
		return pf_error_set(a->err, "an earlier value failed");
	if (cb > PF_NODE_DATA_MAX)
		return fail(a, pf_error_set(PF_E_LIMIT, "a value of %zu bytes "
					    "(max %u)", cb, PF_NODE_DATA_MAX));
	if (!c || c->cap - c->used < need) {
		c = new_chunk(need > CHUNK_CB / 2 ? need : CHUNK_CB);
		if (!c)
			return fail(a, pf_error_set(PF_E_NOMEM, "out of "
						    "memory (values)"));
		if (need > CHUNK_CB / 2 && a->head) {
			c->next = a->head->next;   /* keep head's free room */
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	*p = c->data + c->used;
	c->used += need;
	return 0;
}

/* *OUT = TAG with a copy of CB bytes of SRC (SRC NULL: left to fill). */
static int make(struct pf_wprop_arena *a, struct pf_wprop *out,
		uint32_t tag, const void *src, size_t cb, uint8_t **dst)
{
	uint8_t *p;
	int rc;

	*out = (struct pf_wprop){ .tag = tag };
	rc = pf_wprop_arena_alloc(a, cb, &p);
	if (rc < 0)
		return rc;
	if (src && cb)
		memcpy(p, src, cb);
	out->p = p;
	out->cb = cb;
	if (dst)
		*dst = p;
	return 0;
}

static int usage(struct pf_wprop_arena *a, struct pf_wprop *out,
		 uint32_t tag, const char *what)
{
	*out = (struct pf_wprop){ .tag = tag };
	if (a->err)
		return pf_error_set(a->err, "an earlier value failed");
	return fail(a, pf_error_set(PF_E_USAGE, "property %#010x: %s", tag,
				    what));
}

/* ---- fixed-size values ---- */

static int make_u16(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint32_t tag, uint16_t v)
{
	uint8_t b[2];

	pf_put16(b, v);
	return make(a, out, tag, b, 2, NULL);
}

static int make_u32(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint32_t tag, uint32_t v)
{
	uint8_t b[4];

	pf_put32(b, v);
	return make(a, out, tag, b, 4, NULL);
}

static int make_u64(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint32_t tag, uint64_t v)
{
	uint8_t b[8];

	pf_put64(b, v);
	return make(a, out, tag, b, 8, NULL);
}

static uint64_t f64_bits(double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	return u;
}

int pf_wprop_i16(struct pf_wprop_arena *a, struct pf_wprop *out,
		 uint16_t id, int16_t v)
{
	return make_u16(a, out, PF_PROP_TAG(id, PF_PT_INT16), (uint16_t)v);
}

int pf_wprop_i32(struct pf_wprop_arena *a, struct pf_wprop *out,
		 uint16_t id, int32_t v)
{
	return make_u32(a, out, PF_PROP_TAG(id, PF_PT_INT32), (uint32_t)v);
}

int pf_wprop_i64(struct pf_wprop_arena *a, struct pf_wprop *out,
		 uint16_t id, int64_t v)
{
	return make_u64(a, out, PF_PROP_TAG(id, PF_PT_INT64), (uint64_t)v);
}

int pf_wprop_f32(struct pf_wprop_arena *a, struct pf_wprop *out,
		 uint16_t id, float v)
{
	uint32_t u;

	memcpy(&u, &v, sizeof(u));
	return make_u32(a, out, PF_PROP_TAG(id, PF_PT_FLOAT32), u);
}

int pf_wprop_f64(struct pf_wprop_arena *a, struct pf_wprop *out,
		 uint16_t id, double v)
{
	return make_u64(a, out, PF_PROP_TAG(id, PF_PT_FLOAT64), f64_bits(v));
}

int pf_wprop_currency(struct pf_wprop_arena *a, struct pf_wprop *out,
		      uint16_t id, int64_t v)
{
	return make_u64(a, out, PF_PROP_TAG(id, PF_PT_CURRENCY), (uint64_t)v);
}

int pf_wprop_floating_time(struct pf_wprop_arena *a, struct pf_wprop *out,
			   uint16_t id, double v)
{
	return make_u64(a, out, PF_PROP_TAG(id, PF_PT_FLOATINGTIME),
			f64_bits(v));
}

int pf_wprop_error(struct pf_wprop_arena *a, struct pf_wprop *out,
		   uint16_t id, uint32_t v)
{
	return make_u32(a, out, PF_PROP_TAG(id, PF_PT_ERROR), v);
}

int pf_wprop_bool(struct pf_wprop_arena *a, struct pf_wprop *out,
		  uint16_t id, bool v)
{
	uint8_t b = v ? 1 : 0;

	return make(a, out, PF_PROP_TAG(id, PF_PT_BOOLEAN), &b, 1, NULL);
}

int pf_wprop_time(struct pf_wprop_arena *a, struct pf_wprop *out,
		  uint16_t id, uint64_t filetime)
{
	return make_u64(a, out, PF_PROP_TAG(id, PF_PT_TIME), filetime);
}

int pf_wprop_guid(struct pf_wprop_arena *a, struct pf_wprop *out,
		  uint16_t id, const uint8_t guid[16])
{
	uint32_t tag = PF_PROP_TAG(id, PF_PT_GUID);

	if (!guid)
		return usage(a, out, tag, "no GUID");
	return make(a, out, tag, guid, 16, NULL);
}

int pf_wprop_object(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint16_t id, uint32_t nid, uint32_t size)
{
	uint8_t b[8];

	pf_put32(b, nid);                             /* MS-PST 2.3.3.5 */
	pf_put32(b + 4, size);
	return make(a, out, PF_PROP_TAG(id, PF_PT_OBJECT), b, 8, NULL);
}

int pf_wprop_binary(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint16_t id, const void *p, size_t cb)
{
	return pf_wprop_raw(a, out, PF_PROP_TAG(id, PF_PT_BINARY), p, cb);
}

int pf_wprop_raw(struct pf_wprop_arena *a, struct pf_wprop *out,
		 uint32_t tag, const void *p, size_t cb)
{
	if (!p && cb)
		return usage(a, out, tag, "bytes at NULL");
	return make(a, out, tag, p, cb, NULL);
}

void pf_wprop_absent(struct pf_wprop *out, uint32_t tag)
{
	*out = (struct pf_wprop){ .tag = tag };
}

/* ---- text ---- */

static uint32_t cont_bits(const unsigned char *s, size_t len, size_t i,
			  unsigned n, bool *ok)
{
	uint32_t v = 0;
	unsigned k;

	*ok = i + n < len;
	for (k = 1; *ok && k <= n; k++) {
		if ((s[i + k] & 0xC0) != 0x80)
			*ok = false;
		else
			v = (v << 6) | (s[i + k] & 0x3Fu);
	}
	return v;
}

/* The code point at S[*I] (of LEN bytes); *I moves past it. */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *i)
{
	static const uint32_t min_cp[4] = { 0, 0x80, 0x800, 0x10000 };
	unsigned char c = s[*i];
	unsigned n;
	uint32_t cp;
	bool ok;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if ((c & 0xE0) == 0xC0)
		n = 1;
	else if ((c & 0xF0) == 0xE0)
		n = 2;
	else if ((c & 0xF8) == 0xF0)
		n = 3;
	else
		n = 0;
	cp = n ? cont_bits(s, len, *i, n, &ok) : 0;
	if (n == 0 || !ok) {
		(*i)++;
		return 0xFFFD;
	}
	cp |= (uint32_t)(c & (0x3Fu >> n)) << (6 * n);
	if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
		(*i)++;
		return 0xFFFD;
	}
	*i += n + 1;
	return cp;
}

/* Code point CP as UTF-16LE at OUT (NULL: only count); bytes used. */
static size_t put_utf16(uint8_t *out, uint32_t cp)
{
	if (cp < 0x10000) {
		if (out)
			pf_put16(out, (uint16_t)cp);
		return 2;
	}
	cp -= 0x10000;                        /* a surrogate pair */
	if (out) {
		pf_put16(out, (uint16_t)(0xD800 | cp >> 10));
		pf_put16(out + 2, (uint16_t)(0xDC00 | (cp & 0x3FF)));
	}
	return 4;
}

size_t pf_utf8_to_utf16le(const char *utf8, size_t len, uint8_t *out)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t i = 0, o = 0;

	while (i < len)
		o += put_utf16(out ? out + o : NULL, next_cp(s, len, &i));
	return o;
}

/* Windows-1252's 0x80-0x9F; other code points < 0x100 map to themselves. */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static uint8_t to_1252(uint32_t cp)
{
	unsigned k;

	if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
		return (uint8_t)cp;
	for (k = 0; k < 32; k++)
		if (cp1252_high[k] != 0 && cp1252_high[k] == cp)
			return (uint8_t)(0x80 + k);
	return '?';
}

size_t pf_utf8_to_cp1252_html(const char *utf8, size_t len, uint8_t *out)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t i = 0, o = 0;

	while (i < len) {
		uint32_t cp = next_cp(s, len, &i);
		uint8_t b = to_1252(cp);
		char ref[16];
		int n;

		if (b != '?' || cp == '?') {
			if (out)
				out[o] = b;
			o++;
			continue;
		}
		n = snprintf(ref, sizeof(ref), "&#%u;", (unsigned)cp);
		if (out)
			memcpy(out + o, ref, (size_t)n);
		o += (size_t)n;
	}
	return o;
}

size_t pf_utf8_to_cp1252(const char *utf8, size_t len, uint8_t *out)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t i = 0, o = 0;

	while (i < len) {
		uint32_t cp = next_cp(s, len, &i);

		if (out)
			out[o] = to_1252(cp);
		o++;
	}
	return o;
}

typedef size_t (*conv_fn)(const char *, size_t, uint8_t *);

static int make_text(struct pf_wprop_arena *a, struct pf_wprop *out,
		     uint32_t tag, const char *utf8, size_t len, conv_fn conv)
{
	uint8_t *p;
	int rc;

	if (!utf8)
		len = 0;
	rc = make(a, out, tag, NULL, conv(utf8, len, NULL), &p);
	if (rc == 0)
		conv(utf8, len, p);
	return rc;
}

int pf_wprop_string_n(struct pf_wprop_arena *a, struct pf_wprop *out,
		      uint16_t id, const char *utf8, size_t len)
{
	return make_text(a, out, PF_PROP_TAG(id, PF_PT_STRING), utf8, len,
			 pf_utf8_to_utf16le);
}

int pf_wprop_string(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint16_t id, const char *utf8)
{
	return pf_wprop_string_n(a, out, id, utf8, utf8 ? strlen(utf8) : 0);
}

int pf_wprop_string8(struct pf_wprop_arena *a, struct pf_wprop *out,
		     uint16_t id, const char *utf8)
{
	return make_text(a, out, PF_PROP_TAG(id, PF_PT_STRING8), utf8,
			 utf8 ? strlen(utf8) : 0, pf_utf8_to_cp1252);
}

int pf_wprop_str(struct pf_wprop_arena *a, struct pf_wprop *out,
		 uint16_t id, const char *utf8, enum pf_variant variant)
{
	if (variant == PF_ANSI)
		return pf_wprop_string8(a, out, id, utf8);
	return pf_wprop_string(a, out, id, utf8);
}

/* ---- multi-valued, fixed-size elements (2.3.3.4.1) ---- */

typedef void (*put_fn)(uint8_t *dst, const void *src, uint32_t i);

static int make_mv_fixed(struct pf_wprop_arena *a, struct pf_wprop *out,
			 uint32_t tag, const void *v, uint32_t n,
			 size_t elem, put_fn put)
{
	uint8_t *p;
	uint32_t i;
	int rc;

	if (!v && n)
		return usage(a, out, tag, "no elements");
	if ((size_t)n > PF_NODE_DATA_MAX / elem)
		return usage(a, out, tag, "too many elements");
	rc = make(a, out, tag, NULL, (size_t)n * elem, &p);
	for (i = 0; rc == 0 && i < n; i++)
		put(p + (size_t)i * elem, v, i);
	return rc;
}

static void put_i16(uint8_t *d, const void *s, uint32_t i)
{
	pf_put16(d, (uint16_t)((const int16_t *)s)[i]);
}

static void put_i32(uint8_t *d, const void *s, uint32_t i)
{
	pf_put32(d, (uint32_t)((const int32_t *)s)[i]);
}

static void put_i64(uint8_t *d, const void *s, uint32_t i)
{
	pf_put64(d, (uint64_t)((const int64_t *)s)[i]);
}

static void put_f64(uint8_t *d, const void *s, uint32_t i)
{
	pf_put64(d, f64_bits(((const double *)s)[i]));
}

static void put_u64(uint8_t *d, const void *s, uint32_t i)
{
	pf_put64(d, ((const uint64_t *)s)[i]);
}

static void put_guid(uint8_t *d, const void *s, uint32_t i)
{
	memcpy(d, ((const uint8_t (*)[16])s)[i], 16);
}

int pf_wprop_mv_i16(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint16_t id, const int16_t *v, uint32_t n)
{
	return make_mv_fixed(a, out, PF_PROP_TAG(id, PF_PT_MV_INT16), v, n,
			     2, put_i16);
}

int pf_wprop_mv_i32(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint16_t id, const int32_t *v, uint32_t n)
{
	return make_mv_fixed(a, out, PF_PROP_TAG(id, PF_PT_MV_INT32), v, n,
			     4, put_i32);
}

int pf_wprop_mv_i64(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint16_t id, const int64_t *v, uint32_t n)
{
	return make_mv_fixed(a, out, PF_PROP_TAG(id, PF_PT_MV_INT64), v, n,
			     8, put_i64);
}

int pf_wprop_mv_f64(struct pf_wprop_arena *a, struct pf_wprop *out,
		    uint16_t id, const double *v, uint32_t n)
{
	return make_mv_fixed(a, out, PF_PROP_TAG(id, PF_PT_MV_FLOAT64), v, n,
			     8, put_f64);
}

int pf_wprop_mv_time(struct pf_wprop_arena *a, struct pf_wprop *out,
		     uint16_t id, const uint64_t *filetimes, uint32_t n)
{
	return make_mv_fixed(a, out, PF_PROP_TAG(id, PF_PT_MV_TIME),
			     filetimes, n, 8, put_u64);
}

int pf_wprop_mv_guid(struct pf_wprop_arena *a, struct pf_wprop *out,
		     uint16_t id, const uint8_t (*guids)[16], uint32_t n)
{
	return make_mv_fixed(a, out, PF_PROP_TAG(id, PF_PT_MV_GUID), guids,
			     n, 16, put_guid);
}

/* ---- multi-valued, variable-size elements (2.3.3.4.2) ---- */

/* Item I's bytes: its size, or written to DST when DST is not NULL. */
typedef size_t (*item_fn)(const void *ctx, uint32_t i, uint8_t *dst);

struct str_items {
	const char *const *s;
	conv_fn conv;
};

static size_t str_item(const void *ctx, uint32_t i, uint8_t *dst)
{
	const struct str_items *c = ctx;
	const char *s = c->s[i] ? c->s[i] : "";

	return c->conv(s, strlen(s), dst);
}

struct bin_items {
	const void *const *p;
	const size_t *cbs;
};

static size_t bin_item(const void *ctx, uint32_t i, uint8_t *dst)
{
	const struct bin_items *c = ctx;

	if (dst && c->cbs[i])
		memcpy(dst, c->p[i], c->cbs[i]);
	return c->cbs[i];
}

/* ulCount, rgulDataOffsets[ulCount] (from the start of the value), then
 * the items back to back.  An empty list is ulCount 0 alone. */
static int make_mv_var(struct pf_wprop_arena *a, struct pf_wprop *out,
		       uint32_t tag, uint32_t n, item_fn item,
		       const void *ctx)
{
	uint64_t total = 4 + 4 * (uint64_t)n;
	uint8_t *p;
	uint32_t i;
	int rc;

	for (i = 0; i < n && total <= PF_NODE_DATA_MAX; i++)
		total += item(ctx, i, NULL);
	if (total > PF_NODE_DATA_MAX)
		return usage(a, out, tag, "values too large");
	rc = make(a, out, tag, NULL, (size_t)total, &p);
	if (rc < 0)
		return rc;
	pf_put32(p, n);
	total = 4 + 4 * (uint64_t)n;
	for (i = 0; i < n; i++) {
		pf_put32(p + 4 + 4 * (size_t)i, (uint32_t)total);
		total += item(ctx, i, p + total);
	}
	return 0;
}

static int make_mv_str(struct pf_wprop_arena *a, struct pf_wprop *out,
		       uint32_t tag, const char *const *utf8, uint32_t n,
		       conv_fn conv)
{
	struct str_items c = { utf8, conv };

	if (!utf8 && n)
		return usage(a, out, tag, "no strings");
	return make_mv_var(a, out, tag, n, str_item, &c);
}

int pf_wprop_mv_string(struct pf_wprop_arena *a, struct pf_wprop *out,
		       uint16_t id, const char *const *utf8, uint32_t n)
{
	return make_mv_str(a, out, PF_PROP_TAG(id, PF_PT_MV_STRING), utf8, n,
			   pf_utf8_to_utf16le);
}

int pf_wprop_mv_string8(struct pf_wprop_arena *a, struct pf_wprop *out,
			uint16_t id, const char *const *utf8, uint32_t n)
{
	return make_mv_str(a, out, PF_PROP_TAG(id, PF_PT_MV_STRING8), utf8,
			   n, pf_utf8_to_cp1252);
}

int pf_wprop_mv_binary(struct pf_wprop_arena *a, struct pf_wprop *out,
		       uint16_t id, const void *const *p, const size_t *cbs,
		       uint32_t n)
{
	struct bin_items c = { p, cbs };
	uint32_t tag = PF_PROP_TAG(id, PF_PT_MV_BINARY), i;

	if (n && (!p || !cbs))
		return usage(a, out, tag, "no items");
	for (i = 0; i < n; i++)
		if (!p[i] && cbs[i])
			return usage(a, out, tag, "item bytes at NULL");
	return make_mv_var(a, out, tag, n, bin_item, &c);
}
