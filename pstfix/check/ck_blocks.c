/*
 * ck_blocks.c - the checker's block table: the BBT's leaf entries
 * (MS-PST 2.2.2.7.7.3) as pass 3 collects them, sorted by BID for the
 * lookups of every later pass, and the file order pass 5 reads them in.
 *
 * Contract
 * - ck_push_block() appends one entry (24 bytes; a 4K file's cbInflated
 *   two more in ck->inflated).  More than UINT32_MAX entries is
 *   PF_E_NOMEM: the permutations below hold 32-bit indexes.
 * - ck_sort_blocks() is a stable sort by BID with bit 0 cleared: entries
 *   with equal keys keep the order the walk found them in, so which of
 *   two duplicates a lookup finds does not depend on the C library.  A
 *   healthy BBT is walked in key order; that is checked in one pass and
 *   nothing is moved.
 * - ck_file_order() returns the indexes in ascending ib order (stable),
 *   or NULL with *identity set when the BID order is the file order too
 *   (a file written front to back) and no permutation is needed.
 * Memory: 24 bytes per block kept, 4 more while a permutation lives.
 */
#include <stdlib.h>

#include "../../formats/util/pf_grow.h"
#include "ck.h"

#define KEY(b) ((b) & ~(uint64_t)1)

int ck_push_block(struct pf_ck *ck, const struct pf_bbt_entry *e,
		  size_t *cap)
{
	size_t icap = *cap;

	if (ck->nblocks >= UINT32_MAX)
		return pf_error_set(PF_E_NOMEM, "more than %u BBT entries",
				    UINT32_MAX);
	/* the side array first: it may end up larger than the entries'
	 * array, never smaller */
	if (ck->l->page_size == 4096 &&
	    pf_grow(&ck->inflated, ck->nblocks, &icap,
		    sizeof(*ck->inflated)) != 0)
		return PF_E_NOMEM;
	if (pf_grow(&ck->blocks, ck->nblocks, cap, sizeof(*ck->blocks)) != 0)
		return PF_E_NOMEM;
	ck->blocks[ck->nblocks] = (struct pf_block_rec){
		.bid = e->bref.bid, .ib = e->bref.ib, .cb = e->cb,
		.cref = e->cref,
	};
	if (ck->l->page_size == 4096)
		ck->inflated[ck->nblocks] = (uint16_t)e->cb_inflated;
	ck->nblocks++;
	return 0;
}

uint32_t ck_inflated(const struct pf_ck *ck, const struct pf_block_rec *b)
{
	return ck->inflated ? ck->inflated[b - ck->blocks] : b->cb;
}

void ck_bbt_entry(const struct pf_ck *ck, const struct pf_block_rec *b,
		  struct pf_bbt_entry *out)
{
	*out = (struct pf_bbt_entry){
		.bref = { .bid = b->bid, .ib = b->ib }, .cb = b->cb,
		.cref = b->cref, .cb_inflated = ck_inflated(ck, b),
	};
}

struct pf_block_rec *ck_block_mut(struct pf_ck *ck, uint64_t bid)
{
	size_t lo = 0, hi = ck->nblocks;
	uint64_t key = KEY(bid);

	/* the first entry whose key is >= KEY */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (KEY(ck->blocks[mid].bid) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ck->nblocks && KEY(ck->blocks[lo].bid) == key)
		return &ck->blocks[lo];
	return NULL;
}

const struct pf_block_rec *ck_block(const struct pf_ck *ck, uint64_t bid)
{
	return ck_block_mut((struct pf_ck *)ck, bid);
}

/* Comparators over indexes: the key, then the index (stability). */
static int cmp_by_bid(const void *a, const void *b, void *ctx)
{
	const struct pf_block_rec *v = ctx;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	uint64_t x = KEY(v[i].bid), y = KEY(v[j].bid);

	if (x != y)
		return x < y ? -1 : 1;
	return i < j ? -1 : i > j;
}

static int cmp_by_ib(const void *a, const void *b, void *ctx)
{
	const struct pf_block_rec *v = ctx;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;

	if (v[i].ib != v[j].ib)
		return v[i].ib < v[j].ib ? -1 : 1;
	return i < j ? -1 : i > j;
}

static uint32_t *identity(size_t n)
{
	uint32_t *perm = malloc((n + 1) * sizeof(*perm));

	for (size_t i = 0; perm && i < n; i++)
		perm[i] = (uint32_t)i;
	return perm;
}

/* Move the entries (and their cbInflated) into PERM's order. */
static int apply(struct pf_ck *ck, const uint32_t *perm)
{
	size_t n = ck->nblocks;
	struct pf_block_rec *v = malloc(n * sizeof(*v));
	uint16_t *inf = ck->inflated ? malloc(n * sizeof(*inf)) : NULL;

	if (!v || (ck->inflated && !inf)) {
		free(v);
		free(inf);
		return pf_error_set(PF_E_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		v[i] = ck->blocks[perm[i]];
		if (inf)
			inf[i] = ck->inflated[perm[i]];
	}
	free(ck->blocks);
	ck->blocks = v;
	if (inf) {
		free(ck->inflated);
		ck->inflated = inf;
	}
	return 0;
}

static int cmp_rec(const void *a, const void *b)
{
	uint64_t x = KEY(((const struct pf_block_rec *)a)->bid);
	uint64_t y = KEY(((const struct pf_block_rec *)b)->bid);

	return x < y ? -1 : x > y;
}

void ck_sort_blocks(struct pf_ck *ck)
{
	uint32_t *perm;
	size_t i;

	for (i = 1; i < ck->nblocks; i++)
		if (KEY(ck->blocks[i - 1].bid) > KEY(ck->blocks[i].bid))
			break;
	if (i >= ck->nblocks)
		return;   /* in order already: the stable sort is a no-op */
	perm = identity(ck->nblocks);
	if (perm)
		qsort_r(perm, ck->nblocks, sizeof(*perm), cmp_by_bid,
			ck->blocks);
	if (!perm || apply(ck, perm) != 0) {
		/* out of memory: sort in place, duplicates in any order,
		 * and 4K sizes fall back to cb */
		free(ck->inflated);
		ck->inflated = NULL;
		qsort(ck->blocks, ck->nblocks, sizeof(*ck->blocks), cmp_rec);
	}
	free(perm);
}

uint32_t *ck_file_order(const struct pf_ck *ck, bool *ident)
{
	uint32_t *perm;
	size_t i;

	for (i = 1; i < ck->nblocks; i++)
		if (ck->blocks[i - 1].ib > ck->blocks[i].ib)
			break;
	*ident = i >= ck->nblocks;
	if (*ident)
		return NULL;
	perm = identity(ck->nblocks);
	if (perm)
		qsort_r(perm, ck->nblocks, sizeof(*perm), cmp_by_ib,
			(void *)ck->blocks);
	return perm;
}
