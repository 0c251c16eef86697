/*
 * sample_outbox.c - the `outbox-mix=1` sample: one Outbox item of every
 * kind `pstfix outbox` must tell apart, and the Sent Items copies that
 * make some of them "already sent" (smtp-facts.md, MS-OXCMSG 2.2.1.6,
 * MS-OXOMSG 2.2.3).  The class each item is meant to have goes to the
 * manifest, so tests compare the reader with the writer's intent.
 *
 *   #  flags            what else                        meant class
 *   1  UNSENT|SUBMIT    subject and sender name with CR/LF and non-ASCII,
 *                       body lines starting "." and "From ", To/Cc/Bcc,
 *                       an attachment                    stranded
 *   2  UNSENT           -                                draft
 *   3  READ             copy in Sent Items (same id)     sent
 *   4  UNSENT|SUBMIT    deferred to 2099-01-01           deferred
 *   5  UNSENT|SUBMIT    deferred to 2025-06-01 (passed)  stranded
 *   6  UNSENT|SUBMIT    copy in Sent Items (same id)     in-sent
 *   7  UNSENT|SUBMIT    no Message-ID; a Sent Items copy with the same
 *                       PidTagSearchKey                  in-sent
 *   8  UNSENT|SUBMIT    To SMTP, To EX with PidTagSmtpAddress, Cc EX
 *                       without (unresolvable), To SMTP with the
 *                       delivered flag 0x80000000        stranded
 *   9  UNSENT|SUBMIT    no Message-ID, no search key (the id is made
 *                       deterministically)               stranded
 *
 * Content is fixed (no generator): the same file on every run.
 */
#include <stdio.h>
#include <string.h>

#include "../../formats/msg/pf_msg.h"
#include "sample.h"

#define OUTBOX_PATH "Top of Personal Folders/Outbox"
#define SENT_PATH "Top of Personal Folders/Sent Items"
#define QUEUED (PF_MSGFLAG_UNSENT | PF_MSGFLAG_SUBMIT)
#define DELIVERED 0x80000001u   /* delivered | recipSendable */

static const char body_dots[] =
	"Hello,\n"
	".\n"
	".a line that starts with a dot\n"
	"..two dots\n"
	"From the desk of the sender: a line that starts with From\n"
	"From here on, mbox readers would quote it.\n"
	"Bye\n";

static const uint8_t attach_data[] = "Bericht: Zahlen für Q4\r\n1,2,3\r\n";

static const struct pf_msgw_att attach = {
	.filename = "Bericht für Q4.txt",
	.mime_type = "text/plain",
	.data = attach_data,
	.cb = sizeof(attach_data) - 1,
};

static const struct pf_msgw_rcpt rcpt_plain[] = {
	{ .name = "Ann Example", .addr = "ann@example.com",
	  .type = PF_RCPT_TO },
};

static const struct pf_msgw_rcpt rcpt_special[] = {
	{ .name = "Ann Example", .addr = "ann@example.com",
	  .type = PF_RCPT_TO },
	{ .name = "Çelik, Ömer", .addr = "omer@example.com",
	  .type = PF_RCPT_CC },
	{ .name = "Hidden Reader", .addr = "hidden@example.net",
	  .type = PF_RCPT_BCC },
};

static const struct pf_msgw_rcpt rcpt_mixed[] = {
	{ .name = "Ann Example", .addr = "ann@example.com",
	  .type = PF_RCPT_TO },
	{ .name = "Alice Exchange", .addr = "alice@example.com",
	  .type = PF_RCPT_TO, .addrtype = "EX",
	  .email = "/o=Example/ou=Exchange Administrative Group "
		   "(FYDIBOHF23SPDLT)/cn=Recipients/cn=alice" },
	{ .name = "Bob Legacy", .type = PF_RCPT_CC, .addrtype = "EX",
	  .email = "/o=Example/ou=First Administrative Group/cn=Recipients/"
		   "cn=bob" },
	{ .name = "Dora Delivered", .addr = "dora@example.com",
	  .type = PF_RCPT_TO, .flags = DELIVERED },
};

static const uint8_t key7[16] = {
	0x50, 0x53, 0x54, 0x46, 0x49, 0x58, 0x2d, 0x37,
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
};

struct mix {
	const char *cls;
	const char *subject;
	uint32_t flags;
	int64_t deferred;           /* UNIX seconds; 0: none */
	bool no_id;
	const uint8_t *key;         /* PidTagSearchKey */
	bool sent_copy;             /* a copy in Sent Items */
	const struct pf_msgw_rcpt *rcpt;
	uint32_t nrcpt;
};

#define RC(v) v, (uint32_t)(sizeof(v) / sizeof(v[0]))

static const struct mix items[] = {
	{ "stranded", "Quarterly report\r\nBcc: evil@example.net Grüße "
	  "日本語", QUEUED, 0, false, NULL, false, RC(rcpt_special) },
	{ "draft", "Draft left in the Outbox", PF_MSGFLAG_UNSENT, 0, false,
	  NULL, false, RC(rcpt_plain) },
	{ "sent", "Sent, still in the Outbox", PF_MSGFLAG_READ, 0, false,
	  NULL, true, RC(rcpt_plain) },
	{ "deferred", "Deferred to 2099", QUEUED, 4070908800ll, false, NULL,
	  false, RC(rcpt_plain) },
	{ "stranded", "Deferred to 2025 (passed)", QUEUED, 1748736000ll,
	  false, NULL, false, RC(rcpt_plain) },
	{ "in-sent", "Sent, then Outlook stopped", QUEUED, 0, false, NULL,
	  true, RC(rcpt_plain) },
	{ "in-sent", "Sent (found by search key)", QUEUED, 0, true, key7,
	  true, RC(rcpt_plain) },
	{ "stranded", "Mixed recipients", QUEUED, 0, false, NULL, false,
	  RC(rcpt_mixed) },
	{ "stranded", "No Message-ID", QUEUED, 0, true, NULL, false,
	  RC(rcpt_plain) },
};

static int put(struct pf_storew *s, enum pf_std_folder f, const char *path,
	       const struct pf_msgw_message *m, const char *cls,
	       pf_sample_fn fn, void *ctx)
{
	struct pf_sample_msg sm = { .folder = path, .m = m,
				    .outbox_class = cls };
	int rc = pf_storew_add_message(s, pf_storew_std_folder(s, f), m,
				       &sm.nid);

	if (rc == 0 && fn)
		rc = fn(ctx, &sm);
	return rc;
}

int pf_sample_outbox_mix(struct pf_storew *s, uint64_t first_minute,
			 pf_sample_fn fn, void *ctx)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(items) / sizeof(*items);
	     i++) {
		const struct mix *x = &items[i];
		char id[64];
		struct pf_msgw_message m = {
			.subject = x->subject,
			.sender_name = i == 0 ? "Zoë Müller\r\nX-Injected: 1" :
				"Outbox Tester",
			.sender_addr = "tester@example.org",
			.rcpt = x->rcpt, .nrcpt = x->nrcpt,
			.body_text = i == 0 ? body_dots : "Hello from the "
				"Outbox.\n",
			.message_id = x->no_id ? NULL : id,
			.submit_time = pf_filetime_from_unix(PF_SAMPLE_EPOCH +
				(int64_t)(first_minute + i) * 60),
			.flags = x->flags,
			.deferred_time = x->deferred ?
				pf_filetime_from_unix(x->deferred) : 0,
			.search_key = x->key,
			.search_key_cb = x->key ? sizeof(key7) : 0,
			.att = i == 0 ? &attach : NULL,
			.natt = i == 0 ? 1 : 0,
		};

		snprintf(id, sizeof(id), "outbox-mix-%zu@pstfix.test", i + 1);
		rc = put(s, PF_FOLDER_OUTBOX, OUTBOX_PATH, &m, x->cls, fn,
			 ctx);
		if (rc != 0 || !x->sent_copy)
			continue;
		m.flags = PF_MSGFLAG_READ;   /* what Outlook files as sent */
		rc = put(s, PF_FOLDER_SENT, SENT_PATH, &m, NULL, fn, ctx);
	}
	return rc;
}
