/*
 * datatree.c - flatten a node's data tree (MS-PST 2.2.2.8.3.2) into the
 * ordered list of its data block BIDs.
 *
 * Contract: an XXBLOCK holds XBLOCKs, an XBLOCK holds data blocks; depth is
 * at most 2 by the spec, so there is nothing to revisit except a BID that
 * names an internal block where a data block is expected, which is
 * refused.  The leaf count is bounded by what the (X)XBLOCK entries can
 * name (cEnt <= block size / BID size), so the list cannot grow without
 * bound.  lcbTotal is returned for the checker to compare with the sum of
 * the leaves; pf_node_data_read() allocates for it only when the leaves
 * could hold that much.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_grow.h"
#include "../util/pf_le.h"
#include "pf_ndb.h"

static int push(struct pf_datatree *t, uint64_t bid, size_t *cap)
{
	if (pf_grow(&t->bids, t->count, cap, sizeof(*t->bids)) != 0)
		return PF_E_NOMEM;
	t->bids[t->count++] = bid;
	return 0;
}

static uint64_t rgbid_at(const struct pf_layout *l, const uint8_t *p,
			 uint32_t i)
{
	p += (size_t)i * l->bid_size;
	return l->bid_size == 4 ? pf_le32(p) : pf_le64(p);
}

/* Expand one (X)XBLOCK, already read, at the given expected level. */
static int expand(struct pf_ndb *ndb, uint64_t bid, int want_level,
		  const struct pf_sink *sink, struct pf_datatree *t,
		  size_t *cap)
{
	const struct pf_layout *l = pf_ndb_layout(ndb);
	struct pf_xblock x;
	uint8_t *data;
	size_t cb;
	int rc = pf_block_read_bid(ndb, bid, sink, &data, &cb);

	if (rc != 0)
		return rc;
	if (!pf_xblock_parse(l, data, cb, bid, sink, &x)) {
		free(data);
		return pf_error_set(PF_E_CORRUPT, "XBLOCK 0x%llx is unusable",
				    (unsigned long long)bid);
	}
	if (want_level >= 0 && x.level != want_level) {
		struct pf_fault f = {
			.obj = PF_OBJ_XBLOCK, .kind = PF_F_LEVEL,
			.field = "cLevel", .ib = PF_NO_IB, .bid = bid,
			.got = x.level, .want = (uint64_t)want_level,
		};

		pf_report(sink, &f);
		free(data);
		return pf_error_set(PF_E_CORRUPT, "XBLOCK 0x%llx has level %u",
				    (unsigned long long)bid, x.level);
	}
	if (want_level < 0)
		t->lcb_total = x.lcb_total;
	for (uint32_t i = 0; rc == 0 && i < x.cent; i++) {
		uint64_t child = rgbid_at(l, x.rgbid, i);

		if (x.level == 2)
			rc = expand(ndb, child, 1, sink, t, cap);
		else if (child & PF_BID_INTERNAL)
			rc = pf_error_set(PF_E_CORRUPT,
					  "XBLOCK 0x%llx names internal block "
					  "0x%llx as data",
					  (unsigned long long)bid,
					  (unsigned long long)child);
		else
			rc = push(t, child, cap);
	}
	free(data);
	return rc;
}

int pf_datatree_load(struct pf_ndb *ndb, uint64_t bid,
		     const struct pf_sink *sink, struct pf_datatree *out)
{
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (bid == 0)
		return 0;
	if (!(bid & PF_BID_INTERNAL)) {
		struct pf_bbt_entry e;

		rc = pf_bbt_lookup(ndb, bid, &e);
		if (rc == 0)
			rc = push(out, bid, &cap);
		if (rc == 0)
			out->lcb_total = e.cb_inflated;
	} else {
		rc = expand(ndb, bid, -1, sink, out, &cap);
	}
	if (rc != 0)
		pf_datatree_free(out);
	return rc;
}

void pf_datatree_free(struct pf_datatree *t)
{
	free(t->bids);
	memset(t, 0, sizeof(*t));
}
/* The most bytes the leaves could hold: each leaf's cb (or, 4K, its
 * cbInflated) is a 16-bit field of its BBTENTRY (MS-PST 2.2.2.7.7.3) and
 * at most a block's data; and, uncompressed, no more than the file.  An
 * lcbTotal past this is a claim to refuse before allocating for it. */
static bool lcb_plausible(struct pf_ndb *ndb, const struct pf_datatree *t)
{
	const struct pf_layout *l = pf_ndb_layout(ndb);
	uint64_t leaf = l->page_size == 4096 ? UINT16_MAX :
			l->block_max - l->block_trailer;

	if (t->lcb_total > (uint64_t)t->count * leaf)
		return false;
	return l->page_size == 4096 || t->lcb_total <= pf_ndb_file_size(ndb);
}

int pf_node_data_read(struct pf_ndb *ndb, uint64_t bid, size_t limit,
		      uint8_t **data, size_t *cb)
{
	struct pf_datatree t;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	*data = NULL;
	*cb = 0;
	rc = pf_datatree_load(ndb, bid, NULL, &t);
	if (rc != 0)
		return rc;
	if (t.lcb_total > limit) {
		pf_datatree_free(&t);
		return pf_error_set(PF_E_LIMIT, "node data of %llu bytes is "
				    "over the %zu byte limit",
				    (unsigned long long)t.lcb_total, limit);
	}
	if (!lcb_plausible(ndb, &t)) {
		pf_datatree_free(&t);
		return pf_error_set(PF_E_CORRUPT, "data tree 0x%llx claims "
				    "%llu bytes, more than its %u blocks hold",
				    (unsigned long long)bid,
				    (unsigned long long)t.lcb_total, t.count);
	}
	buf = malloc(t.lcb_total ? t.lcb_total : 1);
	if (!buf)
		rc = pf_error_set(PF_E_NOMEM, "out of memory");
	for (uint32_t i = 0; rc == 0 && i < t.count; i++) {
		uint8_t *blk;
		size_t n;

		rc = pf_block_read_bid(ndb, t.bids[i], NULL, &blk, &n);
		if (rc != 0)
			break;
		if (n > t.lcb_total - len)
			rc = pf_error_set(PF_E_CORRUPT, "data tree 0x%llx holds "
					  "more than its lcbTotal",
					  (unsigned long long)bid);
		else
			memcpy(buf + len, blk, n);
		len += n;
		free(blk);
	}
	pf_datatree_free(&t);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*data = buf;
	*cb = len;
	return 0;
}
