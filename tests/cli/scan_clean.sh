# scan_clean.sh - a clean file: status 0 and the verdict "clean"; -q
# prints the verdict alone; -v adds the statistics line.
. "$(dirname "$0")/common.shlib"
need_corpus

f=$CORPUS/pstsdk-sample1.pst
run scan "$f"
expect_rc 0
expect_out "^$f: clean"
expect_no_out '^PF[0-9]{4} error'
expect_lines "$ERR" 0

run scan -q "$f"
expect_rc 0
expect_lines "$OUT" 1

run scan -v "$f"
expect_rc 0
expect_out "^$f: wVer 23, 271360 bytes, "
expect_out "^$f: clean"

# Warnings alone leave the status at 0 (fsck: only errors make it 4).
run scan "$CORPUS/go-pst-32bit-ansi.pst"
expect_rc 0
expect_out ': clean, [0-9]+ warnings?$'
exit 0
