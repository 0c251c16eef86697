/*
 * test_ltp_bth.c - BTree-on-heap (MS-PST 2.3.2): lookups and in-order
 * walks over one- and multi-level trees with every key size, and one
 * corruption per rule with its exact fault.
 */
#include <check.h>
#include <stdlib.h>

#include "ltp_blob.h"

/* N records, key i*3+1 (cb_key bytes LE), entry bytes = low key byte. */
static uint8_t *make_recs(uint32_t n, uint8_t cb_key, uint8_t cb_ent)
{
	uint32_t rs = (uint32_t)cb_key + cb_ent, i;
	uint8_t *r = calloc(n + 1, rs);

	for (i = 0; i < n; i++) {
		uint8_t *k = r + (size_t)i * rs;
		uint32_t key = i * 3 + 1;

		k[0] = (uint8_t)key;
		k[1] = (uint8_t)(key >> 8);
		if (cb_key > 4)
			k[cb_key - 1] = (uint8_t)(i >> 4); /* high byte too */
		memset(k + cb_key, (uint8_t)key, cb_ent);
	}
	return r;
}

static int key_cmp(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	while (n-- > 0)
		if (a[n] != b[n])
			return a[n] < b[n] ? -1 : 1;
	return 0;
}

struct visit {
	uint32_t n;
	uint8_t last[16];
	uint8_t cb_key;
	int ordered;
};

static int on_rec(void *ctx, const uint8_t *key, const uint8_t *ent)
{
	struct visit *v = ctx;

	(void)ent;
	if (v->n > 0 && key_cmp(key, v->last, v->cb_key) <= 0)
		v->ordered = 0;
	memcpy(v->last, key, v->cb_key);
	v->n++;
	return 0;
}

static void check_tree(uint32_t n, uint8_t cb_key, uint8_t cb_ent,
		       uint32_t per, uint32_t want_levels)
{
	struct lb_hn *h = lb_new(PF_BTYPE_BTH);
	uint8_t *recs = make_recs(n, cb_key, cb_ent);
	uint32_t rs = (uint32_t)cb_key + cb_ent, i, nf = 9;
	struct visit v = { .cb_key = cb_key, .ordered = 1 };
	struct lb_sink s;
	struct pf_bth bth;
	struct pf_hn hn;
	const uint8_t *ent;
	uint8_t key[16] = { 0 };

	h->hid_user_root = lb_bth(h, cb_key, cb_ent, recs, n, per);
	lb_sink_init(&s);
	ck_assert_int_eq(lb_open(h, &hn, &s.sink), 0);
	ck_assert_int_eq(pf_bth_open(&bth, &hn, hn.hid_user_root, &s.sink),
			 0);
	ck_assert_uint_eq(bth.levels, want_levels);
	ck_assert_uint_eq(bth.cb_key, cb_key);
	for (i = 0; i < n; i++) {
		const uint8_t *k = recs + (size_t)i * rs;

		ck_assert_int_eq(pf_bth_lookup(&bth, k, &ent), 0);
		ck_assert_mem_eq(ent, k + cb_key, cb_ent);
		memcpy(key, k, cb_key);
		key[0]++;            /* between two keys: absent */
		ck_assert_int_eq(pf_bth_lookup(&bth, key, &ent),
				 PF_E_NOTFOUND);
	}
	memset(key, 0, sizeof(key));    /* below the smallest key */
	ck_assert_int_eq(pf_bth_lookup(&bth, key, &ent), PF_E_NOTFOUND);
	ck_assert_int_eq(pf_bth_walk(&bth, &s.sink, on_rec, &v, &nf), 0);
	ck_assert_uint_eq(v.n, n);
	ck_assert(v.ordered);
	ck_assert_uint_eq(nf, 0);
	ck_assert_int_eq(s.n, 0);
	pf_hn_close(&hn);
	free(recs);
	free(h);
}

START_TEST(test_one_leaf)
{
	check_tree(40, 2, 6, 0, 0);
}
END_TEST

START_TEST(test_levels)
{
	check_tree(100, 2, 6, 10, 1);
	check_tree(100, 4, 4, 4, 3);
	check_tree(60, 4, 2, 7, 2);
}
END_TEST

START_TEST(test_key_sizes)
{
	check_tree(50, 8, 8, 6, 2);
	check_tree(50, 16, 32, 5, 2);
	check_tree(30, 2, 1, 0, 0);
}
END_TEST

START_TEST(test_empty)
{
	struct lb_hn *h = lb_new(PF_BTYPE_BTH);
	struct visit v = { .cb_key = 2, .ordered = 1 };
	struct pf_bth bth;
	struct pf_hn hn;
	const uint8_t *ent;
	uint8_t key[2] = { 1, 0 };

	h->hid_user_root = lb_bth(h, 2, 6, NULL, 0, 0);
	ck_assert_int_eq(lb_open(h, &hn, NULL), 0);
	ck_assert_int_eq(pf_bth_open(&bth, &hn, hn.hid_user_root, NULL), 0);
	ck_assert_uint_eq(bth.hid_root, 0);
	ck_assert_int_eq(pf_bth_lookup(&bth, key, &ent), PF_E_NOTFOUND);
	ck_assert_int_eq(pf_bth_walk(&bth, NULL, on_rec, &v, NULL), 0);
	ck_assert_uint_eq(v.n, 0);
	pf_hn_close(&hn);
	free(h);
}
END_TEST

/* The callback's nonzero return stops the walk and is returned. */
static int stop_at_3(void *ctx, const uint8_t *key, const uint8_t *ent)
{
	uint32_t *n = ctx;

	(void)key;
	(void)ent;
	return ++*n == 3 ? 42 : 0;
}

START_TEST(test_walk_stops)
{
	struct lb_hn *h = lb_new(PF_BTYPE_BTH);
	uint8_t *recs = make_recs(20, 2, 6);
	struct pf_bth bth;
	struct pf_hn hn;
	uint32_t n = 0;

	h->hid_user_root = lb_bth(h, 2, 6, recs, 20, 5);
	ck_assert_int_eq(lb_open(h, &hn, NULL), 0);
	ck_assert_int_eq(pf_bth_open(&bth, &hn, hn.hid_user_root, NULL), 0);
	ck_assert_int_eq(pf_bth_walk(&bth, NULL, stop_at_3, &n, NULL), 42);
	ck_assert_uint_eq(n, 3);
	pf_hn_close(&hn);
	free(recs);
	free(h);
}
END_TEST

/* ---- corruptions ---- */

/* The tree used by the corruptions: 12 records, 4 per leaf, 1 level. */
struct fixture {
	struct lb_hn *h;
	uint32_t hdr, leaf[3], root;
};

static void build_fixture(struct fixture *f)
{
	uint8_t *recs = make_recs(12, 2, 6);
	uint8_t idx[3 * 6];
	uint32_t i;

	f->h = lb_new(PF_BTYPE_BTH);
	for (i = 0; i < 3; i++) {
		f->leaf[i] = lb_alloc(f->h, recs + i * 4 * 8, 4 * 8);
		memcpy(idx + 6 * i, recs + i * 4 * 8, 2);
		pf_put32(idx + 6 * i + 2, f->leaf[i]);
	}
	f->root = lb_alloc(f->h, idx, sizeof(idx));
	f->hdr = lb_bth_header(f->h, PF_BTYPE_BTH, 2, 6, 1, f->root);
	f->h->hid_user_root = f->hdr;
	free(recs);
}

static const struct fixture *fx;

static void m_btype(struct lb_out *o) { lb_ptr(o, fx->hdr)[0] = 0xB6; }
static void m_cbkey(struct lb_out *o) { lb_ptr(o, fx->hdr)[1] = 3; }
static void m_cbent0(struct lb_out *o) { lb_ptr(o, fx->hdr)[2] = 0; }
static void m_cbent33(struct lb_out *o) { lb_ptr(o, fx->hdr)[2] = 33; }
static void m_levels(struct lb_out *o) { lb_ptr(o, fx->hdr)[3] = 17; }
static void m_root_missing(struct lb_out *o)
{
	pf_put32(lb_ptr(o, fx->hdr) + 4, PF_HID_MAKE(0, 40));
}
static void m_root_type(struct lb_out *o)
{
	pf_put32(lb_ptr(o, fx->hdr) + 4, 0x2A1);
}
/* swap two keys inside leaf 1 */
static void m_unsorted(struct lb_out *o)
{
	uint8_t *l = lb_ptr(o, fx->leaf[1]), t[2];

	memcpy(t, l + 8, 2);
	memcpy(l + 8, l + 16, 2);
	memcpy(l + 16, t, 2);
}
/* leaf 2's first key below leaf 1's last */
static void m_across(struct lb_out *o)
{
	uint8_t *l2 = lb_ptr(o, fx->leaf[2]);
	uint8_t *r = lb_ptr(o, fx->root);

	pf_put16(l2, 2);
	pf_put16(r + 12, 2);   /* keep the index key equal to it */
}
static void m_keymin(struct lb_out *o)
{
	pf_put16(lb_ptr(o, fx->root) + 6, 11);
}
/* the middle index record points back at the root array */
static void m_cycle(struct lb_out *o)
{
	lb_ptr(o, fx->hdr)[3] = 2;                      /* 2 levels */
	pf_put32(lb_ptr(o, fx->root) + 8, fx->root);
}
static void m_next_missing(struct lb_out *o)
{
	pf_put32(lb_ptr(o, fx->root) + 8, PF_HID_MAKE(0, 99));
}
static void m_short_hdr(struct lb_out *o)
{
	uint8_t *d = o->blocks[0];
	uint16_t hnpm = pf_le16(d);
	uint32_t i = PF_HID_INDEX(fx->hdr);

	/* shrink the header allocation to 4 bytes */
	pf_put16(d + hnpm + 4 + 2 * i,
		 (uint16_t)(pf_le16(d + hnpm + 4 + 2 * (i - 1)) + 4));
}
/* leaf 0 loses 3 bytes at its end: 29 is not a multiple of 8 */
static void m_cb(struct lb_out *o)
{
	uint8_t *d = o->blocks[0];
	uint16_t hnpm = pf_le16(d);
	uint32_t i = PF_HID_INDEX(fx->leaf[0]);

	pf_put16(d + hnpm + 4 + 2 * (i - 1),
		 (uint16_t)(pf_le16(d + hnpm + 4 + 2 * (i - 1)) + 3));
}

struct bth_case {
	const char *name;
	void (*mutate)(struct lb_out *o);
	int open_rc;
	enum pf_obj obj;
	enum pf_fault_kind kind;
};

static const struct bth_case cases[] = {
	{ "bType", m_btype, PF_E_CORRUPT, PF_OBJ_BTH, PF_F_MAGIC },
	{ "cbKey 3", m_cbkey, PF_E_CORRUPT, PF_OBJ_BTH, PF_F_VALUE },
	{ "cbEnt 0", m_cbent0, PF_E_CORRUPT, PF_OBJ_BTH, PF_F_VALUE },
	{ "cbEnt 33", m_cbent33, PF_E_CORRUPT, PF_OBJ_BTH, PF_F_VALUE },
	{ "bIdxLevels 17", m_levels, PF_E_CORRUPT, PF_OBJ_BTH, PF_F_DEPTH },
	{ "hidRoot absent", m_root_missing, PF_E_CORRUPT, PF_OBJ_BTH,
	  PF_F_MISSING },
	{ "hidRoot type", m_root_type, PF_E_CORRUPT, PF_OBJ_BTH, PF_F_VALUE },
	{ "keys unsorted", m_unsorted, 0, PF_OBJ_BTH, PF_F_KEY_ORDER },
	{ "keys across leaves", m_across, 0, PF_OBJ_BTH, PF_F_KEY_ORDER },
	{ "index key != child", m_keymin, 0, PF_OBJ_BTH, PF_F_KEY_MIN },
	{ "cycle", m_cycle, 0, PF_OBJ_BTH, PF_F_CYCLE },
	{ "hidNextLevel absent", m_next_missing, 0, PF_OBJ_BTH,
	  PF_F_MISSING },
	{ "BTHHEADER short", m_short_hdr, PF_E_CORRUPT, PF_OBJ_BTH, PF_F_CB },
	{ "records not whole", m_cb, 0, PF_OBJ_BTH, PF_F_CB },
};

START_TEST(test_corrupt)
{
	const struct bth_case *c = &cases[_i];
	struct visit v = { .cb_key = 2, .ordered = 1 };
	struct fixture f;
	struct lb_sink s;
	struct lb_out o;
	struct pf_bth bth;
	struct pf_hn hn;
	uint32_t nf = 0;
	int rc;

	build_fixture(&f);
	fx = &f;
	lb_sink_init(&s);
	lb_build(f.h, &o);
	c->mutate(&o);
	ck_assert_int_eq(lb_open_out(&o, &hn, NULL), 0);
	rc = pf_bth_open(&bth, &hn, f.hdr, &s.sink);
	ck_assert_msg(rc == c->open_rc, "%s: open %d", c->name, rc);
	if (rc == 0) {
		ck_assert_int_eq(pf_bth_walk(&bth, &s.sink, on_rec, &v, &nf),
				 0);
		ck_assert_uint_ge(nf, 1);
		ck_assert_uint_le(v.n, 12);
	}
	ck_assert_msg(lb_has(&s, c->obj, c->kind), "%s: kind %d missing",
		      c->name, c->kind);
	pf_hn_close(&hn);
	free(f.h);
}
END_TEST

/* Lookups on a damaged tree end (bounded by bIdxLevels). */
START_TEST(test_lookup_cycle_ends)
{
	struct fixture f;
	struct lb_out o;
	struct pf_bth bth;
	struct pf_hn hn;
	const uint8_t *ent;
	uint8_t key[2] = { 16, 0 };

	build_fixture(&f);
	fx = &f;
	lb_build(f.h, &o);
	m_cycle(&o);
	ck_assert_int_eq(lb_open_out(&o, &hn, NULL), 0);
	ck_assert_int_eq(pf_bth_open(&bth, &hn, f.hdr, NULL), 0);
	ck_assert_int_ne(pf_bth_lookup(&bth, key, &ent), 0);
	pf_hn_close(&hn);
	free(f.h);
}
END_TEST

static Suite *bth_suite(void)
{
	Suite *s = suite_create("ltp_bth");
	TCase *tc = tcase_create("bth");

	tcase_add_test(tc, test_one_leaf);
	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_key_sizes);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_walk_stops);
	tcase_add_loop_test(tc, test_corrupt, 0,
			    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_lookup_cycle_ends);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(bth_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
