/*
 * rmsg_write.c - the writing half of the messaging repair: OUT from IN
 * and the plan, through the writer's over mode.
 *
 * Contract: see rmsg.h.  OUT starts as a byte copy of IN (or as IN
 * itself, taken over, when ctx->consume_in says it is an earlier stage's
 * temporary: the same bytes without a second copy); every block of
 * IN's BBT is kept where it is (internal blocks with their children, so
 * the commit counts cRef), every NBT entry is added again as it was
 * except a moved orphan's nidParent and the nodes the plan replaces
 * (rewritten folder PCs, rebuilt tables), which get new blocks; the
 * commit frees the blocks nothing references any more.  Rows are built
 * from each message's and subfolder's own PC, values copied byte for
 * byte; a rewritten folder PC keeps every property byte for byte but the
 * three counts (MS-PST 2.4.4.1.1).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../formats/write/msgw_int.h"
#include "rmsg.h"

/* ---- OUT as a copy of IN with every block kept ---- */

static int open_over(struct rmsg_w *x, const char *out)
{
	const struct pf_header *h = pf_ndb_header(x->ndb);
	struct pf_write_opts o = {
		.variant = h->variant, .crypt = (enum pf_crypt)h->crypt_method,
		.ost = h->magic_client == PF_MAGIC_CLIENT_OST,
		.unique_seed = h->unique,
	};
	struct pf_over_counters c = {
		.bid_next_b = h->bid_next_b, .bid_next_p = h->bid_next_p,
		.unique = h->unique,
	};
	int fd = open(pf_ndb_path(x->ndb), O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return pf_error_set(PF_E_IO, "%s: cannot open again",
				    pf_ndb_path(x->ndb));
	memcpy(c.rgnid, h->rgnid, sizeof(c.rgnid));
	if (x->ctx->consume_in)   /* IN is ours: written in place, the
				     reads above stay valid (pf_write.h) */
		rc = pf_writer_open_adopt(&x->w, out, pf_ndb_path(x->ndb),
					  pf_ndb_file_size(x->ndb), &o, &c);
	else
		rc = pf_writer_open_over(&x->w, out, fd,
					 pf_ndb_file_size(x->ndb), &o, &c);
	close(fd);
	return rc;
}

static int keep_block(void *arg, const struct pf_bbt_entry *e)
{
	struct rmsg_w *x = arg;
	uint64_t *kids = NULL;
	uint32_t nkids = 0;
	int rc = 0;

	if (e->bref.bid & PF_BID_INTERNAL) {
		uint8_t *data;
		size_t cb;

		rc = pf_block_read(x->ndb, e, NULL, &data, &cb);
		if (rc == 0) {
			rc = pf_block_kids(pf_ndb_layout(x->ndb), data, cb,
					   e->bref.bid, &kids, &nkids);
			free(data);
		}
	}
	if (rc == 0)
		rc = pf_writer_keep_block(x->w, e->bref.bid, e->bref.ib, e->cb,
					  (uint16_t)e->cb_inflated, kids,
					  nkids);
	free(kids);
	if (rc != 0)   /* stage 3 runs on an NDB that scans clean */
		return pf_error_set(rc, "block 0x%llx cannot be kept (%s): "
				    "the NDB needs repair first",
				    (unsigned long long)e->bref.bid,
				    pf_error_msg());
	return 0;
}

static int keep_nodes(struct rmsg_w *x)
{
	int rc = 0;

	for (uint32_t i = 0; rc == 0 && i < x->p->nnodes; i++) {
		const struct rmsg_node *n = &x->p->nodes[i];

		if (!n->replaced)
			rc = pf_writer_add_node(x->w, n->nid, n->bid_data,
						n->bid_sub, n->parent);
	}
	return rc;
}

/* The properties of folder F as OUT has them (PC, hierarchy row). */
static void folder_plist(struct rmsg_w *x, const struct rmsg_folder *f,
			 struct pf_plist *l)
{
	const struct msgw_std_folder *sf = msgw_std_folder(f->nid);
	struct pf_message m;
	struct pf_plist counts;
	char name[32];

	if (f->pc_ok && pf_message_open(&m, x->ndb, f->nid) == 0) {
		pf_plist_init(&counts, x->s->unicode);
		rmsg_put_counts(&counts, f);
		rmsg_merge_pc(l, &m, &counts, NULL, NULL);
		pf_plist_free(&counts);
		pf_message_close(&m);
		return;
	}
	snprintf(name, sizeof(name), "Folder 0x%x", f->nid);
	msgw_folder_props(l, f->name ? f->name : sf ? sf->name : name,
			  f->cls ? f->cls : sf ? sf->cls : "IPF.Note",
			  f->nmsgs, f->nunread, f->nsubs > 0);
}

/* "was 4" or "was absent" into BUF. */
static const char *was(bool has, int32_t v, char *buf, size_t cb)
{
	if (has)
		snprintf(buf, cb, "was %d", v);
	else
		snprintf(buf, cb, "was absent");
	return buf;
}

/* "3 messages (was 4), subfolders no (was yes)": what changed. */
static const char *count_changes(const struct rmsg_folder *f, char *buf,
				 size_t cb)
{
	char w[32];
	size_t n = 0;

	buf[0] = '\0';
	if (!f->has_count || (uint32_t)f->count_in != f->nmsgs)
		n += (size_t)snprintf(buf + n, cb - n, "%u message%s (%s), ",
				      f->nmsgs, f->nmsgs == 1 ? "" : "s",
				      was(f->has_count, f->count_in, w,
					  sizeof(w)));
	if (n < cb && (!f->has_unread || (uint32_t)f->unread_in != f->nunread))
		n += (size_t)snprintf(buf + n, cb - n, "%u unread (%s), ",
				      f->nunread, was(f->has_unread,
						      f->unread_in, w,
						      sizeof(w)));
	if (n < cb && (!f->has_subfolders_prop ||
		       f->subfolders_in != (f->nsubs > 0)))
		n += (size_t)snprintf(buf + n, cb - n, "subfolders %s (was "
				      "%s), ", f->nsubs ? "yes" : "no",
				      !f->has_subfolders_prop ? "absent" :
				      f->subfolders_in ? "yes" : "no");
	if (n >= 2 && n < cb)
		buf[n - 2] = '\0';
	return buf;
}

static void note_folder(struct rmsg_w *x, const struct rmsg_folder *f)
{
	struct pf_repair_counts *c = &x->ctx->counts;
	char label[96];

	rmsg_folder_label(f, label, sizeof(label));
	if (f->is_new && f->nid == x->p->recovered) {
		rmsg_note(x->ctx, "created folder %s under the IPM subtree "
			  "(0x%x)", label, x->p->ipm);
	} else if (f->is_new) {
		rmsg_note(x->ctx, "recreated mandatory node 0x%x (folder "
			  "'%s')", f->nid, f->name ? f->name : "");
		c->mandatory_recreated++;
	} else if (!f->pc_ok) {
		rmsg_note(x->ctx, "recreated the unreadable PC of folder %s "
			  "(%s) with %u message%s", label, f->name ?
			  "named by its parent's hierarchy row" :
			  "no row names it", f->nmsgs,
			  f->nmsgs == 1 ? "" : "s");
		c->counts_fixed++;
	} else {
		char what[160];

		rmsg_note(x->ctx, "recounted folder %s: %s", label,
			  count_changes(f, what, sizeof(what)));
		c->counts_fixed++;
	}
}

/* A folder PC with the counts set (every other property kept), or a
 * new one when the PC does not open. */
static int rewrite_pc(struct rmsg_w *x, const struct rmsg_folder *f)
{
	struct rmsg_node *n = rmsg_node(x->p, f->nid);
	struct pf_plist l;
	int rc;

	pf_plist_init(&l, x->s->unicode);
	if (f->pc_ok) {
		rmsg_put_counts(&l, f);
		rc = rmsg_set_props(x, f->nid, f->parent, &l, NULL);
	} else {
		folder_plist(x, f, &l);
		rc = msgw_write_pc(x->s, f->nid, f->parent, &l, NULL);
		if (rc == 0 && n)
			n->replaced = true;
	}
	pf_plist_free(&l);
	return rc;
}

/* ---- tables ---- */

/* One contents/FAI row: the message's own values in column order; an
 * unreadable message gets its row ID only. */
static void item_row(struct rmsg_w *x, const struct rmsg_node *n,
		     const uint32_t *cols, uint32_t ncols,
		     struct pf_plist *cells)
{
	struct pf_message m;
	bool ok = !n->unreadable &&
		  pf_message_open(&m, x->ndb, n->nid) == 0;

	rmsg_row_cells(ok ? &m.pc : NULL, cols, ncols, cells);
	if (ok)
		pf_message_close(&m);
}

static int table_rows(struct rmsg_w *x, const struct rmsg_folder *f, int k,
		      const uint32_t *cols, uint32_t ncols,
		      struct pf_plist *cells, uint32_t **ids, uint32_t *nrows)
{
	const struct rmsg_plan *p = x->p;
	size_t cap = (k == RMSG_T_HIER ? f->nsubs : k == RMSG_T_FAI ?
		      f->nassoc : f->nmsgs) + 1;
	unsigned want = k == RMSG_T_FAI ? PF_NT_ASSOC_MESSAGE :
					  PF_NT_NORMAL_MESSAGE;
	uint32_t first, nkids;

	*nrows = 0;
	*ids = malloc(cap * sizeof(**ids));
	if (!*ids)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	if (k == RMSG_T_HIER) {
		for (uint32_t i = 0; i < p->nf && *nrows + 1 < cap; i++) {
			struct pf_plist one;

			if (p->f[i].parent != f->nid || p->f[i].nid == f->nid)
				continue;
			pf_plist_init(&one, x->s->unicode);
			folder_plist(x, &p->f[i], &one);
			pf_plist_row(cells, cols, ncols, &one);
			pf_plist_free(&one);
			(*ids)[(*nrows)++] = p->f[i].nid;
		}
		return cells->err;
	}
	first = 0;
	nkids = rmsg_kids(p, f->nid, &first);
	for (uint32_t i = first; i < first + nkids && *nrows + 1 < cap; i++) {
		const struct rmsg_node *n = &p->nodes[p->kids[i].idx];

		if (PF_NID_TYPE(n->nid) != want)
			continue;
		item_row(x, n, cols, ncols, cells);
		(*ids)[(*nrows)++] = n->nid;
	}
	return cells->err;
}

static int rebuild_table(struct rmsg_w *x, const struct rmsg_folder *f,
			 int k)
{
	uint32_t tnid = pf_nid_with_type(f->nid, rmsg_table_type(k));
	uint32_t cols[MSGW_MAX_COLS], ncols, *ids = NULL, nrows = 0;
	struct rmsg_node *n = rmsg_node(x->p, tnid);
	struct pf_plist cells;
	char label[96];
	int rc;

	ncols = k == RMSG_T_HIER ? msgw_hierarchy_cols(x->s, cols) :
				   msgw_contents_cols(x->s, cols);
	pf_plist_init(&cells, x->s->unicode);
	rc = table_rows(x, f, k, cols, ncols, &cells, &ids, &nrows);
	/* nidParent 0, as Outlook writes a folder's tables (MS-PST 2.4.4.1) */
	if (rc == 0)
		rc = msgw_write_tc(x->s, tnid, 0, cols, ncols, ids, &cells,
				   nrows);
	if (rc == 0) {
		if (n)
			n->replaced = true;
		rmsg_note(x->ctx, "rebuilt the %s table of %s: %u rows, %s",
			  rmsg_table_name(k),
			  rmsg_folder_label(f, label, sizeof(label)), nrows,
			  f->why[k]);
		x->ctx->counts.tables_rebuilt++;
	}
	free(ids);
	pf_plist_free(&cells);
	return rc;
}

/* ---- the whole plan ---- */

static int write_missing(struct rmsg_w *x)
{
	int rc = 0;

	for (uint32_t i = 0; rc == 0 && i < x->p->nmissing; i++) {
		uint32_t nid = x->p->missing[i];

		rc = msgw_put_mandatory(x->s, nid);
		if (rc != 0)
			break;
		rmsg_note(x->ctx, "%s mandatory node 0x%x (%s)%s",
			  x->p->missing_there[i] ? "replaced" : "recreated",
			  nid, rmsg_mandatory_name(nid),
			  x->p->missing_there[i] ? ": it did not open" : "");
		x->ctx->counts.mandatory_recreated++;
	}
	return rc;
}

static int write_folders(struct rmsg_w *x)
{
	int rc = 0;

	for (uint32_t i = 0; rc == 0 && i < x->p->nf; i++) {
		const struct rmsg_folder *f = &x->p->f[i];

		if (!f->rewrite_pc)
			continue;
		rc = rewrite_pc(x, f);
		if (rc == 0)
			note_folder(x, f);
	}
	for (uint32_t i = 0; rc == 0 && i < x->p->nf; i++)
		for (int k = 0; rc == 0 && k < RMSG_T__COUNT; k++)
			if (x->p->f[i].rebuild & (1u << k))
				rc = rebuild_table(x, &x->p->f[i], k);
	return rc;
}

/* Messages whose attachment table disagrees with their subnodes. */
static int write_attachments(struct rmsg_w *x)
{
	uint32_t done = 0, nrows;
	int rc = 0;

	for (uint32_t i = 0; rc == 0 && i < x->p->nnodes; i++) {
		const struct rmsg_node *n = &x->p->nodes[i];

		if (n->fix_props)
			rc = rmsg_salvage_write(x, n);
		else if (n->fix_recip)
			rc = rmsg_recip_rebuild(x, n);
		if (rc != 0)
			break;
		if (!n->fix_attach)
			continue;
		rc = rmsg_attach_rebuild(x->s, x->ndb, n, &nrows);
		if (rc != 0)
			break;
		if (++done <= 20)
			rmsg_note(x->ctx, "rebuilt the attachment table of "
				  "message 0x%x: %u row%s from its attachment "
				  "subnodes", n->nid, nrows,
				  nrows == 1 ? "" : "s");
		x->ctx->counts.tables_rebuilt++;
	}
	if (done > 20)
		rmsg_note(x->ctx, "rebuilt the attachment tables of %u more "
			  "messages", done - 20);
	return rc;
}

/* Mark what the builders will replace, so keep_nodes skips it. */
static void mark_replaced(struct rmsg_plan *p)
{
	struct rmsg_node *n;

	for (uint32_t i = 0; i < p->nmissing; i++) {
		n = rmsg_node(p, p->missing[i]);
		if (n)
			n->replaced = true;   /* there, but it did not open */
	}
	n = rmsg_node(p, PF_NID_MESSAGE_STORE);
	if (n && p->store_lacks)
		n->replaced = true;
	n = rmsg_node(p, PF_NID_NAME_TO_ID_MAP);
	if (n && p->nameid_rehash)
		n->replaced = true;
	for (uint32_t i = 0; i < p->nnodes; i++)
		if (p->nodes[i].fix_attach || p->nodes[i].fix_props ||
		    p->nodes[i].fix_recip)
			p->nodes[i].replaced = true;
	for (uint32_t i = 0; i < p->nf; i++) {
		n = rmsg_node(p, p->f[i].nid);
		if (n && p->f[i].rewrite_pc)
			n->replaced = true;
		for (int k = 0; k < RMSG_T__COUNT; k++) {
			n = rmsg_node(p, pf_nid_with_type(p->f[i].nid,
							 rmsg_table_type(k)));
			if (n && (p->f[i].rebuild & (1u << k)))
				n->replaced = true;
		}
	}
}

int rmsg_plan_write(struct rmsg_plan *p, struct pf_ndb *ndb,
		    const char *out, struct pf_repair_ctx *ctx)
{
	struct rmsg_w x = { .p = p, .ndb = ndb, .ctx = ctx };
	struct pf_storew_opts so = { .seed = pf_ndb_header(ndb)->unique };
	int rc = open_over(&x, out);

	if (rc != 0)
		return rc;
	rc = pf_bbt_foreach(ndb, keep_block, &x);
	if (rc == 0)
		rc = pf_storew_attach(&x.s, x.w, &so, p->has_record_key ?
				      p->record_key : NULL);
	if (rc == 0) {
		memcpy(x.s->std, p->std, sizeof(x.s->std));
		mark_replaced(p);
		rc = keep_nodes(&x);
	}
	if (rc == 0)
		rc = write_missing(&x);
	if (rc == 0)
		rc = rmsg_fix_store(&x);
	if (rc == 0)
		rc = rmsg_fix_nameid(&x);
	if (rc == 0)
		rc = write_attachments(&x);
	if (rc == 0)
		rc = write_folders(&x);
	pf_storew_abort(x.s);   /* the store only; the writer is ours */
	if (rc != 0) {
		pf_writer_abort(x.w);
		return rc;
	}
	return pf_writer_commit(x.w);
}
