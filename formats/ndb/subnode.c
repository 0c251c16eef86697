/*
 * subnode.c - load a node's subnode tree (MS-PST 2.2.2.8.3.3) into a
 * sorted array of SLENTRYs.
 *
 * Contract: an SIBLOCK (level 1) points at SLBLOCKs (level 0); deeper trees
 * are refused, so the walk is bounded.  The result is sorted by NID and
 * lookups are binary searches.  Duplicate NIDs are reported (PF_F_KEY_ORDER
 * on unsorted entries) and one kept: the one with the lower bidData.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_grow.h"
#include "../util/pf_le.h"
#include "pf_ndb.h"

static uint64_t id_at(const struct pf_layout *l, const uint8_t *p)
{
	return l->bid_size == 4 ? pf_le32(p) : pf_le64(p);
}

static int push(struct pf_subnodes *s, size_t *cap,
		const struct pf_subnode *e)
{
	if (pf_grow(&s->v, s->count, cap, sizeof(*s->v)) != 0)
		return PF_E_NOMEM;
	s->v[s->count++] = *e;
	return 0;
}

static void order_fault(const struct pf_sink *sink, uint64_t bid,
			uint32_t prev, uint32_t nid)
{
	struct pf_fault f = {
		.obj = PF_OBJ_SUBNODE, .kind = PF_F_KEY_ORDER, .field = "nid",
		.ib = PF_NO_IB, .bid = bid, .nid = nid, .got = nid,
		.want = prev,
	};

	pf_report(sink, &f);
}

/* Whether the SIBLOCK entry I names an SLBLOCK an earlier entry named:
 * loading it again would only repeat its SLENTRYs (dropped later as
 * duplicate NIDs), yet 1021 copies of one block would cost megabytes
 * from a few KiB of file.  At most cEnt^2 / 2 comparisons (cEnt <= 1021,
 * 2.2.2.8.3.3.2). */
static bool named_before(const struct pf_layout *l,
			 const struct pf_slblock *sl, uint32_t i)
{
	uint64_t bid = id_at(l, sl->rgentries + (size_t)i * sl->cb_entry +
			     l->bid_size);

	for (uint32_t j = 0; j < i; j++)
		if (id_at(l, sl->rgentries + (size_t)j * sl->cb_entry +
			  l->bid_size) == bid)
			return true;
	return false;
}

static int load(struct pf_ndb *ndb, uint64_t bid, int want_level,
		const struct pf_sink *sink, struct pf_subnodes *s,
		size_t *cap)
{
	const struct pf_layout *l = pf_ndb_layout(ndb);
	struct pf_slblock sl;
	uint8_t *data;
	size_t cb;
	int rc = pf_block_read_bid(ndb, bid, sink, &data, &cb);

	if (rc != 0)
		return rc;
	if (!pf_slblock_parse(l, data, cb, bid, sink, &sl) ||
	    (want_level >= 0 && sl.level != want_level)) {
		free(data);
		return pf_error_set(PF_E_CORRUPT, "subnode block 0x%llx is "
				    "unusable", (unsigned long long)bid);
	}
	for (uint32_t i = 0; rc == 0 && i < sl.cent; i++) {
		const uint8_t *p = sl.rgentries + (size_t)i * sl.cb_entry;
		struct pf_subnode e = {
			.nid = (uint32_t)id_at(l, p),
			.bid_data = id_at(l, p + l->bid_size),
		};

		if (i > 0 && s->count > 0 && e.nid <= s->v[s->count - 1].nid)
			order_fault(sink, bid, s->v[s->count - 1].nid, e.nid);
		if (sl.level == 1) {
			if (!named_before(l, &sl, i))
				rc = load(ndb, e.bid_data, 0, sink, s, cap);
		} else {
			e.bid_sub = id_at(l, p + 2 * l->bid_size);
			rc = push(s, cap, &e);
		}
	}
	free(data);
	return rc;
}

static int cmp_nid(const void *a, const void *b)
{
	const struct pf_subnode *x = a, *y = b;

	return x->nid < y->nid ? -1 : x->nid > y->nid;
}

/* Sort order for loading: by NID, then BID, so that which of two entries
 * with one NID survives does not depend on qsort. */
static int cmp_nid_bid(const void *a, const void *b)
{
	const struct pf_subnode *x = a, *y = b;
	int c = cmp_nid(a, b);

	if (c != 0)
		return c;
	return x->bid_data < y->bid_data ? -1 : x->bid_data > y->bid_data;
}

/* Keep the first of each run of equal NIDs (reported as out of order
 * while loading). */
static void drop_duplicates(struct pf_subnodes *s)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < s->count; i++)
		if (n == 0 || s->v[n - 1].nid != s->v[i].nid)
			s->v[n++] = s->v[i];
	s->count = n;
}

int pf_subnodes_load(struct pf_ndb *ndb, uint64_t bid_sub,
		     const struct pf_sink *sink, struct pf_subnodes *out)
{
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (bid_sub == 0)
		return 0;
	rc = load(ndb, bid_sub, -1, sink, out, &cap);
	if (rc != 0) {
		pf_subnodes_free(out);
		return rc;
	}
	if (out->count > 1)   /* qsort(NULL, 0) is undefined */
		qsort(out->v, out->count, sizeof(*out->v), cmp_nid_bid);
	drop_duplicates(out);
	return 0;
}

void pf_subnodes_free(struct pf_subnodes *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

const struct pf_subnode *pf_subnodes_find(const struct pf_subnodes *s,
					  uint32_t nid)
{
	struct pf_subnode key = { .nid = nid };

	if (!s || s->count == 0)
		return NULL;
	return bsearch(&key, s->v, s->count, sizeof(*s->v), cmp_nid);
}
