/*
 * outbox_src.c - the files an Outbox's items are read from, kept open
 * from pf_outbox_load() to pf_outbox_free() so that pf_outbox_read() and
 * pf_outbox_render() read an item again when asked instead of holding
 * every body and attachment in memory (a stuck Outbox is often stuck
 * because of its large attachments).
 *
 * Contract: at most OB_MAX_SRC files (the PST read strictly, read past
 * damage, its trailer-scan rebuild); each opened read-only with its
 * named-property map (MS-PST 2.4.7) when that reads.  A source no item
 * came from is closed at once.  The rebuild is unlinked by the loader as
 * soon as it is read: the open descriptor keeps its bytes, so the
 * caller's scratch directory can go.
 */
#include <stdlib.h>
#include <string.h>

#include "outbox_int.h"

int ob_src_open(struct ob_priv *p, const char *path, unsigned *idx)
{
	struct ob_src *s;
	int rc;

	if (p->nsrc >= OB_MAX_SRC)
		return pf_error_set(PF_E_LIMIT, "more than %d reads of one "
				    "file", OB_MAX_SRC);
	s = &p->src[p->nsrc];
	memset(s, 0, sizeof(*s));
	rc = pf_ndb_open(&s->ndb, path);
	if (rc != 0)
		return rc;
	s->have_map = pf_nameid_load(s->ndb, &s->map, NULL) == 0;
	*idx = p->nsrc++;
	return 0;
}

static void src_close(struct ob_src *s)
{
	if (s->have_map)
		pf_nameid_free(&s->map);
	pf_ndb_close(s->ndb);
	memset(s, 0, sizeof(*s));
}

void ob_src_release(struct ob_priv *p, unsigned idx)
{
	/* only the newest can go: items name sources by index */
	if (idx + 1 == p->nsrc && p->src[idx].items == 0) {
		src_close(&p->src[idx]);
		p->nsrc--;
	}
}

void ob_src_free(struct ob_priv *p)
{
	for (unsigned i = 0; i < p->nsrc; i++)
		src_close(&p->src[i]);
	p->nsrc = 0;
}

int pf_outbox_read(struct pf_mimew_msg **out, const struct pf_outbox *ob,
		   const struct pf_outbox_item *item)
{
	const struct ob_priv *p = ob ? ob->priv : NULL;
	const struct ob_src *s;
	struct pf_message m;
	int rc;

	*out = NULL;
	if (!p || !item || item < ob->items || item >= ob->items + ob->nitems)
		return pf_error_set(PF_E_USAGE, "not an item of this Outbox");
	s = &p->src[p->meta[item - ob->items].src];
	rc = pf_message_open(&m, s->ndb, item->nid);
	if (rc != 0)
		return rc;
	rc = pf_mimew_read(out, &m, s->have_map ? &s->map : NULL);
	pf_message_close(&m);
	return rc;
}
