/*
 * ltpw_sub.c - the subnodes a node being built collects (MS-PST 2.2.2.8.3.3
 * SLENTRY: nid, bidData, bidSub), and the HNID a value gets (2.3.3.2).
 *
 * Contract
 * - pf_subw_put() writes one value too big for the heap as the data of a
 *   new subnode: its NID is of type NID_TYPE_LTP (0x1F, MS-PST 2.2.2.1),
 *   taken from the file's counters so it is unique in the file; the data
 *   is cut into blocks by pf_writer_put_data().  The entries are only
 *   collected: the caller writes the subnode tree with
 *   pf_writer_put_subnodes(s->w, s->v, s->n, &bid_sub), which sorts them
 *   and refuses a NID given twice.
 * - ltpw_value_hnid() picks where a value lives (2.3.3.2 HNID): nowhere
 *   when empty (HNID 0, as Outlook writes empty strings and binaries),
 *   in one heap allocation up to PF_HN_MAX_ALLOC_CB bytes, else in a
 *   subnode (SUB with a writer needed: PF_E_USAGE otherwise).
 * - Operational errors only: PF_E_USAGE, PF_E_LIMIT, PF_E_NOMEM and what
 *   the NDB writer returns.
 */
#include <stdlib.h>
#include <string.h>

#include "ltpw_int.h"

void pf_subw_init(struct pf_subw *s, struct pf_writer *w)
{
	memset(s, 0, sizeof(*s));
	s->w = w;
}

void pf_subw_free(struct pf_subw *s)
{
	if (!s)
		return;
	free(s->v);
	s->v = NULL;
	s->n = 0;
	s->cap = 0;
}

int pf_subw_add(struct pf_subw *s, uint32_t nid, uint64_t bid_data,
		uint64_t bid_sub)
{
	struct pf_subnode *nv;
	uint32_t cap;

	if (nid == 0 || PF_NID_TYPE(nid) == PF_NT_HID)
		return pf_error_set(PF_E_USAGE, "subnode NID %#x is not a NID",
				    nid);
	if (s->n == UINT32_MAX)
		return pf_error_set(PF_E_LIMIT, "too many subnodes");
	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 8;
		if (cap < s->cap)
			cap = UINT32_MAX;
		nv = realloc(s->v, (size_t)cap * sizeof(*nv));
		if (!nv)
			return pf_error_set(PF_E_NOMEM, "out of memory "
					    "(subnodes)");
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = (struct pf_subnode){
		.nid = nid, .bid_data = bid_data, .bid_sub = bid_sub,
	};
	return 0;
}

static int new_ltp_nid(struct pf_subw *s, uint32_t *nid)
{
	*nid = 0;
	if (!s || !s->w)
		return pf_error_set(PF_E_USAGE, "a value needs a subnode but "
				    "no writer was given");
	*nid = pf_writer_new_nid(s->w, PF_NT_LTP);
	if (*nid == 0)
		return pf_error_set(PF_E_LIMIT, "out of subnode NIDs");
	return 0;
}

int pf_subw_put(struct pf_subw *s, const uint8_t *data, size_t cb,
		uint32_t *nid)
{
	uint64_t bid;
	int rc;

	*nid = 0;
	if (cb == 0 || !data)
		return pf_error_set(PF_E_USAGE, "an empty subnode");
	rc = new_ltp_nid(s, nid);
	if (rc == 0)
		rc = pf_writer_put_data(s->w, data, cb, &bid);
	if (rc == 0)
		rc = pf_subw_add(s, *nid, bid, 0);
	if (rc < 0)
		*nid = 0;
	return rc;
}

int ltpw_sub_put_blocks(struct pf_subw *s, uint8_t *const *blocks,
			const size_t *cbs, uint32_t n, uint32_t *nid)
{
	uint64_t bid;
	int rc;

	*nid = 0;
	if (n == 0)
		return pf_error_set(PF_E_USAGE, "an empty subnode");
	rc = new_ltp_nid(s, nid);
	if (rc == 0)
		rc = pf_writer_put_blocks(s->w, blocks, cbs, n, &bid);
	if (rc == 0)
		rc = pf_subw_add(s, *nid, bid, 0);
	if (rc < 0)
		*nid = 0;
	return rc;
}

int ltpw_value_hnid(struct pf_hnw *h, struct pf_subw *sub,
		    const uint8_t *p, size_t cb, uint32_t *hnid)
{
	*hnid = 0;
	if (cb == 0)
		return 0;
	if (cb <= PF_HN_MAX_ALLOC_CB)
		return pf_hnw_alloc(h, p, cb, hnid);
	if (cb > PF_NODE_DATA_MAX)
		return pf_error_set(PF_E_LIMIT, "a value of %zu bytes (max "
				    "%u)", cb, PF_NODE_DATA_MAX);
	return pf_subw_put(sub, p, cb, hnid);
}

int ltpw_check_value(uint32_t tag, const uint8_t *p, size_t cb,
		     const char *what)
{
	uint16_t type = PF_PROP_TYPE(tag);
	uint64_t want = 0;
	int kind;

	if (pf_ptype_size(type) < 0)                  /* MS-PST 2.3.3.1 */
		return pf_error_set(PF_E_USAGE, "%s %#010x: type %#06x is "
				    "not one a PST stores", what, tag, type);
	if (!p && cb > 0)
		return pf_error_set(PF_E_USAGE, "%s %#010x: %zu bytes at "
				    "NULL", what, tag, cb);
	if (type == PF_PT_OBJECT && cb != 8)          /* 2.3.3.5 */
		return pf_error_set(PF_E_USAGE, "%s %#010x: a PtypObject "
				    "value is {nid, size}, 8 bytes, not %zu",
				    what, tag, cb);
	kind = pf_value_shape(type, p, cb, &want);
	if (kind != 0)
		return pf_error_set(PF_E_USAGE, "%s %#010x: %zu bytes do not "
				    "have the shape of its type (%llu)", what,
				    tag, cb, (unsigned long long)want);
	return 0;
}
