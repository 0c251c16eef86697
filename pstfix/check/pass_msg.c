/*
 * pass_msg.c - pass 7: the messaging layer (MS-PST 2.4, 2.7).
 *
 * Checks: the 27 mandatory nodes of a minimum PST (2.7.1); the store's
 * required properties; the name-to-id map's bucket count (2.4.7); for
 * every folder: its PC reads, its hierarchy/contents/FAI tables exist, its
 * parent exists and is a folder, no cycle on the way to the root; the
 * hierarchy table's rows equal the subfolders the NBT parents name; the
 * contents table's rows equal the messages the NBT parents name;
 * PidTagContentCount, PidTagContentUnreadCount (msg_unread.c) and
 * PidTagSubfolders match; every message's parent is a folder (else it is
 * an orphan); every message's PC, recipient table, attachment table and
 * attachments' PCs read, and the attachment table's rows equal the
 * attachment subnodes.
 * Collects: the counts in the summary (folders, messages, attachments,
 * recipients).
 * Relies on: passes 3 and 4.  Works from ck->nodes (the NBT as found), so
 * it runs even when the BBT is damaged, but reads no node data then.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../formats/msg/pf_msg.h"
#include "../../formats/util/pf_set.h"
#include "ck.h"
#include "msg_unread.h"

/* `old`: absent from files written before Outlook 2003 (the corpus's
 * ANSI go-pst file has no spam search folder); missing is a warning. */
static const struct {
	uint32_t nid;
	const char *name;
	bool old;
} mandatory[] = {
	{ 0x21, "message store", false },
	{ 0x61, "name-to-id map", false },
	{ 0x122, "root folder", false },
	{ 0x12D, "root folder hierarchy table", false },
	{ 0x12E, "root folder contents table", false },
	{ 0x12F, "root folder FAI contents table", false },
	{ 0x1E1, "search management queue", false },
	{ 0x201, "search activity list", false },
	{ 0x60D, "hierarchy table template", false },
	{ 0x60E, "contents table template", false },
	{ 0x60F, "FAI contents table template", false },
	{ 0x610, "search contents table template", false },
	{ 0x671, "attachment table template", false },
	{ 0x692, "recipient table template", false },
	{ 0x2223, "spam search folder", true },
	{ 0x8022, "IPM subtree folder", false },
	{ 0x802D, "IPM subtree hierarchy table", false },
	{ 0x802E, "IPM subtree contents table", false },
	{ 0x802F, "IPM subtree FAI contents table", false },
	{ 0x8042, "search root folder", false },
	{ 0x804D, "search root hierarchy table", false },
	{ 0x804E, "search root contents table", false },
	{ 0x804F, "search root FAI contents table", false },
	{ 0x8062, "Deleted Items folder", false },
	{ 0x806D, "Deleted Items hierarchy table", false },
	{ 0x806E, "Deleted Items contents table", false },
	{ 0x806F, "Deleted Items FAI contents table", false },
};

static bool is_folder(uint32_t nid)
{
	unsigned t = PF_NID_TYPE(nid);

	return t == PF_NT_NORMAL_FOLDER || t == PF_NT_SEARCH_FOLDER;
}

static bool is_message(uint32_t nid)
{
	return PF_NID_TYPE(nid) == PF_NT_NORMAL_MESSAGE;
}

static void check_mandatory(struct pf_ck *ck)
{
	for (size_t i = 0; i < sizeof(mandatory) / sizeof(mandatory[0]); i++)
		if (!ck_node(ck, mandatory[i].nid))
			ck_problem(ck, mandatory[i].old ? 7022 : 7001,
				   PF_NO_IB, 0, mandatory[i].nid,
				   mandatory[i].nid, 0, mandatory[i].name);
}

static void check_store(struct pf_ck *ck)
{
	struct pf_store_info s;
	struct pf_nbt_entry e;
	struct pf_subnodes sub;
	struct pf_pc pc;
	int32_t buckets;

	if (pf_store_read(ck->ndb, &s) == 0) {
		if (!s.has_record_key)
			ck_problem(ck, 7016, PF_NO_IB, 0, 0x21, 0, 0,
				   "PidTagRecordKey");
		if (!s.display_name)
			ck_problem(ck, 7016, PF_NO_IB, 0, 0x21, 0, 0,
				   "PidTagDisplayName");
		/* OSTs name their IPM subtree differently (Exchange's
		 * mailbox root); MS-PST's minimum is about PSTs */
		if (!s.nid_ipm_subtree &&
		    ck->h->magic_client != PF_MAGIC_CLIENT_OST)
			ck_problem(ck, 7016, PF_NO_IB, 0, 0x21, 0, 0,
				   "PidTagIpmSubTreeEntryId");
		pf_store_info_free(&s);
	}
	if (pf_nbt_lookup(ck->ndb, PF_NID_NAME_TO_ID_MAP, &e) != 0 ||
	    pf_subnodes_load(ck->ndb, e.bid_sub, NULL, &sub) != 0)
		return;
	if (pf_pc_open(&pc, ck->ndb, PF_NID_NAME_TO_ID_MAP, e.bid_data, &sub,
		       NULL) == 0) {
		if (pf_pc_get_i32(&pc, PF_TAG_NAMEID_BUCKET_COUNT,
				  &buckets) != 0 || buckets != 251)
			ck_problem(ck, 7017, PF_NO_IB, 0, PF_NID_NAME_TO_ID_MAP,
				   (uint64_t)buckets, 251, NULL);
		pf_pc_close(&pc);
	}
	pf_subnodes_free(&sub);
}

/* Walk up the parents; the root folder is its own parent. */
static void check_ancestry(struct pf_ck *ck, const struct pf_node_rec *n)
{
	struct pf_set seen = { 0 };
	const struct pf_node_rec *cur = n;

	while (cur->nid != PF_NID_ROOT_FOLDER) {
		const struct pf_node_rec *up = ck_node(ck, cur->nid_parent);

		if (pf_set_add(&seen, cur->nid) != 1) {
			ck_problem(ck, 7004, PF_NO_IB, 0, n->nid, cur->nid, 0,
				   NULL);
			break;
		}
		if (!up || !is_folder(up->nid)) {
			if (cur == n)
				ck_problem(ck, 7003, PF_NO_IB, 0, n->nid,
					   cur->nid_parent, 0, NULL);
			break;  /* an ancestor's own finding covers it */
		}
		cur = up;
	}
	pf_set_free(&seen);
}

/* The nodes sorted by parent, so each folder finds its children by a
 * binary search instead of a scan of the whole NBT. */
static int cmp_parent(const void *a, const void *b)
{
	const struct pf_node_rec *x = *(const struct pf_node_rec *const *)a;
	const struct pf_node_rec *y = *(const struct pf_node_rec *const *)b;

	return x->nid_parent < y->nid_parent ? -1 :
	       x->nid_parent > y->nid_parent;
}

static const struct pf_node_rec **by_parent_index(const struct pf_ck *ck)
{
	const struct pf_node_rec **v = malloc((ck->nnodes + 1) * sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < ck->nnodes; i++)
		v[i] = &ck->nodes[i];
	qsort(v, ck->nnodes, sizeof(*v), cmp_parent);
	return v;
}

/* The children the NBT gives FOLDER, by predicate. */
static uint32_t nbt_children(const struct pf_ck *ck,
			     const struct pf_node_rec **by_parent,
			     uint32_t folder, bool (*pred)(uint32_t),
			     struct pf_set *out)
{
	size_t lo = 0, hi = ck->nnodes;
	uint32_t n = 0;

	while (lo < hi) {   /* first entry with nid_parent >= folder */
		size_t mid = lo + (hi - lo) / 2;

		if (by_parent[mid]->nid_parent < folder)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ck->nnodes && by_parent[lo]->nid_parent == folder; lo++) {
		const struct pf_node_rec *c = by_parent[lo];

		if (c->nid != folder && pred(c->nid)) {
			pf_set_add(out, c->nid);
			n++;
		}
	}
	return n;
}

/* Compare one table's row IDs with the NBT's view. */
static void compare_table(struct pf_ck *ck, uint32_t folder, unsigned type,
			  struct pf_set *truth, uint16_t extra_code,
			  uint16_t missing_code)
{
	struct pf_set listed = { 0 };
	uint32_t *ids, count;

	if (pf_folder_table_ids(ck->ndb, folder, type, &ids, &count) != 0)
		return;   /* pass 6 reported why the table is unreadable */
	for (uint32_t i = 0; i < count; i++) {
		pf_set_add(&listed, ids[i]);
		if (!pf_set_has(truth, ids[i]))
			ck_problem(ck, extra_code, PF_NO_IB, 0,
				   pf_nid_with_type(folder, type), ids[i], 0,
				   NULL);
	}
	for (size_t i = 0; i < truth->cap; i++) {
		uint64_t nid = truth->slots[i];

		if (nid != UINT64_MAX && !pf_set_has(&listed, nid))
			ck_problem(ck, missing_code, PF_NO_IB, 0,
				   pf_nid_with_type(folder, type), nid, 0,
				   NULL);
	}
	free(ids);
	pf_set_free(&listed);
}

static void check_folder_tables(struct pf_ck *ck, uint32_t nid)
{
	static const struct { unsigned type; const char *name; } tables[] = {
		{ PF_NT_HIERARCHY_TABLE, "hierarchy table" },
		{ PF_NT_CONTENTS_TABLE, "contents table" },
		{ PF_NT_ASSOC_CONTENTS_TABLE, "FAI contents table" },
	};

	if (PF_NID_TYPE(nid) != PF_NT_NORMAL_FOLDER)
		return;   /* search folders keep a search contents table */
	for (size_t i = 0; i < 3; i++) {
		uint32_t t = pf_nid_with_type(nid, tables[i].type);

		if (!ck_node(ck, t))
			ck_problem(ck, 7002, PF_NO_IB, 0, nid, t, 0,
				   tables[i].name);
	}
}

static void check_folder(struct pf_ck *ck, const struct pf_node_rec *n,
			 const struct pf_node_rec **by_parent,
			 struct msg_unread *u)
{
	struct pf_folder_info fi;
	struct pf_set msgs = { 0 }, subs = { 0 };
	uint32_t nmsgs, nsubs;

	ck->sum->folders++;
	check_folder_tables(ck, n->nid);
	check_ancestry(ck, n);
	nmsgs = nbt_children(ck, by_parent, n->nid, is_message, &msgs);
	nsubs = nbt_children(ck, by_parent, n->nid, is_folder, &subs);
	if (ck->bbt_ok && pf_folder_read(ck->ndb, n->nid, &fi) != 0) {
		ck_problem(ck, 7018, PF_NO_IB, 0, n->nid, 0, 0,
			   pf_error_msg());
	} else if (ck->bbt_ok) {
		/* a search folder's count is of the messages it finds,
		 * which live elsewhere */
		if (PF_NID_TYPE(n->nid) == PF_NT_NORMAL_FOLDER &&
		    fi.has_content_count && (uint32_t)fi.content_count != nmsgs)
			ck_problem(ck, 7010, PF_NO_IB, 0, n->nid,
				   (uint64_t)fi.content_count, nmsgs, NULL);
		if (PF_NID_TYPE(n->nid) == PF_NT_NORMAL_FOLDER &&
		    fi.has_subfolders != (nsubs > 0))
			ck_problem(ck, 7011, PF_NO_IB, 0, n->nid,
				   fi.has_subfolders, nsubs, NULL);
		if (PF_NID_TYPE(n->nid) == PF_NT_NORMAL_FOLDER)
			msg_unread_folder(u, ck->ndb, n->nid);
		pf_folder_info_free(&fi);
	}
	if (ck->bbt_ok && PF_NID_TYPE(n->nid) == PF_NT_NORMAL_FOLDER) {
		compare_table(ck, n->nid, PF_NT_HIERARCHY_TABLE, &subs, 7008,
			      7009);
		compare_table(ck, n->nid, PF_NT_CONTENTS_TABLE, &msgs, 7006,
			      7007);
	}
	pf_set_free(&msgs);
	pf_set_free(&subs);
}

/* An attachment is its own PC (MS-PST 2.4.6.2): one that does not open
 * is lost to every reader, though pass 6 said why (PF6090). */
static void check_attachment_pc(struct pf_ck *ck, struct pf_message *m,
				uint32_t id)
{
	struct pf_attachment a;

	if (pf_attachment_open(&a, m, id) != 0) {
		ck_problem(ck, 7020, PF_NO_IB, 0, m->nid, id, 0,
			   pf_error_msg());
		return;
	}
	pf_attachment_close(&a);
}

/* Attachment table rows against the attachment subnodes. */
static void check_attachments(struct pf_ck *ck, struct pf_message *m)
{
	struct pf_set rows = { 0 };
	struct pf_table t;

	if (pf_message_attachments(m, &t) == 0) {
		for (uint32_t r = 0; r < pf_tc_rows(&t.tc); r++) {
			uint32_t id;

			if (pf_tc_row_id(&t.tc, r, &id) != 0)
				continue;
			pf_set_add(&rows, id);
			if (!pf_subnodes_find(&m->sub, id))
				ck_problem(ck, 7014, PF_NO_IB, 0, m->nid, id, 0,
					   NULL);
		}
		pf_table_close(&t);
	}
	for (uint32_t i = 0; i < m->sub.count; i++) {
		uint32_t id = m->sub.v[i].nid;

		if (PF_NID_TYPE(id) != PF_NT_ATTACHMENT)
			continue;
		ck->sum->attachments++;
		if (!pf_set_has(&rows, id))
			ck_problem(ck, 7015, PF_NO_IB, 0, m->nid, id, 0, NULL);
		check_attachment_pc(ck, m, id);
	}
	pf_set_free(&rows);
}

static void check_message(struct pf_ck *ck, const struct pf_node_rec *n,
			  struct msg_unread *u)
{
	const struct pf_node_rec *parent = ck_node(ck, n->nid_parent);
	struct pf_message m;
	struct pf_table t;
	int rc;

	ck->sum->messages++;
	if (!parent || !is_folder(parent->nid))
		ck_problem(ck, 7005, PF_NO_IB, 0, n->nid, n->nid_parent, 0,
			   NULL);
	if (!ck->bbt_ok)
		return;
	if (pf_message_open(&m, ck->ndb, n->nid) != 0) {
		ck_problem(ck, 7012, PF_NO_IB, n->bid_data, n->nid, 0, 0,
			   pf_error_msg());
		msg_unread_unknown(u, n->nid_parent);
		return;
	}
	msg_unread_message(u, n->nid_parent, &m);
	/* notes, contacts and other non-mail items have no recipient table;
	 * only one that is there and unreadable is a problem */
	rc = pf_message_recipients(&m, &t);
	if (rc == 0) {
		ck->sum->recipients += pf_tc_rows(&t.tc);
		pf_table_close(&t);
	} else if (rc != PF_E_NOTFOUND) {
		ck_problem(ck, 7013, PF_NO_IB, 0, n->nid, 0, 0,
			   pf_error_msg());
	}
	check_attachments(ck, &m);
	pf_message_close(&m);
}

/* MS-PST 2.4.4.1: a folder's hierarchy, contents and FAI tables are
 * nodes of their own whose nidParent Outlook leaves 0.  A parent there is
 * harmless to the format, but libpst (readpst) walks children by
 * nidParent and reads such a table as one more item of the folder. */
static bool is_folder_table(uint32_t nid)
{
	unsigned t = PF_NID_TYPE(nid);

	return t == PF_NT_HIERARCHY_TABLE || t == PF_NT_CONTENTS_TABLE ||
	       t == PF_NT_ASSOC_CONTENTS_TABLE;
}

void pass_msg(struct pf_ck *ck)
{
	const struct pf_node_rec **by_parent = by_parent_index(ck);
	struct msg_unread u = { 0 };

	if (!by_parent)
		return;
	check_mandatory(ck);
	if (ck->bbt_ok)
		check_store(ck);
	for (size_t i = 0; i < ck->nnodes; i++) {
		const struct pf_node_rec *n = &ck->nodes[i];

		if (i % 256 == 0)
			ck_progress(ck, PF_PASS_MSG, i, ck->nnodes);
		if (is_folder_table(n->nid) && n->nid_parent != 0)
			ck_problem(ck, 7023, PF_NO_IB, 0, n->nid,
				   n->nid_parent, 0, NULL);
		if (is_folder(n->nid))
			check_folder(ck, n, by_parent, &u);
		else if (is_message(n->nid))
			check_message(ck, n, &u);
	}
	msg_unread_report(ck, &u);
	ck_progress(ck, PF_PASS_MSG, ck->nnodes, ck->nnodes);
	free(by_parent);
}
