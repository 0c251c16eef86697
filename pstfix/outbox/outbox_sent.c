/*
 * outbox_sent.c - has this Outbox item already gone out?  Outlook may
 * send a message and stop before it removes the Outbox copy; the Sent
 * Items copy then carries the same PidTagInternetMessageId (0x1035) or
 * the same PidTagSearchKey (0x300B, MS-OXCPRPT 2.2.1.9: kept when a
 * message is copied).  smtp-facts.md: compare both before sending.
 *
 * Each Sent Items message gives up to two keys: 'I' + its Message-ID
 * normalised as pf_mimew_message_id() writes it (so "<id>" and "id"
 * meet), and 'S' + its search key.  The keys are sorted once and each
 * Outbox item is looked up by binary search.  A Sent Items message that
 * cannot be opened gives no key (it cannot prove anything).
 */
#include <stdlib.h>
#include <string.h>

#include "../../formats/util/pf_grow.h"
#include "outbox_int.h"

enum {
	TAG_INTERNET_MESSAGE_ID = 0x1035,
	TAG_SEARCH_KEY = 0x300B,
};

#define OB_KEY_MAX 4096   /* longer keys are not ids anyone compares */

static int key_add(struct ob_priv *p, char kind, const void *v, size_t n,
		   uint32_t nid)
{
	uint8_t *k;
	int rc;

	if (n == 0 || n > OB_KEY_MAX)
		return 0;
	rc = pf_grow(&p->keys, p->nkeys, &p->kcap, sizeof(*p->keys));
	if (rc != 0)
		return rc;
	k = malloc(n + 1);
	if (!k)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	k[0] = (uint8_t)kind;
	memcpy(k + 1, v, n);
	p->keys[p->nkeys].k = k;
	p->keys[p->nkeys].n = n + 1;
	p->keys[p->nkeys].nid = nid;
	p->nkeys++;
	return 0;
}

/* The Message-ID as pf_mimew_message_id() normalises a stored one;
 * NULL when it is no id at all (the writer would make one up). */
static char *norm_id(const char *stored)
{
	struct pf_mimew_msg tmp;
	char *id, *made;

	memset(&tmp, 0, sizeof(tmp));
	made = pf_mimew_message_id(&tmp);
	tmp.message_id = (char *)stored;
	id = pf_mimew_message_id(&tmp);
	if (id && made && strcmp(id, made) == 0) {
		free(id);
		id = NULL;
	}
	free(made);
	return id;
}

int ob_sent_add(struct ob_priv *p, struct pf_ndb *ndb, uint32_t nid)
{
	struct pf_message m;
	char *id = NULL, *norm = NULL;
	uint8_t *sk = NULL;
	size_t cb = 0;
	int rc = pf_message_open(&m, ndb, nid);

	if (rc != 0)
		return rc == PF_E_NOMEM ? rc : 1;
	if (pf_pc_get_string(&m.pc, TAG_INTERNET_MESSAGE_ID, &id) == 0 &&
	    id && *id)
		norm = norm_id(id);
	pf_pc_get_bin(&m.pc, TAG_SEARCH_KEY, &sk, &cb);
	rc = norm ? key_add(p, 'I', norm, strlen(norm), nid) : 0;
	if (rc == 0 && sk)
		rc = key_add(p, 'S', sk, cb, nid);
	free(id);
	free(norm);
	free(sk);
	pf_message_close(&m);
	return rc;
}

static int key_cmp(const void *a, const void *b)
{
	const struct ob_key *x = a, *y = b;
	int c = memcmp(x->k, y->k, x->n < y->n ? x->n : y->n);

	if (c != 0)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

void ob_keys_sort(struct ob_priv *p)
{
	if (p->nkeys)
		qsort(p->keys, p->nkeys, sizeof(*p->keys), key_cmp);
}

static uint32_t find(const struct ob_priv *p, char kind, const void *v,
		     size_t n)
{
	uint8_t buf[OB_KEY_MAX + 1];
	struct ob_key want = { .k = buf, .n = n + 1 };
	const struct ob_key *hit;

	if (n == 0 || n > OB_KEY_MAX || p->nkeys == 0)
		return 0;
	buf[0] = (uint8_t)kind;
	memcpy(buf + 1, v, n);
	hit = bsearch(&want, p->keys, p->nkeys, sizeof(*p->keys), key_cmp);
	return hit ? hit->nid : 0;
}

uint32_t ob_sent_match(const struct ob_priv *p, const char *message_id,
		       const uint8_t *sk, size_t skcb)
{
	uint32_t nid = message_id ? find(p, 'I', message_id,
					 strlen(message_id)) : 0;

	if (nid == 0 && sk)
		nid = find(p, 'S', sk, skcb);
	return nid;
}

void ob_keys_free(struct ob_priv *p)
{
	for (size_t i = 0; i < p->nkeys; i++)
		free(p->keys[i].k);
	free(p->keys);
	p->keys = NULL;
	p->nkeys = p->kcap = 0;
}
