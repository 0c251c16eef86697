/*
 * datatree.c - flatten a node's data tree (MS-PST 2.2.2.8.3.2) into the
 * ordered list of its data block BIDs.
 *
 * Contract: an XXBLOCK holds XBLOCKs, an XBLOCK holds data blocks; depth is
 * at most 2 by the spec, so there is nothing to revisit except a BID that
 * names an internal block where a data block is expected, which is
 * refused.  The leaf count is bounded by what the (X)XBLOCK entries can
 * name (cEnt <= block size / BID size), so the list cannot grow without
 * bound.  A leaf named twice is refused: every leaf is read and held, so
 * one XXBLOCK naming one XBLOCK 1021 times would make a file of a few
 * KiB cost gigabytes; with each leaf once, what the leaves hold is what
 * the file stores.  lcbTotal is returned for the checker to compare with
 * the sum of the leaves; pf_node_data_read trusts it only up to what the
 * leaves the BBT knows can hold.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_grow.h"
#include "../util/pf_le.h"
#include "../util/pf_set.h"
#include "pf_ndb.h"

/* The walk's state: the leaves so far, their capacity, the leaves seen. */
struct dt_walk {
	struct pf_datatree *t;
	size_t cap;
	struct pf_set seen;
};

/* Whether BID is new to the walk (1), named before (0), or PF_E_NOMEM.
 * The set starts with the second leaf: a one-block node (most of them)
 * costs no allocation.  UINT64_MAX cannot be a set key; no BBT holds it
 * either. */
static int first_time(struct dt_walk *w, uint64_t bid)
{
	const struct pf_datatree *t = w->t;
	int rc;

	if (t->count == 0 || bid == UINT64_MAX)
		return 1;
	if (t->count == 1) {
		rc = t->bids[0] == UINT64_MAX ? 1 :
		     pf_set_add(&w->seen, t->bids[0]);
		if (rc < 0)
			return rc;
	}
	return pf_set_add(&w->seen, bid);
}

static int push(struct dt_walk *w, uint64_t bid)
{
	struct pf_datatree *t = w->t;
	int rc = first_time(w, bid);

	if (rc < 0)
		return pf_error_set(rc, "out of memory (data tree)");
	if (rc == 0)
		return pf_error_set(PF_E_CORRUPT, "data tree names block "
				    "0x%llx twice", (unsigned long long)bid);
	if (pf_grow(&t->bids, t->count, &w->cap, sizeof(*t->bids)) != 0)
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
		  const struct pf_sink *sink, struct dt_walk *w)
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
		w->t->lcb_total = x.lcb_total;
	for (uint32_t i = 0; rc == 0 && i < x.cent; i++) {
		uint64_t child = rgbid_at(l, x.rgbid, i);

		if (x.level == 2)
			rc = expand(ndb, child, 1, sink, w);
		else if (child & PF_BID_INTERNAL)
			rc = pf_error_set(PF_E_CORRUPT,
					  "XBLOCK 0x%llx names internal block "
					  "0x%llx as data",
					  (unsigned long long)bid,
					  (unsigned long long)child);
		else
			rc = push(w, child);
	}
	free(data);
	return rc;
}

int pf_datatree_load(struct pf_ndb *ndb, uint64_t bid,
		     const struct pf_sink *sink, struct pf_datatree *out)
{
	struct dt_walk w = { .t = out };
	int rc;

	memset(out, 0, sizeof(*out));
	if (bid == 0)
		return 0;
	if (!(bid & PF_BID_INTERNAL)) {
		struct pf_bbt_entry e;

		rc = pf_bbt_lookup(ndb, bid, &e);
		if (rc == 0)
			rc = push(&w, bid);
		if (rc == 0)
			out->lcb_total = e.cb_inflated;
	} else {
		rc = expand(ndb, bid, -1, sink, &w);
	}
	pf_set_free(&w.seen);
	if (rc != 0)
		pf_datatree_free(out);
	return rc;
}

void pf_datatree_free(struct pf_datatree *t)
{
	free(t->bids);
	memset(t, 0, sizeof(*t));
}

/* What the leaves can hold, from the BBT (a leaf it lacks fails here as
 * it would when read): each block's cb (MS-PST 2.2.2.7.7.3 BBTENTRY) in a
 * PST; in a 4 KiB-page OST a block may inflate, to at most the 16-bit
 * inflated size of its trailer (libpff's "compressed data block").  The
 * entries are kept so each leaf is then read without a second lookup. */
static int leaves_hold(struct pf_ndb *ndb, const struct pf_datatree *t,
		       struct pf_bbt_entry **ents, uint64_t *held)
{
	bool inflates = pf_ndb_layout(ndb)->page_size == 4096;

	*held = 0;
	*ents = calloc(t->count ? t->count : 1, sizeof(**ents));
	if (!*ents)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	for (uint32_t i = 0; i < t->count; i++) {
		int rc = pf_bbt_lookup(ndb, t->bids[i], &(*ents)[i]);

		if (rc != 0)
			return rc;
		*held += inflates ? UINT16_MAX : (*ents)[i].cb;
	}
	return 0;
}

int pf_node_data_read(struct pf_ndb *ndb, uint64_t bid, size_t limit,
		      uint8_t **data, size_t *cb)
{
	struct pf_datatree t;
	struct pf_bbt_entry *ents = NULL;
	uint8_t *buf = NULL;
	uint64_t held;
	size_t len = 0;
	int rc;

	*data = NULL;
	*cb = 0;
	rc = pf_datatree_load(ndb, bid, NULL, &t);
	if (rc == 0)
		rc = leaves_hold(ndb, &t, &ents, &held);
	if (rc != 0) {
		free(ents);
		pf_datatree_free(&t);
		return rc;
	}
	/* lcbTotal (2.2.2.8.3.2.1) is a claim: allocate no more than the
	 * leaves can hold, so a small file cannot ask for a gigabyte (the
	 * message is set before pf_datatree_free clears t) */
	if (t.lcb_total > held)
		rc = pf_error_set(PF_E_CORRUPT, "data tree 0x%llx: lcbTotal "
				  "%llu is more than its %u blocks hold "
				  "(%llu)", (unsigned long long)bid,
				  (unsigned long long)t.lcb_total, t.count,
				  (unsigned long long)held);
	else if (t.lcb_total > limit)
		rc = pf_error_set(PF_E_LIMIT, "node data of %llu bytes is "
				  "over the %zu byte limit",
				  (unsigned long long)t.lcb_total, limit);
	if (rc != 0) {
		free(ents);
		pf_datatree_free(&t);
		return rc;
	}
	buf = malloc(t.lcb_total ? t.lcb_total : 1);
	if (!buf)
		rc = pf_error_set(PF_E_NOMEM, "out of memory");
	for (uint32_t i = 0; rc == 0 && i < t.count; i++) {
		uint8_t *blk;
		size_t n;

		rc = pf_block_read(ndb, &ents[i], NULL, &blk, &n);
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
	free(ents);
	pf_datatree_free(&t);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*data = buf;
	*cb = len;
	return 0;
}
