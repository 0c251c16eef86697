/*
 * export_sink.c - where one folder's items go: a directory of files
 * (EML, .vcf, .ics), one mbox file (RFC 4155, mboxrd quoting), or a
 * Maildir (cur/new/tmp).
 *
 * Durability (pstfix never leaves a partial file under a final name):
 * - files are written as DIR/.pstfix-tmp-NAME (Maildir: DIR/tmp/NAME) and
 *   renamed in batches of PF_SINK_BATCH: with opts.fsync one syncfs(2)
 *   makes the batch durable before its renames, then the directory is
 *   fsync'd -- the cost of one flush per batch, not one per message;
 * - the mbox is one temporary file, fsync'd and renamed when the folder
 *   is done.
 * Line ends: EML, vCard and iCalendar files keep CRLF (RFC 5322, 6350,
 * 5545); mbox and Maildir are local mail stores and use LF, as mutt,
 * Dovecot and Thunderbird write them.
 * mboxrd (RFC 4155 and its quoting variant): a line of the message that
 * matches ">*From " gets one more '>' in front, so readers that unquote
 * get the message back exactly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../formats/util/pf_grow.h"
#include "../../formats/util/pf_io.h"
#include "export.h"

#define PF_SINK_BATCH 256
#define TMP_PREFIX ".pstfix-tmp-"

struct pending {
	char *tmp, *final;
};

struct pf_export_sink {
	const struct pf_export_opts *o;
	char *dir;
	int dirfd;
	struct pending *pend;
	size_t npend, cap;
	FILE *mbox;
	char *mbox_tmp, *mbox_final;
	char *mb;                 /* one mbox entry, rendered (reused) */
	size_t mb_cap;
	bool maildir_ready;
};

static int io_err(const char *what, const char *path)
{
	return pf_error_set(PF_E_IO, "%s %s: %s", what, path,
			    strerror(errno));
}

/* mkdir -p */
static int make_dirs(const char *path)
{
	char *p = strdup(path);
	int rc = 0;

	if (!p)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	for (char *s = p + 1; rc == 0; s++) {
		bool end = *s == '\0';

		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			rc = io_err("cannot create", p);
		if (end)
			break;
		*s = '/';
	}
	free(p);
	return rc;
}

int pf_export_mkdirs(const char *dir)
{
	return make_dirs(dir);
}

static char *join(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s/%s%s", a, b, c);
	return s;
}

int pf_export_sink_open(struct pf_export_sink **out,
			const struct pf_export_opts *o, const char *dir)
{
	struct pf_export_sink *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s || !(s->dir = strdup(dir))) {
		free(s);
		return pf_error_set(PF_E_NOMEM, "out of memory");
	}
	s->o = o;
	s->dirfd = -1;
	rc = make_dirs(dir);
	if (rc == 0) {
		s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (s->dirfd < 0)
			rc = io_err("cannot open", dir);
	}
	if (rc != 0) {
		pf_export_sink_abort(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* Write N bytes, CRLF made LF when LF is set (runs between CRs are
 * copied whole: this is the inner loop of a big export). */
static int write_all(int fd, const char *p, size_t n, bool lf)
{
	char buf[65536];
	size_t k = 0, i = 0;

	if (!lf)
		return pf_write_all(fd, p, n);
	while (i < n) {
		const char *cr = memchr(p + i, '\r', n - i);
		size_t run = (cr ? (size_t)(cr - p) : n) - i, take;

		take = run < sizeof(buf) - k ? run : sizeof(buf) - k;
		memcpy(buf + k, p + i, take);
		k += take;
		i += take;
		if (take == run && cr) {
			if (i + 1 < n && p[i + 1] == '\n')
				i++;          /* drop the CR of CRLF */
			else if (k < sizeof(buf))
				buf[k++] = p[i++];
		}
		if (k == sizeof(buf) || i >= n) {
			if (pf_write_all(fd, buf, k) != 0)
				return -1;
			k = 0;
		}
	}
	return 0;
}

static int flush_pending(struct pf_export_sink *s)
{
	int rc = 0;

	if (s->npend && s->o->fsync && syncfs(s->dirfd) != 0)
		rc = io_err("cannot sync", s->dir);
	for (size_t i = 0; i < s->npend; i++) {
		if (rc == 0 && rename(s->pend[i].tmp, s->pend[i].final) != 0)
			rc = io_err("cannot rename", s->pend[i].tmp);
		if (rc != 0)
			unlink(s->pend[i].tmp);
		free(s->pend[i].tmp);
		free(s->pend[i].final);
	}
	if (s->npend && rc == 0 && s->o->fsync && fsync(s->dirfd) != 0)
		rc = io_err("cannot sync", s->dir);
	s->npend = 0;
	return rc;
}

/* TMP is written; FINAL is its name once the batch is durable. */
static int add_pending(struct pf_export_sink *s, char *tmp, char *final)
{
	int rc = pf_grow(&s->pend, s->npend, &s->cap, sizeof(*s->pend));

	if (rc != 0) {
		unlink(tmp);
		free(tmp);
		free(final);
		return rc;
	}
	s->pend[s->npend].tmp = tmp;
	s->pend[s->npend].final = final;
	s->npend++;
	return s->npend >= PF_SINK_BATCH ? flush_pending(s) : 0;
}

static int put_file(struct pf_export_sink *s, char *tmp, char *final,
		    const char *bytes, size_t n, bool lf)
{
	int fd;

	if (!tmp || !final) {
		free(tmp);
		free(final);
		return pf_error_set(PF_E_NOMEM, "out of memory");
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, bytes, n, lf) != 0 || close(fd) != 0) {
		int rc = io_err("cannot write", tmp);

		if (fd >= 0)
			close(fd);
		unlink(tmp);
		free(tmp);
		free(final);
		return rc;
	}
	return add_pending(s, tmp, final);
}

static int maildir_put(struct pf_export_sink *s, const char *name,
		       const char *bytes, size_t n, bool read, int64_t date)
{
	static const char *const sub[] = { "cur", "new", "tmp" };
	char base[160], fin[200];

	if (!s->maildir_ready) {
		for (size_t i = 0; i < 3; i++) {
			char *d = join(s->dir, sub[i], "");
			int rc = d ? make_dirs(d) : PF_E_NOMEM;

			free(d);
			if (rc != 0)
				return rc;
		}
		s->maildir_ready = true;
	}
	/* maildir(5): time.unique.host, then ":2," and the flags */
	snprintf(base, sizeof(base), "%lld.%s.pstfix", (long long)date, name);
	snprintf(fin, sizeof(fin), "cur/%s:2,%s", base, read ? "S" : "");
	return put_file(s, join(s->dir, "tmp/", base), join(s->dir, fin, ""),
			bytes, n, true);
}

/* "From SENDER asctime-date" (RFC 4155 2). */
static void from_line(FILE *f, const char *from, int64_t date)
{
	time_t t = (time_t)date;
	struct tm tm;
	char when[64] = "Thu Jan  1 00:00:00 1970";

	if (gmtime_r(&t, &tm) && tm.tm_year + 1900 <= 9999)
		strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm);
	if (!from || !*from || strcspn(from, " \t\r\n") != strlen(from) ||
	    strlen(from) > 300)
		from = "MAILER-DAEMON";
	fprintf(f, "From %s %s\n", from, when);
}

/* BYTES as mboxrd stores them, into s->mb: LF line ends, one more '>'
 * before each line that matches ">*From " (RFC 4155), the blank line
 * that ends the entry.  Built whole, then one fwrite: a per-line stdio
 * call was a third of the CPU of an mbox export.  The '>'s add at most
 * one byte per 6 of input; dropping CRs only shrinks. */
static int mbox_render(struct pf_export_sink *s, const char *bytes,
		       size_t n, size_t *out)
{
	size_t i = 0, k = 0, need = n + n / 6 + 3;

	if (need > s->mb_cap) {
		char *p = realloc(s->mb, need);

		if (!p)
			return pf_error_set(PF_E_NOMEM, "out of memory");
		s->mb = p;
		s->mb_cap = need;
	}
	while (i < n) {
		const char *nl = memchr(bytes + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - bytes) : n, len = end - i;
		size_t q = 0;

		if (len && bytes[end - 1] == '\r')
			len--;
		while (q < len && bytes[i + q] == '>')
			q++;
		if (q + 5 <= len && memcmp(bytes + i + q, "From ", 5) == 0)
			s->mb[k++] = '>';
		memcpy(s->mb + k, bytes + i, len);
		k += len;
		s->mb[k++] = '\n';
		i = end + 1;
	}
	s->mb[k++] = '\n';
	*out = k;
	return 0;
}

static int mbox_put(struct pf_export_sink *s, const char *bytes, size_t n,
		    int64_t date, const char *from)
{
	size_t k = 0;
	int rc;

	if (!s->mbox) {
		s->mbox_tmp = join(s->dir, TMP_PREFIX "mbox", "");
		s->mbox_final = join(s->dir, "mbox", "");
		if (!s->mbox_tmp || !s->mbox_final)
			return pf_error_set(PF_E_NOMEM, "out of memory");
		s->mbox = fopen(s->mbox_tmp, "we");
		if (!s->mbox)
			return io_err("cannot write", s->mbox_tmp);
	}
	rc = mbox_render(s, bytes, n, &k);
	if (rc != 0)
		return rc;
	from_line(s->mbox, from, date);
	fwrite(s->mb, 1, k, s->mbox);
	if (ferror(s->mbox))
		return io_err("cannot write", s->mbox_tmp);
	return 0;
}

int pf_export_sink_put(struct pf_export_sink *s, const char *name,
		       const char *ext, const char *bytes, size_t n,
		       bool read, int64_t date, const char *from)
{
	char leaf[200];

	if (strcmp(ext, "eml") == 0 && s->o->format == PF_EXPORT_MBOX)
		return mbox_put(s, bytes, n, date, from);
	if (strcmp(ext, "eml") == 0 && s->o->format == PF_EXPORT_MAILDIR)
		return maildir_put(s, name, bytes, n, read, date);
	snprintf(leaf, sizeof(leaf), "%s.%s", name, ext);
	return put_file(s, join(s->dir, TMP_PREFIX, leaf),
			join(s->dir, leaf, ""), bytes, n, false);
}

static int mbox_close(struct pf_export_sink *s)
{
	int rc = 0;

	if (!s->mbox)
		return 0;
	if (fflush(s->mbox) != 0 || (s->o->fsync && fsync(fileno(s->mbox))
				     != 0))
		rc = io_err("cannot write", s->mbox_tmp);
	if (fclose(s->mbox) != 0 && rc == 0)
		rc = io_err("cannot write", s->mbox_tmp);
	s->mbox = NULL;
	if (rc == 0 && rename(s->mbox_tmp, s->mbox_final) != 0)
		rc = io_err("cannot rename", s->mbox_tmp);
	if (rc != 0)
		unlink(s->mbox_tmp);
	return rc;
}

static void sink_free(struct pf_export_sink *s)
{
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->pend);
	free(s->mb);
	free(s->mbox_tmp);
	free(s->mbox_final);
	free(s->dir);
	free(s);
}

int pf_export_sink_close(struct pf_export_sink *s)
{
	int rc, rc2;

	if (!s)
		return 0;
	rc = mbox_close(s);
	rc2 = flush_pending(s);
	sink_free(s);
	return rc ? rc : rc2;
}

void pf_export_sink_abort(struct pf_export_sink *s)
{
	if (!s)
		return;
	if (s->mbox) {
		fclose(s->mbox);
		unlink(s->mbox_tmp);
	}
	for (size_t i = 0; i < s->npend; i++) {
		unlink(s->pend[i].tmp);
		free(s->pend[i].tmp);
		free(s->pend[i].final);
	}
	s->npend = 0;
	sink_free(s);
}
