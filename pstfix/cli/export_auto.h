/*
 * export_auto.h - `export`'s default salvage decision, made beside the
 * export instead of before it.
 *
 * The default is "salvage exactly when a quiet scan finds an error"
 * (cmd_export.c).  Scanning first cost a whole pass over the file before
 * the first message was written (1.8 s of 9.9 s on a 3 GB file).  So the
 * scan runs in a second thread while the export goes ahead without
 * salvage, which is the answer for a sound file:
 * - a sound file: the export's result stands as it is;
 * - the scan's first error sets a flag the export asks before each item
 *   (export_auto_damaged, the export's stop callback); the export stops
 *   and is run again with salvage, writing the same names again;
 * - an export that ends first waits for the scan's verdict.
 * The scan reports no progress (the export's bar is the one shown) and
 * shares nothing with the export but the flags here.
 *
 * Contract: export_auto_start() starts the scan thread (PF_E_NOMEM, or PF_E_IO
 * when no thread can be made: the caller then scans first, as before); PATH
 * must stay the same file meanwhile. export_auto_finish() always joins and
 * frees it, and gives the scan's return code and whether it found an error.
 * export_auto_damaged() and export_auto_settled() may be called from any
 * thread.
 */
#ifndef PF_CLI_EXPORT_AUTO_H
#define PF_CLI_EXPORT_AUTO_H

#include <stdbool.h>

struct export_auto;

int export_auto_start(struct export_auto **out, const char *path);

/* The scan has found an error (so far). */
bool export_auto_damaged(struct export_auto *a);

/* The scan is over and found no error: the export needs no salvage. */
bool export_auto_settled(struct export_auto *a);

/* Join the scan: its return code (pf_check_file's, with its message
 * set again in the caller's thread); *damaged when it found an error. */
int export_auto_finish(struct export_auto *a, bool *damaged);

#endif
