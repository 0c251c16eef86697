/*
 * fuzz_repair_msg_crc.c - fuzz_repair_msg.c in checksum-fixing mode (fixcrc.h): the
 * header CRCs and every page and block trailer's wSig and dwCRC are
 * recomputed before the file is parsed, so mutations get past the
 * checksums to the structural checks.
 */
#define FZ_FIXCRC 1
#include "fuzz_repair_msg.c"
