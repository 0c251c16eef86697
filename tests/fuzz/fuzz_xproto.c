/*
 * fuzz_xproto.c - libFuzzer harness over the cross-check protocol parser:
 * what a misbehaving libpff child could write to its pipe.  The input is
 * fed in two pieces (split at its first byte's value) so line assembly
 * across reads is exercised, then finished.
 */
#include <stdint.h>
#include <stdio.h>

#include "../../pstfix/xcheck/xproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_xview view;
	struct pf_xparser p;
	size_t cut = size ? data[0] % (size + 1) : 0;

	pf_xview_init(&view);
	if (pf_xparser_init(&p, &view) == 0) {
		if (pf_xparser_feed(&p, (const char *)data, cut) == 0)
			pf_xparser_feed(&p, (const char *)data + cut,
					size - cut);
		pf_xparser_finish(&p);
		pf_xparser_free(&p);
	}
	pf_xview_free(&view);
	return 0;
}
