/*
 * ltpw_bth.c - BTree-on-heap builder (MS-PST 2.3.2).
 *
 * Contract
 * - pf_bthw_build() takes N records already sorted by key, strictly
 *   ascending (keys are little-endian unsigned, as the reader compares
 *   them); a record out of order or a repeated key is PF_E_USAGE.
 * - The BTHHEADER (2.3.2.1: bType 0xB5, cbKey, cbEnt, bIdxLevels, hidRoot)
 *   is allocated first, so it precedes its records in the heap as in
 *   Outlook's files.  cbKey is 2, 4, 8 or 16 and cbEnt 1..32 (2.3.2.1).
 * - Leaves (2.3.2.3) hold as many whole records as one allocation of
 *   PF_HN_MAX_ALLOC_CB bytes takes, the last one the rest; each index
 *   level (2.3.2.2) holds (key of the first record of a child, its HID)
 *   records, packed the same way, until one array remains: its HID is
 *   hidRoot and the number of index levels is bIdxLevels.
 * - N == 0 gives hidRoot 0 and no record array: an empty allocation would
 *   be read by libpff as "record entries but no value array" (see
 *   pstfix/check/pass_ltp.c check_empty_root).
 */
#include <stdlib.h>
#include <string.h>

#include "../util/pf_le.h"
#include "ltpw_int.h"

#define BTHHEADER_CB 8u
#define HID_CB       4u

static int key_cmp(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	while (n-- > 0) {
		if (a[n] != b[n])
			return a[n] < b[n] ? -1 : 1;
	}
	return 0;
}

static int check_args(uint8_t cb_key, uint8_t cb_ent, const uint8_t *recs,
		      uint32_t n)
{
	uint32_t rs = (uint32_t)cb_key + cb_ent, i;

	if (cb_key != 2 && cb_key != 4 && cb_key != 8 && cb_key != 16)
		return pf_error_set(PF_E_USAGE, "BTH builder: cbKey %u",
				    cb_key);
	if (cb_ent == 0 || cb_ent > 32)
		return pf_error_set(PF_E_USAGE, "BTH builder: cbEnt %u",
				    cb_ent);
	if (n > 0 && !recs)
		return pf_error_set(PF_E_USAGE, "BTH builder: no records");
	for (i = 1; i < n; i++)
		if (key_cmp(recs + (size_t)(i - 1) * rs,
			    recs + (size_t)i * rs, cb_key) >= 0)
			return pf_error_set(PF_E_USAGE, "BTH builder: record "
					    "%u not above record %u", i, i - 1);
	return 0;
}

/* One level: the N records of RS bytes at CUR go into allocations; the
 * index records of the level above go to *NEXT (malloc'd), *NNEXT of
 * them.  *last gets the HID of the last array. */
static int put_level(struct pf_hnw *h, uint8_t cb_key, const uint8_t *cur,
		     uint32_t n, uint32_t rs, uint8_t **next,
		     uint32_t *nnext, uint32_t *last)
{
	uint32_t per = PF_HN_MAX_ALLOC_CB / rs, groups, g;
	uint32_t irs = (uint32_t)cb_key + HID_CB;
	uint8_t *up;
	int rc = 0;

	groups = n / per + (n % per != 0);
	up = malloc((size_t)groups * irs);
	if (!up)
		return pf_error_set(PF_E_NOMEM, "out of memory (BTH)");
	for (g = 0; rc == 0 && g < groups; g++) {
		uint32_t cnt = n - g * per < per ? n - g * per : per;
		const uint8_t *first = cur + (size_t)g * per * rs;

		rc = pf_hnw_alloc(h, first, (size_t)cnt * rs, last);
		memcpy(up + (size_t)g * irs, first, cb_key);
		pf_put32(up + (size_t)g * irs + cb_key, *last);
	}
	if (rc < 0) {
		free(up);
		return rc;
	}
	*next = up;
	*nnext = groups;
	return 0;
}

/* Leaves, then index levels until one array is left. */
static int put_tree(struct pf_hnw *h, uint8_t cb_key, uint8_t cb_ent,
		    const uint8_t *recs, uint32_t n, uint8_t *levels,
		    uint32_t *root)
{
	const uint8_t *cur = recs;
	uint8_t *owned = NULL, *next = NULL;
	uint32_t rs = (uint32_t)cb_key + cb_ent, level = 0;
	int rc;

	for (;;) {
		rc = put_level(h, cb_key, cur, n, rs, &next, &n, root);
		free(owned);
		if (rc < 0)
			return rc;
		owned = next;
		cur = next;
		if (n == 1)
			break;
		rs = (uint32_t)cb_key + HID_CB;
		if (++level > PF_BTH_MAX_LEVELS) {
			free(owned);
			return pf_error_set(PF_E_LIMIT, "BTH builder: more "
					    "than %u index levels",
					    PF_BTH_MAX_LEVELS);
		}
	}
	free(owned);
	*levels = (uint8_t)level;
	return 0;
}

int pf_bthw_build(struct pf_hnw *h, uint8_t cb_key, uint8_t cb_ent,
		  const uint8_t *records, uint32_t n, uint32_t *hid)
{
	uint32_t root = 0;
	uint8_t levels = 0, *hdr;
	int rc = check_args(cb_key, cb_ent, records, n);

	*hid = 0;
	if (rc == 0)
		rc = pf_hnw_alloc(h, NULL, BTHHEADER_CB, hid);
	if (rc == 0 && n > 0)
		rc = put_tree(h, cb_key, cb_ent, records, n, &levels, &root);
	if (rc < 0) {
		*hid = 0;
		return rc;
	}
	hdr = pf_hnw_ptr(h, *hid);
	hdr[0] = PF_BTYPE_BTH;                        /* 2.3.2.1 */
	hdr[1] = cb_key;
	hdr[2] = cb_ent;
	hdr[3] = levels;
	pf_put32(hdr + 4, root);
	return 0;
}
