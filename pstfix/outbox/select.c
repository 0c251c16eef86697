/*
 * select.c - the items `outbox send` takes (select.h).
 *
 * Contract (smtp-facts.md, MS-OXCMSG 2.2.1.6)
 * - STRANDED items are sent; DRAFT only with --include-drafts; SENT and
 *   IN_SENT never (Outlook sent them: the reason is recorded); DEFERRED
 *   wait (recorded with their time, so status shows them).
 * - Per recipient: the delivered flag (0x80000000) skips it; no SMTP
 *   address -> "unresolvable" (never guessed); an address SMTP would not
 *   carry (pf_smtp_addr_ok) -> unresolvable; a repeat of an earlier
 *   address -> skipped as a duplicate.  Bcc recipients go to RCPT TO
 *   only: the rendered bytes have no Bcc header (pf_outbox_render).
 * - The envelope sender is --from-override, else the item's sender;
 *   without a usable one the message cannot be sent (a failure).
 * - Why texts starting "cannot send" or "unresolvable" are failures
 *   (exit 65), the others need no sending.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../smtp/smtp.h"
#include "select.h"

bool ob_why_is_failure(const char *why)
{
	return why && (strncmp(why, "cannot send", 11) == 0 ||
		       strncmp(why, "unresolvable", 12) == 0);
}

int ob_check_bytes(const uint8_t *p, size_t n, char *why, size_t cap)
{
	size_t line = 0, lineno = 1;
	bool header_end = false;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') {
			header_end |= line == 0;
			line = 0;
			lineno++;
			i++;
			continue;
		}
		if (p[i] == '\r' || p[i] == '\n' || p[i] == 0 || p[i] > 127) {
			snprintf(why, cap, "line %zu: %s", lineno,
				 p[i] > 127 ? "an 8-bit byte" : p[i] ? "a "
				 "bare CR or LF" : "a NUL byte");
			return -1;
		}
		if (++line > 998) {
			snprintf(why, cap, "line %zu: longer than 998 octets",
				 lineno);
			return -1;
		}
	}
	if (n < 2 || p[n - 2] != '\r' || p[n - 1] != '\n' || !header_end) {
		snprintf(why, cap, "%s", !header_end ? "no empty line after "
			 "the header" : "no CRLF at the end");
		return -1;
	}
	return 0;
}

static bool only_has(const struct ob_select_opts *o, uint32_t nid)
{
	if (!o->only)
		return true;
	for (size_t i = 0; i < o->nonly; i++)
		if (o->only[i] == nid)
			return true;
	return false;
}

/* FILETIME -> "2026-01-01T00:00:00Z". */
static void filetime_str(uint64_t ft, char *s, size_t cap)
{
	time_t t = (time_t)(ft / 10000000ull - 11644473600ull);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(s, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Not sent: the reason, or NULL when the item is to be sent. */
static const char *class_why(const struct pf_outbox_item *it,
			     const struct ob_select_opts *o, char *buf,
			     size_t cap, bool *deferred)
{
	char when[32];

	*deferred = false;
	switch (it->cls) {
	case PF_OUTBOX_STRANDED:
		return NULL;
	case PF_OUTBOX_DRAFT:
		return o->include_drafts ? NULL : "draft: not submitted in "
			"Outlook (--include-drafts sends it)";
	case PF_OUTBOX_SENT:
		return "sent already: Outlook cleared its unsent flag";
	case PF_OUTBOX_IN_SENT:
		snprintf(buf, cap, "sent already: its copy is in Sent Items "
			 "(nid 0x%x)", it->sent_nid);
		return buf;
	case PF_OUTBOX_DEFERRED:
		filetime_str(it->deferred_time, when, sizeof(when));
		snprintf(buf, cap, "deferred: not to be delivered before %s",
			 when);
		*deferred = true;
		return buf;
	}
	return "unknown class";
}

/* Recipient I of IT into RC: pending, or skipped with why. */
static int take_rcpt(struct ob_rcpt *rc, const struct pf_outbox_item *it,
		     size_t i)
{
	const struct pf_outbox_rcpt *r = &it->rcpt[i];
	char buf[160];
	const char *why = NULL;

	rc->kind = (int)r->type;
	rc->state = OB_PENDING;
	if (r->addr && !(rc->addr = strdup(r->addr)))
		return PF_E_NOMEM;
	if (r->delivered)
		why = "delivered already (recipient flag 0x80000000)";
	else if (!r->addr) {
		snprintf(buf, sizeof(buf), "unresolvable: no SMTP address "
			 "(address type %s)", r->addrtype ? r->addrtype : "?");
		why = buf;
	} else if (!pf_smtp_addr_ok(r->addr, false))
		why = "unresolvable: not an address SMTP can carry";
	for (size_t k = 0; !why && k < i; k++)
		if (it->rcpt[k].addr && strcasecmp(it->rcpt[k].addr,
						   r->addr) == 0) {
			snprintf(buf, sizeof(buf), "duplicate of recipient "
				 "%zu", k + 1);
			why = buf;
		}
	if (why) {
		rc->state = OB_SKIPPED;
		if (!(rc->why = strdup(why)))
			return PF_E_NOMEM;
	}
	return 0;
}

static int describe(struct ob_msg **out, struct pf_outbox *ob,
		    const struct pf_outbox_item *it, const char *from)
{
	struct ob_msg *m = calloc(1, sizeof(*m));

	*out = m;
	if (!m)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	m->nid = it->nid;
	m->src = strdup(ob->path ? ob->path : "");
	m->msgid = strdup(it->message_id ? it->message_id : "");
	m->subject = it->subject ? strdup(it->subject) : NULL;
	m->from = from ? strdup(from) : NULL;
	if (!m->src || !m->msgid || (it->subject && !m->subject) ||
	    (from && !m->from))
		return pf_error_set(PF_E_NOMEM, "out of memory");
	return 0;
}

static int set_why(struct ob_msg *m, const char *why)
{
	free(m->why);
	m->why = strdup(why);
	return m->why ? 0 : pf_error_set(PF_E_NOMEM, "out of memory");
}

/* The recipients and the bytes of an item to send. */
static int prepare(struct ob_msg *m, struct pf_mimew_buf *bytes,
		   struct pf_outbox *ob, const struct pf_outbox_item *it,
		   enum ob_pick *pick)
{
	char why[160], chk[96];
	int rc;

	m->rcpt = calloc(it->nrcpt ? it->nrcpt : 1, sizeof(*m->rcpt));
	if (!m->rcpt)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	m->nrcpt = it->nrcpt;
	for (size_t i = 0; i < it->nrcpt; i++)
		if (take_rcpt(&m->rcpt[i], it, i))
			return pf_error_set(PF_E_NOMEM, "out of memory");
	rc = pf_outbox_render(bytes, ob, it);
	if (rc) {
		snprintf(why, sizeof(why), "cannot send: not rendered: %s",
			 pf_error_msg());
		*pick = OB_PICK_NOTE;
		return set_why(m, why);
	}
	if (ob_check_bytes((const uint8_t *)bytes->p, bytes->n, chk,
			   sizeof(chk))) {
		snprintf(why, sizeof(why), "cannot send: the rendered message "
			 "breaks the SMTP rules: %s", chk);
		*pick = OB_PICK_NOTE;
		return set_why(m, why);
	}
	*pick = OB_PICK_SEND;
	return 0;
}

int ob_select(struct ob_msg **out, struct pf_mimew_buf *bytes,
	      struct pf_outbox *ob, const struct pf_outbox_item *it,
	      const struct ob_select_opts *o, enum ob_pick *pick)
{
	const char *from = o->from_override ? o->from_override : it->from;
	const char *why;
	char buf[160];
	bool deferred;
	int rc = describe(out, ob, it, from);

	*pick = OB_PICK_NOTE;
	if (rc)
		return rc;
	if (!only_has(o, it->nid)) {
		*pick = OB_PICK_IGNORE;
		return set_why(*out, "not selected (--only)");
	}
	why = class_why(it, o, buf, sizeof(buf), &deferred);
	(*out)->deferred = deferred;
	if (why)
		return set_why(*out, why);
	if (!it->message_id || !*it->message_id)
		return set_why(*out, "cannot send: no Message-ID");
	if (!from || !pf_smtp_addr_ok(from, false))
		return set_why(*out, "cannot send: no usable envelope sender "
			       "(give one with --from-override ADDR)");
	return prepare(*out, bytes, ob, it, pick);
}
