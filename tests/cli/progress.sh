# progress.sh - the progress bar goes to stderr only when it is a
# terminal: never into a file or a pipe; on a terminal (emulated with
# util-linux script(1) when present) it is drawn and erased, and -q
# suppresses it.
. "$(dirname "$0")/common.shlib"
need_corpus

f=$CORPUS/pstsdk-sample1.pst
run scan "$f"
expect_lines "$ERR" 0
grep -q "$(printf '\r')" "$OUT" && fail "carriage return in stdout"

if ! script --version 2>/dev/null | grep -q util-linux; then
	skip "no util-linux script(1) to emulate a terminal"
fi
esc=$(printf '\033')
script -qfec "'$PSTFIX' scan '$f' '$f'" /dev/null \
	>"$TMP/tty" 2>&1 </dev/null
grep -q "$esc\[K" "$TMP/tty" || fail "no bar drawn on a terminal"
grep -q 'header\|BBT\|NBT\|blocks\|messaging' "$TMP/tty" ||
	fail "the bar shows no pass name"
script -qfec "'$PSTFIX' scan -q '$f' '$f'" /dev/null \
	>"$TMP/tty" 2>&1 </dev/null
grep -q "$esc\[K" "$TMP/tty" && fail "bar drawn despite -q"
exit 0
