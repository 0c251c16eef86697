/*
 * ltpw_pc.c - property context builder (MS-PST 2.3.3).
 *
 * Contract
 * - A PC is a heap with bClientSig bTypePC (0xBC) whose hidUserRoot is a
 *   BTH with cbKey 2 (wPropId) and cbEnt 6 (wPropType, dwValueHnid)
 *   (2.3.3.3).  PROPS come in any order; each property id at most once
 *   (PF_E_USAGE otherwise, as for a value whose size does not fit its
 *   type, an unknown type or a value with no bytes: p == NULL).
 * - dwValueHnid (2.3.3.3): fixed-size values of at most 4 bytes inline,
 *   little-endian, zero-padded (Boolean, Int16, Int32, Float32,
 *   ErrorCode); every other value is an HNID (2.3.3.2): 0 when empty
 *   (variable-size and multi-valued types only: a fixed-size value cannot
 *   be empty), a HID when it fits one heap allocation (<= 3580 bytes),
 *   else the NID of a subnode written through SUB.  PtypObject values
 *   are the 8-byte {nid, ulSize} record of 2.3.3.5, stored in the heap.
 * - Values are allocated in property id order, then the BTH (its header
 *   first); the BTHHEADER's HID is hidUserRoot.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_le.h"
#include "ltpw_int.h"

#define PC_REC_CB 8u

struct pc_ent {
	uint16_t id;
	uint32_t i;      /* index into the caller's array */
};

static int cmp_ent(const void *a, const void *b)
{
	const struct pc_ent *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* The caller's properties in id order; a repeated id is an error. */
static int sort_props(const struct pf_wprop *props, uint32_t n,
		      struct pc_ent **out)
{
	struct pc_ent *e = malloc(((size_t)n + 1) * sizeof(*e));
	uint32_t i;

	*out = NULL;
	if (!e)
		return pf_error_set(PF_E_NOMEM, "out of memory (PC)");
	for (i = 0; i < n; i++)
		e[i] = (struct pc_ent){ PF_PROP_ID(props[i].tag), i };
	qsort(e, n, sizeof(*e), cmp_ent);
	for (i = 1; i < n; i++) {
		if (e[i].id == e[i - 1].id) {
			uint16_t id = e[i].id;

			free(e);
			return pf_error_set(PF_E_USAGE, "PC builder: property "
					    "id %#06x given twice", id);
		}
	}
	*out = e;
	return 0;
}

/* 2.3.3.3: inline when the type's fixed size is <= 4 bytes. */
static bool pc_inline(uint16_t type)
{
	int sz = pf_ptype_size(type);

	return sz > 0 && sz <= 4 && !pf_ptype_is_mv(type);
}

/* One 8-byte PC BTH record for P (wPropId, wPropType, dwValueHnid). */
static int pc_record(struct pf_hnw *h, struct pf_subw *sub,
		     const struct pf_wprop *p, uint8_t *rec)
{
	uint16_t type = PF_PROP_TYPE(p->tag);
	uint32_t hnid;
	int rc;

	if (!p->p)
		return pf_error_set(PF_E_USAGE, "PC builder: property "
				    "%#010x has no value", p->tag);
	rc = ltpw_check_value(p->tag, p->p, p->cb, "property");
	if (rc < 0)
		return rc;
	memset(rec, 0, PC_REC_CB);
	pf_put16(rec, PF_PROP_ID(p->tag));
	pf_put16(rec + 2, type);
	if (pc_inline(type)) {
		memcpy(rec + 4, p->p, p->cb);     /* cb == size, checked */
		return 0;
	}
	rc = ltpw_value_hnid(h, sub, p->p, p->cb, &hnid);
	if (rc == 0)
		pf_put32(rec + 4, hnid);
	return rc;
}

int ltpw_pc_build(struct pf_hnw *h, const struct pf_wprop *props,
		  uint32_t n, struct pf_subw *sub)
{
	struct pc_ent *e = NULL;
	uint8_t *recs = NULL;
	uint32_t i, hid;
	int rc = 0;

	if (n > 0 && !props)
		return pf_error_set(PF_E_USAGE, "PC builder: no properties");
	h->client_sig = PF_BTYPE_PC;                  /* 2.3.1.2 */
	rc = sort_props(props, n, &e);
	if (rc == 0) {
		recs = malloc(((size_t)n + 1) * PC_REC_CB);
		if (!recs)
			rc = pf_error_set(PF_E_NOMEM, "out of memory (PC)");
	}
	for (i = 0; rc == 0 && i < n; i++)
		rc = pc_record(h, sub, &props[e[i].i],
			       recs + (size_t)i * PC_REC_CB);
	if (rc == 0)
		rc = pf_bthw_build(h, 2, 6, recs, n, &hid);
	if (rc == 0)
		pf_hnw_set_root(h, hid);
	free(recs);
	free(e);
	return rc;
}

static int check_sub(const struct pf_writer *w, const struct pf_subw *sub)
{
	if (!w)
		return pf_error_set(PF_E_USAGE, "no writer");
	if (sub && sub->w && sub->w != w)
		return pf_error_set(PF_E_USAGE, "subnode list of another "
				    "writer");
	return 0;
}

int pf_pcw_write(struct pf_writer *w, const struct pf_wprop *props,
		 uint32_t n, struct pf_subw *sub, uint64_t *bid_data)
{
	struct pf_hnw h;
	int rc = check_sub(w, sub);

	*bid_data = 0;
	if (rc < 0)
		return rc;
	pf_hnw_init(&h, PF_BTYPE_PC, pf_writer_block_data_max(w));
	h.wide_hid = pf_writer_layout(w)->page_size == 4096;
	rc = ltpw_pc_build(&h, props, n, sub);
	if (rc == 0)
		rc = ltpw_hn_write(w, &h, bid_data);
	pf_hnw_free(&h);
	return rc;
}
