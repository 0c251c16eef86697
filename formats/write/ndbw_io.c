/*
 * ndbw_io.c - the writer's I/O: one sequential write buffer for blocks and
 * B-tree pages, and positioned writes for what the commit patches in
 * place (map pages, DList, header).
 *
 * Contract: blocks and pages are mostly allocated in increasing file
 * order, so they go through a 1 MiB buffer and reach the disk in large
 * pwrite(2)s.  A small block placed in an earlier gap (the allocator
 * refills range tails) goes into the buffer if that part is still there,
 * else straight to the file (ndbw_write).  A small gap before the next
 * write (alignment, the map pages at the start of an AMap range) is
 * zero-filled in the buffer; a large one is left as a hole (it reads as
 * zeros).  The map pages are written over those zeros by the commit,
 * after ndbw_flush().
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ndbw_int.h"

#define ZERO_GAP_MAX (64u * 1024u)

int ndbw_pwrite(struct pf_writer *w, uint64_t ib, const void *p, size_t n)
{
	const uint8_t *q = p;

	while (n > 0) {
		ssize_t put = pwrite(w->fd, q, n, (off_t)ib);

		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return ndbw_fail(w, pf_error_set(PF_E_IO,
					 "%s: write at 0x%llx: %s",
					 w->tmp_path, (unsigned long long)ib,
					 put < 0 ? strerror(errno) :
						   "nothing written"));
		q += put;
		n -= (size_t)put;
		ib += (uint64_t)put;
	}
	return 0;
}

int ndbw_flush(struct pf_writer *w)
{
	int rc;

	if (w->buf_len == 0)
		return 0;
	rc = ndbw_pwrite(w, w->buf_ib, w->buf, w->buf_len);
	w->buf_ib += w->buf_len;
	w->buf_len = 0;
	return rc;
}

int ndbw_reserve(struct pf_writer *w, uint64_t ib, size_t n, uint8_t **p)
{
	uint64_t end = w->buf_ib + w->buf_len;
	int rc;

	if (ib < end || n > NDBW_BUF_CAP)
		return ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: write "
				 "of %zu bytes at 0x%llx is out of order", n,
				 (unsigned long long)ib));
	if (ib - end > ZERO_GAP_MAX) {          /* leave a hole */
		rc = ndbw_flush(w);
		if (rc != 0)
			return rc;
		w->buf_ib = ib;
		end = ib;
	}
	if (w->buf_len + (ib - end) + n > NDBW_BUF_CAP) {
		rc = ndbw_flush(w);
		if (rc != 0)
			return rc;
		w->buf_ib = ib;     /* the gap becomes a hole: reads as zero */
		end = ib;
	}
	memset(w->buf + w->buf_len, 0, (size_t)(ib - end));
	w->buf_len += (size_t)(ib - end);
	*p = w->buf + w->buf_len;
	w->buf_len += n;
	return 0;
}

int ndbw_write(struct pf_writer *w, uint64_t ib, const uint8_t *p,
	       size_t n)
{
	uint64_t end = w->buf_ib + w->buf_len;
	uint8_t *dst;
	int rc;

	if (ib < w->buf_ib) {              /* flushed already */
		size_t k = w->buf_ib - ib < n ? (size_t)(w->buf_ib - ib) : n;

		rc = ndbw_pwrite(w, ib, p, k);
		if (rc != 0 || k == n)
			return rc;
		ib += k;
		p += k;
		n -= k;
	}
	if (ib < end) {                    /* inside the buffer */
		size_t k = end - ib < n ? (size_t)(end - ib) : n;

		memcpy(w->buf + (ib - w->buf_ib), p, k);
		if (k == n)
			return 0;
		ib += k;
		p += k;
		n -= k;
	}
	rc = ndbw_reserve(w, ib, n, &dst);
	if (rc == 0)
		memcpy(dst, p, n);
	return rc;
}
