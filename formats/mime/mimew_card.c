/*
 * mimew_card.c - contacts as vCard 4.0 (RFC 6350), appointments and
 * tasks as iCalendar (RFC 5545) VEVENT / VTODO.
 *
 * Both formats: UTF-8, CRLF, content lines folded at 75 octets with CRLF
 * and one space (RFC 6350 3.2, RFC 5545 3.1) and never inside a UTF-8
 * sequence; TEXT values escape backslash, comma, semicolon and line ends
 * (RFC 6350 3.4, RFC 5545 3.3.11).  UID: the Message-ID pf_mimew.h
 * defines, so the same item always gets the same UID.
 *
 * Meeting requests, cancellations and responses (IPM.Schedule.Meeting.*)
 * are mail; their MIME form gets a text/calendar alternative with the
 * RFC 5546 METHOD (REQUEST, CANCEL, REPLY), ORGANIZER and ATTENDEEs, and
 * the meeting's PidLidGlobalObjectId as UID so every message about one
 * meeting names the same event.
 *
 * "Where that fits" (the export issue): a vCard needs a name (FN), an
 * event a start (DTSTART: no METHOD here, RFC 5545 3.6.1); without them
 * the functions return PF_E_NOTFOUND and the caller writes the item as
 * a MIME message instead, so nothing is lost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mimew_int.h"

struct line {
	struct pf_mimew_buf *b;
	size_t col;
};

/* Append S[N] to the current content line, folding at 75 octets. */
static void lput(struct line *l, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t k = pmw_u8len(s + i);

		if (i + k > n)
			k = n - i;
		if (l->col + k > 75) {
			pmw_puts(l->b, "\r\n ");
			l->col = 1;
		}
		pmw_put(l->b, s + i, k);
		l->col += k;
		i += k;
	}
}

static void lputs(struct line *l, const char *s)
{
	lput(l, s, strlen(s));
}

static void lend(struct line *l)
{
	pmw_puts(l->b, "\r\n");
	l->col = 0;
}

/* A TEXT value, escaped; control characters dropped. */
static void ltext(struct line *l, const char *s)
{
	for (; s && *s; s++) {
		char esc[3] = { '\\', *s, 0 };

		if (*s == '\r' && s[1] == '\n')
			continue;
		if (*s == '\n' || *s == '\r')
			lput(l, "\\n", 2);
		else if (*s == '\\' || *s == ',' || *s == ';')
			lput(l, esc, 2);
		else if ((unsigned char)*s >= 0x20 && *s != 0x7F)
			lput(l, s, 1);
	}
}

/* NAME:VALUE with VALUE escaped; nothing when VALUE is NULL. */
static void prop(struct line *l, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	lputs(l, name);
	lput(l, ":", 1);
	ltext(l, value);
	lend(l);
}

/* NAME:v1;v2;... (structured: each component escaped). */
static void sprop(struct line *l, const char *name, const char *const *v,
		  size_t n)
{
	bool any = false;

	for (size_t i = 0; i < n; i++)
		any = any || (v[i] && *v[i]);
	if (!any)
		return;
	lputs(l, name);
	lput(l, ":", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			lput(l, ";", 1);
		ltext(l, v[i]);
	}
	lend(l);
}

static char *full_name(const struct pf_mimew_msg *m)
{
	const struct pf_mimew_item *it = &m->item;
	char buf[512];

	if (m->subject)
		return strdup(m->subject);
	if (!it->given && !it->surname)
		return it->company ? strdup(it->company) : NULL;
	snprintf(buf, sizeof(buf), "%s%s%s", it->given ? it->given : "",
		 it->given && it->surname ? " " : "",
		 it->surname ? it->surname : "");
	return strdup(buf);
}

int pf_mimew_vcard(struct pf_mimew_buf *out, const struct pf_mimew_msg *m)
{
	const struct pf_mimew_item *it = &m->item;
	struct line l = { .b = out };
	char *fn = full_name(m), *uid;

	if (!fn)
		return pf_error_set(PF_E_NOTFOUND, "contact 0x%x has no name",
				    m->nid);
	uid = pf_mimew_message_id(m);
	pmw_puts(out, "BEGIN:VCARD\r\nVERSION:4.0\r\n");
	if (m->message_class && strncasecmp(m->message_class,
					    "IPM.DistList", 12) == 0)
		pmw_puts(out, "KIND:group\r\n");   /* RFC 6350 6.1.4 */
	prop(&l, "FN", fn);
	for (size_t i = 0; i < it->nmembers; i++) {
		lputs(&l, "MEMBER:mailto:");   /* RFC 6350 6.6.5 */
		ltext(&l, it->members[i]);
		lend(&l);
	}
	sprop(&l, "N", (const char *const[]){ it->surname, it->given,
		it->middle, it->prefix, it->suffix }, 5);
	prop(&l, "NICKNAME", it->nickname);
	sprop(&l, "ORG", (const char *const[]){ it->company,
		it->department }, it->department ? 2 : 1);
	prop(&l, "TITLE", it->title);
	for (size_t i = 0; i < 3; i++)
		prop(&l, "EMAIL", it->email[i]);
	prop(&l, "TEL;TYPE=\"work,voice\"", it->phone_work);
	prop(&l, "TEL;TYPE=\"home,voice\"", it->phone_home);
	prop(&l, "TEL;TYPE=cell", it->phone_mobile);
	prop(&l, "TEL;TYPE=\"work,fax\"", it->phone_fax);
	sprop(&l, "ADR;TYPE=work", (const char *const[]){ NULL, NULL,
		it->street, it->city, it->region, it->postcode,
		it->country }, 7);
	prop(&l, "URL", it->url);
	prop(&l, "BDAY", it->birthday);
	prop(&l, "NOTE", m->body_text);
	prop(&l, "UID", uid);
	pmw_puts(out, "END:VCARD\r\n");
	free(fn);
	free(uid);
	return out->err;
}

/* RFC 5545 3.3.5 form 2 (UTC), or 3.3.4 DATE for all-day events. */
static void dtprop(struct line *l, const char *name, uint64_t ft,
		   bool date_only)
{
	time_t t;
	struct tm tm;
	char buf[64];

	if (ft / 10000000ull <= 11644473600ull)
		return;
	t = (time_t)(ft / 10000000ull - 11644473600ull);
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999)
		return;
	lputs(l, name);
	strftime(buf, sizeof(buf), date_only ? ";VALUE=DATE:%Y%m%d" :
		 ":%Y%m%dT%H%M%SZ", &tm);
	lputs(l, buf);
	lend(l);
}

/* RFC 5546 3.2: ORGANIZER and ATTENDEE as mailto: URIs; To recipients
 * required, Cc optional participants. */
static void people(struct line *l, const struct pf_mimew_msg *m)
{
	if (m->from.addr && strchr(m->from.addr, '@')) {
		lputs(l, "ORGANIZER:mailto:");
		ltext(l, m->from.addr);
		lend(l);
	}
	for (size_t i = 0; i < m->nrcpt; i++) {
		const struct pf_mimew_addr *a = &m->rcpt[i];

		if (!a->addr || !strchr(a->addr, '@') || a->type ==
		    PF_MIMEW_BCC)
			continue;
		lputs(l, "ATTENDEE;ROLE=");
		lputs(l, a->type == PF_MIMEW_CC ? "OPT-PARTICIPANT:mailto:" :
		      "REQ-PARTICIPANT:mailto:");
		ltext(l, a->addr);
		lend(l);
	}
}

int pf_mimew_ical(struct pf_mimew_buf *out, const struct pf_mimew_msg *m,
		  enum pf_mimew_kind kind)
{
	return pmw_ical(out, m, kind, NULL);
}

int pmw_ical(struct pf_mimew_buf *out, const struct pf_mimew_msg *m,
	     enum pf_mimew_kind kind, const char *method)
{
	const struct pf_mimew_item *it = &m->item;
	const char *comp = kind == PF_MIMEW_VTODO ? "VTODO" : "VEVENT";
	struct line l = { .b = out };
	uint64_t stamp = m->creation_time ? m->creation_time :
		m->submit_time ? m->submit_time : m->delivery_time;
	char *uid;

	if (kind == PF_MIMEW_VEVENT && !it->start)
		return pf_error_set(PF_E_NOTFOUND, "appointment 0x%x has no "
				    "start time", m->nid);
	uid = pf_mimew_message_id(m);
	pmw_puts(out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
		 "PRODID:-//pstfix//export//EN\r\n");
	if (method)
		pmw_printf(out, "METHOD:%s\r\n", method);
	pmw_printf(out, "BEGIN:%s\r\n", comp);
	prop(&l, "UID", m->item.uid ? m->item.uid : uid);
	if (method)
		people(&l, m);
	dtprop(&l, "DTSTAMP", stamp ? stamp : 116444736000000000ull, false);
	dtprop(&l, "DTSTART", it->start, it->all_day);
	if (kind == PF_MIMEW_VTODO) {
		dtprop(&l, "DUE", it->end, false);
		if (it->percent > 0)
			pmw_printf(out, "PERCENT-COMPLETE:%d\r\n",
				   it->percent);
		if (it->has_complete)
			pmw_printf(out, "STATUS:%s\r\n", it->complete ?
				   "COMPLETED" : "NEEDS-ACTION");
	} else if (it->end > it->start) {
		dtprop(&l, "DTEND", it->end, it->all_day);
	}
	prop(&l, "SUMMARY", m->subject);
	prop(&l, "LOCATION", it->location);
	prop(&l, "DESCRIPTION", m->body_text);
	pmw_printf(out, "END:%s\r\nEND:VCALENDAR\r\n", comp);
	free(uid);
	return out->err;
}
