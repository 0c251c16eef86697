/*
 * tree.c - the folder tree as the NBT parent links define it (MS-PST
 * 2.4.4: a folder's parent is its NBT nidParent; the root folder 0x122 is
 * its own parent).
 *
 * Contract: pf_tree_load() walks the NBT once, keeps every folder node
 * (normal and search), counts the messages and FAI messages whose parent
 * is each folder, and links children to parents.  Folders whose parent is
 * missing, not a folder, or on a cycle are not reachable from the root;
 * they stay in the array with `reachable` false so callers can list them
 * as orphans.  Names come from each folder's PC (a folder whose PC is
 * unreadable keeps a NULL name).  The pre-order walk visits each folder
 * once, depth first, children in NID order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/pf_grow.h"
#include "../util/pf_path.h"
#include "pf_msg.h"

struct load_ctx {
	struct pf_tree *t;
	size_t cap;
	uint32_t *msg_parents;   /* parent NID of each message, for counting */
	uint32_t *assoc_parents;
	size_t nmsg, capmsg, nassoc, capassoc;
};

static int push_u32(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
	if (pf_grow(v, *n, cap, sizeof(**v)) != 0)
		return PF_E_NOMEM;
	(*v)[(*n)++] = x;
	return 0;
}

static int collect(void *arg, const struct pf_nbt_entry *e)
{
	struct load_ctx *c = arg;
	struct pf_tree *t = c->t;
	uint32_t nid = (uint32_t)e->nid;
	unsigned type = PF_NID_TYPE(nid);

	if (type == PF_NT_NORMAL_MESSAGE)
		return push_u32(&c->msg_parents, &c->nmsg, &c->capmsg,
				e->nid_parent);
	if (type == PF_NT_ASSOC_MESSAGE)
		return push_u32(&c->assoc_parents, &c->nassoc, &c->capassoc,
				e->nid_parent);
	if (type != PF_NT_NORMAL_FOLDER && type != PF_NT_SEARCH_FOLDER)
		return 0;
	if (pf_grow(&t->f, t->n, &c->cap, sizeof(*t->f)) != 0)
		return PF_E_NOMEM;
	memset(&t->f[t->n], 0, sizeof(t->f[0]));
	t->f[t->n].nid = nid;
	t->f[t->n].parent = e->nid_parent;
	t->f[t->n].first_child = PF_TREE_NONE;
	t->f[t->n].next_sibling = PF_TREE_NONE;
	t->n++;
	return 0;
}

uint32_t pf_tree_index(const struct pf_tree *t, uint32_t nid)
{
	uint32_t lo = 0, hi = t->n;   /* the NBT walk gives NID order */

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->f[mid].nid == nid)
			return mid;
		if (t->f[mid].nid < nid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return PF_TREE_NONE;
}

static void count_items(struct pf_tree *t, const uint32_t *parents,
			size_t n, bool assoc)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t k = pf_tree_index(t, parents[i]);

		if (k == PF_TREE_NONE) {
			t->orphan_messages++;
			continue;
		}
		if (assoc)
			t->f[k].assoc++;
		else
			t->f[k].messages++;
	}
}

/* Link children in NID order: walk backwards, prepend. */
static void link_children(struct pf_tree *t)
{
	for (uint32_t i = t->n; i-- > 0;) {
		struct pf_tree_folder *f = &t->f[i];
		uint32_t p;

		if (f->nid == PF_NID_ROOT_FOLDER)
			continue;
		p = pf_tree_index(t, f->parent);
		if (p == PF_TREE_NONE || p == i)
			continue;
		f->next_sibling = t->f[p].first_child;
		t->f[p].first_child = i;
		t->f[p].nsub++;
	}
}

/* Mark what the root reaches; a cycle among non-root folders is never
 * linked to the root, and the visited flag stops any other revisit. */
static void mark_reachable(struct pf_tree *t)
{
	uint32_t *stack, top = 0;

	t->root = pf_tree_index(t, PF_NID_ROOT_FOLDER);
	if (t->root == PF_TREE_NONE)
		return;
	stack = malloc((t->n + 1) * sizeof(*stack));
	if (!stack)
		return;
	stack[top++] = t->root;
	t->f[t->root].reachable = true;
	while (top > 0) {
		uint32_t i = stack[--top];

		for (uint32_t c = t->f[i].first_child; c != PF_TREE_NONE;
		     c = t->f[c].next_sibling) {
			if (t->f[c].reachable)
				continue;
			t->f[c].reachable = true;
			t->f[c].depth = t->f[i].depth + 1;
			stack[top++] = c;
		}
	}
	free(stack);
}

static void read_names(struct pf_ndb *ndb, struct pf_tree *t)
{
	for (uint32_t i = 0; i < t->n; i++) {
		struct pf_folder_info fi;

		if (pf_folder_read(ndb, t->f[i].nid, &fi) != 0)
			continue;
		t->f[i].name = fi.name;
		fi.name = NULL;
		t->f[i].content_count = fi.content_count;
		t->f[i].has_content_count = fi.has_content_count;
		pf_folder_info_free(&fi);
	}
}

int pf_tree_load(struct pf_ndb *ndb, struct pf_tree *t)
{
	struct load_ctx c = { .t = t };
	int rc;

	memset(t, 0, sizeof(*t));
	t->root = PF_TREE_NONE;
	rc = pf_nbt_foreach(ndb, collect, &c);
	if (rc == 0) {
		count_items(t, c.msg_parents, c.nmsg, false);
		count_items(t, c.assoc_parents, c.nassoc, true);
		t->messages = c.nmsg;
		link_children(t);
		mark_reachable(t);
		read_names(ndb, t);
	}
	free(c.msg_parents);
	free(c.assoc_parents);
	if (rc != 0)
		pf_tree_free(t);
	return rc;
}

void pf_tree_free(struct pf_tree *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		free(t->f[i].name);
	free(t->f);
	memset(t, 0, sizeof(*t));
	t->root = PF_TREE_NONE;
}

void pf_tree_path(const struct pf_tree *t, uint32_t idx, char *buf, size_t cb)
{
	uint32_t chain[PF_TREE_MAX_DEPTH];
	uint32_t depth = 0;
	size_t n = 0;

	buf[0] = '\0';
	/* climb to (not including) the root; bounded by the depth limit */
	while (idx != PF_TREE_NONE && idx != t->root &&
	       depth < PF_TREE_MAX_DEPTH) {
		chain[depth++] = idx;
		idx = t->f[idx].nid == PF_NID_ROOT_FOLDER ? PF_TREE_NONE :
			pf_tree_index(t, t->f[idx].parent);
	}
	/* the canonical spelling (pf_path.h), the one --cross-check uses;
	 * a path past the buffer is cut at the last name that fits */
	while (depth-- > 0) {
		const char *name = t->f[chain[depth]].name ?
				   t->f[chain[depth]].name : "";

		if (pf_path_append(buf, cb, &n, name, strlen(name)) != 0)
			break;
	}
}

uint32_t pf_tree_find(const struct pf_tree *t, const char *path)
{
	char buf[4096];
	char *end;
	unsigned long nid = strtoul(path, &end, 0);

	if (*path && *end == '\0')   /* a NID, e.g. 0x8082 */
		return pf_tree_index(t, (uint32_t)nid);
	for (uint32_t i = 0; i < t->n; i++) {
		if (!t->f[i].reachable)
			continue;
		pf_tree_path(t, i, buf, sizeof(buf));
		if (strcasecmp(buf, path) == 0)
			return i;
	}
	return PF_TREE_NONE;
}
