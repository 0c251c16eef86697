/*
 * ck.h - the checker's shared state, for pstfix/check only.
 *
 * The passes communicate through struct pf_ck: the BBT pass fills
 * `blocks`, the NBT pass fills `nodes`, the block pass counts references
 * into blocks[].refs, every pass claims the file space it finds in
 * `claims`, and the allocation pass compares the claims with the AMaps.
 */
#ifndef PF_CK_H
#define PF_CK_H

#include "../../formats/ndb/pf_ndb.h"
#include "check.h"

/* One BBT entry as the checker keeps it: 24 bytes, the largest per-block
 * cost of a scan (a 50 GB file has some 8 million blocks).  refs
 * saturates at REFS_MAX: a file would need a gigabyte of references to
 * one block to reach it.  A 4K file's cbInflated lives in ck->inflated
 * (ck_inflated()); elsewhere it equals cb (MS-PST 2.2.2.7.7.3). */
struct pf_block_rec {
	uint64_t bid;           /* as stored; compare with bit 0 cleared */
	uint64_t ib;
	uint16_t cb;
	uint16_t cref;
	uint32_t refs : 28;     /* references found by the block pass */
	uint32_t state : 2;     /* BLK_* */
	uint32_t role : 2;      /* ROLE_* bits: how it is referenced */
};

#define REFS_MAX ((1u << 28) - 1)

/* An internal block named as data (NBT or SLENTRY bidData, an XXBLOCK
 * entry) must be an XBLOCK/XXBLOCK; one named as a subnode tree (bidSub,
 * an SIENTRY) an SLBLOCK/SIBLOCK (MS-PST 2.2.2.8.3.2, 2.2.2.8.3.3). */
enum {
	ROLE_DATA = 1,
	ROLE_SUB = 2,
};

enum {
	BLK_UNREAD = 0,
	BLK_OK,
	BLK_BAD,                /* unusable: trailer or extent wrong */
	BLK_DEFER,              /* internal, btype unknown: parsed last */
};

struct pf_node_rec {
	uint32_t nid;
	uint32_t nid_parent;
	uint64_t bid_data;
	uint64_t bid_sub;
};

/* Every 64-byte unit (512 for 4K files) of the file, claimed at most once. */
struct pf_claims {
	uint8_t *bits;
	uint64_t units;
	uint32_t unit;
};

struct pf_ck {
	struct pf_ndb *ndb;
	const struct pf_layout *l;
	const struct pf_header *h;
	const struct pf_check_opts *opts;
	pf_finding_fn on_finding;
	void *on_finding_ctx;
	struct pf_check_summary *sum;
	struct pf_sink sink;
	uint32_t *per_code;      /* findings so far per problem row */

	struct pf_block_rec *blocks;   /* sorted by bid after pass 3 */
	uint16_t *inflated;            /* 4K files: cbInflated, by index */
	size_t nblocks;
	size_t finger;                 /* the entry ck_block found last */
	struct pf_node_rec *nodes;     /* sorted by nid after pass 4 */
	size_t nnodes;
	/* *_ok: the root page is usable, so lookups work; *_complete: every
	 * page was, so an absence from the tree proves something */
	bool bbt_ok, nbt_ok;
	bool bbt_complete, nbt_complete;
	uint64_t max_page_bid;
	uint64_t eof;                  /* min(file size, ibFileEof) bound */

	struct pf_claims claims;
	uint32_t overlaps;
	enum pf_pass pass;             /* the pass running now */
};

/* Report problem CODE about the place and values in F (F->obj and kind are
 * ignored).  `extra` fills %S. */
void ck_report(struct pf_ck *ck, uint16_t code, const struct pf_fault *f,
	       const char *extra);

/* Shorthand for checker findings. */
void ck_problem(struct pf_ck *ck, uint16_t code, uint64_t ib, uint64_t bid,
		uint32_t nid, uint64_t got, uint64_t want, const char *extra);

/* The sink handed to formats/: maps (obj, kind) to a problem row. */
void ck_fault(void *ctx, const struct pf_fault *f);

/* Emit the "... and N more" lines for capped codes. */
void ck_report_suppressed(struct pf_ck *ck);

/* The block table (ck_blocks.c): append one BBT entry (*CAP: the
 * capacity of ck->blocks), sort by BID (stable), go through it in file
 * order. */
int ck_push_block(struct pf_ck *ck, const struct pf_bbt_entry *e,
		  size_t *cap);
void ck_sort_blocks(struct pf_ck *ck);
struct ck_order {
	const struct pf_block_rec *v;
	size_t n;
	uint32_t *heap;         /* each run's head, least (ib, index) first */
	size_t nheap;
};
int ck_order_start(struct ck_order *o, const struct pf_ck *ck);
bool ck_order_next(struct ck_order *o, size_t *index);
void ck_order_free(struct ck_order *o);

/* Sort what the tree passes collected, so the lookups below work. */
void ck_sort_nodes(struct pf_ck *ck);

const struct pf_block_rec *ck_block(const struct pf_ck *ck, uint64_t bid);
uint32_t ck_inflated(const struct pf_ck *ck, const struct pf_block_rec *b);
/* The BBT entry B was read from, for the readers in formats/ndb. */
void ck_bbt_entry(const struct pf_ck *ck, const struct pf_block_rec *b,
		  struct pf_bbt_entry *out);
struct pf_block_rec *ck_block_mut(struct pf_ck *ck, uint64_t bid);
const struct pf_node_rec *ck_node(const struct pf_ck *ck, uint32_t nid);

/* Claim [ib, ib+cb) for WHAT; reports an overlap once per region. */
void ck_claim(struct pf_ck *ck, uint64_t ib, uint64_t cb, const char *what);

void ck_progress(struct pf_ck *ck, enum pf_pass pass, uint64_t done,
		 uint64_t total);

/* The passes, in order. */
void pass_header(struct pf_ck *ck);
void pass_bbt(struct pf_ck *ck);
void pass_nbt(struct pf_ck *ck);
void pass_blocks(struct pf_ck *ck);
void check_trees(struct pf_ck *ck);      /* pass 5's end: pass_trees.c */
void pass_amap(struct pf_ck *ck);
void pass_ltp(struct pf_ck *ck);
void pass_nameid(struct pf_ck *ck);
void pass_msg(struct pf_ck *ck);
void pass_xcheck(struct pf_ck *ck);

#endif
