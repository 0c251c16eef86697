/*
 * outbox_nids.c - which messages the Outbox and Sent Items hold: the
 * normal messages (NID type 0x04, MS-PST 2.2.2.1) whose NBT nidParent is
 * the folder, united with the row IDs of the folder's contents table
 * (MS-PST 2.4.4.5), the way export and the checker see a folder: the
 * parent link is the truth, the table an index that may have lost rows
 * or kept rows of deleted nodes (those fail to open later and are counted
 * as lost, not listed).
 *
 * One NBT walk serves both folders.  Strict mode uses the formats/ndb
 * walk (any unreadable page fails the load, so the caller can salvage);
 * tolerant mode the export salvage walk (export_nbt.c), which skips such
 * pages and counts them.  Bounds: the walks have their own visited sets;
 * the lists are sorted and each NID kept once; at most OB_MAX_ITEMS
 * Outbox items.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/util/pf_grow.h"
#include "../export/export.h"
#include "outbox_int.h"

struct visit {
	struct ob_nids *n;
	uint32_t outbox, sent;
};

static int push(uint32_t **v, size_t *n, size_t *cap, uint32_t nid)
{
	int rc = pf_grow(v, *n, cap, sizeof(**v));

	if (rc != 0)
		return rc;
	(*v)[(*n)++] = nid;
	return 0;
}

static int add(struct ob_nids *n, uint32_t folder, uint32_t out_nid,
	       uint32_t sent_nid, uint32_t nid)
{
	int rc = 0;

	if (PF_NID_TYPE(nid) != PF_NT_NORMAL_MESSAGE)
		return 0;
	if (out_nid && folder == out_nid) {
		if (n->nout >= OB_MAX_ITEMS)
			return pf_error_set(PF_E_LIMIT, "more than %u Outbox "
					    "items", OB_MAX_ITEMS);
		rc = push(&n->outbox, &n->nout, &n->cout, nid);
	}
	if (rc == 0 && sent_nid && folder == sent_nid)
		rc = push(&n->sent, &n->nsent, &n->csent, nid);
	return rc;
}

static int visit(void *ctx, const struct pf_nbt_entry *e)
{
	struct visit *v = ctx;

	return add(v->n, e->nid_parent, v->outbox, v->sent,
		   (uint32_t)e->nid);
}

/* The tolerant walk's lines name the pages it skips; the count is what
 * the load reports (bad_pages), so they are not kept. */
static void tolerant_log(void *ctx, uint32_t nid, const char *where,
			 const char *why)
{
	(void)ctx;
	(void)nid;
	(void)where;
	(void)why;
}

/* The contents table's rows (a table that does not read is noted). */
static int table(struct ob_nids *n, struct pf_ndb *ndb, uint32_t folder,
		 uint32_t out_nid, uint32_t sent_nid)
{
	uint32_t *ids = NULL, count = 0;
	int rc;

	if (!folder)
		return 0;
	rc = pf_folder_table_ids(ndb, folder, PF_NT_CONTENTS_TABLE, &ids,
				 &count);
	if (rc == PF_E_NOMEM)
		return rc;
	if (rc != 0) {
		if (!n->why[0])
			snprintf(n->why, sizeof(n->why), "contents table of "
				 "0x%x: %s", folder, pf_error_msg());
		return 0;
	}
	for (uint32_t i = 0; rc == 0 && i < count; i++)
		rc = add(n, folder, out_nid, sent_nid, ids[i]);
	free(ids);
	return rc;
}

static int nid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void uniq(uint32_t *v, size_t *n)
{
	size_t k = 0;

	if (*n == 0)
		return;
	qsort(v, *n, sizeof(*v), nid_cmp);
	for (size_t i = 0; i < *n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	*n = k;
}

int ob_nids_collect(struct ob_nids *out, struct pf_ndb *ndb,
		    uint32_t nid_outbox, uint32_t nid_sent, bool tolerant)
{
	struct visit v = { .n = out, .outbox = nid_outbox, .sent = nid_sent };
	struct pf_export_opts eo = { .log = tolerant_log };
	int rc;

	memset(out, 0, sizeof(*out));
	if (tolerant)
		rc = pf_export_nbt_walk(ndb, &eo, visit, &v, &out->bad_pages);
	else
		rc = pf_nbt_foreach(ndb, visit, &v);
	if (rc == 0)
		rc = table(out, ndb, nid_outbox, nid_outbox, nid_sent);
	if (rc == 0 && nid_sent != nid_outbox)
		rc = table(out, ndb, nid_sent, nid_outbox, nid_sent);
	if (rc != 0) {
		ob_nids_free(out);
		return rc;
	}
	uniq(out->outbox, &out->nout);
	uniq(out->sent, &out->nsent);
	return 0;
}

void ob_nids_free(struct ob_nids *n)
{
	free(n->outbox);
	free(n->sent);
	n->outbox = n->sent = NULL;
	n->nout = n->nsent = n->cout = n->csent = 0;
}
