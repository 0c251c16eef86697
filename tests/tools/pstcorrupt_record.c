/*
 * pstcorrupt_record.c - what a recipe did, as one JSON object: changed
 * byte ranges with old/new SHA-256, B-tree pages and blocks destroyed
 * (changed and no longer valid) or edited (changed and re-sealed), and the
 * messages whose own blocks or whose NBT leaf page were destroyed, with
 * their subjects (read from IN).
 */
#include "pstcorrupt.h"

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

/* Destroyed: the data is gone or changed so that its CRC no longer
 * matches (what the block held cannot be trusted).  A block whose data is
 * intact but whose trailer was damaged (wSig, BID, cb), or whose data was
 * changed with the CRC recomputed, is "edited": its bytes are all there. */
static int block_state(const struct img *m, const struct pf_bbt_entry *e)
{
	uint64_t ib = e->bref.ib;
	uint32_t size = pf_block_size(m->l, e->cb);
	uint32_t c = block_crc_at(m, e->cb);
	uint64_t tb;

	if (!changed(m, ib, size))
		return S_SAME;
	if (ib + size > m->new_size)
		return S_DESTROYED;
	if (!changed(m, ib, e->cb))
		return S_EDITED;
	/* re-sealed: the CRC matches and the trailer still names the block
	 * (a zeroed block has a matching zero CRC but no BID) */
	tb = ib + size - m->l->block_trailer + (m->ansi ? 4 : 8);
	return pf_le32(m->buf + ib + c) == pf_crc(m->buf + ib, e->cb) &&
	       memcmp(m->buf + tb, m->old + tb, m->hl.w) == 0
	       ? S_EDITED : S_DESTROYED;
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

static bool has_nid(const uint32_t *v, size_t n, uint32_t nid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == nid)
			return true;
	return false;
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
		       tree_destroyed(m, n->e.bid_sub, 0) ||
		       has_nid(m->ruined, m->nruined, (uint32_t)n->e.nid);
		if (kind == 1)
			lost = !lost &&
			       ((m->pg[n->page].level == 0 &&
				 page_state(m, &m->pg[n->page]) ==
				 S_DESTROYED) ||
				has_nid(m->cut_off, m->ncut_off,
					(uint32_t)n->e.nid));
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

int write_record(const struct img *m, const char *path,
			const char *spec, uint64_t seed, const char *in,
			const char *out)
{
	FILE *f = fopen(path, "w");
	struct pf_json j;
	size_t nmsg = 0;
	char h[65];

	if (!f)
		return pc_fail("%s: cannot create", path);
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
		return pc_fail("%s: write error", path);
	return 0;
}
