/*
 * addr.c - address lists (RFC 5322 3.4) into flat name/address pairs.
 *
 * Rules
 * - address = mailbox / group; mailbox = name-addr / addr-spec;
 *   name-addr = [display-name] angle-addr; group = display-name ":"
 *   [group-list] ";" (3.4).  Groups are flattened: their members are
 *   listed, the group name is dropped; an empty group adds nothing.
 * - Comments and whitespace (CFWS, 3.2.2) may appear between any tokens
 *   and are not part of names or addresses; '.' joins atoms (3.2.3).
 * - Obsolete syntax (4.4): empty list elements (", ,"), a route in the
 *   angle-addr ("<@a,@b:user@host>", dropped), CFWS around '.' and '@'
 *   in addr-specs ("jdoe@test  . example").
 * - Display names: quoted-strings unescaped (3.2.4), words joined by one
 *   space, then RFC 2047 encoded-words decoded (RFC 2047 5(3); also inside
 *   quoted strings, which is common though not allowed).
 * - Tolerated (defects): a missing '>' or ';', text around an addr-spec
 *   without angle brackets ("John Smith john@example.com": the words
 *   become the name), a name with no address.
 * - "addr (Name)": with no display name the first comment becomes the
 *   name (the RFC 822 habit; comments may hold encoded-words, RFC 2047
 *   5(2)).
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_grow.h"
#include "mime_int.h"

enum tk { TK_END, TK_ATOM, TK_QSTR, TK_DLIT, TK_SPEC };

struct tok {
	enum tk t;
	const char *p;       /* ATOM, DLIT: the text; QSTR: the content */
	size_t n;
	bool ws;             /* CFWS before it */
	const char *cmt;     /* the first comment before it (content) */
	size_t cmtn;
};

struct toks {
	struct tok *v;
	size_t n, cap;
};

static bool spec(char ch)
{
	return ch == '<' || ch == '>' || ch == ':' || ch == ';' || ch == '@' ||
	       ch == ',';
}

static bool atom_end(char ch)
{
	return pfm_is_space(ch) || spec(ch) || ch == '(' || ch == ')' ||
	       ch == '"' || ch == '[' || ch == ']';
}

/* Skip a (nested) comment at S[*i] == '('; note its content in T. */
static void skip_comment(struct pfm_ctx *c, const char *s, size_t n,
			 size_t *i, struct tok *t)
{
	size_t j = pfm_comment_end(s, n, *i);

	if (j >= n)
		pfm_defect(c);           /* unterminated */
	if (!t->cmt) {
		t->cmt = s + *i + 1;
		t->cmtn = (j < n ? j : n) - (*i + 1);
	}
	*i = j < n ? j + 1 : n;
}

/* The end of a quoted string or domain literal starting at S[i]. */
static size_t delim_end(struct pfm_ctx *c, const char *s, size_t n, size_t i,
			char close)
{
	size_t j;

	for (j = i + 1; j < n && s[j] != close; j++)
		if (s[j] == '\\' && j + 1 < n)
			j++;
	if (j >= n)
		pfm_defect(c);
	return j;
}

static int push(struct toks *ts, const struct tok *t)
{
	int rc = pf_grow(&ts->v, ts->n, &ts->cap, sizeof(*ts->v));

	if (rc == 0)
		ts->v[ts->n++] = *t;
	return rc;
}

/* Cut S into tokens; the last one is TK_END (it carries trailing CFWS). */
static int tokenize(struct pfm_ctx *c, const char *s, size_t n,
		    struct toks *ts)
{
	struct tok t = { TK_END, NULL, 0, false, NULL, 0 };
	size_t i = 0;
	int rc = 0;

	while (i < n && rc == 0) {
		size_t j;

		if (pfm_is_space(s[i]) || s[i] == ')' || s[i] == ']') {
			t.ws = true;             /* a stray ')' or ']' too */
			i++;
			continue;
		}
		if (s[i] == '(') {
			t.ws = true;
			skip_comment(c, s, n, &i, &t);
			continue;
		}
		if (s[i] == '"' || s[i] == '[') {
			j = delim_end(c, s, n, i, s[i] == '"' ? '"' : ']');
			t.t = s[i] == '"' ? TK_QSTR : TK_DLIT;
			t.p = s[i] == '"' ? s + i + 1 : s + i;
			t.n = s[i] == '"' ? j - i - 1 : (j < n ? j + 1 : n) - i;
			i = j < n ? j + 1 : n;
		} else if (spec(s[i])) {
			t.t = TK_SPEC;
			t.p = s + i++;
			t.n = 1;
		} else {
			for (j = i; j < n && !atom_end(s[j]); j++)
				;
			t.t = TK_ATOM;
			t.p = s + i;
			t.n = j - i;
			i = j;
		}
		rc = push(ts, &t);
		memset(&t, 0, sizeof(t));
	}
	t.t = TK_END;
	return rc ? rc : push(ts, &t);
}

static bool is_spec(const struct tok *t, char ch)
{
	return t->t == TK_SPEC && t->p[0] == ch;
}

/* Append a quoted string's content, unescaped (RFC 5322 3.2.4). */
static int put_unescaped(struct pfm_ctx *c, struct pfm_buf *b,
			 const char *p, size_t n)
{
	size_t i, run = 0;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		if (p[i] != '\\' || i + 1 >= n)
			continue;
		rc = pfm_buf_put(c, b, p + run, i - run);
		run = ++i;
	}
	return rc ? rc : pfm_buf_put(c, b, p + run, n - run);
}

/* Text of tokens [a, b) as a display name, decoded, in *out. */
static int phrase(struct pfm_ctx *c, const struct toks *ts, size_t a,
		  size_t b, char **out)
{
	struct pfm_buf raw = { 0 };
	size_t i;
	int rc = 0;

	*out = NULL;
	for (i = a; i < b && rc == 0; i++) {
		const struct tok *t = &ts->v[i];

		if (raw.n > 0 && t->ws)
			rc = pfm_buf_putc(c, &raw, ' ');
		if (rc == 0 && t->t == TK_QSTR)
			rc = put_unescaped(c, &raw, t->p, t->n);
		else if (rc == 0)
			rc = pfm_buf_put(c, &raw, t->p, t->n);
	}
	if (rc == 0 && raw.n > 0)
		rc = pfm_header_decode(c, raw.p, out);
	pfm_buf_free(c, &raw);
	return rc;
}

/* A comment's content as a name (unescaped, decoded). */
static int comment_name(struct pfm_ctx *c, const char *p, size_t n,
			char **out)
{
	struct pfm_buf raw = { 0 };
	int rc = put_unescaped(c, &raw, p, n);

	*out = NULL;
	if (rc == 0 && raw.n > 0)
		rc = pfm_header_decode(c, raw.p, out);
	pfm_buf_free(c, &raw);
	return rc;
}

/* The addr-spec of tokens [a, b), CFWS dropped, as UTF-8. */
static int addr_text(struct pfm_ctx *c, const struct toks *ts, size_t a,
		     size_t b, char **out)
{
	struct pfm_buf raw = { 0 }, u = { 0 };
	size_t i;
	int rc = 0;

	*out = NULL;
	for (i = a; i < b && rc == 0; i++) {
		const struct tok *t = &ts->v[i];

		if (t->t == TK_QSTR) {
			rc = pfm_buf_put(c, &raw, t->p - 1, t->n + 1);
			if (rc == 0)
				rc = pfm_buf_putc(c, &raw, '"');
		} else
			rc = pfm_buf_put(c, &raw, t->p, t->n);
	}
	if (rc == 0 && raw.n > 0)
		rc = pfm_raw_to_utf8(c, (const uint8_t *)raw.p, raw.n, &u);
	if (rc == 0)
		rc = pfm_buf_take_tidy(c, &u, out);
	pfm_buf_free(c, &raw);
	pfm_buf_free(c, &u);
	return rc;
}

struct alist {
	struct pf_mail_addr *v;
	size_t n, cap;
};

static int add_addr(struct pfm_ctx *c, struct alist *l, char *name,
		    char *addr)
{
	int rc = 0;

	if (!name && !addr)
		return 0;
	if (l->n >= PFM_MAX_ADDRS) {
		if (!c->truncated)
			pfm_truncate(c);
	} else {
		rc = pf_grow(&l->v, l->n, &l->cap, sizeof(*l->v));
	}
	if (rc == 0 && l->n < PFM_MAX_ADDRS) {
		l->v[l->n].name = name;
		l->v[l->n].addr = addr;
		l->n++;
		return 0;
	}
	free(name);
	free(addr);
	return rc;
}

/* "addr (Name)": with no display name, a comment just before the
 * address (on token BEFORE) or just after it (on token AFTER) names it. */
static int finish(struct pfm_ctx *c, struct alist *l, const struct toks *ts,
		  size_t before, size_t after, char *name, char *addr)
{
	const struct tok *cm = NULL;
	int rc = 0;

	if (!name && addr) {
		if (after < ts->n && ts->v[after].cmt)
			cm = &ts->v[after];
		else if (ts->v[before].cmt)
			cm = &ts->v[before];
	}
	if (cm)
		rc = comment_name(c, cm->cmt, cm->cmtn, &name);
	if (rc != 0) {
		free(addr);
		return rc;
	}
	return add_addr(c, l, name, addr);
}

/* Tokens [i, k) end with '<' at k: a name-addr (RFC 5322 3.4). */
static int angle(struct pfm_ctx *c, const struct toks *ts, size_t i,
		 size_t k, struct alist *l, size_t *next)
{
	size_t g = k + 1, a = k + 1, e;
	char *name = NULL, *addr = NULL;
	bool closed;
	int rc;

	/* up to '>'; a '<' cannot nest, so it bounds the search (and keeps
	 * "<a, <b, <c ..." linear) */
	while (ts->v[g].t != TK_END && !is_spec(&ts->v[g], '>') &&
	       !is_spec(&ts->v[g], '<'))
		g++;
	e = g;
	closed = is_spec(&ts->v[g], '>');
	if (!closed) {
		pfm_defect(c);                   /* no '>' */
		for (e = a; e < g && !is_spec(&ts->v[e], ','); e++)
			;
	}
	if (a < e && is_spec(&ts->v[a], '@')) {      /* obs-route, 4.4 */
		size_t r = a;

		while (r < e && !is_spec(&ts->v[r], ':'))
			r++;
		if (r < e)
			a = r + 1;
	}
	rc = phrase(c, ts, i, k, &name);
	if (rc == 0 && a < e)
		rc = addr_text(c, ts, a, e, &addr);
	*next = closed ? g + 1 : e;
	if (rc != 0) {
		free(name);
		return rc;
	}
	return finish(c, l, ts, i, *next, name, addr);
}

static bool word(const struct tok *t)
{
	return t->t == TK_ATOM || t->t == TK_QSTR || t->t == TK_DLIT;
}

static bool joined(const struct tok *left, const struct tok *right)
{
	return !right->ws || (left->n > 0 && left->p[left->n - 1] == '.') ||
	       (right->n > 0 && right->p[0] == '.');
}

/* Tokens [i, k) without '@': one word is a local address ("root"),
 * more are a name without an address (a defect). */
static int bare_no_at(struct pfm_ctx *c, const struct toks *ts, size_t i,
		      size_t k, struct alist *l)
{
	char *name = NULL, *addr = NULL;
	size_t a;
	int rc;

	for (a = k; a > i && word(&ts->v[a - 1]) &&
	     (a == k || joined(&ts->v[a - 1], &ts->v[a])); a--)
		;
	if (a != i) {
		pfm_defect(c);
		rc = phrase(c, ts, i, k, &name);
		return rc ? rc : add_addr(c, l, name, NULL);
	}
	rc = addr_text(c, ts, i, k, &addr);
	return rc ? rc : finish(c, l, ts, i, k, NULL, addr);
}

/* Tokens [i, k) without angle brackets: an addr-spec, maybe with words
 * before it. */
static int bare(struct pfm_ctx *c, const struct toks *ts, size_t i,
		size_t k, struct alist *l)
{
	size_t at = i, a, e;
	char *name = NULL, *addr = NULL;
	int rc = 0;

	while (at < k && !is_spec(&ts->v[at], '@'))
		at++;
	if (at == k)
		return bare_no_at(c, ts, i, k, l);
	for (a = at; a > i && word(&ts->v[a - 1]) &&
	     (a == at || joined(&ts->v[a - 1], &ts->v[a])); a--)
		;
	for (e = at + 1; e < k && word(&ts->v[e]) &&
	     (e == at + 1 || joined(&ts->v[e - 1], &ts->v[e])); e++)
		;
	if (a > i || e < k)
		pfm_defect(c);                /* words around the addr-spec */
	if (a > i)
		rc = phrase(c, ts, i, a, &name);
	if (rc == 0)
		rc = addr_text(c, ts, a, e, &addr);
	if (rc != 0) {
		free(name);
		return rc;
	}
	return finish(c, l, ts, a, e, name, addr);
}

/* The end of the address starting at I: the first '<', ':', ',', ';'. */
static size_t addr_end(const struct toks *ts, size_t i)
{
	while (ts->v[i].t != TK_END) {
		const struct tok *t = &ts->v[i];

		if (is_spec(t, '<') || is_spec(t, ':') || is_spec(t, ',') ||
		    is_spec(t, ';'))
			break;
		i++;
	}
	return i;
}

/* Skip what follows a name-addr up to the next ',' or ';' - unless a
 * '<' comes first: then a comma was forgotten ("<a@x> Bob <b@x>") and the
 * words are the next address's name. */
static size_t skip_junk(struct pfm_ctx *c, const struct toks *ts, size_t i)
{
	size_t j = i;

	while (ts->v[j].t != TK_END && !is_spec(&ts->v[j], ',') &&
	       !is_spec(&ts->v[j], ';') && !is_spec(&ts->v[j], '<'))
		j++;
	if (j > i)
		pfm_defect(c);
	return is_spec(&ts->v[j], '<') ? i : j;
}

static int walk(struct pfm_ctx *c, const struct toks *ts, struct alist *l)
{
	size_t i = 0;
	bool group = false;
	int rc = 0;

	while (ts->v[i].t != TK_END && rc == 0) {
		const struct tok *t = &ts->v[i];
		size_t k;

		if (is_spec(t, ',') || is_spec(t, ';')) {
			if (is_spec(t, ';') && !group)
				pfm_defect(c);
			group = group && !is_spec(t, ';');
			i++;
			continue;
		}
		k = addr_end(ts, i);
		if (is_spec(&ts->v[k], ':')) {
			if (group)
				pfm_defect(c);   /* nested group */
			group = true;
			i = k + 1;
		} else if (is_spec(&ts->v[k], '<')) {
			rc = angle(c, ts, i, k, l, &i);
			i = skip_junk(c, ts, i);
		} else {
			rc = bare(c, ts, i, k, l);
			i = k;
		}
	}
	if (group)
		pfm_defect(c);                   /* no ';' */
	return rc;
}

int pfm_addr_list(struct pfm_ctx *c, const char *s, struct pf_mail_addr **v,
		  size_t *n)
{
	struct toks ts = { 0 };
	struct alist l = { 0 };
	int rc;

	*v = NULL;
	*n = 0;
	if (!s)
		return 0;
	rc = tokenize(c, s, strlen(s), &ts);
	if (rc == 0)
		rc = walk(c, &ts, &l);
	free(ts.v);
	if (rc != 0) {
		pfm_addr_free_list(l.v, l.n);
		return rc;
	}
	*v = l.v;
	*n = l.n;
	return 0;
}

void pfm_addr_free_list(struct pf_mail_addr *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].addr);
	}
	free(v);
}
