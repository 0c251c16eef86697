/*
 * cmd_outbox_send.c - `pstfix outbox send FILE... --server URL ...`: the
 * options (this file) of the resubmission of stranded Outbox items
 * (outbox_send_run.c runs it; pstfix/outbox does the work).
 *
 * Contract
 * - Every parameter of the engine has an option; the defaults are in the
 *   usage text, README.md and docs/pstfix.1.  Durations take ms, s, m,
 *   h, d suffixes ("--give-up 2h"), a bare number is seconds.
 * - Secrets only from a file or a command (cli/secret.h), never argv.
 * - Exit status: sysexits.h, see usage(); usage errors are one line on
 *   stderr and 64 (EX_USAGE), not the fsck-style 16 of other commands.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "outbox_send.h"

static int usage(void)
{
	printf(
"usage: pstfix outbox send FILE... (--server URL | --sendmail PATH |\n"
"                          --dry-run) [options]\n"
"       pstfix outbox send --spool DIR (--server URL | --sendmail PATH)\n"
"                          [options]      (resume what DIR holds)\n"
"  Submits the items stranded in the Outboxes of FILE... (queued, never\n"
"  sent) through an SMTP server, journaled so that nothing is lost and\n"
"  nothing is sent twice; the PST is only read.\n"
"  --server URL        smtps://HOST[:465] (implicit TLS) or\n"
"                      smtp://HOST[:587] (STARTTLS, required)\n"
"  --tls=none          smtp:// without TLS (a trusted relay only)\n"
"  --ca-file F         CA bundle (PEM) instead of the system's\n"
"  --helo NAME         the EHLO name (default: this host's name)\n"
"  --user U            AUTH as U, with one of --password-file F,\n"
"                      --password-command C, --token-file F,\n"
"                      --token-command C (first line; OAuth2 token)\n"
"  --auth MECH         plain, login, xoauth2 or auto (default auto;\n"
"                      xoauth2 with a token)\n"
"  --sendmail PATH     hand each message to PATH -i -f FROM -- RCPT...\n"
"                      instead (exit 0 sent, 75 later, other failed)\n"
"  --spool DIR         the spool and journal (default\n"
"                      $XDG_STATE_HOME/pstfix/outbox-spool); run send\n"
"                      again with the same DIR to resume\n"
"  --dry-run           render and check everything, connect to nothing\n"
"  --from-override A   envelope sender (MAIL FROM) for every message\n"
"  --include-drafts    also send drafts (unsent, never submitted)\n"
"  --only NID,...      only these items (as 'outbox list' shows them),\n"
"                      spooled ones included\n"
"  --resend-uncertain  send UNCERTAIN recipients again (see README)\n"
"  --retry-delay D     first retry delay (300s), doubling up to\n"
"  --max-retry-delay D (4000s)\n"
"  --give-up D         stop retrying D after spooling (5d)\n"
"  --once              one pass: never wait for a retry\n"
"  --retry-now         temp-failed recipients are due at once (a flush)\n"
"  --max-connections N parallel connections, adaptive: one fewer after\n"
"                      a 421, one more after --raise-after N (5)\n"
"                      successes in a row (default 1)\n"
"  --rate N            at most N messages a minute (default: no limit)\n"
"  --connect-timeout D (30s), --greeting-timeout D (5m),\n"
"  --command-timeout D (5m), --data-timeout D (2m),\n"
"  --dot-timeout D     (10m: the reply to the final dot)\n"
"  --no-salvage        do not read a damaged PST through salvage\n"
"  -v                  the SMTP dialogue (AUTH redacted) and each step\n"
"  --json              the report as JSON Lines\n"
"Exit (sysexits.h; the first that applies): 64 usage, 66 a FILE cannot\n"
"be read, 74 spool/journal I/O, 78 TLS or configuration, 77 AUTH\n"
"failed, 69 server unreachable or refuses us, 75 some recipients still\n"
"pending, deferred or temp-failed (run again), or the spool is in use,\n"
"65 some failed for good, expired, unresolvable or UNCERTAIN, 0 all\n"
"sent.\n");
	return EX_OK;
}

static int bad(const char *fmt, ...) PF_PRINTF(1, 2);
static int bad(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_usage("outbox send", "%s", msg);
	return EX_USAGE;
}

static int duration(const char *name, const char *arg, int64_t *ms)
{
	if (!ob_parse_duration(arg, ms))
		return bad("bad duration for %s (e.g. 30s, 5m, 2h)", name);
	return 0;
}

static int timeout(const char *name, const char *arg, unsigned *ms)
{
	int64_t v;
	int rc = duration(name, arg, &v);

	if (rc == 0 && (v < 1 || v > 86400000))
		return bad("%s must be between 1ms and 1d", name);
	*ms = (unsigned)v;
	return rc;
}

static int count(const char *name, const char *arg, uint64_t max,
		 unsigned *out)
{
	uint64_t v;

	if (!cli_parse_uint(arg, 1, max, &v))
		return bad("bad number for %s", name);
	*out = (unsigned)v;
	return 0;
}

static int only_list(struct obs_opts *o, char *arg)
{
	for (char *t = strtok(arg, ","); t; t = strtok(NULL, ",")) {
		char *end;
		unsigned long v = strtoul(t, &end, 0);

		if (*end || !*t || v > UINT32_MAX)
			return bad("bad NID '%s' in --only", t);
		if (o->sel.nonly == sizeof(o->only) / sizeof(*o->only))
			return bad("%s: too many NIDs in --only", "--only");
		o->only[o->sel.nonly++] = (uint32_t)v;
	}
	o->sel.only = o->only;
	return 0;
}

static int auth_mech(struct obs_opts *o, const char *arg)
{
	if (pf_smtp_auth_parse(arg, &o->smtp.auth))
		return 0;
	return bad("unknown --auth '%s' (plain, login, xoauth2, auto)", arg);
}

enum {
	O_SERVER = 256, O_SPOOL, O_FROM, O_DRAFTS, O_ONLY, O_RESEND, O_DRY,
	O_SENDMAIL, O_TLS, O_CA, O_HELO, O_USER, O_PWFILE, O_PWCMD,
	O_TOKFILE, O_TOKCMD, O_AUTH, O_RETRY, O_MAXRETRY, O_GIVEUP, O_ONCE,
	O_MAXCONN, O_RAISE, O_RATE, O_CTO, O_GTO, O_MTO, O_DTO, O_DOTTO,
	O_JSON, O_NOSALV, O_NOW,
};

static const struct option longopts[] = {
	{ "server", required_argument, NULL, O_SERVER },
	{ "spool", required_argument, NULL, O_SPOOL },
	{ "from-override", required_argument, NULL, O_FROM },
	{ "include-drafts", no_argument, NULL, O_DRAFTS },
	{ "only", required_argument, NULL, O_ONLY },
	{ "resend-uncertain", no_argument, NULL, O_RESEND },
	{ "dry-run", no_argument, NULL, O_DRY },
	{ "sendmail", required_argument, NULL, O_SENDMAIL },
	{ "tls", required_argument, NULL, O_TLS },
	{ "ca-file", required_argument, NULL, O_CA },
	{ "helo", required_argument, NULL, O_HELO },
	{ "user", required_argument, NULL, O_USER },
	{ "password-file", required_argument, NULL, O_PWFILE },
	{ "password-command", required_argument, NULL, O_PWCMD },
	{ "token-file", required_argument, NULL, O_TOKFILE },
	{ "token-command", required_argument, NULL, O_TOKCMD },
	{ "auth", required_argument, NULL, O_AUTH },
	{ "retry-delay", required_argument, NULL, O_RETRY },
	{ "max-retry-delay", required_argument, NULL, O_MAXRETRY },
	{ "give-up", required_argument, NULL, O_GIVEUP },
	{ "once", no_argument, NULL, O_ONCE },
	{ "retry-now", no_argument, NULL, O_NOW },
	{ "max-connections", required_argument, NULL, O_MAXCONN },
	{ "raise-after", required_argument, NULL, O_RAISE },
	{ "rate", required_argument, NULL, O_RATE },
	{ "connect-timeout", required_argument, NULL, O_CTO },
	{ "greeting-timeout", required_argument, NULL, O_GTO },
	{ "command-timeout", required_argument, NULL, O_MTO },
	{ "data-timeout", required_argument, NULL, O_DTO },
	{ "dot-timeout", required_argument, NULL, O_DOTTO },
	{ "json", no_argument, NULL, O_JSON },
	{ "no-salvage", no_argument, NULL, O_NOSALV },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static bool tls_none;

/* One option; 0, EX_USAGE, or -1 for --help. */
static int option(struct obs_opts *o, int c, char **argv)
{
	struct ob_send_cfg *g = &o->cfg;
	char *a = optarg;

	switch (c) {
	case O_SERVER: o->server_url = a; return 0;
	case O_SPOOL: o->spool = a; return 0;
	case O_FROM: o->sel.from_override = a; return 0;
	case O_DRAFTS: o->sel.include_drafts = true; return 0;
	case O_ONLY: return only_list(o, a);
	case O_RESEND: g->resend_uncertain = true; return 0;
	case O_DRY: o->dry_run = true; return 0;
	case O_SENDMAIL: o->sendmail = a; return 0;
	case O_TLS:
		if (strcmp(a, "none") != 0)
			return bad("--tls takes 'none' (not '%s')", a);
		tls_none = true;
		return 0;
	case O_CA: o->smtp.ca_file = a; return 0;
	case O_HELO: o->smtp.helo_name = a; return 0;
	case O_USER: o->smtp.user = a; return 0;
	case O_PWFILE: o->password_file = a; return 0;
	case O_PWCMD: o->password_command = a; return 0;
	case O_TOKFILE: o->token_file = a; return 0;
	case O_TOKCMD: o->token_command = a; return 0;
	case O_AUTH: return auth_mech(o, a);
	case O_RETRY: return duration("--retry-delay", a, &g->retry_ms);
	case O_MAXRETRY:
		return duration("--max-retry-delay", a, &g->max_retry_ms);
	case O_GIVEUP: return duration("--give-up", a, &g->give_up_ms);
	case O_ONCE: g->once = true; return 0;
	case O_NOW: g->retry_now = true; return 0;
	case O_MAXCONN:
		return count("--max-connections", a, 64, &g->max_conn);
	case O_RAISE: return count("--raise-after", a, 10000, &g->raise_after);
	case O_RATE:   /* "30" or "30/min" */
		if (strchr(a, '/') && strcmp(strchr(a, '/'), "/min") != 0)
			return bad("--rate takes N or N/min, not '%s'", a);
		if (strchr(a, '/'))
			*strchr(a, '/') = '\0';
		return count("--rate", a, 60000, &g->rate_per_min);
	case O_CTO:
		return timeout("--connect-timeout", a, &o->smtp.connect_ms);
	case O_GTO:
		return timeout("--greeting-timeout", a, &o->smtp.greeting_ms);
	case O_MTO:
		return timeout("--command-timeout", a, &o->smtp.command_ms);
	case O_DTO: return timeout("--data-timeout", a, &o->smtp.data_ms);
	case O_DOTTO: return timeout("--dot-timeout", a, &o->smtp.dot_ms);
	case O_JSON: o->json = true; return 0;
	case O_NOSALV: o->no_salvage = true; return 0;
	case 'v': o->verbose = true; return 0;
	case 'h': return -1;
	default:
		cli_bad_option("outbox send", c, argv, optind);
		return EX_USAGE;
	}
}

static void defaults(struct obs_opts *o)
{
	memset(o, 0, sizeof(*o));
	tls_none = false;
	o->cfg.retry_ms = 300000;
	o->cfg.max_retry_ms = 4000000;
	o->cfg.give_up_ms = 5ll * 86400000;
	o->cfg.max_conn = 1;
	o->cfg.raise_after = 5;
	o->smtp.auth = PF_SMTP_AUTH_NONE;
}

/* The combinations getopt cannot check. */
static int check(struct obs_opts *o)
{
	int secrets = !!o->password_file + !!o->password_command +
		!!o->token_file + !!o->token_command;

	/* no FILE: resume what the spool holds */
	if (o->nfiles < 1 && (!o->spool || o->dry_run))
		return bad("%s", "no FILE given (without one, --spool DIR "
			   "resumes what DIR holds)");
	if (!o->dry_run && !o->server_url == !o->sendmail)
		return bad("%s", "give one of --server URL and --sendmail "
			   "PATH (or --dry-run)");
	if (secrets > 1)
		return bad("%s", "give at most one of --password-file, "
			   "--password-command, --token-file, "
			   "--token-command");
	if (secrets && !o->smtp.user)
		return bad("%s", "a password or token needs --user");
	if (o->smtp.user && !secrets)
		return bad("%s", "--user needs --password-file, "
			   "--password-command, --token-file or "
			   "--token-command");
	if (o->cfg.max_retry_ms < o->cfg.retry_ms)
		o->cfg.max_retry_ms = o->cfg.retry_ms;
	if (o->cfg.retry_ms < 1)
		return bad("%s", "--retry-delay must be at least 1ms");
	if (o->sel.from_override &&
	    !pf_smtp_addr_ok(o->sel.from_override, false))
		return bad("--from-override '%s' is not an address SMTP can "
			   "carry", o->sel.from_override);
	if (!o->server_url)
		return 0;
	if (pf_smtp_url_parse(&o->server, o->server_url) != 0)
		return bad("%s", pf_error_msg());
	if (tls_none && o->server.security == PF_SMTP_IMPLICIT_TLS)
		return bad("%s", "--tls=none goes with smtp://, not smtps://");
	if (tls_none)
		o->server.security = PF_SMTP_CLEARTEXT;
	if (secrets && o->smtp.auth == PF_SMTP_AUTH_NONE)
		o->smtp.auth = (o->token_file || o->token_command) ?
			PF_SMTP_AUTH_XOAUTH2 : PF_SMTP_AUTH_AUTO;
	return 0;
}

int cmd_outbox_send(int argc, char **argv)
{
	struct obs_opts *o = malloc(sizeof(*o));
	int c, rc = 0;

	if (!o) {
		fprintf(stderr, "pstfix outbox send: out of memory\n");
		return EX_OSERR;
	}
	defaults(o);
	optind = 1;
	opterr = 0;
	while (rc == 0 &&
	       (c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1)
		rc = option(o, c, argv);
	if (rc == 0) {
		o->files = argv + optind;
		o->nfiles = argc - optind;
		rc = check(o);
	}
	if (rc == 0)
		rc = o->dry_run ? obs_dry_run(o) : obs_run(o);
	else if (rc < 0)
		rc = usage();
	free(o);
	return rc;
}
