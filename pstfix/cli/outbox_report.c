/*
 * outbox_report.c - the report of `outbox send` and `outbox status`.
 *
 * Contract
 * - Text: one line per message ("m3 <id> 0x200024 FILE: Subject"), then
 *   one line per recipient: state, kind, address, the server's basic and
 *   enhanced codes and text, the queue id, the next attempt time (UTC),
 *   the attempts charged, or why it was skipped.  Text from the PST and
 *   from servers goes through cli_put_safe (no terminal control).
 * - --json: JSON Lines (json.h): {"type":"recipient",...} per recipient,
 *   {"type":"message",...} per message not spooled, one
 *   {"type":"summary",...} last.  Times are ISO 8601 UTC strings.
 * - The counts feed ob_exit_status() (policy.h): a recipient skipped as
 *   unresolvable and a message that cannot be sent count as failures;
 *   deferred messages as waiting.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "../outbox/select.h"
#include "cli.h"
#include "outbox_report.h"

void obr_init(struct obr *r, FILE *out, bool json)
{
	r->out = out;
	r->json = json;
	pf_json_init(&r->j, out);
}

static void iso(int64_t ms, char *s, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(s, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *kind_name(int kind)
{
	return kind == 3 ? "Bcc" : kind == 2 ? "Cc" : "To";
}

static void count(struct ob_tally *t, const struct ob_rcpt *rc)
{
	switch (rc->state) {
	case OB_ACCEPTED: t->accepted++; break;
	case OB_PENDING: t->pending++; break;
	case OB_TEMPFAIL: t->tempfail++; break;
	case OB_PERMFAIL: t->permfail++; break;
	case OB_UNCERTAIN: t->uncertain++; break;
	case OB_EXPIRED: t->expired++; break;
	default:
		t->skipped_bad += ob_why_is_failure(rc->why);
		break;
	}
}

static void msg_keys(struct obr *r, const char *type, const struct ob_msg *m)
{
	pf_json_object_begin(&r->j);
	pf_json_kv_str(&r->j, "type", type);
	if (m->id)
		pf_json_kv_u64(&r->j, "message", m->id);
	pf_json_kv_str(&r->j, "message_id", m->msgid);
	pf_json_kv_hex(&r->j, "nid", m->nid);
	pf_json_kv_str(&r->j, "file", m->src);
	pf_json_kv_str(&r->j, "subject", m->subject);
	pf_json_kv_str(&r->j, "from", m->from);
}

static void enh_str(const int enh[3], char *s, size_t cap)
{
	if (enh[0])
		snprintf(s, cap, "%d.%d.%d", enh[0], enh[1], enh[2]);
	else
		*s = '\0';
}

static void rcpt_json(struct obr *r, const struct ob_msg *m,
		      const struct ob_rcpt *rc)
{
	char when[32], enh[16];

	msg_keys(r, "recipient", m);
	pf_json_kv_str(&r->j, "rcpt", rc->addr);
	pf_json_kv_str(&r->j, "kind", kind_name(rc->kind));
	pf_json_kv_str(&r->j, "state", ob_state_name(rc->state));
	pf_json_kv_u64(&r->j, "attempts", rc->attempts);
	if (rc->last.stage[0]) {
		enh_str(rc->last.enh, enh, sizeof(enh));
		pf_json_kv_str(&r->j, "stage", rc->last.stage);
		pf_json_kv_u64(&r->j, "code", (uint64_t)rc->last.code);
		pf_json_kv_str(&r->j, "enhanced", *enh ? enh : NULL);
		pf_json_kv_str(&r->j, "reply", rc->last.text);
	}
	if (rc->queue_id)
		pf_json_kv_str(&r->j, "queue_id", rc->queue_id);
	if (rc->state == OB_TEMPFAIL) {
		iso(rc->next_ms, when, sizeof(when));
		pf_json_kv_str(&r->j, "next_attempt", when);
	}
	if (rc->why)
		pf_json_kv_str(&r->j, "why", rc->why);
	pf_json_object_end(&r->j);
	pf_json_newline(&r->j);
}

/* The reply text without the enhanced code it starts with (the SMTP
 * client keeps it in the text; the report shows it once). */
static const char *skip_enh(const char *text, const char *enh)
{
	size_t n = strlen(enh);

	if (n && strncmp(text, enh, n) == 0 && text[n] == ' ')
		return text + n + 1;
	return text;
}

static void rcpt_text(struct obr *r, const struct ob_rcpt *rc)
{
	char when[32], enh[16];

	fprintf(r->out, "  %-10s %-3s ", ob_state_name(rc->state),
		kind_name(rc->kind));
	cli_put_safe(r->out, rc->addr ? rc->addr : "(no address)");
	if (rc->last.stage[0] && rc->state != OB_SKIPPED) {
		enh_str(rc->last.enh, enh, sizeof(enh));
		fprintf(r->out, "  [%s]", rc->last.stage);
		if (rc->last.code)
			fprintf(r->out, " %d", rc->last.code);
		if (*enh)
			fprintf(r->out, " %s", enh);
		if (rc->last.text) {
			fputc(' ', r->out);
			cli_put_safe(r->out, skip_enh(rc->last.text, enh));
		}
	}
	if (rc->queue_id) {
		fputs(" (queue id ", r->out);
		cli_put_safe(r->out, rc->queue_id);
		fputc(')', r->out);
	}
	if (rc->state == OB_TEMPFAIL) {
		iso(rc->next_ms, when, sizeof(when));
		fprintf(r->out, "; next attempt %s", when);
	}
	if (rc->attempts)
		fprintf(r->out, "; %u attempt%s", rc->attempts,
			rc->attempts == 1 ? "" : "s");
	if (rc->why) {
		fputs("; ", r->out);
		cli_put_safe(r->out, rc->why);
	}
	fputc('\n', r->out);
}

static void msg_text(struct obr *r, const struct ob_msg *m)
{
	if (m->id)
		fprintf(r->out, "m%u ", m->id);
	fputc('<', r->out);
	cli_put_safe(r->out, m->msgid ? m->msgid : "");
	fprintf(r->out, "> 0x%" PRIx32 " ", m->nid);
	cli_put_safe(r->out, m->src ? m->src : "");
	fputs(": ", r->out);
	cli_put_safe(r->out, m->subject ? m->subject : "(no subject)");
	fputc('\n', r->out);
}

void obr_item(struct obr *r, const struct ob_msg *m, size_t bytes)
{
	if (r->json) {
		msg_keys(r, "message", m);
		pf_json_kv_str(&r->j, "state", m->why ? (m->deferred ?
			"deferred" : "skipped") : "would-send");
		if (m->why)
			pf_json_kv_str(&r->j, "why", m->why);
		else
			pf_json_kv_u64(&r->j, "bytes", bytes);
		pf_json_object_end(&r->j);
		pf_json_newline(&r->j);
	} else {
		msg_text(r, m);
		fputs("  ", r->out);
		if (m->why)
			cli_put_safe(r->out, m->why);
		else
			fprintf(r->out, "would send %zu bytes", bytes);
		fputc('\n', r->out);
	}
	for (size_t i = 0; !m->why && i < m->nrcpt; i++) {
		if (r->json)
			rcpt_json(r, m, &m->rcpt[i]);
		else
			rcpt_text(r, &m->rcpt[i]);
	}
}

static void one_msg(struct obr *r, const struct ob_msg *m,
		    struct ob_tally *t)
{
	if (!m->spooled) {
		if (m->deferred)
			t->deferred++;
		else
			t->skipped_bad += ob_why_is_failure(m->why);
		obr_item(r, m, 0);
		return;
	}
	if (!r->json)
		msg_text(r, m);
	for (size_t i = 0; i < m->nrcpt; i++) {
		count(t, &m->rcpt[i]);
		if (r->json)
			rcpt_json(r, m, &m->rcpt[i]);
		else
			rcpt_text(r, &m->rcpt[i]);
	}
}

void obr_spool(struct obr *r, const struct ob_spool *sp,
	       struct ob_tally *t)
{
	for (size_t k = 0; k < sp->nmsg; k++)
		one_msg(r, sp->msg[k], t);
}

void obr_summary(struct obr *r, const struct ob_tally *t,
		 const char *spool, const char *stopped, int status)
{
	static const char *const keys[] = {
		"accepted", "pending", "temp_fail", "perm_fail", "uncertain",
		"expired", "unsendable", "deferred",
	};
	const unsigned v[] = { t->accepted, t->pending, t->tempfail,
			       t->permfail, t->uncertain, t->expired,
			       t->skipped_bad, t->deferred };

	if (r->json) {
		pf_json_object_begin(&r->j);
		pf_json_kv_str(&r->j, "type", "summary");
		for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++)
			pf_json_kv_u64(&r->j, keys[i], v[i]);
		pf_json_kv_str(&r->j, "spool", spool);
		if (stopped && *stopped)
			pf_json_kv_str(&r->j, "stopped", stopped);
		pf_json_kv_i64(&r->j, "exit", status);
		pf_json_object_end(&r->j);
		pf_json_newline(&r->j);
		return;
	}
	fputs("summary:", r->out);
	for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++)
		fprintf(r->out, "%s %u %s", i ? "," : "", v[i], keys[i]);
	fputs("; spool ", r->out);
	cli_put_safe(r->out, spool);
	fprintf(r->out, "; exit %d\n", status);
	if (stopped && *stopped) {
		fputs("stopped: ", r->out);
		cli_put_safe(r->out, stopped);
		fputc('\n', r->out);
	}
	if (t->uncertain)
		fprintf(r->out, "note: %u recipient%s UNCERTAIN: the message "
			"went out and no reply came; it may have been "
			"delivered. Check with the recipient or the server's "
			"log, then run send again with --resend-uncertain "
			"only if it was not.\n", t->uncertain,
			t->uncertain == 1 ? " is" : "s are");
}
