/*
 * outbox_item.c - one Outbox item's summary (struct pf_outbox_item) from
 * the message pf_mimew_read() made of it, so that addresses and the
 * Message-ID are exactly the ones the rendered bytes carry.
 *
 * Rules (smtp-facts.md; MS-OXOMSG 2.2.3.3, MS-OXCMAIL 2.1.3.1):
 * - An address is SMTP when pf_mimew_read took it from PidTagSmtpAddress
 *   (0x39FE) or its PidTagAddressType is "SMTP", and it is a valid
 *   addr-spec; anything else (an Exchange "EX" DN without 0x39FE, X.400,
 *   a bare name) is unresolvable: NULL, reported, never guessed.
 * - A recipient with 0x80000000 in PidTagRecipientFlags was delivered.
 * - The envelope sender is the Sender when someone sent on behalf
 *   (MS-OXCMAIL 2.2.3.2.1), else the From mailbox; its display name is
 *   the From's.
 * The class is set later (outbox_class.c), once Sent Items is known.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "outbox_int.h"

#define OB_RFLAG_DELIVERED 0x80000000u   /* MS-OXOMSG 2.2.3.3 */

char *pf_outbox_smtp(const struct pf_mimew_addr *a)
{
	if (!a->addr || !a->addrtype || strcasecmp(a->addrtype, "SMTP") != 0 ||
	    !pf_mimew_addr_is_smtp(a->addr))
		return NULL;
	return strdup(a->addr);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Each strdup that fails leaves NULL where the source was not. */
static bool lost(const char *src, const char *copy)
{
	return src && !copy;
}

static int recipients(struct pf_outbox_item *it,
		      const struct pf_mimew_msg *msg)
{
	it->rcpt = calloc(msg->nrcpt ? msg->nrcpt : 1, sizeof(*it->rcpt));
	if (!it->rcpt)
		return pf_error_set(PF_E_NOMEM, "out of memory");
	for (size_t i = 0; i < msg->nrcpt; i++) {
		const struct pf_mimew_addr *a = &msg->rcpt[i];
		struct pf_outbox_rcpt *r = &it->rcpt[i];
		const char *type = a->orig_type ? a->orig_type : a->addrtype;

		it->nrcpt++;
		r->name = dup_or_null(a->name);
		r->addr = pf_outbox_smtp(a);
		r->addrtype = dup_or_null(type);
		r->type = a->type;
		r->delivered = (a->rflags & OB_RFLAG_DELIVERED) != 0;
		if (lost(a->name, r->name) || lost(type, r->addrtype))
			return pf_error_set(PF_E_NOMEM, "out of memory");
	}
	return 0;
}

int ob_item_fill(struct pf_outbox_item *it, const struct pf_mimew_msg *msg,
		 const struct pf_pc *pc)
{
	const struct pf_mimew_addr *env = msg->has_sender ? &msg->sender :
		&msg->from;
	int32_t size = 0;

	memset(it, 0, sizeof(*it));
	it->nid = msg->nid;
	it->flags = msg->flags;
	it->submit_time = msg->submit_time;
	it->deferred_time = msg->deferred_time;
	it->natt = msg->natt;
	if (pf_pc_get_i32(pc, PF_TAG_MESSAGE_SIZE, &size) == 0 && size > 0)
		it->size = (uint64_t)size;
	it->message_id = pf_mimew_message_id(msg);
	it->subject = dup_or_null(msg->subject);
	it->message_class = dup_or_null(msg->message_class);
	it->from = pf_outbox_smtp(env);
	if (!it->from && env != &msg->from)
		it->from = pf_outbox_smtp(&msg->from);
	it->from_name = dup_or_null(msg->from.name);
	if (!it->message_id || lost(msg->subject, it->subject) ||
	    lost(msg->message_class, it->message_class) ||
	    lost(msg->from.name, it->from_name))
		return pf_error_set(PF_E_NOMEM, "out of memory");
	return recipients(it, msg);
}

void ob_item_clear(struct pf_outbox_item *it)
{
	for (size_t i = 0; i < it->nrcpt; i++) {
		free(it->rcpt[i].name);
		free(it->rcpt[i].addr);
		free(it->rcpt[i].addrtype);
	}
	free(it->rcpt);
	free(it->message_id);
	free(it->subject);
	free(it->message_class);
	free(it->from);
	free(it->from_name);
	memset(it, 0, sizeof(*it));
}
