/*
 * tutil.h - helpers shared by the NDB and checker unit tests.
 *
 * Contract: header-only (static inline) because the Makefile links each
 * tests/unit/test_*.c alone against libpstfix.a.  Nothing here calls the
 * code under test to compute an expected value except pf_crc() and
 * pf_sig() (pf_crc.h), which test_ndb_header.c pins to known answers.
 * The header offsets below are written from MS-PST 2.2.2.6 independently
 * of formats/ndb/header.c so the tests are an oracle, not a copy.
 *
 *   fault collector   tu_sink(), tu_kinds() (bit mask of TU_K(kind))
 *   finding collector tu_check() runs pf_check_file(), counts by code and
 *                     by severity, and counts messages with an empty %S
 *   files             tu_copy_to_dir(), tu_read_at(), tu_write_at(),
 *                     tu_corpus_present(), tu_rm_dir()
 *   structures        tu_page_seal() / tu_page_fix() / tu_page_fix_file()
 *                     (trailer wSig + CRC), tu_header_fix_buf() /
 *                     tu_header_fix_file() (dwCRCPartial, dwCRCFull),
 *                     tu_hdr_layout() (where header and ROOT fields are),
 *                     tu_find_leaf() (the leaf page and slot of a key)
 */
#ifndef TUTIL_H
#define TUTIL_H

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../formats/ndb/pf_ndb.h"
#include "../../formats/util/pf_crc.h"
#include "../../formats/util/pf_le.h"
#include "../../pstfix/check/check.h"

#define TU_CORPUS "../shared/corpus"
#define TU_SKIP_CORPUS_MSG "SKIP: ../shared/corpus absent"

/* ---- little-endian fields of a given width ---- */

static inline uint64_t tu_get(const uint8_t *p, unsigned width)
{
	return width == 2 ? pf_le16(p) : width == 4 ? pf_le32(p) :
	       width == 8 ? pf_le64(p) : p[0];
}

static inline void tu_put(uint8_t *p, unsigned width, uint64_t v)
{
	switch (width) {
	case 1: p[0] = (uint8_t)v; break;
	case 2: pf_put16(p, (uint16_t)v); break;
	case 4: pf_put32(p, (uint32_t)v); break;
	default: pf_put64(p, v); break;
	}
}

/* ---- fault collector (a struct pf_sink that records) ---- */

#define TU_MAX_FAULTS 64
#define TU_K(kind) (1u << (kind))

struct tu_faults {
	struct pf_fault v[TU_MAX_FAULTS];
	unsigned n;          /* faults seen, even past TU_MAX_FAULTS */
};

static inline void tu_faults_cb(void *ctx, const struct pf_fault *f)
{
	struct tu_faults *c = ctx;

	if (c->n < TU_MAX_FAULTS)
		c->v[c->n] = *f;
	c->n++;
}

static inline struct pf_sink tu_sink(struct tu_faults *c)
{
	struct pf_sink s = { .fault = tu_faults_cb, .ctx = c };

	memset(c, 0, sizeof(*c));
	return s;
}

/* The set of kinds reported, as a mask of TU_K(kind). */
static inline uint32_t tu_kinds(const struct tu_faults *c)
{
	uint32_t m = 0;

	for (unsigned i = 0; i < c->n && i < TU_MAX_FAULTS; i++)
		m |= TU_K(c->v[i].kind);
	return m;
}

static inline const struct pf_fault *tu_fault_of(const struct tu_faults *c,
						 enum pf_fault_kind kind)
{
	for (unsigned i = 0; i < c->n && i < TU_MAX_FAULTS; i++)
		if (c->v[i].kind == kind)
			return &c->v[i];
	return NULL;
}

/* Every fault names OBJ (faults about the wrong object are a bug). */
static inline bool tu_all_obj(const struct tu_faults *c, enum pf_obj obj)
{
	for (unsigned i = 0; i < c->n && i < TU_MAX_FAULTS; i++)
		if (c->v[i].obj != obj)
			return false;
	return true;
}

/* ---- finding collector around pf_check_file() ---- */

#define TU_MAX_CODE 10000

struct tu_findings {
	uint32_t by_code[TU_MAX_CODE];
	uint32_t by_sev[3];
	uint32_t total;
	uint32_t bad_rows;   /* findings without a problem row: a bug */
	uint32_t empty_reason;  /* messages whose reason (%S) came out empty */
	char first_empty[300];
	struct pf_check_summary sum;
	int rc;
};

static inline void tu_findings_cb(void *ctx, const struct pf_finding *f)
{
	struct tu_findings *t = ctx;

	t->total++;
	if (!f->problem || f->problem->code >= TU_MAX_CODE ||
	    (unsigned)f->problem->sev > PF_SEV_ERROR) {
		t->bad_rows++;
		return;
	}
	t->by_code[f->problem->code]++;
	t->by_sev[f->problem->sev]++;
	{
		size_t len = strlen(f->message);

		/* "...: " at the end or "()" inside: an empty %S */
		if ((len >= 2 && strcmp(f->message + len - 2, ": ") == 0) ||
		    strstr(f->message, "()")) {
			if (!t->empty_reason)
				snprintf(t->first_empty,
					 sizeof(t->first_empty), "PF%04u %s",
					 f->problem->code, f->message);
			t->empty_reason++;
		}
	}
	if (getenv("TU_VERBOSE"))
		fprintf(stderr, "  PF%04u %s\n", f->problem->code, f->message);
}

/* Run the checker on PATH; the result is malloc'd (free it). */
static inline struct tu_findings *tu_check(const char *path)
{
	struct tu_findings *t = calloc(1, sizeof(*t));
	struct pf_check_opts opts = { .max_per_code = 0 };

	if (!t)
		return NULL;
	t->rc = pf_check_file(path, &opts, tu_findings_cb, t, &t->sum);
	return t;
}

/* "PF1001x2 PF3003x1 ..." for assertion messages (errors only when
 * errors_only). */
static inline const char *tu_codes_str(const struct tu_findings *t,
				       bool errors_only, char *buf,
				       size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned c = 0; c < TU_MAX_CODE && n + 16 < cap; c++) {
		const struct pf_problem *p;

		if (!t->by_code[c])
			continue;
		p = pf_problem_by_code((uint16_t)c);
		if (errors_only && (!p || p->sev != PF_SEV_ERROR))
			continue;
		n += (size_t)snprintf(buf + n, cap - n, "PF%04ux%" PRIu32 " ",
				      c, t->by_code[c]);
	}
	return buf;
}

/* No finding with a code below LIMIT (6000: header, maps, B-trees,
 * blocks, cRef; 0x10000: none at all). */
static inline void tu_assert_clean_below(const char *path, unsigned limit)
{
	struct tu_findings *t = tu_check(path);
	char codes[1024];
	uint32_t low = 0;

	ck_assert_ptr_nonnull(t);
	ck_assert_msg(t->rc == 0, "check %s: %s", path, pf_error_msg());
	ck_assert_uint_eq(t->bad_rows, 0);
	for (unsigned c = 0; c < limit && c < TU_MAX_CODE; c++)
		low += t->by_code[c];
	ck_assert_msg(low == 0, "%s: %s", path,
		      tu_codes_str(t, false, codes, sizeof(codes)));
	free(t);
}

/* ---- files ---- */

static inline bool tu_corpus_present(void)
{
	struct stat st;

	return stat(TU_CORPUS, &st) == 0 && S_ISDIR(st.st_mode);
}

static inline void tu_corpus_path(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", TU_CORPUS, name);
}

static inline bool tu_file_present(const char *path)
{
	return access(path, R_OK) == 0;
}

/* Copy SRC to a new mkstemp() file in DIR; its name goes to OUT. */
static inline int tu_copy_to_dir(const char *src, const char *dir, char *out,
				 size_t cap)
{
	char buf[65536];
	int in, fd;
	ssize_t got;
	int rc = 0;

	if ((size_t)snprintf(out, cap, "%s/pst-XXXXXX", dir) >= cap)
		return -1;
	in = open(src, O_RDONLY);
	if (in < 0)
		return -1;
	fd = mkstemp(out);
	if (fd < 0) {
		close(in);
		return -1;
	}
	while (rc == 0 && (got = read(in, buf, sizeof(buf))) != 0) {
		if (got < 0 || write(fd, buf, (size_t)got) != got)
			rc = -1;
	}
	close(in);
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

static inline int tu_read_at(const char *path, uint64_t off, void *buf,
			     size_t n)
{
	int fd = open(path, O_RDONLY);
	ssize_t got;

	if (fd < 0)
		return -1;
	got = pread(fd, buf, n, (off_t)off);
	close(fd);
	return got == (ssize_t)n ? 0 : -1;
}

static inline int tu_write_at(const char *path, uint64_t off,
			      const void *buf, size_t n)
{
	int fd = open(path, O_WRONLY);
	ssize_t put;

	if (fd < 0)
		return -1;
	put = pwrite(fd, buf, n, (off_t)off);
	if (close(fd) != 0)
		return -1;
	return put == (ssize_t)n ? 0 : -1;
}

static inline int tu_xor_byte(const char *path, uint64_t off, uint8_t mask)
{
	uint8_t b;

	if (tu_read_at(path, off, &b, 1) != 0)
		return -1;
	b ^= mask;
	return tu_write_at(path, off, &b, 1);
}

static inline uint64_t tu_file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Remove DIR and the plain files in it (the tests' scratch space). */
static inline void tu_rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4096];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

/* Run suite S with a scratch directory /tmp/PREFIX-XXXXXX in DIR (kept
 * with PF_TEST_KEEP=1); 0 when every test passed. */
static inline int tu_run_suite(Suite *s, char *dir, size_t cap,
			       const char *prefix)
{
	SRunner *sr;
	int failed;

	snprintf(dir, cap, "/tmp/%s-XXXXXX", prefix);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (!getenv("PF_TEST_KEEP"))
		tu_rm_dir(dir);
	return failed == 0 ? 0 : 1;
}

/* ---- page trailers (MS-PST 2.2.2.7.1) ---- */

/* Where the trailer fields are: ANSI ptype ptypeRepeat wSig bid(4) dwCRC;
 * Unicode (and 4K) ptype ptypeRepeat wSig dwCRC bid(8). */
struct tu_trailer_at {
	uint32_t base, sig, crc, bid, bid_w;
};

static inline struct tu_trailer_at tu_trailer_at(const struct pf_layout *l)
{
	struct tu_trailer_at t;

	t.base = l->page_size - l->page_trailer;
	t.sig = t.base + 2;
	if (l->bid_size == 4) {
		t.bid = t.base + 4;
		t.crc = t.base + 8;
		t.bid_w = 4;
	} else {
		t.crc = t.base + 4;
		t.bid = t.base + 8;
		t.bid_w = 8;
	}
	return t;
}

static inline bool tu_is_map_ptype(uint8_t ptype)
{
	return ptype == PF_PTYPE_AMAP || ptype == PF_PTYPE_PMAP ||
	       ptype == PF_PTYPE_FMAP || ptype == PF_PTYPE_FPMAP;
}

/* Write the whole trailer of a page that lives at IB: ptype twice, BID,
 * wSig (0 for map pages, else computed), then the CRC of the page minus
 * the trailer. */
static inline void tu_page_seal(const struct pf_layout *l, uint8_t *page,
				uint64_t ib, uint8_t ptype, uint64_t bid)
{
	struct tu_trailer_at t = tu_trailer_at(l);

	page[t.base] = ptype;
	page[t.base + 1] = ptype;
	tu_put(page + t.bid, t.bid_w, bid);
	pf_put16(page + t.sig, tu_is_map_ptype(ptype) ? 0 : pf_sig(ib, bid));
	pf_put32(page + t.crc, pf_crc(page, t.base));
}

/* Recompute wSig and CRC of a page at IB, keeping its ptype and BID. */
static inline void tu_page_fix(const struct pf_layout *l, uint8_t *page,
			       uint64_t ib)
{
	struct tu_trailer_at t = tu_trailer_at(l);
	uint64_t bid = tu_get(page + t.bid, t.bid_w);
	uint8_t ptype = page[t.base];

	pf_put16(page + t.sig, tu_is_map_ptype(ptype) ? 0 : pf_sig(ib, bid));
	pf_put32(page + t.crc, pf_crc(page, t.base));
}

static inline int tu_page_fix_file(const char *path,
				   const struct pf_layout *l, uint64_t ib)
{
	uint8_t page[4096];

	if (l->page_size > sizeof(page) ||
	    tu_read_at(path, ib, page, l->page_size) != 0)
		return -1;
	tu_page_fix(l, page, ib);
	return tu_write_at(path, ib, page, l->page_size);
}

/* BTPAGE metadata offsets (MS-PST 2.2.2.7.7.1; 4K pages: 16-bit cEnt and
 * cEntMax, libyal PFF). */
struct tu_btmeta_at {
	uint32_t cent, cent_max, cb_ent, level, cent_w;
};

static inline struct tu_btmeta_at tu_btmeta_at(const struct pf_layout *l)
{
	struct tu_btmeta_at m;
	uint32_t b = l->bt_entries;

	if (l->page_size == 4096) {
		m.cent = b;
		m.cent_max = b + 2;
		m.cb_ent = b + 4;
		m.level = b + 5;
		m.cent_w = 2;
	} else {
		m.cent = b;
		m.cent_max = b + 1;
		m.cb_ent = b + 2;
		m.level = b + 3;
		m.cent_w = 1;
	}
	return m;
}

/* ---- the header (MS-PST 2.2.2.6) and ROOT (2.2.2.5) ---- */

struct tu_hdr_layout {
	uint32_t w;              /* BID / IB width */
	uint32_t size;           /* bytes of header */
	uint32_t bid_next_b, bid_next_p, unique, rgnid, root;
	uint32_t sentinel, crypt;
	uint32_t crc_full;       /* 0: none (ANSI) */
};

static inline struct tu_hdr_layout tu_hdr_layout(bool ansi)
{
	struct tu_hdr_layout h;

	if (ansi) {
		h = (struct tu_hdr_layout){
			.w = 4, .size = 512, .bid_next_b = 24,
			.bid_next_p = 28, .unique = 32, .rgnid = 36,
			.root = 164, .sentinel = 460, .crypt = 461,
			.crc_full = 0,
		};
	} else {
		h = (struct tu_hdr_layout){
			.w = 8, .size = 564, .bid_next_b = 516,
			.bid_next_p = 32, .unique = 40, .rgnid = 44,
			.root = 180, .sentinel = 512, .crypt = 513,
			.crc_full = 524,
		};
	}
	return h;
}

/* ROOT fields: dwReserved, then these, each h.w bytes wide. */
enum tu_root_field {
	TU_ROOT_FILE_EOF = 0,
	TU_ROOT_AMAP_LAST,
	TU_ROOT_AMAP_FREE,
	TU_ROOT_PMAP_FREE,
	TU_ROOT_NBT_BID,
	TU_ROOT_NBT_IB,
	TU_ROOT_BBT_BID,
	TU_ROOT_BBT_IB,
	TU_ROOT_AMAP_VALID,      /* one byte */
};

static inline uint32_t tu_root_off(const struct tu_hdr_layout *h,
				   enum tu_root_field f)
{
	return h->root + 4 + (uint32_t)f * h->w;
}

/* dwCRCPartial: 471 bytes from offset 8; dwCRCFull (Unicode): 516. */
static inline void tu_header_fix_buf(uint8_t *buf, bool ansi)
{
	pf_put32(buf + 4, pf_crc(buf + 8, 471));
	if (!ansi)
		pf_put32(buf + 524, pf_crc(buf + 8, 516));
}

static inline bool tu_ver_is_ansi(uint16_t ver)
{
	return ver == 14 || ver == 15;
}

static inline int tu_header_fix_file(const char *path)
{
	uint8_t buf[564];
	bool ansi;

	if (tu_read_at(path, 0, buf, 512) != 0)
		return -1;
	ansi = tu_ver_is_ansi(pf_le16(buf + 10));
	if (!ansi && tu_read_at(path, 0, buf, sizeof(buf)) != 0)
		return -1;
	tu_header_fix_buf(buf, ansi);
	return tu_write_at(path, 0, buf, ansi ? 512 : sizeof(buf));
}

/* Write an integer field of the header and recompute both CRCs. */
static inline int tu_header_set(const char *path, uint32_t off,
				unsigned width, uint64_t v)
{
	uint8_t b[8];

	tu_put(b, width, v);
	if (tu_write_at(path, off, b, width) != 0)
		return -1;
	return tu_header_fix_file(path);
}

/* ---- finding things in the trees through pf_ndb.h ---- */

struct tu_loc {
	uint64_t page_ib;        /* the leaf page holding the key */
	uint64_t page_bid;
	uint32_t index;          /* the entry's slot in it */
	uint32_t cent;
	uint64_t parent_ib;      /* the page above it (0 for the root) */
	uint32_t parent_index;
};

/* Descend OBJ's tree (PF_OBJ_NBT or PF_OBJ_BBT) to the leaf holding KEY.
 * With KEY == UINT64_MAX, follow the first entry at every level and
 * report slot 0 of the leftmost leaf.  Returns 0 or -1. */
static inline int tu_find_leaf(struct pf_ndb *ndb, enum pf_obj obj,
			       uint64_t key, struct tu_loc *out)
{
	const struct pf_layout *l = pf_ndb_layout(ndb);
	const struct pf_root *r = &pf_ndb_header(ndb)->root;
	struct pf_bref bref = obj == PF_OBJ_NBT ? r->nbt : r->bbt;
	uint64_t mask = obj == PF_OBJ_BBT ? ~(uint64_t)1 : 0xFFFFFFFFu;
	uint8_t page[4096];
	struct pf_btpage bt;

	memset(out, 0, sizeof(*out));
	for (int depth = 0; depth <= PF_BT_MAX_DEPTH; depth++) {
		int slot = -1;

		if (pf_page_read(ndb, bref.ib, page) != 0 ||
		    !pf_btpage_parse(l, page, bref.ib, obj, NULL, &bt))
			return -1;
		if (bt.level == 0) {
			out->page_ib = bref.ib;
			out->page_bid = bref.bid;
			out->cent = bt.cent;
			if (key == UINT64_MAX)
				return bt.cent ? 0 : -1;
			for (uint32_t i = 0; i < bt.cent; i++) {
				uint64_t k;

				if (obj == PF_OBJ_NBT) {
					struct pf_nbt_entry e;

					pf_nbt_entry_get(l, &bt, i, &e);
					k = e.nid;
				} else {
					struct pf_bbt_entry e;

					pf_bbt_entry_get(l, &bt, i, &e);
					k = e.bref.bid;
				}
				if ((k & mask) == (key & mask)) {
					out->index = i;
					return 0;
				}
			}
			return -1;
		}
		for (uint32_t i = 0; i < bt.cent; i++) {
			struct pf_bt_branch br;

			pf_bt_branch_get(l, &bt, i, &br);
			if (key == UINT64_MAX ||
			    (br.key & mask) <= (key & mask))
				slot = (int)i;
			if (key == UINT64_MAX)
				break;
		}
		if (slot < 0)
			return -1;
		out->parent_ib = bref.ib;
		out->parent_index = (uint32_t)slot;
		{
			struct pf_bt_branch br;

			pf_bt_branch_get(l, &bt, (uint32_t)slot, &br);
			bref = br.bref;
		}
	}
	return -1;
}

#endif
