/*
 * import.h - `pstfix import`: mail from mbox files and directories of
 * .eml files into a PST (formats/mime parses, formats/write writes).
 *
 * Contract: each SOURCE becomes a folder under the IPM subtree named after
 * it (an mbox file "Work.mbox" -> "Work"; a directory -> its name, its
 * subdirectories -> subfolders, recursively, bounded depth).  Messages
 * keep their headers, bodies, recipients, attachments, inline images and
 * embedded messages.  A message that cannot be parsed at all is skipped
 * and counted; one parsed with defects is imported.
 */
#ifndef PF_IMPORT_H
#define PF_IMPORT_H

#include <stdint.h>

#include "../../formats/write/pf_msgw.h"

struct pf_import_stats {
	uint64_t messages;
	uint64_t skipped;
	uint64_t defects;
	uint64_t folders;
};

/* Import SOURCE (an mbox file, an .eml file, or a directory) under the
 * folder PARENT of S. */
int pf_import_source(struct pf_storew *s, uint32_t parent,
		     const char *source, struct pf_import_stats *st);

#endif
