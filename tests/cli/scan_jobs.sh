# scan_jobs.sh - -j N: the same findings as -j 1, and the records of one
# file are never interleaved with another's: each file's lines form one
# run that ends with its summary.
. "$(dirname "$0")/common.shlib"
need_corpus
need_python

for i in 1 2 3 4 5 6; do
	cp "$CORPUS/CORRUPT-aspose-bulk-halfwritten.pst" "$TMP/c$i.pst"
	cp "$CORPUS/go-pst-32bit-ansi.pst" "$TMP/w$i.pst"
done
cp "$CORPUS/NOTPST-mbox-named-pst.pst" "$TMP/m.pst"

run scan --json -j 1 "$TMP"
expect_rc 12
mv "$OUT" "$TMP/j1"
run scan --json -j 4 "$TMP"
expect_rc 12
python3 - "$TMP/j1" "$OUT" <<'PY' || fail "-j 4 output is wrong"
import json, sys
def load(p):
    return [json.loads(l) for l in open(p)]
def runs(recs):
    files, cur = [], None
    for r in recs[:-1]:
        if r["file"] != cur:
            assert r["file"] not in files, ("interleaved", r["file"])
            files.append(r["file"])
            cur = r["file"]
    return files
a, b = load(sys.argv[1]), load(sys.argv[2])
for recs in (a, b):
    runs(recs)
    for i, r in enumerate(recs[:-1]):
        nxt = recs[i + 1]
        if nxt.get("file") != r["file"]:
            assert r["type"] == "summary", ("run not ended by summary", r)
key = lambda r: (r["file"], r["type"], r.get("code", ""), r.get("ib", ""),
                 r.get("message", ""))
strip = lambda recs: sorted(key(r) for r in recs[:-1])
assert strip(a) == strip(b), "different findings with -j 4"
assert a[-1]["type"] == b[-1]["type"] == "total"
assert a[-1]["files"] == b[-1]["files"] == 13
PY

# Human output: each verdict follows its own findings.
run scan -j 3 "$TMP"
expect_rc 12
expect_out '^scanned 13 files: 6 clean, 6 with errors, 1 could not be checked'
exit 0
