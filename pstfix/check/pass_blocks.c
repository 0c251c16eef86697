/*
 * pass_blocks.c - pass 5: every block in the BBT and the reference counts
 * (MS-PST 2.2.2.8, 2.2.2.7.7.3).
 *
 * Checks: each block's extent (aligned, inside the file, not larger than a
 * block may be), its trailer (cb, BID, wSig, CRC), 4K inflation; internal
 * blocks parse (XBLOCK/XXBLOCK, SLBLOCK/SIBLOCK) and every BID they name
 * exists; XBLOCK lcbTotal equals the sizes of its children; cRef equals one
 * more than the references found (the BBT's own reference plus one per
 * NBT bidData/bidSub, SLENTRY bidData/bidSub, SIENTRY bid and XBLOCK
 * entry -- observed on every clean corpus file); blocks nothing refers to
 * are reported as leaked (a warning: Outlook leaves them).  Finally the
 * header counters: bidNextB/bidNextP above every BID in use, rgnid above
 * every NID index in use.
 * Collects: blocks[].refs and .state; claims every readable block's space.
 * Relies on: passes 3 and 4 (ck->blocks, ck->nodes, sorted).
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../formats/util/pf_le.h"
#include "ck.h"

/* Count a reference to BID in ROLE; returns its entry, or NULL.  A
 * missing BID named by an internal block (FROM_BID) is reported here; one
 * named by the NBT (FROM_BID 0) was reported by pass 4 already. */
static const struct pf_block_rec *add_ref(struct pf_ck *ck, uint64_t bid,
					  uint32_t nid, uint64_t from_bid,
					  uint8_t role)
{
	struct pf_block_rec *b;

	if (bid == 0)
		return NULL;
	b = ck_block_mut(ck, bid);
	if (b) {
		if (b->refs < REFS_MAX)
			b->refs++;
		b->role |= role;
	} else if (ck->bbt_complete && from_bid != 0)
		ck_problem(ck, 5008, PF_NO_IB, from_bid, nid, bid, 0, NULL);
	return b;
}

static uint64_t id_at(const struct pf_layout *l, const uint8_t *p)
{
	return l->bid_size == 4 ? pf_le32(p) : pf_le64(p);
}

/* XBLOCK / XXBLOCK: count references; lcbTotal of an XBLOCK must equal the
 * sum of its data blocks (an XXBLOCK's is checked through its XBLOCKs). */
static void scan_xblock(struct pf_ck *ck, struct pf_block_rec *b,
			const uint8_t *data, size_t cb)
{
	const struct pf_layout *l = ck->l;
	struct pf_xblock x;
	uint64_t sum = 0;

	if (!pf_xblock_parse(l, data, cb, b->bid, &ck->sink, &x)) {
		b->state = BLK_BAD;
		return;
	}
	for (uint32_t i = 0; i < x.cent; i++) {
		uint64_t child = id_at(l, x.rgbid + (size_t)i * l->bid_size);
		/* BID 0 is no reference, but a BBT entry keyed 0 still
		 * counts in the sum */
		const struct pf_block_rec *c =
			child ? add_ref(ck, child, 0, b->bid, ROLE_DATA) :
				ck_block(ck, 0);

		if (x.level == 1 && c)
			sum += ck_inflated(ck, c);
	}
	if (x.level == 1 && ck->bbt_complete && sum != x.lcb_total) {
		struct pf_fault f = { .ib = b->ib, .bid = b->bid,
				      .field = "lcbTotal", .got = x.lcb_total,
				      .want = sum };

		ck_report(ck, 5013, &f, NULL);
	}
}

static void scan_slblock(struct pf_ck *ck, struct pf_block_rec *b,
			 const uint8_t *data, size_t cb)
{
	const struct pf_layout *l = ck->l;
	struct pf_slblock sl;
	uint32_t prev = 0;

	if (!pf_slblock_parse(l, data, cb, b->bid, &ck->sink, &sl)) {
		b->state = BLK_BAD;
		return;
	}
	for (uint32_t i = 0; i < sl.cent; i++) {
		const uint8_t *e = sl.rgentries + (size_t)i * sl.cb_entry;
		uint32_t nid = (uint32_t)id_at(l, e);

		/* MS-PST 2.2.2.1: two subnodes of a node never share a NID;
		 * the entries are kept in NID order (2.2.2.8.3.3) */
		if (i > 0 && nid <= prev)
			ck_problem(ck, 5023, b->ib, b->bid, nid, nid, prev,
				   NULL);
		prev = nid;

		add_ref(ck, id_at(l, e + l->bid_size), nid, b->bid,
			sl.level == 0 ? ROLE_DATA : ROLE_SUB);
		if (sl.level == 0)
			add_ref(ck, id_at(l, e + 2 * l->bid_size), nid, b->bid,
				ROLE_SUB);
	}
}

/* MS-PST 2.2.2.7.2: the data section, where blocks are allocated, starts
 * with the first AMap; before it lie the HEADER and the DList (2.2.2.7.4).
 * A BBT entry that puts a block there is wrong whatever the bytes say. */
static void header_block(struct pf_ck *ck, struct pf_block_rec *b)
{
	struct pf_fault f = { .ib = b->ib, .bid = b->bid,
			      .field = "ib (before the first AMap)",
			      .got = b->ib, .want = ck->l->amap_first };

	ck_report(ck, 5009, &f, NULL);
	b->state = BLK_BAD;
}

static void scan_block(struct pf_ck *ck, struct pf_block_rec *b,
		       bool deferred)
{
	struct pf_bbt_entry e;
	uint8_t *data;
	size_t cb;
	int rc;

	ck_bbt_entry(ck, b, &e);
	if (b->ib < ck->l->amap_first) {
		header_block(ck, b);
		return;
	}
	/* external blocks are only checked here, never parsed: judged in
	 * the reader's window, neither copied nor decoded (most of the
	 * file's bytes).  A deferred block was read once: its trailer
	 * faults are known. */
	if (!(b->bid & PF_BID_INTERNAL)) {
		data = NULL;
		cb = 0;
		rc = pf_block_verify(ck->ndb, &e, &ck->sink);
	} else {
		rc = pf_block_read(ck->ndb, &e, deferred ? NULL : &ck->sink,
				   &data, &cb);
	}
	if (!deferred && b->ib % ck->l->block_align == 0 && b->ib < ck->eof)
		ck_claim(ck, b->ib, pf_block_size(ck->l, b->cb), "block");
	if (rc != 0) {
		b->state = BLK_BAD;
		return;
	}
	b->state = BLK_OK;
	if (b->bid & PF_BID_INTERNAL) {
		/* btype tells the kind; when it is neither, how the block is
		 * referenced does, known once every block was read */
		if (cb >= 1 && data[0] == 0x01)
			scan_xblock(ck, b, data, cb);
		else if (cb >= 1 && data[0] == 0x02)
			scan_slblock(ck, b, data, cb);
		else if (!deferred)
			b->state = BLK_DEFER;
		else if (b->role & ROLE_DATA)
			scan_xblock(ck, b, data, cb);
		else
			scan_slblock(ck, b, data, cb);
	}
	free(data);
}

static void check_refcounts(struct pf_ck *ck)
{
	for (size_t i = 0; i < ck->nblocks; i++) {
		const struct pf_block_rec *b = &ck->blocks[i];

		if (b->refs == 0) {
			ck_problem(ck, 5031, b->ib, b->bid, 0, b->cref, 0, NULL);
		} else if (b->cref != b->refs + 1) {
			struct pf_fault f = { .ib = b->ib, .bid = b->bid,
					      .field = "cRef", .got = b->cref,
					      .want = b->refs };

			ck_report(ck, 5030, &f, NULL);
		}
	}
}

/* MS-PST 2.2.2.6: bidNextB / bidNextP are the next BIDs to hand out and
 * must be above all in use.  rgnid[t] holds, on every Outlook-written file
 * of the corpus, the highest nidIndex handed out for type t (not a NID,
 * despite the spec's wording): an index in use above it is an error. */
static void check_counters(struct pf_ck *ck)
{
	uint64_t max_block = 0;
	uint32_t max_index[32] = { 0 };

	for (size_t i = 0; i < ck->nblocks; i++)
		if ((ck->blocks[i].bid & ~(uint64_t)1) > max_block)
			max_block = ck->blocks[i].bid & ~(uint64_t)1;
	if (ck->bbt_ok && ck->h->bid_next_b <= max_block)
		ck_problem(ck, 1020, PF_NO_IB, 0, 0, ck->h->bid_next_b,
			   max_block, NULL);
	if (ck->bbt_ok && ck->nbt_ok && ck->h->bid_next_p <= ck->max_page_bid)
		ck_problem(ck, 1021, PF_NO_IB, 0, 0, ck->h->bid_next_p,
			   ck->max_page_bid, NULL);
	for (size_t i = 0; i < ck->nnodes; i++) {
		uint32_t nid = ck->nodes[i].nid;

		if (PF_NID_INDEX(nid) > max_index[PF_NID_TYPE(nid)])
			max_index[PF_NID_TYPE(nid)] = PF_NID_INDEX(nid);
	}
	for (unsigned t = 0; t < 32 && ck->nbt_ok; t++) {
		char which[8];

		if (ck->h->rgnid[t] >= max_index[t])
			continue;
		snprintf(which, sizeof(which), "0x%02x", t);
		ck_problem(ck, 1022, PF_NO_IB, 0, 0, ck->h->rgnid[t],
			   max_index[t], which);
	}
}

void pass_blocks(struct pf_ck *ck)
{
	struct ck_order order;
	bool sorted;
	size_t k;

	for (size_t i = 0; i < ck->nnodes; i++) {
		add_ref(ck, ck->nodes[i].bid_data, ck->nodes[i].nid, 0,
			ROLE_DATA);
		add_ref(ck, ck->nodes[i].bid_sub, ck->nodes[i].nid, 0,
			ROLE_SUB);
	}
	/* file order, not BID order: on a large file one sequential sweep
	 * instead of a seek per block */
	sorted = ck_order_start(&order, ck) == 0;
	for (size_t i = 0; i < ck->nblocks; i++) {
		if (i % 4096 == 0)
			ck_progress(ck, PF_PASS_BLOCKS, i, ck->nblocks);
		if (!sorted || !ck_order_next(&order, &k))
			k = i;   /* no memory for the order: BID order */
		scan_block(ck, &ck->blocks[k], false);
	}
	ck_order_free(&order);
	for (size_t i = 0; i < ck->nblocks; i++)
		if (ck->blocks[i].state == BLK_DEFER)
			scan_block(ck, &ck->blocks[i], true);
	check_trees(ck);
	ck_progress(ck, PF_PASS_BLOCKS, ck->nblocks, ck->nblocks);
	if (ck->bbt_complete && ck->nbt_complete)
		check_refcounts(ck);
	check_counters(ck);
}
