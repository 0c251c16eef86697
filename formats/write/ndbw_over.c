/*
 * ndbw_over.c - over mode: a new file that starts as a copy of an old
 * one, so a repair keeps every surviving block and page where it is and
 * only adds what it rebuilds (SQLite's recover writes a new database; we
 * copy first because a PST's blocks are most of its bytes and rarely
 * damaged).
 *
 * Contract
 * - pf_writer_open_over() copies the first cb_copy bytes of the source
 *   (copy_file_range(2), falling back to pread/pwrite) into PATH's
 *   temporary sibling and makes the AMap ranges that cover them with
 *   nothing allocated but their map pages.  New space is allocated after
 *   the copy; bytes of the copy nothing keeps stay in the file as they
 *   are, free in the new AMap.
 * - pf_writer_keep_block() puts a block that stays where it is in the
 *   BBT and claims its space: calls come in ascending BID order, before
 *   any new block is written, and new BIDs start above the largest kept
 *   one.  A block whose place is impossible (misaligned, past the copy,
 *   on a map page, overlapping something kept) is refused with
 *   PF_E_CORRUPT and the writer stays usable: the caller drops it.
 * - pf_writer_keep_block_resealed() keeps the data bytes and writes a
 *   new BLOCKTRAILER (cb, wSig, CRC of the data as it is, BID): for a
 *   block whose trailer was damaged but whose data the caller validated.
 * - Kept internal blocks name their children so the commit counts cRef
 *   and frees what no node reaches, as for new blocks (ndbw_node.c).
 * - pf_writer_keep_page() + pf_writer_keep_trees(): the old NBT and BBT
 *   stay as they are (a MAPS-only repair); the commit then writes only
 *   the maps, the DList and the header.  Nodes and new blocks cannot be
 *   added then (cRef would not be updated).
 * - Counters (MS-PST 2.2.2.6): bidNextB, bidNextP, dwUnique and rgnid
 *   start from the caller's values and move past every kept BID and every
 *   node added; values no file could have (a nidIndex of 2^27 or more)
 *   are ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/pf_crc.h"
#include "ndbw_int.h"

#define COPY_CHUNK (8u << 20)

/* Plain pread/pwrite for the part copy_file_range() would not do. */
static int copy_rw(struct pf_writer *w, int src_fd, uint64_t off,
		   uint64_t end)
{
	uint8_t *buf = malloc(COPY_CHUNK);
	int rc = 0;

	if (!buf)
		return ndbw_fail(w, pf_error_set(PF_E_NOMEM, "out of memory"));
	while (rc == 0 && off < end) {
		size_t n = end - off < COPY_CHUNK ? (size_t)(end - off) :
						    COPY_CHUNK;
		ssize_t got = pread(src_fd, buf, n, (off_t)off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			rc = ndbw_fail(w, pf_error_set(PF_E_IO, "copy: read at "
				       "0x%llx: %s", (unsigned long long)off,
				       got < 0 ? strerror(errno) :
						 "unexpected end of file"));
			break;
		}
		rc = ndbw_pwrite(w, off, buf, (size_t)got);
		off += (uint64_t)got;
	}
	free(buf);
	return rc;
}

static int copy_file(struct pf_writer *w, int src_fd, uint64_t cb)
{
	loff_t in = 0, out = 0;

	while ((uint64_t)in < cb) {
		size_t n = cb - (uint64_t)in < (1u << 30) ?
			   (size_t)(cb - (uint64_t)in) : (1u << 30);
		ssize_t put = copy_file_range(src_fd, &in, w->fd, &out, n, 0);

		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)      /* EXDEV, ENOSYS, EINVAL, short source */
			break;
	}
	if ((uint64_t)in < cb)
		return copy_rw(w, src_fd, (uint64_t)in, cb);
	return 0;
}

/* SRC takes the name of the empty temporary ndbw_new made.  Not by a
 * rename over it: ext4 (auto_da_alloc) then writes out every dirty page
 * of SRC inside rename(2) -- 1.1 s for a 3 GB copy, with the process
 * waiting -- where the commit's fsync would write them anyway, after the
 * rebuild's work.  A link to the freed name (refused if anyone took it
 * meanwhile) and an unlink of SRC replace nothing; a file system without
 * hard links gets the rename. */
static int take_name(const char *src, const char *tmp)
{
	if (unlink(tmp) != 0)
		return -1;
	if (link(src, tmp) == 0)
		return unlink(src);
	if (errno == EEXIST)
		return -1;
	return rename(src, tmp);
}

/* SRC (the caller's private file) becomes the temporary, cut to CB bytes
 * (the rest reads as zeros, as after a copy).  No byte of [0, CB) is
 * written before the commit. */
static int adopt_file(struct pf_writer *w, const char *src, uint64_t cb)
{
	int fd;

	if (take_name(src, w->tmp_path) != 0)
		return ndbw_fail(w, pf_error_set(PF_E_IO, "cannot rename %s "
				 "to %s: %s", src, w->tmp_path,
				 strerror(errno)));
	fd = open(w->tmp_path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)cb) != 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return ndbw_fail(w, pf_error_set(PF_E_IO, "%s: %s",
				 w->tmp_path, strerror(e)));
	}
	close(w->fd);   /* the empty file, replaced by the rename */
	w->fd = fd;
	return 0;
}

static void set_counters(struct pf_writer *w,
			 const struct pf_over_counters *c)
{
	if (!c)
		return;
	if (c->bid_next_b > w->bid_next_b)
		w->bid_next_b = c->bid_next_b & ~(uint64_t)3;
	if (c->bid_next_p > w->bid_next_p)
		w->bid_next_p = c->bid_next_p & ~(uint64_t)3;
	w->unique = c->unique;
	for (unsigned t = 0; t < 32; t++)
		if (c->rgnid[t] > w->rgnid[t] && c->rgnid[t] < (1u << 27))
			w->rgnid[t] = c->rgnid[t];
}

/* The writer over PATH's temporary, its first CB_COPY bytes in place
 * by COPY (a copy of SRC_FD, or the adoption of SRC). */
static int open_over(struct pf_writer **out, const char *path,
		     int src_fd, const char *src, uint64_t cb_copy,
		     const struct pf_write_opts *opts,
		     const struct pf_over_counters *counters)
{
	struct pf_writer *w;
	uint64_t nranges;
	int rc = ndbw_new(&w, path, opts);

	*out = NULL;
	if (rc != 0)
		return rc;
	w->over = true;
	w->cb_copy = cb_copy;
	nranges = cb_copy <= w->l.amap_first ? 1 :
		  (cb_copy - w->l.amap_first + w->l.amap_span - 1) /
		  w->l.amap_span;
	set_counters(w, counters);
	rc = ndbw_ensure_range(w, nranges - 1);
	if (rc == 0)
		rc = src ? adopt_file(w, src, cb_copy) :
			   copy_file(w, src_fd, cb_copy);
	if (rc != 0) {
		pf_writer_abort(w);
		return rc;
	}
	w->cursor = cb_copy > w->l.amap_first ? cb_copy : w->l.amap_first;
	w->buf_ib = w->cursor;     /* the buffer never covers the copy */
	*out = w;
	return 0;
}

int pf_writer_open_over(struct pf_writer **out, const char *path,
			int src_fd, uint64_t cb_copy,
			const struct pf_write_opts *opts,
			const struct pf_over_counters *counters)
{
	return open_over(out, path, src_fd, NULL, cb_copy, opts, counters);
}

int pf_writer_open_adopt(struct pf_writer **out, const char *path,
			 const char *src, uint64_t cb_copy,
			 const struct pf_write_opts *opts,
			 const struct pf_over_counters *counters)
{
	return open_over(out, path, -1, src, cb_copy, opts, counters);
}

static int over_usage(struct pf_writer *w, const char *what)
{
	int rc = ndbw_check(w);

	if (rc != 0)
		return rc;
	if (!w->over)
		return ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: %s "
				 "needs pf_writer_open_over()", what));
	if (w->puts_started || w->nnodes > 0)
		return ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: %s "
				 "after new blocks or nodes", what));
	return 0;
}

/* Prefix the claim's message with what was refused. */
static int refused(int rc, const char *what, uint64_t bid)
{
	char why[256];

	snprintf(why, sizeof(why), "%s", pf_error_msg());
	return pf_error_set(rc, "%s 0x%llx: %s", what,
			    (unsigned long long)bid, why);
}

int pf_writer_keep_block(struct pf_writer *w, uint64_t bid, uint64_t ib,
			 uint16_t cb, uint16_t cb_inflated,
			 const uint64_t *kids, uint32_t nkids)
{
	bool internal = (bid & PF_BID_INTERNAL) != 0;
	uint64_t key = bid & ~(uint64_t)1;
	int rc = over_usage(w, "keeping a block");

	if (rc != 0)
		return rc;
	if (w->nblocks > 0 && key <= w->blocks[w->nblocks - 1].bid)
		return ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: kept "
				 "block 0x%llx is not above the last one",
				 (unsigned long long)bid));
	if (key == 0 || cb == 0 || cb > ndbw_data_max(w) ||
	    (!internal && nkids > 0))
		return pf_error_set(PF_E_CORRUPT, "block 0x%llx: cb %u, %u "
				    "children", (unsigned long long)bid, cb,
				    nkids);
	rc = ndbw_claim(w, ib, pf_block_size(&w->l, cb), w->l.block_align);
	if (rc != 0)
		return refused(rc, "block", bid);
	rc = ndbw_block_record(w, internal ? NDBW_KEPT_INT : NDBW_DATA, key,
			       ib, cb, cb_inflated ? cb_inflated : cb, kids,
			       nkids);
	if (rc == 0 && (key & ~(uint64_t)3) + 4 > w->bid_next_b)
		w->bid_next_b = (key & ~(uint64_t)3) + 4;
	return rc;
}

/* The block's data as the copy has it, a new trailer after it. */
static int reseal(struct pf_writer *w, uint64_t bid, uint64_t ib,
		  uint16_t cb, uint16_t cb_inflated)
{
	uint32_t size = pf_block_size(&w->l, cb);
	uint8_t *blk = w->scratch;      /* block_max bytes */
	ssize_t got = pread(w->fd, blk, size, (off_t)ib);

	if (got != (ssize_t)size)
		return ndbw_fail(w, pf_error_set(PF_E_IO, "%s: read at "
				 "0x%llx: %s", w->tmp_path,
				 (unsigned long long)ib, got < 0 ?
				 strerror(errno) : "short read"));
	ndbw_put_trailer(w, blk + size - w->l.block_trailer, cb,
			 cb_inflated ? cb_inflated : cb, ib, bid,
			 pf_crc(blk, cb));
	return ndbw_pwrite(w, ib + size - w->l.block_trailer,
			   blk + size - w->l.block_trailer,
			   w->l.block_trailer);
}

int pf_writer_keep_block_resealed(struct pf_writer *w, uint64_t bid,
				  uint64_t ib, uint16_t cb,
				  uint16_t cb_inflated, const uint64_t *kids,
				  uint32_t nkids)
{
	int rc = pf_writer_keep_block(w, bid, ib, cb, cb_inflated, kids,
				      nkids);

	if (rc == 0)
		rc = reseal(w, bid & ~(uint64_t)1, ib, cb, cb_inflated);
	return rc;
}

int pf_writer_keep_page(struct pf_writer *w, uint64_t ib, uint64_t bid)
{
	int rc = over_usage(w, "keeping a page");

	if (rc != 0)
		return rc;
	rc = ndbw_claim(w, ib, w->l.page_size, w->l.page_size);
	if (rc != 0)
		return refused(rc, "page", bid);
	if ((bid & ~(uint64_t)3) + 4 > w->bid_next_p)
		w->bid_next_p = (bid & ~(uint64_t)3) + 4;
	return 0;
}

int pf_writer_keep_trees(struct pf_writer *w, const struct pf_bref *nbt,
			 const struct pf_bref *bbt)
{
	int rc = over_usage(w, "keeping the B-trees");

	if (rc != 0)
		return rc;
	w->keep_trees = true;
	w->nbt_root = *nbt;
	w->bbt_root = *bbt;
	return 0;
}
