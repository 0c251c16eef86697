/*
 * rmsg_salvage.c - the messaging stage's tolerant reads (stage 3 of
 * repair.h): is a table sound enough to keep, which PC properties can be
 * kept when a PC is partly damaged.
 *
 * Contract
 * - rmsg_table_faults() opens a folder table's TC with a counting fault
 *   sink and validates it (MS-PST 2.3.4): any LTP fault (a bad TCINFO,
 *   a row index disagreeing with the row matrix, a cell that does not
 *   resolve) makes the table "unreadable", so the plan rebuilds it from
 *   the NBT instead of keeping a table readers choke on; so does an
 *   empty table whose row index root is a zero-byte allocation (libpff
 *   misreads it, 2.3.4.3).
 *   rmsg_heap_faults() does the same for a node's heap (MS-PST 2.3.1).
 * - rmsg_props_bad() / rmsg_salvage_write(): a message (or FAI message)
 *   whose PC, or one of whose attachments' PCs, holds a property of an
 *   unknown type (MS-PST 2.3.3.3) or whose value names a HID or subnode
 *   that is not there (the NDB stage dropped a dead data tree) is
 *   written again without exactly those properties, each noted; every
 *   other property is copied byte for byte and every other subnode
 *   kept.  The attachment itself (name, size, method) stays.  An
 *   attachment whose PC opens only by a tolerant read (rmsg_heap.c) is
 *   written again from it.
 * - The NDB walks relied on are bounded by formats/ltp and formats/ndb;
 *   loops run over the counts the opened PCs and subnode lists hold.
 */
#include <stdint.h>

#include "../../formats/ltp/pf_ltp.h"
#include "../../formats/ndb/pf_ndb.h"
#include "../../formats/util/pf_err.h"
#include "../../formats/util/pf_set.h"
#include "../../formats/write/msgw_int.h"
#include "rmsg.h"

static void count_fault(void *ctx, const struct pf_fault *f)
{
	(void)f;
	(*(uint32_t *)ctx)++;
}

bool rmsg_heap_faults(struct pf_ndb *ndb, const struct rmsg_node *n)
{
	uint32_t nf = 0;
	struct pf_sink sink = { count_fault, &nf };
	struct pf_subnodes sub;
	struct pf_pc pc;

	if (pf_subnodes_load(ndb, n->bid_sub, NULL, &sub) != 0)
		return false;   /* the NDB stage's business */
	/* the heap (2.3.1), the BTH header and leaf order (2.3.2) */
	if (pf_pc_open(&pc, ndb, n->nid, n->bid_data, &sub, &sink) == 0)
		pf_pc_close(&pc);
	pf_subnodes_free(&sub);
	return nf != 0;
}

int rmsg_table_faults(struct pf_ndb *ndb, uint32_t nid)
{
	struct pf_nbt_entry e;
	struct pf_subnodes sub;
	struct pf_tc tc;
	uint32_t n = 0;
	struct pf_sink sink = { count_fault, &n };
	int rc;

	rc = pf_nbt_lookup(ndb, nid, &e);
	if (rc != 0)
		return rc;
	rc = pf_subnodes_load(ndb, e.bid_sub, NULL, &sub);
	if (rc != 0)
		return rc;
	rc = pf_tc_open(&tc, ndb, nid, e.bid_data, &sub, &sink);
	if (rc == 0) {
		rc = pf_tc_validate(&tc, &sink);
		/* libpff drops the folder's items (PF6065): rewrite it */
		n += pf_tc_empty_root_alloc(&tc);
		pf_tc_close(&tc);
	}
	pf_subnodes_free(&sub);
	/* a TC that fails to open without a fault is still unusable */
	if (rc < 0 && n == 0)
		return rc;
	return (int)n;
}

/* Faults pf_pc_validate() reports for PC; a PF_E_* counts as one.  Values
 * in subnodes are resolved, not read (MS-PST 2.3.3.3). */
static uint32_t pc_faults(const struct pf_pc *pc)
{
	uint32_t n = 0;
	struct pf_sink sink = { count_fault, &n };
	int rc = pf_pc_validate(pc, &sink);

	return rc < 0 && n == 0 ? 1 : n;
}

bool rmsg_props_bad(struct pf_message *m)
{
	bool bad = pc_faults(&m->pc) != 0;

	for (uint32_t i = 0; !bad && i < m->sub.count; i++) {
		struct pf_attachment a;

		char why[RMSG_WHY_CB] = "";

		if (PF_NID_TYPE(m->sub.v[i].nid) != PF_NT_ATTACHMENT)
			continue;
		if (pf_attachment_open(&a, m, m->sub.v[i].nid) == 0) {
			bad = pc_faults(&a.pc) != 0;
		} else if (rmsg_attachment_salvage(&a, m, m->sub.v[i].nid,
						   why, sizeof(why)) == 0) {
			bad = true;   /* it reads tolerantly: rewrite it */
		} else {
			continue;     /* no PC to salvage: kept as it is */
		}
		pf_attachment_close(&a);
	}
	return bad;
}

/* One note per property of PC that rmsg_merge_props() leaves out. */
static void note_dropped(struct rmsg_w *x, const struct pf_pc *pc,
			 uint32_t msg, uint32_t att)
{
	for (uint32_t i = 0; i < pf_pc_count(pc); i++) {
		struct pf_value v;

		if (pf_pc_prop(pc, i, &v) == 0) {
			pf_value_free(&v);
			continue;
		}
		if (att)
			rmsg_note(x->ctx, "attachment 0x%x of message 0x%x: "
				  "dropped property 0x%08x, its value is "
				  "lost (%s)", att, msg, pf_pc_tag(pc, i),
				  pf_error_msg());
		else
			rmsg_note(x->ctx, "message 0x%x: dropped property "
				  "0x%08x, its value is lost (%s)", msg,
				  pf_pc_tag(pc, i), pf_error_msg());
	}
}

/* MS-OXCMSG 2.2.1.3: PidTagMessageClass is required, and libpff and
 * readpst skip a message without one; a class whose value was lost
 * becomes the default "IPM.Note" rather than losing the message. */
static void keep_class(struct rmsg_w *x, struct pf_plist *l, uint32_t nid)
{
	if (pf_plist_find(l, (uint32_t)PF_TAG_MESSAGE_CLASS << 16 | 0x001F) ||
	    pf_plist_find(l, (uint32_t)PF_TAG_MESSAGE_CLASS << 16 | 0x001E))
		return;
	pf_plist_str(l, PF_TAG_MESSAGE_CLASS, "IPM.Note");
	rmsg_note(x->ctx, "message 0x%x: PidTagMessageClass set to IPM.Note "
		  "(its value was lost)", nid);
}

/* PC's properties that resolve into a new PC with the subnodes of SUB
 * that held no value; its bidData and bidSub into *BD / *BS.  MSG is the
 * message's NID when PC is a message's (0: an attachment's). */
static int put_pc(struct rmsg_w *x, const struct pf_pc *pc,
		  const struct pf_subnodes *sub, uint32_t msg, uint64_t *bd,
		  uint64_t *bs)
{
	struct pf_plist l, none;
	struct pf_set vals = { 0 };
	struct pf_subw out;
	int rc;

	pf_plist_init(&l, x->s->unicode);
	pf_plist_init(&none, x->s->unicode);
	pf_subw_init(&out, x->w);
	rmsg_merge_props(&l, pc, &none, NULL, &vals);
	if (msg)
		keep_class(x, &l, msg);
	rc = l.err;
	for (uint32_t i = 0; rc == 0 && i < sub->count; i++)
		if (!pf_set_has(&vals, sub->v[i].nid))
			rc = pf_subw_add(&out, sub->v[i].nid,
					 sub->v[i].bid_data,
					 sub->v[i].bid_sub);
	if (rc == 0)
		rc = pf_pcw_write(x->w, l.v, (uint32_t)l.n, &out, bd);
	if (rc == 0)
		rc = pf_writer_put_subnodes(x->w, out.v, out.n, bs);
	pf_subw_free(&out);
	pf_set_free(&vals);
	pf_plist_free(&none);
	pf_plist_free(&l);
	return rc;
}

/* Subnode E of M into OUT: an attachment with a bad property gets a new
 * PC, every other subnode is kept as it was. */
static int put_subnode(struct rmsg_w *x, struct pf_message *m,
		       const struct pf_subnode *e, struct pf_subw *out)
{
	uint64_t bd = e->bid_data, bs = e->bid_sub;
	struct pf_attachment a;
	char why[RMSG_WHY_CB] = "";
	bool tolerant = false;
	int rc = 0;

	if (PF_NID_TYPE(e->nid) == PF_NT_ATTACHMENT &&
	    pf_attachment_open(&a, m, e->nid) != 0) {
		tolerant = rmsg_attachment_salvage(&a, m, e->nid, why,
						   sizeof(why)) == 0;
		if (!tolerant)
			return pf_subw_add(out, e->nid, bd, bs);
		rmsg_note(x->ctx, "attachment 0x%x of message 0x%x: PC "
			  "written again from a tolerant read (%s)", e->nid,
			  m->nid, why);
	}
	if (PF_NID_TYPE(e->nid) == PF_NT_ATTACHMENT) {
		if (tolerant || pc_faults(&a.pc)) {
			note_dropped(x, &a.pc, m->nid, e->nid);
			rc = put_pc(x, &a.pc, &a.sub, 0, &bd, &bs);
		}
		pf_attachment_close(&a);
	}
	if (rc == 0)
		rc = pf_subw_add(out, e->nid, bd, bs);
	return rc;
}

int rmsg_salvage_write(struct rmsg_w *x, const struct rmsg_node *n)
{
	struct pf_subnodes sub = { 0 };
	struct pf_message m;
	struct pf_subw out;
	uint64_t bd = 0, bs = 0;
	char why[RMSG_WHY_CB] = "";
	int rc = n->fix_heap ? rmsg_message_salvage(&m, x->ndb, n, why,
						    sizeof(why)) :
			       pf_message_open(&m, x->ndb, n->nid);

	if (rc != 0)
		return rc;
	if (n->fix_heap)
		rmsg_note(x->ctx, "message 0x%x: PC written again from a "
			  "tolerant read of its damaged heap (%s)", n->nid,
			  why);
	pf_subw_init(&out, x->w);
	note_dropped(x, &m.pc, m.nid, 0);
	for (uint32_t i = 0; rc == 0 && i < m.sub.count; i++)
		rc = put_subnode(x, &m, &m.sub.v[i], &out);
	/* the message's own subnodes as rewritten, values of its PC
	 * among them (put_pc keeps those that still hold none) */
	sub.v = out.v;
	sub.count = out.n;
	if (rc == 0)
		rc = put_pc(x, &m.pc, &sub, n->nid, &bd, &bs);
	if (rc == 0)
		rc = pf_writer_add_node(x->w, n->nid, bd, bs, n->parent);
	pf_subw_free(&out);
	pf_message_close(&m);
	return rc;
}
