# scan_notpst.sh - files that are not PSTs at all (an mbox named .pst, a
# 40-byte truncated header): status 8 and a one-line reason, no crash.
. "$(dirname "$0")/common.shlib"
need_corpus

for f in NOTPST-mbox-named-pst.pst NOTPST-truncated-header.bin; do
	run scan "$CORPUS/$f"
	expect_rc 8
	expect_lines "$OUT" 1
	expect_lines "$ERR" 0
	expect_out "^$CORPUS/$f: cannot check: not a PST"
done
run scan "$CORPUS/NOTPST-truncated-header.bin"
expect_out 'truncated'
exit 0
