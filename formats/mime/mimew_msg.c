/*
 * mimew_msg.c - the top of the writer: one message's header fields
 * (MS-OXCMAIL 2.2.3: From, Sender, Reply-To, To, Cc, Bcc on request,
 * Subject, Date, Message-ID, In-Reply-To, References, Importance,
 * Priority, Sensitivity, Disposition-Notification-To) followed by its MIME
 * structure (mimew_body.c).
 *
 * Each field comes from its MAPI property; when the property is absent,
 * from the same field of PidTagTransportMessageHeaders (read through the
 * import parser's own address, date and RFC 2047 code); then the fields
 * of that block the writer never makes (mimew_thdr.c).  Date: the submit
 * time (PidTagClientSubmitTime, MS-OXCMAIL 2.2.3.2.2), else the delivery
 * time, else the creation time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"
#include "mimew_int.h"

static uint64_t msg_hash(const struct pf_mimew_msg *m)
{
	uint64_t h = PMW_FNV_INIT;
	const char *parts[] = { m->message_id, m->subject, m->from.addr };

	h = pmw_fnv(h, &m->nid, sizeof(m->nid));
	h = pmw_fnv(h, &m->submit_time, sizeof(m->submit_time));
	for (size_t i = 0; i < 3; i++)
		if (parts[i])
			h = pmw_fnv(h, parts[i], strlen(parts[i]) + 1);
	return h;
}

/* The domain of the From address when it is a plain SMTP one. */
static const char *from_domain(const struct pf_mimew_msg *m)
{
	const char *at = m->from.addr ? strrchr(m->from.addr, '@') : NULL;

	if (!at || !at[1] || strlen(at + 1) > 200)
		return "pstfix.invalid";
	for (const char *s = at + 1; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
			return "pstfix.invalid";
	return at + 1;
}

/* An id that is not RFC 5322 3.6.4 msg-id content (Outlook writes ids
 * like "0001cc$a5$@user@host") is made one: the part before the last '@'
 * keeps atext and single inner dots, anything else becomes "+XX" (the
 * IMCEA escape), as does a domain that is not a dot-atom; an id without
 * '@' gets "@invalid".  The same rule applies to In-Reply-To and
 * References, so threads that named such an id still meet. */
static void put_id_part(struct pf_mimew_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool dot_ok = c == '.' && i > 0 && i + 1 < n &&
			      s[i + 1] != '.';
		bool atext = c > 32 && c < 127 &&
			     !strchr("()<>[]:;@\\,.\" +", c);

		if (dot_ok || atext) {
			pmw_putc(b, (char)c);
			continue;
		}
		pmw_putc(b, '+');
		pmw_putc(b, hex[c >> 4]);
		pmw_putc(b, hex[c & 15]);
	}
}

#define ID_MAX 900

static char *fix_id(const char *id, size_t n)
{
	struct pf_mimew_buf b = { 0 };
	const char *at = NULL;

	for (size_t i = 0; i < n; i++)
		if (id[i] == '@')
			at = id + i;
	if (!at) {
		put_id_part(&b, id, n);
		pmw_puts(&b, "@invalid");
	} else {
		put_id_part(&b, id, (size_t)(at - id));
		pmw_putc(&b, '@');
		put_id_part(&b, at + 1, n - (size_t)(at + 1 - id));
	}
	/* a msg-id cannot be folded: it must fit one line of 998 octets
	 * (RFC 5322 2.1.1) after its escapes, which can triple it */
	if (b.err || n == 0 || b.n > ID_MAX) {
		pf_mimew_buf_free(&b);
		return NULL;
	}
	return b.p;
}

/* Strip <> and spaces: the id as stored is "<local@domain>". */
static char *bare_id(const char *s)
{
	char *c = pmw_clean(s), *p, *out;
	size_t n;

	if (!c)
		return NULL;
	p = c + strspn(c, " <");
	n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '>'))
		n--;
	out = n && n <= ID_MAX && pmw_ascii_print(p) ? fix_id(p, n) : NULL;
	free(c);
	return out;
}

/* In-Reply-To / References: each <id> made valid as above. */
static char *id_list(const char *v)
{
	struct pf_mimew_buf b = { 0 };

	for (const char *s = v; s && *s; ) {
		const char *lt = strchr(s, '<'), *gt = lt ? strchr(lt, '>') :
			NULL;
		char *one;

		if (!gt)
			break;
		one = fix_id(lt + 1, (size_t)(gt - lt - 1));
		if (one && pmw_ascii_print(one))
			pmw_printf(&b, "%s<%s>", b.n ? " " : "", one);
		free(one);
		s = gt + 1;
	}
	if (b.err || !b.n) {
		pf_mimew_buf_free(&b);
		return NULL;
	}
	return b.p;
}

char *pf_mimew_message_id(const struct pf_mimew_msg *m)
{
	char *id = m->message_id ? bare_id(m->message_id) : NULL, *t;
	uint64_t h = PMW_FNV_INIT;
	char buf[300];

	if (id)
		return id;
	t = pmw_thdr_get(m->transport_headers, "Message-ID");
	id = t ? bare_id(t) : NULL;
	free(t);
	if (id)
		return id;
	if (m->search_key_cb) {
		h = pmw_fnv(h, m->search_key, m->search_key_cb);
	} else {
		h = pmw_fnv(h, &m->submit_time, sizeof(m->submit_time));
		if (m->subject)
			h = pmw_fnv(h, m->subject, strlen(m->subject));
		if (m->from.addr)
			h = pmw_fnv(h, m->from.addr, strlen(m->from.addr));
	}
	snprintf(buf, sizeof(buf), "pstfix.%016llx.%x@%s",
		 (unsigned long long)h, m->nid, from_domain(m));
	return strdup(buf);
}

static void thdr_addrs(struct pf_mimew_buf *b, const char *hdrs,
		       const char *name)
{
	char *v = pmw_thdr_get(hdrs, name);

	if (v)
		pmw_addr_field(b, name, v);
	free(v);
}

static void thdr_subject(struct pf_mimew_buf *b, const char *hdrs)
{
	char *v = pmw_thdr_get(hdrs, "Subject");

	if (v)
		pmw_text_field(b, "Subject", v);
	free(v);
}

static bool thdr_date(struct pf_mimew_buf *b, const char *hdrs)
{
	char *v = pmw_thdr_get(hdrs, "Date"), out[64];
	int64_t t;
	bool ok = v && pf_mail_parse_date(v, strlen(v), &t, NULL) == 0 &&
		  t > -11644473600ll;

	if (ok) {
		pmw_date(out, sizeof(out),
			 (uint64_t)(t + 11644473600ll) * 10000000ull);
		pmw_printf(b, "Date: %s\r\n", out);
	}
	free(v);
	return ok;
}

static void id_field(struct pf_mimew_buf *b, const char *name,
		     const char *prop, const char *hdrs)
{
	char *t = prop ? NULL : pmw_thdr_get(hdrs, name);
	char *v = id_list(prop ? prop : t);

	if (v)
		pf_mimew_field_text(b, name, v);
	free(v);
	free(t);
}

static void address_fields(struct pf_mimew_buf *b,
			   const struct pf_mimew_msg *m,
			   const struct pf_mimew_opts *o, const char *hdrs)
{
	static const struct {
		enum pf_mimew_rtype t;
		const char *name;
	} kinds[] = { { PF_MIMEW_TO, "To" }, { PF_MIMEW_CC, "Cc" },
		      { PF_MIMEW_BCC, "Bcc" } };

	if (m->from.name || m->from.addr)
		pf_mimew_field_addrs(b, "From", &m->from, 1);
	else
		thdr_addrs(b, hdrs, "From");
	if (m->has_sender)
		pf_mimew_field_addrs(b, "Sender", &m->sender, 1);
	if (m->nreply_to)
		pf_mimew_field_addrs(b, "Reply-To", m->reply_to,
				     m->nreply_to);
	else
		thdr_addrs(b, hdrs, "Reply-To");
	for (size_t k = 0; k < 3; k++) {
		struct pf_mimew_addr *v;
		size_t n = 0;

		if (kinds[k].t == PF_MIMEW_BCC && !o->include_bcc)
			continue;
		v = malloc((m->nrcpt + 1) * sizeof(*v));
		if (!v) {
			pmw_fail(b, pf_error_set(PF_E_NOMEM, "no memory"));
			return;
		}
		for (size_t i = 0; i < m->nrcpt; i++)
			if (m->rcpt[i].type == kinds[k].t)
				v[n++] = m->rcpt[i];
		if (n)
			pf_mimew_field_addrs(b, kinds[k].name, v, n);
		else if (m->nrcpt == 0 && kinds[k].t != PF_MIMEW_BCC)
			thdr_addrs(b, hdrs, kinds[k].name);
		free(v);
	}
}

static void flag_fields(struct pf_mimew_buf *b, const struct pf_mimew_msg *m)
{
	static const char *const imp[] = { "low", "normal", "high" };
	static const char *const pri[] = { "non-urgent", "normal", "urgent" };
	static const char *const sens[] = { NULL, "Personal", "Private",
					    "Company-Confidential" };

	if (m->importance >= 0 && m->importance <= 2)
		pmw_printf(b, "Importance: %s\r\n", imp[m->importance]);
	if (m->priority >= -1 && m->priority <= 1)
		pmw_printf(b, "Priority: %s\r\n", pri[m->priority + 1]);
	if (m->sensitivity >= 1 && m->sensitivity <= 3)
		pmw_printf(b, "Sensitivity: %s\r\n", sens[m->sensitivity]);
	if (m->read_receipt && (m->from.addr || m->from.name))
		pf_mimew_field_addrs(b, "Disposition-Notification-To",
				     &m->from, 1);
}

static void header_fields(struct pf_mimew_buf *b,
			  const struct pf_mimew_msg *m,
			  const struct pf_mimew_opts *o)
{
	const char *hdrs = o->no_transport ? NULL : m->transport_headers;
	uint64_t t = m->submit_time ? m->submit_time :
		m->delivery_time ? m->delivery_time : m->creation_time;
	char date[64], *id;

	if (hdrs)
		pmw_thdr_copy(b, hdrs);
	address_fields(b, m, o, hdrs);
	if (m->subject)
		pf_mimew_field_text(b, "Subject", m->subject);
	else
		thdr_subject(b, hdrs);
	if (t || !thdr_date(b, hdrs)) {
		pmw_date(date, sizeof(date), t);
		pmw_printf(b, "Date: %s\r\n", date);
	}
	id = pf_mimew_message_id(m);
	if (!id) {
		pmw_fail(b, pf_error_set(PF_E_NOMEM, "out of memory"));
		return;
	}
	pmw_printf(b, "Message-ID: <%s>\r\n", id);
	free(id);
	id_field(b, "In-Reply-To", m->in_reply_to, hdrs);
	id_field(b, "References", m->references, hdrs);
	flag_fields(b, m);
}

void pmw_message(struct pf_mimew_buf *b, const struct pf_mimew_msg *msg,
		 const struct pf_mimew_opts *o, unsigned depth)
{
	struct pmw_render r = { .b = b, .o = o, .depth = depth };

	r.hash = msg_hash(msg);
	header_fields(b, msg, o);
	pmw_body(&r, msg);
}

int pf_mimew_render(struct pf_mimew_buf *out, const struct pf_mimew_msg *msg,
		    const struct pf_mimew_opts *opts)
{
	static const struct pf_mimew_opts defaults;

	pmw_message(out, msg, opts ? opts : &defaults, 0);
	return out->err;
}

int pf_mime_from_message(struct pf_mimew_buf *out, struct pf_ndb *ndb,
			 uint32_t nid, const struct pf_nameid_map *map,
			 const struct pf_mimew_opts *opts)
{
	struct pf_mimew_msg *msg = NULL;
	struct pf_message m;
	int rc = pf_message_open(&m, ndb, nid);

	if (rc != 0)
		return rc;
	rc = pf_mimew_read(&msg, &m, map);
	if (rc == 0)
		rc = pf_mimew_render(out, msg, opts);
	pf_mimew_msg_free(msg);
	pf_message_close(&m);
	return rc;
}

const char *pf_mimew_meeting_method(const char *cls)
{
	static const char pre[] = "IPM.Schedule.Meeting.";
	const char *rest;

	if (!cls || strncasecmp(cls, pre, sizeof(pre) - 1) != 0)
		return NULL;
	rest = cls + sizeof(pre) - 1;
	if (strncasecmp(rest, "Request", 7) == 0)
		return "REQUEST";
	if (strncasecmp(rest, "Canceled", 8) == 0)
		return "CANCEL";
	if (strncasecmp(rest, "Resp.", 5) == 0)
		return "REPLY";
	return NULL;
}

enum pf_mimew_kind pf_mimew_kind_of(const char *cls)
{
	if (!cls)
		return PF_MIMEW_MAIL;
	if ((strncasecmp(cls, "IPM.Contact", 11) == 0 &&
	     (cls[11] == '\0' || cls[11] == '.')) ||
	    (strncasecmp(cls, "IPM.DistList", 12) == 0 &&
	     (cls[12] == '\0' || cls[12] == '.')))
		return PF_MIMEW_VCARD;
	if (strncasecmp(cls, "IPM.Appointment", 15) == 0 &&
	    (cls[15] == '\0' || cls[15] == '.'))
		return PF_MIMEW_VEVENT;
	if (strncasecmp(cls, "IPM.Task", 8) == 0 &&
	    (cls[8] == '\0' || cls[8] == '.'))
		return PF_MIMEW_VTODO;
	return PF_MIMEW_MAIL;
}
