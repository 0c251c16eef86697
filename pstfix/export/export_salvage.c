/*
 * export_salvage.c - `export --salvage`: the file as it reads, then what
 * only a trailer scan finds (nodes under a zeroed or wrong NBT page or
 * root, a file whose header is gone, deleted items whose blocks are
 * still there).
 *
 * Contract (export.h)
 * - Pass 1 exports the file itself (export.c, PF_PASS_FILE): its folder
 *   tree, its orphans, past NBT pages that cannot be read.  A file that
 *   does not open is logged and the export goes on with the rebuild.
 * - The rebuild is the repair pipeline's NDB stage, not a copy of it:
 *   pf_repair_ndb() at NODES with keep_deleted, from the file (opened
 *   read-only, never written) into opts.work_dir/rebuilt.pst.  The
 *   messaging stage is not run: export finds messages by their NBT
 *   parent links, not by the tables that stage rebuilds, and files the
 *   orphans itself.  The stage's lines go to opts.note.
 * - Passes 2 and 3 read the rebuilt file and export only messages the
 *   first pass did not write: the union by NID, and by the PC's data
 *   BID (the rebuild's lost-and-found gives a PC no NBT entry names a
 *   new NID; its blocks keep their BIDs).  A message the first pass read
 *   is never replaced by the rebuild's copy, so nothing the plain salvage
 *   wrote gets worse.  When the file's NBT was read whole (it opened, no
 *   page failed), a message it does not list was deleted: "Recovered
 *   Items/Deleted/<folder path>"; the rest (the NBT was damaged, so lost
 *   and deleted cannot be told apart; or pass 1 could not read it) goes
 *   to "Recovered Items/Found by scan/<folder path>".
 * - The rebuilt file is removed here on every path; the caller removes
 *   work_dir (and whatever a killed stage left in it).
 * - A rebuild that fails (not a PST at all, no room) is logged and
 *   flagged; it is an error only when pass 1 could not open the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"

#define REBUILT_NAME "rebuilt.pst"

static void log_line(const struct pf_export_opts *o, const char *why)
{
	if (o->log)
		o->log(o->ctx, 0, "salvage", why);
}

/* The repair NDB stage into WORK_DIR; *OUT is the rebuilt file. */
static int rebuild(const char *path, const struct pf_export_opts *o,
		   char **out)
{
	struct pf_repair_ctx ctx = { .note = o->note, .note_ctx = o->ctx,
				     .keep_deleted = true };
	size_t n = strlen(o->work_dir) + sizeof(REBUILT_NAME) + 2;
	int rc;

	*out = malloc(n);
	if (!*out)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	snprintf(*out, n, "%s/%s", o->work_dir, REBUILT_NAME);
	rc = pf_repair_ndb(&ctx, path, *out, PF_REPAIR_NODES);
	if (rc != 0) {
		(void)unlink(*out);
		free(*out);
		*out = NULL;
	}
	return rc;
}

static void seen_free(struct pf_export_seen *s)
{
	pf_set_free(&s->nids);
	pf_set_free(&s->bids);
	pf_set_free(&s->listed);
}

/* Items written by a rebuilt pass count as recovered, and as DELETED or
 * FOUND. */
static int rebuilt_pass(const char *rebuilt, const struct pf_export_opts *o,
			struct pf_export_summary *sum,
			enum pf_export_pass pass, struct pf_export_seen *seen)
{
	uint64_t before = sum->messages + sum->vcards + sum->events, got;
	int rc = pf_export_pass(rebuilt, o, sum, pass, seen);

	got = sum->messages + sum->vcards + sum->events - before;
	sum->recovered += got;
	*(pass == PF_PASS_DELETED ? &sum->deleted : &sum->found) += got;
	return rc;
}

static int from_rebuild(const char *path, const struct pf_export_opts *o,
			struct pf_export_summary *sum,
			struct pf_export_seen *seen)
{
	char why[600], *rebuilt = NULL;
	int rc = rebuild(path, o, &rebuilt);

	sum->rebuilt = true;
	if (rc == PF_E_NOMEM)
		return rc;
	if (rc != 0) {
		sum->rebuild_failed = true;
		snprintf(why, sizeof(why), "no trailer-scan rebuild (%s): "
			 "only what the file's own B-trees reach is "
			 "exported", pf_error_msg());
		log_line(o, why);
		/* an error only when nothing at all could be read */
		return seen->opened ? 0 : rc;
	}
	if (seen->intact)
		rc = rebuilt_pass(rebuilt, o, sum, PF_PASS_DELETED, seen);
	if (rc == 0)
		rc = rebuilt_pass(rebuilt, o, sum, PF_PASS_FOUND, seen);
	if (unlink(rebuilt) != 0 && errno != ENOENT) {
		snprintf(why, sizeof(why), "could not remove %s: %s",
			 rebuilt, strerror(errno));
		log_line(o, why);
	}
	free(rebuilt);
	return rc;
}

/* A file that cannot even be opened is no case for a rebuild. */
static int readable(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return pf_error_set(PF_E_IO, "%s: %s", path, strerror(errno));
	close(fd);
	return 0;
}

int pf_export_salvage(const char *path, const struct pf_export_opts *o,
		      struct pf_export_summary *sum)
{
	struct pf_export_seen seen;
	char why[600];
	int rc;

	memset(&seen, 0, sizeof(seen));
	rc = readable(path);
	if (rc != 0)
		return rc;
	rc = pf_export_pass(path, o, sum, PF_PASS_FILE, &seen);
	if (rc != 0 && (rc == PF_E_NOMEM || seen.opened)) {
		seen_free(&seen);
		return rc;   /* the output failed, not the file */
	}
	if (rc != 0) {
		sum->unopened = true;
		snprintf(why, sizeof(why), "the file does not open (%s): "
			 "everything comes from a trailer-scan rebuild",
			 pf_error_msg());
		log_line(o, why);
	}
	rc = from_rebuild(path, o, sum, &seen);
	if (rc == 0 && o->folder && !seen.folder_found)
		rc = pf_error_set(PF_E_USAGE, "no folder '%s'", o->folder);
	seen_free(&seen);
	return rc;
}
