/*
 * test_alloc_bound.c - a data tree's claims cannot buy memory the file
 * does not hold (issue 7): formats/ndb/datatree.c.
 *
 * Covers, in Unicode and ANSI files written by formats/write
 * (tu_xfile.h: one node whose data is an XBLOCK over 20 blocks of 4000
 * bytes):
 * - the tree as written reads back whole (the bound rejects nothing true);
 * - lcbTotal (MS-PST 2.2.2.8.3.2.1) raised to just under 1 GiB, the
 *   per-value limit, or to one byte more than the leaves' BBT cb add up
 *   to, CRC fixed: pf_node_data_read refuses it with PF_E_CORRUPT before
 *   allocating (the message names lcbTotal), where it used to allocate
 *   lcbTotal bytes first;
 * - every rgbid entry naming the first leaf, CRC fixed: pf_datatree_load
 *   refuses the leaf named twice (PF_E_CORRUPT), so no reader reads one
 *   block cEnt times.
 */
#include "tu_xfile.h"

#define NID TU_XNID

static char tmpdir[64];

static const enum pf_variant variants[] = { PF_UNICODE, PF_ANSI };

/* The node's XBLOCK: its BBT entry and the layout. */
static void find_xblock(const char *path, struct pf_bbt_entry *e,
			struct pf_layout *l)
{
	struct pf_ndb *ndb;
	struct pf_nbt_entry ne;

	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_nbt_lookup(ndb, NID, &ne), 0);
	ck_assert(ne.bid_data & PF_BID_INTERNAL);
	ck_assert_int_eq(pf_bbt_lookup(ndb, ne.bid_data, e), 0);
	*l = *pf_ndb_layout(ndb);
	pf_ndb_close(ndb);
}

/* Rewrite the XBLOCK through EDIT and fix its trailer's dwCRC (2.2.2.8.1:
 * ANSI cb wSig bid dwCRC, Unicode cb wSig dwCRC bid). */
static void edit_xblock(const char *path, void (*edit)(uint8_t *, bool))
{
	struct pf_bbt_entry e;
	struct pf_layout l;
	uint8_t data[8192], crc[4];
	bool ansi;
	uint64_t trailer;

	find_xblock(path, &e, &l);
	ansi = l.bid_size == 4;
	ck_assert_uint_le(e.cb, sizeof(data));
	ck_assert_int_eq(tu_read_at(path, e.bref.ib, data, e.cb), 0);
	edit(data, ansi);
	ck_assert_int_eq(tu_write_at(path, e.bref.ib, data, e.cb), 0);
	trailer = e.bref.ib + pf_block_size(&l, e.cb) - l.block_trailer;
	pf_put32(crc, pf_crc(data, e.cb));
	ck_assert_int_eq(tu_write_at(path, trailer + (ansi ? 8 : 4), crc, 4),
			 0);
}

static uint32_t g_lcb;

static void set_lcb(uint8_t *d, bool ansi)
{
	(void)ansi;
	pf_put32(d + 4, g_lcb);
}

static void dup_leaves(uint8_t *d, bool ansi)
{
	unsigned w = ansi ? 4 : 8;

	for (uint32_t i = 1; i < pf_le16(d + 2); i++)
		memcpy(d + 8 + (size_t)i * w, d + 8, w);
}

static int read_node(const char *path, size_t *n)
{
	struct pf_ndb *ndb;
	struct pf_nbt_entry ne;
	uint8_t *got = NULL;
	int rc;

	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_nbt_lookup(ndb, NID, &ne), 0);
	rc = pf_node_data_read(ndb, ne.bid_data, PF_NODE_DATA_MAX, &got, n);
	free(got);
	pf_ndb_close(ndb);
	return rc;
}

START_TEST(test_lcb_total_bound)
{
	char path[128];
	size_t total, n = 0;
	const uint32_t claims[] = { 0x3FFFFF00u, 0 };

	snprintf(path, sizeof(path), "%s/lcb-%d.pst", tmpdir, _i);
	tu_xfile_write(variants[_i], path);
	total = (size_t)TU_XNBLK * TU_XBLKCB;
	ck_assert_int_eq(read_node(path, &n), 0);
	ck_assert_uint_eq(n, total);
	for (size_t k = 0; k < sizeof(claims) / sizeof(claims[0]); k++) {
		g_lcb = claims[k] ? claims[k] : (uint32_t)total + 1;
		edit_xblock(path, set_lcb);
		ck_assert_int_eq(read_node(path, &n), PF_E_CORRUPT);
		ck_assert_msg(strstr(pf_error_msg(), "lcbTotal") != NULL,
			      "%s", pf_error_msg());
	}
	g_lcb = (uint32_t)total;          /* the truth reads again */
	edit_xblock(path, set_lcb);
	ck_assert_int_eq(read_node(path, &n), 0);
	ck_assert_uint_eq(n, total);
}
END_TEST

START_TEST(test_leaf_named_twice)
{
	char path[128];
	struct pf_ndb *ndb;
	struct pf_nbt_entry ne;
	struct pf_datatree t;

	snprintf(path, sizeof(path), "%s/dup-%d.pst", tmpdir, _i);
	tu_xfile_write(variants[_i], path);
	edit_xblock(path, dup_leaves);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_nbt_lookup(ndb, NID, &ne), 0);
	ck_assert_int_eq(pf_datatree_load(ndb, ne.bid_data, NULL, &t),
			 PF_E_CORRUPT);
	ck_assert_msg(strstr(pf_error_msg(), "twice") != NULL, "%s",
		      pf_error_msg());
	ck_assert_ptr_null(t.bids);
	pf_ndb_close(ndb);
}
END_TEST

static Suite *alloc_suite(void)
{
	Suite *s = suite_create("alloc_bound");
	TCase *tc = tcase_create("datatree");
	int nv = (int)(sizeof(variants) / sizeof(variants[0]));

	tcase_add_loop_test(tc, test_lcb_total_bound, 0, nv);
	tcase_add_loop_test(tc, test_leaf_named_twice, 0, nv);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(alloc_suite(), tmpdir, sizeof(tmpdir), "pfab");
}
