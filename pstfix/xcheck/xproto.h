/*
 * xproto.h - the line protocol a reader child uses to send its folder view
 * to the parent (pstfix/xcheck/libpff_view.c), and its strict parser.
 *
 * The stream: every line ends in "\n", holds no other control byte (C0 or
 * DEL) and is at most PF_XPROTO_MAX_LINE bytes without the "\n".  Fields
 * are separated by exactly one space; numbers are unsigned decimal without
 * sign or leading zeros (the X code has one '-').
 *
 *   PFXV 1                                    first line, always
 *   F <nid> <flags> <items> <subfolders> <path>
 *                                             a folder; path is canonical
 *                                             (xview.h), "" for the root
 *   N <text>                                  a remark; at most
 *                                             PF_XVIEW_MAX_NOTES of them
 *   O <orphans>                               at most once
 *   E <folders> <items>                       end: both totals must match
 *                                             the F lines
 *   X <code> <text>                           failure: code is a PF_E_*
 *                                             value, text one line
 *
 * E or X is the last line: a byte after it, a missing E/X at EOF, a line
 * too long, a count past its bound or a stream over PF_XPROTO_MAX_BYTES is
 * a protocol error.  Contract: the parser never trusts the child; the
 * writer never prints anywhere but its fd.
 */
#ifndef PF_XPROTO_H
#define PF_XPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../formats/util/pf_err.h"
#include "xview.h"

#define PF_XPROTO_MAX_LINE  (PF_XVIEW_MAX_PATH + 128u)
#define PF_XPROTO_MAX_TEXT  1024u
#define PF_XPROTO_MAX_BYTES (512u << 20)

/* ---- writer (the child side) ---- */

struct pf_xwriter {
	int fd;
	int err;           /* sticky: first write error */
	size_t len;
	char buf[8192];
	char line[PF_XPROTO_MAX_LINE + 2];
};

void pf_xwriter_init(struct pf_xwriter *w, int fd);
int pf_xwriter_flush(struct pf_xwriter *w);

/* Each writes one line; 0, PF_E_IO (write failed) or PF_E_LIMIT. */
int pf_xproto_header(struct pf_xwriter *w);
int pf_xproto_folder(struct pf_xwriter *w, uint32_t nid, uint32_t flags,
		     uint64_t items, uint64_t subfolders, const char *path);
int pf_xproto_note(struct pf_xwriter *w, const char *text);
int pf_xproto_orphans(struct pf_xwriter *w, uint64_t orphans);
int pf_xproto_end(struct pf_xwriter *w, uint64_t folders, uint64_t items);
int pf_xproto_error(struct pf_xwriter *w, int code, const char *text);

/* ---- parser (the parent side) ---- */

enum pf_xparser_state { PF_XP_HEADER, PF_XP_BODY, PF_XP_DONE, PF_XP_FAILED };

struct pf_xparser {
	struct pf_xview *view;   /* filled as F/N/O lines arrive */
	char *line;              /* PF_XPROTO_MAX_LINE + 1 bytes */
	size_t len;
	size_t lineno;
	uint64_t bytes;
	enum pf_xparser_state state;
	bool seen_orphans;
	int result;              /* after X: the child's code */
	char msg[PF_XPROTO_MAX_TEXT + 1]; /* after X: the child's text */
};

/* view must be initialised (pf_xview_init); the parser adds to it. */
int pf_xparser_init(struct pf_xparser *p, struct pf_xview *view);
void pf_xparser_free(struct pf_xparser *p);

/* Take the next n bytes.  0, or a protocol error (PF_E_CORRUPT,
 * PF_E_LIMIT, PF_E_NOMEM) with a message; errors are sticky. */
int pf_xparser_feed(struct pf_xparser *p, const char *buf, size_t n);

/* 1 once E or X has been read. */
bool pf_xparser_done(const struct pf_xparser *p);

/* At EOF: 0 if the stream ended with E; the child's code (message set to
 * its text) if with X; PF_E_CORRUPT if it was cut short. */
int pf_xparser_finish(struct pf_xparser *p);

#endif
