/*
 * tu_xfile.h - a small PST written by formats/write for the unit tests
 * that need real blocks: one node (TU_XNID) whose data is an XBLOCK over
 * TU_XNBLK blocks of TU_XBLKCB bytes, byte i of the data
 * (i * 7 + i / 251) & 0xFF.  Used by test_alloc_bound.c and
 * test_crc_memo.c.
 */
#ifndef TU_XFILE_H
#define TU_XFILE_H

#include "tutil.h"

#include "../../formats/write/pf_write.h"

#define TU_XNID 0x200024u
#define TU_XNBLK 20
#define TU_XBLKCB 4000

/* Write the file at PATH; the node's data is TU_XNBLK * TU_XBLKCB bytes. */
static inline void tu_xfile_write(enum pf_variant v, const char *path)
{
	struct pf_write_opts o = { .variant = v, .crypt = PF_CRYPT_NONE };
	struct pf_writer *w = NULL;
	uint8_t *blocks[TU_XNBLK], *all = malloc((size_t)TU_XNBLK * TU_XBLKCB);
	size_t cbs[TU_XNBLK];
	uint64_t bid = 0;

	ck_assert_ptr_nonnull(all);
	for (size_t i = 0; i < (size_t)TU_XNBLK * TU_XBLKCB; i++)
		all[i] = (uint8_t)(i * 7 + i / 251);
	for (uint32_t i = 0; i < TU_XNBLK; i++) {
		blocks[i] = all + (size_t)i * TU_XBLKCB;
		cbs[i] = TU_XBLKCB;
	}
	ck_assert_msg(pf_writer_open(&w, path, &o) == 0, "%s",
		      pf_error_msg());
	ck_assert_int_eq(pf_writer_put_blocks(w, blocks, cbs, TU_XNBLK, &bid),
			 0);
	ck_assert_int_eq(pf_writer_add_node(w, TU_XNID, bid, 0, 0), 0);
	ck_assert_msg(pf_writer_commit(w) == 0, "%s", pf_error_msg());
	free(all);
}

#endif
