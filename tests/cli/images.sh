# images.sh - the golden image tests (tests/images/CASE/, e2fsprogs f_*
# style): for every case build its base sample, damage it with
# pstcorrupt, and compare `pstfix scan` with expect.scan; when the binary
# has a repair command also `pstfix repair -o` with expect.repair, the
# rescan with expect.rescan (which must say "exit 0"), and the recovered
# messages with the oracles (tests/tools/recovery.py: libpff and readpst).
# A case without expect.repair fails once repair exists
# (tests/images/regen CASE writes it); before that the test checks the
# scans and then skips, saying so.  A case whose recipe has a line
# "xfail WHY" is one the repair does not fix yet (the rescan is not
# clean or the oracle disagrees): its expect files must still match (they
# record what it does now), and it fails as soon as the repair passes
# (remove the line then).
# IMAGES="case ..." selects cases.
. "$(dirname "$0")/common.shlib"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PSTCORRUPT=${PSTCORRUPT:-$ROOT/build/tests/tools/pstcorrupt}
[ -x "$PSTCORRUPT" ] || fail "$PSTCORRUPT is not built" \
	"(make build/tests/tools/pstcorrupt)"
WORK=$TMP
. "$ROOT/tests/images/lib.sh"

bad=
ncase=0
nxfail=0
xlist=
# differ CASE RESULT: the result against tests/images/CASE/expect.RESULT.
differ() {
	_exp=$ROOT/tests/images/$1/expect.$2
	if [ ! -f "$_exp" ]; then
		echo "$1: no expect.$2 (tests/images/regen $1 writes it)"
		bad="$bad $1"
		return 1
	fi
	if ! diff -u "$_exp" "$WORK/$1/$2" >"$WORK/$1/$2.diff"; then
		echo "$1: $2 differs from expect.$2:"
		head -n 40 "$WORK/$1/$2.diff"
		bad="$bad $1"
		return 1
	fi
}

repair=no
if img_has_repair; then
	repair=yes
	need_python
	for t in pffexport readpst; do
		command -v $t >/dev/null 2>&1 ||
			fail "$t absent: the oracle needs it (make setup)"
	done
fi

for c in $(img_cases ${IMAGES:-}); do
	d=$ROOT/tests/images/$c
	ncase=$((ncase + 1))
	img_damage "$d" "$WORK/$c" || { bad="$bad $c"; continue; }
	img_scan "$WORK/$c"
	differ "$c" scan || continue
	# the finding the recipe's comment names must be in the scan
	for code in $(sed -n 's/^#.*\(PF[0-9][0-9][0-9][0-9]\).*/\1/p' \
		"$d/recipe"); do
		grep -q "^$code " "$WORK/$c/scan" || {
			echo "$c: the scan lacks $code, the recipe's target"
			bad="$bad $c"; }
	done
	[ $repair = yes ] || continue
	[ -f "$d/expect.repair" ] || { differ "$c" repair; continue; }
	img_repair "$WORK/$c"
	differ "$c" repair || continue
	differ "$c" rescan || continue
	xfail=$(img_field "$d" xfail '')
	ok=yes
	why="expect.rescan is not clean"
	[ "$(tail -n 1 "$d/expect.rescan")" = "exit 0" ] || ok=no
	if [ $ok = yes ] && ! python3 "$ROOT/tests/tools/recovery.py" \
		--manifest "$WORK/$c/pristine.jsonl" \
		--record "$WORK/$c/record.json" "$WORK/$c/damaged.pst" \
		"$WORK/$c/repaired.pst" >"$WORK/$c/oracle" 2>&1; then
		ok=no
		why="the oracle disagrees: $(grep -c '^DIFF' \
			"$WORK/$c/oracle") difference(s)"
	fi
	if [ -n "$xfail" ]; then
		[ $ok = no ] || { echo "$c: marked xfail but the repair" \
			"now passes: remove the xfail line"
			bad="$bad $c"; continue; }
		echo "xfail $c: $why ($xfail)"
		nxfail=$((nxfail + 1))
		xlist="$xlist $c"
		continue
	fi
	if [ $ok = no ]; then
		echo "$c: $why"
		[ -f "$WORK/$c/oracle" ] && head -n 30 "$WORK/$c/oracle"
		bad="$bad $c"
	fi
done

[ $ncase -gt 0 ] || fail "no case in tests/images"
[ -z "$bad" ] || fail "cases failed:$bad"
[ $repair = yes ] || skip "pstfix has no repair command yet; the $ncase" \
	"expect.scan files match"
[ $nxfail -eq 0 ] || echo "XFAIL: $nxfail cases the repair does not" \
	"pass yet (their expect files say what it does now):$xlist"
echo "PASS: $ncase cases (scan, repair, rescan, oracle; $nxfail xfail)"
exit 0
