/*
 * ltp_int.h - helpers shared by the files of formats/ltp; not public.
 *
 * Contract: pf_ltp_fault() fills one struct pf_fault (ib PF_NO_IB) and
 * hands it to the sink.  pf_ltp_hnid_get() resolves an HNID (MS-PST
 * 2.3.3.2) into a struct pf_value: HID -> heap bytes (borrowed), NID ->
 * subnode data (owned, bounded by PF_NODE_DATA_MAX), 0 -> empty.
 */
#ifndef PF_LTP_INT_H
#define PF_LTP_INT_H

#include "pf_ltp.h"

void pf_ltp_fault(const struct pf_sink *sink, enum pf_obj obj,
		  enum pf_fault_kind kind, const char *field, uint32_t nid,
		  uint32_t hid, uint64_t got, uint64_t want);

/* Compare two little-endian unsigned keys of N bytes. */
int pf_ltp_key_cmp(const uint8_t *a, const uint8_t *b, uint32_t n);

/* Resolve HNID; READ false only checks that a subnode exists (v->loc is
 * PF_VAL_SUBNODE with no bytes). */
int pf_ltp_hnid_get(const struct pf_hn *hn, struct pf_ndb *ndb,
		    const struct pf_subnodes *sub, uint32_t hnid, bool read,
		    struct pf_value *v);

/* Check that HNID resolves, reporting (OBJ, FIELD) on the sink; true when
 * it does (0 counts as resolvable: an empty value). */
bool pf_ltp_hnid_check(const struct pf_hn *hn, const struct pf_subnodes *sub,
		       uint32_t hnid, enum pf_obj obj, const char *field,
		       uint32_t tag, const struct pf_sink *sink);

/* pf_hn_hid_check() with the fault's hid field set to ID (a tag). */
bool pf_ltp_hid_check(const struct pf_hn *hn, uint32_t hid, enum pf_obj obj,
		      const char *field, uint32_t id,
		      const struct pf_sink *sink);

#endif
