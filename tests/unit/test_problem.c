/*
 * test_problem.c - the problem table (pstfix/check/problem.c).
 *
 * Covers:
 * - pf_problems[] sorted strictly by code (so no duplicates), codes in
 *   1000..9999 whose first digit is a pass (check.h enum pf_pass);
 * - ids unique, non-empty, [A-Za-z0-9_]; every row has text; severity is
 *   one of the three; a row with a kind has an obj; ids UPPER_CASE as
 *   check.h documents (a separate case: the map and DList page rows once
 *   came out as "AMap_CRC");
 * - fault rows: each (obj, kind) pair appears once (the first row would
 *   shadow a second); the row of an object lies in its pass's range
 *   (header/ROOT 1xxx, maps 2xxx, BBT 3xxx, NBT 4xxx, blocks 5xxx, LTP
 *   6xxx);
 * - every enum pf_obj from PF_OBJ_HEADER to PF_OBJ_NAMEID has exactly one
 *   catch-all row (kind 0), so no fault formats/ reports is dropped; the
 *   set found is asserted (all seventeen have one);
 * - pf_problem_by_code() finds every row and nothing else (codes between
 *   rows, 0, 65535);
 * - templates use only the escapes %F %G %W %g %w %S, never end in a lone
 *   '%', and %S rows are the ones the checker passes extra text to (a
 *   fixed list from the passes);
 * - every problem code the checker sources name literally
 *   (ck_problem/ck_report(ck, NNNN, ...)) and every code_base()+N of the
 *   tree pass exists in the table (ck_report drops unknown codes
 *   silently, so a typo would lose findings);
 * - pf_severity_name().
 */
#include <check.h>
#include <ctype.h>

#include "tutil.h"

START_TEST(test_sorted_unique_codes)
{
	ck_assert_uint_gt(pf_problem_count, 0);
	for (unsigned i = 0; i < pf_problem_count; i++) {
		uint16_t c = pf_problems[i].code;

		ck_assert_msg(c >= 1000 && c <= 9999, "row %u: code %u", i, c);
		ck_assert_msg(c / 1000 >= PF_PASS_HEADER &&
			      c / 1000 <= 9, "row %u: code %u has no pass",
			      i, c);
		if (i > 0)
			ck_assert_msg(pf_problems[i - 1].code < c,
				      "row %u: PF%04u follows PF%04u (not "
				      "strictly ascending)", i, c,
				      pf_problems[i - 1].code);
	}
}
END_TEST

START_TEST(test_ids_and_text)
{
	for (unsigned i = 0; i < pf_problem_count; i++) {
		const struct pf_problem *p = &pf_problems[i];

		ck_assert_msg(p->id && p->id[0], "PF%04u: no id", p->code);
		for (const char *s = p->id; *s; s++)
			ck_assert_msg(isalnum((unsigned char)*s) || *s == '_',
				      "PF%04u: id \"%s\" has a character "
				      "other than [A-Za-z0-9_]", p->code,
				      p->id);
		ck_assert_msg(p->text && p->text[0], "PF%04u: no text",
			      p->code);
		ck_assert_msg(p->sev == PF_SEV_INFO ||
			      p->sev == PF_SEV_WARNING ||
			      p->sev == PF_SEV_ERROR, "PF%04u: severity %d",
			      p->code, p->sev);
		ck_assert_msg(p->fix == NULL || p->fix[0], "PF%04u: empty fix",
			      p->code);
		ck_assert_msg(p->kind == 0 || p->obj != 0,
			      "PF%04u: a kind without an object", p->code);
		ck_assert_msg((unsigned)p->obj < PF_OBJ__COUNT &&
			      (unsigned)p->kind < PF_F__COUNT,
			      "PF%04u: obj/kind out of range", p->code);
		for (unsigned j = 0; j < i; j++)
			ck_assert_msg(strcmp(pf_problems[j].id, p->id) != 0,
				      "id %s used by PF%04u and PF%04u", p->id,
				      pf_problems[j].code, p->code);
	}
}
END_TEST

/* Ids are stable names users match on (JSON output, suppressions):
 * one spelling convention, UPPER_CASE like "BBT_CRC".  Kept apart from
 * test_ids_and_text so this finding stays separate. */
START_TEST(test_ids_upper_case)
{
	char bad[1024] = "";
	size_t n = 0;

	for (unsigned i = 0; i < pf_problem_count; i++) {
		const char *id = pf_problems[i].id;
		bool ok = true;

		for (const char *s = id; *s; s++)
			if (!isupper((unsigned char)*s) &&
			    !isdigit((unsigned char)*s) && *s != '_')
				ok = false;
		if (!ok && n + 32 < sizeof(bad))
			n += (size_t)snprintf(bad + n, sizeof(bad) - n,
					      "PF%04u:%s ",
					      pf_problems[i].code, id);
	}
	ck_assert_msg(n == 0, "ids not UPPER_CASE: %s", bad);
}
END_TEST

/* The pass an object's rows belong to. */
static unsigned pass_of_obj(enum pf_obj o)
{
	switch (o) {
	case PF_OBJ_HEADER:
	case PF_OBJ_ROOT:
		return 1;
	case PF_OBJ_AMAP:
	case PF_OBJ_PMAP:
	case PF_OBJ_FMAP:
	case PF_OBJ_FPMAP:
	case PF_OBJ_DLIST:
		return 2;
	case PF_OBJ_BBT:
		return 3;
	case PF_OBJ_NBT:
		return 4;
	case PF_OBJ_BLOCK:
	case PF_OBJ_XBLOCK:
	case PF_OBJ_SUBNODE:
		return 5;
	case PF_OBJ_HN:
	case PF_OBJ_BTH:
	case PF_OBJ_PC:
	case PF_OBJ_TC:
	case PF_OBJ_NAMEID:
		return 6;
	default:
		return 0;
	}
}

START_TEST(test_fault_rows)
{
	for (unsigned i = 0; i < pf_problem_count; i++) {
		const struct pf_problem *p = &pf_problems[i];

		if (p->obj == 0)
			continue;
		ck_assert_msg(p->code / 1000 == pass_of_obj(p->obj),
			      "PF%04u: object %d belongs to pass %u", p->code,
			      p->obj, pass_of_obj(p->obj));
		for (unsigned j = 0; j < i; j++)
			ck_assert_msg(pf_problems[j].obj != p->obj ||
				      pf_problems[j].kind != p->kind,
				      "PF%04u and PF%04u both map (obj %d, "
				      "kind %d)", pf_problems[j].code, p->code,
				      p->obj, p->kind);
	}
}
END_TEST

START_TEST(test_catch_all_rows)
{
	/* the objects found with a catch-all row, as a bit set */
	uint32_t have = 0, want = 0;

	for (unsigned i = 0; i < pf_problem_count; i++)
		if (pf_problems[i].obj != 0 && pf_problems[i].kind == 0)
			have |= 1u << pf_problems[i].obj;
	for (int o = PF_OBJ_HEADER; o <= PF_OBJ_NAMEID; o++)
		want |= 1u << o;
	for (int o = PF_OBJ_HEADER; o <= PF_OBJ_NAMEID; o++)
		ck_assert_msg(have & (1u << o),
			      "object %d has no catch-all row (kind 0)", o);
	ck_assert_uint_eq(have, want);
	/* and PF_OBJ_NAMEID is the last object */
	ck_assert_int_eq(PF_OBJ_NAMEID + 1, PF_OBJ__COUNT);
}
END_TEST

START_TEST(test_by_code)
{
	for (unsigned i = 0; i < pf_problem_count; i++)
		ck_assert_ptr_eq(pf_problem_by_code(pf_problems[i].code),
				 &pf_problems[i]);
	for (unsigned c = 0; c <= 0xFFFF; c++) {
		const struct pf_problem *p = pf_problem_by_code((uint16_t)c);

		if (p)
			ck_assert_uint_eq(p->code, c);
	}
	ck_assert_ptr_null(pf_problem_by_code(0));
	ck_assert_ptr_null(pf_problem_by_code(999));
	ck_assert_ptr_null(pf_problem_by_code(1005));
	ck_assert_ptr_null(pf_problem_by_code(65535));
}
END_TEST

START_TEST(test_template_escapes)
{
	for (unsigned i = 0; i < pf_problem_count; i++) {
		const char *t = pf_problems[i].text;

		for (const char *s = t; *s; s++) {
			if (*s != '%')
				continue;
			ck_assert_msg(s[1] && strchr("FGWgwS", s[1]),
				      "PF%04u: bad escape \"%%%c\" in \"%s\"",
				      pf_problems[i].code, s[1] ? s[1] : '$',
				      t);
			s++;
		}
	}
}
END_TEST

/* Rows whose text uses %S get their extra text from the pass that emits
 * them; a %S row nobody passes text to prints an empty hole.  The codes
 * emitted with extra text, from pstfix/check/pass_*.c and report.c. */
START_TEST(test_extra_text_rows)
{
	static const uint16_t with_extra[] = {
		1022, 2052, 2054, 3021, 4021, 4025, 6090, 7001, 7002, 7012,
		7013, 7016, 7018, 9001,
	};

	for (size_t i = 0; i < sizeof(with_extra) / sizeof(with_extra[0]);
	     i++) {
		const struct pf_problem *p = pf_problem_by_code(with_extra[i]);

		ck_assert_msg(p != NULL, "PF%04u missing", with_extra[i]);
		ck_assert_msg(strstr(p->text, "%S") != NULL,
			      "PF%04u is given extra text but has no %%S",
			      with_extra[i]);
	}
}
END_TEST

/* Scan one checker source for literal codes handed to ck_problem or
 * ck_report; assert each exists.  Returns how many were found. */
static unsigned scan_source(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	unsigned found = 0, lineno = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		static const char *const calls[] = { "ck_problem(ck, ",
						     "ck_report(ck, " };

		lineno++;
		for (size_t c = 0; c < 2; c++) {
			const char *p = strstr(line, calls[c]);
			char *end;
			unsigned long code;

			if (!p)
				continue;
			p += strlen(calls[c]);
			if (!isdigit((unsigned char)*p))
				continue;
			code = strtoul(p, &end, 10);
			if (*end != ',')
				continue;
			found++;
			ck_assert_msg(pf_problem_by_code((uint16_t)code),
				      "%s:%u: PF%04lu is not in the table",
				      path, lineno, code);
		}
	}
	fclose(f);
	return found;
}

START_TEST(test_codes_used_exist)
{
	static const char *const sources[] = {
		"pstfix/check/check.c", "pstfix/check/pass_header.c",
		"pstfix/check/pass_btree.c", "pstfix/check/pass_blocks.c",
		"pstfix/check/pass_amap.c", "pstfix/check/pass_ltp.c",
		"pstfix/check/pass_msg.c",
	};
	/* pass_btree.c reports code_base(obj) + N for these N */
	static const unsigned tree_offsets[] = { 8, 9, 10, 11, 12, 13 };
	unsigned total = 0;

	if (!tu_file_present(sources[0])) {
		printf("SKIP: pstfix/check sources not found from %s\n",
		       "the working directory");
		return;
	}
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		total += scan_source(sources[i]);
	/* the scan must see the checker's codes, or it proves nothing */
	ck_assert_uint_ge(total, 20);
	for (size_t i = 0; i < sizeof(tree_offsets) / sizeof(tree_offsets[0]);
	     i++) {
		unsigned n = tree_offsets[i];

		ck_assert(pf_problem_by_code((uint16_t)(3000 + n)));
		ck_assert(pf_problem_by_code((uint16_t)(4000 + n)));
	}
}
END_TEST

START_TEST(test_severity_names)
{
	ck_assert_str_eq(pf_severity_name(PF_SEV_ERROR), "error");
	ck_assert_str_eq(pf_severity_name(PF_SEV_WARNING), "warning");
	ck_assert_str_eq(pf_severity_name(PF_SEV_INFO), "info");
	ck_assert_str_eq(pf_severity_name((enum pf_severity)7), "?");
}
END_TEST

/* Rows the scanpst-literate user relies on keep their meaning. */
START_TEST(test_anchor_rows)
{
	static const struct {
		uint16_t code;
		enum pf_obj obj;
		enum pf_fault_kind kind;
		enum pf_severity sev;
	} rows[] = {
		{ 1001, PF_OBJ_HEADER, PF_F_CRC, PF_SEV_ERROR },
		{ 3001, PF_OBJ_BBT, PF_F_PTYPE, PF_SEV_ERROR },
		{ 3003, PF_OBJ_BBT, PF_F_BID, PF_SEV_ERROR },
		{ 3005, PF_OBJ_BBT, PF_F_CRC, PF_SEV_ERROR },
		{ 4001, PF_OBJ_NBT, PF_F_PTYPE, PF_SEV_ERROR },
		{ 4005, PF_OBJ_NBT, PF_F_CRC, PF_SEV_ERROR },
		{ 5001, PF_OBJ_BLOCK, PF_F_CRC, PF_SEV_ERROR },
		{ 5003, PF_OBJ_BLOCK, PF_F_BID, PF_SEV_ERROR },
		{ 2041, PF_OBJ_DLIST, PF_F_PTYPE, PF_SEV_WARNING },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct pf_problem *p = pf_problem_by_code(rows[i].code);

		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(p->obj, rows[i].obj);
		ck_assert_int_eq(p->kind, rows[i].kind);
		ck_assert_int_eq(p->sev, rows[i].sev);
	}
}
END_TEST

static Suite *problem_suite(void)
{
	Suite *s = suite_create("problem");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, test_sorted_unique_codes);
	tcase_add_test(tc, test_ids_and_text);
	tcase_add_test(tc, test_ids_upper_case);
	tcase_add_test(tc, test_fault_rows);
	tcase_add_test(tc, test_catch_all_rows);
	tcase_add_test(tc, test_by_code);
	tcase_add_test(tc, test_template_escapes);
	tcase_add_test(tc, test_extra_text_rows);
	tcase_add_test(tc, test_codes_used_exist);
	tcase_add_test(tc, test_severity_names);
	tcase_add_test(tc, test_anchor_rows);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(problem_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
