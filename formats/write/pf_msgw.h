/*
 * pf_msgw.h - the messaging half of the writer: a store with the
 * mandatory nodes of MS-PST 2.7.1, folders, and messages with recipients
 * and attachments.
 *
 * Contract
 * - pf_storew_open() starts a file with the standard folders (the IPM
 *   subtree "Top of Personal Folders" with Deleted Items, Inbox, Outbox,
 *   Sent Items and Drafts; the search root; the spam search folder).
 * - Messages are written as they are added (their blocks go to disk at
 *   once); what indexes them -- folder PCs and their hierarchy, contents
 *   and FAI tables -- is written by pf_storew_commit(), when the counts
 *   are known.  Memory per message: one contents-table row.
 * - All strings are UTF-8 in, UTF-16LE (Unicode files) or Windows-1252
 *   (ANSI files) on disk.  Times are FILETIMEs; the caller fixes the clock
 *   (opts.now) so output is deterministic.
 * - The input structures are only read during the call.
 */
#ifndef PF_MSGW_H
#define PF_MSGW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pf_write.h"

struct pf_storew_opts {
	const char *display_name;   /* "Personal Folders" when NULL */
	uint64_t now;               /* FILETIME for creation times */
	uint32_t seed;              /* record key and other "random" bytes */
};

/* The standard folders every store gets. */
enum pf_std_folder {
	PF_FOLDER_IPM = 0,          /* Top of Personal Folders (0x8022) */
	PF_FOLDER_DELETED,          /* Deleted Items (0x8062) */
	PF_FOLDER_INBOX,
	PF_FOLDER_OUTBOX,
	PF_FOLDER_SENT,
	PF_FOLDER_DRAFTS,
	PF_FOLDER__COUNT
};

enum pf_rcpt_type { PF_RCPT_TO = 1, PF_RCPT_CC = 2, PF_RCPT_BCC = 3 };

struct pf_msgw_rcpt {
	const char *name;           /* display name, may be NULL */
	const char *addr;           /* SMTP address (PidTagSmtpAddress) */
	enum pf_rcpt_type type;
	/* Other address types (Exchange "EX" DNs, for the Outbox tests):
	 * with ADDRTYPE set, PidTagAddressType and PidTagEmailAddress are
	 * ADDRTYPE and EMAIL, and PidTagSmtpAddress is ADDR only when
	 * given.  NULL: an SMTP recipient as above. */
	const char *addrtype;
	const char *email;
	uint32_t flags;             /* PidTagRecipientFlags; 0: absent */
};

struct pf_msgw_message;

struct pf_msgw_att {
	const char *filename;       /* long file name */
	const char *mime_type;
	const char *content_id;     /* for inline images */
	bool is_inline;
	const uint8_t *data;
	size_t cb;
	const struct pf_msgw_message *embedded; /* message/rfc822: written as
						   an embedded message */
};

struct pf_msgw_message {
	const char *message_class;  /* "IPM.Note" when NULL */
	const char *subject;
	const char *sender_name;
	const char *sender_addr;
	const struct pf_msgw_rcpt *rcpt;
	uint32_t nrcpt;
	const char *body_text;
	const char *body_html;      /* UTF-8 */
	const char *message_id;     /* without <> */
	const char *in_reply_to;
	const char *references;
	const char *headers;        /* transport headers */
	uint64_t submit_time;       /* FILETIME; 0: opts.now */
	uint64_t delivery_time;     /* FILETIME; 0: submit_time */
	uint32_t flags;             /* PidTagMessageFlags (PF_MSGFLAG_*) */
	uint64_t deferred_time;     /* PidTagDeferredDeliveryTime; 0: none */
	const uint8_t *search_key;  /* PidTagSearchKey; NULL: none */
	size_t search_key_cb;
	int32_t importance;         /* 0 low, 1 normal (default), 2 high */
	int32_t sensitivity;
	const struct pf_msgw_att *att;
	uint32_t natt;
};

struct pf_storew;

int pf_storew_open(struct pf_storew **out, const char *path,
		   const struct pf_write_opts *wopts,
		   const struct pf_storew_opts *sopts);
/* Write the folders, their tables and the store; commit the file. */
int pf_storew_commit(struct pf_storew *s);
void pf_storew_abort(struct pf_storew *s);

uint32_t pf_storew_std_folder(const struct pf_storew *s,
			      enum pf_std_folder which);
/* A new folder under PARENT (a folder NID this store made). */
int pf_storew_add_folder(struct pf_storew *s, uint32_t parent,
			 const char *name, const char *container_class,
			 uint32_t *nid);
int pf_storew_add_message(struct pf_storew *s, uint32_t folder,
			  const struct pf_msgw_message *m, uint32_t *nid);

/* A store over writer W that W's owner commits or aborts (repair: W
 * was opened over an existing file).  No folders are made; the builders
 * of msgw_int.h write single nodes.  RECORD_KEY is the store's provider
 * UID for EntryIDs (NULL: made from opts->seed).  Free it with
 * pf_storew_abort(), which leaves W alone. */
int pf_storew_attach(struct pf_storew **out, struct pf_writer *w,
		     const struct pf_storew_opts *opts,
		     const uint8_t record_key[16]);

/* UNIX seconds to FILETIME. */
static inline uint64_t pf_filetime_from_unix(int64_t secs)
{
	return (uint64_t)(secs + 11644473600ll) * 10000000ull;
}

#endif
