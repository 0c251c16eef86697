/*
 * mimew_read.c - a MAPI message (its PC and recipient table, MS-PST
 * 2.4.5) to struct pf_mimew_msg: the properties MS-OXCMAIL 2.2.3 maps to
 * header fields, the bodies, and the recipients.  Attachments are read by
 * mimew_ratt.c, contact and calendar fields by mimew_item.c.
 *
 * Strings: PtypString8 values are decoded with PidTagMessageCodepage
 * (MS-OXCMSG 2.2.1.4) when the message names one, else Windows-1252.
 * The HTML body (PtypBinary) keeps its bytes and is labelled with the
 * charset of PidTagInternetCodepage (MS-OXCMSG 2.2.1.40); a code page we
 * have no MIME name for is converted to UTF-8 through iconv instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mimew_int.h"
#include "pf_rtf.h"

enum {
	TAG_IMPORTANCE = 0x0017,
	TAG_PRIORITY = 0x0026,
	TAG_READ_RECEIPT = 0x0029,
	TAG_SENSITIVITY = 0x0036,
	TAG_SENT_REPR_ADDRTYPE = 0x0064,
	TAG_REPLY_RECIPIENT_ENTRIES = 0x004F,
	TAG_TRANSPORT_HEADERS = 0x007D,
	TAG_SENDER_ADDRTYPE = 0x0C1E,
	TAG_DISPLAY_BCC = 0x0E02,
	TAG_DISPLAY_CC = 0x0E03,
	TAG_DISPLAY_TO = 0x0E04,
	TAG_BODY = 0x1000,
	TAG_RTF_COMPRESSED = 0x1009,
	TAG_HTML = 0x1013,
	TAG_INTERNET_MESSAGE_ID = 0x1035,
	TAG_INTERNET_REFERENCES = 0x1039,
	TAG_IN_REPLY_TO = 0x1042,
	TAG_SEARCH_KEY = 0x300B,
	TAG_RECIPIENT_FLAGS = 0x5FFD,
	TAG_DEFERRED_DELIVERY_TIME = 0x000F,
	TAG_SENT_REPR_SMTP = 0x5D02,
};

void pmw_lost(struct pf_mimew_msg *msg, const char *what)
{
	if (msg->lost++ == 0)
		snprintf(msg->note, sizeof(msg->note), "%s: %s", what,
			 pf_error_msg());
}

/* A string property, NULL when absent or empty. */
static char *str(const struct pf_pc *pc, uint16_t id)
{
	char *s = NULL;

	if (pf_pc_get_string(pc, id, &s) != 0 || (s && !*s)) {
		free(s);
		return NULL;
	}
	return s;
}

/* MS-OXCMSG 2.2.1.46: a subject with a prefix starts U+0001 and one
 * character that gives the prefix length; neither is text. */
static void strip_marker(char *s)
{
	size_t skip;

	if (!s || s[0] != 0x01)
		return;
	skip = 1;
	if (s[skip])
		skip += pmw_u8len(s + skip);
	memmove(s, s + skip, strlen(s + skip) + 1);
}

/* ADDR from the SMTP property, else the e-mail address and its type. */
static void address(const struct pf_pc *pc, uint16_t name, uint16_t smtp,
		    uint16_t email, uint16_t type, struct pf_mimew_addr *a)
{
	a->name = str(pc, name);
	a->addr = str(pc, smtp);
	if (a->addr) {
		a->addrtype = strdup("SMTP");
		return;
	}
	a->addr = str(pc, email);
	a->addrtype = str(pc, type);
}

static void addr_free(struct pf_mimew_addr *a)
{
	free(a->name);
	free(a->addr);
	free(a->addrtype);
	free(a->orig_type);
	memset(a, 0, sizeof(*a));
}

static bool same_addr(const struct pf_mimew_addr *a,
		      const struct pf_mimew_addr *b)
{
	if (!a->addr || !b->addr)
		return !a->addr && !b->addr;
	return strcasecmp(a->addr, b->addr) == 0;
}

static void senders(struct pf_mimew_msg *msg, const struct pf_pc *pc)
{
	address(pc, PF_TAG_SENT_REPRESENTING_NAME, TAG_SENT_REPR_SMTP,
		PF_TAG_SENT_REPRESENTING_EMAIL, TAG_SENT_REPR_ADDRTYPE,
		&msg->from);
	address(pc, PF_TAG_SENDER_NAME, PF_TAG_SENDER_SMTP_ADDRESS,
		PF_TAG_SENDER_EMAIL, TAG_SENDER_ADDRTYPE, &msg->sender);
	if (!msg->from.name && !msg->from.addr) {
		addr_free(&msg->from);	/* a lone address type says nothing */
		msg->from = msg->sender;
		memset(&msg->sender, 0, sizeof(msg->sender));
	}
	/* MS-OXCMAIL 2.2.3.2.1: Sender only when someone sent on behalf */
	msg->has_sender = msg->sender.addr && !same_addr(&msg->from,
							 &msg->sender);
}

static int recipients(struct pf_mimew_msg *msg, struct pf_message *m,
		      uint32_t codepage)
{
	struct pf_table t;
	uint32_t rows;

	if (pf_message_recipients(m, &t) != 0)
		return 0;   /* notes, contacts: no table */
	pf_tc_set_codepage(&t.tc, codepage);
	rows = pf_tc_rows(&t.tc);
	if (rows > PF_MIMEW_MAX_RCPT) {
		pf_error_set(PF_E_LIMIT, "%u recipients, %d kept", rows,
			     PF_MIMEW_MAX_RCPT);
		pmw_lost(msg, "recipients");
		rows = PF_MIMEW_MAX_RCPT;
	}
	msg->rcpt = calloc(rows ? rows : 1, sizeof(*msg->rcpt));
	if (!msg->rcpt) {
		pf_table_close(&t);
		return pf_error_set(PF_E_NOMEM, "out of memory");
	}
	for (uint32_t r = 0; r < rows; r++) {
		struct pf_mimew_addr *a = &msg->rcpt[msg->nrcpt];
		int32_t type = 1, rflags = 0;

		pf_tc_get_i32(&t.tc, r, PF_PROP_TAG(PF_TAG_RECIPIENT_TYPE, 0),
			      &type);
		pf_tc_get_string(&t.tc, r, PF_PROP_TAG(PF_TAG_DISPLAY_NAME, 0),
				 &a->name);
		pf_tc_get_string(&t.tc, r, PF_PROP_TAG(PF_TAG_SMTP_ADDRESS, 0),
				 &a->addr);
		pf_tc_get_string(&t.tc, r, PF_PROP_TAG(PF_TAG_ADDRESS_TYPE, 0),
				 &a->orig_type);
		/* MS-OXOMSG 2.2.3.3 PidTagRecipientFlags (the Outbox) */
		pf_tc_get_i32(&t.tc, r, PF_PROP_TAG(TAG_RECIPIENT_FLAGS, 0),
			      &rflags);
		a->rflags = (uint32_t)rflags;
		if (a->addr && *a->addr) {
			a->addrtype = strdup("SMTP");
		} else {
			free(a->addr);
			a->addr = NULL;
			pf_tc_get_string(&t.tc, r, PF_PROP_TAG(
				PF_TAG_EMAIL_ADDRESS, 0), &a->addr);
			a->addrtype = a->orig_type ? strdup(a->orig_type) :
				NULL;
		}
		/* MS-OXCMSG 2.2.3.1: low bits MAPI_TO 1, CC 2, BCC 3 */
		type &= 0x0F;
		a->type = (type == 2) ? PF_MIMEW_CC : (type == 3) ?
			PF_MIMEW_BCC : PF_MIMEW_TO;
		msg->nrcpt++;
	}
	pf_table_close(&t);
	return 0;
}

static const struct {
	uint32_t cp;
	const char *name;
} cp_names[] = {
	{ 65001, "utf-8" }, { 20127, "us-ascii" }, { 1250, "windows-1250" },
	{ 1251, "windows-1251" }, { 1252, "windows-1252" },
	{ 1253, "windows-1253" }, { 1254, "windows-1254" },
	{ 1255, "windows-1255" }, { 1256, "windows-1256" },
	{ 1257, "windows-1257" }, { 1258, "windows-1258" },
	{ 28591, "iso-8859-1" }, { 28592, "iso-8859-2" },
	{ 28595, "iso-8859-5" }, { 28597, "iso-8859-7" },
	{ 28605, "iso-8859-15" }, { 20866, "koi8-r" }, { 21866, "koi8-u" },
	{ 932, "shift_jis" }, { 936, "gb2312" }, { 54936, "gb18030" },
	{ 949, "ks_c_5601-1987" }, { 950, "big5" }, { 50220, "iso-2022-jp" },
	{ 51932, "euc-jp" }, { 51949, "euc-kr" }, { 874, "windows-874" },
};

static void set_charset(struct pf_mimew_msg *msg, const char *name)
{
	snprintf(msg->html_charset, sizeof(msg->html_charset), "%s", name);
}

static int html_body(struct pf_mimew_msg *msg, const struct pf_pc *pc,
		     uint32_t icp)
{
	struct pf_value v;
	char *u = NULL;
	int rc;

	if (pf_pc_get_value(pc, TAG_HTML, &v) != 0)
		return 0;
	if (v.type == PF_PT_STRING || v.type == PF_PT_STRING8) {
		rc = pf_value_string(&v, pc->codepage, &u);
		pf_value_free(&v);
		if (rc != 0)
			return 0;
		msg->body_html = (uint8_t *)u;
		msg->body_html_cb = strlen(u);
		set_charset(msg, "utf-8");
		return 0;
	}
	rc = pf_value_bin(&v, &msg->body_html, &msg->body_html_cb);
	pf_value_free(&v);
	if (rc != 0)
		return rc == PF_E_NOMEM ? rc : 0;
	for (size_t i = 0; i < sizeof(cp_names) / sizeof(*cp_names); i++)
		if (cp_names[i].cp == icp)
			set_charset(msg, cp_names[i].name);
	if (msg->html_charset[0] || icp == 0)
		return 0;
	/* a code page without a MIME name: to UTF-8 through iconv */
	if (pf_8bit_to_utf8(msg->body_html, msg->body_html_cb, icp, &u) == 0) {
		free(msg->body_html);
		msg->body_html = (uint8_t *)u;
		msg->body_html_cb = strlen(u);
		set_charset(msg, "utf-8");
	}
	return 0;
}

/* PidTagRtfCompressed (MS-OXRTFCP) when there is no HTML body: the HTML
 * it encapsulates (MS-OXRTFEX 2.2.3.2), and when the message has no body
 * at all, its plain text.  The CRC is not required (a body with a bad CRC
 * is still the best text there is); an RTF that cannot be read is noted
 * as a lost part only when it was the only body. */
static int rtf_body(struct pf_mimew_msg *msg)
{
	uint8_t *rtf = NULL;
	size_t cb = 0, n = 0;
	char *out = NULL;
	int rc;

	if (!msg->rtf || msg->body_html)
		return 0;
	rc = pf_lzfu_decompress(msg->rtf, msg->rtf_cb, PF_RTF_IGNORE_CRC,
				&rtf, &cb);
	if (rc == 0)
		rc = pf_rtf_to_html(rtf, cb, &out, &n);
	if (rc == 0) {
		msg->body_html = (uint8_t *)out;
		msg->body_html_cb = n;
		msg->html_from_rtf = true;
		set_charset(msg, "utf-8");
	} else if (rc == PF_E_NOTFOUND && !msg->body_text) {
		rc = pf_rtf_to_text(rtf, cb, &msg->body_text, &n);
	}
	free(rtf);
	if (rc == PF_E_NOMEM)
		return rc;
	if (rc != 0 && rc != PF_E_NOTFOUND && !msg->body_text &&
	    !msg->body_html)
		pmw_lost(msg, "RTF body");
	return 0;
}

/* MS-OXCMAIL 2.2.3.2.5: Reply-To from PidTagReplyRecipientEntries, a
 * FlatEntryList of one-off EntryIDs. */
static int reply_to(struct pf_mimew_msg *msg, const struct pf_pc *pc)
{
	uint8_t *b = NULL;
	size_t cb = 0;
	int rc;

	if (pf_pc_get_bin(pc, TAG_REPLY_RECIPIENT_ENTRIES, &b, &cb) != 0)
		return 0;
	rc = pmw_flat_entries(b, cb, &msg->reply_to, &msg->nreply_to);
	free(b);
	return rc;
}

static void scalars(struct pf_mimew_msg *msg, const struct pf_pc *pc)
{
	bool rr = false;

	msg->importance = -1;
	msg->priority = -2;
	msg->sensitivity = -1;
	pf_pc_get_i32(pc, TAG_IMPORTANCE, &msg->importance);
	pf_pc_get_i32(pc, TAG_PRIORITY, &msg->priority);
	pf_pc_get_i32(pc, TAG_SENSITIVITY, &msg->sensitivity);
	if (pf_pc_get_bool(pc, TAG_READ_RECEIPT, &rr) == 0)
		msg->read_receipt = rr;
	pf_pc_get_i32(pc, PF_TAG_MESSAGE_FLAGS, &msg->flags);
	pf_pc_get_time(pc, PF_TAG_CLIENT_SUBMIT_TIME, &msg->submit_time);
	pf_pc_get_time(pc, PF_TAG_MESSAGE_DELIVERY_TIME,
		       &msg->delivery_time);
	pf_pc_get_time(pc, PF_TAG_CREATION_TIME, &msg->creation_time);
	pf_pc_get_time(pc, TAG_DEFERRED_DELIVERY_TIME, &msg->deferred_time);
	pf_pc_get_bin(pc, TAG_SEARCH_KEY, &msg->search_key,
		      &msg->search_key_cb);
	pf_pc_get_bin(pc, TAG_RTF_COMPRESSED, &msg->rtf, &msg->rtf_cb);
}

static void strings(struct pf_mimew_msg *msg, const struct pf_pc *pc)
{
	msg->message_class = str(pc, PF_TAG_MESSAGE_CLASS);
	msg->subject = str(pc, PF_TAG_SUBJECT);
	strip_marker(msg->subject);
	msg->display_to = str(pc, TAG_DISPLAY_TO);
	msg->display_cc = str(pc, TAG_DISPLAY_CC);
	msg->display_bcc = str(pc, TAG_DISPLAY_BCC);
	msg->message_id = str(pc, TAG_INTERNET_MESSAGE_ID);
	msg->in_reply_to = str(pc, TAG_IN_REPLY_TO);
	msg->references = str(pc, TAG_INTERNET_REFERENCES);
	msg->transport_headers = str(pc, TAG_TRANSPORT_HEADERS);
	msg->body_text = str(pc, TAG_BODY);
}

int pmw_read_depth(struct pf_mimew_msg **out, struct pf_message *m,
		   const struct pf_nameid_map *map, unsigned depth)
{
	struct pf_mimew_msg *msg = calloc(1, sizeof(*msg));
	int32_t cp = 0, icp = 0;
	int rc;

	*out = NULL;
	if (!msg)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	msg->nid = m->nid;
	pf_pc_get_i32(&m->pc, PF_TAG_INTERNET_CODEPAGE, &icp);
	if (pf_pc_get_i32(&m->pc, PF_TAG_MESSAGE_CODEPAGE, &cp) == 0 && cp > 0)
		pf_pc_set_codepage(&m->pc, (uint32_t)cp);
	strings(msg, &m->pc);
	scalars(msg, &m->pc);
	senders(msg, &m->pc);
	rc = reply_to(msg, &m->pc);
	if (rc == 0)
		rc = html_body(msg, &m->pc, icp > 0 ? (uint32_t)icp : 0);
	if (rc == 0)
		rc = rtf_body(msg);
	if (rc == 0)
		rc = recipients(msg, m, m->pc.codepage);
	if (rc == 0)
		rc = pmw_read_atts(msg, m, map, depth);
	if (rc == 0 && (pf_mimew_kind_of(msg->message_class) !=
			PF_MIMEW_MAIL || pf_mimew_meeting_method(
			msg->message_class)))
		pmw_read_item(msg, m, map);
	if (rc != 0) {
		pf_mimew_msg_free(msg);
		return rc;
	}
	*out = msg;
	return 0;
}

int pf_mimew_read(struct pf_mimew_msg **out, struct pf_message *m,
		  const struct pf_nameid_map *map)
{
	return pmw_read_depth(out, m, map, 0);
}

static void item_free(struct pf_mimew_item *it)
{
	char **f[] = { &it->given, &it->surname, &it->middle, &it->prefix,
		       &it->suffix, &it->nickname, &it->company,
		       &it->department, &it->title, &it->email[0],
		       &it->email[1], &it->email[2], &it->phone_work,
		       &it->phone_home, &it->phone_mobile, &it->phone_fax,
		       &it->street, &it->city, &it->region, &it->postcode,
		       &it->country, &it->url, &it->birthday, &it->location,
		       &it->uid };

	for (size_t i = 0; i < sizeof(f) / sizeof(*f); i++)
		free(*f[i]);
	for (size_t i = 0; i < it->nmembers; i++)
		free(it->members[i]);
	free(it->members);
}

void pf_mimew_msg_free(struct pf_mimew_msg *msg)
{
	if (!msg)
		return;
	free(msg->message_class);
	free(msg->subject);
	addr_free(&msg->from);
	addr_free(&msg->sender);
	for (size_t i = 0; i < msg->nrcpt; i++)
		addr_free(&msg->rcpt[i]);
	free(msg->rcpt);
	for (size_t i = 0; i < msg->nreply_to; i++)
		addr_free(&msg->reply_to[i]);
	free(msg->reply_to);
	free(msg->display_to);
	free(msg->display_cc);
	free(msg->display_bcc);
	free(msg->message_id);
	free(msg->in_reply_to);
	free(msg->references);
	free(msg->transport_headers);
	free(msg->search_key);
	free(msg->body_text);
	free(msg->body_html);
	free(msg->rtf);
	for (size_t i = 0; i < msg->natt; i++)
		pmw_att_clear(&msg->att[i]);
	free(msg->att);
	item_free(&msg->item);
	free(msg);
}
