/*
 * pf_ndb.h - the node database layer of MS-PST 2.2: header and ROOT, pages,
 * the node and block B-trees, blocks, data trees and subnode trees.
 *
 * Contract
 * - pf_ndb_open() reads and decodes the header; it fails only when the file
 *   is not a PST/OST at all (PF_E_NOTPST), is a variant we do not read
 *   (PF_E_UNSUPPORTED) or cannot be read (PF_E_IO).  A header with bad CRCs
 *   still opens: the checker decides what that means.
 * - Every offset read from the file is checked against the file size before
 *   it is used; every count against its container.  Nothing here reads the
 *   whole file into memory.
 * - Validators take a struct pf_sink and report every fault they see; they
 *   return true when the object is still usable.  Readers that only want
 *   data pass a NULL sink and get PF_E_CORRUPT when the object is unusable.
 * - One struct pf_ndb is used by one thread at a time.
 */
#ifndef PF_NDB_H
#define PF_NDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/pf_err.h"
#include "../util/pf_fault.h"
#include "pf_crcmemo.h"

/* File format variants (MS-PST 2.2.2.6 wVer). */
enum pf_variant {
	PF_ANSI = 1,     /* wVer 14/15: 32-bit BIDs and offsets */
	PF_UNICODE,      /* wVer 23: 64-bit, 512-byte pages */
	PF_UNICODE4K,    /* wVer 36: 64-bit, 4 KiB pages, zlib blocks (OST) */
};

enum pf_crypt {
	PF_CRYPT_NONE = 0x00,
	PF_CRYPT_PERMUTE = 0x01,
	PF_CRYPT_CYCLIC = 0x02,
	PF_CRYPT_WIP = 0x10,    /* Windows Information Protection: unsupported */
};

/* Page types (MS-PST 2.2.2.7.1). */
enum pf_page_type {
	PF_PTYPE_BBT = 0x80,
	PF_PTYPE_NBT = 0x81,
	PF_PTYPE_FMAP = 0x82,
	PF_PTYPE_PMAP = 0x83,
	PF_PTYPE_AMAP = 0x84,
	PF_PTYPE_FPMAP = 0x85,
	PF_PTYPE_DL = 0x86,
};

#define PF_BID_INTERNAL  0x2u      /* MS-PST 2.2.2.2: internal block */

/* NID types (MS-PST 2.2.2.1): the low 5 bits of a NID. */
#define PF_NID_TYPE(nid) ((unsigned)(nid) & 0x1Fu)
#define PF_NID_INDEX(nid) ((uint32_t)(nid) >> 5)
enum pf_nid_type {
	PF_NT_HID = 0x00,
	PF_NT_INTERNAL = 0x01,
	PF_NT_NORMAL_FOLDER = 0x02,
	PF_NT_SEARCH_FOLDER = 0x03,
	PF_NT_NORMAL_MESSAGE = 0x04,
	PF_NT_ATTACHMENT = 0x05,
	PF_NT_SEARCH_UPDATE_QUEUE = 0x06,
	PF_NT_SEARCH_CRITERIA_OBJECT = 0x07,
	PF_NT_ASSOC_MESSAGE = 0x08,
	PF_NT_CONTENTS_TABLE_INDEX = 0x0A,
	PF_NT_RECEIVE_FOLDER_TABLE = 0x0B,
	PF_NT_OUTGOING_QUEUE_TABLE = 0x0C,
	PF_NT_HIERARCHY_TABLE = 0x0D,
	PF_NT_CONTENTS_TABLE = 0x0E,
	PF_NT_ASSOC_CONTENTS_TABLE = 0x0F,
	PF_NT_SEARCH_CONTENTS_TABLE = 0x10,
	PF_NT_ATTACHMENT_TABLE = 0x11,
	PF_NT_RECIPIENT_TABLE = 0x12,
	PF_NT_SEARCH_TABLE_INDEX = 0x13,
	PF_NT_LTP = 0x1F,
};

/* Per-variant sizes, filled by pf_ndb_open() from wVer. */
struct pf_layout {
	uint32_t page_size;      /* 512 or 4096 */
	uint32_t page_trailer;   /* bytes of PAGETRAILER */
	uint32_t bt_entries;     /* bytes of rgentries in a BTPAGE */
	uint32_t bid_size;       /* 4 or 8: BID, IB and NID slot width */
	uint32_t block_trailer;  /* bytes of BLOCKTRAILER */
	uint32_t block_align;    /* blocks start on multiples of this */
	uint32_t block_max;      /* largest block on disk, trailer included */
	uint32_t nbt_leaf_cb;    /* sizeof(NBTENTRY) */
	uint32_t bbt_leaf_cb;    /* sizeof(BBTENTRY) */
	uint32_t branch_cb;      /* sizeof(BTENTRY) */
	uint32_t amap_first;     /* offset of the first AMap page */
	uint32_t dlist_ib;       /* offset of the DList page */
	uint32_t amap_bits_ib;   /* where the bitmap starts in a map page */
	uint32_t amap_bits_cb;   /* bytes of bitmap in a map page */
	uint32_t amap_span;      /* bytes of file one AMap page describes */
	uint32_t amap_unit;      /* bytes of file one AMap bit describes */
};

struct pf_bref {
	uint64_t bid;
	uint64_t ib;
};

/* MS-PST 2.2.2.5 ROOT */
struct pf_root {
	uint64_t ib_file_eof;
	uint64_t ib_amap_last;
	uint64_t cb_amap_free;
	uint64_t cb_pmap_free;
	struct pf_bref nbt;
	struct pf_bref bbt;
	uint8_t f_amap_valid;
};

/* MS-PST 2.2.2.6 HEADER, decoded, with the CRCs we computed beside the
 * ones we read. */
struct pf_header {
	uint32_t magic;
	uint32_t crc_partial;
	uint32_t crc_partial_calc;
	uint16_t magic_client;     /* "SM" PST, "SO" OST, "AB" PAB */
	uint16_t ver;
	uint16_t ver_client;
	uint8_t platform_create;
	uint8_t platform_access;
	uint64_t bid_next_b;
	uint64_t bid_next_p;
	uint32_t unique;
	uint32_t rgnid[32];
	struct pf_root root;
	uint8_t sentinel;
	uint8_t crypt_method;
	uint32_t crc_full;         /* Unicode only */
	uint32_t crc_full_calc;
	enum pf_variant variant;
};

#define PF_MAGIC 0x4E444221u         /* "!BDN" */
#define PF_MAGIC_CLIENT_PST 0x4D53u  /* "SM" */
#define PF_MAGIC_CLIENT_OST 0x4F53u  /* "SO" */
#define PF_MAGIC_CLIENT_PAB 0x4241u  /* "AB" */

struct pf_ndb;

/* Open PATH read-only.  On failure *out is NULL and the message says why in
 * one line ("not a PST file: magic is 'From' ..."). */
int pf_ndb_open(struct pf_ndb **out, const char *path);
void pf_ndb_close(struct pf_ndb *ndb);

/* pf_ndb_open() for repair: with VARIANT set, that layout is used, and a
 * header that does not decode (magic or wVer gone) still opens with every
 * field zero but the variant and bCryptMethod (CRYPT) given; the root
 * BREFs are then 0 and pf_ndb_header_ok() is false.  Find VARIANT with
 * pf_ndb_probe(). */
struct pf_ndb_opts {
	enum pf_variant variant;    /* 0: from wVer, as pf_ndb_open() */
	enum pf_crypt crypt;        /* used only when the header is gone */
};
int pf_ndb_open_ex(struct pf_ndb **out, const char *path,
		   const struct pf_ndb_opts *opts);
bool pf_ndb_header_ok(const struct pf_ndb *ndb);

/* Find the layout of a file whose header cannot be trusted (probe.c):
 * the variant whose first AMap pages validate (ptype, BID = offset, CRC;
 * MS-PST 2.2.2.7.2), else the one under which most B-tree pages of the
 * first MiBs validate; *crypt from bCryptMethod when the header's tail
 * (bSentinel 0x80) survived, else -1 (pf_probe_crypt decides later).
 * PF_E_NOTPST when nothing fits. */
int pf_ndb_probe(const char *path, enum pf_variant *variant, int *crypt);

const struct pf_header *pf_ndb_header(const struct pf_ndb *ndb);
const struct pf_layout *pf_ndb_layout(const struct pf_ndb *ndb);
uint64_t pf_ndb_file_size(const struct pf_ndb *ndb);
const char *pf_ndb_path(const struct pf_ndb *ndb);

/* Read N bytes at IB.  PF_E_CORRUPT (with a message) when the range is past
 * the end of the file, PF_E_IO on a read error. */
int pf_ndb_pread(struct pf_ndb *ndb, uint64_t ib, void *buf, size_t n);

/* Decode a raw header buffer (at least PF_HEADER_CB bytes, fewer means
 * truncated).  Used by pf_ndb_open() and by unit tests and repair. */
#define PF_HEADER_CB 564u
int pf_header_decode(struct pf_header *h, const uint8_t *buf, size_t n);
/* Write H's changeable fields (wMagicClient, bidNextB/P, dwUnique, rgnid,
 * ROOT, bSentinel, bCryptMethod) into the raw header BUF of N bytes, at
 * H->variant's offsets, and recompute dwCRCPartial (and dwCRCFull). */
int pf_header_encode(uint8_t *buf, size_t n, const struct pf_header *h);
bool pf_layout_for(struct pf_layout *l, enum pf_variant v);

/* ---- pages (MS-PST 2.2.2.7) ---- */

struct pf_page_trailer {
	uint8_t ptype;
	uint8_t ptype_repeat;
	uint16_t sig;
	uint32_t crc;
	uint64_t bid;
};

void pf_page_trailer_get(const struct pf_layout *l, const uint8_t *page,
			 struct pf_page_trailer *t);

/* Validate a page read from IB against what referenced it: ptype, the
 * repeat, the BID (want_bid; for map pages the BID is the offset), the
 * signature (zero for map pages) and the CRC.  Returns true when the page
 * is what was asked for (CRC faults alone leave it usable: the content is
 * then checked structurally by the caller). */
bool pf_page_check(const struct pf_layout *l, const uint8_t *page,
		   uint64_t ib, uint8_t ptype, uint64_t want_bid,
		   enum pf_obj obj, const struct pf_sink *sink);

/* A page that proves itself without a referrer (scavenging, probing):
 * ptype known and repeated, wSig (0 and BID == IB for map pages) and CRC
 * right.  *ptype gets the type. */
bool pf_page_self_valid(const struct pf_layout *l, const uint8_t *page,
			uint64_t ib, uint8_t *ptype);

/* Read a page into BUF (page_size bytes) through a small cache. */
int pf_page_read(struct pf_ndb *ndb, uint64_t ib, uint8_t *buf);

/* ---- B-tree pages (MS-PST 2.2.2.7.7) ---- */

struct pf_btpage {
	const uint8_t *entries;
	uint32_t cent;
	uint32_t cent_max;
	uint32_t cb_ent;
	uint32_t level;
};

struct pf_nbt_entry {
	uint64_t nid;          /* 32 bits used; the upper half is padding */
	uint64_t bid_data;
	uint64_t bid_sub;
	uint32_t nid_parent;
};

struct pf_bbt_entry {
	struct pf_bref bref;
	uint16_t cb;           /* bytes of data (compressed size for 4K) */
	uint16_t cref;
	uint32_t cb_inflated;  /* 4K OST: size after inflate; else == cb */
};

struct pf_bt_branch {
	uint64_t key;
	struct pf_bref bref;
};

/* Parse the BTPAGE metadata and check cEnt, cEntMax, cbEnt and cLevel
 * against the layout.  `obj` is PF_OBJ_NBT or PF_OBJ_BBT. */
bool pf_btpage_parse(const struct pf_layout *l, const uint8_t *page,
		     uint64_t ib, enum pf_obj obj, const struct pf_sink *sink,
		     struct pf_btpage *out);
void pf_bt_branch_get(const struct pf_layout *l, const struct pf_btpage *p,
		      uint32_t i, struct pf_bt_branch *out);
void pf_nbt_entry_get(const struct pf_layout *l, const struct pf_btpage *p,
		      uint32_t i, struct pf_nbt_entry *out);
void pf_bbt_entry_get(const struct pf_layout *l, const struct pf_btpage *p,
		      uint32_t i, struct pf_bbt_entry *out);

/* Look a key up from the ROOT BREFs.  PF_E_NOTFOUND when absent,
 * PF_E_CORRUPT when a page on the way is unusable. BIDs are looked up with
 * the low bit ignored (MS-PST 2.2.2.2). */
int pf_nbt_lookup(struct pf_ndb *ndb, uint32_t nid, struct pf_nbt_entry *out);
int pf_bbt_lookup(struct pf_ndb *ndb, uint64_t bid, struct pf_bbt_entry *out);

/* An index the caller vouches for: FN answers BBT lookups exactly as the
 * tree would (0 and *OUT, or PF_E_NOTFOUND; BID has bit 0 cleared).  The
 * checker installs its sorted copy of the BBT once it has proved the tree
 * sound (every page valid, keys strictly ascending across the leaves,
 * each child's first key its parent entry's key): a lookup then costs a
 * binary search instead of three or four page reads and CRCs.  FN NULL
 * removes it. */
typedef int (*pf_bbt_index_fn)(void *ctx, uint64_t bid,
			       struct pf_bbt_entry *out);
void pf_ndb_set_bbt_index(struct pf_ndb *ndb, pf_bbt_index_fn fn, void *ctx);

/* Block CRCs through MEMO (pf_crcmemo.h): PF_MEMO_FILL notes every block
 * CRC this handle computes and finds right (M not sealed); PF_MEMO_TRUST
 * takes a trailer M holds as proved (M sealed, and the caller vouches that
 * this file's bytes are those M was filled from, see there).  The memo
 * must outlive the handle's reads; PF_MEMO_OFF or M NULL removes it. */
void pf_ndb_crc_memo(struct pf_ndb *ndb, struct pf_crc_memo *m,
		     enum pf_memo_mode mode);

/* Serve the in-order window reads (pf_block_verify) from a read-only
 * mapping of the file, 64 MiB at a time: the page cache's pages
 * themselves, not a copy (a rescan of a file just written spends a third
 * less).  A mapping that fails falls back to reads.  The caller vouches
 * that nothing truncates the file while it is open: a mapped page past
 * the end is SIGBUS, which is why a user's file is read, not mapped. */
void pf_ndb_map(struct pf_ndb *ndb);

/* Visit every leaf entry of one tree in key order (no validation beyond
 * what is needed to walk safely: use pstfix/check for that). */
typedef int (*pf_nbt_visit_fn)(void *ctx, const struct pf_nbt_entry *e);
int pf_nbt_foreach(struct pf_ndb *ndb, pf_nbt_visit_fn fn, void *ctx);
typedef int (*pf_bbt_visit_fn)(void *ctx, const struct pf_bbt_entry *e);
int pf_bbt_foreach(struct pf_ndb *ndb, pf_bbt_visit_fn fn, void *ctx);
/* Visit every page of OBJ's tree (PF_OBJ_NBT or PF_OBJ_BBT), parents
 * before children.  The walks end with PF_E_CORRUPT at a page that does
 * not validate or is reached twice. */
typedef int (*pf_bt_page_fn)(void *ctx, const struct pf_bref *bref,
			     uint32_t level);
int pf_bt_foreach_page(struct pf_ndb *ndb, enum pf_obj obj,
		       pf_bt_page_fn fn, void *ctx);

/* ---- blocks (MS-PST 2.2.2.8) ---- */

struct pf_block_trailer {
	uint16_t cb;
	uint16_t sig;
	uint32_t crc;
	uint64_t bid;
	uint32_t cb_inflated;  /* 4K OST only */
};

/* Bytes a block with CB bytes of data occupies on disk. */
uint32_t pf_block_size(const struct pf_layout *l, uint32_t cb);

/* Read the block E names, check its trailer (cb, BID, signature, CRC) and
 * return its data, decoded (external blocks) and inflated (4K OST), in a
 * malloc'd buffer the caller frees.  With a sink every fault is reported;
 * the block is returned when it is usable (a CRC mismatch alone still
 * returns the data, flagged through the sink, so salvage can use it). */
int pf_block_read(struct pf_ndb *ndb, const struct pf_bbt_entry *e,
		  const struct pf_sink *sink, uint8_t **data, size_t *cb);

/* The same with options.  PF_BLOCK_RAW: do not decode (the checker only
 * needs the stored bytes of external blocks).  The CRC is computed only
 * when there is a sink to tell: readers that pass NULL cannot act on it. */
#define PF_BLOCK_RAW 0x1u
int pf_block_read_ex(struct pf_ndb *ndb, const struct pf_bbt_entry *e,
		     const struct pf_sink *sink, unsigned flags,
		     uint8_t **data, size_t *cb);

/* Judge the block E names as pf_block_read_ex() does (the same faults
 * through SINK, the same return value) without handing its data back.
 * The bytes come through a window of PF_WINDOW_CB (1 MiB) the ndb keeps,
 * refilled by one read each time a block falls outside it, so a caller
 * that goes through the blocks in file order reads the file sequentially
 * in large pieces (the checker's pass 5).  A 4K block that must be
 * inflated is read as pf_block_read_ex() reads it. */
int pf_block_verify(struct pf_ndb *ndb, const struct pf_bbt_entry *e,
		    const struct pf_sink *sink);

/* Look BID up and read it. */
int pf_block_read_bid(struct pf_ndb *ndb, uint64_t bid,
		      const struct pf_sink *sink, uint8_t **data, size_t *cb);

/* The encodings (MS-PST 5.1, 5.2). */
extern const uint8_t pf_mpbb_r[256], pf_mpbb_s[256], pf_mpbb_i[256];
void pf_decode(enum pf_crypt method, uint64_t bid, uint8_t *p, size_t n);
void pf_encode(enum pf_crypt method, uint64_t bid, uint8_t *p, size_t n);

/* ---- data trees: XBLOCK / XXBLOCK (MS-PST 2.2.2.8.3.2) ---- */

/* The leaves of a node's data: the data block BIDs in order, and the total
 * the (X)XBLOCK claims.  A bid that is not internal is its own one leaf. */
struct pf_datatree {
	uint64_t *bids;
	uint32_t count;
	uint64_t lcb_total;     /* from the top XBLOCK, or the block's size */
};

int pf_datatree_load(struct pf_ndb *ndb, uint64_t bid,
		     const struct pf_sink *sink, struct pf_datatree *out);
void pf_datatree_free(struct pf_datatree *t);

/* Concatenate a node's data (bounded by `limit` bytes; PF_E_LIMIT past
 * it).  For heap-on-node use pf_datatree_load and read block by block. */
int pf_node_data_read(struct pf_ndb *ndb, uint64_t bid, size_t limit,
		      uint8_t **data, size_t *cb);

/* ---- subnode trees: SLBLOCK / SIBLOCK (MS-PST 2.2.2.8.3.3) ---- */

struct pf_subnode {
	uint32_t nid;
	uint64_t bid_data;
	uint64_t bid_sub;
};

struct pf_subnodes {
	struct pf_subnode *v;   /* sorted by nid */
	uint32_t count;
};

int pf_subnodes_load(struct pf_ndb *ndb, uint64_t bid_sub,
		     const struct pf_sink *sink, struct pf_subnodes *out);
void pf_subnodes_free(struct pf_subnodes *s);
const struct pf_subnode *pf_subnodes_find(const struct pf_subnodes *s,
					  uint32_t nid);

/* Internal block headers, parsed (shared by datatree, subnode, check). */
struct pf_xblock {
	uint8_t btype, level;
	uint16_t cent;
	uint32_t lcb_total;
	const uint8_t *rgbid;
};
bool pf_xblock_parse(const struct pf_layout *l, const uint8_t *data,
		     size_t cb, uint64_t bid, const struct pf_sink *sink,
		     struct pf_xblock *out);

struct pf_slblock {
	uint8_t btype, level;   /* level 0: SLENTRY, 1: SIENTRY */
	uint16_t cent;
	const uint8_t *rgentries;
	uint32_t cb_entry;
};
bool pf_slblock_parse(const struct pf_layout *l, const uint8_t *data,
		      size_t cb, uint64_t bid, const struct pf_sink *sink,
		      struct pf_slblock *out);

/* The BIDs internal block BID names (its data, CB bytes, as read):
 * XBLOCK/XXBLOCK rgbid, SLENTRY bidData and bidSub (zero ones left out),
 * SIENTRY bid; at most cEnt * 2.  *kids is malloc'd (NULL when none).
 * PF_E_CORRUPT when the block does not parse. */
int pf_block_kids(const struct pf_layout *l, const uint8_t *data,
		  size_t cb, uint64_t bid, uint64_t **kids, uint32_t *n);

/* Bounds kept in one place. */
#define PF_BT_MAX_DEPTH 16        /* far above any real tree (<= 4) */
#define PF_NODE_DATA_MAX (1u << 30) /* 1 GiB: one property value's limit */

#endif
