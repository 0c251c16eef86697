/*
 * test_repair_level.c - the problem-code -> repair-level map
 * (pstfix/repair/repair_level.c).
 *
 * Covers:
 * - every code of the problem table is in exactly one range of the map
 *   (pf_repair_level_known), and every range holds at least one code, so
 *   a new row without a level, or a stale range, fails here;
 * - ranges sorted and disjoint;
 * - errors never map to NONE (an error repair ignored would stay), info
 *   rows always do (they report, they do not ask);
 * - anchor rows map to the level repair.h names for them: header CRC ->
 *   HEADER, fAMapValid 0 -> MAPS, BBT page CRC -> BTREE, block CRC ->
 *   NODES, missing mandatory node -> MESSAGING, stale cbAMapFree -> NONE;
 * - the pass order holds: no row of pass 3/4 (B-tree pages) asks for
 *   less than BTREE, none of pass 6/7 for anything but MESSAGING or NONE;
 * - pf_repair_level_of(): NULL finding and a finding without a problem
 *   are NONE; an unknown code asks for MESSAGING;
 * - pf_repair_level_name() for each level.
 */
#include <check.h>
#include <string.h>

#include "../../pstfix/check/check.h"
#include "../../pstfix/repair/repair_run.h"

START_TEST(test_every_code_has_a_level)
{
	for (unsigned i = 0; i < pf_problem_count; i++)
		ck_assert_msg(pf_repair_level_known(pf_problems[i].code),
			      "PF%04u (%s) has no repair level",
			      pf_problems[i].code, pf_problems[i].id);
}
END_TEST

START_TEST(test_ranges_sorted_and_used)
{
	unsigned n = pf_repair_level_ranges();
	uint16_t prev_last = 0;

	ck_assert_uint_gt(n, 0);
	for (unsigned r = 0; r < n; r++) {
		uint16_t first, last;
		unsigned used = 0;

		pf_repair_level_range(r, &first, &last);
		ck_assert_msg(first <= last, "range %u: %u > %u", r, first,
			      last);
		ck_assert_msg(r == 0 || first > prev_last,
			      "range %u starts at %u, inside the one before",
			      r, first);
		prev_last = last;
		for (unsigned i = 0; i < pf_problem_count; i++)
			if (pf_problems[i].code >= first &&
			    pf_problems[i].code <= last)
				used++;
		ck_assert_msg(used > 0, "range %u-%u holds no problem code",
			      first, last);
	}
}
END_TEST

START_TEST(test_severity_rules)
{
	for (unsigned i = 0; i < pf_problem_count; i++) {
		const struct pf_problem *p = &pf_problems[i];
		enum pf_repair_level lv = pf_repair_level_of_code(p->code);

		if (p->sev == PF_SEV_ERROR)
			ck_assert_msg(lv != PF_REPAIR_NONE,
				      "error PF%04u (%s) asks for no repair",
				      p->code, p->id);
		if (p->sev == PF_SEV_INFO)
			ck_assert_msg(lv == PF_REPAIR_NONE,
				      "info PF%04u (%s) asks for %s", p->code,
				      p->id, pf_repair_level_name(lv));
	}
}
END_TEST

START_TEST(test_pass_order)
{
	for (unsigned i = 0; i < pf_problem_count; i++) {
		const struct pf_problem *p = &pf_problems[i];
		enum pf_repair_level lv = pf_repair_level_of_code(p->code);
		unsigned pass = p->code / 1000u;

		if ((pass == 3 || pass == 4) && p->sev == PF_SEV_ERROR)
			ck_assert_msg(lv >= PF_REPAIR_BTREE,
				      "PF%04u asks for %s", p->code,
				      pf_repair_level_name(lv));
		if (pass == 6 || pass == 7)
			ck_assert_msg(lv == PF_REPAIR_MESSAGING ||
				      lv == PF_REPAIR_NONE,
				      "PF%04u asks for %s", p->code,
				      pf_repair_level_name(lv));
		if (pass == 8 || pass == 9)
			ck_assert_int_eq(lv, PF_REPAIR_NONE);
	}
}
END_TEST

static enum pf_repair_level level_of_id(const char *id)
{
	for (unsigned i = 0; i < pf_problem_count; i++) {
		if (strcmp(pf_problems[i].id, id) == 0) {
			struct pf_finding f = { .problem = &pf_problems[i] };

			return pf_repair_level_of(&f);
		}
	}
	ck_abort_msg("no problem %s", id);
	return PF_REPAIR_NONE;
}

static const struct {
	const char *id;
	enum pf_repair_level level;
} anchors[] = {
	{ "HEADER_CRC", PF_REPAIR_HEADER },
	{ "HEADER_RGNID", PF_REPAIR_HEADER },
	{ "ROOT_FILE_PADDED", PF_REPAIR_HEADER },
	{ "ROOT_AMAP_INVALID", PF_REPAIR_MAPS },
	{ "AMAP_CRC", PF_REPAIR_MAPS },
	{ "AMAP_FREE_IN_USE", PF_REPAIR_MAPS },
	{ "DLIST_PTYPE", PF_REPAIR_MAPS },
	{ "BBT_CRC", PF_REPAIR_BTREE },
	{ "NBT_CYCLE", PF_REPAIR_BTREE },
	{ "ROOT_PAST_EOF", PF_REPAIR_BTREE },
	{ "BLOCK_CRC", PF_REPAIR_NODES },
	{ "BLOCK_CREF", PF_REPAIR_NODES },
	{ "NBT_DATA_NOT_IN_BBT", PF_REPAIR_NODES },
	{ "MANDATORY_NODE_MISSING", PF_REPAIR_MESSAGING },
	{ "CONTENT_COUNT", PF_REPAIR_MESSAGING },
	{ "TC_NO_ROWS", PF_REPAIR_MESSAGING },
	{ "AMAP_FREE_STALE", PF_REPAIR_NONE },
	{ "DLIST_ZERO", PF_REPAIR_NONE },
	{ "AMAP_LEAKED", PF_REPAIR_NONE },
};

START_TEST(test_anchor_levels)
{
	for (size_t i = 0; i < sizeof(anchors) / sizeof(anchors[0]); i++)
		ck_assert_msg(level_of_id(anchors[i].id) == anchors[i].level,
			      "%s asks for %s, expected %s", anchors[i].id,
			      pf_repair_level_name(level_of_id(anchors[i].id)),
			      pf_repair_level_name(anchors[i].level));
}
END_TEST

START_TEST(test_edges)
{
	struct pf_finding f;

	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(pf_repair_level_of(NULL), PF_REPAIR_NONE);
	ck_assert_int_eq(pf_repair_level_of(&f), PF_REPAIR_NONE);
	ck_assert(!pf_repair_level_known(0));
	ck_assert(!pf_repair_level_known(65535));
	ck_assert_int_eq(pf_repair_level_of_code(65535), PF_REPAIR_MESSAGING);
	ck_assert_str_eq(pf_repair_level_name(PF_REPAIR_NONE), "none");
	ck_assert_str_eq(pf_repair_level_name(PF_REPAIR_HEADER), "header");
	ck_assert_str_eq(pf_repair_level_name(PF_REPAIR_MAPS), "maps");
	ck_assert_str_eq(pf_repair_level_name(PF_REPAIR_BTREE), "btree");
	ck_assert_str_eq(pf_repair_level_name(PF_REPAIR_NODES), "nodes");
	ck_assert_str_eq(pf_repair_level_name(PF_REPAIR_MESSAGING),
			 "messaging");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("repair_level");
	TCase *tc = tcase_create("map");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_every_code_has_a_level);
	tcase_add_test(tc, test_ranges_sorted_and_used);
	tcase_add_test(tc, test_severity_rules);
	tcase_add_test(tc, test_pass_order);
	tcase_add_test(tc, test_anchor_levels);
	tcase_add_test(tc, test_edges);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
