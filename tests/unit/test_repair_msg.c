/*
 * test_repair_msg.c - stage 3 of repair (pf_repair_messaging): files made
 * by the writer, their messaging layer broken by rewriting NBT entries
 * (the writer's over mode: every block kept, entries left out, parents
 * or bidData changed), repaired, then judged by the checker and the
 * reader.
 *
 * Each case: the original's messages (NID -> subject) are recorded; the
 * broken file must show the expected 7xxx error; after the repair
 * pf_check_file() reports no error and no warning (except the unreadable
 * message case: its own PC findings only), every message is still there
 * and opens with its subject, the counts say what was done, and a second
 * repair of OUT finds nothing to do.
 *
 * Files live in a mkdtemp() directory under /tmp, removed at the end.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../formats/msg/pf_msg.h"
#include "../../formats/write/msgw_int.h"
#include "../../formats/write/pf_msgw.h"
#include "../../pstfix/repair/repair.h"
#include "tutil.h"

static char g_dir[64];

/* ---- the sample: Inbox (6, 2 read, one with an attachment), Inbox/
 * Projects (3), Inbox/Projects/Old (1), Sent Items (2) ---- */

#define NMSG 12
#define LONG_MSG 4        /* the message g_long_body gives a long body */
static bool g_long_body;  /* its body too big for the heap: a subnode */
struct sample {
	uint32_t inbox, projects, old, sent, drafts;
	uint32_t msg[NMSG];
	char subject[NMSG][32];
};

static void make_sample(const char *path, enum pf_variant v,
			struct sample *smp)
{
	struct pf_write_opts wo = { .variant = v, .crypt = PF_CRYPT_PERMUTE,
				    .unique_seed = 7 };
	struct pf_storew_opts so = { .now = pf_filetime_from_unix(1.7e9),
				     .seed = 11 };
	static const struct pf_msgw_rcpt rcpt = { .name = "Bob",
						  .addr = "bob@example.com",
						  .type = PF_RCPT_TO };
	static const uint8_t blob[] = "attachment bytes";
	struct pf_msgw_att att = { .filename = "a.txt",
				   .mime_type = "text/plain",
				   .data = blob, .cb = sizeof(blob) };
	struct pf_storew *s;
	static char body[8192];
	int k = 0;

	memset(body, 'x', sizeof(body) - 1);

	ck_assert_msg(pf_storew_open(&s, path, &wo, &so) == 0, "%s",
		      pf_error_msg());
	smp->inbox = pf_storew_std_folder(s, PF_FOLDER_INBOX);
	smp->sent = pf_storew_std_folder(s, PF_FOLDER_SENT);
	smp->drafts = pf_storew_std_folder(s, PF_FOLDER_DRAFTS);
	ck_assert_int_eq(pf_storew_add_folder(s, smp->inbox, "Projects",
					      "IPF.Note", &smp->projects), 0);
	ck_assert_int_eq(pf_storew_add_folder(s, smp->projects, "Old",
					      "IPF.Note", &smp->old), 0);
	for (int i = 0; i < NMSG; i++) {
		uint32_t f = i < 6 ? smp->inbox : i < 9 ? smp->projects :
			     i < 10 ? smp->old : smp->sent;
		struct pf_msgw_message m = {
			.subject = smp->subject[i], .sender_name = "Alice",
			.sender_addr = "alice@example.com", .rcpt = &rcpt,
			.nrcpt = 1, .body_text = g_long_body &&
				i == LONG_MSG ? body : "Hello, body text.",
			.flags = i % 3 == 0 ? PF_MSGFLAG_READ : 0,
			.att = i == 1 ? &att : NULL, .natt = i == 1,
		};

		snprintf(smp->subject[i], sizeof(smp->subject[i]),
			 "subject %d", i);
		ck_assert_int_eq(pf_storew_add_message(s, f, &m,
						       &smp->msg[k++]), 0);
	}
	ck_assert_msg(pf_storew_commit(s) == 0, "%s", pf_error_msg());
}

/* ---- breaking: rewrite the NBT through the over mode ---- */

struct nbt_edit {
	uint32_t skip[8];                 /* entries left out */
	uint32_t nskip;
	struct { uint32_t nid, parent; } reparent[8];
	uint32_t nreparent;
	struct { uint32_t nid, from; } data[4];   /* bidData of FROM */
	uint32_t ndata;
	struct {                          /* a PC rewritten: */
		uint32_t nid;
		uint16_t drop;            /* this property left out */
		uint16_t set_i32;         /* this one set to VALUE */
		int32_t value;
	} pc;
	struct { uint32_t nid, sub; } dropsub;   /* a subnode to lose */
	struct { uint32_t nid; bool pagemap; } heap;   /* HNHDR damaged:
					 bSig 0, or ibHnpm past the block */
};

struct editor {
	struct pf_ndb *ndb;
	struct pf_writer *w;
	const struct nbt_edit *e;
};

static int keep_all(void *ctx, const struct pf_bbt_entry *e)
{
	struct editor *ed = ctx;
	uint64_t *kids = NULL;
	uint32_t nkids = 0;

	if (e->bref.bid & PF_BID_INTERNAL) {
		uint8_t *data;
		size_t cb;

		ck_assert_int_eq(pf_block_read(ed->ndb, e, NULL, &data, &cb),
				 0);
		ck_assert_int_eq(pf_block_kids(pf_ndb_layout(ed->ndb), data,
					       cb, e->bref.bid, &kids, &nkids),
				 0);
		free(data);
	}
	ck_assert_msg(pf_writer_keep_block(ed->w, e->bref.bid, e->bref.ib,
					   e->cb, (uint16_t)e->cb_inflated,
					   kids, nkids) == 0,
		      "%s", pf_error_msg());
	free(kids);
	return 0;
}

/* Node NID's PC again as e->pc says; values that lived in subnodes get
 * new subnodes, the other subnodes stay. */
static void write_pc_edit(struct editor *ed, uint32_t nid,
			  uint64_t *bid_data, uint64_t *bid_sub)
{
	uint32_t vals[256], nvals = 0;
	struct pf_message m;
	struct pf_plist l;
	struct pf_subw sub;

	ck_assert_int_eq(pf_message_open(&m, ed->ndb, nid), 0);
	pf_plist_init(&l, pf_ndb_layout(ed->ndb)->bid_size == 8);
	for (uint32_t i = 0; i < pf_pc_count(&m.pc); i++) {
		uint16_t id = PF_PROP_ID(pf_pc_tag(&m.pc, i));
		struct pf_value v;

		if (id == ed->e->pc.drop || id == ed->e->pc.set_i32)
			continue;
		ck_assert_int_eq(pf_pc_prop(&m.pc, i, &v), 0);
		if (v.loc == PF_VAL_SUBNODE && nvals < 256)
			vals[nvals++] = v.hnid;
		pf_plist_raw(&l, v.tag, pf_value_data(&v) ?
			     pf_value_data(&v) : (const uint8_t *)"", v.cb);
		pf_value_free(&v);
	}
	if (ed->e->pc.set_i32)
		pf_plist_i32(&l, ed->e->pc.set_i32, ed->e->pc.value);
	pf_subw_init(&sub, ed->w);
	for (uint32_t i = 0; i < m.sub.count; i++) {
		bool was_value = false;

		for (uint32_t k = 0; k < nvals; k++)
			was_value |= vals[k] == m.sub.v[i].nid;
		if (!was_value)
			ck_assert_int_eq(pf_subw_add(&sub, m.sub.v[i].nid,
						     m.sub.v[i].bid_data,
						     m.sub.v[i].bid_sub), 0);
	}
	ck_assert_int_eq(pf_pcw_write(ed->w, l.v, (uint32_t)l.n, &sub,
				      bid_data), 0);
	ck_assert_int_eq(pf_writer_put_subnodes(ed->w, sub.v, sub.n,
						bid_sub), 0);
	pf_subw_free(&sub);
	pf_plist_free(&l);
	pf_message_close(&m);
}

/* The subnode tree BID_SUB again without subnode SUB. */
static void drop_subnode(struct editor *ed, uint64_t bid_sub, uint32_t sub,
			 uint64_t *out)
{
	struct pf_subnodes sv;
	struct pf_subnode keep[64];
	uint32_t n = 0;

	ck_assert_int_eq(pf_subnodes_load(ed->ndb, bid_sub, NULL, &sv), 0);
	for (uint32_t i = 0; i < sv.count && n < 64; i++)
		if (sv.v[i].nid != sub)
			keep[n++] = sv.v[i];
	ck_assert_uint_eq(n + 1, sv.count);
	ck_assert_int_eq(pf_writer_put_subnodes(ed->w, keep, n, out), 0);
	pf_subnodes_free(&sv);
}

/* Node NID's one-block heap again with its HNHDR damaged as E says
 * (MS-PST 2.3.1.2): every allocation and the page map stay intact. */
static void damage_heap(struct editor *ed, uint64_t *bid_data)
{
	uint8_t *d;
	size_t cb;

	ck_assert_int_eq(pf_node_data_read(ed->ndb, *bid_data, 1 << 16, &d,
					   &cb), 0);
	ck_assert_uint_ge(cb, 12);
	if (ed->e->heap.pagemap) {
		d[0] = (uint8_t)((cb + 8) & 0xff);
		d[1] = (uint8_t)((cb + 8) >> 8);
	} else
		d[2] = 0;
	ck_assert_int_eq(pf_writer_put_data(ed->w, d, cb, bid_data), 0);
	free(d);
}

static int edit_node(void *ctx, const struct pf_nbt_entry *n)
{
	struct editor *ed = ctx;
	const struct nbt_edit *e = ed->e;
	uint32_t nid = (uint32_t)n->nid, parent = n->nid_parent;
	uint64_t bid_data = n->bid_data, bid_sub = n->bid_sub;

	for (uint32_t i = 0; i < e->nskip; i++)
		if (e->skip[i] == nid)
			return 0;
	for (uint32_t i = 0; i < e->nreparent; i++)
		if (e->reparent[i].nid == nid)
			parent = e->reparent[i].parent;
	for (uint32_t i = 0; i < e->ndata; i++) {
		struct pf_nbt_entry from;

		if (e->data[i].nid != nid)
			continue;
		ck_assert_int_eq(pf_nbt_lookup(ed->ndb, e->data[i].from,
					       &from), 0);
		bid_data = from.bid_data;
		bid_sub = from.bid_sub;
	}
	if (e->pc.nid == nid)
		write_pc_edit(ed, nid, &bid_data, &bid_sub);
	if (e->dropsub.nid == nid)
		drop_subnode(ed, bid_sub, e->dropsub.sub, &bid_sub);
	if (e->heap.nid == nid)
		damage_heap(ed, &bid_data);
	ck_assert_msg(pf_writer_add_node(ed->w, nid, bid_data, bid_sub,
					 parent) == 0, "%s", pf_error_msg());
	return 0;
}

static void break_file(const char *in, const char *out,
		       const struct nbt_edit *e)
{
	struct editor ed = { .e = e };
	const struct pf_header *h;
	struct pf_write_opts o;
	struct pf_over_counters c;
	int fd;

	ck_assert_int_eq(pf_ndb_open(&ed.ndb, in), 0);
	h = pf_ndb_header(ed.ndb);
	o = (struct pf_write_opts){ .variant = h->variant,
				    .crypt = h->crypt_method,
				    .ost = h->magic_client ==
					   PF_MAGIC_CLIENT_OST };
	c = (struct pf_over_counters){ .bid_next_b = h->bid_next_b,
				       .bid_next_p = h->bid_next_p,
				       .unique = h->unique };
	memcpy(c.rgnid, h->rgnid, sizeof(c.rgnid));
	fd = open(in, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pf_writer_open_over(&ed.w, out, fd,
					     pf_ndb_file_size(ed.ndb), &o,
					     &c), 0);
	close(fd);
	ck_assert_int_eq(pf_bbt_foreach(ed.ndb, keep_all, &ed), 0);
	ck_assert_int_eq(pf_nbt_foreach(ed.ndb, edit_node, &ed), 0);
	ck_assert_msg(pf_writer_commit(ed.w) == 0, "%s", pf_error_msg());
	pf_ndb_close(ed.ndb);
}

/* ---- judging ---- */

struct notes {
	unsigned n;
	char last[512];
	char all[8192];
};

static void note_cb(void *ctx, enum pf_repair_level level,
		    const char *line)
{
	struct notes *nt = ctx;
	size_t len = strlen(nt->all);

	ck_assert_int_eq(level, PF_REPAIR_MESSAGING);
	ck_assert_ptr_null(strchr(line, '\n'));
	nt->n++;
	snprintf(nt->last, sizeof(nt->last), "%s", line);
	if (len + strlen(line) + 2 < sizeof(nt->all))
		snprintf(nt->all + len, sizeof(nt->all) - len, "%s\n", line);
	if (getenv("TU_VERBOSE"))
		fprintf(stderr, "  note: %s\n", line);
}

static uint32_t count_code(const char *path, unsigned code)
{
	struct tu_findings *t = tu_check(path);
	uint32_t n;

	ck_assert_ptr_nonnull(t);
	n = t->by_code[code];
	free(t);
	return n;
}

/* No error, no warning; ALLOW: codes tolerated (0 none). */
static void assert_clean(const char *path, unsigned allow)
{
	struct tu_findings *t = tu_check(path);
	char codes[1024];
	uint32_t bad = t->by_sev[PF_SEV_ERROR] + t->by_sev[PF_SEV_WARNING];

	ck_assert_int_eq(t->rc, 0);
	if (allow)
		bad -= t->by_code[allow];
	ck_assert_msg(bad == 0, "%s: %s", path,
		      tu_codes_str(t, false, codes, sizeof(codes)));
	free(t);
}

/* Every original message is in OUT under a folder and opens with its
 * subject (NOT_READABLE: one whose PC was broken on purpose). */
static void assert_messages(const char *path, const struct sample *smp,
			    uint32_t not_readable)
{
	struct pf_ndb *ndb;

	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	for (int i = 0; i < NMSG; i++) {
		struct pf_nbt_entry e, pe;
		struct pf_message m;
		char *subj = NULL;

		ck_assert_msg(pf_nbt_lookup(ndb, smp->msg[i], &e) == 0,
			      "message 0x%x lost", smp->msg[i]);
		ck_assert_int_eq(pf_nbt_lookup(ndb, e.nid_parent, &pe), 0);
		ck_assert_uint_eq(PF_NID_TYPE(e.nid_parent),
				  PF_NT_NORMAL_FOLDER);
		if (smp->msg[i] == not_readable)
			continue;
		ck_assert_int_eq(pf_message_open(&m, ndb, smp->msg[i]), 0);
		ck_assert_int_eq(pf_pc_get_string(&m.pc, PF_TAG_SUBJECT,
						  &subj), 0);
		ck_assert_str_eq(subj, smp->subject[i]);
		free(subj);
		pf_message_close(&m);
	}
	pf_ndb_close(ndb);
}

/* ---- the independent readers: libpff (pffexport) and readpst ---- */

static bool have_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* Run CMD and keep its output (bounded) in OUT. */
static void run_capture(const char *cmd, char *out, size_t cap)
{
	FILE *f = popen(cmd, "r");
	size_t n = 0;

	ck_assert_ptr_nonnull(f);
	while (n + 1 < cap) {
		size_t got = fread(out + n, 1, cap - 1 - n, f);

		if (got == 0)
			break;
		n += got;
	}
	out[n] = '\0';
	pclose(f);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "Folder/subject;..." sorted: what our reader says about PATH. */
static void expected_list(const char *path, const struct sample *smp,
			  uint32_t skip, char *out, size_t cap)
{
	char *v[NMSG];
	int n = 0;
	size_t len = 0;
	struct pf_ndb *ndb;

	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	for (int i = 0; i < NMSG; i++) {
		struct pf_nbt_entry e;
		struct pf_folder_info fi;

		if (smp->msg[i] == skip)
			continue;
		ck_assert_int_eq(pf_nbt_lookup(ndb, smp->msg[i], &e), 0);
		ck_assert_int_eq(pf_folder_read(ndb, e.nid_parent, &fi), 0);
		v[n] = malloc(128);
		snprintf(v[n++], 128, "%s/%s", fi.name, smp->subject[i]);
		pf_folder_info_free(&fi);
	}
	pf_ndb_close(ndb);
	qsort(v, (size_t)n, sizeof(v[0]), cmp_str);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		len += (size_t)snprintf(out + len, cap - len, "%s;", v[i]);
		free(v[i]);
	}
}

/* Both readers list every message of PATH (but SKIP) in the folder our
 * reader puts it in, with its subject. */
static void assert_oracles(const char *path, const struct sample *smp,
			   uint32_t skip)
{
	char want[2048], got[2048], cmd[1024];

	if (!have_tool("pffexport") || !have_tool("readpst")) {
		fprintf(stderr, "SKIP: oracle check (pffexport or readpst "
			"absent)\n");
		return;
	}
	expected_list(path, smp, skip, want, sizeof(want));
	snprintf(cmd, sizeof(cmd), "d=$(mktemp -d) && cd \"$d\" && "
		 "pffexport -m all -q -t x '%s' >/dev/null 2>&1; "
		 "grep -r '^Subject:' x.export | sed 's|^.*/\\([^/]*\\)/"
		 "Message[0-9]*/[^:]*:Subject:[[:space:]]*|\\1/|' | "
		 "LC_ALL=C sort | tr '\\n' ';'; cd / && rm -rf \"$d\"", path);
	run_capture(cmd, got, sizeof(got));
	ck_assert_msg(strcmp(got, want) == 0, "pffexport %s:\n%s\nwant\n%s",
		      path, got, want);
	snprintf(cmd, sizeof(cmd), "d=$(mktemp -d) && "
		 "readpst -j 0 -e -D -o \"$d\" '%s' >/dev/null 2>&1; "
		 "grep -r '^Subject: ' \"$d\" | sed 's|^.*/\\([^/]*\\)/"
		 "[0-9]*\\.eml:Subject: |\\1/|' | LC_ALL=C sort | "
		 "tr '\\n' ';'; rm -rf \"$d\"", path);
	run_capture(cmd, got, sizeof(got));
	ck_assert_msg(strcmp(got, want) == 0, "readpst %s:\n%s\nwant\n%s",
		      path, got, want);
}

struct run {
	struct pf_repair_ctx ctx;
	struct notes notes;
};

static void repair(const char *in, const char *out, struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->ctx.note = note_cb;
	r->ctx.note_ctx = &r->notes;
	ck_assert_msg(pf_repair_messaging(&r->ctx, in, out) == 0, "%s",
		      pf_error_msg());
}

/* The second repair finds nothing to do. */
static void assert_idempotent(const char *path)
{
	char again[128];
	struct run r;

	snprintf(again, sizeof(again), "%s.again", path);
	repair(path, again, &r);
	ck_assert_msg(r.notes.n == 0, "second repair: %s", r.notes.all);
}

struct tcase {
	const char *name;
	unsigned code;           /* what scan finds before */
};

static void paths(const char *name, int v, char *a, char *b, char *c,
		  size_t cap)
{
	snprintf(a, cap, "%s/%s-%d.pst", g_dir, name, v);
	snprintf(b, cap, "%s/%s-%d-broken.pst", g_dir, name, v);
	snprintf(c, cap, "%s/%s-%d-fixed.pst", g_dir, name, v);
}

static const enum pf_variant variants[] = { PF_UNICODE, PF_ANSI,
					    PF_UNICODE4K };

/* Make, break with E, expect CODE, repair, judge. */
static void run_case(const char *name, int v, const struct nbt_edit *e,
		     unsigned code, struct sample *smp, struct run *r)
{
	char a[128], b[128], c[128];

	paths(name, v, a, b, c, sizeof(a));
	make_sample(a, variants[v], smp);
	assert_clean(a, 0);
	break_file(a, b, e);
	if (code)
		ck_assert_msg(count_code(b, code) > 0, "%s: no PF%04u", name,
			      code);
	repair(b, c, r);
	assert_clean(c, 0);
	assert_messages(c, smp, 0);
	assert_oracles(c, smp, 0);
	ck_assert_uint_eq(r->ctx.counts.messages_kept, NMSG);
	assert_idempotent(c);
}

/* ---- cases ---- */

START_TEST(clean_file_untouched)
{
	char a[128], b[128], c[128];
	struct sample smp;
	struct run r;

	paths("clean", _i, a, b, c, sizeof(a));
	make_sample(a, variants[_i], &smp);
	repair(a, c, &r);
	ck_assert_msg(r.notes.n == 0, "%s", r.notes.all);
	assert_clean(c, 0);
	assert_messages(c, &smp, 0);
}
END_TEST

START_TEST(mandatory_nodes)
{
	/* store, map, a template, a queue, the IPM subtree's FAI table,
	 * Deleted Items with its tables */
	struct nbt_edit e = { .skip = { 0x21, 0x61, 0x60E, 0x1E1, 0x802F,
					0x8062, 0x806D, 0x806E },
			      .nskip = 8 };
	struct sample smp;
	struct run r;

	run_case("mandatory", _i, &e, 7001, &smp, &r);
	ck_assert_uint_eq(r.ctx.counts.mandatory_recreated, 5);
	ck_assert_ptr_nonnull(strstr(r.notes.all, "recreated mandatory node "
				     "0x61 (name-to-id map)"));
	ck_assert_ptr_nonnull(strstr(r.notes.all, "'Deleted Items'"));
}
END_TEST

START_TEST(mandatory_unreadable)
{
	/* the map lost its data, a template reads as a PC, the store's PC
	 * is the map's (no record key, name or IPM subtree EntryID) */
	struct sample smp;
	struct run r;
	struct nbt_edit e = { .ndata = 3 };
	char a[128], b[128], c[128];
	struct pf_store_info si;
	struct pf_ndb *ndb;

	paths("mandread", _i, a, b, c, sizeof(a));
	make_sample(a, variants[_i], &smp);
	e.data[0].nid = PF_NID_NAME_TO_ID_MAP;
	e.data[0].from = 0x1E1;
	e.data[1].nid = PF_NID_HIERARCHY_TEMPLATE;
	e.data[1].from = smp.msg[0];
	e.data[2].nid = PF_NID_MESSAGE_STORE;
	e.data[2].from = PF_NID_NAME_TO_ID_MAP;
	run_case("mandread", _i, &e, 7016, &smp, &r);
	ck_assert_uint_eq(r.ctx.counts.mandatory_recreated, 3);
	ck_assert_ptr_nonnull(strstr(r.notes.all, "replaced mandatory node "
				     "0x61 (name-to-id map): it did not "
				     "open"));
	ck_assert_ptr_nonnull(strstr(r.notes.all, "PidTagIpmSubTreeEntryId"));
	ck_assert_int_eq(pf_ndb_open(&ndb, c), 0);
	ck_assert_int_eq(pf_store_read(ndb, &si), 0);
	ck_assert_uint_eq(si.nid_ipm_subtree, 0x8022);
	ck_assert(si.has_record_key);
	ck_assert_str_eq(si.display_name, "Personal Folders");
	pf_store_info_free(&si);
	pf_ndb_close(ndb);
}
END_TEST

START_TEST(nameid_buckets)
{
	/* the map says 13 buckets: rehashed into 251, entries kept */
	struct sample smp;
	struct run r;
	struct nbt_edit e = { 0 };
	char a[128], b[128], c[128];
	struct pf_nameid_map map;
	struct pf_ndb *ndb;

	paths("nameid", _i, a, b, c, sizeof(a));
	make_sample(a, variants[_i], &smp);
	e.pc.nid = PF_NID_NAME_TO_ID_MAP;
	e.pc.set_i32 = PF_TAG_NAMEID_BUCKET_COUNT;
	e.pc.value = 13;
	run_case("nameid", _i, &e, 7017, &smp, &r);
	ck_assert_ptr_nonnull(strstr(r.notes.all, "rehashed the name-to-id "
				     "map (0x61): 2 entries in 251 buckets "
				     "(PidTagNameidBucketCount was 13)"));
	ck_assert_int_eq(pf_ndb_open(&ndb, c), 0);
	ck_assert_int_eq(pf_nameid_load(ndb, &map, NULL), 0);
	ck_assert_uint_eq(map.count, 2);
	ck_assert_uint_eq(map.bucket_count, 251);
	ck_assert_uint_eq(map.faults, 0);
	ck_assert_ptr_nonnull(pf_nameid_find(&map, 0x8000));
	ck_assert_str_eq(pf_nameid_find(&map, 0x8000)->name, "Keywords");
	pf_nameid_free(&map);
	pf_ndb_close(ndb);
}
END_TEST

START_TEST(wrong_rows)
{
	/* Inbox's contents table is Sent Items' one; Projects' hierarchy
	 * table is unreadable (a message's PC) */
	struct sample smp;
	struct run r;
	struct nbt_edit e = { .ndata = 2 };
	char a[128], b[128], c[128];

	paths("rows", _i, a, b, c, sizeof(a));
	make_sample(a, variants[_i], &smp);
	e.data[0].nid = pf_nid_with_type(smp.inbox, PF_NT_CONTENTS_TABLE);
	e.data[0].from = pf_nid_with_type(smp.sent, PF_NT_CONTENTS_TABLE);
	e.data[1].nid = pf_nid_with_type(smp.projects, PF_NT_HIERARCHY_TABLE);
	e.data[1].from = smp.msg[0];
	run_case("rows", _i, &e, 7007, &smp, &r);
	ck_assert_uint_eq(r.ctx.counts.tables_rebuilt, 2);
	ck_assert_ptr_nonnull(strstr(r.notes.all, "rebuilt the contents "
				     "table of 'Inbox'"));
	ck_assert_ptr_nonnull(strstr(r.notes.all, "6 rows"));
	ck_assert_ptr_nonnull(strstr(r.notes.all, "was unreadable"));
}
END_TEST

START_TEST(orphans)
{
	/* Old's messages point at a missing folder; Projects is deleted
	 * (Old is then an orphan folder); a message moves to Drafts
	 * (counts and tables of both folders wrong) */
	struct sample smp;
	struct run r;
	struct nbt_edit e = { .nreparent = 2, .nskip = 1 };
	char a[128], b[128], c[128];
	struct pf_tree t;
	struct pf_ndb *ndb;
	uint32_t ri;

	paths("orphans", _i, a, b, c, sizeof(a));
	make_sample(a, variants[_i], &smp);
	e.reparent[0].nid = smp.msg[9];
	e.reparent[0].parent = 0x7FFFE2;
	e.reparent[1].nid = smp.msg[2];
	e.reparent[1].parent = smp.drafts;
	e.reparent[2].nid = smp.msg[10];      /* parent: a message */
	e.reparent[2].parent = smp.msg[11];
	e.nreparent = 3;
	e.skip[0] = smp.projects;
	run_case("orphans", _i, &e, 7005, &smp, &r);
	/* msgs 6-8 (Projects), 9 and 10: 5 messages; folder Old */
	ck_assert_uint_eq(r.ctx.counts.orphans_recovered, 6);
	ck_assert_ptr_nonnull(strstr(r.notes.all, "moved 5 orphan messages "
				     "to 'Recovered Items'"));
	ck_assert_uint_ge(r.ctx.counts.counts_fixed, 2);
	snprintf(c, sizeof(c), "%s/orphans-%d-fixed.pst", g_dir, _i);
	ck_assert_int_eq(pf_ndb_open(&ndb, c), 0);
	ck_assert_int_eq(pf_tree_load(ndb, &t), 0);
	ri = pf_tree_find(&t, "Top of Personal Folders/Recovered Items");
	ck_assert_uint_ne(ri, PF_TREE_NONE);
	ck_assert_uint_eq(t.f[ri].messages, 5);
	ck_assert_uint_eq(t.f[ri].nsub, 1);
	ck_assert_int_eq(t.f[ri].content_count, 5);
	ck_assert_uint_eq(t.f[pf_tree_index(&t, smp.drafts)].messages, 1);
	ck_assert_int_eq(t.f[pf_tree_index(&t, smp.drafts)].content_count,
			 1);
	ri = t.f[ri].nid;
	pf_tree_free(&t);
	pf_ndb_close(ndb);
	/* a second break of the repaired file reuses the folder */
	e = (struct nbt_edit){ .nreparent = 1 };
	e.reparent[0].nid = smp.msg[0];
	e.reparent[0].parent = 0x7FFFE2;
	snprintf(a, sizeof(a), "%s/orphans-%d-again.pst", g_dir, _i);
	snprintf(b, sizeof(b), "%s/orphans-%d-again-fixed.pst", g_dir, _i);
	break_file(c, a, &e);
	repair(a, b, &r);
	ck_assert_ptr_null(strstr(r.notes.all, "created folder"));
	ck_assert_uint_eq(r.ctx.counts.orphans_recovered, 1);
	assert_clean(b, 0);
	ck_assert_int_eq(pf_ndb_open(&ndb, b), 0);
	ck_assert_int_eq(pf_tree_load(ndb, &t), 0);
	ck_assert_uint_eq(t.f[pf_tree_index(&t, ri)].messages, 6);
	pf_tree_free(&t);
	pf_ndb_close(ndb);
}
END_TEST

START_TEST(folder_cycle)
{
	/* Projects' parent is Old, Old's parent is Projects: neither
	 * reaches the root; a folder that is its own grandparent */
	struct sample smp;
	struct run r;
	struct nbt_edit e = { .nreparent = 1 };
	char a[128], b[128], c[128];

	paths("cycle", _i, a, b, c, sizeof(a));
	make_sample(a, variants[_i], &smp);
	e.reparent[0].nid = smp.projects;
	e.reparent[0].parent = smp.old;
	/* and the contents table of Sent Items has a parent */
	e.nreparent = 2;
	e.reparent[1].nid = pf_nid_with_type(smp.sent, PF_NT_CONTENTS_TABLE);
	e.reparent[1].parent = smp.sent;
	run_case("cycle", _i, &e, 7004, &smp, &r);
	ck_assert_uint_eq(r.ctx.counts.orphans_recovered, 1);
	ck_assert_ptr_nonnull(strstr(r.notes.all, "set nidParent to 0 on 1 "
				     "folder table node"));
}
END_TEST

START_TEST(standard_cycle)
{
	/* the IPM subtree's parent is Inbox, its own child: the cycle is cut
	 * by putting the IPM subtree back under the root; nothing else moves
	 * and no "Recovered Items" is made */
	struct sample smp;
	struct run r;
	struct nbt_edit e = { .nreparent = 1 };
	char a[128], b[128], c[128];

	paths("stdcycle", _i, a, b, c, sizeof(a));
	make_sample(a, variants[_i], &smp);
	e.reparent[0].nid = 0x8022;
	e.reparent[0].parent = smp.inbox;
	run_case("stdcycle", _i, &e, 7004, &smp, &r);
	ck_assert_uint_eq(r.ctx.counts.orphans_recovered, 0);
	ck_assert_ptr_nonnull(strstr(r.notes.all, "moved folder 'Top of "
				     "Personal Folders' (0x8022) from parent "
				     "0x8082 to 0x122: a parent cycle"));
	ck_assert_ptr_null(strstr(r.notes.all, "Recovered Items"));
	ck_assert_ptr_null(strstr(r.notes.all, "'Inbox' (0x8082) from"));
}
END_TEST

START_TEST(body_dropped)
{
	/* a message without its body is kept as it is */
	struct sample smp;
	struct run r;
	struct nbt_edit e = { 0 };
	char a[128], b[128], c[128];

	paths("nobody", _i, a, b, c, sizeof(a));
	make_sample(a, variants[_i], &smp);
	e.pc.nid = smp.msg[1];
	e.pc.drop = 0x1000;   /* PidTagBody */
	run_case("nobody", _i, &e, 0, &smp, &r);
	ck_assert_uint_eq(r.notes.n, 0);
}
END_TEST

/* The subnode holding property ID of node NID in PATH, 0: none; whether
 * it is there at all into *HAS. */
static uint32_t prop_subnode(const char *path, uint32_t nid, uint16_t id,
			     bool *has)
{
	struct pf_message m;
	struct pf_value v;
	struct pf_ndb *ndb;
	uint32_t sub = 0;

	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_message_open(&m, ndb, nid), 0);
	*has = pf_pc_get_value(&m.pc, id, &v) == 0;
	if (*has && v.loc == PF_VAL_SUBNODE)
		sub = v.hnid;
	pf_value_free(&v);
	pf_message_close(&m);
	pf_ndb_close(ndb);
	return sub;
}

START_TEST(value_lost)
{
	/* the subnode holding a message's long body is lost (the NDB stage
	 * dropped its dead data tree): PidTagBody is dropped and said, the
	 * message keeps every other property */
	struct sample smp;
	struct run r;
	struct nbt_edit e = { 0 };
	char a[128], b[128], c[128];
	bool has;

	g_long_body = true;
	paths("valuelost", _i, a, b, c, sizeof(a));
	make_sample(a, variants[_i], &smp);
	e.dropsub.nid = smp.msg[LONG_MSG];
	e.dropsub.sub = prop_subnode(a, e.dropsub.nid, 0x1000, &has);
	ck_assert_uint_ne(e.dropsub.sub, 0);
	run_case("valuelost", _i, &e, 6043, &smp, &r);
	ck_assert_uint_eq(r.notes.n, 1);
	ck_assert_ptr_nonnull(strstr(r.notes.all, "dropped property "
				     "0x1000001"));
	prop_subnode(c, e.dropsub.nid, 0x1000, &has);
	ck_assert(!has);
}
END_TEST

START_TEST(heap_header)
{
	/* message 2's HNHDR: bSig 0 (the PC still opens), then ibHnpm past
	 * the block (it does not): both are read tolerantly and the PC is
	 * written again with every property */
	for (int k = 0; k < 2; k++) {
		struct sample smp;
		struct run r;
		struct nbt_edit e = { 0 };
		char a[128], b[128], c[128], name[32];

		snprintf(name, sizeof(name), "heap%d", k);
		paths(name, _i, a, b, c, sizeof(a));
		make_sample(a, variants[_i], &smp);
		e.heap.nid = smp.msg[2];
		e.heap.pagemap = k == 1;
		run_case(name, _i, &e, k ? 6002 : 6001, &smp, &r);
		ck_assert_uint_eq(r.notes.n, 1);
		ck_assert_ptr_nonnull(strstr(r.notes.all, k ?
			"ibHnpm" : "bSig 0x0 ignored"));
		ck_assert_uint_eq(r.ctx.counts.messages_unreadable, 0);
	}
}
END_TEST

START_TEST(attachment_table)
{
	/* message 1 loses its attachment table (subnode 0x671): its
	 * attachment is unlisted; a new table lists it again */
	struct sample smp;
	struct run r;
	struct nbt_edit e = { 0 };
	char a[128], b[128], c[128];
	struct pf_message m;
	struct pf_table t;
	struct pf_ndb *ndb;
	char *name = NULL;

	paths("attach", _i, a, b, c, sizeof(a));
	make_sample(a, variants[_i], &smp);
	e.dropsub.nid = smp.msg[1];
	e.dropsub.sub = PF_NID_ATTACHMENT_TABLE;
	run_case("attach", _i, &e, 7015, &smp, &r);
	ck_assert_uint_eq(r.ctx.counts.tables_rebuilt, 1);
	ck_assert_ptr_nonnull(strstr(r.notes.all, "rebuilt the attachment "
				     "table of message"));
	ck_assert_int_eq(pf_ndb_open(&ndb, c), 0);
	ck_assert_int_eq(pf_message_open(&m, ndb, smp.msg[1]), 0);
	ck_assert_int_eq(pf_message_attachments(&m, &t), 0);
	ck_assert_uint_eq(pf_tc_rows(&t.tc), 1);
	ck_assert_int_eq(pf_tc_get_string(&t.tc, 0, PF_PROP_TAG(
		PF_TAG_ATTACH_FILENAME, 0), &name), 0);
	ck_assert_str_eq(name, "a.txt");
	free(name);
	pf_table_close(&t);
	pf_message_close(&m);
	pf_ndb_close(ndb);
}
END_TEST

START_TEST(message_unreadable)
{
	/* message 3 lost its data (bidData 0, as the search queues have):
	 * its PC does not open.  It is kept where it is, counted, and said;
	 * the only findings left are about its own node */
	struct sample smp;
	struct run r;
	struct nbt_edit e = { .ndata = 1 };
	char a[128], b[128], c[128];
	struct tu_findings *t;

	paths("unreadable", _i, a, b, c, sizeof(a));
	make_sample(a, variants[_i], &smp);
	e.data[0].nid = smp.msg[3];
	e.data[0].from = 0x1E1;
	break_file(a, b, &e);
	ck_assert_uint_gt(count_code(b, 7012), 0);
	repair(b, c, &r);
	ck_assert_uint_eq(r.ctx.counts.messages_unreadable, 1);
	ck_assert_uint_eq(r.ctx.counts.messages_kept, NMSG);
	ck_assert_ptr_nonnull(strstr(r.notes.all, "kept unreadable message"));
	assert_messages(c, &smp, smp.msg[3]);
	assert_oracles(c, &smp, smp.msg[3]);
	t = tu_check(c);
	/* its PC's own findings: bClientSig, "cannot be read", 7012 */
	ck_assert_uint_eq(t->by_code[7012], 1);
	ck_assert_uint_eq(t->by_sev[PF_SEV_ERROR], t->by_code[6040] +
			  t->by_code[6090] + t->by_code[7012]);
	ck_assert_uint_eq(t->by_sev[PF_SEV_WARNING], 0);
	free(t);
}
END_TEST

START_TEST(folder_unreadable)
{
	/* Projects lost its PC (bidData 0): a new one, named by Inbox's
	 * hierarchy row, counting its 3 messages */
	struct sample smp;
	struct run r;
	struct nbt_edit e = { .ndata = 1 };
	char a[128], b[128], c[128];
	struct pf_folder_info fi;
	struct pf_ndb *ndb;

	paths("folderpc", _i, a, b, c, sizeof(a));
	make_sample(a, variants[_i], &smp);
	e.data[0].nid = smp.projects;
	e.data[0].from = 0x1E1;
	run_case("folderpc", _i, &e, 7018, &smp, &r);
	ck_assert_ptr_nonnull(strstr(r.notes.all, "recreated the unreadable "
				     "PC of folder 'Projects'"));
	ck_assert_int_eq(pf_ndb_open(&ndb, c), 0);
	ck_assert_int_eq(pf_folder_read(ndb, smp.projects, &fi), 0);
	ck_assert_str_eq(fi.name, "Projects");
	ck_assert_str_eq(fi.container_class, "IPF.Note");
	ck_assert_int_eq(fi.content_count, 3);
	ck_assert(fi.has_subfolders);
	pf_folder_info_free(&fi);
	pf_ndb_close(ndb);
}
END_TEST

/* ---- real files: the corpus ---- */

struct msgs {
	struct pf_ndb *ndb;
	uint32_t nid[4096];
	char *subject[4096];
	uint32_t n;
};

static int collect_msg(void *ctx, const struct pf_nbt_entry *e)
{
	struct msgs *m = ctx;
	struct pf_message msg;

	if (PF_NID_TYPE(e->nid) != PF_NT_NORMAL_MESSAGE || m->n == 4096)
		return 0;
	m->nid[m->n] = (uint32_t)e->nid;
	m->subject[m->n] = NULL;
	if (pf_message_open(&msg, m->ndb, (uint32_t)e->nid) == 0) {
		pf_pc_get_string(&msg.pc, PF_TAG_SUBJECT, &m->subject[m->n]);
		pf_message_close(&msg);
	}
	m->n++;
	return 0;
}

static void load_msgs(const char *path, struct msgs *m)
{
	memset(m, 0, sizeof(*m));
	ck_assert_int_eq(pf_ndb_open(&m->ndb, path), 0);
	ck_assert_int_eq(pf_nbt_foreach(m->ndb, collect_msg, m), 0);
	pf_ndb_close(m->ndb);
}

static void free_msgs(struct msgs *m)
{
	for (uint32_t i = 0; i < m->n; i++)
		free(m->subject[i]);
}

/* No error, and no warning code the original did not have. */
static void assert_no_new(const char *orig, const char *fixed)
{
	struct tu_findings *a = tu_check(orig), *b = tu_check(fixed);
	char codes[1024];

	ck_assert_uint_eq(b->by_sev[PF_SEV_ERROR], 0);
	for (unsigned c = 0; c < TU_MAX_CODE; c++)
		ck_assert_msg(!b->by_code[c] || a->by_code[c],
			      "%s: new PF%04u (%s)", fixed, c,
			      tu_codes_str(b, false, codes, sizeof(codes)));
	free(a);
	free(b);
}

static const char *const corpus_files[] = {
	"generator-900msgs.pst", "aspose-outlook.pst", "go-pst-support.pst",
	"pst-extractor-contacts97-2002-ansi.pst", "aspose-sample.ost",
	"tika-testPST.pst",
};

/* The folder with the most messages loses its contents table, one of
 * its messages points at a missing folder, a template is gone. */
START_TEST(corpus_broken)
{
	char in[512], b[128], c[128];
	struct msgs before, after;
	struct nbt_edit e = { .nskip = 2, .nreparent = 1 };
	struct pf_ndb *ndb;
	struct pf_tree t;
	uint32_t best = PF_TREE_NONE, victim = 0;
	struct pf_nameid_map map_in, map_out;
	struct run r;

	tu_corpus_path(in, sizeof(in), corpus_files[_i]);
	if (!tu_file_present(in)) {
		fprintf(stderr, "%s\n", TU_SKIP_CORPUS_MSG);
		return;
	}
	snprintf(b, sizeof(b), "%s/corpus-%d-broken.pst", g_dir, _i);
	snprintf(c, sizeof(c), "%s/corpus-%d-fixed.pst", g_dir, _i);
	load_msgs(in, &before);
	ck_assert_int_eq(pf_ndb_open(&ndb, in), 0);
	ck_assert_int_eq(pf_tree_load(ndb, &t), 0);
	for (uint32_t i = 0; i < t.n; i++)
		if (PF_NID_TYPE(t.f[i].nid) == PF_NT_NORMAL_FOLDER &&
		    (best == PF_TREE_NONE ||
		     t.f[i].messages > t.f[best].messages))
			best = i;
	ck_assert_uint_ne(best, PF_TREE_NONE);
	for (uint32_t i = 0; i < before.n && !victim; i++) {
		struct pf_nbt_entry ne;

		if (pf_nbt_lookup(ndb, before.nid[i], &ne) == 0 &&
		    ne.nid_parent == t.f[best].nid)
			victim = before.nid[i];
	}
	e.skip[0] = pf_nid_with_type(t.f[best].nid, PF_NT_CONTENTS_TABLE);
	e.skip[1] = PF_NID_CONTENTS_TEMPLATE;
	e.reparent[0].nid = victim ? victim : 0xFFFFFFE4u;
	e.reparent[0].parent = 0x7FFFE2;
	e.pc.nid = PF_NID_NAME_TO_ID_MAP;   /* rehash a real map */
	e.pc.set_i32 = PF_TAG_NAMEID_BUCKET_COUNT;
	e.pc.value = 13;
	ck_assert_int_eq(pf_nameid_load(ndb, &map_in, NULL), 0);
	pf_tree_free(&t);
	pf_ndb_close(ndb);
	break_file(in, b, &e);
	ck_assert_uint_gt(count_code(b, 7002), 0);
	repair(b, c, &r);
	assert_no_new(in, c);
	ck_assert_uint_eq(r.ctx.counts.messages_kept, before.n);
	ck_assert_uint_ge(r.ctx.counts.tables_rebuilt, 1);
	ck_assert_uint_eq(r.ctx.counts.orphans_recovered, victim ? 1 : 0);
	load_msgs(c, &after);
	ck_assert_uint_eq(after.n, before.n);
	ck_assert_int_eq(pf_ndb_open(&ndb, c), 0);
	ck_assert_int_eq(pf_nameid_load(ndb, &map_out, NULL), 0);
	ck_assert_uint_eq(map_out.count, map_in.count);
	ck_assert_uint_eq(map_out.bucket_count, 251);
	for (uint32_t i = 0; i < map_in.count; i++)
		ck_assert_uint_eq(map_out.v[i].hash, map_in.v[i].hash);
	pf_nameid_free(&map_in);
	pf_nameid_free(&map_out);
	pf_ndb_close(ndb);
	for (uint32_t i = 0; i < before.n; i++) {
		ck_assert_uint_eq(after.nid[i], before.nid[i]);
		ck_assert_msg((!before.subject[i] && !after.subject[i]) ||
			      (before.subject[i] && after.subject[i] &&
			       strcmp(before.subject[i],
				      after.subject[i]) == 0),
			      "message 0x%x", before.nid[i]);
	}
	free_msgs(&before);
	free_msgs(&after);
	assert_idempotent(c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("repair_msg");
	TCase *tc = tcase_create("all");
	int nv = (int)(sizeof(variants) / sizeof(variants[0]));

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, clean_file_untouched, 0, nv);
	tcase_add_loop_test(tc, mandatory_nodes, 0, nv);
	tcase_add_loop_test(tc, mandatory_unreadable, 0, nv);
	tcase_add_loop_test(tc, nameid_buckets, 0, nv);
	tcase_add_loop_test(tc, wrong_rows, 0, nv);
	tcase_add_loop_test(tc, orphans, 0, nv);
	tcase_add_loop_test(tc, folder_cycle, 0, nv);
	tcase_add_loop_test(tc, standard_cycle, 0, nv);
	tcase_add_loop_test(tc, body_dropped, 0, nv);
	tcase_add_loop_test(tc, folder_unreadable, 0, nv);
	tcase_add_loop_test(tc, attachment_table, 0, nv);
	tcase_add_loop_test(tc, value_lost, 0, nv);
	tcase_add_loop_test(tc, heap_header, 0, nv);
	tcase_add_loop_test(tc, message_unreadable, 0, nv);
	tcase_add_loop_test(tc, corpus_broken, 0,
			    (int)(sizeof(corpus_files) /
				  sizeof(corpus_files[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(suite(), g_dir, sizeof(g_dir), "pf-repairmsg");
}
