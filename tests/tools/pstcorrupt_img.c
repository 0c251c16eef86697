/*
 * pstcorrupt_img.c - pstcorrupt's view of IN: the file in memory, its
 * B-tree pages and leaf entries (walked with the project's reader, with a
 * visited set and a depth bound), the seeded choice, and the sealing
 * helpers the recipes use to keep consistent what must stay consistent.
 */
#include "pstcorrupt.h"

char errbuf[300];

__attribute__((format(printf, 1, 2)))
int pc_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return -1;
}

__attribute__((format(printf, 2, 3)))
void say(struct img *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->target, sizeof(m->target), fmt, ap);
	va_end(ap);
}

/* ---- the seeded choice (splitmix64) ---- */

uint64_t rnd(struct img *m)
{
	uint64_t z = (m->rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

uint32_t pick(struct img *m, size_t n)
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
		return pc_fail("%s: cannot open", path);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return pc_fail("%s: cannot size", path);
	}
	if ((uint64_t)n > (1ull << 31)) {
		fclose(f);
		return pc_fail("%s: larger than 2 GiB, not a test image", path);
	}
	p = malloc((size_t)n + 1);
	if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		fclose(f);
		return pc_fail("%s: cannot read", path);
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
		return pc_fail("out of memory");
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
				return pc_fail("out of memory");
			pf_nbt_entry_get(m->l, bt, i, &m->nbt[m->nnbt].e);
			m->nbt[m->nnbt].page = pi;
			m->nbt[m->nnbt++].slot = i;
		} else {
			if (pf_grow(&m->bbt, m->nbbt, &m->cbbt,
				    sizeof(*m->bbt)) != 0)
				return pc_fail("out of memory");
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
		rc = pc_fail("the %s root page is not readable: IN is damaged",
			  tree == T_NBT ? "NBT" : "BBT");
	if (rc == 0)
		rc = walk_page(m, &seen, (uint32_t)first, 0);
	pf_set_free(&seen);
	return rc;
}

const struct bbt_ent *bbt_find(const struct img *m, uint64_t bid)
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

const struct nbt_ent *nbt_find(const struct img *m, uint32_t nid)
{
	for (size_t i = 0; i < m->nnbt; i++)
		if ((uint32_t)m->nbt[i].e.nid == nid)
			return &m->nbt[i];
	return NULL;
}

int img_open(struct img *m, const char *in)
{
	if (read_all(in, &m->old, &m->size) != 0)
		return -1;
	if (pf_ndb_open(&m->ndb, in) != 0)
		return pc_fail("%s: %s", in, pf_error_msg());
	m->l = pf_ndb_layout(m->ndb);
	m->h = pf_ndb_header(m->ndb);
	/* 4 KiB-page OSTs: the walk, the sealing and the record follow the
	 * layout (the header is the Unicode one); recipes that need 512-byte
	 * pages say so themselves */
	m->ansi = m->h->variant == PF_ANSI;
	m->hl = tu_hdr_layout(m->ansi);
	m->buf = malloc((size_t)m->size + 1);
	if (!m->buf)
		return pc_fail("out of memory");
	memcpy(m->buf, m->old, (size_t)m->size);
	m->new_size = m->size;
	if (walk_tree(m, T_NBT) != 0 || walk_tree(m, T_BBT) != 0)
		return -1;
	return 0;
}

/* ---- sealing what must stay consistent ---- */

void page_reseal(struct img *m, uint64_t ib)
{
	tu_page_fix(m->l, m->buf + ib, ib);
}

void header_reseal(struct img *m)
{
	tu_header_fix_buf(m->buf, m->ansi);
}

/* Block trailer (MS-PST 2.2.2.8.1): ANSI cb wSig bid(4) dwCRC, Unicode
 * cb wSig dwCRC bid(8); the CRC covers the stored (encoded) data. */
uint32_t block_crc_at(const struct img *m, uint16_t cb)
{
	return pf_block_size(m->l, cb) - m->l->block_trailer +
	       (m->ansi ? 8 : 4);
}

void block_reseal(struct img *m, const struct pf_bbt_entry *e)
{
	uint64_t ib = e->bref.ib;

	pf_put32(m->buf + ib + block_crc_at(m, e->cb),
		 pf_crc(m->buf + ib, e->cb));
}

bool block_in_file(const struct img *m, const struct pf_bbt_entry *e)
{
	return e->bref.ib + pf_block_size(m->l, e->cb) <= m->size;
}

/* ---- helpers the recipes share ---- */

bool is_message(const struct nbt_ent *n)
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
		return pc_fail("ARG must be nbt or bbt, not '%s'", m->arg);
	return 0;
}

const char *tree_name(int tree)
{
	return tree == T_NBT ? "NBT" : "BBT";
}

/* Pick a page of TREE (-1: either) with what WANT asks (PK_*) and at
 * least MIN_CENT entries.  1 when none is eligible. */
int pick_page(struct img *m, int tree, unsigned want, uint32_t min_cent,
	      uint32_t *pi)
{
	uint32_t *v = calloc(m->npg + 1, sizeof(*v));
	uint32_t n = 0;

	if (!v)
		return pc_fail("out of memory");
	for (size_t i = 0; i < m->npg; i++) {
		const struct bt_page *p = &m->pg[i];

		if ((tree >= 0 && p->tree != tree) ||
		    ((want & PK_LEAF) && p->level != 0) ||
		    ((want & PK_BRANCH) && p->level == 0) ||
		    ((want & PK_NOT_ROOT) && p->parent < 0) ||
		    ((want & PK_SLACK) &&
		     p->cent * p->cb_ent >= m->l->bt_entries) ||
		    p->cent < min_cent)
			continue;
		v[n++] = (uint32_t)i;
	}
	if (n)
		*pi = v[pick(m, n)];
	free(v);
	return n ? 0 : 1;
}

/* The tree ARG names, or -1 (either) without one. */
int arg_tree(struct img *m, int *tree)
{
	*tree = -1;
	return m->arg ? tree_arg(m, tree) : 0;
}

/* ---- helpers the recipes share (continued) ---- */

int message_block(struct img *m, const struct bbt_ent **out)
{
	const struct bbt_ent **v = calloc(m->nnbt + 1, sizeof(*v));
	size_t n;

	if (!v)
		return pc_fail("out of memory");
	n = message_blocks(m, v, m->nnbt);
	*out = n ? v[pick(m, n)] : NULL;
	free(v);
	return *out ? 0 : pc_fail("no message with a one-block PC");
}

/* Keep btkeyMin right after the first entry of a page changed: each
 * ancestor's entry for it takes the page's new first key. */
void fix_parent_keys(struct img *m, uint32_t pi, uint64_t key)
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

void note_nid(uint32_t *list, size_t *n, uint32_t nid)
{
	if (*n < 8)
		list[(*n)++] = nid;
}

/* MS-PST 2.3.1: the offset of allocation HID in block 0 of a heap (bSig
 * 0xEC, HNPAGEMAP at ibHnpm: cAlloc, cFree, rgibAlloc[cAlloc + 1]); 0
 * when the HID is not in block 0 or the map does not fit. */
uint32_t hn_hid_at(const uint8_t *d, uint16_t cb, uint32_t hid)
{
	uint32_t hnpm, idx = PF_HID_INDEX(hid), calloc_n;

	if (cb < 12 || d[2] != 0xEC || PF_HID_BLOCK(hid) != 0 || idx == 0)
		return 0;
	hnpm = pf_le16(d);
	if (hnpm + 4 > cb)
		return 0;
	calloc_n = pf_le16(d + hnpm);
	if (idx > calloc_n || hnpm + 4 + 2 * (calloc_n + 1) > cb)
		return 0;
	return pf_le16(d + hnpm + 4 + 2 * (idx - 1));
}
