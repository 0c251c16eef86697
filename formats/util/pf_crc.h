/*
 * pf_crc.h - the PST checksum and signature.
 *
 * MS-PST 5.3: the CRC is the reflected CRC-32 (zlib's table) seeded with 0
 * and not inverted at the end; with zlib that is
 * crc32(0xFFFFFFFF, buf, len) ^ 0xFFFFFFFF.  An all-zero buffer has CRC 0,
 * so a CRC match alone never proves a page is real.
 * MS-PST 5.5: the signature mixes the offset with the stored BID.
 */
#ifndef PF_CRC_H
#define PF_CRC_H

#include <stddef.h>
#include <stdint.h>

uint32_t pf_crc(const uint8_t *buf, size_t len);

static inline uint16_t pf_sig(uint64_t ib, uint64_t bid)
{
	ib ^= bid;
	return (uint16_t)((uint16_t)(ib >> 16) ^ (uint16_t)ib);
}

#endif
