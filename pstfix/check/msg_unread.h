/*
 * msg_unread.h - pass 7's tally of unread messages per folder
 * (msg_unread.c has the contract).
 */
#ifndef PF_MSG_UNREAD_H
#define PF_MSG_UNREAD_H

#include "../../formats/msg/pf_msg.h"
#include "ck.h"

struct msg_unread_folder {
	uint32_t nid;
	int32_t count;           /* PidTagContentUnreadCount as stored */
};

struct msg_unread {
	uint32_t *unread;        /* the parent of each unread message */
	size_t n, cap;
	uint32_t *unknown;       /* ... of each message that does not open */
	size_t nunknown, cunknown;
	struct msg_unread_folder *f;
	size_t nf, cf;
};

/* Message M (open, in folder PARENT): counted when not read. */
void msg_unread_message(struct msg_unread *u, uint32_t parent,
			const struct pf_message *m);
/* A message in PARENT that does not open: PARENT's count is not judged
 * (its read state is unknown; PF7012 says why). */
void msg_unread_unknown(struct msg_unread *u, uint32_t parent);
/* Normal folder NID: its stored count, when its PC has one. */
void msg_unread_folder(struct msg_unread *u, struct pf_ndb *ndb,
		       uint32_t nid);
/* PF7019 for each folder whose count differs; frees U's memory. */
void msg_unread_report(struct pf_ck *ck, struct msg_unread *u);

#endif
