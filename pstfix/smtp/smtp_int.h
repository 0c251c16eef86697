/*
 * smtp_int.h - what the files of pstfix/smtp share (not for callers).
 *
 * Contract
 * - struct pf_smtp is one session: a socket, an optional TLS layer over
 *   it, a receive buffer, what the server said so far.  Each file owns
 *   one part: conn.c the socket, tls.c the TLS layer, lineio.c the
 *   buffered reads and the writes, reply.c the reply grammar, caps.c the
 *   EHLO keywords, trace.c the -v dialogue, session.c the commands,
 *   auth.c AUTH, data.c DATA.
 * - A function returning a negative code has set the one-line message;
 *   the session is then dead (s->dead) and only closing it is allowed.
 */
#ifndef PF_SMTP_INT_H
#define PF_SMTP_INT_H

#include <openssl/ssl.h>

#include "smtp.h"

/* RFC 5321 4.5.3.1.5: a reply line is at most 512 octets with its CRLF. */
#define SMTP_LINE_MAX 512
/* No RFC limit on the lines of one reply; EHLO lists a few dozen at
 * most.  Past this the server is broken or hostile. */
#define SMTP_REPLY_LINES_MAX 100
/* RFC 5321 4.5.3.1.4: a command line is at most 512 octets. */
#define SMTP_CMD_MAX 512
/* RFC 4954 4: an AUTH command or response line may be 12288 octets
 * (an OAuth2 token does not fit in 512). */
#define SMTP_AUTH_LINE_MAX 12288

/* Default timeouts, RFC 5321 4.5.3.2 (connect: ours). */
#define SMTP_CONNECT_MS  30000u
#define SMTP_GREETING_MS 300000u
#define SMTP_COMMAND_MS  300000u
#define SMTP_DATA_MS     120000u
#define SMTP_BLOCK_MS    180000u
#define SMTP_DOT_MS      600000u
#define SMTP_QUIT_MS     5000u

struct pf_smtp {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;                 /* NULL while the session is cleartext */
	bool dead;
	int sys_errno;            /* the last connect or I/O errno */
	struct pf_smtp_server server;
	struct pf_smtp_opts opts; /* the caller's; strings stay theirs */
	unsigned char rbuf[4096]; /* received, not yet consumed */
	size_t rpos, rlen;
	char greeting[SMTP_LINE_MAX];
	struct pf_smtp_caps caps;
	struct pf_smtp_tls_info tls;
};

/* The reply grammar (reply.c), fed one line at a time so that the unit
 * tests and the fuzzer drive it without a socket. */
struct smtp_reply_parser {
	struct pf_smtp_reply *r;
	unsigned nlines;
	size_t textlen;
	char lines[2048];         /* each line's text, '\n'-separated */
	size_t lineslen;
};
void smtp_reply_begin(struct smtp_reply_parser *p, struct pf_smtp_reply *r,
		      enum pf_smtp_stage stage);
/* LINE without its line end.  1: the reply is complete, 0: more lines
 * follow, PF_SMTP_E_PROTO: malformed (message set). */
int smtp_reply_line(struct smtp_reply_parser *p, const char *line,
		    size_t len);
/* Fill r->enh from the first line's text when it starts with an RFC
 * 3463 code of the reply's class. */
void smtp_reply_enhanced(struct pf_smtp_reply *r);

/* R says "no reply" for STAGE (code 0), before a negative return. */
void smtp_no_reply(struct pf_smtp_reply *r, enum pf_smtp_stage stage);

/* caps.c: the EHLO reply's lines (parser's lines) into CAPS. */
void smtp_caps_parse(struct pf_smtp_caps *caps, const char *lines);

/* conn.c */
int smtp_conn_open(struct pf_smtp *s, unsigned timeout_ms);
void smtp_conn_close(struct pf_smtp *s);
/* Wait until the socket is readable (EVENTS POLLIN) or writable
 * (POLLOUT) before DEADLINE (CLOCK_MONOTONIC ms). */
int smtp_conn_wait(struct pf_smtp *s, short events, uint64_t deadline);
uint64_t smtp_now_ms(void);
int smtp_dead(struct pf_smtp *s, int code, const char *fmt, ...)
	PF_PRINTF(3, 4);

/* tls.c */
int smtp_tls_start(struct pf_smtp *s, uint64_t deadline);
void smtp_tls_free(struct pf_smtp *s);
/* One read or write through TLS: >0 bytes, 0 would block (WANT is set
 * to POLLIN or POLLOUT), negative on error (message set). */
int smtp_tls_read(struct pf_smtp *s, void *buf, size_t cb, short *want);
int smtp_tls_write(struct pf_smtp *s, const void *buf, size_t cb,
		   short *want);

/* lineio.c */
int smtp_write_all(struct pf_smtp *s, const void *buf, size_t cb,
		   unsigned timeout_ms);
/* Send "LINE\r\n" (LINE must not hold CR or LF); trace it as SHOWN
 * (NULL: LINE itself). */
int smtp_send_line(struct pf_smtp *s, const char *line, const char *shown,
		   unsigned timeout_ms);
/* Read one reply; 0 with R filled, or negative (session dead). */
int smtp_read_reply(struct pf_smtp *s, enum pf_smtp_stage stage,
		    unsigned timeout_ms, struct pf_smtp_reply *r,
		    char *lines, size_t lines_cb);
/* A command and its reply. */
int smtp_command(struct pf_smtp *s, const char *line, const char *shown,
		 enum pf_smtp_stage stage, unsigned timeout_ms,
		 struct pf_smtp_reply *r);
/* Bytes received and not yet consumed (the STARTTLS check). */
size_t smtp_buffered(const struct pf_smtp *s);

/* trace.c */
void smtp_trace(struct pf_smtp *s, const char *dir, const char *line,
		size_t len);

/* auth.c */
int smtp_auth(struct pf_smtp *s, struct pf_smtp_reply *r);
/* base64 of IN (CB bytes) into OUT (OUT_CB with its NUL); -1 when it
 * does not fit. */
int smtp_b64_encode(char *out, size_t out_cb, const void *in, size_t cb);

/* data.c, pure: the offset of the first bare CR or LF in MSG (CB when
 * there is none); MSG's CB bytes dot-stuffed into OUT (room for 2 * CB)
 * with *BOL saying whether we are at the start of a line (true at the
 * start of the message), returning the bytes written. */
size_t smtp_bare_eol(const uint8_t *msg, size_t cb);
size_t smtp_dot_stuff(uint8_t *out, const uint8_t *in, size_t cb,
		      bool *bol);

/* session.c: the timeout for T in ms, the default when opts say 0. */
unsigned smtp_timeout(const struct pf_smtp *s, enum pf_smtp_stage t);

#endif
