/*
 * fuzz_scan_crc.c - fuzz_scan.c in checksum-fixing mode (fixcrc.h): the
 * header CRCs and every page and block trailer's wSig and dwCRC are
 * recomputed before the file is parsed, so mutations get past the
 * checksums to the structural checks.
 */
#define FZ_FIXCRC 1
#include "fuzz_scan.c"
