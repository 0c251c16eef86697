/*
 * nameid.c - the name-to-id map (MS-PST 2.4.7): NID 0x61's property
 * context read into a table of named properties, and checked.
 *
 * Contract
 * - pf_nameid_parse() is pure: it decodes the GUID stream (2.4.7.2), the
 *   entry stream (2.4.7.3) and the string stream (2.4.7.4) from memory
 *   and checks the hash table (2.4.7.5) against them.  pf_nameid_load()
 *   only copies those properties out of the PC and calls it.  The PC is
 *   opened without a sink: its heap and BTH are pass 6's business.
 * - Counts come from stream sizes (a partial last record is reported and
 *   ignored); every wGuid, string offset and string length is checked
 *   against its stream before it is used.
 * - An entry that cannot be decoded stays in the table with ok = false,
 *   so that positions and counts keep their meaning; it takes no part in
 *   the hash-table checks (its fault is already reported).
 * - The hash table is checked both ways: every bucket record must match
 *   the entry its wPropIdx names, and every entry must have a record in
 *   the bucket its hash selects.  The bucket formula held on every
 *   readable file of the corpus: all 5,097 records of 22 files sit in the
 *   bucket it gives.  Four files written by Aspose.Email carry two records
 *   each whose wPropIdx names the entry before theirs: reported.
 * - Fault kinds: see pf_msg.h.  Nothing here prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/pf_crc.h"
#include "../util/pf_le.h"
#include "msg_int.h"

#define NAMEID_CB 8u   /* a NAMEID record (2.4.7.1) */
#define GUID_CB 16u    /* a GUID stream record (2.4.7.2) */

/* PS_MAPI {00020328-0000-0000-C000-000000000046} and PS_PUBLIC_STRINGS
 * {00020329-...} (MS-OXPROPS 1.3.2), as a GUID is stored. */
const uint8_t pf_guid_ps_mapi[16] = {
	0x28, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
};
const uint8_t pf_guid_ps_public_strings[16] = {
	0x29, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
};

/* What parsing works from besides the map it fills. */
struct np {
	const uint8_t *guids;
	uint32_t nguids;
	const uint8_t *strings;
	size_t cb_strings;
	const struct pf_nameid_bucket *buckets;
	uint32_t nbuckets;
	struct pf_nameid_map *map;
	const struct pf_sink *sink;
};

static void fault(const struct pf_sink *sink, uint32_t *count,
		  enum pf_fault_kind kind, const char *field, uint32_t hid,
		  uint64_t got, uint64_t want)
{
	struct pf_fault f = {
		.obj = PF_OBJ_NAMEID, .kind = kind, .field = field,
		.ib = PF_NO_IB, .nid = PF_NID_NAME_TO_ID_MAP, .hid = hid,
		.got = got, .want = want,
	};

	(*count)++;
	pf_report(sink, &f);
}

static void np_fault(struct np *c, enum pf_fault_kind kind,
		     const char *field, uint32_t hid, uint64_t got,
		     uint64_t want)
{
	fault(c->sink, &c->map->faults, kind, field, hid, got, want);
}

static uint32_t bin_tag(uint32_t id)
{
	return PF_PROP_TAG(id, PF_PT_BINARY);
}

/* Whole records of REC bytes in CB; a partial last one is a fault. */
static uint32_t records(struct np *c, size_t cb, uint32_t rec,
			const char *field, uint32_t hid)
{
	size_t n = cb / rec;

	if (cb % rec)
		np_fault(c, PF_F_CB, field, hid, cb, rec);
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* NAMEID's N bit and wGuid as stored together (2.4.7.1). */
static uint16_t guid_field(const struct pf_nameid_entry *e)
{
	return (uint16_t)((e->wguid << 1) | (unsigned)e->kind);
}

uint32_t pf_nameid_bucket(uint32_t hash, uint16_t wguid,
			  enum pf_nameid_kind kind, uint32_t bucket_count)
{
	uint32_t f = ((uint32_t)wguid << 1) | ((unsigned)kind & 1u);

	/* 2.4.7.5: the hash key XOR (wGuid << 1 | N), mod the bucket count */
	return bucket_count ? (hash ^ f) % bucket_count : 0;
}

/* wGuid: 0 none, 1 PS_MAPI, 2 PS_PUBLIC_STRINGS, else 3 + an index into
 * the GUID stream (2.4.7.1, 2.4.7.2). */
static bool decode_guid(struct np *c, struct pf_nameid_entry *e,
			uint32_t hid)
{
	uint32_t i;

	switch (e->wguid) {
	case PF_NAMEID_GUID_NONE:
		memset(e->guid, 0, sizeof(e->guid));
		return true;
	case PF_NAMEID_GUID_MAPI:
		memcpy(e->guid, pf_guid_ps_mapi, sizeof(e->guid));
		return true;
	case PF_NAMEID_GUID_PUBLIC_STRINGS:
		memcpy(e->guid, pf_guid_ps_public_strings, sizeof(e->guid));
		return true;
	}
	i = e->wguid - PF_NAMEID_GUID_STREAM;
	if (i >= c->nguids) {
		np_fault(c, PF_F_VALUE, "wGuid", hid, e->wguid,
			 PF_NAMEID_GUID_STREAM - 1 + (uint64_t)c->nguids);
		return false;
	}
	memcpy(e->guid, c->guids + (size_t)i * GUID_CB, sizeof(e->guid));
	return true;
}

/* A string name: dwPropertyID is the offset of a 4-byte byte count and
 * the UTF-16LE name (2.4.7.4).  *ok false when a bound fails (reported);
 * the return value is 0 or an operational error. */
static int decode_name(struct np *c, struct pf_nameid_entry *e,
		       uint32_t off, uint32_t hid, bool *ok)
{
	size_t cb = c->cb_strings;
	uint32_t len;

	*ok = false;
	if (cb < 4 || off > cb - 4) {
		np_fault(c, PF_F_VALUE, "dwPropertyID", hid, off,
			 cb < 4 ? 0 : cb - 4);
		return 0;
	}
	len = pf_le32(c->strings + off);
	if (len > cb - 4 - off) {
		np_fault(c, PF_F_VALUE, "string length", hid, len,
			 cb - 4 - off);
		return 0;
	}
	if (len % 2) {
		np_fault(c, PF_F_ALIGN, "string length", hid, len, 2);
		return 0;
	}
	/* 2.4.7.5: a string's hash key is the CRC (5.3) of its bytes */
	e->hash = pf_crc(c->strings + off + 4, len);
	*ok = true;
	return pf_utf16le_to_utf8(c->strings + off + 4, len, &e->name);
}

/* One NAMEID record of the entry stream at position POS. */
static int decode_entry(struct np *c, uint32_t pos, const uint8_t *rec,
			struct pf_nameid_entry *e)
{
	uint32_t id = pf_le32(rec);
	uint16_t f = pf_le16(rec + 4), idx = pf_le16(rec + 6);
	uint32_t hid;
	bool ok = true;
	int rc = 0;

	e->kind = (f & 1u) ? PF_NAMEID_STRING : PF_NAMEID_NUMERIC;
	e->wguid = (uint16_t)(f >> 1);
	if (idx > PF_NAMEID_MAX_IDX) {
		hid = PF_PROP_TAG(0x8000u + pos, 0);
		np_fault(c, PF_F_VALUE, "wPropIdx", hid, idx,
			 PF_NAMEID_MAX_IDX);
		ok = false;
	} else {
		e->prop_id = (uint16_t)(0x8000u + idx);
		hid = PF_PROP_TAG(e->prop_id, 0);
	}
	if (!decode_guid(c, e, hid))
		ok = false;
	if (e->kind == PF_NAMEID_NUMERIC) {
		e->lid = id;
		e->hash = id;     /* 2.4.7.5: a LID is its own hash key */
	} else {
		bool name_ok;

		rc = decode_name(c, e, id, hid, &name_ok);
		ok = ok && name_ok;
	}
	e->ok = ok && rc == 0;
	return rc;
}

static int decode_entries(struct np *c, const uint8_t *p, uint32_t n)
{
	struct pf_nameid_map *m = c->map;

	if (n == 0)
		return 0;
	m->v = calloc(n, sizeof(*m->v));
	if (!m->v)
		return pf_error_set(PF_E_NOMEM, "out of memory (name-to-id)");
	m->count = n;
	for (uint32_t i = 0; i < n; i++) {
		int rc = decode_entry(c, i, p + (size_t)i * NAMEID_CB,
				      &m->v[i]);

		if (rc != 0)
			return rc;
	}
	return 0;
}

/* wPropIdx -> entry, and every id defined once (2.4.7.3). */
static int index_entries(struct np *c)
{
	struct pf_nameid_map *m = c->map;
	uint32_t top = 0;

	for (uint32_t i = 0; i < m->count; i++)
		if (m->v[i].prop_id && m->v[i].prop_id - 0x8000u + 1 > top)
			top = m->v[i].prop_id - 0x8000u + 1;
	if (top == 0)
		return 0;
	m->slot = calloc(top, sizeof(*m->slot));
	if (!m->slot)
		return pf_error_set(PF_E_NOMEM, "out of memory (name-to-id)");
	m->nslot = top;
	for (uint32_t i = 0; i < m->count; i++) {
		const struct pf_nameid_entry *e = &m->v[i];
		uint32_t *s;

		if (!e->prop_id)
			continue;
		s = &m->slot[e->prop_id - 0x8000u];
		if (*s)
			np_fault(c, PF_F_KEY_ORDER, "wPropIdx",
				 PF_PROP_TAG(e->prop_id, 0), e->prop_id, i);
		else
			*s = i + 1;
	}
	return 0;
}

/* A hash-bucket record stands for an entry when wPropIdx names it and N,
 * wGuid and the hash key agree (2.4.7.5: dwPropertyID holds the key). */
static bool record_matches(const uint8_t *rec,
			   const struct pf_nameid_entry *e)
{
	return e->prop_id == 0x8000u + pf_le16(rec + 6) &&
	       guid_field(e) == pf_le16(rec + 4) && e->hash == pf_le32(rec);
}

static void check_bucket(struct np *c, uint32_t b)
{
	const struct pf_nameid_bucket *bk = &c->buckets[b];
	uint32_t tag = bin_tag(PF_TAG_NAMEID_BUCKET_BASE + b);
	uint32_t n;

	if (!bk->p)
		return;
	n = records(c, bk->cb, NAMEID_CB, "hash bucket", tag);
	for (uint32_t r = 0; r < n; r++) {
		const uint8_t *rec = bk->p + (size_t)r * NAMEID_CB;
		uint32_t id = 0x8000u + pf_le16(rec + 6);
		const struct pf_nameid_entry *e = NULL;

		if (id <= 0xFFFFu)
			e = pf_nameid_find(c->map, (uint16_t)id);
		if (e && (!e->ok || record_matches(rec, e)))
			continue;
		np_fault(c, PF_F_MISSING, "entry stream", tag, id,
			 PF_TAG_NAMEID_BUCKET_BASE + b);
	}
}

static bool bucket_has(const struct pf_nameid_bucket *bk,
		       const struct pf_nameid_entry *e)
{
	if (!bk->p)
		return false;
	for (size_t o = 0; o + NAMEID_CB <= bk->cb; o += NAMEID_CB)
		if (record_matches(bk->p + o, e))
			return true;
	return false;
}

/* Lookup by name goes to one bucket only: the entry must be there. */
static void check_hashed(struct np *c, const struct pf_nameid_entry *e)
{
	uint32_t b = pf_nameid_bucket(e->hash, e->wguid, e->kind,
				      c->nbuckets);

	if (!bucket_has(&c->buckets[b], e))
		np_fault(c, PF_F_MISSING, "hash table",
			 PF_PROP_TAG(e->prop_id, 0), e->prop_id,
			 PF_TAG_NAMEID_BUCKET_BASE + b);
}

static void check_hash_table(struct np *c)
{
	for (uint32_t b = 0; b < c->nbuckets; b++)
		check_bucket(c, b);
	for (uint32_t i = 0; i < c->map->count; i++)
		if (c->map->v[i].ok)
			check_hashed(c, &c->map->v[i]);
}

/* More records than named property ids is impossible (2.4.7.1). */
static uint32_t cap_entries(struct np *c, uint32_t n)
{
	if (n <= PF_NAMEID_MAX_IDX + 1)
		return n;
	np_fault(c, PF_F_CENT, "PidTagNameidStreamEntry",
		 bin_tag(PF_TAG_NAMEID_STREAM_ENTRY), n,
		 PF_NAMEID_MAX_IDX + 1);
	return PF_NAMEID_MAX_IDX + 1;
}

int pf_nameid_parse(const uint8_t *guids, size_t cb_guids,
		    const uint8_t *entries, size_t cb_entries,
		    const uint8_t *strings, size_t cb_strings,
		    const struct pf_nameid_bucket *buckets, uint32_t nbuckets,
		    struct pf_nameid_map *map, const struct pf_sink *sink)
{
	struct np c = {
		.guids = guids, .strings = strings,
		.cb_strings = strings ? cb_strings : 0,
		.buckets = buckets,
		.nbuckets = buckets && nbuckets <= PF_NAMEID_MAX_BUCKETS ?
			    nbuckets : 0,
		.map = map, .sink = sink,
	};
	uint32_t n;
	int rc;

	memset(map, 0, sizeof(*map));
	c.nguids = records(&c, guids ? cb_guids : 0, GUID_CB,
			   "PidTagNameidStreamGuid",
			   bin_tag(PF_TAG_NAMEID_STREAM_GUID));
	n = records(&c, entries ? cb_entries : 0, NAMEID_CB,
		    "PidTagNameidStreamEntry",
		    bin_tag(PF_TAG_NAMEID_STREAM_ENTRY));
	rc = decode_entries(&c, entries, cap_entries(&c, n));
	if (rc == 0)
		rc = index_entries(&c);
	if (rc != 0) {
		pf_nameid_free(map);
		return rc;
	}
	map->bucket_count = c.nbuckets;
	if (c.nbuckets)
		check_hash_table(&c);
	return 0;
}

/* ---- reading NID 0x61 ---- */

/* The streams copied out of the PC. */
struct streams {
	uint8_t *guids, *entries, *strings;
	size_t cb_guids, cb_entries, cb_strings;
	struct pf_nameid_bucket *buckets;
	uint32_t nbuckets;
	uint32_t faults;
};

static void streams_free(struct streams *st)
{
	free(st->guids);
	free(st->entries);
	free(st->strings);
	for (uint32_t i = 0; st->buckets && i < st->nbuckets; i++)
		free((void *)st->buckets[i].p);
	free(st->buckets);
}

/* Property ID as a malloc'd copy: absent is empty; a type other than
 * PtypBinary is a fault and read as empty; unreadable fails. */
static int read_bin(const struct pf_pc *pc, uint16_t id, const char *field,
		    struct streams *st, const struct pf_sink *sink,
		    uint8_t **p, size_t *cb)
{
	struct pf_value v;
	int rc = pf_pc_get_value(pc, id, &v);

	*p = NULL;
	*cb = 0;
	if (rc == PF_E_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (v.type != PF_PT_BINARY)
		fault(sink, &st->faults, PF_F_TYPE, field,
		      PF_PROP_TAG(id, v.type), v.type, PF_PT_BINARY);
	else
		rc = pf_value_bin(&v, p, cb);
	pf_value_free(&v);
	return rc;
}

/* PidTagNameidBucketCount, or 0 when absent or unusable (pass 7 judges
 * its value). */
static uint32_t bucket_count(const struct pf_pc *pc)
{
	int32_t n;

	if (pf_pc_get_i32(pc, PF_TAG_NAMEID_BUCKET_COUNT, &n) != 0 || n <= 0 ||
	    (uint32_t)n > PF_NAMEID_MAX_BUCKETS)
		return 0;
	return (uint32_t)n;
}

static int read_buckets(const struct pf_pc *pc, struct streams *st,
			const struct pf_sink *sink)
{
	uint32_t n = bucket_count(pc);

	if (n == 0)
		return 0;
	st->buckets = calloc(n, sizeof(*st->buckets));
	if (!st->buckets)
		return pf_error_set(PF_E_NOMEM, "out of memory (name-to-id)");
	st->nbuckets = n;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p;
		int rc = read_bin(pc, (uint16_t)(PF_TAG_NAMEID_BUCKET_BASE + i),
				  "hash bucket", st, sink, &p,
				  &st->buckets[i].cb);

		if (rc != 0)
			return rc;
		st->buckets[i].p = p;
	}
	return 0;
}

static int read_streams(const struct pf_pc *pc, struct streams *st,
			const struct pf_sink *sink)
{
	int rc = read_bin(pc, PF_TAG_NAMEID_STREAM_GUID,
			  "PidTagNameidStreamGuid", st, sink, &st->guids,
			  &st->cb_guids);

	if (rc == 0)
		rc = read_bin(pc, PF_TAG_NAMEID_STREAM_ENTRY,
			      "PidTagNameidStreamEntry", st, sink,
			      &st->entries, &st->cb_entries);
	if (rc == 0)
		rc = read_bin(pc, PF_TAG_NAMEID_STREAM_STRING,
			      "PidTagNameidStreamString", st, sink,
			      &st->strings, &st->cb_strings);
	if (rc == 0)
		rc = read_buckets(pc, st, sink);
	return rc;
}

int pf_nameid_load(struct pf_ndb *ndb, struct pf_nameid_map *map,
		   const struct pf_sink *sink)
{
	struct streams st;
	struct pf_subnodes sub;
	struct pf_pc pc;
	int rc;

	memset(map, 0, sizeof(*map));
	memset(&st, 0, sizeof(st));
	rc = pf_node_pc_open(ndb, PF_NID_NAME_TO_ID_MAP, &pc, &sub);
	if (rc != 0)
		return rc;
	rc = read_streams(&pc, &st, sink);
	if (rc == 0)
		rc = pf_nameid_parse(st.guids, st.cb_guids, st.entries,
				     st.cb_entries, st.strings, st.cb_strings,
				     st.buckets, st.nbuckets, map, sink);
	if (rc == 0)
		map->faults += st.faults;
	streams_free(&st);
	pf_pc_close(&pc);
	pf_subnodes_free(&sub);
	return rc;
}

const struct pf_nameid_entry *pf_nameid_find(const struct pf_nameid_map *m,
					     uint16_t prop_id)
{
	uint32_t i;

	if (prop_id < 0x8000u)
		return NULL;
	i = prop_id - 0x8000u;
	if (i >= m->nslot || m->slot[i] == 0)
		return NULL;
	return &m->v[m->slot[i] - 1];
}

void pf_nameid_free(struct pf_nameid_map *map)
{
	for (uint32_t i = 0; map->v && i < map->count; i++)
		free(map->v[i].name);
	free(map->v);
	free(map->slot);
	memset(map, 0, sizeof(*map));
}

void pf_guid_format(const uint8_t g[16], char *buf, size_t cb)
{
	snprintf(buf, cb,
		 "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
		 (unsigned)pf_le32(g), (unsigned)pf_le16(g + 4),
		 (unsigned)pf_le16(g + 6), g[8], g[9], g[10], g[11], g[12],
		 g[13], g[14], g[15]);
}
