/*
 * outbox_send_run.c - the run of `pstfix outbox send` (outbox_send.h):
 * read each PST's Outbox (read-only), spool what is selected once,
 * hand the spool to the engine, report every message and recipient.
 *
 * Contract
 * - A message already in the spool (same Message-ID) is never rendered
 *   again: a second run resumes from the journal (spool.h).  If the PST
 *   now shows it sent (Outlook ran in between), its recipients not yet
 *   accepted are skipped.
 * - A second `send` on a spool in use is refused with one line and
 *   EX_TEMPFAIL (try again when the other one is done).
 * - Ctrl-C: the messages being sent finish their transaction, nothing
 *   new starts; the report shows what is left (exit 75).
 * - --dry-run opens no spool and no connection.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "../outbox/outbox.h"
#include "cli.h"
#include "interrupt.h"
#include "outbox_report.h"
#include "outbox_send.h"
#include "scratch.h"
#include "secret.h"

#define ME "pstfix outbox send"

/* Salvage's rebuild goes to a private directory under $TMPDIR or /tmp. */
static const char *work_dir(void *ctx)
{
	const char *base = getenv("TMPDIR");
	const char *d = cli_scratch_make(base && *base ? base : "/tmp",
					 "send");

	(void)ctx;
	if (!d)
		pf_error_set(PF_E_IO, "no scratch directory: %s",
			     strerror(errno));
	return d;
}

static int load(struct pf_outbox **ob, const struct obs_opts *o,
		const char *path)
{
	struct pf_outbox_opts lo = { .salvage = !o->no_salvage,
				     .work_dir = work_dir };
	int rc = pf_outbox_load(ob, path, &lo);

	cli_scratch_remove();
	if (rc) {
		fprintf(stderr, ME ": %s\n", pf_error_msg());
		return rc;
	}
	/* a damaged file is said to be one, -v or not */
	if ((*ob)->note[0] && (o->verbose || (*ob)->salvaged)) {
		fprintf(stderr, ME ": %s: ", path);
		cli_put_safe(stderr, (*ob)->note);
		fputc('\n', stderr);
	}
	return 0;
}

/* A spooled message the PST now shows as sent (Outlook ran since and
 * sent it, or its copy reached Sent Items): what is not final yet is
 * skipped, never sent a second time. */
static int sent_meanwhile(struct ob_spool *sp, struct ob_msg *m,
			  const struct pf_outbox_item *it)
{
	const char *why = it->cls == PF_OUTBOX_SENT ? "sent already: Outlook "
		"cleared its unsent flag since it was spooled"
		: "sent already: its copy reached Sent Items since it was "
		"spooled";
	int rc = 0;

	if (it->cls != PF_OUTBOX_SENT && it->cls != PF_OUTBOX_IN_SENT)
		return 0;
	for (size_t i = 0; rc == 0 && i < m->nrcpt; i++)
		if (!ob_state_final(m->rcpt[i].state))
			rc = ob_j_state(sp, m, i, OB_SKIPPED, why);
	return rc;
}

/* Spool or note item IT; 0 or a negative PF_E_*. */
static int take(struct ob_spool *sp, const struct obs_opts *o,
		struct pf_outbox *ob, const struct pf_outbox_item *it)
{
	struct pf_mimew_buf b = { 0 };
	struct ob_msg *m = NULL, *added;
	struct ob_msg *old = it->message_id ?
		ob_spool_find(sp, it->message_id) : NULL;
	enum ob_pick pick;
	int rc;

	if (old && old->spooled) {   /* resume: the journal has it */
		if (o->verbose)
			fprintf(stderr, ME ": 0x%x: in the spool as m%u\n",
				it->nid, old->id);
		return sent_meanwhile(sp, old, it);
	}
	rc = ob_select(&m, &b, ob, it, &o->sel, &pick);
	if (rc == 0 && pick == OB_PICK_SEND)
		rc = ob_spool_add(&added, sp, m, (const uint8_t *)b.p, b.n);
	else if (rc == 0 && pick == OB_PICK_NOTE)
		rc = ob_spool_note(sp, m);
	pf_mimew_buf_free(&b);
	ob_msg_free(m);
	return rc;
}

/* Every item of PATH into SP; *INPUT_FAILED when PATH is unreadable. */
static int spool_file(struct ob_spool *sp, const struct obs_opts *o,
		      const char *path, bool *input_failed)
{
	struct pf_outbox *ob = NULL;
	int rc = 0;

	if (load(&ob, o, path)) {
		*input_failed = true;
		return 0;
	}
	for (size_t i = 0; rc == 0 && i < ob->nitems; i++)
		rc = take(sp, o, ob, &ob->items[i]);
	pf_outbox_free(ob);
	return rc;
}

/* $XDG_STATE_HOME/pstfix/outbox-spool, or ~/.local/state/... */
static int default_spool(struct obs_opts *o)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *p = o->default_spool;
	size_t cap = sizeof(o->default_spool);

	if (xdg && *xdg)
		snprintf(p, cap, "%s/pstfix/outbox-spool", xdg);
	else if (home && *home)
		snprintf(p, cap, "%s/.local/state/pstfix/outbox-spool", home);
	else
		return pf_error_set(PF_E_USAGE, "no --spool DIR, and neither "
				    "XDG_STATE_HOME nor HOME is set");
	/* the parents, one by one (mkdir -p) */
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			*s = '/';
			return pf_error_set(PF_E_IO, "cannot create %s: %s", p,
					    strerror(errno));
		}
		*s = '/';
	}
	o->spool = p;
	return 0;
}

static int open_spool(struct ob_spool **sp, struct obs_opts *o)
{
	int rc = o->spool ? 0 : default_spool(o);

	if (rc == 0)
		rc = ob_spool_open(sp, o->spool, true);
	if (rc) {
		fprintf(stderr, ME ": %s\n", pf_error_msg());
		return rc == PF_E_USAGE && o->spool ? EX_TEMPFAIL : EX_IOERR;
	}
	if ((*sp)->torn_tail)
		fprintf(stderr, ME ": %s/journal: an incomplete last record "
			"(a crash while writing it) was dropped\n", o->spool);
	if ((*sp)->bad_records)
		fprintf(stderr, ME ": %s/journal: %u damaged record%s "
			"skipped\n", o->spool, (*sp)->bad_records,
			(*sp)->bad_records == 1 ? "" : "s");
	return 0;
}

static void transport(const struct obs_opts *o, char *s, size_t cap)
{
	if (o->sendmail)
		snprintf(s, cap, "sendmail:%s", o->sendmail);
	else
		snprintf(s, cap, "%s", o->server_url);
}

static int read_secret(struct obs_opts *o, char **secret)
{
	const char *file = o->password_file ? o->password_file
		: o->token_file;
	const char *cmd = o->password_command ? o->password_command
		: o->token_command;

	*secret = NULL;
	if (!file && !cmd)
		return 0;
	if (cli_secret_read(secret, file, cmd) != 0) {
		fprintf(stderr, ME ": %s\n", pf_error_msg());
		return EX_CONFIG;
	}
	o->smtp.secret = *secret;
	return 0;
}

static bool interrupted(void)
{
	return cli_interrupted();
}

static int send_and_report(struct ob_spool *sp, struct obs_opts *o,
			   bool input_failed)
{
	struct ob_run_result res;
	struct ob_tally t = { 0 };
	struct sigaction old;
	const char *stopped;
	struct obr r;
	int status;

	o->cfg.server = o->sendmail ? NULL : &o->server;
	o->cfg.smtp = &o->smtp;
	o->cfg.sendmail = o->sendmail;
	o->cfg.log = o->verbose ? stderr : NULL;
	o->cfg.cancelled = interrupted;
	o->cfg.only = o->sel.only;
	o->cfg.nonly = o->sel.nonly;
	o->smtp.trace = o->verbose ? stderr : NULL;
	cli_sigint_catch(&old);
	ob_send_run(&res, sp, &o->cfg);
	cli_sigint_restore(&old);
	obr_init(&r, stdout, o->json);
	obr_spool(&r, sp, &t);
	t.refused = res.refused;
	t.unreachable = res.unreachable;
	t.auth_failed = res.auth_failed;
	t.config_failed = res.config_failed;
	t.io_failed = res.io_failed || sp->io_failed;
	status = input_failed ? EX_NOINPUT : ob_exit_status(&t);
	/* the server's last word only when it ended the run */
	stopped = res.cancelled ? "interrupted" : (res.refused ||
		res.auth_failed || res.config_failed || res.io_failed ||
		res.unreachable) ? res.why : NULL;
	obr_summary(&r, &t, o->spool, stopped, status);
	return status;
}

int obs_run(struct obs_opts *o)
{
	struct ob_spool *sp = NULL;
	bool input_failed = false;
	char *secret = NULL, tr[4200];
	int status = read_secret(o, &secret), rc = 0;

	if (status)
		return status;
	signal(SIGPIPE, SIG_IGN);   /* sendmail or a server that hangs up */
	status = open_spool(&sp, o);
	if (status)
		goto out;
	transport(o, tr, sizeof(tr));
	rc = ob_j_run(sp, tr);
	for (int i = 0; rc == 0 && i < o->nfiles; i++)
		rc = spool_file(sp, o, o->files[i], &input_failed);
	if (rc) {
		fprintf(stderr, ME ": %s\n", pf_error_msg());
		status = EX_IOERR;
		goto out;
	}
	status = send_and_report(sp, o, input_failed);
out:
	ob_spool_close(sp);
	cli_secret_free(secret);
	return status;
}

/* --dry-run for one file: each item as send would take it. */
static void dry_file(struct obr *r, const struct obs_opts *o,
		     const char *path, struct ob_tally *t, bool *failed)
{
	struct pf_outbox *ob = NULL;

	if (load(&ob, o, path)) {
		*failed = true;
		return;
	}
	for (size_t i = 0; i < ob->nitems; i++) {
		struct pf_mimew_buf b = { 0 };
		struct ob_msg *m = NULL;
		enum ob_pick pick;

		if (ob_select(&m, &b, ob, &ob->items[i], &o->sel, &pick)) {
			fprintf(stderr, ME ": %s\n", pf_error_msg());
			*failed = true;
		} else {
			obr_item(r, m, b.n);
			t->deferred += m->deferred;
			t->skipped_bad += ob_why_is_failure(m->why);
			for (size_t k = 0; !m->why && k < m->nrcpt; k++)
				t->skipped_bad += ob_why_is_failure(
					m->rcpt[k].why);
		}
		pf_mimew_buf_free(&b);
		ob_msg_free(m);
	}
	pf_outbox_free(ob);
}

int obs_dry_run(struct obs_opts *o)
{
	struct ob_tally t = { 0 };
	struct obr r;
	bool failed = false;
	int status;

	obr_init(&r, stdout, o->json);
	for (int i = 0; i < o->nfiles; i++)
		dry_file(&r, o, o->files[i], &t, &failed);
	status = failed ? EX_NOINPUT : t.skipped_bad ? EX_DATAERR : EX_OK;
	obr_summary(&r, &t, "(dry run: none)", NULL, status);
	return status;
}
