/*
 * test_rtf.c - formats/mime/pf_rtf.h: compressed RTF (MS-OXRTFCP) and
 * RTF bodies (MS-OXRTFEX, [MSFT-RTF]).
 *
 * Expected values come from the specifications, never from the code under
 * test:
 * - MS-OXRTFCP section 3.1.1 (Example 1, "Simple Compressed RTF") and
 *   3.1.2 (Example 2, "Reading a Token from the Dictionary that Crosses
 *   WritePosition").  The bytes were checked run by run against the spec
 *   pages found with the `search` tool (learn.microsoft.com
 *   ms-oxrtfcp 5065163f... "3.1.1.4 Run 1": 03 00 0a 00 72 63 70 67 31 32
 *   35; 4ef3bd05... "3.2.1.3 Run 2", the compressor's token buffer for the
 *   same input: 32 0a f3 20 68 ...; 3055124f... "3.1.2.4 Run 1": 41 00 04
 *   20 57 58 59 5a 0d 6e 7d; 3e16cd96... "3.1.2.5 Run 2": 01 0e b0); the
 *   complete streams, headers included, are the ones microsoft/
 *   outlook-pst-rs crates/compressed-rtf/src/lib.rs quotes from the same
 *   sections.  Example 2 is the overlapping (run-length) copy.
 * - Hand-assembled token streams (tok_*(): literals, references, control
 *   bytes as 2.1.3.1.1 lays them out; the CRC with pf_crc(), which
 *   test_ndb_header.c pins to known answers and which Example 1's stored
 *   CRC confirms) for: run-length from a single literal, a reference to a
 *   never-written dictionary position, the dictionary wrapping past 4096.
 * - Damage: bad CRC, every truncation of Example 1, COMPSIZE and RAWSIZE
 *   lies, unknown COMPTYPE; strict mode fails, salvage keeps a prefix.
 * - RTF to HTML / text: one small hand-written document per rule of
 *   rtf_read.c, expectations from MS-OXRTFEX 2.1.3.1 / 2.2.3.2 and
 *   [MSFT-RTF] (Special Characters table, \fcharset table) with the
 *   codepage bytes from the Windows code page charts; hostile input
 *   (nesting far past the cap, unbalanced braces, every prefix).
 * - The corpus (skipped without ../shared/corpus): every
 *   PidTagRtfCompressed of the files with RTF bodies, read through
 *   pf_message_open(), decompressed strictly, and matched byte for byte
 *   with readpst -S (N-rtf-body.rtf) and pffexport -f rtf (Message.rtf);
 *   the text of each body compared with the message's own PidTagBody
 *   (whitespace-insensitive), and every \fromhtml body converted.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../formats/mime/mime_int.h"
#include "../../formats/mime/pf_rtf.h"
#include "../../formats/msg/pf_msg.h"
#include "../../formats/util/pf_crc.h"
#include "../../formats/util/pf_err.h"
#include "../../formats/util/pf_le.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* MS-OXRTFCP 3.1.1: COMPSIZE 0x2d, RAWSIZE 0x2b, "LZFu", CRC 0xa7c7c5f1,
 * then three runs. */
static const uint8_t ex1[] = {
	0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46,
	0x75, 0xf1, 0xc5, 0xc7, 0xa7, 0x03, 0x00, 0x0a, 0x00, 0x72, 0x63,
	0x70, 0x67, 0x31, 0x32, 0x35, 0x42, 0x32, 0x0a, 0xf3, 0x20, 0x68,
	0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0, 0x6c, 0x64,
	0x7d, 0x0a, 0x80, 0x0f, 0xa0,
};
static const char ex1_rtf[] = "{\\rtf1\\ansi\\ansicpg1252\\pard hello "
			      "world}\r\n";

/* MS-OXRTFCP 3.1.2: a reference at offset 214 of length 16 when only 4
 * bytes follow it: the copy reads what it is writing. */
static const uint8_t ex2[] = {
	0x1a, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46,
	0x75, 0xe2, 0xd4, 0x4b, 0x51, 0x41, 0x00, 0x04, 0x20, 0x57, 0x58,
	0x59, 0x5a, 0x0d, 0x6e, 0x7d, 0x01, 0x0e, 0xb0,
};
static const char ex2_rtf[] = "{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}";

/* ---- a token assembler (2.1.3.1.1 layout, no matching) ---- */

struct tok {
	uint8_t b[70000];
	size_t n;
	size_t ctrl;        /* where the current CONTROL byte is */
	unsigned bit;       /* tokens in the current run */
};

static void tok_init(struct tok *t)
{
	memset(t, 0, sizeof(*t));
	t->n = 16;
	t->bit = 8;
}

static void tok_next(struct tok *t, bool ref)
{
	if (t->bit == 8) {
		t->ctrl = t->n++;
		t->b[t->ctrl] = 0;
		t->bit = 0;
	}
	if (ref)
		t->b[t->ctrl] |= (uint8_t)(1u << t->bit);
	t->bit++;
}

static void tok_lit(struct tok *t, uint8_t c)
{
	tok_next(t, false);
	t->b[t->n++] = c;
}

/* A reference to OFF of LEN bytes (2..17). */
static void tok_ref(struct tok *t, unsigned off, unsigned len)
{
	uint16_t v = (uint16_t)(off << 4 | (len - 2));

	tok_next(t, true);
	t->b[t->n++] = (uint8_t)(v >> 8);
	t->b[t->n++] = (uint8_t)v;
}

/* Fill the header: COMPSIZE, RAWSIZE, "LZFu", CRC of the contents. */
static void tok_seal(struct tok *t, uint32_t raw)
{
	pf_put32(t->b, (uint32_t)(t->n - 4));
	pf_put32(t->b + 4, raw);
	pf_put32(t->b + 8, PF_RTF_MAGIC_COMPRESSED);
	pf_put32(t->b + 12, pf_crc(t->b + 16, t->n - 16));
}

static int lz(const uint8_t *in, size_t cb, unsigned flags, uint8_t **out,
	      size_t *n, struct pf_lzfu_info *info)
{
	return pf_lzfu_decode(in, cb, flags, out, n, info);
}

/* ---- MS-OXRTFCP section 3 ---- */

START_TEST(lzfu_example1)
{
	struct pf_lzfu_info info;
	uint8_t *out;
	size_t n;

	ck_assert_int_eq(lz(ex1, sizeof(ex1), 0, &out, &n, &info), 0);
	ck_assert_uint_eq(n, strlen(ex1_rtf));
	ck_assert_mem_eq(out, ex1_rtf, n);
	ck_assert_int_eq(out[n], 0);
	ck_assert(info.crc_ok);
	ck_assert_uint_eq(info.crc_computed, 0xa7c7c5f1u);
	ck_assert_uint_eq(info.comp_size, 0x2d);
	ck_assert_uint_eq(info.raw_size, 0x2b);
	ck_assert(!info.no_end && !info.size_mismatch);
	free(out);
}
END_TEST

START_TEST(lzfu_example2_overlap)
{
	uint8_t *out;
	size_t n;

	ck_assert_int_eq(pf_lzfu_decompress(ex2, sizeof(ex2), 0, &out, &n),
			 0);
	ck_assert_uint_eq(n, strlen(ex2_rtf));
	ck_assert_mem_eq(out, ex2_rtf, n);
	free(out);
}
END_TEST

/* One literal, then a 17-byte reference to it: 18 copies. */
START_TEST(lzfu_runlength)
{
	struct tok *t = malloc(sizeof(*t));
	uint8_t *out;
	size_t n;

	tok_init(t);
	tok_lit(t, 'A');
	tok_ref(t, 207, 17);
	tok_ref(t, 207 + 18, 2);      /* the end: offset == WritePosition */
	tok_seal(t, 18);
	ck_assert_int_eq(pf_lzfu_decompress(t->b, t->n, 0, &out, &n), 0);
	ck_assert_uint_eq(n, 18);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(out[i], 'A');
	free(out);
	free(t);
}
END_TEST

/* A reference to position 300 when only 0..206 were ever written. */
START_TEST(lzfu_unwritten_reference)
{
	struct tok *t = malloc(sizeof(*t));
	struct pf_lzfu_info info;
	uint8_t *out;
	size_t n;

	tok_init(t);
	tok_lit(t, 'x');
	tok_ref(t, 300, 5);
	tok_lit(t, 'y');
	tok_ref(t, 210, 2);
	tok_seal(t, 7);
	ck_assert_int_eq(lz(t->b, t->n, 0, &out, &n, &info), PF_E_CORRUPT);
	ck_assert_ptr_null(out);
	ck_assert(info.bad_reference && info.crc_ok);
	ck_assert_ptr_nonnull(strstr(pf_error_msg(), "unwritten"));
	/* salvage keeps what came before */
	ck_assert_int_eq(lz(t->b, t->n, PF_RTF_IGNORE_CRC, &out, &n, &info),
			 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(out[0], 'x');
	free(out);
	/* the same reference is fine once the dictionary has wrapped */
	tok_init(t);
	tok_lit(t, 'B');
	for (unsigned i = 0; i < 250; i++)      /* 1 + 250 * 17 > 4096 */
		tok_ref(t, (207 + i * 17) & 4095, 17);
	tok_ref(t, 300, 5);
	tok_ref(t, (207 + 1 + 250 * 17 + 5) & 4095, 2);
	tok_seal(t, 1 + 250 * 17 + 5);
	ck_assert_int_eq(lz(t->b, t->n, 0, &out, &n, &info), 0);
	ck_assert_uint_eq(n, 1 + 250 * 17 + 5);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(out[i], 'B');
	free(out);
	free(t);
}
END_TEST

/* MELA: the contents are the RTF; the CRC is not used. */
START_TEST(lzfu_uncompressed)
{
	const char *rtf = "{\\rtf1 plain}";
	size_t len = strlen(rtf);
	uint8_t buf[64];
	uint8_t *out;
	size_t n;

	pf_put32(buf, (uint32_t)(len + 12));
	pf_put32(buf + 4, (uint32_t)len);
	memcpy(buf + 8, "MELA", 4);
	pf_put32(buf + 12, 0);
	memcpy(buf + 16, rtf, len);
	ck_assert_int_eq(pf_lzfu_decompress(buf, 16 + len, 0, &out, &n), 0);
	ck_assert_uint_eq(n, len);
	ck_assert_mem_eq(out, rtf, len);
	free(out);
	/* RAWSIZE past the contents */
	pf_put32(buf + 4, (uint32_t)len + 5);
	ck_assert_int_eq(pf_lzfu_decompress(buf, 16 + len, 0, &out, &n),
			 PF_E_CORRUPT);
	ck_assert_int_eq(pf_lzfu_decompress(buf, 16 + len, PF_RTF_IGNORE_CRC,
					    &out, &n), 0);
	ck_assert_uint_eq(n, len);
	free(out);
	/* RAWSIZE == COMPSIZE: a writer quirk, the contents are whole */
	pf_put32(buf + 4, (uint32_t)len + 12);
	ck_assert_int_eq(pf_lzfu_decompress(buf, 16 + len, 0, &out, &n), 0);
	ck_assert_uint_eq(n, len);
	free(out);
	/* padding after RAWSIZE bytes is not RTF */
	pf_put32(buf + 4, (uint32_t)len - 1);
	ck_assert_int_eq(pf_lzfu_decompress(buf, 16 + len, 0, &out, &n), 0);
	ck_assert_uint_eq(n, len - 1);
	free(out);
}
END_TEST

START_TEST(lzfu_bad_crc)
{
	struct pf_lzfu_info info;
	uint8_t buf[sizeof(ex1)];
	uint8_t *out;
	size_t n;

	memcpy(buf, ex1, sizeof(ex1));
	buf[12] ^= 0x01;
	ck_assert_int_eq(lz(buf, sizeof(buf), 0, &out, &n, &info),
			 PF_E_CORRUPT);
	ck_assert_ptr_null(out);
	ck_assert(!info.crc_ok);
	ck_assert_uint_eq(info.crc_computed, 0xa7c7c5f1u);
	ck_assert_ptr_nonnull(strstr(pf_error_msg(), "CRC mismatch"));
	ck_assert_int_eq(lz(buf, sizeof(buf), PF_RTF_IGNORE_CRC, &out, &n,
			    &info), 0);
	ck_assert_uint_eq(n, strlen(ex1_rtf));
	ck_assert_mem_eq(out, ex1_rtf, n);
	free(out);
	/* a damaged literal: the CRC catches it, salvage decodes it */
	memcpy(buf, ex1, sizeof(ex1));
	buf[0x20] = 'H';
	ck_assert_int_eq(lz(buf, sizeof(buf), 0, &out, &n, &info),
			 PF_E_CORRUPT);
	ck_assert_int_eq(lz(buf, sizeof(buf), PF_RTF_IGNORE_CRC, &out, &n,
			    &info), 0);
	ck_assert_ptr_nonnull(strstr((char *)out, "Hello"));
	free(out);
}
END_TEST

/* Every truncation: strict fails, salvage gives a prefix of the RTF. */
START_TEST(lzfu_truncated)
{
	for (size_t cb = 0; cb < sizeof(ex1); cb++) {
		struct pf_lzfu_info info;
		uint8_t *copy = malloc(cb ? cb : 1), *out;
		size_t n;
		int rc;

		memcpy(copy, ex1, cb);
		rc = lz(copy, cb, 0, &out, &n, &info);
		ck_assert_int_eq(rc, PF_E_CORRUPT);
		ck_assert_ptr_null(out);
		rc = lz(copy, cb, PF_RTF_IGNORE_CRC, &out, &n, &info);
		if (cb < 16) {
			ck_assert_int_eq(rc, PF_E_CORRUPT);
		} else {
			ck_assert_int_eq(rc, 0);
			ck_assert(info.truncated);
			ck_assert_uint_le(n, strlen(ex1_rtf));
			ck_assert_mem_eq(out, ex1_rtf, n);
			free(out);
		}
		free(copy);
	}
}
END_TEST

START_TEST(lzfu_size_lies)
{
	struct pf_lzfu_info info;
	uint8_t buf[sizeof(ex1) + 8];
	uint8_t *out;
	size_t n;

	/* trailing padding after COMPSIZE + 4 is ignored */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, ex1, sizeof(ex1));
	ck_assert_int_eq(lz(buf, sizeof(buf), 0, &out, &n, &info), 0);
	ck_assert_uint_eq(n, strlen(ex1_rtf));
	free(out);
	/* COMPSIZE past the value */
	pf_put32(buf, 0x2d + 100);
	ck_assert_int_eq(lz(buf, sizeof(ex1), 0, &out, &n, &info),
			 PF_E_CORRUPT);
	ck_assert(info.truncated);
	/* COMPSIZE smaller than the header's own 12 bytes */
	pf_put32(buf, 4);
	ck_assert_int_eq(lz(buf, sizeof(ex1), 0, &out, &n, &info),
			 PF_E_CORRUPT);
	/* COMPSIZE shorter than the data: the CRC no longer matches */
	pf_put32(buf, 0x2d - 3);
	ck_assert_int_eq(lz(buf, sizeof(ex1), 0, &out, &n, &info),
			 PF_E_CORRUPT);
	ck_assert(!info.crc_ok);
	/* RAWSIZE too small: strict fails, salvage keeps everything */
	memcpy(buf, ex1, sizeof(ex1));
	pf_put32(buf + 4, 10);
	ck_assert_int_eq(lz(buf, sizeof(ex1), 0, &out, &n, &info),
			 PF_E_CORRUPT);
	ck_assert(info.size_mismatch);
	ck_assert_ptr_nonnull(strstr(pf_error_msg(), "RAWSIZE"));
	ck_assert_int_eq(lz(buf, sizeof(ex1), PF_RTF_IGNORE_CRC, &out, &n,
			    &info), 0);
	ck_assert_uint_eq(n, strlen(ex1_rtf));
	free(out);
	/* RAWSIZE 4 GiB: no such allocation, a clean failure */
	pf_put32(buf + 4, 0xFFFFFFFFu);
	ck_assert_int_eq(lz(buf, sizeof(ex1), 0, &out, &n, &info),
			 PF_E_CORRUPT);
	ck_assert(info.size_mismatch);
	/* unknown COMPTYPE, even in salvage */
	memcpy(buf, ex1, sizeof(ex1));
	memcpy(buf + 8, "LZFv", 4);
	ck_assert_int_eq(lz(buf, sizeof(ex1), PF_RTF_IGNORE_CRC, &out, &n,
			    &info), PF_E_CORRUPT);
	ck_assert_ptr_nonnull(strstr(pf_error_msg(), "COMPTYPE"));
}
END_TEST

/* The end reference missing: fine when the CRC and RAWSIZE agree. */
START_TEST(lzfu_no_end)
{
	struct tok *t = malloc(sizeof(*t));
	struct pf_lzfu_info info;
	uint8_t *out;
	size_t n;

	tok_init(t);
	tok_lit(t, '{');
	tok_lit(t, '}');
	tok_seal(t, 2);
	ck_assert_int_eq(lz(t->b, t->n, 0, &out, &n, &info), 0);
	ck_assert(info.no_end);
	ck_assert_uint_eq(n, 2);
	free(out);
	free(t);
}
END_TEST

/* Random bytes behind a valid header: never a crash, bounded output. */
START_TEST(lzfu_noise)
{
	struct tok *t = malloc(sizeof(*t));
	uint32_t seed = 12345;

	for (int round = 0; round < 200; round++) {
		uint8_t *out;
		size_t n, len = 16 + (size_t)(round * 37 % 3000);

		for (size_t i = 16; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			t->b[i] = (uint8_t)(seed >> 16);
		}
		t->n = len;
		tok_seal(t, (uint32_t)(round * 101));
		if (lz(t->b, t->n, PF_RTF_IGNORE_CRC, &out, &n, NULL) == 0) {
			ck_assert_uint_le(n, (len / 17 + 1) * 136);
			free(out);
		}
		if (lz(t->b, t->n, 0, &out, &n, NULL) == 0)
			free(out);
	}
	free(t);
}
END_TEST

/* ---- RTF to HTML (MS-OXRTFEX 2.2.3.2) and to text ---- */

typedef int (*conv_fn)(const uint8_t *, size_t, char **, size_t *);

/* FN on RTF: must succeed with valid UTF-8 of the length it says. */
static char *conv(conv_fn fn, const char *rtf)
{
	char *out = NULL;
	size_t n;
	int rc = fn((const uint8_t *)rtf, strlen(rtf), &out, &n);

	ck_assert_msg(rc == 0, "rc %d: %s", rc, pf_error_msg());
	ck_assert_uint_eq(n, strlen(out));
	ck_assert(pfm_utf8_valid((const uint8_t *)out, n));
	return out;
}

#define to_html(rtf) conv(pf_rtf_to_html, rtf)
#define to_text(rtf) conv(pf_rtf_to_text, rtf)

struct conv_case {
	const char *rtf;
	const char *want;
};

static void conv_check(conv_fn fn, const struct conv_case *c, int i)
{
	char *out = conv(fn, c->rtf);

	ck_assert_msg(strcmp(out, c->want) == 0, "case %d: got [%s] want "
		      "[%s]", i, out, c->want);
	free(out);
}

#define HTML_HDR "{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 \\deff0{\\fonttbl" \
		 "{\\f0\\fswiss Arial;}{\\f1\\fmodern\\fcharset128 MS " \
		 "Gothic;}}"

/* One rule each; expectations from MS-OXRTFEX 2.1.3.1 / 2.2.3.2 and
 * [MSFT-RTF] (character values: the spec's Special Characters table). */
static const struct conv_case html_cases[] = {
	/* htmltag content emitted, \htmlrtf text suppressed (2.1.3.1.3) */
	{ HTML_HDR "{\\*\\htmltag19 <html>}{\\*\\htmltag50 <body>}\\htmlrtf "
	  "{\\b \\htmlrtf0 Hello\\htmlrtf }\\htmlrtf0 {\\*\\htmltag58 "
	  "</body>}{\\*\\htmltag27 </html>}}",
	  "<html><body>Hello</body></html>" },
	/* \htmlrtf (= \htmlrtf1) hides text and \par until \htmlrtf0 */
	{ HTML_HDR "\\htmlrtf1 x\\par\\htmlrtf0 y}", "y" },
	{ HTML_HDR "\\htmlrtf x\\par\\htmlrtf0 y}", "y" },
	/* ... and is restored when its group ends */
	{ HTML_HDR "{\\htmlrtf a}b}", "b" },
	{ HTML_HDR "\\htmlrtf {\\htmlrtf0 a}b\\htmlrtf0 c}", "ac" },
	/* \par / \line: CRLF, \tab: TAB, escaped braces and backslash,
	 * inside an htmltag too */
	{ HTML_HDR "{\\*\\htmltag241 <style>\\par p \\{x:1\\}\\tab\\\\"
	  "</style>}a\\line b}",
	  "<style>\r\np {x:1}\t\\</style>a\r\nb" },
	/* the tag parameter is ignored; empty tags give nothing */
	{ HTML_HDR "{\\*\\htmltag64}{\\*\\htmltag72 }x}", "x" },
	/* other \* destinations are not HTML (\mhtmltag, unknown ones) */
	{ HTML_HDR "{\\*\\mhtmltag84 <img src=\"cid:1\">}{\\*\\htmltag84 "
	  "<img src=\"a.png\">}{\\*\\foo bar}}",
	  "<img src=\"a.png\">" },
	/* \'xx in the document codepage */
	{ "{\\rtf1\\ansi\\ansicpg1251\\fromhtml1 {\\*\\htmltag64 <p>}"
	  "\\'c0\\'e1}", "<p>\xd0\x90\xd0\xb1" },
	{ HTML_HDR "\\'e9\\'80\\'93}", "\xc3\xa9\xe2\x82\xac\xe2\x80\x9c" },
	/* the font's codepage (\fcharset128: cp932) for text, the
	 * document's inside htmltag groups */
	{ HTML_HDR "{\\f1 \\'82\\'a0}{\\*\\htmltag0 \\f1 \\'e9}}",
	  "\xe3\x81\x82\xc3\xa9" },
	/* \uN and its fallback; \ucN; negative N; surrogate pairs */
	{ HTML_HDR "\\u8364?x}", "\xe2\x82\xacx" },
	{ HTML_HDR "{\\uc2\\u8364 ab c}d\\u233?}",
	  "\xe2\x82\xac c" "d\xc3\xa9" },
	{ HTML_HDR "\\u-3913?\\u-10179?\\u-8704?}",
	  "\xef\x82\xb7\xf0\x9f\x98\x80" },
	{ HTML_HDR "\\uc0\\u233 x\\u233\\'e9y}",
	  "\xc3\xa9x\xc3\xa9\xc3\xa9y" },
	{ HTML_HDR "\\uc1\\u233\\'e9y\\u233{z}}", "\xc3\xa9y\xc3\xa9z" },
	/* character control words and symbols */
	{ HTML_HDR "\\lquote\\rquote\\ldblquote\\rdblquote\\endash\\emdash"
	  "\\bullet\\~\\_\\-}",
	  "\xe2\x80\x98\xe2\x80\x99\xe2\x80\x9c\xe2\x80\x9d\xe2\x80\x93"
	  "\xe2\x80\x94\xe2\x80\xa2\xc2\xa0\xe2\x80\x91" },
	/* header destinations are not HTML */
	{ HTML_HDR "{\\colortbl;\\red0\\green0\\blue0;}{\\stylesheet{\\s0 "
	  "Normal;}}ok}", "ok" },
};

START_TEST(rtf_html_rules)
{
	conv_check(pf_rtf_to_html, &html_cases[_i], _i);
}
END_TEST

START_TEST(rtf_html_notfound)
{
	static const char *const docs[] = {
		"{\\rtf1\\ansi hello}",
		"{\\rtf1\\ansi\\fromhtml0 hello}",
		"{\\rtf1\\ansi hello\\fromhtml1 }",      /* after text */
		"{\\rtf1\\ansi{\\foo\\fromhtml1 } hello}",  /* not top */
		"{\\rtf1\\ansi\\fromtext hello}",
		"",
	};

	for (size_t i = 0; i < N_ELEM(docs); i++) {
		char *out = (char *)1;
		size_t n = 1;

		ck_assert_int_eq(pf_rtf_to_html((const uint8_t *)docs[i],
						strlen(docs[i]), &out, &n),
				 PF_E_NOTFOUND);
		ck_assert_ptr_null(out);
		ck_assert_uint_eq(n, 0);
		ck_assert(!pf_rtf_is_html((const uint8_t *)docs[i],
					  strlen(docs[i])));
	}
	ck_assert(pf_rtf_is_html((const uint8_t *)HTML_HDR "}",
				 strlen(HTML_HDR "}")));
}
END_TEST

#define TXT_HDR "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0\\fswiss Arial;}" \
		"{\\f1\\fcharset161 Greek;}}{\\colortbl;\\red0\\green0" \
		"\\blue0;}{\\stylesheet{\\s0 Normal;}}{\\info{\\title T}" \
		"{\\author A}}{\\*\\generator X;}\\pard\\plain "

static const struct conv_case text_cases[] = {
	/* header destinations skipped; \par \line LF, \tab TAB */
	{ TXT_HDR "Hello\\par World\\line x\\tab y}", "Hello\nWorld\nx\ty" },
	/* the delimiter space is not text, a second one is */
	{ TXT_HDR "a\\par  b\\par\nc}", "a\n b\nc" },
	/* raw CR / LF are not text; \<LF> is \par */
	{ TXT_HDR "a\r\nb\\\nc}", "ab\nc" },
	/* pictures, \bin data (braces inside), objects, fields */
	{ TXT_HDR "{\\pict\\wmetafile8 0123abcd}{\\pict\\bin4 }{x}}y"
	  "{\\object{\\*\\objdata 0102}}z}", "yz" },
	{ TXT_HDR "{\\field{\\*\\fldinst HYPERLINK \"http://x\"}{\\fldrslt "
	  "link}} {\\field{\\fldinst PAGE}{\\fldrslt 2}}}", "link 2" },
	/* unknown \* destinations skipped, unknown words ignored */
	{ TXT_HDR "{\\*\\foo bar}\\qc\\b\\fs20 ok\\b0}", "ok" },
	/* \'xx: Windows-1252 by default, \ansicpg, \fcharset */
	{ TXT_HDR "\\'e9\\'80{\\f1 \\'e1}\\'e1}",
	  "\xc3\xa9\xe2\x82\xac\xce\xb1\xc3\xa1" },
	{ "{\\rtf1\\ansi\\ansicpg1253 \\'e1}", "\xce\xb1" },
	{ "{\\rtf1\\ansi\\ansicpg936 \\'d6\\'d0}", "\xe4\xb8\xad" },
	/* \plain returns to the default font */
	{ "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 A;}{\\f1\\fcharset204 C;}}"
	  "\\f1\\'c0\\plain\\'c0}", "\xd0\x90\xc3\x80" },
	/* \u, \uc, surrogates, a lone surrogate */
	{ TXT_HDR "\\u8364?\\uc0\\u8364\\u-10179\\u-8704.\\u-10179 x}",
	  "\xe2\x82\xac\xe2\x82\xac\xf0\x9f\x98\x80.\xef\xbf\xbdx" },
	/* special characters */
	{ TXT_HDR "\\\\\\{\\}\\emspace\\enspace\\zwj}",
	  "\\{}\xe2\x80\x83\xe2\x80\x82\xe2\x80\x8d" },
	/* \htmlrtf is rendered text in a plain document ... */
	{ TXT_HDR "\\htmlrtf abc\\htmlrtf0 def}", "abcdef" },
	/* ... and not original text in a \fromtext one */
	{ "{\\rtf1\\ansi\\fromtext \\deff0{\\fonttbl{\\f0 A;}}"
	  "\\htmlrtf{\\b x}\\par\\htmlrtf0 orig\\par line}",
	  "orig\nline" },
	/* \fromhtml documents: the RTF rendering, tags skipped */
	{ HTML_HDR "{\\*\\htmltag19 <html>}\\htmlrtf \\par\\htmlrtf0 Hi"
	  "{\\*\\htmltag27 </html>}}", "\nHi" },
	/* nothing after the document's group */
	{ "{\\rtf1 a}b{c}", "a" },
	/* \u without a number and \u0 are not characters */
	{ "{\\rtf1 a\\u b\\u0?c}", "abc" },
	/* a lone backslash, a bad \' escape at the end */
	{ "{\\rtf1 a\\'4", "a4" },
	{ "{\\rtf1 a\\", "a" },
	{ "{\\rtf1 \\'zzb}", "zzb" },
};

START_TEST(rtf_text_rules)
{
	conv_check(pf_rtf_to_text, &text_cases[_i], _i);
}
END_TEST

/* Nesting far past PF_RTF_MAX_DEPTH, unbalanced braces, every prefix of
 * a rich document: bounded, valid UTF-8, no crash. */
START_TEST(rtf_hostile)
{
	size_t deep = 100000, n = 0;
	char *doc = malloc(2 * deep + 64), *out;
	const char *rich = HTML_HDR "{\\*\\htmltag19 <html>}\\htmlrtf {\\b "
			   "\\htmlrtf0 H\\'e9llo\\u8364?\\htmlrtf }\\htmlrtf0 "
			   "{\\pict\\bin3 {{{}\\uc2\\u-10179 ab\\u-8704 cd"
			   "\\par{\\*\\htmltag27 </html>}}";

	n += (size_t)sprintf(doc, "{\\rtf1\\fromhtml1 ");
	for (size_t i = 0; i < deep; i++)
		doc[n++] = '{';
	n += (size_t)sprintf(doc + n, "deep");
	for (size_t i = 0; i < deep; i++)
		doc[n++] = '}';
	doc[n] = '\0';
	out = to_text(doc);
	ck_assert_str_eq(out, "deep");
	free(out);
	out = to_html(doc);
	ck_assert_str_eq(out, "deep");
	free(out);
	free(doc);
	out = to_text("}}}{\\rtf1 x}}}");
	ck_assert_str_eq(out, "x");
	free(out);
	for (size_t len = 0; len <= strlen(rich); len++) {
		const uint8_t *p = (const uint8_t *)rich;
		size_t cb;

		if (pf_rtf_to_html(p, len, &out, &cb) == 0) {
			ck_assert(pfm_utf8_valid((uint8_t *)out, cb));
			free(out);
		}
		ck_assert_int_eq(pf_rtf_to_text(p, len, &out, &cb), 0);
		ck_assert(pfm_utf8_valid((uint8_t *)out, cb));
		free(out);
	}
}
END_TEST

/* ---- the corpus: every PidTagRtfCompressed through the reader ---- */

#define CORPUS "../shared/corpus"
#define TAG_RTF_COMPRESSED 0x1009
#define MAX_BLOBS 4096

/* Our decompressed bodies of one file. */
struct blobs {
	struct {
		uint8_t *p;
		size_t n;
		uint32_t raw_size;      /* RAWSIZE as stored */
		bool matched;
	} v[MAX_BLOBS];
	size_t n;
	unsigned with_rtf, failed, messages;
	unsigned mela;           /* uncompressed ("MELA") bodies */
	unsigned body_same, body_other, html;
	struct pf_ndb *ndb;
};

/* Collapse whitespace runs (and U+00A0) to one space, trim. */
static void squeeze(char *s)
{
	char *d = s;
	bool sp = true;

	for (char *p = s; *p; p++) {
		bool ws = *p == ' ' || *p == '\t' || *p == '\r' ||
			  *p == '\n';

		if ((uint8_t)p[0] == 0xC2 && (uint8_t)p[1] == 0xA0) {
			ws = true;
			p++;
		}
		if (!ws)
			*d++ = *p;
		else if (!sp)
			*d++ = ' ';
		sp = ws;
	}
	if (d > s && d[-1] == ' ')
		d--;
	*d = '\0';
}

/*
 * The other bodies of the same message as oracles: Outlook keeps
 * PidTagBody (0x1000) in step with the RTF, so our text must be that text
 * up to whitespace; an HTML-encapsulating RTF must give HTML.
 */
static void check_bodies(struct blobs *b, struct pf_message *m,
			 const uint8_t *rtf, size_t n)
{
	char *text, *body, *html;
	size_t cb;

	ck_assert_int_eq(pf_rtf_to_text(rtf, n, &text, &cb), 0);
	if (pf_pc_get_string(&m->pc, 0x1000, &body) == 0) {
		squeeze(text);
		squeeze(body);
		if (strcmp(text, body) == 0)
			b->body_same++;
		else
			b->body_other++;
		free(body);
	}
	free(text);
	if (pf_rtf_is_html(rtf, n)) {
		ck_assert_int_eq(pf_rtf_to_html(rtf, n, &html, &cb), 0);
		ck_assert_ptr_nonnull(strchr(html, '<'));
		ck_assert_ptr_null(strstr(html, "\\htmlrtf"));
		b->html++;
		free(html);
	}
}

static int one_message(void *ctx, const struct pf_nbt_entry *e)
{
	struct blobs *b = ctx;
	struct pf_message m;
	struct pf_lzfu_info info;
	uint8_t *raw, *rtf;
	size_t cb, n;

	if (PF_NID_TYPE(e->nid) != PF_NT_NORMAL_MESSAGE ||
	    pf_message_open(&m, b->ndb, (uint32_t)e->nid) != 0)
		return 0;
	b->messages++;
	if (pf_pc_get_bin(&m.pc, TAG_RTF_COMPRESSED, &raw, &cb) == 0) {
		b->with_rtf++;
		if (pf_lzfu_decode(raw, cb, 0, &rtf, &n, &info) != 0) {
			fprintf(stderr, "  nid 0x%x: %s\n", (unsigned)e->nid,
				pf_error_msg());
			b->failed++;
		} else if (b->n < MAX_BLOBS) {
			check_bodies(b, &m, rtf, n);
			b->v[b->n].p = rtf;
			b->v[b->n].n = n;
			b->v[b->n].raw_size = info.raw_size;
			if (info.magic == PF_RTF_MAGIC_UNCOMPRESSED) {
				/* no oracle reads these (below): at
				 * least they must be RTF */
				ck_assert_uint_ge(n, 5);
				ck_assert_mem_eq(rtf, "{\\rtf", 5);
				b->mela++;
			}
			b->v[b->n++].matched = false;
		} else {
			free(rtf);
		}
		free(raw);
	}
	pf_message_close(&m);
	return 0;
}

/* Whether oracle bytes P[N] are body I: the same bytes plus EXTRA NULs
 * (pffexport), or - for MELA bodies whose RAWSIZE is past the contents -
 * RAWSIZE bytes starting with ours (readpst copies RAWSIZE bytes). */
static bool blob_is(const struct blobs *b, size_t i, const uint8_t *p,
		    size_t n, size_t extra)
{
	size_t ours = b->v[i].n;

	if (n == ours + extra && memcmp(b->v[i].p, p, ours) == 0) {
		for (size_t k = ours; k < n; k++)
			if (p[k] != 0)
				return false;
		return true;
	}
	return extra == 0 && b->v[i].raw_size > ours &&
	       n == b->v[i].raw_size && memcmp(b->v[i].p, p, ours) == 0;
}

/* Mark the first unmatched body that P[N] is; false when none. */
static bool blobs_match(struct blobs *b, const uint8_t *p, size_t n,
			size_t extra)
{
	for (size_t i = 0; i < b->n; i++)
		if (!b->v[i].matched && blob_is(b, i, p, n, extra)) {
			b->v[i].matched = true;
			return true;
		}
	return false;
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long len;

	*n = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		p = malloc((size_t)len + 1);
		if (p && fread(p, 1, (size_t)len, f) != (size_t)len) {
			free(p);
			p = NULL;
		}
		*n = (size_t)len;
	}
	fclose(f);
	return p;
}

struct oracle_count {
	unsigned files, matched, empty;
};

/*
 * Compare every oracle file named *SUFFIX under DIR with our bodies.
 * readpst -S writes N-rtf-body.rtf with exactly the decompressed bytes
 * (RAWSIZE bytes: RTF bodies often end in a NUL that is part of them);
 * pffexport -f rtf writes Message.rtf with one NUL more (libpff's size
 * counts a terminator), and an empty file when libpff cannot decompress
 * the body (the generator's MELA streams).  EXTRA is that added NUL.
 */
static void oracle_walk(const char *dir, const char *suffix, size_t extra,
			struct blobs *b, struct oracle_count *oc)
{
	char cmd[1200], line[4096];
	FILE *p;

	/* embedded messages (pffexport's .../Attachments/...) are not
	 * walked here: the NBT walk sees top-level messages only */
	snprintf(cmd, sizeof(cmd), "find '%s' -type f -name '*%s' ! -path "
		 "'*/Attachments/*'", dir, suffix);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p)) {
		size_t n, len = strcspn(line, "\n");
		uint8_t *data;

		line[len] = '\0';
		data = slurp(line, &n);
		ck_assert_ptr_nonnull(data);
		if (n == 0) {
			oc->empty++;
		} else {
			oc->files++;
			if (blobs_match(b, data, n, extra))
				oc->matched++;
			else if (oc->files - oc->matched <= 3)
				fprintf(stderr, "  no match for %s (%zu "
					"bytes)\n", line, n);
		}
		free(data);
	}
	pclose(p);
}

static bool have_tool(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* Run readpst and pffexport on PATH in a scratch dir, match their RTF
 * files against ours. */
static void oracles(const char *rel, struct blobs *b)
{
	char dir[] = "/tmp/pstfix-rtf-XXXXXX", cmd[8400], path[4096];
	struct oracle_count rp = { 0, 0, 0 }, pff = { 0, 0, 0 };

	ck_assert_ptr_nonnull(realpath(rel, path));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	if (have_tool("readpst")) {
		/* -j 0: readpst's parallel children are not
		 * deterministic (roundtrip.py, L2) */
		snprintf(cmd, sizeof(cmd), "mkdir '%s/rp' && readpst -j 0 "
			 "-q -S -t e -o '%s/rp' '%s' >/dev/null 2>&1", dir,
			 dir, path);
		if (system(cmd) == 0)
			oracle_walk(dir, "-rtf-body.rtf", 0, b, &rp);
		for (size_t i = 0; i < b->n; i++)
			b->v[i].matched = false;
	} else {
		printf("SKIP: readpst absent\n");
	}
	if (have_tool("pffexport")) {
		snprintf(cmd, sizeof(cmd), "cd '%s' && pffexport -q -f rtf "
			 "-t px '%s' >/dev/null 2>&1", dir, path);
		if (system(cmd) == 0)
			oracle_walk(dir, "Message.rtf", 1, b, &pff);
	} else {
		printf("SKIP: pffexport absent\n");
	}
	printf("  %s: %u messages, %u with RTF (%u MELA, %u HTML); matched "
	       "readpst %u/%u, pffexport %u/%u (%u empty); text = "
	       "PidTagBody %u/%u\n", rel, b->messages, b->with_rtf, b->mela,
	       b->html, rp.matched, rp.files, pff.matched, pff.files,
	       pff.empty, b->body_same, b->body_same + b->body_other);
	ck_assert_uint_eq(b->body_other, 0);
	/* readpst 0.6.76 runs the LZ decoder over MELA contents (garbage
	 * out) and libpff writes them as empty files: only those may go
	 * unmatched */
	ck_assert_uint_le(rp.files - rp.matched, b->mela);
	ck_assert_uint_eq(pff.matched, pff.files);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The corpus files with RTF bodies, and how many at least (pffexport's
 * count from the same files): a reader regression cannot pass as "no
 * RTF found". */
static const struct {
	const char *name;
	unsigned min_rtf;
} rtf_files[] = {
	{ "tika-variousBodyTypes.pst", 1 },
	{ "generator-900msgs.pst", 900 },
	{ "aspose-sample.ost", 68 },
	{ "aspose-outlook.pst", 1 },
	{ "pst-extractor-contacts.pst", 1 },
	{ "pst-extractor-contacts97-2002-ansi.pst", 1 },
};

START_TEST(corpus_rtf)
{
	char path[512];
	struct blobs *b = calloc(1, sizeof(*b));

	snprintf(path, sizeof(path), "%s/%s", CORPUS, rtf_files[_i].name);
	if (access(path, R_OK) != 0) {
		printf("SKIP: %s absent\n", path);
		free(b);
		return;
	}
	ck_assert_int_eq(pf_ndb_open(&b->ndb, path), 0);
	ck_assert_int_eq(pf_nbt_foreach(b->ndb, one_message, b), 0);
	ck_assert_uint_eq(b->failed, 0);
	ck_assert_uint_ge(b->with_rtf, rtf_files[_i].min_rtf);
	oracles(path, b);
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].p);
	pf_ndb_close(b->ndb);
	free(b);
}
END_TEST

static Suite *rtf_suite(bool with_corpus)
{
	Suite *s = suite_create("rtf");
	TCase *tc = tcase_create("lzfu");

	tcase_add_test(tc, lzfu_example1);
	tcase_add_test(tc, lzfu_example2_overlap);
	tcase_add_test(tc, lzfu_runlength);
	tcase_add_test(tc, lzfu_unwritten_reference);
	tcase_add_test(tc, lzfu_uncompressed);
	tcase_add_test(tc, lzfu_bad_crc);
	tcase_add_test(tc, lzfu_truncated);
	tcase_add_test(tc, lzfu_size_lies);
	tcase_add_test(tc, lzfu_no_end);
	tcase_add_test(tc, lzfu_noise);
	suite_add_tcase(s, tc);
	tc = tcase_create("rtf");
	tcase_add_loop_test(tc, rtf_html_rules, 0, N_ELEM(html_cases));
	tcase_add_test(tc, rtf_html_notfound);
	tcase_add_loop_test(tc, rtf_text_rules, 0, N_ELEM(text_cases));
	tcase_add_test(tc, rtf_hostile);
	suite_add_tcase(s, tc);
	if (with_corpus) {
		tc = tcase_create("corpus");
		tcase_set_timeout(tc, 600);
		tcase_add_loop_test(tc, corpus_rtf, 0, N_ELEM(rtf_files));
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	bool with_corpus = access(CORPUS, R_OK | X_OK) == 0;
	SRunner *sr;
	int failed;

	if (!with_corpus)
		printf("SKIP: %s absent\n", CORPUS);
	sr = srunner_create(rtf_suite(with_corpus));

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
