/*
 * ndb_blocks.c - the blocks of the repaired file: what the trailer scan
 * found (formats/ndb/scavenge.c), one copy per BID, kept where it is.
 *
 * Contract
 * - Which copy of a BID (a file copied over itself, a block moved and
 *   its old bytes left behind): never one whose place is impossible (on
 *   a map page, across an AMap range: pf_writer_place_ok); the one the
 *   old BBT names (same ib and cb) when a valid BBT page names one; else, for internal blocks, the
 *   first whose structure parses; else the one at the lowest offset (a
 *   fixed rule: without a BBT nothing says which is newer; both copies
 *   passed the CRC, so they differ only if the BID was reused).
 * - Internal blocks (XBLOCK, XXBLOCK, SLBLOCK, SIBLOCK; MS-PST 2.2.2.8.3)
 *   are read and parsed once here; one that does not parse is not kept.
 *   Their child BIDs go to the writer so the commit counts cRef.
 * - No two kept blocks overlap: of two that do, the one the BBT names
 *   stays, else the higher BID (the later write).  A block the writer
 *   refuses (on a map page, in the header area) is dropped.
 * - A block a valid BBT page names that has no valid trailer is kept
 *   anyway when only its trailer is wrong: its data, at the BBT's place
 *   and size, parses as an internal block or as the first block of a
 *   heap-on-node (MS-PST 2.3.1); the writer gives it a new trailer (the
 *   CRC over data that passed that structural check).  Other data (raw
 *   attachment bytes, later heap pages) has nothing to check: dropped.
 * - Blocks the old BBT named that are not kept are counted as dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "../../formats/ltp/pf_ltp.h"
#include "../../formats/util/pf_crc.h"
#include "../../formats/util/pf_grow.h"
#include "../../formats/util/pf_le.h"
#include "ndb_int.h"

#define BID_KEY(b) ((b) & ~(uint64_t)1)

static int cmp_bbt(const void *a, const void *b)
{
	uint64_t x = BID_KEY(((const struct pf_bbt_entry *)a)->bref.bid);
	uint64_t y = BID_KEY(((const struct pf_bbt_entry *)b)->bref.bid);

	return x < y ? -1 : x > y;
}

static const struct pf_bbt_entry *bbt_find(const struct rp *r, uint64_t bid)
{
	struct pf_bbt_entry key = { .bref.bid = BID_KEY(bid) };

	if (r->bbt.n == 0)
		return NULL;
	return bsearch(&key, r->bbt.bbt, r->bbt.n, sizeof(key), cmp_bbt);
}

int rp_block_read(struct rp *r, const struct rp_block *b, uint8_t **data,
		  size_t *cb)
{
	struct pf_bbt_entry e = {
		.bref = { b->bid, b->ib }, .cb = b->cb,
		.cb_inflated = b->cb_inflated,
	};
	int rc;

	if (!b->reseal)
		return pf_block_read(r->ndb, &e, NULL, data, cb);
	/* its trailer is wrong in IN: the data alone, as stored (never a
	 * compressed block, see salvage) */
	*cb = b->cb;
	*data = malloc(b->cb);
	if (!*data)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	rc = pf_ndb_pread(r->ndb, b->ib, *data, b->cb);
	if (rc == 0 && !(b->bid & PF_BID_INTERNAL))
		pf_decode(r->crypt, b->bid, *data, *cb);
	if (rc != 0) {
		free(*data);
		*data = NULL;
	}
	return rc;
}

/* Append N child BIDs for B to r->kids. */
static int add_kids(struct rp *r, struct rp_block *b, const uint64_t *kids,
		    uint32_t n)
{
	if (r->nkids + n > r->cap_kids) {
		size_t cap = (r->nkids + n) * 2;
		uint64_t *p = realloc(r->kids, cap * sizeof(*p));

		if (!p)
			return PF_E_NOMEM;
		r->kids = p;
		r->cap_kids = cap;
	}
	memcpy(r->kids + r->nkids, kids, n * sizeof(*kids));
	b->kid_first = r->nkids;
	b->kid_count = n;
	r->nkids += n;
	return 0;
}

/* Internal block B's DATA (CB bytes): btype, cLevel, children.  1 when
 * it parses, 0 when not, or a negative error. */
static int parse_data(struct rp *r, struct rp_block *b, const uint8_t *data,
		      size_t cb)
{
	uint64_t *kids = NULL;
	uint32_t n = 0;
	int rc = cb >= 8 ? pf_block_kids(r->l, data, cb, b->bid, &kids, &n) :
			   PF_E_CORRUPT;

	if (rc == 0) {
		b->btype = data[0];
		b->level = data[1];
		b->lcb_total = b->btype == 0x01 ? pf_le32(data + 4) : 0;
		if (n > 0)
			rc = add_kids(r, b, kids, n);
	}
	free(kids);
	if (rc == PF_E_NOMEM)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	return rc == 0 ? 1 : 0;
}

/* The same for the copy at b->ib, read with its trailer checked. */
static int parse_internal(struct rp *r, struct rp_block *b)
{
	uint8_t *data;
	size_t cb;
	int rc = rp_block_read(r, b, &data, &cb);

	if (rc == PF_E_NOMEM || rc == PF_E_IO)
		return rc;
	if (rc != 0)
		return 0;
	rc = parse_data(r, b, data, cb);
	free(data);
	return rc;
}

/* A 4K OST block stored compressed (cbInflated != cb) is kept only when
 * its zlib stream inflates to cbInflated bytes: the CRC covers the stored
 * bytes, so a stream damaged before it was sealed passes the trailer
 * scan.  1 when it inflates (or is not compressed), else 0. */
static int inflates(struct rp *r, const struct rp_block *b)
{
	uint8_t *data;
	size_t cb;

	if (b->cb_inflated == 0 || b->cb_inflated == b->cb)
		return 1;
	if (rp_block_read(r, b, &data, &cb) != 0) {
		rp_note_item(r, "block 0x%llx at 0x%llx does not inflate to "
			     "%u bytes: dropped", (unsigned long long)b->bid,
			     (unsigned long long)b->ib, b->cb_inflated);
		return 0;
	}
	free(data);
	return 1;
}

static void from_scav(struct rp_block *b, const struct pf_scav_block *s)
{
	memset(b, 0, sizeof(*b));
	b->bid = BID_KEY(s->bid);
	b->ib = s->ib;
	b->cb = s->cb;
	b->cb_inflated = s->cb_inflated;
}

/* Pick the copy of one BID among COUNT at S (see the contract). */
static int choose(struct rp *r, const struct pf_scav_block *s, size_t count,
		  struct rp_block *out, bool *found)
{
	const struct pf_bbt_entry *e = bbt_find(r, s[0].bid);
	size_t order[64], n = 0;
	int rc;

	*found = false;
	for (size_t i = 0; i < count && e && n < 64; i++)
		if (s[i].ib == e->bref.ib && s[i].cb == e->cb)
			order[n++] = i;
	for (size_t i = 0; i < count && n < 64; i++)
		if (!(n > 0 && order[0] == i))
			order[n++] = i;
	for (size_t k = 0; k < n; k++) {
		from_scav(out, &s[order[k]]);
		out->in_bbt = e && s[order[k]].ib == e->bref.ib;
		if (!pf_writer_place_ok(r->w, out->ib, pf_block_size(r->l,
					out->cb), r->l->block_align)) {
			rp_note_item(r, "block 0x%llx at 0x%llx lies on a map "
				     "page or across an AMap range: not that "
				     "copy", (unsigned long long)out->bid,
				     (unsigned long long)out->ib);
			continue;
		}
		if (!(out->bid & PF_BID_INTERNAL)) {
			rc = inflates(r, out);
			if (rc != 1)
				continue;
			*found = true;
			return 0;
		}
		rc = parse_internal(r, out);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			*found = true;
			return 0;
		}
	}
	if (s[0].bid & PF_BID_INTERNAL)
		rp_note_item(r, "internal block 0x%llx does not parse: "
			     "dropped", (unsigned long long)s[0].bid);
	return 0;
}

static int cmp_ib(const void *a, const void *b)
{
	const struct rp_block *x = *(const struct rp_block *const *)a;
	const struct rp_block *y = *(const struct rp_block *const *)b;

	return x->ib < y->ib ? -1 : x->ib > y->ib;
}

/* The one of two overlapping blocks to drop. */
static struct rp_block *loser(struct rp_block *a, struct rp_block *b)
{
	if (a->in_bbt != b->in_bbt)
		return a->in_bbt ? b : a;
	return a->bid < b->bid ? a : b;
}

static int drop_overlaps(struct rp *r)
{
	struct rp_block **v = malloc((r->nblocks + 1) * sizeof(*v));
	struct rp_block *last = NULL;

	if (!v)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	for (size_t i = 0; i < r->nblocks; i++)
		v[i] = &r->blocks[i];
	qsort(v, r->nblocks, sizeof(*v), cmp_ib);
	for (size_t i = 0; i < r->nblocks; i++) {
		struct rp_block *b = v[i], *x;

		if (last && b->ib < last->ib + pf_block_size(r->l, last->cb)) {
			x = loser(last, b);
			x->dropped = 1;
			rp_note_item(r, "block 0x%llx at 0x%llx overlaps block "
				     "0x%llx: dropped",
				     (unsigned long long)x->bid,
				     (unsigned long long)x->ib,
				     (unsigned long long)(x == b ? last : b)->bid);
			if (x == b)
				continue;
		}
		last = b;
	}
	free(v);
	return 0;
}

/* Binary search among the first N (sorted) blocks. */
static struct rp_block *find_in(struct rp *r, size_t n, uint64_t bid)
{
	size_t lo = 0, hi = n;

	bid = BID_KEY(bid);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->blocks[mid].bid < bid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && r->blocks[lo].bid == bid && !r->blocks[lo].dropped)
		return &r->blocks[lo];
	return NULL;
}

struct rp_block *rp_block_find(struct rp *r, uint64_t bid)
{
	return find_in(r, r->nblocks, bid);
}

/* External data worth a new trailer: the first block of a heap-on-node
 * whose page map holds (MS-PST 2.3.1), decoded with the file's method.
 * Raw attachment bytes and later heap pages have nothing to check. */
static bool sound_external(struct rp *r, uint64_t bid, const uint8_t *raw,
			   size_t cb)
{
	uint8_t *copy = malloc(cb);
	struct pf_hn hn;
	bool ok;

	if (!copy)
		return false;
	memcpy(copy, raw, cb);
	pf_decode(r->crypt, bid, copy, cb);
	if (cb < 12 || copy[2] != 0xEC) {
		free(copy);
		return false;
	}
	ok = pf_hn_open_blocks(&hn, &copy, &cb, 1, 0, NULL) == 0;
	if (ok) {
		ok = hn.nblocks == 1 && hn.blk[0].ok;
		pf_hn_close(&hn);
	}
	return ok;
}

static const char *trailer_fault(const struct pf_layout *l,
				 const uint8_t *raw, uint32_t size,
				 const struct pf_bbt_entry *e)
{
	const uint8_t *t = raw + size - l->block_trailer;
	uint64_t bid = l->bid_size == 4 ? pf_le32(t + 4) : pf_le64(t + 8);
	uint32_t crc = l->bid_size == 4 ? pf_le32(t + 8) : pf_le32(t + 4);

	if (pf_le16(t) != e->cb)
		return "its trailer's cb is wrong";
	if ((bid & ~1ull) != BID_KEY(e->bref.bid))
		return "its trailer's BID is wrong";
	if (crc != pf_crc(raw, e->cb))
		return "its CRC does not match (a changed byte in the data "
		       "or the trailer)";
	return "its trailer's wSig is wrong";
}

/* One BBT entry no valid trailer was found for: its bytes at the BBT's
 * place, kept with a new trailer when they validate structurally. */
static int salvage_one(struct rp *r, const struct pf_bbt_entry *e,
		       uint8_t *raw)
{
	uint32_t size = pf_block_size(r->l, e->cb);
	struct rp_block *b = &r->blocks[r->nblocks];
	int ok;

	if (e->cb == 0 || e->cb != e->cb_inflated || size > r->l->block_max ||
	    !pf_writer_place_ok(r->w, e->bref.ib, size, r->l->block_align) ||
	    pf_ndb_pread(r->ndb, e->bref.ib, raw, size) != 0)
		return 0;
	memset(b, 0, sizeof(*b));
	b->bid = BID_KEY(e->bref.bid);
	b->ib = e->bref.ib;
	b->cb = b->cb_inflated = e->cb;
	b->in_bbt = b->reseal = 1;
	ok = (b->bid & PF_BID_INTERNAL) ? parse_data(r, b, raw, e->cb) :
	     sound_external(r, b->bid, raw, e->cb);
	if (ok < 0)
		return ok;
	if (!ok)
		return 0;
	rp_note_item(r, "block 0x%llx at 0x%llx: %s, but its data %s: kept "
		     "with a new trailer",
		     (unsigned long long)b->bid, (unsigned long long)b->ib,
		     trailer_fault(r->l, raw, size, e),
		     (b->bid & PF_BID_INTERNAL) ? "parses" :
						  "is a sound heap");
	r->nblocks++;
	r->ctx->counts.blocks_resealed++;
	return 0;
}

static int cmp_block(const void *a, const void *b)
{
	uint64_t x = ((const struct rp_block *)a)->bid;
	uint64_t y = ((const struct rp_block *)b)->bid;

	return x < y ? -1 : x > y;
}

static int salvage(struct rp *r, size_t cap)
{
	uint8_t *raw = malloc(r->l->block_max);
	size_t n0 = r->nblocks;
	int rc = raw ? 0 : pf_error_set(PF_E_NOMEM, "out of memory");

	for (size_t i = 0; rc == 0 && i < r->bbt.n; i++) {
		const struct pf_bbt_entry *e = &r->bbt.bbt[i];

		if (find_in(r, n0, e->bref.bid) ||
		    (i > 0 && BID_KEY(r->bbt.bbt[i - 1].bref.bid) ==
			      BID_KEY(e->bref.bid)))
			continue;
		if (r->nblocks == cap) {
			struct rp_block *p = realloc(r->blocks, cap * 2 *
						     sizeof(*p));

			if (!p) {
				rc = pf_error_set(PF_E_NOMEM, "out of memory");
				break;
			}
			r->blocks = p;
			cap *= 2;
		}
		rc = salvage_one(r, e, raw);
	}
	free(raw);
	if (rc == 0 && r->nblocks > n0)
		qsort(r->blocks, r->nblocks, sizeof(*r->blocks), cmp_block);
	return rc;
}

int rp_choose_blocks(struct rp *r)
{
	const struct pf_scavenge *s = &r->scav;
	int rc = 0;

	if (r->bbt.n > 1)
		qsort(r->bbt.bbt, r->bbt.n, sizeof(*r->bbt.bbt), cmp_bbt);
	r->blocks = calloc(s->nblocks + 1, sizeof(*r->blocks));
	if (!r->blocks)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < s->nblocks;) {
		size_t count;
		bool found;

		pf_scavenge_block_find(s, s->blocks[i].bid, &count);
		if (count > 1)
			rp_note_item(r, "block 0x%llx has %zu valid copies",
				     (unsigned long long)s->blocks[i].bid,
				     count);
		rc = choose(r, &s->blocks[i], count, &r->blocks[r->nblocks],
			    &found);
		if (rc == 0 && found)
			r->nblocks++;
		i += count;
	}
	if (rc == 0)
		rc = salvage(r, s->nblocks + 1);
	if (rc == 0)
		rc = drop_overlaps(r);
	return rc;
}

/* Blocks the old BBT named that the output will not have. */
static void count_lost(struct rp *r)
{
	uint64_t n = 0;

	for (size_t i = 0; i < r->bbt.n; i++) {
		const struct pf_bbt_entry *e = &r->bbt.bbt[i];
		size_t copies;

		if (rp_block_find(r, e->bref.bid))
			continue;
		n++;
		/* a copy with a valid trailer was refused (its structure
		 * or its zlib stream): choose() said why */
		pf_scavenge_block_find(&r->scav, e->bref.bid, &copies);
		if (copies == 0)
			rp_note_item(r, "block 0x%llx at 0x%llx (BBT) has no "
				     "valid trailer: dropped",
				     (unsigned long long)e->bref.bid,
				     (unsigned long long)e->bref.ib);
	}
	r->ctx->counts.blocks_dropped += n;
}

int rp_keep_blocks(struct rp *r)
{
	for (size_t i = 0; i < r->nblocks; i++) {
		struct rp_block *b = &r->blocks[i];
		int rc;

		if (b->dropped)
			continue;
		/* no internal block, no r->kids: NULL + 0 is undefined */
		rc = (b->reseal ? pf_writer_keep_block_resealed :
				  pf_writer_keep_block)(r->w, b->bid, b->ib,
							b->cb, b->cb_inflated,
							b->kid_count ?
							r->kids + b->kid_first :
							NULL, b->kid_count);
		if (rc == PF_E_CORRUPT) {
			b->dropped = 1;
			rp_note_item(r, "%s: dropped", pf_error_msg());
			continue;
		}
		if (rc != 0)
			return rc;
	}
	count_lost(r);
	r->ctx->counts.blocks_scanned += r->scav.nblocks;
	return 0;
}

void rp_blocks_free(struct rp *r)
{
	free(r->blocks);
	free(r->kids);
	r->blocks = NULL;
	r->kids = NULL;
	r->nblocks = r->nkids = r->cap_kids = 0;
}
