/*
 * xblock.c - parse the headers of internal blocks: XBLOCK/XXBLOCK
 * (MS-PST 2.2.2.8.3.2) and SLBLOCK/SIBLOCK (2.2.2.8.3.3).
 *
 * Contract: the parse checks btype, cLevel and that cEnt entries fit in the
 * block's data; entries are only read through the returned pointer within
 * cEnt.  No I/O here: the caller read the block.
 */
#include <stdlib.h>

#include "../util/pf_le.h"
#include "pf_ndb.h"

static void fault(const struct pf_sink *sink, enum pf_obj obj,
		  enum pf_fault_kind kind, const char *field, uint64_t bid,
		  uint64_t got, uint64_t want)
{
	struct pf_fault f = {
		.obj = obj, .kind = kind, .field = field, .ib = PF_NO_IB,
		.bid = bid, .got = got, .want = want,
	};

	pf_report(sink, &f);
}

bool pf_xblock_parse(const struct pf_layout *l, const uint8_t *data,
		     size_t cb, uint64_t bid, const struct pf_sink *sink,
		     struct pf_xblock *out)
{
	if (cb < 8) {
		fault(sink, PF_OBJ_XBLOCK, PF_F_CB, "cb", bid, cb, 8);
		return false;
	}
	out->btype = data[0];
	out->level = data[1];
	out->cent = pf_le16(data + 2);
	out->lcb_total = pf_le32(data + 4);
	out->rgbid = data + 8;
	if (out->btype != 0x01) {
		fault(sink, PF_OBJ_XBLOCK, PF_F_MAGIC, "btype", bid,
		      out->btype, 0x01);
		return false;
	}
	if (out->level != 1 && out->level != 2) {
		fault(sink, PF_OBJ_XBLOCK, PF_F_LEVEL, "cLevel", bid,
		      out->level, 1);
		return false;
	}
	if (8 + (size_t)out->cent * l->bid_size > cb) {
		fault(sink, PF_OBJ_XBLOCK, PF_F_CENT, "cEnt", bid, out->cent,
		      (cb - 8) / l->bid_size);
		return false;
	}
	return true;
}

/* SLBLOCK/SIBLOCK: btype 0x02, cLevel 0 or 1, cEnt, then (Unicode only)
 * 4 bytes of padding. SLENTRY = nid, bidData, bidSub; SIENTRY = nid, bid. */
bool pf_slblock_parse(const struct pf_layout *l, const uint8_t *data,
		      size_t cb, uint64_t bid, const struct pf_sink *sink,
		      struct pf_slblock *out)
{
	uint32_t hdr = l->bid_size == 4 ? 4 : 8;

	if (cb < hdr) {
		fault(sink, PF_OBJ_SUBNODE, PF_F_CB, "cb", bid, cb, hdr);
		return false;
	}
	out->btype = data[0];
	out->level = data[1];
	out->cent = pf_le16(data + 2);
	out->rgentries = data + hdr;
	if (out->btype != 0x02) {
		fault(sink, PF_OBJ_SUBNODE, PF_F_MAGIC, "btype", bid,
		      out->btype, 0x02);
		return false;
	}
	if (out->level > 1) {
		fault(sink, PF_OBJ_SUBNODE, PF_F_LEVEL, "cLevel", bid,
		      out->level, 1);
		return false;
	}
	out->cb_entry = (out->level == 0 ? 3 : 2) * l->bid_size;
	if (hdr + (size_t)out->cent * out->cb_entry > cb) {
		fault(sink, PF_OBJ_SUBNODE, PF_F_CENT, "cEnt", bid, out->cent,
		      (cb - hdr) / out->cb_entry);
		return false;
	}
	return true;
}

static uint64_t id_at(const struct pf_layout *l, const uint8_t *p)
{
	return l->bid_size == 4 ? pf_le32(p) : pf_le64(p);
}

/* SLENTRY: nid, bidData, bidSub; SIENTRY: nid, bid. */
static uint32_t sl_kids(const struct pf_layout *l, const struct pf_slblock *s,
			uint64_t *v)
{
	uint32_t n = 0, w = l->bid_size;

	for (uint32_t i = 0; i < s->cent; i++) {
		const uint8_t *e = s->rgentries + (size_t)i * s->cb_entry;
		uint64_t a = id_at(l, e + w);
		uint64_t b = s->level == 0 ? id_at(l, e + 2 * w) : 0;

		if (a)
			v[n++] = a;
		if (b)
			v[n++] = b;
	}
	return n;
}

int pf_block_kids(const struct pf_layout *l, const uint8_t *data,
		  size_t cb, uint64_t bid, uint64_t **kids, uint32_t *n)
{
	struct pf_xblock x;
	struct pf_slblock s;
	uint64_t *v;

	*kids = NULL;
	*n = 0;
	if (cb > 0 && data[0] == 0x01 &&
	    pf_xblock_parse(l, data, cb, bid, NULL, &x)) {
		if (x.cent == 0)
			return 0;
		v = malloc((size_t)x.cent * sizeof(*v));
		if (!v)
			return pf_error_set(PF_E_NOMEM, "out of memory");
		for (uint32_t i = 0; i < x.cent; i++)
			v[i] = id_at(l, x.rgbid + (size_t)i * l->bid_size);
		*kids = v;
		*n = x.cent;
		return 0;
	}
	if (!pf_slblock_parse(l, data, cb, bid, NULL, &s))
		return pf_error_set(PF_E_CORRUPT, "internal block 0x%llx does "
				    "not parse", (unsigned long long)bid);
	if (s.cent == 0)
		return 0;
	v = malloc((size_t)s.cent * 2 * sizeof(*v));
	if (!v)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	*n = sl_kids(l, &s, v);
	*kids = v;
	return 0;
}
