# manpage.sh - docs/pstfix.1 documents everything the program has: every
# command (`pstfix help`, `pstfix help outbox`), every option of every
# command (the getopt tables, tests/tools/cli_options.sh), every exit
# status the code can return, and every problem code (`pstfix problems`);
# and man renders it without a warning.
#
# An option counts as documented for a command when it appears in that
# command's part of the page: its SYNOPSIS entry, its entry under
# COMMANDS, or a section named after it (SCAN OPTIONS, REPAIR).  -h and
# --help are every command's, documented once under `help`.  The PROBLEM
# CODES list is generated (docs/man_problems.py) and must match the table.
. "$(dirname "$0")/common.shlib"

MAN=docs/pstfix.1
[ -f "$MAN" ] || skip "$MAN absent (not run from the repository root?)"
need_python

# --- 1. it renders without a warning
if command -v man >/dev/null 2>&1; then
	w=$(MANWIDTH=80 man --warnings -l "$MAN" 2>&1 >/dev/null)
elif command -v groff >/dev/null 2>&1; then
	w=$(groff -ww -z -t -man "$MAN" 2>&1)
else
	skip "neither man nor groff is installed"
fi
[ -z "$w" ] || { echo "$w" | head -n 20; fail "man warns about $MAN"; }

# The page as plain text for searching: \- is a hyphen-minus.
sed 's/\\-/-/g' "$MAN" >"$TMP/man"

# region CMD ALL: CMD's part of the page (ALL: every command, |-separated).
region() {
	awk -v cmd="$1" -v all="$2" '
	function starts(line, name) {
		return line ~ ("^\\.BR? \"?" name "\"?( |$)")
	}
	/^\.SH / {
		sec = $0; sub(/^\.SH +/, "", sec); gsub(/"/, "", sec)
		insyn = 0; incmd = 0
		up = toupper(cmd)
		insec = (sec == up || index(sec, up " ") == 1)
		prev = $0; next
	}
	sec == "SYNOPSIS" {
		if ($0 ~ ("^\\.B pstfix " cmd "( |$)")) insyn = 1
		else if ($0 == ".br") insyn = 0
	}
	sec == "COMMANDS" && prev ~ /^\.TP/ {
		if (starts($0, cmd)) incmd = 1
		else {
			n = split(all, names, "|")
			for (i = 1; i <= n; i++)
				if (starts($0, names[i])) incmd = 0
		}
	}
	insyn || incmd || insec { print }
	{ prev = $0 }' "$TMP/man"
}

# --- 2. every command: a SYNOPSIS line and an entry under COMMANDS
run help
expect_rc 0
awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' \
	"$OUT" >"$TMP/top"
run help outbox
expect_rc 0
awk '/^actions:/ { on = 1; next } on && /^  [a-z]/ { print "outbox " $1 }' \
	"$OUT" >"$TMP/actions"
[ -s "$TMP/top" ] && [ -s "$TMP/actions" ] ||
	fail "no command list from 'pstfix help' / 'pstfix help outbox'"
# "outbox" itself is documented by its actions
grep -vx outbox "$TMP/top" | cat - "$TMP/actions" >"$TMP/cmds"
all=$(paste -sd'|' "$TMP/cmds")

missing=0
while read -r cmd; do
	region "$cmd" "$all" >"$TMP/region"
	grep -q "^\.B pstfix $cmd\( \|$\)" "$TMP/man" || {
		echo "missing: SYNOPSIS line for '$cmd'"
		missing=$((missing + 1))
	}
	awk -v c="$cmd" 'prev ~ /^\.TP/ && $0 ~ ("^\\.BR? \"?" c "\"?( |$)") \
		{ f = 1 } { prev = $0 } END { exit !f }' "$TMP/man" || {
		echo "missing: COMMANDS entry for '$cmd'"
		missing=$((missing + 1))
	}
done <"$TMP/cmds"

# --- 3. every option of every command, in that command's part
tests/tools/cli_options.sh >"$TMP/opts"
[ -s "$TMP/opts" ] || fail "tests/tools/cli_options.sh found no option"
while IFS="$(printf '\t')" read -r cmd opt _; do
	case $opt in -h | --help) continue ;; esac
	grep -qx "$cmd" "$TMP/cmds" || {
		echo "missing: '$cmd' (it has options) is not in 'pstfix help'"
		missing=$((missing + 1))
		continue
	}
	region "$cmd" "$all" >"$TMP/region"
	grep -Eq -- "(^|[^a-zA-Z0-9-])$opt([^a-zA-Z0-9-]|$)" "$TMP/region" || {
		echo "missing: $cmd $opt"
		missing=$((missing + 1))
	}
done <"$TMP/opts"
region help "$all" | grep -q -- '--help' || {
	echo "missing: COMMAND --help under 'help'"
	missing=$((missing + 1))
}

# --- 4. every exit status: an entry (.TP tag) under EXIT STATUS.
# From the fsck-style PF_EXIT_* values, the sysexits.h names the code
# uses, and every status a command's usage text names after "Exit".
{
	sed -n 's/^[[:space:]]*PF_EXIT_[A-Z_]* *= *\([0-9]*\),.*/\1/p' \
		pstfix/check/check.h
	if [ -f /usr/include/sysexits.h ]; then
		grep -rhoE '\bEX_[A-Z]+\b' pstfix | sort -u |
		while read -r n; do
			awk -v n="$n" '$1 == "#define" && $2 == n \
				{ print $3 }' /usr/include/sysexits.h
		done
	fi
	while read -r cmd; do
		# shellcheck disable=SC2086
		"$PSTFIX" $cmd --help | sed -n '/^Exit/,$p'
	done <"$TMP/cmds" | grep -oE '\b[0-9]{1,3}\b' | awk '$1 <= 255'
} | sort -nu >"$TMP/codes"
[ "$(wc -l <"$TMP/codes")" -ge 8 ] || fail "found too few exit statuses"
awk '/^\.SH / { on = ($0 ~ /^\.SH "?EXIT STATUS/) }
	on && prev ~ /^\.TP/ && /^\.BR? [0-9]/ { print $2 }
	{ prev = $0 }' "$TMP/man" | tr -d '"' | sort -nu >"$TMP/documented"
while read -r c; do
	grep -qx "$c" "$TMP/documented" || {
		echo "missing: exit status $c under EXIT STATUS"
		missing=$((missing + 1))
	}
done <"$TMP/codes"

# --- 5. every problem code, and the generated list in sync
run problems
expect_rc 0
awk '/^PF[0-9]/ { print $1 }' "$OUT" >"$TMP/problems"
[ "$(wc -l <"$TMP/problems")" -ge 100 ] || fail "too few problem codes"
while read -r p; do
	grep -q "^\\\\fB$p\\\\fR " "$MAN" || {
		echo "missing: problem code $p under PROBLEM CODES"
		missing=$((missing + 1))
	}
done <"$TMP/problems"
python3 docs/man_problems.py "$PSTFIX" >"$TMP/gen" ||
	fail "docs/man_problems.py failed"
sed -n '/^\.\\" BEGIN PROBLEM CODES/,/^\.\\" END PROBLEM CODES/p' "$MAN" \
	>"$TMP/have"
cmp -s "$TMP/gen" "$TMP/have" || {
	diff "$TMP/have" "$TMP/gen" | head -n 20
	echo "stale: run 'docs/man_problems.py bin/pstfix --update $MAN'"
	missing=$((missing + 1))
}

[ "$missing" -eq 0 ] || fail "$missing gaps in $MAN (listed above)"
exit 0
