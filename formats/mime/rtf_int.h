/*
 * rtf_int.h - what the RTF files of formats/mime share: the tokenizer
 * ([MSFT-RTF] "RTF Syntax": groups, control words, control symbols, text)
 * and the control-word table.
 *
 * Contract: the lexer never reads past its input and consumes at least one
 * byte per token except at the end, so a loop over tokens is bounded by
 * the input size.  Tokens point into the input (no copies).
 */
#ifndef PF_RTF_INT_H
#define PF_RTF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTF_WORD_MAX 32          /* [MSFT-RTF]: names are <= 32 letters */

enum rtf_tok {
	RTF_EOF,
	RTF_OPEN,                /* { */
	RTF_CLOSE,               /* } */
	RTF_WORD,                /* \name[-]N and its delimiter */
	RTF_SYMBOL,              /* \ and one non-letter (\<LF> gives '\n') */
	RTF_HEX,                 /* \'hh */
	RTF_TEXT,                /* a run of plain bytes */
	RTF_BIN,                 /* \binN and its N raw bytes */
};

struct rtf_token {
	enum rtf_tok kind;
	char word[RTF_WORD_MAX + 1];
	bool has_param;
	int32_t param;
	uint8_t ch;              /* SYMBOL: the character; HEX: the byte */
	const uint8_t *p;        /* TEXT / BIN: the bytes */
	size_t cb;
};

struct rtf_lex {
	const uint8_t *p;
	size_t n, i;
};

void rtf_lex_init(struct rtf_lex *lx, const uint8_t *p, size_t n);
void rtf_lex_next(struct rtf_lex *lx, struct rtf_token *t);

/* What a control word means to the readers (rtf_words.c). */
enum rtf_word_kind {
	RW_NONE,                 /* formatting: nothing to do */
	RW_SKIP_DEST,            /* a destination whose text is not shown */
	RW_CHAR,                 /* a character (value: code point) */
	RW_BREAK,                /* a line end: \par \line \sect \page \row */
	RW_TAB,                  /* \tab \cell */
	RW_FONTTBL, RW_HTMLTAG, RW_F, RW_FCHARSET, RW_CPG, RW_DEFF,
	RW_ANSICPG, RW_ANSI, RW_MAC, RW_PC, RW_PCA, RW_UC, RW_U, RW_PLAIN,
	RW_HTMLRTF,
};

struct rtf_word {
	const char *name;
	enum rtf_word_kind kind;
	uint32_t value;
};

/* The entry for NAME ({ NULL, RW_NONE } for words we ignore). */
const struct rtf_word *rtf_word_find(const char *name);

/* The Windows codepage of \fcharsetN ([MSFT-RTF] font table), 0 when the
 * document's codepage applies (ANSI, DEFAULT, unknown). */
uint32_t rtf_charset_cp(int32_t charset);

#endif
