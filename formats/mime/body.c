/*
 * body.c - walk the MIME tree of one message: pick the bodies, collect
 * the attachments.
 *
 * Rules
 * - Two body slots, text and HTML.  A text/plain or text/html leaf that
 *   is not an attachment (no Content-Disposition: attachment, no file
 *   name) fills the open slot of its type; outside multipart/alternative
 *   that closes both slots (the first body wins, RFC 2046 5.1.3: later
 *   parts of a multipart/mixed are separate content), inside it closes
 *   only its own, and both close when the alternative ends (RFC 2046
 *   5.1.4: the alternatives are the same content; the first text/plain
 *   and first text/html are taken).
 * - multipart/related (RFC 2387 3.1): the root is the part whose
 *   Content-ID is the "start" parameter, else the first; it is walked
 *   first; the other parts become attachments.  Those the HTML body
 *   references by cid: (RFC 2392) are marked inline afterwards.
 * - Other multipart subtypes are walked as multipart/mixed (RFC 2046
 *   5.1.7); multipart/digest defaults its parts to message/rfc822
 *   (5.1.5).  A multipart without a usable boundary or without any
 *   delimiter line is read as text/plain (a defect: its text is kept); one
 *   with delimiters but no parts adds nothing (a defect); a part that is
 *   only whitespace (no header, no body) is skipped (a defect).
 * - Everything that is not a body is an attachment, so nothing is lost:
 *   non-text parts, text/plain attachments, the alternatives not taken.
 * - Nesting is bounded by PFM_MAX_NEST for the whole parse (deeper
 *   multiparts become opaque attachments, truncated set).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime_int.h"

struct walk {
	struct pfm_ctx *c;
	struct pf_mail *m;
	bool text_open, html_open;
	unsigned alt;
};

static int walk_part(struct walk *w, struct pfm_part *pt);

/* ---- bodies ---- */

static bool body_candidate(const struct walk *w, const struct pfm_part *pt)
{
	if (pt->disp == PFM_DISP_ATTACHMENT || pt->filename)
		return false;
	return (w->text_open && pfm_part_is(pt, "text/plain")) ||
	       (w->html_open && pfm_part_is(pt, "text/html"));
}

/* The charset to read the HTML in: Content-Type's, else its <meta>. */
static int html_charset(struct pfm_ctx *c, const struct pfm_part *pt,
			const struct pfm_buf *bytes, struct pf_mail *m)
{
	char name[PFM_CHARSET_MAX + 1];

	if (strcmp(pt->charset, PFM_CHARSET_BAD) == 0)
		return 0;
	if (pt->charset[0])
		snprintf(name, sizeof(name), "%s", pt->charset);
	else if (!pfm_html_meta_charset((const uint8_t *)bytes->p, bytes->n,
					name, sizeof(name)))
		return 0;
	return pfm_strndup(c, name, strlen(name), &m->html_charset);
}

static int set_body(struct pfm_ctx *c, const struct pfm_part *pt,
		    bool html, struct pf_mail *m)
{
	struct pfm_buf bytes = { 0 }, u = { 0 };
	const char *cs = pt->charset[0] ? pt->charset : NULL;
	int rc = pfm_part_decode(c, pt, &bytes);

	if (rc == 0 && html)
		rc = html_charset(c, pt, &bytes, m);
	if (html && m->html_charset)
		cs = m->html_charset;
	if (rc == 0)
		rc = pfm_to_utf8(c, cs, (const uint8_t *)bytes.p, bytes.n,
				 &u);
	if (rc == 0)
		rc = pfm_text_finish(c, u.p ? u.p : "", u.n,
				     html ? &m->body_html : &m->body_text);
	pfm_buf_free(c, &u);
	if (rc == 0 && html) {
		size_t n = bytes.n;
		char *raw = NULL;

		rc = pfm_buf_take(c, &bytes, &raw);
		m->html_raw = (uint8_t *)raw;
		m->html_raw_cb = raw ? n : 0;
	}
	pfm_buf_free(c, &bytes);
	return rc;
}

static int take_body(struct walk *w, const struct pfm_part *pt)
{
	bool html = pfm_part_is(pt, "text/html");
	int rc = set_body(w->c, pt, html, w->m);

	if (html)
		w->html_open = false;
	else
		w->text_open = false;
	if (w->alt == 0)
		w->text_open = w->html_open = false;
	return rc == PF_E_LIMIT ? 0 : rc;
}

/* ---- multiparts ---- */

struct kids {
	struct pfm_span *v;
	size_t n;
	bool seen;           /* a delimiter line was found */
	const char *deftype;
};

static bool blank(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!pfm_is_space((char)p[i]))
			return false;
	return true;
}

/* Walk part I; an empty one (only whitespace: no header, no body) is
 * skipped as a defect. */
static int walk_kid(struct walk *w, const struct kids *k, size_t i)
{
	struct pfm_part pt;
	int rc;

	if (blank(k->v[i].p, k->v[i].n)) {
		pfm_defect(w->c);
		return 0;
	}
	rc = pfm_part_open(w->c, k->v[i].p, k->v[i].n, k->deftype, &pt);
	if (rc != 0)
		return rc;
	rc = walk_part(w, &pt);
	pfm_part_close(&pt);
	return rc;
}

static int walk_mixed(struct walk *w, const struct kids *k)
{
	int rc = 0;

	for (size_t i = 0; i < k->n && rc == 0; i++)
		rc = walk_kid(w, k, i);
	return rc;
}

static int walk_alternative(struct walk *w, const struct kids *k)
{
	bool open = w->text_open || w->html_open;
	int rc;

	w->alt += open;
	rc = walk_mixed(w, k);
	w->alt -= open;
	if (open && w->alt == 0)
		w->text_open = w->html_open = false;
	return rc;
}

/* The Content-ID of part span S equals START (both without <>)? */
static bool is_start(struct walk *w, const struct pfm_span *s,
		     const char *start)
{
	struct pfm_fields f;
	char *id = NULL;
	bool yes = false;
	size_t n = strlen(start), i = 0;

	if (pfm_fields_parse(w->c, s->p, s->n, false, &f) == 0 &&
	    pfm_field_get(w->c, &f, "content-id", &id) == 0 && id) {
		size_t a = 0, e = strlen(id);

		while (i < n && (start[i] == '<' || pfm_is_space(start[i])))
			i++;
		while (n > i && (start[n - 1] == '>' || pfm_is_space(start[n - 1])))
			n--;
		while (a < e && (id[a] == '<' || pfm_is_space(id[a])))
			a++;
		while (e > a && (id[e - 1] == '>' || pfm_is_space(id[e - 1])))
			e--;
		yes = e - a == n - i && memcmp(id + a, start + i, n - i) == 0;
	}
	free(id);
	pfm_fields_free(&f);
	return yes;
}

static int walk_related(struct walk *w, const struct pfm_part *pt,
			const struct kids *k)
{
	char *start = NULL;
	size_t root = 0, i;
	bool t, h;
	int rc = pfm_param_bytes(w->c, &pt->ct, "start", &start);

	for (i = 0; rc == 0 && start && i < k->n; i++)
		if (is_start(w, &k->v[i], start)) {
			root = i;
			break;
		}
	if (start && i == k->n)
		pfm_defect(w->c);                /* start names no part */
	free(start);
	if (rc == 0)
		rc = walk_kid(w, k, root);
	t = w->text_open;
	h = w->html_open;
	w->text_open = w->html_open = false;
	for (i = 0; i < k->n && rc == 0; i++)
		if (i != root)
			rc = walk_kid(w, k, i);
	w->text_open = t;
	w->html_open = h;
	return rc;
}

/* The multipart's parts; k->seen false when no delimiter was found. */
static int split(struct walk *w, const struct pfm_part *pt, struct kids *k)
{
	const char *b = pt->boundary;
	size_t bl = b ? strlen(b) : 0;

	k->v = NULL;
	k->n = 0;
	k->seen = false;
	k->deftype = pfm_part_is(pt, "multipart/digest") ? "message/rfc822" :
		     "text/plain";
	if (bl == 0 || bl > PFM_MAX_BOUNDARY)
		return 0;
	return pfm_multipart_split(w->c, pt->body, pt->body_cb, b, &k->v,
				   &k->n, &k->seen);
}


static int walk_multipart(struct walk *w, struct pfm_part *pt)
{
	struct kids k;
	int rc;

	if (w->c->nest >= PFM_MAX_NEST) {
		pfm_truncate(w->c);
		return pfm_attach(w->c, w->m, pt);
	}
	rc = split(w, pt, &k);
	if (rc == 0 && k.n == 0) {
		pfm_defect(w->c);
		free(k.v);
		if (k.seen || blank(pt->body, pt->body_cb))
			return 0;                /* an empty multipart */
		snprintf(pt->ct.type, sizeof(pt->ct.type), "text/plain");
		return walk_part(w, pt);         /* no delimiter: text */
	}
	w->c->nest++;
	if (rc == 0 && pfm_part_is(pt, "multipart/alternative"))
		rc = walk_alternative(w, &k);
	else if (rc == 0 && pfm_part_is(pt, "multipart/related"))
		rc = walk_related(w, pt, &k);
	else if (rc == 0)
		rc = walk_mixed(w, &k);
	w->c->nest--;
	free(k.v);
	return rc;
}

static int walk_part(struct walk *w, struct pfm_part *pt)
{
	if (pfm_part_is_main(pt, "multipart"))
		return walk_multipart(w, pt);
	if (body_candidate(w, pt))
		return take_body(w, pt);
	return pfm_attach(w->c, w->m, pt);
}

/* Attachments the HTML references by cid: are inline. */
static int mark_inline(struct pfm_ctx *c, struct pf_mail *m)
{
	struct pfm_cids cids;
	int rc;

	if (!m->body_html || m->natt == 0)
		return 0;
	rc = pfm_html_cids(c, m->body_html, &cids);
	for (size_t i = 0; rc == 0 && i < m->natt; i++)
		if (pfm_cids_has(&cids, m->att[i].content_id))
			m->att[i].is_inline = true;
	pfm_cids_free(&cids);
	return rc == PF_E_LIMIT ? 0 : rc;
}

int pfm_walk(struct pfm_ctx *c, struct pf_mail *m, struct pfm_part *top)
{
	struct walk w = { c, m, true, true, 0 };
	int rc = walk_part(&w, top);

	if (rc == PF_E_LIMIT)
		rc = 0;                          /* truncated is set */
	if (rc == 0)
		rc = mark_inline(c, m);
	return rc;
}
