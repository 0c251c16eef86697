/*
 * pf_crcmemo.h - the blocks whose CRC one pass has already proved, so a
 * later pass over the same bytes does not compute it again.
 *
 * Why: `pstfix repair` reads the file four times (the first scan, the
 * trailer scan, a rescan after each stage) and the CRC of every block is
 * most of each pass's CPU.  The stages copy every kept block to its own
 * offset unchanged; once the first scan has computed a block's CRC, the
 * same trailer at the same offset holds the same data.
 *
 * Contract
 * - A memo is filled by one pf_ndb handle (pf_ndb_crc_memo(ndb, m,
 *   PF_MEMO_FILL)): every block trailer whose dwCRC the reader computed
 *   and found equal is noted, keyed by (ib, cb, BID, dwCRC) -- the
 *   trailer exactly as stored, so a block written again, moved, or
 *   given a new trailer is never taken for one noted.
 * - pf_crc_memo_seal() sorts it; from then on it only answers.  A handle
 *   given it with PF_MEMO_TRUST takes a trailer the memo holds as
 *   verified, without reading the CRC over the data.
 * - Trusting is right only for bytes that are those the memo was filled
 *   from: the same file, or a copy of it in which whatever was written
 *   again overlaps no block still referenced (the checker's claims
 *   report an overlap whatever the CRC says).  The caller vouches.
 * - Filling is best effort: out of memory, the memo stops growing (what
 *   it holds stays true; nomem says a note was lost).
 * Memory: 16 bytes per block noted.
 */
#ifndef PF_CRCMEMO_H
#define PF_CRCMEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pf_crc_memo_ent {
	uint64_t ib;
	uint32_t crc;           /* dwCRC as stored in the trailer */
	uint16_t cb;
	uint16_t bid16;         /* the BID's low 16 bits, bit 0 cleared */
};

struct pf_crc_memo {
	struct pf_crc_memo_ent *v;
	size_t n, cap;
	bool sealed;
	bool nomem;             /* a note was lost: the memo is partial */
};

enum pf_memo_mode { PF_MEMO_OFF, PF_MEMO_FILL, PF_MEMO_TRUST };

void pf_crc_memo_note(struct pf_crc_memo *m, uint64_t ib, uint16_t cb,
		      uint64_t bid, uint32_t crc);
void pf_crc_memo_seal(struct pf_crc_memo *m);
bool pf_crc_memo_holds(const struct pf_crc_memo *m, uint64_t ib,
		       uint16_t cb, uint64_t bid, uint32_t crc);
void pf_crc_memo_free(struct pf_crc_memo *m);

#endif
