/*
 * pstcorrupt.h - what the parts of tests/tools/pstcorrupt share: IN in
 * memory with its B-tree pages and leaf entries, the seeded choice, the
 * sealing helpers, and the recipes.  See pstcorrupt.c for the contract.
 */
#ifndef PSTCORRUPT_H
#define PSTCORRUPT_H

#include <openssl/sha.h>
#include <stdarg.h>

#include "../../formats/msg/pf_msg.h"
#include "../../formats/util/pf_grow.h"
#include "../../formats/util/pf_set.h"
#include "../../pstfix/cli/json.h"
#include "../unit/tutil.h"

enum { T_NBT = 0, T_BBT = 1 };
enum { S_SAME = 0, S_EDITED, S_DESTROYED };

struct bt_page {
	uint64_t ib, bid;
	int tree;
	uint32_t level, cent, cent_max, cb_ent;
	int32_t parent;          /* index in pages, -1 for the root */
	uint32_t pslot;          /* entry of the parent naming this page */
};

struct nbt_ent {
	struct pf_nbt_entry e;
	uint32_t page, slot;
};

struct bbt_ent {
	struct pf_bbt_entry e;
	uint32_t page, slot;
};

struct img {
	struct pf_ndb *ndb;
	const struct pf_layout *l;
	const struct pf_header *h;
	struct tu_hdr_layout hl;
	bool ansi;
	uint8_t *old, *buf;      /* IN as read, and the copy we damage */
	uint64_t size, new_size;
	struct bt_page *pg;
	size_t npg, cpg;
	struct nbt_ent *nbt;
	size_t nnbt, cnbt;
	struct bbt_ent *bbt;     /* sorted by BID (leaf order) */
	size_t nbbt, cbbt;
	uint64_t rng;
	const char *arg;
	char target[512];        /* what the recipe picked, in words */
	uint32_t removed_nid;    /* missing-mandatory */
	/* nodes a consistent edit ruined (their data: "destroyed") or cut
	 * off (their NBT entry: "unlisted"), which the byte comparison of
	 * the record cannot see */
	uint32_t ruined[8], cut_off[8];
	size_t nruined, ncut_off;
	uint32_t *moved;         /* orphan-messages: NIDs re-parented */
	size_t nmoved;
};

#define PC_MAX_DEPTH 8           /* data and subnode trees: 2 and 2 */
#define PC_MAX_SHOWN 4096        /* ranges and lists in the record */

extern char errbuf[300];

/* One line into errbuf; returns -1. */
int pc_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* What the recipe picked, in words (m->target). */
void say(struct img *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
uint64_t rnd(struct img *m);
uint32_t pick(struct img *m, size_t n);

int img_open(struct img *m, const char *in);
const struct bbt_ent *bbt_find(const struct img *m, uint64_t bid);
const struct nbt_ent *nbt_find(const struct img *m, uint32_t nid);
bool block_in_file(const struct img *m, const struct pf_bbt_entry *e);
bool is_message(const struct nbt_ent *n);
const char *tree_name(int tree);
int arg_tree(struct img *m, int *tree);
enum { PK_LEAF = 1, PK_BRANCH = 2, PK_NOT_ROOT = 4, PK_SLACK = 8 };
int pick_page(struct img *m, int tree, unsigned want, uint32_t min_cent,
	      uint32_t *pi);
int message_block(struct img *m, const struct bbt_ent **out);

void page_reseal(struct img *m, uint64_t ib);
void header_reseal(struct img *m);
uint32_t block_crc_at(const struct img *m, uint16_t cb);
void block_reseal(struct img *m, const struct pf_bbt_entry *e);
void fix_parent_keys(struct img *m, uint32_t pi, uint64_t key);

/* Note NID in LIST (ruined or cut_off) of at most 8. */
uint32_t hn_hid_at(const uint8_t *d, uint16_t cb, uint32_t hid);
void note_nid(uint32_t *list, size_t *n, uint32_t nid);

int write_record(const struct img *m, const char *path, const char *spec,
		 uint64_t seed, const char *in, const char *out);

int r_amap_invalid(struct img *m);
int r_bbt_root_obo(struct img *m);
int r_block_crc(struct img *m);
int r_broken_contents_table(struct img *m);
int r_btree_cycle(struct img *m);
int r_cref(struct img *m);
int r_header_crc(struct img *m);
int r_missing_mandatory(struct img *m);
int r_nbt_root_obo(struct img *m);
int r_orphan_messages(struct img *m);
int r_page_crc(struct img *m);
int r_truncate(struct img *m);
int r_zero_bbt_leaf(struct img *m);
int r_zero_bbt_root(struct img *m);
int r_zero_data_block(struct img *m);
int r_zero_first_64(struct img *m);
int r_zero_nbt_leaf(struct img *m);
int r_zero_nbt_root(struct img *m);

int r_header_field(struct img *m);
int r_nbt_field(struct img *m);
int r_bbt_field(struct img *m);
int r_block_field(struct img *m);
int r_node_field(struct img *m);
int r_internal_block(struct img *m);
int r_amap_field(struct img *m);
int r_pc_field(struct img *m);
int r_ltp_field(struct img *m);     /* pstcorrupt_ltp2.c */

/* pstcorrupt_fields.c helpers pstcorrupt_ndb2.c shares */
const char *field_of(struct img *m, const char *const *names);
void map_field(struct img *m, uint64_t ib, uint8_t other, const char *f);
int r_map_field(struct img *m);
int r_block_inflate(struct img *m);
int r_internal_cb(struct img *m);
int r_bt_padding(struct img *m);
int r_sl_cycle(struct img *m);
int r_block_ib_header(struct img *m);
int r_truncate_amap(struct img *m);

#endif
