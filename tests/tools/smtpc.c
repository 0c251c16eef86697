/*
 * smtpc.c - a test driver for pstfix/smtp: send one message file through
 * pf_smtp_* to a server and print every reply.  Built by the Makefile
 * (build/tests/tools/smtpc), never installed.
 *
 *   smtpc --server URL [--tls=none] [--ca-file F] [--from ADDR]
 *         [--to ADDR]... [--user U --password-file F] [--auth MECH]
 *         [--timeout S] [--dot-timeout S] [--abort-before-dot]
 *         [--count N] [-v] FILE
 *
 * Output, one line each: "reply STAGE CODE ENH TEXT" (ENH "-" when the
 * reply has none), "error STAGE CODE MESSAGE" for a negative return
 * (CODE the PF_* name), and last "result R" with R one of delivered,
 * refused (the server said no), error (no usable reply), uncertain (no
 * reply after the final dot), usage.
 * Exit: 0 delivered, 1 refused, 2 error, 3 uncertain, 64 usage.
 * RCPT: every --to is tried; the message goes when one is accepted.
 * --count N: N transactions on one connection, RSET between them; the
 * result is that of the last.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../pstfix/cli/secret.h"
#include "../../pstfix/smtp/smtp.h"

enum { OK = 0, REFUSED = 1, ERROR = 2, UNCERTAIN = 3, USAGE = 64 };

static const char *rc_name(int rc)
{
	switch (rc) {
	case PF_SMTP_E_NET:     return "NET";
	case PF_SMTP_E_TIMEOUT: return "TIMEOUT";
	case PF_SMTP_E_TLS:     return "TLS";
	case PF_SMTP_E_NOTLS:   return "NOTLS";
	case PF_SMTP_E_PROTO:   return "PROTO";
	case PF_SMTP_E_AUTH:    return "AUTH";
	case PF_E_USAGE:        return "USAGE";
	}
	return "OTHER";
}

static void show(const struct pf_smtp_reply *r)
{
	char enh[16] = "-";

	if (r->enh[0])
		snprintf(enh, sizeof(enh), "%d.%d.%d", r->enh[0], r->enh[1],
			 r->enh[2]);
	printf("reply %s %d %s %s\n", pf_smtp_stage_name(r->stage), r->code,
	       enh, r->text);
}

static int finish(int result)
{
	static const char *const names[] = { "delivered", "refused", "error",
					     "uncertain" };

	printf("result %s\n", result == USAGE ? "usage" : names[result]);
	return result;
}

static int error(const struct pf_smtp_reply *r, int rc)
{
	printf("error %s %s %s\n", pf_smtp_stage_name(r->stage), rc_name(rc),
	       pf_error_msg());
	return ERROR;
}

static int abort_dot(void *ctx)
{
	(void)ctx;
	return 1;
}

static char *slurp(const char *path, size_t *cb)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0) {
		n = ftell(f);
		if (n >= 0 && n < (1L << 30) && fseek(f, 0, SEEK_SET) == 0) {
			buf = malloc((size_t)n + 1);
			if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
				free(buf);
				buf = NULL;
			}
			*cb = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

struct run {
	const char *from;
	const char *to[16];
	int nto;
	bool abort_before_dot;
	int count;
	const uint8_t *msg;
	size_t cb;
};

/* MAIL, RCPTs, DATA on an open session. */
static int transaction(struct pf_smtp *s, const struct run *run)
{
	struct pf_smtp_reply r;
	int rc, accepted = 0;

	rc = pf_smtp_mail(s, run->from, run->cb, &r);
	if (rc < 0)
		return error(&r, rc);
	show(&r);
	if (pf_smtp_classify(&r) != PF_SMTP_POSITIVE)
		return REFUSED;
	for (int i = 0; i < run->nto; i++) {
		rc = pf_smtp_rcpt(s, run->to[i], &r);
		if (rc < 0)
			return error(&r, rc);
		show(&r);
		if (r.code == 421)
			return REFUSED;
		if (pf_smtp_classify(&r) == PF_SMTP_POSITIVE)
			accepted++;
	}
	if (accepted == 0)
		return REFUSED;
	rc = pf_smtp_data(s, run->msg, run->cb,
			  run->abort_before_dot ? abort_dot : NULL, NULL, &r);
	if (rc > 0) {
		printf("aborted before the dot\n");
		return ERROR;
	}
	if (rc < 0) {
		error(&r, rc);
		return r.stage == PF_SMTP_DOT ? UNCERTAIN : ERROR;
	}
	show(&r);
	return pf_smtp_classify(&r) == PF_SMTP_POSITIVE ? OK : REFUSED;
}

static int send_one(const struct pf_smtp_server *srv,
		    const struct pf_smtp_opts *o, const struct run *run)
{
	struct pf_smtp *s = NULL;
	struct pf_smtp_reply r;
	int rc, result;

	rc = pf_smtp_open(&s, srv, o, &r);
	if (rc < 0)
		return error(&r, rc);
	show(&r);
	if (s == NULL)
		return REFUSED;
	result = transaction(s, run);
	for (int i = 1; i < run->count && (result == OK ||
					   result == REFUSED); i++) {
		rc = pf_smtp_rset(s, &r);
		if (rc < 0)
			return error(&r, rc);
		show(&r);
		result = transaction(s, run);
	}
	if (result == OK || result == REFUSED)
		pf_smtp_quit(s);
	else
		pf_smtp_close(s);
	return result;
}

static int usage(const char *why)
{
	fprintf(stderr, "smtpc: %s\n", why);
	return finish(USAGE);
}

static unsigned seconds(const char *s)
{
	return (unsigned)(strtod(s, NULL) * 1000.0);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "server", 1, NULL, 's' }, { "tls", 1, NULL, 'T' },
		{ "ca-file", 1, NULL, 'C' }, { "from", 1, NULL, 'f' },
		{ "to", 1, NULL, 't' }, { "user", 1, NULL, 'u' },
		{ "password-file", 1, NULL, 'p' }, { "auth", 1, NULL, 'a' },
		{ "timeout", 1, NULL, 'w' }, { "dot-timeout", 1, NULL, 'D' },
		{ "abort-before-dot", 0, NULL, 'A' },
		{ "count", 1, NULL, 'n' }, { NULL, 0, NULL, 0 },
	};
	struct pf_smtp_server srv;
	struct pf_smtp_opts o = { .helo_name = "smtpc.test" };
	struct run run = { .from = "sender@example.org", .count = 1 };
	const char *url = NULL, *pwfile = NULL;
	char *secret = NULL, *msg;
	bool cleartext = false;
	int c, result;

	for (;;) {
		c = getopt_long(argc, argv, "v", longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 's': url = optarg; break;
		case 'T': cleartext = strcmp(optarg, "none") == 0; break;
		case 'C': o.ca_file = optarg; break;
		case 'f': run.from = optarg; break;
		case 't':
			if (run.nto == 16)
				return usage("too many --to");
			run.to[run.nto++] = optarg;
			break;
		case 'u': o.user = optarg; break;
		case 'p': pwfile = optarg; break;
		case 'a':
			o.auth = strcmp(optarg, "plain") == 0 ?
				 PF_SMTP_AUTH_PLAIN : strcmp(optarg, "login")
				 == 0 ? PF_SMTP_AUTH_LOGIN :
				 PF_SMTP_AUTH_XOAUTH2;
			break;
		case 'w':
			o.connect_ms = o.greeting_ms = o.command_ms =
				o.data_ms = o.block_ms = o.dot_ms =
				seconds(optarg);
			break;
		case 'D': o.dot_ms = seconds(optarg); break;
		case 'A': run.abort_before_dot = true; break;
		case 'n': run.count = atoi(optarg); break;
		case 'v': o.trace = stderr; break;
		default: return usage("bad option");
		}
	}
	if (url == NULL || optind + 1 != argc || run.nto == 0)
		return usage("need --server, --to and one FILE");
	if (pf_smtp_url_parse(&srv, url) < 0)
		return usage(pf_error_msg());
	if (cleartext && srv.security == PF_SMTP_STARTTLS_REQUIRED)
		srv.security = PF_SMTP_CLEARTEXT;
	if (pwfile != NULL) {
		if (cli_secret_read(&secret, pwfile, NULL) < 0)
			return usage(pf_error_msg());
		o.secret = secret;
		if (o.auth == PF_SMTP_AUTH_NONE)
			o.auth = PF_SMTP_AUTH_AUTO;
	}
	msg = slurp(argv[optind], &run.cb);
	if (msg == NULL)
		return usage("cannot read the message file");
	run.msg = (const uint8_t *)msg;
	result = send_one(&srv, &o, &run);
	free(msg);
	cli_secret_free(secret);
	return finish(result);
}
