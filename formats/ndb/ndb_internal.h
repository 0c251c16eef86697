/*
 * ndb_internal.h - the struct behind struct pf_ndb, for formats/ndb only.
 */
#ifndef PF_NDB_INTERNAL_H
#define PF_NDB_INTERNAL_H

#include "pf_ndb.h"

#define PF_PAGE_CACHE_SLOTS 256

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
};

#endif
