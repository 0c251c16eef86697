# scan_missing.sh - a file that does not exist: status 8 and one line
# that names it; with --json one summary record saying "unreadable".
. "$(dirname "$0")/common.shlib"

missing=$TMP/does-not-exist.pst
run scan "$missing"
expect_rc 8
expect_lines "$OUT" 1
expect_lines "$ERR" 0
expect_out "^$missing: cannot check: .*No such file"

run scan -q "$missing"
expect_rc 8
expect_lines "$OUT" 1

# A directory given as a file operand is walked, not opened: an empty one
# holds nothing to check, which is not an error.
mkdir "$TMP/empty"
run scan "$TMP/empty"
expect_rc 0
expect_err "no .pst or .ost file"

run scan --json "$missing"
expect_rc 8
expect_lines "$OUT" 1
expect_out '"type":"summary"'
expect_out '"status":"unreadable"'
expect_out '"exit":8'
expect_out '"error":"No such file'
exit 0
