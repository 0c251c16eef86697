/*
 * xview.c - the neutral folder view: paths, bounded storage, sort, diff.
 *
 * Contract: see xview.h.  Paths are formats/util/pf_path.h's canonical
 * spelling.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/util/pf_err.h"
#include "xview.h"

/* ---- the view ---- */

void pf_xview_init(struct pf_xview *v)
{
	memset(v, 0, sizeof(*v));
}

void pf_xview_free(struct pf_xview *v)
{
	for (size_t i = 0; i < v->count; i++)
		free(v->folders[i].path);
	for (size_t i = 0; i < v->nnotes; i++)
		free(v->notes[i]);
	free(v->folders);
	pf_xview_init(v);
}

static int grow(struct pf_xview *v)
{
	size_t cap = v->cap ? v->cap * 2 : 64;
	struct pf_xfolder *f;

	if (cap > PF_XVIEW_MAX_FOLDERS)
		cap = PF_XVIEW_MAX_FOLDERS;
	f = realloc(v->folders, cap * sizeof(*f));
	if (f == NULL)
		return pf_error_set(PF_E_NOMEM, "out of memory (%zu folders)",
				    cap);
	v->folders = f;
	v->cap = cap;
	return 0;
}

static int check_add(const struct pf_xview *v, const char *path, size_t n,
		     uint64_t items, uint64_t subfolders, uint32_t flags)
{
	if (n > PF_XVIEW_MAX_PATH || !pf_path_valid(path, n))
		return pf_error_set(PF_E_USAGE, "not a canonical folder path");
	if (flags & ~PF_XF_ALL)
		return pf_error_set(PF_E_USAGE, "bad folder flags 0x%x",
				    (unsigned)flags);
	if (items > PF_XVIEW_MAX_COUNT || subfolders > PF_XVIEW_MAX_COUNT)
		return pf_error_set(PF_E_LIMIT, "folder count too large");
	if (v->count >= PF_XVIEW_MAX_FOLDERS)
		return pf_error_set(PF_E_LIMIT, "more than %u folders",
				    (unsigned)PF_XVIEW_MAX_FOLDERS);
	if (v->path_bytes + n > PF_XVIEW_MAX_BYTES)
		return pf_error_set(PF_E_LIMIT, "folder paths too large");
	return 0;
}

int pf_xview_add(struct pf_xview *v, const char *path, uint64_t items,
		 uint64_t subfolders, uint32_t nid, uint32_t flags)
{
	size_t n = strnlen(path, PF_XVIEW_MAX_PATH + 1);
	struct pf_xfolder *f;
	int rc;

	rc = check_add(v, path, n, items, subfolders, flags);
	if (rc == 0 && v->count == v->cap)
		rc = grow(v);
	if (rc != 0)
		return rc;
	f = &v->folders[v->count];
	f->path = malloc(n + 1);
	if (f->path == NULL)
		return pf_error_set(PF_E_NOMEM, "out of memory (folder path)");
	memcpy(f->path, path, n + 1);
	f->items = (flags & PF_XF_ITEMS_UNKNOWN) ? 0 : items;
	f->subfolders = (flags & PF_XF_SUBS_UNKNOWN) ? 0 : subfolders;
	f->nid = nid;
	f->flags = flags;
	f->seq = v->count++;
	v->path_bytes += n;
	v->total_items += f->items;
	v->total_subfolders += f->subfolders;
	return 0;
}

int pf_xview_add_note(struct pf_xview *v, const char *text)
{
	size_t n = strnlen(text, PF_XVIEW_MAX_NOTE);
	char *s;

	if (v->nnotes >= PF_XVIEW_MAX_NOTES) {
		v->notes_dropped++;
		return 0;
	}
	/* Do not cut a UTF-8 sequence in two. */
	while (n > 0 && text[n] != '\0' &&
	       ((unsigned char)text[n] & 0xC0) == 0x80)
		n--;
	s = malloc(n + 1);
	if (s == NULL)
		return pf_error_set(PF_E_NOMEM, "out of memory (note)");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		s[i] = (c < 0x20 || c == 0x7F) ? ' ' : (char)c;
	}
	s[n] = '\0';
	v->notes[v->nnotes++] = s;
	return 0;
}

static int cmp_folder(const struct pf_xfolder *a, const struct pf_xfolder *b)
{
	int c = strcmp(a->path, b->path);

	if (c != 0)
		return c;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

static int cmp_folder_q(const void *a, const void *b)
{
	return cmp_folder(a, b);
}

void pf_xview_sort(struct pf_xview *v)
{
	if (v->count > 1)
		qsort(v->folders, v->count, sizeof(*v->folders),
		      cmp_folder_q);
}

/* ---- the diff ---- */

const char *pf_xdiff_kind_name(enum pf_xdiff_kind k)
{
	switch (k) {
	case PF_XDIFF_ONLY_OURS:   return "only in ours";
	case PF_XDIFF_ONLY_THEIRS: return "only in theirs";
	case PF_XDIFF_ITEMS:       return "item count differs";
	case PF_XDIFF_SUBFOLDERS:  return "sub-folder count differs";
	}
	return "unknown difference";
}

/* One side: folders sorted by (path, seq), a paired mark per folder and
 * scratch room for one group. */
struct side {
	const struct pf_xview *v;
	const struct pf_xfolder **by_path;
	const struct pf_xfolder **scratch;
	unsigned char *paired;
};

struct dctx {
	struct side a, b;
	pf_xdiff_fn fn;
	void *arg;
	int found;
};

static int cmp_ptr_path(const void *x, const void *y)
{
	return cmp_folder(*(const struct pf_xfolder *const *)x,
			  *(const struct pf_xfolder *const *)y);
}

static bool items_equal(const struct pf_xfolder *a, const struct pf_xfolder *b)
{
	bool ua = a->flags & PF_XF_ITEMS_UNKNOWN;
	bool ub = b->flags & PF_XF_ITEMS_UNKNOWN;

	return (ua || ub) ? ua == ub : a->items == b->items;
}

static bool subs_equal(const struct pf_xfolder *a, const struct pf_xfolder *b)
{
	bool ua = a->flags & PF_XF_SUBS_UNKNOWN;
	bool ub = b->flags & PF_XF_SUBS_UNKNOWN;

	return (ua || ub) ? ua == ub : a->subfolders == b->subfolders;
}

/* Order by the compared values, then insertion order. */
static int cmp_ptr_counts(const void *x, const void *y)
{
	const struct pf_xfolder *a = *(const struct pf_xfolder *const *)x;
	const struct pf_xfolder *b = *(const struct pf_xfolder *const *)y;
	uint32_t fa = a->flags & (PF_XF_ITEMS_UNKNOWN | PF_XF_SUBS_UNKNOWN);
	uint32_t fb = b->flags & (PF_XF_ITEMS_UNKNOWN | PF_XF_SUBS_UNKNOWN);

	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (a->items != b->items)
		return a->items < b->items ? -1 : 1;
	if (a->subfolders != b->subfolders)
		return a->subfolders < b->subfolders ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

static int setup_side(struct side *s, const struct pf_xview *v)
{
	size_t n = v->count ? v->count : 1;

	s->v = v;
	s->by_path = calloc(n, sizeof(*s->by_path));
	s->scratch = calloc(n, sizeof(*s->scratch));
	s->paired = calloc(n, 1);
	if (s->by_path == NULL || s->scratch == NULL || s->paired == NULL)
		return pf_error_set(PF_E_NOMEM, "out of memory (diff)");
	for (size_t i = 0; i < v->count; i++)
		s->by_path[i] = &v->folders[i];
	qsort(s->by_path, v->count, sizeof(*s->by_path), cmp_ptr_path);
	return 0;
}

static void free_side(struct side *s)
{
	free(s->by_path);
	free(s->scratch);
	free(s->paired);
}

static unsigned char *mark(struct side *s, const struct pf_xfolder *f)
{
	return &s->paired[f - s->v->folders];
}

static int emit(struct dctx *c, enum pf_xdiff_kind kind, size_t dup,
		const struct pf_xfolder *a, const struct pf_xfolder *b)
{
	struct pf_xdiff d = {
		.kind = kind, .path = a ? a->path : b->path, .dup = dup,
		.ours = a, .theirs = b,
	};
	int rc = c->fn ? c->fn(&d, c->arg) : 0;

	if (rc < 0)
		return rc;
	if (c->found < INT_MAX)
		c->found++;
	return 0;
}

/* Pass 1 for a group: pair folders whose counts are identical. */
static void pair_exact(struct dctx *c, size_t ia, size_t na, size_t ib,
		       size_t nb)
{
	const struct pf_xfolder **sa = c->a.scratch, **sb = c->b.scratch;
	size_t i = 0, j = 0;

	memcpy(sa, c->a.by_path + ia, na * sizeof(*sa));
	memcpy(sb, c->b.by_path + ib, nb * sizeof(*sb));
	qsort(sa, na, sizeof(*sa), cmp_ptr_counts);
	qsort(sb, nb, sizeof(*sb), cmp_ptr_counts);
	while (i < na && j < nb) {
		const struct pf_xfolder *x = sa[i], *y = sb[j];
		int r;

		if (items_equal(x, y) && subs_equal(x, y)) {
			*mark(&c->a, x) = 1;
			*mark(&c->b, y) = 1;
			i++, j++;
			continue;
		}
		r = cmp_ptr_counts(&x, &y);
		if (r <= 0)
			i++;
		else
			j++;
	}
}

/* Next unpaired index at or after *k in [*k, end). */
static bool next_free(struct side *s, size_t *k, size_t end)
{
	while (*k < end && *mark(s, s->by_path[*k]))
		(*k)++;
	return *k < end;
}

static int pair_rest(struct dctx *c, size_t ia, size_t na, size_t ib,
		     size_t nb)
{
	size_t i = ia, j = ib, ea = ia + na, eb = ib + nb;
	int rc = 0;

	while (rc == 0 && next_free(&c->a, &i, ea) &&
	       next_free(&c->b, &j, eb)) {
		const struct pf_xfolder *x = c->a.by_path[i];
		const struct pf_xfolder *y = c->b.by_path[j];

		if (!items_equal(x, y))
			rc = emit(c, PF_XDIFF_ITEMS, i - ia, x, y);
		if (rc == 0 && !subs_equal(x, y))
			rc = emit(c, PF_XDIFF_SUBFOLDERS, i - ia, x, y);
		i++, j++;
	}
	for (; rc == 0 && next_free(&c->a, &i, ea); i++)
		rc = emit(c, PF_XDIFF_ONLY_OURS, i - ia, c->a.by_path[i],
			  NULL);
	for (; rc == 0 && next_free(&c->b, &j, eb); j++)
		rc = emit(c, PF_XDIFF_ONLY_THEIRS, j - ib, NULL,
			  c->b.by_path[j]);
	return rc;
}

static size_t group_end(const struct side *s, size_t i)
{
	size_t k = i + 1;

	while (k < s->v->count &&
	       strcmp(s->by_path[k]->path, s->by_path[i]->path) == 0)
		k++;
	return k;
}

static int diff_walk(struct dctx *c)
{
	size_t i = 0, j = 0, na = c->a.v->count, nb = c->b.v->count;
	int rc = 0;

	while (rc == 0 && (i < na || j < nb)) {
		size_t ei = i < na ? group_end(&c->a, i) : i;
		size_t ej = j < nb ? group_end(&c->b, j) : j;
		int r = i >= na ? 1 : j >= nb ? -1 :
			strcmp(c->a.by_path[i]->path, c->b.by_path[j]->path);

		if (r < 0)
			ej = j;
		else if (r > 0)
			ei = i;
		if (r == 0 && (ei - i > 1 || ej - j > 1))
			pair_exact(c, i, ei - i, j, ej - j);
		rc = pair_rest(c, i, ei - i, j, ej - j);
		i = ei;
		j = ej;
	}
	return rc;
}

int pf_xview_diff(const struct pf_xview *ours, const struct pf_xview *theirs,
		  pf_xdiff_fn fn, void *arg)
{
	struct dctx c = { .fn = fn, .arg = arg };
	int rc;

	rc = setup_side(&c.a, ours);
	if (rc == 0)
		rc = setup_side(&c.b, theirs);
	if (rc == 0)
		rc = diff_walk(&c);
	free_side(&c.a);
	free_side(&c.b);
	return rc < 0 ? rc : c.found;
}
