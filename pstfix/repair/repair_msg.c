/*
 * repair_msg.c - stage 3 of `pstfix repair` (repair.h): the messaging
 * layer (MS-PST 2.4, 2.7) of a file whose NDB is sound.
 *
 * Contract: see repair.h and rmsg.h.  IN is opened with the normal
 * reader, analysed (rmsg_plan.c) and written to OUT in over mode
 * (rmsg_write.c); IN is never modified, except that with
 * ctx->consume_in (IN is an earlier stage's temporary) it becomes OUT.
 * Counts: mandatory_recreated, tables_rebuilt, counts_fixed,
 * orphans_recovered, messages_kept (every normal message of OUT,
 * unreadable ones included) and messages_unreadable (kept, but their PC
 * does not open).
 */
#include "rmsg.h"

int pf_repair_messaging(struct pf_repair_ctx *ctx, const char *in,
			const char *out)
{
	struct pf_ndb *ndb;
	struct rmsg_plan p;
	int rc = pf_ndb_open(&ndb, in);

	if (rc != 0)
		return rc;
	rc = rmsg_plan_make(&p, ndb, ctx);
	if (rc == 0) {
		rc = rmsg_plan_write(&p, ndb, out, ctx);
		if (rc == 0) {
			ctx->counts.orphans_recovered += p.orphan_msgs +
							 p.orphan_folders;
			ctx->counts.messages_kept += p.messages;
			ctx->counts.messages_unreadable += p.unreadable_msgs;
		}
		rmsg_plan_free(&p);
	}
	pf_ndb_close(ndb);
	return rc;
}
