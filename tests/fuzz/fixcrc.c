/*
 * fixcrc.c - recompute the checksums of a fuzzed PST image (fixcrc.h).
 *
 * Only checksums are written: dwCRC and wSig of page trailers
 * (MS-PST 2.2.2.7.1) and block trailers (2.2.2.8.1), dwCRCPartial and
 * dwCRCFull of the header (2.2.2.6).  The BBT walk that finds the blocks
 * is bounded (depth PF_BT_MAX_DEPTH, FZ_MAX_PAGES pages) and reads only
 * inside the buffer, so a hostile image cannot make the fixer itself
 * loop or overrun.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../formats/util/pf_crc.h"
#include "../../formats/util/pf_le.h"
#include "fixcrc.h"

#define FZ_MAX_PAGES 4096u

static bool is_map(uint8_t ptype)
{
	return ptype >= PF_PTYPE_FMAP && ptype <= PF_PTYPE_FPMAP;
}

void fz_fix_page(const struct pf_layout *l, uint8_t *page, uint64_t ib)
{
	struct pf_page_trailer t;
	uint8_t *p = page + l->page_size - l->page_trailer;
	uint32_t crc = pf_crc(page, l->page_size - l->page_trailer);

	pf_page_trailer_get(l, page, &t);
	pf_put16(p + 2, is_map(t.ptype) ? 0 : pf_sig(ib, t.bid));
	/* ANSI: ptype ptypeRepeat wSig bid dwCRC; else wSig dwCRC bid */
	pf_put32(p + (l->bid_size == 4 ? 8 : 4), crc);
}

void fz_fix_block(const struct pf_layout *l, uint8_t *raw, uint32_t cb,
		  uint64_t ib)
{
	uint8_t *p = raw + pf_block_size(l, cb) - l->block_trailer;
	uint64_t bid = l->bid_size == 4 ? pf_le32(p + 4) : pf_le64(p + 8);

	pf_put16(p + 2, pf_sig(ib, bid));
	pf_put32(p + (l->bid_size == 4 ? 8 : 4), pf_crc(raw, cb));
}

static void fix_header(uint8_t *buf, size_t size, enum pf_variant v)
{
	if (size >= 8 + 471)
		pf_put32(buf + 4, pf_crc(buf + 8, 471));
	if (v != PF_ANSI && size >= 8 + 516)
		pf_put32(buf + 524, pf_crc(buf + 8, 516));
}

/* Pages are page-aligned (4K files: 4096); the header's region is not. */
static void fix_pages(const struct pf_layout *l, uint8_t *buf, size_t size)
{
	for (size_t ib = l->page_size; ib + l->page_size <= size;
	     ib += l->page_size) {
		const uint8_t *t = buf + ib + l->page_size - l->page_trailer;

		if (t[0] >= PF_PTYPE_BBT && t[0] <= PF_PTYPE_DL && t[1] == t[0])
			fz_fix_page(l, buf + ib, ib);
	}
}

struct walk {
	const struct pf_layout *l;
	uint8_t *buf;
	size_t size;
	uint32_t pages;
};

static void fix_leaf(struct walk *w, const struct pf_btpage *bt)
{
	for (uint32_t i = 0; i < bt->cent; i++) {
		struct pf_bbt_entry e;
		uint32_t ext;

		pf_bbt_entry_get(w->l, bt, i, &e);
		ext = pf_block_size(w->l, e.cb);
		if (ext <= w->l->block_max && e.bref.ib <= w->size &&
		    ext <= w->size - e.bref.ib)
			fz_fix_block(w->l, w->buf + e.bref.ib, e.cb,
				     e.bref.ib);
	}
}

static void walk_bbt(struct walk *w, uint64_t ib, uint32_t depth)
{
	struct pf_btpage bt;

	if (depth > PF_BT_MAX_DEPTH || w->pages >= FZ_MAX_PAGES ||
	    ib > w->size || w->l->page_size > w->size - ib)
		return;
	w->pages++;
	fz_fix_page(w->l, w->buf + ib, ib);
	pf_btpage_parse(w->l, w->buf + ib, ib, PF_OBJ_BBT, NULL, &bt);
	if (bt.level == 0) {
		fix_leaf(w, &bt);
		return;
	}
	for (uint32_t i = 0; i < bt.cent; i++) {
		struct pf_bt_branch br;

		pf_bt_branch_get(w->l, &bt, i, &br);
		walk_bbt(w, br.bref.ib, depth + 1);
	}
}

void fz_fix_file(uint8_t *buf, size_t size)
{
	struct pf_header h;
	struct pf_layout l;
	struct walk w;

	if (pf_header_decode(&h, buf, size) != 0 ||
	    !pf_layout_for(&l, h.variant))
		return;
	fix_header(buf, size, h.variant);
	fix_pages(&l, buf, size);
	w = (struct walk){ .l = &l, .buf = buf, .size = size };
	walk_bbt(&w, h.root.bbt.ib, 0);
}

uint8_t *fz_fixed_copy(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return NULL;
	memcpy(buf, data, size);
	fz_fix_file(buf, size);
	return buf;
}

int fz_memfd(const uint8_t *data, size_t size, int fix, char *path,
	     size_t n)
{
	uint8_t *fixed = fix ? fz_fixed_copy(data, size) : NULL;
	const uint8_t *in = fix ? fixed : data;
	int fd = in ? memfd_create("pstfix-fuzz", MFD_CLOEXEC) : -1;

	if (fd >= 0 && write(fd, in, size) != (ssize_t)size) {
		close(fd);
		fd = -1;
	}
	free(fixed);
	if (fd >= 0)
		snprintf(path, n, "/proc/self/fd/%d", fd);
	return fd;
}
