/*
 * outbox_list_out.c - what `pstfix outbox list` prints: per item a block
 * an admin can act on (what it is, who gets it, what send will do and
 * why), or one JSON object; per file a head line and a summary.
 *
 * Contract: every string taken from the PST goes through cli_put_safe()
 * (text) or the JSON writer's escaping; times are ISO 8601 UTC.  The
 * JSON keys are stable (README "outbox list"): item: file, nid, class,
 * flags, submit_time, deferred_time, size, attachments, from, from_name,
 * subject, message_class, message_id, sent_nid, recipients [{type,
 * name, addr, addrtype, delivered, status}], will_send; lost: file, nid,
 * flags, submit_time, subject, why; summary: file, outbox_nid, sent_nid,
 * items, one count per class (in_sent for in-sent), unresolvable,
 * delivered, lost, sent_items_compared, salvaged, sent_items_partial,
 * note.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "outbox_list.h"

#define FT_UNIX_EPOCH 11644473600ll   /* seconds 1601 -> 1970 */

void ol_iso(uint64_t ft, char *buf, size_t cb)
{
	int64_t secs = (int64_t)(ft / 10000000ull) - FT_UNIX_EPOCH;
	time_t t = (time_t)secs;
	struct tm tm;

	buf[0] = '\0';
	if (ft == 0 || !gmtime_r(&t, &tm))
		return;
	strftime(buf, cb, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *rtype(enum pf_mimew_rtype t)
{
	return t == PF_MIMEW_CC ? "cc" : t == PF_MIMEW_BCC ? "bcc" : "to";
}

static const char *rstatus(const struct pf_outbox_rcpt *r)
{
	return r->delivered ? "delivered" : !r->addr ? "unresolvable" :
		"send";
}

struct counts {
	size_t send, delivered, unresolvable;
};

static struct counts count(const struct pf_outbox_item *it)
{
	struct counts c = { 0, 0, 0 };

	for (size_t i = 0; i < it->nrcpt; i++) {
		const struct pf_outbox_rcpt *r = &it->rcpt[i];

		if (r->delivered)
			c.delivered++;
		else if (!r->addr)
			c.unresolvable++;
		else
			c.send++;
	}
	return c;
}

/* ---- JSON ---- */

static void kv_time(struct pf_json *j, const char *key, uint64_t ft)
{
	char buf[40];

	ol_iso(ft, buf, sizeof(buf));
	pf_json_kv_str(j, key, buf[0] ? buf : NULL);
}

static void json_rcpt(struct pf_json *j, const struct pf_outbox_rcpt *r)
{
	pf_json_object_begin(j);
	pf_json_kv_str(j, "type", rtype(r->type));
	pf_json_kv_str(j, "name", r->name);
	pf_json_kv_str(j, "addr", r->addr);
	pf_json_kv_str(j, "addrtype", r->addrtype);
	pf_json_kv_bool(j, "delivered", r->delivered);
	pf_json_kv_str(j, "status", rstatus(r));
	pf_json_object_end(j);
}

static void json_item(struct pf_json *j, const struct pf_outbox *ob,
		      const struct pf_outbox_item *it)
{
	pf_json_object_begin(j);
	pf_json_kv_str(j, "type", "item");
	pf_json_kv_str(j, "file", ob->path);
	pf_json_kv_hex(j, "nid", it->nid);
	pf_json_kv_str(j, "class", pf_outbox_class_name(it->cls));
	pf_json_kv_hex(j, "flags", (uint32_t)it->flags);
	kv_time(j, "submit_time", it->submit_time);
	kv_time(j, "deferred_time", it->deferred_time);
	pf_json_kv_u64(j, "size", it->size);
	pf_json_kv_u64(j, "attachments", it->natt);
	pf_json_kv_str(j, "from", it->from);
	pf_json_kv_str(j, "from_name", it->from_name);
	pf_json_kv_str(j, "subject", it->subject);
	pf_json_kv_str(j, "message_class", it->message_class);
	pf_json_kv_str(j, "message_id", it->message_id);
	if (it->sent_nid)
		pf_json_kv_hex(j, "sent_nid", it->sent_nid);
	else
		pf_json_kv_str(j, "sent_nid", NULL);
	pf_json_key(j, "recipients");
	pf_json_array_begin(j);
	for (size_t i = 0; i < it->nrcpt; i++)
		json_rcpt(j, &it->rcpt[i]);
	pf_json_array_end(j);
	pf_json_kv_bool(j, "will_send", it->cls == PF_OUTBOX_STRANDED &&
			count(it).send > 0);
	pf_json_object_end(j);
	pf_json_newline(j);
}

/* ---- text ---- */

static void put_addr(const char *name, const char *addr)
{
	if (name && *name) {
		putchar('"');
		cli_put_safe(stdout, name);
		putchar('"');
	}
	if (addr) {
		if (name && *name)
			putchar(' ');
		putchar('<');
		cli_put_safe(stdout, addr);
		putchar('>');
	}
}

static void text_rcpts(const struct pf_outbox_item *it, bool verbose)
{
	static const enum pf_mimew_rtype kinds[] = {
		PF_MIMEW_TO, PF_MIMEW_CC, PF_MIMEW_BCC };
	static const char *const labels[] = { "To:  ", "Cc:  ", "Bcc: " };

	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; i < it->nrcpt; i++) {
			const struct pf_outbox_rcpt *r = &it->rcpt[i];

			if (r->type != kinds[k])
				continue;
			printf("      %s ", labels[k]);
			put_addr(r->name, r->addr);
			if (!r->addr) {
				fputs(" UNRESOLVABLE (type ", stdout);
				cli_put_safe(stdout, r->addrtype ?
					     r->addrtype : "none");
				fputs(", no SMTP address)", stdout);
			} else if (verbose && r->addrtype) {
				fputs(" [", stdout);
				cli_put_safe(stdout, r->addrtype);
				putchar(']');
			}
			if (r->delivered)
				fputs(" (delivered already)", stdout);
			putchar('\n');
		}
}

/* What `outbox send` will do with IT, and why. */
static void text_verdict(const struct pf_outbox_item *it)
{
	struct counts c = count(it);
	char t[40];

	fputs("      => ", stdout);
	switch (it->cls) {
	case PF_OUTBOX_STRANDED:
		if (c.send == 0)
			fputs("send has no recipient to submit it to", stdout);
		else
			printf("send submits it to %zu recipient%s", c.send,
			       c.send == 1 ? "" : "s");
		break;
	case PF_OUTBOX_DEFERRED:
		ol_iso(it->deferred_time, t, sizeof(t));
		printf("send waits: deferred delivery until %s", t);
		break;
	case PF_OUTBOX_DRAFT:
		fputs("not sent: a draft (unsent, never submitted); send "
		      "takes it with --include-drafts", stdout);
		break;
	case PF_OUTBOX_SENT:
		fputs("never sent again: Outlook marked it sent", stdout);
		break;
	case PF_OUTBOX_IN_SENT:
		printf("not sent: Sent Items holds it (NID 0x%x): Outlook "
		       "sent it and stopped before clearing the Outbox",
		       it->sent_nid);
		break;
	}
	if (c.delivered)
		printf("; %zu delivered already (skipped)", c.delivered);
	if (c.unresolvable)
		printf("; %zu without an SMTP address (not sent to)",
		       c.unresolvable);
	putchar('\n');
}

static void text_item(const struct ol_opts *o,
		      const struct pf_outbox_item *it)
{
	char t[40];

	ol_iso(it->submit_time, t, sizeof(t));
	printf("  %-8s 0x%-8x submitted %s  %" PRIu64 " bytes",
	       pf_outbox_class_name(it->cls), it->nid, t[0] ? t : "never",
	       it->size);
	if (it->deferred_time) {
		ol_iso(it->deferred_time, t, sizeof(t));
		printf("  deferred until %s", t);
	}
	fputs("\n      Subject: ", stdout);
	cli_put_safe(stdout, it->subject ? it->subject : "(none)");
	fputs("\n      From: ", stdout);
	put_addr(it->from_name, it->from);
	if (!it->from)
		fputs(" (no SMTP sender address: send needs "
		      "--from-override)", stdout);
	putchar('\n');
	text_rcpts(it, o->verbose);
	fputs("      Message-ID: <", stdout);
	cli_put_safe(stdout, it->message_id);
	fputs(">\n", stdout);
	if (o->verbose) {
		fputs("      ", stdout);
		cli_put_safe(stdout, it->message_class ? it->message_class :
			     "(no message class)");
		printf(", flags 0x%x, %zu attachment%s\n",
		       (uint32_t)it->flags, it->natt,
		       it->natt == 1 ? "" : "s");
	}
	text_verdict(it);
}

void ol_item(struct ol_opts *o, const struct pf_outbox *ob,
	     const struct pf_outbox_item *it)
{
	if (o->json)
		json_item(&o->j, ob, it);
	else
		text_item(o, it);
}

void ol_lost(struct ol_opts *o, const struct pf_outbox *ob,
	     const struct pf_outbox_lost *l)
{
	char t[40];

	if (o->json) {
		pf_json_object_begin(&o->j);
		pf_json_kv_str(&o->j, "type", "lost");
		pf_json_kv_str(&o->j, "file", ob->path);
		pf_json_kv_hex(&o->j, "nid", l->nid);
		pf_json_kv_hex(&o->j, "flags", (uint32_t)l->flags);
		kv_time(&o->j, "submit_time", l->submit_time);
		pf_json_kv_str(&o->j, "subject", l->subject);
		pf_json_kv_str(&o->j, "why", l->why);
		pf_json_object_end(&o->j);
		pf_json_newline(&o->j);
		return;
	}
	ol_iso(l->submit_time, t, sizeof(t));
	printf("  %-8s 0x%-8x submitted %s\n      Subject: ", "LOST", l->nid,
	       t[0] ? t : "unknown");
	cli_put_safe(stdout, l->subject ? l->subject : "(unknown)");
	fputs("\n      => not sent: the Outbox lists it but it cannot be "
	      "read (", stdout);
	cli_put_safe(stdout, l->why);
	fputs(")\n", stdout);
}

void ol_head(struct ol_opts *o, const struct pf_outbox *ob)
{
	if (o->json)
		return;
	cli_put_safe(stdout, ob->path);
	if (ob->nid_outbox)
		printf(": Outbox 0x%x, %zu item%s", ob->nid_outbox,
		       ob->nitems, ob->nitems == 1 ? "" : "s");
	else
		fputs(": no Outbox", stdout);
	if (ob->salvaged)
		fputs(" (read through the salvage path)", stdout);
	putchar('\n');
}

void ol_error(struct ol_opts *o, const char *path, const char *why)
{
	if (o->json) {
		pf_json_object_begin(&o->j);
		pf_json_kv_str(&o->j, "type", "error");
		pf_json_kv_str(&o->j, "file", path);
		pf_json_kv_str(&o->j, "error", why);
		pf_json_object_end(&o->j);
		pf_json_newline(&o->j);
	}
	fputs("pstfix outbox list: ", stderr);
	cli_put_safe(stderr, path);
	fputs(": ", stderr);
	cli_put_safe(stderr, cli_file_msg(path, why));
	fputc('\n', stderr);
}

struct totals {
	size_t cls[PF_OUTBOX_IN_SENT + 1];
	size_t unresolvable, delivered;
};

static struct totals totals(const struct pf_outbox *ob)
{
	struct totals t;

	memset(&t, 0, sizeof(t));
	for (size_t i = 0; i < ob->nitems; i++) {
		const struct pf_outbox_item *it = &ob->items[i];
		struct counts c = count(it);

		if ((unsigned)it->cls <= PF_OUTBOX_IN_SENT)
			t.cls[it->cls]++;
		if (it->cls != PF_OUTBOX_SENT && it->cls != PF_OUTBOX_IN_SENT)
			t.unresolvable += c.unresolvable;
		t.delivered += c.delivered;
	}
	return t;
}

static void json_summary(struct pf_json *j, const struct pf_outbox *ob,
			 const struct totals *t)
{
	pf_json_object_begin(j);
	pf_json_kv_str(j, "type", "summary");
	pf_json_kv_str(j, "file", ob->path);
	if (ob->nid_outbox)
		pf_json_kv_hex(j, "outbox_nid", ob->nid_outbox);
	else
		pf_json_kv_str(j, "outbox_nid", NULL);
	if (ob->nid_sent)
		pf_json_kv_hex(j, "sent_nid", ob->nid_sent);
	else
		pf_json_kv_str(j, "sent_nid", NULL);
	pf_json_kv_u64(j, "items", ob->nitems);
	pf_json_kv_u64(j, "stranded", t->cls[PF_OUTBOX_STRANDED]);
	pf_json_kv_u64(j, "deferred", t->cls[PF_OUTBOX_DEFERRED]);
	pf_json_kv_u64(j, "draft", t->cls[PF_OUTBOX_DRAFT]);
	pf_json_kv_u64(j, "sent", t->cls[PF_OUTBOX_SENT]);
	pf_json_kv_u64(j, "in_sent", t->cls[PF_OUTBOX_IN_SENT]);
	pf_json_kv_u64(j, "unresolvable", t->unresolvable);
	pf_json_kv_u64(j, "delivered", t->delivered);
	pf_json_kv_u64(j, "lost", ob->nlost);
	pf_json_kv_u64(j, "sent_items_compared", ob->nsent_items);
	pf_json_kv_bool(j, "salvaged", ob->salvaged);
	pf_json_kv_bool(j, "sent_items_partial", ob->sent_partial);
	pf_json_kv_str(j, "note", ob->note);
	pf_json_object_end(j);
	pf_json_newline(j);
}

void ol_summary(struct ol_opts *o, const struct pf_outbox *ob)
{
	struct totals t = totals(ob);

	if (o->json) {
		json_summary(&o->j, ob, &t);
		return;
	}
	cli_put_safe(stdout, ob->path);
	printf(": %zu stranded (to send), %zu deferred, %zu draft%s, "
	       "%zu already in Sent Items, %zu sent",
	       t.cls[PF_OUTBOX_STRANDED], t.cls[PF_OUTBOX_DEFERRED],
	       t.cls[PF_OUTBOX_DRAFT], t.cls[PF_OUTBOX_DRAFT] == 1 ? "" : "s",
	       t.cls[PF_OUTBOX_IN_SENT], t.cls[PF_OUTBOX_SENT]);
	if (t.unresolvable)
		printf("; %zu recipient%s without an SMTP address",
		       t.unresolvable, t.unresolvable == 1 ? "" : "s");
	if (ob->nlost)
		printf("; %zu item%s unreadable", ob->nlost,
		       ob->nlost == 1 ? "" : "s");
	putchar('\n');
	if (ob->sent_partial && ob->nitems)
		puts("  warning: Sent Items was not read whole: an item "
		     "listed as stranded may have gone out already; check "
		     "before sending");
	if (ob->note[0]) {
		fputs("  note: ", stdout);
		cli_put_safe(stdout, ob->note);
		putchar('\n');
	}
}
