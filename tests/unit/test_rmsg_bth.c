/*
 * test_rmsg_bth.c - the tolerant read's BTH fix-up of a PC heap
 * (pstfix/repair/rmsg_bth.c, MS-PST 2.3.1, 2.3.2, 2.3.3).
 *
 * Covers, on a hand-built block 0 (HNHDR, BTHHEADER, one leaf record
 * array, HNPAGEMAP):
 * - a sound PC is left byte for byte and nothing is said;
 * - bType, cbKey and cbEnt set to 0xB5 2 6; a bIdxLevels past the bound
 *   set to 0 when hidRoot holds whole leaf records of known types, left
 *   when it does not; a hidUserRoot that names nothing set to the one
 *   PC BTHHEADER, left when there are two; records out of order sorted,
 *   left when a key is there twice; after each fix the PC opens through
 *   formats/ltp with every record;
 * - rmsg_heap0_alloc() finds allocations of block 0 and refuses others;
 * - random and truncated blocks: no read outside the buffer (ASan).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/ltp/pf_ltp.h"
#include "../../formats/util/pf_le.h"
#include "../../pstfix/repair/rmsg.h"

#define NREC 4u
#define BTH_AT 12u
#define REC_AT 20u

/* HNHDR; allocation 1 the BTHHEADER, 2 the records (keys ascending,
 * inline PtypInteger32 / PtypBoolean values), optionally 3 a second
 * BTHHEADER; the HNPAGEMAP after them.  Returns cb. */
static size_t build(uint8_t *d, bool second_header)
{
	static const uint16_t keys[NREC] = { 0x0017, 0x0036, 0x0E07, 0x3603 };
	uint32_t nalloc = second_header ? 3 : 2;
	uint32_t end = REC_AT + 8 * NREC, hnpm;

	memset(d, 0, 256);
	d[2] = PF_HN_SIG;
	d[3] = PF_BTYPE_PC;
	pf_put32(d + 4, PF_HID_MAKE(0, 1));                /* hidUserRoot */
	d[BTH_AT] = PF_BTYPE_BTH;
	d[BTH_AT + 1] = 2;
	d[BTH_AT + 2] = 6;
	pf_put32(d + BTH_AT + 4, PF_HID_MAKE(0, 2));        /* hidRoot */
	for (uint32_t i = 0; i < NREC; i++) {
		pf_put16(d + REC_AT + 8 * i, keys[i]);
		pf_put16(d + REC_AT + 8 * i + 2, i % 2 ? 0x000B : 0x0003);
		pf_put32(d + REC_AT + 8 * i + 4, i + 1);
	}
	if (second_header) {
		memcpy(d + end, d + BTH_AT, 8);
		end += 8;
	}
	hnpm = end;
	pf_put16(d, (uint16_t)hnpm);
	pf_put16(d + hnpm, (uint16_t)nalloc);
	pf_put16(d + hnpm + 4, BTH_AT);
	pf_put16(d + hnpm + 6, REC_AT);
	pf_put16(d + hnpm + 8, REC_AT + 8 * NREC);
	if (second_header)
		pf_put16(d + hnpm + 10, (uint16_t)end);
	return hnpm + 4 + 2 * (nalloc + 1);
}

/* D (CB bytes) opens as a PC with all NREC records, in order. */
static void assert_opens(const uint8_t *d, size_t cb)
{
	uint8_t **b = malloc(sizeof(*b));
	size_t *cbs = malloc(sizeof(*cbs));
	struct pf_hn hn;
	struct pf_pc pc;

	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(cbs);
	b[0] = malloc(cb);
	ck_assert_ptr_nonnull(b[0]);
	memcpy(b[0], d, cb);
	cbs[0] = cb;
	ck_assert_int_eq(pf_hn_open_blocks(&hn, b, cbs, 1, 0x2000c4, NULL),
			 0);
	free(b);
	free(cbs);
	ck_assert_int_eq(pf_pc_open_hn(&pc, &hn, NULL, NULL, NULL), 0);
	ck_assert_uint_eq(pf_pc_count(&pc), NREC);
	for (uint32_t i = 1; i < NREC; i++)
		ck_assert_uint_lt(PF_PROP_ID(pf_pc_tag(&pc, i - 1)),
				  PF_PROP_ID(pf_pc_tag(&pc, i)));
	pf_pc_close(&pc);
}

/* The fix-up brings damaged D (CB bytes) back to WAS, says SAID, and the
 * PC opens. */
static void fixed_back(uint8_t *d, size_t cb, const uint8_t *was,
		       const char *said)
{
	char why[RMSG_WHY_CB] = "";

	rmsg_pc_bth_fix(d, cb, false, why, sizeof(why));
	ck_assert_mem_eq(d, was, 256);
	ck_assert_msg(strstr(why, said), "'%s' lacks '%s'", why, said);
	assert_opens(d, cb);
}

START_TEST(sound_left_alone)
{
	uint8_t d[256], was[256];
	char why[RMSG_WHY_CB] = "";
	size_t cb = build(d, false);

	memcpy(was, d, sizeof(d));
	rmsg_pc_bth_fix(d, cb, false, why, sizeof(why));
	ck_assert_mem_eq(d, was, sizeof(d));
	ck_assert_str_eq(why, "");
	assert_opens(d, cb);
}
END_TEST

START_TEST(header_fields)
{
	/* bType, cbKey, cbEnt: each wrong alone, then all three */
	static const struct { uint8_t at, v; } bad[] = {
		{ 0, 0xB6 }, { 1, 4 }, { 2, 8 }, { 1, 3 },
	};

	for (size_t k = 0; k <= sizeof(bad) / sizeof(bad[0]); k++) {
		uint8_t d[256], was[256];
		size_t cb = build(d, false);

		memcpy(was, d, sizeof(d));
		if (k < sizeof(bad) / sizeof(bad[0]))
			d[BTH_AT + bad[k].at] = bad[k].v;
		else
			memset(d + BTH_AT, 0, 3);
		fixed_back(d, cb, was, "set to 0xb5 2 6");
	}
}
END_TEST

START_TEST(levels)
{
	uint8_t d[256], was[256];
	char why[RMSG_WHY_CB] = "";
	size_t cb = build(d, false);

	memcpy(was, d, sizeof(d));
	d[BTH_AT + 3] = 0x40;
	fixed_back(d, cb, was, "bIdxLevels 64 set to 0");
	/* a record of no known type: not leaf records, left */
	d[BTH_AT + 3] = 0x40;
	pf_put16(d + REC_AT + 2, 0x0999);
	rmsg_pc_bth_fix(d, cb, false, why, sizeof(why));
	ck_assert_uint_eq(d[BTH_AT + 3], 0x40);
}
END_TEST

START_TEST(user_root)
{
	uint8_t d[256], was[256];
	char why[RMSG_WHY_CB] = "";
	size_t cb = build(d, false);

	memcpy(was, d, sizeof(d));
	pf_put32(d + 4, PF_HID_MAKE(0, 0x7FF));
	fixed_back(d, cb, was, "hidUserRoot");
	/* two candidates: nothing is guessed */
	cb = build(d, true);
	pf_put32(d + 4, PF_HID_MAKE(0, 0x7FF));
	rmsg_pc_bth_fix(d, cb, false, why, sizeof(why));
	ck_assert_uint_eq(pf_le32(d + 4), PF_HID_MAKE(0, 0x7FF));
	ck_assert_str_eq(why, "");
}
END_TEST

START_TEST(order)
{
	uint8_t d[256], was[256], t[8];
	char why[RMSG_WHY_CB] = "";
	size_t cb = build(d, false);

	memcpy(was, d, sizeof(d));
	memcpy(t, d + REC_AT, 8);                  /* 0 <-> 3 */
	memcpy(d + REC_AT, d + REC_AT + 24, 8);
	memcpy(d + REC_AT + 24, t, 8);
	fixed_back(d, cb, was, "records sorted");
	/* a key twice, the two apart: left as it is */
	memcpy(d + REC_AT + 8, d + REC_AT + 24, 8);
	memcpy(was, d, sizeof(d));
	rmsg_pc_bth_fix(d, cb, false, why, sizeof(why));
	ck_assert_mem_eq(d, was, sizeof(d));
}
END_TEST

START_TEST(heap0_alloc)
{
	uint8_t d[256];
	size_t cb = build(d, false);
	uint32_t len = 0;

	ck_assert_ptr_eq(rmsg_heap0_alloc(d, cb, false, PF_HID_MAKE(0, 2),
					  &len), d + REC_AT);
	ck_assert_uint_eq(len, 8 * NREC);
	ck_assert_ptr_null(rmsg_heap0_alloc(d, cb, false, PF_HID_MAKE(0, 3),
					    &len));
	ck_assert_ptr_null(rmsg_heap0_alloc(d, cb, false, PF_HID_MAKE(1, 1),
					    &len));
	ck_assert_ptr_null(rmsg_heap0_alloc(d, cb, false, 0x21, &len));
	ck_assert_ptr_null(rmsg_heap0_alloc(d, 8, false, PF_HID_MAKE(0, 1),
					    &len));
}
END_TEST

START_TEST(random_blocks)
{
	/* every size up to 300 bytes, random contents and a few sound
	 * headers cut short: ASan sees every read */
	uint64_t x = 0x9E3779B97F4A7C15ull;

	for (size_t cb = 0; cb < 300; cb++) {
		for (int round = 0; round < 8; round++) {
			uint8_t *d = malloc(cb + 1);
			char why[RMSG_WHY_CB] = "";
			uint32_t len;

			ck_assert_ptr_nonnull(d);
			if (round == 0 && cb >= 12) {
				uint8_t full[256];

				build(full, round & 1);
				memcpy(d, full, cb < 256 ? cb : 256);
			} else {
				for (size_t i = 0; i < cb; i++) {
					x ^= x << 13;
					x ^= x >> 7;
					x ^= x << 17;
					d[i] = (uint8_t)x;
				}
				if (cb >= 4)
					d[3] = PF_BTYPE_PC;
				if (cb >= 2 && round & 1)
					pf_put16(d, (uint16_t)(cb > 8 ?
							       cb - 8 : 0));
			}
			rmsg_pc_bth_fix(d, cb, round & 2, why, sizeof(why));
			rmsg_heap0_alloc(d, cb, false, (uint32_t)x, &len);
			free(d);
		}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rmsg_bth");
	TCase *tc = tcase_create("fix");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, sound_left_alone);
	tcase_add_test(tc, header_fields);
	tcase_add_test(tc, levels);
	tcase_add_test(tc, user_root);
	tcase_add_test(tc, order);
	tcase_add_test(tc, heap0_alloc);
	tcase_add_test(tc, random_blocks);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
