#!/bin/sh
# valgrind.sh - pstfix under valgrind memcheck: no error, no leak (issue 7).
#
# Every PST/OST of the corpus (MANIFEST.tsv; NOTPST-* entries skipped as
# the other corpus tests do) through `scan -v`, `export -o`, `repair -o`
# and `outbox list`; every golden image case (tests/images/*/recipe,
# damaged by pstcorrupt as tests/cli/images.sh does) through `scan` and
# `repair -o` of the damaged image and `scan` of the repaired one.  Any
# memcheck error or definite/indirect/possible leak fails the test, naming
# the file, the command and valgrind's first error line.  Only the plain
# build runs here (bin/pstfix): the sanitizer pass of the suite skips,
# since ASan's shadow memory and valgrind's do not mix.  Two valgrind
# processes run at a time (the machine has 2 cores).  `scan
# --cross-check` forks libpff and is not run (--trace-children=no anyway).
# IMAGES="case ..." selects image cases; VG_CORPUS=no skips the corpus.

VG_OPTS="--tool=memcheck --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite,indirect,possible --track-fds=no -q \
--trace-children=no"

# --job KIND WHAT: one unit of work (a corpus file or an image case), run
# by xargs in a child; appends "FAIL ..." lines to $VG_DIR/WHAT.verdict.
# vg DIR TAG ARGS...: pstfix ARGS in DIR under valgrind, its report in
# DIR/TAG.vg; a report or status 99 (or a signal) is a failure.
vg() {
	_dir=$1 _tag=$2
	shift 2
	_rc=0
	# shellcheck disable=SC2086
	(cd "$_dir" && TMPDIR=$_dir exec valgrind $VG_OPTS \
		--log-file="$_dir/$_tag.vg" "$PSTFIX" "$@") \
		>"$_dir/$_tag.out" 2>"$_dir/$_tag.err" || _rc=$?
	if [ "$_rc" -eq 99 ] || [ "$_rc" -ge 128 ] || [ -s "$_dir/$_tag.vg" ]
	then
		_first=$(grep -m 1 -E '^==[0-9]+== [^ ]' "$_dir/$_tag.vg")
		echo "FAIL $VG_NAME: pstfix $*: exit $_rc:" \
			"${_first:-no valgrind report}" >>"$_dir/verdict"
		return 1
	fi
	return 0
}

if [ "${1:-}" = --job ]; then
	set -u
	VG_NAME=$3
	d=$VG_DIR/$3
	case $2 in
	corpus)
		mkdir -p "$d" || exit 1
		vg "$d" scan scan -v "$4"
		vg "$d" export export -q --no-sync -o "$d/eml" "$4"
		vg "$d" repair repair -o "$d/repaired.pst" "$4"
		vg "$d" outbox outbox list "$4"
		;;
	image)
		vg "$d" scan scan damaged.pst
		vg "$d" repair repair -o repaired.pst damaged.pst
		if [ -f "$d/repaired.pst" ]; then
			vg "$d" rescan scan repaired.pst
		fi
		;;
	esac
	# the bulky results go; the verdict and the valgrind logs stay
	rm -rf "$d/eml" "$d/repaired.pst" "$d/damaged.pst"
	exit 0
fi

. "$(dirname "$0")/common.shlib"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ "$PSTFIX" -ef "$ROOT/bin/pstfix" ] ||
	skip "valgrind runs in the plain pass"
command -v valgrind >/dev/null 2>&1 || skip "valgrind absent (make setup)"
PSTCORRUPT=${PSTCORRUPT:-$ROOT/build/tests/tools/pstcorrupt}
[ -x "$PSTCORRUPT" ] || fail "$PSTCORRUPT is not built" \
	"(make build/tests/tools/pstcorrupt)"
VG_DIR=$TMP/vg
mkdir "$VG_DIR" || fail "mkdir $VG_DIR"
export VG_DIR PSTFIX VG_OPTS
units=$TMP/units
: >"$units"

# the corpus, as MANIFEST.tsv lists it
if [ "${VG_CORPUS:-yes}" = yes ] && [ -f "$CORPUS/MANIFEST.tsv" ]; then
	for b in $(awk -F'\t' 'NR > 1 { print $1 }' "$CORPUS/MANIFEST.tsv")
	do
		case $b in NOTPST-*) continue ;; esac
		[ -f "$CORPUS/$b" ] || continue
		echo "corpus $b $CORPUS/$b" >>"$units"
	done
else
	echo "corpus absent or VG_CORPUS=no: its part skipped"
fi
ncorpus=$(wc -l <"$units")

# the golden images, damaged here (the base samples are built once)
WORK=$VG_DIR
. "$ROOT/tests/images/lib.sh"
nimage=0
for c in $(img_cases ${IMAGES:-}); do
	img_damage "$ROOT/tests/images/$c" "$VG_DIR/$c" >/dev/null ||
		fail "$c: pstcorrupt could not damage the base"
	echo "image $c" >>"$units"
	nimage=$((nimage + 1))
done
[ -s "$units" ] || fail "nothing to run"

start=$(date +%s)
xargs -L 1 -P 2 sh "$0" --job <"$units" ||
	fail "xargs: a job did not finish"
secs=$(($(date +%s) - start))

cat "$VG_DIR"/*/verdict 2>/dev/null >"$TMP/fails"
if [ -s "$TMP/fails" ]; then
	cat "$TMP/fails"
	# the first failure's report, whole, for the log
	f=$(ls "$VG_DIR"/*/*.vg 2>/dev/null | while read -r v; do
		[ -s "$v" ] && { echo "$v"; break; }; done)
	[ -n "$f" ] && { echo "--- $f"; head -n 60 "$f"; }
	fail "$(wc -l <"$TMP/fails") command(s) with memcheck errors or" \
		"leaks"
fi
echo "PASS: $ncorpus corpus files x 4 commands, $nimage image cases x 3," \
	"no memcheck error or leak (${secs}s)"
exit 0
