/*
 * date.c - the Date: field (RFC 5322 3.3) to seconds since 1970 UTC.
 *
 * Rules
 * - date-time = [day-of-week ","] day month year hour ":" minute
 *   [":" second] zone (3.3); CFWS may appear between tokens, also around
 *   the ':' (obs-FWS, 4.3: "09(comment):   55  :  06").
 * - Obsolete forms (4.3): two-digit years (00-49 -> 20xx, 50-99 -> 19xx),
 *   three-digit years (+1900); zones UT, GMT, EST/EDT, CST/CDT, MST/MDT,
 *   PST/PDT; the military letters count as -0000 (4.3 says their sign was
 *   defined backwards in RFC 822, so they carry no information).
 * - Tolerated (defects): the asctime() order of mbox "From " lines
 *   ("Tue Jul  1 10:52:37 2003"), ISO "2003-07-01", full month names,
 *   "+02:00", a few more zone names, AM/PM, a missing zone or time
 *   (taken as 0).
 * - The day-of-week is ignored; the day must exist in its month; years
 *   1601 (the FILETIME epoch) to 9999.
 */
#include <string.h>

#include "mime_int.h"

enum dtk { DT_NUM, DT_WORD, DT_SIGN, DT_COLON };

struct dtok {
	enum dtk t;
	int64_t v;           /* NUM: value (saturated); SIGN: +1/-1 */
	unsigned nd;         /* NUM: digits */
	char w[16];          /* WORD: lower-case, truncated */
	size_t wl;           /* WORD: real length */
};

#define DT_MAX_TOK 48

static size_t skip_comment(const char *s, size_t n, size_t i)
{
	unsigned depth = 0;

	for (; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
	}
	return n;
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_alpha(char ch)
{
	ch = pfm_lower(ch);
	return ch >= 'a' && ch <= 'z';
}

/* One token at S[*i] into T; false when the character is skipped. */
static bool dt_token(const char *s, size_t n, size_t *i, struct dtok *t)
{
	size_t j = *i;

	memset(t, 0, sizeof(*t));
	if (is_digit(s[j])) {
		t->t = DT_NUM;
		for (; j < n && is_digit(s[j]); j++, t->nd++)
			if (t->v < 100000000)
				t->v = t->v * 10 + (s[j] - '0');
	} else if (is_alpha(s[j])) {
		t->t = DT_WORD;
		for (; j < n && is_alpha(s[j]); j++, t->wl++)
			if (t->wl < sizeof(t->w) - 1)
				t->w[t->wl] = pfm_lower(s[j]);
	} else if (s[j] == '+' || s[j] == '-') {
		t->t = DT_SIGN;
		t->v = s[j++] == '-' ? -1 : 1;
	} else if (s[j] == ':') {
		t->t = DT_COLON;
		j++;
	} else {
		*i = j + 1;
		return false;
	}
	*i = j;
	return true;
}

static size_t dt_tokens(const char *s, size_t n, struct dtok *t)
{
	size_t i = 0, k = 0;

	while (i < n && k < DT_MAX_TOK) {
		if (pfm_is_space(s[i])) {
			i++;
		} else if (s[i] == '(') {
			i = skip_comment(s, n, i);
		} else if (dt_token(s, n, &i, &t[k])) {
			k++;
		}
	}
	return k;
}

/* "Jan", or a longer prefix of the full name ("Sept", "January"). */
static int month_of(const struct dtok *t)
{
	static const char *const names[12] = {
		"january", "february", "march", "april", "may", "june",
		"july", "august", "september", "october", "november",
		"december",
	};

	if (t->wl < 3 || t->wl >= sizeof(t->w))
		return 0;
	for (int m = 0; m < 12; m++)
		if (t->wl <= strlen(names[m]) &&
		    memcmp(t->w, names[m], t->wl) == 0)
			return m + 1;
	return 0;
}

static bool weekday(const struct dtok *t)
{
	static const char names[7][4] = {
		"mon", "tue", "wed", "thu", "fri", "sat", "sun",
	};

	for (int d = 0; d < 7 && t->wl >= 3; d++)
		if (memcmp(t->w, names[d], 3) == 0)
			return true;
	return false;
}

struct zname {
	const char *name;
	int minutes;
};

/* RFC 5322 4.3 names first; the rest are common in the wild. */
static const struct zname zones[] = {
	{ "ut", 0 },     { "utc", 0 },     { "gmt", 0 },     { "z", 0 },
	{ "edt", -240 }, { "est", -300 },  { "cdt", -300 },  { "cst", -360 },
	{ "mdt", -360 }, { "mst", -420 },  { "pdt", -420 },  { "pst", -480 },
	{ "ast", -240 }, { "adt", -180 },  { "akst", -540 }, { "akdt", -480 },
	{ "hst", -600 }, { "wet", 0 },     { "west", 60 },   { "cet", 60 },
	{ "cest", 120 }, { "met", 60 },    { "mest", 120 },  { "eet", 120 },
	{ "eest", 180 }, { "jst", 540 },   { "nzst", 720 },  { "nzdt", 780 },
};

/* A zone name: 1 known (minutes in *off), 0 not a zone. */
static int zone_name(const struct dtok *t, int *off, bool *military)
{
	*military = false;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (t->wl < sizeof(t->w) && strcmp(t->w, zones[i].name) == 0) {
			*off = zones[i].minutes;
			return 1;
		}
	if (t->wl == 1 && t->w[0] != 'j') {
		*off = 0;            /* military: -0000 (RFC 5322 4.3) */
		*military = true;
		return 1;
	}
	return 0;
}

struct dt {
	int64_t num[4];      /* date numbers in order */
	unsigned nd[4];
	size_t nnum;
	int mon, hour, min, sec;
	bool have_time, have_zone, odd, mon_first;
	int zone;            /* minutes east */
};

/* hh:mm[:ss] at T[*k] (a NUM followed by a COLON). */
static void dt_time(const struct dtok *t, size_t nt, size_t *k, struct dt *d)
{
	size_t i = *k;

	d->hour = (int)t[i].v;
	d->min = (int)t[i + 2].v;
	d->sec = 0;
	i += 3;
	if (i + 1 < nt && t[i].t == DT_COLON && t[i + 1].t == DT_NUM) {
		d->sec = (int)t[i + 1].v;
		i += 2;
	}
	d->have_time = true;
	*k = i;
}

/* [+-]hhmm or [+-]hh[:mm] at T[*k] (a SIGN followed by a NUM). */
static void dt_zone(const struct dtok *t, size_t nt, size_t *k, struct dt *d)
{
	size_t i = *k + 1;
	int64_t hh = t[i].v, mm = 0;

	if (t[i].nd == 4 || t[i].nd == 3) {
		hh = t[i].v / 100;
		mm = t[i].v % 100;
	} else if (i + 2 < nt && t[i + 1].t == DT_COLON &&
		   t[i + 2].t == DT_NUM) {
		mm = t[i + 2].v;
		i += 2;
		d->odd = true;
	} else {
		d->odd = true;
	}
	if (t[*k + 1].nd > 4 || hh > 99 || mm > 59) {
		d->odd = true;
		hh = mm = 0;
	}
	d->zone = (int)(t[*k].v * (hh * 60 + mm));
	d->have_zone = true;
	*k = i + 1;
}

static void dt_word(const struct dtok *t, struct dt *d)
{
	int off, m = month_of(t);
	bool military;

	if (m && !d->mon) {
		d->mon = m;
		d->mon_first = d->nnum == 0;
		if (t->wl != 3)
			d->odd = true;   /* "January", "Sept" */
	} else if (weekday(t)) {
		/* ignored (RFC 5322 3.3 says it must match; nobody checks) */
	} else if (d->have_time && (pfm_ieq(t->w, t->wl, "pm") ||
				    pfm_ieq(t->w, t->wl, "am"))) {
		if (t->w[0] == 'p' && d->hour < 12)
			d->hour += 12;
		else if (t->w[0] == 'a' && d->hour == 12)
			d->hour = 0;
		d->odd = true;
	} else if (d->have_time && !d->have_zone &&
		   zone_name(t, &off, &military)) {
		d->zone = off;
		d->have_zone = true;
		if (military && t->w[0] != 'z')
			d->odd = true;
	} else {
		d->odd = true;
	}
}

static void dt_scan(const struct dtok *t, size_t nt, struct dt *d)
{
	size_t k = 0;

	while (k < nt) {
		if (t[k].t == DT_NUM && !d->have_time && k + 2 < nt &&
		    t[k + 1].t == DT_COLON && t[k + 2].t == DT_NUM) {
			dt_time(t, nt, &k, d);
		} else if (t[k].t == DT_SIGN && k + 1 < nt &&
			   t[k + 1].t == DT_NUM && d->have_time &&
			   !d->have_zone) {
			dt_zone(t, nt, &k, d);
		} else if (t[k].t == DT_NUM && d->nnum < 4) {
			d->num[d->nnum] = t[k].v;
			d->nd[d->nnum++] = t[k++].nd;
		} else {
			if (t[k].t == DT_WORD)
				dt_word(&t[k], d);
			k++;
		}
	}
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int mdays(int64_t y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };

	return len[m - 1] + (m == 2 && leap(y));
}

/* Day, month, year from the numbers seen: with a month name, the number
 * with 3+ digits (else the last) is the year; without, Y-M-D. */
static bool dt_ymd(struct dt *d, int64_t *y, int *mon, int *day)
{
	size_t yi = 0;
	unsigned ynd;

	if (d->mon) {
		if (d->nnum < 2)
			return false;
		yi = d->nd[0] >= 3 ? 0 : 1;
		*day = (int)d->num[1 - yi];
		*mon = d->mon;
		if (d->nnum > 2 || yi == 0 || d->mon_first)
			d->odd = true;
	} else {
		if (d->nnum != 3 || d->nd[0] != 4)
			return false;
		*mon = (int)d->num[1];
		*day = (int)d->num[2];
		d->odd = true;
	}
	*y = d->num[yi];
	ynd = d->nd[yi];
	if (ynd <= 2)
		*y += *y < 50 ? 2000 : 1900;   /* RFC 5322 4.3 */
	else if (ynd == 3)
		*y += 1900;
	return *mon >= 1 && *mon <= 12 && *y >= 1601 && *y <= 9999 &&
	       *day >= 1 && *day <= mdays(*y, *mon);
}

static int64_t days_since_1970(int64_t y, int m, int d)
{
	static const int before[12] = { 0, 31, 59, 90, 120, 151,
					181, 212, 243, 273, 304, 334 };
	int64_t py = y - 1;
	int64_t leaps = (py / 4 - py / 100 + py / 400) -
			(1969 / 4 - 1969 / 100 + 1969 / 400);

	return (y - 1970) * 365 + leaps + before[m - 1] +
	       (m > 2 && leap(y)) + d - 1;
}

int pfm_date(struct pfm_ctx *c, const char *s, size_t n, int64_t *epoch,
	     int64_t *offset)
{
	struct dtok t[DT_MAX_TOK];
	struct dt d;
	int64_t y;
	int mon, day;
	size_t nt = dt_tokens(s, n, t);

	memset(&d, 0, sizeof(d));
	dt_scan(t, nt, &d);
	if (!dt_ymd(&d, &y, &mon, &day) || d.hour > 23 || d.min > 59 ||
	    d.sec > 60) {
		pfm_defect(c);
		return PF_E_CORRUPT;
	}
	if (d.odd || !d.have_time || !d.have_zone)
		pfm_defect(c);
	*epoch = days_since_1970(y, mon, day) * 86400 + d.hour * 3600 +
		 d.min * 60 + d.sec - (int64_t)d.zone * 60;
	if (offset)
		*offset = (int64_t)d.zone * 60;
	return 0;
}

int pf_mail_parse_date(const char *s, size_t n, int64_t *epoch,
		       int64_t *offset)
{
	struct pfm_ctx c;

	pfm_ctx_init(&c, 0);
	if (!s || !epoch)
		return pf_error_set(PF_E_USAGE, "no date");
	if (pfm_date(&c, s, n, epoch, offset) != 0)
		return pf_error_set(PF_E_CORRUPT, "unreadable date");
	return 0;
}
