/*
 * folder.c - folders (MS-PST 2.4.4): the folder PC and its tables.
 *
 * Contract: pf_folder_read() decodes the folder's own properties;
 * pf_folder_table_ids() lists the row IDs (child NIDs) of one of its
 * tables.  The NBT parent link is the truth about where a node lives; the
 * tables are indexes the checker compares with it.
 */
#include <stdlib.h>
#include <string.h>

#include "msg_int.h"

int pf_folder_read(struct pf_ndb *ndb, uint32_t nid,
		   struct pf_folder_info *out)
{
	struct pf_nbt_entry e;
	struct pf_subnodes sub;
	struct pf_pc pc;
	int rc;

	memset(out, 0, sizeof(*out));
	out->nid = nid;
	rc = pf_nbt_lookup(ndb, nid, &e);
	if (rc == 0)
		out->nid_parent = e.nid_parent;
	rc = pf_node_pc_open(ndb, nid, &pc, &sub);
	if (rc != 0)
		return rc;
	pf_pc_get_string(&pc, PF_TAG_DISPLAY_NAME, &out->name);
	pf_pc_get_string(&pc, PF_TAG_CONTAINER_CLASS, &out->container_class);
	out->has_content_count =
		pf_pc_get_i32(&pc, PF_TAG_CONTENT_COUNT,
			      &out->content_count) == 0;
	pf_pc_get_i32(&pc, PF_TAG_CONTENT_UNREAD, &out->unread_count);
	pf_pc_get_bool(&pc, PF_TAG_SUBFOLDERS, &out->has_subfolders);
	pf_pc_close(&pc);
	pf_subnodes_free(&sub);
	return 0;
}

void pf_folder_info_free(struct pf_folder_info *f)
{
	free(f->name);
	free(f->container_class);
	memset(f, 0, sizeof(*f));
}

int pf_folder_table_ids(struct pf_ndb *ndb, uint32_t folder_nid,
			unsigned type, uint32_t **ids, uint32_t *count)
{
	uint32_t nid = pf_nid_with_type(folder_nid, type);
	struct pf_nbt_entry e;
	struct pf_table t;
	uint32_t *v = NULL;
	int rc;

	*ids = NULL;
	*count = 0;
	rc = pf_nbt_lookup(ndb, nid, &e);
	if (rc == PF_E_NOTFOUND)
		return pf_error_set(rc, "table 0x%x is not in the NBT", nid);
	if (rc != 0)
		return rc;
	rc = pf_table_open(&t, ndb, nid, e.bid_data, e.bid_sub);
	if (rc == 0) {
		uint32_t n = pf_tc_rows(&t.tc);

		v = malloc((n ? n : 1) * sizeof(*v));
		if (!v)
			rc = pf_error_set(PF_E_NOMEM, "out of memory");
		for (uint32_t r = 0; rc == 0 && r < n; r++)
			rc = pf_tc_row_id(&t.tc, r, &v[r]);
		if (rc == 0) {
			*ids = v;
			*count = n;
		} else {
			free(v);
		}
		pf_table_close(&t);
	}
	return rc;
}
