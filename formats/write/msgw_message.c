/*
 * msgw_message.c - one message: its PC, its recipient table, its
 * attachment table and attachments (MS-PST 2.4.5, 2.4.6), embedded
 * messages included.
 *
 * Contract: the message's blocks are written at once; the caller gets the
 * node's bidData and bidSub and the message's properties (for the folder's
 * contents-table row).  Subnodes: the recipient table 0x692, the
 * attachment table 0x671, one PC per attachment (NID type ATTACHMENT) and
 * values too big for a heap.  An embedded message is a message node inside
 * its attachment's subnodes, named by the attachment's PtypObject value
 * (MS-PST 2.4.6.2.2); nesting is bounded by MSGW_MAX_DEPTH.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../msg/pf_msg.h"
#include "../util/pf_grow.h"
#include "../util/pf_le.h"
#include "msgw_int.h"
#include "pf_wprop.h"

#define MSGW_MAX_DEPTH 16

/* A few property ids beyond pf_msg.h's (MS-OXPROPS). */
enum {
	TAG_DEFERRED_DELIVERY_TIME = 0x000F,
	TAG_IMPORTANCE = 0x0017,
	TAG_SENSITIVITY = 0x0036,
	TAG_SENT_REPR_ADDRTYPE = 0x0064,
	TAG_CONVERSATION_TOPIC = 0x0070,
	TAG_TRANSPORT_HEADERS = 0x007D,
	TAG_SENDER_ADDRTYPE = 0x0C1E,
	TAG_DISPLAY_BCC = 0x0E02,
	TAG_DISPLAY_CC = 0x0E03,
	TAG_DISPLAY_TO = 0x0E04,
	TAG_NORMALIZED_SUBJECT = 0x0E1D,
	TAG_HAS_ATTACHMENTS = 0x0E1B,
	TAG_ATTACH_NUMBER = 0x0E21,
	TAG_RESPONSIBILITY = 0x0E0F,
	TAG_OBJECT_TYPE = 0x0FFE,
	TAG_BODY = 0x1000,
	TAG_BODY_HTML = 0x1013,
	TAG_INTERNET_MESSAGE_ID = 0x1035,
	TAG_INTERNET_REFERENCES = 0x1039,
	TAG_IN_REPLY_TO = 0x1042,
	TAG_LAST_MODIFICATION = 0x3008,
	TAG_SEARCH_KEY = 0x300B,
	TAG_DISPLAY_TYPE = 0x3900,
	TAG_7BIT_DISPLAY_NAME = 0x39FF,
	TAG_SEND_RICH_INFO = 0x3A40,
	TAG_RECIPIENT_DISPLAY_NAME = 0x5FF6,
	TAG_RECIPIENT_FLAGS = 0x5FFD,
	TAG_RENDERING_POSITION = 0x370B,
	TAG_ATTACH_MIME_TAG = 0x370E,
	TAG_ATTACH_CONTENT_ID = 0x3712,
	TAG_ATTACHMENT_HIDDEN = 0x7FFE,
	TAG_SENT_REPR_SMTP = 0x5D02,
};

enum { ATTACH_BY_VALUE = 1, ATTACH_EMBEDDED_MSG = 5 };   /* MS-OXCMSG */

/* "Name One; Name Two" for the recipients of TYPE (PidTagDisplayTo...). */
static char *display_list(const struct pf_msgw_message *m,
			  enum pf_rcpt_type type)
{
	size_t len = 1;
	char *out;

	for (uint32_t i = 0; i < m->nrcpt; i++) {
		const char *n = m->rcpt[i].name ? m->rcpt[i].name :
			m->rcpt[i].addr;

		if (m->rcpt[i].type == type && n)
			len += strlen(n) + 2;
	}
	out = malloc(len);
	if (!out)
		return NULL;
	out[0] = '\0';
	for (uint32_t i = 0; i < m->nrcpt; i++) {
		const char *n = m->rcpt[i].name ? m->rcpt[i].name :
			m->rcpt[i].addr;

		if (m->rcpt[i].type != type || !n)
			continue;
		if (out[0])
			strcat(out, "; ");
		strcat(out, n);
	}
	return out;
}

static void display_lists(const struct pf_msgw_message *m,
			  struct pf_plist *l)
{
	static const struct { enum pf_rcpt_type t; uint16_t id; } map[] = {
		{ PF_RCPT_TO, TAG_DISPLAY_TO },
		{ PF_RCPT_CC, TAG_DISPLAY_CC },
		{ PF_RCPT_BCC, TAG_DISPLAY_BCC },
	};

	for (size_t i = 0; i < 3; i++) {
		char *s = display_list(m, map[i].t);

		if (!s)
			l->err = l->err ? l->err : PF_E_NOMEM;
		pf_plist_str(l, map[i].id, s);
		free(s);
	}
}

static void sender_props(const struct pf_msgw_message *m, struct pf_plist *l)
{
	const char *name = m->sender_name ? m->sender_name : m->sender_addr;

	pf_plist_str(l, PF_TAG_SENDER_NAME, name);
	pf_plist_str(l, PF_TAG_SENT_REPRESENTING_NAME, name);
	if (!m->sender_addr)
		return;
	pf_plist_str(l, TAG_SENDER_ADDRTYPE, "SMTP");
	pf_plist_str(l, PF_TAG_SENDER_EMAIL, m->sender_addr);
	pf_plist_str(l, PF_TAG_SENDER_SMTP_ADDRESS, m->sender_addr);
	pf_plist_str(l, TAG_SENT_REPR_ADDRTYPE, "SMTP");
	pf_plist_str(l, PF_TAG_SENT_REPRESENTING_EMAIL, m->sender_addr);
	pf_plist_str(l, TAG_SENT_REPR_SMTP, m->sender_addr);
}

/* "<id>" as Internet message IDs are stored (MS-OXCMAIL 2.2.3.2.6). */
static void message_id_prop(struct pf_plist *l, uint16_t id, const char *v)
{
	char *s;

	if (!v)
		return;
	s = malloc(strlen(v) + 3);
	if (!s) {
		l->err = l->err ? l->err : PF_E_NOMEM;
		return;
	}
	sprintf(s, "<%s>", v);
	pf_plist_str(l, id, s);
	free(s);
}

/* PidTagBodyHtml is bytes in PidTagInternetCodepage: UTF-8 (65001) in
 * Unicode files; in ANSI files, whose strings are Windows-1252, readers
 * (readpst) label every text with that one codepage, so the HTML is 1252
 * too, with character references for what 1252 lacks.
 * PidTagMessageCodepage names the 8-bit strings' codepage (MS-OXCMSG). */
static void html_body(const struct pf_storew *s, const char *html,
		      struct pf_plist *l)
{
	size_t len, n;
	uint8_t *b;

	if (!s->unicode)
		pf_plist_i32(l, PF_TAG_MESSAGE_CODEPAGE, 1252);
	if (!html)
		return;
	if (s->unicode) {
		pf_plist_bin(l, TAG_BODY_HTML, html, strlen(html));
		pf_plist_i32(l, PF_TAG_INTERNET_CODEPAGE, 65001);
		return;
	}
	len = strlen(html);
	n = pf_utf8_to_cp1252_html(html, len, NULL);
	b = malloc(n ? n : 1);
	if (!b) {
		l->err = l->err ? l->err : PF_E_NOMEM;
		return;
	}
	pf_utf8_to_cp1252_html(html, len, b);
	pf_plist_bin(l, TAG_BODY_HTML, b, n);
	pf_plist_i32(l, PF_TAG_INTERNET_CODEPAGE, 1252);
	free(b);
}

static void message_props(const struct pf_storew *s,
			  const struct pf_msgw_message *m, struct pf_plist *l)
{
	uint64_t submit = m->submit_time ? m->submit_time : s->opts.now;
	uint64_t delivery = m->delivery_time ? m->delivery_time : submit;
	const char *subject = m->subject ? m->subject : "";

	pf_plist_str(l, PF_TAG_MESSAGE_CLASS,
		     m->message_class ? m->message_class : "IPM.Note");
	pf_plist_str(l, PF_TAG_SUBJECT, subject);
	pf_plist_str(l, TAG_NORMALIZED_SUBJECT, subject);
	pf_plist_str(l, TAG_CONVERSATION_TOPIC, subject);
	pf_plist_i32(l, TAG_IMPORTANCE, m->importance ? m->importance : 1);
	pf_plist_i32(l, TAG_SENSITIVITY, m->sensitivity);
	pf_plist_i32(l, PF_TAG_MESSAGE_FLAGS, (int32_t)(m->flags |
		     (m->natt ? PF_MSGFLAG_HASATTACH : 0)));
	pf_plist_bool(l, TAG_HAS_ATTACHMENTS, m->natt > 0);
	pf_plist_time(l, PF_TAG_CLIENT_SUBMIT_TIME, submit);
	pf_plist_time(l, PF_TAG_MESSAGE_DELIVERY_TIME, delivery);
	pf_plist_time(l, PF_TAG_CREATION_TIME, s->opts.now);
	pf_plist_time(l, TAG_LAST_MODIFICATION, s->opts.now);
	sender_props(m, l);
	display_lists(m, l);
	pf_plist_str(l, TAG_BODY, m->body_text);
	html_body(s, m->body_html, l);
	message_id_prop(l, TAG_INTERNET_MESSAGE_ID, m->message_id);
	pf_plist_str(l, TAG_IN_REPLY_TO, m->in_reply_to);
	pf_plist_str(l, TAG_INTERNET_REFERENCES, m->references);
	pf_plist_str(l, TAG_TRANSPORT_HEADERS, m->headers);
	/* MS-OXOMSG 2.2.3.2; MS-OXCPRPT 2.2.1.9 */
	if (m->deferred_time)
		pf_plist_time(l, TAG_DEFERRED_DELIVERY_TIME, m->deferred_time);
	if (m->search_key && m->search_key_cb)
		pf_plist_bin(l, TAG_SEARCH_KEY, m->search_key,
			     m->search_key_cb);
}

/* The search key of a recipient: "TYPE:ADDRESS" upper-case, with its
 * NUL (MS-OXCMAIL 2.2.3.2.4.3 builds it so for SMTP). */
static void search_key(struct pf_plist *l, const char *type,
		       const char *addr)
{
	size_t t = strlen(type), n = strlen(addr);
	char *k = malloc(t + n + 2);

	if (!k) {
		l->err = l->err ? l->err : PF_E_NOMEM;
		return;
	}
	memcpy(k, type, t);
	k[t] = ':';
	for (size_t i = 0; i <= n; i++)
		k[t + 1 + i] = (char)(addr[i] >= 'a' && addr[i] <= 'z' ?
				      addr[i] - 32 : addr[i]);
	pf_plist_bin(l, TAG_SEARCH_KEY, k, t + n + 2);
	free(k);
}

static void recipient_props(const struct pf_msgw_rcpt *r, struct pf_plist *l)
{
	const char *name = r->name ? r->name : r->addr;

	pf_plist_i32(l, PF_TAG_RECIPIENT_TYPE, (int32_t)r->type);
	pf_plist_bool(l, TAG_RESPONSIBILITY, true);
	pf_plist_i32(l, TAG_OBJECT_TYPE, 6);      /* MAPI_MAILUSER */
	pf_plist_i32(l, TAG_DISPLAY_TYPE, 0);     /* DT_MAILUSER */
	pf_plist_str(l, PF_TAG_DISPLAY_NAME, name);
	pf_plist_str(l, TAG_7BIT_DISPLAY_NAME, name);
	pf_plist_str(l, TAG_RECIPIENT_DISPLAY_NAME, name);
	pf_plist_bool(l, TAG_SEND_RICH_INFO, false);
	if (r->flags)   /* MS-OXOMSG 2.2.3.3 */
		pf_plist_i32(l, TAG_RECIPIENT_FLAGS, (int32_t)r->flags);
	if (r->addrtype) {
		pf_plist_str(l, PF_TAG_ADDRESS_TYPE, r->addrtype);
		pf_plist_str(l, PF_TAG_EMAIL_ADDRESS, r->email);
		pf_plist_str(l, PF_TAG_SMTP_ADDRESS, r->addr);
		if (r->email)
			search_key(l, r->addrtype, r->email);
		return;
	}
	if (!r->addr)
		return;
	pf_plist_str(l, PF_TAG_ADDRESS_TYPE, "SMTP");
	pf_plist_str(l, PF_TAG_EMAIL_ADDRESS, r->addr);
	pf_plist_str(l, PF_TAG_SMTP_ADDRESS, r->addr);
	search_key(l, "SMTP", r->addr);
}

/* A table written as a subnode of the message (0x692, 0x671). */
static int table_subnode(struct pf_storew *s, struct pf_subw *msub,
			 uint32_t nid, const uint32_t *cols, uint32_t ncols,
			 const uint32_t *ids, const struct pf_plist *cells,
			 uint32_t nrows)
{
	struct pf_subw tsub;
	uint64_t bid_data = 0, bid_sub = 0;
	int rc = cells->err;

	pf_subw_init(&tsub, s->w);
	if (rc == 0)
		rc = pf_tcw_write(s->w, cols, ncols, ids, cells->v, nrows,
				  &tsub, &bid_data);
	if (rc == 0)
		rc = pf_writer_put_subnodes(s->w, tsub.v, tsub.n, &bid_sub);
	if (rc == 0)
		rc = pf_subw_add(msub, nid, bid_data, bid_sub);
	pf_subw_free(&tsub);
	return rc;
}

static int write_recipients(struct pf_storew *s,
			    const struct pf_msgw_message *m,
			    struct pf_subw *msub)
{
	uint32_t cols[MSGW_MAX_COLS], ncols = msgw_recipient_cols(s, cols);
	uint32_t *ids = malloc((m->nrcpt + 1) * sizeof(*ids));
	struct pf_plist cells;
	int rc;

	if (!ids)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	/* PidTagRecipientFlags only where a recipient has it, so tables
	 * without it keep the standard columns (and their bytes) */
	for (uint32_t i = 0; i < m->nrcpt; i++)
		if (m->rcpt[i].flags) {
			cols[ncols++] = PF_PROP_TAG(TAG_RECIPIENT_FLAGS,
						    PF_PT_INT32);
			break;
		}
	pf_plist_init(&cells, s->unicode);
	for (uint32_t i = 0; i < m->nrcpt; i++) {
		struct pf_plist one;

		pf_plist_init(&one, s->unicode);
		recipient_props(&m->rcpt[i], &one);
		pf_plist_row(&cells, cols, ncols, &one);
		if (one.err)
			cells.err = one.err;
		pf_plist_free(&one);
		ids[i] = i;   /* recipient rows are numbered (MS-PST 2.4.5.3) */
	}
	rc = table_subnode(s, msub, PF_NID_RECIPIENT_TABLE, cols, ncols, ids,
			   &cells, m->nrcpt);
	pf_plist_free(&cells);
	free(ids);
	return rc;
}

static int message_node(struct pf_storew *s, const struct pf_msgw_message *m,
			unsigned depth, struct pf_plist *props,
			uint64_t *bid_data, uint64_t *bid_sub);

/* The embedded message of attachment A, as a subnode of the attachment;
 * returns the PtypObject's NID and size. */
static int embedded(struct pf_storew *s, const struct pf_msgw_att *a,
		    unsigned depth, struct pf_subw *asub, uint32_t *nid,
		    uint32_t *size)
{
	struct pf_plist props;
	uint64_t bid_data, bid_sub;
	int rc;

	const struct pf_wprop *sz;

	pf_plist_init(&props, s->unicode);
	rc = message_node(s, a->embedded, depth + 1, &props, &bid_data,
			  &bid_sub);
	*nid = pf_writer_new_nid(s->w, PF_NT_NORMAL_MESSAGE);
	/* the object's size is the embedded message's PidTagMessageSize */
	sz = pf_plist_find(&props, PF_PROP_TAG(PF_TAG_MESSAGE_SIZE,
					       PF_PT_INT32));
	*size = sz && sz->cb == 4 ? pf_le32(sz->p) : 0;
	if (rc == 0)
		rc = pf_subw_add(asub, *nid, bid_data, bid_sub);
	pf_plist_free(&props);
	return rc;
}

static void attachment_props(const struct pf_msgw_att *a, uint32_t number,
			     struct pf_plist *l)
{
	const char *name = a->filename ? a->filename : "attachment";

	pf_plist_i32(l, PF_TAG_ATTACH_SIZE, (int32_t)(a->cb > INT32_MAX ?
		     INT32_MAX : a->cb));
	pf_plist_i32(l, TAG_ATTACH_NUMBER, (int32_t)number);
	pf_plist_str(l, PF_TAG_DISPLAY_NAME, name);
	pf_plist_str(l, PF_TAG_ATTACH_FILENAME, name);
	pf_plist_str(l, PF_TAG_ATTACH_LONG_FILENAME, name);
	pf_plist_i32(l, PF_TAG_ATTACH_METHOD, a->embedded ?
		     ATTACH_EMBEDDED_MSG : ATTACH_BY_VALUE);
	pf_plist_i32(l, TAG_RENDERING_POSITION, -1);
	pf_plist_str(l, TAG_ATTACH_MIME_TAG, a->mime_type);
	pf_plist_str(l, TAG_ATTACH_CONTENT_ID, a->content_id);
	if (a->is_inline)
		pf_plist_bool(l, TAG_ATTACHMENT_HIDDEN, true);
}

static int write_attachment(struct pf_storew *s, const struct pf_msgw_att *a,
			    uint32_t number, unsigned depth,
			    struct pf_subw *msub, struct pf_plist *row,
			    uint32_t *nid)
{
	struct pf_subw asub;
	struct pf_plist l;
	uint64_t bid_data = 0, bid_sub = 0;
	int rc = 0;

	pf_subw_init(&asub, s->w);
	pf_plist_init(&l, s->unicode);
	attachment_props(a, number, &l);
	if (a->embedded) {
		uint32_t enid, esize;

		rc = embedded(s, a, depth, &asub, &enid, &esize);
		pf_plist_object(&l, PF_TAG_ATTACH_DATA, enid, esize);
	} else {
		pf_plist_bin(&l, PF_TAG_ATTACH_DATA, a->data ? a->data :
			     (const uint8_t *)"", a->cb);
	}
	if (rc == 0)
		rc = l.err;
	if (rc == 0)
		rc = pf_pcw_write(s->w, l.v, (uint32_t)l.n, &asub, &bid_data);
	if (rc == 0)
		rc = pf_writer_put_subnodes(s->w, asub.v, asub.n, &bid_sub);
	*nid = pf_writer_new_nid(s->w, PF_NT_ATTACHMENT);
	if (rc == 0)
		rc = pf_subw_add(msub, *nid, bid_data, bid_sub);
	if (rc == 0) {
		uint32_t cols[MSGW_MAX_COLS], ncols;

		ncols = msgw_attachment_cols(s, cols);
		pf_plist_row(row, cols, ncols, &l);
	}
	pf_plist_free(&l);
	pf_subw_free(&asub);
	return rc;
}

static int write_attachments(struct pf_storew *s,
			     const struct pf_msgw_message *m, unsigned depth,
			     struct pf_subw *msub)
{
	uint32_t cols[MSGW_MAX_COLS], ncols = msgw_attachment_cols(s, cols);
	uint32_t *ids;
	struct pf_plist cells;
	int rc = 0;

	if (m->natt == 0)
		return 0;
	ids = malloc(m->natt * sizeof(*ids));
	if (!ids)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	pf_plist_init(&cells, s->unicode);
	for (uint32_t i = 0; rc == 0 && i < m->natt; i++)
		rc = write_attachment(s, &m->att[i], i, depth, msub, &cells,
				      &ids[i]);
	if (rc == 0)
		rc = table_subnode(s, msub, PF_NID_ATTACHMENT_TABLE, cols,
				   ncols, ids, &cells, m->natt);
	pf_plist_free(&cells);
	free(ids);
	return rc;
}

/* PidTagMessageSize: what Outlook shows; the bytes of the values. */
static uint32_t message_size(const struct pf_msgw_message *m,
			     const struct pf_plist *props)
{
	uint64_t n = 0;

	for (size_t i = 0; i < props->n; i++)
		n += props->v[i].cb;
	for (uint32_t i = 0; i < m->natt; i++)
		n += m->att[i].cb;
	return n > INT32_MAX ? INT32_MAX : (uint32_t)n;
}

static int message_node(struct pf_storew *s, const struct pf_msgw_message *m,
			unsigned depth, struct pf_plist *props,
			uint64_t *bid_data, uint64_t *bid_sub)
{
	struct pf_subw msub;
	int rc;

	if (depth > MSGW_MAX_DEPTH)
		return pf_error_set(PF_E_LIMIT, "messages embedded more than "
				    "%d deep", MSGW_MAX_DEPTH);
	pf_subw_init(&msub, s->w);
	message_props(s, m, props);
	pf_plist_i32(props, PF_TAG_MESSAGE_SIZE,
		     (int32_t)message_size(m, props));
	rc = props->err;
	if (rc == 0)
		rc = write_recipients(s, m, &msub);
	if (rc == 0)
		rc = write_attachments(s, m, depth, &msub);
	if (rc == 0)
		rc = pf_pcw_write(s->w, props->v, (uint32_t)props->n, &msub,
				  bid_data);
	if (rc == 0)
		rc = pf_writer_put_subnodes(s->w, msub.v, msub.n, bid_sub);
	pf_subw_free(&msub);
	return rc;
}

int msgw_message_node(struct pf_storew *s, const struct pf_msgw_message *m,
		      struct pf_plist *props, uint64_t *bid_data,
		      uint64_t *bid_sub)
{
	return message_node(s, m, 0, props, bid_data, bid_sub);
}

int msgw_contents_row(struct pf_storew *s, struct pf_wfolder *f,
		      uint32_t nid, const struct pf_plist *props)
{
	uint32_t cols[MSGW_MAX_COLS], ncols = msgw_contents_cols(s, cols);

	if (pf_grow(&f->row_ids, f->nrows, &f->caprows,
		    sizeof(*f->row_ids)) != 0)
		return PF_E_NOMEM;
	pf_plist_row(&f->rows, cols, ncols, props);
	if (f->rows.err)
		return f->rows.err;
	f->row_ids[f->nrows++] = nid;
	return 0;
}
