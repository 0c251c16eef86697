/*
 * scan_report.c - the output format of `pstfix scan`: human lines and
 * JSON Lines records.  Only this file decides what the user reads.
 *
 * Contract
 * - Human finding: "PF3003 error   BBT page at 0x7e00 bid 0x138: BID
 *   mismatch (...)": code, severity padded to 7, then the message with
 *   its location (only the parts that are set: ib, bid, nid, hid) after
 *   the message's subject when the template has one, else in front.
 * - Human verdict: "FILE: clean", "FILE: clean, 3 warnings", "FILE: 5
 *   errors, 2 warnings", "FILE: cannot check: REASON".
 * - JSON convention (documented in docs/pstfix.1 and the README): counts,
 *   sizes and codes are JSON integers; offsets, identifiers and raw field
 *   values (ib, bid, nid, hid, got, want) are strings "0x..." in lower-case
 *   hex, because a uint64 does not survive a double-based JSON reader.
 *   A location key appears only when it is set; got/want only when the
 *   problem's message uses them; field only when there is one.
 * - Text that came from the file or from a file name is printed with
 *   control characters replaced (cli_put_safe) or JSON-escaped.
 */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "scan.h"

/* "at 0x7e00 bid 0x138 nid 0x21 hid 0x20": only the parts that are set. */
static void location(char *buf, size_t cap, const struct pf_finding *fd)
{
	size_t n = 0;

	buf[0] = '\0';
	if (fd->ib != PF_NO_IB)
		n += (size_t)snprintf(buf + n, cap - n, " at 0x%" PRIx64,
				      fd->ib);
	if (fd->bid != 0 && n < cap)
		n += (size_t)snprintf(buf + n, cap - n, " bid 0x%" PRIx64,
				      fd->bid);
	if (fd->nid != 0 && n < cap)
		n += (size_t)snprintf(buf + n, cap - n, " nid 0x%" PRIx32,
				      fd->nid);
	if (fd->hid != 0 && n < cap)
		snprintf(buf + n, cap - n, " hid 0x%" PRIx32, fd->hid);
}

/* Length of the message's subject ("BBT page" in "BBT page: BID
 * mismatch"), 0 if it has none.  The subject comes from the template, so
 * it is never text read from the file: at most two words, no escapes and
 * no digits ("ROOT.fAMapValid is 0: ..." is a sentence, not a subject). */
static size_t subject_len(const struct pf_finding *fd)
{
	const char *t = fd->problem->text;
	const char *colon = strstr(t, ": ");
	unsigned spaces = 0;
	size_t len;

	if (!colon || colon == t)
		return 0;
	len = (size_t)(colon - t);
	for (size_t i = 0; i < len; i++) {
		if (t[i] == '%' || isdigit((unsigned char)t[i]))
			return 0;
		spaces += t[i] == ' ';
	}
	if (spaces > 1 || strncmp(fd->message, t, len) != 0 ||
	    fd->message[len] != ':' || fd->message[len + 1] != ' ')
		return 0;
	return len;
}

void report_finding_text(FILE *f, const struct pf_finding *fd)
{
	char loc[128];
	size_t subj = subject_len(fd);

	location(loc, sizeof(loc), fd);
	fprintf(f, "PF%04u %-7s ", (unsigned)fd->problem->code,
		pf_severity_name(fd->problem->sev));
	if (loc[0] && subj) {
		fprintf(f, "%.*s%s: ", (int)subj, fd->message, loc);
		cli_put_safe(f, fd->message + subj + 2);
	} else {
		if (loc[0])
			fprintf(f, "%s: ", loc + 1);  /* no leading blank */
		cli_put_safe(f, fd->message);
	}
	putc('\n', f);
}

/* Does the template print got (want)?  Otherwise the value is a filler. */
static bool uses(const char *tmpl, char hex, char dec)
{
	for (const char *p = strchr(tmpl, '%'); p; p = strchr(p + 2, '%')) {
		if (p[1] == hex || p[1] == dec)
			return true;
		if (!p[1])
			break;
	}
	return false;
}

void report_finding_json(FILE *f, const char *path,
			 const struct pf_finding *fd)
{
	const struct pf_problem *p = fd->problem;
	struct pf_json j;
	char code[8];

	snprintf(code, sizeof(code), "PF%04u", (unsigned)p->code);
	pf_json_init(&j, f);
	pf_json_object_begin(&j);
	pf_json_kv_str(&j, "type", "finding");
	pf_json_kv_str(&j, "file", path);
	pf_json_kv_str(&j, "code", code);
	pf_json_kv_str(&j, "id", p->id);
	pf_json_kv_str(&j, "severity", pf_severity_name(p->sev));
	pf_json_kv_u64(&j, "pass", p->code / 1000u);
	if (fd->ib != PF_NO_IB)
		pf_json_kv_hex(&j, "ib", fd->ib);
	if (fd->bid)
		pf_json_kv_hex(&j, "bid", fd->bid);
	if (fd->nid)
		pf_json_kv_hex(&j, "nid", fd->nid);
	if (fd->hid)
		pf_json_kv_hex(&j, "hid", fd->hid);
	if (fd->field)
		pf_json_kv_str(&j, "field", fd->field);
	if (uses(p->text, 'G', 'g'))
		pf_json_kv_hex(&j, "got", fd->got);
	if (uses(p->text, 'W', 'w'))
		pf_json_kv_hex(&j, "want", fd->want);
	pf_json_kv_str(&j, "message", fd->message);
	pf_json_object_end(&j);
	pf_json_newline(&j);
}

static void count(FILE *f, bool *first, uint64_t n, const char *what)
{
	fprintf(f, "%s%" PRIu64 " %s%s", *first ? "" : ", ", n, what,
		n == 1 ? "" : "s");
	*first = false;
}

static void stats_text(FILE *f, const struct pf_check_summary *s)
{
	bool first = true;

	fprintf(f, "wVer %d, ", s->format_ver);
	count(f, &first, s->file_size, "byte");
	count(f, &first, s->pages, "page");
	count(f, &first, s->blocks, "block");
	count(f, &first, s->nodes, "node");
	count(f, &first, s->folders, "folder");
	count(f, &first, s->messages, "message");
	count(f, &first, s->attachments, "attachment");
	count(f, &first, s->recipients, "recipient");
}

void report_verdict_text(FILE *f, const char *path,
			 const struct scan_result *r, bool verbose)
{
	const uint64_t *n = r->sum.findings;
	bool first = true;

	if (verbose && r->sum.opened) {
		cli_put_safe(f, path);
		fputs(": ", f);
		stats_text(f, &r->sum);
		fprintf(f, "; %.2f s\n", r->seconds);
	}
	cli_put_safe(f, path);
	fputs(": ", f);
	if (r->status == SCAN_UNREADABLE) {
		fputs("cannot check: ", f);
		cli_put_safe(f, r->error);
		putc('\n', f);
		return;
	}
	if (r->status == SCAN_CLEAN) {
		fputs("clean", f);
		first = false;
	} else {
		count(f, &first, n[PF_SEV_ERROR], "error");
	}
	if (n[PF_SEV_WARNING])
		count(f, &first, n[PF_SEV_WARNING], "warning");
	if (verbose && n[PF_SEV_INFO])
		count(f, &first, n[PF_SEV_INFO], "note");
	putc('\n', f);
}

static const char *status_name(enum scan_status s)
{
	switch (s) {
	case SCAN_CLEAN:      return "clean";
	case SCAN_ERRORS:     return "errors";
	case SCAN_UNREADABLE: return "unreadable";
	}
	return "?";
}

static void stats_json(struct pf_json *j, const struct pf_check_summary *s)
{
	pf_json_kv_u64(j, "size", s->file_size);
	pf_json_kv_i64(j, "format_ver", s->format_ver);
	pf_json_kv_u64(j, "pages", s->pages);
	pf_json_kv_u64(j, "blocks", s->blocks);
	pf_json_kv_u64(j, "nodes", s->nodes);
	pf_json_kv_u64(j, "folders", s->folders);
	pf_json_kv_u64(j, "messages", s->messages);
	pf_json_kv_u64(j, "attachments", s->attachments);
	pf_json_kv_u64(j, "recipients", s->recipients);
}

void report_summary_json(FILE *f, const char *path,
			 const struct scan_result *r)
{
	struct pf_json j;

	pf_json_init(&j, f);
	pf_json_object_begin(&j);
	pf_json_kv_str(&j, "type", "summary");
	pf_json_kv_str(&j, "file", path);
	pf_json_kv_str(&j, "status", status_name(r->status));
	pf_json_kv_i64(&j, "exit", r->exit);
	if (r->status == SCAN_UNREADABLE)
		pf_json_kv_str(&j, "error", r->error);
	pf_json_kv_u64(&j, "errors", r->sum.findings[PF_SEV_ERROR]);
	pf_json_kv_u64(&j, "warnings", r->sum.findings[PF_SEV_WARNING]);
	pf_json_kv_u64(&j, "info", r->sum.findings[PF_SEV_INFO]);
	pf_json_kv_u64(&j, "suppressed", r->sum.suppressed);
	/* Sizes and counts only exist for a file that could be opened. */
	if (r->sum.opened)
		stats_json(&j, &r->sum);
	pf_json_key(&j, "seconds");
	pf_json_fixed(&j, r->seconds, 3);
	pf_json_object_end(&j);
	pf_json_newline(&j);
}

void report_total_text(FILE *f, const struct scan_totals *t)
{
	if (t->interrupted)
		fprintf(f, "scanned %zu of %zu files (interrupted): ",
			t->checked, t->files);
	else
		fprintf(f, "scanned %zu file%s: ", t->checked,
			t->checked == 1 ? "" : "s");
	fprintf(f, "%zu clean, %zu with errors, %zu could not be checked "
		"(%.2f s)\n", t->clean, t->with_errors, t->unreadable,
		t->seconds);
}

void report_total_json(FILE *f, const struct scan_totals *t)
{
	struct pf_json j;

	pf_json_init(&j, f);
	pf_json_object_begin(&j);
	pf_json_kv_str(&j, "type", "total");
	pf_json_kv_u64(&j, "files", t->checked);
	pf_json_kv_u64(&j, "clean", t->clean);
	pf_json_kv_u64(&j, "with_errors", t->with_errors);
	pf_json_kv_u64(&j, "unreadable", t->unreadable);
	pf_json_kv_u64(&j, "not_checked", t->files - t->checked);
	pf_json_kv_u64(&j, "errors", t->errors);
	pf_json_kv_u64(&j, "warnings", t->warnings);
	pf_json_kv_bool(&j, "interrupted", t->interrupted);
	pf_json_kv_i64(&j, "exit", t->exit);
	pf_json_key(&j, "seconds");
	pf_json_fixed(&j, t->seconds, 3);
	pf_json_object_end(&j);
	pf_json_newline(&j);
}
