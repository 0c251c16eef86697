/*
 * part.c - one entity (RFC 2045 2.4): its header fields, content type,
 * disposition, transfer encoding, file name, and its decoded body.
 *
 * Rules
 * - No Content-Type, or one that cannot be read, is the default: text/plain
 *   (RFC 2045 5.2), or message/rfc822 inside multipart/digest (RFC 2046
 *   5.1.5); the caller says which.  Parameters of an unreadable type are
 *   still kept (a charset is worth having).
 * - Content-Disposition (RFC 2183 2): "inline", "attachment"; any other
 *   type is treated as "attachment" (2.8).
 * - The file name is the disposition's filename (RFC 2183 2.3), else the
 *   Content-Type's name (RFC 2046 4.5.1, deprecated but everywhere),
 *   decoded (rfc2231.c), then reduced to its last path component with
 *   control characters removed; "", "." and ".." are no name.
 * - At most PFM_MAX_ENTITIES entities per parse (then PF_E_LIMIT, with
 *   truncated set).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime_int.h"

static void sanitize_name(struct pfm_ctx *c, char **name)
{
	char *s = *name, *base = s, *o;
	size_t n;

	if (!s)
		return;
	for (char *q = s; *q; q++)
		if (*q == '/' || *q == '\\')
			base = q + 1;
	o = s;
	for (char *q = base; *q; q++)
		if ((unsigned char)*q >= 0x20 && *q != 0x7F)
			*o++ = *q;
	*o = '\0';
	n = strlen(s);
	s = (char *)pfm_trim(s, &n);
	memmove(*name, s, n);
	(*name)[n] = '\0';
	if (n == 0 || strcmp(*name, ".") == 0 || strcmp(*name, "..") == 0) {
		if (n > 0 || base != *name)
			pfm_defect(c);
		free(*name);
		*name = NULL;
	}
}

static int read_type(struct pfm_ctx *c, struct pfm_part *pt,
		     const char *deftype)
{
	char *v = NULL;
	int rc = pfm_field_get(c, &pt->f, "content-type", &v);

	if (rc == 0)
		rc = pfm_ctype_parse(c, v, false, &pt->ct);
	free(v);
	if (rc == 0 && !pt->ct.valid)
		snprintf(pt->ct.type, sizeof(pt->ct.type), "%s", deftype);
	return rc;
}

static int read_disposition(struct pfm_ctx *c, struct pfm_part *pt)
{
	char *v = NULL;
	int rc = pfm_field_get(c, &pt->f, "content-disposition", &v);

	if (rc == 0)
		rc = pfm_ctype_parse(c, v, true, &pt->cd);
	if (rc == 0 && v)
		pt->disp = strcmp(pt->cd.type, "inline") == 0 ?
			   PFM_DISP_INLINE : PFM_DISP_ATTACHMENT;
	if (rc == 0 && v && !pt->cd.valid)
		pt->disp = PFM_DISP_NONE;     /* unreadable: as if absent */
	free(v);
	return rc;
}

/* The charset parameter (RFC 2046 4.1.2; RFC 2231 encoded too). */
static int read_charset(struct pfm_ctx *c, struct pfm_part *pt)
{
	char *v = NULL;
	int rc = pfm_param_bytes(c, &pt->ct, "charset", &v);

	if (rc == 0 && v && !pfm_charset_name(v, strlen(v), pt->charset,
					       sizeof(pt->charset))) {
		/* unusable name: treated as unknown (Windows-1252) */
		snprintf(pt->charset, sizeof(pt->charset), "%s",
			 PFM_CHARSET_BAD);
	}
	free(v);
	return rc;
}

static int read_rest(struct pfm_ctx *c, struct pfm_part *pt)
{
	char *v = NULL;
	int rc = pfm_field_get(c, &pt->f, "content-transfer-encoding", &v);

	if (rc == 0)
		pt->cte = pfm_cte_of(c, v);
	free(v);
	if (rc == 0 && pfm_part_is_main(pt, "multipart"))
		rc = pfm_param_bytes(c, &pt->ct, "boundary", &pt->boundary);
	if (rc == 0)
		rc = read_charset(c, pt);
	if (rc == 0 && pt->cd.valid)
		rc = pfm_param_get(c, &pt->cd, "filename", &pt->filename);
	if (rc == 0 && !pt->filename)
		rc = pfm_param_get(c, &pt->ct, "name", &pt->filename);
	sanitize_name(c, &pt->filename);
	return rc;
}

int pfm_part_from_fields(struct pfm_ctx *c, const uint8_t *p, size_t n,
			 struct pfm_fields *f, const char *deftype,
			 struct pfm_part *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->raw = p;
	out->cb = n;
	out->f = *f;
	memset(f, 0, sizeof(*f));
	out->body = p + out->f.body_off;
	out->body_cb = n - out->f.body_off;
	if (++c->entities > PFM_MAX_ENTITIES) {
		if (!c->truncated)
			pfm_truncate(c);
		rc = pf_error_set(PF_E_LIMIT, "too many MIME parts");
	} else {
		rc = read_type(c, out, deftype);
	}
	if (rc == 0)
		rc = read_disposition(c, out);
	if (rc == 0)
		rc = read_rest(c, out);
	if (rc != 0)
		pfm_part_close(out);
	return rc;
}

int pfm_part_open(struct pfm_ctx *c, const uint8_t *p, size_t n,
		  const char *deftype, struct pfm_part *out)
{
	struct pfm_fields f;
	int rc = pfm_fields_parse(c, p, n, false, &f);

	if (rc != 0) {
		pfm_fields_free(&f);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	return pfm_part_from_fields(c, p, n, &f, deftype, out);
}

void pfm_part_close(struct pfm_part *pt)
{
	pfm_fields_free(&pt->f);
	pfm_ctype_free(&pt->ct);
	pfm_ctype_free(&pt->cd);
	free(pt->filename);
	free(pt->boundary);
	memset(pt, 0, sizeof(*pt));
}

int pfm_part_decode(struct pfm_ctx *c, const struct pfm_part *pt,
		    struct pfm_buf *out)
{
	if (pt->cte == PFM_CTE_BASE64)
		return pfm_base64_decode(c, pt->body, pt->body_cb, out);
	if (pt->cte == PFM_CTE_QP)
		return pfm_qp_decode(c, pt->body, pt->body_cb, out);
	return pfm_buf_put(c, out, pt->body, pt->body_cb);
}

bool pfm_part_is(const struct pfm_part *pt, const char *type)
{
	return strcmp(pt->ct.type, type) == 0;
}

bool pfm_part_is_main(const struct pfm_part *pt, const char *maintype)
{
	size_t n = strlen(maintype);

	return strncmp(pt->ct.type, maintype, n) == 0 &&
	       pt->ct.type[n] == '/';
}
