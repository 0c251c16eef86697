/*
 * message.c - messages, recipients and attachments (MS-PST 2.4.5, 2.4.6).
 *
 * Contract: a message is its PC plus its subnodes: the recipient table
 * (NID 0x692), the attachment table (0x671), one PC per attachment, and
 * any large property values.  pf_message_open() loads the subnode list
 * once; the tables and attachments borrow it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msg_int.h"

int pf_message_open(struct pf_message *m, struct pf_ndb *ndb, uint32_t nid)
{
	memset(m, 0, sizeof(*m));
	m->ndb = ndb;
	m->nid = nid;
	return pf_node_pc_open(ndb, nid, &m->pc, &m->sub);
}

void pf_message_close(struct pf_message *m)
{
	pf_pc_close(&m->pc);
	pf_subnodes_free(&m->sub);
	memset(m, 0, sizeof(*m));
}

static char *first_string(const struct pf_pc *pc, uint16_t a, uint16_t b)
{
	char *s = NULL;

	if (pf_pc_get_string(pc, a, &s) == 0 && s && *s)
		return s;
	free(s);
	s = NULL;
	if (pf_pc_get_string(pc, b, &s) == 0)
		return s;
	return NULL;
}

int pf_table_open(struct pf_table *t, struct pf_ndb *ndb, uint32_t nid,
		  uint64_t bid_data, uint64_t bid_sub)
{
	int rc;

	memset(t, 0, sizeof(*t));
	rc = pf_subnodes_load(ndb, bid_sub, NULL, &t->sub);
	if (rc != 0)
		return rc;
	rc = pf_tc_open(&t->tc, ndb, nid, bid_data, &t->sub, NULL);
	if (rc != 0)
		pf_subnodes_free(&t->sub);
	return rc;
}

void pf_table_close(struct pf_table *t)
{
	pf_tc_close(&t->tc);
	pf_subnodes_free(&t->sub);
}

static int sub_table(struct pf_message *m, uint32_t nid, struct pf_table *t)
{
	const struct pf_subnode *s = pf_subnodes_find(&m->sub, nid);

	memset(t, 0, sizeof(*t));
	if (!s)
		return pf_error_set(PF_E_NOTFOUND, "message 0x%x has no "
				    "subnode 0x%x", m->nid, nid);
	return pf_table_open(t, m->ndb, nid, s->bid_data, s->bid_sub);
}

int pf_message_recipients(struct pf_message *m, struct pf_table *t)
{
	return sub_table(m, PF_NID_RECIPIENT_TABLE, t);
}

int pf_message_attachments(struct pf_message *m, struct pf_table *t)
{
	return sub_table(m, PF_NID_ATTACHMENT_TABLE, t);
}

/* MS-OXCMSG 2.2.1.46: a subject stored with a prefix starts with U+0001
 * followed by one character giving the prefix length; neither is text. */
static void strip_subject_marker(char *s)
{
	size_t skip = 1;

	if (!s || s[0] != 0x01)
		return;
	while (s[skip] && ((unsigned char)s[skip] & 0xC0) == 0x80)
		skip++;   /* U+0001 is one byte; the length char may not be */
	if (s[skip])
		skip++;
	while (s[skip] && ((unsigned char)s[skip] & 0xC0) == 0x80)
		skip++;
	memmove(s, s + skip, strlen(s + skip) + 1);
}

int pf_message_info(struct pf_message *m, struct pf_message_info *out)
{
	struct pf_table tab;
	uint64_t t = 0;

	memset(out, 0, sizeof(*out));
	out->subject = first_string(&m->pc, PF_TAG_SUBJECT, PF_TAG_SUBJECT);
	strip_subject_marker(out->subject);
	out->sender = first_string(&m->pc, PF_TAG_SENDER_NAME,
				   PF_TAG_SENT_REPRESENTING_NAME);
	if (!out->sender)
		out->sender = first_string(&m->pc, PF_TAG_SENDER_EMAIL,
					   PF_TAG_SENDER_SMTP_ADDRESS);
	pf_pc_get_string(&m->pc, PF_TAG_MESSAGE_CLASS, &out->message_class);
	if (pf_pc_get_time(&m->pc, PF_TAG_MESSAGE_DELIVERY_TIME, &t) != 0)
		pf_pc_get_time(&m->pc, PF_TAG_CLIENT_SUBMIT_TIME, &t);
	out->time = t;
	pf_pc_get_i32(&m->pc, PF_TAG_MESSAGE_SIZE, &out->size);
	pf_pc_get_i32(&m->pc, PF_TAG_MESSAGE_FLAGS, &out->flags);
	if (pf_message_recipients(m, &tab) == 0) {
		out->recipients = pf_tc_rows(&tab.tc);
		pf_table_close(&tab);
	}
	if (pf_message_attachments(m, &tab) == 0) {
		out->attachments = pf_tc_rows(&tab.tc);
		pf_table_close(&tab);
	}
	return 0;
}

void pf_message_info_free(struct pf_message_info *i)
{
	free(i->subject);
	free(i->sender);
	free(i->message_class);
	memset(i, 0, sizeof(*i));
}

int pf_attachment_open(struct pf_attachment *a, struct pf_message *m,
		       uint32_t nid)
{
	const struct pf_subnode *s = pf_subnodes_find(&m->sub, nid);
	int rc;

	memset(a, 0, sizeof(*a));
	a->nid = nid;
	if (!s)
		return pf_error_set(PF_E_NOTFOUND, "attachment 0x%x is not a "
				    "subnode of message 0x%x", nid, m->nid);
	rc = pf_subnodes_load(m->ndb, s->bid_sub, NULL, &a->sub);
	if (rc != 0)
		return rc;
	rc = pf_pc_open(&a->pc, m->ndb, nid, s->bid_data, &a->sub, NULL);
	if (rc != 0)
		pf_subnodes_free(&a->sub);
	return rc;
}

void pf_attachment_close(struct pf_attachment *a)
{
	pf_pc_close(&a->pc);
	pf_subnodes_free(&a->sub);
	memset(a, 0, sizeof(*a));
}

/* FILETIME counts 100 ns intervals since 1601-01-01. */
void pf_filetime_format(uint64_t ft, char *buf, size_t cb)
{
	const uint64_t epoch_diff = 11644473600ull;
	struct tm tm;
	time_t secs;

	if (ft == 0 || ft / 10000000ull < epoch_diff) {
		snprintf(buf, cb, "%s", "");
		return;
	}
	secs = (time_t)(ft / 10000000ull - epoch_diff);
	if (!gmtime_r(&secs, &tm)) {
		snprintf(buf, cb, "%s", "");
		return;
	}
	strftime(buf, cb, "%Y-%m-%d %H:%M:%S", &tm);
}
