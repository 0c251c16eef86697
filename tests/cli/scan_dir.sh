# scan_dir.sh - a directory scan with -j 2 over the corpus: every *.pst and
# *.ost gets exactly one verdict, a final total, and the status is the OR
# of the files' statuses: one unreadable (8) | one corrupt (4) = 12.
. "$(dirname "$0")/common.shlib"
need_corpus

find "$CORPUS" -type f \( -iname '*.pst' -o -iname '*.ost' \) | sort \
	>"$TMP/expected"
n=$(wc -l <"$TMP/expected" | tr -d ' ')

run scan -q -j 2 "$CORPUS"
expect_rc 12
expect_lines "$OUT" $((n + 1))
expect_out "^scanned $n files: [0-9]+ clean, 1 with errors, 1 could not"
expect_out "^$CORPUS/CORRUPT-aspose-bulk-halfwritten.pst: [0-9]+ errors"
expect_out "^$CORPUS/NOTPST-mbox-named-pst.pst: cannot check"
expect_no_out "NOTPST-truncated-header.bin"   # not named *.pst
sed '$d' "$OUT" | sed -E 's/: (clean|cannot check|[0-9]+ errors?).*$//' |
	sort >"$TMP/got"
cmp -s "$TMP/got" "$TMP/expected" || {
	diff "$TMP/expected" "$TMP/got"
	fail "verdicts differ from the files in the corpus"
}

# -j 1: input order, which is byte order within a directory.
run scan -q "$CORPUS"
expect_rc 12
sed '$d' "$OUT" | sed -E 's/: (clean|cannot check|[0-9]+ errors?).*$//' \
	>"$TMP/order"
cmp -s "$TMP/order" "$TMP/expected" || fail "-j 1 output not in sorted order"

# Several operands: the status is still the OR.
run scan -q "$CORPUS/pstsdk-sample1.pst" \
	"$CORPUS/CORRUPT-aspose-bulk-halfwritten.pst"
expect_rc 4
expect_out '^scanned 2 files: 1 clean, 1 with errors, 0 could not be checked'
exit 0
