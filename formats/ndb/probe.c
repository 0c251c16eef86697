/*
 * probe.c - the layout and encoding of a file whose header is unreadable
 * (first bytes zeroed, magic or wVer gone), for repair.
 *
 * Contract
 * - pf_ndb_probe(): each variant puts its first AMap page at a fixed
 *   offset (0x4400 in 512-byte-page files, 0x22000 in 4K files) and an
 *   AMap page names its own offset as BID (MS-PST 2.2.2.7.1), in a
 *   trailer whose layout differs between ANSI (BID before the CRC) and
 *   Unicode: so one valid AMap page among the first few ranges tells the
 *   variant.  Failing that, the variant under which most B-tree pages of
 *   the first PROBE_SPAN bytes validate (at least one) wins.
 * - The encoding: bCryptMethod when bSentinel (0x80) still sits before it,
 *   else pf_probe_crypt() decodes external blocks the scavenger found
 *   with each method and counts heap-on-node headers (bSig 0xEC, MS-PST
 *   2.3.1.2) - most node data is a heap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pf_scavenge.h"

#define PROBE_RANGES 8
#define PROBE_SPAN (4u << 20)

static bool read_at(int fd, uint64_t ib, uint8_t *buf, size_t n)
{
	return pread(fd, buf, n, (off_t)ib) == (ssize_t)n;
}

static bool amap_fits(int fd, uint64_t size, enum pf_variant v)
{
	struct pf_layout l;
	uint8_t page[4096], ptype;

	pf_layout_for(&l, v);
	for (uint64_t k = 0; k < PROBE_RANGES; k++) {
		uint64_t ib = l.amap_first + k * l.amap_span;

		if (ib + l.page_size > size)
			break;
		if (read_at(fd, ib, page, l.page_size) &&
		    pf_page_self_valid(&l, page, ib, &ptype) &&
		    ptype == PF_PTYPE_AMAP)
			return true;
	}
	return false;
}

static uint32_t bt_pages(int fd, uint64_t size, enum pf_variant v)
{
	struct pf_layout l;
	uint8_t page[4096], ptype;
	uint32_t n = 0;

	pf_layout_for(&l, v);
	for (uint64_t ib = l.amap_first; ib + l.page_size <= size &&
	     ib < l.amap_first + PROBE_SPAN; ib += l.page_size)
		if (read_at(fd, ib, page, l.page_size) &&
		    pf_page_self_valid(&l, page, ib, &ptype) &&
		    (ptype == PF_PTYPE_NBT || ptype == PF_PTYPE_BBT))
			n++;
	return n;
}

/* bCryptMethod right after bSentinel (MS-PST 2.2.2.6). */
static int header_crypt(int fd, enum pf_variant v)
{
	uint8_t b[2];
	uint32_t at = v == PF_ANSI ? 460 : 512;

	if (!read_at(fd, at, b, 2) || b[0] != 0x80 || b[1] > PF_CRYPT_CYCLIC)
		return -1;
	return b[1];
}

static const enum pf_variant all[] = { PF_UNICODE, PF_ANSI, PF_UNICODE4K };

int pf_ndb_probe(const char *path, enum pf_variant *variant, int *crypt)
{
	struct stat st;
	uint32_t best = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*variant = 0;
	*crypt = -1;
	if (fd < 0)
		return pf_error_set(PF_E_IO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		close(fd);
		return pf_error_set(PF_E_IO, "%s: %s", path, strerror(errno));
	}
	for (unsigned i = 0; i < 3 && !*variant; i++)
		if (amap_fits(fd, (uint64_t)st.st_size, all[i]))
			*variant = all[i];
	for (unsigned i = 0; i < 3 && !*variant; i++) {
		uint32_t n = bt_pages(fd, (uint64_t)st.st_size, all[i]);

		if (n > best) {
			best = n;
			*variant = all[i];
		}
	}
	if (*variant)
		*crypt = header_crypt(fd, *variant);
	close(fd);
	if (!*variant)
		return pf_error_set(PF_E_NOTPST, "%s: no AMap or B-tree page "
				    "validates under any PST layout", path);
	return 0;
}

/* HN header bytes 2-3 (MS-PST 2.3.1.2): bSig 0xEC, bClientSig one of the
 * table, PC, BTH... types; after the right decode many blocks start so. */
static bool looks_like_hn(const uint8_t *p, size_t cb)
{
	static const uint8_t sigs[] = { 0x6C, 0x7C, 0x8C, 0x9C, 0xA5, 0xAC,
					0xB5, 0xBC, 0xCC };

	if (cb < 12 || p[2] != 0xEC)
		return false;
	return memchr(sigs, p[3], sizeof(sigs)) != NULL;
}

#define CRYPT_SAMPLE 64

int pf_probe_crypt(struct pf_ndb *ndb, const struct pf_scavenge *s,
		   enum pf_crypt *out)
{
	uint32_t hits[3] = { 0, 0, 0 }, tried = 0;
	uint8_t tmp[12];

	*out = PF_CRYPT_NONE;
	for (size_t i = 0; i < s->nblocks && tried < CRYPT_SAMPLE; i++) {
		const struct pf_scav_block *b = &s->blocks[i];
		struct pf_bbt_entry e = {
			.bref = { b->bid, b->ib }, .cb = b->cb,
			.cb_inflated = b->cb_inflated,
		};
		uint8_t *data;
		size_t cb;
		int rc;

		if ((b->bid & PF_BID_INTERNAL) || b->cb_inflated < 12)
			continue;
		/* stored bytes, inflated (4K) but not decoded */
		rc = pf_block_read_ex(ndb, &e, NULL, PF_BLOCK_RAW, &data, &cb);
		if (rc == PF_E_NOMEM || rc == PF_E_IO)
			return rc;
		if (rc != 0 || cb < 12) {
			free(data);
			continue;
		}
		tried++;
		for (int m = 0; m <= PF_CRYPT_CYCLIC; m++) {
			memcpy(tmp, data, 12);
			/* a prefix decodes as the block's first bytes */
			pf_decode((enum pf_crypt)m, b->bid, tmp, 12);
			if (looks_like_hn(tmp, cb))
				hits[m]++;
		}
		free(data);
	}
	for (int m = 1; m <= PF_CRYPT_CYCLIC; m++)
		if (hits[m] > hits[*out])
			*out = (enum pf_crypt)m;
	return 0;
}
