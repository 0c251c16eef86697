/*
 * fuzz_ltp.c - libFuzzer harness over the LTP parsers without a file: the
 * input is split into heap blocks (a 2-byte length before each), opened as
 * a heap-on-node, then as a property context and as a table context, each
 * validated and every value read; and as a bare BTree-on-heap
 * (MS-PST 2.3.2) at hidUserRoot, walked, every key looked up again.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fzread.h"

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

/* The input's blocks as the heap of node NID; false when it does not
 * open. */
static bool open_hn(struct pf_hn *hn, const uint8_t *data, size_t size,
		    uint32_t nid)
{
	uint8_t *blocks[MAX_BLOCKS];
	size_t cbs[MAX_BLOCKS];
	uint32_t n = split(data, size, blocks, cbs);

	return n > 0 && pf_hn_open_blocks(hn, blocks, cbs, n, nid, NULL) == 0;
}

static void read_pc(const uint8_t *data, size_t size)
{
	struct pf_hn hn;
	struct pf_pc pc;

	if (open_hn(&hn, data, size, 0x21) &&
	    pf_pc_open_hn(&pc, &hn, NULL, NULL, NULL) == 0)
		fz_read_pc(&pc, NULL);
}

static int lookup(void *ctx, const uint8_t *key, const uint8_t *ent)
{
	const uint8_t *got;

	(void)ent;
	pf_bth_lookup(ctx, key, &got);
	return 0;
}

static void read_bth(const uint8_t *data, size_t size)
{
	struct pf_hn hn;
	struct pf_bth bth;

	if (!open_hn(&hn, data, size, 0x21))
		return;
	if (pf_bth_open(&bth, &hn, hn.hid_user_root, NULL) == 0)
		pf_bth_walk(&bth, NULL, lookup, &bth, NULL);
	pf_hn_close(&hn);
}

static void read_tc(const uint8_t *data, size_t size, enum pf_variant var)
{
	struct pf_hn hn;
	struct pf_tc tc;

	if (open_hn(&hn, data, size, 0x12E) &&
	    pf_tc_open_hn(&tc, &hn, NULL, NULL, var, NULL) == 0)
		fz_read_tc(&tc, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_pc(data, size);
	read_bth(data, size);
	read_tc(data, size, PF_UNICODE);
	read_tc(data, size, PF_ANSI);
	return 0;
}
