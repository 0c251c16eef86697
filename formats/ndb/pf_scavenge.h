/*
 * pf_scavenge.h - find every page and block of a PST/OST by its trailer,
 * without trusting the header's B-tree roots (the scan scanpst calls
 * "scavenge for blocks" and "scavenge for nodes").
 *
 * Contract
 * - pf_scavenge() reads the file once, front to back, in large
 *   sequential chunks (no random I/O), from the first AMap page to the
 *   end.  Memory grows with what is found, not with the file's size.
 * - A page is found when, at a page-aligned offset, its trailer
 *   (MS-PST 2.2.2.7.1) has ptype == ptypeRepeat, ptype NBT or BBT, wSig
 *   as MS-PST 5.5 computes it from its offset and BID, a matching CRC,
 *   and BTPAGE metadata that parses (2.2.2.7.7.1).  Its entries are kept
 *   (NBT leaf entries, BBT leaf entries; branch pages only as pages).
 * - A block is found when a BLOCKTRAILER (2.2.2.8.1) ends at a
 *   block_align boundary with 0 < cb <= the largest block, a non-zero
 *   BID, wSig computed from the block's own start (the end minus its
 *   aligned size) and a CRC over its cb stored bytes; 4K files also give
 *   the inflated size.  Nothing about the data is judged here.
 * - Several copies of one BID are all reported (sorted by BID, then ib):
 *   choosing one is the caller's policy.
 * - Bytes the file does not have (truncated) are simply not found;
 *   PF_E_IO and PF_E_NOMEM are the only errors.
 */
#ifndef PF_SCAVENGE_H
#define PF_SCAVENGE_H

#include "pf_ndb.h"

struct pf_scav_page {
	uint64_t ib;
	uint64_t bid;
	uint8_t ptype;          /* PF_PTYPE_NBT or PF_PTYPE_BBT */
	uint8_t level;
	uint16_t cent;
	uint64_t first;         /* leaf pages: index of the first entry in
				   nbt[] or bbt[] */
};

struct pf_scav_block {
	uint64_t bid;           /* as stored (bit 0 may be set) */
	uint64_t ib;
	uint16_t cb;            /* stored bytes */
	uint16_t cb_inflated;   /* 4K: bytes after inflate; else == cb */
};

struct pf_scavenge {
	struct pf_scav_page *pages;     /* in file order */
	size_t npages;
	struct pf_nbt_entry *nbt;       /* leaf entries, page after page */
	size_t nnbt;
	struct pf_bbt_entry *bbt;
	size_t nbbt;
	struct pf_scav_block *blocks;   /* sorted by BID (bit 0 clear), ib */
	size_t nblocks;
	uint64_t bytes_read;
	/* private: array capacities */
	size_t cap_pages, cap_nbt, cap_bbt, cap_blocks;
};

int pf_scavenge(struct pf_ndb *ndb, struct pf_scavenge *out);
void pf_scavenge_free(struct pf_scavenge *s);

/* The copies of BID (bit 0 ignored) in s->blocks: index of the first and
 * how many (0 when none). */
size_t pf_scavenge_block_find(const struct pf_scavenge *s, uint64_t bid,
			      size_t *count);

/* The encoding (bCryptMethod) under which most external blocks of S
 * decode to a heap-on-node header; PF_CRYPT_NONE when none does. */
int pf_probe_crypt(struct pf_ndb *ndb, const struct pf_scavenge *s,
		   enum pf_crypt *out);

#endif
