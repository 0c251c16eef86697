/*
 * msgw_plist.c - property lists for the messaging writer: C values in,
 * struct pf_wprop out, with the bytes in the list's own arena.
 *
 * Contract: every add copies what it is given; the first failure is kept
 * in l->err and makes later adds no-ops, so a caller builds a whole list
 * and checks once.  Strings are UTF-8 in; in Unicode files they become
 * PtypString (UTF-16LE, MS-PST 2.3.3.3 stores no terminator), in ANSI
 * files PtypString8 in Windows-1252 (characters 1252 lacks become '?').
 * The list keeps whole rows of cells for the table builder, which is what
 * it adds to pf_wprop.h's single-value makers.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_grow.h"
#include "../util/pf_le.h"
#include "msgw_int.h"
#include "pf_wprop.h"

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

/* UTF-8 to the file's string encoding, in a malloc'd buffer
 * (conversions in ltpw_prop.c, shared with the LTP builders). */
static uint8_t *convert(const char *utf8, bool unicode, size_t *cb)
{
	size_t len = strlen(utf8);
	size_t n = unicode ? pf_utf8_to_utf16le(utf8, len, NULL) :
			     pf_utf8_to_cp1252(utf8, len, NULL);
	uint8_t *out = malloc(n ? n : 1);

	if (!out)
		return NULL;
	*cb = unicode ? pf_utf8_to_utf16le(utf8, len, out) :
			pf_utf8_to_cp1252(utf8, len, out);
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
	buf = convert(utf8, l->unicode, &cb);
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
