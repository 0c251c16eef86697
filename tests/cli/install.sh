# install.sh - `make install` and `make uninstall` into a temporary
# DESTDIR: every file where it belongs with its mode, the installed binary
# runs, man finds and renders the installed page without a warning,
# bash-completion loads the installed completion on demand, and uninstall
# removes all of it.  Runs make on the plain build's bin/pstfix; skips
# when that is not built and up to date (make -q), rather than build it
# here.
. "$(dirname "$0")/common.shlib"
command -v make >/dev/null 2>&1 || skip "make absent"
[ -f Makefile ] || skip "not run from the repository root"
# a make of our own, not a child of the make that runs the tests
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "$@"
}
mk -q bin/pstfix 2>/dev/null ||
	skip "bin/pstfix is not built or not up to date (make)"

D=$TMP/root
P=/opt/pstfix-test
mk install PREFIX=$P DESTDIR="$D" >"$TMP/make.log" 2>&1 ||
	{ cat "$TMP/make.log"; fail "make install failed"; }

# FILE MODE: installed, with this mode
has() {
	[ -f "$D$P/$1" ] || fail "make install did not write $P/$1"
	_m=$(stat -c %a "$D$P/$1")
	[ "$_m" = "$2" ] || fail "$P/$1 has mode $_m, expected $2"
}
has bin/pstfix 755
has share/man/man1/pstfix.1 644
has share/bash-completion/completions/pstfix 644
has share/doc/pstfix/README.md 644
has share/doc/pstfix/problems.md 644
has share/doc/pstfix/examples/batch.sh 755
cmp -s docs/pstfix.1 "$D$P/share/man/man1/pstfix.1" || fail "man page differs"

# the installed binary runs
"$D$P/bin/pstfix" --version >"$OUT" 2>"$ERR" || fail "installed --version"
expect_out '^pstfix [0-9]'
"$D$P/bin/pstfix" help scan >"$OUT" 2>"$ERR" || fail "installed help scan"
expect_out '^usage: pstfix scan'

# man finds the page by name in the installed tree, and renders it clean
if command -v man >/dev/null 2>&1; then
	w=$(MANPATH=$D$P/share/man man -w pstfix 2>&1)
	[ "$w" = "$D$P/share/man/man1/pstfix.1" ] ||
		fail "man -w pstfix gives '$w'"
	w=$(MANWIDTH=80 man --warnings -l "$D$P/share/man/man1/pstfix.1" \
		2>&1 >/dev/null)
	[ -z "$w" ] || { echo "$w" | head; fail "man warns"; }
else
	echo "man absent: page placement not checked by man"
fi

# bash-completion finds the completion by the command's name
BC=/usr/share/bash-completion/bash_completion
if [ -f "$BC" ] && command -v bash >/dev/null 2>&1; then
	XDG_DATA_DIRS=$D$P/share bash --norc --noprofile -c \
		". $BC; __load_completion pstfix && complete -p pstfix" \
		>"$OUT" 2>"$ERR" ||
		{ cat "$ERR"; fail "completion not loaded"; }
	expect_out '-F _pstfix pstfix$'
else
	echo "bash-completion absent: lazy loading not checked"
fi

# uninstall removes what install wrote, and pstfix's own doc folder
mk uninstall PREFIX=$P DESTDIR="$D" >"$TMP/make.log" 2>&1 ||
	{ cat "$TMP/make.log"; fail "make uninstall failed"; }
left=$(find "$D" -type f)
[ -z "$left" ] || { echo "$left"; fail "files left after uninstall"; }
[ ! -e "$D$P/share/doc/pstfix" ] || fail "share/doc/pstfix left behind"
exit 0
