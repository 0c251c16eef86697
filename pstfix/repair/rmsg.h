/*
 * rmsg.h - what the messaging repair's files share (stage 3 of repair.h,
 * MS-PST 2.4 and 2.7): the plan the analysis makes and the writer
 * carries out.
 *
 * Contract
 * - rmsg_plan_make() reads IN (an NDB-sound file) through formats/msg and
 *   decides everything before a byte is written: the mandatory nodes to
 *   recreate, the folders (kept, recreated, "Recovered Items"), each
 *   node's final nidParent, the counts every folder must show, the
 *   folder PCs to rewrite and the tables to rebuild, each with a reason.
 * - rmsg_plan_write() carries the plan out through the writer's over
 *   mode: every block of IN is kept where it is, every node keeps its NBT
 *   entry except a moved orphan's (or a folder table's) nidParent,
 *   replaced nodes (rebuilt tables, rewritten PCs, a message's new
 *   attachment table) get new blocks, the commit frees the old ones.
 * - Every walk is bounded: parent chains by a per-folder state (a folder
 *   is entered once), the NBT by its own walk, table rows by the counts.
 * - Files: rmsg_plan.c (reading IN, mandatory nodes, counts, tables),
 *   rmsg_orphans.c (parents, "Recovered Items"), rmsg_write.c (OUT, the
 *   folder tables), rmsg_props.c (properties set on kept PCs, rows, the
 *   store), rmsg_nameid.c (the name-to-ID map), rmsg_attach.c
 *   (attachment tables), rmsg_heap.c and rmsg_bth.c (tolerant PC reads);
 *   repair_msg.c is the stage's entry point.
 */
#ifndef PF_RMSG_H
#define PF_RMSG_H

#include <stdbool.h>
#include <stdint.h>

#include "../../formats/msg/pf_msg.h"
#include "repair.h"

#define RMSG_RECOVERED_NAME "Recovered Items"

/* One NBT entry of IN and what becomes of it. */
struct rmsg_node {
	uint32_t nid;
	uint32_t parent;          /* nidParent in OUT */
	uint32_t parent_in;       /* nidParent in IN */
	uint64_t bid_data, bid_sub;
	bool replaced;            /* rewritten: new blocks (PC or table) */
	bool unreadable;          /* a message whose PC does not open */
	bool read;                /* a message with MSGFLAG_READ */
	bool fix_attach;          /* its attachment table disagrees with
				     its attachment subnodes */
	bool fix_props;           /* its PC or an attachment's has a value
				     that does not resolve (rmsg_salvage.c) */
	bool fix_heap;            /* its PC opens only by a tolerant read of
				     its heap (rmsg_heap.c) */
	bool fix_recip;           /* its recipient table does not open
				     (rmsg_recip.c) */
};

/* The store PC's required properties (MS-PST 2.4.3.1, 2.7.1). */
enum {
	RMSG_STORE_RECORD_KEY = 1u << 0,
	RMSG_STORE_DISPLAY_NAME = 1u << 1,
	RMSG_STORE_IPM_ENTRYID = 1u << 2,
};

/* Table kinds, as bits of rmsg_folder.rebuild. */
enum { RMSG_T_HIER = 0, RMSG_T_CONTENTS, RMSG_T_FAI, RMSG_T__COUNT };

struct rmsg_folder {
	uint32_t nid;
	uint32_t parent;          /* in OUT */
	char *name;               /* NULL: PC unreadable, no row names it */
	char *cls;                /* PC unreadable: from the parent's row */
	bool is_new;              /* recreated or "Recovered Items" */
	bool pc_ok;               /* its PC opens */
	bool rewrite_pc;          /* counts fixed (or PC recreated) */
	/* what the PC says */
	bool has_count, has_unread, has_subfolders_prop;
	int32_t count_in, unread_in;
	bool subfolders_in;
	/* what the NBT says after the plan */
	uint32_t nmsgs, nunread, nassoc, nsubs;
	unsigned rebuild;         /* bits 1 << RMSG_T_* */
	char why[RMSG_T__COUNT][64];
	uint8_t state;            /* parent walk: 0 new, 1 on path, 2 done */
	const char *moved_why;    /* an orphan folder: why it moved */
};

/* The nodes by their parent in OUT, then NID: children without a scan. */
struct rmsg_kid {
	uint32_t parent, nid, idx;   /* idx: into rmsg_plan.nodes */
};

struct rmsg_plan {
	struct rmsg_node *nodes;  /* IN's NBT, by NID */
	uint32_t nnodes;
	struct rmsg_kid *kids;    /* nnodes of them, by (parent, nid) */
	struct rmsg_folder *f;    /* by NID */
	uint32_t nf;
	uint32_t missing[32];     /* mandatory non-folder nodes to create */
	bool missing_there[32];   /* ... that are there but do not open */
	uint32_t nmissing;
	unsigned store_lacks;     /* RMSG_STORE_* the store PC lacks */
	bool nameid_rehash;       /* the map's bucket count is not 251 or
				     its streams are damaged: rebuilt */
	int32_t nameid_buckets_in;   /* what it was (-1: absent) */
	uint32_t ipm;             /* the IPM subtree: the store's
				     PidTagIpmSubTreeEntryId (OSTs have
				     their own), else 0x8022 */
	uint32_t recovered;       /* "Recovered Items" NID, 0: not needed */
	bool recovered_new;
	uint32_t orphan_msgs, orphan_folders, unreadable_msgs, messages;
	uint32_t tables_reparented;   /* folder tables given nidParent 0 */
	uint32_t attach_fixes;        /* messages with fix_attach */
	uint32_t std[8];          /* PF_FOLDER_*: for a recreated store */
	uint8_t record_key[16];
	bool has_record_key;
};

int rmsg_plan_make(struct rmsg_plan *p, struct pf_ndb *ndb,
		   struct pf_repair_ctx *ctx);
void rmsg_plan_free(struct rmsg_plan *p);
struct rmsg_node *rmsg_node(const struct rmsg_plan *p, uint32_t nid);
struct rmsg_folder *rmsg_folder(const struct rmsg_plan *p, uint32_t nid);
/* The children of PARENT in OUT: kids[*first, *first + return). */
uint32_t rmsg_kids(const struct rmsg_plan *p, uint32_t parent,
		   uint32_t *first);
/* rmsg_plan.c: NID kinds (MS-PST 2.2.2.1), the folder list. */
bool rmsg_is_folder(uint32_t nid);
bool rmsg_is_item(uint32_t nid);     /* message or FAI message */
bool rmsg_is_table(uint32_t nid);    /* a folder's hierarchy/contents/FAI */
int rmsg_cmp_folder(const void *a, const void *b);
/* Append a folder (CAP: the array's capacity); NULL when out of memory.
 * The caller sorts the array again. */
struct rmsg_folder *rmsg_add_folder(struct rmsg_plan *p, uint32_t nid,
				    uint32_t parent, uint32_t *cap);

/* rmsg_orphans.c: the IPM subtree, "Recovered Items" (found or planned),
 * every node's parent in OUT, and a "Recovered Items" nothing needed
 * dropped again. */
void rmsg_find_ipm(struct rmsg_plan *p, struct pf_ndb *ndb);
int rmsg_plan_recovered(struct rmsg_plan *p, struct pf_ndb *ndb,
			uint32_t *cap);
int rmsg_plan_orphans(struct rmsg_plan *p);
void rmsg_drop_unused_recovered(struct rmsg_plan *p);

/* A folder's name for notes: its display name or "0x8082". */
const char *rmsg_folder_label(const struct rmsg_folder *f, char *buf,
			      size_t cb);

/* "name-to-id map" for 0x61: a mandatory node's name (MS-PST 2.7.1). */
const char *rmsg_mandatory_name(uint32_t nid);

/* "hierarchy", "contents", "FAI contents" for RMSG_T_*, and the NID
 * type of that table (MS-PST 2.4.4.1). */
const char *rmsg_table_name(int k);
unsigned rmsg_table_type(int k);

/* Write OUT from IN (open as NDB) following P. */
int rmsg_plan_write(struct rmsg_plan *p, struct pf_ndb *ndb,
		    const char *out, struct pf_repair_ctx *ctx);

/* What the writing files share (rmsg_write.c runs them). */
struct pf_plist;
struct pf_set;
struct pf_storew;
struct rmsg_w {
	struct rmsg_plan *p;
	struct pf_ndb *ndb;
	struct pf_writer *w;
	struct pf_storew *s;
	struct pf_repair_ctx *ctx;
};

/* rmsg_props.c: one table row, PC's values (NULL: none) in the order of
 * COLS, copied byte for byte; a value of another type than its column's
 * is an absent cell. */
void rmsg_row_cells(const struct pf_pc *pc, const uint32_t *cols,
		    uint32_t ncols, struct pf_plist *cells);
/* A folder's three counts (MS-PST 2.4.4.1.1) as OUT has them. */
void rmsg_put_counts(struct pf_plist *l, const struct rmsg_folder *f);
/* M's properties but SET's and DROP's (NULL allowed), then SET's, into
 * L; the NIDs of subnodes that held values into VALS (NULL allowed). */
void rmsg_merge_pc(struct pf_plist *l, const struct pf_message *m,
		   const struct pf_plist *set, bool (*drop)(uint32_t),
		   struct pf_set *vals);
/* The same from a PC. */
void rmsg_merge_props(struct pf_plist *l, const struct pf_pc *pc,
		      const struct pf_plist *set, bool (*drop)(uint32_t),
		      struct pf_set *vals);
/* Node NID's PC written again that way, as node NID (parent PARENT). */
int rmsg_set_props(struct rmsg_w *x, uint32_t nid, uint32_t parent,
		   const struct pf_plist *set, bool (*drop)(uint32_t));
/* The store's missing required properties. */
int rmsg_fix_store(struct rmsg_w *x);
/* rmsg_nameid.c: does the name-to-ID map report damage in its streams;
 * the map written again from what survives, in 251 buckets, when the
 * plan says so. */
bool rmsg_nameid_faults(struct pf_ndb *ndb);
int rmsg_fix_nameid(struct rmsg_w *x);

/* rmsg_attach.c: does M's attachment table (subnode 0x671) list exactly
 * its attachment subnodes (MS-PST 2.4.6.1)? */
bool rmsg_attach_table_ok(struct pf_message *m);
/* Write node N again with a rebuilt attachment table: bidData kept, a new
 * subnode tree with the other subnodes as they were. */
int rmsg_attach_rebuild(struct pf_storew *s, struct pf_ndb *ndb,
			const struct rmsg_node *n, uint32_t *nrows);

/* rmsg_recip.c: does M have a recipient table that does not open
 * (MS-PST 2.4.5.2)?  Write node N again with that table put right from a
 * tolerant read, or replaced by an empty one (said). */
bool rmsg_recip_bad(struct pf_message *m);
int rmsg_recip_rebuild(struct rmsg_w *x, const struct rmsg_node *n);

/* rmsg_salvage.c: the LTP faults (>= 0) table NID's TC reports when
 * opened and validated (MS-PST 2.3.4), or a PF_E_* when it does not open
 * and reports none: anything but 0 means the table is unreadable. */
int rmsg_table_faults(struct pf_ndb *ndb, uint32_t nid);
/* Does M's PC, or one of its attachments' PCs, hold a property whose
 * value does not resolve or whose type is unknown (MS-PST 2.3.3.3)? */
bool rmsg_props_bad(struct pf_message *m);
/* Write item N again without those properties (noted, each one), every
 * other property and subnode as it was (rmsg_salvage.c). */
int rmsg_salvage_write(struct rmsg_w *x, const struct rmsg_node *n);

/* Does node N's PC report a fault when opened: its heap, its BTH header
 * or its record order (rmsg_salvage.c)?
 * rmsg_heap.c: open message N tolerantly (a bad HNHDR bSig ignored, a
 * lost HNPAGEMAP found again, MS-PST 2.3.1; the BTH put right by
 * rmsg_pc_bth_fix()), what was done into WHY (RMSG_WHY_CB bytes is
 * enough); the same for attachment NID of M;
 * rmsg_item_open(): the message as it opens, or tolerantly when its PC
 * is damaged (then n->fix_heap is set). */
#define RMSG_WHY_CB 256
bool rmsg_heap_faults(struct pf_ndb *ndb, const struct rmsg_node *n);
int rmsg_message_salvage(struct pf_message *m, struct pf_ndb *ndb,
			 const struct rmsg_node *n, char *why, size_t cbwhy);
int rmsg_attachment_salvage(struct pf_attachment *a, struct pf_message *m,
			    uint32_t nid, char *why, size_t cbwhy);
/* The blocks of the heap at BID_DATA (unreadable ones NULL), block 0's
 * HNHDR and HNPAGEMAP put right as for a PC; PF_E_CORRUPT when its page
 * map cannot be found.  Free with rmsg_heap_free(). */
int rmsg_heap_read(struct pf_ndb *ndb, uint64_t bid_data, uint8_t ***blocks,
		   size_t **cbs, uint32_t *n, char *why, size_t cbwhy);
void rmsg_heap_free(uint8_t **blocks, size_t *cbs, uint32_t n);
/* rmsg_bth.c: block 0 (D, CB) of a PC's heap with its BTH header and
 * record order put right where MS-PST fixes them; what into WHY. */
void rmsg_pc_bth_fix(uint8_t *d, size_t cb, bool wide, char *why,
		     size_t cbwhy);
/* Allocation HID of heap block 0 (D, CB): where it starts, its size in
 * *LEN; NULL when HID is not an allocation of block 0. */
uint8_t *rmsg_heap0_alloc(uint8_t *d, size_t cb, bool wide, uint32_t hid,
			  uint32_t *len);
int rmsg_item_open(struct pf_message *m, struct pf_ndb *ndb,
		   struct rmsg_node *n);

/* One note line at this stage's level (repair_note.c). */
#define rmsg_note(ctx, ...) \
	pf_repair_note((ctx), PF_REPAIR_MESSAGING, __VA_ARGS__)

#endif
