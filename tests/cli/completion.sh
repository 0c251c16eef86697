# completion.sh - completion/pstfix.bash: what it offers for some command
# lines (commands, actions, options, option values, *.pst/*.ost files,
# directories, problem codes), and for every command exactly the options
# of its getopt table (tests/tools/cli_options.sh), so that the
# completion cannot fall behind the code.  Run in bash alone, and again
# with bash-completion loaded when it is installed.
. "$(dirname "$0")/common.shlib"

COMP=$(pwd)/completion/pstfix.bash
[ -f "$COMP" ] || skip "completion/pstfix.bash absent (not at the root?)"
command -v bash >/dev/null 2>&1 || skip "bash absent"

tests/tools/cli_options.sh >"$TMP/opts"
[ -s "$TMP/opts" ] || fail "tests/tools/cli_options.sh found no option"

mkdir -p "$TMP/d/sub dir" "$TMP/d/Mail.d"
: >"$TMP/d/a.pst"
: >"$TMP/d/B.OST"
: >"$TMP/d/my box.pst"
: >"$TMP/d/notes.txt"
: >"$TMP/d/archive.pst.bak"

# check LOADER: run the cases below in bash; LOADER is sourced first
# (empty, or bash-completion's own script).
check() {
	PSTFIX="$PSTFIX" COMP="$COMP" OPTS="$TMP/opts" LOADER="$1" \
	bash --norc --noprofile -s <<'BASH'
set -u
cd "$(dirname "$OPTS")/d" || exit 1
[ -n "$LOADER" ] && . "$LOADER"
. "$COMP"
bad=0
# comp WORD...: complete the last WORD ("" for a new word); sorted reply
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_pstfix
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | paste -sd' '
}
# want EXPECTED WORD...: the sorted reply must be EXPECTED
want() {
	local exp=$1 got
	shift
	got=$(comp "$@")
	if [ "$got" != "$exp" ]; then
		echo "pstfix ${*:2}|: got '$got', want '$exp'"
		bad=1
	fi
}

want "--help --version" pstfix -
want "help" pstfix he
want "--help" pstfix outbox -
want "scan" pstfix sc
want "list probe send status" pstfix outbox ""
want "scan" pstfix help sc
want "B.OST Mail.d a.pst my box.pst sub dir" pstfix scan ""
want "B.OST Mail.d a.pst my box.pst sub dir" pstfix repair -j 4 ""
want "a.pst" pstfix info a
want "B.OST Mail.d a.pst my box.pst sub dir" pstfix outbox list --json ""
want "Mail.d sub dir" pstfix export a.pst -o ""
want "Mail.d sub dir" pstfix outbox status ""
want "Mail.d sub dir" pstfix outbox list --eml ""
want "B.OST Mail.d a.pst archive.pst.bak my box.pst notes.txt sub dir" \
	pstfix import -o x.pst ""
want "notes.txt" pstfix scan --from-list n
want "eml maildir mbox" pstfix export a.pst --format ""
want "ansi ost ost4k unicode" pstfix create --format ""
want "cyclic none permute" pstfix import --encoding ""
want "auto login plain xoauth2" pstfix outbox send --auth ""
want "none" pstfix outbox probe --tls = ""
want "smtp:// smtps://" pstfix outbox send --server ""
want "" pstfix scan -j ""
want "--jobs --json" pstfix scan --j
want "--dry-run" pstfix repair --d
# the codes come from the pstfix being completed
want "PF3003" "$PSTFIX" problems PF3003
want "PF1010 PF1011 PF1012 PF1013 PF1014 PF1015 PF1016 PF1017" \
	"$PSTFIX" problems --json PF101

# every command's options are its getopt table's (a refused one aside)
while IFS="$(printf '\t')" read -r cmd opt refused; do
	[ -z "${refused:-}" ] && printf '%s\t%s\n' "$cmd" "$opt"
done <"$OPTS" | LC_ALL=C sort >../table
cut -f1 ../table | sort -u | while read -r cmd; do
	# shellcheck disable=SC2086
	comp pstfix $cmd - | tr ' ' '\n' | sed "s/^/$cmd	/"
done | LC_ALL=C sort >../offered
if ! cmp -s ../table ../offered; then
	diff ../table ../offered | head -n 20
	echo "the completion's options differ from the getopt tables"
	bad=1
fi
n=$(grep -c . ../table)
[ "$n" -ge 100 ] || { echo "only $n options in the tables"; bad=1; }

[ -z "$LOADER" ] || complete -p pstfix | grep -q -- '-F _pstfix pstfix' ||
	{ echo "bash-completion replaced the pstfix completion"; bad=1; }
exit $bad
BASH
}

check "" || fail "completion in bash alone"
BC=/usr/share/bash-completion/bash_completion
if [ -f "$BC" ]; then
	check "$BC" || fail "completion with bash-completion loaded"
else
	echo "bash-completion absent: checked in bash alone only"
fi
exit 0
