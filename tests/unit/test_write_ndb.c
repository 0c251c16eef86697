/*
 * test_write_ndb.c - the NDB writer (formats/write/ndbw_*.c), judged by
 * the reader and the checker.
 *
 * Every file written here is reopened with pf_ndb_open(); every node's
 * data and every subnode's data is read back byte for byte
 * (pf_node_data_read, pf_subnodes_load); then pf_check_file() must report
 * nothing below code 6000 (header, maps, B-trees, blocks, reference
 * counts).  6xxx/7xxx findings are expected: these files have nodes but no
 * message store.
 *
 * For each variant (Unicode, ANSI, 4K-page OST) x encoding (none, permute,
 * cyclic): a few nodes; thousands of nodes (multi-level NBT and BBT); 100
 * KB (XBLOCK) and 30 MB (XXBLOCK in 512-byte files) of data; 5000
 * subnodes (SIBLOCK).  Then: abort leaves nothing, PATH appears only at
 * commit, unreferenced blocks are dropped, bad calls fail and stick, the
 * ANSI 2 GB limit (only with PF_TEST_SLOW=1: it writes 2 GB).
 *
 * Files live in a mkdtemp() directory under /tmp, removed at the end.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../formats/write/pf_write.h"
#include "tutil.h"

static char g_dir[64];

struct variant {
	enum pf_variant v;
	enum pf_crypt c;
	const char *name;
};

static const struct variant variants[] = {
	{ PF_UNICODE, PF_CRYPT_NONE, "unicode-none" },
	{ PF_UNICODE, PF_CRYPT_PERMUTE, "unicode-permute" },
	{ PF_UNICODE, PF_CRYPT_CYCLIC, "unicode-cyclic" },
	{ PF_ANSI, PF_CRYPT_NONE, "ansi-none" },
	{ PF_ANSI, PF_CRYPT_PERMUTE, "ansi-permute" },
	{ PF_ANSI, PF_CRYPT_CYCLIC, "ansi-cyclic" },
	{ PF_UNICODE4K, PF_CRYPT_NONE, "4k-none" },
	{ PF_UNICODE4K, PF_CRYPT_PERMUTE, "4k-permute" },
	{ PF_UNICODE4K, PF_CRYPT_CYCLIC, "4k-cyclic" },
};
#define NVARIANTS (int)(sizeof(variants) / sizeof(variants[0]))

/* ---- deterministic data ---- */

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random bytes, or (COMPRESSIBLE) text-like runs a zlib stream shrinks. */
static void gen(uint64_t seed, uint8_t *p, size_t n, bool compressible)
{
	uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
	size_t i = 0;

	for (; !compressible && i + 8 <= n; i += 8) {
		uint64_t v = rnd(&s);

		memcpy(p + i, &v, 8);
	}
	for (; i < n; i++)
		p[i] = compressible ? (uint8_t)("pstfix writes "[i % 14] +
						(i / 997) % 3) :
				      (uint8_t)rnd(&s);
}

/* ---- what a test wrote, to compare with what is read ---- */

struct exp_node {
	uint32_t nid, parent;
	uint64_t seed;
	size_t cb;
	bool compressible;
	uint32_t nsub;           /* subnodes: NIDs sub_nid(i), data sub_cb */
	bool nested;             /* subnode 0 has 3 subnodes of its own */
};

static uint32_t sub_nid(uint32_t i)
{
	return ((0x4000u + i * 7u) << 5) | PF_NT_LTP;
}

static size_t sub_cb(uint32_t i)
{
	return 16 + (i * 37u) % 300;
}

struct expect {
	struct exp_node v[4096];
	uint32_t n;
};

static char *path_for(const char *name, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/%s.pst", g_dir, name);
	return buf;
}

/* DIR/SCENARIO-VARIANT.pst */
static char *vpath(const char *scenario, const struct variant *va,
		   char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/%s-%s.pst", g_dir, scenario, va->name);
	return buf;
}

static struct pf_writer *open_writer(const struct variant *va,
				     const char *path)
{
	struct pf_write_opts o = { .variant = va->v, .crypt = va->c,
				   .ost = va->v == PF_UNICODE4K,
				   .unique_seed = 0x1234 };
	struct pf_writer *w = NULL;
	int rc = pf_writer_open(&w, path, &o);

	ck_assert_msg(rc == 0, "open %s: %s", path, pf_error_msg());
	return w;
}

static uint64_t put_gen(struct pf_writer *w, uint64_t seed, size_t cb,
			bool compressible)
{
	uint8_t *buf = malloc(cb ? cb : 1);
	uint64_t bid = 1;

	ck_assert_ptr_nonnull(buf);
	gen(seed, buf, cb, compressible);
	ck_assert_msg(pf_writer_put_data(w, buf, cb, &bid) == 0, "%s",
		      pf_error_msg());
	free(buf);
	return bid;
}

/* Subnodes of node E: the entries in shuffled order (the writer sorts). */
static uint64_t put_subs(struct pf_writer *w, const struct exp_node *e)
{
	struct pf_subnode *v = calloc(e->nsub, sizeof(*v));
	uint64_t s = e->seed + 77, bid = 1;

	ck_assert_ptr_nonnull(v);
	for (uint32_t i = 0; i < e->nsub; i++) {
		v[i].nid = sub_nid(i);
		v[i].bid_data = put_gen(w, e->seed + 1000 + i, sub_cb(i),
					false);
	}
	if (e->nested) {
		struct pf_subnode inner[3];

		for (uint32_t j = 0; j < 3; j++) {
			inner[j].nid = sub_nid(j);
			inner[j].bid_data = put_gen(w, e->seed + 500 + j, 40,
						    false);
			inner[j].bid_sub = 0;
		}
		ck_assert_int_eq(pf_writer_put_subnodes(w, inner, 3,
							&v[0].bid_sub), 0);
	}
	for (uint32_t i = e->nsub; i > 1; i--) {
		uint32_t j = (uint32_t)(rnd(&s) % i);
		struct pf_subnode t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
	ck_assert_msg(pf_writer_put_subnodes(w, v, e->nsub, &bid) == 0, "%s",
		      pf_error_msg());
	free(v);
	return bid;
}

static void add(struct pf_writer *w, struct expect *x, struct exp_node e)
{
	uint64_t bid_data = put_gen(w, e.seed, e.cb, e.compressible);
	uint64_t bid_sub = e.nsub ? put_subs(w, &e) : 0;

	if (e.cb == 0)
		ck_assert_uint_eq(bid_data, 0);
	ck_assert_msg(pf_writer_add_node(w, e.nid, bid_data, bid_sub,
					 e.parent) == 0, "%s",
		      pf_error_msg());
	ck_assert_uint_lt(x->n, 4096);
	x->v[x->n++] = e;
}

/* ---- reading back ---- */

static void same_data(struct pf_ndb *ndb, uint64_t bid, uint64_t seed,
		      size_t cb, bool compressible, uint32_t nid)
{
	uint8_t *got, *want = malloc(cb ? cb : 1);
	size_t n;
	int rc = pf_node_data_read(ndb, bid, 64u << 20, &got, &n);

	ck_assert_msg(rc == 0, "nid 0x%x: %s", nid, pf_error_msg());
	ck_assert_msg(n == cb, "nid 0x%x: %zu bytes, want %zu", nid, n, cb);
	gen(seed, want, cb, compressible);
	ck_assert_msg(cb == 0 || memcmp(got, want, cb) == 0,
		      "nid 0x%x: data differs", nid);
	free(got);
	free(want);
}

static void same_subs(struct pf_ndb *ndb, uint64_t bid_sub,
		      const struct exp_node *e)
{
	struct pf_subnodes s;

	ck_assert_int_eq(pf_subnodes_load(ndb, bid_sub, NULL, &s), 0);
	ck_assert_uint_eq(s.count, e->nsub);
	for (uint32_t i = 0; i < e->nsub; i++) {
		const struct pf_subnode *sn = pf_subnodes_find(&s, sub_nid(i));

		ck_assert_ptr_nonnull(sn);
		same_data(ndb, sn->bid_data, e->seed + 1000 + i, sub_cb(i),
			  false, sn->nid);
		if (i == 0 && e->nested) {
			struct exp_node in = { .nsub = 3 };
			struct pf_subnodes s2;

			ck_assert_int_eq(pf_subnodes_load(ndb, sn->bid_sub,
							  NULL, &s2), 0);
			ck_assert_uint_eq(s2.count, in.nsub);
			for (uint32_t j = 0; j < 3; j++)
				same_data(ndb, s2.v[j].bid_data,
					  e->seed + 500 + j, 40, false,
					  s2.v[j].nid);
			pf_subnodes_free(&s2);
		} else {
			ck_assert_uint_eq(sn->bid_sub, 0);
		}
	}
	pf_subnodes_free(&s);
}

static void read_back(const char *path, const struct expect *x)
{
	struct pf_ndb *ndb;

	ck_assert_msg(pf_ndb_open(&ndb, path) == 0, "%s", pf_error_msg());
	for (uint32_t i = 0; i < x->n; i++) {
		const struct exp_node *e = &x->v[i];
		struct pf_nbt_entry ne;

		ck_assert_msg(pf_nbt_lookup(ndb, e->nid, &ne) == 0,
			      "nid 0x%x: %s", e->nid, pf_error_msg());
		ck_assert_uint_eq(ne.nid_parent, e->parent);
		same_data(ndb, ne.bid_data, e->seed, e->cb, e->compressible,
			  e->nid);
		if (e->nsub)
			same_subs(ndb, ne.bid_sub, e);
		else
			ck_assert_uint_eq(ne.bid_sub, 0);
	}
	pf_ndb_close(ndb);
}

/* No finding below 6000: header, maps, B-trees, blocks, cRef clean. */
static void check_clean(const char *path)
{
	tu_assert_clean_below(path, 6000);
}

static void commit_and_verify(struct pf_writer *w, const char *path,
			      const struct expect *x)
{
	ck_assert_msg(pf_writer_commit(w) == 0, "commit: %s", pf_error_msg());
	read_back(path, x);
	check_clean(path);
}

/* ---- the scenarios ---- */

static struct expect *new_expect(void)
{
	struct expect *x = calloc(1, sizeof(*x));

	ck_assert_ptr_nonnull(x);
	return x;
}

START_TEST(few_nodes)
{
	const struct variant *va = &variants[_i];
	char path[128];
	struct pf_writer *w;
	struct expect *x = new_expect();
	uint64_t shared, bid;

	w = open_writer(va, vpath("few", va, path, sizeof(path)));
	add(w, x, (struct exp_node){ .nid = 0x21, .seed = 1, .cb = 500 });
	add(w, x, (struct exp_node){ .nid = 0x122, .parent = 0x122 });
	add(w, x, (struct exp_node){ .nid = 0x61, .seed = 3,
				     .cb = pf_writer_block_data_max(w) });
	/* two nodes naming one block: cRef 3 */
	shared = put_gen(w, 4, 100, false);
	ck_assert_int_eq(pf_writer_add_node(w, 0x8022, shared, 0, 0x122), 0);
	ck_assert_int_eq(pf_writer_add_node(w, 0x8042, shared, 0, 0x122), 0);
	x->v[x->n++] = (struct exp_node){ .nid = 0x8022, .parent = 0x122,
					  .seed = 4, .cb = 100 };
	x->v[x->n++] = (struct exp_node){ .nid = 0x8042, .parent = 0x122,
					  .seed = 4, .cb = 100 };
	/* unreferenced data (and an XBLOCK's worth): dropped at commit */
	bid = put_gen(w, 5, 100000, false);
	ck_assert_uint_ne(bid, 0);
	commit_and_verify(w, path, x);
	free(x);
}
END_TEST

START_TEST(many_nodes)
{
	const struct variant *va = &variants[_i];
	char path[128];
	struct pf_writer *w;
	struct expect *x = new_expect();
	uint64_t s = 42;
	struct pf_ndb *ndb;

	w = open_writer(va, vpath("many", va, path, sizeof(path)));
	for (uint32_t i = 0; i < 4000; i++) {
		uint32_t nid = pf_writer_new_nid(w, PF_NT_NORMAL_MESSAGE);

		ck_assert_uint_eq(nid, ((0x10000u + i + 1) << 5) | 4);
		add(w, x, (struct exp_node){ .nid = nid, .parent = 0x8022,
					     .seed = 100 + i,
					     .cb = 1 + rnd(&s) % 700 });
	}
	commit_and_verify(w, path, x);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_uint_eq(pf_ndb_header(ndb)->rgnid[PF_NT_NORMAL_MESSAGE],
			  0x10000 + 4000);
	pf_ndb_close(ndb);
	free(x);
}
END_TEST

/* The first data block of BID's tree, as the BBT has it. */
static void first_leaf(struct pf_ndb *ndb, uint64_t bid,
		       struct pf_bbt_entry *e)
{
	struct pf_datatree t;

	ck_assert_int_eq(pf_datatree_load(ndb, bid, NULL, &t), 0);
	ck_assert_uint_gt(t.count, 0);
	ck_assert_int_eq(pf_bbt_lookup(ndb, t.bids[0], e), 0);
	pf_datatree_free(&t);
}

/* ---- the map pages, read as MS-PST 2.2.2.7 describes them ---- */

#define AMAP0 0x4400ull
#define SPAN 253952ull

static bool bit(const uint8_t *bits, uint32_t u)
{
	return (bits[u >> 3] >> (7 - (u & 7))) & 1;
}

static uint32_t amap_free(const uint8_t *page, bool ansi, uint32_t *lng)
{
	const uint8_t *bits = page + (ansi ? 4 : 0);
	uint32_t nfree = 0, run = 0;

	*lng = 0;
	for (uint32_t u = 0; u < 496 * 8; u++) {
		run = bit(bits, u) ? 0 : run + 1;
		nfree += !bit(bits, u);
		if (run > *lng)
			*lng = run;
	}
	return nfree;
}

static void check_dlist(const char *path, bool ansi, const uint32_t *nfree,
			uint64_t n)
{
	uint8_t dl[512];
	uint32_t max = ansi ? 120 : 119;   /* 480 or 476 bytes of entries */
	uint32_t cur, prev = UINT32_MAX, want = n - 1 < max ? n - 1 : max;

	ck_assert_int_eq(tu_read_at(path, 0x4200, dl, 512), 0);
	ck_assert_uint_eq(dl[ansi ? 500 : 496], PF_PTYPE_DL);
	ck_assert_uint_eq(dl[0], 0x01);                /* backfill complete */
	ck_assert_uint_eq(dl[1], want);
	cur = pf_le32(dl + 4);
	for (uint32_t i = 0; i < dl[1]; i++) {
		uint32_t e = pf_le32(dl + 8 + 4 * i);

		ck_assert_uint_lt(e & 0xFFFFF, n);
		ck_assert_uint_ne(e & 0xFFFFF, cur);
		ck_assert_uint_eq(e >> 20, nfree[e & 0xFFFFF]);
		ck_assert_uint_le(e >> 20, prev);         /* densest last */
		ck_assert_uint_le(e >> 20, nfree[cur]);
		prev = e >> 20;
	}
}

static void check_maps(const char *path, bool ansi)
{
	uint64_t size = tu_file_size(path), n = (size - AMAP0) / SPAN;
	uint8_t page[512], hdr[564];
	uint32_t *nfree = calloc(n, 4), *lng = calloc(n, 4);
	uint32_t root = ansi ? 164 : 180, w = ansi ? 4 : 8;
	uint64_t total = 0;

	ck_assert_uint_eq((size - AMAP0) % SPAN, 0);
	ck_assert_uint_gt(n, 129);
	ck_assert_int_eq(tu_read_at(path, 0, hdr, sizeof(hdr)), 0);
	for (uint64_t k = 0; k < n; k++) {
		ck_assert_int_eq(tu_read_at(path, AMAP0 + k * SPAN, page, 512),
				 0);
		ck_assert_uint_eq(page[ansi ? 4 : 0], 0xFF);  /* maps itself */
		nfree[k] = amap_free(page, ansi, &lng[k]);
		total += nfree[k] * 64ull;
		if (k % 8 != 0)
			continue;
		ck_assert_int_eq(tu_read_at(path, AMAP0 + k * SPAN + 512, page,
					    512), 0);
		for (uint32_t i = 0; i < 496; i++)   /* PMap: no free page */
			ck_assert_uint_eq(page[(ansi ? 4 : 0) + i], 0xFF);
	}
	/* FMap at AMap 128: byte j = longest free run in AMap 128 + j */
	ck_assert_int_eq(tu_read_at(path, AMAP0 + 128 * SPAN + 1024, page,
				    512), 0);
	ck_assert_uint_eq(page[ansi ? 500 : 496], PF_PTYPE_FMAP);
	for (uint32_t j = 0; j < 496; j++)
		ck_assert_uint_eq(page[(ansi ? 4 : 0) + j],
				  128 + j < n ? (lng[128 + j] > 255 ? 255 :
						 lng[128 + j]) : 0);
	/* ROOT: ibFileEof, ibAMapLast, cbAMapFree, cbPMapFree, fAMapValid */
	ck_assert_uint_eq(tu_get(hdr + root + 4, w), size);
	ck_assert_uint_eq(tu_get(hdr + root + 4 + w, w),
			  AMAP0 + (n - 1) * SPAN);
	ck_assert_uint_eq(tu_get(hdr + root + 4 + 2 * w, w), total);
	ck_assert_uint_eq(tu_get(hdr + root + 4 + 3 * w, w), 0);
	ck_assert_uint_eq(hdr[root + 4 + 8 * w], 2);
	for (uint32_t i = 0; i < 256; i++)          /* rgbFM, rgbFP */
		ck_assert_uint_eq(hdr[(ansi ? 204 : 256) + i], 0xFF);
	check_dlist(path, ansi, nfree, n);
	free(nfree);
	free(lng);
}

START_TEST(big_data)
{
	const struct variant *va = &variants[_i];
	char path[128];
	struct pf_writer *w;
	struct expect *x = new_expect();
	struct pf_ndb *ndb;
	struct pf_nbt_entry ne;
	struct pf_bbt_entry be;

	w = open_writer(va, vpath("big", va, path, sizeof(path)));
	add(w, x, (struct exp_node){ .nid = 0x200024, .seed = 7,
				     .cb = 100 * 1024 });
	/* 34 MB: past AMap 128, where the first FMap is */
	add(w, x, (struct exp_node){ .nid = 0x200044, .seed = 8,
				     .cb = 34u << 20 });
	/* 60 KB: one block in a 4K file (the only data the writer
	 * compresses: see ndbw_block_put), eight in the others */
	add(w, x, (struct exp_node){ .nid = 0x200064, .seed = 9,
				     .cb = 60 * 1024, .compressible = true });
	commit_and_verify(w, path, x);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_nbt_lookup(ndb, 0x200044, &ne), 0);
	ck_assert(ne.bid_data & PF_BID_INTERNAL);
	if (va->v != PF_UNICODE4K) {   /* 34 MB: an XXBLOCK in 8 KB blocks */
		uint8_t *d;
		size_t cb;

		ck_assert_int_eq(pf_block_read_bid(ndb, ne.bid_data, NULL, &d,
						   &cb), 0);
		ck_assert_uint_eq(d[0], 0x01);
		ck_assert_uint_eq(d[1], 2);
		free(d);
	}
	ck_assert_int_eq(pf_nbt_lookup(ndb, 0x200064, &ne), 0);
	first_leaf(ndb, ne.bid_data, &be);
	/* 4K: stored as a zlib stream (cyclic-encoded bytes do not shrink:
	 * encoding comes before compression) */
	if (va->v == PF_UNICODE4K && va->c != PF_CRYPT_CYCLIC)
		ck_assert_uint_lt(be.cb, be.cb_inflated);
	else
		ck_assert_uint_eq(be.cb, be.cb_inflated);
	pf_ndb_close(ndb);
	if (va->v != PF_UNICODE4K)
		check_maps(path, va->v == PF_ANSI);
	free(x);
}
END_TEST

START_TEST(many_subnodes)
{
	const struct variant *va = &variants[_i];
	char path[128];
	struct pf_writer *w;
	struct expect *x = new_expect();
	struct pf_ndb *ndb;
	struct pf_nbt_entry ne;
	uint8_t *d;
	size_t cb;

	w = open_writer(va, vpath("subs", va, path, sizeof(path)));
	add(w, x, (struct exp_node){ .nid = 0x200024, .seed = 11, .cb = 300,
				     .nsub = 5000, .nested = true });
	add(w, x, (struct exp_node){ .nid = 0x200044, .seed = 12, .cb = 30,
				     .nsub = 2 });
	commit_and_verify(w, path, x);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_nbt_lookup(ndb, 0x200024, &ne), 0);
	ck_assert_int_eq(pf_block_read_bid(ndb, ne.bid_sub, NULL, &d, &cb), 0);
	ck_assert_uint_eq(d[0], 0x02);
	ck_assert_uint_eq(d[1], 1);       /* an SIBLOCK */
	free(d);
	pf_ndb_close(ndb);
	free(x);
}
END_TEST

/* pf_writer_put_blocks keeps the caller's block boundaries; 9000 small
 * blocks need an XXBLOCK in every variant (4K: 8188 BIDs per XBLOCK). */
START_TEST(xxblock_of_small_blocks)
{
	const struct variant *va = &variants[_i];
	char path[128];
	struct pf_writer *w;
	enum { N = 9000 };
	uint8_t **blocks = calloc(N, sizeof(*blocks)), *all, *got, *top;
	size_t *cbs = calloc(N, sizeof(*cbs)), total = 0, n;
	uint64_t bid;
	struct pf_ndb *ndb;
	struct pf_nbt_entry ne;

	all = malloc((size_t)N * 40);
	for (uint32_t i = 0; i < N; i++) {
		cbs[i] = 1 + i % 40;
		blocks[i] = all + total;
		gen(i, blocks[i], cbs[i], false);
		total += cbs[i];
	}
	w = open_writer(va, vpath("xx", va, path, sizeof(path)));
	ck_assert_int_eq(pf_writer_put_blocks(w, blocks, cbs, N, &bid), 0);
	ck_assert_int_eq(pf_writer_add_node(w, 0x200024, bid, 0, 0), 0);
	ck_assert_int_eq(pf_writer_commit(w), 0);
	check_clean(path);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_nbt_lookup(ndb, 0x200024, &ne), 0);
	ck_assert_int_eq(pf_block_read_bid(ndb, ne.bid_data, NULL, &top, &n),
			 0);
	ck_assert_uint_eq(top[1], 2);                 /* XXBLOCK */
	ck_assert_uint_eq(pf_le32(top + 4), total);   /* lcbTotal */
	ck_assert_int_eq(pf_node_data_read(ndb, ne.bid_data, 1u << 20, &got,
					   &n), 0);
	ck_assert_uint_eq(n, total);
	ck_assert_int_eq(memcmp(got, all, total), 0);
	pf_ndb_close(ndb);
	free(top);
	free(got);
	free(all);
	free(blocks);
	free(cbs);
}
END_TEST

/* Full blocks leave the tail of each AMap range free; small blocks written
 * later fill those gaps, behind the write buffer (written with pwrite). */
START_TEST(gaps_refilled)
{
	const struct variant *va = &variants[_i];
	char path[128];
	struct pf_writer *w;
	struct expect *x = new_expect();
	struct pf_ndb *ndb;
	struct pf_nbt_entry ne;
	struct pf_bbt_entry big, small;

	w = open_writer(va, vpath("gaps", va, path, sizeof(path)));
	add(w, x, (struct exp_node){ .nid = 0x200024, .seed = 21,
				     .cb = 5u << 20 });
	for (uint32_t i = 0; i < 300; i++)
		add(w, x, (struct exp_node){ .nid = 0x200044 + 32 * i,
					     .seed = 30 + i, .cb = 100 });
	commit_and_verify(w, path, x);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_nbt_lookup(ndb, 0x200024, &ne), 0);
	first_leaf(ndb, ne.bid_data, &big);
	ck_assert_int_eq(pf_nbt_lookup(ndb, 0x200044, &ne), 0);
	ck_assert_int_eq(pf_bbt_lookup(ndb, ne.bid_data, &small), 0);
	if (va->v != PF_UNICODE4K)   /* 8 KB blocks leave gaps in 248 KB */
		ck_assert_uint_lt(small.bref.ib, big.bref.ib + (1u << 20));
	pf_ndb_close(ndb);
	free(x);
}
END_TEST

/* ---- file handling and errors ---- */

static unsigned dir_entries(const char *prefix)
{
	DIR *d = opendir(g_dir);
	struct dirent *de;
	unsigned n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

START_TEST(abort_leaves_nothing)
{
	char path[128];
	struct pf_writer *w;
	struct stat st;

	w = open_writer(&variants[1], path_for("aborted", path,
					       sizeof(path)));
	put_gen(w, 1, 50000, false);
	ck_assert_uint_eq(dir_entries("aborted"), 1);    /* the temp file */
	pf_writer_abort(w);
	ck_assert_int_ne(stat(path, &st), 0);
	ck_assert_uint_eq(dir_entries("aborted"), 0);
	pf_writer_abort(NULL);
}
END_TEST

START_TEST(commit_is_atomic)
{
	char path[128];
	struct pf_writer *w;
	struct stat st;
	struct expect *x = new_expect();

	w = open_writer(&variants[1], path_for("atomic", path, sizeof(path)));
	add(w, x, (struct exp_node){ .nid = 0x21, .seed = 1, .cb = 10 });
	ck_assert_int_ne(stat(path, &st), 0);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_uint_eq(dir_entries("atomic.pst.tmp-"), 1);
	commit_and_verify(w, path, x);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(dir_entries("atomic.pst.tmp-"), 0);
	/* Outlook files end on an AMap range boundary */
	ck_assert_uint_eq(((uint64_t)st.st_size - 0x4400) % 253952, 0);
	free(x);
}
END_TEST

START_TEST(errors_stick)
{
	char path[128];
	struct pf_writer *w;
	uint64_t bid, sub;
	struct pf_subnode dup[2] = { { .nid = 0x3F }, { .nid = 0x3F } };
	uint8_t big[9000] = { 0 };
	uint8_t *blocks[1] = { big };
	size_t cbs[1] = { sizeof(big) };
	struct stat st;

	w = open_writer(&variants[0], path_for("errors", path, sizeof(path)));
	ck_assert_int_eq(pf_writer_put_blocks(w, blocks, cbs, 1, &bid),
			 PF_E_USAGE);
	pf_writer_abort(w);

	w = open_writer(&variants[0], path);
	ck_assert_int_eq(pf_writer_put_subnodes(w, dup, 2, &sub), PF_E_USAGE);
	pf_writer_abort(w);

	w = open_writer(&variants[0], path);
	bid = put_gen(w, 1, 10, false);
	ck_assert_int_eq(pf_writer_add_node(w, 0x21, bid + 4, 0, 0),
			 PF_E_USAGE);                /* not written here */
	pf_writer_abort(w);

	w = open_writer(&variants[0], path);
	bid = put_gen(w, 1, 10, false);
	ck_assert_int_eq(pf_writer_add_node(w, 0x21, 0, bid, 0),
			 PF_E_USAGE);                /* data as bidSub */
	pf_writer_abort(w);

	w = open_writer(&variants[0], path);
	bid = put_gen(w, 1, 10, false);
	ck_assert_int_eq(pf_writer_add_node(w, 0x21, bid, 0, 0), 0);
	ck_assert_int_eq(pf_writer_add_node(w, 0x21, bid, 0, 0), PF_E_USAGE);
	ck_assert_ptr_nonnull(strstr(pf_error_msg(), "twice"));
	/* the writer has failed: later calls return the same error */
	ck_assert_int_eq(pf_writer_put_data(w, big, 10, &bid), PF_E_USAGE);
	ck_assert_ptr_nonnull(strstr(pf_error_msg(), "twice"));
	ck_assert_int_eq(pf_writer_commit(w), PF_E_USAGE);
	ck_assert_int_ne(stat(path, &st), 0);
	ck_assert_uint_eq(dir_entries("errors"), 0);
}
END_TEST

START_TEST(empty_file)
{
	const struct variant *va = &variants[_i];
	char path[128];
	struct pf_writer *w;
	struct expect *x = new_expect();

	w = open_writer(va, vpath("empty", va, path, sizeof(path)));
	commit_and_verify(w, path, x);
	free(x);
}
END_TEST

/* ANSI files stop at 2 GB with PF_E_LIMIT (writes 2 GB: PF_TEST_SLOW=1). */
START_TEST(ansi_limit)
{
	char path[128];
	struct pf_writer *w;
	uint8_t *chunk;
	uint64_t bid = 0;
	int rc = 0;
	size_t max;

	if (!getenv("PF_TEST_SLOW")) {
		printf("SKIP: ansi_limit writes 2 GB; set PF_TEST_SLOW=1\n");
		return;
	}
	w = open_writer(&variants[3], path_for("limit", path, sizeof(path)));
	max = pf_writer_block_data_max(w) * 1000;
	chunk = calloc(1, max);
	for (int i = 0; rc == 0 && i < 400; i++)
		rc = pf_writer_put_data(w, chunk, max, &bid);
	ck_assert_int_eq(rc, PF_E_LIMIT);
	ck_assert_ptr_nonnull(strstr(pf_error_msg(), "ANSI"));
	pf_writer_abort(w);
	free(chunk);
}
END_TEST

static Suite *write_suite(void)
{
	Suite *s = suite_create("write_ndb");
	TCase *tc = tcase_create("variants");
	TCase *tf = tcase_create("file");

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, empty_file, 0, NVARIANTS);
	tcase_add_loop_test(tc, few_nodes, 0, NVARIANTS);
	tcase_add_loop_test(tc, many_nodes, 0, NVARIANTS);
	tcase_add_loop_test(tc, big_data, 0, NVARIANTS);
	tcase_add_loop_test(tc, many_subnodes, 0, NVARIANTS);
	tcase_add_loop_test(tc, gaps_refilled, 0, NVARIANTS);
	tcase_add_loop_test(tc, xxblock_of_small_blocks, 0, NVARIANTS);
	suite_add_tcase(s, tc);
	tcase_set_timeout(tf, 600);
	tcase_add_test(tf, abort_leaves_nothing);
	tcase_add_test(tf, commit_is_atomic);
	tcase_add_test(tf, errors_stick);
	tcase_add_test(tf, ansi_limit);
	suite_add_tcase(s, tf);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	snprintf(g_dir, sizeof(g_dir), "/tmp/pfw-XXXXXX");
	if (!mkdtemp(g_dir)) {
		perror("mkdtemp");
		return 1;
	}
	sr = srunner_create(write_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (!getenv("PF_TEST_KEEP"))
		tu_rm_dir(g_dir);
	return failed == 0 ? 0 : 1;
}
