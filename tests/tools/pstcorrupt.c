/*
 * pstcorrupt.c - damage a PST in one named, seeded way and record exactly
 * what changed: the corruptions of the golden image tests (tests/images)
 * and of the recovery benchmark (bench/recovery).  Not installed.
 *
 *   pstcorrupt RECIPE[:ARG] --seed N IN OUT [--record REC.json]
 *   pstcorrupt --list
 *
 * Contract
 * - IN is never written.  OUT is a new file (temporary name, fsync,
 *   rename); an existing OUT is replaced.  The same recipe, ARG, seed and
 *   IN give the same OUT bytes on every machine.
 * - The structures are found with the project's reader (pf_ndb_open(), the
 *   BTPAGE and entry accessors, pf_xblock_parse(), the message reader for
 *   subjects) over a copy of IN in memory; the edits are made on a second
 *   copy, re-sealing (page CRC and wSig, block CRC, header CRCs) exactly
 *   where the recipe says the damage must be consistent, so the finding
 *   that shows is the one the recipe targets.  The sealing helpers are
 *   tests/unit/tutil.h's, written from MS-PST independently of formats/.
 * - The seed picks the target among the eligible structures (a splitmix64
 *   stream); a recipe with nothing eligible fails with a one-line error
 *   and exit 2 (e.g. zero-nbt-leaf on a one-page NBT).
 * - The record (JSON, one object) lists the changed byte ranges with the
 *   SHA-256 of their old and new bytes, the B-tree pages and blocks the
 *   edit destroyed (changed and no longer valid) or edited (changed and
 *   re-sealed, or with intact data), and, for the oracle, the normal
 *   messages whose own blocks were destroyed ("messages_destroyed": a
 *   block of their PC, data tree or subnode tree lost or changed without
 *   its CRC, so no repair can bring them back as they were; a damaged
 *   trailer alone does not count) and those whose NBT entry was lost
 *   ("messages_unlisted": on a destroyed leaf page, overwritten or pointed
 *   elsewhere; their data is intact, a repair may find them again), each
 *   with its subject.
 * - ANSI and Unicode PST/OST; 4 KiB-page OSTs (wVer 36) too, for the
 *   recipes that follow the layout (block-inflate is theirs; map-field
 *   refuses them).  Every walk has a visited set and a depth bound.
 *
 * Exit: 0 done, 1 operational error, 2 usage or nothing eligible.
 *
 * Parts: this file (the recipe table, arguments, OUT), pstcorrupt_img.c
 * (IN, its trees, the seed, sealing), pstcorrupt_recipes.c and
 * pstcorrupt_fields.c (the recipes), pstcorrupt_record.c (the record).
 */

#include "pstcorrupt.h"

/* ---- the recipe table ---- */

struct recipe {
	const char *name;
	int (*fn)(struct img *m);
	const char *help;
};

static const struct recipe recipes[] = {
	{ "header-crc", r_header_crc, "flip a byte of dwCRCPartial/Full" },
	{ "zero-first-64", r_zero_first_64, "zero bytes 0..63" },
	{ "truncate", r_truncate, "cut the last ARG% (seed: 1..30%)" },
	{ "nbt-root-off-by-one", r_nbt_root_obo,
	  "ROOT NBT BREF bid +/-4 or ib +/-1, header CRCs fixed" },
	{ "bbt-root-off-by-one", r_bbt_root_obo,
	  "ROOT BBT BREF bid +/-4 or ib +/-1, header CRCs fixed" },
	{ "zero-nbt-root", r_zero_nbt_root, "zero the NBT root page" },
	{ "zero-bbt-root", r_zero_bbt_root, "zero the BBT root page" },
	{ "zero-nbt-leaf", r_zero_nbt_leaf, "zero an NBT leaf page" },
	{ "zero-bbt-leaf", r_zero_bbt_leaf, "zero a BBT leaf page" },
	{ "page-crc", r_page_crc,
	  "flip a slack byte of a BT page (ARG nbt|bbt), CRC left" },
	{ "block-crc", r_block_crc,
	  "flip a byte of a message's PC block, CRC left" },
	{ "zero-data-block", r_zero_data_block,
	  "zero a message's PC block" },
	{ "cref", r_cref, "raise a BBT entry's cRef, page CRC fixed" },
	{ "amap-invalid", r_amap_invalid,
	  "fAMapValid 0 (ARG flag) or a garbage AMap (ARG page)" },
	{ "missing-mandatory", r_missing_mandatory,
	  "remove a mandatory node (ARG: its NID, hex) from the NBT" },
	{ "broken-contents-table", r_broken_contents_table,
	  "bad TCINFO in a folder's contents table, CRC valid" },
	{ "orphan-messages", r_orphan_messages,
	  "re-parent ARG (seed: 1..3) messages to no folder" },
	{ "btree-cycle", r_btree_cycle,
	  "a branch BREF at an ancestor page (ARG nbt|bbt)" },
	{ "header-field", r_header_field,
	  "ARG: sentinel crypt client-magic amap-last eof-short eof-long "
	  "bid-next-b bid-next-p rgnid amap-flag root-past-eof" },
	{ "nbt-field", r_nbt_field, "ARG: ptype-repeat sig cbent cent "
	  "level order key-min dup (an NBT page)" },
	{ "bbt-field", r_bbt_field, "ARG: the same for a BBT page" },
	{ "block-field", r_block_field, "ARG: sig bid cb ib-unaligned "
	  "ib-past-eof (a message's PC block)" },
	{ "node-field", r_node_field, "ARG: data-missing sub-missing "
	  "sub-external folder-cycle parent-other (an NBT entry)" },
	{ "internal-block", r_internal_block, "ARG: x-btype x-level x-cent "
	  "x-lcb sl-btype sl-level sl-cent sl-dup sl-attach-nid; every "
	  "XBLOCK: x-lcb-huge x-dup" },
	{ "amap-field", r_amap_field,
	  "ARG: [pmap-]ptype crc ptype-repeat bid sig (first AMap/PMap)" },
	{ "pc-field", r_pc_field, "ARG: hn-sig hn-pagemap prop-type "
	  "bth-cbkey bth-order hid-dangling prop-cb class-dangling (a "
	  "message's PC) "
	  "store-tag nameid-buckets nameid-type (NID 0x21, 0x61)" },
	{ "ltp-field", r_ltp_field, "ARG: hn-userroot bth-btype bth-levels "
	  "tc-col-cb tc-col-type tc-col-order tc-rows-zero tc-empty-root "
	  "recip-btype recip-userroot attach-btype unread table-parent "
	  "nameid-stream-cb "
	  "nameid-dup nameid-guid nameid-name-odd (pstcorrupt_ltp2.c)" },
	{ "map-field", r_map_field, "ARG: fmap-|fpmap-(ptype ptype-repeat "
	  "bid sig crc own) dlist-(ptype ptype-repeat sig bid entry) "
	  "amap-own pmap-own" },
	{ "truncate-amap", r_truncate_amap,
	  "cut the file half-way into AMap page ARG (seed: one past the "
	  "first)" },
	{ "block-ib-header", r_block_ib_header,
	  "a message PC block's BBT ib at the DList page, CRC fixed" },
	{ "sl-cycle", r_sl_cycle,
	  "an SLENTRY's bidSub names its own SLBLOCK, CRC fixed" },
	{ "bt-padding", r_bt_padding,
	  "a B-tree page's dwPadding nonzero (ARG nbt|bbt), CRC fixed" },
	{ "internal-cb", r_internal_cb,
	  "ARG x|sl: an XBLOCK's or SLBLOCK's cb 4, consistently" },
	{ "block-inflate", r_block_inflate,
	  "a 4 KiB-page OST's compressed block no longer inflates" },
};

static const struct recipe *recipe_find(const char *name)
{
	for (size_t i = 0; i < sizeof(recipes) / sizeof(recipes[0]); i++)
		if (strcmp(recipes[i].name, name) == 0)
			return &recipes[i];
	return NULL;
}

/* ---- OUT: temporary name, fsync, rename ---- */

static int write_out(const struct img *m, const char *out)
{
	char tmp[4096];
	int fd;
	bool ok;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", out) >=
	    sizeof(tmp))
		return pc_fail("%s: path too long", out);
	fd = mkstemp(tmp);
	if (fd < 0)
		return pc_fail("%s: cannot create a temporary file", out);
	ok = write(fd, m->buf, (size_t)m->new_size) ==
	     (ssize_t)m->new_size;
	ok = fsync(fd) == 0 && ok;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, out) != 0) {
		unlink(tmp);
		return pc_fail("%s: write error", out);
	}
	return 0;
}

static void img_free(struct img *m)
{
	if (m->ndb)
		pf_ndb_close(m->ndb);
	free(m->old);
	free(m->buf);
	free(m->pg);
	free(m->nbt);
	free(m->bbt);
	free(m->moved);
}

static int usage(void)
{
	fprintf(stderr, "usage: pstcorrupt RECIPE[:ARG] --seed N IN OUT "
		"[--record REC.json]\n       pstcorrupt --list\n");
	return 2;
}

static int list(void)
{
	for (size_t i = 0; i < sizeof(recipes) / sizeof(recipes[0]); i++)
		printf("%-22s %s\n", recipes[i].name, recipes[i].help);
	return 0;
}

int main(int argc, char **argv)
{
	const char *pos[3] = { 0 }, *rec = NULL;
	char name[64];
	const struct recipe *r;
	struct img m = { 0 };
	uint64_t seed = 0;
	int npos = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--list") == 0)
			return list();
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--record") == 0 && i + 1 < argc)
			rec = argv[++i];
		else if (npos < 3 && argv[i][0] != '-')
			pos[npos++] = argv[i];
		else
			return usage();
	}
	if (npos != 3)
		return usage();
	snprintf(name, sizeof(name), "%s", pos[0]);
	if (strchr(name, ':')) {
		m.arg = pos[0] + (strchr(name, ':') - name);
		m.arg++;
		*strchr(name, ':') = '\0';
	}
	r = recipe_find(name);
	if (!r) {
		fprintf(stderr, "pstcorrupt: no recipe '%s' (see --list)\n",
			name);
		return 2;
	}
	m.rng = seed;
	rc = img_open(&m, pos[1]);
	if (rc == 0 && r->fn(&m) != 0)
		rc = 2;
	if (rc == 0)
		rc = write_out(&m, pos[2]);
	if (rc == 0 && rec)
		rc = write_record(&m, rec, pos[0], seed, pos[1], pos[2]);
	if (rc != 0)
		fprintf(stderr, "pstcorrupt: %s: %s\n", pos[0], errbuf);
	img_free(&m);
	return rc == 0 ? 0 : rc == 2 ? 2 : 1;
}
