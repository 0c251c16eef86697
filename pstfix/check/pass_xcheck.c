/*
 * pass_xcheck.c - pass 8 (`scan --cross-check`): libpff's view of the
 * folders and item counts against pstfix's.
 *
 * Checks: libpff runs in a child process (pstfix/xcheck); a crash, hang or
 * refusal there is one finding, not our failure.  Our view is the folder
 * tree the NBT parent links define, items = the messages each folder
 * holds in the NBT, sub-folders = its child folders.  libpff counts the
 * rows of the hierarchy and contents tables instead, so where a table and
 * the NBT disagree (pass 7 says which) the readers differ too: each
 * difference is a warning naming the folder and both counts.
 * Relies on: pass 4 (the NBT); reads folder names through formats/msg.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/msg/pf_msg.h"
#include "../xcheck/libpff_view.h"
#include "ck.h"

/* Depth-first from the root, building canonical paths as we go. */
static int add_subtree(struct pf_xview *v, const struct pf_tree *t,
		       uint32_t i, char *path, size_t len, unsigned depth)
{
	const struct pf_tree_folder *f = &t->f[i];
	int rc;

	if (depth > PF_TREE_MAX_DEPTH)
		return 0;
	rc = pf_xview_add(v, path, f->messages, f->nsub, f->nid,
			  PF_NID_TYPE(f->nid) == PF_NT_SEARCH_FOLDER ?
			  PF_XF_SEARCH : 0);
	for (uint32_t c = f->first_child; rc == 0 && c != PF_TREE_NONE;
	     c = t->f[c].next_sibling) {
		size_t n = len;
		const char *name = t->f[c].name ? t->f[c].name : "";

		if (pf_path_append(path, PF_XVIEW_MAX_PATH + 1, &n, name,
				    strlen(name)) != 0)
			continue;   /* too deep a path: leave it out */
		rc = add_subtree(v, t, c, path, n, depth + 1);
		path[len] = '\0';
	}
	return rc;
}

static int our_view(struct pf_ck *ck, struct pf_xview *v)
{
	struct pf_tree t;
	char *path;
	int rc = pf_tree_load(ck->ndb, &t);

	if (rc != 0)
		return rc;
	path = calloc(1, PF_XVIEW_MAX_PATH + 1);
	if (!path)
		rc = pf_error_set(PF_E_NOMEM, "out of memory");
	else if (t.root != PF_TREE_NONE)
		rc = add_subtree(v, &t, t.root, path, 0, 0);
	free(path);
	pf_tree_free(&t);
	return rc;
}

static int on_diff(const struct pf_xdiff *d, void *arg)
{
	struct pf_ck *ck = arg;
	const char *path = d->path[0] ? d->path : "(root folder)";
	uint32_t nid = d->ours ? d->ours->nid : 0;

	switch (d->kind) {
	case PF_XDIFF_ONLY_OURS:
		ck_problem(ck, 8002, PF_NO_IB, 0, nid, 0, 0, path);
		break;
	case PF_XDIFF_ONLY_THEIRS:
		ck_problem(ck, 8003, PF_NO_IB, 0, 0, 0, 0, path);
		break;
	case PF_XDIFF_ITEMS:
		if (d->theirs->flags & PF_XF_ITEMS_UNKNOWN) {
			ck_problem(ck, 8007, PF_NO_IB, 0, nid, d->ours->items,
				   0, path);
			break;
		}
		ck_problem(ck, 8004, PF_NO_IB, 0, nid, d->ours->items,
			   d->theirs->items, path);
		break;
	case PF_XDIFF_SUBFOLDERS:
		ck_problem(ck, 8005, PF_NO_IB, 0, nid, d->ours->subfolders,
			   d->theirs->subfolders, path);
		break;
	}
	return 0;
}

void pass_xcheck(struct pf_ck *ck)
{
	struct pf_xview ours, theirs;
	char why[256];
	uint64_t before = ck->sum->findings[PF_SEV_WARNING];

	ck_progress(ck, PF_PASS_XCHECK, 0, 1);
	pf_xview_init(&ours);
	if (pf_xcheck_libpff(pf_ndb_path(ck->ndb), ck->opts->xcheck_timeout,
			     &theirs, why, sizeof(why)) != 0) {
		ck_problem(ck, 8001, PF_NO_IB, 0, 0, 0, 0, why);
		return;
	}
	if (our_view(ck, &ours) != 0) {
		ck_problem(ck, 8001, PF_NO_IB, 0, 0, 0, 0,
			   "pstfix's own folder tree is unreadable");
	} else {
		pf_xview_diff(&ours, &theirs, on_diff, ck);
		if (ck->sum->findings[PF_SEV_WARNING] == before)
			ck_problem(ck, 8006, PF_NO_IB, 0, 0, theirs.count,
				   theirs.total_items, NULL);
	}
	pf_xview_free(&ours);
	pf_xview_free(&theirs);
	ck_progress(ck, PF_PASS_XCHECK, 1, 1);
}
