/*
 * store.c - the message store PC (MS-PST 2.4.3) and EntryIDs.
 *
 * Contract: pf_store_read() opens NID 0x21 and decodes the properties
 * pstfix uses; absent properties leave their fields zero.  The password
 * is only a CRC (PidTagPstPassword): it is reported, never needed.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_le.h"
#include "msg_int.h"

uint32_t pf_entryid_nid(const uint8_t *bin, size_t cb)
{
	return cb == 24 ? pf_le32(bin + 20) : 0;
}

int pf_node_pc_open(struct pf_ndb *ndb, uint32_t nid, struct pf_pc *pc,
		    struct pf_subnodes *sub)
{
	struct pf_nbt_entry e;
	int rc = pf_nbt_lookup(ndb, nid, &e);

	memset(sub, 0, sizeof(*sub));
	if (rc == PF_E_NOTFOUND)
		return pf_error_set(rc, "node 0x%x is not in the NBT", nid);
	if (rc != 0)
		return rc;
	rc = pf_subnodes_load(ndb, e.bid_sub, NULL, sub);
	if (rc != 0)
		return rc;
	rc = pf_pc_open(pc, ndb, nid, e.bid_data, sub, NULL);
	if (rc != 0)
		pf_subnodes_free(sub);
	return rc;
}

static uint32_t entryid_prop(const struct pf_pc *pc, uint16_t id)
{
	uint8_t *bin;
	size_t cb;
	uint32_t nid;

	if (pf_pc_get_bin(pc, id, &bin, &cb) != 0)
		return 0;
	nid = pf_entryid_nid(bin, cb);
	free(bin);
	return nid;
}

int pf_store_read(struct pf_ndb *ndb, struct pf_store_info *out)
{
	struct pf_subnodes sub;
	struct pf_pc pc;
	struct pf_value v;
	int32_t crc;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = pf_node_pc_open(ndb, PF_NID_MESSAGE_STORE, &pc, &sub);
	if (rc != 0)
		return rc;
	pf_pc_get_string(&pc, PF_TAG_DISPLAY_NAME, &out->display_name);
	out->nid_ipm_subtree = entryid_prop(&pc, PF_TAG_IPM_SUBTREE_ENTRYID);
	out->nid_wastebasket = entryid_prop(&pc,
					    PF_TAG_IPM_WASTEBASKET_ENTRYID);
	out->nid_finder = entryid_prop(&pc, PF_TAG_FINDER_ENTRYID);
	out->nid_outbox = entryid_prop(&pc, PF_TAG_IPM_OUTBOX_ENTRYID);
	out->nid_sent = entryid_prop(&pc, PF_TAG_IPM_SENTMAIL_ENTRYID);
	if (pf_pc_get_value(&pc, PF_TAG_RECORD_KEY, &v) == 0) {
		out->has_record_key = true;
		pf_value_free(&v);
	}
	if (pf_pc_get_i32(&pc, PF_TAG_PST_PASSWORD, &crc) == 0 && crc != 0) {
		out->has_password = true;
		out->password_crc = (uint32_t)crc;
	}
	pf_pc_close(&pc);
	pf_subnodes_free(&sub);
	return 0;
}

void pf_store_info_free(struct pf_store_info *s)
{
	free(s->display_name);
	memset(s, 0, sizeof(*s));
}
