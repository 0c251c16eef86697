/*
 * pf_mimew.h - the writing side of formats/mime: a MAPI message (MS-PST
 * 2.4.5) to an RFC 5322 / MIME message following MS-OXCMAIL, and the
 * items that are not mail to vCard 4 (RFC 6350) / iCalendar (RFC 5545).
 *
 * Two steps, so that callers (export, the Outbox) can look at or change
 * the neutral form in between:
 *   pf_mimew_read()    a message node (or an embedded message) -> struct
 *                      pf_mimew_msg: plain C strings and bytes
 *   pf_mimew_render()  struct pf_mimew_msg -> bytes in a growable buffer
 * pf_mime_from_message() does both for any (ndb, nid).
 *
 * Contract of the output (what makes it safe to hand to SMTP):
 * - CRLF line ends only, never a bare CR or LF; 7-bit only (quoted-
 *   printable or base64 where the content needs it; message/rfc822 parts
 *   are themselves 7-bit); no line longer than 998 octets.
 * - A value taken from the PST never starts a header of its own: control
 *   characters (CR and LF included) become spaces in header text, and
 *   anything not printable ASCII is RFC 2047-encoded (RFC 2231 in
 *   parameters).
 * - Deterministic: the same message gives the same bytes on every run.
 *   Boundaries are "=_pf_H_D_N_" with H a 64-bit FNV-1a hash of the
 *   message's identity (NID, Message-ID, subject, date, sender), D its
 *   message/rfc822 depth and N a counter; no boundary is a prefix of
 *   another, and none can occur in a body (bodies that would contain
 *   "=_pf_" are quoted-printable, base64 has no "_").
 * - Bcc recipients are in pf_mimew_msg (the Outbox needs its envelope)
 *   but a Bcc: header is written only with opts.include_bcc.
 *
 * Rules (MS-OXCMAIL 2.2.3 and 2.1.3): where a MAPI property exists it
 * wins; PidTagTransportMessageHeaders (the header block the message
 * arrived with) supplies only what MAPI lacks -- each of the fields this
 * writer generates (From, Reply-To -- from PidTagReplyRecipientEntries --,
 * To, Cc, Date, Message-ID, ...) is taken from it when the property is
 * absent, and trace and other fields MAPI has no property for (Received,
 * List-*, X-...) are copied; Content-*,
 * MIME-Version, Bcc, DKIM/ARC signatures (no longer valid once the body is
 * re-encoded) and mailbox state (Status, X-Status) never are.  Why: the
 * properties are what the user last saw and edited in Outlook; the header
 * block is only the arrival record.
 *
 * Message-ID when neither PidTagInternetMessageId nor the header block has
 * one: "<pstfix.S.N@DOMAIN>" with S the 16 hex digits of the FNV-1a hash
 * of PidTagSearchKey (stable for the life of the message in its store;
 * when absent: of the subject, submit time and sender), N the NID in hex
 * and DOMAIN the From address's domain ("pstfix.invalid" without one).
 * A stored id that is not an RFC 5322 msg-id (Outlook writes some with
 * two '@') is made one: before the last '@' only atext and inner dots
 * stay, anything else becomes "+XX"; the same rule is applied to the ids
 * of In-Reply-To and References, so threads still join.
 *
 * Addresses: SMTP addresses as they are (PidTagSmtpAddress, then the
 * e-mail address when its type is SMTP or it looks like one); other
 * address types (Exchange EX DNs, X.400) in MS-OXCMAIL's IMCEA form
 * "IMCEA<TYPE>-<address with '/' as '_' and other non-atext as +XX>@
 * invalid"; a recipient with no address at all as "unknown@invalid".
 *
 * Errors: 0 or a negative PF_E_* (one-line message set).  Reading is
 * tolerant: an attachment that cannot be read is left out and counted in
 * msg->lost with a note; a message whose PC cannot be read fails.
 * Nothing here prints.
 */
#ifndef PF_MIMEW_H
#define PF_MIMEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../msg/pf_msg.h"

/* ---- a growable output buffer (always NUL-terminated) ---- */
struct pf_mimew_buf {
	char *p;
	size_t n, cap;
	int err;         /* sticky: the first failure; puts become no-ops */
};

void pf_mimew_buf_free(struct pf_mimew_buf *b);

#define PF_MIMEW_MAX_OUT ((size_t)1 << 31)  /* one rendered message */
#define PF_MIMEW_MAX_DEPTH 16               /* embedded in embedded ... */
#define PF_MIMEW_MAX_ATT 10000              /* attachments of one message */
#define PF_MIMEW_MAX_RCPT 100000            /* recipients of one message */

enum pf_mimew_rtype {
	PF_MIMEW_FROM = 0, PF_MIMEW_TO = 1, PF_MIMEW_CC = 2, PF_MIMEW_BCC = 3
};

struct pf_mimew_addr {
	char *name;              /* UTF-8 display name or NULL */
	char *addr;              /* SMTP address, or NULL (see above) */
	char *addrtype;          /* "SMTP", "EX", ... or NULL */
	enum pf_mimew_rtype type;
	/* recipients only (the Outbox needs them): */
	char *orig_type;         /* PidTagAddressType as stored, or NULL */
	uint32_t rflags;         /* PidTagRecipientFlags (MS-OXOMSG
				    2.2.3.3), 0 when absent */
};

struct pf_mimew_msg;

enum pf_mimew_method {       /* PidTagAttachMethod (MS-OXCMSG 2.2.2.9) */
	PF_ATT_NONE = 0, PF_ATT_BY_VALUE = 1, PF_ATT_BY_REFERENCE = 2,
	PF_ATT_REF_RESOLVE = 3, PF_ATT_REF_ONLY = 4, PF_ATT_EMBEDDED = 5,
	PF_ATT_OLE = 6,
};

struct pf_mimew_att {
	char *filename;          /* long file name, else 8.3, else display */
	char *mime_type;         /* PidTagAttachMimeTag, NULL when absent */
	char *content_id;        /* without <> */
	char *content_location;
	enum pf_mimew_method method;
	bool hidden;             /* PidTagAttachmentHidden */
	uint8_t *data;           /* by value / OLE: the bytes */
	size_t cb;
	struct pf_mimew_msg *embedded;   /* PF_ATT_EMBEDDED */
};

/* Items that are not mail (vCard / iCalendar), from standard and named
 * properties; every field may be NULL / 0. */
struct pf_mimew_item {
	char *given, *surname, *middle, *prefix, *suffix, *nickname;
	char *company, *department, *title;
	char *email[3];          /* PidLidEmail1..3EmailAddress */
	char *phone_work, *phone_home, *phone_mobile, *phone_fax;
	char *street, *city, *region, *postcode, *country;  /* work */
	char *url, *birthday;    /* birthday "YYYYMMDD" */
	char *location;          /* appointments */
	uint64_t start, end;     /* FILETIME: appointment / task start, due */
	bool all_day;
	bool has_complete;
	bool complete;           /* tasks */
	int32_t percent;         /* tasks, 0..100 */
	char *uid;               /* meetings: PidLidGlobalObjectId in hex */
	char **members;          /* distribution lists: member addresses */
	size_t nmembers;
};

struct pf_mimew_msg {
	uint32_t nid;
	char *message_class;
	char *subject;
	struct pf_mimew_addr from;       /* sent representing, else sender */
	struct pf_mimew_addr sender;     /* when it differs from `from` */
	bool has_sender;
	struct pf_mimew_addr *rcpt;      /* in table order */
	size_t nrcpt;
	char *display_to, *display_cc, *display_bcc;  /* PidTagDisplay* */
	struct pf_mimew_addr *reply_to;  /* PidTagReplyRecipientEntries */
	size_t nreply_to;
	char *message_id;                /* without <>; NULL when absent */
	char *in_reply_to, *references;  /* as stored */
	char *transport_headers;         /* PidTagTransportMessageHeaders */
	uint64_t submit_time, delivery_time, creation_time;  /* FILETIME */
	uint64_t deferred_time;  /* PidTagDeferredDeliveryTime, 0 absent */
	int32_t flags;                   /* PidTagMessageFlags */
	int32_t importance;              /* -1 absent, 0 low .. 2 high */
	int32_t priority;                /* -2 absent, -1 .. 1 */
	int32_t sensitivity;             /* -1 absent, 0 .. 3 */
	bool read_receipt;
	uint8_t *search_key;
	size_t search_key_cb;
	char *body_text;                 /* UTF-8 */
	uint8_t *body_html;              /* bytes in html_charset */
	size_t body_html_cb;
	char html_charset[32];           /* from PidTagInternetCodepage */
	bool html_from_rtf;
	uint8_t *rtf;                    /* PidTagRtfCompressed, raw */
	size_t rtf_cb;
	struct pf_mimew_att *att;
	size_t natt;
	struct pf_mimew_item item;
	unsigned lost;                   /* parts left out (unreadable) */
	char note[200];                  /* why, for the first one */
};

/* Named properties used for contacts and appointments are resolved
 * through MAP (formats/msg pf_nameid_load); NULL: those fields stay
 * empty.  M is an open message (pf_message_open, or an embedded one). */
int pf_mimew_read(struct pf_mimew_msg **out, struct pf_message *m,
		  const struct pf_nameid_map *map);
void pf_mimew_msg_free(struct pf_mimew_msg *msg);

struct pf_mimew_opts {
	bool include_bcc;        /* write a Bcc: header (never by default) */
	bool no_transport;       /* ignore PidTagTransportMessageHeaders */
};

/* Append MSG as one RFC 5322 message to OUT. */
int pf_mimew_render(struct pf_mimew_buf *out, const struct pf_mimew_msg *msg,
		    const struct pf_mimew_opts *opts);

/* Read and render message NID of NDB. */
int pf_mime_from_message(struct pf_mimew_buf *out, struct pf_ndb *ndb,
			 uint32_t nid, const struct pf_nameid_map *map,
			 const struct pf_mimew_opts *opts);

/* What an item becomes, by PidTagMessageClass (case-insensitive prefix):
 * IPM.Contact and IPM.DistList -> vCard (a list as KIND:group with its
 * members), IPM.Appointment / IPM.Task -> iCalendar (VEVENT / VTODO),
 * anything else (IPM.Note, reports, meeting requests) -> mail. */
enum pf_mimew_kind { PF_MIMEW_MAIL, PF_MIMEW_VCARD, PF_MIMEW_VEVENT,
		     PF_MIMEW_VTODO };
enum pf_mimew_kind pf_mimew_kind_of(const char *message_class);

/* The iTIP method (RFC 5546) of a meeting message class:
 * IPM.Schedule.Meeting.Request -> "REQUEST", .Canceled -> "CANCEL",
 * .Resp.* -> "REPLY"; NULL for anything else. */
const char *pf_mimew_meeting_method(const char *message_class);

/* vCard 4.0 (RFC 6350) / iCalendar (RFC 5545), CRLF, lines folded at 75
 * octets, UTF-8. */
int pf_mimew_vcard(struct pf_mimew_buf *out, const struct pf_mimew_msg *m);
int pf_mimew_ical(struct pf_mimew_buf *out, const struct pf_mimew_msg *m,
		  enum pf_mimew_kind kind);

/* The Message-ID MSG is written with (without <>), derived as above when
 * it has none; a malloc'd string or NULL (out of memory). */
char *pf_mimew_message_id(const struct pf_mimew_msg *msg);

/* A is written as a plain SMTP addr-spec (not IMCEA, not unknown@): its
 * address passes the addr-spec rules whatever its type says. */
bool pf_mimew_addr_is_smtp(const char *addr);

/* ---- encoders (mimew_enc.c, mimew_hdr.c), public for tests ---- */

/* Append the RFC 2047 B encoded-words of UTF-8 text S to OUT: each word
 * at most 75 octets and whole characters, words separated by " ". */
void pf_mimew_ew(struct pf_mimew_buf *out, const char *s);
/* One header field "Name: value" CRLF, VALUE unstructured text (RFC 5322
 * 3.2.5): folded at whitespace near 78 columns, encoded when needed. */
void pf_mimew_field_text(struct pf_mimew_buf *out, const char *name,
			 const char *value);
/* An address-list field of N addresses (display names quoted or encoded,
 * addr-specs as described above). */
void pf_mimew_field_addrs(struct pf_mimew_buf *out, const char *name,
			  const struct pf_mimew_addr *v, size_t n);
/* A Content-Type / Content-Disposition field "NAME: VALUE; p=v; ..."
 * with PARAMS as name, value pairs ending in NULL (pairs with a NULL value
 * are skipped): quoted strings when printable ASCII, else RFC 2231
 * "p*=utf-8''%XX" split in continuations "p*0*=", "p*1*=" (RFC 2231 3-4).
 */
void pf_mimew_field_params(struct pf_mimew_buf *out, const char *name,
			   const char *value, const char *const *params);
/* Base64 (RFC 2045 6.8) in CRLF lines of 76. */
void pf_mimew_base64(struct pf_mimew_buf *out, const uint8_t *p, size_t n);
/* Quoted-printable (RFC 2045 6.7); any line end (CR, LF, CRLF) becomes
 * a CRLF hard line break. */
void pf_mimew_qp(struct pf_mimew_buf *out, const uint8_t *p, size_t n);

#endif
