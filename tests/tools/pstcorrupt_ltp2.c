/*
 * pstcorrupt_ltp2.c - the ltp-field recipe of pstcorrupt: one field of an
 * LTP or messaging structure set wrong, the block (or NBT page) re-sealed
 * so the damage reaches the structural checks.  ARG names the field;
 * without one the seed picks it.
 *
 *   a message's PC (MS-PST 2.3.1.2 HNHDR, 2.3.2.1 BTHHEADER):
 *     hn-userroot  hidUserRoot names no allocation
 *     bth-btype    bType 0xB5 -> 0xB6
 *     bth-levels   bIdxLevels 0 -> 0x40
 *   a folder's contents table (2.3.4.1 TCINFO, 2.3.4.2 TCOLDESC):
 *     tc-col-cb    the first column's cbData one too big
 *     tc-col-type  the first column's type 0x0999
 *     tc-col-order the first two columns swapped
 *     tc-rows-zero hnidRows 0 in a table with rows
 *   an empty folder table: tc-empty-root (its row index's hidRoot a new
 *     zero-byte allocation, as some writers make it)
 *   a message's recipient table: recip-btype (TCINFO bType 0x7C -> 0x7D),
 *     recip-userroot (its hidUserRoot names no allocation: no TCINFO)
 *   an attachment's PC: attach-btype (BTHHEADER bType 0xB5 -> 0xB6)
 *   a folder's PC: unread (PidTagContentUnreadCount one too many)
 *   an NBT entry: table-parent (a contents table's nidParent its folder)
 *   the name-to-id map (2.4.7): nameid-stream-cb (4 bytes appended to the
 *     entry stream), nameid-dup (record 0 appended again), nameid-guid
 *     (record 1's wGuid past the GUID stream), nameid-name-odd (the
 *     string name's length one byte short)
 *
 * Edits that grow an allocation (nameid-stream-cb, nameid-dup,
 * tc-empty-root) move the heap's later bytes and its HNPAGEMAP up and
 * grow the block's cb in place: the block, its trailer and its BBT entry
 * say the new size; a block without room in its 64-byte slot fails the
 * recipe.
 */
#include "pstcorrupt.h"

#define HNHDR_CB 12u

/* ---- a block's decoded bytes, edited and sealed again ---- */

struct blk {
	const struct bbt_ent *b;
	uint8_t *d;
	uint16_t cb;              /* after the edit */
	uint32_t room;            /* the most cb can grow in place */
};

static int blk_open(struct img *m, const struct bbt_ent *b, struct blk *k)
{
	uint32_t slot = pf_block_size(m->l, b->e.cb) - m->l->block_trailer;

	k->b = b;
	k->cb = b->e.cb;
	k->room = slot - b->e.cb;
	k->d = malloc(slot + 1u);
	if (!k->d)
		return pc_fail("out of memory");
	memcpy(k->d, m->buf + b->e.bref.ib, b->e.cb);
	pf_decode((enum pf_crypt)m->h->crypt_method, b->e.bref.bid, k->d,
		  b->e.cb);
	return 0;
}

/* Encode, store and seal: trailer cb and CRC; the BBT entry's cb when
 * it changed (its page re-sealed). */
static void blk_close(struct img *m, struct blk *k)
{
	const struct bbt_ent *b = k->b;
	uint64_t ib = b->e.bref.ib;
	uint8_t *tr;

	pf_encode((enum pf_crypt)m->h->crypt_method, b->e.bref.bid, k->d,
		  k->cb);
	memcpy(m->buf + ib, k->d, k->cb);
	free(k->d);
	k->d = NULL;
	if (k->cb != b->e.cb) {
		uint64_t at = m->pg[b->page].ib + (uint64_t)b->slot *
			      m->l->bbt_leaf_cb + 2u * m->hl.w;

		tr = m->buf + ib + pf_block_size(m->l, k->cb) -
		     m->l->block_trailer;
		pf_put16(tr, k->cb);
		pf_put16(m->buf + at, k->cb);
		page_reseal(m, m->pg[b->page].ib);
	}
	pf_put32(m->buf + ib + block_crc_at(m, k->cb), pf_crc(m->buf + ib,
							       k->cb));
}

static void blk_drop(struct blk *k)
{
	free(k->d);
	k->d = NULL;
}

/* The block of node NID's data, when it is one external block. */
static const struct bbt_ent *data_block(struct img *m, uint64_t bid)
{
	const struct bbt_ent *b = bbt_find(m, bid);

	if (!b || (bid & PF_BID_INTERNAL) || !block_in_file(m, &b->e))
		return NULL;
	return b;
}

/* ---- heap allocations (MS-PST 2.3.1.5 HNPAGEMAP) ---- */

static uint32_t alloc_cb(const struct blk *k, uint32_t hid)
{
	uint32_t at = hn_hid_at(k->d, k->cb, hid), hnpm = pf_le16(k->d);

	if (!at)
		return 0;
	return pf_le16(k->d + hnpm + 4 + 2 * PF_HID_INDEX(hid)) - at;
}

/* N bytes (zero) inserted at the end of allocation HID: the later
 * allocations and the HNPAGEMAP move up by N. */
static int alloc_grow(struct blk *k, uint32_t hid, uint32_t n)
{
	uint32_t hnpm = pf_le16(k->d), idx = PF_HID_INDEX(hid), c, end;

	if (!hn_hid_at(k->d, k->cb, hid) || n > k->room || n % 2)
		return -1;
	c = pf_le16(k->d + hnpm);
	end = pf_le16(k->d + hnpm + 4 + 2 * idx);
	memmove(k->d + end + n, k->d + end, k->cb - end);
	memset(k->d + end, 0, n);
	k->cb = (uint16_t)(k->cb + n);
	k->room -= n;
	hnpm += n;
	pf_put16(k->d, (uint16_t)hnpm);
	for (uint32_t j = idx; j <= c; j++) {
		uint8_t *r = k->d + hnpm + 4 + 2 * j;

		pf_put16(r, (uint16_t)(pf_le16(r) + n));
	}
	return (int)end;
}

/* A new zero-byte allocation at the end of the heap; its HID, or 0. */
static uint32_t alloc_empty(struct blk *k)
{
	uint32_t hnpm = pf_le16(k->d), c = pf_le16(k->d + hnpm);
	uint32_t last = pf_le16(k->d + hnpm + 4 + 2 * c);

	if (k->room < 2 || hnpm + 4 + 2 * (c + 1) != k->cb)
		return 0;
	pf_put16(k->d + hnpm, (uint16_t)(c + 1));
	pf_put16(k->d + hnpm + 4 + 2 * (c + 1), (uint16_t)last);
	k->cb = (uint16_t)(k->cb + 2);
	k->room -= 2;
	return PF_HID_MAKE(0, c + 1);
}

/* ---- a PC's records (MS-PST 2.3.3.3) ---- */

/* The BTHHEADER of the heap's user root, or 0. */
static uint32_t bth_at(const struct blk *k)
{
	uint32_t at = hn_hid_at(k->d, k->cb, pf_le32(k->d + 4));

	return at && at + 8 <= k->cb ? at : 0;
}

/* The leaf record with key ID in a one-level PC, or 0. */
static uint32_t pc_record(const struct blk *k, uint16_t id)
{
	uint32_t bth = bth_at(k), rec, n;

	if (!bth || k->d[bth + 3] != 0)
		return 0;
	rec = hn_hid_at(k->d, k->cb, pf_le32(k->d + bth + 4));
	n = rec ? alloc_cb(k, pf_le32(k->d + bth + 4)) / 8 : 0;
	for (uint32_t i = 0; i < n; i++)
		if (pf_le16(k->d + rec + 8 * i) == id)
			return rec + 8 * i;
	return 0;
}

/* The allocation HID of PC record ID's value (a HID), or 0. */
static uint32_t pc_value_hid(const struct blk *k, uint16_t id)
{
	uint32_t r = pc_record(k, id), v;

	if (!r)
		return 0;
	v = pf_le32(k->d + r + 4);
	return (v & 0x1F) == 0 && hn_hid_at(k->d, k->cb, v) ? v : 0;
}

/* ---- the message PC fields ---- */

static int msg_pc(struct img *m, const char *f)
{
	const struct bbt_ent *b;
	struct blk k;
	uint32_t bth;

	if (message_block(m, &b) != 0 || blk_open(m, b, &k) != 0)
		return -1;
	bth = bth_at(&k);
	if (!bth || k.d[bth] != 0xB5) {
		blk_drop(&k);
		return pc_fail("ltp-field %s: no BTH", f);
	}
	if (strcmp(f, "hn-userroot") == 0)
		pf_put32(k.d + 4, PF_HID_MAKE(0, 0x7FFu));
	else if (strcmp(f, "bth-btype") == 0)
		k.d[bth] = 0xB6;
	else
		k.d[bth + 3] = 0x40;
	blk_close(m, &k);
	say(m, "message PC block 0x%" PRIx64 ": %s set wrong, block CRC "
	    "fixed", b->e.bref.bid, f);
	return 0;
}

/* ---- a folder's tables ---- */

/* TCINFO (MS-PST 2.3.4.1) of a TC heap, or 0. */
static uint32_t tcinfo(const struct blk *k)
{
	uint32_t at;

	if (k->cb < HNHDR_CB || k->d[3] != 0x7C)
		return 0;
	at = hn_hid_at(k->d, k->cb, pf_le32(k->d + 4));
	return at && at + 22 <= k->cb && k->d[at] == 0x7C ? at : 0;
}

static bool is_folder_table(uint32_t nid, unsigned type)
{
	return PF_NID_TYPE(nid) == type && (nid & ~0x1Fu) >= 0x400;
}

/* A folder table of TYPE in one block with ROWS rows or more (EMPTY:
 * none), its TCINFO at *AT. */
static int pick_table(struct img *m, unsigned type, uint32_t rows,
		      bool empty, struct blk *k, uint32_t *at, uint32_t *nid)
{
	uint32_t *v = calloc(m->nnbt + 1, sizeof(*v)), n = 0;

	if (!v)
		return pc_fail("out of memory");
	for (size_t i = 0; i < m->nnbt; i++) {
		const struct nbt_ent *e = &m->nbt[i];
		const struct bbt_ent *b = data_block(m, e->e.bid_data);
		uint32_t t, bth, cnt;

		if (!is_folder_table((uint32_t)e->e.nid, type) || !b ||
		    blk_open(m, b, k) != 0)
			continue;
		t = tcinfo(k);
		bth = t ? hn_hid_at(k->d, k->cb, pf_le32(k->d + t + 10)) : 0;
		cnt = bth ? alloc_cb(k, pf_le32(k->d + bth + 4)) / 8 : 0;
		if (t && bth && (empty ? pf_le32(k->d + bth + 4) == 0 &&
				 pf_le32(k->d + t + 14) == 0 &&
				 k->room >= 2 : cnt >= rows))
			v[n++] = (uint32_t)i;
		blk_drop(k);
	}
	if (n) {
		const struct nbt_ent *e = &m->nbt[v[pick(m, n)]];

		*nid = (uint32_t)e->e.nid;
		blk_open(m, data_block(m, e->e.bid_data), k);
		*at = tcinfo(k);
	}
	free(v);
	return n ? 0 : pc_fail("no folder table fits");
}

static int table_field(struct img *m, const char *f)
{
	bool empty = strcmp(f, "tc-empty-root") == 0;
	struct blk k;
	uint32_t at, nid, hid;
	uint8_t *col, t[8];

	if (pick_table(m, PF_NT_CONTENTS_TABLE + 0u, 2, empty, &k, &at,
		       &nid) != 0 &&
	    (!empty || pick_table(m, PF_NT_ASSOC_CONTENTS_TABLE, 0, true, &k,
				  &at, &nid) != 0))
		return -1;
	col = k.d + at + 22;                 /* rgTCOLDESC[0] */
	if (strcmp(f, "tc-col-cb") == 0) {
		col[6]++;
	} else if (strcmp(f, "tc-col-type") == 0) {
		pf_put16(col, 0x0999);
	} else if (strcmp(f, "tc-col-order") == 0) {
		memcpy(t, col, 8);
		memcpy(col, col + 8, 8);
		memcpy(col + 8, t, 8);
	} else if (strcmp(f, "tc-rows-zero") == 0) {
		pf_put32(k.d + at + 14, 0);
	} else {
		uint32_t bth = hn_hid_at(k.d, k.cb, pf_le32(k.d + at + 10));

		hid = alloc_empty(&k);
		if (!hid) {
			blk_drop(&k);
			return pc_fail("ltp-field %s: no room", f);
		}
		pf_put32(k.d + bth + 4, hid);
	}
	blk_close(m, &k);
	say(m, "folder table 0x%x: %s set wrong, block CRC fixed", nid, f);
	return 0;
}

/* ---- a message's subnodes (MS-PST 2.2.2.8.3.3 SLBLOCK) ---- */

/* The bidData of the first subnode of TYPE of any message with one, in
 * a leaf SLBLOCK; its message into *MSG. */
static const struct bbt_ent *sub_block(struct img *m, unsigned type,
				       uint32_t *msg)
{
	const struct bbt_ent *v[64];
	uint32_t owner[64];
	size_t n = 0;

	for (size_t i = 0; i < m->nnbt && n < 64; i++) {
		const struct nbt_ent *e = &m->nbt[i];
		const struct bbt_ent *s;
		const uint8_t *d;
		uint32_t cent, w = m->hl.w;

		if (!is_message(e) || !e->e.bid_sub)
			continue;
		s = bbt_find(m, e->e.bid_sub);
		if (!s || !block_in_file(m, &s->e))
			continue;
		d = m->old + s->e.bref.ib;
		cent = pf_le16(d + 2);
		if (d[0] != 0x02 || d[1] != 0 ||
		    (m->ansi ? 4u : 8u) + cent * 3u * w > s->e.cb)
			continue;
		for (uint32_t j = 0; j < cent; j++) {
			const uint8_t *se = d + (m->ansi ? 4 : 8) + j * 3u * w;
			const struct bbt_ent *b;

			if (PF_NID_TYPE((uint32_t)tu_get(se, w)) != type)
				continue;
			b = data_block(m, tu_get(se + w, w));
			if (b) {
				owner[n] = (uint32_t)e->e.nid;
				v[n++] = b;
			}
			break;
		}
	}
	if (!n)
		return NULL;
	n = pick(m, n);
	*msg = owner[n];
	return v[n];
}

static int subnode_field(struct img *m, const char *f)
{
	bool att = strcmp(f, "attach-btype") == 0;
	uint32_t msg = 0, at;
	const struct bbt_ent *b = sub_block(m, att ? PF_NT_ATTACHMENT :
					    PF_NT_RECIPIENT_TABLE, &msg);
	struct blk k;

	if (!b || blk_open(m, b, &k) != 0)
		return b ? -1 : pc_fail("ltp-field %s: no such subnode", f);
	at = att ? bth_at(&k) : tcinfo(&k);
	if (at && att && k.d[at] == 0xB5) {
		k.d[at] = 0xB6;
	} else if (at && strcmp(f, "recip-userroot") == 0) {
		pf_put32(k.d + 4, PF_HID_MAKE(0, 0x7FFu));
	} else if (at && !att) {
		k.d[at] = 0x7D;
	} else {
		blk_drop(&k);
		return pc_fail("ltp-field %s: no TCINFO or BTH", f);
	}
	blk_close(m, &k);
	say(m, "message 0x%x: %s subnode block 0x%" PRIx64 ": %s set wrong, "
	    "block CRC fixed", msg, att ? "attachment" : "recipient table",
	    b->e.bref.bid, f);
	return 0;
}

/* ---- a folder's PC and the NBT ---- */

static int folder_unread(struct img *m)
{
	for (size_t i = 0; i < m->nnbt; i++) {
		const struct nbt_ent *e = &m->nbt[i];
		const struct bbt_ent *b = data_block(m, e->e.bid_data);
		struct blk k;
		uint32_t r;

		if (PF_NID_TYPE(e->e.nid) != PF_NT_NORMAL_FOLDER || !b ||
		    blk_open(m, b, &k) != 0)
			continue;
		/* PidTagContentUnreadCount, an inline PtypInteger32 */
		r = pc_record(&k, 0x3603);
		if (!r || pf_le16(k.d + r + 2) != 0x0003) {
			blk_drop(&k);
			continue;
		}
		pf_put32(k.d + r + 4, pf_le32(k.d + r + 4) + 1);
		blk_close(m, &k);
		say(m, "folder 0x%x: PidTagContentUnreadCount one too many, "
		    "block CRC fixed", (uint32_t)e->e.nid);
		return 0;
	}
	return pc_fail("ltp-field unread: no folder counts unread");
}

static int table_parent(struct img *m)
{
	uint32_t *v = calloc(m->nnbt + 1, sizeof(*v)), n = 0;
	const struct nbt_ent *e;
	uint32_t folder;

	if (!v)
		return pc_fail("out of memory");
	for (size_t i = 0; i < m->nnbt; i++)
		if (is_folder_table((uint32_t)m->nbt[i].e.nid,
				    PF_NT_CONTENTS_TABLE) &&
		    m->nbt[i].e.nid_parent == 0)
			v[n++] = (uint32_t)i;
	if (!n) {
		free(v);
		return pc_fail("ltp-field table-parent: no contents table");
	}
	e = &m->nbt[v[pick(m, n)]];
	free(v);
	folder = pf_nid_with_type((uint32_t)e->e.nid, PF_NT_NORMAL_FOLDER);
	/* NBTENTRY (2.2.2.7.7.4): nid, bidData, bidSub, nidParent */
	pf_put32(m->buf + m->pg[e->page].ib + (uint64_t)e->slot *
		 m->l->nbt_leaf_cb + 3u * m->hl.w, folder);
	page_reseal(m, m->pg[e->page].ib);
	say(m, "NBT entry of contents table 0x%x: nidParent 0x%x, page CRC "
	    "fixed", (uint32_t)e->e.nid, folder);
	return 0;
}

/* ---- the name-to-id map (MS-PST 2.4.7) ---- */

static int nameid_edit(struct blk *k, const char *f)
{
	uint32_t ent = pc_value_hid(k, 0x0003), str = pc_value_hid(k, 0x0004);
	uint32_t e = ent ? hn_hid_at(k->d, k->cb, ent) : 0;
	uint32_t ncb = ent ? alloc_cb(k, ent) : 0;
	int end;

	if (!e || ncb < 16)
		return -1;
	if (strcmp(f, "nameid-guid") == 0) {
		/* record 1: wGuid << 1 | N, wGuid 40 (no such GUID) */
		pf_put16(k->d + e + 12, (uint16_t)((40u << 1) |
						   (k->d[e + 12] & 1u)));
		return 0;
	}
	if (strcmp(f, "nameid-name-odd") == 0) {
		/* the first string-named record's name: its byte count */
		for (uint32_t r = 0; r < ncb / 8; r++) {
			uint32_t s = str ? hn_hid_at(k->d, k->cb, str) : 0;
			uint32_t off = pf_le32(k->d + e + 8 * r);

			if (!(k->d[e + 8 * r + 4] & 1u) || !s ||
			    off + 4 > alloc_cb(k, str))
				continue;
			pf_put32(k->d + s + off, pf_le32(k->d + s + off) - 1);
			return 0;
		}
		return -1;
	}
	end = alloc_grow(k, ent, strcmp(f, "nameid-dup") == 0 ? 8 : 4);
	if (end < 0)
		return -1;
	if (strcmp(f, "nameid-dup") == 0)
		memcpy(k->d + end, k->d + e, 8);
	else
		memset(k->d + end, 0xA5, 4);
	return 0;
}

static int nameid_field(struct img *m, const char *f)
{
	const struct nbt_ent *n = nbt_find(m, PF_NID_NAME_TO_ID_MAP);
	const struct bbt_ent *b = n ? data_block(m, n->e.bid_data) : NULL;
	struct blk k;

	if (!b || blk_open(m, b, &k) != 0)
		return b ? -1 : pc_fail("ltp-field %s: no map block", f);
	if (nameid_edit(&k, f) != 0) {
		blk_drop(&k);
		return pc_fail("ltp-field %s: the map does not fit", f);
	}
	blk_close(m, &k);
	say(m, "name-to-id map block 0x%" PRIx64 ": %s, block CRC fixed",
	    b->e.bref.bid, f);
	return 0;
}

/* ---- the recipe ---- */

int r_ltp_field(struct img *m)
{
	static const char *const names[] = {
		"hn-userroot", "bth-btype", "bth-levels", "tc-col-cb",
		"tc-col-type", "tc-col-order", "tc-rows-zero",
		"tc-empty-root", "recip-btype", "recip-userroot",
		"attach-btype", "unread",
		"table-parent", "nameid-stream-cb", "nameid-dup",
		"nameid-guid", "nameid-name-odd", NULL,
	};
	const char *f = NULL;
	size_t n = 0;

	while (names[n])
		n++;
	if (!m->arg)
		f = names[pick(m, n)];
	for (size_t i = 0; m->arg && i < n; i++)
		if (strcmp(m->arg, names[i]) == 0)
			f = names[i];
	if (!f)
		return pc_fail("no field '%s' here (one of %s, ...)", m->arg,
			       names[0]);
	if (strncmp(f, "hn-", 3) == 0 || strncmp(f, "bth-", 4) == 0)
		return msg_pc(m, f);
	if (strncmp(f, "tc-", 3) == 0)
		return table_field(m, f);
	if (strncmp(f, "recip-", 6) == 0 || strcmp(f, "attach-btype") == 0)
		return subnode_field(m, f);
	if (strcmp(f, "unread") == 0)
		return folder_unread(m);
	if (strcmp(f, "table-parent") == 0)
		return table_parent(m);
	return nameid_field(m, f);
}
