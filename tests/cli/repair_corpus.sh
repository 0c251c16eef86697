# repair_corpus.sh - `pstfix repair` on the corpus's real damage:
# CORRUPT-aspose-bulk-halfwritten.pst (both header CRCs wrong, fAMapValid
# 0, the ROOT's BBT BREF on a page whose trailer BID differs and whose CRC
# is bad; the NBT intact).  libpff and readpst refuse the original; after
# `repair -o` both open the result, it scans without errors, and it holds
# what the intact NBT holds: the folders `pstfix ls` lists from the
# original's NBT (same NIDs, now with names) and as many messages as
# `pstfix info` counts there.  The corpus file itself is only read (its
# SHA-256 is checked against MANIFEST.tsv before and after).
. "$(dirname "$0")/common.shlib"
need_corpus
command -v pffinfo >/dev/null 2>&1 || skip "pffinfo absent (pff-tools)"
command -v readpst >/dev/null 2>&1 || skip "readpst absent (pst-utils)"

name=CORRUPT-aspose-bulk-halfwritten.pst
src=$CORPUS/$name
[ -f "$src" ] || skip "$name absent from the corpus"
want_sha=$(awk -F'\t' -v n="$name" '$1 == n { print $3 }' \
	"$CORPUS/MANIFEST.tsv")
sha() { sha256sum "$1" | cut -d' ' -f1; }
[ "$(sha "$src")" = "$want_sha" ] || skip "$name differs from MANIFEST.tsv"

# the oracles refuse the original
pffinfo "$src" >/dev/null 2>&1 &&
	fail "libpff opens the original (corpus changed?)"
mkdir "$TMP/rp0"
readpst -q -o "$TMP/rp0" "$src" >/dev/null 2>&1 &&
	fail "readpst opens the original (corpus changed?)"

# what the intact NBT holds
run info "$src"
expect_rc 0
msgs=$(sed -n 's/^messages: *//p' "$OUT")
[ -n "$msgs" ] || { show; fail "info prints no message count"; }
run ls "$src"
sed -n 's/.*  nid \(0x[0-9a-f]*\)$/\1/p' "$OUT" | sort >"$TMP/nids0"
[ -s "$TMP/nids0" ] || { show; fail "ls lists no folder of the original"; }

run repair -o "$TMP/fixed.pst" "$src"
expect_rc 1
expect_out 'repaired \((btree|nodes)\)'
[ "$(sha "$src")" = "$want_sha" ] || fail "the corpus file changed"

run scan "$TMP/fixed.pst"
expect_rc 0
run info "$TMP/fixed.pst"
expect_rc 0
[ "$(sed -n 's/^messages: *//p' "$OUT")" = "$msgs" ] ||
	{ show; fail "the result does not hold $msgs messages"; }
run ls "$TMP/fixed.pst"
expect_rc 0
expect_no_out 'unreadable folder'
sed -n 's/.*  nid \(0x[0-9a-f]*\)$/\1/p' "$OUT" | sort >"$TMP/nids1"
cmp -s "$TMP/nids0" "$TMP/nids1" ||
	{ diff "$TMP/nids0" "$TMP/nids1"; fail "not the NBT's folders"; }
items=$(sed -n 's/.*\[\([0-9]*\) items\?\].*/\1/p' "$OUT" |
	awk '{ s += $1 } END { print s + 0 }')
[ "$items" = "$msgs" ] || { show; fail "ls shows $items items, not $msgs"; }

pffinfo "$TMP/fixed.pst" >"$TMP/pffinfo" 2>&1 ||
	{ cat "$TMP/pffinfo"; fail "libpff cannot open the result"; }
mkdir "$TMP/rp1"
readpst -q -o "$TMP/rp1" "$TMP/fixed.pst" >"$TMP/readpst" 2>&1 ||
	{ cat "$TMP/readpst"; fail "readpst cannot open the result"; }
exit 0
