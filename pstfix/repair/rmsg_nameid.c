/*
 * rmsg_nameid.c - the name-to-ID map (NID 0x61, MS-PST 2.4.7) written
 * again from what survives of it: its streams read as bytes whatever
 * their type, every sound entry kept in place, its hash table rebuilt in
 * 251 buckets (2.7.1).
 *
 * Contract
 * - rmsg_nameid_faults(): does the map report damage in its streams (a
 *   stream of the wrong type or size, an entry out of range, a name of
 *   odd length, an id defined twice)?  A hash table that misses entries
 *   alone (PF6085, as some writers leave it) does not ask for a rebuild;
 *   a rebuild done for another reason rehashes it.
 * - rmsg_fix_nameid(): when the plan asks (damage, or a bucket count
 *   that is not 251), the map's PC is written again with every property
 *   but the streams and buckets kept byte for byte, and:
 *   PidTagNameidStreamGuid its whole 16-byte GUIDs; PidTagNameidStreamEntry
 *   its whole 8-byte records (a partial one dropped), each kept as it is
 *   unless (each said in the report): wPropIdx above 0x7FFE or already
 *   defined (dropped), wGuid past the GUID stream (set from the old hash
 *   bucket's record for the same property when that record's bucket and
 *   hash prove it, 2.4.7.5, else dropped), a string name whose length is
 *   odd or runs past the stream (set to the length one byte off whose
 *   CRC the old bucket's record holds, else dropped);
 *   PidTagNameidStreamString as it was but for lengths set; every stream
 *   PtypBinary; the buckets from the entries kept.
 * - Bounds: records by the streams' sizes (each at most PF_NODE_DATA_MAX
 *   bytes, the LTP's bound), at most 0x7FFF entries, old bucket records
 *   by their properties' sizes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/util/pf_crc.h"
#include "../../formats/util/pf_le.h"
#include "../../formats/write/msgw_int.h"
#include "rmsg.h"

#define NAMEID_BUCKETS 251u   /* PidTagNameidBucketCount, 2.7.1 */
#define REC_CB 8u             /* NAMEID, 2.4.7.1 */
#define GUID_CB 16u

/* ---- is the map damaged ---- */

/* [0] every fault, [1] those in the streams themselves (a hash table
 * that misses entries is what a wrong bucket count gives too). */
static void count_fault(void *ctx, const struct pf_fault *f)
{
	uint32_t *n = ctx;

	n[0]++;
	if (f->kind != PF_F_MISSING)
		n[1]++;
}

static uint32_t nameid_faults(struct pf_ndb *ndb, bool streams)
{
	uint32_t n[2] = { 0, 0 };
	struct pf_sink sink = { count_fault, n };
	struct pf_nameid_map map;

	pf_nameid_load(ndb, &map, &sink);
	pf_nameid_free(&map);
	return n[streams];
}

bool rmsg_nameid_faults(struct pf_ndb *ndb)
{
	return nameid_faults(ndb, true) != 0;
}

/* ---- the old map as bytes ---- */

struct oldmap {
	uint8_t *guid, *ent, *str;
	size_t cb_guid, cb_ent, cb_str;
	uint8_t *recs;            /* every old bucket record, with ... */
	uint32_t *rec_bucket;     /* ... the bucket it was in */
	size_t nrecs;
	uint32_t nbuckets;        /* the old PidTagNameidBucketCount */
};

static void oldmap_free(struct oldmap *o)
{
	free(o->guid);
	free(o->ent);
	free(o->str);
	free(o->recs);
	free(o->rec_bucket);
	memset(o, 0, sizeof(*o));
}

/* Property ID's bytes, whatever its type; absent is empty. */
static int raw_of(const struct pf_pc *pc, uint16_t id, uint8_t **p,
		  size_t *cb)
{
	struct pf_value v;
	const uint8_t *d;

	*p = NULL;
	*cb = 0;
	if (pf_pc_get_value(pc, id, &v) != 0)
		return 0;
	d = pf_value_data(&v);
	if (d && v.cb) {
		*p = malloc(v.cb);
		if (!*p) {
			pf_value_free(&v);
			return pf_error_set(PF_E_NOMEM, "out of memory");
		}
		memcpy(*p, d, v.cb);
		*cb = v.cb;
	}
	pf_value_free(&v);
	return 0;
}

/* The old buckets' whole records, each with its bucket's index. */
static int old_buckets(const struct pf_pc *pc, struct oldmap *o)
{
	for (uint32_t i = 0; i < pf_pc_count(pc); i++) {
		uint32_t id = PF_PROP_ID(pf_pc_tag(pc, i));
		struct pf_value v;
		const uint8_t *d;
		size_t n;
		void *a, *b;

		if (id < PF_TAG_NAMEID_BUCKET_BASE ||
		    pf_pc_prop(pc, i, &v) != 0)
			continue;
		d = pf_value_data(&v);
		n = d ? v.cb / REC_CB : 0;
		a = realloc(o->recs, (o->nrecs + n + 1) * REC_CB);
		b = a ? realloc(o->rec_bucket, (o->nrecs + n + 1) *
				sizeof(*o->rec_bucket)) : NULL;
		if (a)
			o->recs = a;
		if (b)
			o->rec_bucket = b;
		if (!a || !b) {
			pf_value_free(&v);
			return pf_error_set(PF_E_NOMEM, "out of memory");
		}
		if (n)
			memcpy(o->recs + o->nrecs * REC_CB, d, n * REC_CB);
		for (size_t k = 0; k < n; k++)
			o->rec_bucket[o->nrecs + k] =
				id - PF_TAG_NAMEID_BUCKET_BASE;
		o->nrecs += n;
		pf_value_free(&v);
	}
	return 0;
}

static int oldmap_read(struct pf_ndb *ndb, struct oldmap *o)
{
	struct pf_message m;
	int32_t nb = 0;
	int rc;

	memset(o, 0, sizeof(*o));
	rc = pf_message_open(&m, ndb, PF_NID_NAME_TO_ID_MAP);
	if (rc != 0)
		return rc;
	rc = raw_of(&m.pc, PF_TAG_NAMEID_STREAM_GUID, &o->guid, &o->cb_guid);
	if (rc == 0)
		rc = raw_of(&m.pc, PF_TAG_NAMEID_STREAM_ENTRY, &o->ent,
			    &o->cb_ent);
	if (rc == 0)
		rc = raw_of(&m.pc, PF_TAG_NAMEID_STREAM_STRING, &o->str,
			    &o->cb_str);
	if (rc == 0)
		rc = old_buckets(&m.pc, o);
	if (pf_pc_get_i32(&m.pc, PF_TAG_NAMEID_BUCKET_COUNT, &nb) == 0 &&
	    nb > 0 && (uint32_t)nb <= PF_NAMEID_MAX_BUCKETS)
		o->nbuckets = (uint32_t)nb;
	pf_message_close(&m);
	if (rc != 0)
		oldmap_free(o);
	return rc;
}

/* ---- one entry: kept, put right, or dropped ---- */

/* An old bucket record for (HASH, F, IDX) in the bucket 2.4.7.5 puts it
 * in: proof of F and HASH for entry IDX. */
static bool bucket_proves(const struct oldmap *o, uint32_t hash, uint16_t f,
			  uint16_t idx)
{
	for (size_t i = 0; o->nbuckets && i < o->nrecs; i++) {
		const uint8_t *r = o->recs + i * REC_CB;

		if (pf_le32(r) == hash && pf_le16(r + 4) == f &&
		    pf_le16(r + 6) == idx &&
		    o->rec_bucket[i] == (hash ^ f) % o->nbuckets)
			return true;
	}
	return false;
}

/* wGuid names the GUID stream or a well-known set (2.4.7.1). */
static bool guid_ok(const struct oldmap *o, uint16_t f)
{
	return (f >> 1) < PF_NAMEID_GUID_STREAM ||
	       (size_t)((f >> 1) - PF_NAMEID_GUID_STREAM) < o->cb_guid / GUID_CB;
}

/* A numeric entry whose wGuid is out of range: the wGuid the old bucket
 * that holds its LID proves, or 0. */
static uint16_t guid_from_bucket(const struct oldmap *o, const uint8_t *rec)
{
	for (size_t i = 0; o->nbuckets && i < o->nrecs; i++) {
		const uint8_t *r = o->recs + i * REC_CB;
		uint16_t f = pf_le16(r + 4);

		if (pf_le32(r) == pf_le32(rec) && pf_le16(r + 6) ==
		    pf_le16(rec + 6) && (f & 1u) == 0 && guid_ok(o, f) &&
		    bucket_proves(o, pf_le32(r), f, pf_le16(r + 6)))
			return f;
	}
	return 0;
}

/* The name at OFF holds LEN bytes of UTF-16 inside the string stream. */
static bool name_fits(const struct oldmap *o, uint32_t off, uint32_t len)
{
	return len % 2 == 0 && o->cb_str >= 4 && off <= o->cb_str - 4 &&
	       len <= o->cb_str - 4 - off;
}

/* A string entry's length put right when a length one byte off has the
 * CRC its old bucket record holds; false when none does. */
static bool fix_name(struct oldmap *o, const uint8_t *rec, char *what,
		     size_t cb)
{
	uint32_t off = pf_le32(rec), len;

	if (o->cb_str < 4 || off > o->cb_str - 4)
		return false;
	len = pf_le32(o->str + off);
	for (int d = -1; d <= 1; d += 2) {
		uint32_t l = len + (uint32_t)d;

		if (!name_fits(o, off, l) ||
		    !bucket_proves(o, pf_crc(o->str + off + 4, l),
				   pf_le16(rec + 4), pf_le16(rec + 6)))
			continue;
		pf_put32(o->str + off, l);
		snprintf(what, cb, "its name's byte count %u set to %u, the "
			 "length whose CRC its hash bucket holds", len, l);
		return true;
	}
	return false;
}

/* Why record REC cannot be kept ("" when it can, after fixes said in
 * FIXED); SEEN marks the wPropIdx values kept so far. */
static const char *judge(struct oldmap *o, uint8_t *rec, uint8_t *seen,
			 char *fixed, size_t cb)
{
	uint16_t f = pf_le16(rec + 4), idx = pf_le16(rec + 6);

	fixed[0] = '\0';
	if (idx > PF_NAMEID_MAX_IDX)
		return "wPropIdx out of range";
	if (seen[idx >> 3] & (1u << (idx & 7)))
		return "its property is defined by an earlier record";
	if (!guid_ok(o, f)) {
		uint16_t g = (f & 1u) ? 0 : guid_from_bucket(o, rec);

		if (!g)
			return "wGuid names no GUID";
		pf_put16(rec + 4, g);
		snprintf(fixed, cb, "wGuid %u set to %u, as its hash bucket "
			 "says", f >> 1, g >> 1);
	}
	if (f & 1u) {
		uint32_t off = pf_le32(rec);
		bool whole = o->cb_str >= 4 && off <= o->cb_str - 4 &&
			     name_fits(o, off, pf_le32(o->str + off));

		if (!whole && !fix_name(o, rec, fixed, cb))
			return "its name is not whole UTF-16 in the string "
			       "stream";
	}
	seen[idx >> 3] |= (uint8_t)(1u << (idx & 7));
	return "";
}

/* ---- the new map ---- */

/* REC's hash key (2.4.7.5): the LID, or the CRC of the name. */
static uint32_t hash_of(const struct oldmap *o, const uint8_t *rec)
{
	uint32_t off = pf_le32(rec);

	if (!(pf_le16(rec + 4) & 1u))
		return off;
	return pf_crc(o->str + off + 4, pf_le32(o->str + off));
}

/* The kept records of O's entry stream into L's hash buckets. */
static void put_buckets(const struct oldmap *o, const uint8_t *ent,
			size_t n, struct pf_plist *l)
{
	uint8_t *b[NAMEID_BUCKETS] = { 0 };
	size_t cb[NAMEID_BUCKETS] = { 0 };

	for (size_t i = 0; i < n && !l->err; i++) {
		const uint8_t *r = ent + i * REC_CB;
		uint32_t h = hash_of(o, r), k;
		uint8_t *nb;

		k = (h ^ pf_le16(r + 4)) % NAMEID_BUCKETS;
		nb = realloc(b[k], cb[k] + REC_CB);
		if (!nb) {
			l->err = PF_E_NOMEM;
			break;
		}
		b[k] = nb;
		pf_put32(nb + cb[k], h);
		memcpy(nb + cb[k] + 4, r + 4, 4);
		cb[k] += REC_CB;
	}
	for (uint32_t k = 0; k < NAMEID_BUCKETS; k++) {
		if (b[k])
			pf_plist_bin(l, (uint16_t)(PF_TAG_NAMEID_BUCKET_BASE +
						   k), b[k], cb[k]);
		free(b[k]);
	}
}

/* The entries kept, in place, into ENT (O->cb_ent bytes); their count. */
static size_t keep_entries(struct rmsg_w *x, struct oldmap *o, uint8_t *ent,
			   uint32_t *nfixed, uint32_t *ndropped)
{
	uint8_t seen[(PF_NAMEID_MAX_IDX + 8) / 8] = { 0 };
	size_t n = o->cb_ent / REC_CB, kept = 0;
	char fixed[160];

	if (n > PF_NAMEID_MAX_IDX + 1)
		n = PF_NAMEID_MAX_IDX + 1;
	for (size_t i = 0; i < n; i++) {
		uint8_t *r = o->ent + i * REC_CB;
		const char *why = judge(o, r, seen, fixed, sizeof(fixed));

		if (*why) {
			rmsg_note(x->ctx, "name-to-id map: dropped record %zu "
				  "(named property 0x%x): %s", i,
				  0x8000u + pf_le16(r + 6), why);
			(*ndropped)++;
			continue;
		}
		if (fixed[0]) {
			rmsg_note(x->ctx, "name-to-id map: record %zu (named "
				  "property 0x%x): %s", i,
				  0x8000u + pf_le16(r + 6), fixed);
			(*nfixed)++;
		}
		memcpy(ent + kept * REC_CB, r, REC_CB);
		kept++;
	}
	if (o->cb_ent % REC_CB)
		rmsg_note(x->ctx, "name-to-id map: dropped the last %zu bytes "
			  "of the entry stream (not a whole record)",
			  o->cb_ent % REC_CB);
	return kept;
}

/* In the map's PC every id from 0x1000 up is a hash bucket (2.4.7.5). */
static bool is_bucket_tag(uint32_t tag)
{
	return PF_PROP_ID(tag) >= PF_TAG_NAMEID_BUCKET_BASE;
}

static void note_done(struct rmsg_w *x, size_t kept, uint32_t nfixed,
		      uint32_t ndropped, bool damaged)
{
	if (!damaged)
		rmsg_note(x->ctx, "rehashed the name-to-id map (0x61): %zu "
			  "entries in %u buckets (PidTagNameidBucketCount "
			  "was %d)", kept, NAMEID_BUCKETS,
			  x->p->nameid_buckets_in);
	else
		rmsg_note(x->ctx, "rebuilt the name-to-id map (0x61): %zu "
			  "entries kept (%u put right), %u dropped, %u "
			  "buckets", kept, nfixed, ndropped, NAMEID_BUCKETS);
	x->ctx->counts.tables_rebuilt++;
}

int rmsg_fix_nameid(struct rmsg_w *x)
{
	struct oldmap o;
	struct pf_plist l;
	uint8_t *ent;
	size_t kept;
	uint32_t nfixed = 0, ndropped = 0;
	bool damaged = nameid_faults(x->ndb, true) != 0;
	int rc;

	if (!x->p->nameid_rehash)
		return 0;
	rc = oldmap_read(x->ndb, &o);
	if (rc != 0)
		return rc;   /* the plan found it readable */
	ent = malloc(o.cb_ent + 1);
	if (!ent) {
		oldmap_free(&o);
		return pf_error_set(PF_E_NOMEM, "out of memory");
	}
	kept = keep_entries(x, &o, ent, &nfixed, &ndropped);
	pf_plist_init(&l, x->s->unicode);
	pf_plist_i32(&l, PF_TAG_NAMEID_BUCKET_COUNT, NAMEID_BUCKETS);
	pf_plist_bin(&l, PF_TAG_NAMEID_STREAM_GUID, o.guid ? o.guid : ent,
		     o.cb_guid - o.cb_guid % GUID_CB);
	pf_plist_bin(&l, PF_TAG_NAMEID_STREAM_ENTRY, ent, kept * REC_CB);
	pf_plist_bin(&l, PF_TAG_NAMEID_STREAM_STRING, o.str ? o.str : ent,
		     o.cb_str);
	put_buckets(&o, ent, kept, &l);
	rc = l.err ? l.err : rmsg_set_props(x, PF_NID_NAME_TO_ID_MAP, 0, &l,
				       is_bucket_tag);
	if (rc == 0)
		note_done(x, kept, nfixed, ndropped, damaged);
	pf_plist_free(&l);
	free(ent);
	oldmap_free(&o);
	return rc;
}
