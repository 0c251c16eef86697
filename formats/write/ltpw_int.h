/*
 * ltpw_int.h - what the LTP builders (formats/write/ltpw_*.c) share; not
 * public.  Unit tests may include it to build heaps without a file.
 *
 * Contract
 * - struct pf_hnw_block is one heap block being filled (MS-PST 2.3.1):
 *   DATA holds block_max bytes laid out as on disk from offset 0 (the
 *   header's room [0, hdr) is left for pf_hnw_finish), allocations packed
 *   one after the other from the end of the header; IB[i] is where
 *   allocation i + 1 starts and IB[nalloc] where the last one ends (the
 *   HNPAGEMAP's rgibAlloc).  A block's DATA never moves once made, so
 *   pf_hnw_ptr() pointers stay valid until pf_hnw_free().
 * - ltpw_pc_build() / ltpw_tc_build() lay a PC or a TC out in a heap
 *   without touching the file; only values that need a subnode (and a
 *   row matrix too big for the heap) go through SUB, which must then have
 *   a writer.  pf_pcw_write() / pf_tcw_write() are these plus
 *   ltpw_hn_write().
 */
#ifndef PF_LTPW_INT_H
#define PF_LTPW_INT_H

#include "pf_write.h"

struct pf_hnw_block {
	uint8_t *data;      /* block_max bytes */
	uint16_t *ib;       /* rgibAlloc: cap entries */
	uint32_t nalloc;    /* cAlloc */
	uint32_t cap;       /* entries in ib */
	uint32_t used;      /* end of the last allocation (>= header) */
	uint32_t nfree;     /* zero-length allocations: cFree */
};

/* Header sizes (MS-PST 2.3.1.2 HNHDR, 2.3.1.3 HNPAGEHDR, 2.3.1.4
 * HNBITMAPHDR) and the fixed part of HNPAGEMAP (2.3.1.5). */
#define LTPW_HNHDR_CB       12u
#define LTPW_HNPAGEHDR_CB    2u
#define LTPW_HNBITMAPHDR_CB 66u
#define LTPW_HNPAGEMAP_CB    4u

/* The header block I starts with. */
uint32_t ltpw_hn_hdr_size(uint32_t i);

/* Free the N blocks and the two arrays pf_hnw_finish() returned. */
void ltpw_blocks_free(uint8_t **blocks, size_t *cbs, uint32_t n);

/* Finish H and write its blocks with pf_writer_put_blocks(); *bid gets
 * the node's bidData.  H is left as it was (the caller frees it). */
int ltpw_hn_write(struct pf_writer *w, struct pf_hnw *h, uint64_t *bid);

/* Write N caller-split blocks as a new subnode of type PF_NT_LTP. */
int ltpw_sub_put_blocks(struct pf_subw *s, uint8_t *const *blocks,
			const size_t *cbs, uint32_t n, uint32_t *nid);

/* The HNID a value of CB bytes at P gets: 0 when empty, a HID when it
 * fits one allocation, else the NID of a new subnode (SUB needed). */
int ltpw_value_hnid(struct pf_hnw *h, struct pf_subw *sub,
		    const uint8_t *p, size_t cb, uint32_t *hnid);

/* 0 when V has the shape its type needs (pf_value_shape(), PtypObject 8
 * bytes, a known type); else PF_E_USAGE with a message naming WHAT. */
int ltpw_check_value(uint32_t tag, const uint8_t *p, size_t cb,
		     const char *what);

/* PC (bClientSig bTypePC) of N properties into a fresh heap H. */
int ltpw_pc_build(struct pf_hnw *h, const struct pf_wprop *props,
		  uint32_t n, struct pf_subw *sub);

/* TC (bClientSig bTypeTC) into a fresh heap H.  VARIANT picks the
 * TCROWID width (2-byte dwRowIndex in PF_ANSI); a row matrix written as
 * a subnode is cut into blocks of h->block_max bytes (whole rows). */
int ltpw_tc_build(struct pf_hnw *h, const uint32_t *col_tags,
		  uint32_t ncols, const uint32_t *row_ids,
		  const struct pf_wprop *cells, uint32_t nrows,
		  enum pf_variant variant, struct pf_subw *sub);

#endif
