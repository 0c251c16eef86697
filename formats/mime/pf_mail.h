/*
 * pf_mail.h - one Internet message (RFC 5322 + MIME) as a neutral C
 * structure, and a streaming mbox reader; the parsing side of
 * `pstfix import`.
 *
 * Contract
 * - pf_mail_parse() reads a message's raw bytes (CRLF or LF) and fills a
 *   struct pf_mail.  It is tolerant: malformed input yields what can be
 *   read, and each problem tolerated adds one to `defects`.  It returns a
 *   negative PF_E_* code only for operational trouble (PF_E_NOMEM, or
 *   PF_E_LIMIT for an input past PF_MAIL_MAX_INPUT); then *out is left
 *   zeroed and needs no pf_mail_free().  After a 0 return the caller owns
 *   everything in *out and releases it with pf_mail_free().
 * - Every char * is NUL-terminated, valid UTF-8 and holds no NUL; text
 *   bodies have CRLF line ends.  Any pointer may be NULL when the message
 *   has no such thing.
 * - Bounded: output memory (a multiple of the input size), parts, nesting
 *   (PF_MAIL_MAX_DEPTH levels of message/rfc822), addresses, parameters.
 *   Hitting one of those bounds sets `truncated` (and counts a defect);
 *   the rest of the message is still returned.
 * - The mbox reader never holds more than one message (plus a fixed
 *   buffer) in memory.  It reads plain and gzip-compressed files alike.
 * - Nothing here prints; thread-safe (no globals).
 */
#ifndef PF_MAIL_H
#define PF_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PF_MAIL_MAX_DEPTH 16             /* message/rfc822 in message... */
#define PF_MAIL_MAX_INPUT ((size_t)1 << 30)   /* pf_mail_parse(), bytes */
#define PF_MBOX_MAX_MESSAGE ((size_t)512 << 20) /* one mbox message */

struct pf_mail_addr {
	char *name;          /* UTF-8 display name, RFC 2047 decoded */
	char *addr;          /* addr-spec "local@domain", UTF-8 */
};

struct pf_mail;

struct pf_mail_att {
	char *filename;      /* UTF-8, RFC 2231 / RFC 2047 decoded, path
				separators and control characters removed */
	char *mime_type;     /* lower-case "image/png" */
	char *content_id;    /* without <> */
	bool is_inline;      /* Content-Disposition inline, or referenced by
				cid: from the HTML body */
	uint8_t *data;       /* decoded bytes (transfer encoding undone,
				charset untouched; message/rfc822: the
				attached message as it was) */
	size_t cb;
	struct pf_mail *embedded;   /* message/rfc822, parsed (data kept) */
	/* additions */
	char *charset;       /* text parts: the declared charset, lower-case */
	char *content_location;     /* Content-Location, as written */
	char *description;   /* Content-Description, RFC 2047 decoded */
};

/*
 * Bodies and attachments (formats/mime/body.c has the rules): body_text is
 * the first text/plain and body_html the first text/html that is not an
 * attachment (no "Content-Disposition: attachment", no file name) and is
 * reached before another body: inside multipart/alternative both are
 * taken, elsewhere the first body part ends the search.  Every other leaf
 * is an attachment, in MIME order (the root of a multipart/related first),
 * including alternatives not taken (text/calendar, a second text/plain),
 * so nothing in the message is dropped.  Parts of an attached message
 * belong to its `embedded` pf_mail, not to this one.
 */
struct pf_mail {
	char *subject;                      /* RFC 2047 decoded UTF-8 */
	struct pf_mail_addr from, sender, reply_to;
	struct pf_mail_addr *to, *cc, *bcc; /* groups flattened */
	size_t nto, ncc, nbcc;
	char *message_id;                   /* without <> */
	char *in_reply_to, *references;     /* as written (unfolded) */
	bool has_date;
	int64_t date;                       /* seconds since 1970 UTC */
	char *body_text;                    /* UTF-8 */
	char *body_html;                    /* UTF-8 (converted) */
	char *html_charset;                 /* what the HTML declared
					       (Content-Type charset, else
					       its <meta>), lower-case */
	char *headers;                      /* top-level header block as
					       received, folding kept, every
					       line ending CRLF (no blank
					       line after; no mbox "From "
					       line); 8-bit bytes that are
					       not UTF-8 read as cp1252 */
	int importance;                     /* 0 low, 1 normal, 2 high */
	int sensitivity;                    /* 0 none, 1 personal, 2 private,
					       3 confidential */
	bool read_receipt;                  /* Disposition-Notification-To */
	struct pf_mail_att *att;
	size_t natt;
	unsigned defects;                   /* problems tolerated (this
					       message and those inside) */
	/* additions */
	bool truncated;          /* a bound was hit: something was dropped */
	struct pf_mail_addr *reply_to_all;  /* every Reply-To address */
	size_t nreply_to;                   /* (reply_to is the first) */
	uint8_t *html_raw;       /* the HTML body's bytes before charset
				    conversion (they match html_charset;
				    body_html is UTF-8 while a <meta> in it
				    may still name the old charset) */
	size_t html_raw_cb;
	int64_t date_offset;     /* the Date: zone, seconds east of UTC */
	bool unsent;             /* X-Unsent: 1 (a draft, Outlook's header) */
	char *thread_topic;      /* Thread-Topic (PidTagConversationTopic) */
	uint8_t *thread_index;   /* Thread-Index, base64-decoded */
	size_t thread_index_cb;  /* (PidTagConversationIndex) */
};

/* Parse one message; see the contract above. */
int pf_mail_parse(const uint8_t *raw, size_t cb, struct pf_mail *out);

/* Free everything in M (not M itself) and zero it.  NULL allowed. */
void pf_mail_free(struct pf_mail *m);

/* Parse an RFC 5322 date-time (section 3.3, obsolete forms of 4.3, and
 * the asctime() form of mbox "From " lines) into seconds since 1970 UTC;
 * *offset gets the zone in seconds east of UTC (NULL allowed).  0, or
 * PF_E_CORRUPT when no date can be read. */
int pf_mail_parse_date(const char *s, size_t n, int64_t *epoch,
		       int64_t *offset);

/*
 * mbox (RFC 4155): messages start at "From " lines at the start of the
 * file or after a blank line; mboxrd quoting (">From " and deeper) is
 * undone; the blank line that ends each message is dropped.  CRLF and LF
 * files; gzip-compressed files are read transparently.
 */
struct pf_mbox;

/* Open PATH.  PF_E_IO when it cannot be read; PF_E_UNSUPPORTED when its
 * first non-blank line is not a "From " line (not an mbox).  An empty
 * file is an empty mbox. */
int pf_mbox_open(struct pf_mbox **out, const char *path);

/* The same over an open descriptor (the reader takes it: closed by
 * pf_mbox_close()). */
int pf_mbox_open_fd(struct pf_mbox **out, int fd);

/* 1 = one message in *raw (malloc'd, the caller frees it), *cb bytes;
 * 0 = end of file; <0 = PF_E_* error.  PF_E_LIMIT: the message was larger
 * than PF_MBOX_MAX_MESSAGE and has been skipped; the next call goes on
 * with the following message.  PF_E_IO and PF_E_NOMEM are final. */
int pf_mbox_next(struct pf_mbox *mb, uint8_t **raw, size_t *cb);

/* Lower the per-message bound (default and ceiling: PF_MBOX_MAX_MESSAGE). */
void pf_mbox_set_max(struct pf_mbox *mb, size_t max);

/* The "From " line that started the message last returned, without the
 * "From " and the line end (at most 1000 bytes; "" before the first). */
const char *pf_mbox_envelope(const struct pf_mbox *mb);

/* The date of that "From " line (asctime() after the sender, RFC 4155),
 * for messages without a usable Date:.  0, or PF_E_CORRUPT. */
int pf_mbox_date(const struct pf_mbox *mb, int64_t *epoch);

/* Byte offset (in the uncompressed stream) of that "From " line. */
uint64_t pf_mbox_offset(const struct pf_mbox *mb);

void pf_mbox_close(struct pf_mbox *mb);

#endif
