/*
 * export_name.c - a folder name (UTF-8 from the PST, anything in it) as
 * one directory name that is safe on POSIX and Windows file systems and
 * means the same on every run.
 *
 * Rules: '/', '\\', control characters and the characters Windows forbids
 * (<>:"|?*) become '_'; a leading '.' becomes '_' (no hidden directories,
 * no "." or ".."); trailing spaces and dots are dropped; at most
 * PF_EXPORT_NAME_MAX bytes, cut at a character boundary; names that the
 * writers use themselves (cur, new, tmp, mbox) and an empty result get
 * " (0xNID)" added, which makes them unique.  Two sibling folders with
 * the same name are told apart by the caller the same way.
 */
#include <stdio.h>
#include <string.h>

#include "export.h"

#define PF_EXPORT_NAME_MAX 120

static const char *const reserved[] = { "cur", "new", "tmp", "mbox", NULL };

void pf_export_component(const char *name, uint32_t nid, char *out,
			 size_t cb)
{
	size_t n = 0, max = cb - 1 < PF_EXPORT_NAME_MAX ? cb - 1 :
		PF_EXPORT_NAME_MAX;
	bool clash = false;

	const char *s = name ? name : "";

	for (; *s && n < max; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7F || strchr("/\\<>:\"|?*", c) ||
		    (c == '.' && n == 0))
			out[n++] = '_';
		else
			out[n++] = (char)c;
	}
	/* cut: never in the middle of a UTF-8 sequence */
	if (((unsigned char)*s & 0xC0) == 0x80) {
		while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0)
			n--;   /* the lead byte */
	}
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '.'))
		n--;
	out[n] = '\0';
	for (size_t i = 0; reserved[i]; i++)
		clash = clash || strcmp(out, reserved[i]) == 0;
	if (n == 0 || clash)
		snprintf(out + n, cb - n, "%s(0x%x)", n ? " " : "", nid);
}
