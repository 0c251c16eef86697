/*
 * mail.c - pf_mail_parse(): the header fields a PST message needs
 * (RFC 5322 3.6), then the MIME walk (body.c); pf_mail_free().
 *
 * Rules
 * - The first of repeated fields is used.  From and Sender keep their
 *   first mailbox; Reply-To keeps all (reply_to is the first).
 * - Message-ID: the msg-id without <> (RFC 5322 3.6.4); In-Reply-To and
 *   References as written (unfolded, trimmed).
 * - Importance (RFC 2156 5.3.4: low / normal / high), else X-Priority
 *   (1-2 high, 3 normal, 4-5 low), else X-MSMail-Priority, else Priority
 *   (RFC 2156: non-urgent / normal / urgent).
 * - Sensitivity (RFC 2156 5.3.4): Personal, Private,
 *   Company-Confidential.
 * - Disposition-Notification-To (RFC 8098 2.1) asks for a read receipt.
 * - Outlook's own fields: X-Unsent: 1 marks a draft; Thread-Topic and
 *   Thread-Index (base64) carry the conversation topic and index.
 * - A message without Content-Type is text/plain (RFC 2045 5.2).
 */
#include <stdlib.h>
#include <string.h>

#include "mime_int.h"

static int decoded(struct pfm_ctx *c, const struct pfm_fields *f,
		   const char *name, char **out)
{
	char *v = NULL;
	int rc = pfm_field_get(c, f, name, &v);

	*out = NULL;
	if (rc == 0 && v)
		rc = pfm_header_decode(c, v, out);
	free(v);
	return rc;
}

/* The value as UTF-8, unfolded and trimmed, no other decoding. */
static int as_written(struct pfm_ctx *c, const struct pfm_fields *f,
		      const char *name, char **out)
{
	char *v = NULL;
	struct pfm_buf b = { 0 };
	int rc = pfm_field_get(c, f, name, &v);

	*out = NULL;
	if (rc == 0 && v)
		rc = pfm_raw_to_utf8(c, (const uint8_t *)v, strlen(v), &b);
	if (rc == 0)
		rc = pfm_buf_take_tidy(c, &b, out);
	pfm_buf_free(c, &b);
	free(v);
	return rc;
}

static int message_id(struct pfm_ctx *c, const struct pfm_fields *f,
		      char **out)
{
	char *v = NULL, *lt, *gt;
	int rc = as_written(c, f, "message-id", &v);

	*out = NULL;
	if (rc != 0 || !v)
		return rc;
	lt = strchr(v, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt && gt > lt + 1) {
		*gt = '\0';
		memmove(v, lt + 1, strlen(lt + 1) + 1);
	} else if (lt || strchr(v, '>')) {
		pfm_defect(c);
	}
	*out = v;
	return 0;
}

static int addr_field(struct pfm_ctx *c, const struct pfm_fields *f,
		      const char *name, struct pf_mail_addr **v, size_t *n)
{
	char *s = NULL;
	int rc = pfm_field_get(c, f, name, &s);

	*v = NULL;
	*n = 0;
	if (rc == 0 && s)
		rc = pfm_addr_list(c, s, v, n);
	free(s);
	return rc;
}

/* The first address of field NAME into *one. */
static int one_addr(struct pfm_ctx *c, const struct pfm_fields *f,
		    const char *name, struct pf_mail_addr *one)
{
	struct pf_mail_addr *v;
	size_t n;
	int rc = addr_field(c, f, name, &v, &n);

	if (rc == 0 && n > 0) {
		*one = v[0];
		memset(&v[0], 0, sizeof(v[0]));
	}
	pfm_addr_free_list(v, n);
	return rc;
}

static int dup_addr(struct pfm_ctx *c, const struct pf_mail_addr *a,
		    struct pf_mail_addr *out)
{
	int rc = 0;

	if (a->name)
		rc = pfm_strndup(c, a->name, strlen(a->name), &out->name);
	if (rc == 0 && a->addr)
		rc = pfm_strndup(c, a->addr, strlen(a->addr), &out->addr);
	return rc;
}

static int addresses(struct pfm_ctx *c, const struct pfm_fields *f,
		     struct pf_mail *m)
{
	int rc = one_addr(c, f, "from", &m->from);

	if (rc == 0)
		rc = one_addr(c, f, "sender", &m->sender);
	if (rc == 0)
		rc = addr_field(c, f, "reply-to", &m->reply_to_all,
				&m->nreply_to);
	if (rc == 0 && m->nreply_to > 0)
		rc = dup_addr(c, &m->reply_to_all[0], &m->reply_to);
	if (rc == 0)
		rc = addr_field(c, f, "to", &m->to, &m->nto);
	if (rc == 0)
		rc = addr_field(c, f, "cc", &m->cc, &m->ncc);
	if (rc == 0)
		rc = addr_field(c, f, "bcc", &m->bcc, &m->nbcc);
	return rc;
}

/* The first word of field NAME, lower-case, in W (cap bytes). */
static bool first_word(const struct pfm_fields *f, const char *name,
		       char *w, size_t cap)
{
	const struct pfm_field *fd = pfm_field_find(f, name);
	size_t i = 0, k = 0;

	if (!fd)
		return false;
	pfm_skip_cfws(fd->val, fd->val_len, &i);
	while (i < fd->val_len && k + 1 < cap && !pfm_is_space(fd->val[i]) &&
	       fd->val[i] != '(' && fd->val[i] != ';')
		w[k++] = pfm_lower(fd->val[i++]);
	w[k] = '\0';
	return k > 0;
}

static int level(struct pfm_ctx *c, const char *w)
{
	if (strcmp(w, "high") == 0)
		return 2;
	if (strcmp(w, "low") == 0)
		return 0;
	if (strcmp(w, "normal") != 0 && strcmp(w, "medium") != 0)
		pfm_defect(c);
	return 1;
}

static int importance(struct pfm_ctx *c, const struct pfm_fields *f)
{
	char w[32];

	if (first_word(f, "importance", w, sizeof(w)))
		return level(c, w);
	if (first_word(f, "x-priority", w, sizeof(w)))
		return w[0] == '1' || w[0] == '2' ? 2 :
		       w[0] == '4' || w[0] == '5' ? 0 : 1;
	if (first_word(f, "x-msmail-priority", w, sizeof(w)))
		return level(c, w);
	if (first_word(f, "priority", w, sizeof(w)))
		return strcmp(w, "urgent") == 0 ? 2 :
		       strcmp(w, "non-urgent") == 0 ? 0 : 1;
	return 1;
}

static int sensitivity(const struct pfm_fields *f)
{
	char w[32];

	if (!first_word(f, "sensitivity", w, sizeof(w)))
		return 0;
	if (strcmp(w, "personal") == 0)
		return 1;
	if (strcmp(w, "private") == 0)
		return 2;
	if (strcmp(w, "company-confidential") == 0 ||
	    strcmp(w, "confidential") == 0)
		return 3;
	return 0;
}

static int date(struct pfm_ctx *c, const struct pfm_fields *f,
		struct pf_mail *m)
{
	char *v = NULL;
	int rc = pfm_field_get(c, f, "date", &v);

	if (rc == 0 && v)
		m->has_date = pfm_date(c, v, strlen(v), &m->date,
				       &m->date_offset) == 0;
	free(v);
	return rc;
}

static int thread_index(struct pfm_ctx *c, const struct pfm_fields *f,
			struct pf_mail *m)
{
	char *v = NULL, *data = NULL;
	struct pfm_buf b = { 0 };
	size_t n;
	int rc = pfm_field_get(c, f, "thread-index", &v);

	if (rc == 0 && v)
		rc = pfm_base64_decode(c, (const uint8_t *)v, strlen(v), &b);
	n = b.n;
	if (rc == 0 && n > 0)
		rc = pfm_buf_take(c, &b, &data);
	m->thread_index = (uint8_t *)data;
	m->thread_index_cb = data ? n : 0;
	pfm_buf_free(c, &b);
	free(v);
	return rc;
}

static int outlook_fields(struct pfm_ctx *c, const struct pfm_fields *f,
			  struct pf_mail *m)
{
	char w[8];
	int rc = decoded(c, f, "thread-topic", &m->thread_topic);

	if (rc == 0)
		rc = thread_index(c, f, m);
	m->unsent = first_word(f, "x-unsent", w, sizeof(w)) &&
		    strcmp(w, "1") == 0;
	return rc;
}

static int envelope(struct pfm_ctx *c, const struct pfm_fields *f,
		    struct pf_mail *m)
{
	int rc = decoded(c, f, "subject", &m->subject);

	if (rc == 0)
		rc = addresses(c, f, m);
	if (rc == 0)
		rc = message_id(c, f, &m->message_id);
	if (rc == 0)
		rc = as_written(c, f, "in-reply-to", &m->in_reply_to);
	if (rc == 0)
		rc = as_written(c, f, "references", &m->references);
	if (rc == 0)
		rc = date(c, f, m);
	if (rc == 0)
		rc = outlook_fields(c, f, m);
	m->importance = importance(c, f);
	m->sensitivity = sensitivity(f);
	m->read_receipt = pfm_field_find(f, "disposition-notification-to");
	return rc;
}

static int parse_in(struct pfm_ctx *c, const uint8_t *raw, size_t cb,
		    struct pf_mail *out)
{
	struct pfm_fields f;
	struct pfm_part top;
	int rc = pfm_fields_parse(c, raw, cb, true, &f);

	if (rc == 0)
		rc = pfm_header_text(c, raw + f.hdr_start,
				     f.hdr_len - f.hdr_start, &out->headers);
	if (rc == 0)
		rc = envelope(c, &f, out);
	if (rc != 0) {
		pfm_fields_free(&f);
		return rc;
	}
	rc = pfm_part_from_fields(c, raw, cb, &f, "text/plain", &top);
	if (rc == 0) {
		rc = pfm_walk(c, out, &top);
		pfm_part_close(&top);
	}
	return rc;
}

int pfm_message_parse(struct pfm_ctx *c, const uint8_t *raw, size_t cb,
		      struct pf_mail *out)
{
	static const uint8_t empty[1];
	unsigned d0 = c->defects;
	bool t0 = c->truncated;
	int rc;

	memset(out, 0, sizeof(*out));
	c->truncated = false;
	rc = parse_in(c, raw ? raw : empty, raw ? cb : 0, out);
	if (rc == PF_E_LIMIT)
		rc = 0;                  /* what was read is kept */
	out->defects = c->defects - d0;
	out->truncated = c->truncated;
	c->truncated = t0 || c->truncated;
	if (rc != 0)
		pf_mail_free(out);
	return rc;
}

int pf_mail_parse(const uint8_t *raw, size_t cb, struct pf_mail *out)
{
	struct pfm_ctx c;
	int rc;

	if (!out || (!raw && cb))
		return pf_error_set(PF_E_USAGE, "pf_mail_parse: no input");
	memset(out, 0, sizeof(*out));
	if (cb > PF_MAIL_MAX_INPUT)
		return pf_error_set(PF_E_LIMIT, "message of %zu bytes is "
				    "too large", cb);
	pfm_ctx_init(&c, cb);
	rc = pfm_message_parse(&c, raw, cb, out);
	pfm_ctx_done(&c);
	return rc;
}

static void free_addr(struct pf_mail_addr *a)
{
	free(a->name);
	free(a->addr);
	a->name = a->addr = NULL;
}

void pfm_att_free(struct pf_mail_att *a)
{
	free(a->filename);
	free(a->mime_type);
	free(a->content_id);
	free(a->data);
	free(a->charset);
	free(a->content_location);
	free(a->description);
	if (a->embedded) {
		pf_mail_free(a->embedded);
		free(a->embedded);
	}
	memset(a, 0, sizeof(*a));
}

void pf_mail_free(struct pf_mail *m)
{
	if (!m)
		return;
	free(m->subject);
	free_addr(&m->from);
	free_addr(&m->sender);
	free_addr(&m->reply_to);
	pfm_addr_free_list(m->to, m->nto);
	pfm_addr_free_list(m->cc, m->ncc);
	pfm_addr_free_list(m->bcc, m->nbcc);
	pfm_addr_free_list(m->reply_to_all, m->nreply_to);
	free(m->message_id);
	free(m->in_reply_to);
	free(m->references);
	free(m->body_text);
	free(m->body_html);
	free(m->html_charset);
	free(m->html_raw);
	free(m->headers);
	free(m->thread_topic);
	free(m->thread_index);
	for (size_t i = 0; i < m->natt; i++)
		pfm_att_free(&m->att[i]);
	free(m->att);
	memset(m, 0, sizeof(*m));
}
