/*
 * mimew_hdr.c - header fields: folding (RFC 5322 2.2.3), unstructured text
 * (3.2.5, encoded per RFC 2047 when it is not printable ASCII), address
 * lists (3.4: display names as atoms, quoted strings or encoded-words;
 * addr-specs as SMTP or MS-OXCMAIL IMCEA addresses), Content-* parameters
 * (RFC 2045 5.1, RFC 2231 3-4) and dates (3.3).
 *
 * Why everything goes through pmw_token(): it is the one place that
 * decides where a line ends, so no value can put a CRLF of its own into
 * the header (values are cleaned of controls first) and no line passes
 * 998 octets (tokens are at most PMW_TOKEN_MAX).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mimew_int.h"

#define PMW_TOKEN_MAX 900   /* a longer word is encoded or cut */
#define PMW_SECTION 60      /* encoded octets per RFC 2231 section */

void pmw_field_begin(struct pmw_fold *f, struct pf_mimew_buf *b,
		     const char *name)
{
	f->b = b;
	pmw_puts(b, name);
	pmw_putc(b, ':');
	f->col = strlen(name) + 1;
}

void pmw_token(struct pmw_fold *f, const char *sep, const char *tok,
	       size_t n)
{
	size_t ls = strlen(sep);

	if (n > PMW_TOKEN_MAX)
		n = PMW_TOKEN_MAX;
	if (f->col + ls + n > PMW_FOLD_AT && f->col > 12) {
		pmw_puts(f->b, "\r\n");
		f->col = 0;
		if (ls == 0) {
			sep = " ";
			ls = 1;
		}
	}
	pmw_put(f->b, sep, ls);
	pmw_put(f->b, tok, n);
	f->col += ls + n;
}

void pmw_field_end(struct pmw_fold *f)
{
	pmw_puts(f->b, "\r\n");
}

/* The encoded-words of S as tokens (each starts with a space). */
static void ew_tokens(struct pmw_fold *f, const char *s)
{
	struct pf_mimew_buf tmp = { 0 };
	size_t i = 0;

	pf_mimew_ew(&tmp, s);
	if (tmp.err) {
		pmw_fail(f->b, tmp.err);
		pf_mimew_buf_free(&tmp);
		return;
	}
	while (i < tmp.n) {
		size_t j = i;

		while (j < tmp.n && tmp.p[j] != ' ')
			j++;
		pmw_token(f, " ", tmp.p + i, j - i);
		i = j + 1;
	}
	pf_mimew_buf_free(&tmp);
}

/* Printable ASCII, no "=?" (would read as an encoded-word), no word
 * longer than a token may be. */
static bool plain_ok(const char *s)
{
	size_t run = 0;

	if (!pmw_ascii_print(s) || strstr(s, "=?"))
		return false;
	for (; *s; s++) {
		run = *s == ' ' ? 0 : run + 1;
		if (run > PMW_TOKEN_MAX)
			return false;
	}
	return true;
}

/* Words with the whitespace before each kept (unfolding restores it). */
static void plain_tokens(struct pmw_fold *f, const char *s)
{
	char sep[64];

	while (*s == ' ')
		s++;
	sep[0] = ' ';
	sep[1] = '\0';
	while (*s) {
		size_t ws = 0, w = 0;

		while (s[ws] == ' ')
			ws++;
		while (s[ws + w] && s[ws + w] != ' ')
			w++;
		if (w == 0)
			break;   /* trailing spaces */
		if (ws) {
			size_t k = ws < sizeof(sep) - 1 ? ws : sizeof(sep) - 1;

			memset(sep, ' ', k);
			sep[k] = '\0';
		}
		pmw_token(f, sep, s + ws, w);
		s += ws + w;
	}
}

void pf_mimew_field_text(struct pf_mimew_buf *out, const char *name,
			 const char *value)
{
	struct pmw_fold f;
	char *v = pmw_clean(value);

	if (!v) {
		pmw_fail(out, pf_error_set(PF_E_NOMEM, "out of memory"));
		return;
	}
	pmw_field_begin(&f, out, name);
	if (plain_ok(v))
		plain_tokens(&f, v);
	else
		ew_tokens(&f, v);
	pmw_field_end(&f);
	free(v);
}

/* ---- addresses ---- */

static bool is_atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-/=?^_`{|}~",
						      c));
}

static bool dot_atom(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return false;
		if (s[i] != '.' && !is_atext(s[i]))
			return false;
	}
	return true;
}

static bool domain_ok(const char *d)
{
	size_t n = strlen(d);

	if (n >= 3 && d[0] == '[' && d[n - 1] == ']')
		return strcspn(d + 1, "[]\\") == n - 2;
	if (!dot_atom(d, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(d[i] == '.' || d[i] == '-' || (d[i] >= '0' &&
		      d[i] <= '9') || ((d[i] | 0x20) >= 'a' &&
		      (d[i] | 0x20) <= 'z')))
			return false;
	return true;
}

/* An SMTP addr-spec we can write as it is (local part quoted if need
 * be); false for anything else. */
static bool put_smtp(struct pf_mimew_buf *out, const char *a)
{
	const char *at = strrchr(a, '@');
	size_t nl;

	if (!at || at == a || strlen(a) > 320 || !pmw_ascii_print(a) ||
	    strchr(a, ' ') || !domain_ok(at + 1))
		return false;
	nl = (size_t)(at - a);
	if (dot_atom(a, nl)) {
		pmw_puts(out, a);
		return true;
	}
	pmw_putc(out, '"');
	for (size_t i = 0; i < nl; i++) {
		if (a[i] == '"' || a[i] == '\\')
			pmw_putc(out, '\\');
		pmw_putc(out, a[i]);
	}
	pmw_putc(out, '"');
	pmw_puts(out, at);
	return true;
}

/* MS-OXCMAIL 2.1.3.1.1: IMCEA<type>-<address>@domain, '/' as '_', other
 * characters outside [A-Za-z0-9-=] as "+XX". */
static void put_imcea(struct pf_mimew_buf *out, const char *type,
		      const char *a)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	pmw_puts(out, "IMCEA");
	for (const char *t = type && *type ? type : "UNKNOWN"; *t && n < 16;
	     t++, n++)
		if ((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') ||
		    (*t >= '0' && *t <= '9'))
			pmw_putc(out, *t);
	pmw_putc(out, '-');
	for (n = 0; *a && n < 600; a++, n++) {
		unsigned char c = (unsigned char)*a;

		if (c == '/') {
			pmw_putc(out, '_');
		} else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '=') {
			pmw_putc(out, (char)c);
		} else {
			pmw_putc(out, '+');
			pmw_putc(out, hex[c >> 4]);
			pmw_putc(out, hex[c & 15]);
		}
	}
	pmw_puts(out, "@invalid");
}

/* A written as it is (not in the IMCEA form). */
static bool smtp_ok(const char *a)
{
	struct pf_mimew_buf t = { 0 };
	bool ok = put_smtp(&t, a);

	pf_mimew_buf_free(&t);
	return ok;
}

bool pf_mimew_addr_is_smtp(const char *addr)
{
	return addr && smtp_ok(addr);
}

void pmw_addr_spec(struct pf_mimew_buf *out, const struct pf_mimew_addr *a)
{
	if (!a->addr || !*a->addr) {
		pmw_puts(out, "unknown@invalid");
		return;
	}
	if (put_smtp(out, a->addr))
		return;
	put_imcea(out, a->addrtype, a->addr);
}

static bool atom_phrase(const char *s)
{
	if (!*s || s[0] == ' ')
		return false;
	for (; *s; s++) {
		if (*s == ' ' && (s[1] == ' ' || s[1] == '\0'))
			return false;
		if (*s != ' ' && !is_atext(*s))
			return false;
	}
	return true;
}

/* The display name as tokens: atoms, one quoted string, or encoded. */
static void phrase(struct pmw_fold *f, const char *name)
{
	struct pf_mimew_buf q = { 0 };

	if (atom_phrase(name) && !strstr(name, "=?")) {
		plain_tokens(f, name);
		return;
	}
	if (!plain_ok(name) || strlen(name) > PMW_TOKEN_MAX - 2) {
		ew_tokens(f, name);
		return;
	}
	pmw_putc(&q, '"');
	for (const char *s = name; *s; s++) {
		if (*s == '"' || *s == '\\')
			pmw_putc(&q, '\\');
		pmw_putc(&q, *s);
	}
	pmw_putc(&q, '"');
	if (q.err)
		pmw_fail(f->b, q.err);
	else
		pmw_token(f, " ", q.p, q.n);
	pf_mimew_buf_free(&q);
}

static void mailbox(struct pmw_fold *f, const struct pf_mimew_addr *a,
		    bool last)
{
	struct pf_mimew_buf spec = { 0 };
	char *name = pmw_clean(a->name);

	if (!name) {
		pmw_fail(f->b, pf_error_set(PF_E_NOMEM, "out of memory"));
		return;
	}
	/* trim, and drop a name that only repeats the address */
	{
		size_t lead = strspn(name, " "), len;

		memmove(name, name + lead, strlen(name + lead) + 1);
		len = strlen(name);
		while (len && name[len - 1] == ' ')
			name[--len] = '\0';
	}
	if (a->addr && strcmp(name, a->addr) == 0 && smtp_ok(a->addr))
		name[0] = '\0';
	if (*name)
		phrase(f, name);
	if (*name)
		pmw_putc(&spec, '<');
	pmw_addr_spec(&spec, a);
	if (*name)
		pmw_putc(&spec, '>');
	if (!last)
		pmw_putc(&spec, ',');
	if (spec.err)
		pmw_fail(f->b, spec.err);
	else
		pmw_token(f, " ", spec.p, spec.n);
	pf_mimew_buf_free(&spec);
	free(name);
}

void pf_mimew_field_addrs(struct pf_mimew_buf *out, const char *name,
			  const struct pf_mimew_addr *v, size_t n)
{
	struct pmw_fold f;

	if (n == 0)
		return;
	pmw_field_begin(&f, out, name);
	for (size_t i = 0; i < n; i++)
		mailbox(&f, &v[i], i + 1 == n);
	pmw_field_end(&f);
}

/* ---- parameters ---- */

static bool attr_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$&+-.^_`|~", c));
}

static void param_quoted(struct pmw_fold *f, const char *name,
			 const char *v, bool last)
{
	struct pf_mimew_buf t = { 0 };

	pmw_printf(&t, "%s=\"", name);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			pmw_putc(&t, '\\');
		pmw_putc(&t, *v);
	}
	pmw_puts(&t, last ? "\"" : "\";");
	if (t.err)
		pmw_fail(f->b, t.err);
	else
		pmw_token(f, " ", t.p, t.n);
	pf_mimew_buf_free(&t);
}

/* RFC 2231: name*=utf-8''%XX.. or name*0*=utf-8''..; name*1*=.. */
static void param_2231(struct pmw_fold *f, const char *name, const char *v,
		       bool last)
{
	static const char hex[] = "0123456789ABCDEF";
	struct pf_mimew_buf enc = { 0 }, t = { 0 };
	size_t i = 0, sec = 0;

	for (const unsigned char *s = (const unsigned char *)v; *s; s++) {
		if (attr_char(*s)) {
			pmw_putc(&enc, (char)*s);
			continue;
		}
		pmw_putc(&enc, '%');
		pmw_putc(&enc, hex[*s >> 4]);
		pmw_putc(&enc, hex[*s & 15]);
	}
	while (!enc.err && i < enc.n) {
		size_t take = enc.n - i, room;

		t.n = 0;
		if (enc.n <= PMW_SECTION)
			pmw_printf(&t, "%s*=utf-8''", name);
		else
			pmw_printf(&t, "%s*%zu*=%s", name, sec,
				   sec == 0 ? "utf-8''" : "");
		/* " " + prefix + section + ";" within the folding column */
		room = t.n + 2 < PMW_FOLD_AT - 12 ? PMW_FOLD_AT - 2 - t.n :
			12;
		if (take > room) {
			take = room;
			/* never split a %XX */
			if (enc.p[i + take - 1] == '%')
				take -= 1;
			else if (enc.p[i + take - 2] == '%')
				take -= 2;
			/* nor a UTF-8 sequence: the next octet must not be a
			 * continuation (%80..%BF) */
			while (take > 3 && enc.p[i + take] == '%' &&
			       strchr("89AB", enc.p[i + take + 1]))
				take -= 3;
		}
		pmw_put(&t, enc.p + i, take);
		i += take;
		sec++;
		if (!last || i < enc.n)
			pmw_putc(&t, ';');
		if (!t.err)
			pmw_token(f, " ", t.p, t.n);
	}
	if (enc.err || t.err)
		pmw_fail(f->b, enc.err ? enc.err : t.err);
	pf_mimew_buf_free(&enc);
	pf_mimew_buf_free(&t);
}

void pf_mimew_field_params(struct pf_mimew_buf *out, const char *name,
			   const char *value, const char *const *params)
{
	struct pmw_fold f;
	size_t np = 0, last = 0;

	for (size_t i = 0; params && params[i]; i += 2)
		if (params[i + 1])
			last = i, np++;
	pmw_field_begin(&f, out, name);
	pmw_token(&f, " ", value, strlen(value));
	if (np)
		pmw_putc(out, ';'), f.col++;
	for (size_t i = 0; np && params[i]; i += 2) {
		char *v;

		if (!params[i + 1])
			continue;
		v = pmw_clean(params[i + 1]);
		if (!v) {
			pmw_fail(out, pf_error_set(PF_E_NOMEM, "no memory"));
			break;
		}
		if (pmw_ascii_print(v) && strlen(v) <= PMW_SECTION * 2)
			param_quoted(&f, params[i], v, i == last);
		else
			param_2231(&f, params[i], v, i == last);
		free(v);
	}
	pmw_field_end(&f);
}

/* ---- dates ---- */

void pmw_date(char *buf, size_t cb, uint64_t ft)
{
	static const char *const day[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
					   "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
					   "Jun", "Jul", "Aug", "Sep", "Oct",
					   "Nov", "Dec" };
	const uint64_t epoch_diff = 11644473600ull;
	time_t secs = 0;
	struct tm tm;

	if (ft / 10000000ull > epoch_diff)
		secs = (time_t)(ft / 10000000ull - epoch_diff);
	if (!gmtime_r(&secs, &tm) || tm.tm_year + 1900 > 9999) {
		secs = 0;
		gmtime_r(&secs, &tm);
	}
	snprintf(buf, cb, "%s, %02d %s %04d %02d:%02d:%02d +0000",
		 day[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
