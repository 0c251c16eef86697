/*
 * ndbw_alloc.c - the space allocator: AMap ranges and their bitmaps.
 *
 * Contract
 * - The file after the header area is a sequence of AMap ranges
 *   (MS-PST 2.2.2.7.2): range k starts at amap_first + k * amap_span with
 *   its AMap page, then (512-byte pages only) a PMap page at +512 when
 *   k % 8 == 0 (2.2.2.7.3), an FMap page at +1024 when k >= 128 and
 *   (k - 128) % 496 == 0 (2.2.2.7.5), an FPMap page at +1536 (Unicode)
 *   when k >= 8192 and (k - 8192) % 31744 == 0 (2.2.2.7.6).  4K-page
 *   files have only the AMap (libpff rejects a PMap there; no FMap or
 *   FPMap has been seen).
 * - Allocation is append-only: a cursor, aligned per request, skipping
 *   the map pages; nothing crosses a range boundary (a block is at most
 *   8 KiB, 64 KiB in 4K files; a range is 248 KiB / 15.9 MiB).  The tail
 *   of a range a request did not fit is kept as a gap (up to NDBW_GAPS of
 *   them) that later, smaller requests fill first: without that, 8 KiB
 *   blocks would waste about 2% of the file.
 * - Every allocation sets its AMap bits (one bit per amap_unit bytes, most
 *   significant bit first); a new range's map pages are marked allocated
 *   when the range is created, as the AMap "maps itself".
 * - The file never grows past max_eof (ANSI: 2 GB): PF_E_LIMIT.  Blocks
 *   leave room for the B-trees the commit will add (tree_reserve), so a
 *   file that is too big fails while its data is written, not at commit.
 */
#include <stdlib.h>
#include <string.h>

#include "ndbw_int.h"

uint64_t ndbw_range_ib(const struct pf_writer *w, uint64_t k)
{
	return w->l.amap_first + k * w->l.amap_span;
}

uint8_t *ndbw_range_bits(struct pf_writer *w, uint64_t k)
{
	return w->amap + (size_t)k * w->l.amap_bits_cb;
}

bool ndbw_has_pmap(const struct pf_writer *w, uint64_t k)
{
	return w->l.page_size == 512 && k % 8 == 0;
}

bool ndbw_has_fmap(const struct pf_writer *w, uint64_t k)
{
	return w->l.page_size == 512 && k >= 128 && (k - 128) % 496 == 0;
}

bool ndbw_has_fpmap(const struct pf_writer *w, uint64_t k)
{
	return w->variant == PF_UNICODE && k >= 8192 &&
	       (k - 8192) % 31744 == 0;
}

/* Bytes at the start of range K taken by map pages (a PMap-less range
 * with an FMap leaves +512 unused: it stays free in the AMap). */
static uint64_t maps_end(const struct pf_writer *w, uint64_t k)
{
	uint32_t ps = w->l.page_size;

	if (ndbw_has_fpmap(w, k))
		return 4 * ps;
	if (ndbw_has_fmap(w, k))
		return 3 * ps;
	if (ndbw_has_pmap(w, k))
		return 2 * ps;
	return ps;
}

static void set_bits(uint8_t *bits, uint64_t first, uint64_t count,
		     bool on)
{
	for (uint64_t u = first; u < first + count; u++) {
		uint8_t mask = (uint8_t)(0x80u >> (u & 7));   /* MSB first */

		if (on)
			bits[u >> 3] |= mask;
		else
			bits[u >> 3] &= (uint8_t)~mask;
	}
}

/* Mark [ib, ib+size) in its range's bitmap (never crosses a range). */
static void mark(struct pf_writer *w, uint64_t ib, uint64_t size, bool on)
{
	uint64_t k = (ib - w->l.amap_first) / w->l.amap_span;
	uint64_t off = ib - ndbw_range_ib(w, k);
	uint32_t unit = w->l.amap_unit;

	set_bits(ndbw_range_bits(w, k), off / unit,
		 (size + unit - 1) / unit, on);
}

static void init_range(struct pf_writer *w, uint64_t k)
{
	uint32_t ps = w->l.page_size;
	uint64_t ib = ndbw_range_ib(w, k);

	memset(ndbw_range_bits(w, k), 0, w->l.amap_bits_cb);
	mark(w, ib, ps, true);                        /* the AMap itself */
	if (ndbw_has_pmap(w, k))
		mark(w, ib + ps, ps, true);
	if (ndbw_has_fmap(w, k))
		mark(w, ib + 2 * ps, ps, true);
	if (ndbw_has_fpmap(w, k))
		mark(w, ib + 3 * ps, ps, true);
}

int ndbw_ensure_range(struct pf_writer *w, uint64_t k)
{
	uint64_t end = ndbw_range_ib(w, k + 1);

	if (k < w->nranges)
		return 0;
	if (end > w->max_eof || end < ndbw_range_ib(w, k))
		return ndbw_fail(w, pf_error_set(PF_E_LIMIT, "the file would "
				 "grow to %llu bytes, past the %s limit of "
				 "%llu bytes", (unsigned long long)end,
				 w->variant == PF_ANSI ? "ANSI PST" : "file",
				 (unsigned long long)w->max_eof));
	while (w->cap_ranges <= k) {
		size_t ncap = w->cap_ranges ? w->cap_ranges * 2 : 16;
		uint8_t *p = realloc(w->amap, ncap * w->l.amap_bits_cb);

		if (!p)
			return ndbw_fail(w, pf_error_set(PF_E_NOMEM,
					 "out of memory"));
		w->amap = p;
		w->cap_ranges = ncap;
	}
	while (w->nranges <= k)
		init_range(w, w->nranges++);
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* Bytes the commit's NBT and BBT pages will take with what is written
 * so far: the leaves, half as much again for index pages and map pages,
 * and 1 MiB of slack for nodes added after the last block. */
static uint64_t tree_reserve(const struct pf_writer *w)
{
	const struct pf_layout *l = &w->l;
	uint64_t leaves = w->nblocks / (l->bt_entries / l->bbt_leaf_cb) +
			  w->nnodes / (l->bt_entries / l->nbt_leaf_cb) + 2;

	return leaves * l->page_size * 3 / 2 + (1u << 20);
}

static int over_limit(struct pf_writer *w, uint64_t end)
{
	return ndbw_fail(w, pf_error_set(PF_E_LIMIT, "the file would grow "
			 "to %llu bytes with its B-trees, past the %s limit "
			 "of %llu bytes", (unsigned long long)end,
			 w->variant == PF_ANSI ? "ANSI PST" : "file",
			 (unsigned long long)w->max_eof));
}

/* Remember [ib, end) for later; when full, keep the larger gaps. */
static void add_gap(struct pf_writer *w, uint64_t ib, uint64_t end)
{
	unsigned slot = w->ngaps, small = 0;

	if (end - ib < w->l.amap_unit)
		return;
	if (slot == NDBW_GAPS) {
		for (unsigned i = 1; i < NDBW_GAPS; i++)
			if (w->gaps[i].end - w->gaps[i].ib <
			    w->gaps[small].end - w->gaps[small].ib)
				small = i;
		if (w->gaps[small].end - w->gaps[small].ib >= end - ib)
			return;
		slot = small;
	} else {
		w->ngaps++;
	}
	w->gaps[slot] = (struct ndbw_gap){ ib, end };
}

/* First fit in the gaps; false when none has room. */
static bool from_gap(struct pf_writer *w, uint64_t size, uint32_t align,
		     uint64_t *ib)
{
	for (unsigned i = 0; i < w->ngaps; i++) {
		struct ndbw_gap *g = &w->gaps[i];
		uint64_t pos = align_up(g->ib, align);

		if (pos + size > g->end)
			continue;
		*ib = pos;
		g->ib = pos + size;
		if (g->end - g->ib < w->l.amap_unit)
			w->gaps[i] = w->gaps[--w->ngaps];
		return true;
	}
	return false;
}

int ndbw_alloc(struct pf_writer *w, uint64_t size, uint32_t align,
	       uint64_t *ib)
{
	uint64_t pos = align_up(w->cursor, align);
	int rc;

	if (size == 0 || size > w->l.amap_span / 2)
		return ndbw_fail(w, pf_error_set(PF_E_USAGE, "writer: cannot "
				 "allocate %llu bytes",
				 (unsigned long long)size));
	if (from_gap(w, size, align, ib)) {
		mark(w, *ib, size, true);
		return 0;
	}
	for (;;) {
		uint64_t k = (pos - w->l.amap_first) / w->l.amap_span;
		uint64_t start = ndbw_range_ib(w, k);

		if (pos < start + maps_end(w, k))
			pos = align_up(start + maps_end(w, k), align);
		if (pos + size <= start + w->l.amap_span) {
			rc = ndbw_ensure_range(w, k);
			if (rc != 0)
				return rc;
			break;
		}
		/* the rest of this range waits for a smaller request */
		if (k < w->nranges)
			add_gap(w, w->cursor > start + maps_end(w, k) ?
				   w->cursor : start + maps_end(w, k),
				start + w->l.amap_span);
		pos = ndbw_range_ib(w, k + 1);     /* next range */
	}
	if (!w->committing && pos + size + tree_reserve(w) > w->max_eof)
		return over_limit(w, pos + size + tree_reserve(w));
	mark(w, pos, size, true);
	w->cursor = pos + size;
	*ib = pos;
	return 0;
}

static bool any_set(const uint8_t *bits, uint64_t first, uint64_t count)
{
	for (uint64_t u = first; u < first + count; u++)
		if (bits[u >> 3] & (0x80u >> (u & 7)))
			return true;
	return false;
}

/* [ib, ib+size) inside range K overlaps one of its map pages. */
static bool on_map_page(const struct pf_writer *w, uint64_t k, uint64_t ib,
			uint64_t size)
{
	uint64_t start = ndbw_range_ib(w, k), ps = w->l.page_size;
	bool has[4] = { true, ndbw_has_pmap(w, k), ndbw_has_fmap(w, k),
			ndbw_has_fpmap(w, k) };

	for (unsigned i = 0; i < 4; i++)
		if (has[i] && ib < start + (i + 1) * ps &&
		    ib + size > start + i * ps)
			return true;
	return false;
}

bool pf_writer_place_ok(const struct pf_writer *w, uint64_t ib,
			uint64_t size, uint32_t align)
{
	uint64_t k;

	if (!w->over || size == 0 || ib % align != 0 ||
	    ib < w->l.amap_first || ib > w->cb_copy || size > w->cb_copy - ib)
		return false;
	k = (ib - w->l.amap_first) / w->l.amap_span;
	return k < w->nranges &&
	       ib + size <= ndbw_range_ib(w, k) + w->l.amap_span &&
	       !on_map_page(w, k, ib, size);
}

int ndbw_claim(struct pf_writer *w, uint64_t ib, uint64_t size,
	       uint32_t align)
{
	uint64_t k, start, unit = w->l.amap_unit;

	if (!pf_writer_place_ok(w, ib, size, align))
		return pf_error_set(PF_E_CORRUPT, "0x%llx+%llu is no place "
				    "for it: outside the copy, across an AMap "
				    "range or on a map page",
				    (unsigned long long)ib,
				    (unsigned long long)size);
	k = (ib - w->l.amap_first) / w->l.amap_span;
	start = ndbw_range_ib(w, k);
	if (any_set(ndbw_range_bits(w, k), (ib - start) / unit,
		    (size + unit - 1) / unit))
		return pf_error_set(PF_E_CORRUPT, "0x%llx+%llu overlaps "
				    "something kept already",
				    (unsigned long long)ib,
				    (unsigned long long)size);
	mark(w, ib, size, true);
	return 0;
}

void ndbw_free(struct pf_writer *w, uint64_t ib, uint64_t size)
{
	mark(w, ib, size, false);
}

/* Byte at a time: whole free or whole used bytes are the common case. */
uint32_t ndbw_range_free(const struct pf_writer *w, uint64_t k,
			 uint32_t *longest)
{
	const uint8_t *bits = w->amap + (size_t)k * w->l.amap_bits_cb;
	uint32_t nfree = 0, run = 0, best = 0;

	for (uint32_t i = 0; i < w->l.amap_bits_cb; i++) {
		uint8_t b = bits[i];

		if (b == 0x00 || b == 0xFF) {
			run = b ? 0 : run + 8;
			nfree += b ? 0 : 8;
			best = run > best ? run : best;
			continue;
		}
		for (unsigned j = 0; j < 8; j++) {
			run = (b & (0x80u >> j)) ? 0 : run + 1;
			nfree += (b & (0x80u >> j)) ? 0 : 1;
			best = run > best ? run : best;
		}
	}
	if (longest)
		*longest = best;
	return nfree;
}
