/*
 * ndb_internal.h - the struct behind struct pf_ndb, for formats/ndb only.
 */
#ifndef PF_NDB_INTERNAL_H
#define PF_NDB_INTERNAL_H

#include "pf_ndb.h"

#define PF_PAGE_CACHE_SLOTS 256
#define PF_WINDOW_CB (1u << 20)   /* pf_block_verify()'s read size */
#define PF_MAP_CB (64u << 20)     /* ... its mapping's (pf_ndb_map) */

struct pf_cache_slot {
	uint64_t ib;
	bool valid;
};

struct pf_ndb {
	int fd;
	char *path;
	uint64_t size;
	struct pf_header header;
	bool header_ok;          /* decoded from the file (pf_ndb_open_ex) */
	struct pf_layout layout;
	struct pf_cache_slot *cache;
	uint8_t *cache_data;
	uint8_t *win;            /* file bytes [win_ib, win_ib + win_len) */
	uint64_t win_ib;
	size_t win_len;
	pf_bbt_index_fn bbt_index;  /* pf_ndb_set_bbt_index() */
	void *bbt_index_ctx;
	bool mapped;                /* pf_ndb_map(): the window is ... */
	uint8_t *map;               /* ... file bytes [map_ib, +map_len) */
	uint64_t map_ib;
	size_t map_len;
	struct pf_crc_memo *memo;   /* pf_ndb_crc_memo() */
	enum pf_memo_mode memo_mode;
};

/* The CRC of the CB data bytes at RAW of the block at IB whose trailer
 * says BID and dwCRC STORED: STORED itself when the handle's memo vouches
 * for that trailer, else computed (and noted when equal, while filling). */
uint32_t pf_ndb_block_crc(struct pf_ndb *ndb, uint64_t ib, uint16_t cb,
			  uint64_t bid, uint32_t stored, const uint8_t *raw);

/* N bytes at IB through the window (ndb.c): a pointer valid until the
 * next call, or a negative PF_E_* as pf_ndb_pread() gives. */
int pf_ndb_window(struct pf_ndb *ndb, uint64_t ib, size_t n,
		  const uint8_t **out);

#endif
