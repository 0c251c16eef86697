/*
 * fuzz_block.c - libFuzzer harness over the block layer of MS-PST 2.2.2.8
 * and what is built on it, through a real (memfd) file: block trailers
 * (cb, BID, wSig, dwCRC), decoding (bCryptMethod 0/1/2), 4K inflation,
 * XBLOCK/XXBLOCK data trees, SLBLOCK/SIBLOCK subnode trees, and the
 * heap-on-node, PC and TC opened from the NDB (values in subnodes too).
 *
 * Input: byte 0 picks the variant (low two bits mod 3: ANSI, Unicode,
 * 4K), bCryptMethod (bits 2-3 mod 3) and the mode (bit 7 set: raw,
 * trailers carry zero wSig/dwCRC; clear: checksum-fixing, both computed
 * by fixcrc.c).  Then up to 16 blocks, each: a flags byte (bit 0: internal
 * BID), a 2-byte cb, on 4K a 2-byte cbInflated, then cb data bytes
 * (zero-padded when the input ends).  Block i gets BID (i + 1) * 4 (+ 2
 * when internal), so block data names its siblings with small BIDs.  The
 * file around them is made well-formed: a header, a one-page BBT listing
 * every block, a one-page NBT with nid 0x21 (a PC) and 0x12E (a TC), both
 * on block 0 with block 1 as their subnode tree.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../formats/util/pf_le.h"
#include "fixcrc.h"
#include "fzread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BLOCKS 16
#define PAGE_BID 0x10000u

struct blk {
	uint64_t bid, ib;
	uint16_t cb, cb_inflated;
	const uint8_t *data;    /* into the input; cb_have bytes */
	size_t cb_have;
};

struct spec {
	struct pf_layout l;
	enum pf_variant v;
	uint8_t crypt;
	int fix;
	struct blk b[MAX_BLOCKS];
	uint32_t n;
	uint64_t size;
};

static void put_id(const struct pf_layout *l, uint8_t *p, uint64_t v)
{
	if (l->bid_size == 4)
		pf_put32(p, (uint32_t)v);
	else
		pf_put64(p, v);
}

static size_t take16(const uint8_t **d, size_t *n)
{
	size_t v = *n >= 2 ? pf_le16(*d) : 0;
	size_t k = *n >= 2 ? 2 : *n;

	*d += k;
	*n -= k;
	return v;
}

static void parse(struct spec *s, const uint8_t *d, size_t n)
{
	uint64_t ib = s->l.amap_first + 2 * s->l.page_size;
	uint32_t cb_max = s->l.block_max - s->l.block_trailer;

	while (n > 0 && s->n < MAX_BLOCKS) {
		struct blk *b = &s->b[s->n];
		uint8_t flags = d[0];

		d++;
		n--;
		b->bid = (uint64_t)(s->n + 1) * 4 + (flags & 1 ? 2 : 0);
		b->cb = (uint16_t)(take16(&d, &n) % (cb_max + 1));
		b->cb_inflated = b->cb;
		if (s->v == PF_UNICODE4K)
			b->cb_inflated = (uint16_t)take16(&d, &n);
		b->data = d;
		b->cb_have = n < b->cb ? n : b->cb;
		d += b->cb_have;
		n -= b->cb_have;
		b->ib = ib;
		ib += pf_block_size(&s->l, b->cb);
		s->n++;
	}
	s->size = ib;
}

static void write_header(const struct spec *s, uint8_t *f)
{
	struct pf_header h = {
		.variant = s->v, .magic_client = PF_MAGIC_CLIENT_PST,
		.bid_next_b = (uint64_t)(MAX_BLOCKS + 1) * 4,
		.bid_next_p = PAGE_BID + 8, .sentinel = 0x80,
		.crypt_method = s->crypt,
	};

	h.root.ib_file_eof = s->size;
	h.root.nbt = (struct pf_bref){ PAGE_BID, s->l.amap_first };
	h.root.bbt = (struct pf_bref){ PAGE_BID + 4,
				       s->l.amap_first + s->l.page_size };
	pf_put32(f, PF_MAGIC);
	pf_put16(f + 10, s->v == PF_ANSI ? 14 : s->v == PF_UNICODE ? 23 : 36);
	pf_put16(f + 12, 19);
	pf_header_encode(f, PF_HEADER_CB, &h);
}

/* A one-page leaf of ptype PTYPE holding CENT entries of CB_ENT bytes. */
static void finish_page(const struct pf_layout *l, uint8_t *page,
			uint64_t ib, uint8_t ptype, uint64_t bid,
			uint32_t cent, uint32_t cb_ent)
{
	uint8_t *m = page + l->bt_entries;
	uint8_t *t = page + l->page_size - l->page_trailer;

	if (l->page_size == 4096) {
		pf_put16(m, (uint16_t)cent);
		pf_put16(m + 2, (uint16_t)(l->bt_entries / cb_ent));
		m[4] = (uint8_t)cb_ent;
		m[5] = 0;
	} else {
		m[0] = (uint8_t)cent;
		m[1] = (uint8_t)(l->bt_entries / cb_ent);
		m[2] = (uint8_t)cb_ent;
		m[3] = 0;
	}
	t[0] = t[1] = ptype;
	put_id(l, t + (l->bid_size == 4 ? 4 : 8), bid);
	fz_fix_page(l, page, ib);
}

static void write_nbt(const struct spec *s, uint8_t *f)
{
	const struct pf_layout *l = &s->l;
	uint64_t ib = l->amap_first;
	uint8_t *p = f + ib;
	uint32_t w = l->bid_size;
	const uint32_t nids[2] = { 0x21, 0x12E };

	for (uint32_t i = 0; i < 2; i++) {
		uint8_t *e = p + i * l->nbt_leaf_cb;

		put_id(l, e, nids[i]);
		put_id(l, e + w, s->b[0].bid);
		put_id(l, e + 2 * w, s->n > 1 ? s->b[1].bid : 0);
		pf_put32(e + 3 * w, 0x122);
	}
	finish_page(l, p, ib, PF_PTYPE_NBT, PAGE_BID, 2, l->nbt_leaf_cb);
}

static void write_bbt(const struct spec *s, uint8_t *f)
{
	const struct pf_layout *l = &s->l;
	uint64_t ib = l->amap_first + l->page_size;
	uint8_t *p = f + ib;
	uint32_t w = l->bid_size;

	for (uint32_t i = 0; i < s->n; i++) {
		uint8_t *e = p + i * l->bbt_leaf_cb;

		put_id(l, e, s->b[i].bid);
		put_id(l, e + w, s->b[i].ib);
		pf_put16(e + 2 * w, s->b[i].cb);
		if (l->page_size == 4096) {
			pf_put16(e + 2 * w + 2, s->b[i].cb_inflated);
			pf_put16(e + 2 * w + 4, 2);
		} else {
			pf_put16(e + 2 * w + 2, 2);
		}
	}
	finish_page(l, p, ib, PF_PTYPE_BBT, PAGE_BID + 4, s->n,
		    l->bbt_leaf_cb);
}

static void write_block(const struct spec *s, const struct blk *b,
			uint8_t *f)
{
	const struct pf_layout *l = &s->l;
	uint8_t *raw = f + b->ib;
	uint8_t *t = raw + pf_block_size(l, b->cb) - l->block_trailer;

	memcpy(raw, b->data, b->cb_have);
	pf_put16(t, b->cb);
	if (l->bid_size == 4) {
		pf_put32(t + 4, (uint32_t)b->bid);
	} else {
		pf_put64(t + 8, b->bid);
		if (l->block_trailer >= 24)
			pf_put16(t + 18, b->cb_inflated);
	}
	if (s->fix)
		fz_fix_block(l, raw, b->cb, b->ib);
}

static uint8_t *build(const struct spec *s)
{
	uint8_t *f = calloc(1, s->size);

	if (!f)
		return NULL;
	write_header(s, f);
	write_nbt(s, f);
	write_bbt(s, f);
	for (uint32_t i = 0; i < s->n; i++)
		write_block(s, &s->b[i], f);
	return f;
}

static void count(void *ctx, const struct pf_fault *f)
{
	(*(uint32_t *)ctx)++;
	(void)f;
}

static void read_blocks(struct pf_ndb *ndb, const struct spec *s,
			const struct pf_sink *sink)
{
	for (uint32_t i = 0; i < s->n; i++) {
		struct pf_datatree dt;
		struct pf_subnodes sn;
		uint64_t *kids;
		uint8_t *d;
		size_t cb;
		uint32_t nk;

		if (pf_block_read_bid(ndb, s->b[i].bid, sink, &d, &cb) == 0) {
			if (pf_block_kids(&s->l, d, cb, s->b[i].bid, &kids,
					  &nk) == 0)
				free(kids);
			free(d);
		}
		if (pf_datatree_load(ndb, s->b[i].bid, sink, &dt) == 0)
			pf_datatree_free(&dt);
		if (pf_subnodes_load(ndb, s->b[i].bid, sink, &sn) == 0) {
			pf_subnodes_find(&sn, 0x21);
			pf_subnodes_free(&sn);
		}
	}
}

static void read_ltp(struct pf_ndb *ndb, const struct spec *s,
		     const struct pf_subnodes *sub, const struct pf_sink *sink)
{
	struct pf_pc pc;
	struct pf_tc tc;

	if (pf_pc_open(&pc, ndb, 0x21, s->b[0].bid, sub, sink) == 0)
		fz_read_pc(&pc, sink);
	if (pf_tc_open(&tc, ndb, 0x12E, s->b[0].bid, sub, sink) == 0)
		fz_read_tc(&tc, sink);
}

static void read_file(const char *path, const struct spec *s)
{
	uint32_t faults = 0;
	struct pf_sink sink = { count, &faults };
	struct pf_subnodes sub = { NULL, 0 }, *psub = NULL;
	struct pf_ndb *ndb;
	uint8_t *d;
	size_t cb;

	if (pf_ndb_open(&ndb, path) != 0)
		return;
	read_blocks(ndb, s, &sink);
	if (pf_node_data_read(ndb, s->b[0].bid, PF_NODE_DATA_MAX, &d,
			      &cb) == 0)
		free(d);
	if (s->n > 1 && pf_subnodes_load(ndb, s->b[1].bid, NULL, &sub) == 0)
		psub = &sub;
	read_ltp(ndb, s, psub, &sink);
	if (psub)
		pf_subnodes_free(psub);
	pf_ndb_close(ndb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec s = { .n = 0 };
	char path[64];
	uint8_t *f;
	int fd;

	if (size < 2)
		return 0;
	s.v = (enum pf_variant)(1 + (data[0] & 3) % 3);
	s.crypt = (uint8_t)((data[0] >> 2 & 3) % 3);
	s.fix = !(data[0] & 0x80);
	pf_layout_for(&s.l, s.v);
	parse(&s, data + 1, size - 1);
	if (s.n == 0)
		return 0;
	f = build(&s);
	fd = f ? memfd_create("pstfix-fuzz-block", MFD_CLOEXEC) : -1;
	if (fd >= 0 && write(fd, f, s.size) == (ssize_t)s.size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		read_file(path, &s);
	}
	if (fd >= 0)
		close(fd);
	free(f);
	return 0;
}
