/*
 * ndb_internal.h - the struct behind struct pf_ndb, for formats/ndb only.
 */
#ifndef PF_NDB_INTERNAL_H
#define PF_NDB_INTERNAL_H

#include "pf_ndb.h"

#define PF_PAGE_CACHE_SLOTS 256
#define PF_WINDOW_CB (1u << 20)   /* pf_block_verify()'s read size */

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
};

/* N bytes at IB through the window (ndb.c): a pointer valid until the
 * next call, or a negative PF_E_* as pf_ndb_pread() gives. */
int pf_ndb_window(struct pf_ndb *ndb, uint64_t ib, size_t n,
		  const uint8_t **out);

#endif
