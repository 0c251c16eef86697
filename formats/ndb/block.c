/*
 * block.c - read one block (MS-PST 2.2.2.8): trailer checks, decoding,
 * and inflating 4K-page OST blocks.
 *
 * Contract: the BBT entry says where the block is and how many bytes of
 * data it holds; the on-disk block is that size rounded up with its
 * trailer to the block alignment.  Every rule the trailer breaks (cb, BID,
 * wSig, CRC) is reported.  The data is returned whenever its extent is
 * readable and the trailer names the right BID: salvage wants bytes with a
 * bad CRC rather than nothing, and the sink has said what is wrong.
 * Encoded data is decoded only for external blocks (BID bit 1 clear).
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../util/pf_crc.h"
#include "../util/pf_le.h"
#include "ndb_internal.h"

uint32_t pf_block_size(const struct pf_layout *l, uint32_t cb)
{
	uint32_t n = cb + l->block_trailer;

	return (n + l->block_align - 1) / l->block_align * l->block_align;
}

static void trailer_get(const struct pf_layout *l, const uint8_t *p,
			struct pf_block_trailer *t)
{
	t->cb = pf_le16(p);
	t->sig = pf_le16(p + 2);
	t->cb_inflated = 0;
	if (l->bid_size == 4) {        /* ANSI: cb wSig bid dwCRC */
		t->bid = pf_le32(p + 4);
		t->crc = pf_le32(p + 8);
	} else {                       /* cb wSig dwCRC bid [cbInflated] */
		t->crc = pf_le32(p + 4);
		t->bid = pf_le64(p + 8);
		/* 4K: +16 unknown u16, +18 inflated size (libyal PFF) */
		if (l->block_trailer >= 24)
			t->cb_inflated = pf_le16(p + 18);
	}
}

static void fault(const struct pf_sink *sink, enum pf_fault_kind kind,
		  const char *field, const struct pf_bbt_entry *e,
		  uint64_t got, uint64_t want)
{
	struct pf_fault f = {
		.obj = PF_OBJ_BLOCK, .kind = kind, .field = field,
		.ib = e->bref.ib, .bid = e->bref.bid, .got = got, .want = want,
	};

	pf_report(sink, &f);
}

/* The extent must be aligned, inside the file and no larger than a block
 * may be; otherwise nothing can be read. */
static bool extent_ok(struct pf_ndb *ndb, const struct pf_bbt_entry *e,
		      const struct pf_sink *sink, uint32_t *size)
{
	const struct pf_layout *l = &ndb->layout;

	*size = pf_block_size(l, e->cb);
	if (e->bref.ib % l->block_align != 0) {
		fault(sink, PF_F_ALIGN, "ib", e, e->bref.ib % l->block_align,
		      0);
		return false;
	}
	if (*size > l->block_max) {
		fault(sink, PF_F_CB, "cb", e, e->cb,
		      l->block_max - l->block_trailer);
		return false;
	}
	if (e->bref.ib > ndb->size || *size > ndb->size - e->bref.ib) {
		fault(sink, PF_F_PAST_EOF, "ib", e, e->bref.ib + *size,
		      ndb->size);
		return false;
	}
	return true;
}

void pf_ndb_crc_memo(struct pf_ndb *ndb, struct pf_crc_memo *m,
		     enum pf_memo_mode mode)
{
	ndb->memo = mode == PF_MEMO_OFF ? NULL : m;
	ndb->memo_mode = m ? mode : PF_MEMO_OFF;
}

uint32_t pf_ndb_block_crc(struct pf_ndb *ndb, uint64_t ib, uint16_t cb,
			  uint64_t bid, uint32_t stored, const uint8_t *raw)
{
	uint32_t crc;

	if (ndb->memo_mode == PF_MEMO_TRUST &&
	    pf_crc_memo_holds(ndb->memo, ib, cb, bid, stored))
		return stored;
	crc = pf_crc(raw, cb);
	if (ndb->memo_mode == PF_MEMO_FILL && crc == stored)
		pf_crc_memo_note(ndb->memo, ib, cb, bid, crc);
	return crc;
}

static bool trailer_ok(struct pf_ndb *ndb, const uint8_t *raw,
		       uint32_t size, const struct pf_bbt_entry *e,
		       const struct pf_sink *sink, struct pf_block_trailer *out)
{
	const struct pf_layout *l = &ndb->layout;
	struct pf_block_trailer t;
	bool usable = true;
	uint16_t sig;
	uint32_t crc;

	trailer_get(l, raw + size - l->block_trailer, &t);
	if (t.cb != e->cb) {
		fault(sink, PF_F_CB, "cb", e, t.cb, e->cb);
		usable = false;
	}
	if ((t.bid & ~(uint64_t)1) != (e->bref.bid & ~(uint64_t)1)) {
		fault(sink, PF_F_BID, "bid", e, t.bid, e->bref.bid);
		usable = false;
	}
	sig = pf_sig(e->bref.ib, t.bid);
	if (t.sig != sig)
		fault(sink, PF_F_SIG, "wSig", e, t.sig, sig);
	/* nobody to tell: no CRC */
	crc = sink ? pf_ndb_block_crc(ndb, e->bref.ib, e->cb, t.bid, t.crc,
				      raw) : t.crc;
	if (t.crc != crc)
		fault(sink, PF_F_CRC, "dwCRC", e, t.crc, crc);
	*out = t;
	return usable;
}

/* 4K OST: a block whose inflated size differs from its stored size is a
 * zlib stream (libyal PFF format, "compressed data block"); the CRC covers
 * the stored, compressed bytes. */
static int inflate_block(const struct pf_bbt_entry *e, uint32_t cb_inflated,
			 const struct pf_sink *sink, uint8_t **data,
			 size_t *cb)
{
	uLongf out_cb = cb_inflated;
	uint8_t *out = malloc(out_cb ? out_cb : 1);
	int zrc;

	if (!out)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	zrc = uncompress(out, &out_cb, *data, *cb);
	if (zrc != Z_OK || out_cb != cb_inflated) {
		/* a broken stream or checksum yields nothing usable, however
		 * many bytes zlib wrote before it noticed */
		fault(sink, PF_F_INFLATE, "cbInflated", e,
		      zrc == Z_OK ? out_cb : 0, cb_inflated);
		free(out);
		return pf_error_set(PF_E_CORRUPT,
				    "block 0x%llx does not inflate",
				    (unsigned long long)e->bref.bid);
	}
	free(*data);
	*data = out;
	*cb = out_cb;
	return 0;
}

static int unusable(const struct pf_bbt_entry *e, const char *why)
{
	return pf_error_set(PF_E_CORRUPT, "block 0x%llx at 0x%llx: %s",
			    (unsigned long long)e->bref.bid,
			    (unsigned long long)e->bref.ib, why);
}

int pf_block_read(struct pf_ndb *ndb, const struct pf_bbt_entry *e,
		  const struct pf_sink *sink, uint8_t **data, size_t *cb)
{
	return pf_block_read_ex(ndb, e, sink, 0, data, cb);
}

int pf_block_read_ex(struct pf_ndb *ndb, const struct pf_bbt_entry *e,
		     const struct pf_sink *sink, unsigned flags,
		     uint8_t **data, size_t *cb)
{
	struct pf_block_trailer t;
	uint8_t *raw;
	uint32_t size;
	int rc;

	*data = NULL;
	*cb = 0;
	if (!extent_ok(ndb, e, sink, &size))
		return unusable(e, "extent is unreadable");
	raw = malloc(size);
	if (!raw)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	rc = pf_ndb_pread(ndb, e->bref.ib, raw, size);
	if (rc == 0 && !trailer_ok(ndb, raw, size, e, sink, &t))
		rc = unusable(e, "trailer does not match the BBT");
	if (rc != 0) {
		free(raw);
		return rc;
	}
	*data = raw;
	*cb = e->cb;
	/* 4K OST: the trailer's inflated size says whether the stored bytes
	 * are a zlib stream; inflate first, then decode (libpff, XstReader) */
	if (t.cb_inflated != 0 && t.cb_inflated != e->cb) {
		rc = inflate_block(e, t.cb_inflated, sink, data, cb);
		if (rc != 0) {
			free(*data);
			*data = NULL;
			*cb = 0;
			return rc;
		}
	}
	if (!(e->bref.bid & PF_BID_INTERNAL) && !(flags & PF_BLOCK_RAW))
		pf_decode(ndb->header.crypt_method, e->bref.bid, *data, *cb);
	return 0;
}

int pf_block_read_bid(struct pf_ndb *ndb, uint64_t bid,
		      const struct pf_sink *sink, uint8_t **data, size_t *cb)
{
	struct pf_bbt_entry e;
	int rc = pf_bbt_lookup(ndb, bid, &e);

	*data = NULL;
	*cb = 0;
	if (rc == PF_E_NOTFOUND) {
		struct pf_fault f = {
			.obj = PF_OBJ_BLOCK, .kind = PF_F_MISSING,
			.field = "bid", .ib = PF_NO_IB, .bid = bid,
		};

		pf_report(sink, &f);
		return pf_error_set(PF_E_CORRUPT,
				    "block 0x%llx is not in the BBT",
				    (unsigned long long)bid);
	}
	if (rc != 0)
		return rc;
	return pf_block_read(ndb, &e, sink, data, cb);
}

int pf_block_verify(struct pf_ndb *ndb, const struct pf_bbt_entry *e,
		    const struct pf_sink *sink)
{
	const struct pf_layout *l = &ndb->layout;
	struct pf_block_trailer t;
	const uint8_t *raw;
	uint8_t *data;
	uint32_t size;
	size_t cb;
	int rc;

	if (!extent_ok(ndb, e, sink, &size))
		return unusable(e, "extent is unreadable");
	rc = pf_ndb_window(ndb, e->bref.ib, size, &raw);
	if (rc != 0)
		return rc;
	trailer_get(l, raw + size - l->block_trailer, &t);
	if (t.cb_inflated != 0 && t.cb_inflated != e->cb) {
		/* a zlib stream (4K): whether it inflates is part of the
		 * verdict, and that takes the whole read */
		rc = pf_block_read_ex(ndb, e, sink, PF_BLOCK_RAW, &data, &cb);
		free(data);
		return rc;
	}
	if (!trailer_ok(ndb, raw, size, e, sink, &t))
		return unusable(e, "trailer does not match the BBT");
	return 0;
}
