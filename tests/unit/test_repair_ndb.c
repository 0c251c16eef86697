/*
 * test_repair_ndb.c - the NDB repair stage (pstfix/repair/ndb_*.c) on
 * files the writer made and this test damaged, and on the corpus's
 * half-written file.
 *
 * Each case: make a sample store (folders, messages, attachments), damage
 * it, run pf_repair_ndb(), then pf_check_file() on the output: no error
 * at all, or (when a message was lost and the messaging stage has yet to
 * fix its folder's table) nothing below code 6000; and the checker's
 * message count says which messages survived.  The damages: a zeroed NBT
 * leaf page (its nodes come back from the trailer scan), a wrong NBT root
 * BREF, a block with a bad CRC (its message is dropped, counted), a cycle
 * in the NBT, a node deleted by the user (must not come back unless
 * keep_deleted), every NBT and BBT page zeroed (the orphan PCs come back
 * as lost), a zeroed header (layout probed; with bCryptMethod gone
 * too), stale maps (MAPS keeps the trees in place).  The corpus file
 * must come out clean and open in pffinfo and readpst.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/ndb/pf_scavenge.h"
#include "../../formats/write/pf_msgw.h"
#include "../../pstfix/create/sample.h"
#include "../../pstfix/repair/repair.h"
#include "tutil.h"

static char g_dir[64];

#define SPEC "folders=3,messages=80,attachments=0-2,attach-size=100-30000"

struct notes {
	unsigned n;
	char all[16384];
};

static void on_note(void *ctx, enum pf_repair_level level, const char *line)
{
	struct notes *nt = ctx;
	size_t len = strlen(nt->all);

	(void)level;
	nt->n++;
	if (len + strlen(line) + 2 < sizeof(nt->all))
		snprintf(nt->all + len, sizeof(nt->all) - len, "%s\n", line);
	if (getenv("TU_VERBOSE"))
		fprintf(stderr, "  note: %s\n", line);
}

static void make_sample(const char *path, enum pf_variant v,
			enum pf_crypt crypt)
{
	struct pf_write_opts wo = { .variant = v, .crypt = crypt,
				    .ost = v == PF_UNICODE4K };
	struct pf_storew_opts so = { .now = pf_filetime_from_unix(1767225600),
				     .seed = 7 };
	struct pf_sample_spec sp;
	struct pf_storew *s;

	ck_assert_int_eq(pf_sample_parse(SPEC, &sp), 0);
	ck_assert_msg(pf_storew_open(&s, path, &wo, &so) == 0, "%s",
		      pf_error_msg());
	ck_assert_msg(pf_sample_generate(s, &sp, NULL, NULL) == 0, "%s",
		      pf_error_msg());
	ck_assert_msg(pf_storew_commit(s) == 0, "%s", pf_error_msg());
}

/* No error-severity finding at all. */
static void no_errors(const char *path)
{
	struct tu_findings *t = tu_check(path);
	char codes[1024];

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->rc, 0);
	ck_assert_msg(t->by_sev[PF_SEV_ERROR] == 0, "%s: %s", path,
		      tu_codes_str(t, true, codes, sizeof(codes)));
	free(t);
}

/* A file whose NBT pages were rewritten once, the old ones left behind
 * as stale bytes, as Outlook's copy-on-write updates leave them: the
 * sample, repaired (a clean file's repair keeps every node and block and
 * writes new trees after the copy).  TMP is scratch. */
static struct pf_repair_ctx run(const char *in, const char *out,
				enum pf_repair_level level, bool keep_deleted,
				struct notes *nt);

static void make_aged_sample(const char *path, const char *tmp,
			     enum pf_variant v, enum pf_crypt crypt)
{
	struct notes nt;
	struct pf_repair_ctx ctx;

	make_sample(tmp, v, crypt);
	ctx = run(tmp, path, PF_REPAIR_BTREE, false, &nt);
	ck_assert_uint_eq(ctx.counts.nodes_dropped, 0);
	ck_assert_uint_eq(ctx.counts.nodes_scavenged, 0);
	ck_assert_uint_eq(ctx.counts.blocks_dropped, 0);
	ck_assert_uint_eq(ctx.counts.trees_truncated, 0);
	no_errors(path);
}

static void paths(const char *name, char *in, char *out, size_t cap)
{
	snprintf(in, cap, "%s/%s.pst", g_dir, name);
	snprintf(out, cap, "%s/%s-fixed.pst", g_dir, name);
}

static uint32_t messages_in(const char *path)
{
	struct tu_findings *t = tu_check(path);
	uint32_t n;

	ck_assert_ptr_nonnull(t);
	n = t->sum.messages;
	free(t);
	return n;
}

static struct pf_repair_ctx run(const char *in, const char *out,
				enum pf_repair_level level, bool keep_deleted,
				struct notes *nt)
{
	struct pf_repair_ctx ctx = { .note = on_note, .note_ctx = nt,
				     .keep_deleted = keep_deleted };
	int rc;

	memset(nt, 0, sizeof(*nt));
	rc = pf_repair_ndb(&ctx, in, out, level);
	ck_assert_msg(rc == 0, "repair %s: %s", in, pf_error_msg());
	ck_assert_uint_gt(nt->n, 0);
	return ctx;
}

/* The leaf page holding the message with the Nth message NID. */
static uint32_t nth_message_nid(struct pf_ndb *ndb, uint32_t want)
{
	struct tu_loc loc;
	uint32_t seen = 0;

	for (uint32_t idx = 0x10000; idx < 0x10000 + 100000; idx++) {
		uint32_t nid = (idx << 5) | PF_NT_NORMAL_MESSAGE;

		if (tu_find_leaf(ndb, PF_OBJ_NBT, nid, &loc) == 0 &&
		    seen++ == want)
			return nid;
	}
	ck_abort_msg("no message %u", want);
	return 0;
}

static struct pf_ndb *open_ndb(const char *path)
{
	struct pf_ndb *ndb;

	ck_assert_msg(pf_ndb_open(&ndb, path) == 0, "%s", pf_error_msg());
	return ndb;
}

static void zero_at(const char *path, uint64_t ib, size_t n)
{
	uint8_t *z = calloc(1, n);

	ck_assert_int_eq(tu_write_at(path, ib, z, n), 0);
	free(z);
}

/* BTREE repair of IN brings every one of its BEFORE messages back, some
 * from scavenged NBT pages, and the output has no error. */
static void all_back(const char *in, const char *out, uint32_t before,
		     struct notes *nt)
{
	struct pf_repair_ctx ctx = run(in, out, PF_REPAIR_BTREE, false, nt);

	ck_assert_uint_gt(ctx.counts.nodes_scavenged, 0);
	ck_assert_uint_eq(ctx.counts.messages_lost, 0);
	no_errors(out);
	ck_assert_uint_eq(messages_in(out), before);
}

/* ---- the cases ---- */

static const struct {
	enum pf_variant v;
	enum pf_crypt c;
} kinds[] = {
	{ PF_UNICODE, PF_CRYPT_PERMUTE },
	{ PF_ANSI, PF_CRYPT_NONE },
	{ PF_UNICODE4K, PF_CRYPT_CYCLIC },
};

START_TEST(zeroed_nbt_leaf)
{
	char in[128], out[128], name[32];
	struct notes nt;
	struct pf_ndb *ndb;
	struct tu_loc loc;
	uint32_t before;

	snprintf(name, sizeof(name), "leaf%d", _i);
	paths(name, in, out, sizeof(in));
	make_aged_sample(in, out, kinds[_i].v, kinds[_i].c);
	before = messages_in(in);
	ndb = open_ndb(in);
	ck_assert_int_eq(tu_find_leaf(ndb, PF_OBJ_NBT,
				      nth_message_nid(ndb, 40), &loc), 0);
	zero_at(in, loc.page_ib, pf_ndb_layout(ndb)->page_size);
	pf_ndb_close(ndb);
	all_back(in, out, before, &nt);
	ck_assert_ptr_nonnull(strstr(nt.all, "restored"));
}
END_TEST

/* A leaf zeroed in a file with no older copy of it: the messages it
 * named come back from their PCs (lost and found) with their subnode
 * trees; after the messaging stage they are all in the store again. */
START_TEST(zeroed_leaf_no_copy)
{
	char in[128], out[128], out2[160], name[32];
	struct notes nt;
	struct pf_repair_ctx ctx;
	struct pf_ndb *ndb;
	struct tu_loc loc;
	uint8_t page[4096];
	uint32_t before, lost = 0;
	const struct pf_layout *l;

	snprintf(name, sizeof(name), "nocopy%d", _i);
	paths(name, in, out, sizeof(in));
	snprintf(out2, sizeof(out2), "%s/%s-msg.pst", g_dir, name);
	make_sample(in, kinds[_i].v, kinds[_i].c);
	before = messages_in(in);
	ndb = open_ndb(in);
	l = pf_ndb_layout(ndb);
	ck_assert_int_eq(tu_find_leaf(ndb, PF_OBJ_NBT,
				      nth_message_nid(ndb, 40), &loc), 0);
	ck_assert_int_eq(tu_read_at(in, loc.page_ib, page, l->page_size), 0);
	for (uint32_t i = 0; i < loc.cent; i++)
		lost += PF_NID_TYPE(pf_le32(page + i * l->nbt_leaf_cb)) ==
			PF_NT_NORMAL_MESSAGE;
	zero_at(in, loc.page_ib, l->page_size);
	pf_ndb_close(ndb);
	ctx = run(in, out, PF_REPAIR_BTREE, false, &nt);
	ck_assert_uint_eq(ctx.counts.nodes_rebuilt, lost);
	ck_assert_ptr_nonnull(strstr(nt.all, "with its subnode tree"));
	ck_assert_ptr_null(strstr(nt.all, "without recipients"));
	ck_assert_ptr_null(strstr(nt.all, "the BBT is lost"));
	tu_assert_clean_below(out, 6000);
	memset(&ctx, 0, sizeof(ctx));
	ck_assert_msg(pf_repair_messaging(&ctx, out, out2) == 0, "%s",
		      pf_error_msg());
	no_errors(out2);
	ck_assert_uint_eq(messages_in(out2), before);
}
END_TEST

/* Every NBT and BBT page zeroed (as a cut at the end of the file, where
 * the writer puts both trees, leaves them), the blocks intact: no BBT
 * says which orphan PCs were freed, so every message PC comes back as
 * lost, with its subnode tree, and the messaging stage files them in
 * "Recovered Items". */
START_TEST(both_trees_gone)
{
	char in[128], out[128], out2[160], name[32];
	struct notes nt, nt2;
	struct pf_repair_ctx ctx;
	struct pf_scavenge sc;
	struct pf_ndb *ndb;
	uint32_t before;
	char want[96];

	snprintf(name, sizeof(name), "notrees%d", _i);
	paths(name, in, out, sizeof(in));
	snprintf(out2, sizeof(out2), "%s/%s-msg.pst", g_dir, name);
	make_sample(in, kinds[_i].v, kinds[_i].c);
	before = messages_in(in);
	ndb = open_ndb(in);
	ck_assert_int_eq(pf_scavenge(ndb, &sc), 0);
	ck_assert_uint_gt(sc.npages, 1);
	for (size_t i = 0; i < sc.npages; i++)
		zero_at(in, sc.pages[i].ib, pf_ndb_layout(ndb)->page_size);
	pf_scavenge_free(&sc);
	pf_ndb_close(ndb);
	ctx = run(in, out, PF_REPAIR_BTREE, false, &nt);
	ck_assert_uint_eq(ctx.counts.nodes_rebuilt, before);
	snprintf(want, sizeof(want), "the BBT is lost: %u message PCs",
		 before);
	ck_assert_msg(strstr(nt.all, want), "%s", nt.all);
	ck_assert_ptr_null(strstr(nt.all, "without recipients"));
	memset(&ctx, 0, sizeof(ctx));
	memset(&nt2, 0, sizeof(nt2));
	ctx.note = on_note;
	ctx.note_ctx = &nt2;
	ck_assert_msg(pf_repair_messaging(&ctx, out, out2) == 0, "%s",
		      pf_error_msg());
	snprintf(want, sizeof(want), "moved %u orphan messages to "
		 "'Recovered Items'", before);
	ck_assert_msg(strstr(nt2.all, want), "%s", nt2.all);
	no_errors(out2);
	ck_assert_uint_eq(messages_in(out2), before);
}
END_TEST

/* The BBT leaf page holding message X's PC BID (its NBT entry's
 * bidData), found in NDB. */
static void pc_leaf(struct pf_ndb *ndb, uint32_t x, struct tu_loc *loc)
{
	struct pf_nbt_entry ne;

	ck_assert_int_eq(pf_nbt_lookup(ndb, x, &ne), 0);
	ck_assert_int_eq(tu_find_leaf(ndb, PF_OBJ_BBT, ne.bid_data, loc), 0);
}

/* Half the BBT tells, half is lost: message D was deleted (its PC's BID
 * left the BBT leaf that still covers it), the BBT leaf of another
 * message's PC is zeroed, and every NBT page is zeroed.  Every message
 * but D comes back: the ones under the zeroed leaf because the BBT
 * cannot tell, the rest because the BBT names them. */
START_TEST(bbt_partly_lost)
{
	char in[128], out[128];
	struct notes nt;
	struct pf_repair_ctx ctx;
	struct pf_scavenge sc;
	struct pf_ndb *ndb;
	const struct pf_layout *l;
	struct tu_loc del = { 0 }, gone = { 0 };
	uint8_t page[512];
	uint32_t before;
	unsigned long unsure = 0;
	bool have_del = false;
	const char *note;

	paths("bbthalf", in, out, sizeof(in));
	make_sample(in, PF_UNICODE, PF_CRYPT_PERMUTE);
	before = messages_in(in);
	ndb = open_ndb(in);
	l = pf_ndb_layout(ndb);
	for (uint32_t k = 0; k < before && !gone.page_ib; k++) {
		struct tu_loc loc;

		pc_leaf(ndb, nth_message_nid(ndb, k), &loc);
		if (!have_del && loc.index > 0 && loc.index + 1 < loc.cent) {
			have_del = true;
			del = loc;
		} else if (have_del && loc.page_ib != del.page_ib) {
			gone = loc;
		}
	}
	ck_assert_uint_ne(gone.page_ib, 0);
	/* D's entry out of its leaf, the leaf resealed with its BID */
	ck_assert_int_eq(tu_read_at(in, del.page_ib, page, 512), 0);
	memmove(page + del.index * l->bbt_leaf_cb,
		page + (del.index + 1) * l->bbt_leaf_cb,
		(del.cent - del.index - 1) * l->bbt_leaf_cb);
	memset(page + (del.cent - 1) * l->bbt_leaf_cb, 0, l->bbt_leaf_cb);
	page[l->bt_entries] = (uint8_t)(del.cent - 1);
	tu_page_seal(l, page, del.page_ib, PF_PTYPE_BBT, del.page_bid);
	ck_assert_int_eq(tu_write_at(in, del.page_ib, page, 512), 0);
	zero_at(in, gone.page_ib, l->page_size);
	ck_assert_int_eq(pf_scavenge(ndb, &sc), 0);
	for (size_t i = 0; i < sc.npages; i++)
		if (sc.pages[i].ptype == PF_PTYPE_NBT)
			zero_at(in, sc.pages[i].ib, l->page_size);
	pf_scavenge_free(&sc);
	pf_ndb_close(ndb);
	ctx = run(in, out, PF_REPAIR_BTREE, false, &nt);
	ck_assert_uint_eq(ctx.counts.nodes_rebuilt, before - 1);
	note = strstr(nt.all, "the BBT is lost: ");
	ck_assert_msg(note, "%s", nt.all);
	unsure = strtoul(note + strlen("the BBT is lost: "), NULL, 10);
	ck_assert_uint_gt(unsure, 0);
	ck_assert_uint_lt(unsure, before - 1);
	ctx = run(in, out, PF_REPAIR_BTREE, true, &nt);
	ck_assert_uint_eq(ctx.counts.nodes_rebuilt, before);
}
END_TEST

START_TEST(wrong_root_bref)
{
	char in[128], out[128];
	struct notes nt;
	struct tu_hdr_layout h = tu_hdr_layout(false);
	struct pf_ndb *ndb;
	uint64_t bid;
	uint32_t before;

	paths("root", in, out, sizeof(in));
	make_sample(in, PF_UNICODE, PF_CRYPT_PERMUTE);
	before = messages_in(in);
	ndb = open_ndb(in);
	bid = pf_ndb_header(ndb)->root.nbt.bid;
	pf_ndb_close(ndb);
	ck_assert_int_eq(tu_header_set(in, tu_root_off(&h, TU_ROOT_NBT_BID),
				       8, bid + 4), 0);
	all_back(in, out, before, &nt);
}
END_TEST

/* A message's PC block damaged at byte OFF of its block (the trailer
 * when OFF is past the data): the block's CRC or trailer fails.  OFF,
 * the expected fate: kept with a new trailer when the data is still a
 * sound heap, else the message is dropped. */
static const struct {
	int off;          /* < 0: from the block's end (its trailer) */
	bool kept;
	const char *fault;
} damages[] = {
	{ -14, true, "wSig is wrong" },    /* BLOCKTRAILER wSig */
	{ -8, true, "BID is wrong" },      /* BID (Unicode: last 8 bytes) */
	{ -12, true, "CRC does not match" },  /* dwCRC */
	{ 40, true, "CRC does not match" },   /* a byte of a value */
	{ 2, false, NULL },          /* HNHDR bSig 0xEC */
	{ 0, false, NULL },          /* ibHnpm: no page map */
};

START_TEST(damaged_block)
{
	char in[128], out[128], name[32];
	struct notes nt;
	struct pf_repair_ctx ctx;
	struct pf_ndb *ndb;
	struct pf_nbt_entry ne;
	struct pf_bbt_entry be;
	uint32_t before, size;
	int off = damages[_i].off;

	snprintf(name, sizeof(name), "blk%d", _i);
	paths(name, in, out, sizeof(in));
	make_sample(in, PF_UNICODE, PF_CRYPT_PERMUTE);
	before = messages_in(in);
	ndb = open_ndb(in);
	ck_assert_int_eq(pf_nbt_lookup(ndb, nth_message_nid(ndb, 10), &ne), 0);
	ck_assert_int_eq(pf_bbt_lookup(ndb, ne.bid_data, &be), 0);
	size = pf_block_size(pf_ndb_layout(ndb), be.cb);
	pf_ndb_close(ndb);
	ck_assert_int_eq(tu_xor_byte(in, be.bref.ib + (off < 0 ? size + off :
						       (uint32_t)off), 0x40),
			 0);
	ctx = run(in, out, PF_REPAIR_NODES, false, &nt);
	if (damages[_i].kept) {
		ck_assert_uint_eq(ctx.counts.blocks_resealed, 1);
		ck_assert_uint_eq(ctx.counts.messages_lost, 0);
		ck_assert_ptr_nonnull(strstr(nt.all, damages[_i].fault));
		no_errors(out);
		ck_assert_uint_eq(messages_in(out), before);
		return;
	}
	ck_assert_uint_eq(ctx.counts.messages_lost, 1);
	ck_assert_uint_ge(ctx.counts.blocks_dropped, 1);
	ck_assert_ptr_nonnull(strstr(nt.all, "dropped node"));
	tu_assert_clean_below(out, 6000);
	ck_assert_uint_eq(messages_in(out), before - 1);
}
END_TEST

/* An NBT branch entry pointing back at the root page. */
START_TEST(btree_cycle)
{
	char in[128], out[128];
	struct notes nt;
	struct pf_ndb *ndb;
	const struct pf_layout *l;
	struct pf_bref root;
	uint8_t page[512];
	uint32_t before;

	paths("cycle", in, out, sizeof(in));
	make_sample(in, PF_UNICODE, PF_CRYPT_NONE);
	before = messages_in(in);
	ndb = open_ndb(in);
	l = pf_ndb_layout(ndb);
	root = pf_ndb_header(ndb)->root.nbt;
	ck_assert_int_eq(tu_read_at(in, root.ib, page, l->page_size), 0);
	ck_assert_uint_ge(page[l->bt_entries + 3], 1);      /* cLevel */
	ck_assert_uint_ge(page[l->bt_entries], 2);          /* cEnt */
	/* entry 1's BREF := the root's own */
	pf_put64(page + l->branch_cb + 8, root.bid);
	pf_put64(page + l->branch_cb + 16, root.ib);
	tu_page_fix(l, page, root.ib);
	ck_assert_int_eq(tu_write_at(in, root.ib, page, l->page_size), 0);
	pf_ndb_close(ndb);
	all_back(in, out, before, &nt);
	ck_assert_ptr_nonnull(strstr(nt.all, "reached twice"));
}
END_TEST

/* Block B copied to offset IB with its trailer's wSig made right for the
 * new place: a second valid copy of one BID. */
static void second_copy(const char *path, const struct pf_layout *l,
			const struct pf_bbt_entry *b, uint64_t ib)
{
	uint32_t size = pf_block_size(l, b->cb);
	uint8_t *blk = malloc(size);

	ck_assert_ptr_nonnull(blk);
	ck_assert_int_eq(tu_read_at(path, b->bref.ib, blk, size), 0);
	pf_put16(blk + size - l->block_trailer + 2, pf_sig(ib, b->bref.bid));
	ck_assert_int_eq(tu_write_at(path, ib, blk, size), 0);
	free(blk);
}

/* The BBT entry at LOC names offset IB from now on. */
static void bbt_names(const char *path, const struct pf_layout *l,
		      const struct tu_loc *loc, uint64_t ib)
{
	uint8_t ib8[8];

	pf_put64(ib8, ib);       /* BBTENTRY: BREF (bid, ib), cb, cRef */
	ck_assert_int_eq(tu_write_at(path, loc->page_ib + loc->index *
				     l->bbt_leaf_cb + 8, ib8, 8), 0);
	ck_assert_int_eq(tu_page_fix_file(path, l, loc->page_ib), 0);
}

static uint64_t kept_ib(const char *path, uint64_t bid)
{
	struct pf_ndb *ndb = open_ndb(path);
	struct pf_bbt_entry got;

	ck_assert_int_eq(pf_bbt_lookup(ndb, bid, &got), 0);
	pf_ndb_close(ndb);
	return got.bref.ib;
}

/* Two valid copies of a message's block.  The BBT is made to name a copy
 * past the original: that one is kept, not the one found first.  A copy
 * the BBT names on a map page's place (the next AMap range's first page)
 * is no place for a block: the original is kept.  With the BBT root
 * broken, the lower offset is kept. */
START_TEST(two_copies_of_a_block)
{
	char in[128], out[128];
	struct notes nt;
	struct pf_ndb *ndb;
	struct pf_nbt_entry ne;
	struct pf_bbt_entry be;
	struct pf_layout l;
	struct tu_loc loc;
	struct tu_hdr_layout h = tu_hdr_layout(false);
	uint64_t eof, bbt_bid;
	uint32_t before;

	paths("copies", in, out, sizeof(in));
	make_sample(in, PF_UNICODE, PF_CRYPT_PERMUTE);
	before = messages_in(in);
	eof = tu_file_size(in);   /* the writer ends files on a range */
	ndb = open_ndb(in);
	l = *pf_ndb_layout(ndb);
	bbt_bid = pf_ndb_header(ndb)->root.bbt.bid;
	ck_assert_int_eq(pf_nbt_lookup(ndb, nth_message_nid(ndb, 7), &ne), 0);
	ck_assert_int_eq(pf_bbt_lookup(ndb, ne.bid_data, &be), 0);
	ck_assert_int_eq(tu_find_leaf(ndb, PF_OBJ_BBT, be.bref.bid, &loc), 0);
	pf_ndb_close(ndb);
	second_copy(in, &l, &be, eof + 8192);
	bbt_names(in, &l, &loc, eof + 8192);
	run(in, out, PF_REPAIR_BTREE, false, &nt);
	ck_assert_ptr_nonnull(strstr(nt.all, "2 valid copies"));
	no_errors(out);
	ck_assert_uint_eq(messages_in(out), before);
	ck_assert_uint_eq(kept_ib(out, be.bref.bid), eof + 8192);

	second_copy(in, &l, &be, eof);          /* where an AMap page goes */
	bbt_names(in, &l, &loc, eof);
	run(in, out, PF_REPAIR_BTREE, false, &nt);
	ck_assert_ptr_nonnull(strstr(nt.all, "3 valid copies"));
	ck_assert_ptr_nonnull(strstr(nt.all, "on a map page"));
	no_errors(out);
	ck_assert_uint_eq(kept_ib(out, be.bref.bid), be.bref.ib);

	ck_assert_int_eq(tu_header_set(in, tu_root_off(&h, TU_ROOT_BBT_BID),
				       8, bbt_bid + 4), 0);
	run(in, out, PF_REPAIR_BTREE, false, &nt);
	no_errors(out);
	ck_assert_uint_eq(messages_in(out), before);
	ck_assert_uint_eq(kept_ib(out, be.bref.bid), be.bref.ib);
}
END_TEST

/* ---- data trees and subnode trees cut to what is readable ---- */

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 31u + seed * 7u) ^ (i >> 8));
}

#define BIG_NID ((0x10001u << 5) | PF_NT_NORMAL_MESSAGE)
#define SUB_NID ((0x10002u << 5) | PF_NT_NORMAL_MESSAGE)
#define BIG_CB 30000u

/* Node BIG_NID: BIG_CB bytes (an XBLOCK over 4 blocks); node SUB_NID: a
 * small block and an SLBLOCK of two subnodes. */
static void make_trees(const char *path, uint64_t *leaf2, uint64_t *sub1)
{
	struct pf_writer *w;
	uint8_t *buf = malloc(BIG_CB);
	struct pf_subnode sn[2];
	uint64_t big, small, sl;

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pf_writer_open(&w, path, NULL), 0);
	fill(buf, BIG_CB, 1);
	ck_assert_int_eq(pf_writer_put_data(w, buf, BIG_CB, &big), 0);
	fill(buf, 100, 2);
	ck_assert_int_eq(pf_writer_put_data(w, buf, 100, &small), 0);
	for (uint32_t i = 0; i < 2; i++) {
		sn[i].nid = ((0x100u + i) << 5) | PF_NT_LTP;
		sn[i].bid_sub = 0;
		fill(buf, 200, 10 + i);
		ck_assert_int_eq(pf_writer_put_data(w, buf, 200,
						    &sn[i].bid_data), 0);
	}
	ck_assert_int_eq(pf_writer_put_subnodes(w, sn, 2, &sl), 0);
	ck_assert_int_eq(pf_writer_add_node(w, BIG_NID, big, 0, 0x122), 0);
	ck_assert_int_eq(pf_writer_add_node(w, SUB_NID, small, sl, 0x122), 0);
	ck_assert_int_eq(pf_writer_commit(w), 0);
	free(buf);
	{
		struct pf_ndb *ndb = open_ndb(path);
		struct pf_datatree t;

		ck_assert_int_eq(pf_datatree_load(ndb, big, NULL, &t), 0);
		ck_assert_uint_eq(t.count, 4);
		*leaf2 = t.bids[2];
		*sub1 = sn[1].bid_data;
		pf_datatree_free(&t);
		pf_ndb_close(ndb);
	}
}

static void break_block(const char *path, uint64_t bid)
{
	struct pf_ndb *ndb = open_ndb(path);
	struct pf_bbt_entry e;

	ck_assert_int_eq(pf_bbt_lookup(ndb, bid, &e), 0);
	pf_ndb_close(ndb);
	ck_assert_int_eq(tu_xor_byte(path, e.bref.ib + 1, 0x10), 0);
}

START_TEST(trees_cut_to_readable)
{
	char in[128], out[128];
	struct notes nt;
	struct pf_repair_ctx ctx;
	struct pf_ndb *ndb;
	struct pf_nbt_entry e;
	struct pf_subnodes s;
	uint64_t leaf2, sub1;
	uint8_t *got, *want = malloc(BIG_CB);
	size_t cb, per;

	paths("trees", in, out, sizeof(in));
	make_trees(in, &leaf2, &sub1);
	break_block(in, leaf2);
	break_block(in, sub1);
	ctx = run(in, out, PF_REPAIR_NODES, false, &nt);
	ck_assert_uint_eq(ctx.counts.trees_truncated, 1);
	ck_assert_uint_eq(ctx.counts.subnodes_dropped, 1);
	ck_assert_uint_eq(ctx.counts.nodes_dropped, 0);
	ck_assert_ptr_nonnull(strstr(nt.all, "cut to its readable"));
	tu_assert_clean_below(out, 6000);

	ndb = open_ndb(out);
	per = pf_ndb_layout(ndb)->block_max - pf_ndb_layout(ndb)->block_trailer;
	ck_assert_int_eq(pf_nbt_lookup(ndb, BIG_NID, &e), 0);
	ck_assert_int_eq(pf_node_data_read(ndb, e.bid_data, BIG_CB, &got,
					   &cb), 0);
	ck_assert_uint_eq(cb, 2 * per);         /* blocks 0 and 1 */
	fill(want, BIG_CB, 1);
	ck_assert_int_eq(memcmp(got, want, cb), 0);
	free(got);
	ck_assert_int_eq(pf_nbt_lookup(ndb, SUB_NID, &e), 0);
	ck_assert_int_eq(pf_subnodes_load(ndb, e.bid_sub, NULL, &s), 0);
	ck_assert_uint_eq(s.count, 1);
	ck_assert_uint_eq(s.v[0].nid, (0x100u << 5) | PF_NT_LTP);
	ck_assert_int_eq(pf_node_data_read(ndb, s.v[0].bid_data, 1000, &got,
					   &cb), 0);
	fill(want, 200, 10);
	ck_assert_uint_eq(cb, 200);
	ck_assert_int_eq(memcmp(got, want, cb), 0);
	free(got);
	pf_subnodes_free(&s);
	pf_ndb_close(ndb);
	free(want);
}
END_TEST

/* The user deleted node X: its leaf was rewritten without it (a new page
 * BID) and the old page's bytes stayed in the file.  X must not come
 * back, unless keep_deleted. */
START_TEST(deleted_node_stays_deleted)
{
	char in[128], out[128];
	struct notes nt;
	struct pf_repair_ctx ctx;
	struct pf_ndb *ndb;
	const struct pf_layout *l;
	struct tu_trailer_at ta;
	struct tu_loc loc;
	struct pf_nbt_entry ne;
	uint8_t page[512];
	uint64_t stale_ib, bid;
	uint32_t nid = 0;

	paths("deleted", in, out, sizeof(in));
	make_sample(in, PF_UNICODE, PF_CRYPT_PERMUTE);
	ndb = open_ndb(in);
	l = pf_ndb_layout(ndb);
	ta = tu_trailer_at(l);
	for (uint32_t k = 30; k < 60 && !nid; k++) {
		uint32_t x = nth_message_nid(ndb, k);

		ck_assert_int_eq(tu_find_leaf(ndb, PF_OBJ_NBT, x, &loc), 0);
		if (loc.index > 0 && loc.index + 1 < loc.cent)
			nid = x;
	}
	ck_assert_uint_ne(nid, 0);
	ck_assert_int_eq(tu_read_at(in, loc.page_ib, page, 512), 0);
	/* the old copy, past the end of the file, an older page BID */
	bid = tu_get(page + ta.bid, 8);
	stale_ib = (tu_file_size(in) + 511) / 512 * 512;
	tu_page_seal(l, page, stale_ib, PF_PTYPE_NBT, bid - 4);
	ck_assert_int_eq(tu_write_at(in, stale_ib, page, 512), 0);
	/* the current leaf without X */
	memmove(page + loc.index * l->nbt_leaf_cb,
		page + (loc.index + 1) * l->nbt_leaf_cb,
		(loc.cent - loc.index - 1) * l->nbt_leaf_cb);
	memset(page + (loc.cent - 1) * l->nbt_leaf_cb, 0, l->nbt_leaf_cb);
	page[l->bt_entries] = (uint8_t)(loc.cent - 1);
	tu_page_seal(l, page, loc.page_ib, PF_PTYPE_NBT, bid);
	ck_assert_int_eq(tu_write_at(in, loc.page_ib, page, 512), 0);
	pf_ndb_close(ndb);

	ctx = run(in, out, PF_REPAIR_BTREE, false, &nt);
	ck_assert_uint_eq(ctx.counts.nodes_scavenged, 0);
	tu_assert_clean_below(out, 6000);
	ndb = open_ndb(out);
	ck_assert_int_eq(pf_nbt_lookup(ndb, nid, &ne), PF_E_NOTFOUND);
	pf_ndb_close(ndb);

	ctx = run(in, out, PF_REPAIR_BTREE, true, &nt);
	ck_assert_uint_eq(ctx.counts.nodes_scavenged, 1);
	tu_assert_clean_below(out, 6000);
	ndb = open_ndb(out);
	ck_assert_int_eq(pf_nbt_lookup(ndb, nid, &ne), 0);
	pf_ndb_close(ndb);
}
END_TEST

/* The first 64 bytes zeroed (magic, CRCs, wVer gone); then the whole
 * header, bCryptMethod with it. */
START_TEST(zeroed_header)
{
	char in[128], out[128], name[32];
	struct notes nt;
	struct pf_ndb *ndb;
	uint32_t before;
	size_t n = _i % 2 ? 564 : 64;
	int k = _i / 2;

	snprintf(name, sizeof(name), "hdr%d", _i);
	paths(name, in, out, sizeof(in));
	make_sample(in, kinds[k].v, kinds[k].c);
	before = messages_in(in);
	zero_at(in, 0, kinds[k].v == PF_ANSI && n > 64 ? 512 : n);
	ck_assert_int_eq(pf_ndb_open(&ndb, in), PF_E_NOTPST);
	run(in, out, PF_REPAIR_BTREE, false, &nt);
	ck_assert_ptr_nonnull(strstr(nt.all, "header unreadable"));
	no_errors(out);
	ck_assert_uint_eq(messages_in(out), before);
	ndb = open_ndb(out);
	ck_assert_uint_eq(pf_ndb_header(ndb)->crypt_method, kinds[k].c);
	ck_assert_uint_eq(pf_ndb_header(ndb)->variant, kinds[k].v);
	pf_ndb_close(ndb);
}
END_TEST

/* AMap bits cleared and a stale fAMapValid: MAPS keeps both trees where
 * they are. */
START_TEST(maps_only)
{
	char in[128], out[128];
	struct notes nt;
	struct tu_hdr_layout h = tu_hdr_layout(false);
	struct pf_ndb *ndb;
	struct pf_root before;
	uint32_t msgs;

	paths("maps", in, out, sizeof(in));
	make_sample(in, PF_UNICODE, PF_CRYPT_PERMUTE);
	msgs = messages_in(in);
	ndb = open_ndb(in);
	before = pf_ndb_header(ndb)->root;
	zero_at(in, pf_ndb_layout(ndb)->amap_first + 16, 64);
	ck_assert_int_eq(tu_page_fix_file(in, pf_ndb_layout(ndb),
					  pf_ndb_layout(ndb)->amap_first), 0);
	pf_ndb_close(ndb);
	ck_assert_int_eq(tu_header_set(in, tu_root_off(&h, TU_ROOT_AMAP_VALID),
				       1, 0), 0);
	run(in, out, PF_REPAIR_MAPS, false, &nt);
	ck_assert_ptr_nonnull(strstr(nt.all, "kept"));
	no_errors(out);
	ck_assert_uint_eq(messages_in(out), msgs);
	ndb = open_ndb(out);
	ck_assert_uint_eq(pf_ndb_header(ndb)->root.nbt.ib, before.nbt.ib);
	ck_assert_uint_eq(pf_ndb_header(ndb)->root.bbt.ib, before.bbt.ib);
	pf_ndb_close(ndb);
}
END_TEST

struct have {
	uint64_t nodes, messages;
};

static int count_node(void *ctx, const struct pf_nbt_entry *e)
{
	struct have *h = ctx;

	h->nodes++;
	h->messages += PF_NID_TYPE(e->nid) == PF_NT_NORMAL_MESSAGE;
	return 0;
}

/* The corpus's half-written file: BBT root BREF at a page whose trailer
 * BID differs, both header CRCs bad, fAMapValid 0.  Every message of its
 * intact NBT must survive, and both oracles must open the output. */
START_TEST(corpus_halfwritten)
{
	char in[256], out[128], cmd[512];
	struct notes nt;
	struct pf_repair_ctx ctx;
	struct pf_ndb *ndb;
	struct have have = { 0, 0 };

	tu_corpus_path(in, sizeof(in), "CORRUPT-aspose-bulk-halfwritten.pst");
	if (!tu_file_present(in)) {
		printf(TU_SKIP_CORPUS_MSG "\n");
		return;
	}
	snprintf(out, sizeof(out), "%s/halfwritten-fixed.pst", g_dir);
	ndb = open_ndb(in);
	ck_assert_int_eq(pf_nbt_foreach(ndb, count_node, &have), 0);
	pf_ndb_close(ndb);
	ctx = run(in, out, PF_REPAIR_BTREE, false, &nt);
	ck_assert_uint_eq(ctx.counts.nodes_dropped, 0);
	ck_assert_uint_eq(ctx.counts.nodes_kept, have.nodes);
	ck_assert_uint_eq(ctx.counts.messages_kept, have.messages);
	no_errors(out);
	ck_assert_uint_eq(messages_in(out), have.messages);
	if (system("command -v pffinfo >/dev/null && "
		   "command -v readpst >/dev/null") != 0) {
		printf("SKIP: pffinfo or readpst absent\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "pffinfo %s >/dev/null 2>&1", out);
	ck_assert_msg(system(cmd) == 0, "pffinfo cannot open %s", out);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/rp && readpst -q -o %s/rp %s "
		 ">/dev/null 2>&1", g_dir, g_dir, out);
	ck_assert_msg(system(cmd) == 0, "readpst cannot read %s", out);
}
END_TEST

static Suite *repair_suite(void)
{
	Suite *s = suite_create("repair_ndb");
	TCase *tc = tcase_create("ndb");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, zeroed_nbt_leaf, 0, 3);
	tcase_add_loop_test(tc, zeroed_leaf_no_copy, 0, 3);
	tcase_add_loop_test(tc, both_trees_gone, 0, 3);
	tcase_add_test(tc, bbt_partly_lost);
	tcase_add_test(tc, wrong_root_bref);
	tcase_add_loop_test(tc, damaged_block, 0,
			    (int)(sizeof(damages) / sizeof(damages[0])));
	tcase_add_test(tc, btree_cycle);
	tcase_add_test(tc, two_copies_of_a_block);
	tcase_add_test(tc, trees_cut_to_readable);
	tcase_add_test(tc, deleted_node_stays_deleted);
	tcase_add_loop_test(tc, zeroed_header, 0, 6);
	tcase_add_test(tc, maps_only);
	tcase_add_test(tc, corpus_halfwritten);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(repair_suite(), g_dir, sizeof(g_dir), "pfr");
}
