/*
 * ndb_orphans.c - lost and found at the NDB level: messages whose NBT
 * entry was lost with an unreadable NBT page of which no older copy
 * exists (scanpst puts such items in "Lost and Found").
 *
 * Contract
 * - A candidate is a data tree no kept node and no kept block names (an
 *   orphan root) whose block the old BBT still names (the file still held
 *   it allocated: a deleted message's blocks leave the BBT), found only
 *   when some NBT key range was lost - or any orphan with keep_deleted.
 * - When the BBT cannot tell, the candidate is taken as lost, not
 *   deleted.  The BBT cannot tell when the root block's BID (bit 0
 *   clear) lies in a BBT key range lost under an unusable BBT page
 *   (ndb_walk.c: every BID when the BBT root page or the header is gone)
 *   and no block of the data tree (the root and, for an XBLOCK/XXBLOCK,
 *   the blocks it names, MS-PST 2.2.2.8.3.2) lies in a range a valid BBT
 *   page covers without being named there (that would say it was freed).
 *   Deleted messages may then come back, and one note says so.
 * - It must be a message: its first block is a heap-on-node whose client
 *   signature is a PC (MS-PST 2.3.1.2, 2.3.3) with PidTagMessageClass
 *   "IPM..." or "REPORT..." (MS-OXCMSG 2.2.1.3); PidTagMessageFlags'
 *   MSGFLAG_ASSOCIATED (0x40) makes it an associated message (NID type
 *   0x08), else a normal one (0x04).
 * - Its subnode tree (recipients, attachments) is taken only when it is
 *   certain: an orphan SLBLOCK/SIBLOCK with the next BID after the PC's
 *   root (the writers put a message's subnode tree right after its PC)
 *   whose entries include the recipient table (NID 0x692).  Otherwise the
 *   message keeps its properties and loses its recipients and
 *   attachments: a wrong pairing would mix two messages.
 * - The node gets a new NID and nidParent 0: the messaging stage moves it
 *   to "Recovered Items".  Each one is a note; nodes_rebuilt counts them.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../formats/ltp/pf_ltp.h"
#include "../../formats/util/pf_le.h"
#include "ndb_int.h"

#define NID_RECIPIENT_TABLE 0x692u
#define MSGFLAG_ASSOCIATED 0x40
#define PROP_MESSAGE_CLASS 0x001A
#define PROP_MESSAGE_FLAGS 0x0E07

/* Every BID something kept names: node roots and internal blocks' kids. */
static int used_set(struct rp *r, struct pf_set *used)
{
	int rc = 0;

	for (size_t i = 0; rc >= 0 && i < r->nnodes; i++) {
		rc = pf_set_add(used, r->nodes[i].bid_data & ~1ull);
		if (rc >= 0)
			rc = pf_set_add(used, r->nodes[i].bid_sub & ~1ull);
	}
	for (size_t i = 0; rc >= 0 && i < r->nblocks; i++) {
		const struct rp_block *b = &r->blocks[i];

		for (uint32_t k = 0; rc >= 0 && !b->dropped &&
		     k < b->kid_count; k++)
			rc = pf_set_add(used, r->kids[b->kid_first + k] &
					~1ull);
	}
	return rc < 0 ? rc : 0;
}

/* The first data block of tree B, decoded (MS-PST 5.1, 5.2). */
static int first_leaf(struct rp *r, const struct rp_block *b,
		      uint8_t **data, size_t *cb)
{
	struct pf_bbt_entry e;

	for (int depth = 0; b && b->btype == 0x01 && depth < 2; depth++)
		b = b->kid_count ? rp_block_find(r, r->kids[b->kid_first]) :
				   NULL;
	if (!b || (b->bid & PF_BID_INTERNAL))
		return PF_E_NOTFOUND;
	e = (struct pf_bbt_entry){ .bref = { b->bid, b->ib }, .cb = b->cb,
				   .cb_inflated = b->cb_inflated };
	if (pf_block_read_ex(r->ndb, &e, NULL, PF_BLOCK_RAW, data, cb) != 0)
		return PF_E_CORRUPT;
	pf_decode(r->crypt, b->bid, *data, *cb);
	return 0;
}

/* NID type of the message PC in DATA (taken), or 0 when it is none. */
static unsigned message_type(uint8_t *data, size_t cb, char **cls)
{
	struct pf_hn hn;
	struct pf_pc pc;
	int32_t flags = 0;
	unsigned type = 0;

	*cls = NULL;
	if (pf_hn_open_blocks(&hn, &data, &cb, 1, 0, NULL) != 0)
		return 0;
	if (hn.client_sig != PF_BTYPE_PC) {
		pf_hn_close(&hn);
		return 0;
	}
	if (pf_pc_open_hn(&pc, &hn, NULL, NULL, NULL) != 0)
		return 0;
	if (pf_pc_get_string(&pc, PROP_MESSAGE_CLASS, cls) == 0 &&
	    (strncasecmp(*cls, "IPM", 3) == 0 ||
	     strncasecmp(*cls, "REPORT.", 7) == 0)) {
		pf_pc_get_i32(&pc, PROP_MESSAGE_FLAGS, &flags);
		type = (flags & MSGFLAG_ASSOCIATED) ? PF_NT_ASSOC_MESSAGE :
						      PF_NT_NORMAL_MESSAGE;
	}
	pf_pc_close(&pc);
	return type;
}

/* The subnode tree right after PC root P, when it is a message's. */
static const struct rp_block *subtree_of(struct rp *r,
					 const struct rp_block *p,
					 const struct pf_set *used,
					 struct pf_set *taken)
{
	const struct rp_block *s = rp_block_find(r, ((p->bid & ~3ull) + 4) |
						 PF_BID_INTERNAL);
	struct pf_slblock sl;
	uint8_t *data;
	size_t cb;
	bool ok = false;

	if (!s || s->btype != 0x02 || pf_set_has(used, s->bid) ||
	    pf_set_has(taken, s->bid) || rp_block_read(r, s, &data, &cb) != 0)
		return NULL;
	if (pf_slblock_parse(r->l, data, cb, s->bid, NULL, &sl)) {
		for (uint32_t i = 0; i < sl.cent && !ok; i++) {
			const uint8_t *e = sl.rgentries + (size_t)i *
					   sl.cb_entry;
			uint32_t nid = r->l->bid_size == 4 ? pf_le32(e) :
				       (uint32_t)pf_le64(e);

			ok = sl.level == 1 || nid == NID_RECIPIENT_TABLE;
		}
	}
	free(data);
	return ok ? s : NULL;
}

/* What the old BBT says of the block with BID: it names it (1), it
 * covers its key and does not name it, so it was freed (-1), or its key
 * lies in a lost range (0). */
static int bbt_says(struct rp *r, uint64_t bid)
{
	const struct rp_block *b = rp_block_find(r, bid);

	if (b && b->in_bbt)
		return 1;
	return rp_walk_lost(&r->bbt, bid & ~1ull) ? 0 : -1;
}

/* The BBT cannot tell whether tree B was freed (see the contract). */
static bool bbt_cannot_tell(struct rp *r, const struct rp_block *b,
			    int depth)
{
	if (bbt_says(r, b->bid) != 0)
		return false;
	for (uint32_t k = 0; b->btype == 0x01 && depth < 2 &&
	     k < b->kid_count; k++) {
		uint64_t kid = r->kids[b->kid_first + k];
		const struct rp_block *c = rp_block_find(r, kid);

		if (!c)
			continue;      /* not in the file: rp_fix_data cuts */
		if (c->dropped || bbt_says(r, kid) < 0 ||
		    ((kid & PF_BID_INTERNAL) && !bbt_cannot_tell(r, c,
								 depth + 1)))
			return false;
	}
	return true;
}

static int adopt(struct rp *r, const struct rp_block *b, unsigned type,
		 const char *cls, const struct pf_set *used,
		 struct pf_set *taken)
{
	const struct rp_block *s = subtree_of(r, b, used, taken);
	struct fixed d, sub = { 0 };
	uint32_t nid;
	int rc = rp_fix_data(r, b->bid, &d);

	if (rc == 0 && s) {
		rc = rp_fix_subtree(r, s->bid, &sub);
		if (rc == 0)
			rc = pf_set_add(taken, s->bid) < 0 ? PF_E_NOMEM : 0;
	}
	if (rc != 0 || d.dead)
		return rc;
	nid = pf_writer_new_nid(r->w, type);
	rc = nid ? pf_writer_add_node(r->w, nid, d.bid, sub.dead ? 0 : sub.bid,
				      0) : pf_error_set(PF_E_LIMIT, "out of NIDs");
	if (rc != 0)
		return rc;
	r->ctx->counts.nodes_rebuilt++;
	r->ctx->counts.nodes_kept++;
	r->ctx->counts.messages_kept += type == PF_NT_NORMAL_MESSAGE;
	rp_note_item(r, "message PC 0x%llx (%s) no node named: new node 0x%x%s",
		     (unsigned long long)b->bid, cls, nid,
		     s ? " with its subnode tree" :
			 ", without recipients or attachments");
	return 0;
}

/* B is an orphan root the old BBT names, or cannot tell of (*LOST_BBT),
 * or any orphan root with keep_deleted. */
static bool candidate(struct rp *r, const struct rp_block *b,
		      const struct pf_set *used, bool *lost_bbt)
{
	*lost_bbt = false;
	if (b->dropped || pf_set_has(used, b->bid) ||
	    ((b->bid & PF_BID_INTERNAL) && b->btype != 0x01))
		return false;
	*lost_bbt = !b->in_bbt && bbt_cannot_tell(r, b, 0);
	return b->in_bbt || *lost_bbt || r->ctx->keep_deleted;
}

int rp_recover_orphans(struct rp *r)
{
	struct pf_set used = { 0 }, taken = { 0 };
	uint64_t before = r->ctx->counts.nodes_rebuilt, unsure = 0;
	int rc;

	if (r->nbt.nlost == 0 && !r->ctx->keep_deleted)
		return 0;
	rc = used_set(r, &used);
	for (size_t i = 0; rc == 0 && i < r->nblocks; i++) {
		const struct rp_block *b = &r->blocks[i];
		uint8_t *data;
		size_t cb;
		unsigned type;
		char *cls;
		uint64_t n;
		bool lost_bbt;

		if (!candidate(r, b, &used, &lost_bbt))
			continue;
		rc = first_leaf(r, b, &data, &cb);
		if (rc != 0) {
			rc = rc == PF_E_NOMEM || rc == PF_E_IO ? rc : 0;
			continue;
		}
		type = message_type(data, cb, &cls);
		n = r->ctx->counts.nodes_rebuilt;
		if (type)
			rc = adopt(r, b, type, cls, &used, &taken);
		unsure += lost_bbt && r->ctx->counts.nodes_rebuilt > n;
		free(cls);
	}
	if (rc == 0 && r->ctx->counts.nodes_rebuilt > before)
		rp_note(r, "lost and found: %llu messages whose NBT entries "
			"were lost with no copy got new nodes",
			(unsigned long long)(r->ctx->counts.nodes_rebuilt -
					     before));
	if (rc == 0 && unsure > 0)
		rp_note(r, "the BBT is lost: %llu message PCs found by the "
			"scan are kept; deleted items may be among them",
			(unsigned long long)unsure);
	pf_set_free(&used);
	pf_set_free(&taken);
	return rc;
}
