/*
 * msg_unread.c - pass 7's unread count: PidTagContentUnreadCount of each
 * normal folder against the messages the NBT puts in it whose
 * PidTagMessageFlags lacks MSGFLAG_READ (MS-PST 2.4.4.1.1, MS-OXCMSG
 * 2.2.1.6).
 *
 * Contract: pass_msg feeds every readable message (its parent and
 * whether it is read) and every normal folder whose PC has the property;
 * msg_unread_report() compares and frees.  A folder holding a message
 * whose PC does not open is not judged (that message's read state is
 * unknown), nor is a folder without the property (Outlook omits it on
 * some folders).
 * Memory: one entry per unread message and per folder, sorted once.
 */
#include <stdlib.h>

#include "msg_unread.h"

static int grow(void **v, size_t n, size_t *cap, size_t size)
{
	size_t c = *cap ? *cap * 2 : 64;
	void *nv;

	if (n < *cap)
		return 0;
	nv = realloc(*v, c * size);
	if (!nv)
		return -1;
	*v = nv;
	*cap = c;
	return 0;
}

void msg_unread_message(struct msg_unread *u, uint32_t parent,
			const struct pf_message *m)
{
	int32_t flags = 0;

	if (pf_pc_get_i32(&m->pc, PF_TAG_MESSAGE_FLAGS, &flags) == 0 &&
	    (flags & PF_MSGFLAG_READ))
		return;
	if (grow((void **)&u->unread, u->n, &u->cap, sizeof(*u->unread)))
		return;   /* out of memory: the count is not judged */
	u->unread[u->n++] = parent;
}

void msg_unread_unknown(struct msg_unread *u, uint32_t parent)
{
	if (grow((void **)&u->unknown, u->nunknown, &u->cunknown,
		 sizeof(*u->unknown)) == 0)
		u->unknown[u->nunknown++] = parent;
}

void msg_unread_folder(struct msg_unread *u, struct pf_ndb *ndb,
		       uint32_t nid)
{
	struct pf_message m;
	int32_t count;

	if (pf_message_open(&m, ndb, nid) != 0)
		return;
	if (pf_pc_get_i32(&m.pc, PF_TAG_CONTENT_UNREAD, &count) == 0 &&
	    grow((void **)&u->f, u->nf, &u->cf, sizeof(*u->f)) == 0)
		u->f[u->nf++] = (struct msg_unread_folder){ nid, count };
	pf_message_close(&m);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* How many of the sorted V[N] equal KEY. */
static uint32_t count_of(const uint32_t *v, size_t n, uint32_t key)
{
	size_t lo = 0, hi = n, k = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + k < n && v[lo + k] == key)
		k++;
	return (uint32_t)k;
}

void msg_unread_report(struct pf_ck *ck, struct msg_unread *u)
{
	if (u->n > 1)
		qsort(u->unread, u->n, sizeof(*u->unread), cmp_u32);
	if (u->nunknown > 1)
		qsort(u->unknown, u->nunknown, sizeof(*u->unknown), cmp_u32);
	for (size_t i = 0; i < u->nf; i++) {
		uint32_t want = count_of(u->unread, u->n, u->f[i].nid);

		if (count_of(u->unknown, u->nunknown, u->f[i].nid))
			continue;
		if (u->f[i].count < 0 || (uint32_t)u->f[i].count != want)
			ck_problem(ck, 7019, PF_NO_IB, 0, u->f[i].nid,
				   (uint64_t)(int64_t)u->f[i].count, want,
				   NULL);
	}
	free(u->unread);
	free(u->unknown);
	free(u->f);
	*u = (struct msg_unread){ 0 };
}
