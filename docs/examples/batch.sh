#!/bin/sh
# batch.sh - check a share of Outlook mailboxes, repair the ones that are
# not clean, and collect one JSON report.  The worked example of README.md
# ("Batch and fleet use"); tests/cli/batch_example.sh runs it on generated
# samples.  Needs pstfix and python3.
#
#   batch.sh [-j N] [-n] REPORT_DIR DIR|FILE...
#
#   -j N  check, then repair, N files at a time (default 4)
#   -n    dry run: say what repair would do, write nothing
#
# In REPORT_DIR (created if need be):
#   scan.jsonl    pstfix scan -q --json: a summary per file, a total
#   damaged.txt   the files scan did not find clean (errors, or the
#                 header unreadable: repair rebuilds those from a scan),
#                 one per line
#   repair.jsonl  pstfix repair --json: a record per file (xargs may run
#                 repair more than once, so several totals)
#   report.json   one object on one line: counts, the files per outcome,
#                 the exit status
# Repair works in place and keeps each original as FILE.bak; a file that
# already has a FILE.bak is refused (status 8) and left alone.
#
# Exit status, fsck bits as pstfix's own, OR-ed: 0 all clean, 1 every
# damaged file repaired, 4 problems left (with -n: something to repair),
# 8 a file could not be checked or repaired, 16 usage, 32 interrupted.
# Limits: names with a newline, and names that are not UTF-8 (JSON gives
# them back with U+FFFD), are not found again by repair: they end in
# "failed", never touched.
set -u
PSTFIX=${PSTFIX:-pstfix}

usage() {
	echo "usage: batch.sh [-j N] [-n] REPORT_DIR DIR|FILE..." >&2
	exit 16
}

jobs=4
dry=
while getopts j:n opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	n) dry=-n ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
out=$1
shift
mkdir -p "$out" || exit 8

# 1. Scan: verdicts only, as JSON Lines.  Stop on a usage error (16) or
#    Ctrl-C (32); 4 and 8 are what the next steps are for.
scan=0
"$PSTFIX" scan -q --json -j "$jobs" -- "$@" >"$out/scan.jsonl" || scan=$?
[ $((scan & 48)) -eq 0 ] || exit "$scan"

# 2. Select the files that are not clean.
python3 - "$out/scan.jsonl" >"$out/damaged.txt" <<'EOF' || exit 8
import json, sys
for line in open(sys.argv[1], encoding='utf-8'):
    rec = json.loads(line)
    if rec['type'] == 'summary' and rec['status'] != 'clean':
        print(rec['file'])
EOF

# 3. Repair them, N at a time; each result is in the JSON, so xargs's own
#    status (123 when any run was not 0) is not needed.
: >"$out/repair.jsonl"
if [ -s "$out/damaged.txt" ]; then
	tr '\n' '\0' <"$out/damaged.txt" |
		xargs -0 "$PSTFIX" repair $dry -q --json -j "$jobs" -- \
			>>"$out/repair.jsonl"
fi

# 4. One report; its "exit" is this script's status.
python3 - "$out" "$scan" <<'EOF'
import json, os, sys
out, scan = sys.argv[1], int(sys.argv[2])
def records(name, kind):
    with open(os.path.join(out, name), encoding='utf-8') as f:
        return [r for r in map(json.loads, f) if r['type'] == kind]
summaries = records('scan.jsonl', 'summary')
repairs = records('repair.jsonl', 'repair')
rep = {
    'scanned': len(summaries),
    'clean': sum(s['status'] == 'clean' for s in summaries),
    'not_clean': [s['file'] for s in summaries if s['status'] != 'clean'],
    'repaired': [], 'would_repair': [], 'problems_left': [], 'failed': [],
    'nothing_to_repair': [], 'backups': [],
    'messages_lost': sum(r['messages_lost'] for r in repairs),
}
status = scan & 32
for r in repairs:
    status |= r['exit']
    key = r['result'].replace(' ', '_')
    rep.setdefault(key, []).append(
        {'file': r['file'], 'error': r['error']} if 'error' in r
        else r['file'])
    if r['backup']:
        rep['backups'].append(r['backup'])
# a file scan could not read and repair was not asked about (none today:
# every one not clean goes to repair) still counts as 8
if set(rep['not_clean']) - {r['file'] for r in repairs}:
    status |= 8
rep['exit'] = status
with open(os.path.join(out, 'report.json'), 'w', encoding='utf-8') as f:
    json.dump(rep, f, ensure_ascii=False)    # one line: easy to collect
    f.write('\n')
if any(r['dry_run'] for r in repairs):
    done = '%d to repair (dry run)' % len(rep['would_repair'])
else:
    done = '%d repaired, %d with problems left, %d failed' % (
        len(rep['repaired']), len(rep['problems_left']), len(rep['failed']))
print('scanned %d files: %d clean, %s; report in %s' % (
      rep['scanned'], rep['clean'], done, os.path.join(out, 'report.json')))
sys.exit(status)
EOF
