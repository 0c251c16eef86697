/*
 * rmsg_orphans.c - step 2 of the messaging repair's plan (rmsg_plan.c):
 * the IPM subtree, "Recovered Items", and where orphans go.
 *
 * Contract: see rmsg.h.  A folder is linked when its parent chain
 * reaches the root folder (MS-PST 2.4.4: the root is its own parent).
 * Each folder is entered once (state 0 new, 1 on the current path, 2
 * linked), so a parent cycle shows as a folder met again on the path and
 * every walk ends after at most one visit per folder.  A standard folder
 * that is not linked goes back under its standard parent; any other goes
 * under "Recovered Items" (created once, found again by name under the
 * IPM subtree on a later repair).  Messages and FAI messages whose parent
 * is not a folder go there too; a folder table whose nidParent is not 0
 * gets 0.
 */
#include <stdlib.h>
#include <string.h>

#include "../../formats/write/msgw_int.h"
#include "rmsg.h"

/* The folder named NAME with the most subfolders, or NULL. */
static struct rmsg_folder *busiest_named(struct rmsg_plan *p,
					 const char *name)
{
	struct rmsg_folder *best = NULL;
	uint32_t best_n = 0;

	for (uint32_t i = 0; i < p->nf; i++) {
		uint32_t n = 0;

		if (!p->f[i].name || strcmp(p->f[i].name, name) != 0 ||
		    PF_NID_TYPE(p->f[i].nid) != PF_NT_NORMAL_FOLDER)
			continue;
		for (uint32_t j = 0; j < p->nf; j++)
			n += p->f[j].parent == p->f[i].nid;
		if (!best || n > best_n) {
			best = &p->f[i];
			best_n = n;
		}
	}
	return best;
}

/* The store names its IPM subtree.  An OST's EntryIDs are Exchange's
 * (not the 24-byte PST form), so there the folder Exchange names
 * "IPM_SUBTREE" (under "Root - Mailbox") stands in; else 0x8022. */
void rmsg_find_ipm(struct rmsg_plan *p, struct pf_ndb *ndb)
{
	struct pf_store_info si;
	struct rmsg_folder *f = NULL;

	p->ipm = 0x8022;
	if (pf_store_read(ndb, &si) == 0) {
		f = rmsg_folder(p, si.nid_ipm_subtree);
		pf_store_info_free(&si);
	}
	if (!f && pf_ndb_header(ndb)->magic_client == PF_MAGIC_CLIENT_OST)
		f = busiest_named(p, "IPM_SUBTREE");
	if (f && PF_NID_TYPE(f->nid) == PF_NT_NORMAL_FOLDER)
		p->ipm = f->nid;
}

/* NID types that share a folder's nidIndex (MS-PST 2.4.4.1). */
static bool folder_index_type(uint32_t nid)
{
	unsigned t = PF_NID_TYPE(nid);

	return rmsg_is_folder(nid) || t == PF_NT_HIERARCHY_TABLE ||
	       t == PF_NT_CONTENTS_TABLE || t == PF_NT_ASSOC_CONTENTS_TABLE ||
	       t == PF_NT_SEARCH_CONTENTS_TABLE;
}

/* An existing "Recovered Items" under the IPM subtree (a second repair
 * reuses it), else a new normal-folder NID above every one in use. */
int rmsg_plan_recovered(struct rmsg_plan *p, struct pf_ndb *ndb,
			uint32_t *cap)
{
	uint32_t idx = pf_ndb_header(ndb)->rgnid[PF_NT_NORMAL_FOLDER];
	struct rmsg_folder *f;
	uint32_t nid;

	if (idx >= (1u << 27) - 1)
		idx = 0;   /* no file has that many: the NBT decides */

	for (uint32_t i = 0; i < p->nf; i++)
		if (p->f[i].parent == p->ipm && p->f[i].name &&
		    PF_NID_TYPE(p->f[i].nid) == PF_NT_NORMAL_FOLDER &&
		    strcmp(p->f[i].name, RMSG_RECOVERED_NAME) == 0) {
			p->recovered = p->f[i].nid;
			return 0;
		}
	/* the new NID and its tables' NIDs (same index) must be free */
	for (uint32_t i = 0; i < p->nnodes; i++)
		if (folder_index_type(p->nodes[i].nid) &&
		    PF_NID_INDEX(p->nodes[i].nid) > idx)
			idx = PF_NID_INDEX(p->nodes[i].nid);
	if (idx < 0x403)
		idx = 0x403;   /* past 0x8022, 0x8042 and 0x8062 */
	if (idx + 1 >= (1u << 27))
		return pf_error_set(PF_E_LIMIT, "no folder NID left for "
				    "'%s'", RMSG_RECOVERED_NAME);
	nid = ((idx + 1) << 5) | PF_NT_NORMAL_FOLDER;
	f = rmsg_add_folder(p, nid, p->ipm, cap);
	if (!f)
		return PF_E_NOMEM;
	f->is_new = true;
	f->name = strdup(RMSG_RECOVERED_NAME);
	if (!f->name)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	p->recovered = nid;
	p->recovered_new = true;
	qsort(p->f, p->nf, sizeof(*p->f), rmsg_cmp_folder);
	return 0;
}

/* Walk up from F to a linked folder (state 2).  PATH gets the folders on
 * the way, each marked 1; *why says what stopped the walk short (a
 * missing parent, a folder that is its own parent, a folder met again: a
 * cycle), NULL when it reached a linked one.  Every folder is entered
 * once, so the walk is at most NF steps. */
static const char *walk_up(struct rmsg_plan *p, struct rmsg_folder *f,
			   struct rmsg_folder **path, uint32_t *n)
{
	struct rmsg_folder *cur = f;

	*n = 0;
	while (cur->state != 2) {
		struct rmsg_folder *up;

		if (cur->state == 1)
			return "a parent cycle";
		cur->state = 1;
		path[(*n)++] = cur;
		up = rmsg_folder(p, cur->parent);
		if (!up)
			return "parent missing or not a folder";
		if (up == cur)
			return "its own parent";
		cur = up;
	}
	return NULL;
}

/* F links through its parents, or goes under PARENT (already linked). */
static void link_fixed(struct rmsg_plan *p, struct rmsg_folder *f,
		       uint32_t parent, struct rmsg_folder **path)
{
	struct rmsg_folder *up = rmsg_folder(p, parent);
	const char *why;
	uint32_t n;

	if (!f || f->state == 2)
		return;
	why = walk_up(p, f, path, &n);
	for (uint32_t k = 0; k < n; k++)
		path[k]->state = why ? 0 : 2;
	if (!why || !up || up->state != 2 || up == f)
		return;
	f->parent = parent;
	f->moved_why = why;
	f->state = 2;
}

/* The standard folders first, root-level ones before Deleted Items, then
 * the IPM subtree (an OST's own) and "Recovered Items" under it: one that
 * does not reach the root goes back under its standard parent, so every
 * later walk can end at them and "Recovered Items" is linked. */
static void link_standard(struct rmsg_plan *p, struct rmsg_folder **path)
{
	static const uint32_t order[] = { 0x8022, 0x8042, 0x2223, 0x8062 };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		link_fixed(p, rmsg_folder(p, order[i]),
			   msgw_std_folder(order[i])->parent, path);
	link_fixed(p, rmsg_folder(p, p->ipm), PF_NID_ROOT_FOLDER, path);
	link_fixed(p, rmsg_folder(p, p->recovered), p->ipm, path);
}

/* Any other folder: when its walk stops short, the last folder on the
 * path (whose parent is missing, itself, or closes the cycle) moves
 * under "Recovered Items", which links the whole path. */
static void link_one(struct rmsg_plan *p, struct rmsg_folder *f,
		     struct rmsg_folder **path)
{
	uint32_t n;
	const char *why = walk_up(p, f, path, &n);

	if (why && n > 0) {   /* "Recovered Items" is linked already */
		path[n - 1]->parent = p->recovered;
		path[n - 1]->moved_why = why;
		p->orphan_folders++;
	}
	for (uint32_t k = 0; k < n; k++)
		path[k]->state = 2;
}

int rmsg_plan_orphans(struct rmsg_plan *p)
{
	struct rmsg_folder *root = rmsg_folder(p, PF_NID_ROOT_FOLDER);
	struct rmsg_folder **path = malloc(((size_t)p->nf + 1) *
					   sizeof(*path));

	if (root) {
		root->parent = root->nid;   /* MS-PST 2.4.4: its own parent */
		root->state = 2;
	}
	if (!path) {   /* no memory for the walk: nothing moves */
		pf_error_set(PF_E_NOMEM, "out of memory");
		return PF_E_NOMEM;
	}
	link_standard(p, path);
	for (uint32_t i = 0; i < p->nf; i++)
		if (p->f[i].state == 0)
			link_one(p, &p->f[i], path);
	free(path);
	for (uint32_t i = 0; i < p->nnodes; i++) {
		struct rmsg_node *n = &p->nodes[i];
		struct rmsg_folder *f;

		if (rmsg_is_folder(n->nid)) {
			f = rmsg_folder(p, n->nid);
			n->parent = f ? f->parent : n->parent;
			continue;
		}
		if (rmsg_is_table(n->nid) && n->parent != 0) {
			n->parent = 0;   /* 2.4.4.1; readpst: an item */
			p->tables_reparented++;
			continue;
		}
		if (!rmsg_is_item(n->nid) || rmsg_folder(p, n->parent))
			continue;
		n->parent = p->recovered;
		p->orphan_msgs++;
	}
	return 0;
}

/* Drop a "Recovered Items" made for nothing. */
void rmsg_drop_unused_recovered(struct rmsg_plan *p)
{
	struct rmsg_folder *ri;

	if (!p->recovered_new || p->orphan_msgs || p->orphan_folders)
		return;
	ri = rmsg_folder(p, p->recovered);
	if (ri) {
		free(ri->name);
		free(ri->cls);
		memmove(ri, ri + 1, (size_t)(p->f + p->nf - (ri + 1)) *
			sizeof(*ri));
		p->nf--;
	}
	p->recovered = 0;
	p->recovered_new = false;
}
