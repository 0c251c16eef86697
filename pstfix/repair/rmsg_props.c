/*
 * rmsg_props.c - properties written again: a kept PC with some
 * properties set (folder counts, the store's required ones, the
 * name-to-ID map's buckets) and every other one copied byte for byte,
 * and table rows copied from a PC.
 *
 * Contract: see rmsg.h.  Values are copied as stored (type and bytes);
 * a value too big for the heap goes to a new subnode and the subnode it
 * came from is dropped; subnodes that held no value stay as they were.
 * A value that does not resolve is left out (pass 6 reported it).  The
 * name-to-ID map is rmsg_nameid.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/util/pf_le.h"
#include "../../formats/util/pf_set.h"
#include "../../formats/write/msgw_int.h"
#include "rmsg.h"

void rmsg_put_counts(struct pf_plist *l, const struct rmsg_folder *f)
{
	pf_plist_i32(l, PF_TAG_CONTENT_COUNT, (int32_t)f->nmsgs);
	pf_plist_i32(l, PF_TAG_CONTENT_UNREAD, (int32_t)f->nunread);
	pf_plist_bool(l, PF_TAG_SUBFOLDERS, f->nsubs > 0);
}

static bool has_id(const struct pf_plist *l, uint16_t id)
{
	for (size_t i = 0; i < l->n; i++)
		if (PF_PROP_ID(l->v[i].tag) == id)
			return true;
	return false;
}

/* Copy one value byte for byte (an empty value stays present). */
static void copy_value(struct pf_plist *l, uint32_t tag,
		       const struct pf_value *v)
{
	const uint8_t *d = pf_value_data(v);

	pf_plist_raw(l, tag, d ? d : (const uint8_t *)"", d ? v->cb : 0);
}

/* Every property of M's PC that SET does not set and DROP (NULL
 * allowed) does not refuse, then SET's, into L;
 * the NIDs of subnodes that held values into VALS (NULL allowed: they
 * are written again). */
void rmsg_merge_pc(struct pf_plist *l, const struct pf_message *m,
		   const struct pf_plist *set, bool (*drop)(uint32_t),
		   struct pf_set *vals)
{
	rmsg_merge_props(l, &m->pc, set, drop, vals);
}

void rmsg_merge_props(struct pf_plist *l, const struct pf_pc *pc,
		      const struct pf_plist *set, bool (*drop)(uint32_t),
		      struct pf_set *vals)
{
	for (uint32_t i = 0; i < pf_pc_count(pc); i++) {
		uint32_t tag = pf_pc_tag(pc, i);
		struct pf_value v;

		if (has_id(set, PF_PROP_ID(tag)) || (drop && drop(tag)) ||
		    pf_pc_prop(pc, i, &v) != 0)
			continue;   /* an unresolvable value is left out */
		if (v.loc == PF_VAL_SUBNODE && vals)
			pf_set_add(vals, v.hnid);
		copy_value(l, v.tag, &v);
		pf_value_free(&v);
	}
	for (size_t i = 0; i < set->n; i++)
		pf_plist_raw(l, set->v[i].tag, set->v[i].p, set->v[i].cb);
}

/* Node NID's PC again with SET's properties set, DROP's left out and
 * every other one kept byte for byte; subnodes that held no value
 * (PtypObject targets and the like) stay as they were.  PF_E_CORRUPT
 * when the PC does not open. */
int rmsg_set_props(struct rmsg_w *x, uint32_t nid, uint32_t parent,
		   const struct pf_plist *set, bool (*drop)(uint32_t))
{
	struct rmsg_node *n = rmsg_node(x->p, nid);
	struct pf_set vals = { 0 };
	struct pf_plist l;
	struct pf_subw sub;
	struct pf_message m;
	int rc = pf_message_open(&m, x->ndb, nid);

	if (rc != 0)
		return rc;
	pf_plist_init(&l, x->s->unicode);
	pf_subw_init(&sub, x->w);
	rmsg_merge_pc(&l, &m, set, drop, &vals);
	for (uint32_t i = 0; rc == 0 && i < m.sub.count; i++)
		if (!pf_set_has(&vals, m.sub.v[i].nid))
			rc = pf_subw_add(&sub, m.sub.v[i].nid,
					 m.sub.v[i].bid_data,
					 m.sub.v[i].bid_sub);
	if (rc == 0)
		rc = msgw_write_pc(x->s, nid, parent, &l, &sub);
	if (rc == 0 && n)
		n->replaced = true;
	pf_message_close(&m);
	pf_subw_free(&sub);
	pf_plist_free(&l);
	pf_set_free(&vals);
	return rc;
}

void rmsg_row_cells(const struct pf_pc *pc, const uint32_t *cols,
		    uint32_t ncols, struct pf_plist *cells)
{
	for (uint32_t c = 0; c < ncols; c++) {
		struct pf_value v;

		if (!pc || pf_pc_get_value(pc, PF_PROP_ID(cols[c]), &v) != 0) {
			pf_plist_raw(cells, cols[c], NULL, 0);
			continue;
		}
		if (v.tag == cols[c])
			copy_value(cells, cols[c], &v);
		else   /* another type than the column's: absent */
			pf_plist_raw(cells, cols[c], NULL, 0);
		pf_value_free(&v);
	}
}

/* The store PC with the required properties it lacks (MS-PST 2.4.3.1):
 * the record key, a display name, the IPM subtree's EntryID. */
int rmsg_fix_store(struct rmsg_w *x)
{
	unsigned lacks = x->p->store_lacks;
	struct pf_plist l;
	uint8_t eid[24];
	int rc;

	if (!lacks)
		return 0;
	pf_plist_init(&l, x->s->unicode);
	if (lacks & RMSG_STORE_RECORD_KEY)
		pf_plist_bin(&l, PF_TAG_RECORD_KEY, x->s->record_key, 16);
	if (lacks & RMSG_STORE_DISPLAY_NAME)
		pf_plist_str(&l, PF_TAG_DISPLAY_NAME, x->s->opts.display_name);
	if (lacks & RMSG_STORE_IPM_ENTRYID) {
		msgw_entryid(x->s, x->p->ipm, eid);
		pf_plist_bin(&l, PF_TAG_IPM_SUBTREE_ENTRYID, eid, sizeof(eid));
	}
	rc = l.err ? l.err :
		     rmsg_set_props(x, PF_NID_MESSAGE_STORE, 0, &l, NULL);
	pf_plist_free(&l);
	if (rc == 0) {
		rmsg_note(x->ctx, "added to the message store (0x21):%s%s%s",
			  lacks & RMSG_STORE_RECORD_KEY ?
			  " PidTagRecordKey" : "",
			  lacks & RMSG_STORE_DISPLAY_NAME ?
			  " PidTagDisplayName" : "",
			  lacks & RMSG_STORE_IPM_ENTRYID ?
			  " PidTagIpmSubTreeEntryId" : "");
		x->ctx->counts.mandatory_recreated++;
	}
	return rc;
}
