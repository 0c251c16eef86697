/*
 * mimew_thdr.c - PidTagTransportMessageHeaders (MS-OXPROPS 2.1046), the
 * header block a received message arrived with, as MS-OXCMAIL 2.2.3
 * lets a writer use it: a source for fields MAPI lacks.
 *
 * Rules (pf_mimew.h has the why): pmw_thdr_get() returns one field for the
 * writer's fallbacks; pmw_thdr_copy() copies the fields the writer never
 * generates, except those that would be false or harmful in the new
 * message (the skip table below).  Every copied field is unfolded,
 * cleaned of controls and folded again by mimew_hdr.c, so a hostile block
 * cannot inject lines, 8-bit bytes or overlong lines.  Bounded: at most
 * PMW_THDR_MAX fields are copied.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime_int.h"
#include "mimew_int.h"

#define PMW_THDR_MAX 1000
#define PMW_NAME_MAX 76

/* Fields the writer makes itself, or that must not be carried over. */
static const char *const skip[] = {
	"from", "sender", "reply-to", "to", "cc", "bcc", "date", "message-id",
	"in-reply-to", "references", "subject", "importance", "priority",
	"sensitivity", "disposition-notification-to", "mime-version",
	"dkim-signature", "domainkey-signature", "status", "x-status",
	"x-keywords", "x-uid", "lines", "content-length", NULL,
};

static const char *const skip_prefix[] = {
	"content-", "arc-", "x-mozilla-", NULL,
};

/* Fields whose value is an address list (RFC 5322 3.6.2, 3.6.6). */
static const char *const addr_fields[] = {
	"resent-from", "resent-sender", "resent-to", "resent-cc",
	"errors-to", "return-receipt-to", "mail-followup-to", "mail-reply-to",
	NULL,
};

static bool in_list(const char *const *list, const char *name, size_t n)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && strncasecmp(list[i], name, n) == 0)
			return true;
	return false;
}

void pmw_addr_field(struct pf_mimew_buf *b, const char *name,
		    const char *value)
{
	struct pf_mail_addr *pa = NULL;
	struct pf_mimew_addr *wa = NULL;
	struct pfm_ctx c;
	size_t n = 0;

	pfm_ctx_init(&c, strlen(value));
	if (pfm_addr_list(&c, value, &pa, &n) == 0 && n > 0) {
		wa = calloc(n, sizeof(*wa));
		for (size_t i = 0; wa && i < n; i++) {
			wa[i].name = pa[i].name;
			wa[i].addr = pa[i].addr;
			wa[i].addrtype = "SMTP";
		}
		if (wa)
			pf_mimew_field_addrs(b, name, wa, n);
		else
			pmw_fail(b, pf_error_set(PF_E_NOMEM, "no memory"));
	}
	free(wa);
	pfm_addr_free_list(pa, n);
	pfm_ctx_done(&c);
}

void pmw_text_field(struct pf_mimew_buf *b, const char *name,
		    const char *value)
{
	struct pfm_ctx c;
	char *d = NULL;

	pfm_ctx_init(&c, strlen(value));
	if (pfm_header_decode(&c, value, &d) == 0)
		pf_mimew_field_text(b, name, d ? d : "");
	else
		pf_mimew_field_text(b, name, value);
	free(d);
	pfm_ctx_done(&c);
}

static bool skipped(const char *name, size_t n)
{
	if (in_list(skip, name, n))
		return true;
	for (size_t i = 0; skip_prefix[i]; i++) {
		size_t k = strlen(skip_prefix[i]);

		if (n >= k && strncasecmp(skip_prefix[i], name, k) == 0)
			return true;
	}
	return false;
}

/* One field of the block: name [p, p + nlen), value up to the next line
 * that does not start with WSP.  Returns the start of the next line. */
struct thdr_field {
	const char *name;
	size_t nlen;
	const char *val;
	size_t vlen;
};

static void fill(struct thdr_field *f, const char *s, const char *e)
{
	const char *colon = memchr(s, ':', (size_t)(e - s));

	f->name = s;
	f->nlen = colon ? (size_t)(colon - s) : 0;
	f->val = colon ? colon + 1 : e;
	f->vlen = (size_t)(e - f->val);
}

static const char *next_field(const char *s, struct thdr_field *f)
{
	const char *e = s, *nx;

	/* the field ends at a line end not followed by WSP */
	for (;;) {
		e += strcspn(e, "\r\n");
		if (!*e) {
			fill(f, s, e);
			return e;
		}
		nx = e + (e[0] == '\r' && e[1] == '\n' ? 2 : 1);
		if (*nx != ' ' && *nx != '\t') {
			fill(f, s, e);
			return nx;
		}
		e = nx;
	}
}

static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n > PMW_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 33 || s[i] > 126 || s[i] == ':')
			return false;
	return true;
}

/* The value unfolded (line ends dropped), controls as spaces, trimmed. */
static char *unfold(const char *v, size_t n)
{
	char *d = malloc(n + 1), *q = d;
	size_t len;

	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '\r' || v[i] == '\n')
			continue;
		*q++ = ((unsigned char)v[i] < 0x20 || v[i] == 0x7F) ? ' ' :
			v[i];
	}
	*q = '\0';
	len = strspn(d, " ");
	memmove(d, d + len, strlen(d + len) + 1);
	len = strlen(d);
	while (len && d[len - 1] == ' ')
		d[--len] = '\0';
	return d;
}

char *pmw_thdr_get(const char *hdrs, const char *name)
{
	struct thdr_field f;
	const char *s = hdrs;
	size_t nl = strlen(name);

	if (!hdrs)
		return NULL;
	while (*s) {
		if (*s == '\r' || *s == '\n')
			break;   /* the blank line ends the block */
		s = next_field(s, &f);
		if (f.nlen == nl && strncasecmp(f.name, name, nl) == 0)
			return unfold(f.val, f.vlen);
	}
	return NULL;
}

void pmw_thdr_copy(struct pf_mimew_buf *out, const char *hdrs)
{
	struct thdr_field f;
	const char *s = hdrs;
	unsigned copied = 0;

	while (s && *s && copied < PMW_THDR_MAX && !out->err) {
		char name[PMW_NAME_MAX + 1], *v;

		if (*s == '\r' || *s == '\n')
			break;
		s = next_field(s, &f);
		if (!name_ok(f.name, f.nlen) || skipped(f.name, f.nlen))
			continue;
		memcpy(name, f.name, f.nlen);
		name[f.nlen] = '\0';
		v = unfold(f.val, f.vlen);
		if (!v) {
			pmw_fail(out, pf_error_set(PF_E_NOMEM, "no memory"));
			return;
		}
		if (in_list(addr_fields, name, f.nlen))
			pmw_addr_field(out, name, v);
		else
			pmw_text_field(out, name, v);
		free(v);
		copied++;
	}
}
