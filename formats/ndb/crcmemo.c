/*
 * crcmemo.c - the set of block trailers whose CRC was proved (contract in
 * pf_crcmemo.h): an array appended to while one pass fills it, then
 * sorted by ib and searched.
 */
#include <stdlib.h>

#include "../util/pf_grow.h"
#include "pf_crcmemo.h"

static uint16_t bid16(uint64_t bid)
{
	return (uint16_t)(bid & 0xFFFE);
}

void pf_crc_memo_note(struct pf_crc_memo *m, uint64_t ib, uint16_t cb,
		      uint64_t bid, uint32_t crc)
{
	if (m->sealed || m->nomem)
		return;
	if (pf_grow(&m->v, m->n, &m->cap, sizeof(*m->v)) != 0) {
		m->nomem = true;
		return;
	}
	m->v[m->n++] = (struct pf_crc_memo_ent){
		.ib = ib, .crc = crc, .cb = cb, .bid16 = bid16(bid),
	};
}

static int cmp_ib(const void *a, const void *b)
{
	const struct pf_crc_memo_ent *x = a, *y = b;

	return x->ib < y->ib ? -1 : x->ib > y->ib;
}

void pf_crc_memo_seal(struct pf_crc_memo *m)
{
	bool sorted = true;

	/* the block pass notes in file order: usually nothing to sort */
	for (size_t i = 1; i < m->n && sorted; i++)
		sorted = m->v[i - 1].ib <= m->v[i].ib;
	if (!sorted)
		qsort(m->v, m->n, sizeof(*m->v), cmp_ib);
	m->sealed = true;
}

bool pf_crc_memo_holds(const struct pf_crc_memo *m, uint64_t ib,
		       uint16_t cb, uint64_t bid, uint32_t crc)
{
	size_t lo = 0, hi;

	if (!m || !m->sealed)
		return false;
	hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->v[mid].ib < ib)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* two BBT entries may name one offset (a damaged file): any of
	 * them may be the one that matches */
	for (; lo < m->n && m->v[lo].ib == ib; lo++)
		if (m->v[lo].cb == cb && m->v[lo].crc == crc &&
		    m->v[lo].bid16 == bid16(bid))
			return true;
	return false;
}

void pf_crc_memo_free(struct pf_crc_memo *m)
{
	free(m->v);
	*m = (struct pf_crc_memo){ 0 };
}
