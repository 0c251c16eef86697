# problems_doc.sh - docs/problems.md is what `pstfix problems --markdown`
# prints today: the reference cannot drift from the problem table.
. "$(dirname "$0")/common.shlib"

doc=docs/problems.md
[ -f "$doc" ] || skip "$doc absent (not run from the repository root?)"
run problems --markdown
expect_rc 0
cmp -s "$OUT" "$doc" || {
	diff "$doc" "$OUT" | head -n 20
	fail "$doc is stale: run 'bin/pstfix problems --markdown > $doc'"
}
exit 0
