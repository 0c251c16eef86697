/*
 * repair_level.c - which repair level each problem code asks for.
 *
 * Contract
 * - pf_repair_level_of() maps a finding to the lowest repair stage that
 *   fixes it (repair.h).  The map is a table of code ranges over the
 *   problem table (pstfix/check/problem.c); tests/unit/test_repair_level.c
 *   checks that every code of that table falls in exactly one range, that
 *   every range holds at least one code, that errors never map to NONE and
 *   informational rows always do.
 * - Warnings map to NONE when good files carry them (Outlook writes a zero
 *   DList CRC, leaves cbAMapFree stale, reserves space it never
 *   references): repairing a file for those would rewrite a sound file.
 *   Warnings users see as damage (wrong counts, a table libpff misreads,
 *   trailing bytes after ibFileEof) keep their level.
 * - Codes outside the table (a newer checker) map to MESSAGING with
 *   pf_repair_level_known() false: unknown damage gets the fullest repair
 *   rather than none.
 */
#include <stddef.h>

#include "repair.h"
#include "repair_run.h"

#define HDR PF_REPAIR_HEADER
#define MAPS PF_REPAIR_MAPS
#define BTREE PF_REPAIR_BTREE
#define NODES PF_REPAIR_NODES
#define MSG PF_REPAIR_MESSAGING
#define NONE PF_REPAIR_NONE

struct level_range {
	uint16_t first, last;
	enum pf_repair_level level;
};

/* Sorted, not overlapping; each range names the rows it covers. */
static const struct level_range ranges[] = {
	/* pass 1: HEADER fields and CRCs, ROOT (MS-PST 2.2.2.5, 2.2.2.6) */
	{ 1000, 1003, HDR },     /* fields, CRCs, wMagicClient, sentinel */
	{ 1004, 1004, NONE },    /* a PAB, read as a PST */
	{ 1010, 1010, HDR },     /* ROOT.ibAMapLast */
	{ 1011, 1011, BTREE },   /* a root BREF past the end */
	{ 1012, 1012, NODES },   /* truncated: drop what is gone */
	{ 1013, 1013, HDR },     /* bytes after ibFileEof */
	{ 1014, 1014, BTREE },   /* a root BREF not aligned */
	{ 1015, 1015, MAPS },    /* fAMapValid 0 */
	{ 1016, 1016, NONE },    /* fAMapValid 1: still valid maps */
	{ 1017, 1017, MAPS },    /* fAMapValid unknown */
	{ 1020, 1022, HDR },     /* bidNextB, bidNextP, rgnid[] */
	/* pass 2: AMap, PMap, FMap, FPMap (MS-PST 2.2.2.7.2-6) */
	{ 2001, 2036, MAPS },
	/* DList: Outlook writes a zero CRC and all-zero pages */
	{ 2041, 2044, MAPS },
	{ 2045, 2045, NONE },
	{ 2046, 2046, MAPS },
	{ 2047, 2047, NONE },
	{ 2050, 2050, MAPS },    /* space in use marked free */
	{ 2051, 2051, NONE },    /* leaked space: reserved, harmless */
	{ 2052, 2052, NODES },   /* two structures share space */
	{ 2053, 2054, NONE },    /* stale cbAMapFree; maps not compared */
	/* pass 3 and 4: BT pages, order, cycles, root BREFs */
	{ 3001, 3021, BTREE },
	{ 4001, 4021, BTREE },
	{ 4022, 4023, NODES },   /* data or subnode block not in the BBT */
	{ 4024, 4024, NONE },    /* undocumented NID type */
	{ 4025, 4025, NODES },
	/* pass 5: block CRCs, missing blocks, data trees, cRef */
	{ 5001, 5030, NODES },
	{ 5031, 5031, NONE },    /* an unreferenced block */
	{ 5032, 5032, NODES },
	/* pass 6 and 7: LTP and messaging */
	{ 6000, 6084, MSG },
	{ 6085, 6085, NONE },    /* hash table alone: left (some writers) */
	{ 6086, 6090, MSG },
	{ 7001, 7020, MSG },
	{ 7022, 7022, NONE },    /* nodes files before Outlook 2003 lack */
	{ 7023, 7023, MSG },
	/* pass 8: what libpff sees (observations); 9: capped output */
	{ 8001, 8007, NONE },
	{ 9001, 9001, NONE },
};

#define NRANGES (sizeof(ranges) / sizeof(ranges[0]))

static const struct level_range *range_of(uint16_t code)
{
	size_t lo = 0, hi = NRANGES;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (code < ranges[mid].first)
			hi = mid;
		else if (code > ranges[mid].last)
			lo = mid + 1;
		else
			return &ranges[mid];
	}
	return NULL;
}

bool pf_repair_level_known(uint16_t code)
{
	return range_of(code) != NULL;
}

enum pf_repair_level pf_repair_level_of_code(uint16_t code)
{
	const struct level_range *r = range_of(code);

	return r ? r->level : PF_REPAIR_MESSAGING;
}

enum pf_repair_level pf_repair_level_of(const struct pf_finding *f)
{
	if (!f || !f->problem)
		return PF_REPAIR_NONE;
	return pf_repair_level_of_code(f->problem->code);
}

unsigned pf_repair_level_ranges(void)
{
	return (unsigned)NRANGES;
}

void pf_repair_level_range(unsigned i, uint16_t *first, uint16_t *last)
{
	*first = i < NRANGES ? ranges[i].first : 0;
	*last = i < NRANGES ? ranges[i].last : 0;
}

const char *pf_repair_level_name(enum pf_repair_level level)
{
	switch (level) {
	case PF_REPAIR_NONE:      return "none";
	case PF_REPAIR_HEADER:    return "header";
	case PF_REPAIR_MAPS:      return "maps";
	case PF_REPAIR_BTREE:     return "btree";
	case PF_REPAIR_NODES:     return "nodes";
	case PF_REPAIR_MESSAGING: return "messaging";
	}
	return "?";
}
