/*
 * select.h - which Outbox items `outbox send` submits, to whom, and the
 * exact bytes (select.c); the rules of smtp-facts.md "Which items are
 * stranded" applied to the model of outbox.h.
 */
#ifndef PF_OUTBOX_SELECT_H
#define PF_OUTBOX_SELECT_H

#include "outbox.h"
#include "spool.h"

struct ob_select_opts {
	const char *from_override;    /* envelope sender for every message */
	bool include_drafts;          /* DRAFT items are sent too */
	const uint32_t *only;         /* --only NIDs; NULL: all */
	size_t nonly;
};

enum ob_pick {
	OB_PICK_SEND,     /* *M has the recipients, BYTES the message */
	OB_PICK_NOTE,     /* not sent: M->why (journaled for status) */
	OB_PICK_IGNORE,   /* not selected (--only): M->why, not journaled */
};

/* Decide ITEM of OB: *OUT (malloc'd, ob_msg_free) always describes it.
 * For OB_PICK_SEND the rendered bytes are appended to BYTES and checked
 * (ob_check_bytes); a message that fails the check is a NOTE with
 * M->why "cannot send: ...". */
int ob_select(struct ob_msg **out, struct pf_mimew_buf *bytes,
	      struct pf_outbox *ob, const struct pf_outbox_item *item,
	      const struct ob_select_opts *o, enum ob_pick *pick);

/* The rules for bytes handed to SMTP (RFC 5321 2.3.8, 4.5.3.1.6;
 * smtp-facts.md "Data"): CRLF line ends only, 7-bit, no NUL, lines of
 * at most 998 octets, a header and a body.  0, or -1 with WHY filled. */
int ob_check_bytes(const uint8_t *p, size_t n, char *why, size_t cap);

/* Why texts that mean "could not be sent" (counted as failures), as
 * opposed to "needs no sending" (sent already, delivered, draft). */
bool ob_why_is_failure(const char *why);

#endif
