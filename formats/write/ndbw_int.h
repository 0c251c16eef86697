/*
 * ndbw_int.h - the NDB half of the writer, for formats/write/ndbw_*.c only.
 *
 * Contract
 * - struct pf_writer holds what a commit needs and nothing else: the BBT
 *   and NBT entry arrays, the child BIDs each internal block names (for the
 *   reference counts), one allocation bitmap per AMap range, the header
 *   counters and a sequential write buffer.  Block data goes to disk as it
 *   comes; nothing keeps it in memory.
 * - Space is handed out append-only (ndbw_alloc.c): a cursor moves through
 *   the file, skipping the map pages at the start of every AMap range and
 *   never letting an allocation straddle a range boundary.
 * - The first error is remembered (w->err, w->errmsg); every later call
 *   returns it again.  A failed writer is only good for pf_writer_abort().
 */
#ifndef PF_NDBW_INT_H
#define PF_NDBW_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/pf_set.h"
#include "pf_write.h"

/* What a block is; internal kinds have BID bit 1 set (MS-PST 2.2.2.2). */
enum ndbw_kind {
	NDBW_DATA = 0,      /* external data block (MS-PST 2.2.2.8.3.1) */
	NDBW_XBLOCK,        /* 2.2.2.8.3.2.1 */
	NDBW_XXBLOCK,       /* 2.2.2.8.3.2.2 */
	NDBW_SLBLOCK,       /* 2.2.2.8.3.3.1 */
	NDBW_SIBLOCK,       /* 2.2.2.8.3.3.2 */
	NDBW_KEPT_INT,      /* an internal block kept in place (over mode):
			       data or subnode tree, the caller parsed it */
};

/* One BBT leaf entry, plus what the commit needs to count references. */
struct ndbw_block {
	uint64_t bid;
	uint64_t ib;
	uint64_t kid_first;     /* children: kids[kid_first, +kid_count) */
	uint32_t kid_count;
	uint32_t refs;          /* references from live structures (commit) */
	uint16_t cb;            /* bytes stored (compressed size in 4K) */
	uint16_t cb_inflated;   /* bytes of data (== cb unless compressed) */
	uint8_t kind;           /* enum ndbw_kind */
	uint8_t live;           /* reachable from the NBT (commit) */
};

struct ndbw_node {
	uint32_t nid;
	uint32_t nid_parent;
	uint64_t bid_data;
	uint64_t bid_sub;
};

#define NDBW_BUF_CAP (1u << 20)      /* sequential write buffer */
#define NDBW_GAPS 32                 /* range tails kept for small blocks */

/* Free space behind the cursor: the tail of a range a block did not fit. */
struct ndbw_gap {
	uint64_t ib, end;
};

struct pf_writer {
	struct pf_layout l;
	enum pf_variant variant;
	enum pf_crypt crypt;
	bool ost;
	bool in_tree;            /* writing the leaves of a multi-block tree */
	char *path;              /* final name */
	char *tmp_path;          /* PATH.tmp-XXXXXX */
	int fd;

	/* write buffer: bytes [buf_ib, buf_ib + buf_len) not yet written */
	uint8_t *buf;
	size_t buf_len;
	uint64_t buf_ib;

	/* space (ndbw_alloc.c) */
	uint64_t cursor;         /* next free byte */
	uint64_t max_eof;        /* ibFileEof may not pass this */
	bool committing;         /* the B-trees are being written */
	uint8_t *amap;           /* nranges bitmaps of amap_bits_cb bytes */
	uint64_t nranges;
	size_t cap_ranges;
	struct ndbw_gap gaps[NDBW_GAPS];
	unsigned ngaps;

	/* counters (MS-PST 2.2.2.6) */
	uint64_t bid_next_b;
	uint64_t bid_next_p;
	uint32_t unique;
	uint32_t rgnid[32];

	/* the BBT (in BID order: BIDs only grow) and the NBT */
	struct ndbw_block *blocks;
	size_t nblocks, cap_blocks;
	uint64_t *kids;
	size_t nkids, cap_kids;
	struct ndbw_node *nodes;
	size_t nnodes, cap_nodes;
	struct pf_set nids;

	uint8_t *scratch;        /* one block's data */
	uint8_t *ibuf;           /* an internal block being built */
	uint8_t *zbuf;           /* 4K: a compressed block */
	size_t zbuf_cap;

	/* over mode (ndbw_over.c): the file started as a copy */
	bool over;
	bool keep_trees;         /* the old NBT/BBT stay: maps + header only */
	bool puts_started;       /* a new block was written: no more keeps */
	uint64_t cb_copy;

	/* set by the commit (or by pf_writer_keep_trees) */
	struct pf_bref nbt_root, bbt_root;

	int err;                 /* first error, or 0 */
	char errmsg[256];
};

/* ---- ndbw_file.c ---- */
/* A writer with its buffers and PATH's temporary sibling (both opens). */
int ndbw_new(struct pf_writer **out, const char *path,
	     const struct pf_write_opts *opts);
/* Remember the first error (code and message) and return it. */
int ndbw_fail(struct pf_writer *w, int rc);
/* 0, or the error the writer already failed with (message set again). */
int ndbw_check(struct pf_writer *w);

/* ---- ndbw_io.c: buffered sequential writes, random writes ---- */
/* A pointer to N bytes in the write buffer that will land at IB (IB at or
 * after everything written through the buffer so far; a gap is zeroed). */
int ndbw_reserve(struct pf_writer *w, uint64_t ib, size_t n, uint8_t **p);
/* Write N bytes at IB, wherever IB is: appended, into the buffer, or
 * straight to the file when that part was flushed already. */
int ndbw_write(struct pf_writer *w, uint64_t ib, const uint8_t *p,
	       size_t n);
int ndbw_flush(struct pf_writer *w);
int ndbw_pwrite(struct pf_writer *w, uint64_t ib, const void *p, size_t n);

/* ---- ndbw_alloc.c ---- */
/* SIZE bytes aligned to ALIGN (both multiples of the AMap unit). */
int ndbw_alloc(struct pf_writer *w, uint64_t size, uint32_t align,
	       uint64_t *ib);
/* Claim [IB, IB+SIZE) for something already in the file (over mode):
 * PF_E_CORRUPT, without failing the writer, when it is misaligned,
 * crosses a range or a map page, or overlaps something claimed. */
int ndbw_claim(struct pf_writer *w, uint64_t ib, uint64_t size,
	       uint32_t align);
/* Mark [IB, IB+SIZE) free again (a block the commit drops). */
void ndbw_free(struct pf_writer *w, uint64_t ib, uint64_t size);
/* Make sure range K exists (the commit wants at least one). */
int ndbw_ensure_range(struct pf_writer *w, uint64_t k);
uint64_t ndbw_range_ib(const struct pf_writer *w, uint64_t k);
uint8_t *ndbw_range_bits(struct pf_writer *w, uint64_t k);
/* Which map pages range K starts with (MS-PST 2.2.2.7.2 - 2.2.2.7.6). */
bool ndbw_has_pmap(const struct pf_writer *w, uint64_t k);
bool ndbw_has_fmap(const struct pf_writer *w, uint64_t k);
bool ndbw_has_fpmap(const struct pf_writer *w, uint64_t k);
/* Free units in range K, and the longest run of them. */
uint32_t ndbw_range_free(const struct pf_writer *w, uint64_t k,
			 uint32_t *longest);

/* ---- ndbw_block.c ---- */
size_t ndbw_data_max(const struct pf_writer *w);
/* Write one block of CB bytes (encoded when KIND is external data) that
 * names NKIDS child BIDs; *bid gets its BID. */
int ndbw_block_put(struct pf_writer *w, enum ndbw_kind kind,
		   const uint8_t *data, size_t cb, const uint64_t *kids,
		   uint32_t nkids, uint64_t *bid);
/* Append a BBT entry (BIDs ascending) and the child BIDs it names. */
int ndbw_block_record(struct pf_writer *w, enum ndbw_kind kind,
		      uint64_t bid, uint64_t ib, uint16_t cb,
		      uint16_t cb_inflated, const uint64_t *kids,
		      uint32_t nkids);
/* A BLOCKTRAILER at T (MS-PST 2.2.2.8.1) for a block at IB. */
void ndbw_put_trailer(const struct pf_writer *w, uint8_t *t, uint16_t cb,
		      uint16_t cb_inflated, uint64_t ib, uint64_t bid,
		      uint32_t crc);
/* The entry for BID (bit 0 ignored), or NULL. */
struct ndbw_block *ndbw_block_find(struct pf_writer *w, uint64_t bid);
/* BID is 0 or a block written here of the right kind: data (data, XBLOCK,
 * XXBLOCK) or, when SUB, a subnode tree (SLBLOCK, SIBLOCK). */
int ndbw_check_ref(struct pf_writer *w, uint64_t bid, bool sub);
/* Put an ID of the file's width (4 or 8 bytes). */
void ndbw_put_id(const struct pf_writer *w, uint8_t *p, uint64_t v);

/* ---- ndbw_node.c ---- */
/* Mark the blocks the NBT reaches, count cRef, drop the rest. */
int ndbw_refcount(struct pf_writer *w);

/* ---- ndbw_bt.c ---- */
/* Seal a page: trailer (ptype, wSig, CRC, BID) at its end. */
void ndbw_page_seal(const struct pf_writer *w, uint8_t *page, uint8_t ptype,
		    uint64_t ib, uint64_t bid);
uint64_t ndbw_page_bid(struct pf_writer *w);
int ndbw_write_trees(struct pf_writer *w);

/* ---- ndbw_maps.c ---- */
int ndbw_write_maps(struct pf_writer *w);

/* ---- ndbw_header.c ---- */
uint64_t ndbw_file_eof(const struct pf_writer *w);
uint64_t ndbw_amap_free_bytes(const struct pf_writer *w);
int ndbw_write_header(struct pf_writer *w);

#endif
