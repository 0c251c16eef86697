/*
 * pass_header.c - pass 1: the HEADER and ROOT (MS-PST 2.2.2.6, 2.2.2.5).
 *
 * Checks: both CRCs, wMagicClient, bSentinel, bCryptMethod, ibFileEof
 * against the file size, ibAMapLast position, the two ROOT BREFs (inside
 * the file, page aligned), fAMapValid.  The counters (bidNextB/P, rgnid)
 * are checked at the end of the block pass, when the BIDs and NIDs in use
 * are known.
 * Relies on: nothing.  Sets ck->eof, the bound every later pass uses.
 */
#include "ck.h"

static void check_crcs(struct pf_ck *ck)
{
	const struct pf_header *h = ck->h;
	struct pf_fault f = { .ib = 4 };

	if (h->crc_partial != h->crc_partial_calc) {
		f.field = "dwCRCPartial";
		f.got = h->crc_partial;
		f.want = h->crc_partial_calc;
		ck_report(ck, 1001, &f, NULL);
	}
	if (h->variant != PF_ANSI && h->crc_full != h->crc_full_calc) {
		f.ib = 524;
		f.field = "dwCRCFull";
		f.got = h->crc_full;
		f.want = h->crc_full_calc;
		ck_report(ck, 1001, &f, NULL);
	}
}

static void check_fields(struct pf_ck *ck)
{
	const struct pf_header *h = ck->h;
	struct pf_fault f = { .ib = 8 };

	if (h->magic_client == PF_MAGIC_CLIENT_PAB) {
		ck_problem(ck, 1004, 8, 0, 0, h->magic_client, 0, NULL);
	} else if (h->magic_client != PF_MAGIC_CLIENT_PST &&
		   h->magic_client != PF_MAGIC_CLIENT_OST) {
		f.got = h->magic_client;
		ck_report(ck, 1002, &f, NULL);
	}
	if (h->sentinel != 0x80) {
		f.ib = h->variant == PF_ANSI ? 460 : 512;
		f.field = "bSentinel";
		f.got = h->sentinel;
		f.want = 0x80;
		ck_report(ck, 1003, &f, NULL);
	}
	if (h->crypt_method > PF_CRYPT_CYCLIC) {
		f.ib = h->variant == PF_ANSI ? 461 : 513;
		f.field = "bCryptMethod";
		f.got = h->crypt_method;
		f.want = PF_CRYPT_PERMUTE;
		ck_report(ck, 1003, &f, NULL);
	}
}

/* A BREF must name a page-aligned offset inside the file. */
static void check_bref(struct pf_ck *ck, const struct pf_bref *b,
		       const char *field)
{
	struct pf_fault f = { .ib = PF_NO_IB, .bid = b->bid, .field = field,
			      .got = b->ib };

	if (b->ib % ck->l->page_size != 0) {
		ck_report(ck, 1014, &f, NULL);
	} else if (b->ib < ck->l->amap_first ||
		   b->ib + ck->l->page_size > ck->eof) {
		f.want = ck->eof;
		ck_report(ck, 1011, &f, NULL);
	}
}

static void check_root(struct pf_ck *ck)
{
	const struct pf_root *r = &ck->h->root;
	uint64_t size = pf_ndb_file_size(ck->ndb);
	const struct pf_layout *l = ck->l;

	if (r->ib_file_eof > size) {
		ck_problem(ck, 1012, PF_NO_IB, 0, 0, r->ib_file_eof, size, NULL);
	} else if (r->ib_file_eof < size) {
		ck_problem(ck, 1013, PF_NO_IB, 0, 0, r->ib_file_eof, size, NULL);
		ck->eof = r->ib_file_eof >= l->amap_first ? r->ib_file_eof : size;
	}
	/* the last AMap starts before eof: an eof at a span's end is the
	 * end of the previous AMap's span, not the start of a new one */
	if (r->ib_amap_last < l->amap_first ||
	    (r->ib_amap_last - l->amap_first) % l->amap_span != 0 ||
	    r->ib_amap_last >= ck->eof) {
		struct pf_fault f = { .ib = PF_NO_IB, .field = "ibAMapLast",
				      .got = r->ib_amap_last,
				      .want = l->amap_first +
					      (ck->eof - l->amap_first - 1) /
					      l->amap_span * l->amap_span };

		ck_report(ck, 1010, &f, NULL);
	}
	check_bref(ck, &r->nbt, "BREFNBT.ib");
	check_bref(ck, &r->bbt, "BREFBBT.ib");
	switch (r->f_amap_valid) {
	case 2:  break;
	case 1:  ck_problem(ck, 1016, PF_NO_IB, 0, 0, 1, 2, NULL); break;
	case 0:  ck_problem(ck, 1015, PF_NO_IB, 0, 0, 0, 2, NULL); break;
	default: ck_problem(ck, 1017, PF_NO_IB, 0, 0, r->f_amap_valid, 2,
			    NULL);
	}
}

void pass_header(struct pf_ck *ck)
{
	ck_progress(ck, PF_PASS_HEADER, 0, 1);
	check_crcs(ck);
	check_fields(ck);
	check_root(ck);
	/* the header area and the DList page are the file's own */
	ck_claim(ck, 0, ck->l->dlist_ib, "header");
}
