/*
 * export_nbt.c - the node B-tree walk of salvage: every leaf entry of the
 * NBT (MS-PST 2.2.2.7.7.4) that can be reached, going past pages that
 * cannot be read instead of stopping at the first one (the formats/ndb
 * walk is strict: a scan must not guess).
 *
 * Bounds: depth PF_BT_MAX_DEPTH, every page visited once (a set of page
 * offsets, so a cycle ends), a level that does not decrease by one ends
 * that branch.  Each page skipped is counted and reported through the
 * log callback with its offset; the nodes below it are lost to this
 * export (a rebuild from a trailer scan, `pstfix repair`, finds them).
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../formats/util/pf_set.h"
#include "export.h"

struct tolerant {
	struct pf_ndb *ndb;
	struct pf_set seen;
	pf_nbt_visit_fn fn;
	void *ctx;
	uint32_t bad;
	const struct pf_export_opts *o;
};

static void bad_page(struct tolerant *t, const struct pf_bref *b,
		     const char *why)
{
	char msg[200];

	t->bad++;
	snprintf(msg, sizeof(msg), "skipped: NBT page at 0x%llx (bid "
		 "0x%llx) %s: the nodes below it are not exported",
		 (unsigned long long)b->ib, (unsigned long long)b->bid, why);
	if (t->o->log)
		t->o->log(t->o->ctx, 0, "NBT", msg);
}

static int walk(struct tolerant *t, const struct pf_bref *b, uint32_t level,
		unsigned depth)
{
	const struct pf_layout *l = pf_ndb_layout(t->ndb);
	uint8_t *page;
	struct pf_btpage bt;
	int rc = 0;

	if (depth > PF_BT_MAX_DEPTH) {
		bad_page(t, b, "is deeper than any B-tree");
		return 0;
	}
	rc = pf_set_add(&t->seen, b->ib);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		bad_page(t, b, "is referenced twice");
		return 0;
	}
	page = malloc(l->page_size);
	if (!page)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	if (pf_page_read(t->ndb, b->ib, page) != 0 ||
	    !pf_page_check(l, page, b->ib, PF_PTYPE_NBT, b->bid, PF_OBJ_NBT,
			   NULL) ||
	    !pf_btpage_parse(l, page, b->ib, PF_OBJ_NBT, NULL, &bt) ||
	    (level != UINT32_MAX && bt.level != level)) {
		bad_page(t, b, "cannot be read");
		free(page);
		return 0;
	}
	rc = 0;
	for (uint32_t i = 0; rc == 0 && i < bt.cent; i++) {
		if (bt.level == 0) {
			struct pf_nbt_entry e;

			pf_nbt_entry_get(l, &bt, i, &e);
			rc = t->fn(t->ctx, &e);
		} else {
			struct pf_bt_branch br;

			pf_bt_branch_get(l, &bt, i, &br);
			rc = walk(t, &br.bref, bt.level - 1, depth + 1);
		}
	}
	free(page);
	return rc;
}

int pf_export_nbt_walk(struct pf_ndb *ndb, const struct pf_export_opts *o,
		       pf_nbt_visit_fn fn, void *ctx, uint32_t *bad_pages)
{
	struct tolerant t = { .ndb = ndb, .fn = fn, .ctx = ctx, .o = o };
	int rc = walk(&t, &pf_ndb_header(ndb)->root.nbt, UINT32_MAX, 0);

	pf_set_free(&t.seen);
	*bad_pages = t.bad;
	return rc;
}
