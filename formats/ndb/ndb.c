/*
 * ndb.c - the open file: header, layout, bounded reads, a small page cache.
 *
 * Contract: pf_ndb_open() opens read-only and decodes the header; it never
 * reads past the file.  pf_ndb_pread() refuses ranges past EOF with
 * PF_E_CORRUPT so no caller can trip over a short read.  The page cache
 * holds raw pages keyed by offset (direct mapped); it caches bytes, not
 * verdicts, so a damaged page is re-judged by every caller.  The window
 * (pf_ndb_window) serves a caller that goes through the file in order
 * from one buffer refilled by reads of PF_WINDOW_CB bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ndb_internal.h"

bool pf_layout_for(struct pf_layout *l, enum pf_variant v)
{
	memset(l, 0, sizeof(*l));
	switch (v) {
	case PF_ANSI:      /* MS-PST 2.2.2.7.1, 2.2.2.7.7, 2.2.2.8.1 */
		l->page_size = 512;
		l->page_trailer = 12;
		l->bt_entries = 496;
		l->bid_size = 4;
		l->block_trailer = 12;
		l->block_align = 64;
		l->block_max = 8192;
		l->nbt_leaf_cb = 16;
		l->bbt_leaf_cb = 12;
		l->branch_cb = 12;
		l->amap_unit = 64;
		break;
	case PF_UNICODE:
		l->page_size = 512;
		l->page_trailer = 16;
		l->bt_entries = 488;
		l->bid_size = 8;
		l->block_trailer = 16;
		l->block_align = 64;
		l->block_max = 8192;
		l->nbt_leaf_cb = 32;
		l->bbt_leaf_cb = 24;
		l->branch_cb = 24;
		l->amap_unit = 64;
		break;
	case PF_UNICODE4K: /* libyal PFF format, "64-bit with 4k pages" */
		l->page_size = 4096;
		l->page_trailer = 24;
		l->bt_entries = 4056;
		l->bid_size = 8;
		l->block_trailer = 24;
		l->block_align = 512;
		l->block_max = 65536;
		l->nbt_leaf_cb = 32;
		l->bbt_leaf_cb = 24;
		l->branch_cb = 24;
		l->amap_unit = 512;
		break;
	default:
		return false;
	}
	/* MS-PST 2.2.2.7.2 / 2.2.2.7.4; 4K files put both 8 times further
	 * (libyal PFF: AMap 0x22000, DList 0x21000) */
	l->amap_first = l->page_size == 4096 ? 0x22000 : 0x4400;
	l->dlist_ib = l->page_size == 4096 ? 0x21000 : 0x4200;
	/* MS-PST 2.2.2.7.2.1: 496 bytes of bits (ANSI after 4 bytes of
	 * dwPadding); 4K pages carry 4072 */
	l->amap_bits_ib = v == PF_ANSI ? 4 : 0;
	l->amap_bits_cb = l->page_size == 4096 ? 4072 : 496;
	l->amap_span = l->amap_bits_cb * 8 * l->amap_unit;
	return true;
}

static int read_header(struct pf_ndb *ndb)
{
	uint8_t buf[PF_HEADER_CB];
	size_t n = ndb->size < sizeof(buf) ? (size_t)ndb->size : sizeof(buf);
	ssize_t got = pread(ndb->fd, buf, n, 0);

	if (got < 0)
		return pf_error_set(PF_E_IO, "%s: read: %s", ndb->path,
				    strerror(errno));
	return pf_header_decode(&ndb->header, buf, (size_t)got);
}

/* wVer 37 (see header.c): the NBT root page's trailer says which page
 * size the file has -- ptype and ptypeRepeat 0x81 at 4072 for 4 KiB pages,
 * at 496 for 512-byte ones. */
static void probe_wver37(struct pf_ndb *ndb)
{
	uint8_t t[2];
	uint64_t ib = ndb->header.root.nbt.ib;

	if (ndb->header.ver != 37 || ib > ndb->size || ndb->size - ib < 4096)
		return;
	if (pread(ndb->fd, t, 2, (off_t)(ib + 4072)) == 2 &&
	    t[0] == PF_PTYPE_NBT && t[1] == PF_PTYPE_NBT)
		ndb->header.variant = PF_UNICODE4K;
}

/* A header that does not decode, under a layout the caller found by
 * probing (pf_ndb_probe): zero fields, the variant and crypt given. */
static int assume_header(struct pf_ndb *ndb, const struct pf_ndb_opts *o,
			 int rc)
{
	if (!o || o->variant == 0 || rc != PF_E_NOTPST)
		return rc;
	memset(&ndb->header, 0, sizeof(ndb->header));
	ndb->header.variant = o->variant;
	ndb->header.crypt_method = (uint8_t)o->crypt;
	ndb->header.ver = o->variant == PF_ANSI ? 14 :
			  o->variant == PF_UNICODE ? 23 : 36;
	return 0;
}

int pf_ndb_open_ex(struct pf_ndb **out, const char *path,
		   const struct pf_ndb_opts *opts)
{
	struct pf_ndb *ndb;
	struct stat st;
	int rc;

	*out = NULL;
	ndb = calloc(1, sizeof(*ndb));
	if (!ndb)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	ndb->fd = -1;
	ndb->path = strdup(path);
	if (!ndb->path) {
		rc = pf_error_set(PF_E_NOMEM, "out of memory");
		goto fail;
	}
	ndb->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ndb->fd < 0) {
		rc = pf_error_set(PF_E_IO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(ndb->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = pf_error_set(PF_E_IO, "%s: not a regular file", path);
		goto fail;
	}
	ndb->size = (uint64_t)st.st_size;
	rc = read_header(ndb);
	ndb->header_ok = rc == 0;
	rc = assume_header(ndb, opts, rc);
	if (rc != 0)
		goto fail;
	probe_wver37(ndb);
	if (opts && opts->variant != 0)
		ndb->header.variant = opts->variant;
	pf_layout_for(&ndb->layout, ndb->header.variant);
	ndb->cache = calloc(PF_PAGE_CACHE_SLOTS, sizeof(*ndb->cache));
	ndb->cache_data = malloc((size_t)PF_PAGE_CACHE_SLOTS *
				 ndb->layout.page_size);
	if (!ndb->cache || !ndb->cache_data) {
		rc = pf_error_set(PF_E_NOMEM, "out of memory");
		goto fail;
	}
	*out = ndb;
	return 0;
fail:
	pf_ndb_close(ndb);
	return rc;
}

void pf_ndb_map(struct pf_ndb *ndb)
{
	ndb->mapped = true;
}

static void unmap(struct pf_ndb *ndb)
{
	if (ndb->map)
		munmap(ndb->map, ndb->map_len);
	ndb->map = NULL;
	ndb->map_len = 0;
}

/* The window as a mapping of PF_MAP_CB bytes from the page holding IB:
 * the page cache's pages, not a copy.  A bounded mapping, slid along,
 * keeps the resident set small (a whole-file mapping counts every page
 * it touched).  False when the kernel will not map it: read instead. */
static bool map_window(struct pf_ndb *ndb, uint64_t ib, size_t n,
		       const uint8_t **out)
{
	long pg;
	uint64_t page, base;
	size_t len;
	void *p;

	/* once per block: the mapping in place, before anything else */
	if (ndb->map && ib >= ndb->map_ib &&
	    ib - ndb->map_ib + n <= ndb->map_len) {
		*out = ndb->map + (ib - ndb->map_ib);
		return true;
	}
	pg = sysconf(_SC_PAGESIZE);
	page = pg > 0 ? (uint64_t)pg : 4096;
	base = ib / page * page;
	len = ndb->size - base < PF_MAP_CB ? (size_t)(ndb->size - base) :
					     PF_MAP_CB;
	unmap(ndb);
	if (ib - base + n > len)
		return false;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, ndb->fd, (off_t)base);
	if (p == MAP_FAILED) {
		ndb->mapped = false;   /* for good: the reads do as well */
		return false;
	}
	ndb->map = p;
	ndb->map_ib = base;
	ndb->map_len = len;
	*out = ndb->map + (ib - base);
	return true;
}

int pf_ndb_open(struct pf_ndb **out, const char *path)
{
	return pf_ndb_open_ex(out, path, NULL);
}

bool pf_ndb_header_ok(const struct pf_ndb *ndb)
{
	return ndb->header_ok;
}

void pf_ndb_close(struct pf_ndb *ndb)
{
	if (!ndb)
		return;
	if (ndb->fd >= 0)
		close(ndb->fd);
	free(ndb->cache);
	free(ndb->cache_data);
	free(ndb->win);
	unmap(ndb);
	free(ndb->path);
	free(ndb);
}

const struct pf_header *pf_ndb_header(const struct pf_ndb *ndb)
{
	return &ndb->header;
}

const struct pf_layout *pf_ndb_layout(const struct pf_ndb *ndb)
{
	return &ndb->layout;
}

uint64_t pf_ndb_file_size(const struct pf_ndb *ndb)
{
	return ndb->size;
}

const char *pf_ndb_path(const struct pf_ndb *ndb)
{
	return ndb->path;
}

int pf_ndb_pread(struct pf_ndb *ndb, uint64_t ib, void *buf, size_t n)
{
	uint8_t *p = buf;

	if (ib > ndb->size || n > ndb->size - ib)
		return pf_error_set(PF_E_CORRUPT,
				    "read of %zu bytes at 0x%llx is past the end "
				    "of the file (0x%llx)", n,
				    (unsigned long long)ib,
				    (unsigned long long)ndb->size);
	while (n > 0) {
		ssize_t got = pread(ndb->fd, p, n, (off_t)ib);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return pf_error_set(PF_E_IO, "%s: read at 0x%llx: %s",
					    ndb->path, (unsigned long long)ib,
					    got < 0 ? strerror(errno) :
						      "unexpected end of file");
		p += got;
		n -= (size_t)got;
		ib += (uint64_t)got;
	}
	return 0;
}

int pf_page_read(struct pf_ndb *ndb, uint64_t ib, uint8_t *buf)
{
	uint32_t ps = ndb->layout.page_size;
	size_t slot = (size_t)((ib / ps) % PF_PAGE_CACHE_SLOTS);
	uint8_t *cached = ndb->cache_data + slot * ps;
	int rc;

	if (ndb->cache[slot].valid && ndb->cache[slot].ib == ib) {
		memcpy(buf, cached, ps);
		return 0;
	}
	rc = pf_ndb_pread(ndb, ib, buf, ps);
	if (rc != 0)
		return rc;
	memcpy(cached, buf, ps);
	ndb->cache[slot].ib = ib;
	ndb->cache[slot].valid = true;
	return 0;
}

/* A sweep in file order costs one pread per MiB instead of one per block
 * (a third of the checker's system time on a 3 GB file went to the
 * per-call overhead), and the bytes are checked while they are in the
 * cache the read left them in.  A long read that fails (a bad sector
 * further on) is retried as the exact range, so the caller sees the
 * error pf_ndb_pread() would give for its own bytes and no other. */
int pf_ndb_window(struct pf_ndb *ndb, uint64_t ib, size_t n,
		  const uint8_t **out)
{
	size_t len;
	int rc;

	*out = NULL;
	if (ib > ndb->size || n > ndb->size - ib)
		return pf_ndb_pread(ndb, ib, NULL, n);   /* range check only */
	if (n > PF_WINDOW_CB)
		return pf_error_set(PF_E_LIMIT, "window read of %zu bytes",
				    n);
	if (ndb->mapped && map_window(ndb, ib, n, out))
		return 0;
	if (ndb->win && ib >= ndb->win_ib &&
	    ib - ndb->win_ib + n <= ndb->win_len) {
		*out = ndb->win + (ib - ndb->win_ib);
		return 0;
	}
	if (!ndb->win) {
		ndb->win = malloc(PF_WINDOW_CB);
		if (!ndb->win)
			return pf_error_set(PF_E_NOMEM, "out of memory");
	}
	len = ndb->size - ib < PF_WINDOW_CB ? (size_t)(ndb->size - ib) :
					      PF_WINDOW_CB;
	ndb->win_len = 0;
	rc = pf_ndb_pread(ndb, ib, ndb->win, len);
	if (rc != 0) {
		len = n;
		rc = pf_ndb_pread(ndb, ib, ndb->win, len);
	}
	if (rc != 0)
		return rc;
	ndb->win_ib = ib;
	ndb->win_len = len;
	*out = ndb->win;
	return 0;
}
