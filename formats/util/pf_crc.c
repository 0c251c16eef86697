/*
 * pf_crc.c - MS-PST 5.3 CRC on top of zlib's crc32.
 */
#include <zlib.h>

#include "pf_crc.h"

uint32_t pf_crc(const uint8_t *buf, size_t len)
{
	uLong crc = 0xFFFFFFFFul;

	/* zlib takes uInt lengths; feed it in slices so a huge buffer is safe */
	while (len > 0) {
		uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;

		crc = crc32(crc, buf, n);
		buf += n;
		len -= n;
	}
	return (uint32_t)(crc ^ 0xFFFFFFFFul);
}
