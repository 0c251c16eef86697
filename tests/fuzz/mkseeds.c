/*
 * mkseeds.c - seed inputs for the harnesses that do not take a whole file,
 * cut from real PST/OST files: tests/fuzz/long uses them (a seed that
 * already parses lets the fuzzer start past the format's outer checks).
 *
 * Usage: mkseeds OUTDIR FILE...   writes OUTDIR/fuzz_page, fuzz_block,
 * fuzz_ltp, fuzz_mimew (a message's heap, as fuzz_ltp's) and fuzz_nameid,
 * each in that harness's input format (see the harness's header comment),
 * and OUTDIR/fuzz_mime: the files' mail as
 * `pstfix export` writes it, EML and mbox (the parser's own input, so
 * the fuzzer starts inside multipart bodies, encodings and charsets),
 * and OUTDIR/fuzz_xproto: libpff's view of each file written as its child
 * writes it (the harness splits the stream at its first byte's value).
 * Not a harness and not part of the library.
 */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../formats/ltp/pf_ltp.h"
#include "../../formats/util/pf_le.h"
#include "../../pstfix/export/export.h"
#include "../../pstfix/xcheck/libpff_view.h"
#include "../../pstfix/xcheck/xproto.h"

#define PER_TYPE 3          /* nodes kept per NID type */
#define MAX_SEED 300000

struct seed {
	uint8_t b[MAX_SEED];
	size_t n;
};

struct ctx {
	struct pf_ndb *ndb;
	const struct pf_layout *l;
	const char *out, *tag;
	uint8_t vbits;          /* harness variant bits: 0 ANSI, 1, 2 4K */
	unsigned per_type[32];
	unsigned count;
};

static void put(struct seed *s, const void *p, size_t n)
{
	if (s->n + n > MAX_SEED)
		n = MAX_SEED - s->n;
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void put16(struct seed *s, uint16_t v)
{
	uint8_t b[2];

	pf_put16(b, v);
	put(s, b, 2);
}

static void save(const struct ctx *c, const char *harness,
		 const struct seed *s, uint32_t id)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", c->out, harness);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/%s/%s-%x", c->out, harness, c->tag,
		 id);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(s->b, 1, s->n, f);
	fclose(f);
}

/* fuzz_page: the NBT and BBT root pages, the first AMap, the DList. */
static void page_seeds(struct ctx *c)
{
	const struct pf_header *h = pf_ndb_header(c->ndb);
	uint64_t ibs[4] = { h->root.nbt.ib, h->root.bbt.ib, c->l->amap_first,
			    c->l->dlist_ib };
	uint8_t *page = malloc(c->l->page_size);

	for (int i = 0; page && i < 4; i++) {
		static struct seed s;
		uint8_t b[4];

		if (ibs[i] % c->l->page_size ||
		    pf_page_read(c->ndb, ibs[i], page) != 0)
			continue;
		s.n = 0;
		b[0] = c->vbits;
		put(&s, b, 1);
		pf_put32(b, (uint32_t)(ibs[i] / c->l->page_size));
		put(&s, b, 4);
		put(&s, page, c->l->page_size);
		save(c, "fuzz_page", &s, (uint32_t)i);
	}
	free(page);
}

/* One block of fuzz_block's input: flags, cb, [cbInflated], raw data. */
static int put_block(struct ctx *c, struct seed *s, uint64_t bid,
		     uint64_t new_bid_of[], uint32_t nkids)
{
	struct pf_bbt_entry e;
	uint8_t *d;
	size_t cb;
	uint8_t fl = bid & PF_BID_INTERNAL ? 1 : 0;

	if (pf_bbt_lookup(c->ndb, bid, &e) != 0 ||
	    pf_block_read_ex(c->ndb, &e, NULL, PF_BLOCK_RAW, &d, &cb) != 0)
		return -1;
	/* an XBLOCK's rgbid renamed to the harness's BIDs 8, 12, ... */
	if (fl && nkids && cb >= 8 && d[0] == 0x01)
		for (uint32_t i = 0; i < nkids && 8 + (i + 1) *
		     c->l->bid_size <= cb; i++) {
			if (c->l->bid_size == 4)
				pf_put32(d + 8 + i * 4, (uint32_t)new_bid_of[i]);
			else
				pf_put64(d + 8 + i * 8, new_bid_of[i]);
		}
	put(s, &fl, 1);
	put16(s, e.cb);
	if (c->l->page_size == 4096)
		put16(s, (uint16_t)e.cb_inflated);
	put(s, d, e.cb);
	free(d);
	return 0;
}

static uint8_t block_b0(const struct ctx *c)
{
	return (uint8_t)(c->vbits | (pf_ndb_header(c->ndb)->crypt_method
				     % 3) << 2);
}

/* fuzz_block: the node's data (an XBLOCK with its leaves renumbered) and
 * its subnode block; fuzz_ltp: the heap's decoded blocks, and for a
 * message, fuzz_mimew the same. */
static void node_seeds(struct ctx *c, const struct pf_nbt_entry *e)
{
	static struct seed s;
	struct pf_datatree t;
	uint64_t nb[15];
	uint32_t n;
	uint8_t b0 = block_b0(c);

	if (pf_datatree_load(c->ndb, e->bid_data, NULL, &t) != 0)
		return;
	n = t.count < 14 ? t.count : 14;
	for (uint32_t i = 0; i < n; i++)
		nb[i] = (uint64_t)(i + 2) * 4;
	s.n = 0;
	put(&s, &b0, 1);
	if (put_block(c, &s, e->bid_data, nb, n) == 0 &&
	    (!e->bid_sub || put_block(c, &s, e->bid_sub, NULL, 0) == 0)) {
		for (uint32_t i = 0; i < n && t.count > 1; i++)
			put_block(c, &s, t.bids[i], NULL, 0);
		save(c, "fuzz_block", &s, (uint32_t)e->nid);
	}
	s.n = 0;
	for (uint32_t i = 0; i < t.count && i < 16; i++) {
		uint8_t *d;
		size_t cb;

		if (pf_block_read_bid(c->ndb, t.bids[i], NULL, &d, &cb) != 0)
			break;
		put16(&s, (uint16_t)cb);
		put(&s, d, cb);
		free(d);
	}
	if (s.n)
		save(c, "fuzz_ltp", &s, (uint32_t)e->nid);
	/* fuzz_mimew reads the same blocks as a message */
	if (s.n && (PF_NID_TYPE(e->nid) == PF_NT_NORMAL_MESSAGE ||
		    PF_NID_TYPE(e->nid) == PF_NT_ASSOC_MESSAGE))
		save(c, "fuzz_mimew", &s, (uint32_t)e->nid);
	pf_datatree_free(&t);
}

/* fuzz_nameid: nid 0x61's GUID, entry and string streams, no buckets. */
static void nameid_seed(struct ctx *c, const struct pf_nbt_entry *e)
{
	static struct seed s;
	const uint16_t tags[3] = { 0x0002, 0x0003, 0x0004 };
	struct pf_subnodes sub = { NULL, 0 };
	struct pf_pc pc;
	uint8_t zero = 0;

	if (e->bid_sub && pf_subnodes_load(c->ndb, e->bid_sub, NULL, &sub))
		return;
	if (pf_pc_open(&pc, c->ndb, 0x61, e->bid_data, &sub, NULL) == 0) {
		s.n = 0;
		put(&s, &zero, 1);
		for (int i = 0; i < 3; i++) {
			uint8_t *p = NULL;
			size_t cb = 0;

			pf_pc_get_bin(&pc, tags[i], &p, &cb);
			if (cb > 0xFFFF)
				cb = 0xFFFF;
			put16(&s, (uint16_t)cb);
			put(&s, p, cb);
			free(p);
		}
		save(c, "fuzz_nameid", &s, 0x61);
		pf_pc_close(&pc);
	}
	pf_subnodes_free(&sub);
}

static int visit(void *ctx, const struct pf_nbt_entry *e)
{
	struct ctx *c = ctx;
	unsigned t = PF_NID_TYPE(e->nid);

	if (e->nid == 0x61)
		nameid_seed(c, e);
	if (c->per_type[t] >= PER_TYPE || c->count >= 40)
		return 0;
	c->per_type[t]++;
	c->count++;
	node_seeds(c, e);
	return 0;
}

/* ---- fuzz_mime: exported mail ---- */

static const char *mime_out;     /* nftw has no context pointer */
static unsigned mime_count;

/* Keep each exported file that fits a seed, removing the export as we go
 * (depth-first, so directories are empty when reached). */
static int take_mail(const char *path, const struct stat *st, int type,
		     struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_F && st->st_size <= MAX_SEED) {
		char to[4096];

		snprintf(to, sizeof(to), "%s/fuzz_mime/mail-%u", mime_out,
			 mime_count++);
		if (rename(path, to) == 0)
			return 0;
	}
	remove(path);
	return 0;
}

static void mime_seeds(const char *out, const char *file)
{
	static const enum pf_export_format fmt[] = { PF_EXPORT_EML,
						     PF_EXPORT_MBOX };
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/fuzz_mime", out);
	mkdir(dir, 0777);
	snprintf(dir, sizeof(dir), "%s/export.tmp", out);
	mime_out = out;
	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		struct pf_export_opts o = { .out_dir = dir, .format = fmt[i] };
		struct pf_export_summary sum;

		pf_export_file(file, &o, &sum);
		nftw(dir, take_mail, 16, FTW_DEPTH | FTW_PHYS);
	}
}

/* ---- fuzz_xproto: a reader child's stream ---- */

static void write_view(struct pf_xwriter *w, const struct pf_xview *v)
{
	pf_xproto_header(w);
	for (size_t i = 0; i < v->count; i++) {
		const struct pf_xfolder *f = &v->folders[i];

		pf_xproto_folder(w, f->nid, f->flags, f->items, f->subfolders,
				 f->path);
	}
	for (size_t i = 0; i < v->nnotes; i++)
		pf_xproto_note(w, v->notes[i]);
	pf_xproto_orphans(w, v->orphans);
	pf_xproto_end(w, v->count, v->total_items);
}

static void xproto_seed(const char *out, const char *file, const char *tag)
{
	struct pf_xview view;
	struct pf_xwriter w;
	char path[4096], why[256];
	int fd;

	snprintf(path, sizeof(path), "%s/fuzz_xproto", out);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/fuzz_xproto/%s", out, tag);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0)
		return;
	pf_xwriter_init(&w, fd);
	if (pf_xcheck_libpff(file, 30, &view, why, sizeof(why)) == 0) {
		write_view(&w, &view);
		pf_xview_free(&view);
	} else {
		pf_xproto_header(&w);
		pf_xproto_error(&w, PF_E_CORRUPT, why);
	}
	pf_xwriter_flush(&w);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: mkseeds OUTDIR FILE...\n");
		return 2;
	}
	mkdir(argv[1], 0777);
	for (int i = 2; i < argc; i++) {
		struct ctx c = { .out = argv[1] };
		const char *slash = strrchr(argv[i], '/');

		mime_seeds(argv[1], argv[i]);
		xproto_seed(argv[1], argv[i], slash ? slash + 1 : argv[i]);
		if (pf_ndb_open(&c.ndb, argv[i]) != 0)
			continue;
		c.l = pf_ndb_layout(c.ndb);
		c.tag = slash ? slash + 1 : argv[i];
		c.vbits = (uint8_t)(pf_ndb_header(c.ndb)->variant - 1);
		page_seeds(&c);
		pf_nbt_foreach(c.ndb, visit, &c);
		pf_ndb_close(c.ndb);
	}
	return 0;
}
