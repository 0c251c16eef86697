/*
 * pc.c - property context (MS-PST 2.3.3).
 *
 * Contract: a PC is a heap with bClientSig bTypePC whose hidUserRoot is a
 * BTH with cbKey 2 (wPropId) and cbEnt 6 (wPropType, dwValueHnid).
 * Opening walks the BTH once (reporting its faults) and keeps pointers to
 * the 8-byte records; lookups use binary search when the keys were found
 * strictly ascending, a linear scan otherwise, so a damaged order does not
 * hide properties.  Values: fixed types of <= 4 bytes sit in dwValueHnid
 * (2.3.3.3); the others are an HNID: HID into the heap or NID of a subnode
 * (read through the NDB, bounded by PF_NODE_DATA_MAX).  Every value is
 * checked against its type's shape before a typed getter reads it.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_le.h"
#include "ltp_int.h"

#define PC_REC_CB     8u   /* wPropId + wPropType + dwValueHnid */
#define PC_CB_KEY     2u
#define PC_CB_ENT     6u
#define OBJECT_CB     8u   /* 2.3.3.5: Nid + ulSize */

static void pc_fault(const struct pf_pc *pc, enum pf_fault_kind kind,
		     const char *field, uint32_t tag, uint64_t got,
		     uint64_t want, const struct pf_sink *sink)
{
	pf_ltp_fault(sink, PF_OBJ_PC, kind, field, pc->hn.nid, tag, got,
		     want);
}

static uint32_t rec_tag(const uint8_t *rec)
{
	return PF_PROP_TAG(pf_le16(rec), pf_le16(rec + 2));
}

/* ---- open ---- */

struct collect {
	const uint8_t **v;
	uint32_t n, cap;
};

static int collect_rec(void *ctx, const uint8_t *key, const uint8_t *ent)
{
	struct collect *c = ctx;

	(void)ent;   /* key and data are one 8-byte record */
	if (c->n == c->cap) {
		uint32_t cap = c->cap ? c->cap * 2 : 64;
		const uint8_t **nv = realloc(c->v, cap * sizeof(*nv));

		if (!nv)
			return pf_error_set(PF_E_NOMEM,
					    "out of memory (PC records)");
		c->v = nv;
		c->cap = cap;
	}
	c->v[c->n++] = key;
	return 0;
}

static bool ascending(const uint8_t **recs, uint32_t n)
{
	uint32_t i;

	for (i = 1; i < n; i++)
		if (pf_le16(recs[i]) <= pf_le16(recs[i - 1]))
			return false;
	return true;
}

static int pc_fail(struct pf_pc *pc, enum pf_fault_kind kind,
		   const char *field, uint64_t got, uint64_t want,
		   const struct pf_sink *sink)
{
	uint32_t nid = pc->hn.nid;

	pc_fault(pc, kind, field, 0, got, want, sink);
	pf_pc_close(pc);
	return pf_error_set(PF_E_CORRUPT, "node %#x is not a usable PC "
			    "(%s)", nid, field);
}

static int pc_load(struct pf_pc *pc, const struct pf_sink *sink)
{
	struct collect c = { 0 };
	int rc;

	/* 2.3.1.2 bClientSig: bTypePC */
	if (pc->hn.client_sig != PF_BTYPE_PC)
		return pc_fail(pc, PF_F_MAGIC, "bClientSig",
			       pc->hn.client_sig, PF_BTYPE_PC, sink);
	rc = pf_bth_open(&pc->bth, &pc->hn, pc->hn.hid_user_root, sink);
	if (rc < 0) {
		pf_pc_close(pc);
		return rc;
	}
	/* 2.3.3.3: the PC BTH has cbKey 2 and cbEnt 6 */
	if (pc->bth.cb_key != PC_CB_KEY)
		return pc_fail(pc, PF_F_VALUE, "cbKey", pc->bth.cb_key,
			       PC_CB_KEY, sink);
	if (pc->bth.cb_ent != PC_CB_ENT)
		return pc_fail(pc, PF_F_VALUE, "cbEnt", pc->bth.cb_ent,
			       PC_CB_ENT, sink);
	rc = pf_bth_walk(&pc->bth, sink, collect_rec, &c, NULL);
	if (rc < 0) {
		free(c.v);
		pf_pc_close(pc);
		return rc;
	}
	pc->recs = c.v;
	pc->count = c.n;
	pc->sorted = ascending(c.v, c.n);
	return 0;
}

int pf_pc_open_hn(struct pf_pc *pc, struct pf_hn *hn, struct pf_ndb *ndb,
		  const struct pf_subnodes *sub, const struct pf_sink *sink)
{
	memset(pc, 0, sizeof(*pc));
	pc->hn = *hn;
	memset(hn, 0, sizeof(*hn));
	pc->ndb = ndb;
	pc->sub = sub;
	pc->codepage = 1252;
	return pc_load(pc, sink);
}

int pf_pc_open(struct pf_pc *pc, struct pf_ndb *ndb, uint32_t nid,
	       uint64_t bid_data, const struct pf_subnodes *sub,
	       const struct pf_sink *sink)
{
	struct pf_hn hn;
	int rc;

	memset(pc, 0, sizeof(*pc));
	rc = pf_hn_open(&hn, ndb, nid, bid_data, sink);
	if (rc < 0)
		return rc;
	return pf_pc_open_hn(pc, &hn, ndb, sub, sink);
}

void pf_pc_close(struct pf_pc *pc)
{
	if (!pc)
		return;
	free(pc->recs);
	pf_hn_close(&pc->hn);
	memset(pc, 0, sizeof(*pc));
}

void pf_pc_set_codepage(struct pf_pc *pc, uint32_t codepage)
{
	pc->codepage = codepage;
}

/* ---- access ---- */

uint32_t pf_pc_count(const struct pf_pc *pc)
{
	return pc->count;
}

uint32_t pf_pc_tag(const struct pf_pc *pc, uint32_t i)
{
	return i < pc->count ? rec_tag(pc->recs[i]) : 0;
}

static const uint8_t *find_rec(const struct pf_pc *pc, uint16_t id)
{
	uint32_t lo = 0, hi = pc->count, i;

	if (!pc->sorted) {
		for (i = 0; i < pc->count; i++)
			if (pf_le16(pc->recs[i]) == id)
				return pc->recs[i];
		return NULL;
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint16_t k = pf_le16(pc->recs[mid]);

		if (k == id)
			return pc->recs[mid];
		if (k < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* 2.3.3.3: inline when the type's fixed size is <= 4 bytes. */
static bool is_inline(uint16_t type)
{
	int sz = pf_ptype_size(type);

	return sz > 0 && sz <= 4 && !pf_ptype_is_mv(type);
}

/* What is wrong with a value: a pf_fault_kind (0: nothing), the size
 * read and the size wanted. */
struct vcheck {
	int kind;
	uint64_t got, want;
};

/* Resolve record REC into V (READ: fetch subnode data too).  Returns 0 or
 * negative; CK says what was wrong. */
static int rec_value(const struct pf_pc *pc, const uint8_t *rec, bool read,
		     struct pf_value *v, struct vcheck *ck)
{
	int sz, rc;
	int *kind = &ck->kind;
	uint64_t *want = &ck->want;

	memset(v, 0, sizeof(*v));
	memset(ck, 0, sizeof(*ck));
	v->tag = rec_tag(rec);
	v->type = pf_le16(rec + 2);
	sz = pf_ptype_size(v->type);
	if (sz < 0) {
		*kind = PF_F_TYPE;
		return pf_error_set(PF_E_CORRUPT, "property %#010x: unknown "
				    "type", v->tag);
	}
	if (is_inline(v->type)) {
		v->loc = PF_VAL_INLINE;
		memcpy(v->raw, rec + 4, 4);
		v->cb = (size_t)sz;
		return 0;
	}
	rc = pf_ltp_hnid_get(&pc->hn, pc->ndb, pc->sub, pf_le32(rec + 4),
			     read, v);
	if (rc < 0) {
		*kind = PF_F_MISSING;
		return rc;
	}
	if (v->loc == PF_VAL_SUBNODE && !read)
		return 0;
	/* a fixed-size value cannot be empty; an object is Nid + ulSize */
	if (v->loc == PF_VAL_EMPTY && sz > 0 && !pf_ptype_is_mv(v->type))
		*kind = PF_F_MISSING;
	else if (v->type == PF_PT_OBJECT && v->cb != OBJECT_CB) {
		*kind = PF_F_CB;
		*want = OBJECT_CB;
	} else
		*kind = pf_value_shape(v->type, pf_value_data(v), v->cb, want);
	if (*kind != 0) {
		ck->got = *kind == PF_F_MISSING ? v->hnid : v->cb;
		pf_value_free(v);
		return pf_error_set(PF_E_CORRUPT, "property %#010x: value "
				    "does not fit its type", rec_tag(rec));
	}
	return 0;
}

int pf_pc_prop(const struct pf_pc *pc, uint32_t i, struct pf_value *v)
{
	struct vcheck ck;

	memset(v, 0, sizeof(*v));
	if (i >= pc->count)
		return pf_error_set(PF_E_NOTFOUND, "PC has %u properties",
				    pc->count);
	return rec_value(pc, pc->recs[i], true, v, &ck);
}

int pf_pc_get_value(const struct pf_pc *pc, uint16_t prop_id,
		    struct pf_value *v)
{
	const uint8_t *rec = find_rec(pc, prop_id);
	struct vcheck ck;

	memset(v, 0, sizeof(*v));
	if (!rec)
		return pf_error_set(PF_E_NOTFOUND, "property %#06x not in PC "
				    "of node %#x", prop_id, pc->hn.nid);
	return rec_value(pc, rec, true, v, &ck);
}

/* The typed getters: get the value, read it, free it. */
#define PC_GETTER(name, type, reader)                                   \
	int name(const struct pf_pc *pc, uint16_t prop_id, type *out)   \
	{                                                               \
		struct pf_value v;                                      \
		int rc = pf_pc_get_value(pc, prop_id, &v);              \
									\
		if (rc == 0)                                            \
			rc = reader(&v, out);                           \
		pf_value_free(&v);                                      \
		return rc;                                              \
	}

PC_GETTER(pf_pc_get_i32, int32_t, pf_value_i32)
PC_GETTER(pf_pc_get_i64, int64_t, pf_value_i64)
PC_GETTER(pf_pc_get_bool, bool, pf_value_bool)
PC_GETTER(pf_pc_get_time, uint64_t, pf_value_time)

int pf_pc_get_bin(const struct pf_pc *pc, uint16_t prop_id, uint8_t **out,
		  size_t *cb)
{
	struct pf_value v;
	int rc = pf_pc_get_value(pc, prop_id, &v);

	*out = NULL;
	*cb = 0;
	if (rc == 0)
		rc = pf_value_bin(&v, out, cb);
	pf_value_free(&v);
	return rc;
}

int pf_pc_get_string(const struct pf_pc *pc, uint16_t prop_id,
		     char **utf8_out)
{
	struct pf_value v;
	int rc = pf_pc_get_value(pc, prop_id, &v);

	*utf8_out = NULL;
	if (rc == 0)
		rc = pf_value_string(&v, pc->codepage, utf8_out);
	pf_value_free(&v);
	return rc;
}

int pf_pc_get_object(const struct pf_pc *pc, uint16_t prop_id,
		     uint32_t *nid, uint32_t *size)
{
	struct pf_value v;
	int rc = pf_pc_get_value(pc, prop_id, &v);

	if (rc == 0 && v.type != PF_PT_OBJECT)
		rc = pf_error_set(PF_E_NOTFOUND, "property %#06x is not an "
				  "object", prop_id);
	if (rc == 0) {
		/* rec_value checked the 8 bytes */
		*nid = pf_le32(pf_value_data(&v));
		*size = pf_le32(pf_value_data(&v) + 4);
	}
	pf_value_free(&v);
	return rc;
}

/* ---- validate ---- */

/* One property; returns the faults reported (0 or 1). */
static int validate_rec(const struct pf_pc *pc, const uint8_t *rec,
			const struct pf_sink *sink)
{
	uint32_t tag = rec_tag(rec), hnid = pf_le32(rec + 4);
	uint16_t type = pf_le16(rec + 2);
	struct pf_value v;
	struct vcheck ck;
	int rc;

	if (pf_ptype_size(type) < 0) {                 /* 2.3.3.3 */
		pc_fault(pc, PF_F_TYPE, "wPropType", tag, type, 0, sink);
		return 1;
	}
	if (is_inline(type))
		return 0;
	if (!pf_ltp_hnid_check(&pc->hn, pc->sub, hnid, PF_OBJ_PC,
			       "dwValueHnid", tag, sink))
		return 1;
	rc = rec_value(pc, rec, false, &v, &ck);
	pf_value_free(&v);
	if (rc == PF_E_NOMEM)
		return rc;
	if (ck.kind == 0)
		return 0;
	pc_fault(pc, (enum pf_fault_kind)ck.kind, "dwValueHnid", tag, ck.got,
		 ck.want, sink);
	return 1;
}

int pf_pc_validate(const struct pf_pc *pc, const struct pf_sink *sink)
{
	int faults = 0;
	uint32_t i;

	for (i = 0; i < pc->count; i++) {
		int rc = validate_rec(pc, pc->recs[i], sink);

		if (rc < 0)
			return rc;
		faults += rc;
	}
	return faults;
}
