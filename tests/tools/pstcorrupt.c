/*
 * pstcorrupt.c - damage a PST in one named, seeded way and record exactly
 * what changed: the corruptions of the golden image tests (tests/images)
 * and of the recovery benchmark (bench/recovery).  Not installed.
 *
 *   pstcorrupt RECIPE[:ARG] --seed N IN OUT [--record REC.json]
 *   pstcorrupt --list
 *
 * Contract
 * - IN is never written.  OUT is a new file (temporary name, fsync,
 *   rename); an existing OUT is replaced.  The same recipe, ARG, seed and
 *   IN give the same OUT bytes on every machine.
 * - The structures are found with the project's reader (pf_ndb_open(), the
 *   BTPAGE and entry accessors, pf_xblock_parse(), the message reader for
 *   subjects) over a copy of IN in memory; the edits are made on a second
 *   copy, re-sealing (page CRC and wSig, block CRC, header CRCs) exactly
 *   where the recipe says the damage must be consistent, so the finding
 *   that shows is the one the recipe targets.  The sealing helpers are
 *   tests/unit/tutil.h's, written from MS-PST independently of formats/.
 * - The seed picks the target among the eligible structures (a splitmix64
 *   stream); a recipe with nothing eligible fails with a one-line error
 *   and exit 2 (e.g. zero-nbt-leaf on a one-page NBT).
 * - The record (JSON, one object) lists the changed byte ranges with the
 *   SHA-256 of their old and new bytes, the B-tree pages and blocks the
 *   edit destroyed (changed and no longer valid) or edited (changed and
 *   re-sealed), and, for the oracle, the normal messages whose own blocks
 *   were destroyed ("messages_destroyed": their PC, data tree or subnode
 *   tree lost a block, so no repair can bring them back whole) and those
 *   whose only NBT entry was on a destroyed leaf page
 *   ("messages_unlisted": their data is intact, a repair that finds a
 *   stale copy of the page may keep them), each with its subject.
 * - 512-byte-page files only (ANSI and Unicode PST/OST); 4 KiB-page OSTs
 *   are refused.  Every walk has a visited set and a depth bound.
 *
 * Exit: 0 done, 1 operational error, 2 usage or nothing eligible.
 */
#include <openssl/sha.h>
#include <stdarg.h>

#include "../../formats/msg/pf_msg.h"
#include "../../formats/util/pf_grow.h"
#include "../../formats/util/pf_set.h"
#include "../../pstfix/cli/json.h"
#include "../unit/tutil.h"

#define PC_MAX_DEPTH 8           /* data and subnode trees: 2 and 2 */
#define PC_MAX_SHOWN 4096        /* ranges and lists in the record */

enum { T_NBT = 0, T_BBT = 1 };
enum { S_SAME = 0, S_EDITED, S_DESTROYED };

struct bt_page {
	uint64_t ib, bid;
	int tree;
	uint32_t level, cent, cent_max, cb_ent;
	int32_t parent;          /* index in pages, -1 for the root */
	uint32_t pslot;          /* entry of the parent naming this page */
};

struct nbt_ent {
	struct pf_nbt_entry e;
	uint32_t page, slot;
};

struct bbt_ent {
	struct pf_bbt_entry e;
	uint32_t page, slot;
};

struct img {
	struct pf_ndb *ndb;
	const struct pf_layout *l;
	const struct pf_header *h;
	struct tu_hdr_layout hl;
	bool ansi;
	uint8_t *old, *buf;      /* IN as read, and the copy we damage */
	uint64_t size, new_size;
	struct bt_page *pg;
	size_t npg, cpg;
	struct nbt_ent *nbt;
	size_t nnbt, cnbt;
	struct bbt_ent *bbt;     /* sorted by BID (leaf order) */
	size_t nbbt, cbbt;
	uint64_t rng;
	const char *arg;
	char target[512];        /* what the recipe picked, in words */
	uint32_t removed_nid;    /* missing-mandatory */
	uint32_t *moved;         /* orphan-messages: NIDs re-parented */
	size_t nmoved;
};

static char errbuf[300];

__attribute__((format(printf, 1, 2)))
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return -1;
}

__attribute__((format(printf, 2, 3)))
static void say(struct img *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->target, sizeof(m->target), fmt, ap);
	va_end(ap);
}

/* ---- the seeded choice (splitmix64) ---- */

static uint64_t rnd(struct img *m)
{
	uint64_t z = (m->rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint32_t pick(struct img *m, size_t n)
{
	return n ? (uint32_t)(rnd(m) % n) : 0;
}

/* ---- reading IN and walking its B-trees (MS-PST 2.2.2.7.7) ---- */

static int read_all(const char *path, uint8_t **out, uint64_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long n;

	if (!f)
		return fail("%s: cannot open", path);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return fail("%s: cannot size", path);
	}
	if ((uint64_t)n > (1ull << 31)) {
		fclose(f);
		return fail("%s: larger than 2 GiB, not a test image", path);
	}
	p = malloc((size_t)n + 1);
	if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		fclose(f);
		return fail("%s: cannot read", path);
	}
	fclose(f);
	*out = p;
	*size = (uint64_t)n;
	return 0;
}

static bool page_in_file(const struct img *m, uint64_t ib)
{
	return ib % m->l->page_size == 0 && ib >= m->l->page_size &&
	       ib + m->l->page_size <= m->size;
}

static int add_page(struct img *m, struct pf_set *seen, struct pf_bref br,
		    int tree, int32_t parent, uint32_t pslot)
{
	struct bt_page *p;
	struct pf_btpage bt;
	enum pf_obj obj = tree == T_NBT ? PF_OBJ_NBT : PF_OBJ_BBT;

	if (!page_in_file(m, br.ib) || pf_set_has(seen, br.ib) ||
	    !pf_btpage_parse(m->l, m->old + br.ib, br.ib, obj, NULL, &bt))
		return 0;        /* a damaged IN: walk what is sound */
	if (pf_set_add(seen, br.ib) < 0 ||
	    pf_grow(&m->pg, m->npg, &m->cpg, sizeof(*m->pg)) != 0)
		return fail("out of memory");
	p = &m->pg[m->npg++];
	*p = (struct bt_page){ .ib = br.ib, .bid = br.bid, .tree = tree,
			       .level = bt.level, .cent = bt.cent,
			       .cent_max = bt.cent_max, .cb_ent = bt.cb_ent,
			       .parent = parent, .pslot = pslot };
	return 0;
}

static int add_leaf_entries(struct img *m, uint32_t pi,
			    const struct pf_btpage *bt)
{
	const struct bt_page *p = &m->pg[pi];

	for (uint32_t i = 0; i < bt->cent; i++) {
		if (p->tree == T_NBT) {
			if (pf_grow(&m->nbt, m->nnbt, &m->cnbt,
				    sizeof(*m->nbt)) != 0)
				return fail("out of memory");
			pf_nbt_entry_get(m->l, bt, i, &m->nbt[m->nnbt].e);
			m->nbt[m->nnbt].page = pi;
			m->nbt[m->nnbt++].slot = i;
		} else {
			if (pf_grow(&m->bbt, m->nbbt, &m->cbbt,
				    sizeof(*m->bbt)) != 0)
				return fail("out of memory");
			pf_bbt_entry_get(m->l, bt, i, &m->bbt[m->nbbt].e);
			m->bbt[m->nbbt].page = pi;
			m->bbt[m->nbbt++].slot = i;
		}
	}
	return 0;
}

/* Depth first, children in key order, so leaf entries come out sorted;
 * the pages array is the stack's record (parents before children). */
static int walk_page(struct img *m, struct pf_set *seen, uint32_t pi,
		     unsigned depth)
{
	struct pf_btpage bt;
	enum pf_obj obj = m->pg[pi].tree == T_NBT ? PF_OBJ_NBT : PF_OBJ_BBT;
	uint64_t ib = m->pg[pi].ib;

	if (depth > PF_BT_MAX_DEPTH)
		return 0;
	pf_btpage_parse(m->l, m->old + ib, ib, obj, NULL, &bt);
	if (bt.level == 0)
		return add_leaf_entries(m, pi, &bt);
	for (uint32_t i = 0; i < bt.cent; i++) {
		struct pf_bt_branch br;
		size_t before = m->npg;

		pf_bt_branch_get(m->l, &bt, i, &br);
		if (add_page(m, seen, br.bref, m->pg[pi].tree, (int32_t)pi,
			     i) != 0)
			return -1;
		if (m->npg > before &&
		    walk_page(m, seen, (uint32_t)before, depth + 1) != 0)
			return -1;
	}
	return 0;
}

static int walk_tree(struct img *m, int tree)
{
	const struct pf_root *r = &m->h->root;
	struct pf_set seen = { 0 };
	size_t first = m->npg;
	int rc;

	rc = add_page(m, &seen, tree == T_NBT ? r->nbt : r->bbt, tree, -1, 0);
	if (rc == 0 && m->npg == first)
		rc = fail("the %s root page is not readable: IN is damaged",
			  tree == T_NBT ? "NBT" : "BBT");
	if (rc == 0)
		rc = walk_page(m, &seen, (uint32_t)first, 0);
	pf_set_free(&seen);
	return rc;
}

static const struct bbt_ent *bbt_find(const struct img *m, uint64_t bid)
{
	size_t lo = 0, hi = m->nbbt;

	bid &= ~(uint64_t)1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t k = m->bbt[mid].e.bref.bid & ~(uint64_t)1;

		if (k == bid)
			return &m->bbt[mid];
		if (k < bid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct nbt_ent *nbt_find(const struct img *m, uint32_t nid)
{
	for (size_t i = 0; i < m->nnbt; i++)
		if ((uint32_t)m->nbt[i].e.nid == nid)
			return &m->nbt[i];
	return NULL;
}

static int img_open(struct img *m, const char *in)
{
	if (read_all(in, &m->old, &m->size) != 0)
		return -1;
	if (pf_ndb_open(&m->ndb, in) != 0)
		return fail("%s: %s", in, pf_error_msg());
	m->l = pf_ndb_layout(m->ndb);
	m->h = pf_ndb_header(m->ndb);
	if (m->l->page_size != 512)
		return fail("%s: 4 KiB-page files are not supported", in);
	m->ansi = m->h->variant == PF_ANSI;
	m->hl = tu_hdr_layout(m->ansi);
	m->buf = malloc((size_t)m->size + 1);
	if (!m->buf)
		return fail("out of memory");
	memcpy(m->buf, m->old, (size_t)m->size);
	m->new_size = m->size;
	if (walk_tree(m, T_NBT) != 0 || walk_tree(m, T_BBT) != 0)
		return -1;
	return 0;
}

/* ---- sealing what must stay consistent ---- */

static void page_reseal(struct img *m, uint64_t ib)
{
	tu_page_fix(m->l, m->buf + ib, ib);
}

static void header_reseal(struct img *m)
{
	tu_header_fix_buf(m->buf, m->ansi);
}

/* Block trailer (MS-PST 2.2.2.8.1): ANSI cb wSig bid(4) dwCRC, Unicode
 * cb wSig dwCRC bid(8); the CRC covers the stored (encoded) data. */
static uint32_t block_crc_at(const struct img *m, uint16_t cb)
{
	return pf_block_size(m->l, cb) - m->l->block_trailer +
	       (m->ansi ? 8 : 4);
}

static void block_reseal(struct img *m, const struct pf_bbt_entry *e)
{
	uint64_t ib = e->bref.ib;

	pf_put32(m->buf + ib + block_crc_at(m, e->cb),
		 pf_crc(m->buf + ib, e->cb));
}

static bool block_in_file(const struct img *m, const struct pf_bbt_entry *e)
{
	return e->bref.ib + pf_block_size(m->l, e->cb) <= m->size;
}

/* ---- helpers the recipes share ---- */

static bool is_message(const struct nbt_ent *n)
{
	return PF_NID_TYPE(n->e.nid) == PF_NT_NORMAL_MESSAGE;
}

/* Messages whose PC is one external block (what block-crc and
 * zero-data-block damage): their own data, nothing shared. */
static size_t message_blocks(const struct img *m, const struct bbt_ent **v,
			     size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nnbt && n < cap; i++) {
		const struct bbt_ent *b;

		if (!is_message(&m->nbt[i]) ||
		    (m->nbt[i].e.bid_data & PF_BID_INTERNAL))
			continue;
		b = bbt_find(m, m->nbt[i].e.bid_data);
		if (b && b->e.cref == 2 && block_in_file(m, &b->e))
			v[n++] = b;   /* cRef 2: the NBT's one reference */
	}
	return n;
}

static int tree_arg(struct img *m, int *tree)
{
	if (strcmp(m->arg, "nbt") == 0)
		*tree = T_NBT;
	else if (strcmp(m->arg, "bbt") == 0)
		*tree = T_BBT;
	else
		return fail("ARG must be nbt or bbt, not '%s'", m->arg);
	return 0;
}

static const char *tree_name(int tree)
{
	return tree == T_NBT ? "NBT" : "BBT";
}

/* Pick a page of TREE (-1: either) that is a leaf (LEAF 1), a branch (0)
 * or either (-1), below the root when NOT_ROOT, with unused entry slots
 * when SLACK.  1 when none is eligible. */
static int pick_page(struct img *m, int tree, int leaf, bool not_root,
		     bool slack, uint32_t *pi)
{
	uint32_t *v = calloc(m->npg + 1, sizeof(*v));
	uint32_t n = 0;

	if (!v)
		return fail("out of memory");
	for (size_t i = 0; i < m->npg; i++) {
		const struct bt_page *p = &m->pg[i];

		if ((tree >= 0 && p->tree != tree) ||
		    (leaf == 1 && p->level != 0) ||
		    (leaf == 0 && p->level == 0) ||
		    (not_root && p->parent < 0) ||
		    (slack && p->cent * p->cb_ent >= m->l->bt_entries))
			continue;
		v[n++] = (uint32_t)i;
	}
	if (n)
		*pi = v[pick(m, n)];
	free(v);
	return n ? 0 : 1;
}

/* The tree ARG names, or -1 (either) without one. */
static int arg_tree(struct img *m, int *tree)
{
	*tree = -1;
	return m->arg ? tree_arg(m, tree) : 0;
}

/* ---- the recipes: header and ROOT (MS-PST 2.2.2.5, 2.2.2.6) ---- */

static int r_header_crc(struct img *m)
{
	uint32_t which = m->ansi ? 0 : pick(m, 2);
	uint32_t off = (which ? m->hl.crc_full : 4) + pick(m, 4);
	uint8_t mask = (uint8_t)(1 + pick(m, 255));

	m->buf[off] ^= mask;
	say(m, "%s byte at %u xor 0x%02x",
	    which ? "dwCRCFull" : "dwCRCPartial", off, mask);
	return 0;
}

static int r_zero_first_64(struct img *m)
{
	memset(m->buf, 0, 64);
	say(m, "bytes 0..63 zeroed");
	return 0;
}

static int r_truncate(struct img *m)
{
	unsigned pct = m->arg ? (unsigned)atoi(m->arg) : 1 + pick(m, 30);

	if (pct < 1 || pct > 99)
		return fail("truncate: ARG is a percentage 1..99");
	m->new_size = m->size - m->size * pct / 100;
	say(m, "last %u%% cut: %" PRIu64 " of %" PRIu64 " bytes kept", pct,
	    m->new_size, m->size);
	return 0;
}

/* One BID step is 4 (the low two bits are flags, MS-PST 2.2.2.2); one ib
 * step is a byte, which also breaks the alignment. */
static int root_off_by_one(struct img *m, int tree)
{
	uint32_t field = pick(m, 2), up = pick(m, 2);
	enum tu_root_field f = tree == T_NBT
		? (field ? TU_ROOT_NBT_IB : TU_ROOT_NBT_BID)
		: (field ? TU_ROOT_BBT_IB : TU_ROOT_BBT_BID);
	uint32_t off = tu_root_off(&m->hl, f);
	uint64_t v = tu_get(m->buf + off, m->hl.w);
	uint64_t step = field ? 1 : 4;

	v = up ? v + step : v - step;
	tu_put(m->buf + off, m->hl.w, v);
	header_reseal(m);
	say(m, "ROOT %s BREF %s %s %" PRIu64 " (now 0x%" PRIx64 ")",
	    tree_name(tree), field ? "ib" : "bid", up ? "+" : "-", step, v);
	return 0;
}

static int r_nbt_root_obo(struct img *m)
{
	return root_off_by_one(m, T_NBT);
}

static int r_bbt_root_obo(struct img *m)
{
	return root_off_by_one(m, T_BBT);
}

static int r_amap_invalid(struct img *m)
{
	bool page = m->arg ? strcmp(m->arg, "page") == 0 : pick(m, 2);

	if (m->arg && !page && strcmp(m->arg, "flag") != 0)
		return fail("amap-invalid: ARG is flag or page");
	if (!page) {
		m->buf[tu_root_off(&m->hl, TU_ROOT_AMAP_VALID)] = 0;
		header_reseal(m);
		say(m, "ROOT.fAMapValid set to 0");
		return 0;
	}
	/* MS-PST 2.2.2.7.2: AMap pages every amap_span bytes from
	 * amap_first; the bitmap is replaced by seeded garbage and the page
	 * re-sealed, so only what the bits say is wrong. */
	{
		uint64_t n = (m->size - m->l->amap_first + m->l->amap_span - 1)
			     / m->l->amap_span;
		uint64_t ib = m->l->amap_first +
			      (uint64_t)pick(m, (size_t)n) * m->l->amap_span;
		uint8_t *bits = m->buf + ib + m->l->amap_bits_ib;

		for (uint32_t i = 0; i < m->l->amap_bits_cb; i++)
			bits[i] = (uint8_t)rnd(m);
		bits[0] |= 0xFF;     /* the map page's own unit stays set */
		page_reseal(m, ib);
		say(m, "AMap page at 0x%" PRIx64 ": bitmap garbaged, CRC fixed",
		    ib);
	}
	return 0;
}

/* ---- B-tree pages ---- */

static int zero_page(struct img *m, int tree, int leaf, bool not_root)
{
	uint32_t pi = 0;
	int rc = 0;

	if (!not_root) {             /* the root: the first page of TREE */
		while (pi < m->npg && m->pg[pi].tree != tree)
			pi++;
	} else {
		rc = pick_page(m, tree, leaf, true, false, &pi);
	}
	if (rc != 0)
		return rc < 0 ? rc : fail("no %s leaf page below the root "
					  "(one-page tree)", tree_name(tree));
	memset(m->buf + m->pg[pi].ib, 0, m->l->page_size);
	say(m, "%s %s page at 0x%" PRIx64 " (bid 0x%" PRIx64 ", level %u) "
	    "zeroed", tree_name(tree), m->pg[pi].parent < 0 ? "root" : "leaf",
	    m->pg[pi].ib, m->pg[pi].bid, m->pg[pi].level);
	return 0;
}

static int r_zero_nbt_root(struct img *m)
{
	return zero_page(m, T_NBT, -1, false);
}

static int r_zero_bbt_root(struct img *m)
{
	return zero_page(m, T_BBT, -1, false);
}

static int r_zero_nbt_leaf(struct img *m)
{
	return zero_page(m, T_NBT, 1, true);
}

static int r_zero_bbt_leaf(struct img *m)
{
	return zero_page(m, T_BBT, 1, true);
}

/* A byte of a BT page's unused entry slots (past cEnt) flipped, the CRC
 * left: only the CRC tells (MS-PST 2.2.2.7.1). */
static int r_page_crc(struct img *m)
{
	uint32_t pi = 0, off, slack;
	int tree, rc;
	uint8_t mask;

	if (arg_tree(m, &tree) != 0)
		return -1;
	rc = pick_page(m, tree, -1, false, true, &pi);
	if (rc != 0)
		return rc < 0 ? rc : fail("no B-tree page has unused slots");
	slack = m->l->bt_entries - m->pg[pi].cent * m->pg[pi].cb_ent;
	off = m->pg[pi].cent * m->pg[pi].cb_ent + pick(m, slack);
	mask = (uint8_t)(1 + pick(m, 255));
	m->buf[m->pg[pi].ib + off] ^= mask;
	say(m, "%s page at 0x%" PRIx64 " (level %u): byte %u of its slack "
	    "xor 0x%02x, CRC left", tree_name(m->pg[pi].tree), m->pg[pi].ib,
	    m->pg[pi].level, off, mask);
	return 0;
}

/* A branch entry's BREF pointed at a page on its own path from the root
 * (itself included), page CRC fixed: a cycle (MS-PST 2.2.2.7.7.2). */
static int r_btree_cycle(struct img *m)
{
	uint32_t pi = 0, slot, up = 0, anc;
	int tree, rc;
	uint64_t at;

	if (arg_tree(m, &tree) != 0)
		return -1;
	rc = pick_page(m, tree, 0, false, false, &pi);
	if (rc != 0)
		return rc < 0 ? rc : fail("no branch page (one-page trees)");
	tree = m->pg[pi].tree;
	slot = pick(m, m->pg[pi].cent);
	for (int32_t a = (int32_t)pi; a >= 0; a = m->pg[a].parent)
		up++;
	anc = pi;
	for (uint32_t k = pick(m, up); k > 0; k--)
		anc = (uint32_t)m->pg[anc].parent;
	/* BTENTRY (MS-PST 2.2.2.7.7.2): btkey, then the BREF */
	at = m->pg[pi].ib + (uint64_t)slot * m->l->branch_cb + m->hl.w;
	tu_put(m->buf + at, m->hl.w, m->pg[anc].bid);
	tu_put(m->buf + at + m->hl.w, m->hl.w, m->pg[anc].ib);
	page_reseal(m, m->pg[pi].ib);
	say(m, "%s branch page at 0x%" PRIx64 " entry %u now points at "
	    "0x%" PRIx64 " (%s), CRC fixed", tree_name(tree), m->pg[pi].ib,
	    slot, m->pg[anc].ib, anc == pi ? "itself" : "an ancestor");
	return 0;
}

/* BBTENTRY (MS-PST 2.2.2.7.7.3): BREF, cb (2), cRef (2). */
static int r_cref(struct img *m)
{
	const struct bbt_ent *b;
	uint64_t at;
	uint16_t cref;

	if (!m->nbbt)
		return fail("cref: the BBT is empty");
	b = &m->bbt[pick(m, m->nbbt)];
	cref = (uint16_t)(b->e.cref + 1 + pick(m, 3));
	at = m->pg[b->page].ib + (uint64_t)b->slot * m->l->bbt_leaf_cb +
	     2u * m->hl.w + 2;
	pf_put16(m->buf + at, cref);
	page_reseal(m, m->pg[b->page].ib);
	say(m, "BBT entry of block 0x%" PRIx64 ": cRef %u -> %u, page CRC "
	    "fixed", b->e.bref.bid, b->e.cref, cref);
	return 0;
}

/* ---- blocks ---- */

static int message_block(struct img *m, const struct bbt_ent **out)
{
	const struct bbt_ent **v = calloc(m->nnbt + 1, sizeof(*v));
	size_t n;

	if (!v)
		return fail("out of memory");
	n = message_blocks(m, v, m->nnbt);
	*out = n ? v[pick(m, n)] : NULL;
	free(v);
	return *out ? 0 : fail("no message with a one-block PC");
}

static int r_block_crc(struct img *m)
{
	const struct bbt_ent *b;
	uint32_t off;
	uint8_t mask;

	if (message_block(m, &b) != 0)
		return -1;
	off = pick(m, b->e.cb);
	mask = (uint8_t)(1 + pick(m, 255));
	m->buf[b->e.bref.ib + off] ^= mask;
	say(m, "message PC block 0x%" PRIx64 " at 0x%" PRIx64 ": data byte "
	    "%u xor 0x%02x, CRC left", b->e.bref.bid, b->e.bref.ib, off,
	    mask);
	return 0;
}

static int r_zero_data_block(struct img *m)
{
	const struct bbt_ent *b;

	if (message_block(m, &b) != 0)
		return -1;
	memset(m->buf + b->e.bref.ib, 0, pf_block_size(m->l, b->e.cb));
	say(m, "message PC block 0x%" PRIx64 " at 0x%" PRIx64 " zeroed "
	    "(trailer included)", b->e.bref.bid, b->e.bref.ib);
	return 0;
}

/* ---- NBT entries ---- */

/* Keep btkeyMin right after the first entry of a page changed: each
 * ancestor's entry for it takes the page's new first key. */
static void fix_parent_keys(struct img *m, uint32_t pi, uint64_t key)
{
	while (m->pg[pi].parent >= 0) {
		uint32_t up = (uint32_t)m->pg[pi].parent;
		uint64_t at = m->pg[up].ib +
			      (uint64_t)m->pg[pi].pslot * m->l->branch_cb;

		tu_put(m->buf + at, m->hl.w, key);
		page_reseal(m, m->pg[up].ib);
		if (m->pg[pi].pslot != 0)
			break;
		pi = up;
	}
}

static const uint32_t mandatory[] = {
	0x21, 0x61, 0x122, 0x12D, 0x12E, 0x12F, 0x1E1, 0x201,
	0x60D, 0x60E, 0x60F, 0x610, 0x671, 0x692,
};

static int r_missing_mandatory(struct img *m)
{
	const struct nbt_ent *v[sizeof(mandatory) / sizeof(mandatory[0])];
	const struct nbt_ent *n;
	size_t k = 0;
	uint8_t *pg;
	uint32_t cb = m->l->nbt_leaf_cb, slot;

	for (size_t i = 0; i < sizeof(mandatory) / sizeof(mandatory[0]); i++) {
		n = nbt_find(m, mandatory[i]);
		if (n && (!m->arg ||
			  strtoul(m->arg, NULL, 16) == mandatory[i]) &&
		    m->pg[n->page].cent > 1)
			v[k++] = n;
	}
	if (!k)
		return fail("missing-mandatory: no such node%s%s",
			    m->arg ? " " : "", m->arg ? m->arg : "");
	n = v[pick(m, k)];
	slot = n->slot;
	pg = m->buf + m->pg[n->page].ib;
	/* MS-PST 2.2.2.7.7.1: entries packed from 0, cEnt counts them */
	memmove(pg + slot * cb, pg + (slot + 1) * cb,
		(m->pg[n->page].cent - slot - 1) * cb);
	memset(pg + (m->pg[n->page].cent - 1) * cb, 0, cb);
	tu_put(pg + tu_btmeta_at(m->l).cent, tu_btmeta_at(m->l).cent_w,
	       m->pg[n->page].cent - 1);
	page_reseal(m, m->pg[n->page].ib);
	if (slot == 0)
		fix_parent_keys(m, n->page, tu_get(pg, m->hl.w));
	m->removed_nid = (uint32_t)n->e.nid;
	say(m, "NBT entry of node 0x%x removed from the leaf at 0x%" PRIx64
	    ", page CRC fixed", m->removed_nid, m->pg[n->page].ib);
	return 0;
}

/* NBTENTRY (MS-PST 2.2.2.7.7.4): nid, bidData, bidSub (each w wide),
 * nidParent (4). */
static int r_orphan_messages(struct img *m)
{
	size_t nmsg = 0, want;
	uint32_t maxidx = 0, bogus;

	for (size_t i = 0; i < m->nnbt; i++) {
		nmsg += is_message(&m->nbt[i]);
		if (PF_NID_INDEX(m->nbt[i].e.nid) > maxidx)
			maxidx = PF_NID_INDEX(m->nbt[i].e.nid);
	}
	want = m->arg ? (size_t)atoi(m->arg) : 1 + pick(m, 3);
	if (!nmsg || want < 1)
		return fail("orphan-messages: no messages (or ARG < 1)");
	if (want > nmsg)
		want = nmsg;
	/* a folder-type NID above every index in use: no such folder */
	bogus = ((maxidx + 1 + pick(m, 64)) << 5) | PF_NT_NORMAL_FOLDER;
	m->moved = calloc(want, sizeof(*m->moved));
	if (!m->moved)
		return fail("out of memory");
	while (m->nmoved < want) {
		size_t k = pick(m, nmsg), i;
		bool dup = false;

		for (i = 0; i < m->nnbt; i++)
			if (is_message(&m->nbt[i]) && k-- == 0)
				break;
		for (size_t j = 0; j < m->nmoved; j++)
			dup |= m->moved[j] == (uint32_t)m->nbt[i].e.nid;
		if (dup)
			continue;
		m->moved[m->nmoved++] = (uint32_t)m->nbt[i].e.nid;
		pf_put32(m->buf + m->pg[m->nbt[i].page].ib +
			 (uint64_t)m->nbt[i].slot * m->l->nbt_leaf_cb +
			 3u * m->hl.w, bogus);
		page_reseal(m, m->pg[m->nbt[i].page].ib);
	}
	say(m, "%zu message(s) re-parented to 0x%x (no such folder), page "
	    "CRCs fixed", m->nmoved, bogus);
	return 0;
}

/* ---- a folder's contents table (MS-PST 2.3.1 HN, 2.3.4 TC) ---- */

/* Where TCINFO lives in block 0 of the table's heap: hidUserRoot through
 * the HNPAGEMAP.  0 when the block is not a TC heap. */
static uint32_t tcinfo_at(const uint8_t *d, uint16_t cb)
{
	uint32_t hnpm, hid, idx, cAlloc, beg;

	if (cb < 12 || d[2] != 0xEC || d[3] != 0x7C)
		return 0;
	hnpm = pf_le16(d);
	hid = pf_le32(d + 4);
	idx = PF_HID_INDEX(hid);
	if (hnpm + 4 > cb || PF_HID_BLOCK(hid) != 0 || idx == 0)
		return 0;
	cAlloc = pf_le16(d + hnpm);
	if (idx > cAlloc || hnpm + 4 + 2 * (cAlloc + 1) > cb)
		return 0;
	beg = pf_le16(d + hnpm + 4 + 2 * (idx - 1));
	if (beg + 22 > cb || d[beg] != 0x7C)
		return 0;
	return beg;
}

static int r_broken_contents_table(struct img *m)
{
	const struct bbt_ent *v[256], *b = NULL;
	uint32_t nid[256];
	size_t n = 0;
	uint8_t *d;
	uint32_t at, k, which;
	static const char *const field[] = { "hnidRows", "hidRowIndex" };

	for (size_t i = 0; i < m->nnbt && n < 256; i++) {
		const struct pf_nbt_entry *e = &m->nbt[i].e;

		if (PF_NID_TYPE(e->nid) != PF_NT_CONTENTS_TABLE ||
		    (e->bid_data & PF_BID_INTERNAL) ||
		    (e->nid & ~0x1Fu) < 0x400)   /* not the templates */
			continue;
		b = bbt_find(m, e->bid_data);
		if (b && block_in_file(m, &b->e)) {
			nid[n] = (uint32_t)e->nid;
			v[n++] = b;
		}
	}
	if (!n)
		return fail("no folder contents table in one block");
	k = pick(m, n);
	b = v[k];
	d = malloc(b->e.cb + 1u);
	if (!d)
		return fail("out of memory");
	memcpy(d, m->buf + b->e.bref.ib, b->e.cb);
	pf_decode((enum pf_crypt)m->h->crypt_method, b->e.bref.bid, d,
		  b->e.cb);
	at = tcinfo_at(d, b->e.cb);
	if (!at) {
		free(d);
		return fail("contents table 0x%x: no TCINFO found", nid[k]);
	}
	/* TCINFO: bType cCols rgib[4] hidRowIndex hnidRows: a HID with an
	 * hidIndex no allocation has (2047, block 0) resolves nowhere */
	which = pick(m, 2);
	pf_put32(d + at + (which ? 10 : 14), PF_HID_MAKE(0, 0x7FFu));
	pf_encode((enum pf_crypt)m->h->crypt_method, b->e.bref.bid, d,
		  b->e.cb);
	memcpy(m->buf + b->e.bref.ib, d, b->e.cb);
	free(d);
	block_reseal(m, &b->e);
	say(m, "contents table 0x%x (block 0x%" PRIx64 "): TCINFO.%s -> an "
	    "unresolvable HID, block CRC fixed", nid[k], b->e.bref.bid,
	    field[which]);
	return 0;
}

/* ---- the recipe table ---- */

struct recipe {
	const char *name;
	int (*fn)(struct img *m);
	const char *help;
};

static const struct recipe recipes[] = {
	{ "header-crc", r_header_crc, "flip a byte of dwCRCPartial/Full" },
	{ "zero-first-64", r_zero_first_64, "zero bytes 0..63" },
	{ "truncate", r_truncate, "cut the last ARG% (seed: 1..30%)" },
	{ "nbt-root-off-by-one", r_nbt_root_obo,
	  "ROOT NBT BREF bid +/-4 or ib +/-1, header CRCs fixed" },
	{ "bbt-root-off-by-one", r_bbt_root_obo,
	  "ROOT BBT BREF bid +/-4 or ib +/-1, header CRCs fixed" },
	{ "zero-nbt-root", r_zero_nbt_root, "zero the NBT root page" },
	{ "zero-bbt-root", r_zero_bbt_root, "zero the BBT root page" },
	{ "zero-nbt-leaf", r_zero_nbt_leaf, "zero an NBT leaf page" },
	{ "zero-bbt-leaf", r_zero_bbt_leaf, "zero a BBT leaf page" },
	{ "page-crc", r_page_crc,
	  "flip a slack byte of a BT page (ARG nbt|bbt), CRC left" },
	{ "block-crc", r_block_crc,
	  "flip a byte of a message's PC block, CRC left" },
	{ "zero-data-block", r_zero_data_block,
	  "zero a message's PC block" },
	{ "cref", r_cref, "raise a BBT entry's cRef, page CRC fixed" },
	{ "amap-invalid", r_amap_invalid,
	  "fAMapValid 0 (ARG flag) or a garbage AMap (ARG page)" },
	{ "missing-mandatory", r_missing_mandatory,
	  "remove a mandatory node (ARG: its NID, hex) from the NBT" },
	{ "broken-contents-table", r_broken_contents_table,
	  "bad TCINFO in a folder's contents table, CRC valid" },
	{ "orphan-messages", r_orphan_messages,
	  "re-parent ARG (seed: 1..3) messages to no folder" },
	{ "btree-cycle", r_btree_cycle,
	  "a branch BREF at an ancestor page (ARG nbt|bbt)" },
};

static const struct recipe *recipe_find(const char *name)
{
	for (size_t i = 0; i < sizeof(recipes) / sizeof(recipes[0]); i++)
		if (strcmp(recipes[i].name, name) == 0)
			return &recipes[i];
	return NULL;
}

/* ---- what the edit did ---- */

static bool changed(const struct img *m, uint64_t ib, uint64_t n)
{
	if (ib + n > m->new_size)
		return true;
	return memcmp(m->old + ib, m->buf + ib, (size_t)n) != 0;
}

static int page_state(const struct img *m, const struct bt_page *p)
{
	struct pf_page_trailer t;
	uint32_t base = m->l->page_size - m->l->page_trailer;
	const uint8_t *pg = m->buf + p->ib;

	if (!changed(m, p->ib, m->l->page_size))
		return S_SAME;
	if (p->ib + m->l->page_size > m->new_size)
		return S_DESTROYED;
	pf_page_trailer_get(m->l, pg, &t);
	if (t.crc != pf_crc(pg, base) || t.bid != p->bid ||
	    t.ptype != (p->tree == T_NBT ? PF_PTYPE_NBT : PF_PTYPE_BBT))
		return S_DESTROYED;
	return S_EDITED;
}

static int block_state(const struct img *m, const struct pf_bbt_entry *e)
{
	uint64_t ib = e->bref.ib;
	uint32_t size = pf_block_size(m->l, e->cb);
	uint32_t c = block_crc_at(m, e->cb);

	if (!changed(m, ib, size))
		return S_SAME;
	if (ib + size > m->new_size ||
	    pf_le32(m->buf + ib + c) != pf_crc(m->buf + ib, e->cb))
		return S_DESTROYED;
	/* padding and trailer rewritten other than the CRC: destroyed */
	for (uint32_t i = e->cb; i < size; i++)
		if (m->old[ib + i] != m->buf[ib + i] &&
		    (i < c || i >= c + 4))
			return S_DESTROYED;
	return S_EDITED;
}

/* Does the node with BID (data or subnode tree root) lose a block? */
static bool tree_destroyed(const struct img *m, uint64_t bid, unsigned depth)
{
	const struct bbt_ent *b;
	const uint8_t *d;
	uint32_t w = m->hl.w;

	if (bid == 0)
		return false;
	b = bbt_find(m, bid);
	if (!b || depth > PC_MAX_DEPTH || !block_in_file(m, &b->e))
		return false;         /* missing in IN already: not ours */
	if (block_state(m, &b->e) == S_DESTROYED)
		return true;
	if (!(bid & PF_BID_INTERNAL))
		return false;
	d = m->old + b->e.bref.ib;
	if (d[0] == 0x01) {
		struct pf_xblock x;

		if (!pf_xblock_parse(m->l, d, b->e.cb, bid, NULL, &x))
			return false;
		for (uint32_t i = 0; i < x.cent; i++)
			if (tree_destroyed(m, tu_get(x.rgbid + i * w, w),
					   depth + 1))
				return true;
	} else if (d[0] == 0x02) {
		struct pf_slblock s;

		if (!pf_slblock_parse(m->l, d, b->e.cb, bid, NULL, &s))
			return false;
		for (uint32_t i = 0; i < s.cent; i++) {
			const uint8_t *e = s.rgentries + i * s.cb_entry;

			if (tree_destroyed(m, tu_get(e + w, w), depth + 1) ||
			    (s.level == 0 &&
			     tree_destroyed(m, tu_get(e + 2 * w, w),
					    depth + 1)))
				return true;
		}
	}
	return false;
}

static void sha_hex(const uint8_t *p, size_t n, char out[65])
{
	uint8_t md[SHA256_DIGEST_LENGTH];

	SHA256(p, n, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void rec_range(struct pf_json *j, const struct img *m, uint64_t off,
		      uint64_t n, bool cut)
{
	char h[65];

	pf_json_object_begin(j);
	pf_json_key(j, "offset");
	pf_json_u64(j, off);
	pf_json_key(j, "length");
	pf_json_u64(j, n);
	sha_hex(m->old + off, (size_t)n, h);
	pf_json_kv_str(j, "old_sha256", h);
	if (cut) {
		pf_json_key(j, "new_sha256");
		pf_json_null(j);
	} else {
		sha_hex(m->buf + off, (size_t)n, h);
		pf_json_kv_str(j, "new_sha256", h);
	}
	pf_json_object_end(j);
}

static void rec_changes(struct pf_json *j, const struct img *m)
{
	uint64_t end = m->new_size < m->size ? m->new_size : m->size;
	unsigned shown = 0;

	pf_json_key(j, "changes");
	pf_json_array_begin(j);
	for (uint64_t i = 0; i < end && shown < PC_MAX_SHOWN; i++) {
		uint64_t k = i;

		if (m->old[i] == m->buf[i])
			continue;
		while (k < end && m->old[k] != m->buf[k])
			k++;
		rec_range(j, m, i, k - i, false);
		shown++;
		i = k;
	}
	if (m->new_size < m->size)
		rec_range(j, m, m->new_size, m->size - m->new_size, true);
	pf_json_array_end(j);
}

static void rec_pages(struct pf_json *j, const struct img *m, int state)
{
	pf_json_array_begin(j);
	for (size_t i = 0; i < m->npg; i++) {
		const struct bt_page *p = &m->pg[i];

		if (page_state(m, p) != state)
			continue;
		pf_json_object_begin(j);
		pf_json_kv_str(j, "tree", tree_name(p->tree));
		pf_json_key(j, "ib");
		pf_json_hex(j, p->ib);
		pf_json_key(j, "bid");
		pf_json_hex(j, p->bid);
		pf_json_key(j, "level");
		pf_json_u64(j, p->level);
		pf_json_object_end(j);
	}
	pf_json_array_end(j);
}

static void rec_blocks(struct pf_json *j, const struct img *m, int state)
{
	pf_json_array_begin(j);
	for (size_t i = 0; i < m->nbbt; i++)
		if (block_in_file(m, &m->bbt[i].e) &&
		    block_state(m, &m->bbt[i].e) == state)
			pf_json_hex(j, m->bbt[i].e.bref.bid);
	pf_json_array_end(j);
}

static void rec_message(struct pf_json *j, const struct img *m,
			uint32_t nid)
{
	struct pf_message msg;
	struct pf_message_info info;
	char *subject = NULL;

	if (pf_message_open(&msg, m->ndb, nid) == 0) {
		if (pf_message_info(&msg, &info) == 0) {
			subject = info.subject;
			info.subject = NULL;
			pf_message_info_free(&info);
		}
		pf_message_close(&msg);
	}
	pf_json_object_begin(j);
	pf_json_key(j, "nid");
	pf_json_hex(j, nid);
	pf_json_kv_str(j, "subject", subject);
	pf_json_object_end(j);
	free(subject);
}

/* kind 0: own blocks destroyed; 1: only the NBT leaf listing it. */
static void rec_messages(struct pf_json *j, const struct img *m, int kind)
{
	pf_json_array_begin(j);
	for (size_t i = 0; i < m->nnbt; i++) {
		const struct nbt_ent *n = &m->nbt[i];
		bool lost;

		if (!is_message(n))
			continue;
		lost = tree_destroyed(m, n->e.bid_data, 0) ||
		       tree_destroyed(m, n->e.bid_sub, 0);
		if (kind == 1)
			lost = !lost && m->pg[n->page].level == 0 &&
			       page_state(m, &m->pg[n->page]) == S_DESTROYED;
		if (lost)
			rec_message(j, m, (uint32_t)n->e.nid);
	}
	pf_json_array_end(j);
}

static void rec_nids(struct pf_json *j, const uint32_t *v, size_t n)
{
	pf_json_array_begin(j);
	for (size_t i = 0; i < n; i++)
		pf_json_hex(j, v[i]);
	pf_json_array_end(j);
}

static int write_record(const struct img *m, const char *path,
			const char *spec, uint64_t seed, const char *in,
			const char *out)
{
	FILE *f = fopen(path, "w");
	struct pf_json j;
	size_t nmsg = 0;
	char h[65];

	if (!f)
		return fail("%s: cannot create", path);
	for (size_t i = 0; i < m->nnbt; i++)
		nmsg += is_message(&m->nbt[i]);
	pf_json_init(&j, f);
	pf_json_object_begin(&j);
	pf_json_kv_str(&j, "recipe", spec);
	pf_json_key(&j, "seed");
	pf_json_u64(&j, seed);
	pf_json_kv_str(&j, "in", in);
	pf_json_kv_str(&j, "out", out);
	sha_hex(m->old, (size_t)m->size, h);
	pf_json_kv_str(&j, "in_sha256", h);
	sha_hex(m->buf, (size_t)m->new_size, h);
	pf_json_kv_str(&j, "out_sha256", h);
	pf_json_key(&j, "in_size");
	pf_json_u64(&j, m->size);
	pf_json_key(&j, "out_size");
	pf_json_u64(&j, m->new_size);
	pf_json_kv_str(&j, "target", m->target);
	rec_changes(&j, m);
	pf_json_key(&j, "pages_destroyed");
	rec_pages(&j, m, S_DESTROYED);
	pf_json_key(&j, "pages_edited");
	rec_pages(&j, m, S_EDITED);
	pf_json_key(&j, "blocks_destroyed");
	rec_blocks(&j, m, S_DESTROYED);
	pf_json_key(&j, "blocks_edited");
	rec_blocks(&j, m, S_EDITED);
	pf_json_key(&j, "nids_removed");
	rec_nids(&j, &m->removed_nid, m->removed_nid ? 1 : 0);
	pf_json_key(&j, "messages_reparented");
	rec_nids(&j, m->moved, m->nmoved);
	pf_json_key(&j, "messages");
	pf_json_u64(&j, nmsg);
	pf_json_key(&j, "messages_destroyed");
	rec_messages(&j, m, 0);
	pf_json_key(&j, "messages_unlisted");
	rec_messages(&j, m, 1);
	pf_json_object_end(&j);
	fputc('\n', f);
	if (ferror(f) | (fclose(f) != 0))
		return fail("%s: write error", path);
	return 0;
}

/* ---- OUT: temporary name, fsync, rename ---- */

static int write_out(const struct img *m, const char *out)
{
	char tmp[4096];
	int fd;
	bool ok;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", out) >=
	    sizeof(tmp))
		return fail("%s: path too long", out);
	fd = mkstemp(tmp);
	if (fd < 0)
		return fail("%s: cannot create a temporary file", out);
	ok = write(fd, m->buf, (size_t)m->new_size) ==
	     (ssize_t)m->new_size;
	ok = fsync(fd) == 0 && ok;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, out) != 0) {
		unlink(tmp);
		return fail("%s: write error", out);
	}
	return 0;
}

static void img_free(struct img *m)
{
	if (m->ndb)
		pf_ndb_close(m->ndb);
	free(m->old);
	free(m->buf);
	free(m->pg);
	free(m->nbt);
	free(m->bbt);
	free(m->moved);
}

static int usage(void)
{
	fprintf(stderr, "usage: pstcorrupt RECIPE[:ARG] --seed N IN OUT "
		"[--record REC.json]\n       pstcorrupt --list\n");
	return 2;
}

static int list(void)
{
	for (size_t i = 0; i < sizeof(recipes) / sizeof(recipes[0]); i++)
		printf("%-22s %s\n", recipes[i].name, recipes[i].help);
	return 0;
}

int main(int argc, char **argv)
{
	const char *pos[3] = { 0 }, *rec = NULL;
	char name[64];
	const struct recipe *r;
	struct img m = { 0 };
	uint64_t seed = 0;
	int npos = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--list") == 0)
			return list();
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--record") == 0 && i + 1 < argc)
			rec = argv[++i];
		else if (npos < 3 && argv[i][0] != '-')
			pos[npos++] = argv[i];
		else
			return usage();
	}
	if (npos != 3)
		return usage();
	snprintf(name, sizeof(name), "%s", pos[0]);
	if (strchr(name, ':')) {
		m.arg = pos[0] + (strchr(name, ':') - name);
		m.arg++;
		*strchr(name, ':') = '\0';
	}
	r = recipe_find(name);
	if (!r) {
		fprintf(stderr, "pstcorrupt: no recipe '%s' (see --list)\n",
			name);
		return 2;
	}
	m.rng = seed;
	rc = img_open(&m, pos[1]);
	if (rc == 0 && r->fn(&m) != 0)
		rc = 2;
	if (rc == 0)
		rc = write_out(&m, pos[2]);
	if (rc == 0 && rec)
		rc = write_record(&m, rec, pos[0], seed, pos[1], pos[2]);
	if (rc != 0)
		fprintf(stderr, "pstcorrupt: %s: %s\n", pos[0], errbuf);
	img_free(&m);
	return rc == 0 ? 0 : rc == 2 ? 2 : 1;
}
