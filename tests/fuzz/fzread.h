/*
 * fzread.h - what the LTP harnesses do with a context once it opened:
 * validate it and read every value (fuzz_ltp from heap blocks, fuzz_block
 * from a file).  Linked into every harness like fixcrc.c.
 */
#ifndef FZREAD_H
#define FZREAD_H

#include "../../formats/ltp/pf_ltp.h"

/* Validate PC, read every property as a value and as a string; close it. */
void fz_read_pc(struct pf_pc *pc, const struct pf_sink *sink);

/* Validate TC, read every cell of the first 64 rows; close it. */
void fz_read_tc(struct pf_tc *tc, const struct pf_sink *sink);

#endif
