#!/bin/sh
# alloc_bound.sh - a file that claims enormous counts or sizes (cEnt,
# cbEnt, lcbTotal, cb, stream sizes, ibFileEof) cannot make pstfix
# allocate more than the file could hold (issue 7).  A small sample with
# two 200 KB attachments (so its data trees have XBLOCKs) is damaged by
# each pstcorrupt recipe below, and scan, export, repair and outbox list
# run on it with little memory: under `prlimit --as` (256 MiB, about a
# hundred times the file) in the plain pass; under ASan, where RLIMIT_AS
# cannot work (its shadow reserves terabytes), with a 256 MiB cap on one
# allocation and allocator_may_return_null.  Each must end with a
# finding or a one-line reason: not "out of memory", not a signal, and
# scan must report the damage (exit 4).
. "$(dirname "$0")/common.shlib"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PSTCORRUPT=${PSTCORRUPT:-$ROOT/build/tests/tools/pstcorrupt}
[ -x "$PSTCORRUPT" ] || fail "$PSTCORRUPT is not built" \
	"(make build/tests/tools/pstcorrupt)"
LIMIT_MB=256
if [ "$PSTFIX" -ef "$ROOT/bin/pstfix" ]; then
	command -v prlimit >/dev/null 2>&1 || skip "prlimit absent"
	LIMITED="prlimit --as=$((LIMIT_MB * 1024 * 1024))"
else
	LIMITED=env
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:allocator_may_return_null=1"
	ASAN_OPTIONS="$ASAN_OPTIONS:max_allocation_size_mb=$LIMIT_MB"
	export ASAN_OPTIONS
fi

# The claims: what each recipe makes the file say.
RECIPES="
internal-block:x-lcb-huge
internal-block:x-dup
internal-block:x-cent
internal-block:sl-cent
nbt-field:cent
nbt-field:cbent
bbt-field:cent
bbt-field:cbent
block-field:cb
header-field:eof-long
pc-field:prop-cb
pc-field:bth-cbkey
pc-field:hn-pagemap
pc-field:nameid-buckets
ltp-field:nameid-stream-cb
ltp-field:tc-col-cb
ltp-field:bth-levels
"

base=$TMP/base.pst
run create --sample messages=6,folders=2,attachments=2,attach-size=200000 \
	-o "$base"
expect_rc 0

# limited DIR TAG ARGS...: pstfix ARGS under the limit; the status in RC,
# the output in DIR/TAG.out (stdout and stderr).
limited() {
	_d=$1 _t=$2
	shift 2
	RC=0
	CMDLINE="$*"
	# shellcheck disable=SC2086
	(cd "$_d" && TMPDIR=$_d exec $LIMITED "$PSTFIX" "$@") \
		>"$_d/$_t.out" 2>&1 || RC=$?
}

bad=0 n=0
for r in $RECIPES; do
	d=$TMP/${r%%:*}-${r#*:}
	mkdir "$d" || fail "mkdir $d"
	"$PSTCORRUPT" "$r" --seed 1 "$base" "$d/bad.pst" >"$d/corrupt.log" \
		2>&1 || { cat "$d/corrupt.log"; fail "pstcorrupt $r"; }
	for c in scan export repair outbox; do
		case $c in
		scan)   limited "$d" $c scan bad.pst ;;
		export) limited "$d" $c export -q --no-sync -o eml bad.pst ;;
		repair) limited "$d" $c repair -o fixed.pst bad.pst ;;
		outbox) limited "$d" $c outbox list bad.pst ;;
		esac
		n=$((n + 1))
		why=
		if [ "$RC" -ge 128 ]; then
			why="killed by a signal (exit $RC)"
		elif grep -Eqi 'out of memory|cannot allocate|'`
			`'allocation-size-too-big|requested allocation size' \
			"$d/$c.out"; then
			why="an allocation failed"
		elif [ $c = scan ] && [ "$RC" -ne 4 ]; then
			why="scan does not report the damage (exit $RC)"
		fi
		if [ -n "$why" ]; then
			echo "$r: pstfix $CMDLINE: $why:"
			head -n 5 "$d/$c.out"
			bad=$((bad + 1))
		fi
	done
	rm -rf "$d/eml" "$d/fixed.pst"
done
[ "$bad" -eq 0 ] || fail "$bad of $n runs allocated beyond the bound" \
	"or crashed"
echo "PASS: $n runs of $(echo $RECIPES | wc -w) claims under" \
	"${LIMIT_MB} MiB: each ended with a finding"
exit 0
