/*
 * check.c - pf_check_file(): open the file, run the passes in order, clean
 * up.  Also the lookups and the space-claim map the passes share.
 *
 * Contract: see check.h.  Each pass runs even when an earlier one found
 * damage; a pass skips only what it cannot reach, and says so.
 */
#include <stdlib.h>
#include <string.h>

#include "ck.h"

static int cmp_node(const void *a, const void *b)
{
	uint32_t x = ((const struct pf_node_rec *)a)->nid;
	uint32_t y = ((const struct pf_node_rec *)b)->nid;

	return x < y ? -1 : x > y;
}

const struct pf_node_rec *ck_node(const struct pf_ck *ck, uint32_t nid)
{
	struct pf_node_rec key = { .nid = nid };

	if (!ck->nodes)
		return NULL;
	return bsearch(&key, ck->nodes, ck->nnodes, sizeof(key), cmp_node);
}

/* SQLite's checkTreePage idea: every unit of the file belongs to at most
 * one page or block.  A second claim is reported once per claim, at the
 * first unit claimed before.  Whole bytes of the map are tested and set
 * at once (a block is some hundred units). */
void ck_claim(struct pf_ck *ck, uint64_t ib, uint64_t cb, const char *what)
{
	struct pf_claims *c = &ck->claims;
	uint64_t first, last, u;
	uint64_t hit = UINT64_MAX;   /* first unit claimed before */

	if (!c->bits || cb == 0)
		return;
	first = ib / c->unit;
	last = (ib + cb - 1) / c->unit;
	if (last >= c->units)
		last = c->units - 1;
	for (u = first; u <= last && first < c->units;) {
		if (u % 8 == 0 && last - u >= 7) {
			uint8_t *byte = &c->bits[u >> 3];

			if (*byte && hit == UINT64_MAX)
				hit = u + (uint64_t)__builtin_ctz(*byte);
			*byte = 0xFF;
			u += 8;
			continue;
		}
		uint8_t mask = (uint8_t)(1u << (u & 7));

		if ((c->bits[u >> 3] & mask) && hit == UINT64_MAX)
			hit = u;
		c->bits[u >> 3] |= mask;
		u++;
	}
	if (hit != UINT64_MAX)
		ck_problem(ck, 2052, hit * c->unit, 0, 0, hit * c->unit, 0,
			   what);
}

static int claims_init(struct pf_ck *ck)
{
	struct pf_claims *c = &ck->claims;

	c->unit = ck->l->amap_unit;
	c->units = (ck->eof + c->unit - 1) / c->unit;
	c->bits = calloc((size_t)(c->units / 8 + 1), 1);
	return c->bits ? 0 : pf_error_set(PF_E_NOMEM, "out of memory");
}

static void ck_free(struct pf_ck *ck)
{
	free(ck->blocks);
	free(ck->inflated);
	free(ck->nodes);
	free(ck->claims.bits);
	free(ck->per_code);
	pf_ndb_close(ck->ndb);
}

void ck_sort_nodes(struct pf_ck *ck)
{
	if (ck->nnodes)
		qsort(ck->nodes, ck->nnodes, sizeof(*ck->nodes), cmp_node);
}

static void run_pass(struct pf_ck *ck, enum pf_pass pass,
		     void (*fn)(struct pf_ck *))
{
	ck->pass = pass;
	fn(ck);
}

/* A memo being filled takes the block pass's proofs, one per block (later
 * passes read some blocks again); a sealed one is trusted throughout. */
static void memo_pass(struct pf_ck *ck, bool blocks)
{
	enum pf_memo_mode mode = ck->opts->crc_memo_mode;

	if (mode == PF_MEMO_FILL && !blocks)
		mode = PF_MEMO_OFF;
	pf_ndb_crc_memo(ck->ndb, ck->opts->crc_memo, mode);
}

int pf_check_file(const char *path, const struct pf_check_opts *opts,
		  pf_finding_fn on_finding, void *ctx,
		  struct pf_check_summary *sum)
{
	static const struct pf_check_opts defaults;
	struct pf_ck ck;
	int rc;

	memset(&ck, 0, sizeof(ck));
	memset(sum, 0, sizeof(*sum));
	ck.opts = opts ? opts : &defaults;
	ck.on_finding = on_finding;
	ck.on_finding_ctx = ctx;
	ck.sum = sum;
	ck.sink.fault = ck_fault;
	ck.sink.ctx = &ck;
	rc = pf_ndb_open(&ck.ndb, path);
	if (rc != 0)
		return rc;
	sum->opened = true;
	if (ck.opts->map_file)
		pf_ndb_map(ck.ndb);
	ck.l = pf_ndb_layout(ck.ndb);
	ck.h = pf_ndb_header(ck.ndb);
	sum->file_size = pf_ndb_file_size(ck.ndb);
	sum->format_ver = ck.h->ver;
	ck.eof = sum->file_size;
	ck.per_code = calloc(pf_problem_count, sizeof(*ck.per_code));
	rc = ck.per_code ? claims_init(&ck) :
			   pf_error_set(PF_E_NOMEM, "out of memory");
	if (rc == 0) {
		memo_pass(&ck, false);
		run_pass(&ck, PF_PASS_HEADER, pass_header);
		run_pass(&ck, PF_PASS_BBT, pass_bbt);
		run_pass(&ck, PF_PASS_NBT, pass_nbt);
		memo_pass(&ck, true);
		run_pass(&ck, PF_PASS_BLOCKS, pass_blocks);
		memo_pass(&ck, false);
		run_pass(&ck, PF_PASS_AMAP, pass_amap);
		run_pass(&ck, PF_PASS_LTP, pass_ltp);
		run_pass(&ck, PF_PASS_LTP, pass_nameid);
		run_pass(&ck, PF_PASS_MSG, pass_msg);
		if (ck.opts->cross_check)
			run_pass(&ck, PF_PASS_XCHECK, pass_xcheck);
		ck_report_suppressed(&ck);
	}
	ck_free(&ck);
	return rc;
}
