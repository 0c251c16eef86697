/*
 * rmsg_bth.c - a property context's BTH (MS-PST 2.3.2, 2.3.3) put right
 * in memory, so the tolerant read of rmsg_heap.c can open a PC whose BTH
 * header or record order is damaged.
 *
 * Contract: rmsg_pc_bth_fix() edits block 0 of a heap (D, CB) whose
 * HNHDR and HNPAGEMAP are sound and says what it changed in WHY.  Only
 * what the spec fixes, or what the heap proves, is set:
 * - hidUserRoot that names no allocation: the one 8-byte allocation of
 *   block 0 that is a PC's BTHHEADER (bType 0xB5, cbKey 2, cbEnt 6,
 *   bIdxLevels 0, a hidRoot that resolves to whole 8-byte records); two
 *   or none: nothing is set;
 * - the BTHHEADER of a PC: bType is 0xB5 (2.3.2.1), cbKey 2 and cbEnt 6
 *   (2.3.3.3: the PC's BTH); a bIdxLevels above PF_BTH_MAX_LEVELS is 0
 *   when hidRoot holds whole leaf records whose types all exist (a
 *   one-level PC; deeper ones are left as they are);
 * - leaf records out of order (2.3.2.3): sorted by key, when no key is
 *   there twice.
 * Everything else stays; the PC must then open through formats/ltp.
 * Bounds: block 0 only (its HNPAGEMAP bounds every offset), at most
 * PF_HN_MAX_ALLOC allocations, records by their allocation's size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/ltp/pf_ltp.h"
#include "../../formats/util/pf_le.h"
#include "rmsg.h"

#define BTHHEADER_CB 8u
#define PC_REC_CB 8u       /* wPropId, wPropType, dwValueHnid */

struct heap0 {
	uint8_t *d;
	size_t cb;
	bool wide;
	uint32_t hnpm, nalloc;
};

/* Allocation HID of block 0 as [*beg, *end); false when it is not one. */
static bool alloc_of(const struct heap0 *h, uint32_t hid, uint32_t *beg,
		     uint32_t *end)
{
	uint32_t i = pf_hid_index(h->wide, hid);

	if (PF_HID_TYPE(hid) != 0 || pf_hid_block(h->wide, hid) != 0 ||
	    i == 0 || i > h->nalloc)
		return false;
	*beg = pf_le16(h->d + h->hnpm + 4 + 2 * (i - 1));
	*end = pf_le16(h->d + h->hnpm + 4 + 2 * i);
	return *beg <= *end && *end <= h->hnpm;
}

/* HID holds whole leaf PC records of known types (N of them). */
static bool leaf_records(const struct heap0 *h, uint32_t hid, uint32_t *n)
{
	uint32_t beg, end;

	if (!alloc_of(h, hid, &beg, &end) || (end - beg) % PC_REC_CB)
		return false;
	*n = (end - beg) / PC_REC_CB;
	for (uint32_t i = 0; i < *n; i++)
		if (pf_ptype_size(pf_le16(h->d + beg + PC_REC_CB * i + 2)) < 0)
			return false;
	return true;
}

/* The allocation at BEG is a sound one-level PC BTHHEADER. */
static bool pc_header_at(const struct heap0 *h, uint32_t beg)
{
	const uint8_t *p = h->d + beg;
	uint32_t n;

	return p[0] == PF_BTYPE_BTH && p[1] == 2 && p[2] == 6 && p[3] == 0 &&
	       (pf_le32(p + 4) == 0 || leaf_records(h, pf_le32(p + 4), &n));
}

static void say(char *why, size_t cbwhy, const char *what)
{
	size_t len = strlen(why);

	if (len + 1 < cbwhy)
		snprintf(why + len, cbwhy - len, "%s%s", len ? ", " : "",
			 what);
}

/* hidUserRoot, found again when it names no allocation. */
static bool fix_user_root(struct heap0 *h, char *why, size_t cbwhy)
{
	uint32_t beg, end, found = 0, nfound = 0;

	if (alloc_of(h, pf_le32(h->d + 4), &beg, &end) &&
	    end - beg == BTHHEADER_CB)
		return true;
	for (uint32_t i = 1; i <= h->nalloc && nfound < 2; i++) {
		uint32_t hid = pf_hid_make(h->wide, 0, i);

		if (alloc_of(h, hid, &beg, &end) &&
		    end - beg == BTHHEADER_CB && pc_header_at(h, beg)) {
			found = hid;
			nfound++;
		}
	}
	if (nfound != 1)
		return false;
	pf_put32(h->d + 4, found);
	say(why, cbwhy, "hidUserRoot set to the one BTHHEADER in the heap");
	return true;
}

/* 2.3.2.3: leaf records sorted by their 2-byte key (insertion sort on
 * a copy: a PC's block-0 records are a few hundred at most); left as
 * they are when a key is there twice (which one is right is unknown). */
static void sort_records(struct heap0 *h, uint32_t hid, char *why,
			 size_t cbwhy)
{
	uint32_t beg, end, n;
	uint8_t *r, t[PC_REC_CB];
	bool moved = false;

	if (!alloc_of(h, hid, &beg, &end) || end - beg < 2 * PC_REC_CB)
		return;
	n = (end - beg) / PC_REC_CB;
	r = malloc((size_t)n * PC_REC_CB);
	if (!r)
		return;
	memcpy(r, h->d + beg, (size_t)n * PC_REC_CB);
	for (uint32_t i = 1; i < n; i++) {
		uint32_t j = i;

		memcpy(t, r + PC_REC_CB * i, PC_REC_CB);
		while (j > 0 && pf_le16(r + PC_REC_CB * (j - 1)) >
				pf_le16(t)) {
			memcpy(r + PC_REC_CB * j, r + PC_REC_CB * (j - 1),
			       PC_REC_CB);
			j--;
			moved = true;
		}
		memcpy(r + PC_REC_CB * j, t, PC_REC_CB);
	}
	for (uint32_t i = 1; moved && i < n; i++)
		if (pf_le16(r + PC_REC_CB * i) ==
		    pf_le16(r + PC_REC_CB * (i - 1)))
			moved = false;
	if (moved) {
		memcpy(h->d + beg, r, (size_t)n * PC_REC_CB);
		say(why, cbwhy, "records sorted by property ID");
	}
	free(r);
}

/* The BTHHEADER's fields a PC fixes (2.3.2.1, 2.3.3.3). */
static void fix_header(struct heap0 *h, uint8_t *p, char *why,
		       size_t cbwhy)
{
	char line[96];
	uint32_t n;

	if (p[0] != PF_BTYPE_BTH || p[1] != 2 || p[2] != 6) {
		snprintf(line, sizeof(line), "BTHHEADER bType 0x%x cbKey %u "
			 "cbEnt %u set to 0xb5 2 6", p[0], p[1], p[2]);
		say(why, cbwhy, line);
		p[0] = PF_BTYPE_BTH;
		p[1] = 2;
		p[2] = 6;
	}
	if (p[3] > PF_BTH_MAX_LEVELS && pf_le32(p + 4) != 0 &&
	    leaf_records(h, pf_le32(p + 4), &n)) {
		snprintf(line, sizeof(line), "bIdxLevels %u set to 0 (hidRoot "
			 "holds %u leaf records)", p[3], n);
		say(why, cbwhy, line);
		p[3] = 0;
	}
}

/* Block 0 (D, CB) with its HNPAGEMAP in bounds (2.3.1.5). */
static bool heap0_init(struct heap0 *h, uint8_t *d, size_t cb, bool wide)
{
	*h = (struct heap0){ .d = d, .cb = cb, .wide = wide };
	if (cb < 12)
		return false;
	h->hnpm = pf_le16(d);
	if (h->hnpm + 4 > cb)
		return false;
	h->nalloc = pf_le16(d + h->hnpm);
	return h->nalloc <= PF_HN_MAX_ALLOC &&
	       h->hnpm + 4 + 2 * ((size_t)h->nalloc + 1) <= cb;
}

uint8_t *rmsg_heap0_alloc(uint8_t *d, size_t cb, bool wide, uint32_t hid,
			  uint32_t *len)
{
	struct heap0 h;
	uint32_t beg, end;

	if (!heap0_init(&h, d, cb, wide) || !alloc_of(&h, hid, &beg, &end))
		return NULL;
	*len = end - beg;
	return d + beg;
}

void rmsg_pc_bth_fix(uint8_t *d, size_t cb, bool wide, char *why,
		     size_t cbwhy)
{
	struct heap0 h;
	uint32_t beg, end;
	uint8_t *p;

	if (!heap0_init(&h, d, cb, wide) || d[3] != PF_BTYPE_PC)
		return;
	if (!fix_user_root(&h, why, cbwhy) ||
	    !alloc_of(&h, pf_le32(d + 4), &beg, &end) ||
	    end - beg < BTHHEADER_CB)
		return;
	p = d + beg;
	fix_header(&h, p, why, cbwhy);
	if (p[3] == 0 && pf_le32(p + 4) != 0)
		sort_records(&h, pf_le32(p + 4), why, cbwhy);
}
