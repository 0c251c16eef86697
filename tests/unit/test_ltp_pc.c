/*
 * test_ltp_pc.c - property context (MS-PST 2.3.3): every property type
 * (single and multi-valued) read back through the typed getters, string
 * conversion, and one corruption per rule with its exact fault.
 */
#include <check.h>
#include <stdlib.h>

#include "ltp_blob.h"

/* ---- values ---- */

static const uint8_t v_i16[2] = { 0xFE, 0xFF };            /* -2 */
static const uint8_t v_i32[4] = { 0x78, 0x56, 0x34, 0x12 };
static const uint8_t v_f32[4] = { 0x00, 0x00, 0xC0, 0x3F }; /* 1.5f */
static const uint8_t v_f64[8] = { 0, 0, 0, 0, 0, 0, 0x04, 0x40 }; /* 2.5 */
static const uint8_t v_cur[8] = { 0x10, 0x27, 0, 0, 0, 0, 0, 0 };
static const uint8_t v_apt[8] = { 0, 0, 0, 0, 0, 0, 0xF0, 0x3F }; /* 1.0 */
static const uint8_t v_err[4] = { 0x0E, 0x01, 0x04, 0x80 };
static const uint8_t v_bool[4] = { 1, 0, 0, 0 };
static const uint8_t v_obj[8] = { 0x3F, 0x80, 0, 0, 0x00, 0x10, 0, 0 };
static const uint8_t v_i64[8] = { 1, 2, 3, 4, 5, 6, 7, 0x08 };
static const char v_s8[] = "caf\xe9 \x80";                /* "café €" */
/* "A", U+1F600 (surrogate pair), a lone high surrogate, "z" */
static const uint8_t v_str[] = { 'A', 0, 0x3D, 0xD8, 0x00, 0xDE,
				 0x00, 0xD8, 'z', 0 };
static const uint8_t v_time[8] = { 0x00, 0x80, 0x3E, 0xD5, 0xDE, 0xB1,
				   0x9D, 0x01 };
static const uint8_t v_guid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
				    13, 14, 15, 16 };
static const uint8_t v_sid[6] = { 1, 0, 0x33, 0x44, 0x55, 0x66 };
static const uint8_t v_res[5] = { 0x03, 0x04, 0, 0, 0 };
static const uint8_t v_rule[6] = { 1, 0, 0, 0, 0, 0 };
static const uint8_t v_bin[5] = { 0xDE, 0xAD, 0xBE, 0xEF, 0x00 };
static const uint8_t v_mi16[6] = { 1, 0, 2, 0, 0xFF, 0xFF };
static const uint8_t v_mi32[8] = { 1, 0, 0, 0, 2, 0, 0, 0 };
static const uint8_t v_mf32[4] = { 0x00, 0x00, 0xC0, 0x3F };
static const uint8_t v_mf64[16] = { 0 };
static const uint8_t v_mcur[8] = { 5, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t v_mapt[16] = { 0 };
static const uint8_t v_mi64[24] = { 1, [8] = 2, [16] = 3 };
/* MV String8 {"ab", "", "c"}: count, 3 offsets, data */
static const uint8_t v_ms8[] = { 3, 0, 0, 0, 16, 0, 0, 0, 18, 0, 0, 0,
				 18, 0, 0, 0, 'a', 'b', 'c' };
/* MV String {"x", "yz"} */
static const uint8_t v_mstr[] = { 2, 0, 0, 0, 12, 0, 0, 0, 14, 0, 0, 0,
				  'x', 0, 'y', 0, 'z', 0 };
static const uint8_t v_mtime[16] = { 1, [8] = 2 };
static const uint8_t v_mguid[32] = { 1, [16] = 2 };
/* MV Binary {01 02, 03} */
static const uint8_t v_mbin[] = { 2, 0, 0, 0, 12, 0, 0, 0, 14, 0, 0, 0,
				  1, 2, 3 };

#define P(id, type, v) { id, type, v, sizeof(v), 0 }

/* Sorted by id; one property per type. */
static const struct lb_prop props[] = {
	P(0x3001, PF_PT_INT16, v_i16),
	P(0x3002, PF_PT_INT32, v_i32),
	P(0x3003, PF_PT_FLOAT32, v_f32),
	P(0x3004, PF_PT_FLOAT64, v_f64),
	P(0x3005, PF_PT_CURRENCY, v_cur),
	P(0x3006, PF_PT_FLOATINGTIME, v_apt),
	P(0x3007, PF_PT_ERROR, v_err),
	P(0x3008, PF_PT_BOOLEAN, v_bool),
	P(0x3009, PF_PT_OBJECT, v_obj),
	P(0x300A, PF_PT_INT64, v_i64),
	{ 0x300B, PF_PT_STRING8, v_s8, sizeof(v_s8) - 1, 0 },
	P(0x300C, PF_PT_STRING, v_str),
	P(0x300D, PF_PT_TIME, v_time),
	P(0x300E, PF_PT_GUID, v_guid),
	P(0x300F, PF_PT_SERVERID, v_sid),
	P(0x3010, PF_PT_RESTRICTION, v_res),
	P(0x3011, PF_PT_RULEACTION, v_rule),
	P(0x3012, PF_PT_BINARY, v_bin),
	{ 0x3013, PF_PT_STRING, NULL, 0, 0 },              /* empty */
	P(0x3014, PF_PT_MV_INT16, v_mi16),
	P(0x3015, PF_PT_MV_INT32, v_mi32),
	P(0x3016, PF_PT_MV_FLOAT32, v_mf32),
	P(0x3017, PF_PT_MV_FLOAT64, v_mf64),
	P(0x3018, PF_PT_MV_CURRENCY, v_mcur),
	P(0x3019, PF_PT_MV_FLOATINGTIME, v_mapt),
	P(0x301A, PF_PT_MV_INT64, v_mi64),
	P(0x301B, PF_PT_MV_STRING8, v_ms8),
	P(0x301C, PF_PT_MV_STRING, v_mstr),
	P(0x301D, PF_PT_MV_TIME, v_mtime),
	P(0x301E, PF_PT_MV_GUID, v_mguid),
	P(0x301F, PF_PT_MV_BINARY, v_mbin),
	{ 0x3020, PF_PT_BINARY, NULL, 0, 0x8061 },         /* subnode */
};
#define NPROPS (sizeof(props) / sizeof(props[0]))

static struct pf_subnode sn_v[] = { { 0x8061, 0x1234, 0 } };
static const struct pf_subnodes subnodes = { sn_v, 1 };

static int open_pc(struct pf_pc *pc, const struct lb_prop *p, uint32_t n,
		   uint32_t per, struct lb_sink *s)
{
	struct lb_hn *h = lb_new(PF_BTYPE_PC);
	struct pf_hn hn;
	int rc;

	lb_pc(h, p, n, per);
	rc = lb_open(h, &hn, &s->sink);
	free(h);
	if (rc < 0)
		return rc;
	return pf_pc_open_hn(pc, &hn, NULL, &subnodes, &s->sink);
}

START_TEST(test_all_types)
{
	struct lb_sink s;
	struct pf_pc pc;
	struct pf_value v;
	uint32_t i;

	lb_sink_init(&s);
	ck_assert_int_eq(open_pc(&pc, props, NPROPS, _i ? 5 : 0, &s), 0);
	ck_assert_uint_eq(pf_pc_count(&pc), NPROPS);
	ck_assert_int_eq(pf_pc_validate(&pc, &s.sink), 0);
	ck_assert_int_eq(s.n, 0);
	for (i = 0; i < NPROPS; i++) {
		const struct lb_prop *p = &props[i];

		ck_assert_uint_eq(pf_pc_tag(&pc, i),
				  PF_PROP_TAG(p->id, p->type));
		if (p->hnid)
			continue;    /* subnode: needs a file */
		ck_assert_int_eq(pf_pc_prop(&pc, i, &v), 0);
		ck_assert_uint_eq(v.type, p->type);
		ck_assert_uint_eq(v.cb, lb_inline(p->type) ?
				  (size_t)pf_ptype_size(p->type) : p->cb);
		if (v.cb)
			ck_assert_mem_eq(pf_value_data(&v), p->data,
					 v.cb);
		pf_value_free(&v);
	}
	pf_pc_close(&pc);
}
END_TEST

START_TEST(test_getters)
{
	struct lb_sink s;
	struct pf_pc pc;
	int32_t i32;
	int64_t i64;
	uint64_t t;
	bool b;
	uint8_t *bin;
	size_t cb;
	char *str;
	uint32_t nid, size;
	struct pf_value v;
	double d;

	lb_sink_init(&s);
	ck_assert_int_eq(open_pc(&pc, props, NPROPS, 3, &s), 0);
	ck_assert_int_eq(pf_pc_get_i32(&pc, 0x3001, &i32), 0);
	ck_assert_int_eq(i32, -2);
	ck_assert_int_eq(pf_pc_get_i32(&pc, 0x3002, &i32), 0);
	ck_assert_int_eq(i32, 0x12345678);
	ck_assert_int_eq(pf_pc_get_i32(&pc, 0x3007, &i32), 0);
	ck_assert_uint_eq((uint32_t)i32, 0x8004010Eu);
	ck_assert_int_eq(pf_pc_get_i64(&pc, 0x300A, &i64), 0);
	ck_assert_int_eq(i64, 0x0807060504030201LL);
	ck_assert_int_eq(pf_pc_get_i64(&pc, 0x3005, &i64), 0);
	ck_assert_int_eq(i64, 10000);
	ck_assert_int_eq(pf_pc_get_i64(&pc, 0x3002, &i64), 0);
	ck_assert_int_eq(i64, 0x12345678);
	ck_assert_int_eq(pf_pc_get_bool(&pc, 0x3008, &b), 0);
	ck_assert(b);
	ck_assert_int_eq(pf_pc_get_time(&pc, 0x300D, &t), 0);
	ck_assert_uint_eq(t, 0x019DB1DED53E8000ULL);
	/* type mismatch is "not found" */
	ck_assert_int_eq(pf_pc_get_time(&pc, 0x3002, &t), PF_E_NOTFOUND);
	ck_assert_int_eq(pf_pc_get_bool(&pc, 0x3002, &b), PF_E_NOTFOUND);
	ck_assert_int_eq(pf_pc_get_i32(&pc, 0x7777, &i32), PF_E_NOTFOUND);
	ck_assert_int_eq(pf_pc_get_bin(&pc, 0x3012, &bin, &cb), 0);
	ck_assert_uint_eq(cb, sizeof(v_bin));
	ck_assert_mem_eq(bin, v_bin, cb);
	free(bin);
	ck_assert_int_eq(pf_pc_get_bin(&pc, 0x300E, &bin, &cb), 0);
	ck_assert_mem_eq(bin, v_guid, 16);
	free(bin);
	ck_assert_int_eq(pf_pc_get_string(&pc, 0x300B, &str), 0);
	ck_assert_str_eq(str, "caf\xc3\xa9 \xe2\x82\xac");
	free(str);
	ck_assert_int_eq(pf_pc_get_string(&pc, 0x300C, &str), 0);
	ck_assert_str_eq(str, "A\xf0\x9f\x98\x80\xef\xbf\xbdz");
	free(str);
	ck_assert_int_eq(pf_pc_get_string(&pc, 0x3013, &str), 0);
	ck_assert_str_eq(str, "");
	free(str);
	pf_pc_set_codepage(&pc, 28591);
	ck_assert_int_eq(pf_pc_get_string(&pc, 0x300B, &str), 0);
	ck_assert_str_eq(str, "caf\xc3\xa9 \xc2\x80");
	free(str);
	ck_assert_int_eq(pf_pc_get_object(&pc, 0x3009, &nid, &size), 0);
	ck_assert_uint_eq(nid, 0x803F);
	ck_assert_uint_eq(size, 0x1000);
	/* subnode values need the file: not readable here */
	ck_assert_int_eq(pf_pc_get_bin(&pc, 0x3020, &bin, &cb),
			 PF_E_NOTFOUND);
	ck_assert_int_eq(pf_pc_get_value(&pc, 0x3003, &v), 0);
	ck_assert_int_eq(pf_value_f64(&v, &d), 0);
	ck_assert(d == 1.5);
	pf_value_free(&v);
	ck_assert_int_eq(pf_pc_get_value(&pc, 0x3004, &v), 0);
	ck_assert_int_eq(pf_value_f64(&v, &d), 0);
	ck_assert(d == 2.5);
	pf_value_free(&v);
	ck_assert_int_eq(pf_pc_get_value(&pc, 0x3006, &v), 0);
	ck_assert_int_eq(pf_value_f64(&v, &d), 0);
	ck_assert(d == 1.0);
	pf_value_free(&v);
	pf_pc_close(&pc);
}
END_TEST

START_TEST(test_multi_valued)
{
	struct lb_sink s;
	struct pf_pc pc;
	struct pf_value v;
	const uint8_t *p;
	size_t cb;
	uint32_t n;
	char *str;

	lb_sink_init(&s);
	ck_assert_int_eq(open_pc(&pc, props, NPROPS, 0, &s), 0);
	ck_assert_int_eq(pf_pc_get_value(&pc, 0x3014, &v), 0);
	ck_assert_int_eq(pf_value_mv_count(&v, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(pf_value_mv_item(&v, 2, &p, &cb), 0);
	ck_assert_uint_eq(cb, 2);
	ck_assert_uint_eq(pf_le16(p), 0xFFFF);
	ck_assert_int_eq(pf_value_mv_item(&v, 3, &p, &cb), PF_E_NOTFOUND);
	pf_value_free(&v);
	ck_assert_int_eq(pf_pc_get_value(&pc, 0x301A, &v), 0);
	ck_assert_int_eq(pf_value_mv_count(&v, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(pf_value_mv_item(&v, 1, &p, &cb), 0);
	ck_assert_uint_eq(pf_le64(p), 2);
	pf_value_free(&v);
	ck_assert_int_eq(pf_pc_get_value(&pc, 0x301E, &v), 0);
	ck_assert_int_eq(pf_value_mv_count(&v, &n), 0);
	ck_assert_uint_eq(n, 2);
	pf_value_free(&v);
	ck_assert_int_eq(pf_pc_get_value(&pc, 0x301B, &v), 0);
	ck_assert_int_eq(pf_value_mv_count(&v, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(pf_value_mv_string(&v, 0, 0, &str), 0);
	ck_assert_str_eq(str, "ab");
	free(str);
	ck_assert_int_eq(pf_value_mv_string(&v, 1, 0, &str), 0);
	ck_assert_str_eq(str, "");
	free(str);
	ck_assert_int_eq(pf_value_mv_string(&v, 2, 0, &str), 0);
	ck_assert_str_eq(str, "c");
	free(str);
	pf_value_free(&v);
	ck_assert_int_eq(pf_pc_get_value(&pc, 0x301C, &v), 0);
	ck_assert_int_eq(pf_value_mv_string(&v, 1, 0, &str), 0);
	ck_assert_str_eq(str, "yz");
	free(str);
	pf_value_free(&v);
	ck_assert_int_eq(pf_pc_get_value(&pc, 0x301F, &v), 0);
	ck_assert_int_eq(pf_value_mv_item(&v, 0, &p, &cb), 0);
	ck_assert_uint_eq(cb, 2);
	ck_assert_int_eq(pf_value_mv_item(&v, 1, &p, &cb), 0);
	ck_assert_uint_eq(cb, 1);
	ck_assert_uint_eq(p[0], 3);
	pf_value_free(&v);
	pf_pc_close(&pc);
}
END_TEST

START_TEST(test_strings)
{
	static const uint8_t odd[] = { 'h', 0, 'i' };
	static const uint8_t utf8[] = { 'o', 0xC3, 0xA9, 0xFF, 'k' };
	static const uint8_t ascii[] = { 'a', 0x80, 0 , 'b' };
	char *s;

	ck_assert_int_eq(pf_utf16le_to_utf8(odd, sizeof(odd), &s), 0);
	ck_assert_str_eq(s, "h\xef\xbf\xbd");
	free(s);
	ck_assert_int_eq(pf_8bit_to_utf8(utf8, sizeof(utf8), 65001, &s), 0);
	ck_assert_str_eq(s, "o\xc3\xa9\xef\xbf\xbdk");
	free(s);
	ck_assert_int_eq(pf_8bit_to_utf8(ascii, sizeof(ascii), 20127, &s), 0);
	ck_assert_str_eq(s, "a\xef\xbf\xbd");
	free(s);
	/* 0x81 is undefined in Windows-1252 */
	ck_assert_int_eq(pf_8bit_to_utf8((const uint8_t *)"\x81", 1, 1252,
					 &s), 0);
	ck_assert_str_eq(s, "\xef\xbf\xbd");
	free(s);
	/* through iconv: Windows-1251 0xC0 is U+0410 */
	if (pf_8bit_to_utf8((const uint8_t *)"\xc0", 1, 1251, &s) == 0) {
		ck_assert_str_eq(s, "\xd0\x90");
		free(s);
	}
}
END_TEST

/* Keys out of order: reported, and lookups still find everything. */
START_TEST(test_unsorted_still_readable)
{
	struct lb_prop p[3] = {
		P(0x0037, PF_PT_INT32, v_i32),
		P(0x0017, PF_PT_INT16, v_i16),
		P(0x0E08, PF_PT_INT64, v_i64),
	};
	struct lb_sink s;
	struct pf_pc pc;
	int32_t i32;

	lb_sink_init(&s);
	ck_assert_int_eq(open_pc(&pc, p, 3, 0, &s), 0);
	ck_assert(lb_has(&s, PF_OBJ_BTH, PF_F_KEY_ORDER));
	ck_assert_int_eq(pf_pc_get_i32(&pc, 0x0017, &i32), 0);
	ck_assert_int_eq(i32, -2);
	ck_assert_int_eq(pf_pc_get_i32(&pc, 0x0037, &i32), 0);
	pf_pc_close(&pc);
}
END_TEST

/* ---- corruptions: one property each ---- */

static const uint8_t four[4] = { 1, 2, 3, 4 };
static const uint8_t ten[10] = { 0 };
static const uint8_t three[3] = { 'a', 0, 'b' };
static const uint8_t six[6] = { 0 };
static const uint8_t mv_badoff[] = { 2, 0, 0, 0, 12, 0, 0, 0, 40, 0, 0, 0,
				     1, 2 };
static const uint8_t mv_count[] = { 9, 0, 0, 0, 8, 0, 0, 0 };

struct pc_case {
	const char *name;
	struct lb_prop prop;
	enum pf_fault_kind kind;
};

static const struct pc_case cases[] = {
	{ "type 0x0000", P(0x0001, 0x0000, four), PF_F_TYPE },
	{ "type 0x1234", P(0x0001, 0x1234, four), PF_F_TYPE },
	{ "Int64 of 4 bytes", P(0x0001, PF_PT_INT64, four), PF_F_CB },
	{ "Time of 10 bytes", P(0x0001, PF_PT_TIME, ten), PF_F_CB },
	{ "Guid of 10 bytes", P(0x0001, PF_PT_GUID, ten), PF_F_CB },
	{ "String odd", P(0x0001, PF_PT_STRING, three), PF_F_CB },
	{ "Object of 4 bytes", P(0x0001, PF_PT_OBJECT, four), PF_F_CB },
	{ "MV Int32 of 6", P(0x0001, PF_PT_MV_INT32, six), PF_F_CB },
	{ "MV Guid of 10", P(0x0001, PF_PT_MV_GUID, ten), PF_F_CB },
	{ "MV offsets", P(0x0001, PF_PT_MV_BINARY, mv_badoff), PF_F_VALUE },
	{ "MV count", P(0x0001, PF_PT_MV_STRING, mv_count), PF_F_CB },
	{ "HID absent", { 0x0001, PF_PT_BINARY, NULL, 0,
			  PF_HID_MAKE(0, 77) }, PF_F_MISSING },
	{ "HID block absent", { 0x0001, PF_PT_BINARY, NULL, 0,
				PF_HID_MAKE(5, 1) }, PF_F_MISSING },
	{ "subnode absent", { 0x0001, PF_PT_BINARY, NULL, 0, 0x9991 },
	  PF_F_MISSING },
	{ "Int64 empty", { 0x0001, PF_PT_INT64, NULL, 0, 0 }, PF_F_MISSING },
};

START_TEST(test_corrupt_value)
{
	const struct pc_case *c = &cases[_i];
	struct lb_prop p[2] = { P(0x0000, PF_PT_INT32, v_i32), c->prop };
	struct lb_sink s;
	struct pf_pc pc;
	struct pf_value v;

	lb_sink_init(&s);
	ck_assert_int_eq(open_pc(&pc, p, 2, 0, &s), 0);
	ck_assert_int_eq(s.n, 0);
	ck_assert_msg(pf_pc_validate(&pc, &s.sink) == 1, "%s: %d faults",
		      c->name, s.n);
	ck_assert_msg(lb_has(&s, PF_OBJ_PC, c->kind), "%s: kind %d not "
		      "reported (got %d)", c->name, c->kind, s.f[0].kind);
	ck_assert_int_lt(pf_pc_get_value(&pc, 0x0001, &v), 0);
	ck_assert_int_eq(pf_pc_get_value(&pc, 0x0000, &v), 0);
	pf_pc_close(&pc);
}
END_TEST

START_TEST(test_not_a_pc)
{
	struct lb_hn *h = lb_new(PF_BTYPE_TC);
	struct lb_prop p[1] = { P(0x0001, PF_PT_INT32, v_i32) };
	struct lb_sink s;
	struct pf_hn hn;
	struct pf_pc pc;

	lb_sink_init(&s);
	lb_pc(h, p, 1, 0);
	ck_assert_int_eq(lb_open(h, &hn, &s.sink), 0);
	ck_assert_int_eq(pf_pc_open_hn(&pc, &hn, NULL, NULL, &s.sink),
			 PF_E_CORRUPT);
	ck_assert(lb_has(&s, PF_OBJ_PC, PF_F_MAGIC));
	ck_assert_ptr_null(hn.blk);   /* moved and freed */
	free(h);
}
END_TEST

START_TEST(test_wrong_bth_shape)
{
	uint8_t rec[8] = { 1, 0, 0, 0, 3, 0, 0, 0 };
	struct lb_sink s;
	struct pf_hn hn;
	struct pf_pc pc;
	struct lb_hn *h = lb_new(PF_BTYPE_PC);

	lb_sink_init(&s);
	/* cbKey 4 + cbEnt 4 instead of 2 + 6 */
	h->hid_user_root = lb_bth(h, 4, 4, rec, 1, 0);
	ck_assert_int_eq(lb_open(h, &hn, &s.sink), 0);
	ck_assert_int_eq(pf_pc_open_hn(&pc, &hn, NULL, NULL, &s.sink),
			 PF_E_CORRUPT);
	ck_assert(lb_has(&s, PF_OBJ_PC, PF_F_VALUE));
	free(h);
	h = lb_new(PF_BTYPE_PC);
	lb_sink_init(&s);
	h->hid_user_root = lb_bth(h, 2, 4, rec, 1, 0);
	ck_assert_int_eq(lb_open(h, &hn, &s.sink), 0);
	ck_assert_int_eq(pf_pc_open_hn(&pc, &hn, NULL, NULL, &s.sink),
			 PF_E_CORRUPT);
	ck_assert(lb_has(&s, PF_OBJ_PC, PF_F_VALUE));
	free(h);
}
END_TEST

static Suite *pc_suite(void)
{
	Suite *s = suite_create("ltp_pc");
	TCase *tc = tcase_create("pc");

	tcase_add_loop_test(tc, test_all_types, 0, 2);
	tcase_add_test(tc, test_getters);
	tcase_add_test(tc, test_multi_valued);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_unsorted_still_readable);
	tcase_add_loop_test(tc, test_corrupt_value, 0,
			    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_not_a_pc);
	tcase_add_test(tc, test_wrong_bth_shape);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
