/*
 * test_crypt.c - the block encodings of MS-PST 5.1 (permutative) and 5.2
 * (cyclic): pf_mpbb_r/s/i, pf_encode(), pf_decode().
 *
 * Covers:
 * - the three 256-byte thirds of mpbbCrypt: R is a permutation, I is R's
 *   inverse (both ways), S is an involution; spot values from the spec's
 *   table (first and last bytes of each third) so a rotated or shifted
 *   table cannot pass;
 * - permutative: encode is R, decode is I, every byte value and a buffer
 *   round-trip; encoding changes the bytes;
 * - cyclic: round trip with several BIDs (the key is the low 32 bits of
 *   the BID), the result equals a reference written from the spec's
 *   pseudo-code, the key actually matters (two BIDs differ), and the BID's
 *   upper half does not;
 * - PF_CRYPT_NONE and unknown methods leave the data alone; n == 0 is a
 *   no-op;
 * - known answer on real files: the first data block of the message
 *   store (NID 0x21) of pstsdk-sample1.pst (Unicode) and
 *   pstsdk-sample2-ansi.pst (ANSI), both permutative, decodes to a heap
 *   whose bSig (byte 2) is 0xEC and bClientSig 0xBC (a PC), while the
 *   stored byte is R[0xEC]; read through pf_ndb_open + pf_nbt_lookup +
 *   pf_block_read_bid.  Skipped when ../shared/corpus is absent.
 */
#include <check.h>

#include "tutil.h"

START_TEST(test_r_is_permutation)
{
	uint8_t seen[256] = { 0 };

	for (int x = 0; x < 256; x++)
		seen[pf_mpbb_r[x]]++;
	for (int x = 0; x < 256; x++)
		ck_assert_msg(seen[x] == 1, "R hits 0x%02x %u times", x,
			      seen[x]);
}
END_TEST

START_TEST(test_i_is_inverse)
{
	for (int x = 0; x < 256; x++) {
		ck_assert_msg(pf_mpbb_i[pf_mpbb_r[x]] == x,
			      "I[R[0x%02x]] = 0x%02x", x,
			      pf_mpbb_i[pf_mpbb_r[x]]);
		ck_assert_msg(pf_mpbb_r[pf_mpbb_i[x]] == x,
			      "R[I[0x%02x]] = 0x%02x", x,
			      pf_mpbb_r[pf_mpbb_i[x]]);
	}
}
END_TEST

START_TEST(test_s_is_involution)
{
	int fixed = 0;

	for (int x = 0; x < 256; x++) {
		ck_assert_msg(pf_mpbb_s[pf_mpbb_s[x]] == x,
			      "S[S[0x%02x]] = 0x%02x", x,
			      pf_mpbb_s[pf_mpbb_s[x]]);
		fixed += pf_mpbb_s[x] == x;
	}
	/* the identity would be an involution too */
	ck_assert_int_lt(fixed, 256);
}
END_TEST

/* MS-PST 5.1 mpbbCrypt, decimal as printed in the spec. */
START_TEST(test_spec_spot_values)
{
	static const uint8_t r_head[] = { 65, 54, 19, 98, 168, 33, 110, 187 };
	static const uint8_t r_tail[] = { 181, 208, 218, 61 };
	static const uint8_t s_head[] = { 20, 83, 15, 86, 179, 200, 122, 156 };
	static const uint8_t s_tail[] = { 121, 126, 178, 138 };
	static const uint8_t i_head[] = {
		71, 241, 180, 230, 11, 106, 114, 72,
	};
	static const uint8_t i_tail[] = { 193, 108, 249, 236 };

	ck_assert_mem_eq(pf_mpbb_r, r_head, sizeof(r_head));
	ck_assert_mem_eq(pf_mpbb_r + 252, r_tail, sizeof(r_tail));
	ck_assert_mem_eq(pf_mpbb_s, s_head, sizeof(s_head));
	ck_assert_mem_eq(pf_mpbb_s + 252, s_tail, sizeof(s_tail));
	ck_assert_mem_eq(pf_mpbb_i, i_head, sizeof(i_head));
	ck_assert_mem_eq(pf_mpbb_i + 252, i_tail, sizeof(i_tail));
}
END_TEST

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

START_TEST(test_permute_round_trip)
{
	uint8_t all[256], buf[256], orig[8192], work[8192];

	for (int x = 0; x < 256; x++)
		all[x] = (uint8_t)x;
	memcpy(buf, all, sizeof(buf));
	pf_encode(PF_CRYPT_PERMUTE, 0x4, buf, sizeof(buf));
	ck_assert_mem_eq(buf, pf_mpbb_r, 256);     /* encode is R */
	pf_decode(PF_CRYPT_PERMUTE, 0x4, buf, sizeof(buf));
	ck_assert_mem_eq(buf, all, 256);
	memcpy(buf, all, sizeof(buf));
	pf_decode(PF_CRYPT_PERMUTE, 0x4, buf, sizeof(buf));
	ck_assert_mem_eq(buf, pf_mpbb_i, 256);     /* decode is I */

	fill(orig, sizeof(orig), 7);
	memcpy(work, orig, sizeof(work));
	pf_encode(PF_CRYPT_PERMUTE, 0x2cc, work, sizeof(work));
	ck_assert(memcmp(work, orig, sizeof(work)) != 0);
	pf_decode(PF_CRYPT_PERMUTE, 0x2cc, work, sizeof(work));
	ck_assert_mem_eq(work, orig, sizeof(work));
}
END_TEST

/* MS-PST 5.2 CryptCyclic, transcribed from the spec's pseudo-code. */
static void ref_cyclic(uint8_t *pb, size_t cb, uint32_t dwKey)
{
	uint16_t w = (uint16_t)(dwKey ^ (dwKey >> 16));

	while (cb-- > 0) {
		uint8_t b = *pb;

		b = (uint8_t)(b + (uint8_t)w);
		b = pf_mpbb_r[b];
		b = (uint8_t)(b + (uint8_t)(w >> 8));
		b = pf_mpbb_s[b];
		b = (uint8_t)(b - (uint8_t)(w >> 8));
		b = pf_mpbb_i[b];
		b = (uint8_t)(b - (uint8_t)w);
		*pb++ = b;
		w = (uint16_t)(w + 1);
	}
}

START_TEST(test_cyclic_round_trip)
{
	static const uint64_t bids[] = {
		0x4, 0x2cc, 0x10000, 0xFFFF, 0x12345678, 0xFFFFFFFC,
		0x0000000100000004ull, 0xDEADBEEF00001234ull,
	};
	uint8_t orig[8192], work[8192], ref[8192], other[8192];

	fill(orig, sizeof(orig), 99);
	for (size_t i = 0; i < sizeof(bids) / sizeof(bids[0]); i++) {
		memcpy(work, orig, sizeof(work));
		pf_encode(PF_CRYPT_CYCLIC, bids[i], work, sizeof(work));
		ck_assert_msg(memcmp(work, orig, sizeof(work)) != 0,
			      "bid 0x%" PRIx64 ": encoding changed nothing",
			      bids[i]);
		memcpy(ref, orig, sizeof(ref));
		ref_cyclic(ref, sizeof(ref), (uint32_t)bids[i]);
		ck_assert_msg(memcmp(work, ref, sizeof(work)) == 0,
			      "bid 0x%" PRIx64 ": differs from MS-PST 5.2",
			      bids[i]);
		pf_decode(PF_CRYPT_CYCLIC, bids[i], work, sizeof(work));
		ck_assert_msg(memcmp(work, orig, sizeof(work)) == 0,
			      "bid 0x%" PRIx64 ": no round trip", bids[i]);
	}
	/* the key matters ... */
	memcpy(work, orig, sizeof(work));
	memcpy(other, orig, sizeof(other));
	pf_encode(PF_CRYPT_CYCLIC, 0x2cc, work, sizeof(work));
	pf_encode(PF_CRYPT_CYCLIC, 0x2d0, other, sizeof(other));
	ck_assert(memcmp(work, other, sizeof(work)) != 0);
	/* ... but only its low 32 bits (the BID's dwKey) */
	memcpy(other, orig, sizeof(other));
	pf_encode(PF_CRYPT_CYCLIC, 0xABCD0000000002ccull, other,
		  sizeof(other));
	ck_assert_mem_eq(work, other, sizeof(work));
}
END_TEST

START_TEST(test_other_methods_identity)
{
	static const unsigned methods[] = { PF_CRYPT_NONE, 0x03, 0x0F,
					    PF_CRYPT_WIP, 0xFF };
	uint8_t orig[512], work[512];

	fill(orig, sizeof(orig), 3);
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		enum pf_crypt m = (enum pf_crypt)methods[i];

		memcpy(work, orig, sizeof(work));
		pf_decode(m, 0x2cc, work, sizeof(work));
		ck_assert_mem_eq(work, orig, sizeof(work));
		pf_encode(m, 0x2cc, work, sizeof(work));
		ck_assert_mem_eq(work, orig, sizeof(work));
	}
	/* n == 0 touches nothing (a NULL pointer would crash otherwise) */
	pf_decode(PF_CRYPT_PERMUTE, 0x4, NULL, 0);
	pf_decode(PF_CRYPT_CYCLIC, 0x4, NULL, 0);
}
END_TEST

/* ---- known answer from real files ---- */

START_TEST(test_corpus_known_answer)
{
	static const char *const names[] = {
		"pstsdk-sample1.pst", "pstsdk-sample2-ansi.pst",
	};

	if (!tu_corpus_present()) {
		printf("%s\n", TU_SKIP_CORPUS_MSG);
		return;
	}
	for (size_t i = 0; i < 2; i++) {
		char path[256];
		struct pf_ndb *ndb;
		struct pf_nbt_entry ne;
		struct pf_bbt_entry be;
		uint8_t *data;
		size_t cb;
		uint8_t raw[4];
		struct tu_faults c;
		struct pf_sink s = tu_sink(&c);

		tu_corpus_path(path, sizeof(path), names[i]);
		ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
		ck_assert_uint_eq(pf_ndb_header(ndb)->crypt_method,
				  PF_CRYPT_PERMUTE);
		ck_assert_int_eq(pf_nbt_lookup(ndb, 0x21, &ne), 0);
		ck_assert_uint_eq((uint32_t)ne.nid, 0x21);
		ck_assert_uint_eq(ne.bid_data & PF_BID_INTERNAL, 0);
		ck_assert_int_eq(pf_block_read_bid(ndb, ne.bid_data, &s, &data,
						   &cb), 0);
		ck_assert_uint_eq(c.n, 0);
		ck_assert_uint_ge(cb, 12);
		/* HNHDR: ibHnpm(2) bSig(1) bClientSig(1) */
		ck_assert_msg(data[2] == 0xEC, "%s: bSig 0x%02x", names[i],
			      data[2]);
		ck_assert_msg(data[3] == 0xBC, "%s: bClientSig 0x%02x",
			      names[i], data[3]);
		/* ibHnpm points inside the block */
		ck_assert_uint_lt(pf_le16(data), cb);
		/* the stored bytes are the encoded ones */
		ck_assert_int_eq(pf_bbt_lookup(ndb, ne.bid_data, &be), 0);
		ck_assert_uint_eq(be.cb, cb);
		ck_assert_int_eq(pf_ndb_pread(ndb, be.bref.ib, raw, 4), 0);
		ck_assert_uint_eq(raw[2], pf_mpbb_r[0xEC]);
		ck_assert_uint_eq(raw[3], pf_mpbb_r[0xBC]);
		free(data);
		pf_ndb_close(ndb);
	}
}
END_TEST

static Suite *crypt_suite(void)
{
	Suite *s = suite_create("crypt");
	TCase *tc = tcase_create("tables");
	TCase *tk = tcase_create("corpus");

	tcase_add_test(tc, test_r_is_permutation);
	tcase_add_test(tc, test_i_is_inverse);
	tcase_add_test(tc, test_s_is_involution);
	tcase_add_test(tc, test_spec_spot_values);
	tcase_add_test(tc, test_permute_round_trip);
	tcase_add_test(tc, test_cyclic_round_trip);
	tcase_add_test(tc, test_other_methods_identity);
	suite_add_tcase(s, tc);
	tcase_add_test(tk, test_corpus_known_answer);
	suite_add_tcase(s, tk);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(crypt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
