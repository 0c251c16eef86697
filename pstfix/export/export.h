/*
 * export.h - `pstfix export`: every message of a PST/OST as standard
 * files (EML, mbox or Maildir; contacts as vCard, appointments and tasks
 * as iCalendar), one directory per folder.
 *
 * Contract
 * - The folder tree is the one the NBT parent links define (formats/msg
 *   tree.c), so a folder whose tables are damaged still exports what it
 *   holds.  Directory names are the folder names made safe (export_name.c
 *   has the rules); the same file always gives the same names.
 * - Every file is written under a temporary name (".pstfix-tmp-...") and
 *   renamed once its bytes are on disk (syncfs before the renames of a
 *   batch, fsync for each mbox): an interrupted export never leaves a
 *   partial file under a final name.
 * - One item that cannot be read or rendered is skipped with its reason
 *   (through the log callback) and counted; the walk always goes on.
 * - Salvage (opts.salvage): messages whose NBT parent is not a folder the
 *   root reaches (orphans: deleted or lost) are exported too, into a
 *   "Recovered Items" directory; the NBT is walked past pages that cannot
 *   be read, and when the folder tree itself cannot be read every message
 *   found goes to "Recovered Items" (by folder NID and name where the
 *   folder's PC reads).  pf_export_item() exports any (ndb, nid)
 *   so that items found by other means (a block scan) can be fed in.
 * - Salvage with opts.work_dir (a private directory the caller removes)
 *   adds a second pass (export_salvage.c): the repair
 *   NDB stage (pstfix/repair, keep_deleted) rebuilds both B-trees from a
 *   trailer scan into work_dir, and every message of that file which the
 *   first pass did not export (by NID and by PC block BID) goes to
 *   "Recovered Items/Deleted" (the file's NBT was read whole and does not
 *   name it) or "Recovered Items/Found by scan" (anything else), under
 *   its folder path in the rebuilt file (with opts.folder: that folder
 *   as the rebuilt tree has it, and no orphans).  A file that does not
 *   open is exported from the rebuild alone; opts.folder is a usage
 *   error only when neither tree has it.
 * - Returns 0 when the walk ran (whatever was skipped: see the summary),
 *   PF_EXPORT_STOPPED when opts.stop ended it, or a negative PF_E_* when
 *   the file or the output cannot be used.
 */
#ifndef PF_EXPORT_H
#define PF_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "../../formats/mime/pf_mimew.h"
#include "../../formats/util/pf_set.h"
#include "../repair/repair.h"

enum pf_export_format { PF_EXPORT_EML, PF_EXPORT_MBOX, PF_EXPORT_MAILDIR };

#define PF_EXPORT_RECOVERED "Recovered Items"
#define PF_EXPORT_DELETED "Deleted"          /* under Recovered Items */
#define PF_EXPORT_FOUND "Found by scan"      /* likewise */

typedef void (*pf_export_log_fn)(void *ctx, uint32_t nid, const char *where,
				 const char *why);
typedef void (*pf_export_progress_fn)(void *ctx, uint64_t done,
				      uint64_t total);

struct pf_export_opts {
	const char *out_dir;
	enum pf_export_format format;
	const char *folder;      /* NULL: all; else a path or NID (ls) */
	bool has_since, has_until;
	int64_t since, until;    /* UNIX seconds, inclusive */
	bool salvage;
	const char *work_dir;    /* salvage: where the rebuilt copy goes */
	pf_repair_note_fn note;  /* the repair stage's lines, or NULL */
	bool fsync;              /* make files durable before the rename */
	struct pf_mimew_opts mime;
	pf_export_log_fn log;
	pf_export_progress_fn progress;
	/* Asked before each item; true ends the export with
	 * PF_EXPORT_STOPPED (the files written so far stay). */
	bool (*stop)(void *ctx);
	void *ctx;
};

#define PF_EXPORT_STOPPED 1      /* pf_export_file: opts.stop said so */

struct pf_export_summary {
	uint64_t folders;        /* directories written */
	uint64_t messages;       /* mail written (EML files / mbox entries) */
	uint64_t vcards, events; /* .vcf, .ics */
	uint64_t recovered;      /* of those, orphans in Recovered Items */
	uint64_t filtered;       /* outside --since/--until */
	uint64_t skipped;        /* failed: logged with the reason */
	uint64_t partial;        /* written without an unreadable part */
	uint64_t bytes;          /* written */
	uint64_t candidates;     /* messages looked at */
	uint32_t bad_pages;      /* salvage: NBT pages that could not be
				    read (the nodes below them are lost) */
	bool tree_lost;          /* salvage: the folder tree could not be
				    read; everything went to Recovered Items */
	bool unopened;           /* salvage: the file did not open; all
				    came from the rebuild */
	bool rebuilt;            /* salvage: the trailer scan rebuild ran */
	bool rebuild_failed;     /* ... and failed (logged) */
	uint64_t found;          /* written from the rebuild: Found by scan */
	uint64_t deleted;        /* written from the rebuild: Deleted */
};

int pf_export_file(const char *path, const struct pf_export_opts *opts,
		   struct pf_export_summary *sum);

/* mkdir -p DIR (export_sink.c), for a caller's work_dir. */
int pf_export_mkdirs(const char *dir);

/* ---- the pieces (export_*.c) ---- */

struct pf_export_sink;   /* where one folder's items go */

/* Which file a pass reads and where its items go (export_salvage.c). */
enum pf_export_pass {
	PF_PASS_FILE,            /* the file itself */
	PF_PASS_DELETED,         /* the rebuild: what the whole NBT lacks */
	PF_PASS_FOUND,           /* the rebuild: the rest not yet exported */
};

/* What the first pass did, for the passes over the rebuilt file. */
struct pf_export_seen {
	struct pf_set nids;      /* exported or filtered out */
	struct pf_set bids;      /* their PC data blocks (a rebuilt node may
				    carry a new NID) */
	struct pf_set listed;    /* message NIDs the file's NBT lists */
	bool opened;             /* the file opened and its NBT was walked */
	bool intact;             /* ... with no unreadable page */
	bool folder_found;       /* opts.folder is in a pass's tree */
};

struct pf_export {
	const struct pf_export_opts *o;
	struct pf_export_summary *sum;
	struct pf_ndb *ndb;
	struct pf_nameid_map map;
	bool have_map;
	uint64_t done, total;
	struct pf_mimew_buf out;  /* the rendered item, reused */
};

/* Export message NID of EX->ndb into SINK (a folder's directory); WHERE
 * names the folder for the log.  Skips and partial items are logged and
 * counted here; returns 0, or a negative PF_E_* only for trouble that
 * ends the export (no memory, the output cannot be written). */
int pf_export_item(struct pf_export *ex, struct pf_export_sink *sink,
		   uint32_t nid, const char *where);

/* Open the sink for directory DIR (created, with parents). */
int pf_export_sink_open(struct pf_export_sink **out,
			const struct pf_export_opts *o, const char *dir);
/* Put one rendered item: EXT "eml" (mail: the mbox or maildir when that
 * is the format), "vcf" or "ics"; NAME is the file's stem; READ sets the
 * maildir "S" flag; DATE (UNIX seconds) is used by mbox "From " lines and
 * maildir names. */
int pf_export_sink_put(struct pf_export_sink *s, const char *name,
		       const char *ext, const char *bytes, size_t n,
		       bool read, int64_t date, const char *from);
/* Make everything durable and renamed; then free. */
int pf_export_sink_close(struct pf_export_sink *s);
void pf_export_sink_abort(struct pf_export_sink *s);

/* export_nbt.c: every NBT leaf entry that can be reached, past pages that
 * cannot be read (each logged and counted in *bad_pages). */
int pf_export_nbt_walk(struct pf_ndb *ndb, const struct pf_export_opts *o,
		       pf_nbt_visit_fn fn, void *ctx, uint32_t *bad_pages);

/* export.c: one pass over PATH (the file, or its rebuild).  SEEN is
 * filled by PF_PASS_FILE and read by the others; NULL outside salvage. */
int pf_export_pass(const char *path, const struct pf_export_opts *o,
		   struct pf_export_summary *sum, enum pf_export_pass pass,
		   struct pf_export_seen *seen);

/* export_salvage.c: the file, then its trailer-scan rebuild. */
int pf_export_salvage(const char *path, const struct pf_export_opts *o,
		      struct pf_export_summary *sum);

/* export_name.c: a folder name as one safe path component (see there). */
void pf_export_component(const char *name, uint32_t nid, char *out,
			 size_t cb);

#endif
