/*
 * test_nameid.c - the name-to-id map (MS-PST 2.4.7): pf_nameid_parse() on
 * synthetic streams (numeric and string names, every well-known and
 * streamed GUID kind, a small bucket count to force collisions), one
 * corruption per rule with its exact faults, the bucket formula on values
 * taken from real files, and - when ../shared/corpus exists - every
 * readable corpus file loaded through pf_nameid_load(), with names
 * cross-checked against libpff (pffexport -d "Maps to entry").
 *
 * Run from the repository root.  Exits nonzero when a test fails; prints
 * "SKIP: ../shared/corpus absent" and runs the rest without the corpus.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../formats/msg/pf_msg.h"
#include "../../formats/util/pf_crc.h"
#include "../../formats/util/pf_le.h"

#define CORPUS "../shared/corpus"
#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define NB 7           /* buckets in the synthetic map: collisions */
#define NDEF 6
#define SLACK 16       /* spare bytes after each stream */

/* ---- a fault collector ---- */

struct got {
	struct pf_fault f[16];
	unsigned n;
};

static void collect(void *ctx, const struct pf_fault *f)
{
	struct got *g = ctx;

	if (g->n < N_ELEMS(g->f))
		g->f[g->n++] = *f;
}

/* ---- synthetic streams ---- */

/* PSETID_Common {00062008-...} and PS_INTERNET_HEADERS {00020386-...}:
 * wGuid 3 and 4. */
static const uint8_t guid_common[16] = {
	0x08, 0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
};
static const uint8_t guid_headers[16] = {
	0x86, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
};

/* Names are Latin-1 here (one UTF-16 unit per byte). */
struct def {
	enum pf_nameid_kind kind;
	uint16_t wguid;
	uint32_t lid;
	const char *name;
	const char *utf8;
};

static const struct def defs[NDEF] = {
	{ PF_NAMEID_NUMERIC, PF_NAMEID_GUID_MAPI, 0x3001, NULL, NULL },
	{ PF_NAMEID_NUMERIC, 3, 0x8580, NULL, NULL },
	{ PF_NAMEID_STRING, PF_NAMEID_GUID_PUBLIC_STRINGS, 0, "Keywords",
	  "Keywords" },
	{ PF_NAMEID_STRING, 4, 0, "caf\xe9", "caf\xc3\xa9" },
	{ PF_NAMEID_NUMERIC, 4, 0x1d, NULL, NULL },
	{ PF_NAMEID_STRING, PF_NAMEID_GUID_NONE, 0, "x", "x" },
};

struct blob {
	uint8_t guids[32 + SLACK];
	size_t cg;
	uint8_t entries[8 * NDEF + SLACK];
	size_t ce;
	uint8_t strings[256];
	size_t cs;
	uint8_t bk[NB][8 * NDEF + SLACK];
	size_t cbk[NB];
	struct pf_nameid_bucket buckets[NB];
	uint32_t nb;
	uint32_t hash[NDEF];
};

static size_t put_name(struct blob *b, const char *latin1)
{
	size_t off = b->cs, n = strlen(latin1);

	pf_put32(b->strings + off, (uint32_t)(2 * n));
	for (size_t i = 0; i < n; i++)
		pf_put16(b->strings + off + 4 + 2 * i, (uint8_t)latin1[i]);
	b->cs = (off + 4 + 2 * n + 3) & ~(size_t)3;  /* 2.4.7.4 padding */
	return off;
}

static void sync_buckets(struct blob *b)
{
	for (unsigned k = 0; k < NB; k++) {
		b->buckets[k].p = b->cbk[k] ? b->bk[k] : NULL;
		b->buckets[k].cb = b->cbk[k];
	}
}

static uint16_t field_of(const struct def *d)
{
	return (uint16_t)((d->wguid << 1) | (unsigned)d->kind);
}

static uint32_t bucket_of(const struct blob *b, unsigned i)
{
	return pf_nameid_bucket(b->hash[i], defs[i].wguid, defs[i].kind,
				NB);
}

static void add_record(struct blob *b, uint32_t k, uint32_t hash,
		       uint16_t f, uint16_t idx)
{
	uint8_t *r = b->bk[k] + b->cbk[k];

	pf_put32(r, hash);
	pf_put16(r + 4, f);
	pf_put16(r + 6, idx);
	b->cbk[k] += 8;
	sync_buckets(b);
}

static void build(struct blob *b)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->guids, guid_common, 16);
	memcpy(b->guids + 16, guid_headers, 16);
	b->cg = 32;
	b->nb = NB;
	for (unsigned i = 0; i < NDEF; i++) {
		const struct def *d = &defs[i];
		uint8_t *e = b->entries + 8 * i;
		uint32_t id = d->lid;

		if (d->kind == PF_NAMEID_STRING) {
			size_t off = put_name(b, d->name);

			id = (uint32_t)off;
			b->hash[i] = pf_crc(b->strings + off + 4,
					    pf_le32(b->strings + off));
		} else {
			b->hash[i] = d->lid;
		}
		pf_put32(e, id);
		pf_put16(e + 4, field_of(d));
		pf_put16(e + 6, (uint16_t)i);
		add_record(b, bucket_of(b, i), b->hash[i], field_of(d),
			   (uint16_t)i);
	}
	b->ce = 8 * NDEF;
}

static int parse(const struct blob *b, struct pf_nameid_map *m,
		 struct got *g)
{
	struct pf_sink s = { collect, g };

	memset(g, 0, sizeof(*g));
	return pf_nameid_parse(b->guids, b->cg, b->entries, b->ce,
			       b->strings, b->cs, b->buckets, b->nb, m, &s);
}

/* The record of entry I: its bucket and byte offset there. */
static uint8_t *record_of(struct blob *b, unsigned i, uint32_t *k)
{
	*k = bucket_of(b, i);
	for (size_t o = 0; o < b->cbk[*k]; o += 8)
		if (pf_le16(b->bk[*k] + o + 6) == i)
			return b->bk[*k] + o;
	ck_abort_msg("no record for entry %u", i);
	return NULL;
}

static void drop_record(struct blob *b, unsigned i)
{
	uint32_t k;
	uint8_t *r = record_of(b, i, &k);
	size_t tail = (size_t)(b->bk[k] + b->cbk[k] - (r + 8));

	memmove(r, r + 8, tail);
	b->cbk[k] -= 8;
	sync_buckets(b);
}

/* ---- the good map ---- */

START_TEST(test_good)
{
	struct blob b;
	struct pf_nameid_map m;
	struct got g;

	build(&b);
	ck_assert_int_eq(parse(&b, &m, &g), 0);
	ck_assert_uint_eq(g.n, 0);
	ck_assert_uint_eq(m.faults, 0);
	ck_assert_uint_eq(m.count, NDEF);
	ck_assert_uint_eq(m.bucket_count, NB);
	for (unsigned i = 0; i < NDEF; i++) {
		const struct pf_nameid_entry *e =
			pf_nameid_find(&m, (uint16_t)(0x8000 + i));

		ck_assert_ptr_eq(e, &m.v[i]);
		ck_assert(e->ok);
		ck_assert_uint_eq(e->kind, defs[i].kind);
		ck_assert_uint_eq(e->wguid, defs[i].wguid);
		ck_assert_uint_eq(e->hash, b.hash[i]);
		if (defs[i].kind == PF_NAMEID_NUMERIC) {
			ck_assert_uint_eq(e->lid, defs[i].lid);
			ck_assert_ptr_null(e->name);
		} else {
			ck_assert_str_eq(e->name, defs[i].utf8);
		}
	}
	ck_assert_mem_eq(m.v[0].guid, pf_guid_ps_mapi, 16);
	ck_assert_mem_eq(m.v[1].guid, guid_common, 16);
	ck_assert_mem_eq(m.v[2].guid, pf_guid_ps_public_strings, 16);
	ck_assert_mem_eq(m.v[3].guid, guid_headers, 16);
	ck_assert_mem_eq(m.v[5].guid, (uint8_t[16]){ 0 }, 16);
	ck_assert_ptr_null(pf_nameid_find(&m, 0x7FFF));
	ck_assert_ptr_null(pf_nameid_find(&m, 0x8000 + NDEF));
	ck_assert_ptr_null(pf_nameid_find(&m, 0xFFFF));
	pf_nameid_free(&m);
	ck_assert_uint_eq(m.count, 0);
	ck_assert_ptr_null(m.v);
}
END_TEST

START_TEST(test_empty_and_null_sink)
{
	struct blob b;
	struct pf_nameid_map m;

	ck_assert_int_eq(pf_nameid_parse(NULL, 0, NULL, 0, NULL, 0, NULL, 0,
					 &m, NULL), 0);
	ck_assert_uint_eq(m.count, 0);
	ck_assert_uint_eq(m.faults, 0);
	ck_assert_ptr_null(pf_nameid_find(&m, 0x8000));
	pf_nameid_free(&m);
	/* faults are counted without a sink */
	build(&b);
	b.ce += 3;
	ck_assert_int_eq(pf_nameid_parse(b.guids, b.cg, b.entries, b.ce,
					 b.strings, b.cs, b.buckets, b.nb,
					 &m, NULL), 0);
	ck_assert_uint_eq(m.faults, 1);
	ck_assert_uint_eq(m.count, NDEF);
	pf_nameid_free(&m);
}
END_TEST

/* Without a bucket count the hash table is not judged. */
START_TEST(test_no_bucket_count)
{
	struct blob b;
	struct pf_nameid_map m;
	struct got g;

	build(&b);
	drop_record(&b, 2);
	b.nb = 0;
	ck_assert_int_eq(parse(&b, &m, &g), 0);
	ck_assert_uint_eq(g.n, 0);
	ck_assert_uint_eq(m.bucket_count, 0);
	ck_assert_uint_eq(m.count, NDEF);
	pf_nameid_free(&m);
}
END_TEST

/* 2.4.7.5 on values read from pstsdk-sample1.pst (checked there: the
 * records sit in buckets 0x1032 and 0x1065 of 251). */
START_TEST(test_bucket_formula)
{
	static const uint8_t kw[] = { 'K', 0, 'e', 0, 'y', 0, 'w', 0,
				      'o', 0, 'r', 0, 'd', 0, 's', 0 };
	uint32_t crc = pf_crc(kw, sizeof(kw));

	ck_assert_uint_eq(crc, 0x2eda4d3bu);   /* zlib agrees */
	ck_assert_uint_eq(pf_nameid_bucket(crc, PF_NAMEID_GUID_PUBLIC_STRINGS,
					   PF_NAMEID_STRING, 251), 0x65);
	ck_assert_uint_eq(pf_nameid_bucket(0x8580, 5, PF_NAMEID_NUMERIC, 251),
			  0x32);
	/* the same key with N set lands elsewhere */
	ck_assert_uint_ne(pf_nameid_bucket(0x8580, 5, PF_NAMEID_STRING, 251),
			  0x32);
	ck_assert_uint_eq(pf_nameid_bucket(0x8580, 5, PF_NAMEID_NUMERIC, 0),
			  0);
}
END_TEST

START_TEST(test_guid_format)
{
	char buf[40];

	pf_guid_format(pf_guid_ps_public_strings, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{00020329-0000-0000-C000-000000000046}");
	pf_guid_format(guid_headers, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{00020386-0000-0000-C000-000000000046}");
}
END_TEST

/* More records than named property ids: counted up to the limit. */
START_TEST(test_too_many_entries)
{
	uint32_t n = PF_NAMEID_MAX_IDX + 3;
	uint8_t *e = calloc(n, 8);
	struct pf_nameid_map m;
	struct got g = { .n = 0 };
	struct pf_sink s = { collect, &g };

	ck_assert_ptr_nonnull(e);
	for (uint32_t i = 0; i < n; i++) {
		pf_put32(e + 8 * i, i);
		pf_put16(e + 8 * i + 4, PF_NAMEID_GUID_MAPI << 1);
		pf_put16(e + 8 * i + 6, (uint16_t)i);
	}
	ck_assert_int_eq(pf_nameid_parse(NULL, 0, e, (size_t)n * 8, NULL, 0,
					 NULL, 0, &m, &s), 0);
	ck_assert_uint_eq(g.n, 1);
	ck_assert_int_eq(g.f[0].kind, PF_F_CENT);
	ck_assert_uint_eq(g.f[0].got, n);
	ck_assert_uint_eq(m.count, PF_NAMEID_MAX_IDX + 1);
	ck_assert_ptr_nonnull(pf_nameid_find(&m, 0xFFFE));
	pf_nameid_free(&m);
	free(e);
}
END_TEST

/* ---- one corruption per rule ---- */

static void m_guid_cb(struct blob *b)
{
	b->cg += 5;                /* still two whole GUIDs */
}

static void m_entry_cb(struct blob *b)
{
	b->ce += 3;
}

static void m_bucket_cb(struct blob *b)
{
	uint32_t k;

	record_of(b, 0, &k);
	b->cbk[k] += 4;
	sync_buckets(b);
}

static void m_wguid(struct blob *b)
{
	pf_put16(b->entries + 8 * 4 + 4, 9 << 1);   /* 2 GUIDs: max 4 */
}

static void m_str_offset(struct blob *b)
{
	pf_put32(b->entries + 8 * 2, (uint32_t)b->cs);
}

static void m_str_length(struct blob *b)
{
	pf_put32(b->strings + pf_le32(b->entries + 8 * 2), 0x1000);
}

static void m_str_odd(struct blob *b)
{
	uint8_t *len = b->strings + pf_le32(b->entries + 8 * 3);

	pf_put32(len, pf_le32(len) - 1);
}

static void m_idx_range(struct blob *b)
{
	pf_put16(b->entries + 8 * 5 + 6, 0x7FFF);
}

static void m_duplicate(struct blob *b)
{
	pf_put16(b->entries + 8 * 4 + 6, 1);
}

/* What Aspose writes: a record with the wPropIdx of a neighbour. */
static void m_stale_index(struct blob *b)
{
	uint32_t k;

	pf_put16(record_of(b, 5, &k) + 6, 4);
}

static void m_misplaced(struct blob *b)
{
	uint32_t k;
	uint8_t rec[8];

	memcpy(rec, record_of(b, 1, &k), 8);
	drop_record(b, 1);
	add_record(b, (k + 1) % NB, pf_le32(rec), pf_le16(rec + 4),
		   pf_le16(rec + 6));
}

static void m_wrong_hash(struct blob *b)
{
	uint32_t k;
	uint8_t *r = record_of(b, 0, &k);

	pf_put32(r, pf_le32(r) ^ 0x100);
}

static void m_orphan_record(struct blob *b)
{
	add_record(b, 3, 0x42, PF_NAMEID_GUID_MAPI << 1, 40);
}

static void m_dropped(struct blob *b)
{
	drop_record(b, 2);
}

struct want {
	enum pf_fault_kind kind;
	const char *field;
	uint64_t got;
};

struct ccase {
	const char *what;
	void (*mutate)(struct blob *);
	struct want w[3];     /* in report order; kind 0 ends */
};

#define ENTRY_TAG PF_PROP_TAG(PF_TAG_NAMEID_STREAM_ENTRY, PF_PT_BINARY)

static const struct ccase cases[] = {
	{ "GUID stream size", m_guid_cb,
	  { { PF_F_CB, "PidTagNameidStreamGuid", 37 } } },
	{ "entry stream size", m_entry_cb,
	  { { PF_F_CB, "PidTagNameidStreamEntry", 8 * NDEF + 3 } } },
	{ "bucket size", m_bucket_cb,
	  { { PF_F_CB, "hash bucket", 0 } } },
	{ "wGuid past the GUID stream", m_wguid,
	  { { PF_F_VALUE, "wGuid", 9 } } },
	{ "string offset past the stream", m_str_offset,
	  { { PF_F_VALUE, "dwPropertyID", 0 } } },
	{ "string length past the stream", m_str_length,
	  { { PF_F_VALUE, "string length", 0x1000 } } },
	{ "odd string length", m_str_odd,
	  { { PF_F_ALIGN, "string length", 7 } } },
	{ "wPropIdx out of range", m_idx_range,
	  { { PF_F_VALUE, "wPropIdx", 0x7FFF },
	    { PF_F_MISSING, "entry stream", 0x8005 } } },
	{ "duplicate wPropIdx", m_duplicate,
	  { { PF_F_KEY_ORDER, "wPropIdx", 0x8001 },
	    { PF_F_MISSING, "entry stream", 0x8004 },
	    { PF_F_MISSING, "hash table", 0x8001 } } },
	{ "stale wPropIdx in a bucket", m_stale_index,
	  { { PF_F_MISSING, "entry stream", 0x8004 },
	    { PF_F_MISSING, "hash table", 0x8005 } } },
	{ "misplaced record", m_misplaced,
	  { { PF_F_MISSING, "hash table", 0x8001 } } },
	{ "wrong hash key", m_wrong_hash,
	  { { PF_F_MISSING, "entry stream", 0x8000 },
	    { PF_F_MISSING, "hash table", 0x8000 } } },
	{ "record for no entry", m_orphan_record,
	  { { PF_F_MISSING, "entry stream", 0x8028 } } },
	{ "entry missing from its bucket", m_dropped,
	  { { PF_F_MISSING, "hash table", 0x8002 } } },
};

START_TEST(test_corrupt)
{
	const struct ccase *c = &cases[_i];
	struct blob b;
	struct pf_nameid_map m;
	struct got g;
	unsigned n = 0;

	build(&b);
	c->mutate(&b);
	ck_assert_int_eq(parse(&b, &m, &g), 0);
	while (n < N_ELEMS(c->w) && c->w[n].kind)
		n++;
	ck_assert_msg(g.n == n, "%s: %u faults, expected %u", c->what, g.n,
		      n);
	for (unsigned i = 0; i < n; i++) {
		const struct pf_fault *f = &g.f[i];

		ck_assert_int_eq(f->obj, PF_OBJ_NAMEID);
		ck_assert_uint_eq(f->nid, PF_NID_NAME_TO_ID_MAP);
		ck_assert_msg(f->kind == c->w[i].kind, "%s: fault %u kind %d",
			      c->what, i, f->kind);
		ck_assert_str_eq(f->field, c->w[i].field);
		if (c->w[i].got)
			ck_assert_uint_eq(f->got, c->w[i].got);
	}
	ck_assert_uint_eq(m.faults, n);
	ck_assert_uint_eq(m.count, NDEF);   /* bad entries stay, not ok */
	pf_nameid_free(&m);
}
END_TEST

/* The details the messages show: limits, buckets, tags. */
START_TEST(test_fault_details)
{
	struct blob b;
	struct pf_nameid_map m;
	struct got g;
	uint32_t k;

	build(&b);
	m_wguid(&b);
	parse(&b, &m, &g);
	ck_assert_uint_eq(g.f[0].want, 4);       /* 2 + two GUIDs */
	ck_assert_uint_eq(g.f[0].hid, PF_PROP_TAG(0x8004, 0));
	ck_assert(!m.v[4].ok);
	pf_nameid_free(&m);

	build(&b);
	m_str_length(&b);
	parse(&b, &m, &g);
	ck_assert_uint_eq(g.f[0].want,
			  b.cs - 4 - pf_le32(b.entries + 8 * 2));
	ck_assert_ptr_null(m.v[2].name);
	pf_nameid_free(&m);

	build(&b);
	record_of(&b, 1, &k);
	m_misplaced(&b);
	parse(&b, &m, &g);
	ck_assert_uint_eq(g.f[0].want, PF_TAG_NAMEID_BUCKET_BASE + k);
	pf_nameid_free(&m);

	build(&b);
	m_entry_cb(&b);
	parse(&b, &m, &g);
	ck_assert_uint_eq(g.f[0].hid, ENTRY_TAG);
	ck_assert_uint_eq(g.f[0].want, 8);
	pf_nameid_free(&m);

	build(&b);
	m_duplicate(&b);
	parse(&b, &m, &g);
	ck_assert_uint_eq(g.f[0].want, 4);       /* the second record */
	ck_assert_ptr_eq(pf_nameid_find(&m, 0x8001), &m.v[1]);
	pf_nameid_free(&m);
}
END_TEST

/* ---- the corpus ---- */

/* Aspose.Email writes two hash records whose wPropIdx is that of the
 * entry before theirs (0x80a4 instead of 0x80a5 and 0x80a6). */
static const char *const aspose_stale[] = {
	"ODD-aspose-eof-mismatch.pst", "ODD-aspose-split-part1.pst",
	"aspose-contacts72.pst", "generator-900msgs.pst",
};

static bool is_aspose_stale(const char *name)
{
	for (size_t i = 0; i < N_ELEMS(aspose_stale); i++)
		if (strcmp(name, aspose_stale[i]) == 0)
			return true;
	return false;
}

static bool is_readable_pst(const char *name)
{
	size_t n = strlen(name);

	if (strncmp(name, "NOTPST-", 7) == 0 ||
	    strncmp(name, "CORRUPT-", 8) == 0 || n < 5)
		return false;
	return strcmp(name + n - 4, ".pst") == 0 ||
	       strcmp(name + n - 4, ".ost") == 0;
}

static void check_aspose_faults(const char *name, const struct got *g)
{
	static const struct want w[4] = {
		{ PF_F_MISSING, "entry stream", 0x80a4 },
		{ PF_F_MISSING, "entry stream", 0x80a4 },
		{ PF_F_MISSING, "hash table", 0x80a5 },
		{ PF_F_MISSING, "hash table", 0x80a6 },
	};

	ck_assert_msg(g->n == 4, "%s: %u faults", name, g->n);
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_int_eq(g->f[i].kind, w[i].kind);
		ck_assert_str_eq(g->f[i].field, w[i].field);
		ck_assert_uint_eq(g->f[i].got, w[i].got);
	}
}

static void check_corpus_file(const char *name)
{
	char path[512];
	struct pf_ndb *ndb;
	struct pf_nameid_map m;
	struct got g = { .n = 0 };
	struct pf_sink s = { collect, &g };

	snprintf(path, sizeof(path), "%s/%s", CORPUS, name);
	ck_assert_msg(pf_ndb_open(&ndb, path) == 0, "%s: %s", name,
		      pf_error_msg());
	ck_assert_msg(pf_nameid_load(ndb, &m, &s) == 0, "%s: %s", name,
		      pf_error_msg());
	ck_assert_msg(m.count > 0, "%s: empty map", name);
	ck_assert_uint_eq(m.bucket_count, 251);
	if (is_aspose_stale(name))
		check_aspose_faults(name, &g);
	else
		ck_assert_msg(g.n == 0, "%s: %u faults, first %s", name, g.n,
			      g.f[0].field);
	for (uint32_t i = 0; i < m.count; i++) {
		ck_assert(m.v[i].ok);
		ck_assert_ptr_eq(pf_nameid_find(&m, m.v[i].prop_id), &m.v[i]);
	}
	pf_nameid_free(&m);
	pf_ndb_close(ndb);
}

START_TEST(test_corpus_all)
{
	DIR *d = opendir(CORPUS);
	struct dirent *de;
	unsigned files = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (!is_readable_pst(de->d_name))
			continue;
		check_corpus_file(de->d_name);
		files++;
	}
	closedir(d);
	ck_assert_uint_ge(files, 20);
}
END_TEST

/* The real corruption: the BBT root is unusable, so is the map. */
START_TEST(test_corpus_corrupt)
{
	struct pf_ndb *ndb;
	struct pf_nameid_map m;

	ck_assert_int_eq(pf_ndb_open(&ndb, CORPUS
				     "/CORRUPT-aspose-bulk-halfwritten.pst"),
			 0);
	ck_assert_int_lt(pf_nameid_load(ndb, &m, NULL), 0);
	ck_assert_uint_eq(m.count, 0);
	pf_nameid_free(&m);
	pf_ndb_close(ndb);
}
END_TEST

/* Named properties libpff resolves the same way ("Maps to entry type" /
 * "Maps to entry" in pffexport -d); the GUIDs are MS-OXPROPS's sets. */
struct known {
	const char *file;
	uint16_t prop_id;
	const uint8_t *guid;
	uint32_t lid;
	const char *name;
};

static const uint8_t guid_appointment[16] = {   /* {00062002-...} */
	0x02, 0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
};

static const struct known known[] = {
	/* PidLidInternetAccountName, PS_PUBLIC_STRINGS "Keywords" */
	{ "pstsdk-sample1.pst", 0x800d, guid_common, 0x8580, NULL },
	{ "pstsdk-sample1.pst", 0x8012, pf_guid_ps_public_strings, 0,
	  "Keywords" },
	{ "pstsdk-sample2-ansi.pst", 0x8012, pf_guid_ps_public_strings, 0,
	  "Keywords" },
	{ "mailbagit-outlook2019.pst", 0x8011, guid_common, 0,
	  "ExchangeApplicationFlags" },
	/* PidLidBusyStatus */
	{ "aspose-sample.ost", 0x8001, guid_appointment, 0x8205, NULL },
	{ "aspose-sample.ost", 0x8086, guid_headers, 0,
	  "x-ms-exchange-organization-authmechanism" },
	{ "go-pst-32bit-ansi.pst", 0x8023, pf_guid_ps_public_strings, 0,
	  "urn:schemas:calendar:sequence" },
	{ "go-pst-32bit-ansi.pst", 0x8013, guid_appointment, 0x8259, NULL },
};

START_TEST(test_corpus_known)
{
	const struct known *k = &known[_i];
	char path[512];
	struct pf_ndb *ndb;
	struct pf_nameid_map m;
	const struct pf_nameid_entry *e;

	snprintf(path, sizeof(path), "%s/%s", CORPUS, k->file);
	ck_assert_int_eq(pf_ndb_open(&ndb, path), 0);
	ck_assert_int_eq(pf_nameid_load(ndb, &m, NULL), 0);
	e = pf_nameid_find(&m, k->prop_id);
	ck_assert_ptr_nonnull(e);
	ck_assert_mem_eq(e->guid, k->guid, 16);
	if (k->name) {
		ck_assert_int_eq(e->kind, PF_NAMEID_STRING);
		ck_assert_str_eq(e->name, k->name);
	} else {
		ck_assert_int_eq(e->kind, PF_NAMEID_NUMERIC);
		ck_assert_uint_eq(e->lid, k->lid);
	}
	pf_nameid_free(&m);
	pf_ndb_close(ndb);
}
END_TEST

static Suite *nameid_suite(bool with_corpus)
{
	Suite *s = suite_create("nameid");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_empty_and_null_sink);
	tcase_add_test(tc, test_no_bucket_count);
	tcase_add_test(tc, test_bucket_formula);
	tcase_add_test(tc, test_guid_format);
	tcase_add_test(tc, test_too_many_entries);
	tcase_add_loop_test(tc, test_corrupt, 0, (int)N_ELEMS(cases));
	tcase_add_test(tc, test_fault_details);
	suite_add_tcase(s, tc);
	if (with_corpus) {
		TCase *k = tcase_create("corpus");

		tcase_set_timeout(k, 60);
		tcase_add_test(k, test_corpus_all);
		tcase_add_test(k, test_corpus_corrupt);
		tcase_add_loop_test(k, test_corpus_known, 0,
				    (int)N_ELEMS(known));
		suite_add_tcase(s, k);
	}
	return s;
}

int main(void)
{
	bool with_corpus = access(CORPUS, R_OK | X_OK) == 0;
	SRunner *sr;
	int failed;

	if (!with_corpus)
		printf("SKIP: %s absent\n", CORPUS);
	sr = srunner_create(nameid_suite(with_corpus));
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
