/*
 * pf_write.h - the PST writer, on the same structure definitions the
 * reader uses (pf_ndb.h, pf_ltp.h).
 *
 * Three layers, as in the reader:
 * - NDB (ndbw_*.c): a new file under a temporary name; blocks, data trees
 *   and subnode trees written as they come (append-only, so a multi-GB file
 *   never sits in memory); the NBT and BBT, the allocation maps, the DList
 *   and the header written by pf_writer_commit(), which fsyncs and renames.
 * - LTP (ltpw_*.c): heap-on-node, BTH, property context and table context
 *   built in memory as a list of heap blocks, then handed to the NDB layer.
 * - messaging (msgw_*.c): the store, the mandatory nodes, folders and
 *   messages.
 *
 * Contract
 * - Everything written passes the reader's checks (`pstfix scan` is clean
 *   on it): the writer's unit tests end with pf_check_file().
 * - Operational errors are negative PF_E_* codes with a message; a writer
 *   that failed is only good for pf_writer_abort().
 * - Nothing here prints.
 */
#ifndef PF_WRITE_H
#define PF_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../ltp/pf_ltp.h"
#include "../ndb/pf_ndb.h"

/* ==== NDB writer ======================================================= */

struct pf_write_opts {
	enum pf_variant variant;   /* PF_UNICODE (default 0 means this),
				      PF_ANSI, PF_UNICODE4K */
	enum pf_crypt crypt;       /* PF_CRYPT_PERMUTE is Outlook's default */
	bool ost;                  /* wMagicClient "SO" instead of "SM" */
	uint32_t unique_seed;      /* dwUnique start; fixed for tests */
};

struct pf_writer;

/* Create PATH's temporary sibling (PATH.tmp-XXXXXX) and start a file.
 * Nothing exists at PATH until pf_writer_commit(). */
int pf_writer_open(struct pf_writer **out, const char *path,
		   const struct pf_write_opts *opts);

/* Write the NBT, BBT, maps, DList and header; fsync; rename the temporary
 * file to PATH; fsync the directory; free the writer.  On failure the
 * temporary file is removed and the writer freed. */
int pf_writer_commit(struct pf_writer *w);

/* Remove the temporary file and free the writer (NULL allowed). */
void pf_writer_abort(struct pf_writer *w);

const struct pf_layout *pf_writer_layout(const struct pf_writer *w);

/* Largest data a single block holds (8176 Unicode, 8180 ANSI; 4K files:
 * see ndbw_block.c). */
size_t pf_writer_block_data_max(const struct pf_writer *w);

/* Write CB bytes as a node's data: one block when it fits, else data
 * blocks under an XBLOCK (or XXBLOCK).  *bid is 0 for CB == 0 (MS-PST:
 * a node with no data has bidData 0).  The caller's bytes are copied and
 * encoded; cRef is kept by the writer. */
int pf_writer_put_data(struct pf_writer *w, const uint8_t *data, size_t cb,
		       uint64_t *bid);

/* Write N blocks exactly as split by the caller (heap pages, table row
 * matrices: their boundaries matter) as one data tree. */
int pf_writer_put_blocks(struct pf_writer *w, uint8_t *const *blocks,
			 const size_t *cbs, uint32_t n, uint64_t *bid);

/* Write a subnode tree (SLBLOCK, or SIBLOCK over SLBLOCKs) for N entries
 * in any order; *bid 0 for N == 0. */
int pf_writer_put_subnodes(struct pf_writer *w, const struct pf_subnode *v,
			   uint32_t n, uint64_t *bid);

/* One XBLOCK (LEVEL 1: N data blocks) or XXBLOCK (LEVEL 2: N XBLOCKs)
 * over blocks already in the BBT, with the given lcbTotal: a repair that
 * cuts a data tree to its readable prefix. */
int pf_writer_put_xblock(struct pf_writer *w, unsigned level,
			 const uint64_t *bids, uint32_t n, uint64_t lcb_total,
			 uint64_t *bid);

/* Put a node in the NBT.  Each NID once. */
int pf_writer_add_node(struct pf_writer *w, uint32_t nid, uint64_t bid_data,
		       uint64_t bid_sub, uint32_t nid_parent);

/* The next NID of TYPE from the header's counters (rgnid). */
uint32_t pf_writer_new_nid(struct pf_writer *w, unsigned type);

/* ==== over mode: repairs keep what survives in place (ndbw_over.c) ==== */

/* The header counters to start from (MS-PST 2.2.2.6); the writer moves
 * them past every BID kept and every NID added. */
struct pf_over_counters {
	uint64_t bid_next_b;
	uint64_t bid_next_p;
	uint32_t unique;
	uint32_t rgnid[32];
};

/* Start PATH's temporary sibling (as pf_writer_open) as a copy of the
 * first CB_COPY bytes of SRC_FD, with OPTS' variant, crypt and ost flag
 * (the source's).  New space is allocated after the copy; COUNTERS may be
 * NULL.  Then keep blocks, add nodes, put new blocks, commit. */
int pf_writer_open_over(struct pf_writer **out, const char *path,
			int src_fd, uint64_t cb_copy,
			const struct pf_write_opts *opts,
			const struct pf_over_counters *counters);

/* The same without copying: SRC, a private file of the caller of exactly
 * CB_COPY bytes (an earlier stage's output), becomes the temporary and is
 * written in place (ndbw_over.c); after the call SRC is gone unless the
 * rename itself failed.  The caller may read [0, CB_COPY) of it through
 * a descriptor it opened before, until the commit (resealed trailers
 * aside, nothing there is written before it). */
int pf_writer_open_adopt(struct pf_writer **out, const char *path,
			 const char *src, uint64_t cb_copy,
			 const struct pf_write_opts *opts,
			 const struct pf_over_counters *counters);

/* A block that stays where it is: BID, IB, stored CB (CB_INFLATED for
 * 4K, 0 = same) and, for internal blocks (XBLOCK, XXBLOCK, SLBLOCK,
 * SIBLOCK), the child BIDs it names, so the commit counts cRef and frees
 * what no node reaches.  Ascending BIDs, before any new block or node.
 * PF_E_CORRUPT (writer still usable) when its place is impossible:
 * misaligned, past the copy, on a map page, overlapping a kept one. */
int pf_writer_keep_block(struct pf_writer *w, uint64_t bid, uint64_t ib,
			 uint16_t cb, uint16_t cb_inflated,
			 const uint64_t *kids, uint32_t nkids);

/* The same for a block whose data is sound but whose BLOCKTRAILER is not
 * (wSig, BID, cb or CRC wrong): the data stays, a new trailer is written
 * after it.  Only for data the caller has validated structurally: the CRC
 * is computed over the bytes as they are. */
int pf_writer_keep_block_resealed(struct pf_writer *w, uint64_t bid,
				  uint64_t ib, uint16_t cb,
				  uint16_t cb_inflated, const uint64_t *kids,
				  uint32_t nkids);

/* Whether [IB, IB+SIZE) (aligned to ALIGN) is a place something of the
 * copy could be kept at: inside the copy, within one AMap range, on no
 * map page.  What is kept already is not considered. */
bool pf_writer_place_ok(const struct pf_writer *w, uint64_t ib,
			uint64_t size, uint32_t align);

/* MAPS-only repair: keep an old NBT/BBT page allocated where it is (same
 * PF_E_CORRUPT rule), and keep both trees as the ROOT names them.  After
 * pf_writer_keep_trees() no node or new block can be added; the commit
 * writes the maps, the DList and the header only. */
int pf_writer_keep_page(struct pf_writer *w, uint64_t ib, uint64_t bid);
int pf_writer_keep_trees(struct pf_writer *w, const struct pf_bref *nbt,
			 const struct pf_bref *bbt);

/* ==== LTP builders ===================================================== */

/* Heap-on-node (MS-PST 2.3.1): allocations packed into blocks of at most
 * block_max bytes; HNHDR in block 0, HNBITMAPHDR in blocks 8, 136, ...,
 * HNPAGEHDR elsewhere; one HNPAGEMAP per block. */
#define PF_HN_MAX_ALLOC_CB 3580u   /* larger values go to subnodes */

struct pf_hnw {
	bool wide_hid;            /* 4K-page file: 5/14/13-bit HIDs */
	uint8_t client_sig;
	uint32_t hid_user_root;
	size_t block_max;
	/* blocks being filled: data and the offsets of their allocations */
	struct pf_hnw_block *blk;
	uint32_t nblocks, capblocks;
};

void pf_hnw_init(struct pf_hnw *h, uint8_t client_sig, size_t block_max);
void pf_hnw_free(struct pf_hnw *h);
/* Add an allocation of CB bytes (<= PF_HN_MAX_ALLOC_CB; 0 allowed) and
 * return its HID.  DATA may be NULL to reserve zeroed space. */
int pf_hnw_alloc(struct pf_hnw *h, const void *data, size_t cb,
		 uint32_t *hid);
/* Where allocation HID's bytes are, to fill in after allocating. */
uint8_t *pf_hnw_ptr(struct pf_hnw *h, uint32_t hid);
void pf_hnw_set_root(struct pf_hnw *h, uint32_t hid);
/* Lay out the blocks (headers, page maps) into malloc'd buffers the caller
 * owns: (*blocks)[i] of (*cbs)[i] bytes, *n of them. */
int pf_hnw_finish(struct pf_hnw *h, uint8_t ***blocks, size_t **cbs,
		  uint32_t *n);

/* BTH (MS-PST 2.3.2) over an HN: N records of cb_key + cb_ent bytes,
 * sorted by key (little-endian unsigned), split into leaves and index
 * levels that each fit one allocation.  *hid gets the BTHHEADER's HID. */
int pf_bthw_build(struct pf_hnw *h, uint8_t cb_key, uint8_t cb_ent,
		  const uint8_t *records, uint32_t n, uint32_t *hid);

/* Values too big for the heap become subnodes of the node being built:
 * the builder asks its caller to write them and remembers the entries. */
struct pf_subw {
	struct pf_writer *w;
	struct pf_subnode *v;   /* collected entries */
	uint32_t n, cap;
};

void pf_subw_init(struct pf_subw *s, struct pf_writer *w);
void pf_subw_free(struct pf_subw *s);
/* Write DATA as a new subnode of type PF_NT_LTP; *nid gets its NID. */
int pf_subw_put(struct pf_subw *s, const uint8_t *data, size_t cb,
		uint32_t *nid);
/* Add an entry written elsewhere (attachment PCs, tables). */
int pf_subw_add(struct pf_subw *s, uint32_t nid, uint64_t bid_data,
		uint64_t bid_sub);

/* A property value to write: TYPE and its bytes as stored (little-endian
 * numbers, UTF-16LE strings without terminator, multi-valued in the
 * MS-PST 2.3.3.4 layout).  Helpers below make the common ones. */
struct pf_wprop {
	uint32_t tag;          /* (id << 16) | type */
	const uint8_t *p;
	size_t cb;
};

/* Property context (MS-PST 2.3.3): PROPS in any order (each id once).
 * Values <= 4 bytes inline, larger in the heap, larger than the heap allows
 * in subnodes through SUB.  Writes the heap's blocks with the NDB writer
 * and returns the node's bidData. */
int pf_pcw_write(struct pf_writer *w, const struct pf_wprop *props,
		 uint32_t n, struct pf_subw *sub, uint64_t *bid_data);

/* Table context (MS-PST 2.3.4): NCOLS column tags (PidTagLtpRowId and
 * PidTagLtpRowVer are added first by the builder), NROWS rows; CELLS is
 * row-major, nrows * ncols values, a value with p == NULL is absent (its
 * cell-existence bit clear).  Row IDs are the values of the first column
 * the caller names PidTagLtpRowId in ROW_IDS.  The row matrix goes in the
 * heap when it fits one allocation, else in a subnode. */
int pf_tcw_write(struct pf_writer *w, const uint32_t *col_tags,
		 uint32_t ncols, const uint32_t *row_ids,
		 const struct pf_wprop *cells, uint32_t nrows,
		 struct pf_subw *sub, uint64_t *bid_data);

#endif
