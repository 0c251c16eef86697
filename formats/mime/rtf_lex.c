/*
 * rtf_lex.c - RTF tokens ([MSFT-RTF] "RTF Syntax", "Conventions of an RTF
 * Reader").
 *
 * Rules
 * - A control word is a backslash, up to 32 ASCII letters (more are
 *   consumed and dropped), an optional parameter ('-' and digits; more
 *   than 10 digits are consumed and the value clamped to 32 bits) and an
 *   optional space delimiter, which is consumed.
 * - \'hh is one byte; \' without two hex digits is ignored (a SYMBOL).
 * - A backslash before CR or LF is \par (SYMBOL '\n', as the spec says).
 * - Raw CR and LF are not text (the spec: "ignored").
 * - \binN takes the next N bytes as binary data (N bounded by the input).
 * - A lone backslash at the very end is dropped.
 */
#include <string.h>

#include "rtf_int.h"

void rtf_lex_init(struct rtf_lex *lx, const uint8_t *p, size_t n)
{
	lx->p = p;
	lx->n = p ? n : 0;
	lx->i = 0;
}

static bool is_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static int hexval(uint8_t c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The parameter at *I (if any), clamped to +-2^31-1. */
static void lex_param(struct rtf_lex *lx, size_t *i, struct rtf_token *t)
{
	const uint8_t *p = lx->p;
	bool neg = false;
	int64_t v = 0;

	if (*i < lx->n && p[*i] == '-' && *i + 1 < lx->n &&
	    is_digit(p[*i + 1])) {
		neg = true;
		(*i)++;
	}
	if (*i >= lx->n || !is_digit(p[*i]))
		return;
	t->has_param = true;
	while (*i < lx->n && is_digit(p[*i])) {
		if (v < INT32_MAX)
			v = v * 10 + (p[*i] - '0');
		(*i)++;
	}
	if (v > INT32_MAX)
		v = INT32_MAX;
	t->param = (int32_t)(neg ? -v : v);
}

static void lex_word(struct rtf_lex *lx, size_t i, struct rtf_token *t)
{
	size_t len = 0;

	while (i < lx->n && is_alpha(lx->p[i])) {
		if (len < RTF_WORD_MAX)
			t->word[len++] = (char)lx->p[i];
		i++;
	}
	t->word[len] = '\0';
	t->kind = RTF_WORD;
	lex_param(lx, &i, t);
	if (i < lx->n && lx->p[i] == ' ')
		i++;
	if (strcmp(t->word, "bin") == 0 && t->has_param && t->param > 0) {
		size_t want = (size_t)t->param, have = lx->n - i;

		t->kind = RTF_BIN;
		t->p = lx->p + i;
		t->cb = want < have ? want : have;
		i += t->cb;
	}
	lx->i = i;
}

/* After a backslash at I - 1. */
static void lex_control(struct rtf_lex *lx, size_t i, struct rtf_token *t)
{
	const uint8_t *p = lx->p;
	uint8_t c;

	if (i >= lx->n) {
		lx->i = i;
		return;                  /* RTF_EOF */
	}
	c = p[i];
	if (is_alpha(c)) {
		lex_word(lx, i, t);
		return;
	}
	t->kind = RTF_SYMBOL;
	t->ch = c;
	if (c == '\r' || c == '\n') {
		t->ch = '\n';
	} else if (c == '\'' && i + 2 < lx->n && hexval(p[i + 1]) >= 0 &&
		   hexval(p[i + 2]) >= 0) {
		t->kind = RTF_HEX;
		t->ch = (uint8_t)(hexval(p[i + 1]) << 4 | hexval(p[i + 2]));
		i += 2;
	}
	lx->i = i + 1;
}

void rtf_lex_next(struct rtf_lex *lx, struct rtf_token *t)
{
	const uint8_t *p = lx->p;
	size_t i = lx->i, j;

	memset(t, 0, sizeof(*t));
	t->kind = RTF_EOF;
	while (i < lx->n && (p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i >= lx->n) {
		lx->i = i;
		return;
	}
	switch (p[i]) {
	case '{':
		t->kind = RTF_OPEN;
		lx->i = i + 1;
		return;
	case '}':
		t->kind = RTF_CLOSE;
		lx->i = i + 1;
		return;
	case '\\':
		lex_control(lx, i + 1, t);
		return;
	}
	for (j = i; j < lx->n; j++)
		if (p[j] == '\\' || p[j] == '{' || p[j] == '}' ||
		    p[j] == '\r' || p[j] == '\n')
			break;
	t->kind = RTF_TEXT;
	t->p = p + i;
	t->cb = j - i;
	lx->i = j;
}
