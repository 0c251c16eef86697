/*
 * pstcorrupt_ndb2.c - more node-database recipes of pstcorrupt: the map
 * pages that only large files have (FMap, FPMap), the DList, and the
 * zlib blocks of 4 KiB-page OSTs.  Same rules as pstcorrupt_fields.c:
 * one field set wrong, the rest re-sealed, ARG names the field (without
 * one the seed picks it).
 *
 *   map-field     MS-PST 2.2.2.7.5 FMap, 2.2.2.7.6 FPMap, 2.2.2.7.4
 *                 DList (the trailer fields of pstcorrupt_fields.c's
 *                 amap-field, on the first FMap / FPMap page or the DList);
 *                 "own": the AMap byte that marks a map page allocated
 *                 (2.2.2.7.2) cleared
 *   block-inflate a 4 KiB-page OST block stored compressed (libyal PFF:
 *                 cb < cbInflated, a zlib stream) whose stream no longer
 *                 inflates, CRC fixed
 *   internal-cb   an XBLOCK or SLBLOCK too short for its header
 *   bt-padding    a Unicode BTPAGE whose dwPadding is not zero
 *   sl-cycle      a subnode tree that reaches itself
 *   block-ib-header a BBT entry placing a block before the first AMap
 *   truncate-amap a file cut half-way into one of its AMap pages
 */
#include "pstcorrupt.h"

/* ---- map pages of large files, and the DList ---- */

/* MS-PST 2.2.2.7.5-6: the first FMap follows the 128th AMap (index 128)
 * by two pages, the first FPMap (Unicode only) the 8192nd by three. */
static int big_map_at(struct img *m, bool fpmap, uint64_t *ib)
{
	uint64_t index = fpmap ? 8192 : 128;

	if (m->l->page_size != 512 || (fpmap && m->ansi))
		return pc_fail("map-field: no %s in this variant",
			       fpmap ? "FPMap" : "FMap");
	*ib = m->l->amap_first + index * m->l->amap_span +
	      (fpmap ? 3 : 2) * m->l->page_size;
	if (*ib + m->l->page_size > m->size)
		return pc_fail("map-field: the file (%" PRIu64 " bytes) ends "
			       "before its first %s at 0x%" PRIx64, m->size,
			       fpmap ? "FPMap" : "FMap", *ib);
	return 0;
}

/* DLISTPAGE (MS-PST 2.2.2.7.4.1): bFlags, cEntDList, wPadding,
 * ulCurrentPage, rgDListPageEnt (dwPageNum: 20 bits, dwFreeSlots: 12).
 * "entry" names an AMap page past the last one; "bid" sets the trailer's
 * BID above bidNextP (one step, 4), a page BID not handed out yet. */
static int dlist_edit(struct img *m, const char *f)
{
	struct tu_trailer_at tt = tu_trailer_at(m->l);
	uint64_t ib = m->l->dlist_ib;
	uint8_t *pg = m->buf + ib;
	uint64_t namaps = (m->size - m->l->amap_first + m->l->amap_span - 1) /
			  m->l->amap_span;

	if (pg[tt.base] != PF_PTYPE_DL)
		return pc_fail("map-field %s: the DList page is blank", f);
	if (strcmp(f, "entry") == 0) {
		if (pg[1] == 0)
			pg[1] = 1;
		pf_put32(pg + 8, (uint32_t)(namaps + 3) & 0xFFFFFu);
	} else {
		tu_put(pg + tt.bid, tt.bid_w, m->h->bid_next_p + 4);
	}
	page_reseal(m, ib);
	return 0;
}

/* "own": the byte of the AMap at AMAP_IB that marks the map page K pages
 * after it allocated (MS-PST 2.2.2.7.2: 0xFF) cleared, AMap re-sealed */
static void own_bits(struct img *m, uint64_t amap_ib, unsigned k)
{
	m->buf[amap_ib + m->l->amap_bits_ib + k] = 0x00;
	page_reseal(m, amap_ib);
}

int r_map_field(struct img *m)
{
	static const char *const names[] = {
		"fmap-ptype", "fmap-ptype-repeat", "fmap-bid", "fmap-sig",
		"fmap-crc", "fpmap-ptype", "fpmap-ptype-repeat", "fpmap-bid",
		"fpmap-sig", "fpmap-crc", "dlist-ptype", "dlist-ptype-repeat",
		"dlist-sig", "dlist-bid", "dlist-entry", "amap-own",
		"pmap-own", "fmap-own", "fpmap-own", NULL,
	};
	const char *f = field_of(m, names);
	const char *fld;
	uint64_t ib = 0;

	if (!f)
		return -1;
	fld = strchr(f, '-') + 1;
	if (strcmp(fld, "own") == 0 && f[0] != 'f') {
		if (m->l->page_size != 512 && f[0] == 'p')
			return pc_fail("map-field: no PMap in this variant");
		ib = m->l->amap_first + (f[0] == 'p' ? m->l->page_size : 0);
		own_bits(m, m->l->amap_first, f[0] == 'p');
	} else if (strcmp(fld, "own") == 0) {
		if (big_map_at(m, f[1] == 'p', &ib) != 0)
			return -1;
		own_bits(m, ib - (f[1] == 'p' ? 3 : 2) * m->l->page_size,
			 f[1] == 'p' ? 3 : 2);
	} else if (f[0] == 'd') {
		ib = m->l->dlist_ib;
		if (strcmp(fld, "bid") == 0 || strcmp(fld, "entry") == 0) {
			if (dlist_edit(m, fld) != 0)
				return -1;
		} else {
			map_field(m, ib, PF_PTYPE_AMAP, fld);
		}
	} else {
		if (big_map_at(m, f[1] == 'p', &ib) != 0)
			return -1;
		map_field(m, ib, PF_PTYPE_AMAP, fld);
	}
	say(m, "%s page at 0x%" PRIx64 ": %s set wrong%s",
	    f[0] == 'd' ? "DList" : f[0] == 'a' ? "first AMap" :
	    f[0] == 'p' ? "first PMap" : f[1] == 'p' ? "first FPMap" :
	    "first FMap", ib, strcmp(fld, "own") == 0 ? "the AMap bits of "
	    "its own space" : fld, strcmp(fld, "crc") == 0 ? " (its last bit "
	    "flipped, CRC left)" : strcmp(fld, "sig") == 0 ? ", CRC left" :
	    ", CRC fixed");
	return 0;
}

/* ---- 4 KiB-page OST: a compressed block that does not inflate ---- */

/* The inflated size in a 4 KiB-page block trailer (libyal PFF: cb, wSig,
 * dwCRC, bid, an unknown u16, cbInflated u16); 0 elsewhere. */
static uint16_t trailer_inflated(const struct img *m,
				 const struct pf_bbt_entry *e)
{
	const uint8_t *tr = m->old + e->bref.ib + pf_block_size(m->l, e->cb) -
			    m->l->block_trailer;

	return m->l->block_trailer >= 24 ? pf_le16(tr + 18) : 0;
}

/* Messages whose PC is one block stored compressed: their own data. */
static size_t zlib_blocks(const struct img *m, const struct nbt_ent **v,
			  size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nnbt && n < cap; i++) {
		const struct bbt_ent *b;
		uint16_t inflated;

		if (!is_message(&m->nbt[i]) ||
		    (m->nbt[i].e.bid_data & PF_BID_INTERNAL))
			continue;
		b = bbt_find(m, m->nbt[i].e.bid_data);
		if (!b || b->e.cref != 2 || !block_in_file(m, &b->e) ||
		    b->e.cb < 8)
			continue;
		inflated = trailer_inflated(m, &b->e);
		if (inflated != 0 && inflated != b->e.cb)
			v[n++] = &m->nbt[i];
	}
	return n;
}

int r_block_inflate(struct img *m)
{
	const struct nbt_ent **v;
	const struct bbt_ent *b;
	const struct nbt_ent *n;
	size_t k;
	uint32_t off;

	if (m->l->page_size != 4096)
		return pc_fail("block-inflate: only 4 KiB-page OSTs compress");
	v = calloc(m->nnbt + 1, sizeof(*v));
	if (!v)
		return pc_fail("out of memory");
	k = zlib_blocks(m, v, m->nnbt);
	n = k ? v[pick(m, k)] : NULL;
	free(v);
	if (!n)
		return pc_fail("block-inflate: no message PC is compressed");
	b = bbt_find(m, n->e.bid_data);
	/* RFC 1950: CMF, FLG, the deflate stream, ADLER32; a byte of the
	 * stream changed breaks the stream or its checksum */
	off = 2 + pick(m, b->e.cb - 6u);
	m->buf[b->e.bref.ib + off] ^= 0xFF;
	block_reseal(m, &b->e);
	note_nid(m->ruined, &m->nruined, (uint32_t)n->e.nid);
	say(m, "message 0x%x PC block 0x%" PRIx64 " at 0x%" PRIx64 ": byte "
	    "%u of its zlib stream inverted, CRC fixed", (uint32_t)n->e.nid,
	    b->e.bref.bid, b->e.bref.ib, off);
	return 0;
}

/* ---- an internal block too short for its header ---- */

/* The NIDs whose bidData is BID: a message whose PC is this XBLOCK's
 * data tree loses its properties with it. */
static void ruin_users(struct img *m, uint64_t bid)
{
	for (size_t i = 0; i < m->nnbt; i++)
		if ((m->nbt[i].e.bid_data & ~(uint64_t)1) == bid &&
		    is_message(&m->nbt[i]))
			note_nid(m->ruined, &m->nruined,
				 (uint32_t)m->nbt[i].e.nid);
}

/* ARG x (an XBLOCK) or sl (an SLBLOCK): its cb set to 4, below the 8
 * header bytes of either (MS-PST 2.2.2.8.3.2-3), consistently: the BBT
 * entry's cb (page re-sealed), the trailer moved to where a 4-byte block
 * ends (2.2.2.8.1) with cb 4 and the CRC of those 4 bytes.  Only the
 * header rule is broken. */
int r_internal_cb(struct img *m)
{
	static const char *const names[] = { "x", "sl", NULL };
	const char *f = field_of(m, names);
	const struct bbt_ent *v[256], *b;
	struct pf_bbt_entry e;
	size_t n = 0;
	uint8_t *old_tr, *new_tr, *ent;

	if (!f)
		return -1;
	for (size_t i = 0; i < m->nbbt && n < 256; i++) {
		const struct pf_bbt_entry *c = &m->bbt[i].e;

		if ((c->bref.bid & PF_BID_INTERNAL) && block_in_file(m, c) &&
		    c->cb >= 8 && m->old[c->bref.ib] == (f[0] == 'x' ? 1 : 2))
			v[n++] = &m->bbt[i];
	}
	if (!n)
		return pc_fail("internal-cb %s: no such block", f);
	b = v[pick(m, n)];
	e = b->e;
	old_tr = m->buf + e.bref.ib + pf_block_size(m->l, e.cb) -
		 m->l->block_trailer;
	e.cb = 4;
	new_tr = m->buf + e.bref.ib + pf_block_size(m->l, e.cb) -
		 m->l->block_trailer;
	memmove(new_tr, old_tr, m->l->block_trailer);
	pf_put16(new_tr, e.cb);
	if (m->l->block_trailer >= 24)        /* 4K: cbInflated at +18 */
		pf_put16(new_tr + 18, e.cb);
	block_reseal(m, &e);
	/* BBTENTRY: BREF, cb, then (4K) cbInflated */
	ent = m->buf + m->pg[b->page].ib + (uint64_t)b->slot *
	      m->l->bbt_leaf_cb + 2u * m->hl.w;
	pf_put16(ent, e.cb);
	if (m->l->page_size == 4096)
		pf_put16(ent + 2, e.cb);
	page_reseal(m, m->pg[b->page].ib);
	if (f[0] == 'x')
		ruin_users(m, e.bref.bid & ~(uint64_t)1);
	say(m, "%s 0x%" PRIx64 " at 0x%" PRIx64 ": cb %u -> 4 in its BBT "
	    "entry and trailer, CRCs fixed", f[0] == 'x' ? "XBLOCK" :
	    "SLBLOCK", e.bref.bid, e.bref.ib, b->e.cb);
	return 0;
}

/* ---- a B-tree page's dwPadding ---- */

/* ARG nbt or bbt: a page's dwPadding (MS-PST 2.2.2.7.7.1, Unicode: the 4
 * bytes after cLevel, MUST be zero) set nonzero, CRC fixed. */
int r_bt_padding(struct img *m)
{
	uint32_t pi = 0;
	int tree, rc;

	if (m->l->page_size != 512 || m->ansi)
		return pc_fail("bt-padding: Unicode 512-byte pages only");
	if (arg_tree(m, &tree) != 0)
		return -1;
	rc = pick_page(m, tree, 0, 0, &pi);
	if (rc != 0)
		return rc < 0 ? rc : pc_fail("bt-padding: no page");
	pf_put32(m->buf + m->pg[pi].ib + m->l->bt_entries + 4,
		 1 + (uint32_t)pick(m, 0xFFFF));
	page_reseal(m, m->pg[pi].ib);
	say(m, "%s page at 0x%" PRIx64 " (level %u): dwPadding set nonzero, "
	    "CRC fixed", tree_name(m->pg[pi].tree), m->pg[pi].ib,
	    m->pg[pi].level);
	return 0;
}

/* ---- a subnode tree that reaches itself ---- */

/* A leaf SLBLOCK's first entry's bidSub (MS-PST 2.2.2.8.3.3.1.1 SLENTRY:
 * nid, bidData, bidSub) set to the SLBLOCK's own BID, CRC fixed: the
 * subnode's own subnode tree is the tree it belongs to. */
int r_sl_cycle(struct img *m)
{
	const struct bbt_ent *v[256], *b;
	size_t n = 0;
	uint8_t *d;

	for (size_t i = 0; i < m->nbbt && n < 256; i++) {
		const struct pf_bbt_entry *e = &m->bbt[i].e;
		const uint8_t *o = m->old + e->bref.ib;

		if ((e->bref.bid & PF_BID_INTERNAL) && block_in_file(m, e) &&
		    e->cb >= 8 && o[0] == 0x02 && o[1] == 0 &&
		    pf_le16(o + 2) >= 1 &&
		    (uint64_t)(m->ansi ? 4 : 8) + 3u * m->hl.w <= e->cb)
			v[n++] = &m->bbt[i];
	}
	if (!n)
		return pc_fail("sl-cycle: no leaf SLBLOCK");
	b = v[pick(m, n)];
	d = m->buf + b->e.bref.ib + (m->ansi ? 4 : 8);
	tu_put(d + 2u * m->hl.w, m->hl.w, b->e.bref.bid);
	block_reseal(m, &b->e);
	say(m, "SLBLOCK 0x%" PRIx64 " at 0x%" PRIx64 ": entry 0 (nid 0x%x) "
	    "takes it as its own subnode tree, CRC fixed", b->e.bref.bid,
	    b->e.bref.ib, (uint32_t)tu_get(d, m->hl.w));
	return 0;
}

/* ---- a block placed before the data section ---- */

/* A message PC block's BBTENTRY ib (MS-PST 2.2.2.7.7.3) set to the DList
 * page's offset, where no block can be (2.2.2.7.2: blocks live after the
 * first AMap), BBT page re-sealed; the block itself stays where it was. */
int r_block_ib_header(struct img *m)
{
	const struct bbt_ent *b;

	if (message_block(m, &b) != 0)
		return -1;
	tu_put(m->buf + m->pg[b->page].ib + (uint64_t)b->slot *
	       m->l->bbt_leaf_cb + m->hl.w, m->hl.w, m->l->dlist_ib);
	page_reseal(m, m->pg[b->page].ib);
	say(m, "BBT entry of message PC block 0x%" PRIx64 ": ib 0x%" PRIx64
	    " -> 0x%x (the DList page), page CRC fixed", b->e.bref.bid,
	    b->e.bref.ib, m->l->dlist_ib);
	return 0;
}

/* ---- a file cut inside an AMap page ---- */

/* The file cut half-way into AMap page ARG (an index from 1; without one
 * the seed picks one past the first): a copy interrupted there. */
int r_truncate_amap(struct img *m)
{
	/* the AMaps whose page lies wholly inside the file: the cut must
	 * shorten it */
	uint64_t n = (m->size - m->l->amap_first - m->l->page_size) /
		     m->l->amap_span + 1;
	uint64_t k = m->arg ? strtoull(m->arg, NULL, 10) : 0;

	if (n < 2)
		return pc_fail("truncate-amap: the file has one AMap");
	if (!m->arg)
		k = 1 + pick(m, (size_t)(n - 1));
	if (k < 1 || k >= n)
		return pc_fail("truncate-amap: ARG is an AMap index "
			       "1..%" PRIu64, n - 1);
	m->new_size = m->l->amap_first + k * m->l->amap_span +
		      m->l->page_size / 2;
	say(m, "cut inside AMap %" PRIu64 " at 0x%" PRIx64 ": %" PRIu64
	    " of %" PRIu64 " bytes kept", k, m->new_size - m->l->page_size / 2,
	    m->new_size, m->size);
	return 0;
}
