/*
 * cmd_outbox_probe.c - `pstfix outbox probe --server URL ...`: talk to a
 * submission server the way `outbox send` would, send no mail, and say
 * what works and what does not, in plain words.
 *
 * Contract
 * - Connects (pstfix/smtp), shows the greeting, the EHLO capabilities,
 *   the TLS session and certificate, the AUTH mechanisms and, given
 *   credentials, whether AUTH succeeds; then QUIT.  No MAIL is sent.
 * - Each failure gets one line of advice (pf_smtp_explain) and a
 *   sysexits.h code (pf_smtp_sysexit); see usage() for the table.
 * - --try-ports probes 25, 465 (TLS), 587 and 2525 (STARTTLS) on the
 *   same host, one row each; the exit status is 0 when one port works.
 * - Secrets come from a file or a command's output (secret.c), never
 *   from argv, and never reach the output (the trace redacts AUTH).
 * - probe_report.c prints what this file gathers (text or JSON).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "probe.h"
#include "secret.h"

static int usage(FILE *out, int status)
{
	fputs(
"usage: pstfix outbox probe --server URL [options]\n"
"\n"
"Connect to an SMTP submission server, show what it offers and whether\n"
"TLS and AUTH work, and send no mail.\n"
"\n"
"  --server URL           smtps://HOST[:PORT] (TLS at once, 465) or\n"
"                         smtp://HOST[:PORT] (STARTTLS required, 587)\n"
"  --try-ports[=LIST]     probe several ports of the host and print a\n"
"                         table; LIST is PORT/tls or PORT/starttls, comma-\n"
"                         separated (default 25/starttls,465/tls,\n"
"                         587/starttls,2525/starttls)\n"
"  --ca-file FILE         trust the CAs of this PEM file instead of the\n"
"                         system's\n"
"  --tls=none             smtp:// without STARTTLS (trusted relay only;\n"
"                         AUTH is then refused)\n"
"  --user NAME            log in as NAME, with the secret from one of:\n"
"  --password-file FILE   the first line of FILE\n"
"  --password-command CMD the first line CMD prints\n"
"  --token-file FILE      an OAuth2 access token (AUTH XOAUTH2)\n"
"  --token-command CMD    an OAuth2 access token printed by CMD\n"
"  --auth MECH            plain, login, xoauth2 or auto (default: auto\n"
"                         for passwords, xoauth2 for tokens)\n"
"  --timeout SECONDS      per step (default: 10 to connect, 30 else)\n"
"  -v, --verbose          show the dialogue on stderr (AUTH redacted)\n"
"  --json                 one JSON object per port probed\n"
"\n"
"Exit status (sysexits.h):\n"
"  0  OK                  every step worked\n"
"  64 EX_USAGE            bad arguments\n"
"  69 EX_UNAVAILABLE      unreachable, refused, filtered, a 5xx reply,\n"
"                         STARTTLS not offered\n"
"  75 EX_TEMPFAIL         a 4xx reply (421 ...), connection lost\n"
"  76 EX_PROTOCOL         malformed reply, data after STARTTLS, TLS\n"
"                         handshake failure\n"
"  77 EX_NOPERM           AUTH refused (530, 534, 535, 538)\n"
"  78 EX_CONFIG           certificate verification failed, AUTH not\n"
"                         possible as asked (no TLS, no mechanism)\n"
"  71 EX_OSERR, 74 EX_IOERR  local trouble (a secret file, memory)\n"
"Secrets are never taken from the command line.\n", out);
	return status;
}

static int bad_usage(const char *fmt, ...) PF_PRINTF(1, 2);
static int bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("pstfix outbox probe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see 'pstfix outbox probe --help')\n", stderr);
	return EX_USAGE;
}

enum {
	OPT_SERVER = 256, OPT_TRY, OPT_CA, OPT_TLS, OPT_USER, OPT_PWFILE,
	OPT_PWCMD, OPT_TOKFILE, OPT_TOKCMD, OPT_AUTH, OPT_TIMEOUT, OPT_JSON,
	OPT_PASSWORD,
};

static const struct option longopts[] = {
	{ "server", required_argument, NULL, OPT_SERVER },
	{ "try-ports", optional_argument, NULL, OPT_TRY },
	{ "ca-file", required_argument, NULL, OPT_CA },
	{ "tls", required_argument, NULL, OPT_TLS },
	{ "user", required_argument, NULL, OPT_USER },
	{ "password-file", required_argument, NULL, OPT_PWFILE },
	{ "password-command", required_argument, NULL, OPT_PWCMD },
	{ "token-file", required_argument, NULL, OPT_TOKFILE },
	{ "token-command", required_argument, NULL, OPT_TOKCMD },
	{ "auth", required_argument, NULL, OPT_AUTH },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	/* recognised only to refuse it with a reason */
	{ "password", required_argument, NULL, OPT_PASSWORD },
	{ NULL, 0, NULL, 0 },
};

struct args {
	const char *url, *ports, *ca_file, *tls, *user, *auth;
	const char *src[4];       /* pwfile, pwcmd, tokfile, tokcmd */
	unsigned timeout_ms;
	bool try_ports, json, verbose;
};

static int one_option(struct args *a, int c)
{
	uint64_t v;

	switch (c) {
	case OPT_SERVER:  a->url = optarg; break;
	case OPT_TRY:     a->try_ports = true; a->ports = optarg; break;
	case OPT_CA:      a->ca_file = optarg; break;
	case OPT_TLS:     a->tls = optarg; break;
	case OPT_USER:    a->user = optarg; break;
	case OPT_PWFILE:  a->src[0] = optarg; break;
	case OPT_PWCMD:   a->src[1] = optarg; break;
	case OPT_TOKFILE: a->src[2] = optarg; break;
	case OPT_TOKCMD:  a->src[3] = optarg; break;
	case OPT_AUTH:    a->auth = optarg; break;
	case OPT_JSON:    a->json = true; break;
	case 'v':         a->verbose = true; break;
	case OPT_TIMEOUT:
		if (!cli_parse_uint(optarg, 1, 3600, &v))
			return bad_usage("--timeout wants whole seconds "
					 "(1-3600), not '%s'", optarg);
		a->timeout_ms = (unsigned)v * 1000u;
		break;
	case OPT_PASSWORD:
		return bad_usage("%s: a password on the command line is seen "
				 "by every user (ps); use --password-file or "
				 "--password-command", "--password");
	default:
		return EX_USAGE;
	}
	return 0;
}

static int parse_auth(const char *name, enum pf_smtp_auth_mech *m)
{
	if (pf_smtp_auth_parse(name, m))
		return 0;
	return bad_usage("--auth wants plain, login, xoauth2 or auto, not "
			 "'%s'", name);
}

/* The credentials: which source, which mechanism, the secret read. */
static int credentials(const struct args *a, struct pf_smtp_opts *o,
		       char **secret)
{
	int n = 0, which = -1, rc;

	for (int i = 0; i < 4; i++)
		if (a->src[i] != NULL) {
			n++;
			which = i;
		}
	if (n > 1)
		return bad_usage("%s", "give one of --password-file, "
				 "--password-command, --token-file, "
				 "--token-command");
	if ((n == 1) != (a->user != NULL))
		return bad_usage("%s", "--user and a password or token source "
				 "go together");
	if (n == 0)
		return a->auth ? bad_usage("%s", "--auth needs --user") : 0;
	o->auth = which >= 2 ? PF_SMTP_AUTH_XOAUTH2 : PF_SMTP_AUTH_AUTO;
	if (a->auth != NULL) {
		rc = parse_auth(a->auth, &o->auth);
		if (rc != 0)
			return rc;
	}
	rc = cli_secret_read(secret, which % 2 == 0 ? a->src[which] : NULL,
			     which % 2 == 1 ? a->src[which] : NULL);
	if (rc < 0) {
		fprintf(stderr, "pstfix outbox probe: %s\n", pf_error_msg());
		return rc == PF_E_IO ? EX_IOERR : EX_USAGE;
	}
	o->user = a->user;
	o->secret = *secret;
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	int c, rc;

	optind = 1;
	for (;;) {
		c = getopt_long(argc, argv, ":vh", longopts, NULL);
		if (c == -1)
			break;
		if (c == 'h')
			return usage(stdout, -1);
		if (c == '?' || c == ':') {
			cli_bad_option("outbox probe", c, argv, optind);
			return EX_USAGE;
		}
		rc = one_option(a, c);
		if (rc != 0)
			return rc;
	}
	if (optind != argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);
	if (a->url == NULL)
		return bad_usage("%s", "--server URL is required");
	if (a->tls != NULL && strcmp(a->tls, "none") != 0)
		return bad_usage("--tls takes only 'none', not '%s'", a->tls);
	return 0;
}

static void set_timeouts(struct pf_smtp_opts *o, unsigned ms)
{
	o->connect_ms = ms ? ms : 10000;
	o->greeting_ms = o->command_ms = o->data_ms = o->block_ms =
		o->dot_ms = ms ? ms : 30000;
}

/* One probe: connect, EHLO/STARTTLS, AUTH when asked, QUIT. */
void probe_run(struct probe *p, const struct pf_smtp_server *srv,
	       const struct pf_smtp_opts *o)
{
	struct pf_smtp *s = NULL;

	memset(p, 0, sizeof(*p));
	p->server = *srv;
	p->rc = pf_smtp_connect(&s, srv, o, &p->r);
	p->connected = p->r.stage != PF_SMTP_CONNECT;
	if (p->rc == 0 && pf_smtp_classify(&p->r) == PF_SMTP_POSITIVE)
		p->rc = pf_smtp_hello(s, &p->r);
	if (p->rc == 0 && pf_smtp_classify(&p->r) == PF_SMTP_POSITIVE &&
	    o->auth != PF_SMTP_AUTH_NONE) {
		p->auth_tried = true;
		p->rc = pf_smtp_login(s, &p->r);
		p->auth_ok = p->rc == 0 &&
			     pf_smtp_classify(&p->r) == PF_SMTP_POSITIVE;
	}
	if (p->rc < 0)
		snprintf(p->error, sizeof(p->error), "%s", pf_error_msg());
	if (s != NULL) {
		snprintf(p->greeting, sizeof(p->greeting), "%s",
			 pf_smtp_greeting(s));
		p->caps = *pf_smtp_caps(s);
		p->tls = *pf_smtp_tls(s);
	}
	p->exit = pf_smtp_sysexit(p->rc, &p->r, s);
	pf_smtp_explain(p->advice, sizeof(p->advice), p->rc, &p->r, s);
	if (p->rc == 0)
		pf_smtp_quit(s);
	else
		pf_smtp_close(s);
}

/* "25/starttls,465/tls": the next entry of LIST into SRV. */
static int next_port(const char **list, struct pf_smtp_server *srv)
{
	const char *p = *list;
	char *end;
	unsigned long port = strtoul(p, &end, 10);

	if (end == p || port == 0 || port > 65535)
		return -1;
	srv->port = (uint16_t)port;
	srv->security = PF_SMTP_STARTTLS_REQUIRED;
	if (strncmp(end, "/tls", 4) == 0) {
		srv->security = PF_SMTP_IMPLICIT_TLS;
		end += 4;
	} else if (strncmp(end, "/starttls", 9) == 0) {
		end += 9;
	}
	if (*end != ',' && *end != '\0')
		return -1;
	*list = *end == ',' ? end + 1 : end;
	return 0;
}

#define PORTS_MAX 16

/* The whole list, checked before anything is probed. */
static int parse_ports(const struct args *a, const struct pf_smtp_server *base,
		       struct pf_smtp_server *out, int *n)
{
	const char *list = a->ports ? a->ports :
			   "25/starttls,465/tls,587/starttls,2525/starttls";

	for (*n = 0; *list; (*n)++) {
		out[*n] = *base;
		if (*n == PORTS_MAX || next_port(&list, &out[*n]) < 0)
			return bad_usage("--try-ports: bad list '%s' (PORT/"
					 "tls or PORT/starttls, at most %d)",
					 a->ports, PORTS_MAX);
		if (a->tls != NULL &&
		    out[*n].security == PF_SMTP_STARTTLS_REQUIRED)
			out[*n].security = PF_SMTP_CLEARTEXT;
	}
	return 0;
}

static int try_ports(const struct args *a, const struct pf_smtp_server *srv,
		     const struct pf_smtp_opts *o)
{
	struct pf_smtp_server ports[PORTS_MAX];
	struct probe p;
	int reached = -1, n = 0;
	bool ok = false;
	int rc = parse_ports(a, srv, ports, &n);

	if (rc != 0)
		return rc;
	if (!a->json)
		probe_table_head(stdout);
	for (int i = 0; i < n; i++) {
		probe_run(&p, &ports[i], o);
		if (a->json)
			probe_print_json(stdout, &p);
		else
			probe_table_row(stdout, &p);
		ok |= p.exit == EX_OK;
		if (reached < 0 && p.connected)
			reached = p.exit;
	}
	/* one working port is enough; else what the first port that
	 * answered said; else none answered */
	if (ok)
		return EX_OK;
	return reached >= 0 ? reached : EX_UNAVAILABLE;
}

int cmd_outbox_probe(int argc, char **argv)
{
	struct args a = { 0 };
	struct pf_smtp_opts o = { 0 };
	struct pf_smtp_server srv;
	struct probe p;
	char *secret = NULL;
	int rc = parse_args(argc, argv, &a);

	if (rc != 0)
		return rc < 0 ? EX_OK : rc;
	if (pf_smtp_url_parse(&srv, a.url) < 0)
		return bad_usage("%s", pf_error_msg());
	if (a.tls != NULL && srv.security == PF_SMTP_IMPLICIT_TLS)
		return bad_usage("%s", "--tls=none contradicts smtps://");
	if (a.tls != NULL)
		srv.security = PF_SMTP_CLEARTEXT;
	rc = credentials(&a, &o, &secret);
	if (rc != 0)
		return rc;
	o.ca_file = a.ca_file;
	o.trace = a.verbose ? stderr : NULL;
	set_timeouts(&o, a.timeout_ms);
	if (a.try_ports) {
		rc = try_ports(&a, &srv, &o);
	} else {
		probe_run(&p, &srv, &o);
		if (a.json)
			probe_print_json(stdout, &p);
		else
			probe_print_text(stdout, &p);
		rc = p.exit;
	}
	cli_secret_free(secret);
	return rc;
}
