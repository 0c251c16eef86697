/*
 * repair.h - `pstfix repair`: rebuild what is broken in a PST/OST and keep
 * every message whose own data survives (the scanpst job, done the way
 * SQLite's recover does it: into a new file, never over the original).
 *
 * Contract
 * - Repairs escalate only as far as the damage needs (the level is the
 *   highest one any finding of the first scan asks for, see
 *   pf_repair_level_of()):
 *     PF_REPAIR_HEADER     copy the file, fix the header: CRCs, ibFileEof,
 *                          counters, dwUnique (repair_header.c)
 *     PF_REPAIR_MAPS       rebuild AMap/PMap/FMap/FPMap/DList from the
 *                          B-trees, which are kept as they are
 *                          (MS-PST 2.6.1.3.7)
 *     PF_REPAIR_BTREE      rebuild the NBT and BBT from the valid pages of
 *                          the old trees and a scan of every page and block
 *                          trailer in the file
 *     PF_REPAIR_NODES      also drop references to missing or corrupt
 *                          blocks, truncate data trees to what is readable,
 *                          fix cRef
 *     PF_REPAIR_MESSAGING  on an NDB-sound file: recreate missing mandatory
 *                          nodes, rebuild folder tables from the NBT parent
 *                          links, recount, move orphans to "Recovered
 *                          Items"
 *   MAPS, BTREE and NODES are one stage (pf_repair_ndb); MESSAGING is a
 *   second stage that reads the first one's output with the normal reader.
 * - Every stage reads IN and writes a complete file OUT through the writer
 *   (temporary name, fsync, rename); IN is never modified (but for
 *   ctx->consume_in: the messaging stage takes over the NDB stage's
 *   output instead of copying it again).  Blocks that
 *   survive keep their BIDs and their bytes.
 * - Stages never print: each action is one line through ctx->note, and
 *   the counts add up in ctx->counts for the report.
 * - Operational errors are negative PF_E_* codes with pf_error_msg();
 *   damage that cannot be repaired is not an error: it is a note and a
 *   count (what was lost), and the stage still writes what survived.
 */
#ifndef PF_REPAIR_H
#define PF_REPAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "../check/check.h"

enum pf_repair_level {
	PF_REPAIR_NONE = 0,
	PF_REPAIR_HEADER,
	PF_REPAIR_MAPS,
	PF_REPAIR_BTREE,
	PF_REPAIR_NODES,
	PF_REPAIR_MESSAGING,
};

/* What the stages did and what was lost: the report's numbers. */
struct pf_repair_counts {
	uint64_t header_fields;        /* header fields rewritten */
	uint64_t pages_scanned;        /* trailer scan: valid pages found */
	uint64_t blocks_scanned;       /* trailer scan: valid blocks found */
	uint64_t nodes_kept;
	uint64_t nodes_scavenged;      /* found only on stale/lost NBT pages */
	uint64_t nodes_dropped;        /* whose data could not be read */
	uint64_t blocks_dropped;       /* corrupt or missing, unreferenced */
	uint64_t trees_truncated;      /* data trees cut to what is readable */
	uint64_t subnodes_dropped;
	uint64_t mandatory_recreated;
	uint64_t tables_rebuilt;       /* hierarchy/contents/FAI tables */
	uint64_t counts_fixed;         /* PidTagContentCount & co. */
	uint64_t orphans_recovered;    /* moved to "Recovered Items" */
	uint64_t messages_kept;        /* in the output (normal messages) */
	uint64_t messages_lost;        /* message nodes dropped */
	uint64_t blocks_resealed;      /* BBT-named blocks whose trailer alone
					  was damaged: new trailer, same data */
	uint64_t nodes_rebuilt;        /* message PCs whose NBT entry was lost
					  with no copy: given a new node */
	uint64_t messages_unreadable;  /* kept, but their PC does not open */
};

typedef void (*pf_repair_note_fn)(void *ctx, enum pf_repair_level level,
				  const char *line);

struct pf_repair_bgcopy;

struct pf_repair_ctx {
	pf_repair_note_fn note;        /* may be NULL */
	void *note_ctx;
	struct pf_repair_counts counts;
	bool keep_deleted;             /* scavenged nodes no NBT page names
					  (deleted items) are kept too: the
					  export --salvage view */
	bool consume_in;               /* stage 3: IN is an earlier stage's
					  private output; it becomes OUT's
					  temporary (no copy) and is gone
					  after the stage */
	struct pf_repair_bgcopy *precopy; /* the NDB stage: a copy of IN
					  under way (repair_run.h), for its
					  writer to take over; NULL: it
					  copies IN itself */
	struct pf_crc_memo *crc_memo;  /* sealed: the block CRCs the first
					  scan proved, which the trailer
					  scan takes as proved (the stages
					  keep every block at its offset);
					  NULL: none */
};

/* The repair level a finding asks for (PF_REPAIR_NONE for warnings that
 * need nothing, e.g. a stale cbAMapFree is MAPS only when asked). */
enum pf_repair_level pf_repair_level_of(const struct pf_finding *f);

/* Stage 1: header only.  IN must open as a PST (magic and layout found). */
int pf_repair_header(struct pf_repair_ctx *ctx, const char *in,
		     const char *out);

/* Stage 2: MAPS, BTREE or NODES (LEVEL); also rewrites the header, and
 * finds the layout by probing when IN's header is unreadable. */
int pf_repair_ndb(struct pf_repair_ctx *ctx, const char *in,
		  const char *out, enum pf_repair_level level);

/* Stage 3: messaging, on a file whose NDB scans clean. */
int pf_repair_messaging(struct pf_repair_ctx *ctx, const char *in,
			const char *out);

/* One line for ctx->note (printf-style); a no-op without a callback. */
void pf_repair_note(struct pf_repair_ctx *ctx, enum pf_repair_level level,
		    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
