/*
 * ndbw_block.c - write one block (MS-PST 2.2.2.8) and keep its BBT entry.
 *
 * Contract
 * - BIDs come from bidNextB, stepping by 4 (MS-PST 2.2.2.2); internal
 *   blocks (XBLOCK, XXBLOCK, SLBLOCK, SIBLOCK) have bit 1 set.  BIDs only
 *   grow, so w->blocks is in BID order and lookups are binary searches.
 * - External data blocks are encoded with the file's bCryptMethod
 *   (MS-PST 5.1, 5.2; the cyclic key is the BID); internal blocks never
 *   are.  The trailer's CRC covers the stored bytes (MS-PST 2.2.2.8.1).
 * - On disk: the data, zero padding, then the BLOCKTRAILER at the end of
 *   the block's aligned size (pf_block_size(): 64-byte multiples, 512 in
 *   4K files); wSig = pf_sig(ib, bid) (MS-PST 5.5).
 * - 4K-page files (libyal PFF "64-bit 4k page"): a block is stored as a
 *   zlib stream when that is smaller; the trailer carries both sizes (cb =
 *   stored at +0, inflated size at +18; equal when not compressed).
 *   Encoding comes first, then compression: readers (libpff, ours)
 *   inflate, then decode.
 * - Every child BID a block names must already be in the BBT (the caller
 *   checks its kind); cRef is counted at commit (ndbw_node.c).
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../util/pf_crc.h"
#include "../util/pf_grow.h"
#include "../util/pf_le.h"
#include "ndbw_int.h"

/* The largest block is 8192 bytes with its trailer (MS-PST 2.2.2.8):
 * 8176 bytes of data in Unicode, 8180 in ANSI; 4K-page files allow 65536
 * (libpff: "maximum_data_block_size = 65536"), so 65512. */
size_t ndbw_data_max(const struct pf_writer *w)
{
	return w->l.block_max - w->l.block_trailer;
}

void ndbw_put_id(const struct pf_writer *w, uint8_t *p, uint64_t v)
{
	if (w->l.bid_size == 4)
		pf_put32(p, (uint32_t)v);
	else
		pf_put64(p, v);
}

struct ndbw_block *ndbw_block_find(struct pf_writer *w, uint64_t bid)
{
	size_t lo = 0, hi = w->nblocks;

	bid &= ~(uint64_t)1;     /* MS-PST 2.2.2.2: bit 0 is ignored */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->blocks[mid].bid < bid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->nblocks && w->blocks[lo].bid == bid ?
	       &w->blocks[lo] : NULL;
}

/* MS-PST 2.2.2.8.1 BLOCKTRAILER: ANSI cb wSig bid(4) dwCRC; Unicode cb
 * wSig dwCRC bid(8); 4K adds a u16 at +16 (unknown; libyal's PFF document
 * lists the value 2 as seen in Outlook's files, no reader uses it), the
 * inflated size at +18 and 4 zero bytes. */
void ndbw_put_trailer(const struct pf_writer *w, uint8_t *t, uint16_t cb,
		      uint16_t cb_inflated, uint64_t ib, uint64_t bid,
		      uint32_t crc)
{
	memset(t, 0, w->l.block_trailer);
	pf_put16(t, cb);
	pf_put16(t + 2, pf_sig(ib, bid));
	if (w->l.bid_size == 4) {
		pf_put32(t + 4, (uint32_t)bid);
		pf_put32(t + 8, crc);
	} else {
		pf_put32(t + 4, crc);
		pf_put64(t + 8, bid);
	}
	if (w->l.block_trailer >= 24) {
		pf_put16(t + 16, 2);
		pf_put16(t + 18, cb_inflated);
	}
}

/* 4K: deflate SRC into w->zbuf; the stored form is whichever is smaller. */
static int maybe_compress(struct pf_writer *w, const uint8_t *src,
			  size_t cb, const uint8_t **out, size_t *out_cb)
{
	uLongf zcb = compressBound((uLong)cb);

	*out = src;
	*out_cb = cb;
	if (w->l.page_size != 4096)
		return 0;
	if (zcb > w->zbuf_cap) {
		uint8_t *p = realloc(w->zbuf, zcb);

		if (!p)
			return ndbw_fail(w, pf_error_set(PF_E_NOMEM,
					 "out of memory"));
		w->zbuf = p;
		w->zbuf_cap = zcb;
	}
	if (compress2(w->zbuf, &zcb, src, (uLong)cb, Z_DEFAULT_COMPRESSION) ==
	    Z_OK && zcb < cb) {
		*out = w->zbuf;
		*out_cb = zcb;
	}
	return 0;
}

int ndbw_block_record(struct pf_writer *w, enum ndbw_kind kind,
		      uint64_t bid, uint64_t ib, uint16_t cb,
		      uint16_t cb_inflated, const uint64_t *kids,
		      uint32_t nkids)
{
	struct ndbw_block *b;

	if (pf_grow(&w->blocks, w->nblocks, &w->cap_blocks,
		    sizeof(*w->blocks)) != 0)
		return ndbw_fail(w, PF_E_NOMEM);
	for (uint32_t i = 0; i < nkids; i++) {
		if (pf_grow(&w->kids, w->nkids, &w->cap_kids,
			    sizeof(*w->kids)) != 0)
			return ndbw_fail(w, PF_E_NOMEM);
		w->kids[w->nkids++] = kids[i];
	}
	b = &w->blocks[w->nblocks++];
	memset(b, 0, sizeof(*b));
	b->bid = bid;
	b->ib = ib;
	b->cb = cb;
	b->cb_inflated = cb_inflated;
	b->kind = (uint8_t)kind;
	b->kid_first = w->nkids - nkids;
	b->kid_count = nkids;
	return 0;
}

static int check_put(struct pf_writer *w, size_t cb, const uint64_t *kids,
		     uint32_t nkids)
{
	int rc = ndbw_check(w);

	if (rc != 0)
		return rc;
	if (w->keep_trees)
		return ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: the old "
				 "BBT is kept: no block can be added"));
	if (cb == 0 || cb > ndbw_data_max(w))
		return ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: a block "
				 "holds 1 to %zu bytes, not %zu",
				 ndbw_data_max(w), cb));
	if (w->l.bid_size == 4 && w->bid_next_b > UINT32_MAX - 4)
		return ndbw_fail(w, pf_error_set(PF_E_LIMIT, "writer: out of "
				 "32-bit BIDs"));
	for (uint32_t i = 0; i < nkids; i++)
		if (!ndbw_block_find(w, kids[i]))
			return ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: "
					 "BID 0x%llx was not written here",
					 (unsigned long long)kids[i]));
	return 0;
}

int ndbw_block_put(struct pf_writer *w, enum ndbw_kind kind,
		   const uint8_t *data, size_t cb, const uint64_t *kids,
		   uint32_t nkids, uint64_t *bid_out)
{
	uint64_t bid = w->bid_next_b | (kind == NDBW_DATA ? 0 :
					PF_BID_INTERNAL);
	uint8_t *blk = w->scratch;
	const uint8_t *stored;
	size_t scb;
	uint64_t ib;
	uint32_t size;
	int rc = check_put(w, cb, kids, nkids);

	if (rc != 0)
		return rc;
	w->puts_started = true;
	memcpy(blk, data, cb);
	if (kind == NDBW_DATA)
		pf_encode(w->crypt, bid, blk, cb);
	/* only a node's single data block is compressed: libpff (20180714)
	 * measures an XBLOCK, and each leaf of a data tree, by its stored
	 * size, so a compressed XBLOCK is "out of bounds" to it and a
	 * compressed heap page's page map does "not fit in table" */
	if (kind == NDBW_DATA && !w->in_tree) {
		rc = maybe_compress(w, blk, cb, &stored, &scb);
	} else {
		stored = blk;
		scb = cb;
	}
	size = pf_block_size(&w->l, (uint32_t)scb);
	if (rc == 0)
		rc = ndbw_alloc(w, size, w->l.block_align, &ib);
	if (rc != 0)
		return rc;
	if (stored != blk)
		memcpy(blk, stored, scb);
	memset(blk + scb, 0, size - w->l.block_trailer - scb);
	ndbw_put_trailer(w, blk + size - w->l.block_trailer, (uint16_t)scb,
			 (uint16_t)cb, ib, bid, pf_crc(blk, scb));
	rc = ndbw_write(w, ib, blk, size);
	if (rc == 0)
		rc = ndbw_block_record(w, kind, bid, ib, (uint16_t)scb,
				       (uint16_t)cb, kids, nkids);
	if (rc != 0)
		return rc;
	w->bid_next_b += 4;
	*bid_out = bid;
	return 0;
}

int ndbw_check_ref(struct pf_writer *w, uint64_t bid, bool sub)
{
	const struct ndbw_block *b;
	bool ok;

	if (bid == 0)
		return 0;
	b = ndbw_block_find(w, bid);
	if (!b)
		return ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: BID "
				 "0x%llx was not written here",
				 (unsigned long long)bid));
	ok = sub ? b->kind == NDBW_SLBLOCK || b->kind == NDBW_SIBLOCK :
		   b->kind <= NDBW_XXBLOCK;
	if (b->kind == NDBW_KEPT_INT)
		ok = true;         /* parsed by the caller that kept it */
	if (!ok)
		return ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: BID "
				 "0x%llx is not a %s", (unsigned long long)bid,
				 sub ? "subnode tree (SLBLOCK/SIBLOCK)" :
				       "data tree"));
	return 0;
}
