/*
 * export.c - the walk of `pstfix export`: the folder tree from the NBT
 * (formats/msg tree.c), one directory per folder in pre-order, each
 * folder's messages in NID order (so names and mbox order are the same
 * on every run), then, in salvage mode, the orphans.
 *
 * Messages are found by one pass over the NBT (normal-message NIDs and
 * their nidParent), not through the contents tables, so a folder whose
 * table is damaged still exports everything that names it as parent.
 * FAI (associated) messages are folder settings, not mail: not exported.
 *
 * Orphans (salvage): a message whose parent is not a folder, or is a
 * folder the root does not reach, goes to "Recovered Items" (in a
 * sub-directory named after its unreachable folder when there is one).
 * Without salvage each orphan is logged as skipped with that reason.
 *
 * Passes (export_salvage.c): the same walk reads the file itself
 * (PF_PASS_FILE, folders at DIR) or its trailer-scan rebuild (the other
 * passes: only the messages the first pass did not export, folders at
 * DIR/Recovered Items/Deleted or .../Found by scan, and no directory for
 * a folder with nothing to write).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/util/pf_grow.h"
#include "export.h"

#define PF_EXPORT_PATH_MAX 3000   /* deeper paths are flattened */

struct ref {
	uint32_t parent, nid;
	uint64_t bid;             /* the PC's data block */
};

struct walk {
	struct pf_export ex;
	struct pf_tree tree;
	struct ref *refs;
	size_t nrefs, cap;
	char **dirs;              /* per tree folder: its directory or NULL */
	enum pf_export_pass pass;
	struct pf_export_seen *seen;  /* salvage bookkeeping, or NULL */
	char *base;               /* the root folder's directory */
	char *rec;                /* where orphans go */
};

/* Whether a rebuilt pass takes message E (the first takes all). */
static bool wanted(const struct walk *w, const struct pf_nbt_entry *e)
{
	const struct pf_export_seen *s = w->seen;
	bool deleted;

	if (w->pass == PF_PASS_FILE || !s)
		return true;
	if (pf_set_has(&s->nids, e->nid) ||
	    (e->bid_data && pf_set_has(&s->bids, e->bid_data)))
		return false;   /* the first pass exported it */
	deleted = s->intact && !pf_set_has(&s->listed, e->nid);
	return deleted == (w->pass == PF_PASS_DELETED);
}

static int collect(void *ctx, const struct pf_nbt_entry *e)
{
	struct walk *w = ctx;
	int rc;

	if (PF_NID_TYPE(e->nid) != PF_NT_NORMAL_MESSAGE || !wanted(w, e))
		return 0;
	if (w->pass == PF_PASS_FILE && w->seen) {
		rc = pf_set_add(&w->seen->listed, e->nid);
		if (rc < 0)
			return rc;
	}
	rc = pf_grow(&w->refs, w->nrefs, &w->cap, sizeof(*w->refs));
	if (rc != 0)
		return rc;
	w->refs[w->nrefs].parent = e->nid_parent;
	w->refs[w->nrefs].nid = (uint32_t)e->nid;
	w->refs[w->nrefs].bid = e->bid_data;
	w->nrefs++;
	return 0;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	return x->nid < y->nid ? -1 : x->nid > y->nid;
}

/* The refs whose parent is NID: [*lo, *hi). */
static void range(const struct walk *w, uint32_t nid, size_t *lo, size_t *hi)
{
	size_t a = 0, b = w->nrefs;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (w->refs[m].parent < nid)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	while (a < w->nrefs && w->refs[a].parent == nid)
		a++;
	*hi = a;
}

/* The first pass remembers what it exported (or filtered out): the
 * passes over the rebuild leave those alone. */
static int remember(struct walk *w, const struct ref *r)
{
	int rc;

	if (w->pass != PF_PASS_FILE || !w->seen)
		return 0;
	rc = pf_set_add(&w->seen->nids, r->nid);
	if (rc >= 0 && r->bid)
		rc = pf_set_add(&w->seen->bids, r->bid);
	return rc < 0 ? rc : 0;
}

static int export_refs(struct walk *w, const char *dir, const char *where,
		       size_t lo, size_t hi)
{
	struct pf_export_sink *sink;
	int rc;

	if (lo == hi && w->pass != PF_PASS_FILE)
		return 0;   /* the rebuild's folders only where items go */
	rc = pf_export_sink_open(&sink, w->ex.o, dir);
	if (rc != 0)
		return rc;
	w->ex.sum->folders++;
	for (size_t i = lo; rc == 0 && i < hi; i++) {
		uint64_t skipped = w->ex.sum->skipped;

		if (w->ex.o->stop && w->ex.o->stop(w->ex.o->ctx)) {
			rc = PF_EXPORT_STOPPED;
			break;
		}
		rc = pf_export_item(&w->ex, sink, w->refs[i].nid, where);
		if (rc == 0 && w->ex.sum->skipped == skipped)
			rc = remember(w, &w->refs[i]);
		w->ex.done++;
		if (w->ex.o->progress)
			w->ex.o->progress(w->ex.o->ctx, w->ex.done,
					  w->ex.total);
	}
	if (rc != 0) {
		pf_export_sink_abort(sink);
		return rc;
	}
	return pf_export_sink_close(sink);
}

/* DIRS[child] = DIRS[parent]/component, siblings told apart. */
static int child_dir(struct walk *w, uint32_t parent, uint32_t child)
{
	const struct pf_tree_folder *f = &w->tree.f[child];
	char comp[160], *d;
	size_t n;

	pf_export_component(f->name, f->nid, comp, sizeof(comp));
	for (uint32_t c = w->tree.f[parent].first_child; c != child &&
	     c != PF_TREE_NONE; c = w->tree.f[c].next_sibling) {
		char other[160];

		pf_export_component(w->tree.f[c].name, w->tree.f[c].nid,
				    other, sizeof(other));
		if (strcmp(other, comp) == 0) {
			n = strlen(comp);
			snprintf(comp + n, sizeof(comp) - n, " (0x%x)",
				 f->nid);
			break;
		}
	}
	n = strlen(w->dirs[parent]) + strlen(comp) + 2;
	if (n > PF_EXPORT_PATH_MAX)   /* flatten: still unique by NID */
		n = strlen(w->base) + strlen(comp) + 16;
	d = malloc(n);
	if (!d)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	if (strlen(w->dirs[parent]) + strlen(comp) + 2 > PF_EXPORT_PATH_MAX)
		snprintf(d, n, "%s/%s (0x%x)", w->base, comp, f->nid);
	else
		snprintf(d, n, "%s/%s", w->dirs[parent], comp);
	w->dirs[child] = d;
	return 0;
}

static int export_folder(struct walk *w, uint32_t i)
{
	char where[4096];
	size_t lo, hi;

	pf_tree_path(&w->tree, i, where, sizeof(where));
	range(w, w->tree.f[i].nid, &lo, &hi);
	return export_refs(w, w->dirs[i], where[0] ? where : "/", lo, hi);
}

/* Pre-order from START (the stack holds each folder once). */
static int walk_tree(struct walk *w, uint32_t start)
{
	uint32_t *stack = malloc((w->tree.n + 1) * sizeof(*stack));
	uint32_t top = 0;
	int rc = 0;

	if (!stack)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	stack[top++] = start;
	while (top > 0 && rc == 0) {
		uint32_t i = stack[--top], n = 0, k;

		rc = export_folder(w, i);
		for (uint32_t c = w->tree.f[i].first_child; rc == 0 &&
		     c != PF_TREE_NONE; c = w->tree.f[c].next_sibling) {
			rc = child_dir(w, i, c);
			n++;
		}
		top += n;
		k = top;
		for (uint32_t c = w->tree.f[i].first_child; rc == 0 &&
		     c != PF_TREE_NONE; c = w->tree.f[c].next_sibling)
			stack[--k] = c;
	}
	free(stack);
	return rc;
}

static bool is_orphan(const struct walk *w, uint32_t parent, uint32_t *idx)
{
	*idx = pf_tree_index(&w->tree, parent);
	return *idx == PF_TREE_NONE || !w->tree.f[*idx].reachable;
}

static void log_orphans(struct walk *w)
{
	for (size_t i = 0; i < w->nrefs; i++) {
		uint32_t idx;
		char why[160];

		if (!is_orphan(w, w->refs[i].parent, &idx))
			continue;
		w->ex.sum->skipped++;
		snprintf(why, sizeof(why), "skipped: orphan (parent 0x%x is "
			 "not a reachable folder): not exported without "
			 "--salvage",
			 w->refs[i].parent);
		if (w->ex.o->log)
			w->ex.o->log(w->ex.o->ctx, w->refs[i].nid, "-", why);
	}
}

/* The name of an orphan's folder when it is a folder at all: from the
 * tree, else (tree lost) from the folder's own PC. */
static bool orphan_dir(struct walk *w, uint32_t parent, uint32_t idx,
		       char *comp, size_t cb)
{
	struct pf_folder_info fi;

	if (idx != PF_TREE_NONE) {
		pf_export_component(w->tree.f[idx].name, parent, comp, cb);
		return true;
	}
	if (PF_NID_TYPE(parent) != PF_NT_NORMAL_FOLDER ||
	    pf_folder_read(w->ex.ndb, parent, &fi) != 0)
		return false;
	pf_export_component(fi.name, parent, comp, cb);
	pf_folder_info_free(&fi);
	return true;
}

/* Orphans, grouped by parent (the refs are sorted by parent). */
static int export_orphans(struct walk *w)
{
	char dir[4096], comp[160];
	size_t i = 0;
	int rc = 0;

	while (rc == 0 && i < w->nrefs) {
		uint32_t parent = w->refs[i].parent, idx;
		size_t lo, hi;

		range(w, parent, &lo, &hi);
		i = hi;
		if (!is_orphan(w, parent, &idx))
			continue;
		if (orphan_dir(w, parent, idx, comp, sizeof(comp)))
			snprintf(dir, sizeof(dir), "%s/%s (0x%x)", w->rec,
				 comp, parent);
		else
			snprintf(dir, sizeof(dir), "%s", w->rec);
		rc = export_refs(w, dir, PF_EXPORT_RECOVERED, lo, hi);
		if (w->pass == PF_PASS_FILE)   /* the rebuild's: counted
						  by export_salvage.c */
			w->ex.sum->recovered += hi - lo;
	}
	return rc;
}

/* How many messages the walk from START will look at. */
static uint64_t count_total(const struct walk *w, uint32_t start, bool all)
{
	uint64_t n = 0;

	for (size_t i = 0; i < w->nrefs; i++) {
		uint32_t idx;
		bool orphan = is_orphan(w, w->refs[i].parent, &idx);

		if (all ? (!orphan || w->ex.o->salvage) : (!orphan &&
		    pf_tree_index(&w->tree, w->refs[i].parent) == start))
			n++;
	}
	return n;
}

static int run(struct walk *w, uint32_t start)
{
	bool all = !w->ex.o->folder;
	int rc;

	if (w->nrefs)   /* qsort(NULL, 0) is undefined */
		qsort(w->refs, w->nrefs, sizeof(*w->refs), ref_cmp);
	w->ex.total = count_total(w, start, all);
	w->dirs = calloc(w->tree.n + 1, sizeof(*w->dirs));
	if (!w->dirs)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	if (start == PF_TREE_NONE)   /* no root: everything is an orphan */
		return export_orphans(w);
	if (all) {
		w->dirs[start] = strdup(w->base);
	} else {
		char comp[160];
		size_t n = strlen(w->base) + sizeof(comp) + 2;

		pf_export_component(w->tree.f[start].name,
				    w->tree.f[start].nid, comp, sizeof(comp));
		w->dirs[start] = malloc(n);
		if (w->dirs[start])
			snprintf(w->dirs[start], n, "%s/%s", w->base, comp);
	}
	if (!w->dirs[start])
		return pf_error_set(PF_E_NOMEM, "out of memory");
	rc = walk_tree(w, start);
	if (rc == 0 && all && w->ex.o->salvage)
		rc = export_orphans(w);
	else if (rc == 0 && all)
		log_orphans(w);
	return rc;
}

static void walk_free(struct walk *w)
{
	for (uint32_t i = 0; w->dirs && i <= w->tree.n; i++)
		free(w->dirs[i]);
	free(w->dirs);
	free(w->refs);
	free(w->base);
	free(w->rec);
	if (w->ex.have_map)
		pf_nameid_free(&w->ex.map);
	pf_mimew_buf_free(&w->ex.out);
	pf_tree_free(&w->tree);
	pf_ndb_close(w->ex.ndb);
}

/* The folder tree; in salvage mode a tree that cannot be read is logged
 * and replaced by an empty one (every message becomes an orphan). */
static int load_tree(struct walk *w)
{
	char why[300];
	int rc = pf_tree_load(w->ex.ndb, &w->tree);

	if (rc == 0 || rc == PF_E_NOMEM || !w->ex.o->salvage)
		return rc;
	snprintf(why, sizeof(why), "folder tree unreadable (%s): every "
		 "message found goes to %s", pf_error_msg(),
		 PF_EXPORT_RECOVERED);
	if (w->ex.o->log)
		w->ex.o->log(w->ex.o->ctx, 0, "NBT", why);
	memset(&w->tree, 0, sizeof(w->tree));
	w->tree.root = PF_TREE_NONE;
	if (w->pass == PF_PASS_FILE)
		w->ex.sum->tree_lost = true;
	return 0;
}

static char *path_join(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + (c ? strlen(c) : 0) + 3;
	char *p = malloc(n);

	if (p && c)
		snprintf(p, n, "%s/%s/%s", a, b, c);
	else if (p)
		snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* The pass's directories: DIR and DIR/Recovered Items for the file;
 * DIR/Recovered Items/{Deleted,Found by scan} for both on a rebuild. */
static int dirs_of(struct walk *w)
{
	const char *o = w->ex.o->out_dir, *sub = w->pass == PF_PASS_DELETED ?
		PF_EXPORT_DELETED : PF_EXPORT_FOUND;

	if (w->pass == PF_PASS_FILE) {
		w->base = strdup(o);
		w->rec = path_join(o, PF_EXPORT_RECOVERED, NULL);
	} else {
		w->base = path_join(o, PF_EXPORT_RECOVERED, sub);
		w->rec = w->base ? strdup(w->base) : NULL;
	}
	return w->base && w->rec ? 0 : pf_error_set(PF_E_NOMEM,
						    "out of memory");
}

/* The NBT's messages; the first pass notes whether it read it whole. */
static int collect_all(struct walk *w)
{
	const struct pf_export_opts *o = w->ex.o;
	uint32_t bad = 0;
	int rc;

	if (!o->salvage)
		return pf_nbt_foreach(w->ex.ndb, collect, w);
	rc = pf_export_nbt_walk(w->ex.ndb, o, collect, w, &bad);
	if (w->pass != PF_PASS_FILE)
		return rc;
	w->ex.sum->bad_pages = bad;
	if (rc == 0 && w->seen) {
		w->seen->opened = true;
		w->seen->intact = bad == 0;
	}
	return rc;
}

int pf_export_pass(const char *path, const struct pf_export_opts *opts,
		   struct pf_export_summary *sum, enum pf_export_pass pass,
		   struct pf_export_seen *seen)
{
	struct walk w;
	uint32_t start;
	int rc;

	memset(&w, 0, sizeof(w));
	w.ex.o = opts;
	w.ex.sum = sum;
	w.pass = pass;
	w.seen = seen;
	rc = dirs_of(&w);
	if (rc == 0)
		rc = pf_ndb_open(&w.ex.ndb, path);
	if (rc == 0)
		rc = load_tree(&w);
	if (rc == 0)
		rc = collect_all(&w);
	if (rc != 0 && rc != PF_E_NOMEM && !opts->salvage) {
		char why[400];   /* pf_error_set writes the buffer it reads */

		snprintf(why, sizeof(why), "%s", pf_error_msg());
		pf_error_set(rc, "%s (--salvage goes on past it)", why);
	}
	if (rc != 0)
		goto out;
	w.ex.have_map = pf_nameid_load(w.ex.ndb, &w.ex.map, NULL) == 0;
	start = opts->folder ? pf_tree_find(&w.tree, opts->folder) :
		w.tree.root;
	if (start != PF_TREE_NONE && opts->folder && seen)
		seen->folder_found = true;
	if (start == PF_TREE_NONE && opts->folder && seen) {
		rc = 0;   /* the rebuild may have it: export_salvage.c */
		goto out;
	}
	if (start == PF_TREE_NONE && (opts->folder || !opts->salvage)) {
		rc = pf_error_set(opts->folder ? PF_E_USAGE : PF_E_CORRUPT,
				  opts->folder ? "no folder '%s'" :
				  "no root folder%s (--salvage exports the "
				  "orphans)", opts->folder ?
				  opts->folder : "");
		goto out;
	}
	rc = run(&w, start);
out:
	walk_free(&w);
	return rc;
}

int pf_export_file(const char *path, const struct pf_export_opts *opts,
		   struct pf_export_summary *sum)
{
	memset(sum, 0, sizeof(*sum));
	if (opts->salvage && opts->work_dir)
		return pf_export_salvage(path, opts, sum);
	return pf_export_pass(path, opts, sum, PF_PASS_FILE, NULL);
}
