# repair_sigint.sh - Ctrl-C during `pstfix repair` over many files: the
# files in progress finish, no new one starts, the status gains 32, a note
# on stderr says how many were not started and the table marks them.
# Dry runs (-n), so nothing is written.  Started from python so SIGINT is
# not ignored (see scan_sigint.sh).  Also: the progress bar is drawn on a
# terminal (util-linux script(1)) and never written into a pipe.
. "$(dirname "$0")/common.shlib"
need_python

run create --sample messages=200 -o "$TMP/s.pst"
expect_rc 0
printf '\000\000\000\000' | dd of="$TMP/s.pst" bs=1 seek=4 conv=notrunc \
	2>/dev/null
i=0
while [ $i -lt 400 ]; do
	echo "$TMP/s.pst"
	i=$((i + 1))
done >"$TMP/args"

tools=$(cd "$(dirname "$0")/../tools" && pwd)
for j in 1 3; do
	RC=0
	python3 "$tools/sigint_run.py" "$OUT" "$ERR" "$PSTFIX" repair -n -q \
		-j "$j" $(cat "$TMP/args") || RC=$?
	[ $((RC & 32)) -ne 0 ] && [ $((RC & 4)) -ne 0 ] ||
		{ show; fail "-j $j: status $RC, expected 32 and 4"; }
	expect_err 'interrupted: [0-9]+ of 400 files not started'
	expect_out 'would repair \(header\)'
	expect_out 'not started \(interrupted\)$'
done

# the bar: never in a pipe, drawn on a terminal, not with -q
run repair -n "$TMP/s.pst" "$TMP/s.pst"
expect_lines "$ERR" 0
grep -q "$(printf '\r')" "$OUT" && fail "carriage return in stdout"
if script --version 2>/dev/null | grep -q util-linux; then
	esc=$(printf '\033')
	script -qfec "'$PSTFIX' repair -n '$TMP/s.pst' '$TMP/s.pst'" \
		/dev/null >"$TMP/tty" 2>&1 </dev/null
	grep -q "$esc\[K" "$TMP/tty" || fail "no bar drawn on a terminal"
	script -qfec "'$PSTFIX' repair -n -q '$TMP/s.pst' '$TMP/s.pst'" \
		/dev/null >"$TMP/tty" 2>&1 </dev/null
	grep -q "$esc\[K" "$TMP/tty" && fail "bar drawn despite -q"
fi
exit 0
