/*
 * pf_path.h - canonical folder paths: "Top of Personal Folders/Inbox".
 *
 * Contract: names are joined by '/'; '%', '/', C0 controls, DEL, C1
 * controls (U+0080..U+009F) and bytes that are not well-formed UTF-8 are
 * written %XX (upper-case hex, one per byte); an empty name is "%00".
 * Nothing else is escaped, so two writers of one name agree byte for
 * byte.  Bounded: PF_PATH_MAX bytes, PF_PATH_MAX_DEPTH components.
 */
#ifndef PF_PATH_H
#define PF_PATH_H

#include <stddef.h>

#define PF_PATH_MAX       32768u   /* bytes of one escaped path */
#define PF_PATH_MAX_DEPTH 512u     /* components */

/* Append "/" (unless *len is 0) and the escaped name[0..name_len) to the
 * path in buf (capacity cb, NUL-terminated, current length *len).  On
 * PF_E_LIMIT (no room, or past PF_PATH_MAX) buf is unchanged. */
int pf_path_append(char *buf, size_t cb, size_t *len, const char *name,
		   size_t name_len);

/* 1 if p[0..n) is a canonical path, else 0. */
int pf_path_valid(const char *p, size_t n);

#endif
