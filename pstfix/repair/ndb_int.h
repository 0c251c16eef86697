/*
 * ndb_int.h - the NDB repair stage (pf_repair_ndb), for
 * pstfix/repair/ndb_*.c only.
 *
 * The stage in steps, one file each:
 *   ndb_stage.c   open (probing the layout when the header is gone),
 *                 pick MAPS or rebuild, notes and counts
 *   ndb_maps.c    MAPS: keep both trees and every block in place, write
 *                 maps, DList and header (writer over mode, keep_trees)
 *   ndb_walk.c    a tolerant walk of one B-tree from its ROOT BREF: every
 *                 page that validates, the key ranges lost under pages
 *                 that do not (visited set, levels, depth bound)
 *   ndb_blocks.c  the block set: every block the trailer scan found, one
 *                 copy per BID, no two overlapping; internal blocks parsed
 *   ndb_nodes.c   the node set: the NBT's valid entries plus nodes lost
 *                 with unreadable NBT pages, from stale leaf pages
 *   ndb_trees.c   each node's data and subnode trees cut to what is
 *                 readable (new XBLOCK/SLBLOCK blocks when cut)
 *   ndb_orphans.c messages whose NBT entry was lost with no copy: their
 *                 PCs, still in the BBT or with the BBT lost, get new
 *                 nodes (lost and found)
 * The writer starts from a copy of IN made by a second thread
 * (repair_copy.c): the run's, started during its first scan, or one
 * started here for the trailer scan to overlap.
 */
#ifndef PF_REPAIR_NDB_INT_H
#define PF_REPAIR_NDB_INT_H

#include "../../formats/ndb/pf_scavenge.h"
#include "../../formats/util/pf_set.h"
#include "../../formats/write/pf_write.h"
#include "repair.h"
#include "repair_run.h"

/* A block of the output: the chosen copy, and for internal blocks what
 * they are (btype, cLevel) and the child BIDs they name. */
struct rp_block {
	uint64_t bid;            /* bit 0 clear */
	uint64_t ib;
	uint64_t kid_first;      /* into rp.kids */
	uint32_t kid_count;
	uint32_t lcb_total;      /* XBLOCK/XXBLOCK */
	uint16_t cb, cb_inflated;
	uint8_t btype, level;    /* internal blocks (0, 0 for data) */
	uint8_t in_bbt;          /* the copy the old BBT names */
	uint8_t dropped;         /* refused by the writer */
	uint8_t reseal;          /* trailer damaged, data sound: rewritten */
};

/* A key range [lo, hi) of a tree: covered by a valid page, or lost. */
struct rp_range {
	uint64_t lo, hi;
};

struct rp_walk {
	enum pf_obj obj;
	struct pf_nbt_entry *nbt;   /* leaf entries, in walk order */
	struct pf_bbt_entry *bbt;
	size_t n, cap;
	struct rp_range *lost;      /* ranges under unreadable pages */
	size_t nlost, cap_lost;
	struct pf_set pages;        /* offsets of the pages that validated */
	struct pf_bref *pv;         /* ... and their BREFs */
	size_t npages, cap_pv;
	bool root_ok;
};


struct rp {
	struct pf_repair_ctx *ctx;
	enum pf_repair_level level;
	const char *in, *out;
	struct pf_ndb *ndb;
	const struct pf_layout *l;
	struct pf_header hdr;
	enum pf_crypt crypt;
	bool ost;

	struct pf_scavenge scav;
	struct rp_walk nbt, bbt;

	struct rp_block *blocks;   /* sorted by bid */
	size_t nblocks;
	uint64_t *kids;
	size_t nkids, cap_kids;

	struct pf_nbt_entry *nodes; /* the output's NBT, sorted by nid */
	size_t nnodes;

	struct pf_writer *w;
	uint32_t notes_items;       /* per-item notes so far */
	uint32_t notes_capped;      /* per-item notes past the cap */
};

#define RP_NOTE_CAP 50              /* per-item notes, then a summary */

/* ndb_stage.c: one line through ctx->note (no-op without a callback). */
void rp_note(struct rp *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same for one item of many: after RP_NOTE_CAP only counted. */
void rp_note_item(struct rp *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ndb_walk.c */
int rp_walk_tree(struct rp *r, enum pf_obj obj, struct rp_walk *out);
void rp_walk_free(struct rp_walk *w);
/* KEY lies in a range lost under an unreadable page. */
bool rp_walk_lost(const struct rp_walk *w, uint64_t key);

/* ndb_stage.c: a writer over a copy of IN with IN's layout and the
 * header's counters (raised to MIN_B / MIN_P when given). */
int rp_open_writer(struct rp *r, const struct pf_over_counters *c);
/* The same over COPY's file (a finished copy of IN), taken over. */
int rp_adopt_writer(struct rp *r, const struct pf_over_counters *c,
		    struct pf_repair_bgcopy *copy);
void rp_counters(const struct rp *r, struct pf_over_counters *c);

/* ndb_maps.c: MAPS; *fell_back when the trees are not sound enough to
 * keep (the caller rebuilds them). */
int rp_repair_maps(struct rp *r, bool *fell_back);

/* ndb_blocks.c */
int rp_choose_blocks(struct rp *r);
struct rp_block *rp_block_find(struct rp *r, uint64_t bid);
/* The kept copy's data (internal blocks as stored, inflated in 4K). */
int rp_block_read(struct rp *r, const struct rp_block *b, uint8_t **data,
		  size_t *cb);
int rp_keep_blocks(struct rp *r);
void rp_blocks_free(struct rp *r);

/* ndb_nodes.c */
int rp_choose_nodes(struct rp *r);

/* ndb_trees.c: a data tree or subnode tree as the output will have it:
 * the same BID, a new one (cut: changed), or gone (dead). */
struct fixed {
	uint64_t bid;
	uint64_t lcb;        /* data bytes below (data trees) */
	bool dead, changed;
};
int rp_fix_data(struct rp *r, uint64_t bid, struct fixed *f);
int rp_fix_subtree(struct rp *r, uint64_t bid, struct fixed *f);
int rp_write_nodes(struct rp *r);

/* ndb_orphans.c: message PCs no node names any more, given new nodes */
int rp_recover_orphans(struct rp *r);

#endif
