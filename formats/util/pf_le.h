/*
 * pf_le.h - little-endian loads from byte buffers.
 *
 * Contract: every multi-byte integer in a PST is little-endian (MS-PST 2.1).
 * These helpers never read past the pointer plus the width they name; the
 * caller bounds the offset.  They compile to single loads on x86.
 */
#ifndef PF_LE_H
#define PF_LE_H

#include <stdint.h>
#include <string.h>

static inline uint16_t pf_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t pf_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t pf_le64(const uint8_t *p)
{
	return (uint64_t)pf_le32(p) | ((uint64_t)pf_le32(p + 4) << 32);
}

static inline void pf_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void pf_put32(uint8_t *p, uint32_t v)
{
	pf_put16(p, (uint16_t)v);
	pf_put16(p + 2, (uint16_t)(v >> 16));
}

static inline void pf_put64(uint8_t *p, uint64_t v)
{
	pf_put32(p, (uint32_t)v);
	pf_put32(p + 4, (uint32_t)(v >> 32));
}

#endif
