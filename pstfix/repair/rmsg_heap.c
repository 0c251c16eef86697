/*
 * rmsg_heap.c - a message's or attachment's PC whose heap header or BTH
 * is damaged, read tolerantly (MS-PST 2.3.1, 2.3.2) so the messaging
 * stage can write the PC again from the properties that decode.
 *
 * Contract
 * - rmsg_item_open() opens a message as usual, or tolerantly when its
 *   heap reports a fault (rmsg_heap_faults(), rmsg_salvage.c: a PC that
 *   still opens may have a bad HNHDR bSig).
 * - rmsg_message_salvage() opens a message whose heap is damaged in its
 *   first block: HNHDR.bSig is only a signature and is ignored; an
 *   ibHnpm out of range, or naming bytes that are no HNPAGEMAP, is
 *   replaced by the one offset in the block that holds a page map fully
 *   consistent with the header (see pagemap_ok() for why that is
 *   trustworthy); several such offsets or none: nothing is guessed and
 *   the open fails.  Then the BTH is put right where the spec or the
 *   heap says what it must be (rmsg_pc_bth_fix(), rmsg_bth.c).  The PC
 *   must then decode through the normal LTP code: nothing is invented.
 * - rmsg_attachment_salvage() does the same for an attachment's PC.
 * - Reads are bounded: the data tree and blocks by formats/ndb, the
 *   search by the block's size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/ltp/pf_ltp.h"
#include "../../formats/ndb/pf_ndb.h"
#include "../../formats/util/pf_err.h"
#include "../../formats/util/pf_le.h"
#include "rmsg.h"

#define HNHDR_CB 12u       /* MS-PST 2.3.1.2 */
#define HNPAGEMAP_CB 4u    /* cAlloc, cFree (2.3.1.5) */

/* An HNPAGEMAP at IB of block 0 (D, CB), MS-PST 2.3.1.5.  Trustworthy
 * because every field must agree with the others and with the block:
 * cAlloc in 1..2047 and cFree <= cAlloc; the whole map (rgibAlloc[cAlloc
 * + 1]) inside the block; rgibAlloc[0] exactly the end of the HNHDR
 * (allocations start there); every next offset ascending; the last one
 * (the end of the last allocation) at most 3 bytes before IB, as a
 * writer puts the map right after the allocations (aligned).  Random
 * bytes pass all of these by chance only rarely, and a second passing
 * offset makes the caller give up. */
static bool pagemap_ok(const uint8_t *d, size_t cb, size_t ib)
{
	uint32_t c_alloc, c_free, prev = HNHDR_CB;

	if (ib < HNHDR_CB || ib + HNPAGEMAP_CB + 2 > cb)
		return false;
	c_alloc = pf_le16(d + ib);
	c_free = pf_le16(d + ib + 2);
	if (c_alloc == 0 || c_alloc > PF_HN_MAX_ALLOC || c_free > c_alloc ||
	    ib + HNPAGEMAP_CB + 2 * ((size_t)c_alloc + 1) > cb)
		return false;
	if (pf_le16(d + ib + HNPAGEMAP_CB) != HNHDR_CB)
		return false;
	for (uint32_t j = 1; j <= c_alloc; j++) {
		uint32_t v = pf_le16(d + ib + HNPAGEMAP_CB + 2 * j);

		if (v < prev || v > ib)
			return false;
		prev = v;
	}
	return ib - prev <= 3;
}

/* Block 0 (D, CB) made readable; what was done into WHY.  False when the
 * page map cannot be found with certainty. */
static bool fix_block0(uint8_t *d, size_t cb, char *why, size_t cbwhy)
{
	size_t ib = pf_le16(d), found = 0, nfound = 0;
	int len = 0;

	why[0] = '\0';
	if (d[2] != PF_HN_SIG) {
		len = snprintf(why, cbwhy, "bSig 0x%x ignored", d[2]);
		d[2] = PF_HN_SIG;
	}
	if (pagemap_ok(d, cb, ib))
		return true;
	for (size_t c = HNHDR_CB; c + HNPAGEMAP_CB + 2 <= cb && nfound < 2;
	     c++)
		if (pagemap_ok(d, cb, c)) {
			found = c;
			nfound++;
		}
	if (nfound != 1)
		return false;
	snprintf(why + len, cbwhy - (size_t)len, "%sibHnpm 0x%zx replaced "
		 "by the page map found at 0x%zx", len ? ", " : "", ib,
		 found);
	d[0] = (uint8_t)(found & 0xff);
	d[1] = (uint8_t)(found >> 8);
	return true;
}

/* The heap's blocks (unreadable ones NULL) into *BLOCKS / *CBS. */
static int read_heap(struct pf_ndb *ndb, uint64_t bid_data,
		     uint8_t ***blocks, size_t **cbs, uint32_t *n)
{
	struct pf_datatree t = { 0 };
	int rc = pf_datatree_load(ndb, bid_data, NULL, &t);

	if (rc == 0 && (t.count == 0 || t.count > PF_HN_MAX_BLOCKS))
		rc = pf_error_set(PF_E_CORRUPT, "heap of %u blocks", t.count);
	if (rc == 0) {
		*blocks = calloc(t.count, sizeof(**blocks));
		*cbs = calloc(t.count, sizeof(**cbs));
		if (!*blocks || !*cbs)
			rc = pf_error_set(PF_E_NOMEM, "out of memory");
	}
	for (uint32_t i = 0; rc == 0 && i < t.count; i++)
		if (pf_block_read_bid(ndb, t.bids[i], NULL, &(*blocks)[i],
				      &(*cbs)[i]) != 0)
			(*blocks)[i] = NULL;
	*n = rc == 0 ? t.count : 0;
	pf_datatree_free(&t);
	return rc;
}

int rmsg_heap_read(struct pf_ndb *ndb, uint64_t bid_data, uint8_t ***blocks,
		   size_t **cbs, uint32_t *n, char *why, size_t cbwhy)
{
	int rc = read_heap(ndb, bid_data, blocks, cbs, n);

	if (rc == 0 && (!(*blocks)[0] || (*cbs)[0] < HNHDR_CB ||
			!fix_block0((*blocks)[0], (*cbs)[0], why, cbwhy)))
		rc = pf_error_set(PF_E_CORRUPT, "no page map found");
	if (rc != 0) {
		rmsg_heap_free(*blocks, *cbs, *n);
		*blocks = NULL;
		*cbs = NULL;
		*n = 0;
	}
	return rc;
}

void rmsg_heap_free(uint8_t **blocks, size_t *cbs, uint32_t n)
{
	for (uint32_t i = 0; blocks && i < n; i++)
		free(blocks[i]);
	free(blocks);
	free(cbs);
}

/* The PC of node NID (BID_DATA, BID_SUB) read tolerantly into *PC with
 * its subnodes in *SUB (the PC points at SUB); both empty on failure. */
static int pc_salvage(struct pf_pc *pc, struct pf_subnodes *sub,
		      struct pf_ndb *ndb, uint32_t nid, uint64_t bid_data,
		      uint64_t bid_sub, char *why, size_t cbwhy)
{
	bool wide = pf_ndb_layout(ndb)->page_size == 4096;
	uint8_t **blocks = NULL;
	size_t *cbs = NULL;
	uint32_t nb = 0;
	struct pf_hn hn;
	int rc;

	memset(pc, 0, sizeof(*pc));
	memset(sub, 0, sizeof(*sub));
	rc = rmsg_heap_read(ndb, bid_data, &blocks, &cbs, &nb, why, cbwhy);
	if (rc != 0)
		return rc;
	rmsg_pc_bth_fix(blocks[0], cbs[0], wide, why, cbwhy);
	/* takes the blocks, success or not; the arrays stay ours */
	rc = pf_hn_open_blocks(&hn, blocks, cbs, nb, nid, NULL);
	free(blocks);
	free(cbs);
	if (rc != 0)
		return rc;
	hn.wide_hid = wide;
	rc = pf_subnodes_load(ndb, bid_sub, NULL, sub);
	if (rc == 0)
		rc = pf_pc_open_hn(pc, &hn, ndb, sub, NULL);
	else
		pf_hn_close(&hn);
	if (rc != 0)
		pf_subnodes_free(sub);
	return rc;
}

int rmsg_message_salvage(struct pf_message *m, struct pf_ndb *ndb,
			 const struct rmsg_node *n, char *why, size_t cbwhy)
{
	memset(m, 0, sizeof(*m));
	m->ndb = ndb;
	m->nid = n->nid;
	return pc_salvage(&m->pc, &m->sub, ndb, n->nid, n->bid_data,
			  n->bid_sub, why, cbwhy);
}

int rmsg_attachment_salvage(struct pf_attachment *a, struct pf_message *m,
			    uint32_t nid, char *why, size_t cbwhy)
{
	const struct pf_subnode *s = pf_subnodes_find(&m->sub, nid);

	memset(a, 0, sizeof(*a));
	a->nid = nid;
	if (!s)
		return pf_error_set(PF_E_NOTFOUND, "no attachment 0x%x", nid);
	return pc_salvage(&a->pc, &a->sub, m->ndb, nid, s->bid_data,
			  s->bid_sub, why, cbwhy);
}

int rmsg_item_open(struct pf_message *m, struct pf_ndb *ndb,
		   struct rmsg_node *n)
{
	char why[RMSG_WHY_CB];
	int rc = pf_message_open(m, ndb, n->nid);

	if (rc == 0 && !rmsg_heap_faults(ndb, n))
		return 0;
	if (rc == 0) {
		/* it opens, but its heap header is damaged: a tolerant read
		 * when one works, else the PC as it opened */
		struct pf_message t;

		if (rmsg_message_salvage(&t, ndb, n, why, sizeof(why)) != 0)
			return 0;
		pf_message_close(m);
		*m = t;
		m->pc.sub = &m->sub;   /* it borrowed T's */
		n->fix_heap = true;
		return 0;
	}
	rc = rmsg_message_salvage(m, ndb, n, why, sizeof(why));
	if (rc == 0)
		n->fix_heap = true;
	return rc;
}
