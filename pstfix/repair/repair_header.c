/*
 * repair_header.c - stage 1 of `pstfix repair`: a copy of the file with a
 * sound HEADER and ROOT (MS-PST 2.2.2.6, 2.2.2.5); nothing else changes.
 *
 * Contract (repair.h)
 * - IN must open as a PST (magic and wVer); its B-trees are walked to
 *   learn what is in use: every BBT entry (largest block BID, furthest
 *   block extent), every NBT/BBT page (largest page BID, furthest page),
 *   every NBT entry (largest nidIndex per NID type).  When a walk fails
 *   the counters and ibFileEof are left alone (a BTREE repair's job).
 * - Fields rewritten, each with a note and a count: wMagicClient (a value
 *   that is none of SM/SO/AB becomes SM), bSentinel, bCryptMethod (found
 *   by decoding the message store's block with each method), ibFileEof,
 *   ibAMapLast and cbAMapFree (recounted from the AMaps), bidNextB and
 *   bidNextP (above every BID in use), rgnid[] (above every nidIndex in
 *   use), then dwUnique is bumped and both CRCs recomputed over the
 *   result (pf_header_encode).
 * - ibFileEof: the file size when everything the trees reach lies below
 *   it and an AMap page starts every range up to it (a file that grew
 *   before a crash wrote its header); else, when the trees reach nothing
 *   past ibFileEof, the bytes after it are not copied (junk appended).
 * - OUT is written as OUT.tmp-XXXXXX, fsynced and renamed; IN is only
 *   read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../formats/ndb/pf_ndb.h"
#include "repair.h"
#include "repair_run.h"

#define NID_STORE 0x21u            /* MS-PST 2.7.1: the message store */

/* What the trees use (see the contract). */
struct facts {
	uint64_t max_bid_b, max_bid_p;
	uint64_t reach;                /* furthest byte a tree names */
	uint32_t max_index[32];
	uint32_t page_size;
	const struct pf_layout *l;
	bool trees_ok;
};

static int on_block(void *ctx, const struct pf_bbt_entry *e)
{
	struct facts *f = ctx;
	uint64_t bid = e->bref.bid & ~(uint64_t)1;
	uint64_t end = e->bref.ib + pf_block_size(f->l, e->cb);

	if (bid > f->max_bid_b)
		f->max_bid_b = bid;
	if (end > f->reach)
		f->reach = end;
	return 0;
}

static int on_page(void *ctx, const struct pf_bref *bref, uint32_t level)
{
	struct facts *f = ctx;
	uint64_t bid = bref->bid & ~(uint64_t)1;

	(void)level;
	if (bid > f->max_bid_p)
		f->max_bid_p = bid;
	if (bref->ib + f->page_size > f->reach)
		f->reach = bref->ib + f->page_size;
	return 0;
}

static int on_node(void *ctx, const struct pf_nbt_entry *e)
{
	struct facts *f = ctx;
	uint32_t nid = (uint32_t)e->nid;

	if (PF_NID_INDEX(nid) > f->max_index[PF_NID_TYPE(nid)])
		f->max_index[PF_NID_TYPE(nid)] = PF_NID_INDEX(nid);
	return 0;
}

static void gather(struct pf_repair_ctx *ctx, struct pf_ndb *ndb,
		   struct facts *f)
{
	memset(f, 0, sizeof(*f));
	f->l = pf_ndb_layout(ndb);
	f->page_size = f->l->page_size;
	f->trees_ok = pf_bbt_foreach(ndb, on_block, f) == 0 &&
		      pf_bt_foreach_page(ndb, PF_OBJ_BBT, on_page, f) == 0 &&
		      pf_bt_foreach_page(ndb, PF_OBJ_NBT, on_page, f) == 0 &&
		      pf_nbt_foreach(ndb, on_node, f) == 0;
	if (!f->trees_ok)
		pf_repair_note(ctx, PF_REPAIR_HEADER, "header: the B-trees "
			       "cannot be walked (%s): counters and ibFileEof "
			       "left as they are", pf_error_msg());
}

/* An AMap page (ptype 0x84, its own offset as BID, MS-PST 2.2.2.7.2)
 * starts every range below END. */
static bool amaps_cover(struct pf_ndb *ndb, const struct pf_layout *l,
			uint64_t end)
{
	uint8_t *page = malloc(l->page_size);
	bool ok = page != NULL;

	for (uint64_t ib = l->amap_first; ok && ib < end; ib += l->amap_span) {
		struct pf_page_trailer t;

		ok = ib + l->page_size <= end &&
		     pf_page_read(ndb, ib, page) == 0;
		if (ok) {
			pf_page_trailer_get(l, page, &t);
			ok = t.ptype == PF_PTYPE_AMAP && t.bid == ib;
		}
	}
	free(page);
	return ok;
}

/* MS-PST 2.2.2.5 cbAMapFree: the bytes the AMaps below EOF mark free
 * (one bit per amap_unit, 0 free), counted as the checker counts them.
 * false when a map page cannot be read. */
static bool amap_free(struct pf_ndb *ndb, const struct pf_layout *l,
		      uint64_t eof, uint64_t *free_bytes)
{
	uint8_t *page = malloc(l->page_size);
	uint64_t zero_bits = 0;
	bool ok = page != NULL;

	for (uint64_t ib = l->amap_first; ok && ib + l->page_size <= eof;
	     ib += l->amap_span) {
		ok = pf_page_read(ndb, ib, page) == 0;
		for (uint32_t i = 0; ok && i < l->amap_bits_cb; i++)
			zero_bits += 8u - (unsigned)__builtin_popcount(
					 page[l->amap_bits_ib + i]);
	}
	free(page);
	*free_bytes = zero_bits * l->amap_unit;
	return ok;
}

static void set_u64(struct pf_repair_ctx *ctx, const char *field,
		    uint64_t *at, uint64_t v, const char *why)
{
	if (*at == v)
		return;
	pf_repair_note(ctx, PF_REPAIR_HEADER, "header: %s 0x%llx -> 0x%llx "
		       "(%s)", field, (unsigned long long)*at,
		       (unsigned long long)v, why);
	*at = v;
	ctx->counts.header_fields++;
}

/* ibFileEof and ibAMapLast; *copy is how many bytes of IN to keep. */
static void fix_eof(struct pf_repair_ctx *ctx, struct pf_ndb *ndb,
		    const struct facts *f, struct pf_header *h,
		    uint64_t *copy)
{
	const struct pf_layout *l = f->l;
	uint64_t size = pf_ndb_file_size(ndb), eof = h->root.ib_file_eof;
	uint64_t free_bytes;

	*copy = size;
	if (f->trees_ok && eof != size && f->reach <= size &&
	    amaps_cover(ndb, l, size)) {
		set_u64(ctx, "ibFileEof", &h->root.ib_file_eof, size,
			"the file size");
	} else if (f->trees_ok && eof < size && f->reach <= eof &&
		   eof > l->amap_first) {
		*copy = eof;
		pf_repair_note(ctx, PF_REPAIR_HEADER, "header: %llu bytes "
			       "after ibFileEof that no AMap covers are not "
			       "copied", (unsigned long long)(size - eof));
		ctx->counts.header_fields++;
	}
	eof = h->root.ib_file_eof;
	if (eof > l->amap_first && eof <= size) {
		uint64_t last = l->amap_first + (eof - 1 - l->amap_first) /
						l->amap_span * l->amap_span;

		set_u64(ctx, "ibAMapLast", &h->root.ib_amap_last, last,
			"the last AMap below ibFileEof");
	}
	if (f->trees_ok && eof <= size && amaps_cover(ndb, l, eof) &&
	    amap_free(ndb, l, eof, &free_bytes))
		set_u64(ctx, "cbAMapFree", &h->root.cb_amap_free, free_bytes,
			"what the AMaps mark free");
}

/* MS-PST 2.2.2.6: bidNextB/bidNextP are the next BIDs to hand out (BIDs
 * step by 4), rgnid[t] the highest nidIndex of type t handed out. */
static void fix_counters(struct pf_repair_ctx *ctx, const struct facts *f,
			 struct pf_header *h)
{
	if (!f->trees_ok)
		return;
	if (h->bid_next_b <= f->max_bid_b)
		set_u64(ctx, "bidNextB", &h->bid_next_b,
			(f->max_bid_b & ~(uint64_t)3) + 4,
			"above every block BID");
	if (h->bid_next_p <= f->max_bid_p)
		set_u64(ctx, "bidNextP", &h->bid_next_p,
			(f->max_bid_p & ~(uint64_t)3) + 4,
			"above every page BID");
	for (unsigned t = 0; t < 32; t++) {
		if (h->rgnid[t] >= f->max_index[t])
			continue;
		pf_repair_note(ctx, PF_REPAIR_HEADER, "header: rgnid[0x%02x] "
			       "%u -> %u (above every nidIndex in use)", t,
			       h->rgnid[t], f->max_index[t] + 1);
		h->rgnid[t] = f->max_index[t] + 1;
		ctx->counts.header_fields++;
	}
}

/* Which encoding makes the message store's data block a heap-on-node of
 * a property context (bSig 0xEC, bClientSig 0xBC, MS-PST 2.3.1.2)?
 * Returns the method, or -1 when none does (or it cannot be read). */
static int probe_crypt(struct pf_ndb *ndb)
{
	static const enum pf_crypt methods[] = {
		PF_CRYPT_PERMUTE, PF_CRYPT_NONE, PF_CRYPT_CYCLIC,
	};
	struct pf_nbt_entry ne;
	struct pf_bbt_entry be;
	uint8_t *raw = NULL, *p;
	size_t cb = 0;
	int found = -1;

	if (pf_nbt_lookup(ndb, NID_STORE, &ne) != 0 ||
	    pf_bbt_lookup(ndb, ne.bid_data, &be) != 0 ||
	    pf_block_read_ex(ndb, &be, NULL, PF_BLOCK_RAW, &raw, &cb) != 0)
		return -1;
	p = malloc(cb ? cb : 1);
	for (size_t i = 0; p && cb >= 4 && found < 0 && i < 3; i++) {
		memcpy(p, raw, cb);
		pf_decode(methods[i], be.bref.bid, p, cb);
		if (p[2] == 0xEC && p[3] == 0xBC)
			found = (int)methods[i];
	}
	free(p);
	free(raw);
	return found;
}

static void fix_fields(struct pf_repair_ctx *ctx, struct pf_ndb *ndb,
		       struct pf_header *h)
{
	uint64_t v;
	int method;

	if (h->magic_client != PF_MAGIC_CLIENT_PST &&
	    h->magic_client != PF_MAGIC_CLIENT_OST &&
	    h->magic_client != PF_MAGIC_CLIENT_PAB) {
		v = h->magic_client;
		set_u64(ctx, "wMagicClient", &v, PF_MAGIC_CLIENT_PST, "SM");
		h->magic_client = PF_MAGIC_CLIENT_PST;
	}
	if (h->sentinel != 0x80) {
		v = h->sentinel;
		set_u64(ctx, "bSentinel", &v, 0x80, "MS-PST 2.2.2.6");
		h->sentinel = 0x80;
	}
	if (h->crypt_method <= PF_CRYPT_CYCLIC)
		return;
	method = probe_crypt(ndb);
	if (method < 0) {
		pf_repair_note(ctx, PF_REPAIR_HEADER, "header: bCryptMethod "
			       "0x%02x: no encoding decodes the message store;"
			       " left as it is", h->crypt_method);
		return;
	}
	v = h->crypt_method;
	set_u64(ctx, "bCryptMethod", &v, (uint64_t)method,
		"the encoding the message store decodes with");
	h->crypt_method = (uint8_t)method;
}

/* The CRCs are recomputed whatever happens (dwUnique changes); say so
 * when the ones read were wrong. */
static void note_crcs(struct pf_repair_ctx *ctx, const struct pf_header *h)
{
	if (h->crc_partial != h->crc_partial_calc) {
		pf_repair_note(ctx, PF_REPAIR_HEADER, "header: dwCRCPartial "
			       "was 0x%08x, computed 0x%08x: recomputed",
			       h->crc_partial, h->crc_partial_calc);
		ctx->counts.header_fields++;
	}
	if (h->variant != PF_ANSI && h->crc_full != h->crc_full_calc) {
		pf_repair_note(ctx, PF_REPAIR_HEADER, "header: dwCRCFull "
			       "was 0x%08x, computed 0x%08x: recomputed",
			       h->crc_full, h->crc_full_calc);
		ctx->counts.header_fields++;
	}
}

/* OUT's temporary sibling: the first COPY bytes of IN with HDR over the
 * first N; fsync, rename, fsync the directory. */
static int write_out(const char *in, const char *out, const uint8_t *hdr,
		     size_t n, uint64_t copy)
{
	size_t len = strlen(out);
	char *tmp = malloc(len + sizeof(".tmp-XXXXXX"));
	int src = -1, dst = -1, rc;

	if (!tmp)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	memcpy(tmp, out, len);
	memcpy(tmp + len, ".tmp-XXXXXX", sizeof(".tmp-XXXXXX"));
	src = open(in, O_RDONLY | O_CLOEXEC);
	dst = src < 0 ? -1 : mkostemp(tmp, O_CLOEXEC);
	if (src < 0 || dst < 0) {
		rc = pf_error_set(PF_E_IO, "%s: %s", src < 0 ? in : tmp,
				  strerror(errno));
		goto out;
	}
	rc = pf_repair_copy(src, dst, copy, in);
	if (rc == 0 && pwrite(dst, hdr, n, 0) != (ssize_t)n)
		rc = pf_error_set(PF_E_IO, "%s: write: %s", tmp,
				  strerror(errno));
	if (rc == 0 && fsync(dst) != 0)
		rc = pf_error_set(PF_E_IO, "%s: fsync: %s", tmp,
				  strerror(errno));
	if (rc == 0 && rename(tmp, out) != 0)
		rc = pf_error_set(PF_E_IO, "%s: %s", out, strerror(errno));
	if (rc == 0)
		rc = pf_repair_fsync_dir(out);
out:
	if (src >= 0)
		close(src);
	if (dst >= 0)
		close(dst);
	if (rc != 0 && dst >= 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

int pf_repair_header(struct pf_repair_ctx *ctx, const char *in,
		     const char *out)
{
	struct pf_ndb *ndb = NULL;
	struct pf_header h;
	struct facts f;
	uint8_t raw[PF_HEADER_CB];
	size_t n;
	uint64_t copy;
	int rc = pf_ndb_open(&ndb, in);

	if (rc != 0)
		return rc;
	h = *pf_ndb_header(ndb);
	n = h.variant == PF_ANSI ? 512u : PF_HEADER_CB;
	rc = pf_ndb_pread(ndb, 0, raw, n);
	if (rc != 0)
		goto out;
	gather(ctx, ndb, &f);
	fix_fields(ctx, ndb, &h);
	fix_eof(ctx, ndb, &f, &h, &copy);
	fix_counters(ctx, &f, &h);
	h.unique++;             /* MS-PST 2.2.2.6: changes with the header */
	note_crcs(ctx, &h);
	rc = pf_header_encode(raw, n, &h);
	if (rc == 0)
		rc = write_out(in, out, raw, n, copy);
out:
	pf_ndb_close(ndb);
	return rc;
}
