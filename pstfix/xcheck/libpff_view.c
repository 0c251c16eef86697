/*
 * libpff_view.c - the libpff side of `pstfix scan --cross-check`: the child
 * that walks the folder tree with libpff and streams it (xproto.h), and
 * pf_xcheck_libpff() that runs it through pf_xcheck_spawn() (xspawn.c).
 *
 * Contract: see libpff_view.h.  The child walks pre-order from the root
 * folder (NID 0x122), emitting each folder before its sub-folders in
 * hierarchy-table order.  It is bounded by the view's limits (folders,
 * path bytes, depth) and keeps the ancestors' NIDs so a folder that is its
 * own ancestor is noted, not followed.  It never frees libpff's file: the
 * process ends with _exit() right after the last line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libpff.h includes libbfio.h when LIBPFF_HAVE_BFIO is set, and Debian's
 * libpff-dev sets it without depending on libbfio-dev; we do not use the
 * bfio entry points. */
#include <libpff/features.h>
#undef LIBPFF_HAVE_BFIO
#include <libpff.h>

#include "../../formats/util/pf_err.h"
#include "libpff_view.h"
#include "xproto.h"

#define NID_TYPE_MASK          0x1Fu
#define NID_TYPE_SEARCH_FOLDER 0x03u
#define PST_MAGIC              "!BDN"
#define PST_MIN_HEADER         512   /* the ANSI header; Unicode is longer */

struct walk {
	struct pf_xwriter w;
	libpff_file_t *file;
	uint64_t folders;
	uint64_t items;
	size_t notes;
	size_t notes_dropped;
	size_t depth;
	uint32_t ancestors[PF_XVIEW_MAX_DEPTH + 1];
	size_t len;
	char path[PF_XVIEW_MAX_PATH + 1];
	char name[PF_XVIEW_MAX_PATH + 1];
	char text[PF_XPROTO_MAX_TEXT + 1];
};

/* ---- libpff errors as one line ---- */

/* "innermost cause [outermost call]" from libpff's backtrace; frees e. */
static void error_text(libpff_error_t *e, char *dst, size_t cb)
{
	char bt[8192];
	char *last;
	size_t n;

	if (e == NULL) {
		snprintf(dst, cb, "libpff gave no error text");
		return;
	}
	if (libpff_error_backtrace_sprint(e, bt, sizeof(bt)) < 0 &&
	    libpff_error_sprint(e, bt, sizeof(bt)) < 0)
		snprintf(bt, sizeof(bt), "libpff error (no text)");
	libpff_error_free(&e);
	bt[sizeof(bt) - 1] = '\0';
	n = strlen(bt);
	while (n > 0 && bt[n - 1] == '\n')
		bt[--n] = '\0';
	last = strrchr(bt, '\n');
	if (last != NULL) {
		*last++ = '\0';
		bt[strcspn(bt, "\n")] = '\0';
		snprintf(dst, cb, "%s [%s]", bt, last);
	} else {
		snprintf(dst, cb, "%s", bt);
	}
}

/* ---- notes ---- */

/* Length of s cut to at most max bytes, not inside a UTF-8 sequence. */
static int cut_utf8(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	while (n > 0 && s[n] != '\0' && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

static void note(struct walk *k, const char *what, libpff_error_t *e)
{
	char err[PF_XPROTO_MAX_TEXT + 1];
	const char *where = k->len ? k->path : "(root folder)";
	bool has_err = e != NULL;

	if (k->notes + 1 >= PF_XVIEW_MAX_NOTES) {
		k->notes_dropped++;
		if (has_err)
			libpff_error_free(&e);
		return;
	}
	k->notes++;
	err[0] = '\0';
	if (has_err)
		error_text(e, err, sizeof(err));
	(void)snprintf(k->text, sizeof(k->text), "%.*s: %.*s%s%.*s",
		       cut_utf8(where, 300), where, cut_utf8(what, 100), what,
		       has_err ? ": " : "", cut_utf8(err, 600), err);
	(void)pf_xproto_note(&k->w, k->text);
}

static void last_note(struct walk *k)
{
	if (k->notes_dropped == 0)
		return;
	snprintf(k->text, sizeof(k->text), "%zu more notes not shown",
		 k->notes_dropped);
	(void)pf_xproto_note(&k->w, k->text);
}

/* ---- the walk ---- */

static int walk_folder(struct walk *k, libpff_item_t *folder);

/* libpff's count of sub-folders or items (table rows); on failure 0 with
 * the UNKNOWN flag and a note. */
static void count_of(struct walk *k, libpff_item_t *f, bool subs, int *n,
		     uint32_t *flags)
{
	libpff_error_t *e = NULL;
	int r = subs ? libpff_folder_get_number_of_sub_folders(f, n, &e)
		     : libpff_folder_get_number_of_sub_messages(f, n, &e);

	if (r == 1 && *n >= 0)
		return;
	*n = 0;
	*flags |= subs ? PF_XF_SUBS_UNKNOWN : PF_XF_ITEMS_UNKNOWN;
	note(k, subs ? "cannot count sub-folders" : "cannot count items", e);
}

/* Append the folder's name to the path; a missing or unreadable name is
 * the empty name ("%00") with a note. */
static int append_name(struct walk *k, libpff_item_t *f)
{
	libpff_error_t *e = NULL;
	size_t n = 0, len = 0;
	int r = libpff_folder_get_utf8_name_size(f, &n, &e);

	if (r == 1 && n > sizeof(k->name)) {
		note(k, "sub-folder name too long", NULL);
	} else if (r == 1 && n > 0) {
		r = libpff_folder_get_utf8_name(f, (uint8_t *)k->name, n, &e);
		if (r == 1)
			len = strnlen(k->name, n);
		else
			note(k, "cannot read a sub-folder name", e);
	} else if (r != 1) {
		note(k, "cannot read a sub-folder name size", e);
	}
	return pf_path_append(k->path, sizeof(k->path), &k->len, k->name,
			       len);
}

static int walk_child(struct walk *k, libpff_item_t *parent, int i)
{
	libpff_error_t *e = NULL;
	libpff_item_t *sub = NULL;
	size_t save = k->len;
	int rc;

	if (libpff_folder_get_sub_folder(parent, i, &sub, &e) != 1) {
		snprintf(k->name, sizeof(k->name),
			 "cannot open sub-folder %d", i);
		note(k, k->name, e);
		return 0;
	}
	rc = append_name(k, sub);
	if (rc == 0)
		rc = walk_folder(k, sub);
	k->len = save;
	k->path[save] = '\0';
	libpff_item_free(&sub, NULL);
	return rc;
}

static bool is_ancestor(const struct walk *k, uint32_t nid)
{
	for (size_t i = 0; nid != 0 && i < k->depth; i++)
		if (k->ancestors[i] == nid)
			return true;
	return false;
}

static int emit_folder(struct walk *k, uint32_t nid, uint32_t flags,
		       int items, int subs)
{
	if (k->folders >= PF_XVIEW_MAX_FOLDERS)
		return pf_error_set(PF_E_LIMIT, "more than %u folders",
				    (unsigned)PF_XVIEW_MAX_FOLDERS);
	k->folders++;
	k->items += (uint64_t)items;
	return pf_xproto_folder(&k->w, nid, flags, (uint64_t)items,
				(uint64_t)subs, k->path);
}

static int walk_folder(struct walk *k, libpff_item_t *folder)
{
	uint32_t nid = 0, flags = 0;
	int items = 0, subs = 0, rc;

	if (libpff_item_get_identifier(folder, &nid, NULL) != 1)
		nid = 0;
	if (nid != 0 && (nid & NID_TYPE_MASK) == NID_TYPE_SEARCH_FOLDER)
		flags |= PF_XF_SEARCH;
	count_of(k, folder, false, &items, &flags);
	count_of(k, folder, true, &subs, &flags);
	rc = emit_folder(k, nid, flags, items, subs);
	if (rc != 0 || subs == 0)
		return rc;
	if (is_ancestor(k, nid)) {
		note(k, "folder is its own ancestor; not followed", NULL);
		return 0;
	}
	if (k->depth >= PF_XVIEW_MAX_DEPTH)
		return pf_error_set(PF_E_LIMIT, "folders nested deeper than "
				    "%u levels", (unsigned)PF_XVIEW_MAX_DEPTH);
	k->ancestors[k->depth++] = nid;
	for (int i = 0; rc == 0 && i < subs; i++)
		rc = walk_child(k, folder, i);
	k->depth--;
	return rc;
}

/* ---- open ---- */

/* Refuse what is not a PST before libpff sees it, with our codes. */
static int sniff(const char *path)
{
	unsigned char hdr[PST_MIN_HEADER];
	struct stat st;
	ssize_t n = 0, k = 1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return pf_error_set(PF_E_IO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return pf_error_set(PF_E_IO, "%s: not a regular file", path);
	}
	while (n < (ssize_t)sizeof(hdr) && k > 0) {
		k = read(fd, hdr + n, sizeof(hdr) - (size_t)n);
		if (k < 0 && errno == EINTR)
			k = 1;
		else if (k > 0)
			n += k;
	}
	close(fd);
	if (k < 0)
		return pf_error_set(PF_E_IO, "%s: read failed", path);
	if (n < 4 || memcmp(hdr, PST_MAGIC, 4) != 0)
		return pf_error_set(PF_E_NOTPST, "not a PST file (checked "
				    "before libpff): no !BDN magic");
	if (n < PST_MIN_HEADER)
		return pf_error_set(PF_E_NOTPST, "not a PST file (checked "
				    "before libpff): header truncated at %zd "
				    "bytes", n);
	return 0;
}

static int open_root(struct walk *k, const char *path,
		     libpff_item_t **root)
{
	libpff_error_t *e = NULL;
	int r;

	if (libpff_file_initialize(&k->file, &e) != 1) {
		error_text(e, k->text, sizeof(k->text));
		return pf_error_set(PF_E_NOMEM, "%s", k->text);
	}
	if (libpff_file_open(k->file, path, LIBPFF_OPEN_READ, &e) != 1) {
		error_text(e, k->text, sizeof(k->text));
		return pf_error_set(PF_E_CORRUPT, "cannot open: %s", k->text);
	}
	r = libpff_file_get_root_folder(k->file, root, &e);
	if (r == 0)
		return pf_error_set(PF_E_CORRUPT,
				    "no root folder (NID 0x122)");
	if (r != 1) {
		error_text(e, k->text, sizeof(k->text));
		return pf_error_set(PF_E_CORRUPT, "no root folder: %s",
				    k->text);
	}
	return 0;
}

static void put_orphans(struct walk *k)
{
	libpff_error_t *e = NULL;
	int n = 0;

	if (libpff_file_get_number_of_orphan_items(k->file, &n, &e) == 1 &&
	    n >= 0)
		(void)pf_xproto_orphans(&k->w, (uint64_t)n);
	else
		note(k, "cannot count orphan items", e);
}

static int run_walk(struct walk *k, const char *path)
{
	libpff_item_t *root = NULL;
	int rc = sniff(path);

	if (rc == 0)
		rc = open_root(k, path, &root);
	if (rc == 0)
		rc = walk_folder(k, root);
	if (rc == 0)
		put_orphans(k);
	last_note(k);
	return rc;
}

static void libpff_child(int fd, const char *path, void *arg)
{
	struct walk *k = calloc(1, sizeof(*k));
	int rc;

	(void)arg;
	if (k == NULL)
		_exit(4);
	pf_xwriter_init(&k->w, fd);
	(void)pf_xproto_header(&k->w);
	rc = run_walk(k, path);
	if (rc == 0)
		(void)pf_xproto_end(&k->w, k->folders, k->items);
	else
		(void)pf_xproto_error(&k->w, rc, pf_error_msg());
	_exit(pf_xwriter_flush(&k->w) == 0 ? 0 : 3);
}

int pf_xcheck_libpff(const char *path, unsigned timeout_sec,
		     struct pf_xview *out, char *why, size_t why_cb)
{
	if (timeout_sec == 0)
		timeout_sec = PF_XCHECK_DEFAULT_TIMEOUT;
	if (timeout_sec > PF_XCHECK_MAX_TIMEOUT) {
		pf_xview_init(out);
		pf_error_set(PF_E_USAGE, "xcheck: timeout over %u s",
			     PF_XCHECK_MAX_TIMEOUT);
		if (why != NULL && why_cb > 0)
			snprintf(why, why_cb, "%s", pf_error_msg());
		return PF_E_USAGE;
	}
	return pf_xcheck_spawn(path, timeout_sec * 1000u, libpff_child, NULL,
			       out, why, why_cb);
}
