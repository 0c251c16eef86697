/*
 * outbox_report.h - the per-message, per-recipient report of `outbox
 * send` and `outbox status` (outbox_report.c), as text or JSON Lines.
 */
#ifndef PF_CLI_OUTBOX_REPORT_H
#define PF_CLI_OUTBOX_REPORT_H

#include <stdio.h>

#include "../outbox/policy.h"
#include "../outbox/send.h"
#include "../outbox/spool.h"
#include "json.h"

struct obr {
	FILE *out;
	bool json;
	struct pf_json j;
};

void obr_init(struct obr *r, FILE *out, bool json);
/* Every message of SP and each recipient's state, last reply, next
 * attempt; counts into T. */
void obr_spool(struct obr *r, const struct ob_spool *sp,
	       struct ob_tally *t);
/* One item that was not considered (--only) or, in --dry-run, what
 * would happen to it (M->why NULL: sent as BYTES bytes). */
void obr_item(struct obr *r, const struct ob_msg *m, size_t bytes);
/* The closing line: counts, why the run stopped, the exit status. */
void obr_summary(struct obr *r, const struct ob_tally *t,
		 const char *spool, const char *stopped, int status);

#endif
