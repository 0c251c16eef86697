/*
 * filelist.c - operands, directory walks and --from-list, behind
 * filelist.h.
 *
 * Contract: see filelist.h.  The walk reads a whole directory, sorts the
 * names, closes it, then descends: at most one directory handle is open
 * per level, and the depth is bounded (WALK_MAX_DEPTH) so a pathological
 * tree ends with a message rather than running out of file descriptors
 * or stack.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <search.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "filelist.h"

#define WALK_MAX_DEPTH 128

struct dir_id {
	dev_t dev;
	ino_t ino;
};

struct names {
	char **v;
	size_t n, cap;
};

void filelist_init(struct filelist *fl)
{
	memset(fl, 0, sizeof(*fl));
}

static void warn(struct filelist *fl, const char *path, const char *what)
{
	fprintf(stderr, "pstfix scan: %s: %s\n", path, what);
	fl->incomplete = true;
}

static int push(char ***v, size_t *n, size_t *cap, const char *s)
{
	char *copy;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		char **nv = realloc(*v, ncap * sizeof(*nv));

		if (!nv)
			return -1;
		*v = nv;
		*cap = ncap;
	}
	copy = strdup(s);
	if (!copy)
		return -1;
	(*v)[(*n)++] = copy;
	return 0;
}

static int add_path(struct filelist *fl, const char *path)
{
	if (push(&fl->paths, &fl->n, &fl->cap, path) != 0) {
		fprintf(stderr, "pstfix scan: out of memory\n");
		return -1;
	}
	return 0;
}

static bool is_pst_name(const char *name)
{
	size_t n = strlen(name);

	return n >= 4 && (strcasecmp(name + n - 4, ".pst") == 0 ||
			  strcasecmp(name + n - 4, ".ost") == 0);
}

static int cmp_dir_id(const void *a, const void *b)
{
	const struct dir_id *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

/* 1 if the directory was not entered before, 0 if it was, -1 on ENOMEM. */
static int first_visit(struct filelist *fl, const struct stat *st)
{
	struct dir_id *id = malloc(sizeof(*id));
	void *node;

	if (!id)
		return -1;
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	node = tsearch(id, &fl->visited, cmp_dir_id);
	if (!node) {
		free(id);
		return -1;
	}
	if (*(struct dir_id **)node != id) {
		free(id);
		return 0;
	}
	return 1;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_free(struct names *nm)
{
	for (size_t i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
}

/* The sorted entries of DIR except "." and "..": 0, 1 if DIR could not be
 * read (reported), -1 on ENOMEM. */
static int read_names(struct filelist *fl, const char *dir, struct names *nm)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	memset(nm, 0, sizeof(*nm));
	if (!d) {
		warn(fl, dir, strerror(errno));
		return 1;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (push(&nm->v, &nm->n, &nm->cap, de->d_name) != 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && errno != 0)
		warn(fl, dir, strerror(errno));  /* keep what was read */
	closedir(d);
	if (rc == 0 && nm->n > 1)   /* qsort(NULL, 0) is undefined */
		qsort(nm->v, nm->n, sizeof(*nm->v), cmp_name);
	return rc;
}

static int walk(struct filelist *fl, const char *dir, unsigned depth);

/* One directory entry: descend, take it, or ignore it. */
static int visit(struct filelist *fl, const char *path, const char *name,
		 unsigned depth)
{
	struct stat st;
	int rc;

	if (stat(path, &st) != 0) {
		/* A dangling link named *.pst is still something the user
		 * keeps as a mailbox: let its verdict say it is missing. */
		return is_pst_name(name) ? add_path(fl, path) : 0;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = first_visit(fl, &st);
		if (rc < 0)
			return -1;
		return rc ? walk(fl, path, depth + 1) : 0;
	}
	if (S_ISREG(st.st_mode) && is_pst_name(name))
		return add_path(fl, path);
	return 0;
}

static int walk(struct filelist *fl, const char *dir, unsigned depth)
{
	struct names nm;
	char path[PATH_MAX];
	size_t dlen = strlen(dir);
	const char *sep = dlen && dir[dlen - 1] == '/' ? "" : "/";
	int rc;

	if (depth > WALK_MAX_DEPTH) {
		warn(fl, dir, "nested too deeply, not searched");
		return 0;
	}
	rc = read_names(fl, dir, &nm);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	for (size_t i = 0; i < nm.n && rc == 0; i++) {
		int len = snprintf(path, sizeof(path), "%s%s%s", dir, sep,
				   nm.v[i]);

		if (len < 0 || (size_t)len >= sizeof(path)) {
			warn(fl, nm.v[i], "path too long, skipped");
			continue;
		}
		rc = visit(fl, path, nm.v[i], depth);
	}
	names_free(&nm);
	if (rc < 0)
		fprintf(stderr, "pstfix scan: out of memory\n");
	return rc;
}

int filelist_add_operand(struct filelist *fl, const char *path)
{
	struct stat st;
	int rc;

	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return add_path(fl, path);
	fl->expanded = true;
	rc = first_visit(fl, &st);
	if (rc < 0) {
		fprintf(stderr, "pstfix scan: out of memory\n");
		return -1;
	}
	return rc ? walk(fl, path, 0) : 0;
}

enum line_kind { LINE_OK, LINE_EOF, LINE_LONG, LINE_NUL };

/* Read one line into buf (cap bytes with the NUL), without the newline.
 * A longer line is consumed to its end and reported as LINE_LONG. */
static enum line_kind read_line(FILE *f, char *buf, size_t cap)
{
	size_t n = 0;
	bool long_line = false, nul = false;
	int c = getc(f);

	for (; c != EOF && c != '\n'; c = getc(f)) {
		if (c == '\0')
			nul = true;
		if (n + 1 < cap)
			buf[n++] = (char)c;
		else
			long_line = true;
	}
	buf[n] = '\0';
	if (c == EOF && n == 0 && !long_line && !nul)
		return LINE_EOF;
	if (long_line)
		return LINE_LONG;
	if (nul)
		return LINE_NUL;
	if (n > 0 && buf[n - 1] == '\r')
		buf[n - 1] = '\0';
	return LINE_OK;
}

static bool skip_line(const char *s)
{
	if (*s == '#')
		return true;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

static void warn_line(struct filelist *fl, const char *list,
		      unsigned long lineno, const char *what)
{
	fprintf(stderr, "pstfix scan: %s:%lu: %s\n", list, lineno, what);
	fl->incomplete = true;
}

static int read_list(struct filelist *fl, FILE *f, const char *name)
{
	char buf[PATH_MAX + 1];
	unsigned long lineno = 0;
	enum line_kind k = read_line(f, buf, sizeof(buf));

	for (; k != LINE_EOF; k = read_line(f, buf, sizeof(buf))) {
		lineno++;
		if (k == LINE_LONG)
			warn_line(fl, name, lineno,
				  "line longer than PATH_MAX, skipped");
		else if (k == LINE_NUL)
			warn_line(fl, name, lineno,
				  "line holds a NUL byte, skipped");
		else if (!skip_line(buf) && filelist_add_operand(fl, buf) != 0)
			return -1;
	}
	if (ferror(f)) {
		fprintf(stderr, "pstfix scan: cannot read list %s: %s\n",
			name, strerror(errno));
		return -1;
	}
	return 0;
}

int filelist_add_list(struct filelist *fl, const char *listfile)
{
	bool use_stdin = strcmp(listfile, "-") == 0;
	FILE *f = use_stdin ? stdin : fopen(listfile, "r");
	int rc;

	if (!f) {
		fprintf(stderr, "pstfix scan: cannot read list %s: %s\n",
			listfile, strerror(errno));
		return -1;
	}
	fl->expanded = true;
	rc = read_list(fl, f, use_stdin ? "(stdin)" : listfile);
	if (!use_stdin)
		fclose(f);
	return rc;
}

void filelist_free(struct filelist *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		free(fl->paths[i]);
	free(fl->paths);
	tdestroy(fl->visited, free);
	filelist_init(fl);
}
