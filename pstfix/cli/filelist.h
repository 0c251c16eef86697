/*
 * filelist.h - turn `pstfix scan` operands into the list of files to check.
 *
 * Contract
 * - An operand that is a directory is walked recursively; a file in it is
 *   taken when its name ends in ".pst" or ".ost" (any case).  Each
 *   directory's entries are taken in byte order (strcmp), so the same tree
 *   always gives the same list whatever the locale or the file system.
 * - Symbolic links are followed, but every directory is entered once
 *   (tracked by device and inode): a link loop, or two links to one
 *   directory, cannot make the walk endless or check a file twice.
 * - Any other operand is taken as given, even when it does not exist or
 *   has another extension: the user named it, so the checker gets to say
 *   what is wrong with it (that is the file's verdict, exit 8).
 * - filelist_add_list() reads one path per line from a file ("-" is
 *   stdin); blank lines and lines starting with '#' are skipped; a
 *   trailing CR is dropped (lists written on Windows); each path is
 *   treated like an operand.  A line longer than PATH_MAX is an error.
 * - Problems that skip part of the input (an unreadable directory, an
 *   over-long line) are one line each on stderr and set `incomplete`, so
 *   the scan still runs and the exit status gets the operational bit.
 *   Only running out of memory, or a list that cannot be opened or read,
 *   returns -1: then nothing should be scanned.
 */
#ifndef PF_CLI_FILELIST_H
#define PF_CLI_FILELIST_H

#include <stdbool.h>
#include <stddef.h>

struct filelist {
	char **paths;
	size_t n, cap;
	bool incomplete;     /* something named could not be listed */
	bool expanded;       /* a directory was searched or a list read */
	void *visited;       /* tsearch() tree of (dev, ino) of directories */
};

void filelist_init(struct filelist *fl);
int filelist_add_operand(struct filelist *fl, const char *path);
int filelist_add_list(struct filelist *fl, const char *listfile);
void filelist_free(struct filelist *fl);

#endif
