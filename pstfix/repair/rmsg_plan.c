/*
 * rmsg_plan.c - the analysis half of the messaging repair: what is wrong
 * with IN's messaging layer (MS-PST 2.4) and what OUT will be.
 *
 * Contract: see rmsg.h.  The NBT is the truth about where a node lives
 * (MS-PST 2.4.4: a folder's children are the nodes whose nidParent names
 * it); folder tables and counts are indexes rebuilt to agree with it.
 * Decisions, in order:
 * 1. the 27 mandatory nodes of MS-PST 2.7.1: a missing folder is
 *    recreated with its standard name and parent, a missing table is
 *    rebuilt with the other tables (step 5), any other missing node
 *    (store, name-to-ID map, templates, queues) is recreated empty;
 * 2. folders not linked to the root (parent missing, not a folder, or a
 *    parent cycle) move under "Recovered Items" in the IPM subtree (a
 *    standard folder goes back under its standard parent instead);
 *    messages whose parent is not a folder move there too;
 * 3. a message whose PC does not open stays where it is: it keeps its
 *    node (export --salvage may still read parts of it), it is counted in
 *    its folder and listed in the rebuilt contents table by row ID only;
 * 4. counts (PidTagContentCount, PidTagContentUnreadCount,
 *    PidTagSubfolders) from the NBT; a folder whose values differ gets
 *    its PC rewritten (an absent count is not a difference: Outlook
 *    leaves them out on some folders; an absent PidTagSubfolders is
 *    false), one whose PC does not open gets a new one;
 *    (a folder table whose nidParent is not 0, as Outlook writes it, gets
 *    0: readpst lists such a node as an item of the folder);
 *    a message whose attachment table does not list exactly its
 *    attachment subnodes gets a new one (rmsg_attach.c);
 * 5. a table that is missing, unreadable or lists other row IDs than the
 *    NBT's children is rebuilt; a hierarchy table is also rebuilt when a
 *    subfolder's PC is rewritten (its row shows the counts).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/util/pf_set.h"
#include "../../formats/write/msgw_int.h"
#include "rmsg.h"

/* MS-PST 2.7.1 in the checker's order; 'F' a folder, 'T' a folder's
 * table, 'N' any other node. */
static const struct { uint32_t nid; char kind; const char *name; }
mandatory[] = {
	{ 0x21, 'N', "message store" },
	{ 0x61, 'N', "name-to-id map" },
	{ 0x122, 'F', "root folder" },
	{ 0x12D, 'T', "" }, { 0x12E, 'T', "" }, { 0x12F, 'T', "" },
	{ 0x1E1, 'N', "search management queue" },
	{ 0x201, 'N', "search activity list" },
	{ 0x60D, 'N', "hierarchy table template" },
	{ 0x60E, 'N', "contents table template" },
	{ 0x60F, 'N', "FAI contents table template" },
	{ 0x610, 'N', "search contents table template" },
	{ 0x671, 'N', "attachment table template" },
	{ 0x692, 'N', "recipient table template" },
	{ 0x2223, 'F', "spam search folder" },
	{ 0x8022, 'F', "IPM subtree folder" },
	{ 0x802D, 'T', "" }, { 0x802E, 'T', "" }, { 0x802F, 'T', "" },
	{ 0x8042, 'F', "search root folder" },
	{ 0x804D, 'T', "" }, { 0x804E, 'T', "" }, { 0x804F, 'T', "" },
	{ 0x8062, 'F', "Deleted Items folder" },
	{ 0x806D, 'T', "" }, { 0x806E, 'T', "" }, { 0x806F, 'T', "" },
};

const char *rmsg_mandatory_name(uint32_t nid)
{
	for (size_t i = 0; i < sizeof(mandatory) / sizeof(mandatory[0]); i++)
		if (mandatory[i].nid == nid)
			return mandatory[i].name;
	return "";
}

static const unsigned table_type[RMSG_T__COUNT] = {
	PF_NT_HIERARCHY_TABLE, PF_NT_CONTENTS_TABLE,
	PF_NT_ASSOC_CONTENTS_TABLE,
};

static const char *const table_name[RMSG_T__COUNT] = {
	"hierarchy", "contents", "FAI contents",
};

bool rmsg_is_folder(uint32_t nid)
{
	unsigned t = PF_NID_TYPE(nid);

	return t == PF_NT_NORMAL_FOLDER || t == PF_NT_SEARCH_FOLDER;
}

bool rmsg_is_item(uint32_t nid)
{
	unsigned t = PF_NID_TYPE(nid);

	return t == PF_NT_NORMAL_MESSAGE || t == PF_NT_ASSOC_MESSAGE;
}

/* A folder's hierarchy, contents or FAI table (MS-PST 2.4.4.1). */
bool rmsg_is_table(uint32_t nid)
{
	unsigned t = PF_NID_TYPE(nid);

	return t == PF_NT_HIERARCHY_TABLE || t == PF_NT_CONTENTS_TABLE ||
	       t == PF_NT_ASSOC_CONTENTS_TABLE;
}

static int cmp_node(const void *a, const void *b)
{
	uint32_t x = ((const struct rmsg_node *)a)->nid;
	uint32_t y = ((const struct rmsg_node *)b)->nid;

	return x < y ? -1 : x > y;
}

int rmsg_cmp_folder(const void *a, const void *b)
{
	uint32_t x = ((const struct rmsg_folder *)a)->nid;
	uint32_t y = ((const struct rmsg_folder *)b)->nid;

	return x < y ? -1 : x > y;
}

struct rmsg_node *rmsg_node(const struct rmsg_plan *p, uint32_t nid)
{
	struct rmsg_node key = { .nid = nid };

	return p->nnodes ? bsearch(&key, p->nodes, p->nnodes,
				   sizeof(key), cmp_node) : NULL;
}

struct rmsg_folder *rmsg_folder(const struct rmsg_plan *p, uint32_t nid)
{
	struct rmsg_folder key = { .nid = nid };

	return p->nf ? bsearch(&key, p->f, p->nf, sizeof(key),
			       rmsg_cmp_folder) : NULL;
}

static int cmp_kid(const void *a, const void *b)
{
	const struct rmsg_kid *x = a, *y = b;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	return x->nid < y->nid ? -1 : x->nid > y->nid;
}

static int index_kids(struct rmsg_plan *p)
{
	p->kids = malloc(((size_t)p->nnodes + 1) * sizeof(*p->kids));
	if (!p->kids)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	for (uint32_t i = 0; i < p->nnodes; i++)
		p->kids[i] = (struct rmsg_kid){ p->nodes[i].parent,
						p->nodes[i].nid, i };
	qsort(p->kids, p->nnodes, sizeof(*p->kids), cmp_kid);
	return 0;
}

uint32_t rmsg_kids(const struct rmsg_plan *p, uint32_t parent,
		   uint32_t *first)
{
	uint32_t lo = 0, hi = p->nnodes, end;

	while (lo < hi) {   /* the first entry with parent >= PARENT */
		uint32_t mid = lo + (hi - lo) / 2;

		if (p->kids[mid].parent < parent)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	for (end = lo; end < p->nnodes && p->kids[end].parent == parent;)
		end++;
	return end - lo;
}

const char *rmsg_folder_label(const struct rmsg_folder *f, char *buf,
			      size_t cb)
{
	if (f->name && *f->name)
		snprintf(buf, cb, "'%s' (0x%x)", f->name, f->nid);
	else
		snprintf(buf, cb, "0x%x", f->nid);
	return buf;
}

/* ---- reading IN ---- */

struct collect {
	struct rmsg_plan *p;
	uint32_t cap;
};

static int collect_node(void *arg, const struct pf_nbt_entry *e)
{
	struct collect *c = arg;
	struct rmsg_plan *p = c->p;

	if (p->nnodes == c->cap) {
		uint32_t cap = c->cap ? c->cap * 2 : 256;
		void *v = cap > c->cap ?
			  realloc(p->nodes, (size_t)cap * sizeof(*p->nodes)) :
			  NULL;

		if (!v)
			return pf_error_set(PF_E_NOMEM, "out of memory "
					    "(NBT copy)");
		p->nodes = v;
		c->cap = cap;
	}
	p->nodes[p->nnodes++] = (struct rmsg_node){
		.nid = (uint32_t)e->nid, .parent = e->nid_parent,
		.parent_in = e->nid_parent, .bid_data = e->bid_data,
		.bid_sub = e->bid_sub,
	};
	return 0;
}

static int load_nodes(struct rmsg_plan *p, struct pf_ndb *ndb)
{
	struct collect c = { .p = p };
	int rc = pf_nbt_foreach(ndb, collect_node, &c);

	if (rc == 0 && p->nnodes > 1)
		qsort(p->nodes, p->nnodes, sizeof(*p->nodes), cmp_node);
	return rc;
}

/* Messages and FAI messages: does the PC open, is it read. */
static void read_items(struct rmsg_plan *p, struct pf_ndb *ndb)
{
	for (uint32_t i = 0; i < p->nnodes; i++) {
		struct rmsg_node *n = &p->nodes[i];
		struct pf_message m;
		int32_t flags = 0;

		if (!rmsg_is_item(n->nid))
			continue;
		if (PF_NID_TYPE(n->nid) == PF_NT_NORMAL_MESSAGE)
			p->messages++;
		if (rmsg_item_open(&m, ndb, n) != 0) {
			n->unreadable = true;
			continue;
		}
		if (pf_pc_get_i32(&m.pc, PF_TAG_MESSAGE_FLAGS, &flags) == 0)
			n->read = (flags & PF_MSGFLAG_READ) != 0;
		if (!n->fix_heap && !rmsg_attach_table_ok(&m)) {
			n->fix_attach = true;
			p->attach_fixes++;
		} else if (n->fix_heap || rmsg_props_bad(&m))
			n->fix_props = true;  /* after the attachment table:
						 one rewrite per node */
		else if (rmsg_recip_bad(&m))
			n->fix_recip = true;
		pf_message_close(&m);
	}
}

struct rmsg_folder *rmsg_add_folder(struct rmsg_plan *p, uint32_t nid,
				    uint32_t parent, uint32_t *cap)
{
	struct rmsg_folder *f;

	if (p->nf == *cap) {
		uint32_t ncap = *cap ? *cap * 2 : 32;
		void *v = realloc(p->f, (size_t)ncap * sizeof(*p->f));

		if (!v || ncap < *cap) {
			pf_error_set(PF_E_NOMEM, "out of memory (folders)");
			return NULL;
		}
		p->f = v;
		*cap = ncap;
	}
	f = &p->f[p->nf++];
	memset(f, 0, sizeof(*f));
	f->nid = nid;
	f->parent = parent;
	return f;
}

static void read_folder_pc(struct rmsg_folder *f, struct pf_ndb *ndb)
{
	struct pf_folder_info fi;
	struct pf_message m;

	if (pf_folder_read(ndb, f->nid, &fi) != 0)
		return;
	f->pc_ok = true;
	f->name = fi.name;
	fi.name = NULL;
	f->has_count = fi.has_content_count;
	f->count_in = fi.content_count;
	f->unread_in = fi.unread_count;
	f->subfolders_in = fi.has_subfolders;
	pf_folder_info_free(&fi);
	/* which of the three are there at all (a missing one is added) */
	if (pf_message_open(&m, ndb, f->nid) == 0) {
		struct pf_value v;

		if (pf_pc_get_value(&m.pc, PF_TAG_CONTENT_UNREAD, &v) == 0) {
			f->has_unread = true;
			pf_value_free(&v);
		}
		if (pf_pc_get_value(&m.pc, PF_TAG_SUBFOLDERS, &v) == 0) {
			f->has_subfolders_prop = true;
			pf_value_free(&v);
		}
		pf_message_close(&m);
	}
}

/* A folder whose PC does not open: its name and container class from the
 * row its parent's hierarchy table has for it, when there is one. */
static void name_from_parent_row(struct rmsg_folder *f, struct pf_ndb *ndb)
{
	uint32_t tnid = pf_nid_with_type(f->parent, PF_NT_HIERARCHY_TABLE);
	struct pf_nbt_entry e;
	struct pf_table t;
	uint32_t row;

	if (!rmsg_is_folder(f->parent) || pf_nbt_lookup(ndb, tnid, &e) != 0 ||
	    pf_table_open(&t, ndb, tnid, e.bid_data, e.bid_sub) != 0)
		return;
	if (pf_tc_find_row(&t.tc, f->nid, &row) == 0) {
		pf_tc_get_string(&t.tc, row, PF_PROP_TAG(PF_TAG_DISPLAY_NAME,
							 0), &f->name);
		pf_tc_get_string(&t.tc, row,
				 PF_PROP_TAG(PF_TAG_CONTAINER_CLASS, 0),
				 &f->cls);
	}
	pf_table_close(&t);
}

static int load_folders(struct rmsg_plan *p, struct pf_ndb *ndb,
			uint32_t *cap)
{
	for (uint32_t i = 0; i < p->nnodes; i++) {
		struct rmsg_folder *f;

		if (!rmsg_is_folder(p->nodes[i].nid))
			continue;
		f = rmsg_add_folder(p, p->nodes[i].nid, p->nodes[i].parent,
				    cap);
		if (!f)
			return PF_E_NOMEM;
		read_folder_pc(f, ndb);
		if (!f->pc_ok)
			name_from_parent_row(f, ndb);
	}
	return 0;
}

/* ---- 1. mandatory nodes ---- */

/* The map's streams decode (its entries can be rehashed). */
static bool nameid_streams_read(struct pf_ndb *ndb)
{
	struct pf_nameid_map map;
	int rc = pf_nameid_load(ndb, &map, NULL);

	pf_nameid_free(&map);
	return rc == 0;
}

/* A mandatory node is there and reads as what it is: the store and the
 * map as PCs, the templates as tables; the queues have no data. */
static bool node_opens(const struct rmsg_plan *p, struct pf_ndb *ndb,
		       uint32_t nid)
{
	const struct rmsg_node *n = rmsg_node(p, nid);
	struct pf_message m;
	struct pf_table t;

	if (!n)
		return false;
	if (nid == PF_NID_MESSAGE_STORE || nid == PF_NID_NAME_TO_ID_MAP) {
		if (pf_message_open(&m, ndb, nid) != 0)
			return false;
		pf_message_close(&m);
		return nid != PF_NID_NAME_TO_ID_MAP ||
		       nameid_streams_read(ndb);
	}
	if (nid == 0x1E1 || nid == 0x201)
		return true;
	if (pf_table_open(&t, ndb, nid, n->bid_data, n->bid_sub) != 0)
		return false;
	pf_table_close(&t);
	return true;
}

static int plan_mandatory(struct rmsg_plan *p, struct pf_ndb *ndb,
			  uint32_t *cap)
{
	struct pf_message m;
	int32_t buckets = -1;

	for (size_t i = 0; i < sizeof(mandatory) / sizeof(mandatory[0]); i++) {
		const struct msgw_std_folder *sf;
		struct rmsg_folder *f;

		if (mandatory[i].kind == 'T')
			continue;
		if (mandatory[i].kind == 'N' &&
		    !node_opens(p, ndb, mandatory[i].nid)) {
			p->missing_there[p->nmissing] =
				rmsg_node(p, mandatory[i].nid) != NULL;
			p->missing[p->nmissing++] = mandatory[i].nid;
			continue;
		}
		if (rmsg_node(p, mandatory[i].nid))
			continue;
		sf = msgw_std_folder(mandatory[i].nid);
		if (!sf)
			continue;   /* the writer knows every 'F' above */
		f = rmsg_add_folder(p, sf->nid, sf->parent, cap);
		if (!f)
			return PF_E_NOMEM;
		f->is_new = true;
		f->name = strdup(sf->name);
		if (!f->name)
			return pf_error_set(PF_E_NOMEM, "out of memory");
	}
	if (p->nf > 1)
		qsort(p->f, p->nf, sizeof(*p->f), rmsg_cmp_folder);
	/* a readable map whose bucket count is not 251 (2.7.1), or whose
	 * streams are damaged, is written again from what survives */
	if (rmsg_node(p, PF_NID_NAME_TO_ID_MAP) && nameid_streams_read(ndb) &&
	    pf_message_open(&m, ndb, PF_NID_NAME_TO_ID_MAP) == 0) {
		if (pf_pc_get_i32(&m.pc, PF_TAG_NAMEID_BUCKET_COUNT,
				  &buckets) != 0)
			buckets = -1;
		p->nameid_rehash = buckets != 251 || rmsg_nameid_faults(ndb);
		p->nameid_buckets_in = buckets;
		pf_message_close(&m);
	}
	return 0;
}

/* ---- 3-5. counts and tables ---- */

static void count_children(struct rmsg_plan *p)
{
	for (uint32_t i = 0; i < p->nnodes; i++) {
		const struct rmsg_node *n = &p->nodes[i];
		struct rmsg_folder *f = rmsg_folder(p, n->parent);

		if (!f || rmsg_is_folder(n->nid))
			continue;
		if (PF_NID_TYPE(n->nid) == PF_NT_ASSOC_MESSAGE) {
			f->nassoc++;
		} else if (PF_NID_TYPE(n->nid) == PF_NT_NORMAL_MESSAGE) {
			f->nmsgs++;
			if (!n->unreadable && !n->read)
				f->nunread++;
			if (n->unreadable)
				p->unreadable_msgs++;
		}
	}
	for (uint32_t i = 0; i < p->nf; i++) {
		struct rmsg_folder *up = rmsg_folder(p, p->f[i].parent);

		if (up && up != &p->f[i])
			up->nsubs++;
	}
}

static void plan_counts(struct rmsg_plan *p)
{
	for (uint32_t i = 0; i < p->nf; i++) {
		struct rmsg_folder *f = &p->f[i];

		if (f->is_new || !f->pc_ok) {
			f->rewrite_pc = true;
			continue;
		}
		/* a search folder counts what it finds elsewhere */
		if (PF_NID_TYPE(f->nid) != PF_NT_NORMAL_FOLDER)
			continue;
		/* absent counts are left absent (Outlook omits them on
		 * some folders); an absent PidTagSubfolders reads as false */
		if ((f->has_count && (uint32_t)f->count_in != f->nmsgs) ||
		    (f->has_unread && (uint32_t)f->unread_in != f->nunread) ||
		    f->subfolders_in != (f->nsubs > 0))
			f->rewrite_pc = true;
	}
}

/* The NBT's children of F for table kind K. */
static void truth_set(const struct rmsg_plan *p, const struct rmsg_folder *f,
		      int k, struct pf_set *s)
{
	unsigned want = k == RMSG_T_FAI ? PF_NT_ASSOC_MESSAGE :
					  PF_NT_NORMAL_MESSAGE;
	uint32_t first, n;

	if (k == RMSG_T_HIER) {
		for (uint32_t i = 0; i < p->nf; i++)
			if (p->f[i].parent == f->nid && p->f[i].nid != f->nid)
				pf_set_add(s, p->f[i].nid);
		return;
	}
	n = rmsg_kids(p, f->nid, &first);
	for (uint32_t i = first; i < first + n; i++)
		if (PF_NID_TYPE(p->kids[i].nid) == want)
			pf_set_add(s, p->kids[i].nid);
}

static void plan_table(struct rmsg_plan *p, struct pf_ndb *ndb,
		       struct rmsg_folder *f, int k)
{
	uint32_t tnid = pf_nid_with_type(f->nid, table_type[k]);
	struct pf_set truth = { 0 }, listed = { 0 };
	uint32_t *ids = NULL, count = 0, extra = 0;

	if (!rmsg_node(p, tnid)) {
		snprintf(f->why[k], sizeof(f->why[k]), "%s",
			 f->is_new ? "new folder" : "was missing");
		f->rebuild |= 1u << k;
		return;
	}
	if (rmsg_table_faults(ndb, tnid) != 0 ||
	    pf_folder_table_ids(ndb, f->nid, table_type[k], &ids,
				&count) != 0) {
		snprintf(f->why[k], sizeof(f->why[k]), "was unreadable");
		f->rebuild |= 1u << k;
		return;
	}
	truth_set(p, f, k, &truth);
	for (uint32_t i = 0; i < count; i++)
		if (!pf_set_has(&truth, ids[i]) ||
		    pf_set_add(&listed, ids[i]) != 1)
			extra++;
	if (extra || listed.count != truth.count) {
		snprintf(f->why[k], sizeof(f->why[k]),
			 "had %u (%u not its children), the NBT has %zu",
			 count, extra, truth.count);
		f->rebuild |= 1u << k;
	}
	free(ids);
	pf_set_free(&truth);
	pf_set_free(&listed);
}

static void plan_tables(struct rmsg_plan *p, struct pf_ndb *ndb)
{
	for (uint32_t i = 0; i < p->nf; i++) {
		struct rmsg_folder *f = &p->f[i];

		if (PF_NID_TYPE(f->nid) != PF_NT_NORMAL_FOLDER)
			continue;   /* search folders keep no such tables */
		for (int k = 0; k < RMSG_T__COUNT; k++)
			plan_table(p, ndb, f, k);
	}
	/* a rewritten subfolder's row shows new values */
	for (uint32_t i = 0; i < p->nf; i++) {
		struct rmsg_folder *up = rmsg_folder(p, p->f[i].parent);

		if (!p->f[i].rewrite_pc || !up || up == &p->f[i] ||
		    PF_NID_TYPE(up->nid) != PF_NT_NORMAL_FOLDER ||
		    (up->rebuild & (1u << RMSG_T_HIER)))
			continue;
		up->rebuild |= 1u << RMSG_T_HIER;
		snprintf(up->why[RMSG_T_HIER], sizeof(up->why[0]),
			 "a subfolder's row changed");
	}
}

/* ---- the store's folders and record key, for a recreated store ---- */

static void plan_store(struct rmsg_plan *p, struct pf_ndb *ndb)
{
	static const char *const names[] = {
		[PF_FOLDER_INBOX] = "Inbox", [PF_FOLDER_OUTBOX] = "Outbox",
		[PF_FOLDER_SENT] = "Sent Items", [PF_FOLDER_DRAFTS] = "Drafts",
	};
	struct pf_store_info si = { 0 };
	struct pf_message m;
	struct pf_value v;
	uint8_t *key = NULL;
	size_t cb = 0;

	p->std[PF_FOLDER_IPM] = p->ipm;
	p->std[PF_FOLDER_DELETED] = 0x8062;
	for (int k = PF_FOLDER_INBOX; k < PF_FOLDER__COUNT; k++)
		for (uint32_t i = 0; i < p->nf; i++)
			if (p->f[i].parent == p->ipm && p->f[i].name &&
			    strcmp(p->f[i].name, names[k]) == 0)
				p->std[k] = p->f[i].nid;
	if (pf_message_open(&m, ndb, PF_NID_MESSAGE_STORE) != 0)
		return;   /* recreated whole (plan_mandatory) */
	if (pf_pc_get_bin(&m.pc, PF_TAG_RECORD_KEY, &key, &cb) == 0 &&
	    cb == 16) {
		memcpy(p->record_key, key, 16);
		p->has_record_key = true;
	} else {
		p->store_lacks |= RMSG_STORE_RECORD_KEY;
	}
	free(key);
	if (pf_pc_get_value(&m.pc, PF_TAG_DISPLAY_NAME, &v) == 0)
		pf_value_free(&v);
	else
		p->store_lacks |= RMSG_STORE_DISPLAY_NAME;
	/* OSTs name their IPM subtree in Exchange's form (as the checker) */
	if (pf_ndb_header(ndb)->magic_client != PF_MAGIC_CLIENT_OST &&
	    (pf_store_read(ndb, &si) != 0 || !si.nid_ipm_subtree))
		p->store_lacks |= RMSG_STORE_IPM_ENTRYID;
	pf_store_info_free(&si);
	pf_message_close(&m);
}

/* ---- the notes ---- */

#define RMSG_NOTES_MAX 20   /* per-message lines; then one summary */

static void note_plan(const struct rmsg_plan *p, struct pf_repair_ctx *ctx)
{
	char label[96];
	uint32_t shown = 0;

	for (uint32_t i = 0; i < p->nnodes; i++) {
		if (!p->nodes[i].unreadable ||
		    PF_NID_TYPE(p->nodes[i].nid) != PF_NT_NORMAL_MESSAGE)
			continue;
		if (++shown <= RMSG_NOTES_MAX)
			rmsg_note(ctx, "kept unreadable message 0x%x in "
				  "folder 0x%x: its PC does not open (%s)",
				  p->nodes[i].nid, p->nodes[i].parent,
				  "export --salvage may still read it");
	}
	if (shown > RMSG_NOTES_MAX)
		rmsg_note(ctx, "kept %u more unreadable messages where they "
			  "are", shown - RMSG_NOTES_MAX);
	for (uint32_t i = 0; i < p->nf; i++) {
		const struct rmsg_folder *f = &p->f[i];
		const struct rmsg_node *n = rmsg_node(p, f->nid);

		if (!n || n->parent_in == f->parent)
			continue;
		rmsg_note(ctx, "moved folder %s from parent 0x%x to 0x%x%s: "
			  "%s", rmsg_folder_label(f, label, sizeof(label)),
			  n->parent_in, f->parent,
			  f->parent == p->recovered ? " ('" RMSG_RECOVERED_NAME
			  "')" : "", f->moved_why ? f->moved_why : "");
	}
	if (p->tables_reparented)
		rmsg_note(ctx, "set nidParent to 0 on %u folder table node%s "
			  "(readers took them for items)",
			  p->tables_reparented,
			  p->tables_reparented == 1 ? "" : "s");
	if (p->orphan_msgs)
		rmsg_note(ctx, "moved %u orphan message%s to '%s'",
			  p->orphan_msgs, p->orphan_msgs == 1 ? "" : "s",
			  RMSG_RECOVERED_NAME);
}

void rmsg_plan_free(struct rmsg_plan *p)
{
	for (uint32_t i = 0; i < p->nf; i++) {
		free(p->f[i].name);
		free(p->f[i].cls);
	}
	free(p->f);
	free(p->nodes);
	free(p->kids);
	memset(p, 0, sizeof(*p));
}

int rmsg_plan_make(struct rmsg_plan *p, struct pf_ndb *ndb,
		   struct pf_repair_ctx *ctx)
{
	uint32_t cap = 0;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = load_nodes(p, ndb);
	if (rc == 0) {
		read_items(p, ndb);
		rc = load_folders(p, ndb, &cap);
	}
	if (rc == 0)
		rc = plan_mandatory(p, ndb, &cap);
	if (rc == 0) {
		rmsg_find_ipm(p, ndb);
		rc = rmsg_plan_recovered(p, ndb, &cap);
	}
	if (rc != 0) {
		rmsg_plan_free(p);
		return rc;
	}
	rc = rmsg_plan_orphans(p);
	if (rc == 0) {
		rmsg_drop_unused_recovered(p);
		rc = index_kids(p);
	}
	if (rc != 0) {
		rmsg_plan_free(p);
		return rc;
	}
	count_children(p);
	plan_counts(p);
	plan_tables(p, ndb);
	plan_store(p, ndb);
	note_plan(p, ctx);
	return 0;
}

unsigned rmsg_table_type(int k)
{
	return table_type[k];
}

const char *rmsg_table_name(int k)
{
	return k >= 0 && k < RMSG_T__COUNT ? table_name[k] : "?";
}
