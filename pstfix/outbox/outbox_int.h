/*
 * outbox_int.h - what the files of pstfix/outbox share (names ob_).
 *
 * Contract: a load reads one file (the PST, or its trailer-scan rebuild)
 * into the same struct pf_outbox; items are added once per NID, so a
 * second read of a rebuild only adds what the first could not reach.
 * The Sent Items keys of every file read are kept until classification.
 */
#ifndef PF_OUTBOX_INT_H
#define PF_OUTBOX_INT_H

#include "../../formats/util/pf_set.h"
#include "outbox.h"

#define OB_MAX_ITEMS 1000000u     /* Outbox items kept from one file */

/* One Sent Items key: 'I' + normalised Message-ID, or 'S' + search key. */
struct ob_key {
	uint8_t *k;
	size_t n;
	uint32_t nid;
};

/* A file an item is read from: the PST, or its rebuild (unlinked once
 * read; the open descriptor keeps it).  Open until pf_outbox_free. */
#define OB_MAX_SRC 3      /* strict read, tolerant read, rebuild */
struct ob_src {
	struct pf_ndb *ndb;
	struct pf_nameid_map map;
	bool have_map;
	size_t items;                /* items read from it */
};

/* Per item, parallel to ob->items. */
struct ob_meta {
	unsigned src;                /* index in priv->src */
	uint8_t *sk;                 /* PidTagSearchKey, for Sent Items */
	size_t skcb;
};

struct ob_priv {
	struct ob_src src[OB_MAX_SRC];
	unsigned nsrc;
	struct ob_meta *meta;
	size_t cap;
	struct pf_set nids;          /* items already added */
	struct pf_set sent;          /* Sent Items messages already read */
	struct pf_outbox_lost *lost; /* items that did not read (yet): a
					later read (the rebuild) may */
	size_t nlost, lcap;
	struct ob_key *keys;         /* Sent Items, sorted by ob_keys_sort */
	size_t nkeys, kcap;
};

/* The message NIDs one file's Outbox and Sent Items hold. */
struct ob_nids {
	uint32_t *outbox, *sent;
	size_t nout, nsent, cout, csent;
	uint32_t bad_pages;          /* tolerant walk: pages skipped */
	char why[200];               /* the first table that did not read */
};

/* outbox_nids.c: normal messages whose NBT parent is the folder, united
 * with the folder's contents table (MS-PST 2.4.4.5); TOLERANT walks past
 * NBT pages that cannot be read (pstfix/export export_nbt.c). */
int ob_nids_collect(struct ob_nids *out, struct pf_ndb *ndb,
		    uint32_t nid_outbox, uint32_t nid_sent, bool tolerant);
void ob_nids_free(struct ob_nids *n);

/* outbox_item.c: ITEM from MSG (read by pf_mimew_read) and its PC. */
int ob_item_fill(struct pf_outbox_item *item, const struct pf_mimew_msg *msg,
		 const struct pf_pc *pc);
void ob_item_clear(struct pf_outbox_item *item);

/* outbox_sent.c: the keys of Sent Items message NID (1 when it cannot be
 * read: no keys); then the match. */
int ob_sent_add(struct ob_priv *p, struct pf_ndb *ndb, uint32_t nid);
void ob_keys_sort(struct ob_priv *p);
/* The Sent Items NID with MESSAGE_ID or search key SK, else 0. */
uint32_t ob_sent_match(const struct ob_priv *p, const char *message_id,
		       const uint8_t *sk, size_t skcb);
void ob_keys_free(struct ob_priv *p);

/* outbox_src.c: open PATH as source *IDX (with its named-property map);
 * close a source no item was read from; close them all. */
int ob_src_open(struct ob_priv *p, const char *path, unsigned *idx);
void ob_src_release(struct ob_priv *p, unsigned idx);
void ob_src_free(struct ob_priv *p);

/* outbox_lost.c: Outbox item NID of NDB did not read (pf_error_msg()
 * says why): remember it with its contents-table row; at the end, the
 * ones no read found go to ob->lost. */
int ob_lost_add(struct ob_priv *p, struct pf_ndb *ndb, uint32_t nid_outbox,
		uint32_t nid);
int ob_lost_finish(struct pf_outbox *ob);
void ob_lost_free(struct pf_outbox_lost *v, size_t n);

/* outbox_load.c: a note (the first one is kept; later ones appended
 * while there is room). */
void ob_note(struct pf_outbox *ob, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
