/*
 * repair_note.c - pf_repair_note(): the one way a repair stage says what
 * it did (repair.h).
 *
 * Contract: formats the line into a bounded buffer (a longer line is cut,
 * never overflows) and hands it to ctx->note with the stage's level; with
 * no ctx or no callback it does nothing, so stages call it unconditionally.
 * The stages never print: the command decides where lines go (text
 * report, JSON "notes", nowhere with -q).
 */
#include <stdarg.h>
#include <stdio.h>

#include "repair.h"

#define NOTE_MAX 512

void pf_repair_note(struct pf_repair_ctx *ctx, enum pf_repair_level level,
		    const char *fmt, ...)
{
	char line[NOTE_MAX];
	va_list ap;

	if (!ctx || !ctx->note)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctx->note(ctx->note_ctx, level, line);
}
