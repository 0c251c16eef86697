/*
 * pass_ltp.c - pass 6: the LTP structures (MS-PST 2.3) of every node.
 *
 * Checks: each node whose NID type says it is a property context (the
 * store, the name-to-id map, folders, messages, and each message's
 * attachments) or a table context (hierarchy, contents, FAI, search
 * contents, attachment and recipient tables, the receive-folder and
 * outgoing-queue tables) is opened as a heap-on-node with its BTH, and
 * validated: every property value resolvable and of the right size, every
 * table row and cell consistent.  The faults come from formats/ltp through
 * the sink; a node that cannot be opened at all is one finding.
 * Relies on: pass 4 (ck->nodes).  Nodes whose data the block pass found
 * unreadable are still tried: the LTP reports what it can reach.
 */
#include <stdio.h>

#include "../../formats/ltp/pf_ltp.h"
#include "../../formats/msg/pf_msg.h"
#include "ck.h"

/* NK_HN: a heap whose client signature may be a TC or one of the
 * reserved ones (search contents tables: Outlook writes 0xAC there). */
enum node_kind { NK_OTHER, NK_PC, NK_TC, NK_HN };

static enum node_kind kind_of(uint32_t nid)
{
	if (nid == PF_NID_MESSAGE_STORE || nid == PF_NID_NAME_TO_ID_MAP)
		return NK_PC;
	switch (PF_NID_TYPE(nid)) {
	case PF_NT_NORMAL_FOLDER:
	case PF_NT_SEARCH_FOLDER:
	case PF_NT_NORMAL_MESSAGE:
	case PF_NT_ASSOC_MESSAGE:
	case PF_NT_ATTACHMENT:
		return NK_PC;
	case PF_NT_SEARCH_CONTENTS_TABLE:
		return NK_HN;
	case PF_NT_RECEIVE_FOLDER_TABLE:
	case PF_NT_OUTGOING_QUEUE_TABLE:
	case PF_NT_HIERARCHY_TABLE:
	case PF_NT_CONTENTS_TABLE:
	case PF_NT_ASSOC_CONTENTS_TABLE:
	case PF_NT_ATTACHMENT_TABLE:
	case PF_NT_RECIPIENT_TABLE:
		return NK_TC;
	default:
		return NK_OTHER;
	}
}

static void cannot_open(struct pf_ck *ck, uint32_t nid, uint64_t bid,
			const char *what)
{
	char extra[300];

	snprintf(extra, sizeof(extra), "%s: %s", what, pf_error_msg());
	ck_problem(ck, 6090, PF_NO_IB, bid, nid, 0, 0, extra);
}

static void check_pc(struct pf_ck *ck, uint32_t nid, uint64_t bid_data,
		     const struct pf_subnodes *sub)
{
	struct pf_pc pc;

	if (pf_pc_open(&pc, ck->ndb, nid, bid_data, sub, &ck->sink) != 0) {
		cannot_open(ck, nid, bid_data, "a property context");
		return;
	}
	pf_pc_validate(&pc, &ck->sink);
	pf_pc_close(&pc);
}

/* MS-PST 2.3.4.1: an empty table has no rows and hnidRows 0; Outlook
 * writes its row index BTH with hidRoot 0.  Some writers (Aspose) point
 * hidRoot at a zero-byte allocation instead: still an empty table by the
 * spec (2.3.2.1: the leaf holds cb / cbRecord records), but libpff reads
 * "record entries but no value array" and drops the folder's items.  A
 * warning, so the difference is visible, not an error. */
static void check_empty_root(struct pf_ck *ck, const struct pf_tc *tc,
			     uint32_t nid)
{
	if (!pf_tc_empty_root_alloc(tc))
		return;
	ck_problem(ck, 6065, PF_NO_IB, 0, nid, tc->rowidx.hid_root, 0, NULL);
}

static void check_tc(struct pf_ck *ck, uint32_t nid, uint64_t bid_data,
		     const struct pf_subnodes *sub)
{
	struct pf_tc tc;

	if (pf_tc_open(&tc, ck->ndb, nid, bid_data, sub, &ck->sink) != 0) {
		cannot_open(ck, nid, bid_data, "a table context");
		return;
	}
	pf_tc_validate(&tc, &ck->sink);
	check_empty_root(ck, &tc, nid);
	pf_tc_close(&tc);
}

static void check_hn(struct pf_ck *ck, uint32_t nid, uint64_t bid_data,
		     const struct pf_subnodes *sub)
{
	struct pf_hn hn;
	struct pf_tc tc;

	if (pf_hn_open(&hn, ck->ndb, nid, bid_data, &ck->sink) != 0) {
		cannot_open(ck, nid, bid_data, "a heap-on-node");
		return;
	}
	if (hn.client_sig != PF_BTYPE_TC) {
		pf_hn_close(&hn);   /* a reserved client type: heap only */
		return;
	}
	if (pf_tc_open_hn(&tc, &hn, ck->ndb, sub, ck->h->variant,
			  &ck->sink) != 0) {
		cannot_open(ck, nid, bid_data, "a table context");
		return;
	}
	pf_tc_validate(&tc, &ck->sink);
	pf_tc_close(&tc);
}

static void check_kind(struct pf_ck *ck, enum node_kind k, uint32_t nid,
		       uint64_t bid_data, const struct pf_subnodes *sub)
{
	if (k == NK_PC)
		check_pc(ck, nid, bid_data, sub);
	else if (k == NK_TC)
		check_tc(ck, nid, bid_data, sub);
	else if (k == NK_HN)
		check_hn(ck, nid, bid_data, sub);
}

/* A message's subnodes: its tables and its attachments' PCs, each with
 * its own subnodes (values too big for the attachment's heap); an
 * attachment's subnodes may hold an embedded message (MS-PST 2.4.6.2.2,
 * a PtypObject naming a message NID) with subnodes of its own.  The
 * recursion is bounded by PF_EMBED_MAX_DEPTH. */
#define PF_EMBED_MAX_DEPTH 16

static void check_subnodes(struct pf_ck *ck, const struct pf_subnodes *sub,
			   unsigned depth)
{
	if (depth > PF_EMBED_MAX_DEPTH)
		return;
	for (uint32_t i = 0; i < sub->count; i++) {
		const struct pf_subnode *s = &sub->v[i];
		enum node_kind k = kind_of(s->nid);
		unsigned t = PF_NID_TYPE(s->nid);
		struct pf_subnodes inner;

		if (k == NK_OTHER || s->nid == PF_NID_MESSAGE_STORE)
			continue;
		if (pf_subnodes_load(ck->ndb, s->bid_sub, NULL, &inner) != 0) {
			cannot_open(ck, s->nid, s->bid_sub, "a subnode tree");
			continue;
		}
		check_kind(ck, k, s->nid, s->bid_data, &inner);
		if (t == PF_NT_ATTACHMENT || t == PF_NT_NORMAL_MESSAGE)
			check_subnodes(ck, &inner, depth + 1);
		pf_subnodes_free(&inner);
	}
}

static void check_node(struct pf_ck *ck, const struct pf_node_rec *n)
{
	enum node_kind k = kind_of(n->nid);
	struct pf_subnodes sub;
	unsigned t = PF_NID_TYPE(n->nid);

	if (k == NK_OTHER || n->bid_data == 0)
		return;
	if (pf_subnodes_load(ck->ndb, n->bid_sub, NULL, &sub) != 0) {
		cannot_open(ck, n->nid, n->bid_sub, "a subnode tree");
		return;
	}
	check_kind(ck, k, n->nid, n->bid_data, &sub);
	if (t == PF_NT_NORMAL_MESSAGE || t == PF_NT_ASSOC_MESSAGE)
		check_subnodes(ck, &sub, 0);
	pf_subnodes_free(&sub);
}

void pass_ltp(struct pf_ck *ck)
{
	if (!ck->bbt_ok) {
		/* without the BBT no node data can be located */
		return;
	}
	for (size_t i = 0; i < ck->nnodes; i++) {
		if (i % 256 == 0)
			ck_progress(ck, PF_PASS_LTP, i, ck->nnodes);
		check_node(ck, &ck->nodes[i]);
	}
	ck_progress(ck, PF_PASS_LTP, ck->nnodes, ck->nnodes);
}
