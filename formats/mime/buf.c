/*
 * buf.c - the parse context's output budget and defect count, the
 * growable buffer charged to that budget, and locale-independent ASCII
 * helpers.
 *
 * Contract: the budget bounds the bytes a parse may hold at once (kept
 * output plus temporaries); a buffer's capacity is charged when it grows
 * and refunded when it is freed, while strings taken out of a buffer stay
 * charged.  Exhausting it is PF_E_LIMIT with ctx->truncated set.
 */
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "mime_int.h"

/* 8 x the input (charset conversion triples text, embedded messages are
 * kept both raw and parsed) plus room for small messages. */
#define PFM_BUDGET_BASE ((size_t)64 << 20)
#define PFM_BUDGET_MUL  8

void pfm_ctx_init(struct pfm_ctx *c, size_t input_cb)
{
	memset(c, 0, sizeof(*c));
	if (input_cb > (SIZE_MAX - PFM_BUDGET_BASE) / PFM_BUDGET_MUL)
		c->budget = SIZE_MAX;
	else
		c->budget = PFM_BUDGET_BASE + PFM_BUDGET_MUL * input_cb;
	c->cd = (void *)-1;
}

void pfm_ctx_done(struct pfm_ctx *c)
{
	if (c->cd != (void *)-1)
		iconv_close((iconv_t)c->cd);
	c->cd = (void *)-1;
	c->cd_name[0] = '\0';
}

void pfm_truncate(struct pfm_ctx *c)
{
	c->truncated = true;
	pfm_defect(c);
}

int pfm_charge(struct pfm_ctx *c, size_t n)
{
	if (n > c->budget) {
		if (!c->truncated)
			pfm_truncate(c);
		return pf_error_set(PF_E_LIMIT, "message output too large");
	}
	c->budget -= n;
	return 0;
}

void pfm_refund(struct pfm_ctx *c, size_t n)
{
	c->budget = (c->budget > SIZE_MAX - n) ? SIZE_MAX : c->budget + n;
}

int pfm_buf_reserve(struct pfm_ctx *c, struct pfm_buf *b, size_t more)
{
	size_t need, ncap;
	char *np;
	int rc;

	if (more > SIZE_MAX - b->n - 1)
		return pf_error_set(PF_E_LIMIT, "buffer size overflow");
	need = b->n + more + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap < 64 ? 64 : b->cap;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	rc = pfm_charge(c, ncap - b->cap);
	if (rc != 0)
		return rc;
	np = realloc(b->p, ncap);
	if (!np) {
		pfm_refund(c, ncap - b->cap);
		return pf_error_set(PF_E_NOMEM, "out of memory");
	}
	b->p = np;
	b->cap = ncap;
	return 0;
}

int pfm_buf_put(struct pfm_ctx *c, struct pfm_buf *b, const void *p,
		size_t n)
{
	int rc;

	if (n == 0)
		return 0;
	rc = pfm_buf_reserve(c, b, n);
	if (rc != 0)
		return rc;
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

int pfm_buf_putc(struct pfm_ctx *c, struct pfm_buf *b, char ch)
{
	return pfm_buf_put(c, b, &ch, 1);
}

/* UTF-8 encoding (RFC 3629 3); surrogates and values past U+10FFFF
 * become U+FFFD. */
int pfm_buf_put_cp(struct pfm_ctx *c, struct pfm_buf *b, uint32_t cp)
{
	uint8_t u[4];
	size_t n;

	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp < 0x80) {
		u[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (uint8_t)(0xC0 | (cp >> 6));
		u[1] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (uint8_t)(0xE0 | (cp >> 12));
		u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (uint8_t)(0xF0 | (cp >> 18));
		u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return pfm_buf_put(c, b, u, n);
}

int pfm_buf_take(struct pfm_ctx *c, struct pfm_buf *b, char **out)
{
	int rc;

	*out = NULL;
	if (!b->p) {
		rc = pfm_buf_reserve(c, b, 0);
		if (rc != 0)
			return rc;
		b->p[0] = '\0';
	}
	*out = b->p;
	b->p = NULL;
	b->n = b->cap = 0;
	return 0;
}

int pfm_buf_take_tidy(struct pfm_ctx *c, struct pfm_buf *b, char **out)
{
	size_t i, o = 0, start = 0;

	*out = NULL;
	for (i = 0; i < b->n; i++)
		if (b->p[i] != '\0')
			b->p[o++] = b->p[i];
	while (o > 0 && pfm_is_space(b->p[o - 1]))
		o--;
	while (start < o && pfm_is_space(b->p[start]))
		start++;
	if (o == start) {
		b->n = 0;
		return 0;
	}
	memmove(b->p, b->p + start, o - start);
	b->n = o - start;
	b->p[b->n] = '\0';
	return pfm_buf_take(c, b, out);
}

void pfm_buf_free(struct pfm_ctx *c, struct pfm_buf *b)
{
	pfm_refund(c, b->cap);
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

int pfm_strndup(struct pfm_ctx *c, const char *s, size_t n, char **out)
{
	struct pfm_buf b = { 0 };
	int rc;

	*out = NULL;
	rc = pfm_buf_put(c, &b, s, n);
	if (rc == 0)
		rc = pfm_buf_take(c, &b, out);
	if (rc != 0)
		pfm_buf_free(c, &b);
	return rc;
}

bool pfm_ieq(const char *s, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (word[i] == '\0' || pfm_lower(s[i]) != pfm_lower(word[i]))
			return false;
	return word[n] == '\0';
}

bool pfm_iprefix(const char *s, size_t n, const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i] != '\0'; i++)
		if (i >= n || pfm_lower(s[i]) != pfm_lower(prefix[i]))
			return false;
	return true;
}

void pfm_strlower(char *s)
{
	for (; *s; s++)
		*s = pfm_lower(*s);
}

const char *pfm_trim(const char *s, size_t *n)
{
	while (*n > 0 && pfm_is_space(s[0])) {
		s++;
		(*n)--;
	}
	while (*n > 0 && pfm_is_space(s[*n - 1]))
		(*n)--;
	return s;
}
