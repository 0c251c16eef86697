/*
 * test_ltp_tc.c - table context (MS-PST 2.3.4): a table with a column of
 * each size group, the row index in both widths, typed cell reads, and
 * one corruption per rule with its exact fault.
 */
#include <check.h>
#include <stdlib.h>

#include "ltp_blob.h"

#define T_IMPORTANCE 0x00170003u
#define T_SUBJECT    0x0037001Fu
#define T_DELIVERY   0x0E060040u
#define T_SIZE       0x0E080003u
#define T_HASATT     0x0E1B000Bu
#define T_RECORDKEY  0x0FF90102u
#define T_NAME8      0x3001001Eu
#define T_SHORT      0x66000002u

static const struct lb_col cols[] = {
	{ T_IMPORTANCE, 4, 4, 2 },
	{ T_SUBJECT, 8, 4, 3 },
	{ T_DELIVERY, 12, 8, 4 },
	{ T_SIZE, 20, 4, 5 },
	{ T_HASATT, 38, 1, 6 },
	{ T_RECORDKEY, 24, 4, 7 },
	{ T_NAME8, 28, 4, 8 },
	{ T_SHORT, 36, 2, 9 },
	{ PF_TC_TAG_ROWID, 0, 4, 0 },
	{ PF_TC_TAG_ROWVER, 32, 4, 1 },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))
static const uint16_t rgib[4] = { 36, 38, 39, 41 };
#define RS 41

static const uint32_t row_ids[3] = { 0x200044, 0x200024, 0x200064 };

struct fixture {
	struct lb_hn *h;
	uint32_t info, odd, subject, key;
	uint8_t idx_ent;
};

static const struct fixture *fx;

static void put(uint8_t *row, uint32_t col, const void *v)
{
	lb_cell(row, rgib, &cols[col], v);
}

static void build(struct fixture *f, uint8_t idx_ent)
{
	static const uint8_t hello[] = { 'H', 0, 'i', 0 };
	static const uint8_t rkey[3] = { 7, 8, 9 };
	uint8_t rows[3 * RS] = { 0 }, b4[4], b8[8], b2[2], b1[1];
	uint32_t i;

	f->h = lb_new(PF_BTYPE_TC);
	f->idx_ent = idx_ent;
	f->subject = lb_alloc(f->h, hello, sizeof(hello));
	f->key = lb_alloc(f->h, rkey, sizeof(rkey));
	f->odd = lb_alloc(f->h, "abc", 3);
	for (i = 0; i < 3; i++) {
		pf_put32(b4, row_ids[i]);
		put(rows + i * RS, 8, b4);
		pf_put32(b4, 100 + i);
		put(rows + i * RS, 0, b4);             /* importance */
	}
	/* row 0: everything */
	pf_put32(b4, f->subject);
	put(rows, 1, b4);
	pf_put64(b8, 0x01D0000000000000ULL);
	put(rows, 2, b8);
	pf_put32(b4, 4096);
	put(rows, 3, b4);
	b1[0] = 1;
	put(rows, 4, b1);
	pf_put32(b4, f->key);
	put(rows, 5, b4);
	pf_put32(b4, f->odd);                          /* String8 "abc" */
	put(rows, 6, b4);
	pf_put16(b2, 0xFFFB);                          /* -5 */
	put(rows, 7, b2);
	pf_put32(b4, 1);
	put(rows, 9, b4);
	/* row 2: empty subject (HNID 0), false */
	pf_put32(b4, 0);
	put(rows + 2 * RS, 1, b4);
	b1[0] = 0;
	put(rows + 2 * RS, 4, b1);
	f->info = lb_tc(f->h, cols, NCOLS, rgib, rows, 3, idx_ent);
}

static int open_tc(struct fixture *f, struct lb_out *o, struct pf_tc *tc,
		   enum pf_variant variant, const struct pf_sink *sink,
		   const struct pf_subnodes *sub)
{
	struct pf_hn hn;
	int rc = lb_open_out(o, &hn, sink);

	(void)f;
	if (rc < 0)
		return rc;
	return pf_tc_open_hn(tc, &hn, NULL, sub, variant, sink);
}

START_TEST(test_good_table)
{
	struct fixture f;
	struct lb_sink s;
	struct lb_out o;
	struct pf_tc tc;
	uint32_t id, row;
	int32_t i32;
	int64_t i64;
	uint64_t t;
	bool b;
	char *str;
	uint8_t *bin;
	size_t cb;

	build(&f, _i ? 2 : 4);
	lb_sink_init(&s);
	lb_build(f.h, &o);
	ck_assert_int_eq(open_tc(&f, &o, &tc, _i ? PF_ANSI : PF_UNICODE,
				 &s.sink, NULL), 0);
	ck_assert_int_eq(pf_tc_validate(&tc, &s.sink), 0);
	ck_assert_int_eq(s.n, 0);
	ck_assert_uint_eq(pf_tc_rows(&tc), 3);
	ck_assert_uint_eq(pf_tc_cols(&tc), NCOLS);
	ck_assert_uint_eq(pf_tc_col_tag(&tc, 1), T_SUBJECT);
	ck_assert_int_eq(pf_tc_row_id(&tc, 1, &id), 0);
	ck_assert_uint_eq(id, 0x200024);
	ck_assert_int_eq(pf_tc_find_row(&tc, 0x200064, &row), 0);
	ck_assert_uint_eq(row, 2);
	ck_assert_int_eq(pf_tc_find_row(&tc, 0x999, &row), PF_E_NOTFOUND);
	ck_assert(pf_tc_cell_exists(&tc, 0, T_SUBJECT));
	ck_assert(!pf_tc_cell_exists(&tc, 1, T_SUBJECT));
	ck_assert(!pf_tc_cell_exists(&tc, 0, 0x12340003));
	ck_assert_int_eq(pf_tc_get_i32(&tc, 2, T_IMPORTANCE, &i32), 0);
	ck_assert_int_eq(i32, 102);
	ck_assert_int_eq(pf_tc_get_i32(&tc, 0, T_SHORT, &i32), 0);
	ck_assert_int_eq(i32, -5);
	ck_assert_int_eq(pf_tc_get_i64(&tc, 0, T_SIZE, &i64), 0);
	ck_assert_int_eq(i64, 4096);
	ck_assert_int_eq(pf_tc_get_time(&tc, 0, T_DELIVERY, &t), 0);
	ck_assert_uint_eq(t, 0x01D0000000000000ULL);
	ck_assert_int_eq(pf_tc_get_bool(&tc, 0, T_HASATT, &b), 0);
	ck_assert(b);
	ck_assert_int_eq(pf_tc_get_bool(&tc, 2, T_HASATT, &b), 0);
	ck_assert(!b);
	ck_assert_int_eq(pf_tc_get_string(&tc, 0, T_SUBJECT, &str), 0);
	ck_assert_str_eq(str, "Hi");
	free(str);
	ck_assert_int_eq(pf_tc_get_string(&tc, 2, T_SUBJECT, &str), 0);
	ck_assert_str_eq(str, "");
	free(str);
	/* type 0 in the request matches by property id */
	ck_assert_int_eq(pf_tc_get_string(&tc, 0, 0x30010000u, &str), 0);
	ck_assert_str_eq(str, "abc");
	free(str);
	ck_assert_int_eq(pf_tc_get_bin(&tc, 0, T_RECORDKEY, &bin, &cb), 0);
	ck_assert_uint_eq(cb, 3);
	ck_assert_uint_eq(bin[2], 9);
	free(bin);
	ck_assert_int_eq(pf_tc_get_string(&tc, 1, T_SUBJECT, &str),
			 PF_E_NOTFOUND);
	ck_assert_int_eq(pf_tc_get_i32(&tc, 3, T_IMPORTANCE, &i32),
			 PF_E_NOTFOUND);
	pf_tc_close(&tc);
	free(f.h);
}
END_TEST

START_TEST(test_empty_table)
{
	struct lb_hn *h = lb_new(PF_BTYPE_TC);
	struct lb_sink s;
	struct pf_hn hn;
	struct pf_tc tc;

	lb_sink_init(&s);
	lb_tc(h, cols, NCOLS, rgib, NULL, 0, 4);
	ck_assert_int_eq(lb_open(h, &hn, &s.sink), 0);
	ck_assert_int_eq(pf_tc_open_hn(&tc, &hn, NULL, NULL, 0, &s.sink), 0);
	ck_assert_uint_eq(pf_tc_rows(&tc), 0);
	ck_assert_int_eq(pf_tc_validate(&tc, &s.sink), 0);
	ck_assert_int_eq(s.n, 0);
	pf_tc_close(&tc);
	free(h);
}
END_TEST

/* ---- corruptions ---- */

static uint8_t *info(struct lb_out *o) { return lb_ptr(o, fx->info); }
static uint8_t *desc(struct lb_out *o, int i) { return info(o) + 22 + 8 * i; }
static uint8_t *row(struct lb_out *o, int r)
{
	return lb_ptr(o, pf_le32(info(o) + 14)) + r * RS;
}
static uint8_t *idx_leaf(struct lb_out *o)
{
	return lb_ptr(o, pf_le32(lb_ptr(o, pf_le32(info(o) + 10)) + 4));
}

static void m_client(struct lb_out *o) { o->blocks[0][3] = PF_BTYPE_PC; }
static void m_btype(struct lb_out *o) { info(o)[0] = 0x7D; }
static void m_rgib_order(struct lb_out *o) { pf_put16(info(o) + 4, 30); }
static void m_rgib_ceb(struct lb_out *o) { pf_put16(info(o) + 8, 40); }
static void m_ccols(struct lb_out *o) { info(o)[1] = 40; }
static void m_col_past(struct lb_out *o) { pf_put16(desc(o, 3) + 4, 37); }
static void m_col_cb(struct lb_out *o) { desc(o, 0)[6] = 2; }
static void m_col_type(struct lb_out *o) { pf_put16(desc(o, 0), 0x0099); }
static void m_col_order(struct lb_out *o) { pf_put32(desc(o, 0), 0x00500003); }
static void m_col_ibit(struct lb_out *o) { desc(o, 0)[7] = 20; }
static void m_col_group(struct lb_out *o) { pf_put16(desc(o, 7) + 4, 2); }
static void m_rows_zero(struct lb_out *o) { pf_put32(info(o) + 14, 0); }
static void m_rows_hid(struct lb_out *o)
{
	pf_put32(info(o) + 14, PF_HID_MAKE(0, 99));
}
static void m_rows_nid(struct lb_out *o) { pf_put32(info(o) + 14, 0x8ABF); }
static void m_idx_range(struct lb_out *o)
{
	uint8_t *l = idx_leaf(o);

	if (fx->idx_ent == 2)
		pf_put16(l + 4, 7);
	else
		pf_put32(l + 4, 7);
}
static void m_idx_empty(struct lb_out *o)
{
	pf_put32(lb_ptr(o, pf_le32(info(o) + 10)) + 4, 0);
}
static void m_idx_cbkey(struct lb_out *o)
{
	lb_ptr(o, pf_le32(info(o) + 10))[1] = 2;
}
static void m_rowid(struct lb_out *o) { pf_put32(row(o, 1), 0x200025); }
static void m_rowid_dup(struct lb_out *o) { pf_put32(row(o, 1), row_ids[0]); }
static void m_cell_hid(struct lb_out *o)
{
	pf_put32(row(o, 0) + 8, PF_HID_MAKE(0, 99));
}
static void m_cell_odd(struct lb_out *o) { pf_put32(row(o, 0) + 8, fx->odd); }
static void m_cell_nid(struct lb_out *o) { pf_put32(row(o, 0) + 8, 0x7FE1); }
static void m_matrix_cb(struct lb_out *o)
{
	uint8_t *d = o->blocks[0];
	uint16_t hnpm = pf_le16(d);
	uint32_t i = PF_HID_INDEX(pf_le32(info(o) + 14));

	/* the matrix allocation loses 5 bytes; TCINFO after it moves up */
	pf_put16(d + hnpm + 4 + 2 * i,
		 (uint16_t)(pf_le16(d + hnpm + 4 + 2 * i) - 5));
	memmove(d + pf_le16(d + hnpm + 4 + 2 * i),
		d + pf_le16(d + hnpm + 4 + 2 * i) + 5,
		pf_le16(d + hnpm + 4 + 2 * (i + 1)) -
		pf_le16(d + hnpm + 4 + 2 * i));
}

struct tc_case {
	const char *name;
	void (*mutate)(struct lb_out *o);
	int open_rc;
	enum pf_obj obj;
	enum pf_fault_kind kind;
	const char *field;
};

static const struct tc_case cases[] = {
	{ "bClientSig", m_client, PF_E_CORRUPT, PF_OBJ_TC, PF_F_MAGIC,
	  "bClientSig" },
	{ "bType", m_btype, PF_E_CORRUPT, PF_OBJ_TC, PF_F_MAGIC, "bType" },
	{ "rgib order", m_rgib_order, PF_E_CORRUPT, PF_OBJ_TC, PF_F_VALUE,
	  "rgib" },
	{ "rgib CEB size", m_rgib_ceb, 0, PF_OBJ_TC, PF_F_VALUE, "rgib" },
	{ "cCols too many", m_ccols, 0, PF_OBJ_TC, PF_F_CENT, "cCols" },
	{ "column past row", m_col_past, 0, PF_OBJ_TC, PF_F_CB, "ibData" },
	{ "cbData", m_col_cb, 0, PF_OBJ_TC, PF_F_CB, "cbData" },
	{ "column type", m_col_type, 0, PF_OBJ_TC, PF_F_TYPE, "tag" },
	{ "columns unsorted", m_col_order, 0, PF_OBJ_TC, PF_F_KEY_ORDER,
	  "tag" },
	{ "iBit", m_col_ibit, 0, PF_OBJ_TC, PF_F_VALUE, "iBit" },
	{ "size group", m_col_group, 0, PF_OBJ_TC, PF_F_VALUE, "ibData" },
	{ "hnidRows 0 with rows", m_rows_zero, 0, PF_OBJ_TC, PF_F_MISSING,
	  "hnidRows" },
	{ "hnidRows HID absent", m_rows_hid, 0, PF_OBJ_TC, PF_F_MISSING,
	  "hnidRows" },
	{ "hnidRows NID absent", m_rows_nid, 0, PF_OBJ_TC, PF_F_MISSING,
	  "hnidRows" },
	{ "dwRowIndex range", m_idx_range, 0, PF_OBJ_TC, PF_F_VALUE,
	  "dwRowIndex" },
	{ "index count", m_idx_empty, 0, PF_OBJ_TC, PF_F_CENT,
	  "hidRowIndex" },
	{ "index cbKey", m_idx_cbkey, 0, PF_OBJ_TC, PF_F_VALUE, "cbKey" },
	{ "dwRowID mismatch", m_rowid, 0, PF_OBJ_TC, PF_F_VALUE, "dwRowID" },
	{ "dwRowID duplicate", m_rowid_dup, 0, PF_OBJ_TC, PF_F_VALUE,
	  "dwRowID" },
	{ "cell HID absent", m_cell_hid, 0, PF_OBJ_TC, PF_F_MISSING,
	  "dwValueHnid" },
	{ "cell size", m_cell_odd, 0, PF_OBJ_TC, PF_F_CB, "dwValueHnid" },
	{ "cell subnode absent", m_cell_nid, 0, PF_OBJ_TC, PF_F_MISSING,
	  "dwValueHnid" },
	{ "matrix size", m_matrix_cb, 0, PF_OBJ_TC, PF_F_CB, "hnidRows" },
};

START_TEST(test_corrupt)
{
	const struct tc_case *c = &cases[_i / 2];
	uint8_t idx_ent = (_i % 2) ? 2 : 4;
	struct fixture f;
	struct lb_sink s;
	struct lb_out o;
	struct pf_tc tc;
	int rc, i, found = 0;

	build(&f, idx_ent);
	fx = &f;
	lb_sink_init(&s);
	lb_build(f.h, &o);
	c->mutate(&o);
	rc = open_tc(&f, &o, &tc, idx_ent == 2 ? PF_ANSI : PF_UNICODE,
		     &s.sink, NULL);
	ck_assert_msg(rc == c->open_rc, "%s: open %d", c->name, rc);
	if (rc == 0) {
		ck_assert_int_ge(pf_tc_validate(&tc, &s.sink), 0);
		/* reads never fail hard on a damaged table */
		for (i = 0; i < 4; i++) {
			char *str = NULL;

			if (pf_tc_get_string(&tc, (uint32_t)i, T_SUBJECT,
					     &str) == 0)
				free(str);
		}
		pf_tc_close(&tc);
	}
	for (i = 0; i < s.n && i < LB_MAX_FAULTS; i++)
		if (s.f[i].obj == c->obj && s.f[i].kind == c->kind &&
		    strcmp(s.f[i].field, c->field) == 0)
			found = 1;
	ck_assert_msg(found, "%s: %d/%s not reported (%d faults, first "
		      "%d/%s)", c->name, c->kind, c->field, s.n,
		      s.n ? (int)s.f[0].kind : 0, s.n ? s.f[0].field : "");
	free(f.h);
}
END_TEST

/* Unicode files have a 4-byte dwRowIndex: a 2-byte one is a fault. */
START_TEST(test_index_width)
{
	struct fixture f;
	struct lb_sink s;
	struct lb_out o;
	struct pf_tc tc;

	build(&f, 2);
	lb_sink_init(&s);
	lb_build(f.h, &o);
	ck_assert_int_eq(open_tc(&f, &o, &tc, PF_UNICODE, &s.sink, NULL), 0);
	ck_assert(lb_has(&s, PF_OBJ_TC, PF_F_VALUE));
	ck_assert_uint_eq(pf_tc_rows(&tc), 3);    /* rows still readable */
	pf_tc_close(&tc);
	free(f.h);
}
END_TEST

/* A cell in a subnode that exists passes validation without a file. */
START_TEST(test_cell_subnode)
{
	static struct pf_subnode sv[] = { { 0x7FE1, 0x40, 0 } };
	static const struct pf_subnodes sub = { sv, 1 };
	struct fixture f;
	struct lb_sink s;
	struct lb_out o;
	struct pf_tc tc;
	char *str;

	build(&f, 4);
	fx = &f;
	lb_sink_init(&s);
	lb_build(f.h, &o);
	m_cell_nid(&o);
	ck_assert_int_eq(open_tc(&f, &o, &tc, PF_UNICODE, &s.sink, &sub), 0);
	ck_assert_int_eq(pf_tc_validate(&tc, &s.sink), 0);
	ck_assert_int_eq(pf_tc_get_string(&tc, 0, T_SUBJECT, &str),
			 PF_E_NOTFOUND);
	pf_tc_close(&tc);
	free(f.h);
}
END_TEST

static Suite *tc_suite(void)
{
	Suite *s = suite_create("ltp_tc");
	TCase *tc = tcase_create("tc");

	tcase_add_loop_test(tc, test_good_table, 0, 2);
	tcase_add_test(tc, test_empty_table);
	tcase_add_loop_test(tc, test_corrupt, 0,
			    (int)(2 * sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_index_width);
	tcase_add_test(tc, test_cell_subnode);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
