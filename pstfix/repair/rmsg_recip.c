/*
 * rmsg_recip.c - a message's recipient table (subnode 0x692, MS-PST
 * 2.4.5.2) that does not open: put right from what survives, or, when
 * nothing does, an empty one in its place and the loss said.
 *
 * Contract
 * - rmsg_recip_bad(): the message has a recipient table and it does not
 *   open as a TC (a message without one, a note or a contact, is fine).
 * - rmsg_recip_rebuild(): the table's heap is read tolerantly (HNHDR and
 *   HNPAGEMAP as rmsg_heap.c puts them right; TCINFO.bType is 0x7C by
 *   2.3.4.1) and kept only when it then opens and validates without a
 *   fault: its blocks are written again byte for byte with those fields
 *   set, its own subnodes (a large row matrix) kept.  Otherwise the
 *   recipients are gone (their only copy is that table): an empty table
 *   with the writer's recipient columns takes its place, so readers open
 *   the message, and the report says the recipients were lost.  The
 *   message keeps its bidData and gets a new subnode tree with every
 *   other subnode as it was.
 * - Reads are bounded by formats/ndb and formats/ltp (PF_HN_MAX_BLOCKS
 *   blocks); the edit is one byte of block 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/ltp/pf_ltp.h"
#include "../../formats/util/pf_le.h"
#include "../../formats/write/msgw_int.h"
#include "rmsg.h"

bool rmsg_recip_bad(struct pf_message *m)
{
	struct pf_table t;
	int rc = pf_message_recipients(m, &t);

	if (rc == 0)
		pf_table_close(&t);
	return rc != 0 && rc != PF_E_NOTFOUND;
}

static void count_fault(void *ctx, const struct pf_fault *f)
{
	(void)f;
	(*(uint32_t *)ctx)++;
}

/* Copies of the N blocks (for the heap to own). */
static int copy_blocks(uint8_t **b, const size_t *cbs, uint32_t n,
		       uint8_t ***out, size_t **ocbs)
{
	*out = calloc(n, sizeof(**out));
	*ocbs = calloc(n, sizeof(**ocbs));
	if (!*out || !*ocbs)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	for (uint32_t i = 0; i < n; i++) {
		(*ocbs)[i] = cbs[i];
		if (!b[i])
			continue;
		(*out)[i] = malloc(cbs[i] + 1);
		if (!(*out)[i])
			return pf_error_set(PF_E_NOMEM, "out of memory");
		memcpy((*out)[i], b[i], cbs[i]);
	}
	return 0;
}

/* Does the heap (B, CBS, N) open as a TC without a single fault? */
static bool opens_clean(struct pf_ndb *ndb, uint8_t **b, size_t *cbs,
			uint32_t n, const struct pf_subnode *e)
{
	uint8_t **cb_copy = NULL;
	size_t *cbs_copy = NULL;
	struct pf_subnodes sub;
	struct pf_hn hn;
	struct pf_tc tc;
	uint32_t nf = 0;
	struct pf_sink sink = { count_fault, &nf };
	bool ok = false;

	if (copy_blocks(b, cbs, n, &cb_copy, &cbs_copy) != 0) {
		rmsg_heap_free(cb_copy, cbs_copy, n);
		return false;
	}
	/* takes the copies, success or not; the arrays stay ours */
	ok = pf_hn_open_blocks(&hn, cb_copy, cbs_copy, n, e->nid, &sink) == 0;
	free(cb_copy);
	free(cbs_copy);
	if (!ok)
		return false;
	ok = false;
	hn.wide_hid = pf_ndb_layout(ndb)->page_size == 4096;
	if (pf_subnodes_load(ndb, e->bid_sub, NULL, &sub) != 0) {
		pf_hn_close(&hn);
		return false;
	}
	if (pf_tc_open_hn(&tc, &hn, ndb, &sub, pf_ndb_header(ndb)->variant,
			  &sink) == 0) {
		ok = pf_tc_validate(&tc, &sink) == 0 && nf == 0;
		pf_tc_close(&tc);
	}
	pf_subnodes_free(&sub);
	return ok;
}

/* TCINFO.bType of block 0 set to 0x7C (MS-PST 2.3.4.1); WHY says so. */
static void fix_tcinfo(struct pf_ndb *ndb, uint8_t *d, size_t cb, char *why,
		       size_t cbwhy)
{
	uint32_t len = 0;
	uint8_t *p = rmsg_heap0_alloc(d, cb, pf_ndb_layout(ndb)->page_size ==
				      4096, pf_le32(d + 4), &len);
	size_t at = strlen(why);

	if (!p || len < 22 || p[0] == PF_BTYPE_TC)
		return;
	snprintf(why + at, cbwhy - at, "%sTCINFO bType 0x%x set to 0x7c",
		 at ? ", " : "", p[0]);
	p[0] = PF_BTYPE_TC;
}

/* The table E put right into *BD (its bidSub kept); false when it
 * cannot be. */
static bool put_fixed(struct rmsg_w *x, const struct pf_subnode *e,
		      uint64_t *bd, char *why, size_t cbwhy)
{
	uint8_t **b = NULL;
	size_t *cbs = NULL;
	uint32_t n = 0;
	bool ok = false;

	if (rmsg_heap_read(x->ndb, e->bid_data, &b, &cbs, &n, why, cbwhy) != 0)
		return false;
	fix_tcinfo(x->ndb, b[0], cbs[0], why, cbwhy);
	for (uint32_t i = 0; i < n; i++)
		if (!b[i])
			goto out;   /* a lost page: rows would be missing */
	ok = opens_clean(x->ndb, b, cbs, n, e) &&
	     pf_writer_put_blocks(x->w, b, cbs, n, bd) == 0;
out:
	rmsg_heap_free(b, cbs, n);
	return ok;
}

/* An empty recipient table into *BD, *BS. */
static int put_empty(struct rmsg_w *x, uint64_t *bd, uint64_t *bs)
{
	uint32_t cols[MSGW_MAX_COLS], ncols = msgw_recipient_cols(x->s, cols);
	struct pf_subw tsub;
	int rc;

	pf_subw_init(&tsub, x->w);
	rc = pf_tcw_write(x->w, cols, ncols, NULL, NULL, 0, &tsub, bd);
	if (rc == 0)
		rc = pf_writer_put_subnodes(x->w, tsub.v, tsub.n, bs);
	pf_subw_free(&tsub);
	return rc;
}

/* The recipient table E into OUT, put right or replaced. */
static int put_table(struct rmsg_w *x, const struct rmsg_node *n,
		     const struct pf_subnode *e, struct pf_subw *out)
{
	uint64_t bd = 0, bs = e->bid_sub;
	char why[RMSG_WHY_CB] = "";
	int rc = 0;

	if (put_fixed(x, e, &bd, why, sizeof(why))) {
		rmsg_note(x->ctx, "message 0x%x: recipient table written "
			  "again from a tolerant read (%s)", n->nid, why);
	} else {
		rc = put_empty(x, &bd, &bs);
		rmsg_note(x->ctx, "message 0x%x: recipient table unreadable, "
			  "replaced by an empty one: its recipients are lost "
			  "(the original file keeps the old table)", n->nid);
	}
	x->ctx->counts.tables_rebuilt++;
	return rc ? rc : pf_subw_add(out, e->nid, bd, bs);
}

int rmsg_recip_rebuild(struct rmsg_w *x, const struct rmsg_node *n)
{
	struct pf_subnodes sub;
	struct pf_subw out;
	uint64_t bid_sub = 0;
	int rc = pf_subnodes_load(x->ndb, n->bid_sub, NULL, &sub);

	if (rc != 0)
		return rc;
	pf_subw_init(&out, x->w);
	for (uint32_t i = 0; rc == 0 && i < sub.count; i++)
		rc = sub.v[i].nid == PF_NID_RECIPIENT_TABLE ?
		     put_table(x, n, &sub.v[i], &out) :
		     pf_subw_add(&out, sub.v[i].nid, sub.v[i].bid_data,
				 sub.v[i].bid_sub);
	if (rc == 0)
		rc = pf_writer_put_subnodes(x->w, out.v, out.n, &bid_sub);
	if (rc == 0)
		rc = pf_writer_add_node(x->w, n->nid, n->bid_data, bid_sub,
					n->parent);
	pf_subw_free(&out);
	pf_subnodes_free(&sub);
	return rc;
}
