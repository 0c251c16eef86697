/*
 * test_export.c - pstfix/export on a file the writer makes and then
 * damages on purpose:
 * - orphans: one message's NBT nidParent pointed at a folder that does
 *   not exist, and likewise a folder's (the page's CRC made right again,
 *   so only the link is wrong) -> with salvage the message is in
 *   "Recovered Items" and the lost folder's mail in "Recovered Items/
 *   NAME (0xNID)", without salvage each is skipped with its reason;
 * - an unreadable message: its heap's bClientSig flipped, so its node is
 *   no longer a property context -> skipped, logged, the walk goes on;
 * - a lost NBT leaf page: salvage walks past it (logged, counted), the
 *   folder tree that cannot be read any more sends every message found
 *   to "Recovered Items/Inbox (0x8082)"; without salvage, exit with an
 *   error that names --salvage;
 * - no temporary file is left behind, every name is final;
 * - folder names made safe (export_name.c rules).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/write/pf_msgw.h"
#include "../../pstfix/export/export.h"
#include "tutil.h"

static char dir[64];
static char pst[128];
static uint32_t nids[3];
static uint32_t lost_folder, lost_msg;   /* a folder cut off, its mail */

/* A new scratch directory and a store being written in it (f.pst). */
static struct pf_storew *start_pst(void)
{
	struct pf_write_opts wo = { .variant = PF_UNICODE,
				    .crypt = PF_CRYPT_NONE,
				    .unique_seed = 1 };
	struct pf_storew_opts so = { .now = pf_filetime_from_unix(1767225600),
				     .seed = 1 };
	struct pf_storew *s;

	snprintf(dir, sizeof(dir), "/tmp/pstfix-test-export.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(pst, sizeof(pst), "%s/f.pst", dir);
	ck_assert_int_eq(pf_storew_open(&s, pst, &wo, &so), 0);
	return s;
}

static void make_pst(void)
{
	struct pf_storew *s = start_pst();

	for (int i = 0; i < 3; i++) {
		char subj[32];
		struct pf_msgw_rcpt r = { .name = "Bob",
					  .addr = "bob@example.org",
					  .type = PF_RCPT_TO };
		struct pf_msgw_message m = { .subject = subj,
					     .sender_name = "Alice",
					     .sender_addr = "a@example.org",
					     .rcpt = &r, .nrcpt = 1,
					     .body_text = "hello\n" };

		snprintf(subj, sizeof(subj), "message %d", i);
		ck_assert_int_eq(pf_storew_add_message(s, pf_storew_std_folder(
			s, PF_FOLDER_INBOX), &m, &nids[i]), 0);
	}
	{
		struct pf_msgw_message m = { .subject = "in a lost folder",
					     .body_text = "kept\n" };

		ck_assert_int_eq(pf_storew_add_folder(s, pf_storew_std_folder(
			s, PF_FOLDER_INBOX), "Projects", NULL, &lost_folder),
			0);
		ck_assert_int_eq(pf_storew_add_message(s, lost_folder, &m,
						       &lost_msg), 0);
	}
	ck_assert_int_eq(pf_storew_commit(s), 0);
}

/* NBTENTRY (Unicode, MS-PST 2.2.2.7.7.4): nid 8, bidData 8, bidSub 8,
 * nidParent 4, padding 4.  NID's nidParent becomes a folder NID nobody
 * has (the node, a message or a folder, is cut off from the tree). */
static void orphan(uint32_t nid)
{
	struct pf_ndb *ndb;
	struct tu_loc loc;
	uint8_t v[4];

	ck_assert_int_eq(pf_ndb_open(&ndb, pst), 0);
	ck_assert_int_eq(tu_find_leaf(ndb, PF_OBJ_NBT, nid, &loc), 0);
	pf_put32(v, 0x7FFFFFE2u);   /* a folder NID nobody has */
	ck_assert_int_eq(tu_write_at(pst, loc.page_ib + loc.index * 32 + 24,
				     v, 4), 0);
	ck_assert_int_eq(tu_page_fix_file(pst, pf_ndb_layout(ndb),
					  loc.page_ib), 0);
	pf_ndb_close(ndb);
}

static void break_block(uint32_t nid)
{
	struct pf_ndb *ndb;
	struct pf_nbt_entry ne;
	struct pf_bbt_entry be;

	ck_assert_int_eq(pf_ndb_open(&ndb, pst), 0);
	ck_assert_int_eq(pf_nbt_lookup(ndb, nid, &ne), 0);
	ck_assert_int_eq(pf_bbt_lookup(ndb, ne.bid_data, &be), 0);
	pf_ndb_close(ndb);
	/* bClientSig (MS-PST 2.3.1.2): no longer a PC */
	ck_assert_int_eq(tu_xor_byte(pst, be.bref.ib + 3, 0x5A), 0);
}

struct logged {
	unsigned n;
	char last[400];
};

static void on_log(void *ctx, uint32_t nid, const char *where,
		   const char *why)
{
	struct logged *l = ctx;

	l->n++;
	snprintf(l->last, sizeof(l->last), "0x%x %s %s", nid, where, why);
}

static bool exists(const char *rel)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "rb");
	if (f)
		fclose(f);
	return f != NULL;
}

/* No ".pstfix-tmp-" name anywhere under PATH. */
static unsigned temps(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char sub[1024];

		if (strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		if (strncmp(e->d_name, ".pstfix-tmp-", 12) == 0)
			n++;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (e->d_type == DT_DIR)
			n += temps(sub);
	}
	closedir(d);
	return n;
}

static void setup(void)
{
	make_pst();
	orphan(nids[1]);
	orphan(lost_folder);
	break_block(nids[2]);
}

static void teardown(void)
{
	if (!getenv("KEEP"))
		tu_rm_dir(dir);
}

static void run(bool salvage, enum pf_export_format fmt,
		struct pf_export_summary *sum, struct logged *lg)
{
	char out[128];
	struct pf_export_opts o = { .format = fmt, .salvage = salvage,
				    .fsync = true, .log = on_log, .ctx = lg };

	snprintf(out, sizeof(out), "%s/out-%d-%d", dir, salvage, (int)fmt);
	o.out_dir = out;
	memset(lg, 0, sizeof(*lg));
	ck_assert_int_eq(pf_export_file(pst, &o, sum), 0);
	ck_assert_uint_eq(temps(out), 0);
}

START_TEST(test_salvage)
{
	struct pf_export_summary s;
	struct logged lg;
	char rel[128];

	run(true, PF_EXPORT_EML, &s, &lg);
	ck_assert_uint_eq(s.messages, 3);
	ck_assert_uint_eq(s.recovered, 2);
	ck_assert_uint_eq(s.skipped, 1);
	ck_assert_uint_eq(lg.n, 1);
	ck_assert_ptr_nonnull(strstr(lg.last, "unreadable message"));
	snprintf(rel, sizeof(rel), "out-1-0/Top of Personal Folders/Inbox/"
		 "%08x.eml", nids[0]);
	ck_assert(exists(rel));
	snprintf(rel, sizeof(rel), "out-1-0/Recovered Items/%08x.eml",
		 nids[1]);
	ck_assert(exists(rel));
	snprintf(rel, sizeof(rel), "out-1-0/Top of Personal Folders/Inbox/"
		 "%08x.eml", nids[2]);
	ck_assert(!exists(rel));
	/* the lost folder's mail, under its own name in Recovered Items */
	snprintf(rel, sizeof(rel), "out-1-0/Recovered Items/Projects "
		 "(0x%x)/%08x.eml", lost_folder, lost_msg);
	ck_assert(exists(rel));
}
END_TEST

START_TEST(test_no_salvage)
{
	struct pf_export_summary s;
	struct logged lg;

	run(false, PF_EXPORT_MBOX, &s, &lg);
	ck_assert_uint_eq(s.messages, 1);
	ck_assert_uint_eq(s.recovered, 0);
	/* the two orphans and the broken one */
	ck_assert_uint_eq(s.skipped, 3);
	ck_assert_uint_eq(lg.n, 3);
	ck_assert_ptr_nonnull(strstr(lg.last, "--salvage"));
	ck_assert(exists("out-0-1/Top of Personal Folders/Inbox/mbox"));
}
END_TEST

static const struct {
	const char *in, *want;
} names[] = {
	{ "Inbox", "Inbox" }, { "a/b\\c", "a_b_c" }, { "..", "_" },
	{ ".hidden", "_hidden" }, { "x: <y>?", "x_ _y__" },
	{ "trail. . ", "trail" }, { "cur", "cur (0x8022)" },
	{ "", "(0x8022)" }, { NULL, "(0x8022)" }, { "tab\there", "tab_here" },
};

START_TEST(test_names)
{
	char out[160];

	pf_export_component(names[_i].in, 0x8022, out, sizeof(out));
	ck_assert_str_eq(out, names[_i].want);
}
END_TEST

START_TEST(test_name_cut)
{
	char in[400] = "", out[160];

	for (int i = 0; i < 100; i++)
		strcat(in, "\xc3\xa9");   /* 200 octets */
	pf_export_component(in, 1, out, sizeof(out));
	ck_assert_uint_eq(strlen(out), 120);   /* 60 whole characters */
}
END_TEST

/* ---- a lost NBT page ---- */

/* 40 messages in the Inbox, then the NBT leaf holding the last of them
 * made unreadable (its trailer's ptype, MS-PST 2.2.2.7.1, no longer says
 * NBT): the strict tree load fails, salvage goes on. */
static uint32_t lost_in_page;

static void setup_nbt(void)
{
	struct pf_storew *s = start_pst();
	struct pf_ndb *ndb;
	struct tu_loc loc;
	uint32_t last = 0;
	uint8_t zero = 0;

	for (int i = 0; i < 40; i++) {
		struct pf_msgw_message m = { .subject = "m",
					     .body_text = "x\n" };

		ck_assert_int_eq(pf_storew_add_message(s, pf_storew_std_folder(
			s, PF_FOLDER_INBOX), &m, &last), 0);
	}
	ck_assert_int_eq(pf_storew_commit(s), 0);
	ck_assert_int_eq(pf_ndb_open(&ndb, pst), 0);
	ck_assert_int_eq(tu_find_leaf(ndb, PF_OBJ_NBT, last, &loc), 0);
	ck_assert_uint_lt(loc.cent, 40);   /* the NBT has several leaves */
	lost_in_page = loc.cent;
	ck_assert_int_eq(tu_write_at(pst, loc.page_ib +
				     tu_trailer_at(pf_ndb_layout(ndb)).base,
				     &zero, 1), 0);
	pf_ndb_close(ndb);
}

START_TEST(test_lost_page)
{
	struct pf_export_summary s;
	struct pf_export_opts o = { .format = PF_EXPORT_EML, .salvage = true,
				    .log = on_log };
	struct logged lg = { 0 };
	char out[128];

	snprintf(out, sizeof(out), "%s/out", dir);
	o.out_dir = out;
	o.ctx = &lg;
	ck_assert_int_eq(pf_export_file(pst, &o, &s), 0);
	ck_assert(s.tree_lost);
	ck_assert_uint_eq(s.bad_pages, 1);
	ck_assert_uint_eq(s.messages, 40 - lost_in_page);
	ck_assert_uint_eq(s.recovered, 40 - lost_in_page);
	ck_assert(exists("out/Recovered Items/Inbox (0x8082)"
			 "/00200024.eml"));
	ck_assert_ptr_nonnull(strstr(lg.last, "NBT page at"));
	/* without salvage the strict walk stops: an operational error */
	o.salvage = false;
	ck_assert_int_eq(pf_export_file(pst, &o, &s), PF_E_CORRUPT);
	ck_assert_ptr_nonnull(strstr(pf_error_msg(), "--salvage"));
}
END_TEST

static Suite *export_suite(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("export");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_salvage);
	tcase_add_test(tc, test_no_salvage);
	suite_add_tcase(s, tc);
	tc = tcase_create("lost NBT page");
	tcase_add_checked_fixture(tc, setup_nbt, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_lost_page);
	suite_add_tcase(s, tc);
	tc = tcase_create("names");
	tcase_add_loop_test(tc, test_names, 0, sizeof(names) / sizeof(*names));
	tcase_add_test(tc, test_name_cut);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(export_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
