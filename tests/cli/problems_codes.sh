# problems_codes.sh - `pstfix problems CODE...`: the rows of the codes
# named, in the order named, in every form (PF3003, pf3003, 3003), as
# text or JSON; an unknown code, or a code with --markdown, is a usage
# error with nothing on stdout.
. "$(dirname "$0")/common.shlib"

run problems
expect_rc 0
cp "$OUT" "$TMP/all"
last=$(tail -n 1 "$TMP/all" | cut -c1-6)

run problems PF3003 1001 pf9001 "$last"
expect_rc 0
expect_lines "$OUT" 4
cut -c1-6 "$OUT" | paste -sd' ' >"$TMP/got"
echo "PF3003 PF1001 PF9001 $last" >"$TMP/want"
cmp -s "$TMP/got" "$TMP/want" || { show; fail "rows or order wrong"; }
# each row is the full table's row, byte for byte
while read -r line; do
	grep -qxF "$line" "$TMP/all" || fail "row not in the table: $line"
done <"$OUT"

run problems --json PF3003
expect_rc 0
expect_lines "$OUT" 1
expect_out '^\{"code":"PF3003","number":3003,"id":"BBT_BID",'

for bad in PF0000 PF30030 3003x PF 99999 x; do
	expect_usage_error problems "$bad"
	expect_err "unknown problem code '$bad'"
done
expect_usage_error problems PF1001 PF0000    # checked before any output
expect_usage_error problems --markdown PF1001
exit 0
