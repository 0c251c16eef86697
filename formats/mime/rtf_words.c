/*
 * rtf_words.c - the control words the RTF readers act on, and the
 * \fcharset to codepage map.
 *
 * Sources: [MSFT-RTF] 1.9.1 "Destinations" (which groups hold no
 * document text), "Special Characters" (\lquote ... \zwj), "Font Table"
 * (\fcharset values); MS-OXRTFEX 2.1.3.1 (\htmlrtf, \htmltag; \fromhtml
 * and \fromtext are read by rtf_read.c's header scan).  Every other word
 * is formatting and ignored.
 */
#include <stdlib.h>
#include <string.h>

#include "rtf_int.h"

/* Sorted by name (strcmp order) for bsearch. */
static const struct rtf_word words[] = {
	{ "annotation", RW_SKIP_DEST, 0 },
	{ "ansi", RW_ANSI, 0 },
	{ "ansicpg", RW_ANSICPG, 0 },
	{ "atnauthor", RW_SKIP_DEST, 0 },
	{ "atnid", RW_SKIP_DEST, 0 },
	{ "author", RW_SKIP_DEST, 0 },
	{ "bkmkend", RW_SKIP_DEST, 0 },
	{ "bkmkstart", RW_SKIP_DEST, 0 },
	{ "bullet", RW_CHAR, 0x2022 },
	{ "cell", RW_TAB, 0 },
	{ "colortbl", RW_SKIP_DEST, 0 },
	{ "comment", RW_SKIP_DEST, 0 },
	{ "company", RW_SKIP_DEST, 0 },
	{ "cpg", RW_CPG, 0 },
	{ "datastore", RW_SKIP_DEST, 0 },
	{ "deff", RW_DEFF, 0 },
	{ "doccomm", RW_SKIP_DEST, 0 },
	{ "docvar", RW_SKIP_DEST, 0 },
	{ "emdash", RW_CHAR, 0x2014 },
	{ "emspace", RW_CHAR, 0x2003 },
	{ "endash", RW_CHAR, 0x2013 },
	{ "enspace", RW_CHAR, 0x2002 },
	{ "f", RW_F, 0 },
	{ "falt", RW_SKIP_DEST, 0 },
	{ "fcharset", RW_FCHARSET, 0 },
	{ "filetbl", RW_SKIP_DEST, 0 },
	{ "fldinst", RW_SKIP_DEST, 0 },
	{ "fonttbl", RW_FONTTBL, 0 },
	{ "footer", RW_SKIP_DEST, 0 },
	{ "footerf", RW_SKIP_DEST, 0 },
	{ "footerl", RW_SKIP_DEST, 0 },
	{ "footerr", RW_SKIP_DEST, 0 },
	{ "footnote", RW_SKIP_DEST, 0 },
	{ "generator", RW_SKIP_DEST, 0 },
	{ "header", RW_SKIP_DEST, 0 },
	{ "headerf", RW_SKIP_DEST, 0 },
	{ "headerl", RW_SKIP_DEST, 0 },
	{ "headerr", RW_SKIP_DEST, 0 },
	{ "htmlrtf", RW_HTMLRTF, 0 },
	{ "htmltag", RW_HTMLTAG, 0 },
	{ "info", RW_SKIP_DEST, 0 },
	{ "keywords", RW_SKIP_DEST, 0 },
	{ "latentstyles", RW_SKIP_DEST, 0 },
	{ "ldblquote", RW_CHAR, 0x201C },
	{ "line", RW_BREAK, 0 },
	{ "listoverridetable", RW_SKIP_DEST, 0 },
	{ "listtable", RW_SKIP_DEST, 0 },
	{ "lquote", RW_CHAR, 0x2018 },
	{ "ltrmark", RW_CHAR, 0x200E },
	{ "mac", RW_MAC, 0 },
	{ "nonshppict", RW_SKIP_DEST, 0 },
	{ "objdata", RW_SKIP_DEST, 0 },
	{ "object", RW_SKIP_DEST, 0 },
	{ "operator", RW_SKIP_DEST, 0 },
	{ "page", RW_BREAK, 0 },
	{ "panose", RW_SKIP_DEST, 0 },
	{ "par", RW_BREAK, 0 },
	{ "pc", RW_PC, 0 },
	{ "pca", RW_PCA, 0 },
	{ "pgdsctbl", RW_SKIP_DEST, 0 },
	{ "pict", RW_SKIP_DEST, 0 },
	{ "plain", RW_PLAIN, 0 },
	{ "pntxta", RW_SKIP_DEST, 0 },
	{ "pntxtb", RW_SKIP_DEST, 0 },
	{ "private", RW_SKIP_DEST, 0 },
	{ "qmspace", RW_CHAR, 0x2005 },
	{ "rdblquote", RW_CHAR, 0x201D },
	{ "revtbl", RW_SKIP_DEST, 0 },
	{ "row", RW_BREAK, 0 },
	{ "rquote", RW_CHAR, 0x2019 },
	{ "rsidtbl", RW_SKIP_DEST, 0 },
	{ "rtlmark", RW_CHAR, 0x200F },
	{ "sect", RW_BREAK, 0 },
	{ "shp", RW_SKIP_DEST, 0 },
	{ "shppict", RW_SKIP_DEST, 0 },
	{ "stylesheet", RW_SKIP_DEST, 0 },
	{ "subject", RW_SKIP_DEST, 0 },
	{ "tab", RW_TAB, 0 },
	{ "tc", RW_SKIP_DEST, 0 },
	{ "template", RW_SKIP_DEST, 0 },
	{ "themedata", RW_SKIP_DEST, 0 },
	{ "title", RW_SKIP_DEST, 0 },
	{ "txe", RW_SKIP_DEST, 0 },
	{ "u", RW_U, 0 },
	{ "uc", RW_UC, 0 },
	{ "userprops", RW_SKIP_DEST, 0 },
	{ "xe", RW_SKIP_DEST, 0 },
	{ "xmlnstbl", RW_SKIP_DEST, 0 },
	{ "zwj", RW_CHAR, 0x200D },
	{ "zwnj", RW_CHAR, 0x200C },
};

static int cmp_word(const void *key, const void *elem)
{
	return strcmp(key, ((const struct rtf_word *)elem)->name);
}

const struct rtf_word *rtf_word_find(const char *name)
{
	static const struct rtf_word none = { NULL, RW_NONE, 0 };
	const struct rtf_word *w = bsearch(name, words,
					   sizeof(words) / sizeof(words[0]),
					   sizeof(words[0]), cmp_word);

	return w ? w : &none;
}

/* [MSFT-RTF] \fcharset: 0 ANSI and 1 DEFAULT use the document's
 * codepage; 2 SYMBOL has no codepage (read as Windows-1252). */
uint32_t rtf_charset_cp(int32_t charset)
{
	switch (charset) {
	case 2: return 1252;
	case 77: return 10000;
	case 128: return 932;
	case 129: return 949;
	case 130: return 1361;
	case 134: return 936;
	case 136: return 950;
	case 161: return 1253;
	case 162: return 1254;
	case 163: return 1258;
	case 177: return 1255;
	case 178: return 1256;
	case 186: return 1257;
	case 204: return 1251;
	case 222: return 874;
	case 238: return 1250;
	case 254: return 437;
	case 255: return 850;
	}
	return 0;
}
