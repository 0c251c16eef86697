/*
 * test_ltp_hn.c - heap-on-node (MS-PST 2.3.1): good heaps, HID decoding,
 * and one corruption per rule, each expecting its exact fault.
 */
#include <check.h>
#include <stdlib.h>

#include "ltp_blob.h"

static const char A1[] = "first allocation";
static const char A2[] = "2nd";

/* A heap: block 0 with three allocations (one empty), block 1 with one. */
static struct lb_hn *sample(uint32_t *hids)
{
	struct lb_hn *h = lb_new(PF_BTYPE_PC);

	hids[0] = lb_alloc(h, A1, sizeof(A1));
	hids[1] = lb_alloc(h, A2, sizeof(A2));
	hids[2] = lb_alloc(h, "", 0);
	lb_add_block(h);
	hids[3] = lb_alloc(h, "blk1", 4);
	h->hid_user_root = hids[0];
	return h;
}

START_TEST(test_good_heap)
{
	struct lb_sink s;
	struct pf_hn hn;
	uint32_t hids[4];
	struct lb_hn *h = sample(hids);
	const uint8_t *p;
	size_t cb;

	lb_sink_init(&s);
	ck_assert_int_eq(lb_open(h, &hn, &s.sink), 0);
	ck_assert_int_eq(s.n, 0);
	ck_assert_uint_eq(hn.nblocks, 2);
	ck_assert_uint_eq(hn.client_sig, PF_BTYPE_PC);
	ck_assert_uint_eq(hn.hid_user_root, hids[0]);
	ck_assert_uint_eq(hids[0], 0x20);
	ck_assert_uint_eq(hids[3], 0x10020);
	ck_assert_int_eq(pf_hn_get(&hn, hids[0], &p, &cb), 0);
	ck_assert_uint_eq(cb, sizeof(A1));
	ck_assert_mem_eq(p, A1, sizeof(A1));
	ck_assert_int_eq(pf_hn_get(&hn, hids[1], &p, &cb), 0);
	ck_assert_mem_eq(p, A2, sizeof(A2));
	ck_assert_int_eq(pf_hn_get(&hn, hids[2], &p, &cb), 0);
	ck_assert_uint_eq(cb, 0);
	ck_assert_int_eq(pf_hn_get(&hn, hids[3], &p, &cb), 0);
	ck_assert_mem_eq(p, "blk1", 4);
	pf_hn_close(&hn);
	free(h);
}
END_TEST

/* Blocks 8 and 136 carry a 66-byte HNBITMAPHDR; others 2 bytes. */
START_TEST(test_bitmap_blocks)
{
	struct lb_hn *h = lb_new(PF_BTYPE_BTH);
	uint32_t i, hid8 = 0, hid9 = 0;
	struct pf_hn hn;
	const uint8_t *p;
	size_t cb;

	for (i = 1; i <= 9; i++) {
		lb_add_block(h);
		if (i == 8)
			hid8 = lb_alloc(h, "eight", 5);
		if (i == 9)
			hid9 = lb_alloc(h, "nine", 4);
	}
	ck_assert_uint_eq(h->blk[8].ib[0], 66);
	ck_assert_int_eq(lb_open(h, &hn, NULL), 0);
	ck_assert_uint_eq(hn.blk[8].cb_hdr, 66);
	ck_assert_uint_eq(hn.blk[9].cb_hdr, 2);
	ck_assert_int_eq(pf_hn_get(&hn, hid8, &p, &cb), 0);
	ck_assert_mem_eq(p, "eight", 5);
	ck_assert_int_eq(pf_hn_get(&hn, hid9, &p, &cb), 0);
	ck_assert_mem_eq(p, "nine", 4);
	pf_hn_close(&hn);
	free(h);
}
END_TEST

START_TEST(test_hid_decoding)
{
	uint32_t hids[4];
	struct lb_hn *h = sample(hids);
	struct pf_hn hn;
	const uint8_t *p;
	size_t cb;

	ck_assert_uint_eq(PF_HID_TYPE(0x10020), 0);
	ck_assert_uint_eq(PF_HID_INDEX(0x10020), 1);
	ck_assert_uint_eq(PF_HID_BLOCK(0x10020), 1);
	ck_assert_uint_eq(PF_HID_MAKE(3, 2047), 0x3FFE0);
	ck_assert_int_eq(lb_open(h, &hn, NULL), 0);
	/* hidType != 0: not a HID at all */
	ck_assert_int_eq(pf_hn_get(&hn, 0x21, &p, &cb), PF_E_CORRUPT);
	ck_assert_ptr_null(p);
	/* hidIndex 0, past cAlloc, hidBlockIndex past the blocks */
	ck_assert_int_eq(pf_hn_get(&hn, 0x10000, &p, &cb), PF_E_NOTFOUND);
	ck_assert_int_eq(pf_hn_get(&hn, PF_HID_MAKE(0, 4), &p, &cb),
			 PF_E_NOTFOUND);
	ck_assert_int_eq(pf_hn_get(&hn, PF_HID_MAKE(2, 1), &p, &cb),
			 PF_E_NOTFOUND);
	pf_hn_close(&hn);
	free(h);
}
END_TEST

START_TEST(test_no_blocks)
{
	struct pf_hn hn;

	ck_assert_int_eq(pf_hn_open_blocks(&hn, NULL, NULL, 0, 1, NULL),
			 PF_E_CORRUPT);
}
END_TEST

/* ---- corruptions ---- */

static uint8_t *map0(struct lb_out *o)
{
	return o->blocks[0] + pf_le16(o->blocks[0]);
}

static void c_bsig(struct lb_out *o) { o->blocks[0][2] = 0xAB; }
static void c_client(struct lb_out *o) { o->blocks[0][3] = 0x11; }
static void c_hnpm_past(struct lb_out *o)
{
	pf_put16(o->blocks[0], (uint16_t)(o->cbs[0] - 2));
}
static void c_hnpm_low(struct lb_out *o) { pf_put16(o->blocks[0], 4); }
static void c_calloc(struct lb_out *o) { pf_put16(map0(o), 1000); }
static void c_cfree(struct lb_out *o) { pf_put16(map0(o) + 2, 9); }
static void c_rgib_down(struct lb_out *o)
{
	pf_put16(map0(o) + 4 + 2 * 2, (uint16_t)(pf_le16(map0(o) + 6) - 1));
}
static void c_rgib_past(struct lb_out *o)
{
	pf_put16(map0(o) + 4 + 2 * 3, (uint16_t)(pf_le16(o->blocks[0]) + 2));
}
static void c_rgib_low(struct lb_out *o) { pf_put16(map0(o) + 4, 6); }
static void c_root_type(struct lb_out *o) { pf_put32(o->blocks[0] + 4, 0x21); }
static void c_root_idx0(struct lb_out *o)
{
	pf_put32(o->blocks[0] + 4, 0x10000);
}
static void c_root_idx(struct lb_out *o)
{
	pf_put32(o->blocks[0] + 4, PF_HID_MAKE(0, 9));
}
static void c_root_blk(struct lb_out *o)
{
	pf_put32(o->blocks[0] + 4, PF_HID_MAKE(7, 1));
}
static void c_blk1_short(struct lb_out *o) { o->cbs[1] = 1; }
static void c_blk0_short(struct lb_out *o) { o->cbs[0] = 10; }
static void c_blk1_map(struct lb_out *o) { pf_put16(o->blocks[1], 0); }

struct hn_case {
	const char *name;
	void (*mutate)(struct lb_out *o);
	int rc;                     /* from the open */
	enum pf_fault_kind kind;
	const char *field;
};

static const struct hn_case cases[] = {
	{ "bSig", c_bsig, 0, PF_F_MAGIC, "bSig" },
	{ "bClientSig", c_client, 0, PF_F_MAGIC, "bClientSig" },
	{ "ibHnpm past block", c_hnpm_past, PF_E_CORRUPT, PF_F_CB, "ibHnpm" },
	{ "ibHnpm in header", c_hnpm_low, PF_E_CORRUPT, PF_F_CB, "ibHnpm" },
	{ "cAlloc too big", c_calloc, PF_E_CORRUPT, PF_F_CENT, "cAlloc" },
	{ "cFree > cAlloc", c_cfree, 0, PF_F_CENT, "cFree" },
	{ "rgibAlloc down", c_rgib_down, 0, PF_F_VALUE, "rgibAlloc" },
	{ "rgibAlloc past", c_rgib_past, 0, PF_F_VALUE, "rgibAlloc" },
	{ "rgibAlloc in hdr", c_rgib_low, 0, PF_F_VALUE, "rgibAlloc" },
	{ "hidType", c_root_type, 0, PF_F_VALUE, "hidUserRoot" },
	{ "hidIndex 0", c_root_idx0, 0, PF_F_VALUE, "hidUserRoot" },
	{ "hidIndex > cAlloc", c_root_idx, 0, PF_F_MISSING, "hidUserRoot" },
	{ "hidBlockIndex", c_root_blk, 0, PF_F_MISSING, "hidUserRoot" },
	{ "block 1 short", c_blk1_short, 0, PF_F_CB, "HNPAGEHDR" },
	{ "block 0 short", c_blk0_short, PF_E_CORRUPT, PF_F_CB, "HNHDR" },
	{ "block 1 map", c_blk1_map, 0, PF_F_CB, "ibHnpm" },
};

START_TEST(test_corrupt)
{
	const struct hn_case *c = &cases[_i];
	uint32_t hids[4];
	struct lb_hn *h = sample(hids);
	struct lb_sink s;
	struct lb_out o;
	struct pf_hn hn;
	int i, found = 0;

	lb_sink_init(&s);
	lb_build(h, &o);
	c->mutate(&o);
	ck_assert_msg(lb_open_out(&o, &hn, &s.sink) == c->rc, "%s", c->name);
	for (i = 0; i < s.n; i++) {
		ck_assert_int_eq(s.f[i].obj, PF_OBJ_HN);
		if (s.f[i].kind == c->kind &&
		    strcmp(s.f[i].field, c->field) == 0)
			found = 1;
	}
	ck_assert_msg(found, "%s: fault %d/%s not reported (%d faults)",
		      c->name, c->kind, c->field, s.n);
	pf_hn_close(&hn);
	free(h);
}
END_TEST

/* A damaged allocation extent never yields bytes outside the heap area. */
START_TEST(test_damaged_extent)
{
	uint32_t hids[4];
	struct lb_hn *h = sample(hids);
	struct lb_out o;
	struct pf_hn hn;
	const uint8_t *p;
	size_t cb;

	lb_build(h, &o);
	c_rgib_down(&o);
	ck_assert_int_eq(lb_open_out(&o, &hn, NULL), 0);
	ck_assert_int_eq(pf_hn_get(&hn, hids[1], &p, &cb), PF_E_CORRUPT);
	ck_assert_int_eq(pf_hn_get(&hn, hids[0], &p, &cb), 0);
	ck_assert_int_eq(pf_hn_get(&hn, hids[3], &p, &cb), 0);
	pf_hn_close(&hn);
	free(h);
}
END_TEST

/* An unusable page: HIDs into it fail, the rest of the heap reads. */
START_TEST(test_bad_page_isolated)
{
	uint32_t hids[4];
	struct lb_hn *h = sample(hids);
	struct lb_sink s;
	struct lb_out o;
	struct pf_hn hn;
	const uint8_t *p;
	size_t cb;

	lb_sink_init(&s);
	lb_build(h, &o);
	c_blk1_map(&o);
	ck_assert_int_eq(lb_open_out(&o, &hn, &s.sink), 0);
	ck_assert_int_eq(pf_hn_get(&hn, hids[3], &p, &cb), PF_E_CORRUPT);
	ck_assert_int_eq(pf_hn_get(&hn, hids[0], &p, &cb), 0);
	ck_assert(!pf_hn_hid_check(&hn, hids[3], PF_OBJ_PC, "x", &s.sink));
	ck_assert(lb_has(&s, PF_OBJ_PC, PF_F_MISSING));
	pf_hn_close(&hn);
	free(h);
}
END_TEST

static Suite *hn_suite(void)
{
	Suite *s = suite_create("ltp_hn");
	TCase *tc = tcase_create("hn");

	tcase_add_test(tc, test_good_heap);
	tcase_add_test(tc, test_bitmap_blocks);
	tcase_add_test(tc, test_hid_decoding);
	tcase_add_test(tc, test_no_blocks);
	tcase_add_loop_test(tc, test_corrupt, 0,
			    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_damaged_extent);
	tcase_add_test(tc, test_bad_page_isolated);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(hn_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
