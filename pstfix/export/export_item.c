/*
 * export_item.c - one item, any (ndb, nid): read it (formats/mime
 * pf_mimew_read), apply the date filter, render it as mail, vCard or
 * iCalendar, and hand the bytes to the folder's sink.
 *
 * The item's date is the one its Date: header gets (submit time, else
 * delivery, else creation).  A contact without a name or an appointment
 * without a start goes out as a MIME message instead (pf_mimew.h), so
 * nothing readable is dropped.  Failures of the item itself are logged
 * and counted as skipped; only failures of the output end the export.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"

#define PF_EXPORT_BUF_KEEP (16u << 20)

static int64_t unix_time(uint64_t ft)
{
	return ft ? (int64_t)(ft / 10000000ull) - 11644473600ll : 0;
}

static void skip(struct pf_export *ex, uint32_t nid, const char *where,
		 const char *what)
{
	char why[400];

	snprintf(why, sizeof(why), "skipped: %s: %s", what, pf_error_msg());
	ex->sum->skipped++;
	if (ex->o->log)
		ex->o->log(ex->o->ctx, nid, where, why);
}

static bool filtered(const struct pf_export_opts *o, int64_t t)
{
	return (o->has_since && t < o->since) ||
	       (o->has_until && t > o->until);
}

/* Empty B, keeping its memory: one buffer serves every item of an export
 * (no fresh pages to fault in for each message's megabyte). */
static void buf_reset(struct pf_mimew_buf *b)
{
	b->n = 0;
	b->err = 0;
	if (b->p)
		b->p[0] = '\0';
}

/* Render MSG as what its class asks for; *ext gets the extension. */
static int render(struct pf_mimew_buf *b, const struct pf_mimew_msg *msg,
		  const struct pf_mimew_opts *mo, const char **ext)
{
	enum pf_mimew_kind k = pf_mimew_kind_of(msg->message_class);
	int rc = PF_E_NOTFOUND;

	if (k == PF_MIMEW_VCARD) {
		*ext = "vcf";
		rc = pf_mimew_vcard(b, msg);
	} else if (k == PF_MIMEW_VEVENT || k == PF_MIMEW_VTODO) {
		*ext = "ics";
		rc = pf_mimew_ical(b, msg, k);
	}
	if (rc != PF_E_NOTFOUND)
		return rc;
	buf_reset(b);
	*ext = "eml";
	return pf_mimew_render(b, msg, mo);
}

static void count(struct pf_export *ex, const struct pf_mimew_msg *msg,
		  const char *ext, size_t n, uint32_t nid, const char *where)
{
	struct pf_export_summary *s = ex->sum;

	if (strcmp(ext, "vcf") == 0)
		s->vcards++;
	else if (strcmp(ext, "ics") == 0)
		s->events++;
	else
		s->messages++;
	s->bytes += n;
	if (msg->lost) {
		char why[300];

		s->partial++;
		snprintf(why, sizeof(why), "exported without %u part%s (%s)",
			 msg->lost, msg->lost == 1 ? "" : "s", msg->note);
		if (ex->o->log)
			ex->o->log(ex->o->ctx, nid, where, why);
	}
}

int pf_export_item(struct pf_export *ex, struct pf_export_sink *sink,
		   uint32_t nid, const char *where)
{
	struct pf_mimew_buf *b = &ex->out;
	struct pf_mimew_msg *msg = NULL;
	struct pf_message m;
	const char *ext = "eml";
	char name[32];
	int64_t t;
	int rc;

	ex->sum->candidates++;
	if (pf_message_open(&m, ex->ndb, nid) != 0) {
		skip(ex, nid, where, "unreadable message");
		return 0;
	}
	rc = pf_mimew_read(&msg, &m, ex->have_map ? &ex->map : NULL);
	pf_message_close(&m);
	if (rc == PF_E_NOMEM)
		return rc;
	if (rc != 0) {
		skip(ex, nid, where, "unreadable message");
		return 0;
	}
	t = unix_time(msg->submit_time ? msg->submit_time :
		      msg->delivery_time ? msg->delivery_time :
		      msg->creation_time);
	if (filtered(ex->o, t)) {
		ex->sum->filtered++;
		pf_mimew_msg_free(msg);
		return 0;
	}
	buf_reset(b);
	rc = render(b, msg, &ex->o->mime, &ext);
	if (rc == 0) {
		snprintf(name, sizeof(name), "%08x", nid);
		rc = pf_export_sink_put(sink, name, ext, b->p, b->n,
					msg->flags & PF_MSGFLAG_READ, t,
					msg->from.addr);
		if (rc == 0)
			count(ex, msg, ext, b->n, nid, where);
	} else if (rc != PF_E_NOMEM) {
		skip(ex, nid, where, "cannot render");
		rc = 0;
	}
	if (b->cap > PF_EXPORT_BUF_KEEP)
		pf_mimew_buf_free(b);   /* an outsized item: not kept */
	pf_mimew_msg_free(msg);
	return rc;
}
