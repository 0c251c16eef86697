/*
 * names.c - the human names of the checker's passes.
 *
 * Contract: indexed by the first digit of a problem code (enum pf_pass in
 * check.h, plus 9 for the "... and N more" rows).  One table, so the
 * progress bar, `pstfix problems` and docs/problems.md use the same words.
 * Unknown numbers get "pass ?" rather than a crash: the table in check/
 * may grow before this file does.
 */
#include "cli.h"

struct pass_name {
	const char *shortname;
	const char *title;
};

static const struct pass_name names[] = {
	[PF_PASS_HEADER] = { "header", "header and ROOT" },
	[PF_PASS_AMAP]   = { "AMap", "allocation maps" },
	[PF_PASS_BBT]    = { "BBT", "BBT pages (block B-tree)" },
	[PF_PASS_NBT]    = { "NBT", "NBT pages (node B-tree)" },
	[PF_PASS_BLOCKS] = { "blocks", "blocks and reference counts" },
	[PF_PASS_LTP]    = { "LTP", "LTP: heaps, BTHs, property and table "
			     "contexts" },
	[PF_PASS_MSG]    = { "messaging", "messaging: folders, messages, "
			     "recipients, attachments" },
	[PF_PASS_XCHECK] = { "cross-check", "cross-check with libpff" },
	[9]              = { "output", "capped output" },
};

static const struct pass_name *lookup(unsigned pass)
{
	if (pass >= sizeof(names) / sizeof(names[0]) || !names[pass].title)
		return NULL;
	return &names[pass];
}

const char *cli_pass_short(unsigned pass)
{
	const struct pass_name *n = lookup(pass);

	return n ? n->shortname : "pass ?";
}

const char *cli_pass_title(unsigned pass)
{
	const struct pass_name *n = lookup(pass);

	return n ? n->title : "pass ?";
}
