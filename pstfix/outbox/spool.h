/*
 * spool.h - the send spool of `pstfix outbox send`: the exact bytes of
 * each message (spool.c), an append-only journal of everything done to
 * them (journal.c), and the per-recipient states the journal replays to
 * (state.c).  `outbox status` reads the same journal.
 *
 * Contract
 * - A spool is a directory: "lock" (flock; one `send` at a time),
 *   "journal" (the records, journal.c documents the format) and
 *   "msg/mN.eml" (message N's RFC 5322 bytes, written once: temp name,
 *   fsync, rename, directory fsync; never rewritten).
 * - Every state change is a journal record appended and fsync'd before
 *   the step it announces (write-ahead, smtp-facts.md "The journal"):
 *   the attempt before MAIL FROM, "dot" before the final dot, the reply
 *   after reading it.  Replaying the journal gives the states; an
 *   attempt whose "dot" has no end record is UNCERTAIN, an attempt
 *   without "dot" and without end changed nothing (safe to retry).
 * - Appends are serialized by SP->mu: worker threads share one spool.
 * - Messages are keyed by Message-ID: an item spooled once is never
 *   rendered again, so every attempt carries the same bytes and id.
 *
 * Errors: 0 or a negative PF_E_* with one message (pf_err.h).
 */
#ifndef PF_OUTBOX_SPOOL_H
#define PF_OUTBOX_SPOOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../formats/util/pf_err.h"
#include "../../formats/util/pf_io.h"

/* Per-recipient states (smtp-facts.md "The journal"). */
enum ob_state {
	OB_PENDING,      /* not tried yet, or requeued without a charge */
	OB_ACCEPTED,     /* 250 to the final dot (or sendmail exit 0) */
	OB_TEMPFAIL,     /* 4xx: tried again at next_ms */
	OB_PERMFAIL,     /* 5xx: never tried again */
	OB_UNCERTAIN,    /* dot sent, no reply: maybe delivered */
	OB_EXPIRED,      /* still not accepted at the give-up time */
	OB_SKIPPED,      /* never sent; why says why */
	OB_NSTATES
};
const char *ob_state_name(enum ob_state s);   /* "temp-fail" */
/* The state named S, or -1. */
int ob_state_parse(const char *s);
/* Whether S is final (nothing more will be done without the operator). */
bool ob_state_final(enum ob_state s);

/* The last reply that decided a recipient's state. */
struct ob_reply {
	char stage[16];           /* "RCPT TO", "DATA", "dot", "sendmail" */
	int code;                 /* 0: none (connection lost, timeout) */
	int enh[3];               /* RFC 3463; 0s when absent */
	char *text;               /* malloc'd or NULL */
};

struct ob_rcpt {
	char *addr;               /* SMTP address or NULL (unresolvable) */
	int kind;                 /* 1 To, 2 Cc, 3 Bcc (PidTagRecipientType) */
	enum ob_state state;
	unsigned attempts;        /* charged attempts (4xx, 5xx) */
	int64_t next_ms;          /* TEMPFAIL: not before (unix ms) */
	int64_t when_ms;          /* time of the last state change */
	struct ob_reply last;
	char *queue_id;           /* ACCEPTED: from the 250 text, or NULL */
	char *why;                /* SKIPPED / EXPIRED: why */
	/* replay: the recipient's part in attempt txn_att (replay.c) */
	unsigned txn_att;
	bool txn_ok;              /* RCPT TO said yes */
	bool txn_open;            /* in the attempt, no RCPT verdict yet */
};

struct ob_msg {
	unsigned id;              /* N of msg/mN.eml, from 1 */
	uint32_t nid;             /* the item's NID in SRC */
	char *src;                /* the PST it came from */
	char *msgid;              /* Message-ID without <> */
	char *subject;            /* or NULL */
	char *from;               /* envelope sender (MAIL FROM) */
	bool spooled;             /* the bytes are in msg/mN.eml */
	uint64_t cb;              /* their size */
	uint32_t crc;             /* their CRC-32 (zlib), checked on read */
	int64_t spooled_ms;       /* the give-up clock starts here */
	char *why;                /* not spooled: why (skipped, deferred) */
	bool deferred;            /* why is "deferred until ..." */
	struct ob_rcpt *rcpt;
	size_t nrcpt;
	unsigned att;             /* attempts numbered so far */
	unsigned dot_att;         /* replay: the attempt whose dot is open */
	bool busy;                /* send.c: a worker holds it */
};

struct ob_spool {
	char *dir;
	int lock_fd;              /* -1 when not locked (status) */
	int jfd;                  /* journal, O_APPEND; -1 when read-only */
	pthread_mutex_t mu;       /* serializes appends and state changes */
	struct ob_msg **msg;
	size_t nmsg, cap;
	unsigned next_id;
	unsigned bad_records;     /* damaged records skipped (not the tail) */
	bool torn_tail;           /* an incomplete last record was dropped */
	bool io_failed;           /* an append failed: stop (EX_IOERR) */
};

/* Open (creating it when WRITE) and replay the spool in DIR.  WRITE
 * takes the lock (PF_E_USAGE "in use" when another send holds it) and
 * truncates a torn last record before appending. */
int ob_spool_open(struct ob_spool **out, const char *dir, bool write);
void ob_spool_close(struct ob_spool *sp);

/* The message with Message-ID MSGID, or NULL. */
struct ob_msg *ob_spool_find(struct ob_spool *sp, const char *msgid);

/* Write BYTES as message M's spool file (atomically) and record it, its
 * recipients and the skipped ones (M->rcpt[i].state SKIPPED).  M is
 * copied; the spool owns the copy, returned in *OUT. */
int ob_spool_add(struct ob_msg **out, struct ob_spool *sp,
		 const struct ob_msg *m, const uint8_t *bytes, size_t cb);
/* Record an item that is not spooled (skipped or deferred) for status. */
int ob_spool_note(struct ob_spool *sp, const struct ob_msg *m);

/* Read message M's bytes (malloc'd), checked against cb and crc. */
int ob_spool_read(uint8_t **out, size_t *cb, struct ob_spool *sp,
		  const struct ob_msg *m);

/* ---- journal records (journal.c); each appends, fsyncs and applies
 * the record to the in-memory state, under SP->mu. ---- */

/* The start of a run: what it sends through. */
int ob_j_run(struct ob_spool *sp, const char *transport);
/* Before MAIL FROM: attempt number *ATT of M to recipients IDX[N]. */
int ob_j_try(struct ob_spool *sp, struct ob_msg *m, const size_t *idx,
	     size_t n, unsigned *att);
/* After the RCPT reply for recipient RI: ST is PENDING (accepted by
 * RCPT: in the transaction; or requeued by a 452 split), TEMPFAIL or
 * PERMFAIL. */
int ob_j_rcpt(struct ob_spool *sp, struct ob_msg *m, unsigned att,
	      size_t ri, bool in_txn, enum ob_state st, int64_t next_ms,
	      const struct ob_reply *r);
/* Before the final dot of attempt ATT. */
int ob_j_dot(struct ob_spool *sp, struct ob_msg *m, unsigned att);
/* The outcome of attempt ATT for every recipient RCPT accepted in it:
 * ACCEPTED, TEMPFAIL (CHARGE: counts as an attempt), PENDING (requeued
 * without a charge), PERMFAIL or UNCERTAIN. */
int ob_j_end(struct ob_spool *sp, struct ob_msg *m, unsigned att,
	     enum ob_state st, bool charge, int64_t next_ms,
	     const struct ob_reply *r);
/* Set recipient RI of M to ST (EXPIRED with WHY, or PENDING when an
 * UNCERTAIN one is resent on request). */
int ob_j_state(struct ob_spool *sp, struct ob_msg *m, size_t ri,
	       enum ob_state st, const char *why);

/* ---- helpers ---- */
int64_t ob_now_ms(void);
/* "queued as X" / "id=X" / "<X>" style queue ids in a 250 text; NULL
 * when none is recognizable.  Malloc'd. */
char *ob_queue_id(const char *text);

/* Record encoding (journal.c), exposed for the unit test: the line for
 * FIELDS[N] (tab-separated, escaped, CRC-32 appended, '\n'), and the
 * parse of one line back into at most MAX fields (pointing into LINE,
 * unescaped in place).  Parse returns the field count, or -1 when the
 * line is damaged (bad CRC, no newline, bad escape). */
int ob_rec_encode(char **line, size_t *len, const char *const *fields,
		  size_t n);
int ob_rec_parse(char *line, size_t len, char **fields, size_t max);
/* Apply the parsed record F[N] to SP's states (replay.c): 0, -1 when
 * it is malformed, or a negative PF_E_*. */
int ob_rec_apply(struct ob_spool *sp, char **f, int n);
/* Replay LEN bytes of journal text into SP (used by ob_spool_open). */
int ob_journal_replay(struct ob_spool *sp, char *text, size_t len,
		      size_t *good_len);
/* The records spool.c writes (journal.c). */
int ob_journal_header(struct ob_spool *sp);
int ob_journal_item(struct ob_spool *sp, const struct ob_msg *m);
int ob_journal_note(struct ob_spool *sp, const struct ob_msg *m);
int ob_journal_spool(struct ob_spool *sp, const struct ob_msg *m);
int ob_journal_rcpt(struct ob_spool *sp, const struct ob_msg *m, size_t ri,
		    const struct ob_rcpt *rc);
/* Free a message copy. */
void ob_msg_free(struct ob_msg *m);

#endif
