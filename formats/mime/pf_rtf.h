/*
 * pf_rtf.h - compressed RTF (MS-OXRTFCP) and RTF bodies (MS-OXRTFEX,
 * [MSFT-RTF]): PidTagRtfCompressed to RTF, RTF to the HTML it
 * encapsulates, RTF to plain text.
 *
 * Contract
 * - Pure functions on byte buffers: no I/O, no globals, thread-safe.
 * - Every result is malloc'd, NUL-terminated for convenience; the count
 *   excludes the NUL.  The caller frees it.  On failure *out is NULL and a
 *   one-line message is set (pf_err.h).
 * - Bounded: the decompressed size is capped (PF_RTF_MAX_RAW, and what the
 *   input can encode), RTF group nesting is capped (PF_RTF_MAX_DEPTH, deeper
 *   groups are read as part of the deepest kept one), the converted output
 *   is capped in proportion to the input (PF_E_LIMIT past it).  No
 *   recursion.
 */
#ifndef PF_RTF_H
#define PF_RTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PF_RTF_MAGIC_COMPRESSED   0x75465A4Cu  /* "LZFu" */
#define PF_RTF_MAGIC_UNCOMPRESSED 0x414C454Du  /* "MELA" */
#define PF_RTF_MAX_RAW   ((size_t)256 << 20)  /* decompressed bytes */
#define PF_RTF_MAX_DEPTH 512                  /* RTF group nesting kept */

/* Salvage: a bad CRC, a truncated stream, a size that lies or a reference
 * to an unwritten part of the dictionary end the decoding (or are
 * ignored, for the CRC) instead of failing; what decoded is returned. */
#define PF_RTF_IGNORE_CRC 0x1u

/* What pf_lzfu_decode() found (all fields set even on failure, as far as
 * the header could be read). */
struct pf_lzfu_info {
	uint32_t comp_size;      /* COMPSIZE as stored */
	uint32_t raw_size;       /* RAWSIZE as stored */
	uint32_t magic;          /* COMPTYPE */
	uint32_t crc_stored;     /* CRC field */
	uint32_t crc_computed;   /* over the CONTENTS present (LZFu) */
	bool crc_ok;             /* LZFu only; MELA has no CRC */
	bool truncated;          /* COMPSIZE past the end of the input */
	bool bad_reference;      /* a reference to an unwritten position */
	bool size_mismatch;      /* output length != RAWSIZE */
	bool no_end;             /* input ended without the end reference */
};

/* MS-OXRTFCP 2.1.3: decompress a PidTagRtfCompressed (0x1009) value.
 * Handles COMPRESSED ("LZFu") and UNCOMPRESSED ("MELA") streams; checks
 * COMPSIZE / RAWSIZE against the input and PF_RTF_MAX_RAW, and the CRC
 * (2.1.3.2) of compressed data.  Damage is PF_E_CORRUPT unless FLAGS has
 * PF_RTF_IGNORE_CRC (then what decodes is returned with 0).  An unknown
 * COMPTYPE or a header shorter than 16 bytes is always PF_E_CORRUPT.
 * Bytes after COMPSIZE + 4 are ignored (property values may be padded). */
int pf_lzfu_decompress(const uint8_t *in, size_t cb, unsigned flags,
		       uint8_t **out, size_t *cb_out);

/* The same, reporting what was found in *INFO (may be NULL). */
int pf_lzfu_decode(const uint8_t *in, size_t cb, unsigned flags,
		   uint8_t **out, size_t *cb_out, struct pf_lzfu_info *info);

/* MS-OXRTFEX 2.2.3.2: when RTF encapsulates HTML (\fromhtml1 in the
 * header), the original HTML as UTF-8: text under \htmlrtf (up to
 * \htmlrtf0 or the end of its group) is suppressed, the content of
 * {\*\htmltagN ...} groups is emitted, \'xx is read in the font's or the
 * document's codepage (\ansicpgN, cp1252 by default), \uN is emitted and
 * its \ucN fallback skipped, \par and \line become CRLF, \tab a TAB, and
 * the character control words (\lquote, \emdash, \~ ...) their
 * characters; other destinations are skipped.  PF_E_NOTFOUND when the RTF
 * does not encapsulate HTML. */
int pf_rtf_to_html(const uint8_t *rtf, size_t cb, char **html,
		   size_t *cb_html);

/* The plain text of any RTF document as UTF-8 with LF line ends: skips
 * destinations (\*, fonttbl, colortbl, stylesheet, info, pict, ...),
 * handles \par \line \tab \'xx \uN \ucN and the character control words,
 * \ansicpg and \fcharset (cp1252 when nothing says otherwise).  For
 * \fromtext encapsulations (MS-OXRTFEX 2.1.3.1.2) \htmlrtf regions are
 * suppressed, which gives the original text; for \fromhtml ones the text
 * the RTF renders. */
int pf_rtf_to_text(const uint8_t *rtf, size_t cb, char **text,
		   size_t *cb_text);

/* True when the RTF header declares \fromhtml1 (MS-OXRTFEX 2.2.3.1). */
bool pf_rtf_is_html(const uint8_t *rtf, size_t cb);

#endif
