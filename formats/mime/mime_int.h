/*
 * mime_int.h - what the files of formats/mime share: the parse context
 * (output budget, defect count, one cached iconv descriptor), a growable
 * byte buffer charged to that budget, header fields, Content-Type style
 * parameter lists, and one entity (a MIME part) ready to walk.
 *
 * Contract: every function returns 0 or a negative PF_E_* code; PF_E_LIMIT
 * means the output budget ran out (ctx->truncated is then set) and callers
 * that can skip the piece they were building do so and go on.  Defects are
 * counted in the context, never returned.  Internal names start with pfm_.
 */
#ifndef PF_MIME_INT_H
#define PF_MIME_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/pf_err.h"
#include "pf_mail.h"

/* ---- bounds ---- */
#define PFM_MAX_FIELDS     10000      /* header fields kept per entity */
#define PFM_MAX_FIELD_LEN  (1u << 20) /* one unfolded field value */
#define PFM_MAX_PARAMS     256        /* parameters of one Content-Type */
#define PFM_MAX_SECTIONS   1000       /* RFC 2231 continuations */
#define PFM_MAX_ADDRS      10000      /* addresses in one field */
#define PFM_MAX_PARTS      10000      /* body parts of one multipart */
#define PFM_MAX_ENTITIES   100000     /* entities in one pf_mail_parse() */
#define PFM_MAX_NEST       64         /* multipart/message nesting */
#define PFM_MAX_ATT        20000      /* attachments of one message */
#define PFM_MAX_CIDS       20000      /* cid: references kept from HTML */
#define PFM_MAX_BOUNDARY   200        /* RFC 2046 says 70 */
#define PFM_CHARSET_MAX    40
#define PFM_TYPE_MAX       128
#define PFM_EW_MAX         1024       /* one encoded-word (RFC 2047: 75) */
#define PFM_CHARSET_BAD    "x-unusable-charset"  /* a name we cannot use */

/* ---- context ---- */
struct pfm_ctx {
	size_t budget;       /* output bytes still allowed */
	unsigned defects;
	bool truncated;
	unsigned entities;   /* entities opened so far */
	unsigned depth;      /* message/rfc822 depth of the current message */
	unsigned nest;       /* multipart nesting, all messages together */
	void *cd;            /* cached iconv_t, (void *)-1 when none */
	char cd_name[PFM_CHARSET_MAX + 1];
};

void pfm_ctx_init(struct pfm_ctx *c, size_t input_cb);
void pfm_ctx_done(struct pfm_ctx *c);

static inline void pfm_defect(struct pfm_ctx *c)
{
	if (c->defects < UINT32_MAX)
		c->defects++;
}

/* A bound was hit and something dropped: flag it and count a defect. */
void pfm_truncate(struct pfm_ctx *c);

/* Charge N bytes to the budget: 0, or PF_E_LIMIT (truncated set). */
int pfm_charge(struct pfm_ctx *c, size_t n);
void pfm_refund(struct pfm_ctx *c, size_t n);

/* ---- growable buffer (always room for a NUL after n bytes) ---- */
struct pfm_buf {
	char *p;
	size_t n, cap;
};

/* Room for MORE bytes (and the NUL) past n. */
int pfm_buf_reserve(struct pfm_ctx *c, struct pfm_buf *b, size_t more);
int pfm_buf_put(struct pfm_ctx *c, struct pfm_buf *b, const void *p,
		size_t n);
int pfm_buf_putc(struct pfm_ctx *c, struct pfm_buf *b, char ch);
int pfm_buf_put_cp(struct pfm_ctx *c, struct pfm_buf *b, uint32_t cp);
/* The bytes as a NUL-terminated string (never NULL on success, "" for an
 * empty buffer); the buffer is left empty.  The charge stays. */
int pfm_buf_take(struct pfm_ctx *c, struct pfm_buf *b, char **out);
/* The same with NULs dropped and whitespace trimmed; *out NULL (and 0)
 * when nothing is left. */
int pfm_buf_take_tidy(struct pfm_ctx *c, struct pfm_buf *b, char **out);
void pfm_buf_free(struct pfm_ctx *c, struct pfm_buf *b);

int pfm_strndup(struct pfm_ctx *c, const char *s, size_t n, char **out);

/* ---- small ASCII helpers (locale-independent) ---- */
static inline char pfm_lower(char ch)
{
	return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

static inline bool pfm_is_wsp(char ch)
{
	return ch == ' ' || ch == '\t';
}

static inline bool pfm_is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static inline int pfm_hex(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* S[0..N) equals the NUL-terminated WORD, ignoring ASCII case. */
bool pfm_ieq(const char *s, size_t n, const char *word);
/* S starts with PREFIX, ignoring ASCII case. */
bool pfm_iprefix(const char *s, size_t n, const char *prefix);
/* Lower-case S in place (ASCII). */
void pfm_strlower(char *s);
/* Trim WSP/CR/LF from both ends of S[*n]; returns the new start. */
const char *pfm_trim(const char *s, size_t *n);

/* ---- charset.c: anything to UTF-8 ---- */
bool pfm_utf8_valid(const uint8_t *p, size_t n);
/* Append P[N] in CHARSET (NULL or "" = undeclared) to OUT as UTF-8:
 * iconv for named charsets, Windows-1252 for unknown ones (a defect),
 * UTF-8-then-Windows-1252 for undeclared 8-bit text. */
int pfm_to_utf8(struct pfm_ctx *c, const char *charset, const uint8_t *p,
		size_t n, struct pfm_buf *out);
/* Undeclared bytes: UTF-8 when valid, else Windows-1252 (no defect). */
int pfm_raw_to_utf8(struct pfm_ctx *c, const uint8_t *p, size_t n,
		    struct pfm_buf *out);
/* Copy S[N] to a new string with CRLF line ends and no NULs. */
int pfm_text_finish(struct pfm_ctx *c, const char *s, size_t n,
		    char **out);
/* Canonical lower-case charset name in OUT (cap bytes); false when the
 * name is unusable (empty, too long, odd characters). */
bool pfm_charset_name(const char *s, size_t n, char *out, size_t cap);

/* ---- header.c: the header block (RFC 5322 2.2, 3.6) ---- */
struct pfm_field {
	const char *name;
	size_t name_len;
	const char *val;     /* raw, folded: from after ':' to the last */
	size_t val_len;      /* line end (excluded) */
};

struct pfm_fields {
	struct pfm_field *v;
	size_t n, cap;
	size_t hdr_start;    /* where the fields start (after "From ") */
	size_t hdr_len;      /* end of the header lines (before the blank) */
	size_t body_off;     /* where the body starts */
};

/* ENVELOPE: a leading mbox "From " line is skipped (messages only, not
 * body parts). */
int pfm_fields_parse(struct pfm_ctx *c, const uint8_t *p, size_t n,
		     bool envelope, struct pfm_fields *out);
void pfm_fields_free(struct pfm_fields *f);
const struct pfm_field *pfm_field_find(const struct pfm_fields *f,
				       const char *name);
/* The unfolded, trimmed value of the first field NAME (*out NULL when
 * there is none). */
int pfm_field_get(struct pfm_ctx *c, const struct pfm_fields *f,
		  const char *name, char **out);
/* The header lines of P as UTF-8 text with CRLF line ends. */
int pfm_header_text(struct pfm_ctx *c, const uint8_t *p, size_t n,
		    char **out);

/* ---- rfc2047.c: encoded-words ---- */
/* Append unstructured text S[N] to OUT, encoded-words decoded, the rest
 * read as UTF-8 (Windows-1252 when not valid). */
int pfm_words_decode(struct pfm_ctx *c, const char *s, size_t n,
		     struct pfm_buf *out);
/* The same into a new string, trimmed; *out NULL when S is NULL or the
 * result is empty. */
int pfm_header_decode(struct pfm_ctx *c, const char *s, char **out);

/* ---- param.c: Content-Type / Content-Disposition (RFC 2045 5.1,
 * RFC 2183) ---- */
struct pfm_param {
	char *name;          /* lower-case, without the RFC 2231 "*N*" */
	char *value;         /* unquoted */
	int section;         /* RFC 2231 section, -1 when not split */
	bool ext;            /* RFC 2231 extended ("*" at the end) */
};

struct pfm_ctype {
	char type[PFM_TYPE_MAX];  /* lower-case "type/subtype" or "inline" */
	bool valid;               /* a type was read */
	struct pfm_param *p;
	size_t np, cap;
};

/* Parse S (NULL = absent).  DISPOSITION: the value is one token, not
 * type/subtype. */
int pfm_ctype_parse(struct pfm_ctx *c, const char *s, bool disposition,
		    struct pfm_ctype *out);
void pfm_ctype_free(struct pfm_ctype *ct);
/* The index of the ')' that closes the (nested, RFC 5322 3.2.2) comment
 * opening at S[I] == '(', or N when it is unterminated. */
size_t pfm_comment_end(const char *s, size_t n, size_t i);
/* Skip CFWS (RFC 5322 3.2.2) from S[*i] up to N. */
void pfm_skip_cfws(const char *s, size_t n, size_t *i);

/* ---- rfc2231.c: parameter values (RFC 2231 3-4, RFC 2047 in quoted
 * values tolerated) ---- */
/* The plain value of NAME as written (unquoted), NULL when absent. */
const char *pfm_param_raw(const struct pfm_ctype *ct, const char *name);
/* The value of parameter NAME as UTF-8 (*out NULL when absent). */
int pfm_param_get(struct pfm_ctx *c, const struct pfm_ctype *ct,
		  const char *name, char **out);
/* The value of NAME as bytes: RFC 2231 percent-decoding only, no charset
 * conversion, no RFC 2047 (boundary, charset, start). */
int pfm_param_bytes(struct pfm_ctx *c, const struct pfm_ctype *ct,
		    const char *name, char **out);

/* ---- addr.c: address lists (RFC 5322 3.4, 4.4) ---- */
/* The mailboxes of S, groups flattened, into a malloc'd *v of *n. */
int pfm_addr_list(struct pfm_ctx *c, const char *s, struct pf_mail_addr **v,
		  size_t *n);
void pfm_addr_free_list(struct pf_mail_addr *v, size_t n);

/* ---- date.c (RFC 5322 3.3, 4.3) ---- */
/* 0 (one defect when obsolete or odd forms were needed), or PF_E_CORRUPT
 * (a defect); *offset is seconds east of UTC. */
int pfm_date(struct pfm_ctx *c, const char *s, size_t n, int64_t *epoch,
	     int64_t *offset);

/* ---- transfer.c: Content-Transfer-Encoding (RFC 2045 6) ---- */
enum pfm_cte { PFM_CTE_IDENTITY, PFM_CTE_BASE64, PFM_CTE_QP };

enum pfm_cte pfm_cte_of(struct pfm_ctx *c, const char *value);
/* Append the decoded bytes to OUT (tolerant; problems are defects). */
int pfm_base64_decode(struct pfm_ctx *c, const uint8_t *p, size_t n,
		      struct pfm_buf *out);
int pfm_qp_decode(struct pfm_ctx *c, const uint8_t *p, size_t n,
		  struct pfm_buf *out);

/* ---- multipart.c (RFC 2046 5.1.1) ---- */
struct pfm_span {
	const uint8_t *p;
	size_t n;
};

/* The body parts of P[N] between BOUNDARY's delimiter lines (spans into
 * P, *parts malloc'd); *seen when any delimiter line was found. */
int pfm_multipart_split(struct pfm_ctx *c, const uint8_t *p, size_t n,
			const char *boundary, struct pfm_span **parts,
			size_t *nparts, bool *seen);

/* ---- html.c ---- */
struct pfm_cids {
	char **v;            /* sorted, percent-decoded cid: targets */
	size_t n, cap;
};

int pfm_html_cids(struct pfm_ctx *c, const char *html, struct pfm_cids *out);
bool pfm_cids_has(const struct pfm_cids *cids, const char *cid);
void pfm_cids_free(struct pfm_cids *cids);
/* The charset a <meta> in the first bytes of HTML P declares, in OUT;
 * false when none. */
bool pfm_html_meta_charset(const uint8_t *p, size_t n, char *out,
			   size_t cap);

/* ---- part.c: one entity ---- */
enum pfm_disp { PFM_DISP_NONE, PFM_DISP_INLINE, PFM_DISP_ATTACHMENT };

struct pfm_part {
	const uint8_t *raw;
	size_t cb;
	struct pfm_fields f;
	const uint8_t *body;
	size_t body_cb;
	struct pfm_ctype ct;      /* type always set (defaulted) */
	struct pfm_ctype cd;
	enum pfm_disp disp;
	enum pfm_cte cte;
	char *filename;           /* sanitised, NULL when none */
	char *boundary;           /* multipart: the boundary, else NULL */
	char charset[PFM_CHARSET_MAX + 1];  /* canonical, "" when none,
					       PFM_CHARSET_BAD when unusable */
};

/* Parse the entity P[N]; DEFTYPE when it has no (valid) Content-Type. */
int pfm_part_open(struct pfm_ctx *c, const uint8_t *p, size_t n,
		  const char *deftype, struct pfm_part *out);
/* The same on header fields already parsed (moved into OUT). */
int pfm_part_from_fields(struct pfm_ctx *c, const uint8_t *p, size_t n,
			 struct pfm_fields *f, const char *deftype,
			 struct pfm_part *out);
void pfm_part_close(struct pfm_part *pt);
/* The body with its transfer encoding undone, appended to OUT. */
int pfm_part_decode(struct pfm_ctx *c, const struct pfm_part *pt,
		    struct pfm_buf *out);
bool pfm_part_is(const struct pfm_part *pt, const char *type);
bool pfm_part_is_main(const struct pfm_part *pt, const char *maintype);

/* ---- attach.c ---- */
/* Add PT to M as an attachment (message/rfc822 parsed when DEPTH allows).
 * PF_E_LIMIT is handled (the attachment is dropped, truncated set). */
int pfm_attach(struct pfm_ctx *c, struct pf_mail *m,
	       const struct pfm_part *pt);

/* ---- body.c: the MIME tree walk ---- */
int pfm_walk(struct pfm_ctx *c, struct pf_mail *m, struct pfm_part *top);

/* ---- mail.c ---- */
void pfm_att_free(struct pf_mail_att *a);
/* Parse a message inside the current context (embedded messages). */
int pfm_message_parse(struct pfm_ctx *c, const uint8_t *raw, size_t cb,
		      struct pf_mail *out);

#endif
