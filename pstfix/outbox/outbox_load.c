/*
 * outbox_load.c - pf_outbox_load(): a PST's Outbox items, classified.
 *
 * Contract (outbox.h)
 * - The file is opened read-only (pf_ndb_open) and closed before the load
 *   returns; everything the caller needs (the items and the messages they
 *   render from) is in memory.
 * - The Outbox and Sent Items are the folders the message store names
 *   (PidTagIpmOutboxEntryId 0x35E2, PidTagIpmSentMailEntryId 0x35E4,
 *   MS-OXOSFLD 2.2.1; formats/msg pf_store_read), never found by name.
 * - Each item is read by pf_mimew_read() (the exporter's reader) and
 *   summarised by outbox_item.c; an item that cannot be read is counted
 *   in nlost with the first reason in note, and the load goes on.
 * - Salvage (opts.salvage): when the file does not open, its store
 *   cannot be read or the strict NBT walk fails, the NBT is walked again
 *   past unreadable pages (export_nbt.c); when that fails too or skipped
 *   pages, the repair NDB stage (pf_repair_ndb at NODES, as export
 *   --salvage runs it, without deleted nodes: a deleted Outbox item must
 *   not come back as one to send) rebuilds the B-trees from a trailer
 *   scan into opts.work_dir, and the items it finds that the first read
 *   did not are added.  ob->salvaged and the note say so.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../formats/util/pf_grow.h"
#include "../repair/repair.h"
#include "outbox_int.h"

#define OB_REBUILT "outbox-rebuilt.pst"

void ob_note(struct pf_outbox *ob, const char *fmt, ...)
{
	size_t n = strlen(ob->note);
	va_list ap;

	if (n + 4 >= sizeof(ob->note))
		return;
	if (n) {
		memcpy(ob->note + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(ob->note + n, sizeof(ob->note) - n, fmt, ap);
	va_end(ap);
}

static int item_push(struct pf_outbox *ob, struct pf_mimew_msg *msg,
		     const struct pf_pc *pc)
{
	struct ob_priv *p = ob->priv;
	size_t icap = p->cap;
	int rc = pf_grow(&ob->items, ob->nitems, &icap, sizeof(*ob->items));

	if (rc == 0)
		rc = pf_grow(&p->msg, ob->nitems, &p->cap, sizeof(*p->msg));
	if (rc != 0)
		return rc;
	rc = ob_item_fill(&ob->items[ob->nitems], msg, pc);
	if (rc != 0) {
		ob_item_clear(&ob->items[ob->nitems]);
		return rc;
	}
	p->msg[ob->nitems++] = msg;
	return 0;
}

/* Outbox message NID; unreadable ones are counted, not fatal. */
static int add_item(struct pf_outbox *ob, struct pf_ndb *ndb,
		    const struct pf_nameid_map *map, uint32_t nid)
{
	struct ob_priv *p = ob->priv;
	struct pf_mimew_msg *msg = NULL;
	struct pf_message m;
	int rc = pf_set_add(&p->nids, nid);

	if (rc <= 0)
		return rc;   /* 0: read already (from the file itself) */
	rc = pf_message_open(&m, ndb, nid);
	if (rc == 0) {
		rc = pf_mimew_read(&msg, &m, map);
		if (rc == 0)
			rc = item_push(ob, msg, &m.pc);
		if (rc != 0)
			pf_mimew_msg_free(msg);
		pf_message_close(&m);
	}
	if (rc == PF_E_NOMEM || rc == 0)
		return rc;
	if (ob->nlost++ == 0)
		ob_note(ob, "item 0x%x cannot be read: %s", nid,
			pf_error_msg());
	return 0;
}

/* The store's Outbox and Sent Items NIDs (kept from the first read). */
static int store(struct pf_outbox *ob, struct pf_ndb *ndb)
{
	struct pf_store_info si;
	int rc = pf_store_read(ndb, &si);

	if (rc != 0)
		return rc;
	if (!ob->nid_outbox)
		ob->nid_outbox = si.nid_outbox;
	if (!ob->nid_sent)
		ob->nid_sent = si.nid_sent;
	pf_store_info_free(&si);
	return 0;
}

static int items(struct pf_outbox *ob, struct pf_ndb *ndb,
		 const struct ob_nids *n)
{
	struct pf_nameid_map map;
	bool have_map = pf_nameid_load(ndb, &map, NULL) == 0;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n->nout; i++)
		rc = add_item(ob, ndb, have_map ? &map : NULL, n->outbox[i]);
	for (size_t i = 0; rc == 0 && i < n->nsent; i++)
		rc = ob_sent_add(ob->priv, ndb, n->sent[i]);
	ob->nsent_items += n->nsent;
	if (have_map)
		pf_nameid_free(&map);
	return rc;
}

/* One read of PATH (the file or its rebuild); *BAD: NBT pages skipped. */
static int load_one(struct pf_outbox *ob, const char *path, bool tolerant,
		    uint32_t *bad)
{
	struct pf_ndb *ndb = NULL;
	struct ob_nids n;
	int rc = pf_ndb_open(&ndb, path);

	memset(&n, 0, sizeof(n));
	*bad = 0;
	if (rc == 0)
		rc = store(ob, ndb);
	if (rc == 0 && !ob->nid_outbox) {
		pf_ndb_close(ndb);
		return 0;   /* the caller notes it */
	}
	if (rc == 0)
		rc = ob_nids_collect(&n, ndb, ob->nid_outbox, ob->nid_sent,
				     tolerant);
	if (rc == 0) {
		*bad = n.bad_pages;
		if (n.why[0])
			ob_note(ob, "%s", n.why);
		rc = items(ob, ndb, &n);
	}
	ob_nids_free(&n);
	pf_ndb_close(ndb);
	return rc;
}

/* The trailer-scan rebuild (pstfix/repair) read like the file. */
static int load_rebuilt(struct pf_outbox *ob, const char *path,
			const struct pf_outbox_opts *o)
{
	struct pf_repair_ctx rctx = { .keep_deleted = false };
	const char *dir = o->work_dir(o->ctx);
	char *rebuilt;
	uint32_t bad;
	size_t n;
	int rc;

	if (!dir)
		return PF_E_IO;
	n = strlen(dir) + sizeof(OB_REBUILT) + 2;
	rebuilt = malloc(n);
	if (!rebuilt)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	snprintf(rebuilt, n, "%s/%s", dir, OB_REBUILT);
	rc = pf_repair_ndb(&rctx, path, rebuilt, PF_REPAIR_NODES);
	if (rc == 0)
		rc = load_one(ob, rebuilt, true, &bad);
	if (unlink(rebuilt) != 0 && errno != ENOENT && rc == 0)
		rc = pf_error_set(PF_E_IO, "%s: %s", rebuilt, strerror(errno));
	free(rebuilt);
	return rc;
}

static int salvage(struct pf_outbox *ob, const char *path,
		   const struct pf_outbox_opts *o)
{
	uint32_t bad = 0;
	int rc, rc2;

	ob->salvaged = true;
	rc = load_one(ob, path, true, &bad);
	if (rc == PF_E_NOMEM)
		return rc;
	if (bad)
		ob_note(ob, "%u NBT page(s) unreadable", bad);
	if ((rc == 0 && bad == 0) || !o->work_dir)
		return rc;
	rc2 = load_rebuilt(ob, path, o);
	if (rc2 == 0) {
		ob_note(ob, "items found by a trailer-scan rebuild added");
		return 0;
	}
	ob_note(ob, "no trailer-scan rebuild: %s", pf_error_msg());
	return rc == 0 ? 0 : rc2;
}

static void classify(struct pf_outbox *ob, uint64_t now)
{
	struct ob_priv *p = ob->priv;

	ob_keys_sort(p);
	for (size_t i = 0; i < ob->nitems; i++) {
		struct pf_outbox_item *it = &ob->items[i];
		uint32_t sent = 0;

		if ((uint32_t)it->flags & PF_MSGFLAG_UNSENT)
			sent = ob_sent_match(p, it->message_id, p->msg[i]);
		if (sent == it->nid)
			sent = 0;
		it->cls = pf_outbox_classify(it->flags, it->deferred_time,
					     now, sent != 0);
		it->sent_nid = it->cls == PF_OUTBOX_IN_SENT ? sent : 0;
	}
}

int pf_outbox_load(struct pf_outbox **out, const char *path,
		   const struct pf_outbox_opts *opts)
{
	static const struct pf_outbox_opts defaults = { .salvage = true };
	const struct pf_outbox_opts *o = opts ? opts : &defaults;
	struct pf_outbox *ob = calloc(1, sizeof(*ob));
	uint32_t bad;
	int rc;

	*out = NULL;
	if (!ob)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	ob->path = strdup(path);
	ob->priv = calloc(1, sizeof(struct ob_priv));
	if (!ob->path || !ob->priv) {
		pf_outbox_free(ob);
		return pf_error_set(PF_E_NOMEM, "out of memory");
	}
	rc = load_one(ob, path, false, &bad);
	if (rc != 0 && rc != PF_E_NOMEM && o->salvage) {
		ob_note(ob, "read through the salvage path (%s)",
			pf_error_msg());
		rc = salvage(ob, path, o);
	}
	if (rc == 0 && !ob->nid_outbox)
		ob_note(ob, "the store names no Outbox "
			"(PidTagIpmOutboxEntryId 0x35E2 absent)");
	if (rc != 0) {
		pf_outbox_free(ob);
		return rc;
	}
	classify(ob, o->now ? o->now : pf_outbox_now());
	*out = ob;
	return 0;
}

const struct pf_mimew_msg *pf_outbox_msg(const struct pf_outbox *ob,
					 const struct pf_outbox_item *item)
{
	const struct ob_priv *p = ob ? ob->priv : NULL;

	if (!p || !item || item < ob->items || item >= ob->items + ob->nitems)
		return NULL;
	return p->msg[item - ob->items];
}

void pf_outbox_free(struct pf_outbox *ob)
{
	struct ob_priv *p;

	if (!ob)
		return;
	p = ob->priv;
	for (size_t i = 0; i < ob->nitems; i++) {
		ob_item_clear(&ob->items[i]);
		if (p)
			pf_mimew_msg_free(p->msg[i]);
	}
	if (p) {
		free(p->msg);
		pf_set_free(&p->nids);
		ob_keys_free(p);
		free(p);
	}
	free(ob->items);
	free(ob->path);
	free(ob);
}
