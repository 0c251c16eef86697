/*
 * check.h - `pstfix scan`: check every structure of one PST/OST file and
 * report findings through a problem table (the e2fsck model).
 *
 * Contract
 * - pf_check_file() runs the passes in order: header, BBT, NBT, blocks and
 *   reference counts, allocation maps, LTP, messaging.  A pass that cannot
 *   run because an earlier structure is unusable says so with a finding
 *   and the later passes work with what was recovered.
 * - Every finding goes to the caller's callback as it is found; the summary
 *   counts them by severity.  The number of findings printed per problem
 *   code is capped (opts.max_per_code); the rest are counted and reported
 *   in one "... and N more" finding.
 * - The return value is 0 when the file could be checked (whatever was
 *   found) or a negative PF_E_* when it could not be opened at all (not a
 *   PST, I/O error): the one-line reason is in pf_error_msg().
 */
#ifndef PF_CHECK_H
#define PF_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "../../formats/ndb/pf_crcmemo.h"
#include "../../formats/util/pf_fault.h"

enum pf_severity {
	PF_SEV_INFO = 0,
	PF_SEV_WARNING = 1,
	PF_SEV_ERROR = 2,
};

/* The passes, in the order they run (the first digit of a problem code). */
enum pf_pass {
	PF_PASS_HEADER = 1,
	PF_PASS_AMAP = 2,
	PF_PASS_BBT = 3,
	PF_PASS_NBT = 4,
	PF_PASS_BLOCKS = 5,
	PF_PASS_LTP = 6,
	PF_PASS_MSG = 7,
	PF_PASS_XCHECK = 8,
};

/* One row of the problem table (problem.c). */
struct pf_problem {
	uint16_t code;          /* stable: printed as PF<code> */
	enum pf_severity sev;
	enum pf_obj obj;        /* for fault-derived rows: the object ... */
	enum pf_fault_kind kind;/* ... and the rule; 0 for checker rows */
	const char *id;         /* stable short name, e.g. "BBT_PAGE_CRC" */
	const char *text;       /* template: %F field, %G/%W got/want hex,
				   %g/%w got/want decimal */
	const char *fix;        /* what repair does about it */
};

struct pf_finding {
	const struct pf_problem *problem;
	uint64_t ib;            /* PF_NO_IB when not about one offset */
	uint64_t bid;
	uint32_t nid;
	uint32_t hid;
	uint64_t got, want;
	const char *field;
	char message[256];      /* the template filled in */
};

struct pf_check_summary {
	uint64_t findings[3];   /* by severity */
	uint64_t suppressed;    /* over the per-code cap (still counted) */
	uint64_t file_size;
	uint32_t pages, blocks, nodes;
	uint32_t folders, messages, attachments, recipients;
	int format_ver;         /* wVer */
	bool opened;
};

typedef void (*pf_finding_fn)(void *ctx, const struct pf_finding *f);
typedef void (*pf_progress_fn)(void *ctx, enum pf_pass pass,
			       uint64_t done, uint64_t total);

struct pf_check_opts {
	uint32_t max_per_code;  /* 0 = unlimited */
	bool cross_check;       /* compare with libpff in a child process */
	unsigned xcheck_timeout;/* seconds */
	pf_progress_fn progress;
	void *progress_ctx;
	/* Block CRCs (formats/ndb/pf_crcmemo.h): FILL notes each one the
	 * scan proves; TRUST takes a trailer the sealed memo holds as proved
	 * (repair's rescans of its own output, whose kept blocks are IN's
	 * bytes at IN's offsets).  NULL: every CRC is computed. */
	struct pf_crc_memo *crc_memo;
	enum pf_memo_mode crc_memo_mode;
	/* The block pass reads through a mapping of the whole file instead
	 * of copying it into a buffer (pf_ndb_map).  Only for a file
	 * nothing else truncates while it runs: repair's own temporaries. */
	bool map_file;
};

int pf_check_file(const char *path, const struct pf_check_opts *opts,
		  pf_finding_fn on_finding, void *ctx,
		  struct pf_check_summary *sum);

/* The problem table, sorted by code (a unit test checks it). */
extern const struct pf_problem pf_problems[];
extern const unsigned pf_problem_count;
const struct pf_problem *pf_problem_by_code(uint16_t code);
const char *pf_severity_name(enum pf_severity s);

/* Exit status bits, as fsck(8). */
enum {
	PF_EXIT_CLEAN = 0,
	PF_EXIT_FIXED = 1,
	PF_EXIT_ERRORS = 4,
	PF_EXIT_OPERATIONAL = 8,
	PF_EXIT_USAGE = 16,
	PF_EXIT_CANCELLED = 32,
};

#endif
