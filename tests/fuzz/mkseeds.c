/*
 * mkseeds.c - seed inputs for the harnesses that do not take a whole file,
 * cut from real PST/OST files: tests/fuzz/long uses them (a seed that
 * already parses lets the fuzzer start past the format's outer checks).
 *
 * Usage: mkseeds OUTDIR FILE...   writes OUTDIR/fuzz_page, fuzz_block,
 * fuzz_ltp and fuzz_nameid, each in that harness's input format (see the
 * harness's header comment).  Not a harness and not part of the library.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../formats/ltp/pf_ltp.h"
#include "../../formats/util/pf_le.h"

#define PER_TYPE 3          /* nodes kept per NID type */
#define MAX_SEED 300000

struct seed {
	uint8_t b[MAX_SEED];
	size_t n;
};

struct ctx {
	struct pf_ndb *ndb;
	const struct pf_layout *l;
	const char *out, *tag;
	uint8_t vbits;          /* harness variant bits: 0 ANSI, 1, 2 4K */
	unsigned per_type[32];
	unsigned count;
};

static void put(struct seed *s, const void *p, size_t n)
{
	if (s->n + n > MAX_SEED)
		n = MAX_SEED - s->n;
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void put16(struct seed *s, uint16_t v)
{
	uint8_t b[2];

	pf_put16(b, v);
	put(s, b, 2);
}

static void save(const struct ctx *c, const char *harness,
		 const struct seed *s, uint32_t id)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", c->out, harness);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/%s/%s-%x", c->out, harness, c->tag,
		 id);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(s->b, 1, s->n, f);
	fclose(f);
}

/* fuzz_page: the NBT and BBT root pages, the first AMap, the DList. */
static void page_seeds(struct ctx *c)
{
	const struct pf_header *h = pf_ndb_header(c->ndb);
	uint64_t ibs[4] = { h->root.nbt.ib, h->root.bbt.ib, c->l->amap_first,
			    c->l->dlist_ib };
	uint8_t *page = malloc(c->l->page_size);

	for (int i = 0; page && i < 4; i++) {
		static struct seed s;
		uint8_t b[4];

		if (ibs[i] % c->l->page_size ||
		    pf_page_read(c->ndb, ibs[i], page) != 0)
			continue;
		s.n = 0;
		b[0] = c->vbits;
		put(&s, b, 1);
		pf_put32(b, (uint32_t)(ibs[i] / c->l->page_size));
		put(&s, b, 4);
		put(&s, page, c->l->page_size);
		save(c, "fuzz_page", &s, (uint32_t)i);
	}
	free(page);
}

/* One block of fuzz_block's input: flags, cb, [cbInflated], raw data. */
static int put_block(struct ctx *c, struct seed *s, uint64_t bid,
		     uint64_t new_bid_of[], uint32_t nkids)
{
	struct pf_bbt_entry e;
	uint8_t *d;
	size_t cb;
	uint8_t fl = bid & PF_BID_INTERNAL ? 1 : 0;

	if (pf_bbt_lookup(c->ndb, bid, &e) != 0 ||
	    pf_block_read_ex(c->ndb, &e, NULL, PF_BLOCK_RAW, &d, &cb) != 0)
		return -1;
	/* an XBLOCK's rgbid renamed to the harness's BIDs 8, 12, ... */
	if (fl && nkids && cb >= 8 && d[0] == 0x01)
		for (uint32_t i = 0; i < nkids && 8 + (i + 1) *
		     c->l->bid_size <= cb; i++) {
			if (c->l->bid_size == 4)
				pf_put32(d + 8 + i * 4, (uint32_t)new_bid_of[i]);
			else
				pf_put64(d + 8 + i * 8, new_bid_of[i]);
		}
	put(s, &fl, 1);
	put16(s, e.cb);
	if (c->l->page_size == 4096)
		put16(s, (uint16_t)e.cb_inflated);
	put(s, d, e.cb);
	free(d);
	return 0;
}

static uint8_t block_b0(const struct ctx *c)
{
	return (uint8_t)(c->vbits | (pf_ndb_header(c->ndb)->crypt_method
				     % 3) << 2);
}

/* fuzz_block: the node's data (an XBLOCK with its leaves renumbered) and
 * its subnode block; fuzz_ltp: the heap's decoded blocks. */
static void node_seeds(struct ctx *c, const struct pf_nbt_entry *e)
{
	static struct seed s;
	struct pf_datatree t;
	uint64_t nb[15];
	uint32_t n;
	uint8_t b0 = block_b0(c);

	if (pf_datatree_load(c->ndb, e->bid_data, NULL, &t) != 0)
		return;
	n = t.count < 14 ? t.count : 14;
	for (uint32_t i = 0; i < n; i++)
		nb[i] = (uint64_t)(i + 2) * 4;
	s.n = 0;
	put(&s, &b0, 1);
	if (put_block(c, &s, e->bid_data, nb, n) == 0 &&
	    (!e->bid_sub || put_block(c, &s, e->bid_sub, NULL, 0) == 0)) {
		for (uint32_t i = 0; i < n && t.count > 1; i++)
			put_block(c, &s, t.bids[i], NULL, 0);
		save(c, "fuzz_block", &s, (uint32_t)e->nid);
	}
	s.n = 0;
	for (uint32_t i = 0; i < t.count && i < 16; i++) {
		uint8_t *d;
		size_t cb;

		if (pf_block_read_bid(c->ndb, t.bids[i], NULL, &d, &cb) != 0)
			break;
		put16(&s, (uint16_t)cb);
		put(&s, d, cb);
		free(d);
	}
	if (s.n)
		save(c, "fuzz_ltp", &s, (uint32_t)e->nid);
	pf_datatree_free(&t);
}

/* fuzz_nameid: nid 0x61's GUID, entry and string streams, no buckets. */
static void nameid_seed(struct ctx *c, const struct pf_nbt_entry *e)
{
	static struct seed s;
	const uint16_t tags[3] = { 0x0002, 0x0003, 0x0004 };
	struct pf_subnodes sub = { NULL, 0 };
	struct pf_pc pc;
	uint8_t zero = 0;

	if (e->bid_sub && pf_subnodes_load(c->ndb, e->bid_sub, NULL, &sub))
		return;
	if (pf_pc_open(&pc, c->ndb, 0x61, e->bid_data, &sub, NULL) == 0) {
		s.n = 0;
		put(&s, &zero, 1);
		for (int i = 0; i < 3; i++) {
			uint8_t *p = NULL;
			size_t cb = 0;

			pf_pc_get_bin(&pc, tags[i], &p, &cb);
			if (cb > 0xFFFF)
				cb = 0xFFFF;
			put16(&s, (uint16_t)cb);
			put(&s, p, cb);
			free(p);
		}
		save(c, "fuzz_nameid", &s, 0x61);
		pf_pc_close(&pc);
	}
	pf_subnodes_free(&sub);
}

static int visit(void *ctx, const struct pf_nbt_entry *e)
{
	struct ctx *c = ctx;
	unsigned t = PF_NID_TYPE(e->nid);

	if (e->nid == 0x61)
		nameid_seed(c, e);
	if (c->per_type[t] >= PER_TYPE || c->count >= 40)
		return 0;
	c->per_type[t]++;
	c->count++;
	node_seeds(c, e);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: mkseeds OUTDIR FILE...\n");
		return 2;
	}
	mkdir(argv[1], 0777);
	for (int i = 2; i < argc; i++) {
		struct ctx c = { .out = argv[1] };
		const char *slash = strrchr(argv[i], '/');

		if (pf_ndb_open(&c.ndb, argv[i]) != 0)
			continue;
		c.l = pf_ndb_layout(c.ndb);
		c.tag = slash ? slash + 1 : argv[i];
		c.vbits = (uint8_t)(pf_ndb_header(c.ndb)->variant - 1);
		page_seeds(&c);
		pf_nbt_foreach(c.ndb, visit, &c);
		pf_ndb_close(c.ndb);
	}
	return 0;
}
