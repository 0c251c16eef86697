/*
 * outbox_lost.c - Outbox items that cannot be read: their node is under
 * an unreadable NBT page, or their PC or subnodes are damaged.  They are
 * never sent (there is nothing to send), but the admin must hear of them:
 * the Outbox's contents table (MS-PST 2.4.4.5) often still has their row,
 * with the subject, submit time and flags the message had.
 *
 * Contract: a read records each item it could not open with the reason;
 * a later read (the trailer-scan rebuild) that does open it wins.  At the
 * end the ones no read found are ob->lost, once per NID, in NID order,
 * and the first one's reason is noted.  The row lookup is best effort: a
 * table that does not read leaves the fields empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/util/pf_grow.h"
#include "outbox_int.h"

/* MS-OXCMSG 2.2.1.46: a subject that starts U+0001 and a length
 * character carries a prefix marker, not text. */
static void strip_marker(char *s)
{
	size_t skip = 1;

	if (!s || s[0] != 0x01)
		return;
	if (s[1]) {
		skip++;
		while ((s[skip] & 0xC0) == 0x80)
			skip++;
	}
	memmove(s, s + skip, strlen(s + skip) + 1);
}

/* What the Outbox's contents table says about L->nid. */
static void row_info(struct pf_outbox_lost *l, struct pf_ndb *ndb,
		     uint32_t nid_outbox)
{
	uint32_t tnid = pf_nid_with_type(nid_outbox, PF_NT_CONTENTS_TABLE);
	struct pf_nbt_entry e;
	struct pf_table t;
	uint32_t row;

	if (pf_nbt_lookup(ndb, tnid, &e) != 0 ||
	    pf_table_open(&t, ndb, tnid, e.bid_data, e.bid_sub) != 0)
		return;
	if (pf_tc_find_row(&t.tc, l->nid, &row) == 0) {
		pf_tc_get_string(&t.tc, row, PF_PROP_TAG(PF_TAG_SUBJECT, 0),
				 &l->subject);
		strip_marker(l->subject);
		pf_tc_get_time(&t.tc, row, PF_PROP_TAG(
			PF_TAG_CLIENT_SUBMIT_TIME, 0), &l->submit_time);
		pf_tc_get_i32(&t.tc, row, PF_PROP_TAG(PF_TAG_MESSAGE_FLAGS, 0),
			      &l->flags);
	}
	pf_table_close(&t);
}

int ob_lost_add(struct ob_priv *p, struct pf_ndb *ndb, uint32_t nid_outbox,
		uint32_t nid)
{
	struct pf_outbox_lost *l;
	int rc = pf_grow(&p->lost, p->nlost, &p->lcap, sizeof(*p->lost));

	if (rc != 0)
		return rc;
	l = &p->lost[p->nlost++];
	memset(l, 0, sizeof(*l));
	l->nid = nid;
	snprintf(l->why, sizeof(l->why), "%s", pf_error_msg());
	row_info(l, ndb, nid_outbox);
	return 0;
}

static int by_nid(const void *a, const void *b)
{
	const struct pf_outbox_lost *x = a, *y = b;

	return x->nid < y->nid ? -1 : x->nid > y->nid;
}

int ob_lost_finish(struct pf_outbox *ob)
{
	struct ob_priv *p = ob->priv;
	struct pf_set seen = { 0 };
	size_t cap = 0;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < p->nlost; i++) {
		struct pf_outbox_lost *l = &p->lost[i];

		if (pf_set_has(&p->nids, l->nid))
			continue;   /* a later read found it */
		rc = pf_set_add(&seen, l->nid);
		if (rc == 0)
			continue;   /* the same item, from another read */
		if (rc > 0)
			rc = pf_grow(&ob->lost, ob->nlost, &cap,
				     sizeof(*ob->lost));
		if (rc != 0)
			break;
		ob->lost[ob->nlost++] = *l;
		l->subject = NULL;   /* moved */
	}
	pf_set_free(&seen);
	if (rc != 0)
		return rc;
	if (ob->nlost > 1)
		qsort(ob->lost, ob->nlost, sizeof(*ob->lost), by_nid);
	if (ob->nlost)
		ob_note(ob, "item 0x%x (listed in the Outbox) cannot be "
			"read: %s", ob->lost[0].nid, ob->lost[0].why);
	return 0;
}

void ob_lost_free(struct pf_outbox_lost *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].subject);
	free(v);
}
