# problems.sh - `pstfix problems`: one line per problem, codes unique and
# in ascending order, a known severity on each; --markdown has a table row
# per code; --json has one object per code (checked when python3 exists).
. "$(dirname "$0")/common.shlib"

run problems
expect_rc 0
[ -s "$OUT" ] || fail "no output"
grep -Ev '^PF[0-9]{4} (error  |warning|info   ) [A-Za-z0-9_]+ +[^ ]' "$OUT" \
	>"$TMP/bad" && { cat "$TMP/bad"; fail "lines not in the format"; }
cut -c1-6 "$OUT" >"$TMP/codes"
sort -u "$TMP/codes" >"$TMP/sorted"
cmp -s "$TMP/codes" "$TMP/sorted" || fail "codes not sorted and unique"
n=$(wc -l <"$TMP/codes" | tr -d ' ')
[ "$n" -ge 50 ] || fail "only $n problems listed"
expect_out '^PF3003 error   BBT_BID '
expect_no_out '%[FGgWwS]'    # template escapes are shown by name

run problems --markdown
expect_rc 0
expect_out '^# pstfix problem codes'
expect_out '^## Pass 3: '
grep -E '^\| PF[0-9]{4} \|' "$OUT" | cut -c3-8 >"$TMP/md"
cmp -s "$TMP/md" "$TMP/codes" || fail "markdown rows differ from the list"

if command -v python3 >/dev/null 2>&1; then
	run problems --json
	expect_rc 0
	python3 - "$OUT" "$n" <<'PY' || fail "bad --json output"
import json, re, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == int(sys.argv[2]), len(rows)
nums = [r["number"] for r in rows]
assert nums == sorted(set(nums)), "not sorted/unique"
for r in rows:
    assert re.fullmatch(r"PF\d{4}", r["code"]), r
    assert int(r["code"][2:]) == r["number"], r
    assert r["severity"] in ("error", "warning", "info"), r
    assert isinstance(r["pass"], int) and r["pass"] == r["number"] // 1000
    assert isinstance(r["id"], str) and r["id"]
    assert isinstance(r["text"], str) and isinstance(r["template"], str)
    assert r["fix"] is None or isinstance(r["fix"], str)
PY
fi
exit 0
