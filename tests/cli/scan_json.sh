# scan_json.sh - --json: JSON Lines with the documented types.  Every line
# parses; findings and summaries carry the right keys and types; offsets
# and identifiers are "0x..." strings, counts are integers; the total
# comes last and holds the OR of the statuses.
. "$(dirname "$0")/common.shlib"
need_corpus
need_python

corrupt=$CORPUS/CORRUPT-aspose-bulk-halfwritten.pst
clean=$CORPUS/pstsdk-sample1.pst
missing=$TMP/missing.pst
run scan --json "$corrupt" "$clean" "$missing"
expect_rc 12
expect_lines "$ERR" 0
python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <"$OUT" ||
	fail "stdout is not JSON Lines"

python3 - "$OUT" "$corrupt" "$clean" "$missing" <<'PY' || fail "bad JSON"
import json, re, sys
out, corrupt, clean, missing = sys.argv[1:]
recs = [json.loads(l) for l in open(out)]
HEX = re.compile(r"0x[0-9a-f]+$")
SEV = ("error", "warning", "info")

def check_finding(r):
    assert isinstance(r["file"], str)
    assert re.fullmatch(r"PF\d{4}", r["code"]), r
    assert isinstance(r["id"], str) and r["id"]
    assert r["severity"] in SEV
    assert isinstance(r["pass"], int) and r["pass"] == int(r["code"][2]), r
    for k in ("ib", "bid", "nid", "hid", "got", "want"):
        if k in r:
            assert isinstance(r[k], str) and HEX.match(r[k]), (k, r)
    for k in ("bid", "nid", "hid"):
        assert r.get(k) != "0x0", ("unset location printed", r)
    assert isinstance(r.get("field", ""), str)
    assert isinstance(r["message"], str) and r["message"]

INTS = ("exit", "errors", "warnings", "info", "suppressed")
STATS = ("size", "format_ver", "pages", "blocks", "nodes", "folders",
         "messages", "attachments", "recipients")

def check_summary(r):
    assert r["status"] in ("clean", "errors", "unreadable")
    for k in INTS:
        assert isinstance(r[k], int) and not isinstance(r[k], bool), (k, r)
    assert isinstance(r["seconds"], (int, float))
    if r["status"] == "unreadable":
        assert isinstance(r["error"], str) and r["error"]
    else:
        assert "error" not in r
        for k in STATS:
            assert isinstance(r[k], int), (k, r)

seen = {}
for r in recs[:-1]:
    t = r["type"]
    assert t in ("finding", "summary"), r
    assert r["file"] not in seen, ("record after the summary", r)
    if t == "finding":
        check_finding(r)
    else:
        check_summary(r)
        seen[r["file"]] = r

assert set(seen) == {corrupt, clean, missing}, seen.keys()
assert seen[corrupt]["status"] == "errors" and seen[corrupt]["exit"] == 4
assert seen[corrupt]["errors"] > 0
assert seen[clean]["status"] == "clean" and seen[clean]["exit"] == 0
assert seen[clean]["format_ver"] == 23 and seen[clean]["size"] == 271360
assert seen[missing]["status"] == "unreadable" and seen[missing]["exit"] == 8

codes = {r["code"] for r in recs if r["type"] == "finding"}
assert {"PF1001", "PF1015", "PF3003"} <= codes, codes
bid = [r for r in recs if r.get("code") == "PF3003"][0]
assert "ib" in bid and "got" in bid and "want" in bid, bid

t = recs[-1]
assert t["type"] == "total", t
assert (t["files"], t["clean"], t["with_errors"], t["unreadable"],
        t["not_checked"], t["exit"]) == (3, 1, 1, 1, 0, 12), t
assert t["interrupted"] is False
assert t["errors"] == seen[corrupt]["errors"]
PY

# One file: no total record; info findings are in JSON even without -v.
# -q: summaries only.
run scan --json "$clean"
expect_rc 0
tail -n 1 "$OUT" | grep -q '"type":"summary"' || fail "summary not last"
expect_no_out '"type":"total"'
run scan --json -q "$corrupt"
expect_rc 4
expect_lines "$OUT" 1
expect_out '"type":"summary"'
exit 0
