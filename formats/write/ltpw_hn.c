/*
 * ltpw_hn.c - heap-on-node builder (MS-PST 2.3.1).
 *
 * Contract
 * - Allocations are packed in the order they come into the last block,
 *   with no padding between them (Outlook packs them too: odd offsets are
 *   common in its files); when one does not fit, a new block starts.  A
 *   block holds at most PF_HN_MAX_ALLOC allocations (hidIndex is 11 bits)
 *   and block_max bytes with its header and HNPAGEMAP; a heap holds at
 *   most PF_HN_MAX_BLOCKS blocks (hidBlockIndex is 16 bits).  One
 *   allocation is at most PF_HN_MAX_ALLOC_CB (3580) bytes, a whole heap
 *   at most PF_NODE_DATA_MAX bytes (what the reader accepts).
 * - pf_hnw_finish() lays each block out as MS-PST 2.3.1 says: HNHDR in
 *   block 0, HNBITMAPHDR in blocks 8, 136, 264, ..., HNPAGEHDR elsewhere;
 *   ibHnpm at the first even offset after the allocations (2.3.1.5: every
 *   Outlook file we looked at has an even ibHnpm); cAlloc, cFree (the
 *   zero-length allocations), rgibAlloc[cAlloc + 1].  Every block but the
 *   last is padded with zeros to block_max bytes, as Outlook writes them
 *   (a reader may take rows or records per block from the first block).
 * - rgbFillLevel (2.3.1.2, 2.3.1.4) is filled, a nibble per block, block
 *   k in the low nibble of byte k / 2 (Outlook 2019 files agree), from
 *   the bytes free after the page map; blocks past the end are 0.
 * - Errors: PF_E_USAGE (bad arguments), PF_E_LIMIT (a bound above),
 *   PF_E_NOMEM; the builder stays valid for pf_hnw_free() in every case.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_le.h"
#include "ltpw_int.h"

#define BLOCK_MIN   256u     /* smallest block_max we build with */
#define BLOCK_LIMIT 65535u   /* ibHnpm and rgibAlloc are 16-bit */

uint32_t ltpw_hn_hdr_size(uint32_t i)
{
	if (i == 0)
		return LTPW_HNHDR_CB;
	if (i >= 8 && (i - 8) % 128 == 0)          /* 2.3.1.4 */
		return LTPW_HNBITMAPHDR_CB;
	return LTPW_HNPAGEHDR_CB;
}

/* Where the page map of a block with USED bytes and NALLOC allocations
 * would end (2.3.1.5: cAlloc, cFree, rgibAlloc[cAlloc + 1]). */
static uint32_t map_end(uint32_t used, uint32_t nalloc)
{
	return ((used + 1u) & ~1u) + LTPW_HNPAGEMAP_CB + 2u * (nalloc + 1u);
}

void pf_hnw_init(struct pf_hnw *h, uint8_t client_sig, size_t block_max)
{
	memset(h, 0, sizeof(*h));
	h->client_sig = client_sig;
	h->block_max = block_max;
}

void pf_hnw_free(struct pf_hnw *h)
{
	uint32_t i;

	if (!h)
		return;
	for (i = 0; i < h->nblocks; i++) {
		free(h->blk[i].data);
		free(h->blk[i].ib);
	}
	free(h->blk);
	memset(h, 0, sizeof(*h));
}

static int check_block_max(const struct pf_hnw *h)
{
	if (h->block_max < BLOCK_MIN || h->block_max > BLOCK_LIMIT)
		return pf_error_set(PF_E_USAGE, "heap builder: block size %zu "
				    "not in [%u, %u]", h->block_max,
				    BLOCK_MIN, BLOCK_LIMIT);
	return 0;
}

static int grow_blocks(struct pf_hnw *h)
{
	struct pf_hnw_block *nb;
	uint32_t cap;

	if (h->nblocks < h->capblocks)
		return 0;
	cap = h->capblocks ? h->capblocks * 2 : 4;
	nb = realloc(h->blk, (size_t)cap * sizeof(*nb));
	if (!nb)
		return pf_error_set(PF_E_NOMEM, "out of memory (heap)");
	h->blk = nb;
	h->capblocks = cap;
	return 0;
}

static int new_block(struct pf_hnw *h)
{
	struct pf_hnw_block *b;
	int rc;

	if (h->nblocks >= PF_HN_MAX_BLOCKS ||
	    (uint64_t)(h->nblocks + 1) * h->block_max > PF_NODE_DATA_MAX)
		return pf_error_set(PF_E_LIMIT, "heap builder: more than %u "
				    "blocks or %u bytes", PF_HN_MAX_BLOCKS,
				    PF_NODE_DATA_MAX);
	rc = grow_blocks(h);
	if (rc < 0)
		return rc;
	b = &h->blk[h->nblocks];
	memset(b, 0, sizeof(*b));
	b->data = calloc(1, h->block_max);
	b->cap = 16;
	b->ib = malloc(b->cap * sizeof(*b->ib));
	if (!b->data || !b->ib) {
		free(b->data);
		free(b->ib);
		return pf_error_set(PF_E_NOMEM, "out of memory (heap)");
	}
	b->used = ltpw_hn_hdr_size(h->nblocks);
	b->ib[0] = (uint16_t)b->used;
	h->nblocks++;
	return 0;
}

static bool fits(const struct pf_hnw *h, const struct pf_hnw_block *b,
		 size_t cb)
{
	return b->nalloc < PF_HN_MAX_ALLOC &&
	       map_end(b->used + (uint32_t)cb, b->nalloc + 1) <= h->block_max;
}

/* Room in the last block (a new one when it is full) for CB bytes. */
static int block_for(struct pf_hnw *h, size_t cb, struct pf_hnw_block **out)
{
	int rc;

	if (h->nblocks == 0 || !fits(h, &h->blk[h->nblocks - 1], cb)) {
		rc = new_block(h);
		if (rc < 0)
			return rc;
		if (!fits(h, &h->blk[h->nblocks - 1], cb))
			return pf_error_set(PF_E_LIMIT, "heap builder: %zu "
					    "bytes do not fit a %zu-byte "
					    "block", cb, h->block_max);
	}
	*out = &h->blk[h->nblocks - 1];
	return 0;
}

static int grow_ib(struct pf_hnw_block *b)
{
	uint16_t *n;
	uint32_t cap;

	if (b->nalloc + 2 <= b->cap)
		return 0;
	cap = b->cap * 2;
	n = realloc(b->ib, cap * sizeof(*n));
	if (!n)
		return pf_error_set(PF_E_NOMEM, "out of memory (heap)");
	b->ib = n;
	b->cap = cap;
	return 0;
}

int pf_hnw_alloc(struct pf_hnw *h, const void *data, size_t cb,
		 uint32_t *hid)
{
	struct pf_hnw_block *b = NULL;
	int rc = check_block_max(h);

	*hid = 0;
	if (rc < 0)
		return rc;
	if (cb > PF_HN_MAX_ALLOC_CB)                  /* 2.3.1 */
		return pf_error_set(PF_E_USAGE, "heap builder: %zu bytes in "
				    "one allocation (max %u)", cb,
				    PF_HN_MAX_ALLOC_CB);
	rc = block_for(h, cb, &b);
	if (rc == 0)
		rc = grow_ib(b);
	if (rc < 0)
		return rc;
	if (data && cb)
		memcpy(b->data + b->used, data, cb);
	else if (cb)
		memset(b->data + b->used, 0, cb);
	b->used += (uint32_t)cb;
	b->nalloc++;
	b->ib[b->nalloc] = (uint16_t)b->used;
	if (cb == 0)
		b->nfree++;
	*hid = pf_hid_make(h->wide_hid, h->nblocks - 1, b->nalloc);
	return 0;
}

uint8_t *pf_hnw_ptr(struct pf_hnw *h, uint32_t hid)
{
	uint32_t bi = pf_hid_block(h->wide_hid, hid);
	uint32_t idx = pf_hid_index(h->wide_hid, hid);
	const struct pf_hnw_block *b;

	if (PF_HID_TYPE(hid) != 0 || bi >= h->nblocks)
		return NULL;
	b = &h->blk[bi];
	if (idx == 0 || idx > b->nalloc)
		return NULL;
	return b->data + b->ib[idx - 1];
}

void pf_hnw_set_root(struct pf_hnw *h, uint32_t hid)
{
	h->hid_user_root = hid;
}

/* ---- finish ---- */

/* 2.3.1.2 rgbFillLevel: free bytes to a FILL_LEVEL value. */
static uint8_t fill_level(size_t free_cb)
{
	static const uint16_t at_least[15] = {
		3584, 2560, 2048, 1792, 1536, 1280, 1024, 768, 512, 256,
		128, 64, 32, 16, 8,
	};
	uint8_t i;

	for (i = 0; i < 15; i++)
		if (free_cb >= at_least[i])
			return i;
	return 15;
}

/* COUNT fill levels (two per byte, low nibble first) for blocks FIRST... */
static void put_fill(const struct pf_hnw *h, uint8_t *out, uint32_t first,
		     uint32_t count)
{
	uint32_t k;

	memset(out, 0, count / 2);
	for (k = 0; k < count && first + k < h->nblocks; k++) {
		const struct pf_hnw_block *b = &h->blk[first + k];
		uint8_t lv = fill_level(h->block_max -
					map_end(b->used, b->nalloc));

		out[k / 2] |= (uint8_t)(k % 2 ? lv << 4 : lv);
	}
}

static void put_header(const struct pf_hnw *h, uint32_t i, uint8_t *d)
{
	if (i == 0) {                                 /* 2.3.1.2 HNHDR */
		d[2] = PF_HN_SIG;
		d[3] = h->client_sig;
		pf_put32(d + 4, h->hid_user_root);
		put_fill(h, d + 8, 0, 8);
	} else if (ltpw_hn_hdr_size(i) == LTPW_HNBITMAPHDR_CB) {
		put_fill(h, d + 2, i, 128);           /* 2.3.1.4 */
	}
}

/* Block I as on disk, in a new buffer of *cb bytes. */
static int lay_block(const struct pf_hnw *h, uint32_t i, uint8_t **out,
		     size_t *cb)
{
	const struct pf_hnw_block *b = &h->blk[i];
	uint32_t hnpm = (b->used + 1u) & ~1u, j;
	size_t end = map_end(b->used, b->nalloc);
	uint8_t *d;

	*cb = i + 1 < h->nblocks ? h->block_max : end;
	d = calloc(1, *cb);
	if (!d)
		return pf_error_set(PF_E_NOMEM, "out of memory (heap)");
	memcpy(d, b->data, b->used);
	pf_put16(d, (uint16_t)hnpm);                 /* ibHnpm */
	put_header(h, i, d);
	pf_put16(d + hnpm, (uint16_t)b->nalloc);     /* 2.3.1.5 cAlloc */
	pf_put16(d + hnpm + 2, (uint16_t)b->nfree);  /* cFree */
	for (j = 0; j <= b->nalloc; j++)
		pf_put16(d + hnpm + LTPW_HNPAGEMAP_CB + 2 * j, b->ib[j]);
	*out = d;
	return 0;
}

void ltpw_blocks_free(uint8_t **blocks, size_t *cbs, uint32_t n)
{
	uint32_t i;

	for (i = 0; blocks && i < n; i++)
		free(blocks[i]);
	free(blocks);
	free(cbs);
}

int pf_hnw_finish(struct pf_hnw *h, uint8_t ***blocks, size_t **cbs,
		  uint32_t *n)
{
	uint8_t **bv;
	size_t *cv;
	uint32_t i;
	int rc = check_block_max(h);

	*blocks = NULL;
	*cbs = NULL;
	*n = 0;
	if (rc == 0 && h->nblocks == 0)
		rc = new_block(h);     /* a heap has at least block 0 */
	if (rc < 0)
		return rc;
	bv = calloc(h->nblocks, sizeof(*bv));
	cv = calloc(h->nblocks, sizeof(*cv));
	if (!bv || !cv)
		rc = pf_error_set(PF_E_NOMEM, "out of memory (heap)");
	for (i = 0; rc == 0 && i < h->nblocks; i++)
		rc = lay_block(h, i, &bv[i], &cv[i]);
	if (rc < 0) {
		ltpw_blocks_free(bv, cv, h->nblocks);
		return rc;
	}
	*blocks = bv;
	*cbs = cv;
	*n = h->nblocks;
	return 0;
}

int ltpw_hn_write(struct pf_writer *w, struct pf_hnw *h, uint64_t *bid)
{
	uint8_t **blocks;
	size_t *cbs;
	uint32_t n;
	int rc = pf_hnw_finish(h, &blocks, &cbs, &n);

	*bid = 0;
	if (rc < 0)
		return rc;
	rc = pf_writer_put_blocks(w, blocks, cbs, n, bid);
	ltpw_blocks_free(blocks, cbs, n);
	return rc;
}
