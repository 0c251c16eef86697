/*
 * repair_report.c - the output of `pstfix repair`: human lines, the
 * summary table of several files, JSON Lines records.  Only this file
 * decides what the user reads.
 *
 * Contract
 * - Human report of one file: with -v every finding of the first scan;
 *   with -n the findings that ask for a repair; without -q the stages'
 *   note lines ("  header: ibFileEof 0x... -> 0x...") and the findings
 *   the final scan still reports (errors and warnings); then one verdict
 *   line "FILE: repaired (LEVEL): ...", "FILE: nothing to repair",
 *   "FILE: would repair (LEVEL): ...", "FILE: problems left (LEVEL):
 *   ...", "FILE: unchanged (LEVEL): ..." (only warnings asked and the
 *   stage could not remove them), "FILE: cannot repair: REASON".
 * - JSON: one record {"type":"repair"} per file (found, notes, counts,
 *   messages kept/lost, what is left, where the result and the backup
 *   are) and, for several files, {"type":"total"}.  Offsets and ids are
 *   "0x..." strings as in scan's records (scan_report.c).
 * - Text from files or file names goes through cli_put_safe() or the
 *   JSON escaper.
 */
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "repair_cli.h"
#include "scan.h"

const char *repair_result_word(const struct repair_job *j,
			       const struct repair_opts *o)
{
	const struct pf_repair_result *r = &j->res;

	if (r->exit & PF_EXIT_OPERATIONAL)
		return "failed";
	if (r->level == PF_REPAIR_NONE)
		return "nothing to repair";
	if (o->dry_run)
		return "would repair";
	if (r->installed && r->exit == PF_EXIT_FIXED)
		return "repaired";
	if (!r->installed && r->exit == PF_EXIT_CLEAN)
		return "unchanged";      /* warnings asked; none went away */
	return "problems left";
}

static uint64_t kept(const struct repair_job *j)
{
	return j->res.installed ? j->res.after.messages :
				  j->res.before.messages;
}

/* ---- text ---- */

static void findings_text(FILE *f, const struct repair_list *l,
			  enum pf_repair_level min, bool no_info)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct repair_item *it = &l->v[i];

		if (it->level < min ||
		    (no_info && it->f.problem->sev == PF_SEV_INFO))
			continue;
		report_finding_text(f, &it->f);
	}
	if (l->dropped)
		fprintf(f, "... and %" PRIu64 " more findings not kept\n",
			l->dropped);
}

static void verdict_text(FILE *f, const struct repair_job *j,
			 const struct repair_opts *o)
{
	const struct pf_repair_result *r = &j->res;
	const char *word = repair_result_word(j, o);
	const char *lv = pf_repair_level_name(r->done ? r->done : r->level);

	cli_put_safe(f, j->path);
	if (r->exit & PF_EXIT_OPERATIONAL) {
		fputs(": cannot repair: ", f);
		cli_put_safe(f, r->error);
	} else if (r->level == PF_REPAIR_NONE) {
		fprintf(f, ": nothing to repair (%" PRIu64 " warnings)",
			r->before.findings[PF_SEV_WARNING]);
	} else if (o->dry_run && r->header_unreadable) {
		fprintf(f, ": would repair (%s): nothing written",
			pf_repair_level_name(r->level));
	} else if (o->dry_run) {
		fprintf(f, ": would repair (%s): %" PRIu64 " findings ask "
			"for it; nothing written",
			pf_repair_level_name(r->level), r->asking[r->level]);
	} else {
		fprintf(f, ": %s (%s): %" PRIu64 " messages kept, %" PRIu64
			" lost; %" PRIu64 " errors, %" PRIu64 " warnings left",
			word, lv, kept(j), r->counts.messages_lost,
			r->after.findings[PF_SEV_ERROR],
			r->after.findings[PF_SEV_WARNING]);
		if (r->installed && j->bak) {
			fputs("; original kept as ", f);
			cli_put_safe(f, j->bak);
		} else if (r->installed && o->out) {
			fputs("; written to ", f);
			cli_put_safe(f, o->out);
		} else if (r->error[0]) {
			fputs("; ", f);
			cli_put_safe(f, r->error);
		}
	}
	putc('\n', f);
}

void repair_report_text(FILE *f, const struct repair_job *j,
			const struct repair_opts *o)
{
	const struct pf_repair_result *r = &j->res;

	if (o->verbose)
		findings_text(f, &j->before, PF_REPAIR_NONE, false);
	else if (o->dry_run && !o->quiet)
		findings_text(f, &j->before, PF_REPAIR_HEADER, false);
	/* a file that is no PST at all fails in the NDB stage: one line */
	if (!o->quiet && r->header_unreadable &&
	    !(r->exit & PF_EXIT_OPERATIONAL)) {
		cli_put_safe(f, j->path);
		fputs(": the header does not open (", f);
		cli_put_safe(f, r->unreadable);
		fputs(o->dry_run ? "): would rebuild from a scan of the "
		      "file\n" : "): rebuilding from a scan of the file\n",
		      f);
	}
	for (size_t i = 0; !o->quiet && i < j->nnotes; i++) {
		fputs("  ", f);
		cli_put_safe(f, j->notes[i]);
		putc('\n', f);
	}
	if (!o->quiet && j->notes_dropped)
		fprintf(f, "  ... and %" PRIu64 " more lines\n",
			j->notes_dropped);
	if (!o->quiet && r->done)
		findings_text(f, &j->after, PF_REPAIR_NONE, !o->verbose);
	verdict_text(f, j, o);
}

void repair_table_text(FILE *f, const struct repair_job *jobs, size_t n)
{
	static const struct repair_opts plain;

	fprintf(f, "\n%-40s %-9s %8s %6s  %s\n", "FILE", "LEVEL", "KEPT",
		"LOST", "RESULT");
	for (size_t i = 0; i < n; i++) {
		const struct repair_job *j = &jobs[i];
		const struct pf_repair_result *r = &j->res;
		size_t len = strlen(j->path);

		cli_put_safe(f, j->path);
		if (!j->started) {
			fprintf(f, "%*s %-9s %8s %6s  %s\n",
				len < 40 ? (int)(40 - len) : 0, "", "-", "-",
				"-", "not started (interrupted)");
			continue;
		}
		fprintf(f, "%*s %-9s %8" PRIu64 " %6" PRIu64 "  %s\n",
			len < 40 ? (int)(40 - len) : 0, "",
			j->refused ? "-" : pf_repair_level_name(r->level),
			kept(j), r->counts.messages_lost,
			r->exit & PF_EXIT_OPERATIONAL ? "failed" :
			r->level == PF_REPAIR_NONE ? "nothing to repair" :
			r->done ? repair_result_word(j, &plain) :
			"would repair");
	}
}

/* ---- JSON ---- */

static void findings_json(struct pf_json *js, const char *key,
			  const struct repair_list *l)
{
	char code[8];

	pf_json_key(js, key);
	pf_json_array_begin(js);
	for (size_t i = 0; i < l->n; i++) {
		const struct repair_item *it = &l->v[i];

		snprintf(code, sizeof(code), "PF%04u", (unsigned)it->code);
		pf_json_object_begin(js);
		pf_json_kv_str(js, "code", code);
		pf_json_kv_str(js, "id", it->f.problem->id);
		pf_json_kv_str(js, "severity",
			       pf_severity_name(it->f.problem->sev));
		pf_json_kv_str(js, "level", pf_repair_level_name(it->level));
		if (it->f.ib != PF_NO_IB)
			pf_json_kv_hex(js, "ib", it->f.ib);
		if (it->f.bid)
			pf_json_kv_hex(js, "bid", it->f.bid);
		if (it->f.nid)
			pf_json_kv_hex(js, "nid", it->f.nid);
		pf_json_kv_str(js, "message", it->f.message);
		pf_json_object_end(js);
	}
	pf_json_array_end(js);
}

static void counts_json(struct pf_json *js, const struct pf_repair_counts *c)
{
	pf_json_key(js, "counts");
	pf_json_object_begin(js);
	pf_json_kv_u64(js, "header_fields", c->header_fields);
	pf_json_kv_u64(js, "pages_scanned", c->pages_scanned);
	pf_json_kv_u64(js, "blocks_scanned", c->blocks_scanned);
	pf_json_kv_u64(js, "nodes_kept", c->nodes_kept);
	pf_json_kv_u64(js, "nodes_scavenged", c->nodes_scavenged);
	pf_json_kv_u64(js, "nodes_dropped", c->nodes_dropped);
	pf_json_kv_u64(js, "blocks_dropped", c->blocks_dropped);
	pf_json_kv_u64(js, "trees_truncated", c->trees_truncated);
	pf_json_kv_u64(js, "subnodes_dropped", c->subnodes_dropped);
	pf_json_kv_u64(js, "mandatory_recreated", c->mandatory_recreated);
	pf_json_kv_u64(js, "tables_rebuilt", c->tables_rebuilt);
	pf_json_kv_u64(js, "counts_fixed", c->counts_fixed);
	pf_json_kv_u64(js, "orphans_recovered", c->orphans_recovered);
	pf_json_object_end(js);
}

static void found_json(struct pf_json *js, const struct repair_job *j)
{
	const struct pf_repair_result *r = &j->res;

	pf_json_key(js, "found");
	pf_json_object_begin(js);
	pf_json_kv_u64(js, "errors", r->before.findings[PF_SEV_ERROR]);
	pf_json_kv_u64(js, "warnings", r->before.findings[PF_SEV_WARNING]);
	pf_json_key(js, "asking");
	pf_json_object_begin(js);
	for (int lv = PF_REPAIR_HEADER; lv <= PF_REPAIR_MESSAGING; lv++)
		pf_json_kv_u64(js, pf_repair_level_name(
				       (enum pf_repair_level)lv),
			       r->asking[lv]);
	pf_json_object_end(js);
	pf_json_object_end(js);
	findings_json(js, "findings", &j->before);
}

void repair_report_json(FILE *f, const struct repair_job *j,
			const struct repair_opts *o)
{
	const struct pf_repair_result *r = &j->res;
	struct pf_json js;

	pf_json_init(&js, f);
	pf_json_object_begin(&js);
	pf_json_kv_str(&js, "type", "repair");
	pf_json_kv_str(&js, "file", j->path);
	pf_json_kv_str(&js, "result", repair_result_word(j, o));
	pf_json_kv_i64(&js, "exit", r->exit);
	pf_json_kv_bool(&js, "dry_run", o->dry_run);
	pf_json_kv_str(&js, "level", j->refused ? NULL :
		       pf_repair_level_name(r->level));
	pf_json_kv_str(&js, "done", pf_repair_level_name(r->done));
	pf_json_kv_bool(&js, "header_unreadable", r->header_unreadable);
	if (r->error[0])
		pf_json_kv_str(&js, "error", r->error);
	found_json(&js, j);
	pf_json_key(&js, "notes");
	pf_json_array_begin(&js);
	for (size_t i = 0; i < j->nnotes; i++)
		pf_json_str(&js, j->notes[i]);
	pf_json_array_end(&js);
	counts_json(&js, &r->counts);
	pf_json_kv_u64(&js, "messages_before", r->before.messages);
	pf_json_kv_u64(&js, "messages_kept", kept(j));
	pf_json_kv_u64(&js, "messages_lost", r->counts.messages_lost);
	pf_json_kv_u64(&js, "errors_left", r->done ?
		       r->after.findings[PF_SEV_ERROR] :
		       r->before.findings[PF_SEV_ERROR]);
	pf_json_kv_u64(&js, "warnings_left", r->done ?
		       r->after.findings[PF_SEV_WARNING] :
		       r->before.findings[PF_SEV_WARNING]);
	findings_json(&js, "left", &j->after);
	pf_json_kv_str(&js, "output", !r->installed ? NULL :
		       o->out ? o->out : j->path);
	pf_json_kv_str(&js, "backup", r->installed ? j->bak : NULL);
	pf_json_key(&js, "seconds");
	pf_json_fixed(&js, j->seconds, 3);
	pf_json_object_end(&js);
	pf_json_newline(&js);
}

void repair_total_json(FILE *f, const struct repair_job *jobs, size_t n,
		       int exit)
{
	size_t repaired = 0, nothing = 0, left = 0, failed = 0, waiting = 0;
	struct pf_json js;

	for (size_t i = 0; i < n; i++) {
		const struct pf_repair_result *r = &jobs[i].res;

		if (!jobs[i].started)
			waiting++;
		else if (r->exit & PF_EXIT_OPERATIONAL)
			failed++;
		else if (r->level == PF_REPAIR_NONE)
			nothing++;
		else if (r->installed && r->exit == PF_EXIT_FIXED)
			repaired++;
		else
			left++;
	}
	pf_json_init(&js, f);
	pf_json_object_begin(&js);
	pf_json_kv_str(&js, "type", "total");
	pf_json_kv_u64(&js, "files", n);
	pf_json_kv_u64(&js, "repaired", repaired);
	pf_json_kv_u64(&js, "nothing_to_repair", nothing);
	pf_json_kv_u64(&js, "problems_left", left);
	pf_json_kv_u64(&js, "failed", failed);
	pf_json_kv_u64(&js, "not_started", waiting);
	pf_json_kv_i64(&js, "exit", exit);
	pf_json_object_end(&js);
	pf_json_newline(&js);
}
