/*
 * ndbw_file.c - the writer's life: open a temporary file beside PATH,
 * commit (trees, maps, header, fsync, rename, fsync the directory) or
 * abort (unlink).
 *
 * Contract
 * - Nothing exists at PATH until pf_writer_commit() has written and
 *   fsynced every byte: the file is built under PATH.tmp-XXXXXX (mkstemp,
 *   same directory, so rename(2) is atomic) and renamed over PATH last.
 * - A commit that fails removes the temporary file and frees the writer,
 *   as pf_writer_abort() does.  The file is created 0600 (mail is private);
 *   callers that want another mode chmod PATH after the commit.
 * - The first error is kept: every later call returns it (ndbw_check).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ndbw_int.h"

int ndbw_fail(struct pf_writer *w, int rc)
{
	if (w->err == 0 && rc != 0) {
		w->err = rc;
		snprintf(w->errmsg, sizeof(w->errmsg), "%s", pf_error_msg());
	}
	return rc;
}

int ndbw_check(struct pf_writer *w)
{
	if (!w)
		return pf_error_set(PF_E_USAGE, "no writer");
	if (w->err == 0)
		return 0;
	return pf_error_set(w->err, "%s", w->errmsg);
}

const struct pf_layout *pf_writer_layout(const struct pf_writer *w)
{
	return &w->l;
}

size_t pf_writer_block_data_max(const struct pf_writer *w)
{
	return ndbw_data_max(w);
}

static void writer_free(struct pf_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w->path);
	free(w->tmp_path);
	free(w->buf);
	free(w->amap);
	free(w->blocks);
	free(w->kids);
	free(w->nodes);
	pf_set_free(&w->nids);
	free(w->scratch);
	free(w->ibuf);
	free(w->zbuf);
	free(w);
}

void pf_writer_abort(struct pf_writer *w)
{
	if (!w)
		return;
	if (w->tmp_path)
		unlink(w->tmp_path);
	writer_free(w);
}

/* MS-PST 2.2.2.6 rgnid: starting nidIndex per NID type. */
static void init_counters(struct pf_writer *w, uint32_t unique_seed)
{
	for (unsigned t = 0; t < 32; t++)
		w->rgnid[t] = 0x400;
	w->rgnid[PF_NT_SEARCH_FOLDER] = 0x4000;
	w->rgnid[PF_NT_NORMAL_MESSAGE] = 0x10000;
	w->rgnid[PF_NT_ASSOC_MESSAGE] = 0x8000;
	/* MS-PST 2.2.2.2: BIDs step by 4; bit 0 reserved, bit 1 internal.
	 * Pages take theirs from the separate bidNextP counter. */
	w->bid_next_b = 4;
	w->bid_next_p = 4;
	w->unique = unique_seed;
}

static int check_opts(const struct pf_write_opts *o, enum pf_variant *v)
{
	*v = o->variant == 0 ? PF_UNICODE : o->variant;
	if (*v != PF_ANSI && *v != PF_UNICODE && *v != PF_UNICODE4K)
		return pf_error_set(PF_E_USAGE, "writer: unknown variant %d",
				    (int)o->variant);
	if (o->crypt != PF_CRYPT_NONE && o->crypt != PF_CRYPT_PERMUTE &&
	    o->crypt != PF_CRYPT_CYCLIC)
		return pf_error_set(PF_E_USAGE, "writer: bCryptMethod 0x%x "
				    "cannot be written", (unsigned)o->crypt);
	return 0;
}

static int make_temp(struct pf_writer *w, const char *path)
{
	size_t n = strlen(path);

	w->path = strdup(path);
	w->tmp_path = malloc(n + sizeof(".tmp-XXXXXX"));
	if (!w->path || !w->tmp_path)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	memcpy(w->tmp_path, path, n);
	memcpy(w->tmp_path + n, ".tmp-XXXXXX", sizeof(".tmp-XXXXXX"));
	w->fd = mkostemp(w->tmp_path, O_CLOEXEC);
	if (w->fd < 0) {
		int e = errno;

		free(w->tmp_path);
		w->tmp_path = NULL;
		return pf_error_set(PF_E_IO, "%s: cannot create a temporary "
				    "file beside it: %s", path, strerror(e));
	}
	return 0;
}

static int alloc_buffers(struct pf_writer *w)
{
	w->buf = malloc(NDBW_BUF_CAP);
	w->scratch = malloc(w->l.block_max);
	w->ibuf = malloc(w->l.block_max);
	if (!w->buf || !w->scratch || !w->ibuf)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	return 0;
}

int ndbw_new(struct pf_writer **out, const char *path,
	     const struct pf_write_opts *opts)
{
	static const struct pf_write_opts defaults;
	struct pf_writer *w;
	enum pf_variant v;
	int rc;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (!path || !*path)
		return pf_error_set(PF_E_USAGE, "writer: no path");
	rc = check_opts(opts, &v);
	if (rc != 0)
		return rc;
	w = calloc(1, sizeof(*w));
	if (!w)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	w->fd = -1;
	w->variant = v;
	w->crypt = opts->crypt;
	w->ost = opts->ost;
	pf_layout_for(&w->l, v);
	/* ANSI offsets and BIDs are 32 bits; Outlook caps ANSI files near
	 * 2 GB (MS-PST 2.2.1.2), and so do we */
	w->max_eof = v == PF_ANSI ? 0x80000000ull : UINT64_MAX / 2;
	w->cursor = w->l.amap_first;
	init_counters(w, opts->unique_seed);
	rc = alloc_buffers(w);
	if (rc == 0)
		rc = make_temp(w, path);
	if (rc != 0) {
		pf_writer_abort(w);
		return rc;
	}
	*out = w;
	return 0;
}

int pf_writer_open(struct pf_writer **out, const char *path,
		   const struct pf_write_opts *opts)
{
	return ndbw_new(out, path, opts);
}

/* fsync the directory holding PATH so the rename is durable. */
static int sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc = 0;

	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		rc = pf_error_set(PF_E_IO, "%s: cannot sync the directory: %s",
				  dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

/* Size the file, fsync it, rename it over PATH, fsync the directory. */
static int finish_file(struct pf_writer *w)
{
	if (ftruncate(w->fd, (off_t)ndbw_file_eof(w)) != 0)
		return pf_error_set(PF_E_IO, "%s: truncate: %s", w->tmp_path,
				    strerror(errno));
	if (fsync(w->fd) != 0)
		return pf_error_set(PF_E_IO, "%s: fsync: %s", w->tmp_path,
				    strerror(errno));
	if (close(w->fd) != 0) {
		w->fd = -1;
		return pf_error_set(PF_E_IO, "%s: close: %s", w->tmp_path,
				    strerror(errno));
	}
	w->fd = -1;
	if (rename(w->tmp_path, w->path) != 0)
		return pf_error_set(PF_E_IO, "cannot rename %s to %s: %s",
				    w->tmp_path, w->path, strerror(errno));
	free(w->tmp_path);
	w->tmp_path = NULL;    /* PATH is the file now: nothing to unlink */
	return sync_dir(w->path);
}

int pf_writer_commit(struct pf_writer *w)
{
	int rc = ndbw_check(w);

	if (!w)
		return rc;
	w->committing = true;
	/* over mode may keep the old trees: then only maps and header */
	if (rc == 0 && !w->keep_trees)
		rc = ndbw_refcount(w);
	if (rc == 0 && !w->keep_trees)
		rc = ndbw_write_trees(w);
	if (rc == 0)
		rc = ndbw_ensure_range(w, 0);
	if (rc == 0)
		rc = ndbw_flush(w);
	if (rc == 0)
		rc = ndbw_write_maps(w);
	if (rc == 0)
		rc = ndbw_write_header(w);
	if (rc == 0)
		rc = finish_file(w);
	pf_writer_abort(w);    /* unlinks the temporary file if still there */
	return rc;
}
