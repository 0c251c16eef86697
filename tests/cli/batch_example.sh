# batch_example.sh - docs/examples/batch.sh, the README's worked batch
# example, on a generated share: two clean files (a PST and an OST), three
# damaged ones (a header CRC, a zeroed NBT leaf, a zeroed header that scan
# cannot read but repair rebuilds), one file that is no PST, a name with a
# space.  A dry run changes nothing and exits 4; the real run repairs the
# three (originals kept as .bak, byte for byte), fails the junk one, exits
# 9 and writes a report.json that says so; then the share rescans clean
# but for the junk file; a second run has nothing left to repair.
. "$(dirname "$0")/common.shlib"
need_python
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BATCH=$ROOT/docs/examples/batch.sh
CORRUPT=${PSTCORRUPT:-$ROOT/build/tests/tools/pstcorrupt}
[ -x "$CORRUPT" ] || fail "$CORRUPT is not built (make $CORRUPT)"
export PSTFIX

S=$TMP/share
mkdir -p "$S/alice" "$S/bob" "$S/carol"
run create --sample messages=6,seed=11 -o "$S/alice/archive.pst"
expect_rc 0
run create --sample messages=4,seed=12 --format ost -o "$S/alice/Cache.OST"
expect_rc 0
run create --sample messages=7,seed=13 -o "$TMP/base.pst"
expect_rc 0
"$CORRUPT" header-crc --seed 1 "$TMP/base.pst" "$S/bob/crc.pst" \
	>/dev/null 2>&1 || fail "pstcorrupt header-crc"
"$CORRUPT" zero-nbt-leaf --seed 2 "$TMP/base.pst" "$S/bob/leaf gone.pst" \
	>/dev/null 2>&1 || fail "pstcorrupt zero-nbt-leaf"
"$CORRUPT" zero-first-64 --seed 3 "$TMP/base.pst" "$S/carol/nohead.pst" \
	>/dev/null 2>&1 || fail "pstcorrupt zero-first-64"
echo "not a mailbox" >"$S/carol/junk.pst"
damaged="$S/bob/crc.pst
$S/bob/leaf gone.pst
$S/carol/nohead.pst"

sums() {
	find "$S" -type f | LC_ALL=C sort | while IFS= read -r f; do
		cksum <"$f" | sed "s|\$| $f|"
	done
}

# report FIELD: a field of report.json, as JSON (lists sorted)
report() {
	python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))[sys.argv[2]]
if isinstance(v, list):
    v = sorted(x if isinstance(x, str) else x["file"] for x in v)
print(json.dumps(v))' "$TMP/rep/report.json" "$1"
}

expect_report() {
	_got=$(report "$1")
	[ "$_got" = "$2" ] || fail "report.json $1 is $_got, expected $2"
}

# --- usage
RC=0
"$BATCH" "$TMP/rep" >"$OUT" 2>"$ERR" || RC=$?
expect_rc 16
expect_err '^usage: batch.sh'

# --- dry run: nothing written, status 4 (repair -n cannot tell that the
# junk file will fail: it would try a rebuild from a scan)
sums >"$TMP/before"
RC=0
"$BATCH" -n -j 2 "$TMP/rep" "$S" >"$OUT" 2>"$ERR" || RC=$?
expect_rc 4
expect_out "^scanned 6 files: 2 clean, 4 to repair \\(dry run\\); report in "
sums >"$TMP/after"
cmp -s "$TMP/before" "$TMP/after" || fail "the dry run changed the share"
expect_report would_repair "[\"$S/bob/crc.pst\", \"$S/bob/leaf gone.pst\", \
\"$S/carol/junk.pst\", \"$S/carol/nohead.pst\"]"
expect_report exit 4

# --- the real run
RC=0
"$BATCH" -j 2 "$TMP/rep" "$S" >"$OUT" 2>"$ERR" || RC=$?
expect_rc 9
expect_out "^scanned 6 files: 2 clean, 3 repaired, 0 with problems left, \
1 failed; report in $TMP/rep/report.json\$"
expect_lines "$TMP/rep/report.json" 1
expect_report scanned 6
expect_report clean 2
expect_report repaired "[\"$S/bob/crc.pst\", \"$S/bob/leaf gone.pst\", \
\"$S/carol/nohead.pst\"]"
expect_report failed "[\"$S/carol/junk.pst\"]"
expect_report messages_lost 0
expect_report exit 9
[ "$(wc -l <"$TMP/rep/damaged.txt")" -eq 4 ] || fail "damaged.txt"

# each original kept as FILE.bak, byte for byte; each repaired file clean
echo "$damaged" | while IFS= read -r f; do
	b=$(grep -F " $f" "$TMP/before" | grep -v '\.bak$' | cut -d' ' -f1,2)
	a=$(cksum <"$f.bak" | cut -d' ' -f1,2)
	[ "$a" = "$b" ] || fail "$f.bak is not the original"
	run scan -q "$f"
	expect_rc 0
	[ "$(scan_messages "$f")" -eq 7 ] || fail "$f: messages lost"
done || exit 1
run scan -q "$S"
expect_rc 8
expect_out "^scanned 6 files: 5 clean, 0 with errors, 1 could not be checked"

# --- again: only the junk file is left, and it still fails alone
RC=0
"$BATCH" "$TMP/rep" "$S" >"$OUT" 2>"$ERR" || RC=$?
expect_rc 8
expect_report repaired "[]"
expect_report failed "[\"$S/carol/junk.pst\"]"
rm "$S/carol/junk.pst"
RC=0
"$BATCH" "$TMP/rep" "$S" >"$OUT" 2>"$ERR" || RC=$?
expect_rc 0
expect_report clean 5
exit 0
