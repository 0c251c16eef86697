/*
 * trace.c - the -v dialogue: "C: " lines we sent, "S: " lines we read.
 *
 * Contract: the callers pass what may be shown (AUTH payloads already
 * replaced by "(redacted)", see auth.c); control characters are printed
 * as '?' so a server cannot drive the user's terminal.  No trace file,
 * no work.
 */
#include <stdio.h>

#include "smtp_int.h"

void smtp_trace(struct pf_smtp *s, const char *dir, const char *line,
		size_t len)
{
	FILE *f = s->opts.trace;

	if (f == NULL)
		return;
	fputs(dir, f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
	}
	fputc('\n', f);
	fflush(f);
}
