/*
 * sample.h - `pstfix create --sample SPEC`: generated content for tests
 * and benchmarks, deterministic from a seed with a fixed clock.
 *
 * SPEC is a comma-separated list of key=value (all optional):
 *   folders=N        mail folders to add (default 3), nested DEPTH deep
 *   depth=N          nesting of those folders (default 1: flat under Inbox)
 *   messages=N       messages spread over the folders (default 10)
 *   body=A-B         body text size range in bytes (default 200-2000)
 *   html=0|1         also an HTML body (default 1)
 *   recipients=A-B   recipients per message (default 1-3; a third Cc)
 *   attachments=A-B  attachments per message (default 0-1)
 *   attach-size=A-B  attachment sizes (default 100-20000; k/m suffixes)
 *   unicode=0|1      non-ASCII subjects, names and folder names (default 1)
 *   outbox=N         unsent messages in the Outbox (UNSENT|SUBMIT, with
 *                    Bcc recipients), for `pstfix outbox` (default 0)
 *   outbox-mix=0|1   one Outbox item of every kind `pstfix outbox` tells
 *                    apart, with Sent Items copies (sample_outbox.c has
 *                    the list; default 0)
 *   seed=N           the generator's seed (default 1)
 * The manifest (--manifest FILE) is JSON Lines, one object per message:
 * folder path, subject, sender, recipients by type, message-id, flags,
 * SHA-256 and size of the body text and of each attachment: what readers
 * must find in the file; for Outbox items also the class the writer meant
 * (outbox_class, as `pstfix outbox list` names it).
 */
#ifndef PF_SAMPLE_H
#define PF_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "../../formats/write/pf_msgw.h"

struct pf_range {
	uint64_t lo, hi;
};

struct pf_sample_spec {
	uint32_t folders, depth, messages, outbox;
	struct pf_range body, recipients, attachments, attach_size;
	bool html, unicode, outbox_mix;
	uint64_t seed;
};

/* Parse SPEC into *out (defaults first).  PF_E_USAGE with a message
 * naming the bad key on error. */
int pf_sample_parse(const char *spec, struct pf_sample_spec *out);

/* One message written: the folder's path ("Top of Personal Folders/
 * Inbox"), the message as written, its NID, and for Outbox items the
 * class the writer meant ("stranded", "draft", "sent", "deferred",
 * "in-sent"; NULL for other messages). */
struct pf_sample_msg {
	const char *folder;
	const struct pf_msgw_message *m;
	uint32_t nid;
	const char *outbox_class;
};

/* Called for each message written: the caller's manifest. */
typedef int (*pf_sample_fn)(void *ctx, const struct pf_sample_msg *sm);

/* Generate the sample into the store S; FN may be NULL. */
int pf_sample_generate(struct pf_storew *s, const struct pf_sample_spec *sp,
		       pf_sample_fn fn, void *ctx);

/* sample_outbox.c: the outbox-mix items, submit times from FIRST_MINUTE
 * minutes after the sample clock. */
int pf_sample_outbox_mix(struct pf_storew *s, uint64_t first_minute,
			 pf_sample_fn fn, void *ctx);

#define PF_SAMPLE_EPOCH 1767225600ll    /* 2026-01-01T00:00:00Z */

#endif
