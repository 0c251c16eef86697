/*
 * outbox_list.h - the printers of `pstfix outbox list` (outbox_list_out.c
 * for text and JSON), shared with cmd_outbox_list.c.
 */
#ifndef PF_CLI_OUTBOX_LIST_H
#define PF_CLI_OUTBOX_LIST_H

#include <stdbool.h>

#include "../outbox/outbox.h"
#include "json.h"

struct ol_opts {
	bool json, all, stranded, verbose, no_salvage;
	const char *eml_dir;
	struct pf_json j;
};

void ol_error(struct ol_opts *o, const char *path, const char *why);
void ol_head(struct ol_opts *o, const struct pf_outbox *ob);
void ol_item(struct ol_opts *o, const struct pf_outbox *ob,
	     const struct pf_outbox_item *it);
/* An item the Outbox lists that could not be read (never sent). */
void ol_lost(struct ol_opts *o, const struct pf_outbox *ob,
	     const struct pf_outbox_lost *l);
void ol_summary(struct ol_opts *o, const struct pf_outbox *ob);

/* "2026-01-01T00:05:00Z" for FILETIME FT (BUF >= 32); "" when 0. */
void ol_iso(uint64_t ft, char *buf, size_t cb);

#endif
