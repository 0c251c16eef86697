/*
 * rmsg_salvage.c - the messaging stage's tolerant reads (stage 3 of
 * repair.h): is a table sound enough to keep, which PC properties can be
 * kept when a PC is partly damaged.
 *
 * Contract
 * - rmsg_table_faults() opens a folder table's TC with a counting fault
 *   sink and validates it (MS-PST 2.3.4): any LTP fault (a bad TCINFO,
 *   a row index disagreeing with the row matrix, a cell that does not
 *   resolve) makes the table "unreadable", so the plan rebuilds it from
 *   the NBT instead of keeping a table readers choke on.
 * - Only reads; the NDB walks it relies on are bounded by formats/ltp.
 */
#include <stdint.h>

#include "../../formats/ltp/pf_ltp.h"
#include "../../formats/ndb/pf_ndb.h"
#include "rmsg.h"

static void count_fault(void *ctx, const struct pf_fault *f)
{
	(void)f;
	(*(uint32_t *)ctx)++;
}

int rmsg_table_faults(struct pf_ndb *ndb, uint32_t nid)
{
	struct pf_nbt_entry e;
	struct pf_subnodes sub;
	struct pf_tc tc;
	uint32_t n = 0;
	struct pf_sink sink = { count_fault, &n };
	int rc;

	rc = pf_nbt_lookup(ndb, nid, &e);
	if (rc != 0)
		return rc;
	rc = pf_subnodes_load(ndb, e.bid_sub, NULL, &sub);
	if (rc != 0)
		return rc;
	rc = pf_tc_open(&tc, ndb, nid, e.bid_data, &sub, &sink);
	if (rc == 0) {
		rc = pf_tc_validate(&tc, &sink);
		pf_tc_close(&tc);
	}
	pf_subnodes_free(&sub);
	/* a TC that fails to open without a fault is still unusable */
	if (rc < 0 && n == 0)
		return rc;
	return (int)n;
}
