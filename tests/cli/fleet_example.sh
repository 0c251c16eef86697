# fleet_example.sh - the README's fleet commands ("Many machines: GNU
# parallel"), taken from README.md as they are printed (each code block
# after a "tests/cli/fleet_example.sh runs this block" comment) and run
# with GNU parallel on a generated share.  The ssh login file holds ':',
# parallel's name for this machine, so the commands are exactly the
# README's; only the paths are moved into the scratch directory and
# `pstfix` is found in PATH, as on an installed node.  Checks: every file
# scanned once, the damaged ones repaired, the per-server reports
# collected, the scheduler slices covering the list.
. "$(dirname "$0")/common.shlib"
need_python
command -v parallel >/dev/null 2>&1 || skip "GNU parallel absent"
parallel --version 2>/dev/null | grep -q 'GNU parallel' ||
	skip "parallel is not GNU parallel (moreutils?)"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CORRUPT=${PSTCORRUPT:-$ROOT/build/tests/tools/pstcorrupt}
[ -x "$CORRUPT" ] || fail "$CORRUPT is not built (make $CORRUPT)"

# the README's blocks, one file each: block.1, block.2, ...
awk -v dir="$TMP" '
	/tests\/cli\/fleet_example.sh runs this block/ { want = 1; next }
	want && /^```/ { want = 0; on = 1; n++; next }
	on && /^```/ { on = 0; next }
	on { print > (dir "/block." n) }' README.md
[ -s "$TMP/block.4" ] || fail "README.md: fewer than 4 fleet blocks"

S=$TMP/share
W=$TMP/work
mkdir -p "$TMP/bin" "$W"
ln -s "$PSTFIX" "$TMP/bin/pstfix"
PATH=$TMP/bin:$PATH
export PATH
echo : >"$W/nodes.txt"
echo : >"$W/servers.txt"

# a share: 4 clean files, 2 damaged, 1 not a PST
make_share() {
	rm -rf "$S" && mkdir -p "$S/a" "$S/b c"
	for i in 1 2 3 4; do
		"$PSTFIX" create --sample messages=3,seed=$i \
			-o "$S/a/u$i.pst" >/dev/null || fail "create"
	done
	"$CORRUPT" header-crc --seed 1 "$S/a/u1.pst" "$S/b c/crc.PST" \
		>/dev/null 2>&1 || fail "pstcorrupt"
	"$CORRUPT" zero-nbt-leaf --seed 2 "$S/a/u2.pst" "$S/b c/leaf.ost" \
		>/dev/null 2>&1 || fail "pstcorrupt"
	echo junk >"$S/b c/junk.pst"
}

# block N: run README block N in $W with the paths moved; its status in RC
block() {
	_ex=/usr/local/share/doc/pstfix/examples/batch.sh
	sed -e "s|$_ex|$ROOT/docs/examples/batch.sh|g" \
	    -e "s|/var/tmp/pstfix-report|$TMP/rep|g" \
	    -e "s|/srv/share|$S|g; s|/srv/mail|$S|g" "$TMP/block.$1" \
		>"$TMP/run.sh"
	echo "--- block $1:"
	cat "$TMP/run.sh"
	RC=0
	(cd "$W" && N=${N:-} sh "$TMP/run.sh") >"$OUT" 2>"$ERR" || RC=$?
}

# JSONL FIELD: "file value" per summary or repair record, sorted
records() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["type"] in ("summary", "repair"):
        print(r["file"] + "\t" + str(r[sys.argv[2]]))' "$1" "$2" |
	LC_ALL=C sort
}

# --- the shared-storage scan: every file once, parallel's status is the
# number of jobs that did not exit 0 (one job here, status 12)
make_share
block 1
[ "$RC" -eq 1 ] || { show; cat "$ERR"; fail "block 1: status $RC"; }
[ "$(wc -l <"$W/mailboxes.txt")" -eq 7 ] || fail "mailboxes.txt"
records "$W/fleet.jsonl" status >"$TMP/st"
cat >"$TMP/want" <<EOF
$S/a/u1.pst	clean
$S/a/u2.pst	clean
$S/a/u3.pst	clean
$S/a/u4.pst	clean
$S/b c/crc.PST	errors
$S/b c/junk.pst	unreadable
$S/b c/leaf.ost	errors
EOF
cmp -s "$TMP/st" "$TMP/want" || { diff "$TMP/want" "$TMP/st"; fail "scan"; }
awk -F'\t' 'NR > 1 { print $2, $7 }' "$W/scan.log" >"$TMP/log"
[ "$(cat "$TMP/log")" = ": 12" ] || fail "scan.log: $(cat "$TMP/log")"

# --- select and repair
block 2
[ "$RC" -eq 1 ] || { show; fail "block 2: status $RC"; }
records "$W/repairs.jsonl" result >"$TMP/st"
cat >"$TMP/want" <<EOF
$S/b c/crc.PST	repaired
$S/b c/junk.pst	failed
$S/b c/leaf.ost	repaired
EOF
cmp -s "$TMP/st" "$TMP/want" || { diff "$TMP/want" "$TMP/st"; fail "repair"; }
[ -f "$S/b c/crc.PST.bak" ] && [ -f "$S/b c/leaf.ost.bak" ] ||
	fail "no backups"
run scan -q "$S/a" "$S/b c/crc.PST" "$S/b c/leaf.ost"
expect_rc 0

# --- batch.sh on every server, then the reports collected
make_share
block 3
[ "$RC" -eq 0 ] || { show; fail "block 3: status $RC"; }
grep -q "^:	scanned 7 files: 4 clean, 2 repaired, 0 with problems left, \
1 failed; " "$W/fleet-summary.txt" ||
	{ cat "$W/fleet-summary.txt"; fail "summary"; }
python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
host, rep = lines[0].split("\t", 1)
rep = json.loads(rep)
assert host == ":" and rep["scanned"] == 7 and rep["exit"] == 9, rep
assert len(rep["repaired"]) == 2 and len(rep["failed"]) == 1, rep
' "$W/fleet-reports.tsv" || fail "fleet-reports.tsv"

# --- scheduler slices: 50 parts, every file in exactly one
make_share
find "$S" -iname '*.pst' -o -iname '*.ost' >"$W/mailboxes.txt"
for N in $(seq 0 49); do
	block 4
	[ "$RC" -eq 0 ] || [ "$RC" -eq 4 ] || [ "$RC" -eq 8 ] ||
		[ "$RC" -eq 12 ] || { show; fail "block 4, N=$N: status $RC"; }
done >/dev/null
[ -f "$W/part.049" ] && [ ! -f "$W/part.050" ] || fail "not 50 parts"
cat "$W"/scan.*.jsonl >"$TMP/all.jsonl"
records "$TMP/all.jsonl" status | cut -f1 >"$TMP/files"
LC_ALL=C sort "$W/mailboxes.txt" >"$TMP/want"
cmp -s "$TMP/files" "$TMP/want" ||
	{ diff "$TMP/want" "$TMP/files"; fail "slices"; }
exit 0
