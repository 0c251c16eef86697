/*
 * outbox_load.c - pf_outbox_load(): a PST's Outbox items, classified.
 *
 * Contract (outbox.h)
 * - The file is opened read-only (pf_ndb_open) and stays open for
 *   pf_outbox_read (outbox_src.c); the items' summaries are in memory.
 * - The Outbox and Sent Items are the folders the message store names
 *   (PidTagIpmOutboxEntryId 0x35E2, PidTagIpmSentMailEntryId 0x35E4,
 *   MS-OXOSFLD 2.2.1; formats/msg pf_store_read), never found by name.
 *   An entry that names no folder (not a folder NID, MS-PST 2.2.2.1, or
 *   a node the intact NBT does not have) is noted and nothing is
 *   guessed: no Outbox, no items; no Sent Items, sent_partial (a copy
 *   already sent cannot be recognised).
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
#include <fcntl.h>
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
	char line[sizeof(ob->note)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (strstr(ob->note, line))
		return;   /* the rebuild's read says it again */
	snprintf(ob->note + n, sizeof(ob->note) - n, "%s%s", n ? "; " : "",
		 line);
}

/* ITEMS[n] from MSG, read from source SRC; its search key kept for the
 * Sent Items match, the message itself not (pf_outbox_read). */
static int item_push(struct pf_outbox *ob, const struct pf_mimew_msg *msg,
		     const struct pf_pc *pc, unsigned src)
{
	struct ob_priv *p = ob->priv;
	size_t icap = p->cap;
	struct ob_meta *meta;
	int rc = pf_grow(&ob->items, ob->nitems, &icap, sizeof(*ob->items));

	if (rc == 0)
		rc = pf_grow(&p->meta, ob->nitems, &p->cap, sizeof(*p->meta));
	if (rc != 0)
		return rc;
	meta = &p->meta[ob->nitems];
	memset(meta, 0, sizeof(*meta));
	meta->src = src;
	rc = ob_item_fill(&ob->items[ob->nitems], msg, pc);
	if (rc == 0 && msg->search_key_cb) {
		meta->sk = malloc(msg->search_key_cb);
		if (meta->sk) {
			memcpy(meta->sk, msg->search_key, msg->search_key_cb);
			meta->skcb = msg->search_key_cb;
		} else {
			rc = pf_error_set(PF_E_NOMEM, "out of memory");
		}
	}
	if (rc != 0) {
		ob_item_clear(&ob->items[ob->nitems]);
		return rc;
	}
	ob->nitems++;
	p->src[src].items++;
	return 0;
}

/* Outbox message NID; one that does not read is remembered, not fatal. */
static int add_item(struct pf_outbox *ob, unsigned src, uint32_t nid)
{
	struct ob_priv *p = ob->priv;
	const struct ob_src *s = &p->src[src];
	struct pf_mimew_msg *msg = NULL;
	struct pf_message m;
	int rc;

	if (pf_set_has(&p->nids, nid))
		return 0;   /* read already (from the file itself) */
	rc = pf_message_open(&m, s->ndb, nid);
	if (rc == 0) {
		rc = pf_mimew_read(&msg, &m, s->have_map ? &s->map : NULL);
		if (rc == 0)
			rc = item_push(ob, msg, &m.pc, src);
		pf_mimew_msg_free(msg);
		pf_message_close(&m);
	}
	if (rc == 0)
		rc = pf_set_add(&p->nids, nid);
	else if (rc != PF_E_NOMEM)
		rc = ob_lost_add(p, s->ndb, ob->nid_outbox, nid);
	return rc < 0 ? rc : 0;
}

/* The store's Outbox and Sent Items NIDs (kept from the first read). */
static int store(struct pf_outbox *ob, struct pf_ndb *ndb)
{
	struct pf_store_info si;
	int rc = pf_store_read(ndb, &si);

	if (rc != 0)
		return pf_error_set(rc, "the message store (NID 0x21) cannot "
				    "be read: %s", pf_error_msg());
	if (!ob->nid_outbox)
		ob->nid_outbox = si.nid_outbox;
	if (!ob->nid_sent)
		ob->nid_sent = si.nid_sent;
	pf_store_info_free(&si);
	return 0;
}

/* Sent Items message NID's keys, once per NID over every read. */
static int sent_item(struct pf_outbox *ob, struct pf_ndb *ndb, uint32_t nid)
{
	struct ob_priv *p = ob->priv;
	int rc = pf_set_add(&p->sent, nid);

	if (rc <= 0)
		return rc;   /* 0: read already */
	ob->nsent_items++;
	rc = ob_sent_add(p, ndb, nid);
	if (rc == 1)
		ob->sent_partial = true;
	return rc < 0 ? rc : 0;
}

static int items(struct pf_outbox *ob, unsigned src,
		 const struct ob_nids *n)
{
	struct pf_ndb *ndb = ((struct ob_priv *)ob->priv)->src[src].ndb;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n->nout; i++)
		rc = add_item(ob, src, n->outbox[i]);
	for (size_t i = 0; rc == 0 && i < n->nsent; i++)
		rc = sent_item(ob, ndb, n->sent[i]);
	return rc;
}

/* Whether NID names a folder: its type, and in a strict read (an intact
 * NBT) its node; 1 yes, 0 no, or the error of an NBT that does not read
 * (the caller salvages). */
static int is_folder(struct pf_ndb *ndb, uint32_t nid, bool tolerant)
{
	struct pf_nbt_entry e;
	int rc;

	if (PF_NID_TYPE(nid) != PF_NT_NORMAL_FOLDER)
		return 0;
	if (tolerant)
		return 1;
	rc = pf_nbt_lookup(ndb, nid, &e);
	if (rc == PF_E_NOTFOUND)
		return 0;
	return rc == 0 ? 1 : rc;
}

/* The store's entries checked (see the top): 1 the Outbox is a folder,
 * 0 no Outbox, or a negative PF_E_*. */
static int folders_ok(struct pf_outbox *ob, struct pf_ndb *ndb,
		      bool tolerant)
{
	int rc;

	if (!ob->nid_outbox)
		return 0;   /* pf_outbox_load notes it */
	rc = is_folder(ndb, ob->nid_outbox, tolerant);
	if (rc == 0)
		ob_note(ob, "PidTagIpmOutboxEntryId (0x35E2) names 0x%x, "
			"which is not a folder: nothing listed",
			ob->nid_outbox);
	if (rc <= 0)
		return rc;
	rc = ob->nid_sent ? is_folder(ndb, ob->nid_sent, tolerant) : 0;
	if (rc < 0)
		return rc;
	if (rc == 0) {
		ob->sent_partial = true;
		ob_note(ob, "no Sent Items folder (PidTagIpmSentMailEntryId "
			"0x35E4 names 0x%x): copies already sent cannot be "
			"recognised", ob->nid_sent);
	}
	return 1;
}

/* One read of PATH (the file or its rebuild); *BAD: NBT pages skipped.
 * The file stays open (outbox_src.c) when an item came from it. */
static int load_one(struct pf_outbox *ob, const char *path, bool tolerant,
		    uint32_t *bad)
{
	struct ob_priv *p = ob->priv;
	struct ob_nids n;
	unsigned src = 0;
	int ok, rc = ob_src_open(p, path, &src);

	memset(&n, 0, sizeof(n));
	*bad = 0;
	if (rc != 0)
		return rc;
	rc = store(ob, p->src[src].ndb);
	ok = rc == 0 ? folders_ok(ob, p->src[src].ndb, tolerant) : 0;
	if (ok < 0)
		rc = ok;
	if (ok > 0)
		rc = ob_nids_collect(&n, p->src[src].ndb, ob->nid_outbox,
				     ob->nid_sent, tolerant);
	if (rc == 0 && ok > 0) {
		*bad = n.bad_pages;
		if (n.why[0])
			ob_note(ob, "%s", n.why);
		rc = items(ob, src, &n);
	}
	ob_nids_free(&n);
	ob_src_release(p, src);
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
	/* gone from the directory now; an open read keeps its bytes */
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
		ob_note(ob, "a trailer-scan rebuild read too");
		return 0;
	}
	if (rc2 == PF_E_NOMEM || rc != 0)
		return pf_error_set(rc2, "%s (also after a trailer-scan "
				    "rebuild)", pf_error_msg());
	ob_note(ob, "no trailer-scan rebuild: %s", pf_error_msg());
	return 0;
}

static void classify(struct pf_outbox *ob, uint64_t now)
{
	struct ob_priv *p = ob->priv;

	ob_keys_sort(p);
	for (size_t i = 0; i < ob->nitems; i++) {
		struct pf_outbox_item *it = &ob->items[i];
		uint32_t sent = 0;

		if ((uint32_t)it->flags & PF_MSGFLAG_UNSENT)
			sent = ob_sent_match(p, it->message_id,
					     p->meta[i].sk, p->meta[i].skcb);
		if (sent == it->nid)
			sent = 0;
		it->cls = pf_outbox_classify(it->flags, it->deferred_time,
					     now, sent != 0);
		it->sent_nid = it->cls == PF_OUTBOX_IN_SENT ? sent : 0;
	}
}

/* A file that does not open has nothing to salvage: say why at once. */
static int openable(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return pf_error_set(PF_E_IO, "%s: %s", path, strerror(errno));
	close(fd);
	return 0;
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
	rc = openable(path);
	if (rc != 0) {
		free(ob);
		return rc;
	}
	ob->path = strdup(path);
	ob->priv = calloc(1, sizeof(struct ob_priv));
	if (!ob->path || !ob->priv) {
		pf_outbox_free(ob);
		return pf_error_set(PF_E_NOMEM, "out of memory");
	}
	rc = load_one(ob, path, false, &bad);
	if (rc != 0 && rc != PF_E_NOMEM && o->salvage) {
		ob_note(ob, "salvaged (%s)", pf_error_msg());
		rc = salvage(ob, path, o);
	}
	if (rc == 0 && !ob->nid_outbox)
		ob_note(ob, "the store names no Outbox "
			"(PidTagIpmOutboxEntryId 0x35E2 absent)");
	if (rc != 0) {
		pf_outbox_free(ob);
		return rc;
	}
	rc = ob_lost_finish(ob);
	if (rc != 0) {
		pf_outbox_free(ob);
		return rc;
	}
	if (ob->salvaged)
		ob->sent_partial = true;   /* what the damage hid is unknown */

	classify(ob, o->now ? o->now : pf_outbox_now());
	*out = ob;
	return 0;
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
			free(p->meta[i].sk);
	}
	if (p) {
		ob_src_free(p);
		free(p->meta);
		pf_set_free(&p->nids);
		pf_set_free(&p->sent);
		ob_lost_free(p->lost, p->nlost);
		ob_keys_free(p);
		free(p);
	}
	ob_lost_free(ob->lost, ob->nlost);
	free(ob->items);
	free(ob->path);
	free(ob);
}
