/*
 * lzfu.c - PidTagRtfCompressed to RTF (MS-OXRTFCP 2.1.3, 2.2).
 *
 * The stream is a 16-byte header (COMPSIZE, RAWSIZE, COMPTYPE, CRC;
 * 2.1.3.1.1) and CONTENTS.  "MELA" contents are the RTF itself; "LZFu"
 * contents are runs of a CONTROL byte and eight tokens, least significant
 * bit first: 0 a literal byte, 1 a big-endian 16-bit dictionary reference
 * (12-bit offset, 4-bit length - 2; 2.1.3.1.5).  The 4096-byte circular
 * dictionary starts with the 207 bytes of 2.1.2.1 and WritePosition 207;
 * every output byte is also written to it, one at a time, so a reference
 * that runs past WritePosition repeats what it just wrote (run-length).  A
 * reference whose offset equals WritePosition ends the data (2.2.3.1).
 *
 * Rules (and why)
 * - The CRC (2.1.3.2: CRC-32 table, seed 0, no final inversion, which is
 *   pf_crc()) covers the CONTENTS bytes COMPSIZE names.
 * - A reference to a dictionary position never written cannot come from
 *   a compressor (2.2.2 only matches what it has seen): damage.
 * - The output is bounded by RAWSIZE, by what the contents can encode (a
 *   17-byte run yields at most 136 bytes) and by PF_RTF_MAX_RAW, so a lying
 *   RAWSIZE never drives an allocation.
 * - Strict mode: any damage is PF_E_CORRUPT.  PF_RTF_IGNORE_CRC (salvage):
 *   decoding stops at the first damage and keeps what it produced; the
 *   RAWSIZE bound is dropped (it may be the lie).
 * - A missing end reference is accepted when the CRC holds and the output
 *   has RAWSIZE bytes: the stream is exactly what its writer meant.
 * - MELA: RAWSIZE bytes of the contents; a RAWSIZE equal to COMPSIZE (a
 *   writer quirk seen in real files) is read as "all the contents".
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_crc.h"
#include "../util/pf_err.h"
#include "../util/pf_le.h"
#include "pf_rtf.h"

#define LZFU_HEADER   16
#define LZFU_DICT     4096u
#define LZFU_MASK     (LZFU_DICT - 1)

/* MS-OXRTFCP 2.1.2.1: the dictionary's initial contents. */
static const char lzfu_prebuf[] =
	"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}"
	"{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript "
	"\\fdecor MS Sans SerifSymbolArialTimes New RomanCourier"
	"{\\colortbl\\red0\\green0\\blue0\r\n\\par "
	"\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

#define LZFU_PREBUF_LEN (sizeof(lzfu_prebuf) - 1)

_Static_assert(LZFU_PREBUF_LEN == 207, "MS-OXRTFCP 2.1.2.1: 207 bytes");

struct lzfu_out {
	uint8_t *p;
	size_t n, cap;           /* cap: bytes allowed (p has cap + 1) */
	uint8_t dict[LZFU_DICT];
	uint32_t wp;             /* WritePosition */
	uint32_t written;        /* dictionary bytes ever written, <= 4096 */
	bool full;               /* an output byte did not fit in cap */
};

/* One output byte, also written to the dictionary (2.2.3.1 step 3). */
static bool lzfu_put(struct lzfu_out *o, uint8_t b)
{
	if (o->n >= o->cap) {
		o->full = true;
		return false;
	}
	o->p[o->n++] = b;
	o->dict[o->wp] = b;
	o->wp = (o->wp + 1) & LZFU_MASK;
	if (o->written < LZFU_DICT)
		o->written++;
	return true;
}

/* A dictionary reference (2.1.3.1.5); false when decoding must stop. */
static bool lzfu_ref(struct lzfu_out *o, uint16_t ref, bool *end,
		     struct pf_lzfu_info *info)
{
	uint32_t off = ref >> 4, len = (ref & 0xFu) + 2;

	if (off == o->wp) {
		*end = true;
		return false;
	}
	/* before the first wrap, positions from WritePosition on are
	 * unwritten; copying byte by byte keeps every later read behind
	 * WritePosition once the first one is */
	if (o->written < LZFU_DICT && off >= o->wp) {
		info->bad_reference = true;
		return false;
	}
	for (uint32_t k = 0; k < len; k++)
		if (!lzfu_put(o, o->dict[(off + k) & LZFU_MASK]))
			return false;
	return true;
}

/* Decode C[N] into O; *end when the end reference was read. */
static void lzfu_run(const uint8_t *c, size_t n, struct lzfu_out *o,
		     bool *end, struct pf_lzfu_info *info)
{
	size_t i = 0;

	*end = false;
	while (i < n) {
		uint8_t ctrl = c[i++];

		for (unsigned bit = 0; bit < 8 && i < n; bit++) {
			if (!(ctrl & (1u << bit))) {
				if (!lzfu_put(o, c[i++]))
					return;
				continue;
			}
			if (n - i < 2) {         /* half a reference */
				i = n;
				break;
			}
			if (!lzfu_ref(o, (uint16_t)(c[i] << 8 | c[i + 1]),
				      end, info))
				return;
			i += 2;
		}
	}
}

static void header_read(const uint8_t *in, struct pf_lzfu_info *info)
{
	info->comp_size = pf_le32(in);
	info->raw_size = pf_le32(in + 4);
	info->magic = pf_le32(in + 8);
	info->crc_stored = pf_le32(in + 12);
}

/* The CONTENTS bytes present; TRUNCATED when COMPSIZE names more. */
static size_t contents_len(size_t cb, struct pf_lzfu_info *info)
{
	size_t have = cb - LZFU_HEADER;

	if (info->comp_size < 12) {
		info->truncated = true;  /* a size that cannot be */
		return have;
	}
	if ((size_t)info->comp_size - 12 > have) {
		info->truncated = true;
		return have;
	}
	return (size_t)info->comp_size - 12;
}

static bool damaged(const struct pf_lzfu_info *info, bool compressed)
{
	return info->truncated || info->bad_reference ||
	       info->size_mismatch || (compressed && !info->crc_ok);
}

static int damage_error(const struct pf_lzfu_info *info)
{
	if (info->truncated)
		return pf_error_set(PF_E_CORRUPT,
				    "compressed RTF: COMPSIZE %u past the "
				    "end of the value", info->comp_size);
	if (info->magic == PF_RTF_MAGIC_COMPRESSED && !info->crc_ok)
		return pf_error_set(PF_E_CORRUPT,
				    "compressed RTF: CRC mismatch (read "
				    "0x%08X, computed 0x%08X)",
				    info->crc_stored, info->crc_computed);
	if (info->bad_reference)
		return pf_error_set(PF_E_CORRUPT,
				    "compressed RTF: reference to an "
				    "unwritten dictionary position");
	return pf_error_set(PF_E_CORRUPT,
			    "compressed RTF: RAWSIZE %u does not match the "
			    "data", info->raw_size);
}

/* The output bound: RAWSIZE (strict) within what N contents bytes can
 * encode and PF_RTF_MAX_RAW. */
static size_t out_cap(size_t n, bool compressed, bool salvage,
		      uint32_t raw_size)
{
	size_t cap = compressed ? (n / 17 + 1) * 136 : n;

	if (cap > PF_RTF_MAX_RAW)
		cap = PF_RTF_MAX_RAW;
	if (!salvage && raw_size < cap)
		cap = raw_size;
	return cap;
}

static int decode_compressed(const uint8_t *c, size_t n, bool salvage,
			     struct lzfu_out *o, struct pf_lzfu_info *info)
{
	bool end;

	info->crc_computed = pf_crc(c, n);
	info->crc_ok = info->crc_computed == info->crc_stored;
	if (!info->crc_ok && !salvage)
		return damage_error(info);
	memcpy(o->dict, lzfu_prebuf, LZFU_PREBUF_LEN);
	o->wp = LZFU_PREBUF_LEN;
	o->written = LZFU_PREBUF_LEN;
	lzfu_run(c, n, o, &end, info);
	info->no_end = !end;
	if (o->full || o->n != info->raw_size)
		info->size_mismatch = true;
	return 0;
}

static int decode_raw(const uint8_t *c, size_t n, struct lzfu_out *o,
		      struct pf_lzfu_info *info)
{
	size_t k = n < o->cap ? n : o->cap;

	if (info->raw_size < k)
		k = info->raw_size;    /* padding after RAWSIZE bytes */
	memcpy(o->p, c, k);
	o->n = k;
	/* some writers store COMPSIZE in RAWSIZE too (900 messages of
	 * generator-900msgs.pst): COMPSIZE still delimits the contents,
	 * which are whole */
	if (info->raw_size > n && !(info->raw_size == info->comp_size &&
				    !info->truncated))
		info->size_mismatch = true;
	return 0;
}

int pf_lzfu_decode(const uint8_t *in, size_t cb, unsigned flags,
		   uint8_t **out, size_t *cb_out, struct pf_lzfu_info *info)
{
	bool salvage = (flags & PF_RTF_IGNORE_CRC) != 0, compressed;
	struct pf_lzfu_info local;
	struct lzfu_out *o;
	size_t n;
	int rc;

	*out = NULL;
	*cb_out = 0;
	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	if (!in || cb < LZFU_HEADER)
		return pf_error_set(PF_E_CORRUPT, "compressed RTF: %zu bytes, "
				    "the header needs 16", in ? cb : 0);
	header_read(in, info);
	compressed = info->magic == PF_RTF_MAGIC_COMPRESSED;
	if (!compressed && info->magic != PF_RTF_MAGIC_UNCOMPRESSED)
		return pf_error_set(PF_E_CORRUPT, "compressed RTF: unknown "
				    "COMPTYPE 0x%08X", info->magic);
	n = contents_len(cb, info);
	if (info->truncated && !salvage)
		return damage_error(info);
	o = calloc(1, sizeof(*o));
	if (!o)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	o->cap = out_cap(n, compressed, salvage, info->raw_size);
	o->p = malloc(o->cap + 1);
	if (!o->p) {
		free(o);
		return pf_error_set(PF_E_NOMEM, "out of memory");
	}
	rc = compressed ? decode_compressed(in + LZFU_HEADER, n, salvage, o,
					    info)
			: decode_raw(in + LZFU_HEADER, n, o, info);
	if (rc == 0 && !salvage && damaged(info, compressed))
		rc = damage_error(info);
	if (rc != 0) {
		free(o->p);
		free(o);
		return rc;
	}
	o->p[o->n] = '\0';
	*out = o->p;
	*cb_out = o->n;
	free(o);
	return 0;
}

int pf_lzfu_decompress(const uint8_t *in, size_t cb, unsigned flags,
		       uint8_t **out, size_t *cb_out)
{
	return pf_lzfu_decode(in, cb, flags, out, cb_out, NULL);
}
