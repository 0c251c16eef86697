/*
 * writefloor.c - the physical floor of an export: write the same files
 * (same count, sizes and directory layout) that a tool wrote, from memory,
 * with nothing else to do.  Any tool that writes one file per message
 * cannot be faster than this on the same file system.
 *
 *   writefloor [-d] [-j N] OUT < MANIFEST
 *
 * MANIFEST: one "SIZE PATH" line per file (PATH relative, as
 * `find DIR -type f -printf '%s %P\n'` prints it).  Each file is one
 * open(O_CREAT|O_EXCL), one write of SIZE bytes from a buffer filled
 * once, one close.  -d follows pstfix's durability rule instead: a
 * temporary name, one syncfs per 256 files, then the renames and an
 * fsync of the directory.  -j N splits the files over N threads by
 * directory.  A benchmark helper (bench/export), not part of pstfix.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BATCH 256

struct file {
	size_t size;
	char *path;   /* OUT/relative */
	int dir;      /* index of its directory, for -j */
};

static struct file *files;
static size_t nfiles;
static char *buf;
static size_t bufmax;
static int durable, nthreads = 1;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "writefloor: %s %s: %s\n", what, path,
		strerror(errno));
	exit(1);
}

static void mkdirs(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			die("mkdir", path);
		*s = '/';
	}
}

static void put(const char *path, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	size_t off = 0;

	if (fd < 0)
		die("open", path);
	while (off < size) {
		ssize_t k = write(fd, buf + off, size - off);

		if (k <= 0)
			die("write", path);
		off += (size_t)k;
	}
	if (close(fd) != 0)
		die("close", path);
}

static char *tmp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t d = (size_t)(slash - path) + 1;
	char *t = malloc(strlen(path) + 16);

	if (!t)
		die("malloc", path);
	memcpy(t, path, d);
	sprintf(t + d, ".tmp-%s", slash + 1);
	return t;
}

/* The durable protocol over FILES[lo..hi) (all in one directory). */
static void put_durable(size_t lo, size_t hi)
{
	char **tmp = calloc(BATCH, sizeof(*tmp));
	size_t first = lo;

	if (!tmp)
		die("malloc", "");
	for (size_t i = lo; i < hi; i++) {
		tmp[i - first] = tmp_name(files[i].path);
		put(tmp[i - first], files[i].size);
		if (i + 1 - first < BATCH && i + 1 < hi)
			continue;
		char dir[4096];
		int fd;

		snprintf(dir, sizeof(dir), "%s", files[i].path);
		*strrchr(dir, '/') = '\0';
		fd = open(dir, O_RDONLY | O_DIRECTORY);
		if (fd < 0 || syncfs(fd) != 0)
			die("syncfs", dir);
		for (size_t j = first; j <= i; j++) {
			if (rename(tmp[j - first], files[j].path) != 0)
				die("rename", tmp[j - first]);
			free(tmp[j - first]);
		}
		if (fsync(fd) != 0)
			die("fsync", dir);
		close(fd);
		first = i + 1;
	}
	free(tmp);
}

/* Thread K writes the directories whose index is K modulo N. */
static void *worker(void *arg)
{
	int k = (int)(long)arg;
	size_t i = 0;

	while (i < nfiles) {
		size_t j = i;

		while (j < nfiles && files[j].dir == files[i].dir)
			j++;
		if (files[i].dir % nthreads == k) {
			if (durable) {
				put_durable(i, j);
			} else {
				for (size_t m = i; m < j; m++)
					put(files[m].path, files[m].size);
			}
		}
		i = j;
	}
	return NULL;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->path,
		      ((const struct file *)b)->path);
}

static void read_manifest(const char *out)
{
	char line[8192];
	size_t cap = 0;

	while (fgets(line, sizeof(line), stdin)) {
		char *sp = strchr(line, ' ');
		size_t n;

		if (!sp)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (nfiles == cap) {
			cap = cap ? cap * 2 : 1024;
			files = realloc(files, cap * sizeof(*files));
			if (!files)
				die("malloc", "");
		}
		n = strlen(out) + strlen(sp + 1) + 2;
		files[nfiles].size = strtoull(line, NULL, 10);
		files[nfiles].path = malloc(n);
		if (!files[nfiles].path)
			die("malloc", "");
		snprintf(files[nfiles].path, n, "%s/%s", out, sp + 1);
		if (files[nfiles].size > bufmax)
			bufmax = files[nfiles].size;
		nfiles++;
	}
	qsort(files, nfiles, sizeof(*files), by_path);
}

int main(int argc, char **argv)
{
	pthread_t th[64];
	int c, d = -1;
	size_t prevlen = 0;

	while ((c = getopt(argc, argv, "dj:")) != -1) {
		if (c == 'd')
			durable = 1;
		else if (c == 'j')
			nthreads = atoi(optarg);
		else
			return 2;
	}
	if (optind != argc - 1 || nthreads < 1 || nthreads > 64) {
		fprintf(stderr, "usage: writefloor [-d] [-j N] OUT "
			"< MANIFEST\n");
		return 2;
	}
	read_manifest(argv[optind]);
	buf = malloc(bufmax + 1);
	if (!buf)
		die("malloc", "");
	for (size_t i = 0; i < bufmax; i++)   /* base64-like text */
		buf[i] = (i % 77 == 76) ? '\n' : 'A' + (char)(i * 7 % 26);
	/* directories first (a tool makes them too); one index each */
	for (size_t i = 0; i < nfiles; i++) {
		size_t n = (size_t)(strrchr(files[i].path, '/') -
				    files[i].path);

		mkdirs(files[i].path);
		if (i == 0 || n != prevlen ||
		    memcmp(files[i].path, files[i - 1].path, n) != 0)
			d++;
		files[i].dir = d;
		prevlen = n;
	}
	for (int k = 0; k < nthreads; k++)
		if (pthread_create(&th[k], NULL, worker, (void *)(long)k))
			die("pthread_create", "");
	for (int k = 0; k < nthreads; k++)
		pthread_join(th[k], NULL);
	return 0;
}
