/*
 * ndb_stage.c - pf_repair_ndb(): the MAPS, BTREE and NODES repairs
 * (contract in repair.h; the steps in ndb_int.h).
 *
 * Contract
 * - IN is opened read-only.  When its header does not decode (magic or
 *   wVer gone) the layout is probed (formats/ndb/probe.c) and the ROOT is
 *   taken as lost: both trees come from the trailer scan alone.
 * - MAPS keeps both trees when they are sound and falls back to BTREE
 *   otherwise.  BTREE and NODES are the same rebuild: the output must
 *   scan clean at the NDB level, so references to missing blocks are
 *   always cut (the NODES level adds nothing the rebuild can skip).
 * - OUT is written by the writer in over mode: a copy of IN in which
 *   every kept block stays at its offset with its BID; new blocks and
 *   both trees go after the copy; temporary name, fsync, rename.  The
 *   rebuild's copy is the run's (ctx->precopy, started during its first
 *   scan) or else one made by a second thread during the trailer scan
 *   (repair_copy.c); the writer takes it over: the same bytes.
 * - Per-item notes stop after RP_NOTE_CAP; one line then says how many
 *   more there were.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ndb_int.h"

static void vnote(struct rp *r, const char *fmt, va_list ap)
{
	char line[512];

	if (!r->ctx->note)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	r->ctx->note(r->ctx->note_ctx, r->level, line);
}

void rp_note(struct rp *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(r, fmt, ap);
	va_end(ap);
}

void rp_note_item(struct rp *r, const char *fmt, ...)
{
	va_list ap;

	if (r->notes_items >= RP_NOTE_CAP) {
		r->notes_capped++;
		return;
	}
	r->notes_items++;
	va_start(ap, fmt);
	vnote(r, fmt, ap);
	va_end(ap);
}

static const char *variant_name(enum pf_variant v)
{
	return v == PF_ANSI ? "ANSI" : v == PF_UNICODE ? "Unicode" :
	       "Unicode 4K";
}

/* Open IN; probe its layout when the header is gone. */
static int open_in(struct rp *r, int *probed_crypt)
{
	struct pf_ndb_opts o = { 0 };
	int rc = pf_ndb_open(&r->ndb, r->in);

	*probed_crypt = -1;
	if (rc == PF_E_NOTPST) {
		char why[256];

		snprintf(why, sizeof(why), "%s", pf_error_msg());
		rc = pf_ndb_probe(r->in, &o.variant, probed_crypt);
		if (rc != 0)
			return pf_error_set(rc, "%s; %s", why, pf_error_msg());
		o.crypt = *probed_crypt >= 0 ? (enum pf_crypt)*probed_crypt :
					       PF_CRYPT_NONE;
		rc = pf_ndb_open_ex(&r->ndb, r->in, &o);
		if (rc == 0)
			rp_note(r, "header unreadable (%s): the layout is %s "
				"by its allocation map pages; both B-trees "
				"come from the trailer scan", why,
				variant_name(o.variant));
	}
	if (rc != 0)
		return rc;
	pf_ndb_crc_memo(r->ndb, r->ctx->crc_memo, PF_MEMO_TRUST);
	r->hdr = *pf_ndb_header(r->ndb);
	r->l = pf_ndb_layout(r->ndb);
	r->crypt = (enum pf_crypt)r->hdr.crypt_method;
	r->ost = pf_ndb_header_ok(r->ndb) ?
		 r->hdr.magic_client == PF_MAGIC_CLIENT_OST :
		 r->hdr.variant == PF_UNICODE4K;
	return 0;
}

void rp_counters(const struct rp *r, struct pf_over_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->bid_next_b = r->hdr.bid_next_b;
	c->bid_next_p = r->hdr.bid_next_p;
	c->unique = r->hdr.unique;
	memcpy(c->rgnid, r->hdr.rgnid, sizeof(c->rgnid));
	/* new BIDs never repeat one still in the file's bytes */
	for (size_t i = 0; i < r->scav.nblocks; i++)
		if ((r->scav.blocks[i].bid & ~3ull) + 4 > c->bid_next_b)
			c->bid_next_b = (r->scav.blocks[i].bid & ~3ull) + 4;
	for (size_t i = 0; i < r->scav.npages; i++)
		if ((r->scav.pages[i].bid & ~3ull) + 4 > c->bid_next_p)
			c->bid_next_p = (r->scav.pages[i].bid & ~3ull) + 4;
}

int rp_open_writer(struct rp *r, const struct pf_over_counters *c)
{
	struct pf_write_opts o = {
		.variant = r->hdr.variant, .crypt = r->crypt, .ost = r->ost,
		.unique_seed = r->hdr.unique,
	};
	int fd = open(r->in, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return pf_error_set(PF_E_IO, "%s: cannot open", r->in);
	rc = pf_writer_open_over(&r->w, r->out, fd, pf_ndb_file_size(r->ndb),
				 &o, c);
	close(fd);
	return rc;
}

int rp_adopt_writer(struct rp *r, const struct pf_over_counters *c,
		    struct pf_repair_bgcopy *copy)
{
	struct pf_write_opts o = {
		.variant = r->hdr.variant, .crypt = r->crypt, .ost = r->ost,
		.unique_seed = r->hdr.unique,
	};
	int rc;

	rc = pf_writer_open_adopt(&r->w, r->out, copy->path, copy->cb, &o, c);
	/* gone from its name once renamed, whatever came after */
	copy->taken = access(copy->path, F_OK) != 0;
	return rc;
}

/* The scan, and the encoding when neither header nor probe told it. */
static int scan(struct rp *r, int probed_crypt)
{
	int rc = pf_scavenge(r->ndb, &r->scav);

	if (rc != 0)
		return rc;
	r->ctx->counts.pages_scanned += r->scav.npages;
	rp_note(r, "trailer scan: %zu valid B-tree pages and %zu valid "
		"blocks in %llu bytes", r->scav.npages, r->scav.nblocks,
		(unsigned long long)r->scav.bytes_read);
	if (pf_ndb_header_ok(r->ndb) || probed_crypt >= 0)
		return 0;
	rc = pf_probe_crypt(r->ndb, &r->scav, &r->crypt);
	if (rc == 0)
		rp_note(r, "bCryptMethod unreadable: blocks decode as "
			"heap-on-node under method %u", (unsigned)r->crypt);
	return rc;
}

/* The trailer scan while a second thread copies IN (repair_copy.c),
 * unless the run's copy is under way already; the writer then starts
 * from that copy.  The run's copy is the run's to drop. */
static int scan_and_copy(struct rp *r, int probed_crypt)
{
	struct pf_over_counters c;
	struct pf_repair_bgcopy own, *copy = r->ctx->precopy;
	int rc = 0;

	if (!copy) {
		copy = &own;
		rc = pf_repair_bgcopy_start(copy, r->in, r->out,
					    pf_ndb_file_size(r->ndb));
	}
	if (rc == 0)
		rc = scan(r, probed_crypt);
	if (rc == 0)
		rc = pf_repair_bgcopy_finish(copy);
	if (rc == 0) {
		rp_counters(r, &c);
		rc = rp_adopt_writer(r, &c, copy);
	}
	if (copy == &own)
		pf_repair_bgcopy_drop(copy);
	return rc;
}

static int rebuild(struct rp *r, int probed_crypt)
{
	int rc = scan_and_copy(r, probed_crypt);

	if (rc == 0)
		rc = rp_choose_blocks(r);
	if (rc == 0)
		rc = rp_keep_blocks(r);
	if (rc == 0)
		rc = rp_choose_nodes(r);
	if (rc == 0)
		rc = rp_write_nodes(r);
	if (rc == 0)
		rc = rp_recover_orphans(r);
	if (rc == 0) {
		rc = pf_writer_commit(r->w);
		r->w = NULL;
	}
	if (rc == 0)
		rp_note(r, "wrote %llu nodes (%llu messages, %llu of them "
			"rebuilt from lost-and-found PCs); dropped %llu nodes "
			"(%llu messages), %llu blocks; cut %llu data trees",
			(unsigned long long)r->ctx->counts.nodes_kept,
			(unsigned long long)r->ctx->counts.messages_kept,
			(unsigned long long)r->ctx->counts.nodes_rebuilt,
			(unsigned long long)r->ctx->counts.nodes_dropped,
			(unsigned long long)r->ctx->counts.messages_lost,
			(unsigned long long)r->ctx->counts.blocks_dropped,
			(unsigned long long)r->ctx->counts.trees_truncated);
	return rc;
}

static void rp_free(struct rp *r)
{
	pf_writer_abort(r->w);
	rp_walk_free(&r->nbt);
	rp_walk_free(&r->bbt);
	pf_scavenge_free(&r->scav);
	rp_blocks_free(r);
	free(r->nodes);
	pf_ndb_close(r->ndb);
}

int pf_repair_ndb(struct pf_repair_ctx *ctx, const char *in,
		  const char *out, enum pf_repair_level level)
{
	struct rp r = { .ctx = ctx, .level = level, .in = in, .out = out };
	bool fell_back = true;
	int probed_crypt, rc;

	if (!ctx || !in || !out || level < PF_REPAIR_MAPS ||
	    level > PF_REPAIR_NODES)
		return pf_error_set(PF_E_USAGE, "repair: the NDB stage does "
				    "MAPS, BTREE or NODES");
	rc = open_in(&r, &probed_crypt);
	if (rc == 0)
		rc = rp_walk_tree(&r, PF_OBJ_NBT, &r.nbt);
	if (rc == 0)
		rc = rp_walk_tree(&r, PF_OBJ_BBT, &r.bbt);
	if (rc == 0 && level == PF_REPAIR_MAPS && pf_ndb_header_ok(r.ndb))
		rc = rp_repair_maps(&r, &fell_back);
	if (rc == 0 && fell_back) {
		r.level = level == PF_REPAIR_MAPS ? PF_REPAIR_BTREE : level;
		rc = rebuild(&r, probed_crypt);
	}
	if (rc == 0 && r.notes_capped > 0)
		rp_note(&r, "... and %u more notes like the ones above",
			r.notes_capped);
	rp_free(&r);
	return rc;
}
