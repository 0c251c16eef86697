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
 * - ck_order_start()/ck_order_next() go through the indexes in
 *   ascending ib order, ties in index order (a stable sort's order), by
 *   merging the runs in which ib already ascends: a writer that
 *   allocates front to back leaves few (the 3 GB file of `pstfix create`
 *   has one per 12 blocks), so the merge holds 4 bytes per run where a
 *   sorted permutation took 4 per block and qsort as much again.
 * Memory: 24 bytes per block kept, 4 per run during the sweep; the sort
 *   by BID, needed only for a BBT walked out of order, 4 per block.
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

/* The entry at I is the only one keyed KEY. */
static bool unique_at(const struct pf_ck *ck, size_t i, uint64_t key)
{
	return i < ck->nblocks && KEY(ck->blocks[i].bid) == key &&
	       (i == 0 || KEY(ck->blocks[i - 1].bid) != key) &&
	       (i + 1 == ck->nblocks || KEY(ck->blocks[i + 1].bid) != key);
}

/* References come in runs of ascending BIDs (an XBLOCK's children, the
 * NBT in NID order): the entry after the last one found is tried first.
 * Otherwise the search probes as the C library's bsearch() does, so of
 * two duplicates (PF3020) the same one is found as before this table
 * had its own search; the shortcut is taken only for a unique key. */
struct pf_block_rec *ck_block_mut(struct pf_ck *ck, uint64_t bid)
{
	size_t lo = 0, hi = ck->nblocks, next = ck->finger + 1;
	uint64_t key = KEY(bid);

	if (unique_at(ck, next, key)) {
		ck->finger = next;
		return &ck->blocks[next];
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint64_t k = KEY(ck->blocks[mid].bid);

		if (key < k) {
			hi = mid;
		} else if (key > k) {
			lo = mid + 1;
		} else {
			ck->finger = mid;
			return &ck->blocks[mid];
		}
	}
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

/* (ib, index) order: a block before another at a greater offset, or at
 * the same offset with a smaller index (the stable sort's order). */
static bool before(const struct pf_block_rec *v, uint32_t a, uint32_t b)
{
	return v[a].ib < v[b].ib || (v[a].ib == v[b].ib && a < b);
}

static void sift_down(struct ck_order *o, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		uint32_t t;

		if (l < o->nheap && before(o->v, o->heap[l], o->heap[m]))
			m = l;
		if (l + 1 < o->nheap &&
		    before(o->v, o->heap[l + 1], o->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		t = o->heap[i];
		o->heap[i] = o->heap[m];
		o->heap[m] = t;
		i = m;
	}
}

int ck_order_start(struct ck_order *o, const struct pf_ck *ck)
{
	size_t runs = 0;

	*o = (struct ck_order){ .v = ck->blocks, .n = ck->nblocks };
	for (size_t i = 0; i < o->n; i++)
		if (i == 0 || o->v[i].ib < o->v[i - 1].ib)
			runs++;
	o->heap = malloc((runs + 1) * sizeof(*o->heap));
	if (!o->heap)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	for (size_t i = 0; i < o->n; i++)
		if (i == 0 || o->v[i].ib < o->v[i - 1].ib)
			o->heap[o->nheap++] = (uint32_t)i;
	for (size_t i = o->nheap / 2; i-- > 0;)
		sift_down(o, i);
	return 0;
}

bool ck_order_next(struct ck_order *o, size_t *index)
{
	uint32_t top, next;

	if (o->nheap == 0)
		return false;
	top = o->heap[0];
	next = top + 1;
	/* the run goes on while ib does not decrease */
	if (next < o->n && o->v[next].ib >= o->v[top].ib)
		o->heap[0] = next;
	else
		o->heap[0] = o->heap[--o->nheap];
	sift_down(o, 0);
	*index = top;
	return true;
}

void ck_order_free(struct ck_order *o)
{
	free(o->heap);
	o->heap = NULL;
	o->nheap = 0;
}
