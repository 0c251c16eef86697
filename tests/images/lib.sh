# tests/images/lib.sh - what the image runner (tests/cli/images.sh) and
# tests/images/regen share: read a case, build its base sample, damage it,
# run scan / repair / rescan and write each result the way the expect
# files hold it.  POSIX sh, sourced; set ROOT (the repository), PSTFIX
# (absolute), PSTCORRUPT and WORK (a scratch directory) first.
#
# A case is a directory tests/images/CASE/ with a file `recipe`:
#   # one comment line or more: what is damaged, and the finding it
#   #   targets as PFnnnn (tests/cli/images.sh checks the scan shows it)
#   base      SPEC for `pstfix create --sample` (default messages=20,folders=3)
#   format    unicode | ansi | ost | ost4k  (default unicode)
#   encoding  none | permute | cyclic       (default permute)
#   corrupt   RECIPE[:ARG] of pstcorrupt (tests/tools/pstcorrupt.c)
#   seed      N                             (default 1)
#   xfail     WHY: the repair does not fix this yet (tests/cli/images.sh)
# and the expected results, each the program's stdout, then "--- stderr"
# and its stderr when there is any, then "exit N":
#   expect.scan    pstfix scan damaged.pst
#   expect.repair  pstfix repair -o repaired.pst damaged.pst
#   expect.rescan  pstfix scan repaired.pst (clean: "exit 0")
# Every command runs inside the case's scratch directory on relative
# names, so no temporary path reaches the output; any that does (an
# absolute path in a message) is rewritten to $WORK.

# img_field CASEDIR KEY DEFAULT: the value of KEY in the recipe.
img_field() {
	_v=$(sed -n "s/^$2[ 	][ 	]*//p" "$1/recipe" | tail -n 1)
	echo "${_v:-$3}"
}

img_has_repair() {
	"$PSTFIX" help repair >/dev/null 2>&1
}

# img_base CASEDIR: build (once per run) the base sample the case names;
# prints the path of the base, whose manifest is BASE.jsonl.
img_base() {
	_spec=$(img_field "$1" base messages=20,folders=3)
	_fmt=$(img_field "$1" format unicode)
	_enc=$(img_field "$1" encoding permute)
	_key=$(printf '%s %s %s' "$_spec" "$_fmt" "$_enc" | cksum |
	       cut -d' ' -f1)
	_b=$WORK/base-$_key.pst
	if [ ! -f "$_b" ]; then
		"$PSTFIX" create --sample "$_spec" --format "$_fmt" \
			--encoding "$_enc" --manifest "$_b.jsonl" \
			-o "$_b" >/dev/null || return 1
	fi
	echo "$_b"
}

# img_damage CASEDIR DIR: DIR/damaged.pst and DIR/record.json.
img_damage() {
	_base=$(img_base "$1") || return 1
	mkdir -p "$2"
	cp "$_base.jsonl" "$2/pristine.jsonl"
	"$PSTCORRUPT" "$(img_field "$1" corrupt '')" \
		--seed "$(img_field "$1" seed 1)" "$_base" "$2/damaged.pst" \
		--record "$2/record.json" >"$2/pstcorrupt.log" 2>&1 || {
		cat "$2/pstcorrupt.log"
		return 1
	}
}

# img_run DIR RESULT ARGS...: run pstfix ARGS in DIR; DIR/RESULT holds
# the output in the expect-file form.
img_run() {
	_dir=$1
	_res=$2
	shift 2
	_rc=0
	(cd "$_dir" && exec "$PSTFIX" "$@") >"$_dir/.out" 2>"$_dir/.err" ||
		_rc=$?
	{
		cat "$_dir/.out"
		if [ -s "$_dir/.err" ]; then
			echo "--- stderr"
			cat "$_dir/.err"
		fi
		echo "exit $_rc"
	} | sed "s|$WORK|\$WORK|g" >"$_dir/$_res"
	rm -f "$_dir/.out" "$_dir/.err"
}

img_scan() {
	img_run "$1" scan scan damaged.pst
}

img_repair() {
	img_run "$1" repair repair -o repaired.pst damaged.pst
	img_run "$1" rescan scan repaired.pst
}

# The cases: every tests/images/*/recipe, or the names given.
img_cases() {
	if [ $# -eq 0 ]; then
		for _r in "$ROOT"/tests/images/*/recipe; do
			basename "$(dirname "$_r")"
		done
	else
		for _c in "$@"; do
			echo "$_c"
		done
	fi
}
