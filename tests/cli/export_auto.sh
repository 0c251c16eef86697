# export_auto.sh - `pstfix export` without --salvage/--no-salvage decides by
# a scan that runs beside the export (pstfix/cli/export_auto.h): the result
# must be exactly what the decision made first would give.  A sound file
# exports as with --no-salvage; a damaged one as with --salvage, whether
# the scan's error comes before the export starts, while it runs (a block
# CRC, a message's heap: passes 5 and 6) or after it is done, and in every
# format.  "Exactly": the same files with the same bytes (diff -r), the
# same summary, the same lines on stderr -- none of a round that was run
# again -- and the same exit status.
. "$(dirname "$0")/common.shlib"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CORRUPT=${PSTCORRUPT:-$ROOT/build/tests/tools/pstcorrupt}
[ -x "$CORRUPT" ] || fail "$CORRUPT is not built (make $CORRUPT)"

run create --sample messages=300,folders=6,attachments=0-2 -o "$TMP/s.pst"
expect_rc 0

# same NAME FILE MODE [export options]: the default against MODE
# (--salvage or --no-salvage) on FILE
same() {
	_n=$1 _f=$2 _m=$3
	shift 3
	run export -q --no-sync "$@" "$_f" -o "$TMP/$_n.auto"
	_rc=$RC
	sed "s|$TMP/$_n.auto|DIR|" "$OUT" >"$TMP/$_n.auto.out"
	cp "$ERR" "$TMP/$_n.auto.err"
	run export -q --no-sync "$_m" "$@" "$_f" -o "$TMP/$_n.want"
	sed "s|$TMP/$_n.want|DIR|" "$OUT" >"$TMP/$_n.want.out"
	[ "$_rc" -eq "$RC" ] || fail "$_n: exit $_rc, $_m gives $RC"
	diff -r "$TMP/$_n.auto" "$TMP/$_n.want" >"$TMP/diff" 2>&1 || {
		head -n 20 "$TMP/diff"
		fail "$_n: the files differ from $_m's"
	}
	diff "$TMP/$_n.auto.out" "$TMP/$_n.want.out" ||
		fail "$_n: the summary differs from $_m's"
	diff "$TMP/$_n.auto.err" "$ERR" ||
		fail "$_n: stderr differs from $_m's"
	echo "PASS $_n ($_m $*): $(tail -n 1 "$TMP/$_n.auto.out")," \
	     "$(wc -l <"$ERR") lines on stderr"
}

same sound "$TMP/s.pst" --no-salvage
same sound-mbox "$TMP/s.pst" --no-salvage --format mbox
grep -q salvage "$TMP/sound.auto.out" && fail "sound: salvage said"

# each damage as RECIPE[:ARG]:SEED
for rs in zero-nbt-leaf:2 orphan-messages:1 block-crc:3 \
	  pc-field:hid-dangling:1 ltp-field:recip-btype:1 header-crc:1; do
	r=${rs%:*}
	"$CORRUPT" "$r" --seed "${rs##*:}" "$TMP/s.pst" "$TMP/d.pst" \
		>"$TMP/corrupt.log" 2>&1 || {
		cat "$TMP/corrupt.log"
		fail "pstcorrupt $r"
	}
	n=$(echo "$r" | tr ':' '-')
	run scan -q "$TMP/d.pst"
	[ "$RC" -ne 0 ] || fail "$n: scan finds nothing to salvage for"
	same "$n" "$TMP/d.pst" --salvage
	grep -q salvage "$TMP/$n.auto.out" || fail "$n: salvage not said"
	same "$n-maildir" "$TMP/d.pst" --salvage --format maildir
done

# a file that is no PST: the same one-line error and status either way
printf 'not a PST at all' >"$TMP/bad.pst"
run export -q "$TMP/bad.pst" -o "$TMP/bad.auto"
_rc=$RC _err=$(sed "s|$TMP/bad.auto|DIR|" "$ERR")
run export -q --salvage "$TMP/bad.pst" -o "$TMP/bad.want"
[ "$_rc" -eq "$RC" ] || fail "no PST: exit $_rc, --salvage gives $RC"
[ "$_err" = "$(sed "s|$TMP/bad.want|DIR|" "$ERR")" ] ||
	fail "no PST: stderr differs: $_err"

# a file that cannot be read: the scan's own error, as before
run export -q "$TMP/absent.pst" -o "$TMP/absent"
expect_rc 8
expect_err 'absent.pst'
[ "$(wc -l <"$ERR")" -eq 1 ] || { show; fail "absent: not one line"; }
