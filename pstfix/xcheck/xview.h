/*
 * xview.h - a reader-neutral view of a store's folder tree, and the diff
 * that `pstfix scan --cross-check` runs between two readers' views.
 *
 * Contract:
 * - A view is a flat list of folders.  Each folder has a path, the number
 *   of items (messages directly in it: contents-table rows, not associated
 *   contents, not embedded messages), the number of sub-folders
 *   (hierarchy-table rows), the NID when the reader knows it (0 if not) and
 *   PF_XF_* flags.  The view owns every string in it.
 * - Paths start below the root folder (NID 0x122), which is itself in the
 *   view with the empty path "".  Its children are "Top of Personal
 *   Folders", "Search Root", ...; deeper folders join escaped names with
 *   '/': "Top of Personal Folders/Inbox".
 * - Escaping (pf_path_append) makes a path unambiguous and printable:
 *   '%', '/', C0 controls, DEL, C1 controls (U+0080..U+009F) and bytes that
 *   are not well-formed UTF-8 become %XX (upper-case hex, one per byte); an
 *   empty name becomes "%00".  Nothing else is escaped, so a path is
 *   canonical and two readers agree on it byte for byte.  pf_xview_add()
 *   refuses a path that is not canonical (PF_E_USAGE).
 * - Names may repeat among siblings.  The diff pairs folders by path; among
 *   folders sharing a path it first pairs those with identical counts and
 *   flags, then the rest in insertion order.  So two views that hold the
 *   same multiset of (path, items, sub-folders) never differ.
 * - Every size is bounded: PF_XVIEW_MAX_* below; hitting one is PF_E_LIMIT.
 * - No printing; errors are PF_E_* codes with pf_error_set() messages.
 */
#ifndef PF_XVIEW_H
#define PF_XVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "../../formats/util/pf_path.h"

#define PF_XVIEW_MAX_FOLDERS 1000000u
#define PF_XVIEW_MAX_PATH    PF_PATH_MAX /* bytes of one escaped path */
#define PF_XVIEW_MAX_BYTES   (256u << 20) /* all paths of one view */
#define PF_XVIEW_MAX_DEPTH   PF_PATH_MAX_DEPTH /* path components */
#define PF_XVIEW_MAX_COUNT   UINT32_MAX  /* items or sub-folders of one */
#define PF_XVIEW_MAX_NOTES   64u
#define PF_XVIEW_MAX_NOTE    512u        /* bytes of one note */

/* Folder flags. */
#define PF_XF_SEARCH         0x1u /* a search folder (nidType 0x03) */
#define PF_XF_ITEMS_UNKNOWN  0x2u /* the reader could not count items */
#define PF_XF_SUBS_UNKNOWN   0x4u /* ... or sub-folders; count is then 0 */
#define PF_XF_ALL            0x7u

struct pf_xfolder {
	char *path;          /* canonical escaped path, NUL-terminated */
	uint64_t items;
	uint64_t subfolders;
	uint32_t nid;        /* 0: unknown */
	uint32_t flags;      /* PF_XF_* */
	size_t seq;          /* insertion order */
};

struct pf_xview {
	struct pf_xfolder *folders;
	size_t count;
	size_t cap;
	size_t path_bytes;        /* sum of path lengths, for the bound */
	uint64_t total_items;     /* sum of known item counts */
	uint64_t total_subfolders;
	uint64_t orphans;         /* reader-specific, informational only */
	char *notes[PF_XVIEW_MAX_NOTES]; /* reader remarks, printable text */
	size_t nnotes;
	size_t notes_dropped;
};

/* An empty view.  pf_xview_free() returns it to this state. */
void pf_xview_init(struct pf_xview *v);
void pf_xview_free(struct pf_xview *v);

/* Add a folder; path is copied.  PF_E_USAGE for a non-canonical path or
 * bad flags, PF_E_LIMIT past a bound, PF_E_NOMEM. */
int pf_xview_add(struct pf_xview *v, const char *path, uint64_t items,
		 uint64_t subfolders, uint32_t nid, uint32_t flags);

/* Keep a remark (control bytes become spaces, cut at PF_XVIEW_MAX_NOTE).
 * Past PF_XVIEW_MAX_NOTES it only counts notes_dropped.  0 or NOMEM. */
int pf_xview_add_note(struct pf_xview *v, const char *text);

/* Sort by path (byte order); folders sharing a path keep insertion order. */
void pf_xview_sort(struct pf_xview *v);

/* The diff. */
enum pf_xdiff_kind {
	PF_XDIFF_ONLY_OURS = 1,  /* theirs == NULL */
	PF_XDIFF_ONLY_THEIRS,    /* ours == NULL */
	PF_XDIFF_ITEMS,          /* item counts (or their knownness) differ */
	PF_XDIFF_SUBFOLDERS,     /* sub-folder counts differ */
};

struct pf_xdiff {
	enum pf_xdiff_kind kind;
	const char *path;
	size_t dup;     /* rank, in insertion order, of ours (of theirs for
			 * ONLY_THEIRS) among the folders with this path */
	const struct pf_xfolder *ours;
	const struct pf_xfolder *theirs;
};

/* Return a value >= 0 to go on, or a negative one to stop the diff with
 * it.  One folder pair can give both ITEMS and SUBFOLDERS. */
typedef int (*pf_xdiff_fn)(const struct pf_xdiff *d, void *arg);

/* Report every difference to fn, in path order.  Views need not be sorted
 * and are not changed.  Returns the number of differences (>= 0), fn's
 * negative value, or PF_E_NOMEM. */
int pf_xview_diff(const struct pf_xview *ours, const struct pf_xview *theirs,
		  pf_xdiff_fn fn, void *arg);

const char *pf_xdiff_kind_name(enum pf_xdiff_kind k);

#endif
