/*
 * scavenge.c - one sequential pass over the file finding every B-tree
 * page and every block by its trailer (contract in pf_scavenge.h).
 *
 * How: the file is read in CHUNK-byte pieces into a window that keeps the
 * last block_max bytes of the previous piece, so every block (at most
 * block_max bytes) ends inside the window with its start still in it.
 * At each block_align boundary E the bytes before E are read as a
 * BLOCKTRAILER and at each page boundary as a PAGETRAILER.  The cheap
 * tests come first (cb range, BID, the 16-bit wSig that depends on the
 * offset); the CRC is computed only for what passed them, so the pass
 * costs little more than reading the file -- and not for a trailer the
 * handle's CRC memo vouches for (pf_ndb_crc_memo: repair hands over what
 * its first scan proved).
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_crc.h"
#include "../util/pf_grow.h"
#include "../util/pf_le.h"
#include "ndb_internal.h"
#include "pf_scavenge.h"

#define CHUNK (8u << 20)

/* MS-PST 2.2.2.8.1: ANSI cb wSig bid dwCRC; Unicode cb wSig dwCRC bid;
 * 4K adds the inflated size at +18 (libyal PFF). */
static bool block_at(struct pf_ndb *ndb, const uint8_t *win,
		     uint64_t lo, uint64_t end, struct pf_scav_block *b)
{
	const struct pf_layout *l = pf_ndb_layout(ndb);
	const uint8_t *t = win + (end - lo) - l->block_trailer;
	uint16_t cb = pf_le16(t);
	uint64_t bid, start;
	uint32_t crc;

	if (cb == 0 || cb > l->block_max - l->block_trailer)
		return false;
	bid = l->bid_size == 4 ? pf_le32(t + 4) : pf_le64(t + 8);
	start = end - pf_block_size(l, cb);
	if (bid == 0 || start < l->amap_first ||
	    pf_le16(t + 2) != pf_sig(start, bid))
		return false;
	crc = l->bid_size == 4 ? pf_le32(t + 8) : pf_le32(t + 4);
	if (crc != pf_ndb_block_crc(ndb, start, cb, bid, crc,
				    win + (start - lo)))
		return false;
	b->bid = bid;
	b->ib = start;
	b->cb = cb;
	b->cb_inflated = cb;
	if (l->block_trailer >= 24 && pf_le16(t + 18) != 0)
		b->cb_inflated = pf_le16(t + 18);
	return true;
}

static int add_entries(const struct pf_layout *l, struct pf_scavenge *s,
		       const struct pf_btpage *bt, uint8_t ptype)
{
	for (uint32_t i = 0; i < bt->cent; i++) {
		if (ptype == PF_PTYPE_NBT) {
			if (pf_grow(&s->nbt, s->nnbt, &s->cap_nbt,
				    sizeof(*s->nbt)) != 0)
				return PF_E_NOMEM;
			pf_nbt_entry_get(l, bt, i, &s->nbt[s->nnbt++]);
		} else {
			if (pf_grow(&s->bbt, s->nbbt, &s->cap_bbt,
				    sizeof(*s->bbt)) != 0)
				return PF_E_NOMEM;
			pf_bbt_entry_get(l, bt, i, &s->bbt[s->nbbt++]);
		}
	}
	return 0;
}

/* A B-tree page (MS-PST 2.2.2.7.1, 2.2.2.7.7.1) at IB, or nothing. */
static int page_at(const struct pf_layout *l, const uint8_t *page,
		   uint64_t ib, struct pf_scavenge *s)
{
	struct pf_page_trailer t;
	struct pf_btpage bt;
	struct pf_scav_page *p;
	uint8_t ptype;

	/* the ptype byte first: most places are not pages */
	if ((page[l->page_size - l->page_trailer] & 0xFE) != PF_PTYPE_BBT ||
	    !pf_page_self_valid(l, page, ib, &ptype) ||
	    !pf_btpage_parse(l, page, ib, ptype == PF_PTYPE_NBT ?
			     PF_OBJ_NBT : PF_OBJ_BBT, NULL, &bt))
		return 0;
	pf_page_trailer_get(l, page, &t);
	if (pf_grow(&s->pages, s->npages, &s->cap_pages,
		    sizeof(*s->pages)) != 0)
		return PF_E_NOMEM;
	p = &s->pages[s->npages++];
	p->ib = ib;
	p->bid = t.bid;
	p->ptype = t.ptype;
	p->level = (uint8_t)bt.level;
	p->cent = (uint16_t)bt.cent;
	p->first = t.ptype == PF_PTYPE_NBT ? s->nnbt : s->nbbt;
	return bt.level == 0 ? add_entries(l, s, &bt, t.ptype) : 0;
}

/* Every trailer ending in (from, to], all inside the window at LO. */
static int scan_window(struct pf_ndb *ndb, const uint8_t *win,
		       uint64_t lo, uint64_t from, uint64_t to,
		       struct pf_scavenge *s)
{
	const struct pf_layout *l = pf_ndb_layout(ndb);
	struct pf_scav_block b;
	int rc = 0;

	for (uint64_t e = from + l->block_align; rc == 0 && e <= to;
	     e += l->block_align) {
		if (e % l->page_size == 0 && e - l->page_size >= lo)
			rc = page_at(l, win + (e - l->page_size - lo),
				     e - l->page_size, s);
		if (rc != 0 || !block_at(ndb, win, lo, e, &b))
			continue;
		if (pf_grow(&s->blocks, s->nblocks, &s->cap_blocks,
			    sizeof(*s->blocks)) != 0)
			rc = PF_E_NOMEM;
		else
			s->blocks[s->nblocks++] = b;
	}
	return rc;
}

static int cmp_block(const void *a, const void *b)
{
	const struct pf_scav_block *x = a, *y = b;
	uint64_t kx = x->bid & ~(uint64_t)1, ky = y->bid & ~(uint64_t)1;

	if (kx != ky)
		return kx < ky ? -1 : 1;
	return x->ib < y->ib ? -1 : x->ib > y->ib;
}

int pf_scavenge(struct pf_ndb *ndb, struct pf_scavenge *s)
{
	const struct pf_layout *l = pf_ndb_layout(ndb);
	uint64_t size = pf_ndb_file_size(ndb);
	size_t keep = l->block_max, cap = keep + CHUNK, have = 0;
	uint64_t lo = l->amap_first, done = l->amap_first;
	uint8_t *win = malloc(cap);
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (!win)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	while (rc == 0 && lo + have < size) {
		size_t n = cap - have;

		if (n > size - (lo + have))
			n = (size_t)(size - (lo + have));
		rc = pf_ndb_pread(ndb, lo + have, win + have, n);
		if (rc != 0)
			break;
		have += n;
		s->bytes_read += n;
		/* ends already tested stay behind DONE */
		rc = scan_window(ndb, win, lo, done, lo + have -
				 (lo + have) % l->block_align, s);
		done = lo + have - (lo + have) % l->block_align;
		if (have > keep) {
			memmove(win, win + (have - keep), keep);
			lo += have - keep;
			have = keep;
		}
	}
	free(win);
	if (rc == PF_E_NOMEM)
		rc = pf_error_set(PF_E_NOMEM, "out of memory");
	if (rc == 0 && s->nblocks > 1)
		qsort(s->blocks, s->nblocks, sizeof(*s->blocks), cmp_block);
	if (rc != 0)
		pf_scavenge_free(s);
	return rc;
}

void pf_scavenge_free(struct pf_scavenge *s)
{
	free(s->pages);
	free(s->nbt);
	free(s->bbt);
	free(s->blocks);
	memset(s, 0, sizeof(*s));
}

size_t pf_scavenge_block_find(const struct pf_scavenge *s, uint64_t bid,
			      size_t *count)
{
	size_t lo = 0, hi = s->nblocks, first;

	bid &= ~(uint64_t)1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((s->blocks[mid].bid & ~(uint64_t)1) < bid)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < s->nblocks && (s->blocks[lo].bid & ~(uint64_t)1) == bid)
		lo++;
	*count = lo - first;
	return first;
}
