/*
 * pstcorrupt_fields.c - the field recipes of pstcorrupt: one field of one
 * structure set to a wrong value, everything around it re-sealed (header
 * CRCs, page CRC and wSig, block CRC) unless the field is the seal, so
 * each shows as the one finding it targets.  ARG names the field; without
 * one the seed picks it.
 *
 *   header-field  MS-PST 2.2.2.6 HEADER, 2.2.2.5 ROOT
 *   nbt-field     MS-PST 2.2.2.7.7 BTPAGE of the NBT (bbt-field: BBT)
 *   block-field   MS-PST 2.2.2.8.1 BLOCKTRAILER, 2.2.2.7.7.3 BBTENTRY
 *   node-field    MS-PST 2.2.2.7.7.4 NBTENTRY
 *   internal-block MS-PST 2.2.2.8.3.2 XBLOCK, 2.2.2.8.3.3 SLBLOCK
 *   amap-field    MS-PST 2.2.2.7.2 AMap page, 2.2.2.7.3 PMap page
 *   pc-field      MS-PST 2.3.1 HN, 2.3.2 BTH of a message's PC
 */
#include "pstcorrupt.h"

/* ARG, or the seed's choice among NAMES (NULL-terminated). */
const char *field_of(struct img *m, const char *const *names)
{
	size_t n = 0;

	while (names[n])
		n++;
	if (!m->arg)
		return names[pick(m, n)];
	for (size_t i = 0; i < n; i++)
		if (strcmp(m->arg, names[i]) == 0)
			return names[i];
	pc_fail("no field '%s' here (one of %s, ...)", m->arg, names[0]);
	return NULL;
}

/* ---- header and ROOT ---- */

static void hdr_put(struct img *m, uint32_t off, unsigned w, uint64_t v)
{
	tu_put(m->buf + off, w, v);
	header_reseal(m);
}

static uint32_t root_at(struct img *m, enum tu_root_field f)
{
	return tu_root_off(&m->hl, f);
}

int r_header_field(struct img *m)
{
	static const char *const names[] = {
		"sentinel", "crypt", "client-magic", "amap-last", "eof-short",
		"eof-long", "bid-next-b", "bid-next-p", "rgnid", "amap-flag",
		"root-past-eof", NULL,
	};
	const char *f = field_of(m, names);
	unsigned w = m->hl.w;
	uint64_t eof = m->size;

	if (!f)
		return -1;
	if (strcmp(f, "sentinel") == 0)
		hdr_put(m, m->hl.sentinel, 1, 0x00);
	else if (strcmp(f, "crypt") == 0)
		hdr_put(m, m->hl.crypt, 1, 0x7F);
	else if (strcmp(f, "client-magic") == 0)
		hdr_put(m, 8, 2, 0x5858);            /* "XX" */
	else if (strcmp(f, "amap-last") == 0)
		hdr_put(m, root_at(m, TU_ROOT_AMAP_LAST), w,
			tu_get(m->buf + root_at(m, TU_ROOT_AMAP_LAST), w) +
			m->l->amap_span);
	else if (strcmp(f, "eof-short") == 0)
		hdr_put(m, root_at(m, TU_ROOT_FILE_EOF), w, eof - 512);
	else if (strcmp(f, "eof-long") == 0)
		hdr_put(m, root_at(m, TU_ROOT_FILE_EOF), w, eof + 8 * 512);
	else if (strcmp(f, "bid-next-b") == 0)
		hdr_put(m, m->hl.bid_next_b, w, 4);
	else if (strcmp(f, "bid-next-p") == 0)
		hdr_put(m, m->hl.bid_next_p, w, 4);
	else if (strcmp(f, "rgnid") == 0)    /* rgnid[NID_TYPE_NORMAL_MESSAGE] */
		hdr_put(m, m->hl.rgnid + 4 * PF_NT_NORMAL_MESSAGE, 4, 0x400);
	else if (strcmp(f, "amap-flag") == 0)
		hdr_put(m, root_at(m, TU_ROOT_AMAP_VALID), 1, 7);
	else                                 /* root-past-eof */
		hdr_put(m, root_at(m, TU_ROOT_NBT_IB), w,
			(eof + 16 * 512) & ~(uint64_t)511);
	say(m, "header field %s set wrong, header CRCs fixed", f);
	return 0;
}

/* ---- BTPAGE fields ---- */

static void entry_swap(uint8_t *pg, uint32_t cb, uint32_t a, uint32_t b)
{
	uint8_t t[64];

	if (cb > sizeof(t))
		return;                 /* no entry is this wide */
	memcpy(t, pg + a * cb, cb);
	memcpy(pg + a * cb, pg + b * cb, cb);
	memcpy(pg + b * cb, t, cb);
}

/* The NID or BID a lost leaf entry named, for the record: a message
 * whose NBT entry is gone is "unlisted". */
static void entry_lost(struct img *m, const struct bt_page *p, uint32_t i)
{
	const uint8_t *e = m->old + p->ib + (uint64_t)i * p->cb_ent;
	uint32_t nid = (uint32_t)tu_get(e, m->hl.w);

	if (p->tree == T_NBT && PF_NID_TYPE(nid) == PF_NT_NORMAL_MESSAGE)
		note_nid(m->cut_off, &m->ncut_off, nid);
}

static int bt_field(struct img *m, int tree)
{
	static const char *const names[] = {
		"ptype-repeat", "sig", "cbent", "cent", "level", "order",
		"key-min", "dup", NULL,
	};
	const char *f = field_of(m, names);
	struct tu_btmeta_at mt = tu_btmeta_at(m->l);
	struct tu_trailer_at tt = tu_trailer_at(m->l);
	bool leafy = f && (strcmp(f, "level") == 0 || strcmp(f, "order") == 0
			   || strcmp(f, "dup") == 0);
	bool below = f && (strcmp(f, "level") == 0 ||
			   strcmp(f, "key-min") == 0);
	uint32_t pi = 0;
	const struct bt_page *p;
	uint8_t *pg;
	int rc;

	if (!f)
		return -1;
	rc = pick_page(m, tree, (leafy ? PK_LEAF : 0) |
		       (below ? PK_NOT_ROOT : 0),
		       strcmp(f, "order") == 0 ? 3 : leafy ? 2 : 0, &pi);
	if (rc != 0)
		return rc < 0 ? rc : pc_fail("no %s page fits %s",
					  tree_name(tree), f);
	p = &m->pg[pi];
	pg = m->buf + p->ib;
	if (strcmp(f, "ptype-repeat") == 0) {
		pg[tt.base + 1] = tree == T_NBT ? PF_PTYPE_BBT : PF_PTYPE_NBT;
	} else if (strcmp(f, "sig") == 0) {
		pg[tt.sig] ^= 0x5A;        /* wSig is outside the CRC */
	} else if (strcmp(f, "cbent") == 0) {
		pg[mt.cb_ent]++;
	} else if (strcmp(f, "cent") == 0) {
		tu_put(pg + mt.cent, mt.cent_w, p->cent_max + 1);
	} else if (strcmp(f, "level") == 0) {
		pg[mt.level] = 1;
	} else if (strcmp(f, "order") == 0) {
		entry_swap(pg, p->cb_ent, p->cent - 2, p->cent - 1);
	} else if (strcmp(f, "dup") == 0) {
		entry_lost(m, p, p->cent - 1);
		memcpy(pg + (p->cent - 1) * p->cb_ent,
		       pg + (p->cent - 2) * p->cb_ent, p->cb_ent);
	} else {                           /* key-min: the parent's key */
		uint32_t up = (uint32_t)p->parent;
		uint8_t *k = m->buf + m->pg[up].ib +
			     (uint64_t)p->pslot * m->l->branch_cb;

		tu_put(k, m->hl.w, tu_get(k, m->hl.w) +
		       (tree == T_NBT ? 0x20 : 4));
		page_reseal(m, m->pg[up].ib);
	}
	if (strcmp(f, "sig") != 0 && strcmp(f, "key-min") != 0)
		page_reseal(m, p->ib);
	say(m, "%s page at 0x%" PRIx64 " (level %u): %s set wrong%s",
	    tree_name(tree), p->ib, p->level, f,
	    strcmp(f, "sig") == 0 ? "" : ", CRC fixed");
	return 0;
}

int r_nbt_field(struct img *m)
{
	return bt_field(m, T_NBT);
}

int r_bbt_field(struct img *m)
{
	return bt_field(m, T_BBT);
}

/* ---- a message's PC block: trailer and BBT entry ---- */

int r_block_field(struct img *m)
{
	static const char *const names[] = {
		"sig", "bid", "cb", "ib-unaligned", "ib-past-eof", NULL,
	};
	const char *f = field_of(m, names);
	const struct bbt_ent *b;
	uint8_t *tr, *ent;

	if (!f || message_block(m, &b) != 0)
		return -1;
	tr = m->buf + b->e.bref.ib + pf_block_size(m->l, b->e.cb) -
	     m->l->block_trailer;
	ent = m->buf + m->pg[b->page].ib + (uint64_t)b->slot *
	      m->l->bbt_leaf_cb;
	if (strcmp(f, "sig") == 0) {
		tr[2] ^= 0x5A;
	} else if (strcmp(f, "bid") == 0) {
		uint32_t at = m->ansi ? 4 : 8;

		tu_put(tr + at, m->hl.w, tu_get(tr + at, m->hl.w) + 4);
	} else if (strcmp(f, "cb") == 0) {
		pf_put16(tr, (uint16_t)(b->e.cb - 1));
	} else {                           /* the BBT entry's ib */
		uint64_t ib = b->e.bref.ib + 1;

		if (strcmp(f, "ib-past-eof") == 0)
			ib = (m->size + 64 * 512) & ~(uint64_t)63;
		tu_put(ent + m->hl.w, m->hl.w, ib);
		page_reseal(m, m->pg[b->page].ib);
	}
	say(m, "message PC block 0x%" PRIx64 " at 0x%" PRIx64 ": %s set "
	    "wrong", b->e.bref.bid, b->e.bref.ib, f);
	return 0;
}

/* ---- NBT entries ---- */

static uint64_t unused_bid(const struct img *m, bool internal)
{
	uint64_t top = 0;

	for (size_t i = 0; i < m->nbbt; i++)
		if (m->bbt[i].e.bref.bid > top)
			top = m->bbt[i].e.bref.bid;
	return ((top + 0x400) & ~(uint64_t)3) | (internal ? PF_BID_INTERNAL
						  : 0);
}

static void nbt_put(struct img *m, const struct nbt_ent *n, unsigned field,
		    uint64_t v)
{
	uint64_t at = m->pg[n->page].ib + (uint64_t)n->slot *
		      m->l->nbt_leaf_cb + field * m->hl.w;

	tu_put(m->buf + at, field == 3 ? 4 : m->hl.w, v);
	page_reseal(m, m->pg[n->page].ib);
}

/* A folder with a subfolder (not the root folder): the folder-cycle
 * recipe makes the folder its child's child. */
static const struct nbt_ent *folder_with_child(struct img *m,
					       const struct nbt_ent **child)
{
	const struct nbt_ent *v[64], *c[64];
	size_t n = 0;

	for (size_t i = 0; i < m->nnbt && n < 64; i++) {
		const struct nbt_ent *e = &m->nbt[i];
		const struct nbt_ent *p = nbt_find(m, e->e.nid_parent);

		if (PF_NID_TYPE(e->e.nid) == PF_NT_NORMAL_FOLDER && p &&
		    p != e && p->e.nid != PF_NID_ROOT_FOLDER &&
		    PF_NID_TYPE(p->e.nid) == PF_NT_NORMAL_FOLDER) {
			v[n] = p;
			c[n++] = e;
		}
	}
	if (!n)
		return NULL;
	n = pick(m, n);
	*child = c[n];
	return v[n];
}

static const struct nbt_ent *pick_message(struct img *m)
{
	size_t n = 0, k;

	for (size_t i = 0; i < m->nnbt; i++)
		n += is_message(&m->nbt[i]);
	k = pick(m, n);
	for (size_t i = 0; n && i < m->nnbt; i++)
		if (is_message(&m->nbt[i]) && k-- == 0)
			return &m->nbt[i];
	return NULL;
}

/* A normal folder other than NOT: parent-other moves a message there, so
 * the folder holds a message its contents table lacks (MS-PST 2.4.4.5). */
static const struct nbt_ent *other_folder(struct img *m, uint64_t nt)
{
	for (size_t i = 0; i < m->nnbt; i++)
		if (PF_NID_TYPE(m->nbt[i].e.nid) == PF_NT_NORMAL_FOLDER &&
		    m->nbt[i].e.nid != nt &&
		    m->nbt[i].e.nid != PF_NID_ROOT_FOLDER)
			return &m->nbt[i];
	return NULL;
}

int r_node_field(struct img *m)
{
	static const char *const names[] = {
		"data-missing", "sub-missing", "sub-external", "folder-cycle",
		"parent-other", NULL,
	};
	const char *f = field_of(m, names);
	const struct nbt_ent *n, *child = NULL;

	if (!f)
		return -1;
	n = strcmp(f, "folder-cycle") == 0 ? folder_with_child(m, &child)
					   : pick_message(m);
	if (!n)
		return pc_fail("node-field %s: no eligible node", f);
	if (strcmp(f, "data-missing") == 0) {
		nbt_put(m, n, 1, unused_bid(m, false));
		note_nid(m->cut_off, &m->ncut_off, (uint32_t)n->e.nid);
	} else if (strcmp(f, "sub-missing") == 0) {
		nbt_put(m, n, 2, unused_bid(m, true));
	} else if (strcmp(f, "sub-external") == 0) {
		nbt_put(m, n, 2, n->e.bid_data);
	} else if (strcmp(f, "parent-other") == 0) {
		const struct nbt_ent *o = other_folder(m, n->e.nid_parent);

		if (!o)
			return pc_fail("node-field %s: one folder only", f);
		nbt_put(m, n, 3, o->e.nid);
	} else {
		nbt_put(m, n, 3, child->e.nid);
	}
	say(m, "NBT entry of node 0x%x: %s, page CRC fixed",
	    (uint32_t)n->e.nid, f);
	return 0;
}

/* ---- internal blocks: XBLOCK and SLBLOCK ---- */

/* Entry I of a leaf SLBLOCK D (MS-PST 2.2.2.8.3.3.1.1 SLENTRY: nid,
 * bidData, bidSub, each a BID wide) */
static uint8_t *sl_entry(const struct img *m, uint8_t *d, uint32_t i)
{
	return d + (m->ansi ? 4 : 8) + (uint64_t)i * 3u * m->hl.w;
}

/* A leaf SLBLOCK whose last entry is an attachment (NID type 0x05) */
static bool sl_last_is_attach(struct img *m, const struct pf_bbt_entry *e)
{
	uint8_t *d = m->old + e->bref.ib;
	uint32_t cent = pf_le16(d + 2);

	if (d[0] != 0x02 || d[1] != 0 || cent == 0 ||
	    (uint64_t)(m->ansi ? 4 : 8) + (uint64_t)cent * 3u * m->hl.w >
	    e->cb)
		return false;
	return PF_NID_TYPE(pf_le32(sl_entry(m, d, cent - 1))) ==
	       PF_NT_ATTACHMENT;
}

/* Every XBLOCK (level 1) claims what a small file cannot hold, CRC fixed
 * (issue 7, tests/cli/alloc_bound.sh): x-lcb-huge an lcbTotal of nearly
 * 1 GiB (just under PF_NODE_DATA_MAX, the per-value limit); x-dup every rgbid entry naming entry 0's block, so that a reader
 * that reads each leaf reads one block cEnt times. */
static int x_every(struct img *m, const char *f)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nbbt; i++) {
		const struct pf_bbt_entry *e = &m->bbt[i].e;
		uint8_t *d = m->buf + e->bref.ib;
		uint32_t cent, w = m->hl.w;

		if (!(e->bref.bid & PF_BID_INTERNAL) || !block_in_file(m, e) ||
		    e->cb < 8 || m->old[e->bref.ib] != 0x01 || d[1] != 1)
			continue;
		cent = pf_le16(d + 2);
		if (8 + (uint64_t)cent * w > e->cb)
			continue;
		if (strcmp(f, "x-lcb-huge") == 0)
			pf_put32(d + 4, 0x3FFFFF00u);
		else
			for (uint32_t k = 1; k < cent; k++)
				memcpy(d + 8 + (size_t)k * w, d + 8, w);
		block_reseal(m, e);
		n++;
	}
	if (!n)
		return pc_fail("internal-block %s: no XBLOCK", f);
	say(m, "%zu XBLOCKs: %s, CRCs fixed", n, f);
	return 0;
}

int r_internal_block(struct img *m)
{
	static const char *const names[] = {
		"x-btype", "x-level", "x-cent", "x-lcb", "sl-btype",
		"sl-level", "sl-cent", "sl-dup", "sl-attach-nid",
		"x-lcb-huge", "x-dup", NULL,
	};
	const char *f = field_of(m, names);
	bool att = f && strcmp(f, "sl-attach-nid") == 0;
	const struct bbt_ent *v[256];
	uint8_t want, *d;
	size_t n = 0;
	const struct bbt_ent *b;

	if (!f)
		return -1;
	if (strcmp(f, "x-lcb-huge") == 0 || strcmp(f, "x-dup") == 0)
		return x_every(m, f);
	want = f[0] == 'x' ? 0x01 : 0x02;
	for (size_t i = 0; i < m->nbbt && n < 256; i++) {
		const struct pf_bbt_entry *e = &m->bbt[i].e;

		if ((e->bref.bid & PF_BID_INTERNAL) && block_in_file(m, e) &&
		    e->cb >= 8 && m->old[e->bref.ib] == want &&
		    (strcmp(f, "sl-dup") != 0 ||
		     pf_le16(m->old + e->bref.ib + 2) >= 2) &&
		    (!att || sl_last_is_attach(m, e)))
			v[n++] = &m->bbt[i];
	}
	if (!n)
		return pc_fail("internal-block %s: no such block", f);
	b = v[pick(m, n)];
	d = m->buf + b->e.bref.ib;
	if (strcmp(f + (want == 1 ? 2 : 3), "btype") == 0) {
		d[0] = 0x03;
	} else if (strcmp(f + (want == 1 ? 2 : 3), "level") == 0) {
		d[1] = 3;
	} else if (strcmp(f + (want == 1 ? 2 : 3), "cent") == 0) {
		pf_put16(d + 2, 0x7FFF);
	} else if (strcmp(f, "x-lcb") == 0) {
		pf_put32(d + 4, pf_le32(d + 4) + 1);
	} else if (att) {
		/* the last entry's NID index up by 0x1000: still in order,
		 * but the attachment table's row names the old NID */
		uint8_t *e = sl_entry(m, d, pf_le16(d + 2) - 1u);

		pf_put32(e, pf_le32(e) + (0x1000u << 5));
	} else {
		/* sl-dup: entry 1 takes entry 0's NID.  (Entries merely out
		 * of order are sorted by the reader, formats/ndb/subnode.c,
		 * and not reported: only a duplicate is PF5023.) */
		uint32_t cb = (d[1] == 0 ? 3 : 2) * m->hl.w;
		uint8_t *e = d + (m->ansi ? 4 : 8);

		memcpy(e + cb, e, m->hl.w);
	}
	block_reseal(m, &b->e);
	say(m, "internal block 0x%" PRIx64 " at 0x%" PRIx64 ": %s set "
	    "wrong, CRC fixed", b->e.bref.bid, b->e.bref.ib, f);
	return 0;
}

/* ---- the AMap and the PMap that follows it ---- */

/* One trailer field of a map page at IB set wrong (MS-PST 2.2.2.7.1
 * PAGETRAILER): ptype (to PMAP, or to AMAP on the PMap), ptypeRepeat,
 * wSig (must be 0 on map pages), bid (must be ib), or a data bit with the
 * CRC left; all but sig and crc are re-sealed. */
void map_field(struct img *m, uint64_t ib, uint8_t other, const char *f)
{
	struct tu_trailer_at tt = tu_trailer_at(m->l);
	uint8_t *pg = m->buf + ib;

	if (strcmp(f, "ptype") == 0) {
		pg[tt.base] = pg[tt.base + 1] = other;
	} else if (strcmp(f, "ptype-repeat") == 0) {
		pg[tt.base + 1] = other;
	} else if (strcmp(f, "bid") == 0) {
		tu_put(pg + tt.bid, tt.bid_w, ib + m->l->page_size);
	} else if (strcmp(f, "sig") == 0) {
		pf_put16(pg + tt.sig, 0x5A5A);
		return;
	} else {
		pg[m->l->amap_bits_ib + m->l->amap_bits_cb - 1] ^= 0x01;
		return;
	}
	page_reseal(m, ib);
}

int r_amap_field(struct img *m)
{
	static const char *const names[] = {
		"ptype", "crc", "ptype-repeat", "bid", "sig", "pmap-ptype",
		"pmap-crc", "pmap-ptype-repeat", "pmap-bid", "pmap-sig",
		NULL,
	};
	const char *f = field_of(m, names);
	bool pmap = f && strncmp(f, "pmap-", 5) == 0;
	uint64_t ib = m->l->amap_first;

	if (!f)
		return -1;
	/* the first PMap is the page right after the first AMap
	 * (MS-PST 2.2.2.7.3) */
	if (pmap)
		ib += m->l->page_size;
	map_field(m, ib, pmap ? PF_PTYPE_AMAP : PF_PTYPE_PMAP,
		  pmap ? f + 5 : f);
	say(m, "first %s page: %s set wrong%s", pmap ? "PMap" : "AMap", f,
	    strstr(f, "crc") ? " (its last bit flipped, CRC left)" :
	    strstr(f, "sig") ? ", CRC left" : ", CRC fixed");
	return 0;
}

/* ---- a message's property context (HN and BTH) ---- */

/* The size of heap allocation HID in block 0, 0 when unknown. */
static uint32_t hn_hid_cb(const uint8_t *d, uint16_t cb, uint32_t hid)
{
	uint32_t at = hn_hid_at(d, cb, hid), hnpm = pf_le16(d);
	uint32_t end;

	if (!at)
		return 0;
	end = pf_le16(d + hnpm + 4 + 2 * PF_HID_INDEX(hid));
	return end > at ? end - at : 0;
}

/* The first PC record (MS-PST 2.3.3.3: wPropId, wPropType, dwValueHnid)
 * of a type in TYPES whose value is a HID (an allocation of block 0), or
 * 0; BTH is the BTHHEADER, REC its first leaf record. */
static uint32_t pc_rec_of(const uint8_t *d, uint16_t cb, uint32_t bth,
			  uint32_t rec, const uint16_t *types)
{
	uint32_t n = hn_hid_cb(d, cb, pf_le32(d + bth + 4)) / 8;

	for (uint32_t i = 0; i < n && rec + 8 * i + 8 <= cb; i++) {
		const uint8_t *r = d + rec + 8 * i;
		uint32_t v = pf_le32(r + 4);

		for (const uint16_t *t = types; *t; t++)
			if (pf_le16(r + 2) == *t && (v & 0x1F) == 0 &&
			    hn_hid_at(d, cb, v))
				return rec + 8 * i;
	}
	return 0;
}

/* Field F of a PC's BTH (MS-PST 2.3.2.1 BTHHEADER: bType, cbKey, cbEnt,
 * bIdxLevels, hidRoot) or of its records, set wrong. */
static int bth_edit(uint8_t *d, uint16_t cb, uint32_t bth, uint32_t rec,
		    const char *f)
{
	static const uint16_t bin[] = { 0x0102, 0 };
	static const uint16_t str[] = { 0x001F, 0x001E, 0 };
	uint32_t r;

	if (strcmp(f, "prop-type") == 0) {
		pf_put16(d + rec + 2, 0x0999);
	} else if (strcmp(f, "store-tag") == 0) {
		pf_put16(d + rec, 0x0001);   /* still first */
	} else if (strcmp(f, "nameid-buckets") == 0) {
		/* PidTagNameidBucketCount, an inline PtypInteger32 */
		pf_put32(d + rec + 4, pf_le32(d + rec + 4) + 1);
	} else if (strcmp(f, "nameid-type") == 0) {
		/* PidTagNameidStreamEntry (0x0003) retyped PtypString */
		uint32_t n = hn_hid_cb(d, cb, pf_le32(d + bth + 4)) / 8;

		for (r = 0; r < n && rec + 8 * r + 8 <= cb; r++)
			if (pf_le16(d + rec + 8 * r) == 0x0003)
				break;
		if (r >= n || rec + 8 * r + 8 > cb)
			return -1;
		pf_put16(d + rec + 8 * r + 2, 0x001F);
	} else if (strcmp(f, "bth-cbkey") == 0) {
		d[bth + 1] = 4;
	} else if (strcmp(f, "bth-order") == 0) {
		uint8_t t[8];

		if (hn_hid_cb(d, cb, pf_le32(d + bth + 4)) < 16)
			return -1;
		memcpy(t, d + rec, 8);
		memcpy(d + rec, d + rec + 8, 8);
		memcpy(d + rec + 8, t, 8);
	} else if (strcmp(f, "hid-dangling") == 0 ||
		   strcmp(f, "class-dangling") == 0) {
		/* hid-dangling: a binary value (a string could be
		 * PidTagMessageClass, without which readers skip the
		 * message); class-dangling: the first string, which is
		 * PidTagMessageClass (0x001A sorts first) */
		r = pc_rec_of(d, cb, bth, rec, f[0] == 'h' ? bin : str);
		if (!r)
			return -1;
		pf_put32(d + r + 4, 0x7FFu << 5);   /* no allocation 0x7FF */
	} else {
		/* prop-cb: a binary value retyped PtypTime, 8 bytes */
		r = pc_rec_of(d, cb, bth, rec, bin);
		if (!r || hn_hid_cb(d, cb, pf_le32(d + r + 4)) == 8)
			return -1;
		pf_put16(d + r + 2, 0x0040);
	}
	return 0;
}

/* The PC block F edits: the store's (NID 0x21) for store-tag, the
 * name-to-id map's (NID 0x61, MS-PST 2.4.7) for nameid-*, else a
 * message's. */
static int pc_block(struct img *m, const char *f, const struct bbt_ent **b)
{
	uint32_t nid = strcmp(f, "store-tag") == 0 ? 0x21 :
		       strncmp(f, "nameid-", 7) == 0 ? 0x61 : 0;
	const struct nbt_ent *n;

	if (!nid)
		return message_block(m, b);
	n = nbt_find(m, nid);
	*b = n ? bbt_find(m, n->e.bid_data) : NULL;
	if (!*b || !block_in_file(m, &(*b)->e) ||
	    ((*b)->e.bref.bid & PF_BID_INTERNAL))
		return pc_fail("pc-field %s: no PC block for 0x%x", f, nid);
	return 0;
}

int r_pc_field(struct img *m)
{
	static const char *const names[] = {
		"hn-sig", "hn-pagemap", "prop-type", "store-tag",
		"nameid-buckets", "nameid-type", "bth-cbkey", "bth-order",
		"hid-dangling", "prop-cb", "class-dangling", NULL,
	};
	const char *f = field_of(m, names);
	const struct bbt_ent *b;
	enum pf_crypt cm = (enum pf_crypt)m->h->crypt_method;
	uint8_t *d;
	uint32_t nid = 0;

	if (!f || pc_block(m, f, &b) != 0)
		return -1;
	for (size_t i = 0; i < m->nnbt; i++)
		if (m->nbt[i].e.bid_data == b->e.bref.bid)
			nid = (uint32_t)m->nbt[i].e.nid;
	d = malloc(b->e.cb + 1u);
	if (!d)
		return pc_fail("out of memory");
	memcpy(d, m->buf + b->e.bref.ib, b->e.cb);
	pf_decode(cm, b->e.bref.bid, d, b->e.cb);
	/* hn-sig and hn-pagemap leave every allocation and the HNPAGEMAP
	 * intact: a tolerant reader (pstfix repair) brings the message back
	 * as it was, so it is edited, not ruined ("destroyed") */
	if (strcmp(f, "hn-sig") == 0) {
		d[2] = 0x00;                   /* bSig 0xEC */
	} else if (strcmp(f, "hn-pagemap") == 0) {
		pf_put16(d, (uint16_t)(b->e.cb + 8));   /* ibHnpm */
	} else {
		/* hidUserRoot -> BTHHEADER (bType 0xB5, cbKey, cbEnt,
		 * bIdxLevels 0, hidRoot) -> the first leaf record: key,
		 * wPropType, dwValueHnid (MS-PST 2.3.2.1, 2.3.3.3) */
		uint32_t bth = hn_hid_at(d, b->e.cb, pf_le32(d + 4)), rec = 0;

		if (bth && bth + 8 <= b->e.cb && d[bth] == 0xB5 &&
		    d[bth + 3] == 0)
			rec = hn_hid_at(d, b->e.cb, pf_le32(d + bth + 4));
		if (!rec || rec + 8 > b->e.cb ||
		    bth_edit(d, b->e.cb, bth, rec, f) != 0) {
			free(d);
			return pc_fail("pc-field %s: no BTH record fits", f);
		}
	}
	pf_encode(cm, b->e.bref.bid, d, b->e.cb);
	memcpy(m->buf + b->e.bref.ib, d, b->e.cb);
	free(d);
	block_reseal(m, &b->e);
	say(m, "node 0x%x PC block 0x%" PRIx64 ": %s set wrong, block "
	    "CRC fixed", nid, b->e.bref.bid, f);
	return 0;
}
