/*
 * msgw_store.c - the store: the mandatory nodes of a minimum PST (MS-PST
 * 2.7.1), the standard folders, and the folder PCs and tables written at
 * commit.
 *
 * Contract: see pf_msgw.h.  Fixed NIDs are the spec's: message store
 * 0x21, name-to-ID map 0x61, root folder 0x122, the table templates
 * 0x60D-0x610, 0x671, 0x692, the spam search folder 0x2223, the IPM
 * subtree 0x8022, the search root 0x8042 and Deleted Items 0x8062.  Other
 * folders take NIDs from the header counters, skipping those.
 */
#include <stdlib.h>
#include <string.h>

#include "../msg/pf_msg.h"
#include "../util/pf_crc.h"
#include "../util/pf_grow.h"
#include "../util/pf_le.h"
#include "msgw_int.h"

#define NID_SEARCH_MGMT_QUEUE 0x1E1u   /* MS-PST 2.4.8.4.1 */
#define NID_SEARCH_ACTIVITY   0x201u
#define NID_SPAM_FOLDER       0x2223u
#define NID_IPM_SUBTREE       0x8022u
#define NID_SEARCH_ROOT       0x8042u
#define NID_DELETED_ITEMS     0x8062u

static bool reserved_nid(uint32_t nid)
{
	return nid == NID_IPM_SUBTREE || nid == NID_SEARCH_ROOT ||
	       nid == NID_DELETED_ITEMS || nid == PF_NID_ROOT_FOLDER ||
	       nid == NID_SPAM_FOLDER;
}

struct pf_wfolder *msgw_folder(struct pf_storew *s, uint32_t nid)
{
	for (size_t i = 0; i < s->nf; i++)
		if (s->f[i].nid == nid)
			return &s->f[i];
	return NULL;
}

static int new_folder(struct pf_storew *s, uint32_t nid, uint32_t parent,
		      const char *name, const char *cls)
{
	struct pf_wfolder *f;

	if (pf_grow(&s->f, s->nf, &s->capf, sizeof(*s->f)) != 0)
		return PF_E_NOMEM;
	f = &s->f[s->nf];
	memset(f, 0, sizeof(*f));
	f->nid = nid;
	f->parent = parent;
	f->name = strdup(name ? name : "");
	f->container_class = cls ? strdup(cls) : NULL;
	f->search = PF_NID_TYPE(nid) == PF_NT_SEARCH_FOLDER;
	pf_plist_init(&f->rows, s->unicode);
	if (!f->name || (cls && !f->container_class)) {
		free(f->name);
		free(f->container_class);
		return pf_error_set(PF_E_NOMEM, "out of memory");
	}
	s->nf++;
	return 0;
}

void msgw_entryid(const struct pf_storew *s, uint32_t nid, uint8_t out[24])
{
	memset(out, 0, 4);                     /* rgbFlags */
	memcpy(out + 4, s->record_key, 16);    /* the store's provider UID */
	out[20] = (uint8_t)nid;
	out[21] = (uint8_t)(nid >> 8);
	out[22] = (uint8_t)(nid >> 16);
	out[23] = (uint8_t)(nid >> 24);
}

/* Deterministic "random" bytes: the record key is the store's identity,
 * so tests need it stable (xorshift32 from the seed). */
static void fill_key(uint8_t key[16], uint32_t seed)
{
	uint32_t x = seed ? seed : 0x5053544Fu;

	for (int i = 0; i < 16; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		key[i] = (uint8_t)x;
	}
}

/* The folders of a minimum PST (MS-PST 2.7.1) with fixed NIDs: the root
 * is its own parent; the spam search folder is a search folder. */
static const struct msgw_std_folder std_fixed[] = {
	{ PF_NID_ROOT_FOLDER, PF_NID_ROOT_FOLDER, "", NULL },
	{ NID_IPM_SUBTREE, PF_NID_ROOT_FOLDER, "Top of Personal Folders",
	  NULL },
	{ NID_SEARCH_ROOT, PF_NID_ROOT_FOLDER, "Search Root", NULL },
	{ NID_SPAM_FOLDER, PF_NID_ROOT_FOLDER, "SPAM Search Folder 2", NULL },
	{ NID_DELETED_ITEMS, NID_IPM_SUBTREE, "Deleted Items", "IPF.Note" },
};

const struct msgw_std_folder *msgw_std_folder(uint32_t nid)
{
	for (size_t i = 0; i < sizeof(std_fixed) / sizeof(std_fixed[0]); i++)
		if (std_fixed[i].nid == nid)
			return &std_fixed[i];
	return NULL;
}

static int std_folders(struct pf_storew *s)
{
	static const struct { enum pf_std_folder which; const char *name; }
	mail[] = {
		{ PF_FOLDER_INBOX, "Inbox" },
		{ PF_FOLDER_OUTBOX, "Outbox" },
		{ PF_FOLDER_SENT, "Sent Items" },
		{ PF_FOLDER_DRAFTS, "Drafts" },
	};
	int rc = 0;

	for (size_t i = 0; rc == 0 &&
	     i < sizeof(std_fixed) / sizeof(std_fixed[0]); i++)
		rc = new_folder(s, std_fixed[i].nid, std_fixed[i].parent,
				std_fixed[i].name, std_fixed[i].cls);
	s->std[PF_FOLDER_IPM] = NID_IPM_SUBTREE;
	s->std[PF_FOLDER_DELETED] = NID_DELETED_ITEMS;
	for (size_t i = 0; rc == 0 && i < sizeof(mail) / sizeof(mail[0]); i++)
		rc = pf_storew_add_folder(s, NID_IPM_SUBTREE, mail[i].name,
					  "IPF.Note", &s->std[mail[i].which]);
	return rc;
}

int pf_storew_open(struct pf_storew **out, const char *path,
		   const struct pf_write_opts *wopts,
		   const struct pf_storew_opts *sopts)
{
	struct pf_storew *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	if (sopts)
		s->opts = *sopts;
	if (!s->opts.display_name)
		s->opts.display_name = "Personal Folders";
	rc = pf_writer_open(&s->w, path, wopts);
	if (rc != 0) {
		free(s);
		return rc;
	}
	s->unicode = pf_writer_layout(s->w)->bid_size == 8;
	fill_key(s->record_key, s->opts.seed);
	rc = std_folders(s);
	if (rc != 0) {
		pf_storew_abort(s);
		return rc;
	}
	*out = s;
	return 0;
}

int pf_storew_attach(struct pf_storew **out, struct pf_writer *w,
		     const struct pf_storew_opts *opts,
		     const uint8_t record_key[16])
{
	struct pf_storew *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	if (opts)
		s->opts = *opts;
	if (!s->opts.display_name)
		s->opts.display_name = "Personal Folders";
	s->w = w;
	s->borrowed = true;
	s->unicode = pf_writer_layout(w)->bid_size == 8;
	if (record_key)
		memcpy(s->record_key, record_key, 16);
	else
		fill_key(s->record_key, s->opts.seed);
	*out = s;
	return 0;
}

uint32_t pf_storew_std_folder(const struct pf_storew *s,
			      enum pf_std_folder which)
{
	return which < PF_FOLDER__COUNT ? s->std[which] : 0;
}

int pf_storew_add_folder(struct pf_storew *s, uint32_t parent,
			 const char *name, const char *container_class,
			 uint32_t *nid)
{
	uint32_t n;

	if (!msgw_folder(s, parent))
		return pf_error_set(PF_E_USAGE, "no folder 0x%x in this store",
				    parent);
	do
		n = pf_writer_new_nid(s->w, PF_NT_NORMAL_FOLDER);
	while (reserved_nid(n));
	*nid = n;
	return new_folder(s, n, parent, name, container_class);
}

int pf_storew_add_message(struct pf_storew *s, uint32_t folder,
			  const struct pf_msgw_message *m, uint32_t *nid)
{
	struct pf_wfolder *f = msgw_folder(s, folder);
	struct pf_plist props;
	uint64_t bid_data, bid_sub;
	uint32_t n;
	int rc;

	if (!f || f->search)
		return pf_error_set(PF_E_USAGE, "no mail folder 0x%x in this "
				    "store", folder);
	pf_plist_init(&props, s->unicode);
	rc = msgw_message_node(s, m, &props, &bid_data, &bid_sub);
	n = pf_writer_new_nid(s->w, PF_NT_NORMAL_MESSAGE);
	if (rc == 0)
		rc = pf_writer_add_node(s->w, n, bid_data, bid_sub, folder);
	if (rc == 0)
		rc = msgw_contents_row(s, f, n, &props);
	pf_plist_free(&props);
	if (rc == 0) {
		f->nmsgs++;
		if (!(m->flags & PF_MSGFLAG_READ))
			f->nunread++;
		if (nid)
			*nid = n;
	}
	return rc;
}

void pf_storew_abort(struct pf_storew *s)
{
	if (!s)
		return;
	if (!s->borrowed)
		pf_writer_abort(s->w);
	for (size_t i = 0; i < s->nf; i++) {
		free(s->f[i].name);
		free(s->f[i].container_class);
		free(s->f[i].row_ids);
		pf_plist_free(&s->f[i].rows);
	}
	free(s->f);
	free(s);
}

/* ---- commit: what indexes the messages ---- */

int msgw_write_pc(struct pf_storew *s, uint32_t nid, uint32_t parent,
		  const struct pf_plist *props, struct pf_subw *keep)
{
	struct pf_subw own, *sub = keep ? keep : &own;
	uint64_t bid_data = 0, bid_sub = 0;
	int rc = props->err;

	if (!keep)
		pf_subw_init(&own, s->w);
	if (rc == 0)
		rc = pf_pcw_write(s->w, props->v, (uint32_t)props->n, sub,
				  &bid_data);
	if (rc == 0)
		rc = pf_writer_put_subnodes(s->w, sub->v, sub->n, &bid_sub);
	if (rc == 0)
		rc = pf_writer_add_node(s->w, nid, bid_data, bid_sub, parent);
	if (!keep)
		pf_subw_free(&own);
	return rc;
}

static int write_pc(struct pf_storew *s, uint32_t nid, uint32_t parent,
		    const struct pf_plist *props)
{
	return msgw_write_pc(s, nid, parent, props, NULL);
}

int msgw_write_tc(struct pf_storew *s, uint32_t nid, uint32_t parent,
		    const uint32_t *cols, uint32_t ncols,
		    const uint32_t *row_ids, const struct pf_plist *cells,
		    uint32_t nrows)
{
	struct pf_subw sub;
	uint64_t bid_data = 0, bid_sub = 0;
	int rc = cells ? cells->err : 0;

	pf_subw_init(&sub, s->w);
	if (rc == 0)
		rc = pf_tcw_write(s->w, cols, ncols, row_ids,
				  cells ? cells->v : NULL, nrows, &sub,
				  &bid_data);
	if (rc == 0)
		rc = pf_writer_put_subnodes(s->w, sub.v, sub.n, &bid_sub);
	if (rc == 0)
		rc = pf_writer_add_node(s->w, nid, bid_data, bid_sub, parent);
	pf_subw_free(&sub);
	return rc;
}

static uint32_t count_children(const struct pf_storew *s, uint32_t nid)
{
	uint32_t n = 0;

	for (size_t i = 0; i < s->nf; i++)
		if (s->f[i].parent == nid && s->f[i].nid != nid)
			n++;
	return n;
}

/* The properties a folder shows in its PC and in its parent's
 * hierarchy table (MS-PST 2.4.4.1.1). */
void msgw_folder_props(struct pf_plist *l, const char *name,
		       const char *container_class, uint32_t nmsgs,
		       uint32_t nunread, bool subfolders)
{
	pf_plist_str(l, PF_TAG_DISPLAY_NAME, name);
	pf_plist_i32(l, PF_TAG_CONTENT_COUNT, (int32_t)nmsgs);
	pf_plist_i32(l, PF_TAG_CONTENT_UNREAD, (int32_t)nunread);
	pf_plist_bool(l, PF_TAG_SUBFOLDERS, subfolders);
	if (container_class)
		pf_plist_str(l, PF_TAG_CONTAINER_CLASS, container_class);
}

static void folder_props(const struct pf_storew *s,
			 const struct pf_wfolder *f, struct pf_plist *l)
{
	msgw_folder_props(l, f->name, f->container_class, f->nmsgs,
			  f->nunread, count_children(s, f->nid) > 0);
}

static int write_hierarchy(struct pf_storew *s, const struct pf_wfolder *f)
{
	uint32_t cols[MSGW_MAX_COLS], ncols = msgw_hierarchy_cols(s, cols);
	struct pf_plist cells;
	uint32_t *ids = malloc((s->nf + 1) * sizeof(*ids)), nrows = 0;
	int rc;

	if (!ids)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	pf_plist_init(&cells, s->unicode);
	for (size_t i = 0; i < s->nf; i++) {
		struct pf_plist one;

		if (s->f[i].parent != f->nid || s->f[i].nid == f->nid)
			continue;
		pf_plist_init(&one, s->unicode);
		folder_props(s, &s->f[i], &one);
		pf_plist_row(&cells, cols, ncols, &one);
		pf_plist_free(&one);
		ids[nrows++] = s->f[i].nid;
	}
	/* a folder's tables have nidParent 0, as in Outlook's files: readers
	 * (libpst) take every node whose parent is the folder for an item */
	rc = msgw_write_tc(s, pf_nid_with_type(f->nid, PF_NT_HIERARCHY_TABLE),
			   0, cols, ncols, ids, &cells, nrows);
	pf_plist_free(&cells);
	free(ids);
	return rc;
}

static int write_folder(struct pf_storew *s, struct pf_wfolder *f)
{
	uint32_t cols[MSGW_MAX_COLS], ncols;
	struct pf_plist props;
	int rc;

	pf_plist_init(&props, s->unicode);
	folder_props(s, f, &props);
	rc = write_pc(s, f->nid, f->parent, &props);
	pf_plist_free(&props);
	if (rc != 0 || f->search)
		return rc;   /* search folders keep no hierarchy/contents */
	rc = write_hierarchy(s, f);
	ncols = msgw_contents_cols(s, cols);
	if (rc == 0)
		rc = msgw_write_tc(s, pf_nid_with_type(f->nid,
					   PF_NT_CONTENTS_TABLE), 0, cols,
				   ncols, f->row_ids, &f->rows,
				   (uint32_t)f->nrows);
	if (rc == 0)
		rc = msgw_empty_table(s, pf_nid_with_type(f->nid,
				      PF_NT_ASSOC_CONTENTS_TABLE), 0, cols,
				      ncols);
	return rc;
}

/* MS-PST 2.4.3.1: the store's PC; the special folders' EntryIDs. */
static int write_store(struct pf_storew *s)
{
	static const struct { uint16_t id; int folder; } eids[] = {
		{ PF_TAG_IPM_SUBTREE_ENTRYID, PF_FOLDER_IPM },
		{ PF_TAG_IPM_WASTEBASKET_ENTRYID, PF_FOLDER_DELETED },
		{ PF_TAG_IPM_OUTBOX_ENTRYID, PF_FOLDER_OUTBOX },
		{ PF_TAG_IPM_SENTMAIL_ENTRYID, PF_FOLDER_SENT },
		{ 0x36D7, PF_FOLDER_DRAFTS },   /* PidTagIpmDraftsEntryId */
	};
	struct pf_plist l;
	uint8_t eid[24];
	int rc;

	pf_plist_init(&l, s->unicode);
	pf_plist_bin(&l, PF_TAG_RECORD_KEY, s->record_key, 16);
	pf_plist_str(&l, PF_TAG_DISPLAY_NAME, s->opts.display_name);
	for (size_t i = 0; i < sizeof(eids) / sizeof(eids[0]); i++) {
		if (s->std[eids[i].folder] == 0)
			continue;   /* repair: a folder the file lacks */
		msgw_entryid(s, s->std[eids[i].folder], eid);
		pf_plist_bin(&l, eids[i].id, eid, sizeof(eid));
	}
	msgw_entryid(s, NID_SEARCH_ROOT, eid);
	pf_plist_bin(&l, PF_TAG_FINDER_ENTRYID, eid, sizeof(eid));
	pf_plist_i32(&l, 0x35DF, 0xFF);   /* PidTagValidFolderMask: all */
	rc = write_pc(s, PF_NID_MESSAGE_STORE, 0, &l);
	pf_plist_free(&l);
	return rc;
}

/* MS-PST 2.4.7: the name-to-ID map, 251 buckets, with two entries every
 * Outlook store has: the string name "Keywords" in PS_PUBLIC_STRINGS
 * (PidNameKeywords, 0x8000) and LID 0x8503 in PSETID_Common
 * (PidLidReminderSet, 0x8001).  libpff refuses a map whose entry or GUID
 * stream is empty. */
#define NAMEID_BUCKETS 251u

static const uint8_t psetid_common[16] = {   /* {00062008-...-46} */
	0x08, 0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
};

/* One NAMEID record (2.4.7.4): dwPropertyID, wGuid << 1 | N, wPropIdx. */
static void nameid_rec(uint8_t out[8], uint32_t id, uint16_t guid_n,
		       uint16_t idx)
{
	pf_put32(out, id);
	pf_put16(out + 4, guid_n);
	pf_put16(out + 6, idx);
}

static void nameid_bucket(struct pf_plist *l, uint32_t hash, uint16_t guid_n,
			  uint16_t idx, uint8_t rec[8])
{
	uint32_t bucket = (hash ^ guid_n) % NAMEID_BUCKETS;   /* 2.4.7.5 */

	nameid_rec(rec, hash, guid_n, idx);
	pf_plist_bin(l, (uint16_t)(0x1000 + bucket), rec, 8);
}

static int write_nameid(struct pf_storew *s)
{
	static const char name[] = "Keywords";
	uint8_t str[4 + 2 * (sizeof(name) - 1)], entries[16], b1[8], b2[8];
	uint16_t gn_str = (2u << 1) | 1u;   /* PS_PUBLIC_STRINGS, string */
	uint16_t gn_num = (3u << 1);        /* first GUID of the stream */
	struct pf_plist l;
	int rc;

	pf_put32(str, 2 * (sizeof(name) - 1));
	for (size_t i = 0; i + 1 < sizeof(name); i++)
		pf_put16(str + 4 + 2 * i, (uint8_t)name[i]);
	nameid_rec(entries, 0, gn_str, 0);          /* string offset 0 */
	nameid_rec(entries + 8, 0x8503, gn_num, 1);
	pf_plist_init(&l, s->unicode);
	pf_plist_i32(&l, PF_TAG_NAMEID_BUCKET_COUNT, NAMEID_BUCKETS);
	pf_plist_bin(&l, 0x0002, psetid_common, 16);  /* ...StreamGuid */
	pf_plist_bin(&l, 0x0003, entries, 16);        /* ...StreamEntry */
	pf_plist_bin(&l, 0x0004, str, sizeof(str));   /* ...StreamString */
	/* buckets hold the string's CRC (2.4.7.1) or the LID */
	nameid_bucket(&l, pf_crc(str + 4, sizeof(str) - 4), gn_str, 0, b1);
	nameid_bucket(&l, 0x8503, gn_num, 1, b2);
	rc = write_pc(s, PF_NID_NAME_TO_ID_MAP, 0, &l);
	pf_plist_free(&l);
	return rc;
}

/* The mandatory nodes that are not folders: which columns each table
 * template takes (MS-PST 2.7.1). */
static const struct { uint32_t nid; char cols; } mandatory_other[] = {
	{ PF_NID_MESSAGE_STORE, 's' },
	{ PF_NID_NAME_TO_ID_MAP, 'n' },
	{ PF_NID_HIERARCHY_TEMPLATE, 'h' },
	{ PF_NID_CONTENTS_TEMPLATE, 'c' },
	{ PF_NID_ASSOC_TEMPLATE, 'c' },
	{ PF_NID_SEARCH_CONTENTS_TEMPLATE, 'c' },
	{ PF_NID_ATTACHMENT_TABLE, 'a' },
	{ PF_NID_RECIPIENT_TABLE, 'r' },
	{ NID_SEARCH_MGMT_QUEUE, 'q' },   /* queues: no data (2.4.8.4) */
	{ NID_SEARCH_ACTIVITY, 'q' },
};

int msgw_put_mandatory(struct pf_storew *s, uint32_t nid)
{
	uint32_t cols[MSGW_MAX_COLS], n = 0;
	char kind = 0;

	for (size_t i = 0; i < sizeof(mandatory_other) /
	     sizeof(mandatory_other[0]); i++)
		if (mandatory_other[i].nid == nid)
			kind = mandatory_other[i].cols;
	switch (kind) {
	case 's': return write_store(s);
	case 'n': return write_nameid(s);
	case 'q': return pf_writer_add_node(s->w, nid, 0, 0, 0);
	case 'h': n = msgw_hierarchy_cols(s, cols); break;
	case 'c': n = msgw_contents_cols(s, cols); break;
	case 'a': n = msgw_attachment_cols(s, cols); break;
	case 'r': n = msgw_recipient_cols(s, cols); break;
	default:
		return pf_error_set(PF_E_USAGE, "node 0x%x is not a mandatory "
				    "node the writer makes alone", nid);
	}
	return msgw_empty_table(s, nid, 0, cols, n);
}

int pf_storew_commit(struct pf_storew *s)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(mandatory_other) /
	     sizeof(mandatory_other[0]); i++)
		rc = msgw_put_mandatory(s, mandatory_other[i].nid);
	for (size_t i = 0; rc == 0 && i < s->nf; i++)
		rc = write_folder(s, &s->f[i]);
	if (rc != 0) {
		pf_storew_abort(s);
		return rc;
	}
	rc = pf_writer_commit(s->w);
	s->w = NULL;   /* committed or freed by pf_writer_commit */
	pf_storew_abort(s);
	return rc;
}
