/*
 * hn.c - heap-on-node (MS-PST 2.3.1).
 *
 * Contract: a heap is the list of a node's data blocks.  Block 0 starts
 * with HNHDR (12 bytes), blocks 8, 136, 264, ... (8 + 128k) with
 * HNBITMAPHDR (66 bytes), the others with HNPAGEHDR (2 bytes); each one's
 * ibHnpm points at its HNPAGEMAP (cAlloc, cFree, rgibAlloc[cAlloc + 1]).
 * Opening checks every block's header and page map against the block size
 * and reports what is wrong; a block whose page map is unusable stays in
 * the list with ok == false (HIDs into it fail), so one bad page does not
 * lose the rest of the heap.  Only an unusable block 0 fails the open.
 * pf_hn_get() re-checks the one allocation it returns, so a damaged
 * rgibAlloc can never yield bytes outside [header end, ibHnpm).
 * Bounds: at most PF_HN_MAX_BLOCKS blocks, PF_NODE_DATA_MAX bytes in all,
 * cAlloc <= PF_HN_MAX_ALLOC.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_le.h"
#include "ltp_int.h"

#define HNHDR_CB        12u  /* 2.3.1.2 */
#define HNPAGEHDR_CB     2u  /* 2.3.1.3 */
#define HNBITMAPHDR_CB  66u  /* 2.3.1.4 */
#define HNPAGEMAP_CB     4u  /* 2.3.1.5: cAlloc, cFree */

/* 2.3.1.4: HNBITMAPHDR in block 8 and every 128th block after it. */
static bool is_bitmap_block(uint32_t i)
{
	return i >= 8 && (i - 8) % 128 == 0;
}

static uint16_t hdr_size(uint32_t i)
{
	if (i == 0)
		return HNHDR_CB;
	return is_bitmap_block(i) ? HNBITMAPHDR_CB : HNPAGEHDR_CB;
}

static const char *hdr_name(uint32_t i)
{
	if (i == 0)
		return "HNHDR";
	return is_bitmap_block(i) ? "HNBITMAPHDR" : "HNPAGEHDR";
}

/* 2.3.1.2: the pre-defined bClientSig values; others are reserved. */
static bool client_sig_known(uint8_t s)
{
	switch (s) {
	case 0x6C: case 0x7C: case 0x8C: case 0x9C: case 0xA5:
	case 0xAC: case 0xB5: case 0xBC: case 0xCC:
		return true;
	}
	return false;
}

static void hn_fault(const struct pf_hn *hn, uint32_t i,
		     enum pf_fault_kind kind, const char *field,
		     uint64_t got, uint64_t want, const struct pf_sink *sink)
{
	struct pf_fault f = {
		.obj = PF_OBJ_HN, .kind = kind, .field = field,
		.ib = PF_NO_IB, .bid = hn->blk[i].bid, .nid = hn->nid,
		.got = got, .want = want,
	};

	pf_report(sink, &f);
}

static uint16_t rgib_at(const struct pf_hn_block *b, uint32_t j)
{
	return pf_le16(b->data + b->ib_hnpm + HNPAGEMAP_CB + 2 * j);
}

/* 2.3.1.5: rgibAlloc ascending within [end of header, ibHnpm].  Reports
 * the first offender only; pf_hn_get() checks each allocation again. */
static void check_rgib(const struct pf_hn *hn, uint32_t i,
		       const struct pf_sink *sink)
{
	const struct pf_hn_block *b = &hn->blk[i];
	uint32_t prev = b->cb_hdr;
	uint32_t j;

	for (j = 0; j <= b->c_alloc; j++) {
		uint16_t v = rgib_at(b, j);

		if (v < prev || v > b->ib_hnpm) {
			hn_fault(hn, i, PF_F_VALUE, "rgibAlloc", v, prev,
				 sink);
			return;
		}
		prev = v;
	}
}

/* Parse block I's ibHnpm and HNPAGEMAP; true when the map is usable. */
static bool parse_block(struct pf_hn *hn, uint32_t i,
			const struct pf_sink *sink)
{
	struct pf_hn_block *b = &hn->blk[i];
	size_t end;

	b->cb_hdr = hdr_size(i);
	if (!b->data)
		return false;  /* the NDB reported why */
	if (b->cb < b->cb_hdr) {
		hn_fault(hn, i, PF_F_CB, hdr_name(i), b->cb, b->cb_hdr, sink);
		return false;
	}
	b->ib_hnpm = pf_le16(b->data);
	/* 2.3.1.2/3/4 ibHnpm: the page map lies after the header, inside */
	if (b->ib_hnpm < b->cb_hdr ||
	    (size_t)b->ib_hnpm + HNPAGEMAP_CB > b->cb) {
		hn_fault(hn, i, PF_F_CB, "ibHnpm", b->ib_hnpm, b->cb, sink);
		return false;
	}
	b->c_alloc = pf_le16(b->data + b->ib_hnpm);
	b->c_free = pf_le16(b->data + b->ib_hnpm + 2);
	/* 2.3.1.5 cAlloc: rgibAlloc[cAlloc + 1] must fit; 11-bit hidIndex */
	end = (size_t)b->ib_hnpm + HNPAGEMAP_CB + 2 * ((size_t)b->c_alloc + 1);
	if (b->c_alloc > PF_HN_MAX_ALLOC || end > b->cb) {
		hn_fault(hn, i, PF_F_CENT, "cAlloc", b->c_alloc,
			 b->cb > b->ib_hnpm + 6u ?
			 (b->cb - b->ib_hnpm - 6u) / 2 : 0, sink);
		return false;
	}
	/* 2.3.1.5 cFree: freed items are among the allocated ones */
	if (b->c_free > b->c_alloc)
		hn_fault(hn, i, PF_F_CENT, "cFree", b->c_free, b->c_alloc,
			 sink);
	check_rgib(hn, i, sink);
	return true;
}

/* 2.3.1.2 HNHDR fields of block 0 (already known to be >= 12 bytes). */
static void parse_hnhdr(struct pf_hn *hn, const struct pf_sink *sink)
{
	const uint8_t *d = hn->blk[0].data;

	hn->client_sig = d[3];
	hn->hid_user_root = pf_le32(d + 4);
	memcpy(hn->fill_level, d + 8, 4);
	if (d[2] != PF_HN_SIG)
		hn_fault(hn, 0, PF_F_MAGIC, "bSig", d[2], PF_HN_SIG, sink);
	if (!client_sig_known(d[3]))
		hn_fault(hn, 0, PF_F_MAGIC, "bClientSig", d[3], PF_BTYPE_PC,
			 sink);
}

static void free_blocks(uint8_t **blocks, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		free(blocks[i]);
}

/* Build *hn from N owned blocks (BIDS may be NULL). */
static int hn_build(struct pf_hn *hn, uint8_t **blocks, size_t *cbs,
		    const uint64_t *bids, uint32_t n, uint32_t nid, bool wide,
		    const struct pf_sink *sink)
{
	uint32_t i;

	memset(hn, 0, sizeof(*hn));
	hn->wide_hid = wide;
	if (n == 0)
		return pf_error_set(PF_E_CORRUPT,
				    "heap of node %#x has no data block", nid);
	if (n > PF_HN_MAX_BLOCKS) {
		free_blocks(blocks, n);
		return pf_error_set(PF_E_LIMIT,
				    "heap of node %#x has %u blocks (max %u)",
				    nid, n, PF_HN_MAX_BLOCKS);
	}
	hn->blk = calloc(n, sizeof(*hn->blk));
	if (!hn->blk) {
		free_blocks(blocks, n);
		return pf_error_set(PF_E_NOMEM, "out of memory (heap)");
	}
	hn->nblocks = n;
	hn->nid = nid;
	for (i = 0; i < n; i++) {
		hn->blk[i].data = blocks[i];
		hn->blk[i].cb = blocks[i] ? cbs[i] : 0;
		hn->blk[i].bid = bids ? bids[i] : 0;
	}
	for (i = 0; i < n; i++)
		hn->blk[i].ok = parse_block(hn, i, sink);
	if (!hn->blk[0].ok) {
		pf_hn_close(hn);
		return pf_error_set(PF_E_CORRUPT,
				    "heap of node %#x: first block unusable",
				    nid);
	}
	parse_hnhdr(hn, sink);
	/* 2.3.1.2 hidUserRoot: 0 or a HID that resolves */
	if (hn->hid_user_root != 0)
		pf_hn_hid_check(hn, hn->hid_user_root, PF_OBJ_HN,
				"hidUserRoot", sink);
	return 0;
}

int pf_hn_open_blocks(struct pf_hn *hn, uint8_t **blocks, size_t *cbs,
		      uint32_t n, uint32_t nid, const struct pf_sink *sink)
{
	return hn_build(hn, blocks, cbs, NULL, n, nid, false, sink);
}

/* Read every leaf block; unreadable (damaged) ones become NULL. */
static int read_blocks(struct pf_ndb *ndb, const struct pf_datatree *t,
		       const struct pf_sink *sink, uint8_t **blocks,
		       size_t *cbs)
{
	uint64_t total = 0;
	uint32_t i;

	for (i = 0; i < t->count; i++) {
		int rc = pf_block_read_bid(ndb, t->bids[i], sink, &blocks[i],
					   &cbs[i]);

		if (rc == PF_E_NOMEM || rc == PF_E_IO || rc == PF_E_LIMIT)
			return rc;
		if (rc < 0) {
			blocks[i] = NULL;
			cbs[i] = 0;
			continue;
		}
		total += cbs[i];
		if (total > PF_NODE_DATA_MAX)
			return pf_error_set(PF_E_LIMIT,
					    "heap larger than %u bytes",
					    PF_NODE_DATA_MAX);
	}
	return 0;
}

int pf_hn_open(struct pf_hn *hn, struct pf_ndb *ndb, uint32_t nid,
	       uint64_t bid_data, const struct pf_sink *sink)
{
	struct pf_datatree t = { 0 };
	uint8_t **blocks = NULL;
	size_t *cbs = NULL;
	int rc;

	memset(hn, 0, sizeof(*hn));
	rc = pf_datatree_load(ndb, bid_data, sink, &t);
	if (rc < 0)
		return rc;
	if (t.count == 0 || t.count > PF_HN_MAX_BLOCKS) {
		rc = pf_error_set(t.count ? PF_E_LIMIT : PF_E_CORRUPT,
				  "heap of node %#x: %u data blocks", nid,
				  t.count);
		goto out;
	}
	blocks = calloc(t.count, sizeof(*blocks));
	cbs = calloc(t.count, sizeof(*cbs));
	if (!blocks || !cbs) {
		rc = pf_error_set(PF_E_NOMEM, "out of memory (heap)");
		goto out;
	}
	rc = read_blocks(ndb, &t, sink, blocks, cbs);
	if (rc < 0) {
		free_blocks(blocks, t.count);
		goto out;
	}
	rc = hn_build(hn, blocks, cbs, t.bids, t.count, nid,
		      pf_ndb_layout(ndb)->page_size == 4096, sink);
out:
	free(blocks);
	free(cbs);
	pf_datatree_free(&t);
	return rc;
}

void pf_hn_close(struct pf_hn *hn)
{
	uint32_t i;

	if (!hn)
		return;
	for (i = 0; i < hn->nblocks; i++)
		free(hn->blk[i].data);
	free(hn->blk);
	memset(hn, 0, sizeof(*hn));
}

/* Why a HID does not resolve (MS-PST 2.3.1.1). */
enum hid_why {
	HID_OK = 0,
	HID_TYPE,      /* hidType != NID_TYPE_HID */
	HID_BLOCK,     /* hidBlockIndex past the blocks */
	HID_INDEX0,    /* hidIndex 0 (it is 1-based) */
	HID_INDEX,     /* hidIndex past cAlloc */
	HID_PAGE,      /* the block's page map is unusable */
	HID_EXTENT,    /* rgibAlloc gives an impossible extent */
};

static enum hid_why hid_problem(const struct pf_hn *hn, uint32_t hid,
				uint64_t *got, uint64_t *want)
{
	uint32_t bi = pf_hid_block(hn->wide_hid, hid);
	uint32_t idx = pf_hid_index(hn->wide_hid, hid);
	const struct pf_hn_block *b;
	uint16_t start, end;

	*got = hid;
	*want = 0;
	if (PF_HID_TYPE(hid) != 0) {
		*got = PF_HID_TYPE(hid);
		return HID_TYPE;
	}
	if (bi >= hn->nblocks) {
		*got = bi;
		*want = hn->nblocks;
		return HID_BLOCK;
	}
	if (idx == 0)
		return HID_INDEX0;
	b = &hn->blk[bi];
	if (!b->ok)
		return HID_PAGE;
	if (idx > b->c_alloc) {
		*got = idx;
		*want = b->c_alloc;
		return HID_INDEX;
	}
	start = rgib_at(b, idx - 1);
	end = rgib_at(b, idx);
	if (start > end || start < b->cb_hdr || end > b->ib_hnpm)
		return HID_EXTENT;
	return HID_OK;
}

/* Report why HID does not resolve; the fault's hid field carries ID (the
 * HID itself, or the property tag that led here), got the HID. */
bool pf_ltp_hid_check(const struct pf_hn *hn, uint32_t hid, enum pf_obj obj,
		      const char *field, uint32_t id,
		      const struct pf_sink *sink)
{
	uint64_t got, want;
	enum hid_why why = hid_problem(hn, hid, &got, &want);
	struct pf_fault f = {
		.obj = obj, .field = field, .ib = PF_NO_IB, .nid = hn->nid,
		.hid = id, .got = hid, .want = want,
	};

	if (why == HID_OK)
		return true;
	f.kind = (why == HID_TYPE || why == HID_INDEX0) ?
		 PF_F_VALUE : PF_F_MISSING;
	if (pf_hid_block(hn->wide_hid, hid) < hn->nblocks)
		f.bid = hn->blk[pf_hid_block(hn->wide_hid, hid)].bid;
	pf_report(sink, &f);
	return false;
}

bool pf_hn_hid_check(const struct pf_hn *hn, uint32_t hid, enum pf_obj obj,
		     const char *field, const struct pf_sink *sink)
{
	return pf_ltp_hid_check(hn, hid, obj, field, hid, sink);
}

int pf_hn_get(const struct pf_hn *hn, uint32_t hid, const uint8_t **ptr,
	      size_t *cb)
{
	uint64_t got, want;
	const struct pf_hn_block *b;
	uint16_t start;

	*ptr = NULL;
	*cb = 0;
	switch (hid_problem(hn, hid, &got, &want)) {
	case HID_OK:
		break;
	case HID_TYPE:
		return pf_error_set(PF_E_CORRUPT,
				    "%#x is not a HID (hidType %u)", hid,
				    PF_HID_TYPE(hid));
	case HID_BLOCK:
	case HID_INDEX0:
	case HID_INDEX:
		return pf_error_set(PF_E_NOTFOUND,
				    "HID %#x not in the heap of node %#x",
				    hid, hn->nid);
	case HID_PAGE:
	case HID_EXTENT:
		return pf_error_set(PF_E_CORRUPT,
				    "HID %#x: heap page of node %#x damaged",
				    hid, hn->nid);
	}
	b = &hn->blk[pf_hid_block(hn->wide_hid, hid)];
	start = rgib_at(b, pf_hid_index(hn->wide_hid, hid) - 1);
	*ptr = b->data + start;
	*cb = (size_t)rgib_at(b, pf_hid_index(hn->wide_hid, hid)) - start;
	return 0;
}
