# scan_corrupt.sh - the real corrupt file: both header CRCs wrong,
# fAMapValid 0, the BBT root page with a foreign BID and a bad CRC.
# Status 4, and the report names each of them.
. "$(dirname "$0")/common.shlib"
need_corpus

f=$CORPUS/CORRUPT-aspose-bulk-halfwritten.pst
run scan "$f"
expect_rc 4
expect_out '^PF1001 error   header .*CRC mismatch'
expect_out 'dwCRCPartial'
expect_out 'dwCRCFull'
expect_out '^PF1015 error   .*fAMapValid'
expect_out '^PF3003 error   BBT page at 0x[0-9a-f]+ .*: BID mismatch'
expect_out "^$f: [0-9]+ errors?"
expect_lines "$ERR" 0

# -q: the verdict line only.
run scan -q "$f"
expect_rc 4
expect_lines "$OUT" 1
expect_out "^$f: [0-9]+ errors"

# --max-per-code 1 still counts everything: same verdict, and one line
# (shown without -v) says what was left out.
verdict=$(tail -n 1 "$OUT")
run scan --max-per-code 1 "$f"
expect_rc 4
[ "$(tail -n 1 "$OUT")" = "$verdict" ] || fail "verdict changed with the cap"
[ "$(grep -c '^PF1001 ' "$OUT")" -eq 1 ] || fail "cap not applied"
expect_out '^PF9001 info +\.\.\. and 1 more findings of PF1001'
run scan --json --max-per-code 1 "$f"
expect_out '"type":"summary".*"suppressed":1,'
exit 0
