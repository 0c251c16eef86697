/*
 * fixcrc.h - the checksum-fixing mode shared by the PST-level harnesses.
 *
 * A mutated PST almost never keeps its CRCs and signatures right, so the
 * parsers stop at the first trailer check and never see the structure the
 * mutation changed.  These helpers recompute, in a copy of the input, the
 * checksums only (MS-PST 5.3 dwCRC, 5.5 wSig, 2.2.2.6 dwCRCPartial and
 * dwCRCFull): every structural field (ptype, BID, cb, cEnt, ...) is left
 * as the fuzzer wrote it, so it reaches the structural checks.
 *
 * Not a harness: the Makefile links this file into every tests/fuzz/fuzz_*
 * binary (its name does not match the fuzz_*.c harness wildcard).
 */
#ifndef FIXCRC_H
#define FIXCRC_H

#include <stddef.h>
#include <stdint.h>

#include "../../formats/ndb/pf_ndb.h"

/* wSig (0 for map pages) and dwCRC of the page at IB, from its own
 * trailer's ptype and BID. */
void fz_fix_page(const struct pf_layout *l, uint8_t *page, uint64_t ib);

/* wSig and dwCRC of the block at IB (RAW is its on-disk extent,
 * pf_block_size(l, cb) bytes) holding CB bytes of data. */
void fz_fix_block(const struct pf_layout *l, uint8_t *raw, uint32_t cb,
		  uint64_t ib);

/* The header CRCs, then every page whose trailer has ptype == ptypeRepeat
 * in 0x80..0x86, then every block the BBT (walked from the header's ROOT,
 * bounded) names, of the whole-file image BUF of SIZE bytes, in place.
 * A buffer that is not a PST at all is left alone. */
void fz_fix_file(uint8_t *buf, size_t size);

/* fz_fix_file() on a malloc'd copy of DATA; NULL when out of memory (the
 * harness then skips the input).  Size 0 gives a 1-byte buffer. */
uint8_t *fz_fixed_copy(const uint8_t *data, size_t size);

/* A memfd holding DATA (checksum-fixed first when FIX), its
 * /proc/self/fd path in PATH (N bytes); the fd, or -1.  Whole-file
 * harnesses read it through the same pread path as a real file. */
int fz_memfd(const uint8_t *data, size_t size, int fix, char *path,
	     size_t n);

/* Whole-file harnesses built twice: fuzz_X.c raw, fuzz_X_crc.c defines
 * FZ_FIXCRC 1 and includes fuzz_X.c. */
#ifndef FZ_FIXCRC
#define FZ_FIXCRC 0
#endif

#endif
