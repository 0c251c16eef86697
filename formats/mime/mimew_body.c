/*
 * mimew_body.c - the MIME structure of one message (RFC 2045, 2046, 2387;
 * MS-OXCMAIL 2.1.3.2 for which MAPI parts go where):
 *
 *   multipart/mixed                     when there are attachments
 *     multipart/alternative             when there are two bodies
 *       text/plain                      PidTagBody
 *       multipart/related               when the HTML refers to cid:s
 *         text/html                     PidTagHtml (or from the RTF)
 *         image/... Content-ID          attachments the HTML refers to
 *     application/... attachment        by value, OLE (octet-stream)
 *     message/rfc822                    embedded messages (recursively)
 *
 * Each level is left out when it would hold one part.  Text goes out
 * 7bit when it can (pmw_is_7bit), else quoted-printable; attachments in
 * base64; message/rfc822 parts 7bit (RFC 2046 5.2.1: the embedded
 * message is itself 7-bit here).  Every part body ends with CRLF, and the
 * CRLF before a delimiter belongs to the delimiter (RFC 2046 5.1.1), so
 * body text keeps its own last line end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mimew_int.h"

static void new_boundary(struct pmw_render *r, char out[64])
{
	snprintf(out, 64, "=_pf_%016llx_%u_%u_", (unsigned long long)r->hash,
		 r->depth, ++r->counter);
}

static void leaf_text(struct pmw_render *r, const char *type,
		      const char *charset, const uint8_t *p, size_t n)
{
	const char *params[] = { "charset", charset, NULL };
	bool seven = pmw_is_7bit(p, n);
	/* the last part of a single-part message: no boundary takes the
	 * final CRLF, so text without a line end of its own goes out as
	 * quoted-printable ending in a soft break */
	bool soft = r->depth == 0 && !r->multi && n > 0 && p[n - 1] != '\n'
		&& p[n - 1] != '\r';

	seven = seven && !soft;

	pf_mimew_field_params(r->b, "Content-Type", type, params);
	pmw_printf(r->b, "Content-Transfer-Encoding: %s\r\n\r\n",
		   seven ? "7bit" : "quoted-printable");
	if (seven) {
		pmw_put_crlf(r->b, p, n);
		pmw_puts(r->b, "\r\n");
	} else {
		pmw_qp(r->b, p, n, soft);
	}
}

static const char *text_of(const struct pf_mimew_msg *m, size_t *n)
{
	*n = m->body_text ? strlen(m->body_text) : 0;
	return m->body_text;
}

static void leaf_plain(struct pmw_render *r, const struct pf_mimew_msg *m)
{
	size_t n;
	const char *t = text_of(m, &n);

	leaf_text(r, "text/plain", "utf-8", (const uint8_t *)(t ? t : ""),
		  n);
}

static void leaf_html(struct pmw_render *r, const struct pf_mimew_msg *m)
{
	leaf_text(r, "text/html", m->html_charset[0] ? m->html_charset :
		  "utf-8", m->body_html, m->body_html_cb);
}

/* "image/png" when TYPE is a usable type/subtype token, else NULL. */
static bool type_ok(const char *t)
{
	const char *slash;

	if (!t || strlen(t) > 100 || !(slash = strchr(t, '/')) ||
	    slash == t || !slash[1] || strchr(slash + 1, '/'))
		return false;
	for (; *t; t++)
		if (*t <= 32 || *t >= 127 || strchr("()<>@,;:\\\"[]?=", *t))
			return false;
	return true;
}

static const struct {
	const char *ext, *type;
} ext_types[] = {
	{ "txt", "text/plain" }, { "htm", "text/html" },
	{ "html", "text/html" }, { "csv", "text/csv" },
	{ "ics", "text/calendar" }, { "vcf", "text/vcard" },
	{ "xml", "application/xml" }, { "pdf", "application/pdf" },
	{ "zip", "application/zip" }, { "gif", "image/gif" },
	{ "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" },
	{ "png", "image/png" }, { "bmp", "image/bmp" },
	{ "tif", "image/tiff" }, { "tiff", "image/tiff" },
	{ "doc", "application/msword" }, { "xls", "application/vnd.ms-excel" },
	{ "ppt", "application/vnd.ms-powerpoint" },
	{ "docx", "application/vnd.openxmlformats-officedocument."
		  "wordprocessingml.document" },
	{ "xlsx", "application/vnd.openxmlformats-officedocument."
		  "spreadsheetml.sheet" },
	{ "eml", "message/rfc822" }, { "msg", "application/vnd.ms-outlook" },
};

static const char *att_type(const struct pf_mimew_att *a, char *buf,
			    size_t cb)
{
	const char *dot;

	if (a->method != PF_ATT_OLE && type_ok(a->mime_type)) {
		snprintf(buf, cb, "%s", a->mime_type);
		for (char *q = buf; *q; q++)
			if (*q >= 'A' && *q <= 'Z')
				*q = (char)(*q + 32);
		/* message/rfc822 by value is bytes we do not re-check */
		if (strcmp(buf, "message/rfc822") != 0)
			return buf;
	}
	dot = a->filename ? strrchr(a->filename, '.') : NULL;
	for (size_t i = 0; dot && i < sizeof(ext_types) / sizeof(*ext_types);
	     i++)
		if (strcasecmp(dot + 1, ext_types[i].ext) == 0 &&
		    strcmp(ext_types[i].type, "message/rfc822") != 0)
			return ext_types[i].type;
	return "application/octet-stream";
}

/* A Content-ID usable inside <>: printable ASCII without <> or space. */
static bool cid_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 400)
		return false;
	for (; *s; s++)
		if (*s <= 32 || *s >= 127 || *s == '<' || *s == '>')
			return false;
	return true;
}

static void leaf_att(struct pmw_render *r, const struct pf_mimew_att *a,
		     bool is_inline)
{
	char type[128];
	const char *ct[] = { "name", a->filename, NULL };
	const char *cd[] = { "filename", a->filename, NULL };

	if (a->embedded) {
		pmw_puts(r->b, "Content-Type: message/rfc822\r\n"
			 "Content-Transfer-Encoding: 7bit\r\n");
		pf_mimew_field_params(r->b, "Content-Disposition",
				      "attachment", cd);
		pmw_puts(r->b, "\r\n");
		pmw_message(r->b, a->embedded, r->o, r->depth + 1);
		return;
	}
	pf_mimew_field_params(r->b, "Content-Type",
			      att_type(a, type, sizeof(type)), ct);
	pmw_puts(r->b, "Content-Transfer-Encoding: base64\r\n");
	pf_mimew_field_params(r->b, "Content-Disposition", is_inline ?
			      "inline" : "attachment", cd);
	if (cid_ok(a->content_id))
		pmw_printf(r->b, "Content-ID: <%s>\r\n", a->content_id);
	if (a->content_location && pmw_ascii_print(a->content_location))
		pf_mimew_field_text(r->b, "Content-Location",
				    a->content_location);
	pmw_puts(r->b, "\r\n");
	if (a->cb)
		pf_mimew_base64(r->b, a->data, a->cb);
	else
		pmw_puts(r->b, "\r\n");
}

/* The HTML refers to cid:ID (case-insensitive, RFC 2392). */
static bool html_refers(const struct pf_mimew_msg *m, const char *id)
{
	size_t k;

	if (!m->body_html || !cid_ok(id))
		return false;
	k = strlen(id);
	for (size_t i = 0; i + 4 + k <= m->body_html_cb; i++)
		if (strncasecmp((const char *)m->body_html + i, "cid:", 4) == 0
		    && strncasecmp((const char *)m->body_html + i + 4, id,
				   k) == 0)
			return true;
	return false;
}

static bool att_present(const struct pf_mimew_att *a)
{
	return a->embedded || a->data || a->method == PF_ATT_BY_VALUE ||
	       a->method == PF_ATT_OLE;
}

static void multipart_begin(struct pmw_render *r, const char *type,
			    char bnd[64], const char *extra)
{
	const char *params[] = { "type", extra, "boundary", bnd, NULL };

	new_boundary(r, bnd);
	r->multi = true;
	pf_mimew_field_params(r->b, "Content-Type", type, params);
	pmw_puts(r->b, "\r\n");
}

static void delimiter(struct pmw_render *r, const char *bnd, bool close)
{
	pmw_printf(r->b, "--%s%s\r\n", bnd, close ? "--" : "");
}

static void html_part(struct pmw_render *r, const struct pf_mimew_msg *m)
{
	char bnd[64];
	size_t nrel = 0;

	for (size_t i = 0; i < m->natt; i++)
		if (att_present(&m->att[i]) && !m->att[i].embedded &&
		    html_refers(m, m->att[i].content_id))
			nrel++;
	if (nrel == 0) {
		leaf_html(r, m);
		return;
	}
	multipart_begin(r, "multipart/related", bnd, "text/html");
	delimiter(r, bnd, false);
	leaf_html(r, m);
	for (size_t i = 0; i < m->natt; i++) {
		if (!att_present(&m->att[i]) || m->att[i].embedded ||
		    !html_refers(m, m->att[i].content_id))
			continue;
		delimiter(r, bnd, false);
		leaf_att(r, &m->att[i], true);
	}
	delimiter(r, bnd, true);
}

/* A meeting message's iCalendar (RFC 6047 2.4: text/calendar with the
 * method parameter), or false when it is not one or has no start. */
static bool meeting_cal(struct pmw_render *r, const struct pf_mimew_msg *m,
			struct pf_mimew_buf *cal, const char **method)
{
	*method = pf_mimew_meeting_method(m->message_class);
	if (!*method || !m->item.start)
		return false;
	if (pmw_ical(cal, m, PF_MIMEW_VEVENT, *method) != 0) {
		if (cal->err == PF_E_NOMEM)
			pmw_fail(r->b, cal->err);
		return false;
	}
	return true;
}

static void leaf_cal(struct pmw_render *r, const struct pf_mimew_buf *cal,
		     const char *method)
{
	const char *params[] = { "charset", "utf-8", "method", method, NULL };
	bool seven = pmw_is_7bit((const uint8_t *)cal->p, cal->n);

	pf_mimew_field_params(r->b, "Content-Type", "text/calendar", params);
	pmw_printf(r->b, "Content-Transfer-Encoding: %s\r\n\r\n",
		   seven ? "7bit" : "quoted-printable");
	if (seven)
		pmw_put(r->b, cal->p, cal->n);   /* ends with CRLF */
	else
		pf_mimew_qp(r->b, (const uint8_t *)cal->p, cal->n);
}

/* The alternatives: text (unless there is only HTML), HTML, and for a
 * meeting its calendar; one of them alone is not wrapped. */
static void bodies(struct pmw_render *r, const struct pf_mimew_msg *m)
{
	struct pf_mimew_buf cal = { 0 };
	const char *method;
	bool html = m->body_html != NULL, has_cal = meeting_cal(r, m, &cal,
								&method);
	bool text = m->body_text || (!html && !has_cal);
	char bnd[64];

	if (text + html + has_cal > 1) {
		multipart_begin(r, "multipart/alternative", bnd, NULL);
		delimiter(r, bnd, false);
	}
	if (text)
		leaf_plain(r, m);
	if (text && html)
		delimiter(r, bnd, false);
	if (html)
		html_part(r, m);
	if (has_cal && (text || html))
		delimiter(r, bnd, false);
	if (has_cal)
		leaf_cal(r, &cal, method);
	if (text + html + has_cal > 1)
		delimiter(r, bnd, true);
	pf_mimew_buf_free(&cal);
}

void pmw_body(struct pmw_render *r, const struct pf_mimew_msg *m)
{
	char bnd[64];
	size_t nmixed = 0;
	bool any_body = m->body_text || m->body_html;

	pmw_puts(r->b, "MIME-Version: 1.0\r\n");
	for (size_t i = 0; i < m->natt; i++)
		if (att_present(&m->att[i]) && (m->att[i].embedded ||
		    !html_refers(m, m->att[i].content_id)))
			nmixed++;
	if (nmixed == 0) {
		bodies(r, m);
		return;
	}
	multipart_begin(r, "multipart/mixed", bnd, NULL);
	if (any_body) {
		delimiter(r, bnd, false);
		bodies(r, m);
	}
	for (size_t i = 0; i < m->natt; i++) {
		const struct pf_mimew_att *a = &m->att[i];

		if (!att_present(a) || (!a->embedded &&
		    html_refers(m, a->content_id)))
			continue;
		delimiter(r, bnd, false);
		leaf_att(r, a, false);
	}
	delimiter(r, bnd, true);
}
