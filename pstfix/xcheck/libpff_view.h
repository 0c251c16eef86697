/*
 * libpff_view.h - libpff's view of a store, for `pstfix scan --cross-check`.
 *
 * Contract:
 * - libpff runs in a forked child, never in our process: a crash, a hang or
 *   a runaway allocation in libpff becomes an error code here.  The child
 *   has stdin/stdout/stderr on /dev/null, no other inherited descriptor but
 *   its pipe, RLIMIT_AS = its size at fork + PF_XCHECK_AS_BUDGET,
 *   RLIMIT_CPU = timeout + 2 s, RLIMIT_CORE = RLIMIT_FSIZE = 0, dies with
 *   the parent (Linux), and leaves with _exit().  The parent reads its
 *   stream (xproto.h) with poll() against one deadline, SIGKILLs it when the
 *   deadline passes and always reaps it.
 * - The walk starts at libpff_file_get_root_folder(): the MS-PST root
 *   folder, NID 0x122, path "".  Its children ("Top of Personal Folders" =
 *   the IPM subtree 0x8022, "Search Root" 0x8042, "SPAM Search Folder 2"
 *   0x2223, ...; in an OST "Root - Mailbox", "Root - Public") and everything
 *   below follow, the layout `pffexport -m items` writes.  Sub-folders are
 *   the rows of each folder's hierarchy table, items the rows of its
 *   contents table (libpff_folder_get_number_of_sub_messages), found in the
 *   NBT under that folder.  Orphans (NBT nodes whose parent is missing)
 *   are only counted (view.orphans); recovered (deleted) items are not
 *   looked for.
 * - A folder whose items or sub-folders libpff cannot count is kept with
 *   PF_XF_ITEMS_UNKNOWN / PF_XF_SUBS_UNKNOWN and a note giving libpff's
 *   error; a sub-folder libpff cannot open is a note.  Failing to open the
 *   file or to find the root is an error.
 * - ANSI (wVer 14) names are decoded by libpff with its default codepage,
 *   windows-1252 (bytes it does not map become U+FFFD).
 * - The child is fork()ed without exec(): call this from a process whose
 *   other threads hold no locks the child needs (glibc's malloc is safe);
 *   a deadlocked child is caught by the deadline.
 */
#ifndef PF_LIBPFF_VIEW_H
#define PF_LIBPFF_VIEW_H

#include <stddef.h>

#include "xview.h"

#define PF_XCHECK_DEFAULT_TIMEOUT 120u          /* seconds, for 0 */
#define PF_XCHECK_MAX_TIMEOUT     86400u        /* seconds */
#define PF_XCHECK_AS_BUDGET       (4ull << 30)  /* bytes of address space */

/*
 * Fill *out (initialised here; free it with pf_xview_free) with libpff's
 * view of the file at path.  timeout_sec 0 means PF_XCHECK_DEFAULT_TIMEOUT.
 * Returns 0, or a negative code with the message in pf_error_msg() and in
 * why (if why_cb > 0); out is then empty:
 *   PF_E_NOTPST   no !BDN magic or a file shorter than a header (checked
 *                 before libpff is called)
 *   PF_E_CORRUPT  libpff cannot open it or find its root folder (libpff's
 *                 innermost error text follows), libpff crashed ("libpff
 *                 crashed with signal 11 (Segmentation fault)"), or its
 *                 child broke the protocol
 *   PF_E_LIMIT    timed out, killed at a resource limit, or a view bound
 *   PF_E_IO       cannot open/read the file, pipe/fork/poll failed
 *   PF_E_NOMEM, PF_E_USAGE
 */
int pf_xcheck_libpff(const char *path, unsigned timeout_sec,
		     struct pf_xview *out, char *why, size_t why_cb);

/*
 * The machinery under pf_xcheck_libpff, open for tests: fork, set the
 * child up as above, run child(fd, path, arg) there (it writes the
 * xproto.h stream to fd; returning means _exit(0)), and parse, time and
 * reap in the parent.  timeout_ms must be > 0.
 */
typedef void (*pf_xchild_fn)(int fd, const char *path, void *arg);

int pf_xcheck_spawn(const char *path, unsigned timeout_ms,
		    pf_xchild_fn child, void *arg, struct pf_xview *out,
		    char *why, size_t why_cb);

#endif
