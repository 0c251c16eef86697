/*
 * bth.c - BTree-on-heap (MS-PST 2.3.2).
 *
 * Contract: a BTH is a BTHHEADER allocation (bType 0xB5, cbKey, cbEnt,
 * bIdxLevels, hidRoot) and record arrays in the same heap: intermediate
 * records (key, hidNextLevel) while levels remain, leaf records (key,
 * data) at level 0.  pf_bth_open() rejects a header it cannot trust;
 * pf_bth_walk() visits leaves in order and reports every structural fault
 * it meets without stopping; pf_bth_lookup() descends without reporting.
 * Bounds: depth <= bIdxLevels <= PF_BTH_MAX_LEVELS (recursion is bounded
 * by it); a bitmap of visited allocations stops shared or cyclic
 * subtrees; record counts come from the allocation size.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_le.h"
#include "ltp_int.h"

#define BTHHEADER_CB 8u
#define HID_CB       4u   /* hidNextLevel */

static void bth_fault(const struct pf_bth *bth, enum pf_fault_kind kind,
		      const char *field, uint32_t hid, uint64_t got,
		      uint64_t want, const struct pf_sink *sink)
{
	pf_ltp_fault(sink, PF_OBJ_BTH, kind, field, bth->hn->nid, hid, got,
		     want);
}

/* 2.3.2.1 cbKey: 2, 4, 8 or 16. */
static bool cb_key_ok(uint8_t cb)
{
	return cb == 2 || cb == 4 || cb == 8 || cb == 16;
}

static int header_fails(const struct pf_bth *bth, enum pf_fault_kind kind,
			const char *field, uint64_t got, uint64_t want,
			const struct pf_sink *sink)
{
	bth_fault(bth, kind, field, bth->hid, got, want, sink);
	return pf_error_set(PF_E_CORRUPT, "BTH %#x of node %#x: bad %s",
			    bth->hid, bth->hn->nid, field);
}

int pf_bth_open(struct pf_bth *bth, const struct pf_hn *hn, uint32_t hid,
		const struct pf_sink *sink)
{
	const uint8_t *p;
	size_t cb;
	int rc;

	memset(bth, 0, sizeof(*bth));
	bth->hn = hn;
	bth->hid = hid;
	rc = pf_hn_get(hn, hid, &p, &cb);
	if (rc < 0)
		return rc;
	if (cb < BTHHEADER_CB)
		return header_fails(bth, PF_F_CB, "BTHHEADER", cb,
				    BTHHEADER_CB, sink);
	bth->cb_key = p[1];
	bth->cb_ent = p[2];
	bth->levels = p[3];
	bth->hid_root = pf_le32(p + 4);
	if (p[0] != PF_BTYPE_BTH)                       /* 2.3.2.1 bType */
		return header_fails(bth, PF_F_MAGIC, "bType", p[0],
				    PF_BTYPE_BTH, sink);
	if (!cb_key_ok(bth->cb_key))                    /* 2.3.2.1 cbKey */
		return header_fails(bth, PF_F_VALUE, "cbKey", bth->cb_key, 2,
				    sink);
	if (bth->cb_ent == 0 || bth->cb_ent > 32)       /* 2.3.2.1 cbEnt */
		return header_fails(bth, PF_F_VALUE, "cbEnt", bth->cb_ent, 32,
				    sink);
	if (bth->levels > PF_BTH_MAX_LEVELS)       /* 2.3.2.1 bIdxLevels */
		return header_fails(bth, PF_F_DEPTH, "bIdxLevels",
				    bth->levels, PF_BTH_MAX_LEVELS, sink);
	/* 2.3.2.1 hidRoot: 0 for an empty BTH, else a HID in this heap */
	if (bth->hid_root != 0 &&
	    !pf_hn_hid_check(hn, bth->hid_root, PF_OBJ_BTH, "hidRoot", sink))
		return pf_error_set(PF_E_CORRUPT,
				    "BTH %#x of node %#x: hidRoot %#x absent",
				    hid, hn->nid, bth->hid_root);
	return 0;
}

static uint32_t rec_size(const struct pf_bth *bth, uint32_t level)
{
	return bth->cb_key + (level > 0 ? HID_CB : bth->cb_ent);
}

/* ---- lookup ---- */

/* Index of the last record whose key is <= KEY, or -1. */
static long last_le(const struct pf_bth *bth, const uint8_t *p, size_t n,
		    uint32_t rs, const uint8_t *key)
{
	long found = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (pf_ltp_key_cmp(p + i * rs, key, bth->cb_key) > 0)
			break;
		found = (long)i;
	}
	return found;
}

int pf_bth_lookup(const struct pf_bth *bth, const uint8_t *key,
		  const uint8_t **ent)
{
	uint32_t hid = bth->hid_root, level = bth->levels;

	*ent = NULL;
	if (hid == 0)
		return pf_error_set(PF_E_NOTFOUND, "BTH %#x is empty",
				    bth->hid);
	for (;;) {   /* runs bIdxLevels + 1 <= PF_BTH_MAX_LEVELS + 1 times */
		uint32_t rs = rec_size(bth, level);
		const uint8_t *p;
		size_t cb, n, i;
		long at;
		int rc = pf_hn_get(bth->hn, hid, &p, &cb);

		if (rc < 0)
			return pf_error_set(PF_E_CORRUPT,
					    "BTH %#x: record array %#x "
					    "unreadable", bth->hid, hid);
		n = cb / rs;
		if (level == 0) {
			for (i = 0; i < n; i++) {
				if (pf_ltp_key_cmp(p + i * rs, key,
						   bth->cb_key) == 0) {
					*ent = p + i * rs + bth->cb_key;
					return 0;
				}
			}
			break;
		}
		at = last_le(bth, p, n, rs, key);
		if (at < 0)
			break;
		hid = pf_le32(p + (size_t)at * rs + bth->cb_key);
		level--;
	}
	return pf_error_set(PF_E_NOTFOUND, "key not in BTH %#x", bth->hid);
}

/* ---- walk ---- */

struct walk {
	const struct pf_bth *bth;
	const struct pf_sink *sink;
	pf_bth_visit_fn fn;
	void *ctx;
	uint8_t last[16];       /* last leaf key seen */
	bool have_last;
	uint8_t *seen;          /* one bit per allocation of the heap */
	uint32_t *base;         /* first bit of each block */
	uint32_t faults;
};

static void walk_fault(struct walk *w, enum pf_fault_kind kind,
		       const char *field, uint32_t hid, uint64_t got,
		       uint64_t want)
{
	bth_fault(w->bth, kind, field, hid, got, want, w->sink);
	w->faults++;
}

/* Mark HID (known to resolve) visited; true if it already was. */
static bool seen_before(struct walk *w, uint32_t hid)
{
	bool wide = w->bth->hn->wide_hid;
	uint32_t bit = w->base[pf_hid_block(wide, hid)] +
		       pf_hid_index(wide, hid) - 1;
	uint8_t mask = (uint8_t)(1u << (bit & 7));
	bool was = (w->seen[bit >> 3] & mask) != 0;

	w->seen[bit >> 3] |= mask;
	return was;
}

static int walk_node(struct walk *w, uint32_t hid, uint32_t level,
		     const uint8_t *parent_key, const char *field);

/* One record of an array at LEVEL: order checks, then descend or visit. */
static int walk_record(struct walk *w, uint32_t hid, uint32_t level,
		       const uint8_t *k, const uint8_t *prev,
		       const uint8_t *parent_key)
{
	const struct pf_bth *bth = w->bth;

	/* 2.3.2.2 key: the key of the first record of the next level */
	if (!prev && parent_key &&
	    pf_ltp_key_cmp(k, parent_key, bth->cb_key) != 0)
		walk_fault(w, PF_F_KEY_MIN, "key", hid, 0, 0);
	if (level > 0) {
		/* intermediate keys ascend within their array */
		if (prev && pf_ltp_key_cmp(k, prev, bth->cb_key) <= 0)
			walk_fault(w, PF_F_KEY_ORDER, "key", hid, 0, 0);
		return walk_node(w, pf_le32(k + bth->cb_key), level - 1, k,
				 "hidNextLevel");
	}
	/* 2.3.2.3 leaf keys ascend strictly across the whole tree */
	if (w->have_last && pf_ltp_key_cmp(k, w->last, bth->cb_key) <= 0)
		walk_fault(w, PF_F_KEY_ORDER, "key", hid, 0, 0);
	memcpy(w->last, k, bth->cb_key);
	w->have_last = true;
	return w->fn ? w->fn(w->ctx, k, k + bth->cb_key) : 0;
}

static int walk_node(struct walk *w, uint32_t hid, uint32_t level,
		     const uint8_t *parent_key, const char *field)
{
	const struct pf_bth *bth = w->bth;
	uint32_t rs = rec_size(bth, level);
	const uint8_t *p, *prev = NULL;
	size_t cb, n, i;
	int rc;

	if (!pf_hn_hid_check(bth->hn, hid, PF_OBJ_BTH, field, w->sink)) {
		w->faults++;
		return 0;
	}
	if (seen_before(w, hid)) {
		walk_fault(w, PF_F_CYCLE, field, hid, hid, 0);
		return 0;
	}
	rc = pf_hn_get(bth->hn, hid, &p, &cb);
	if (rc < 0)
		return 0;  /* cannot happen after the check */
	if (cb % rs != 0)                     /* 2.3.2.2 / 2.3.2.3 */
		walk_fault(w, PF_F_CB, "cbEnt", hid, cb, cb - cb % rs);
	n = cb / rs;
	for (i = 0; i < n; i++) {
		const uint8_t *k = p + i * rs;

		rc = walk_record(w, hid, level, k, prev, parent_key);
		if (rc != 0)
			return rc;
		prev = k;
	}
	return 0;
}

static int walk_setup(struct walk *w)
{
	const struct pf_hn *hn = w->bth->hn;
	uint32_t i, total = 0;

	w->base = calloc(hn->nblocks, sizeof(*w->base));
	if (!w->base)
		return pf_error_set(PF_E_NOMEM, "out of memory (BTH walk)");
	for (i = 0; i < hn->nblocks; i++) {
		w->base[i] = total;
		if (hn->blk[i].ok)
			total += hn->blk[i].c_alloc;
	}
	w->seen = calloc(total / 8 + 1, 1);
	if (!w->seen)
		return pf_error_set(PF_E_NOMEM, "out of memory (BTH walk)");
	return 0;
}

int pf_bth_walk(const struct pf_bth *bth, const struct pf_sink *sink,
		pf_bth_visit_fn fn, void *ctx, uint32_t *nfaults)
{
	struct walk w = {
		.bth = bth, .sink = sink, .fn = fn, .ctx = ctx,
	};
	int rc = 0;

	if (bth->hid_root != 0) {
		rc = walk_setup(&w);
		if (rc == 0)
			rc = walk_node(&w, bth->hid_root, bth->levels, NULL,
				       "hidRoot");
	}
	free(w.seen);
	free(w.base);
	if (nfaults)
		*nfaults = w.faults;
	return rc;
}
