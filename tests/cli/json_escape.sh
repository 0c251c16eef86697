# json_escape.sh - names that are not clean text: a quote, a backslash,
# control characters (a tab, an escape), invalid UTF-8 and a valid
# multi-byte character.  --json stays valid JSON with the bad bytes as
# U+FFFD; the human output shows control characters as '?' so a file name
# cannot drive the terminal.
. "$(dirname "$0")/common.shlib"

# \033 escape, \t tab, \" quote, \\ backslash, \377 and \300\257 invalid
# (a lone byte, an overlong '/'), \303\251 a valid e-acute.
name=$(printf 'q"b\\s\tt\033[31mx\377y\300\257z\303\251.pst')
run scan --json "$TMP/$name"
expect_rc 8
expect_lines "$OUT" 1
grep -q "$(printf '\033')" "$OUT" && fail "raw ESC in JSON"
grep -q "$(printf '\t')" "$OUT" && fail "raw TAB in JSON"
expect_out '\\u001b\[31m'
expect_out '\\t'
expect_out 'q\\"b\\\\s'
expect_out 'x\\ufffdy\\ufffd\\ufffdz'

if command -v python3 >/dev/null 2>&1; then
	python3 - "$OUT" "$TMP/" <<'PY' || fail "JSON did not round-trip"
import json, sys
rec = json.loads(open(sys.argv[1], encoding="utf-8").read())
want = sys.argv[2] + 'q"b\\s\tt\x1b[31mx\ufffdy\ufffd\ufffdz\u00e9.pst'
assert rec["file"] == want, (rec["file"], want)
PY
fi

run scan "$TMP/$name"
expect_rc 8
grep -q "$(printf '\033')" "$OUT" && fail "raw ESC in the human output"
expect_out 'q"b\\s\?t\?\[31mx'

# U+009B, CSI as UTF-8 (C2 9B), is a control too; U+00E9 is not.
run scan "$TMP/$(printf 'a\302\233b\303\251.pst')"
expect_rc 8
expect_out "/a\\?b$(printf '\303\251').pst: cannot check"
exit 0
