/*
 * fuzz_ltp.c - libFuzzer harness over the LTP parsers without a file: the
 * input is split into heap blocks (a 2-byte length before each), opened as
 * a heap-on-node, then as a property context and as a table context, each
 * validated and every value read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/ltp/pf_ltp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BLOCKS 16

static uint32_t split(const uint8_t *data, size_t size, uint8_t **blocks,
		      size_t *cbs)
{
	uint32_t n = 0;

	while (size >= 2 && n < MAX_BLOCKS) {
		size_t cb = (size_t)(data[0] | (data[1] << 8)) % 8193;

		data += 2;
		size -= 2;
		if (cb > size)
			cb = size;
		blocks[n] = malloc(cb ? cb : 1);
		if (!blocks[n])
			break;
		memcpy(blocks[n], data, cb);
		cbs[n++] = cb;
		data += cb;
		size -= cb;
	}
	return n;
}

static void read_pc(const uint8_t *data, size_t size)
{
	uint8_t *blocks[MAX_BLOCKS];
	size_t cbs[MAX_BLOCKS];
	uint32_t n = split(data, size, blocks, cbs);
	struct pf_hn hn;
	struct pf_pc pc;

	if (n == 0 || pf_hn_open_blocks(&hn, blocks, cbs, n, 0x21, NULL) != 0)
		return;
	if (pf_pc_open_hn(&pc, &hn, NULL, NULL, NULL) != 0)
		return;
	pf_pc_validate(&pc, NULL);
	for (uint32_t i = 0; i < pf_pc_count(&pc); i++) {
		struct pf_value v;
		char *s = NULL;

		if (pf_pc_prop(&pc, i, &v) != 0)
			continue;
		pf_value_string(&v, 0, &s);
		free(s);
		pf_value_free(&v);
	}
	pf_pc_close(&pc);
}

static void read_tc(const uint8_t *data, size_t size, enum pf_variant var)
{
	uint8_t *blocks[MAX_BLOCKS];
	size_t cbs[MAX_BLOCKS];
	uint32_t n = split(data, size, blocks, cbs);
	struct pf_hn hn;
	struct pf_tc tc;

	if (n == 0 || pf_hn_open_blocks(&hn, blocks, cbs, n, 0x12E, NULL) != 0)
		return;
	if (pf_tc_open_hn(&tc, &hn, NULL, NULL, var, NULL) != 0)
		return;
	pf_tc_validate(&tc, NULL);
	for (uint32_t r = 0; r < pf_tc_rows(&tc) && r < 64; r++)
		for (uint32_t c = 0; c < pf_tc_cols(&tc); c++) {
			struct pf_value v;

			if (pf_tc_get_value(&tc, r, pf_tc_col_tag(&tc, c),
					    &v) == 0)
				pf_value_free(&v);
		}
	pf_tc_close(&tc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_pc(data, size);
	read_tc(data, size, PF_UNICODE);
	read_tc(data, size, PF_ANSI);
	return 0;
}
