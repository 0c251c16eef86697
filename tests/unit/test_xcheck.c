/*
 * test_xcheck.c - unit tests for pstfix/xcheck: path escaping, the view and
 * its diff, the line protocol parser, the child machinery (timeouts,
 * crashes, isolation) and, when ../shared/corpus exists, libpff's view of
 * the real files against numbers pffexport gave.
 *
 * Run from the repository root (the corpus is "../shared/corpus").  Exits
 * non-zero when a test fails.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../../formats/util/pf_err.h"
#include "../../pstfix/xcheck/libpff_view.h"
#include "../../pstfix/xcheck/xproto.h"
#include "../../pstfix/xcheck/xview.h"

#define CORPUS "../shared/corpus"
#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Path escaping and validation                                        */
/* ------------------------------------------------------------------ */

struct esc_case {
	const char *name;
	size_t len;
	const char *want;
};

static const struct esc_case esc_cases[] = {
	{ "Inbox", 5, "Inbox" },
	{ "a/b", 3, "a%2Fb" },
	{ "50%", 3, "50%25" },
	{ "t\tx", 3, "t%09x" },
	{ "", 0, "%00" },
	{ "a\0b", 3, "a%00b" },
	{ "\x7f", 1, "%7F" },
	{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },           /* U+00E9 */
	{ "\xc2\xa0", 2, "\xc2\xa0" },                 /* NBSP stays */
	{ "\xc2\x85", 2, "%C2%85" },                   /* C1 NEL */
	{ "\xff", 1, "%FF" },
	{ "\xc0\xaf", 2, "%C0%AF" },                   /* overlong '/' */
	{ "\xed\xa0\x80", 3, "%ED%A0%80" },            /* surrogate */
	{ "\xe6\x97\xa5", 3, "\xe6\x97\xa5" },
	{ "\xf0\x9f\x93\xa7", 4, "\xf0\x9f\x93\xa7" },
	{ "\xf0\x9f\x93", 3, "%F0%9F%93" },            /* cut short */
	{ "\xef\xbf\xbd", 3, "\xef\xbf\xbd" },         /* U+FFFD */
	{ "x\xe9y", 3, "x%E9y" },                      /* Latin-1 byte */
	{ " lead and trail ", 16, " lead and trail " },
};

START_TEST(test_escape_table)
{
	const struct esc_case *c = &esc_cases[_i];
	char buf[64] = "";
	size_t len = 0;

	ck_assert_int_eq(pf_path_append(buf, sizeof(buf), &len, c->name,
					 c->len), 0);
	ck_assert_str_eq(buf, c->want);
	ck_assert_uint_eq(len, strlen(c->want));
	ck_assert_int_eq(pf_path_valid(buf, len), 1);
}
END_TEST

START_TEST(test_escape_join_and_limit)
{
	char buf[16] = "";
	size_t len = 0;

	ck_assert_int_eq(pf_path_append(buf, sizeof(buf), &len, "Top", 3), 0);
	ck_assert_int_eq(pf_path_append(buf, sizeof(buf), &len, "In/b", 4),
			 0);
	ck_assert_str_eq(buf, "Top/In%2Fb");
	/* 10 + "/" + 6 > 15: refused, buffer unchanged */
	ck_assert_int_eq(pf_path_append(buf, sizeof(buf), &len, "abcdef", 6),
			 PF_E_LIMIT);
	ck_assert_str_eq(buf, "Top/In%2Fb");
	ck_assert_uint_eq(len, 10);
	ck_assert_int_eq(pf_path_append(buf, sizeof(buf), &len, "abcd", 4),
			 0);
	ck_assert_str_eq(buf, "Top/In%2Fb/abcd");
}
END_TEST

static const char *const valid_paths[] = {
	"", "a", "a/b", "%00", "a%2Fb", "caf\xc3\xa9", "%C2%85", "%FF",
	"x%E9y", "%25", "a b/ c", "%F0%9F%93",
};

static const char *const invalid_paths[] = {
	"/", "/a", "a/", "a//b", "%", "%2", "%2f", "%41", "%C3%A9",
	"a\tb", "\xff", "\xc2\x85", "%zz", "a%2", "%20",
};

START_TEST(test_path_valid)
{
	for (size_t i = 0; i < N_ELEMS(valid_paths); i++)
		ck_assert_msg(pf_path_valid(valid_paths[i],
					     strlen(valid_paths[i])),
			      "should be valid: \"%s\"", valid_paths[i]);
	for (size_t i = 0; i < N_ELEMS(invalid_paths); i++)
		ck_assert_msg(!pf_path_valid(invalid_paths[i],
					      strlen(invalid_paths[i])),
			      "should be invalid: \"%s\"", invalid_paths[i]);
}
END_TEST

START_TEST(test_path_depth)
{
	char buf[2 * (PF_XVIEW_MAX_DEPTH + 1) + 1];
	size_t n = 0;

	for (unsigned i = 0; i < PF_XVIEW_MAX_DEPTH; i++) {
		buf[n++] = 'x';
		buf[n++] = '/';
	}
	ck_assert_int_eq(pf_path_valid(buf, n - 1), 1);
	buf[n++] = 'x';
	ck_assert_int_eq(pf_path_valid(buf, n), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The view                                                            */
/* ------------------------------------------------------------------ */

START_TEST(test_view_add)
{
	struct pf_xview v;

	pf_xview_init(&v);
	ck_assert_int_eq(pf_xview_add(&v, "", 0, 2, 0x122, 0), 0);
	ck_assert_int_eq(pf_xview_add(&v, "A", 3, 0, 0, 0), 0);
	ck_assert_int_eq(pf_xview_add(&v, "B", 9, 7, 0,
				      PF_XF_ITEMS_UNKNOWN), 0);
	ck_assert_uint_eq(v.folders[2].items, 0);    /* unknown -> 0 */
	ck_assert_uint_eq(v.folders[2].subfolders, 7);
	ck_assert_int_eq(pf_xview_add(&v, "a//b", 0, 0, 0, 0), PF_E_USAGE);
	ck_assert_int_eq(pf_xview_add(&v, "C", 0, 0, 0, 0x80), PF_E_USAGE);
	ck_assert_int_eq(pf_xview_add(&v, "C", (uint64_t)UINT32_MAX + 1, 0, 0,
				      0), PF_E_LIMIT);
	ck_assert_uint_eq(v.count, 3);
	ck_assert_uint_eq(v.total_items, 3);
	ck_assert_uint_eq(v.total_subfolders, 9);
	ck_assert_int_eq(pf_xview_add_note(&v, "two\nlines"), 0);
	ck_assert_str_eq(v.notes[0], "two lines");
	pf_xview_free(&v);
	ck_assert_uint_eq(v.count, 0);
	ck_assert_ptr_null(v.folders);
}
END_TEST

START_TEST(test_view_sort_stable)
{
	struct pf_xview v;

	pf_xview_init(&v);
	ck_assert_int_eq(pf_xview_add(&v, "b", 0, 0, 0, 0), 0);
	ck_assert_int_eq(pf_xview_add(&v, "a", 1, 0, 0, 0), 0);
	ck_assert_int_eq(pf_xview_add(&v, "", 0, 0, 0, 0), 0);
	ck_assert_int_eq(pf_xview_add(&v, "a", 2, 0, 0, 0), 0);
	ck_assert_int_eq(pf_xview_add(&v, "a", 0, 0, 0, 0), 0);
	pf_xview_sort(&v);
	ck_assert_str_eq(v.folders[0].path, "");
	ck_assert_str_eq(v.folders[1].path, "a");
	ck_assert_uint_eq(v.folders[1].items, 1);
	ck_assert_uint_eq(v.folders[2].items, 2);
	ck_assert_uint_eq(v.folders[3].items, 0);
	ck_assert_str_eq(v.folders[4].path, "b");
	pf_xview_free(&v);
}
END_TEST

START_TEST(test_view_note_cap)
{
	struct pf_xview v;

	pf_xview_init(&v);
	for (unsigned i = 0; i < PF_XVIEW_MAX_NOTES + 5; i++)
		ck_assert_int_eq(pf_xview_add_note(&v, "n"), 0);
	ck_assert_uint_eq(v.nnotes, PF_XVIEW_MAX_NOTES);
	ck_assert_uint_eq(v.notes_dropped, 5);
	pf_xview_free(&v);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The diff, table-driven                                              */
/* ------------------------------------------------------------------ */

struct fspec {
	const char *path;
	uint64_t items, subs;
	uint32_t flags;
};

struct dspec {
	enum pf_xdiff_kind kind;
	const char *path;
	size_t dup;
};

#define MAXF 8
#define MAXD 8
#define END_F { NULL, 0, 0, 0 }

struct diff_case {
	const char *name;
	struct fspec ours[MAXF], theirs[MAXF];
	struct dspec want[MAXD];
	int nwant;
};

#define UNK PF_XF_ITEMS_UNKNOWN

static const struct diff_case diff_cases[] = {
	{ "identical",
	  { { "", 0, 2, 0 }, { "A", 1, 0, 0 }, { "B", 2, 0, 0 }, END_F },
	  { { "", 0, 2, 0 }, { "A", 1, 0, 0 }, { "B", 2, 0, 0 }, END_F },
	  { { 0, NULL, 0 } }, 0 },
	{ "input order does not matter",
	  { { "A", 1, 0, 0 }, { "B", 2, 0, 0 }, END_F },
	  { { "B", 2, 0, 0 }, { "A", 1, 0, 0 }, END_F },
	  { { 0, NULL, 0 } }, 0 },
	{ "only ours",
	  { { "A", 1, 0, 0 }, { "C", 0, 0, 0 }, END_F },
	  { { "A", 1, 0, 0 }, END_F },
	  { { PF_XDIFF_ONLY_OURS, "C", 0 } }, 1 },
	{ "only theirs",
	  { { "A", 1, 0, 0 }, END_F },
	  { { "0", 0, 0, 0 }, { "A", 1, 0, 0 }, END_F },
	  { { PF_XDIFF_ONLY_THEIRS, "0", 0 } }, 1 },
	{ "items differ",
	  { { "A", 1, 0, 0 }, END_F },
	  { { "A", 2, 0, 0 }, END_F },
	  { { PF_XDIFF_ITEMS, "A", 0 } }, 1 },
	{ "sub-folders differ",
	  { { "A", 1, 3, 0 }, END_F },
	  { { "A", 1, 2, 0 }, END_F },
	  { { PF_XDIFF_SUBFOLDERS, "A", 0 } }, 1 },
	{ "both counts differ",
	  { { "A", 1, 3, 0 }, END_F },
	  { { "A", 2, 2, 0 }, END_F },
	  { { PF_XDIFF_ITEMS, "A", 0 }, { PF_XDIFF_SUBFOLDERS, "A", 0 } },
	  2 },
	{ "duplicates in the same order",
	  { { "A", 1, 0, 0 }, { "A", 2, 0, 0 }, END_F },
	  { { "A", 1, 0, 0 }, { "A", 2, 0, 0 }, END_F },
	  { { 0, NULL, 0 } }, 0 },
	{ "duplicates in another order",
	  { { "A", 1, 0, 0 }, { "A", 2, 0, 0 }, END_F },
	  { { "A", 2, 0, 0 }, { "A", 1, 0, 0 }, END_F },
	  { { 0, NULL, 0 } }, 0 },
	{ "one duplicate missing",
	  { { "A", 1, 0, 0 }, { "A", 2, 0, 0 }, END_F },
	  { { "A", 2, 0, 0 }, END_F },
	  { { PF_XDIFF_ONLY_OURS, "A", 0 } }, 1 },
	{ "duplicates both changed: paired by order",
	  { { "A", 1, 0, 0 }, { "A", 2, 0, 0 }, END_F },
	  { { "A", 3, 0, 0 }, { "A", 4, 0, 0 }, END_F },
	  { { PF_XDIFF_ITEMS, "A", 0 }, { PF_XDIFF_ITEMS, "A", 1 } }, 2 },
	{ "exact pair first, then order",
	  { { "A", 1, 0, 0 }, { "A", 2, 0, 0 }, { "A", 3, 0, 0 }, END_F },
	  { { "A", 3, 0, 0 }, { "A", 5, 0, 0 }, END_F },
	  { { PF_XDIFF_ITEMS, "A", 0 }, { PF_XDIFF_ONLY_OURS, "A", 1 } },
	  2 },
	{ "both unknown is no difference",
	  { { "A", 0, 0, UNK }, END_F },
	  { { "A", 0, 0, UNK }, END_F },
	  { { 0, NULL, 0 } }, 0 },
	{ "unknown against known",
	  { { "A", 0, 0, 0 }, END_F },
	  { { "A", 0, 0, UNK }, END_F },
	  { { PF_XDIFF_ITEMS, "A", 0 } }, 1 },
	{ "both empty", { END_F }, { END_F }, { { 0, NULL, 0 } }, 0 },
	{ "root only in theirs",
	  { END_F },
	  { { "", 0, 0, 0 }, END_F },
	  { { PF_XDIFF_ONLY_THEIRS, "", 0 } }, 1 },
	{ "escaped slash is another name",
	  { { "a%2Fb", 0, 0, 0 }, END_F },
	  { { "a/b", 0, 0, 0 }, END_F },
	  { { PF_XDIFF_ONLY_OURS, "a%2Fb", 0 },
	    { PF_XDIFF_ONLY_THEIRS, "a/b", 0 } }, 2 },
	{ "search flag is not compared",
	  { { "S", 0, 0, 0 }, END_F },
	  { { "S", 0, 0, PF_XF_SEARCH }, END_F },
	  { { 0, NULL, 0 } }, 0 },
};

struct got {
	struct dspec d[MAXD];
	int n;
	int stop_at;   /* return -42 on this call (1-based), 0: never */
};

static int collect(const struct pf_xdiff *d, void *arg)
{
	struct got *g = arg;

	ck_assert_int_lt(g->n, MAXD);
	ck_assert_ptr_nonnull(d->path);
	if (d->kind == PF_XDIFF_ONLY_OURS)
		ck_assert(d->ours != NULL && d->theirs == NULL);
	if (d->kind == PF_XDIFF_ONLY_THEIRS)
		ck_assert(d->ours == NULL && d->theirs != NULL);
	g->d[g->n].kind = d->kind;
	g->d[g->n].path = d->path;
	g->d[g->n].dup = d->dup;
	g->n++;
	return g->n == g->stop_at ? -42 : 0;
}

static void build(struct pf_xview *v, const struct fspec *f)
{
	pf_xview_init(v);
	for (; f->path != NULL; f++)
		ck_assert_int_eq(pf_xview_add(v, f->path, f->items, f->subs, 0,
					      f->flags), 0);
}

START_TEST(test_diff_table)
{
	const struct diff_case *c = &diff_cases[_i];
	struct pf_xview a, b;
	struct got g = { .n = 0 };
	int rc;

	build(&a, c->ours);
	build(&b, c->theirs);
	rc = pf_xview_diff(&a, &b, collect, &g);
	ck_assert_msg(rc == c->nwant, "%s: %d differences, want %d", c->name,
		      rc, c->nwant);
	for (int i = 0; i < c->nwant; i++) {
		ck_assert_msg(g.d[i].kind == c->want[i].kind &&
			      strcmp(g.d[i].path, c->want[i].path) == 0 &&
			      g.d[i].dup == c->want[i].dup,
			      "%s: difference %d is %s \"%s\" #%zu", c->name,
			      i, pf_xdiff_kind_name(g.d[i].kind), g.d[i].path,
			      g.d[i].dup);
	}
	/* Swapping the sides swaps ONLY_OURS and ONLY_THEIRS only. */
	ck_assert_int_eq(pf_xview_diff(&b, &a, NULL, NULL), c->nwant);
	pf_xview_free(&a);
	pf_xview_free(&b);
}
END_TEST

START_TEST(test_diff_callback_stops)
{
	static const struct fspec ours[] = {
		{ "A", 1, 0, 0 }, { "B", 1, 0, 0 }, END_F,
	};
	struct pf_xview a, b;
	struct got g = { .n = 0, .stop_at = 1 };

	build(&a, ours);
	build(&b, ours + 2);
	ck_assert_int_eq(pf_xview_diff(&a, &b, collect, &g), -42);
	ck_assert_int_eq(g.n, 1);
	pf_xview_free(&a);
	pf_xview_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The protocol parser                                                 */
/* ------------------------------------------------------------------ */

static const char good_stream[] =
	"PFXV 1\n"
	"F 290 0 0 3 \n"
	"F 32802 0 5 1 Top of Personal Folders\n"
	"F 32898 2 0 0 Top of Personal Folders/In%2Fbox\n"
	"F 8739 1 0 0 SPAM Search Folder 2\n"
	"N Top of Personal Folders/In%2Fbox: cannot count items\n"
	"O 0\n"
	"E 4 5\n";

static int parse_all(const char *s, size_t n, size_t chunk,
		     struct pf_xview *v)
{
	struct pf_xparser p;
	int rc;

	pf_xview_init(v);
	ck_assert_int_eq(pf_xparser_init(&p, v), 0);
	rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i += chunk)
		rc = pf_xparser_feed(&p, s + i, n - i < chunk ? n - i : chunk);
	if (rc == 0)
		rc = pf_xparser_finish(&p);
	pf_xparser_free(&p);
	return rc;
}

START_TEST(test_parse_good)
{
	size_t chunks[] = { sizeof(good_stream), 1, 7 };

	for (size_t i = 0; i < N_ELEMS(chunks); i++) {
		struct pf_xview v;

		ck_assert_int_eq(parse_all(good_stream,
					   sizeof(good_stream) - 1,
					   chunks[i], &v), 0);
		ck_assert_uint_eq(v.count, 4);
		ck_assert_uint_eq(v.total_items, 5);
		ck_assert_str_eq(v.folders[0].path, "");
		ck_assert_uint_eq(v.folders[0].nid, 0x122);
		ck_assert_str_eq(v.folders[2].path,
				 "Top of Personal Folders/In%2Fbox");
		ck_assert_uint_eq(v.folders[2].flags, PF_XF_ITEMS_UNKNOWN);
		ck_assert_uint_eq(v.folders[3].flags, PF_XF_SEARCH);
		ck_assert_uint_eq(v.nnotes, 1);
		pf_xview_free(&v);
	}
}
END_TEST

struct bad_case {
	const char *s;
	size_t n;      /* 0: strlen(s) */
	int want;
};

#define H "PFXV 1\n"

static const struct bad_case bad_cases[] = {
	{ "", 0, PF_E_CORRUPT },                          /* nothing */
	{ "PFXV 2\nE 0 0\n", 0, PF_E_CORRUPT },           /* version */
	{ "F 1 0 0 0 a\nE 1 0\n", 0, PF_E_CORRUPT },      /* no header */
	{ H "F 290 0 0 0 \n", 0, PF_E_CORRUPT },          /* no E */
	{ H "E 0 0", 0, PF_E_CORRUPT },                   /* no newline */
	{ H "F 1 0 01 0 a\nE 1 1\n", 0, PF_E_CORRUPT },   /* leading 0 */
	{ H "F 1 8 0 0 a\nE 1 0\n", 0, PF_E_CORRUPT },    /* flags */
	{ H "F 4294967296 0 0 0 a\nE 1 0\n", 0, PF_E_CORRUPT },
	{ H "F 1 0 4294967296 0 a\n", 0, PF_E_CORRUPT },  /* count bound */
	{ H "F 1 0 99999999999999999999 0 a\n", 0, PF_E_CORRUPT },
	{ H "F 1 0 -1 0 a\n", 0, PF_E_CORRUPT },
	{ H "F  1 0 0 0 a\n", 0, PF_E_CORRUPT },          /* empty field */
	{ H "F 1 0 0 0\n", 0, PF_E_CORRUPT },             /* no path field */
	{ H "F 1 0 0 0 a//b\nE 1 0\n", 0, PF_E_CORRUPT },
	{ H "F 1 0 0 0 a%41\nE 1 0\n", 0, PF_E_CORRUPT }, /* not canonical */
	{ H "F 1 2 5 0 a\nE 1 0\n", 0, PF_E_CORRUPT },    /* unknown + 5 */
	{ H "F 1 0 0 0 a\r\nE 1 0\n", 0, PF_E_CORRUPT },  /* CR */
	{ H "F 1 0 0 0 a\0b\nE 1 0\n",                  /* NUL */
	  sizeof(H "F 1 0 0 0 a\0b\nE 1 0\n") - 1, PF_E_CORRUPT },
	{ H "E 1 0\n", 0, PF_E_CORRUPT },                 /* totals */
	{ H "F 1 0 2 0 a\nE 1 3\n", 0, PF_E_CORRUPT },
	{ H "E 0 0\nN late\n", 0, PF_E_CORRUPT },         /* after E */
	{ H "E 0 0\nx", 0, PF_E_CORRUPT },
	{ H "O 1\nO 1\nE 0 0\n", 0, PF_E_CORRUPT },       /* O twice */
	{ H "Z 1\nE 0 0\n", 0, PF_E_CORRUPT },            /* unknown tag */
	{ H "F\nE 0 0\n", 0, PF_E_CORRUPT },
	{ H "X 5 boom\n", 0, PF_E_CORRUPT },              /* X code sign */
	{ H "X -9 boom\n", 0, PF_E_CORRUPT },             /* X code range */
	{ H "X -0 boom\n", 0, PF_E_CORRUPT },
	{ H "X -5\n", 0, PF_E_CORRUPT },                  /* X no text */
	{ H "X -5 boom\n", 0, PF_E_CORRUPT },             /* the child's */
	{ H "X -6 gone\nE 0 0\n", 0, PF_E_CORRUPT },      /* after X */
};

START_TEST(test_parse_bad_table)
{
	const struct bad_case *c = &bad_cases[_i];
	size_t n = c->n ? c->n : strlen(c->s);
	struct pf_xview v;
	int rc = parse_all(c->s, n, n ? n : 1, &v);

	ck_assert_msg(rc == c->want, "case %d (%s): rc %d, want %d",
		      _i, c->s, rc, c->want);
	pf_xview_free(&v);
}
END_TEST

START_TEST(test_parse_child_error)
{
	static const char s[] = H "N before\nX -6 it is gone\n";
	struct pf_xview v;

	ck_assert_int_eq(parse_all(s, sizeof(s) - 1, 3, &v), PF_E_NOTFOUND);
	ck_assert_str_eq(pf_error_msg(), "it is gone");
	pf_xview_free(&v);
}
END_TEST

START_TEST(test_parse_limits)
{
	size_t n = PF_XPROTO_MAX_LINE + 64, k;
	char *s = malloc(n + 16 * (PF_XVIEW_MAX_NOTES + 2));
	struct pf_xview v;

	ck_assert_ptr_nonnull(s);
	/* a line one byte too long */
	k = (size_t)sprintf(s, H "N ");
	memset(s + k, 'a', PF_XPROTO_MAX_LINE - 1);
	k += PF_XPROTO_MAX_LINE - 1;
	s[k++] = '\n';
	ck_assert_int_eq(parse_all(s, k, 4096, &v), PF_E_LIMIT);
	pf_xview_free(&v);
	/* one note too many */
	k = (size_t)sprintf(s, H);
	for (unsigned i = 0; i <= PF_XVIEW_MAX_NOTES; i++)
		k += (size_t)sprintf(s + k, "N %u\n", i);
	k += (size_t)sprintf(s + k, "E 0 0\n");
	ck_assert_int_eq(parse_all(s, k, k, &v), PF_E_LIMIT);
	pf_xview_free(&v);
	free(s);
}
END_TEST

START_TEST(test_writer_roundtrip)
{
	int fds[2];
	struct pf_xwriter *w = malloc(sizeof(*w));
	char buf[4096];
	ssize_t n;
	struct pf_xview v;

	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(pipe(fds), 0);
	pf_xwriter_init(w, fds[1]);
	ck_assert_int_eq(pf_xproto_header(w), 0);
	ck_assert_int_eq(pf_xproto_folder(w, 0x122, 0, 0, 1, ""), 0);
	ck_assert_int_eq(pf_xproto_folder(w, 0x8022, 0, 7, 0, "T%2F"), 0);
	ck_assert_int_eq(pf_xproto_note(w, "multi\nline\ttext"), 0);
	ck_assert_int_eq(pf_xproto_orphans(w, 3), 0);
	ck_assert_int_eq(pf_xproto_end(w, 2, 7), 0);
	ck_assert_int_eq(pf_xwriter_flush(w), 0);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf));
	close(fds[0]);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(parse_all(buf, (size_t)n, 5, &v), 0);
	ck_assert_uint_eq(v.count, 2);
	ck_assert_uint_eq(v.orphans, 3);
	ck_assert_str_eq(v.notes[0], "multi line text");
	pf_xview_free(&v);
	free(w);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The child machinery, with fake children                             */
/* ------------------------------------------------------------------ */

static void put(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t k = write(fd, s, n);

		if (k <= 0)
			_exit(9);
		s += k;
		n -= (size_t)k;
	}
}

static void child_ok(int fd, const char *path, void *arg)
{
	(void)path;
	(void)arg;
	put(1, "noise on stdout\n");
	put(2, "noise on stderr\n");
	put(fd, "PFXV 1\nF 290 0 3 1 \nF 1 0 2 0 A\nE 2 5\n");
}

static void child_sleep(int fd, const char *path, void *arg)
{
	(void)fd;
	(void)path;
	(void)arg;
	for (;;)
		pause();
}

static void child_close_sleep(int fd, const char *path, void *arg)
{
	(void)path;
	(void)arg;
	put(fd, "PFXV 1\nE 0 0\n");
	close(fd);
	for (;;)
		pause();
}

static void child_segv(int fd, const char *path, void *arg)
{
	(void)path;
	(void)arg;
	put(fd, "PFXV 1\nF 290 0 0 0 \n");
	raise(SIGSEGV);
}

static void child_abort(int fd, const char *path, void *arg)
{
	(void)fd;
	(void)path;
	(void)arg;
	abort();
}

static void child_exit3(int fd, const char *path, void *arg)
{
	(void)fd;
	(void)path;
	(void)arg;
	_exit(3);
}

static void child_exit3_after_end(int fd, const char *path, void *arg)
{
	(void)path;
	(void)arg;
	put(fd, "PFXV 1\nE 0 0\n");
	_exit(3);
}

static void child_garbage(int fd, const char *path, void *arg)
{
	(void)path;
	(void)arg;
	put(fd, "hello\n");
}

static void child_endless(int fd, const char *path, void *arg)
{
	char junk[4096];

	(void)path;
	(void)arg;
	memset(junk, 'a', sizeof(junk) - 1);
	junk[sizeof(junk) - 1] = '\0';
	put(fd, "PFXV 1\nN ");
	for (;;)
		put(fd, junk);
}

static void child_x(int fd, const char *path, void *arg)
{
	(void)arg;
	put(fd, "PFXV 1\nX -6 no such thing: ");
	put(fd, path);
	put(fd, "\n");
}

/* Reports, as notes, what the child sees of its set-up. */
static void child_inspect(int fd, const char *path, void *arg)
{
	const int *extra = arg;   /* one below our pipe, one above */
	struct rlimit rl;
	void *big;

	(void)path;
	put(fd, "PFXV 1\n");
	put(fd, fcntl(extra[0], F_GETFD) < 0 && errno == EBADF &&
		fcntl(extra[1], F_GETFD) < 0 && errno == EBADF ?
		"N closed\n" : "N extra fd open\n");
	put(fd, getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 0 ?
		"N core 0\n" : "N core not 0\n");
	put(fd, getrlimit(RLIMIT_CPU, &rl) == 0 &&
		rl.rlim_cur != RLIM_INFINITY ? "N cpu set\n" :
		"N cpu unset\n");
	big = mmap(NULL, (size_t)6 << 30, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	put(fd, big == MAP_FAILED ? "N as bounded\n" : "N as unbounded\n");
	put(fd, "E 0 0\n");
}

static int64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct spawn_case {
	const char *name;
	pf_xchild_fn fn;
	unsigned timeout_ms;
	int want;
	const char *why;   /* substring of the message */
};

static const struct spawn_case spawn_cases[] = {
	{ "sleeps", child_sleep, 300, PF_E_LIMIT, "timed out after 0.300" },
	{ "closes then sleeps", child_close_sleep, 300, PF_E_LIMIT,
	  "timed out" },
	{ "segfaults", child_segv, 5000, PF_E_CORRUPT,
	  "libpff crashed with signal 11" },
	{ "aborts", child_abort, 5000, PF_E_CORRUPT,
	  "crashed with signal 6" },
	{ "exits 3 silently", child_exit3, 5000, PF_E_CORRUPT,
	  "exited with status 3" },
	{ "exits 3 after E", child_exit3_after_end, 5000, PF_E_CORRUPT,
	  "exited with status 3" },
	{ "garbage", child_garbage, 5000, PF_E_CORRUPT, "protocol error" },
	{ "endless line", child_endless, 5000, PF_E_LIMIT, "line too long" },
	{ "X line", child_x, 5000, PF_E_NOTFOUND,
	  "libpff: no such thing: /some/path" },
};

START_TEST(test_spawn_table)
{
	const struct spawn_case *c = &spawn_cases[_i];
	struct pf_xview v;
	char why[256] = "";
	int64_t t0 = ms_now();
	int rc = pf_xcheck_spawn("/some/path", c->timeout_ms, c->fn, NULL, &v,
				 why, sizeof(why));

	ck_assert_msg(rc == c->want, "%s: rc %d (%s), want %d", c->name, rc,
		      why, c->want);
	ck_assert_msg(strstr(why, c->why) != NULL, "%s: why is \"%s\"",
		      c->name, why);
	ck_assert_uint_eq(v.count, 0);
	ck_assert_msg(ms_now() - t0 < 4000, "%s: took too long", c->name);
	pf_xview_free(&v);
}
END_TEST

START_TEST(test_spawn_ok_and_quiet)
{
	struct pf_xview v;
	char why[256] = "";
	FILE *tmp = tmpfile();
	int saved = dup(1), rc;

	/* The child writes to its stdout/stderr: none of it may reach ours. */
	ck_assert_ptr_nonnull(tmp);
	ck_assert_int_ge(saved, 0);
	fflush(stdout);
	ck_assert_int_ge(dup2(fileno(tmp), 1), 0);
	rc = pf_xcheck_spawn("/x", 5000, child_ok, NULL, &v, why,
			     sizeof(why));
	ck_assert_int_ge(dup2(saved, 1), 0);
	close(saved);
	ck_assert_msg(rc == 0, "rc %d: %s", rc, why);
	ck_assert_uint_eq(v.count, 2);
	ck_assert_uint_eq(v.total_items, 5);
	ck_assert_int_eq(fseek(tmp, 0, SEEK_END), 0);
	ck_assert_int_eq(ftell(tmp), 0);
	fclose(tmp);
	pf_xview_free(&v);
}
END_TEST

START_TEST(test_spawn_isolation)
{
	struct pf_xview v;
	char why[256] = "";
	int extra[2], rc;

	/* No O_CLOEXEC on purpose: the child must close them itself. */
	extra[0] = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(extra[0], 0);
	extra[1] = fcntl(extra[0], F_DUPFD, 200);
	ck_assert_int_ge(extra[1], 200);
	rc = pf_xcheck_spawn("/x", 5000, child_inspect, extra, &v, why,
			     sizeof(why));
	close(extra[0]);
	close(extra[1]);
	ck_assert_msg(rc == 0, "rc %d: %s", rc, why);
	ck_assert_uint_eq(v.nnotes, 4);
	ck_assert_str_eq(v.notes[0], "closed");
	ck_assert_str_eq(v.notes[1], "core 0");
	ck_assert_str_eq(v.notes[2], "cpu set");
	ck_assert_str_eq(v.notes[3], "as bounded");
	pf_xview_free(&v);
}
END_TEST

START_TEST(test_spawn_usage)
{
	struct pf_xview v;
	char why[64];

	ck_assert_int_eq(pf_xcheck_spawn(NULL, 100, child_ok, NULL, &v, why,
					 sizeof(why)), PF_E_USAGE);
	ck_assert_int_eq(pf_xcheck_spawn("/x", 0, child_ok, NULL, &v, why,
					 sizeof(why)), PF_E_USAGE);
	ck_assert_int_eq(pf_xcheck_libpff("/x", PF_XCHECK_MAX_TIMEOUT + 1, &v,
					  NULL, 0), PF_E_USAGE);
	ck_assert_uint_eq(v.count, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* libpff on the real corpus                                           */
/* ------------------------------------------------------------------ */

/*
 * Oracle numbers from pffexport 20180714 (Debian pff-tools), obtained with
 *   pffexport -q -m items -l LOG -t DIR ../shared/corpus/FILE
 * then
 *   folders = grep -c '^Saving folder with name:' LOG
 *             (every folder below the root folder; the view adds the root)
 *   items   = grep -E '^Processing [a-z ]+: ' LOG | grep -v
 *             '^Processing folder' | grep -vc '/Attachments/'
 *             + grep -c '^Skipped export of item' LOG
 *             (messages directly in folders, embedded messages excluded;
 *             pffexport counts but skips FreeBusy and IPM.Post items).
 */
struct corpus_case {
	const char *file;
	unsigned folders;   /* below the root */
	unsigned items;
};

static const struct corpus_case corpus_cases[] = {
	{ "ODD-aspose-eof-mismatch.pst", 5, 0 },
	{ "ODD-aspose-split-part1.pst", 16, 11 },
	{ "aspose-contacts72.pst", 7, 72 },
	{ "aspose-outlook.pst", 26, 17 },
	{ "aspose-sample.ost", 44, 92 },
	{ "generator-900msgs.pst", 14, 900 },
	{ "go-pst-32bit-ansi.pst", 4, 1 },
	{ "go-pst-support.pst", 24, 17 },
	{ "java-libpst-dist-list.pst", 23, 4 },
	{ "java-libpst-passworded.pst", 23, 3 },
	{ "mailbagit-outlook2019.pst", 6, 2 },
	{ "outlook-pst-rs-empty.pst", 5, 0 },
	{ "pst-extractor-alpha-beta-gamma-delta.pst", 4, 1 },
	{ "pst-extractor-contacts.pst", 7, 1 },
	{ "pst-extractor-contacts97-2002-ansi.pst", 7, 1 },
	{ "pstsdk-sample1.pst", 6, 1 },
	{ "pstsdk-sample2-ansi.pst", 6, 1 },
	{ "pstsdk-submessage.pst", 5, 1 },
	{ "pstsdk-test-ansi-password.pst", 5, 1 },
	{ "pstsdk-test-unicode-password.pst", 5, 2 },
	{ "tika-testPST.pst", 6, 7 },
	{ "tika-variousBodyTypes.pst", 6, 4 },
};

static int xcheck_file(const char *name, unsigned timeout,
		       struct pf_xview *v, char *why, size_t cb)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", CORPUS, name);
	return pf_xcheck_libpff(path, timeout, v, why, cb);
}

static const struct pf_xfolder *find(const struct pf_xview *v,
				     const char *path)
{
	for (size_t i = 0; i < v->count; i++)
		if (strcmp(v->folders[i].path, path) == 0)
			return &v->folders[i];
	return NULL;
}

START_TEST(test_corpus_counts)
{
	const struct corpus_case *c = &corpus_cases[_i];
	struct pf_xview v;
	char why[512] = "";
	int rc = xcheck_file(c->file, 60, &v, why, sizeof(why));

	ck_assert_msg(rc == 0, "%s: rc %d: %s", c->file, rc, why);
	ck_assert_msg(v.count == c->folders + 1u, "%s: %zu folders, want %u",
		      c->file, v.count, c->folders + 1u);
	ck_assert_msg(v.total_items == c->items, "%s: %ju items, want %u",
		      c->file, (uintmax_t)v.total_items, c->items);
	ck_assert_str_eq(v.folders[0].path, "");
	ck_assert_uint_eq(v.folders[0].nid, 0x122);
	ck_assert_uint_eq(v.orphans, 0);
	/* A view never differs from itself. */
	ck_assert_int_eq(pf_xview_diff(&v, &v, NULL, NULL), 0);
	pf_xview_free(&v);
}
END_TEST

START_TEST(test_corpus_layout)
{
	struct pf_xview v, w;
	char why[512] = "";
	const struct pf_xfolder *f;
	int rc = xcheck_file("aspose-outlook.pst", 60, &v, why, sizeof(why));

	ck_assert_msg(rc == 0, "rc %d: %s", rc, why);
	/* pffexport: Top of Personal Folders/Inbox/Message00001..8 and the
	 * sub-folder SubInbox; Sent Items/Message00001..6. */
	f = find(&v, "Top of Personal Folders/Inbox");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->items, 8);
	ck_assert_uint_eq(f->subfolders, 1);
	ck_assert_uint_eq(f->nid, 0x8082);
	ck_assert_ptr_nonnull(find(&v, "Top of Personal Folders/Inbox/"
				   "SubInbox"));
	f = find(&v, "Top of Personal Folders/Sent Items");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->items, 6);
	f = find(&v, "Search Root/All Messages");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->flags & PF_XF_SEARCH, PF_XF_SEARCH);
	/* Change a copy: one item count more, one folder less. */
	pf_xview_init(&w);
	for (size_t i = 0; i < v.count; i++) {
		const struct pf_xfolder *g = &v.folders[i];

		if (strcmp(g->path, "Top of Personal Folders/Drafts") == 0)
			continue;
		ck_assert_int_eq(pf_xview_add(&w, g->path, g->items +
			(f == g ? 1 : 0), g->subfolders, g->nid, g->flags), 0);
	}
	ck_assert_int_eq(pf_xview_diff(&v, &w, NULL, NULL), 2);
	pf_xview_free(&v);
	pf_xview_free(&w);
}
END_TEST

START_TEST(test_corpus_odd_split)
{
	/* pffexport: "Unable to export sub messages" for sub folder 1 of
	 * Inbox and sub folder 3 of Top of Personal Folders, libpff error
	 * "table contains record entries but no value array". */
	static const char *const unreadable[] = {
		"Top of Personal Folders/Inbox/SubInbox",
		"Top of Personal Folders/Outbox",
	};
	struct pf_xview v;
	char why[512] = "";
	int rc = xcheck_file("ODD-aspose-split-part1.pst", 60, &v, why,
			     sizeof(why));

	ck_assert_msg(rc == 0, "rc %d: %s", rc, why);
	for (size_t i = 0; i < N_ELEMS(unreadable); i++) {
		const struct pf_xfolder *f = find(&v, unreadable[i]);

		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(f->flags & PF_XF_ITEMS_UNKNOWN,
				  PF_XF_ITEMS_UNKNOWN);
	}
	ck_assert_uint_eq(v.nnotes, 2);
	ck_assert_ptr_nonnull(strstr(v.notes[0], "no value array"));
	pf_xview_free(&v);
}
END_TEST

struct corpus_error {
	const char *file;
	int want;
	const char *why;
};

static const struct corpus_error corpus_errors[] = {
	{ "CORRUPT-aspose-bulk-halfwritten.pst", PF_E_CORRUPT,
	  "mismatch in file header checksum" },
	{ "NOTPST-mbox-named-pst.pst", PF_E_NOTPST, "no !BDN magic" },
	{ "NOTPST-truncated-header.bin", PF_E_NOTPST,
	  "header truncated at 40 bytes" },
	{ "no-such-file.pst", PF_E_IO, "No such file" },
};

START_TEST(test_corpus_errors)
{
	const struct corpus_error *c = &corpus_errors[_i];
	struct pf_xview v;
	char why[512] = "";
	int rc = xcheck_file(c->file, 60, &v, why, sizeof(why));

	ck_assert_msg(rc == c->want, "%s: rc %d (%s), want %d", c->file, rc,
		      why, c->want);
	ck_assert_msg(strstr(why, c->why) != NULL, "%s: why is \"%s\"",
		      c->file, why);
	ck_assert_str_eq(why, pf_error_msg());
	ck_assert_uint_eq(v.count, 0);
}
END_TEST

START_TEST(test_corpus_timeouts)
{
	/* The biggest file: 1 s either suffices or ends in a clean timeout;
	 * 0 means the default timeout and must succeed. */
	struct pf_xview v;
	char why[512] = "";
	int64_t t0 = ms_now();
	int rc = xcheck_file("aspose-sample.ost", 1, &v, why, sizeof(why));

	ck_assert_msg(rc == 0 || (rc == PF_E_LIMIT &&
				  strstr(why, "timed out") != NULL),
		      "rc %d: %s", rc, why);
	ck_assert_int_lt(ms_now() - t0, 3000);
	if (rc == 0)
		ck_assert_uint_eq(v.total_items, 92);
	pf_xview_free(&v);
	rc = xcheck_file("aspose-sample.ost", 0, &v, why, sizeof(why));
	ck_assert_msg(rc == 0, "rc %d: %s", rc, why);
	ck_assert_uint_eq(v.count, 45);
	pf_xview_free(&v);
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *xcheck_suite(int with_corpus)
{
	Suite *s = suite_create("xcheck");
	TCase *t = tcase_create("view");
	TCase *p = tcase_create("protocol");
	TCase *c = tcase_create("child");

	tcase_add_loop_test(t, test_escape_table, 0, N_ELEMS(esc_cases));
	tcase_add_test(t, test_escape_join_and_limit);
	tcase_add_test(t, test_path_valid);
	tcase_add_test(t, test_path_depth);
	tcase_add_test(t, test_view_add);
	tcase_add_test(t, test_view_sort_stable);
	tcase_add_test(t, test_view_note_cap);
	tcase_add_loop_test(t, test_diff_table, 0, N_ELEMS(diff_cases));
	tcase_add_test(t, test_diff_callback_stops);
	suite_add_tcase(s, t);

	tcase_add_test(p, test_parse_good);
	tcase_add_loop_test(p, test_parse_bad_table, 0, N_ELEMS(bad_cases));
	tcase_add_test(p, test_parse_child_error);
	tcase_add_test(p, test_parse_limits);
	tcase_add_test(p, test_writer_roundtrip);
	suite_add_tcase(s, p);

	tcase_set_timeout(c, 30);
	tcase_add_loop_test(c, test_spawn_table, 0, N_ELEMS(spawn_cases));
	tcase_add_test(c, test_spawn_ok_and_quiet);
	tcase_add_test(c, test_spawn_isolation);
	tcase_add_test(c, test_spawn_usage);
	suite_add_tcase(s, c);

	if (with_corpus) {
		TCase *k = tcase_create("corpus");

		tcase_set_timeout(k, 120);
		tcase_add_loop_test(k, test_corpus_counts, 0,
				    N_ELEMS(corpus_cases));
		tcase_add_test(k, test_corpus_layout);
		tcase_add_test(k, test_corpus_odd_split);
		tcase_add_loop_test(k, test_corpus_errors, 0,
				    N_ELEMS(corpus_errors));
		tcase_add_test(k, test_corpus_timeouts);
		suite_add_tcase(s, k);
	}
	return s;
}

int main(void)
{
	int with_corpus = access(CORPUS, R_OK | X_OK) == 0;
	SRunner *r;
	int failed;

	if (!with_corpus)
		fprintf(stderr, "test_xcheck: %s absent, corpus tests "
			"skipped\n", CORPUS);
	r = srunner_create(xcheck_suite(with_corpus));
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
