/*
 * rtf_read.c - RTF to the HTML it encapsulates (MS-OXRTFEX 2.2.3.2) or to
 * plain text ([MSFT-RTF] "Conventions of an RTF Reader"): one token loop,
 * a stack of group states, two ways of choosing what is shown.
 *
 * Rules (and why)
 * - Groups: '{' pushes a copy of the current state, '}' pops it
 *   ([MSFT-RTF]: formatting is scoped to groups; MS-OXRTFEX 2.1.3.1.3
 *   says \htmlrtf is too).  Past PF_RTF_MAX_DEPTH a group is only counted
 *   and read with the state of the deepest kept one, so nesting costs no
 *   memory and there is no recursion.  Content outside \rtf's group (and
 *   after it) is ignored.
 * - A group whose first word follows \* and is not one we know, or is a
 *   destination of rtf_words.c, holds no shown text.  In HTML mode
 *   \*\htmltagN groups are shown (MS-OXRTFEX 2.1.3.1.4); in text mode they
 *   are skipped like any \* group.
 * - Shown: HTML mode - outside skipped destinations and not under
 *   \htmlrtf; text mode - outside skipped destinations, and not under
 *   \htmlrtf when the document says \fromtext (there \htmlrtf marks what
 *   the original text did not have; in \fromhtml documents the \htmlrtf
 *   parts are what the RTF renders).
 * - Bytes (text and \'hh) are collected and converted together, so
 *   double-byte codepages work, in the codepage of the current font
 *   (\fN with \fcharsetN or \cpgN in the font table), else the document's
 *   (\ansicpgN, \mac, \pc, \pca; Windows-1252 by default).  In \htmltag
 *   groups the document's codepage is used (MS-OXRTFEX 2.2.3.2).  A NUL
 *   byte is dropped.
 * - \uN (N a signed 16-bit value) is a UTF-16 unit; a high and a low
 *   surrogate make one character, a lone one U+FFFD.  Then the next \ucN
 *   characters (default 1; a text byte, \'hh, a control word or symbol
 *   each count one) are its fallback and skipped; a brace ends the skip.
 * - \par \line \sect \page \row end a line (CRLF in HTML, LF in text),
 *   \tab and \cell are a TAB, the character words their characters; \~ is
 *   U+00A0, \_ U+2011, \- (optional hyphen) nothing, \\ \{ \} themselves.
 * - \binN data is skipped.  The output is capped at 64 KiB + 8 x the
 *   input (PF_E_LIMIT past it).
 */
#include <stdlib.h>
#include <string.h>

#include "../ltp/pf_ltp.h"
#include "../util/pf_err.h"
#include "mime_int.h"
#include "pf_rtf.h"
#include "rtf_int.h"

#define RTF_MAX_FONTS 1024
#define RTF_BUDGET_BASE ((size_t)64 << 10)
#define RTF_BUDGET_MUL 8

enum rtf_dest { DEST_TEXT, DEST_SKIP, DEST_FONTTBL, DEST_HTMLTAG };
enum rtf_mode { MODE_HTML, MODE_TEXT };

struct rtf_group {
	uint8_t dest;            /* enum rtf_dest */
	bool htmlrtf;
	uint16_t uc;             /* \ucN: fallback characters after \u */
	int32_t font;            /* \fN, -1 before any */
};

struct rtf_font {
	int32_t num;
	uint32_t cp;             /* 0: the document's */
};

struct rtf_reader {
	enum rtf_mode mode;
	struct pfm_ctx ctx;
	struct pfm_buf out;
	struct pfm_buf pend;     /* bytes not yet converted */
	uint32_t pend_cp;
	struct rtf_group *g;     /* g[0..depth) */
	unsigned depth, overflow;
	bool started, ended;     /* inside / past \rtf's group */
	bool group_start, star;  /* just after '{' / after "{\*" */
	bool fromtext;           /* MS-OXRTFEX 2.1.3.1.2 */
	unsigned skip;           /* \u fallback characters left */
	uint16_t high;           /* pending high surrogate, 0 none */
	uint32_t doc_cp;
	int32_t deff;
	struct rtf_font fonts[RTF_MAX_FONTS];
	unsigned nfonts;
	unsigned font_gen;       /* bumped when the font table changes */
	int32_t memo_font;       /* font_cp() of memo_font at memo_gen */
	unsigned memo_gen;
	uint32_t memo_cp;
	int rc;
};

/* ---- output ---- */

static struct rtf_group *cur(struct rtf_reader *r)
{
	return &r->g[r->depth - 1];
}

static bool shown(struct rtf_reader *r)
{
	struct rtf_group *g;

	if (r->depth == 0 || r->ended)
		return false;
	g = cur(r);
	if (r->mode == MODE_HTML)
		return (g->dest == DEST_TEXT || g->dest == DEST_HTMLTAG) &&
		       !g->htmlrtf;
	return g->dest == DEST_TEXT && !(r->fromtext && g->htmlrtf);
}

/* The codepage of font NUM (0: the document's); remembered, as it is
 * asked for every byte. */
static uint32_t font_cp(struct rtf_reader *r, int32_t num)
{
	if (r->memo_gen == r->font_gen && r->memo_font == num)
		return r->memo_cp;
	r->memo_font = num;
	r->memo_gen = r->font_gen;
	r->memo_cp = 0;
	for (unsigned i = 0; i < r->nfonts; i++)
		if (r->fonts[i].num == num) {
			r->memo_cp = r->fonts[i].cp;
			break;
		}
	return r->memo_cp;
}

static uint32_t cur_cp(struct rtf_reader *r)
{
	struct rtf_group *g = cur(r);
	uint32_t cp = 0;

	if (g->dest != DEST_HTMLTAG)
		cp = font_cp(r, g->font >= 0 ? g->font : r->deff);
	return cp ? cp : r->doc_cp;
}

/* Convert the collected bytes (an unknown codepage reads as 1252). */
static void flush(struct rtf_reader *r)
{
	char *s = NULL;
	int rc;

	if (r->pend.n == 0 || r->rc != 0)
		return;
	rc = pf_8bit_to_utf8((const uint8_t *)r->pend.p, r->pend.n,
			     r->pend_cp, &s);
	if (rc == PF_E_UNSUPPORTED)
		rc = pf_8bit_to_utf8((const uint8_t *)r->pend.p, r->pend.n,
				     1252, &s);
	if (rc == 0)
		rc = pfm_buf_put(&r->ctx, &r->out, s, strlen(s));
	free(s);
	r->pend.n = 0;
	r->rc = rc;
}

static void put_utf8(struct rtf_reader *r, uint32_t cp)
{
	if (!shown(r) || r->rc != 0)
		return;
	flush(r);
	if (r->rc == 0)
		r->rc = pfm_buf_put_cp(&r->ctx, &r->out, cp);
}

/* A high surrogate not followed by a low one is U+FFFD. */
static void lone_high(struct rtf_reader *r)
{
	if (r->high) {
		r->high = 0;
		put_utf8(r, 0xFFFD);
	}
}

static void put_byte(struct rtf_reader *r, uint8_t b)
{
	uint32_t cp;

	lone_high(r);
	if (!shown(r) || b == 0 || r->rc != 0)
		return;
	cp = cur_cp(r);
	if (r->pend.n && cp != r->pend_cp)
		flush(r);
	r->pend_cp = cp;
	if (r->rc == 0)
		r->rc = pfm_buf_putc(&r->ctx, &r->pend, (char)b);
}

static void put_cp(struct rtf_reader *r, uint32_t cp)
{
	lone_high(r);
	put_utf8(r, cp);
}

static void put_break(struct rtf_reader *r)
{
	if (r->mode == MODE_HTML)
		put_cp(r, '\r');
	put_cp(r, '\n');
}

/* \uN: one UTF-16 unit (MSFT-RTF "Unicode RTF"). */
static void put_unit(struct rtf_reader *r, int32_t n)
{
	uint32_t u = (uint32_t)(n < 0 ? n + 65536 : n) & 0xFFFFu;

	if (u >= 0xDC00 && u <= 0xDFFF && r->high) {
		put_utf8(r, 0x10000 + ((uint32_t)(r->high - 0xD800) << 10) +
			    (u - 0xDC00));
		r->high = 0;
		return;
	}
	lone_high(r);
	if (u >= 0xD800 && u <= 0xDBFF)
		r->high = (uint16_t)u;
	else if (u != 0)              /* no NUL in a C string */
		put_cp(r, u);
}

/* ---- groups ---- */

static void group_open(struct rtf_reader *r)
{
	if (r->ended)
		return;
	r->skip = 0;
	if (r->depth == 0) {
		if (r->started)
			return;
		r->started = true;
		r->g[0] = (struct rtf_group){ DEST_TEXT, false, 1, -1 };
		r->depth = 1;
	} else if (r->depth < PF_RTF_MAX_DEPTH) {
		r->g[r->depth] = r->g[r->depth - 1];
		r->depth++;
	} else {
		r->overflow++;
		return;
	}
	r->group_start = true;
	r->star = false;
}

static void group_close(struct rtf_reader *r)
{
	r->skip = 0;
	r->group_start = false;
	if (r->overflow) {
		r->overflow--;
		return;
	}
	if (r->depth == 0)
		return;
	if (--r->depth == 0)
		r->ended = true;     /* the document's own group closed */
}

/* A new group's first word decides what the group is. */
static void group_dest(struct rtf_reader *r, const struct rtf_word *w)
{
	struct rtf_group *g = cur(r);
	bool first = r->group_start, star = r->star;

	r->group_start = false;
	r->star = false;
	if (!first || g->dest == DEST_SKIP)
		return;
	if (w->kind == RW_HTMLTAG && r->mode == MODE_HTML &&
	    g->dest != DEST_FONTTBL)
		g->dest = DEST_HTMLTAG;
	else if (w->kind == RW_FONTTBL)
		g->dest = DEST_FONTTBL;
	else if (w->kind == RW_SKIP_DEST || star)
		g->dest = DEST_SKIP;
}

/* ---- control words ---- */

static void font_define(struct rtf_reader *r, int32_t num)
{
	for (unsigned i = 0; i < r->nfonts; i++)
		if (r->fonts[i].num == num)
			return;
	if (r->nfonts < RTF_MAX_FONTS)
		r->fonts[r->nfonts++] = (struct rtf_font){ num, 0 };
	r->font_gen++;
}

/* \fcharset / \cpg inside the font table: for the font just named. */
static void font_set_cp(struct rtf_reader *r, uint32_t cp)
{
	int32_t num = cur(r)->font;

	for (unsigned i = 0; i < r->nfonts; i++)
		if (r->fonts[i].num == num && (cp || !r->fonts[i].cp))
			r->fonts[i].cp = cp;
	r->font_gen++;
}

static bool cp_ok(int32_t v)
{
	return v > 0 && v < 65536 && v != 1200 && v != 1201;
}

static void word_font(struct rtf_reader *r, const struct rtf_word *w,
		      const struct rtf_token *t)
{
	struct rtf_group *g = cur(r);
	bool in_tbl = g->dest == DEST_FONTTBL;

	switch (w->kind) {
	case RW_F:
		if (!t->has_param)
			return;
		g->font = t->param;
		if (in_tbl)
			font_define(r, t->param);
		return;
	case RW_FCHARSET:
		if (in_tbl && t->has_param)
			font_set_cp(r, rtf_charset_cp(t->param));
		return;
	case RW_CPG:
		if (in_tbl && cp_ok(t->param))
			font_set_cp(r, (uint32_t)t->param);
		return;
	case RW_PLAIN:
		if (!in_tbl)
			g->font = r->deff;
		return;
	default:
		return;
	}
}

/* Words of the RTF header: codepages, the default font. */
static void word_header(struct rtf_reader *r, const struct rtf_word *w,
			const struct rtf_token *t)
{
	switch (w->kind) {
	case RW_ANSICPG:
		if (cp_ok(t->param))
			r->doc_cp = (uint32_t)t->param;
		return;
	case RW_MAC: r->doc_cp = 10000; return;
	case RW_PC: r->doc_cp = 437; return;
	case RW_PCA: r->doc_cp = 850; return;
	case RW_ANSI: r->doc_cp = 1252; return;
	case RW_DEFF:
		if (t->has_param)
			r->deff = t->param;
		return;
	default:
		return;
	}
}

static void on_word(struct rtf_reader *r, const struct rtf_token *t)
{
	const struct rtf_word *w = rtf_word_find(t->word);
	struct rtf_group *g;

	if (r->depth == 0 || r->ended)
		return;
	if (r->skip) {                /* part of a \u fallback */
		r->skip--;
		return;
	}
	group_dest(r, w);
	g = cur(r);
	switch (w->kind) {
	case RW_CHAR: put_cp(r, w->value); return;
	case RW_BREAK: put_break(r); return;
	case RW_TAB: put_cp(r, '\t'); return;
	case RW_U:
		if (!t->has_param)
			return;
		put_unit(r, t->param);
		r->skip = g->uc;
		return;
	case RW_UC:
		if (t->has_param && t->param >= 0)
			g->uc = (uint16_t)(t->param > 16 ? 16 : t->param);
		return;
	case RW_HTMLRTF:
		g->htmlrtf = !t->has_param || t->param != 0;
		return;
	case RW_F: case RW_FCHARSET: case RW_CPG: case RW_PLAIN:
		word_font(r, w, t);
		return;
	default:
		word_header(r, w, t);
		return;
	}
}

static void on_symbol(struct rtf_reader *r, const struct rtf_token *t)
{
	if (r->depth == 0 || r->ended)
		return;
	if (t->ch == '*' && r->group_start) {
		r->star = true;
		return;
	}
	r->group_start = false;
	if (r->skip) {
		r->skip--;
		return;
	}
	switch (t->ch) {
	case '\n': put_break(r); return;
	case '~': put_cp(r, 0xA0); return;
	case '_': put_cp(r, 0x2011); return;
	case '\\': case '{': case '}': put_byte(r, t->ch); return;
	default: return;          /* \- \| \: \* elsewhere ... */
	}
}

static void on_text(struct rtf_reader *r, const struct rtf_token *t)
{
	size_t i = 0;

	if (r->depth == 0 || r->ended)
		return;
	if (t->kind == RTF_HEX) {
		r->group_start = false;
		if (r->skip)
			r->skip--;
		else
			put_byte(r, t->ch);
		return;
	}
	r->group_start = false;
	while (r->skip && i < t->cb) {
		r->skip--;
		i++;
	}
	for (; i < t->cb && r->rc == 0; i++)
		put_byte(r, t->p[i]);
}

/* ---- the loop ---- */

static int reader_init(struct rtf_reader *r, enum rtf_mode mode, size_t cb)
{
	memset(r, 0, sizeof(*r));
	r->mode = mode;
	pfm_ctx_init(&r->ctx, 0);
	r->ctx.budget = cb > (SIZE_MAX - RTF_BUDGET_BASE) / RTF_BUDGET_MUL ?
			SIZE_MAX : RTF_BUDGET_BASE + RTF_BUDGET_MUL * cb;
	r->doc_cp = 1252;
	r->font_gen = 1;             /* the memo starts stale */
	r->g = calloc(PF_RTF_MAX_DEPTH, sizeof(*r->g));
	if (!r->g)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	return 0;
}

static void reader_free(struct rtf_reader *r)
{
	pfm_buf_free(&r->ctx, &r->out);
	pfm_buf_free(&r->ctx, &r->pend);
	pfm_ctx_done(&r->ctx);
	free(r->g);
}

static void run(struct rtf_reader *r, const uint8_t *rtf, size_t cb)
{
	struct rtf_lex lx;
	struct rtf_token t;

	rtf_lex_init(&lx, rtf, cb);
	while (r->rc == 0 && !r->ended) {
		rtf_lex_next(&lx, &t);
		switch (t.kind) {
		case RTF_EOF: flush(r); return;
		case RTF_OPEN: group_open(r); break;
		case RTF_CLOSE: group_close(r); break;
		case RTF_WORD: on_word(r, &t); break;
		case RTF_SYMBOL: on_symbol(r, &t); break;
		case RTF_HEX: case RTF_TEXT: on_text(r, &t); break;
		case RTF_BIN:
			r->group_start = false;
			if (r->skip)
				r->skip--;
			break;
		}
	}
	flush(r);
}

/* The header flags alone: \fromhtml / \fromtext at the top level before
 * any text (MS-OXRTFEX 2.2.3.1).  Only the first group is read. */
static void header_scan(const uint8_t *rtf, size_t cb, bool *html,
			bool *text)
{
	struct rtf_lex lx;
	struct rtf_token t;
	unsigned depth = 0;

	*html = *text = false;
	rtf_lex_init(&lx, rtf, cb);
	for (;;) {
		rtf_lex_next(&lx, &t);
		if (t.kind == RTF_EOF || (t.kind == RTF_CLOSE && depth == 1))
			return;
		if (t.kind == RTF_OPEN)
			depth++;
		else if (t.kind == RTF_CLOSE && depth > 0)
			depth--;
		else if (depth == 1 && (t.kind == RTF_TEXT ||
					t.kind == RTF_HEX))
			return;
		else if (depth == 1 && t.kind == RTF_WORD &&
			 strcmp(t.word, "fromhtml") == 0)
			*html = !t.has_param || t.param != 0;
		else if (depth == 1 && t.kind == RTF_WORD &&
			 strcmp(t.word, "fromtext") == 0)
			*text = !t.has_param || t.param != 0;
	}
}

bool pf_rtf_is_html(const uint8_t *rtf, size_t cb)
{
	bool html, text;

	header_scan(rtf, cb, &html, &text);
	return html;
}

static int convert(enum rtf_mode mode, const uint8_t *rtf, size_t cb,
		   char **out, size_t *cb_out)
{
	struct rtf_reader *r = malloc(sizeof(*r));
	int rc;

	*out = NULL;
	*cb_out = 0;
	if (!r)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	rc = reader_init(r, mode, cb);
	if (rc == 0) {
		bool html;

		header_scan(rtf, cb, &html, &r->fromtext);
		run(r, rtf, cb);
		rc = r->rc;
	}
	if (rc == 0) {
		*cb_out = r->out.n;
		rc = pfm_buf_take(&r->ctx, &r->out, out);
	}
	if (rc == PF_E_LIMIT)
		pf_error_set(PF_E_LIMIT, "RTF: converted text past %zu bytes "
			     "for %zu of input", RTF_BUDGET_BASE +
			     RTF_BUDGET_MUL * cb, cb);
	if (rc != 0)
		*cb_out = 0;
	reader_free(r);
	free(r);
	return rc;
}

int pf_rtf_to_html(const uint8_t *rtf, size_t cb, char **html,
		   size_t *cb_html)
{
	*html = NULL;
	*cb_html = 0;
	if (!pf_rtf_is_html(rtf, cb))
		return pf_error_set(PF_E_NOTFOUND, "RTF does not encapsulate "
				    "HTML (no \\fromhtml1 in its header)");
	return convert(MODE_HTML, rtf, cb, html, cb_html);
}

int pf_rtf_to_text(const uint8_t *rtf, size_t cb, char **text,
		   size_t *cb_text)
{
	return convert(MODE_TEXT, rtf, cb, text, cb_text);
}
