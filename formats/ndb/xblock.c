/*
 * xblock.c - parse the headers of internal blocks: XBLOCK/XXBLOCK
 * (MS-PST 2.2.2.8.3.2) and SLBLOCK/SIBLOCK (2.2.2.8.3.3).
 *
 * Contract: the parse checks btype, cLevel and that cEnt entries fit in the
 * block's data; entries are only read through the returned pointer within
 * cEnt.  No I/O here: the caller read the block.
 */
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
