/*
 * outbox.h - the items of a store's Outbox and what to do with them:
 * the model shared by `pstfix outbox list`, `send` and `status`.
 *
 * Contract
 * - The Outbox is the folder PidTagIpmOutboxEntryId (0x35E2) of the
 *   message store names (MS-OXOSFLD 2.2.1), never found by name.  When
 *   that property is missing or names no folder, the load says so (a
 *   note) and finds nothing rather than guess.
 * - Each item is classified (smtp-facts.md, MS-OXCMSG 2.2.1.6):
 *     STRANDED   PidTagMessageFlags has UNSENT (0x8) and SUBMIT (0x4)
 *     DRAFT      UNSENT without SUBMIT (opening a queued item un-submits)
 *     SENT       UNSENT clear: Outlook sent it; never re-sent
 *     DEFERRED   stranded, PidTagDeferredDeliveryTime after `now`
 *     IN_SENT    stranded or draft, but a message with the same
 *                Message-ID (or PidTagSearchKey) is in Sent Items
 *                (PidTagIpmSentMailEntryId) -- Outlook sent it and
 *                crashed before clearing the Outbox copy
 * - Recipients: PidTagRecipientType 1/2/3 = To/Cc/Bcc; flag 0x80000000
 *   (already delivered to this one) -> delivered, not sent again; the
 *   address is PidTagSmtpAddress when PidTagAddressType is not SMTP, and
 *   a recipient with no SMTP address is unresolvable (reported, never
 *   guessed).
 * - The message is rendered by formats/mime (pf_mimew_*) without a Bcc
 *   header; its Message-ID is the item's own, else the deterministic one
 *   of pf_mimew_message_id(), so every retry carries the same id.
 * - The PST is opened read-only and never modified; it stays open until
 *   pf_outbox_free (an item's message is read again to render it, not
 *   kept in memory).  A damaged file is read through the salvage path
 *   (pf_outbox_load notes it); a trailer-scan rebuild made then is
 *   unlinked as soon as it is read (its descriptor stays open), so the
 *   caller may remove its work directory right after the load.
 *
 * Errors: 0 or a negative PF_E_* with one message (pf_err.h).
 */
#ifndef PF_OUTBOX_H
#define PF_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../formats/mime/pf_mimew.h"

enum pf_outbox_class {
	PF_OUTBOX_STRANDED, PF_OUTBOX_DRAFT, PF_OUTBOX_SENT,
	PF_OUTBOX_DEFERRED, PF_OUTBOX_IN_SENT,
};
const char *pf_outbox_class_name(enum pf_outbox_class c); /* "stranded" */

struct pf_outbox_rcpt {
	char *name;               /* UTF-8 display name or NULL */
	char *addr;               /* SMTP address; NULL: unresolvable */
	char *addrtype;           /* PidTagAddressType as stored, or NULL */
	enum pf_mimew_rtype type; /* TO, CC, BCC */
	bool delivered;           /* 0x80000000 in PidTagRecipientFlags */
};

struct pf_outbox_item {
	uint32_t nid;
	enum pf_outbox_class cls;
	char *message_id;         /* as it will be sent, without <> */
	char *subject;            /* UTF-8 or NULL */
	char *from;               /* envelope sender (SMTP) or NULL */
	char *from_name;
	struct pf_outbox_rcpt *rcpt;
	size_t nrcpt;
	uint64_t submit_time;     /* FILETIME, PidTagClientSubmitTime; 0 */
	uint64_t deferred_time;   /* FILETIME; 0 when none */
	uint64_t size;            /* PidTagMessageSize, else 0 */
	int32_t flags;            /* PidTagMessageFlags */
	uint32_t sent_nid;        /* IN_SENT: the Sent Items copy */
	size_t natt;              /* attachments */
	char *message_class;      /* PidTagMessageClass ("IPM.Note", a
				     meeting request...), or NULL */
};

/* An Outbox item that no read could open (its node or PC is damaged):
 * what the Outbox's contents table still says about it. */
struct pf_outbox_lost {
	uint32_t nid;
	char *subject;            /* from the contents table row, or NULL */
	uint64_t submit_time;     /* FILETIME from the row; 0 unknown */
	int32_t flags;            /* PidTagMessageFlags from the row; 0 */
	char why[160];            /* why it could not be read */
};

struct pf_outbox {
	char *path;
	uint32_t nid_outbox, nid_sent;   /* 0 when the store lacks them */
	struct pf_outbox_item *items;
	size_t nitems;
	bool salvaged;            /* read through the salvage path */
	char note[256];           /* why the Outbox is empty/partial, or "" */
	void *priv;               /* the open file(s) (outbox_src.c) */
	struct pf_outbox_lost *lost;  /* Outbox items that could not be
					 read, NID order (the first one's
					 reason also in note) */
	size_t nlost;
	size_t nsent_items;       /* messages looked at in Sent Items */
	bool sent_partial;        /* Sent Items was not read whole (damage,
				     salvage): a STRANDED item may have gone
				     out already; check before sending */
};

/* A private directory for the salvage rebuild, made on first need (the
 * caller removes it); NULL with pf_error_set() when none can be made. */
typedef const char *(*pf_outbox_workdir_fn)(void *ctx);

struct pf_outbox_opts {
	uint64_t now;             /* FILETIME for DEFERRED; 0: the clock */
	bool salvage;             /* allow the salvage path (default on) */
	pf_outbox_workdir_fn work_dir;   /* salvage: where the trailer-
					    scan rebuild goes; NULL: the
					    tolerant NBT walk only */
	void *ctx;
};

int pf_outbox_load(struct pf_outbox **out, const char *path,
		   const struct pf_outbox_opts *opts);
void pf_outbox_free(struct pf_outbox *ob);

/* The class of an item with PidTagMessageFlags FLAGS, deferred delivery
 * time DEFERRED (0: none) at NOW, and whether a copy is in Sent Items
 * (outbox_class.c; the rules at the top). */
enum pf_outbox_class pf_outbox_classify(int32_t flags, uint64_t deferred,
					uint64_t now, bool in_sent);

/* The SMTP address of A (a recipient or sender as pf_mimew_read gives
 * it), malloc'd; NULL when it has none (unresolvable) or no memory. */
char *pf_outbox_smtp(const struct pf_mimew_addr *a);

/* ITEM's message read again from the file (bodies, attachments), as
 * pf_mimew_read gives it; the caller frees it (pf_mimew_msg_free). */
int pf_outbox_read(struct pf_mimew_msg **out, const struct pf_outbox *ob,
		   const struct pf_outbox_item *item);

/* The current time as a FILETIME. */
uint64_t pf_outbox_now(void);

/* Render ITEM of OB as the exact bytes to submit (RFC 5322, CRLF, 7-bit,
 * no Bcc header), appended to OUT. */
int pf_outbox_render(struct pf_mimew_buf *out, struct pf_outbox *ob,
		     const struct pf_outbox_item *item);

#endif
