/*
 * test_scavenge.c - the trailer scan (formats/ndb/scavenge.c) and the
 * probing open (formats/ndb/probe.c) on sample stores the writer made in
 * each variant and encoding.
 *
 * The scan must find every block the BBT names, at the BBT's offset with
 * the BBT's cb (and nothing else: the writer leaves no stale block), and
 * every page of both trees with its BID and level; a block or page with
 * one flipped byte is not found (its CRC fails).  With the first bytes
 * zeroed, pf_ndb_probe() names the variant (and bCryptMethod while it
 * survives), pf_ndb_open_ex() opens the file under it, and
 * pf_probe_crypt() finds the encoding from the blocks alone.  Random
 * bytes give a probe failure, not a crash.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/ndb/pf_scavenge.h"
#include "../../formats/write/pf_msgw.h"
#include "../../pstfix/create/sample.h"
#include "tutil.h"

static char g_dir[64];

static const struct {
	enum pf_variant v;
	enum pf_crypt c;
} kinds[] = {
	{ PF_UNICODE, PF_CRYPT_PERMUTE },
	{ PF_UNICODE, PF_CRYPT_CYCLIC },
	{ PF_ANSI, PF_CRYPT_PERMUTE },
	{ PF_ANSI, PF_CRYPT_NONE },
	{ PF_UNICODE4K, PF_CRYPT_PERMUTE },
	{ PF_UNICODE4K, PF_CRYPT_CYCLIC },
};
#define NKINDS (int)(sizeof(kinds) / sizeof(kinds[0]))

static void make(char *path, size_t cap, int k)
{
	struct pf_write_opts wo = { .variant = kinds[k].v,
				    .crypt = kinds[k].c,
				    .ost = kinds[k].v == PF_UNICODE4K };
	struct pf_storew_opts so = { .now = pf_filetime_from_unix(1767225600),
				     .seed = 3 };
	struct pf_sample_spec sp;
	struct pf_storew *s;

	snprintf(path, cap, "%s/s%d.pst", g_dir, k);
	ck_assert_int_eq(pf_sample_parse("messages=40,attachments=0-2,"
					 "attach-size=100-20000", &sp), 0);
	ck_assert_int_eq(pf_storew_open(&s, path, &wo, &so), 0);
	ck_assert_int_eq(pf_sample_generate(s, &sp, NULL, NULL), 0);
	ck_assert_msg(pf_storew_commit(s) == 0, "%s", pf_error_msg());
}

struct seen {
	const struct pf_scavenge *s;
	size_t blocks, pages;
	struct pf_bbt_entry first_ext;   /* an external block, to break */
};

static int on_block(void *ctx, const struct pf_bbt_entry *e)
{
	struct seen *c = ctx;
	size_t n, i = pf_scavenge_block_find(c->s, e->bref.bid, &n);

	ck_assert_msg(n == 1, "bid 0x%llx found %zu times",
		      (unsigned long long)e->bref.bid, n);
	ck_assert_uint_eq(c->s->blocks[i].ib, e->bref.ib);
	ck_assert_uint_eq(c->s->blocks[i].cb, e->cb);
	if (!c->first_ext.bref.bid && !(e->bref.bid & PF_BID_INTERNAL))
		c->first_ext = *e;
	c->blocks++;
	return 0;
}

static int on_page(void *ctx, const struct pf_bref *bref, uint32_t level)
{
	struct seen *c = ctx;

	for (size_t i = 0; i < c->s->npages; i++)
		if (c->s->pages[i].ib == bref->ib) {
			ck_assert_uint_eq(c->s->pages[i].bid, bref->bid);
			ck_assert_uint_eq(c->s->pages[i].level, level);
			c->pages++;
			return 0;
		}
	ck_abort_msg("page 0x%llx not found", (unsigned long long)bref->ib);
	return 0;
}

START_TEST(finds_every_block_and_page)
{
	char path[128];
	struct pf_ndb *ndb;
	struct pf_scavenge s;
	struct seen c = { .s = &s };
	struct tu_loc loc;
	size_t n;

	make(path, sizeof(path), _i);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_scavenge(ndb, &s), 0);
	ck_assert_uint_eq(s.bytes_read, pf_ndb_file_size(ndb) -
			  pf_ndb_layout(ndb)->amap_first);
	ck_assert_int_eq(pf_bbt_foreach(ndb, on_block, &c), 0);
	ck_assert_uint_eq(c.blocks, s.nblocks);
	ck_assert_int_eq(pf_bt_foreach_page(ndb, PF_OBJ_NBT, on_page, &c), 0);
	ck_assert_int_eq(pf_bt_foreach_page(ndb, PF_OBJ_BBT, on_page, &c), 0);
	ck_assert_uint_eq(c.pages, s.npages);
	ck_assert_int_eq(tu_find_leaf(ndb, PF_OBJ_NBT, UINT64_MAX, &loc), 0);
	pf_scavenge_free(&s);
	pf_ndb_close(ndb);

	/* one byte flipped in a block's data and in a leaf page */
	ck_assert_int_eq(tu_xor_byte(path, c.first_ext.bref.ib, 0x01), 0);
	ck_assert_int_eq(tu_xor_byte(path, loc.page_ib + 3, 0x01), 0);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_scavenge(ndb, &s), 0);
	pf_scavenge_block_find(&s, c.first_ext.bref.bid, &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(s.nblocks, c.blocks - 1);
	ck_assert_uint_eq(s.npages, c.pages - 1);
	pf_scavenge_free(&s);
	pf_ndb_close(ndb);
}
END_TEST

START_TEST(probe_zeroed_header)
{
	char path[128];
	uint8_t zero[564] = { 0 };
	struct pf_ndb_opts o = { 0 };
	struct pf_ndb *ndb;
	struct pf_scavenge s;
	enum pf_crypt crypt;
	int c;

	make(path, sizeof(path), _i);
	ck_assert_int_eq(tu_write_at(path, 0, zero, 64), 0);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), PF_E_NOTPST);
	ck_assert_int_eq(pf_ndb_probe(path, &o.variant, &c), 0);
	ck_assert_int_eq(o.variant, kinds[_i].v);
	ck_assert_int_eq(c, kinds[_i].c);       /* bCryptMethod survived */

	ck_assert_int_eq(tu_write_at(path, 0, zero, kinds[_i].v == PF_ANSI ?
				     512 : 564), 0);
	ck_assert_int_eq(pf_ndb_probe(path, &o.variant, &c), 0);
	ck_assert_int_eq(o.variant, kinds[_i].v);
	ck_assert_int_eq(c, -1);
	ck_assert_int_eq(pf_ndb_open_ex(&ndb, path, &o), 0);
	ck_assert(!pf_ndb_header_ok(ndb));
	ck_assert_uint_eq(pf_ndb_layout(ndb)->page_size,
			  kinds[_i].v == PF_UNICODE4K ? 4096 : 512);
	ck_assert_int_eq(pf_scavenge(ndb, &s), 0);
	ck_assert_uint_gt(s.nblocks, 100);
	ck_assert_int_eq(pf_probe_crypt(ndb, &s, &crypt), 0);
	ck_assert_int_eq(crypt, kinds[_i].c);
	pf_scavenge_free(&s);
	pf_ndb_close(ndb);
}
END_TEST

/* Random bytes: no layout fits; the scan of a forced layout ends. */
START_TEST(random_bytes)
{
	char path[128];
	uint8_t *buf = malloc(1u << 20);
	struct pf_ndb_opts o = { .variant = PF_UNICODE };
	struct pf_ndb *ndb;
	struct pf_scavenge s;
	uint64_t x = 88172645463325252ull;
	int c;

	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < (1u << 20); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
	snprintf(path, sizeof(path), "%s/random.bin", g_dir);
	{
		FILE *f = fopen(path, "wb");

		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fwrite(buf, 1, 1u << 20, f), 1u << 20);
		fclose(f);
	}
	free(buf);
	ck_assert_int_eq(pf_ndb_probe(path, &o.variant, &c), PF_E_NOTPST);
	o.variant = PF_UNICODE;
	ck_assert_int_eq(pf_ndb_open_ex(&ndb, path, &o), 0);
	ck_assert_int_eq(pf_scavenge(ndb, &s), 0);
	ck_assert_uint_eq(s.npages, 0);
	pf_scavenge_free(&s);
	pf_ndb_close(ndb);
}
END_TEST

static Suite *scavenge_suite(void)
{
	Suite *s = suite_create("scavenge");
	TCase *tc = tcase_create("scan");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, finds_every_block_and_page, 0, NKINDS);
	tcase_add_loop_test(tc, probe_zeroed_header, 0, NKINDS);
	tcase_add_test(tc, random_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(scavenge_suite(), g_dir, sizeof(g_dir), "pfs");
}
