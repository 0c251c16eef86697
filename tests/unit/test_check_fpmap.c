/*
 * test_check_fpmap.c - the FPMap page (MS-PST 2.2.2.7.6) on a synthetic
 * file: the first FPMap follows AMap 8192, near 2 GB, too big for a
 * golden image (tests/images builds, damages, repairs and exports each
 * case; a 2 GB base would cost minutes and gigabytes per case).
 *
 * The file: a small Unicode sample from the writer, grown sparse to just
 * past the first FPMap: every AMap after the sample's (free but for its
 * own byte and the map pages it is followed by), PMaps (all 1, as the
 * writer and Outlook write them), FMaps, the FPMap, all sealed; header
 * ibFileEof / ibAMapLast moved and its CRCs fixed.  Only the map pages
 * take disk space.  It scans without an error; then each FPMap damage of
 * the golden FMap cases (ptype, ptypeRepeat, BID, wSig, CRC, the AMap byte
 * of its space) is made, scanned (its code, PF2031-PF2036, and no other
 * error but the space check's PF2050) and undone.
 * With PF_TEST_SLOW=1 the maps repair (pf_repair_ndb MAPS, which writes
 * the 2 GB output) runs on the CRC damage and its output scans clean,
 * FPMap in place.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../formats/write/pf_msgw.h"
#include "../../pstfix/create/sample.h"
#include "../../pstfix/repair/repair.h"
#include "tutil.h"

static char g_dir[64];

#define FP_INDEX 8192u           /* the AMap the first FPMap follows */

struct grown {
	struct pf_layout l;
	uint64_t fp_amap;        /* AMap 8192 */
	uint64_t fp_ib;          /* the FPMap: three pages after it */
};

static void make_sample(const char *path)
{
	struct pf_write_opts wo = { .variant = PF_UNICODE,
				    .crypt = PF_CRYPT_PERMUTE };
	struct pf_storew_opts so = { .now = pf_filetime_from_unix(1767225600),
				     .seed = 7 };
	struct pf_sample_spec sp;
	struct pf_storew *s;

	ck_assert_int_eq(pf_sample_parse("folders=2,messages=10", &sp), 0);
	ck_assert_msg(pf_storew_open(&s, path, &wo, &so) == 0, "%s",
		      pf_error_msg());
	ck_assert_msg(pf_sample_generate(s, &sp, NULL, NULL) == 0, "%s",
		      pf_error_msg());
	ck_assert_msg(pf_storew_commit(s) == 0, "%s", pf_error_msg());
}

/* A map page of type PTYPE with bitmap BITS, sealed at IB. */
static void put_map(const char *path, const struct pf_layout *l,
		    uint64_t ib, uint8_t ptype, const uint8_t *bits)
{
	uint8_t page[512] = { 0 };

	memcpy(page + l->amap_bits_ib, bits, l->amap_bits_cb);
	tu_page_seal(l, page, ib, ptype, ib);
	ck_assert_int_eq(tu_write_at(path, ib, page, sizeof(page)), 0);
}

/* MS-PST 2.2.2.7.2-6: the map pages at the start of AMap INDEX's span. */
static void put_range(const char *path, const struct pf_layout *l,
		      uint64_t index)
{
	uint64_t ib = l->amap_first + index * l->amap_span;
	bool pm = index % 8 == 0;
	bool fm = index >= 128 && (index - 128) % 496 == 0;
	bool fp = index >= FP_INDEX && (index - FP_INDEX) % 31744 == 0;
	uint8_t bits[496] = { 0 }, ones[496], zero[496] = { 0 };

	/* one byte (8 units of 64 bytes) per map page present; a page slot
	 * with no map (+1024 at AMap 8192, which has no FMap) stays free */
	memset(ones, 0xFF, sizeof(ones));
	bits[0] = 0xFF;
	bits[1] = pm ? 0xFF : 0;
	bits[2] = fm ? 0xFF : 0;
	bits[3] = fp ? 0xFF : 0;
	put_map(path, l, ib, PF_PTYPE_AMAP, bits);
	if (pm)
		put_map(path, l, ib + 512, PF_PTYPE_PMAP, ones);
	if (fm)        /* the longest free runs: not checked, zero here */
		put_map(path, l, ib + 1024, PF_PTYPE_FMAP, zero);
	if (fp)
		put_map(path, l, ib + 1536, PF_PTYPE_FPMAP, ones);
}

static void grow(const char *path, struct grown *g)
{
	struct pf_ndb *ndb;
	struct tu_hdr_layout hl = tu_hdr_layout(false);
	uint64_t first, size;

	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	g->l = *pf_ndb_layout(ndb);
	first = (pf_ndb_file_size(ndb) - g->l.amap_first - 1) /
		g->l.amap_span + 1;
	pf_ndb_close(ndb);
	g->fp_amap = g->l.amap_first + (uint64_t)FP_INDEX * g->l.amap_span;
	g->fp_ib = g->fp_amap + 3 * g->l.page_size;
	size = g->fp_ib + 64 * g->l.page_size;
	ck_assert_int_eq(truncate(path, (off_t)size), 0);
	for (uint64_t k = first; k <= FP_INDEX; k++)
		put_range(path, &g->l, k);
	ck_assert_int_eq(tu_header_set(path, tu_root_off(&hl,
			 TU_ROOT_FILE_EOF), 8, size), 0);
	ck_assert_int_eq(tu_header_set(path, tu_root_off(&hl,
			 TU_ROOT_AMAP_LAST), 8, g->fp_amap), 0);
}

/* The findings of PATH: CODE, and no other error but OK_TOO (or 0). */
static void only_code(const char *path, unsigned code, unsigned ok_too)
{
	struct tu_findings *t = tu_check(path);
	char codes[1024];

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->rc, 0);
	tu_codes_str(t, true, codes, sizeof(codes));
	if (code)
		ck_assert_msg(t->by_code[code] >= 1, "PF%04u missing: %s",
			      code, codes);
	ck_assert_msg(t->by_sev[PF_SEV_ERROR] == (code ? t->by_code[code] : 0)
		      + (ok_too ? t->by_code[ok_too] : 0),
		      "PF%04u: other errors: %s", code, codes);
	free(t);
}

struct damage {
	const char *name;
	unsigned code;
};

static const struct damage damages[] = {
	{ "ptype", 2031 }, { "ptype-repeat", 2032 }, { "bid", 2033 },
	{ "sig", 2034 }, { "crc", 2035 }, { "own", 2036 },
};

/* Make damage D on the grown file (the edits of pstcorrupt map-field). */
static void damage(const char *path, const struct grown *g,
		   const struct damage *d)
{
	struct tu_trailer_at tt = tu_trailer_at(&g->l);
	uint8_t page[512];

	if (strcmp(d->name, "own") == 0) {
		ck_assert_int_eq(tu_read_at(path, g->fp_amap, page, 512), 0);
		page[g->l.amap_bits_ib + 3] = 0;
		tu_page_fix(&g->l, page, g->fp_amap);
		ck_assert_int_eq(tu_write_at(path, g->fp_amap, page, 512), 0);
		return;
	}
	ck_assert_int_eq(tu_read_at(path, g->fp_ib, page, 512), 0);
	if (strcmp(d->name, "ptype") == 0)
		page[tt.base] = page[tt.base + 1] = PF_PTYPE_AMAP;
	else if (strcmp(d->name, "ptype-repeat") == 0)
		page[tt.base + 1] = PF_PTYPE_AMAP;
	else if (strcmp(d->name, "bid") == 0)
		tu_put(page + tt.bid, tt.bid_w, g->fp_ib + 512);
	if (strcmp(d->name, "sig") == 0)
		pf_put16(page + tt.sig, 0x5A5A);
	else if (strcmp(d->name, "crc") == 0)
		page[g->l.amap_bits_ib + g->l.amap_bits_cb - 1] ^= 0x01;
	else
		tu_page_fix(&g->l, page, g->fp_ib);
	ck_assert_int_eq(tu_write_at(path, g->fp_ib, page, 512), 0);
}

START_TEST(fpmap_damages)
{
	char path[128], save[128];
	struct grown g;
	uint8_t fp[512], am[512];

	snprintf(path, sizeof(path), "%s/grown.pst", g_dir);
	make_sample(path);
	grow(path, &g);
	only_code(path, 0, 0);
	ck_assert_int_eq(tu_read_at(path, g.fp_ib, fp, 512), 0);
	ck_assert_int_eq(tu_read_at(path, g.fp_amap, am, 512), 0);
	for (size_t i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
		damage(path, &g, &damages[i]);
		only_code(path, damages[i].code,
			  damages[i].code == 2036 ? 2050 : 0);
		ck_assert_int_eq(tu_write_at(path, g.fp_ib, fp, 512), 0);
		ck_assert_int_eq(tu_write_at(path, g.fp_amap, am, 512), 0);
	}
	only_code(path, 0, 0);
	if (!getenv("PF_TEST_SLOW")) {
		printf("SKIP: fpmap repair writes 2 GB; set PF_TEST_SLOW=1\n");
		return;
	}
	{
		struct pf_repair_ctx ctx = { 0 };

		damage(path, &g, &damages[4]);
		snprintf(save, sizeof(save), "%s/repaired.pst", g_dir);
		ck_assert_msg(pf_repair_ndb(&ctx, path, save, PF_REPAIR_MAPS)
			      == 0, "%s", pf_error_msg());
		unlink(path);
		only_code(save, 0, 0);
		ck_assert_int_eq(tu_read_at(save, g.fp_ib, fp, 512), 0);
		ck_assert_uint_eq(fp[512 - 16], PF_PTYPE_FPMAP);
		unlink(save);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("check_fpmap");
	TCase *tc = tcase_create("fpmap");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, fpmap_damages);
	suite_add_tcase(s, tc);
	return tu_run_suite(s, g_dir, sizeof(g_dir), "pf-fpmap");
}
