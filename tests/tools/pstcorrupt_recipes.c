/*
 * pstcorrupt_recipes.c - the structural recipes of pstcorrupt: header and
 * ROOT, whole B-tree pages, blocks, cRef, the AMap, NBT entries (a missing
 * mandatory node, orphaned messages), a folder's contents table, a cycle.
 * Each picks its target with the seed among the eligible structures and
 * says what it did in one line (m->target).
 */
#include "pstcorrupt.h"

/* ---- the recipes: header and ROOT (MS-PST 2.2.2.5, 2.2.2.6) ---- */

int r_header_crc(struct img *m)
{
	uint32_t which = m->ansi ? 0 : pick(m, 2);
	uint32_t off = (which ? m->hl.crc_full : 4) + pick(m, 4);
	uint8_t mask = (uint8_t)(1 + pick(m, 255));

	m->buf[off] ^= mask;
	say(m, "%s byte at %u xor 0x%02x",
	    which ? "dwCRCFull" : "dwCRCPartial", off, mask);
	return 0;
}

int r_zero_first_64(struct img *m)
{
	memset(m->buf, 0, 64);
	say(m, "bytes 0..63 zeroed");
	return 0;
}

int r_truncate(struct img *m)
{
	unsigned pct = m->arg ? (unsigned)atoi(m->arg) : 1 + pick(m, 30);

	if (pct < 1 || pct > 99)
		return pc_fail("truncate: ARG is a percentage 1..99");
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

int r_nbt_root_obo(struct img *m)
{
	return root_off_by_one(m, T_NBT);
}

int r_bbt_root_obo(struct img *m)
{
	return root_off_by_one(m, T_BBT);
}

int r_amap_invalid(struct img *m)
{
	bool page = m->arg ? strcmp(m->arg, "page") == 0 : pick(m, 2);

	if (m->arg && !page && strcmp(m->arg, "flag") != 0)
		return pc_fail("amap-invalid: ARG is flag or page");
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

static int zero_page(struct img *m, int tree, bool not_root)
{
	uint32_t pi = 0;
	int rc = 0;

	if (!not_root) {             /* the root: the first page of TREE */
		while (pi < m->npg && m->pg[pi].tree != tree)
			pi++;
	} else {
		rc = pick_page(m, tree, PK_LEAF | PK_NOT_ROOT, 0, &pi);
	}
	if (rc != 0)
		return rc < 0 ? rc : pc_fail("no %s leaf page below the root "
					  "(one-page tree)", tree_name(tree));
	memset(m->buf + m->pg[pi].ib, 0, m->l->page_size);
	say(m, "%s %s page at 0x%" PRIx64 " (bid 0x%" PRIx64 ", level %u) "
	    "zeroed", tree_name(tree), m->pg[pi].parent < 0 ? "root" : "leaf",
	    m->pg[pi].ib, m->pg[pi].bid, m->pg[pi].level);
	return 0;
}

int r_zero_nbt_root(struct img *m)
{
	return zero_page(m, T_NBT, false);
}

int r_zero_bbt_root(struct img *m)
{
	return zero_page(m, T_BBT, false);
}

int r_zero_nbt_leaf(struct img *m)
{
	return zero_page(m, T_NBT, true);
}

int r_zero_bbt_leaf(struct img *m)
{
	return zero_page(m, T_BBT, true);
}

/* A byte of a BT page's unused entry slots (past cEnt) flipped, the CRC
 * left: only the CRC tells (MS-PST 2.2.2.7.1). */
int r_page_crc(struct img *m)
{
	uint32_t pi = 0, off, slack;
	int tree, rc;
	uint8_t mask;

	if (arg_tree(m, &tree) != 0)
		return -1;
	rc = pick_page(m, tree, PK_SLACK, 0, &pi);
	if (rc != 0)
		return rc < 0 ? rc : pc_fail("no B-tree page has unused slots");
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
int r_btree_cycle(struct img *m)
{
	uint32_t pi = 0, slot, up = 0, anc;
	int tree, rc;
	uint64_t at;

	if (arg_tree(m, &tree) != 0)
		return -1;
	rc = pick_page(m, tree, PK_BRANCH, 1, &pi);
	if (rc != 0)
		return rc < 0 ? rc : pc_fail("no branch page (one-page trees)");
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

/* BBTENTRY (MS-PST 2.2.2.7.7.3): BREF, cb (2), cRef (2); 4 KiB-page OSTs
 * put cbInflated (2) before cRef (libyal PFF). */
int r_cref(struct img *m)
{
	const struct bbt_ent *b;
	uint64_t at;
	uint16_t cref;

	if (!m->nbbt)
		return pc_fail("cref: the BBT is empty");
	b = &m->bbt[pick(m, m->nbbt)];
	cref = (uint16_t)(b->e.cref + 1 + pick(m, 3));
	at = m->pg[b->page].ib + (uint64_t)b->slot * m->l->bbt_leaf_cb +
	     2u * m->hl.w + (m->l->page_size == 4096 ? 4 : 2);
	pf_put16(m->buf + at, cref);
	page_reseal(m, m->pg[b->page].ib);
	say(m, "BBT entry of block 0x%" PRIx64 ": cRef %u -> %u, page CRC "
	    "fixed", b->e.bref.bid, b->e.cref, cref);
	return 0;
}

/* ---- blocks ---- */

int r_block_crc(struct img *m)
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

int r_zero_data_block(struct img *m)
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

static const uint32_t mandatory[] = {
	0x21, 0x61, 0x122, 0x12D, 0x12E, 0x12F, 0x1E1, 0x201,
	0x60D, 0x60E, 0x60F, 0x610, 0x671, 0x692,
};

int r_missing_mandatory(struct img *m)
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
		return pc_fail("missing-mandatory: no such node%s%s",
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
int r_orphan_messages(struct img *m)
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
		return pc_fail("orphan-messages: no messages (or ARG < 1)");
	if (want > nmsg)
		want = nmsg;
	/* a folder-type NID above every index in use: no such folder */
	bogus = ((maxidx + 1 + pick(m, 64)) << 5) | PF_NT_NORMAL_FOLDER;
	m->moved = calloc(want, sizeof(*m->moved));
	if (!m->moved)
		return pc_fail("out of memory");
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

/* Where TCINFO lives in block 0 of the table's heap (MS-PST 2.3.4.1):
 * hidUserRoot of a TC heap (bClientSig 0x7C).  0 when not found. */
static uint32_t tcinfo_at(const uint8_t *d, uint16_t cb)
{
	uint32_t beg;

	if (cb < 12 || d[3] != 0x7C)
		return 0;
	beg = hn_hid_at(d, cb, pf_le32(d + 4));
	return beg && beg + 22 <= cb && d[beg] == 0x7C ? beg : 0;
}

int r_broken_contents_table(struct img *m)
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
		return pc_fail("no folder contents table in one block");
	k = pick(m, n);
	b = v[k];
	d = malloc(b->e.cb + 1u);
	if (!d)
		return pc_fail("out of memory");
	memcpy(d, m->buf + b->e.bref.ib, b->e.cb);
	pf_decode((enum pf_crypt)m->h->crypt_method, b->e.bref.bid, d,
		  b->e.cb);
	at = tcinfo_at(d, b->e.cb);
	if (!at) {
		free(d);
		return pc_fail("contents table 0x%x: no TCINFO found", nid[k]);
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
