# scan_from_list.sh - --from-list FILE and --from-list - (stdin): one path
# per line; blank lines, '#' comments and Windows line ends handled; an
# unreadable list stops the command with status 8 and one line.
. "$(dirname "$0")/common.shlib"
need_corpus

printf '# mailboxes to check\n\n   \n%s\n%s\r\n%s\n' \
	"$CORPUS/pstsdk-sample1.pst" \
	"$CORPUS/CORRUPT-aspose-bulk-halfwritten.pst" \
	"$TMP/missing.pst" >"$TMP/list"

run scan -q --from-list "$TMP/list"
expect_rc 12
expect_lines "$OUT" 4
expect_out "^$CORPUS/pstsdk-sample1.pst: clean"
expect_out "^$CORPUS/CORRUPT-aspose-bulk-halfwritten.pst: [0-9]+ errors"
expect_out "^$TMP/missing.pst: cannot check"
expect_out '^scanned 3 files: 1 clean, 1 with errors, 1 could not be checked'

RC=0
"$PSTFIX" scan -q --from-list - <"$TMP/list" >"$OUT" 2>"$ERR" || RC=$?
expect_rc 12
expect_lines "$OUT" 4

# Operands first, then the list; a list naming one file still gets a total.
printf '%s\n' "$CORPUS/pstsdk-sample1.pst" >"$TMP/one"
run scan -q --from-list "$TMP/one" "$CORPUS/pstsdk-sample2-ansi.pst"
expect_rc 0
head -n 1 "$OUT" | grep -q 'pstsdk-sample2-ansi.pst: clean' ||
	fail "operands do not come first"
run scan -q --from-list "$TMP/one"
expect_lines "$OUT" 2
expect_out '^scanned 1 file: 1 clean'

# Unreadable lists: nothing is scanned.
run scan --from-list "$TMP/no-such-list"
expect_rc 8
expect_lines "$OUT" 0
expect_lines "$ERR" 1
expect_err "cannot read list .*no-such-list"
run scan --from-list "$TMP"
expect_rc 8
expect_lines "$ERR" 1

# An over-long line is skipped with a message; the rest is scanned.
{
	head -c 5000 /dev/zero | tr '\0' x
	echo
	echo "$CORPUS/pstsdk-sample1.pst"
} >"$TMP/long"
run scan -q --from-list "$TMP/long"
expect_rc 8
expect_err 'long:1: line longer than'
expect_out "^$CORPUS/pstsdk-sample1.pst: clean"
exit 0
