/*
 * msgw_plist.c - property lists for the messaging writer: C values in,
 * struct pf_wprop out, with the bytes in the list's own arena.
 *
 * Contract: every add copies what it is given; the first failure is kept
 * in l->err and makes later adds no-ops, so a caller builds a whole list
 * and checks once.  Strings are UTF-8 in; in Unicode files they become
 * PtypString (UTF-16LE, MS-PST 2.3.3.3 stores no terminator), in ANSI
 * files PtypString8 in Windows-1252 (characters 1252 lacks become '?').
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_grow.h"
#include "../util/pf_le.h"
#include "msgw_int.h"

void pf_plist_init(struct pf_plist *l, bool unicode)
{
	memset(l, 0, sizeof(*l));
	l->unicode = unicode;
}

void pf_plist_free(struct pf_plist *l)
{
	for (size_t i = 0; i < l->narena; i++)
		free(l->arena[i]);
	free(l->arena);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Keep BUF (taking ownership) and append the property. */
static void push(struct pf_plist *l, uint32_t tag, uint8_t *buf, size_t cb)
{
	if (l->err == 0 &&
	    (pf_grow(&l->v, l->n, &l->cap, sizeof(*l->v)) != 0 ||
	     pf_grow(&l->arena, l->narena, &l->caparena,
		     sizeof(*l->arena)) != 0))
		l->err = PF_E_NOMEM;
	if (l->err != 0) {
		free(buf);
		return;
	}
	if (buf)
		l->arena[l->narena++] = buf;
	l->v[l->n++] = (struct pf_wprop){ .tag = tag, .p = buf, .cb = cb };
}

static void push_copy(struct pf_plist *l, uint32_t tag, const void *p,
		      size_t cb)
{
	uint8_t *buf = malloc(cb ? cb : 1);

	if (!buf) {
		l->err = l->err ? l->err : PF_E_NOMEM;
		return;
	}
	memcpy(buf, p, cb);
	push(l, tag, buf, cb);
}

/* One code point from UTF-8; invalid bytes read as U+FFFD. */
static uint32_t next_cp(const unsigned char **s)
{
	const unsigned char *p = *s;
	uint32_t cp;
	int extra;

	if (p[0] < 0x80) {
		*s = p + 1;
		return p[0];
	}
	if ((p[0] & 0xE0) == 0xC0) { cp = p[0] & 0x1F; extra = 1; }
	else if ((p[0] & 0xF0) == 0xE0) { cp = p[0] & 0x0F; extra = 2; }
	else if ((p[0] & 0xF8) == 0xF0) { cp = p[0] & 0x07; extra = 3; }
	else { *s = p + 1; return 0xFFFD; }
	for (int i = 1; i <= extra; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*s = p + i;
			return 0xFFFD;
		}
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	*s = p + extra + 1;
	return cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ? 0xFFFD : cp;
}

static uint8_t *to_utf16(const char *utf8, size_t *cb)
{
	size_t n = strlen(utf8);
	uint8_t *out = malloc(4 * n + 2);   /* each byte at most 2 units */
	const unsigned char *s = (const unsigned char *)utf8;
	size_t o = 0;

	if (!out)
		return NULL;
	while (*s) {
		uint32_t cp = next_cp(&s);

		if (cp >= 0x10000) {
			cp -= 0x10000;
			pf_put16(out + o, (uint16_t)(0xD800 | (cp >> 10)));
			pf_put16(out + o + 2, (uint16_t)(0xDC00 | (cp & 0x3FF)));
			o += 4;
		} else {
			pf_put16(out + o, (uint16_t)cp);
			o += 2;
		}
	}
	*cb = o;
	return out;
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
	if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
		return (uint8_t)cp;
	for (unsigned i = 0; i < 32; i++)
		if (cp1252_high[i] == cp && cp != 0)
			return (uint8_t)(0x80 + i);
	return '?';
}

static uint8_t *to_8bit(const char *utf8, size_t *cb)
{
	uint8_t *out = malloc(strlen(utf8) + 1);
	const unsigned char *s = (const unsigned char *)utf8;
	size_t o = 0;

	if (!out)
		return NULL;
	while (*s)
		out[o++] = to_1252(next_cp(&s));
	*cb = o;
	return out;
}

uint32_t pf_plist_str_tag(const struct pf_plist *l, uint16_t id)
{
	return PF_PROP_TAG(id, l->unicode ? PF_PT_STRING : PF_PT_STRING8);
}

void pf_plist_str(struct pf_plist *l, uint16_t id, const char *utf8)
{
	uint8_t *buf;
	size_t cb = 0;

	if (!utf8 || l->err)
		return;
	buf = l->unicode ? to_utf16(utf8, &cb) : to_8bit(utf8, &cb);
	if (!buf) {
		l->err = PF_E_NOMEM;
		return;
	}
	push(l, pf_plist_str_tag(l, id), buf, cb);
}

void pf_plist_i32(struct pf_plist *l, uint16_t id, int32_t v)
{
	uint8_t b[4];

	pf_put32(b, (uint32_t)v);
	push_copy(l, PF_PROP_TAG(id, PF_PT_INT32), b, 4);
}

void pf_plist_bool(struct pf_plist *l, uint16_t id, bool v)
{
	uint8_t b[1] = { v ? 1 : 0 };

	push_copy(l, PF_PROP_TAG(id, PF_PT_BOOLEAN), b, 1);
}

void pf_plist_time(struct pf_plist *l, uint16_t id, uint64_t filetime)
{
	uint8_t b[8];

	pf_put64(b, filetime);
	push_copy(l, PF_PROP_TAG(id, PF_PT_TIME), b, 8);
}

void pf_plist_bin(struct pf_plist *l, uint16_t id, const void *p, size_t cb)
{
	if (!p)
		return;
	push_copy(l, PF_PROP_TAG(id, PF_PT_BINARY), p, cb);
}

void pf_plist_object(struct pf_plist *l, uint16_t id, uint32_t nid,
		     uint32_t size)
{
	uint8_t b[8];

	pf_put32(b, nid);
	pf_put32(b + 4, size);
	push_copy(l, PF_PROP_TAG(id, PF_PT_OBJECT), b, 8);
}

void pf_plist_none(struct pf_plist *l, uint32_t tag)
{
	push(l, tag, NULL, 0);
}

void pf_plist_raw(struct pf_plist *l, uint32_t tag, const void *p,
		  size_t cb)
{
	if (p)
		push_copy(l, tag, p, cb);
	else
		pf_plist_none(l, tag);
}

const struct pf_wprop *pf_plist_find(const struct pf_plist *l, uint32_t tag)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].tag == tag)
			return &l->v[i];
	return NULL;
}

void pf_plist_row(struct pf_plist *rows, const uint32_t *cols,
		  uint32_t ncols, const struct pf_plist *src)
{
	for (uint32_t c = 0; c < ncols; c++) {
		const struct pf_wprop *p = pf_plist_find(src, cols[c]);

		pf_plist_raw(rows, cols[c], p ? p->p : NULL, p ? p->cb : 0);
	}
}
