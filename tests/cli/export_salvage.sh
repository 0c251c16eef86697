# export_salvage.sh - `pstfix export --salvage` on damaged writer samples:
# the trailer-scan rebuild (pstfix/export/export_salvage.c) brings back
# what the file's own B-trees no longer reach.  For each damage (pstcorrupt
# recipes as tests/images applies them: a zeroed header, a zeroed NBT root,
# a zeroed NBT leaf, orphaned messages; and a deleted message: its NBT
# entry removed, its blocks left) every message of the sample's manifest
# is exported exactly once, each .eml parses with Python's email package
# without a defect (tests/tools/salvage_check.py), the deleted one is in
# "Recovered Items/Deleted", the source file is not modified and no
# scratch file is left, in DIR or in $TMPDIR.  Then: -v shows the
# rebuild's lines (and without -v none); --folder finds the folder in the
# rebuilt tree (16 when neither tree has it); a file that is no PST fails (8);
# a SIGTERM during the rebuild leaves no scratch directory; the corpus's
# half-written file exports at least what plain salvage did.
. "$(dirname "$0")/common.shlib"
need_python
tools=$(cd "$(dirname "$0")/../tools" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CORRUPT=${PSTCORRUPT:-$ROOT/build/tests/tools/pstcorrupt}
[ -x "$CORRUPT" ] || fail "$CORRUPT is not built (make $CORRUPT)"

run create --sample messages=40,folders=4 -o "$TMP/s.pst" \
	--manifest "$TMP/s.jsonl"
expect_rc 0

# check NAME DAMAGED [salvage_check options]: export, then compare
check() {
	_sum=$(cksum <"$2")
	run export -q --salvage "$2" -o "$TMP/out-$1"
	[ "$RC" -eq 0 ] || [ "$RC" -eq 4 ] || { show; fail "$1: exit $RC"; }
	[ "$(cksum <"$2")" = "$_sum" ] || fail "$1: the source changed"
	_n=$1
	shift 2
	python3 "$tools/salvage_check.py" "$TMP/s.jsonl" "$TMP/out-$_n" \
		"$@" >"$TMP/check-$_n" 2>&1 || {
		show
		cat "$TMP/check-$_n"
		fail "$_n: the export is not the sample's messages"
	}
	echo "PASS $_n: $(head -n 1 "$TMP/check-$_n"); $(tail -n 1 "$OUT")"
}

# RECIPE:SEED; seed 2 zeroes an NBT leaf that holds messages
for rs in zero-first-64:1 zero-nbt-root:1 zero-nbt-leaf:2 orphan-messages:1
do
	r=${rs%:*}
	"$CORRUPT" "$r" --seed "${rs#*:}" "$TMP/s.pst" "$TMP/$r.pst" \
		>"$TMP/corrupt.log" 2>&1 || {
		cat "$TMP/corrupt.log"
		fail "pstcorrupt $r"
	}
	check "$r" "$TMP/$r.pst"
	# where the trees are hit, the rebuild is what brought them back
	case $r in
	zero-*) expect_out 'trailer scan: [1-9][0-9]* more' ;;
	esac
done

# a deleted message: the NBT entry goes, the blocks stay
run export -q --no-salvage "$TMP/s.pst" -o "$TMP/plain"
expect_rc 0
f=$(find "$TMP/plain" -name '*.eml' | sort | sed -n 7p)
nid=$(basename "$f" .eml)
key=$(python3 -c '
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
                                   policy=email.policy.default)
print(str(m["subject"]).split(":")[0])' "$f") || fail "subject of $f"
cp "$TMP/s.pst" "$TMP/del.pst"
python3 "$tools/nbt_delete.py" "$TMP/del.pst" "$nid" ||
	fail "could not delete node $nid"
check deleted "$TMP/del.pst" --deleted "$key"
expect_out '1 in Recovered Items/Deleted'
# without salvage the deleted message stays deleted
run export -q --no-salvage "$TMP/del.pst" -o "$TMP/del-plain"
[ "$(find "$TMP/del-plain" -name '*.eml' | wc -l)" -eq 39 ] ||
	fail "--no-salvage brought back a deleted message"

# --folder: the folder as the rebuilt tree has it; one neither has: 16
run export -q --salvage --folder 'Top of Personal Folders/Inbox' \
	"$TMP/zero-nbt-root.pst" -o "$TMP/fold"
expect_rc 4
[ "$(find "$TMP/fold/Recovered Items/Found by scan/Inbox" -name '*.eml' |
     wc -l)" -gt 0 ] || { show; fail "--folder: nothing from the rebuild"; }
run export -q --salvage --folder Nowhere "$TMP/zero-nbt-root.pst" \
	-o "$TMP/fold2"
expect_rc 16
expect_err "no folder 'Nowhere'"

# the scratch copy under $TMPDIR, gone afterwards; -v shows its lines
mkdir "$TMP/tmpdir"
RC=0
TMPDIR=$TMP/tmpdir "$PSTFIX" export -q -v --salvage "$TMP/zero-nbt-root.pst" \
	-o "$TMP/v" >"$OUT" 2>"$ERR" || RC=$?
expect_rc 4
expect_err 'rebuild: trailer scan: [0-9]+ valid B-tree pages'
[ -z "$(ls -A "$TMP/tmpdir")" ] || fail "scratch left in \$TMPDIR"
[ -z "$(find "$TMP/v" -name '.pstfix-*')" ] || fail "scratch left in DIR"
run export -q --salvage "$TMP/zero-nbt-root.pst" -o "$TMP/nv"
! grep -q 'rebuild:' "$ERR" || fail "rebuild lines without -v"

# no PST at all: an operational error, nothing left
head -c 100000 /dev/urandom >"$TMP/junk.pst"
run export -q --salvage "$TMP/junk.pst" -o "$TMP/junk"
expect_rc 8
[ -z "$(find "$TMP/junk" -name '.pstfix-*' 2>/dev/null)" ] ||
	fail "scratch left after a failed rebuild"

# a signal during the rebuild: the scratch directory goes with the process
run create --sample messages=1500,folders=6 -o "$TMP/big.pst"
expect_rc 0
"$CORRUPT" zero-nbt-root --seed 1 "$TMP/big.pst" "$TMP/bigd.pst" \
	>/dev/null 2>&1 || fail "pstcorrupt big"
mkdir "$TMP/sig"
TMPDIR=$TMP/sig "$PSTFIX" export -q --salvage "$TMP/bigd.pst" \
	-o "$TMP/bigout" >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 400 ] && [ -z "$(ls -A "$TMP/sig")" ] &&
      kill -0 $pid 2>/dev/null; do
	sleep 0.01
	i=$((i + 1))
done
if [ -n "$(ls -A "$TMP/sig")" ]; then
	kill -TERM $pid 2>/dev/null
	wait $pid
	[ -z "$(ls -A "$TMP/sig")" ] || fail "SIGTERM left $(ls -A "$TMP/sig")"
	echo "PASS sigterm: the scratch directory went with the process"
else
	wait $pid
	# too quick to catch: the normal exit must still have removed it
	[ -z "$(ls -A "$TMP/sig")" ] || fail "exit left $(ls -A "$TMP/sig")"
	echo "NOTE sigterm: the export ended before the scratch was seen"
fi

# the corpus's half-written file: the rebuild adds, never takes away
if [ -f "$CORPUS/CORRUPT-aspose-bulk-halfwritten.pst" ]; then
	c=$CORPUS/CORRUPT-aspose-bulk-halfwritten.pst
	run export -q --no-salvage "$c" -o "$TMP/c0"
	run export -q --salvage "$c" -o "$TMP/c1"
	[ "$RC" -ne 8 ] || { show; fail "salvage of the corpus file failed"; }
	n0=$(find "$TMP/c0" -type f | wc -l)
	n1=$(find "$TMP/c1" -type f | wc -l)
	[ "$n1" -ge "$n0" ] || fail "corpus: salvage $n1 < plain $n0"
	echo "PASS corpus: $n1 items with salvage, $n0 without"
fi
exit 0
