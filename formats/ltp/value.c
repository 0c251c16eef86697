/*
 * value.c - property types and values shared by PC and TC (MS-PST 2.3.3.1,
 * 2.3.3.2, 2.3.3.4; MS-OXCDATA 2.11.1).
 *
 * Contract: one table says how big each property type is; one function
 * (pf_value_shape) says whether some bytes have the shape a type needs;
 * one resolver turns an HNID into bytes (heap: borrowed, subnode: owned
 * copy bounded by PF_NODE_DATA_MAX).  The typed readers check the type and
 * the size before reading, so a value from a damaged file can only give
 * an error, never a read past its bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_le.h"
#include "ltp_int.h"

/* ---- shared helpers ---- */

void pf_ltp_fault(const struct pf_sink *sink, enum pf_obj obj,
		  enum pf_fault_kind kind, const char *field, uint32_t nid,
		  uint32_t hid, uint64_t got, uint64_t want)
{
	struct pf_fault f = {
		.obj = obj, .kind = kind, .field = field, .ib = PF_NO_IB,
		.nid = nid, .hid = hid, .got = got, .want = want,
	};

	pf_report(sink, &f);
}

int pf_ltp_key_cmp(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	while (n-- > 0) {
		if (a[n] != b[n])
			return a[n] < b[n] ? -1 : 1;
	}
	return 0;
}

/* ---- the type table (MS-OXCDATA 2.11.1, MS-PST 2.3.3.1) ---- */

int pf_ptype_size(uint16_t type)
{
	switch (type) {
	case PF_PT_BOOLEAN:
		return 1;
	case PF_PT_INT16: case PF_PT_MV_INT16:
		return 2;
	case PF_PT_INT32: case PF_PT_FLOAT32: case PF_PT_ERROR:
	case PF_PT_MV_INT32: case PF_PT_MV_FLOAT32:
		return 4;
	case PF_PT_FLOAT64: case PF_PT_CURRENCY: case PF_PT_FLOATINGTIME:
	case PF_PT_INT64: case PF_PT_TIME:
	case PF_PT_MV_FLOAT64: case PF_PT_MV_CURRENCY:
	case PF_PT_MV_FLOATINGTIME: case PF_PT_MV_INT64: case PF_PT_MV_TIME:
		return 8;
	case PF_PT_GUID: case PF_PT_MV_GUID:
		return 16;
	case PF_PT_OBJECT: case PF_PT_STRING8: case PF_PT_STRING:
	case PF_PT_SERVERID: case PF_PT_RESTRICTION: case PF_PT_RULEACTION:
	case PF_PT_BINARY:
	case PF_PT_MV_STRING8: case PF_PT_MV_STRING: case PF_PT_MV_BINARY:
		return 0;
	}
	return -1;
}

bool pf_ptype_is_mv(uint16_t type)
{
	return (type & PF_PT_MV) != 0 && pf_ptype_size(type) >= 0;
}

/* ---- shapes ---- */

/* 2.3.3.4.2: ulCount, rgulDataOffsets[ulCount], data; offsets ascend
 * from the end of the offset array to the end of the value. */
static int mv_var_shape(const uint8_t *p, size_t cb, uint64_t *want)
{
	uint32_t count, i, prev;

	if (cb == 0)
		return 0;          /* no values */
	if (cb < 4) {
		*want = 4;
		return PF_F_CB;
	}
	count = pf_le32(p);
	if (count > (cb - 4) / 4) {
		*want = (uint64_t)count * 4 + 4;
		return PF_F_CB;
	}
	prev = 4 + 4 * count;
	for (i = 0; i < count; i++) {
		uint32_t off = pf_le32(p + 4 + 4 * (size_t)i);

		if (off < prev || off > cb) {
			*want = prev;
			return PF_F_VALUE;
		}
		prev = off;
	}
	return 0;
}

int pf_value_shape(uint16_t type, const uint8_t *p, size_t cb,
		   uint64_t *want)
{
	int sz = pf_ptype_size(type);

	*want = 0;
	if (sz < 0)
		return PF_F_TYPE;
	if (pf_ptype_is_mv(type)) {
		if (sz == 0)
			return mv_var_shape(p, cb, want);
		if (cb % (size_t)sz != 0) {            /* 2.3.3.4.1 */
			*want = cb - cb % (size_t)sz;
			return PF_F_CB;
		}
		return 0;
	}
	if (sz > 0 && cb != (size_t)sz) {
		*want = (uint64_t)sz;
		return PF_F_CB;
	}
	if (type == PF_PT_STRING && cb % 2 != 0) {   /* UTF-16LE units */
		*want = cb - 1;
		return PF_F_CB;
	}
	return 0;
}

/* ---- resolving an HNID (2.3.3.2) ---- */

static int subnode_get(struct pf_ndb *ndb, const struct pf_subnodes *sub,
		       uint32_t nid, bool read, struct pf_value *v)
{
	const struct pf_subnode *sn;
	uint8_t *data = NULL;
	size_t cb = 0;
	int rc;

	sn = sub ? pf_subnodes_find(sub, nid) : NULL;
	if (!sn)
		return pf_error_set(PF_E_NOTFOUND, "subnode %#x not found",
				    nid);
	v->loc = PF_VAL_SUBNODE;
	if (!read)
		return 0;
	if (!ndb)
		return pf_error_set(PF_E_NOTFOUND,
				    "subnode %#x: no file to read it from",
				    nid);
	rc = pf_node_data_read(ndb, sn->bid_data, PF_NODE_DATA_MAX, &data,
			       &cb);
	if (rc < 0)
		return rc;
	v->own = data;
	v->p = data;
	v->cb = cb;
	return 0;
}

int pf_ltp_hnid_get(const struct pf_hn *hn, struct pf_ndb *ndb,
		    const struct pf_subnodes *sub, uint32_t hnid, bool read,
		    struct pf_value *v)
{
	int rc;

	v->hnid = hnid;
	v->p = NULL;
	v->cb = 0;
	v->own = NULL;
	if (hnid == 0) {
		v->loc = PF_VAL_EMPTY;
		return 0;
	}
	if (!PF_HNID_IS_HID(hnid))
		return subnode_get(ndb, sub, hnid, read, v);
	rc = pf_hn_get(hn, hnid, &v->p, &v->cb);
	if (rc < 0)
		return rc;
	v->loc = PF_VAL_HEAP;
	return 0;
}

bool pf_ltp_hnid_check(const struct pf_hn *hn, const struct pf_subnodes *sub,
		       uint32_t hnid, enum pf_obj obj, const char *field,
		       uint32_t tag, const struct pf_sink *sink)
{
	if (hnid == 0)
		return true;
	if (PF_HNID_IS_HID(hnid))
		return pf_ltp_hid_check(hn, hnid, obj, field, tag, sink);
	if (sub && pf_subnodes_find(sub, hnid))
		return true;
	pf_ltp_fault(sink, obj, PF_F_MISSING, field, hn->nid, tag, hnid, 0);
	return false;
}

void pf_value_free(struct pf_value *v)
{
	if (!v)
		return;
	free(v->own);
	memset(v, 0, sizeof(*v));
}

/* ---- typed reads ---- */

static int mismatch(const struct pf_value *v, const char *want)
{
	return pf_error_set(PF_E_NOTFOUND,
			    "property %#010x has type %#06x, not %s", v->tag,
			    v->type, want);
}

/* The value's bytes when it has exactly CB of them. */
static const uint8_t *sized(const struct pf_value *v, size_t cb)
{
	const uint8_t *d = pf_value_data(v);

	return (d && v->cb == cb) ? d : NULL;
}

static int bad_size(const struct pf_value *v)
{
	return pf_error_set(PF_E_CORRUPT,
			    "property %#010x: %zu bytes for type %#06x",
			    v->tag, v->cb, v->type);
}

int pf_value_i32(const struct pf_value *v, int32_t *out)
{
	const uint8_t *d;
	uint32_t u;

	if (v->type == PF_PT_INT16) {
		d = sized(v, 2);
		if (!d)
			return bad_size(v);
		*out = (int16_t)pf_le16(d);
		return 0;
	}
	if (v->type != PF_PT_INT32 && v->type != PF_PT_ERROR)
		return mismatch(v, "a 32-bit integer");
	d = sized(v, 4);
	if (!d)
		return bad_size(v);
	u = pf_le32(d);
	memcpy(out, &u, sizeof(*out));
	return 0;
}

int pf_value_i64(const struct pf_value *v, int64_t *out)
{
	const uint8_t *d;
	int32_t i32;
	uint64_t u;

	if (v->type == PF_PT_INT16 || v->type == PF_PT_INT32 ||
	    v->type == PF_PT_ERROR) {
		int rc = pf_value_i32(v, &i32);

		if (rc == 0)
			*out = i32;
		return rc;
	}
	if (v->type != PF_PT_INT64 && v->type != PF_PT_CURRENCY &&
	    v->type != PF_PT_TIME)
		return mismatch(v, "a 64-bit integer");
	d = sized(v, 8);
	if (!d)
		return bad_size(v);
	u = pf_le64(d);
	memcpy(out, &u, sizeof(*out));
	return 0;
}

int pf_value_bool(const struct pf_value *v, bool *out)
{
	const uint8_t *d;

	if (v->type != PF_PT_BOOLEAN)
		return mismatch(v, "Boolean");
	d = pf_value_data(v);
	if (!d || v->cb < 1)
		return bad_size(v);
	*out = d[0] != 0;
	return 0;
}

int pf_value_time(const struct pf_value *v, uint64_t *out)
{
	const uint8_t *d;

	if (v->type != PF_PT_TIME)
		return mismatch(v, "Time");
	d = sized(v, 8);
	if (!d)
		return bad_size(v);
	*out = pf_le64(d);
	return 0;
}

int pf_value_f64(const struct pf_value *v, double *out)
{
	const uint8_t *d;
	uint64_t u;
	uint32_t u32;
	float f;

	if (v->type == PF_PT_FLOAT32) {
		d = sized(v, 4);
		if (!d)
			return bad_size(v);
		u32 = pf_le32(d);
		memcpy(&f, &u32, sizeof(f));
		*out = f;
		return 0;
	}
	if (v->type != PF_PT_FLOAT64 && v->type != PF_PT_FLOATINGTIME)
		return mismatch(v, "a floating-point number");
	d = sized(v, 8);
	if (!d)
		return bad_size(v);
	u = pf_le64(d);
	memcpy(out, &u, sizeof(*out));
	return 0;
}

int pf_value_bin(const struct pf_value *v, uint8_t **out, size_t *cb)
{
	const uint8_t *d = pf_value_data(v);
	uint8_t *copy = malloc(v->cb ? v->cb : 1);

	*out = NULL;
	*cb = 0;
	if (!copy)
		return pf_error_set(PF_E_NOMEM, "out of memory (%zu bytes)",
				    v->cb);
	if (d && v->cb)
		memcpy(copy, d, v->cb);
	*out = copy;
	*cb = v->cb;
	return 0;
}

static int to_utf8(uint16_t type, const uint8_t *p, size_t cb,
		   uint32_t codepage, char **out)
{
	if (type == PF_PT_STRING)
		return pf_utf16le_to_utf8(p, cb, out);
	return pf_8bit_to_utf8(p, cb, codepage, out);
}

int pf_value_string(const struct pf_value *v, uint32_t codepage,
		    char **utf8_out)
{
	*utf8_out = NULL;
	if (v->type != PF_PT_STRING && v->type != PF_PT_STRING8)
		return mismatch(v, "a string");
	return to_utf8(v->type, pf_value_data(v), v->cb, codepage, utf8_out);
}

/* ---- multi-valued (2.3.3.4) ---- */

int pf_value_mv_count(const struct pf_value *v, uint32_t *count)
{
	const uint8_t *d = pf_value_data(v);
	uint64_t want;
	int sz = pf_ptype_size(v->type);

	*count = 0;
	if (!pf_ptype_is_mv(v->type))
		return mismatch(v, "multi-valued");
	if (pf_value_shape(v->type, d, v->cb, &want) != 0)
		return bad_size(v);
	if (sz > 0)
		*count = (uint32_t)(v->cb / (size_t)sz);
	else if (v->cb >= 4)
		*count = pf_le32(d);
	return 0;
}

int pf_value_mv_item(const struct pf_value *v, uint32_t i,
		     const uint8_t **p, size_t *cb)
{
	const uint8_t *d = pf_value_data(v);
	int sz = pf_ptype_size(v->type);
	uint32_t count, start, end;
	int rc = pf_value_mv_count(v, &count);

	*p = NULL;
	*cb = 0;
	if (rc < 0)
		return rc;
	if (i >= count)
		return pf_error_set(PF_E_NOTFOUND,
				    "property %#010x has %u values, not %u",
				    v->tag, count, i + 1);
	if (sz > 0) {
		*p = d + (size_t)i * (size_t)sz;
		*cb = (size_t)sz;
		return 0;
	}
	/* shape checked: offsets ascend and lie inside the value */
	start = pf_le32(d + 4 + 4 * (size_t)i);
	end = i + 1 < count ? pf_le32(d + 8 + 4 * (size_t)i) :
			      (uint32_t)v->cb;
	*p = d + start;
	*cb = end - start;
	return 0;
}

int pf_value_mv_string(const struct pf_value *v, uint32_t i,
		       uint32_t codepage, char **utf8_out)
{
	const uint8_t *p;
	size_t cb;
	int rc;

	*utf8_out = NULL;
	if (v->type != PF_PT_MV_STRING && v->type != PF_PT_MV_STRING8)
		return mismatch(v, "a multi-valued string");
	rc = pf_value_mv_item(v, i, &p, &cb);
	if (rc < 0)
		return rc;
	return to_utf8(v->type == PF_PT_MV_STRING ? PF_PT_STRING :
		       PF_PT_STRING8, p, cb, codepage, utf8_out);
}
