# scan_sigint.sh - Ctrl-C: the files in progress finish, no new file
# starts, the status gains 32, a note on stderr says how many were left.
# Started from python so SIGINT is not ignored, as it is for background
# jobs of a non-interactive shell (and pstfix keeps an ignored SIGINT
# ignored, like any well-behaved Unix program).
. "$(dirname "$0")/common.shlib"
need_corpus
need_python

i=0
while [ $i -lt 2000 ]; do
	echo "$CORPUS/generator-900msgs.pst"
	i=$((i + 1))
done >"$TMP/list"

tools=$(cd "$(dirname "$0")/../tools" && pwd)
for j in 1 3; do
	RC=0
	python3 "$tools/sigint_run.py" "$OUT" "$ERR" "$PSTFIX" scan -q \
		-j "$j" --from-list "$TMP/list" || RC=$?
	[ $((RC & 32)) -ne 0 ] ||
		fail "-j $j: no cancelled bit (32) after SIGINT"
	expect_err 'interrupted: [0-9]+ of 2000 files not checked'
	expect_out '^scanned [0-9]+ of 2000 files \(interrupted\)'
done
exit 0
