/*
 * rmsg_attach.c - a message's attachment table (MS-PST 2.4.6.1) against
 * its attachment subnodes (2.4.6.2): the check the plan makes and the
 * rebuild the writer does.
 *
 * Contract: the subnodes are the truth (an attachment is its own PC; the
 * table only indexes them).  The rebuilt table has one row per subnode
 * of type NID_TYPE_ATTACHMENT, in NID order, its cells copied byte for
 * byte from the attachment's PC (an attachment whose PC does not open
 * gets its row ID only); the message keeps its bidData and gets a new
 * subnode tree holding every other subnode as it was.
 */
#include <stdlib.h>

#include "../../formats/util/pf_set.h"
#include "../../formats/write/msgw_int.h"
#include "rmsg.h"

bool rmsg_attach_table_ok(struct pf_message *m)
{
	struct pf_set rows = { 0 };
	struct pf_table t;
	bool ok = true;
	int rc = pf_message_attachments(m, &t);

	if (rc != 0 && rc != PF_E_NOTFOUND)
		ok = false;   /* there, but it does not open */
	for (uint32_t r = 0; rc == 0 && r < pf_tc_rows(&t.tc); r++) {
		uint32_t id;

		if (pf_tc_row_id(&t.tc, r, &id) != 0 ||
		    !pf_subnodes_find(&m->sub, id) ||
		    pf_set_add(&rows, id) != 1)
			ok = false;
	}
	if (rc == 0)
		pf_table_close(&t);
	for (uint32_t i = 0; ok && i < m->sub.count; i++)
		if (PF_NID_TYPE(m->sub.v[i].nid) == PF_NT_ATTACHMENT &&
		    !pf_set_has(&rows, m->sub.v[i].nid))
			ok = false;
	pf_set_free(&rows);
	return ok;
}

/* One row: attachment NID's values in column order. */
static void attach_row(struct pf_message *m, uint32_t nid,
		       const uint32_t *cols, uint32_t ncols,
		       struct pf_plist *cells)
{
	struct pf_attachment a;
	bool ok = pf_attachment_open(&a, m, nid) == 0;

	rmsg_row_cells(ok ? &a.pc : NULL, cols, ncols, cells);
	if (ok)
		pf_attachment_close(&a);
}

/* The table as a subnode: its own subnodes (a large row matrix) under
 * its SLENTRY's bidSub. */
static int put_table(struct pf_storew *s, struct pf_message *m,
		     struct pf_subw *out, uint32_t *nrows)
{
	uint32_t cols[MSGW_MAX_COLS], ncols = msgw_attachment_cols(s, cols);
	uint32_t *ids = malloc(((size_t)m->sub.count + 1) * sizeof(*ids));
	uint64_t bid_data = 0, bid_sub = 0;
	struct pf_plist cells;
	struct pf_subw tsub;
	int rc = 0;

	if (!ids)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	*nrows = 0;
	pf_plist_init(&cells, s->unicode);
	pf_subw_init(&tsub, s->w);
	for (uint32_t i = 0; i < m->sub.count; i++) {
		if (PF_NID_TYPE(m->sub.v[i].nid) != PF_NT_ATTACHMENT)
			continue;
		attach_row(m, m->sub.v[i].nid, cols, ncols, &cells);
		ids[(*nrows)++] = m->sub.v[i].nid;
	}
	rc = cells.err;
	if (rc == 0)
		rc = pf_tcw_write(s->w, cols, ncols, ids, cells.v, *nrows,
				  &tsub, &bid_data);
	if (rc == 0)
		rc = pf_writer_put_subnodes(s->w, tsub.v, tsub.n, &bid_sub);
	if (rc == 0)
		rc = pf_subw_add(out, PF_NID_ATTACHMENT_TABLE, bid_data,
				 bid_sub);
	pf_subw_free(&tsub);
	pf_plist_free(&cells);
	free(ids);
	return rc;
}

int rmsg_attach_rebuild(struct pf_storew *s, struct pf_ndb *ndb,
			const struct rmsg_node *n, uint32_t *nrows)
{
	struct pf_message m;
	struct pf_subw sub;
	uint64_t bid_sub = 0;
	int rc = pf_message_open(&m, ndb, n->nid);

	if (rc != 0)
		return rc;
	pf_subw_init(&sub, s->w);
	for (uint32_t i = 0; rc == 0 && i < m.sub.count; i++)
		if (m.sub.v[i].nid != PF_NID_ATTACHMENT_TABLE)
			rc = pf_subw_add(&sub, m.sub.v[i].nid,
					 m.sub.v[i].bid_data,
					 m.sub.v[i].bid_sub);
	if (rc == 0)
		rc = put_table(s, &m, &sub, nrows);
	if (rc == 0)
		rc = pf_writer_put_subnodes(s->w, sub.v, sub.n, &bid_sub);
	if (rc == 0)
		rc = pf_writer_add_node(s->w, n->nid, n->bid_data, bid_sub,
					n->parent);
	pf_subw_free(&sub);
	pf_message_close(&m);
	return rc;
}
