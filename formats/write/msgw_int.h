/*
 * msgw_int.h - what the messaging writer's files share: the store being
 * written and a property list with its own arena.
 */
#ifndef PF_MSGW_INT_H
#define PF_MSGW_INT_H

#include "pf_msgw.h"

/* A list of properties to write; values live in the list's arena. */
struct pf_plist {
	struct pf_wprop *v;
	size_t n, cap;
	uint8_t **arena;         /* owned value buffers */
	size_t narena, caparena;
	bool unicode;            /* PtypString (UTF-16LE) or String8 (1252) */
	int err;                 /* first error; later adds are no-ops */
};

void pf_plist_init(struct pf_plist *l, bool unicode);
void pf_plist_free(struct pf_plist *l);
/* Each add copies the value; on failure l->err is set and kept. */
void pf_plist_str(struct pf_plist *l, uint16_t id, const char *utf8);
void pf_plist_i32(struct pf_plist *l, uint16_t id, int32_t v);
void pf_plist_bool(struct pf_plist *l, uint16_t id, bool v);
void pf_plist_time(struct pf_plist *l, uint16_t id, uint64_t filetime);
void pf_plist_bin(struct pf_plist *l, uint16_t id, const void *p,
		  size_t cb);
/* PtypObject (MS-PST 2.3.3.5): the subnode NID and size of the object. */
void pf_plist_object(struct pf_plist *l, uint16_t id, uint32_t nid,
		     uint32_t size);
/* An absent cell in a table row (p NULL). */
void pf_plist_none(struct pf_plist *l, uint32_t tag);
/* A copy of P/CB under TAG; P NULL: an absent cell. */
void pf_plist_raw(struct pf_plist *l, uint32_t tag, const void *p,
		  size_t cb);
const struct pf_wprop *pf_plist_find(const struct pf_plist *l, uint32_t tag);
/* Append one table row to ROWS: SRC's values in the order of COLS, absent
 * cells where SRC has no such property. */
void pf_plist_row(struct pf_plist *rows, const uint32_t *cols,
		  uint32_t ncols, const struct pf_plist *src);
/* The tag a string property gets in this list's file. */
uint32_t pf_plist_str_tag(const struct pf_plist *l, uint16_t id);

/* One folder being written. */
struct pf_wfolder {
	uint32_t nid;
	uint32_t parent;
	char *name;
	char *container_class;
	uint32_t nmsgs, nunread;
	/* contents table rows, built as messages are added */
	struct pf_plist rows;     /* nrows * contents_ncols cells */
	uint32_t *row_ids;
	size_t nrows, caprows;
	bool search;              /* a search folder (NID type 3) */
};

struct pf_storew {
	struct pf_writer *w;
	struct pf_storew_opts opts;
	bool unicode;
	uint8_t record_key[16];
	struct pf_wfolder *f;
	size_t nf, capf;
	uint32_t std[PF_FOLDER__COUNT];   /* 0: none (repair) */
	bool borrowed;            /* w belongs to the caller (attach) */
};

/* The column sets of the tables (MS-PST 2.4.4.4.1, 2.4.4.5.1, 2.4.5.3.1,
 * 2.4.6.1.1), string columns resolved for the file's variant. */
uint32_t msgw_contents_cols(const struct pf_storew *s, uint32_t *tags);
uint32_t msgw_hierarchy_cols(const struct pf_storew *s, uint32_t *tags);
uint32_t msgw_recipient_cols(const struct pf_storew *s, uint32_t *tags);
uint32_t msgw_attachment_cols(const struct pf_storew *s, uint32_t *tags);
#define MSGW_MAX_COLS 32

/* Write an empty table with COLS as node NID (templates, FAI tables). */
int msgw_empty_table(struct pf_storew *s, uint32_t nid, uint32_t parent,
		     const uint32_t *cols, uint32_t ncols);

/* msgw_message.c: write one message's blocks; bid_data and bid_sub get its
 * node, PROPS (initialised by the caller) its properties. */
int msgw_message_node(struct pf_storew *s, const struct pf_msgw_message *m,
		      struct pf_plist *props, uint64_t *bid_data,
		      uint64_t *bid_sub);

/* Append message NID's contents-table row (from its PROPS) to folder F. */
int msgw_contents_row(struct pf_storew *s, struct pf_wfolder *f,
		      uint32_t nid, const struct pf_plist *props);

struct pf_wfolder *msgw_folder(struct pf_storew *s, uint32_t nid);

/* ---- what repair (pstfix/repair) builds with: see pf_storew_attach() */

/* A folder of a minimum PST with a fixed NID (root, IPM subtree, search
 * root, spam search folder, Deleted Items); NULL for other NIDs. */
struct msgw_std_folder {
	uint32_t nid, parent;
	const char *name, *cls;
};
const struct msgw_std_folder *msgw_std_folder(uint32_t nid);

/* Write a mandatory node of MS-PST 2.7.1 that is neither a folder nor a
 * folder's table: the store (its EntryIDs name s->std, 0 left out), the
 * name-to-ID map, the queues, the table templates.  PF_E_USAGE else. */
int msgw_put_mandatory(struct pf_storew *s, uint32_t nid);

/* Write PROPS as node NID's PC; values too big for the heap become new
 * subnodes in KEEP (NULL: a list of its own), whose entries written
 * elsewhere (pf_subw_add) are kept in the node's subnode tree. */
int msgw_write_pc(struct pf_storew *s, uint32_t nid, uint32_t parent,
		  const struct pf_plist *props, struct pf_subw *keep);
/* Write a table context as node NID: COLS, NROWS rows of CELLS (row-major,
 * column order, absent cells p NULL), ROW_IDS. */
int msgw_write_tc(struct pf_storew *s, uint32_t nid, uint32_t parent,
		  const uint32_t *cols, uint32_t ncols,
		  const uint32_t *row_ids, const struct pf_plist *cells,
		  uint32_t nrows);
/* The properties a folder's PC and its hierarchy-table row hold
 * (MS-PST 2.4.4.1.1). */
void msgw_folder_props(struct pf_plist *l, const char *name,
		       const char *container_class, uint32_t nmsgs,
		       uint32_t nunread, bool subfolders);

/* An EntryID (MS-PST 2.4.3.2) for NID in this store: 24 bytes. */
void msgw_entryid(const struct pf_storew *s, uint32_t nid, uint8_t out[24]);

#endif
