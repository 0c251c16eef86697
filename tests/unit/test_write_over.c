/*
 * test_write_over.c - the writer's over mode (formats/write/ndbw_over.c):
 * a file made by the writer is reopened "over" (a copy), its blocks kept
 * where they are, its nodes added again, something new added, committed;
 * the result must read back completely (every old node and the new one,
 * byte for byte) and pf_check_file() must find nothing below code 6000
 * (header, maps, B-trees, blocks, cRef; these files have no store).
 *
 * Also: kept blocks keep their offsets (the bytes are not moved); a node
 * left out frees its blocks (BBT and AMap); the MAPS-only mode that keeps
 * the old B-tree pages; places that cannot be kept are refused without
 * breaking the writer; pf_writer_open_adopt() (the source taken over, not
 * copied) gives the same bytes as the copy.  Unicode, ANSI and 4K, each
 * with an encoding.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../formats/write/pf_write.h"
#include "tutil.h"

static char g_dir[64];

static const struct pf_write_opts variants[] = {
	{ .variant = PF_UNICODE, .crypt = PF_CRYPT_PERMUTE },
	{ .variant = PF_ANSI, .crypt = PF_CRYPT_CYCLIC },
	{ .variant = PF_UNICODE4K, .crypt = PF_CRYPT_PERMUTE, .ost = true },
};

#define NNODES 300
#define NEW_NID ((0x7777u << 5) | PF_NT_NORMAL_MESSAGE)

static uint32_t nid_of(int i)
{
	return ((0x10001u + (uint32_t)i) << 5) | PF_NT_NORMAL_MESSAGE;
}

/* Node i's data: small, or an XBLOCK tree every 7th node. */
static size_t cb_of(int i)
{
	return i % 7 == 0 ? 20000 + (size_t)i : 50 + (size_t)i * 3;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t s = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		s = s * 1103515245u + 12345u;
		p[i] = (uint8_t)(s >> 16);
	}
}

static uint64_t put(struct pf_writer *w, uint32_t seed, size_t cb)
{
	uint8_t *buf = malloc(cb);
	uint64_t bid = 0;

	ck_assert_ptr_nonnull(buf);
	fill(buf, cb, seed);
	ck_assert_msg(pf_writer_put_data(w, buf, cb, &bid) == 0, "%s",
		      pf_error_msg());
	free(buf);
	return bid;
}

/* Every 5th node has two subnodes (an SLBLOCK). */
static void make_base(const struct pf_write_opts *o, const char *path)
{
	struct pf_writer *w;

	ck_assert_msg(pf_writer_open(&w, path, o) == 0, "%s", pf_error_msg());
	for (int i = 0; i < NNODES; i++) {
		uint64_t bid = put(w, (uint32_t)i, cb_of(i)), sub = 0;

		if (i % 5 == 0) {
			struct pf_subnode sn[2] = {
				{ (0x100u << 5) | PF_NT_LTP,
				  put(w, 9000u + (uint32_t)i, 100), 0 },
				{ (0x101u << 5) | PF_NT_LTP,
				  put(w, 9500u + (uint32_t)i, 60), 0 },
			};

			ck_assert_int_eq(pf_writer_put_subnodes(w, sn, 2,
								&sub), 0);
		}
		ck_assert_int_eq(pf_writer_add_node(w, nid_of(i), bid, sub,
						    0x122), 0);
	}
	ck_assert_msg(pf_writer_commit(w) == 0, "%s", pf_error_msg());
}

static void same(struct pf_ndb *ndb, uint64_t bid, uint32_t seed,
		 size_t cb)
{
	uint8_t *got, *want = malloc(cb);
	size_t n;

	ck_assert_msg(pf_node_data_read(ndb, bid, 1u << 24, &got, &n) == 0,
		      "bid 0x%llx: %s", (unsigned long long)bid,
		      pf_error_msg());
	ck_assert_uint_eq(n, cb);
	fill(want, cb, seed);
	ck_assert_msg(memcmp(got, want, cb) == 0, "bid 0x%llx differs",
		      (unsigned long long)bid);
	free(got);
	free(want);
}

/* Every node but SKIP (-1: none) reads back; SKIP is gone. */
static void read_back(const char *path, int skip, bool with_new)
{
	struct pf_ndb *ndb;
	struct pf_nbt_entry e;

	ck_assert_msg(pf_ndb_open(&ndb, path) == 0, "%s", pf_error_msg());
	for (int i = 0; i < NNODES; i++) {
		int rc = pf_nbt_lookup(ndb, nid_of(i), &e);

		if (i == skip) {
			ck_assert_int_eq(rc, PF_E_NOTFOUND);
			continue;
		}
		ck_assert_msg(rc == 0, "nid 0x%x: %s", nid_of(i),
			      pf_error_msg());
		same(ndb, e.bid_data, (uint32_t)i, cb_of(i));
		if (i % 5 == 0) {
			struct pf_subnodes s;

			ck_assert_int_eq(pf_subnodes_load(ndb, e.bid_sub,
							  NULL, &s), 0);
			ck_assert_uint_eq(s.count, 2);
			same(ndb, s.v[0].bid_data, 9000u + (uint32_t)i, 100);
			same(ndb, s.v[1].bid_data, 9500u + (uint32_t)i, 60);
			pf_subnodes_free(&s);
		}
	}
	if (with_new) {
		ck_assert_int_eq(pf_nbt_lookup(ndb, NEW_NID, &e), 0);
		same(ndb, e.bid_data, 4242, 30000);
	}
	pf_ndb_close(ndb);
}

static void check_clean(const char *path)
{
	tu_assert_clean_below(path, 6000);
}

/* ---- keeping what the old file has ---- */

struct keep {
	struct pf_ndb *ndb;
	struct pf_writer *w;
	int skip;                       /* node left out, or -1 */
	struct pf_bbt_entry v[4096];    /* the old BBT, for the offsets */
	uint32_t n;
};

static int keep_block(void *ctx, const struct pf_bbt_entry *e)
{
	struct keep *k = ctx;
	uint64_t *kids = NULL;
	uint32_t nkids = 0;
	int rc;

	if (e->bref.bid & PF_BID_INTERNAL) {
		uint8_t *data;
		size_t cb;

		ck_assert_int_eq(pf_block_read(k->ndb, e, NULL, &data, &cb),
				 0);
		ck_assert_int_eq(pf_block_kids(pf_ndb_layout(k->ndb), data,
					       cb, e->bref.bid, &kids,
					       &nkids), 0);
		free(data);
	}
	rc = pf_writer_keep_block(k->w, e->bref.bid, e->bref.ib, e->cb,
				  (uint16_t)e->cb_inflated, kids, nkids);
	free(kids);
	ck_assert_msg(rc == 0, "%s", pf_error_msg());
	ck_assert_uint_lt(k->n, 4096);
	k->v[k->n++] = *e;
	return 0;
}

static int keep_node(void *ctx, const struct pf_nbt_entry *e)
{
	struct keep *k = ctx;

	if (k->skip >= 0 && (uint32_t)e->nid == nid_of(k->skip))
		return 0;
	ck_assert_msg(pf_writer_add_node(k->w, (uint32_t)e->nid, e->bid_data,
					 e->bid_sub, e->nid_parent) == 0,
		      "%s", pf_error_msg());
	return 0;
}

static int keep_page(void *ctx, const struct pf_bref *bref, uint32_t level)
{
	struct keep *k = ctx;

	(void)level;
	ck_assert_msg(pf_writer_keep_page(k->w, bref->ib, bref->bid) == 0,
		      "%s", pf_error_msg());
	return 0;
}

static struct pf_writer *open_over(struct pf_ndb *ndb, const char *out,
				   const struct pf_write_opts *o)
{
	const struct pf_header *h = pf_ndb_header(ndb);
	struct pf_over_counters c = {
		.bid_next_b = h->bid_next_b, .bid_next_p = h->bid_next_p,
		.unique = h->unique,
	};
	struct pf_writer *w;
	int fd = open(pf_ndb_path(ndb), O_RDONLY);

	ck_assert_int_ge(fd, 0);
	memcpy(c.rgnid, h->rgnid, sizeof(c.rgnid));
	ck_assert_msg(pf_writer_open_over(&w, out, fd, pf_ndb_file_size(ndb),
					  o, &c) == 0, "%s", pf_error_msg());
	close(fd);
	return w;
}

static void paths(const char *name, int v, char *in, char *out, size_t cap)
{
	snprintf(in, cap, "%s/%s-%d.pst", g_dir, name, v);
	snprintf(out, cap, "%s/%s-%d-over.pst", g_dir, name, v);
}

/* The kept blocks are where they were in the new BBT. */
static void same_places(const char *path, const struct keep *k, int skip)
{
	struct pf_ndb *ndb;
	struct pf_bbt_entry e;
	uint32_t found = 0;

	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	for (uint32_t i = 0; i < k->n; i++) {
		if (pf_bbt_lookup(ndb, k->v[i].bref.bid, &e) != 0) {
			ck_assert_int_ge(skip, 0);   /* freed with the node */
			continue;
		}
		ck_assert_uint_eq(e.bref.ib, k->v[i].bref.ib);
		found++;
	}
	ck_assert_uint_eq(found == k->n, skip < 0);
	pf_ndb_close(ndb);
}

static void keep_all_and_commit(int v, const char *name, int skip,
				bool add_new)
{
	char in[128], out[128];
	struct keep *k = calloc(1, sizeof(*k));

	ck_assert_ptr_nonnull(k);
	paths(name, v, in, out, sizeof(in));
	make_base(&variants[v], in);
	ck_assert_int_eq(pf_ndb_open(&k->ndb, in), 0);
	k->w = open_over(k->ndb, out, &variants[v]);
	k->skip = skip;
	ck_assert_int_eq(pf_bbt_foreach(k->ndb, keep_block, k), 0);
	ck_assert_int_eq(pf_nbt_foreach(k->ndb, keep_node, k), 0);
	if (add_new)
		ck_assert_int_eq(pf_writer_add_node(k->w, NEW_NID,
						    put(k->w, 4242, 30000), 0,
						    0x122), 0);
	ck_assert_msg(pf_writer_commit(k->w) == 0, "%s", pf_error_msg());
	pf_ndb_close(k->ndb);
	read_back(out, skip, add_new);
	check_clean(out);
	same_places(out, k, skip);
	free(k);
}

START_TEST(keep_all_add_one)
{
	keep_all_and_commit(_i, "add", -1, true);
}
END_TEST

START_TEST(left_out_node_frees_its_blocks)
{
	keep_all_and_commit(_i, "drop", 35, false);   /* XBLOCK + SLBLOCK */
}
END_TEST

/* Every block and every page of both trees, and the ROOT's BREFs. */
static void keep_trees(struct keep *k, const struct pf_header *h)
{
	ck_assert_int_eq(pf_bbt_foreach(k->ndb, keep_block, k), 0);
	ck_assert_int_eq(pf_bt_foreach_page(k->ndb, PF_OBJ_NBT, keep_page, k),
			 0);
	ck_assert_int_eq(pf_bt_foreach_page(k->ndb, PF_OBJ_BBT, keep_page, k),
			 0);
	ck_assert_int_eq(pf_writer_keep_trees(k->w, &h->root.nbt,
					      &h->root.bbt), 0);
}

START_TEST(keep_trees_maps_only)
{
	char in[128], out[128];
	struct keep *k = calloc(1, sizeof(*k));
	struct pf_header h;

	ck_assert_ptr_nonnull(k);
	paths("maps", _i, in, out, sizeof(in));
	make_base(&variants[_i], in);
	ck_assert_int_eq(pf_ndb_open(&k->ndb, in), 0);
	h = *pf_ndb_header(k->ndb);
	k->w = open_over(k->ndb, out, &variants[_i]);
	k->skip = -1;
	keep_trees(k, &h);
	/* nothing can be added to kept trees */
	ck_assert_int_eq(pf_writer_add_node(k->w, NEW_NID, 0, 0, 0x122),
			 PF_E_USAGE);
	pf_writer_abort(k->w);

	k->n = 0;
	k->w = open_over(k->ndb, out, &variants[_i]);
	keep_trees(k, &h);
	ck_assert_msg(pf_writer_commit(k->w) == 0, "%s", pf_error_msg());
	pf_ndb_close(k->ndb);
	read_back(out, -1, false);
	check_clean(out);
	same_places(out, k, -1);
	ck_assert_int_eq(pf_ndb_open(&k->ndb, out), 0);
	ck_assert_uint_eq(pf_ndb_header(k->ndb)->root.nbt.ib, h.root.nbt.ib);
	ck_assert_uint_eq(pf_ndb_header(k->ndb)->root.bbt.bid, h.root.bbt.bid);
	pf_ndb_close(k->ndb);
	free(k);
}
END_TEST

/* A block on a map page, past the copy, misaligned or overlapping a kept
 * one is refused with PF_E_CORRUPT; the writer still commits. */
START_TEST(impossible_places_refused)
{
	char in[128], out[128];
	struct pf_ndb *ndb;
	struct pf_writer *w;
	const struct pf_layout *l;
	uint64_t data_ib, bid;

	paths("refuse", _i, in, out, sizeof(in));
	make_base(&variants[_i], in);
	ck_assert_int_eq(pf_ndb_open(&ndb, in), 0);
	l = pf_ndb_layout(ndb);
	w = open_over(ndb, out, &variants[_i]);
	data_ib = l->amap_first + 4 * l->page_size;
	ck_assert_int_eq(pf_writer_keep_block(w, 8, l->amap_first, 100, 0,
					      NULL, 0), PF_E_CORRUPT);
	ck_assert_int_eq(pf_writer_keep_block(w, 8, pf_ndb_file_size(ndb),
					      100, 0, NULL, 0), PF_E_CORRUPT);
	ck_assert_int_eq(pf_writer_keep_block(w, 8, data_ib + 8, 100, 0,
					      NULL, 0), PF_E_CORRUPT);
	ck_assert_int_eq(pf_writer_keep_block(w, 8, data_ib, 100, 0, NULL, 0),
			 0);
	ck_assert_int_eq(pf_writer_keep_block(w, 12, data_ib, 100, 0, NULL,
					      0), PF_E_CORRUPT);
	/* out of order is the caller's bug: that one sticks */
	ck_assert_int_eq(pf_writer_keep_block(w, 4, data_ib + 4096, 100, 0,
					      NULL, 0), PF_E_USAGE);
	pf_writer_abort(w);

	w = open_over(ndb, out, &variants[_i]);
	ck_assert_int_eq(pf_writer_keep_block(w, 12, data_ib, 100, 0, NULL,
					      0), 0);
	bid = put(w, 1, 500);
	ck_assert_uint_gt(bid, 12);       /* new BIDs above kept ones */
	ck_assert_int_eq(pf_writer_add_node(w, NEW_NID, bid, 0, 0x122), 0);
	ck_assert_msg(pf_writer_commit(w) == 0, "%s", pf_error_msg());
	pf_ndb_close(ndb);
	check_clean(out);
}
END_TEST

/* Keep everything of the file NDB reads, add one node, commit W. */
static void keep_add_commit(struct keep *k)
{
	ck_assert_int_eq(pf_bbt_foreach(k->ndb, keep_block, k), 0);
	ck_assert_int_eq(pf_nbt_foreach(k->ndb, keep_node, k), 0);
	ck_assert_int_eq(pf_writer_add_node(k->w, NEW_NID,
					    put(k->w, 4242, 30000), 0, 0x122),
			 0);
	ck_assert_msg(pf_writer_commit(k->w) == 0, "%s", pf_error_msg());
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long len;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	ck_assert_int_gt(len, 0);
	rewind(f);
	p = malloc((size_t)len);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(fread(p, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return p;
}

/* pf_writer_open_adopt(): the source file itself becomes the output,
 * with the same bytes a copy would have given, and is gone after. */
START_TEST(adopt_same_bytes_as_copy)
{
	char in[128], out[128], src[160], out2[160], cmd[600];
	struct keep *k = calloc(1, sizeof(*k));
	const struct pf_header *h;
	struct pf_over_counters c;
	uint8_t *a, *b;
	size_t na, nb;

	ck_assert_ptr_nonnull(k);
	paths("adopt", _i, in, out, sizeof(in));
	snprintf(src, sizeof(src), "%s.src", in);
	snprintf(out2, sizeof(out2), "%s.adopted", out);
	make_base(&variants[_i], in);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", in, src);
	ck_assert_int_eq(system(cmd), 0);
	k->skip = -1;
	ck_assert_int_eq(pf_ndb_open(&k->ndb, in), 0);
	k->w = open_over(k->ndb, out, &variants[_i]);
	keep_add_commit(k);
	pf_ndb_close(k->ndb);

	memset(k, 0, sizeof(*k));
	k->skip = -1;
	ck_assert_int_eq(pf_ndb_open(&k->ndb, src), 0);
	h = pf_ndb_header(k->ndb);
	memset(&c, 0, sizeof(c));
	c.bid_next_b = h->bid_next_b;
	c.bid_next_p = h->bid_next_p;
	c.unique = h->unique;
	memcpy(c.rgnid, h->rgnid, sizeof(c.rgnid));
	ck_assert_msg(pf_writer_open_adopt(&k->w, out2, src,
					   pf_ndb_file_size(k->ndb),
					   &variants[_i], &c) == 0, "%s",
		      pf_error_msg());
	ck_assert_int_ne(access(src, F_OK), 0);   /* taken over */
	keep_add_commit(k);
	pf_ndb_close(k->ndb);

	a = slurp(out, &na);
	b = slurp(out2, &nb);
	ck_assert_uint_eq(na, nb);
	ck_assert_msg(memcmp(a, b, na) == 0, "adopted output differs");
	free(a);
	free(b);
	read_back(out2, -1, true);
	check_clean(out2);
	free(k);
}
END_TEST

static Suite *over_suite(void)
{
	Suite *s = suite_create("write_over");
	TCase *tc = tcase_create("over");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, keep_all_add_one, 0, 3);
	tcase_add_loop_test(tc, left_out_node_frees_its_blocks, 0, 3);
	tcase_add_loop_test(tc, keep_trees_maps_only, 0, 3);
	tcase_add_loop_test(tc, impossible_places_refused, 0, 3);
	tcase_add_loop_test(tc, adopt_same_bytes_as_copy, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(over_suite(), g_dir, sizeof(g_dir), "pfo");
}
