/*
 * attach.c - one entity as an attachment of the message being built.
 *
 * Rules
 * - data is the body with its transfer encoding undone; text attachments
 *   keep their charset (it is recorded in `charset`).
 * - Content-ID (RFC 2045 7) is kept without CFWS and <>.
 * - message/rfc822 and message/global (RFC 6532 3.5) are parsed into
 *   `embedded` while PF_MAIL_MAX_DEPTH allows (deeper ones keep their
 *   bytes only, truncated set); the bytes are kept either way.
 * - When the output budget runs out the attachment is dropped (truncated
 *   set) and parsing goes on.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_grow.h"
#include "mime_int.h"

/* "<id>" (with CFWS around) -> "id". */
static int content_id(struct pfm_ctx *c, const struct pfm_part *pt,
		      char **out)
{
	char *v = NULL;
	size_t i = 0, n, a;
	const char *gt;
	int rc = pfm_field_get(c, &pt->f, "content-id", &v);
	struct pfm_buf b = { 0 };

	*out = NULL;
	if (rc != 0 || !v)
		return rc;
	n = strlen(v);
	pfm_skip_cfws(v, n, &i);
	a = i;
	if (i < n && v[i] == '<') {
		a = i + 1;
		gt = memchr(v + a, '>', n - a);
		n = gt ? (size_t)(gt - v) : n;
	}
	rc = pfm_raw_to_utf8(c, (const uint8_t *)v + a, n - a, &b);
	if (rc == 0)
		rc = pfm_buf_take_tidy(c, &b, out);
	pfm_buf_free(c, &b);
	free(v);
	return rc;
}

static int decoded_field(struct pfm_ctx *c, const struct pfm_part *pt,
			 const char *name, char **out)
{
	char *v = NULL;
	int rc = pfm_field_get(c, &pt->f, name, &v);

	*out = NULL;
	if (rc == 0 && v)
		rc = pfm_header_decode(c, v, out);
	free(v);
	return rc;
}

static int describe(struct pfm_ctx *c, const struct pfm_part *pt,
		    struct pf_mail_att *a)
{
	int rc = 0;

	if (pt->filename)
		rc = pfm_strndup(c, pt->filename, strlen(pt->filename),
				 &a->filename);
	if (rc == 0)
		rc = pfm_strndup(c, pt->ct.type, strlen(pt->ct.type),
				 &a->mime_type);
	if (rc == 0)
		rc = content_id(c, pt, &a->content_id);
	if (rc == 0 && pt->charset[0] && pfm_part_is_main(pt, "text") &&
	    strcmp(pt->charset, PFM_CHARSET_BAD) != 0)
		rc = pfm_strndup(c, pt->charset, strlen(pt->charset),
				 &a->charset);
	if (rc == 0)
		rc = decoded_field(c, pt, "content-location",
				   &a->content_location);
	if (rc == 0)
		rc = decoded_field(c, pt, "content-description",
				   &a->description);
	a->is_inline = pt->disp == PFM_DISP_INLINE;
	return rc;
}

static int embed(struct pfm_ctx *c, struct pf_mail_att *a)
{
	int rc;

	if (c->depth >= PF_MAIL_MAX_DEPTH) {
		pfm_truncate(c);
		return 0;
	}
	a->embedded = calloc(1, sizeof(*a->embedded));
	if (!a->embedded)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	c->depth++;
	rc = pfm_message_parse(c, a->data, a->cb, a->embedded);
	c->depth--;
	if (rc != 0) {
		free(a->embedded);
		a->embedded = NULL;
	}
	return rc;
}

static int append(struct pf_mail *m, struct pf_mail_att *a)
{
	size_t cap = 16;
	int rc;

	while (cap < m->natt)
		cap *= 2;
	if (m->natt == 0)
		cap = 0;
	rc = pf_grow(&m->att, m->natt, &cap, sizeof(*m->att));
	if (rc == 0)
		m->att[m->natt++] = *a;
	return rc;
}

int pfm_attach(struct pfm_ctx *c, struct pf_mail *m,
	       const struct pfm_part *pt)
{
	struct pf_mail_att a;
	struct pfm_buf b = { 0 };
	char *data = NULL;
	size_t len;
	int rc;

	if (m->natt >= PFM_MAX_ATT) {
		if (!c->truncated)
			pfm_truncate(c);
		return 0;
	}
	memset(&a, 0, sizeof(a));
	rc = pfm_part_decode(c, pt, &b);
	len = b.n;
	if (rc == 0)
		rc = pfm_buf_take(c, &b, &data);
	pfm_buf_free(c, &b);
	a.data = (uint8_t *)data;
	a.cb = data ? len : 0;
	if (rc == 0)
		rc = describe(c, pt, &a);
	if (rc == 0 && (pfm_part_is(pt, "message/rfc822") ||
			pfm_part_is(pt, "message/global")))
		rc = embed(c, &a);
	if (rc == 0)
		rc = append(m, &a);
	if (rc != 0)
		pfm_att_free(&a);
	return rc == PF_E_LIMIT ? 0 : rc;
}
