# repair_usage.sh - `pstfix repair`: options and exit codes, and what is
# written where.  Usage errors are one line and 16; a file with nothing to
# repair is left alone (0, no FILE.bak); -n writes nothing (4 when there
# is something to repair); -o leaves FILE byte-identical (sha256) and
# refuses an existing OUT; in place keeps the original as FILE.bak and
# refuses an existing FILE.bak or a read-only FILE; a non-PST is one line
# and 8; several files with -j: a table and the OR of the statuses;
# --json: one record a file.
. "$(dirname "$0")/common.shlib"

sha() { sha256sum "$1" | cut -d' ' -f1; }
listing() { (cd "$TMP/w" && ls -A | sort); }

expect_usage_error repair
expect_usage_error repair -j 0 x.pst
expect_usage_error repair -j 65 x.pst
expect_usage_error repair -j 2x x.pst
expect_usage_error repair --bogus x.pst
expect_usage_error repair -o
expect_usage_error repair -o out.pst a.pst b.pst
run repair --help
expect_rc 0
expect_out '^usage: pstfix repair'
run help repair
expect_rc 0
expect_out '^usage: pstfix repair'

mkdir "$TMP/w"
run create --sample messages=20,attachments=0-1 -o "$TMP/w/good.pst"
expect_rc 0

# nothing to repair: nothing written
good=$(sha "$TMP/w/good.pst")
listing >"$TMP/before"
run repair "$TMP/w/good.pst"
expect_rc 0
expect_out 'good.pst: nothing to repair'
listing >"$TMP/after"
cmp -s "$TMP/before" "$TMP/after" || fail "files appeared: $(cat "$TMP/after")"
[ "$(sha "$TMP/w/good.pst")" = "$good" ] || fail "a clean file changed"

# a broken header CRC (MS-PST 2.2.2.6 dwCRCPartial at offset 4)
cp "$TMP/w/good.pst" "$TMP/w/bad.pst"
printf '\000\000\000\000' |
	dd of="$TMP/w/bad.pst" bs=1 seek=4 conv=notrunc 2>/dev/null
bad=$(sha "$TMP/w/bad.pst")

# in place, a file nobody may write is refused (8, one line), untouched
cp "$TMP/w/bad.pst" "$TMP/w/ro.pst"
chmod 444 "$TMP/w/ro.pst"
listing >"$TMP/before"
run repair "$TMP/w/ro.pst"
expect_rc 8
expect_out 'ro.pst is read-only: repair it with -o OUT'
listing >"$TMP/after"
cmp -s "$TMP/before" "$TMP/after" || fail "read-only: $(cat "$TMP/after")"
[ "$(sha "$TMP/w/ro.pst")" = "$bad" ] || fail "a read-only file changed"
rm -f "$TMP/w/ro.pst"

# -n: the level and the finding, nothing written
listing >"$TMP/before"
run repair -n "$TMP/w/bad.pst"
expect_rc 4
expect_out '^PF1001 error'
expect_out 'bad.pst: would repair \(header\): 1 findings ask for it; '
expect_out 'ask for it; nothing written$'
listing >"$TMP/after"
cmp -s "$TMP/before" "$TMP/after" || fail "-n wrote: $(cat "$TMP/after")"
[ "$(sha "$TMP/w/bad.pst")" = "$bad" ] || fail "-n changed the file"

# -n on a file whose first 64 bytes are zeros: the B-tree level, from a
# scan; nothing written
cp "$TMP/w/good.pst" "$TMP/w/zero.pst"
dd if=/dev/zero of="$TMP/w/zero.pst" bs=64 count=1 conv=notrunc 2>/dev/null
zero=$(sha "$TMP/w/zero.pst")
listing >"$TMP/before"
run repair -n "$TMP/w/zero.pst"
expect_rc 4
expect_out 'zero.pst: the header does not open \(not a PST file: .*\): would '
expect_out 'zero.pst: would repair \(btree\): nothing written$'
listing >"$TMP/after"
cmp -s "$TMP/before" "$TMP/after" || fail "-n wrote: $(cat "$TMP/after")"
[ "$(sha "$TMP/w/zero.pst")" = "$zero" ] || fail "-n changed the file"
rm "$TMP/w/zero.pst"

# -o: the input stays byte-identical, OUT scans clean
run repair -o "$TMP/w/out.pst" "$TMP/w/bad.pst"
expect_rc 1
expect_out 'dwCRCPartial was 0x00000000'
expect_out 'bad.pst: repaired \(header\): 20 messages kept, 0 lost; '
expect_out '0 lost; 0 errors, 0 warnings left; written to '
[ "$(sha "$TMP/w/bad.pst")" = "$bad" ] || fail "-o changed the input"
[ ! -e "$TMP/w/bad.pst.bak" ] || fail "-o made a backup"
run scan "$TMP/w/out.pst"
expect_rc 0
# no temporary file is left behind
ls "$TMP/w" | grep -q 'pstfix-\|tmp-' &&
	fail "temporaries left: $(ls "$TMP/w")"

# -o refuses an existing OUT, and OUT = FILE
out=$(sha "$TMP/w/out.pst")
run repair -o "$TMP/w/out.pst" "$TMP/w/bad.pst"
expect_rc 8
expect_out 'out.pst exists: not replaced'
[ "$(sha "$TMP/w/out.pst")" = "$out" ] || fail "OUT was replaced"
run repair -o "$TMP/w/bad.pst" "$TMP/w/bad.pst"
expect_rc 8
expect_out 'is the input file'
[ "$(sha "$TMP/w/bad.pst")" = "$bad" ] || fail "-o FILE FILE changed it"

# in place: FILE.bak is the original, FILE the repaired copy
cp "$TMP/w/bad.pst" "$TMP/w/inplace.pst"
chmod 640 "$TMP/w/inplace.pst"
run repair "$TMP/w/inplace.pst"
expect_rc 1
expect_out 'original kept as .*inplace.pst.bak'
[ "$(sha "$TMP/w/inplace.pst.bak")" = "$bad" ] ||
	fail "FILE.bak is not the original"
[ "$(stat -c %a "$TMP/w/inplace.pst")" = 640 ] || fail "mode not kept"
run scan "$TMP/w/inplace.pst"
expect_rc 0

# a second run: nothing to repair, the backup stays as it is
run repair "$TMP/w/inplace.pst"
expect_rc 0
[ "$(sha "$TMP/w/inplace.pst.bak")" = "$bad" ] || fail "FILE.bak changed"

# an existing FILE.bak is never replaced
cp "$TMP/w/bad.pst" "$TMP/w/b2.pst"
echo keep >"$TMP/w/b2.pst.bak"
run repair "$TMP/w/b2.pst"
expect_rc 8
expect_out 'b2.pst.bak exists'
[ "$(cat "$TMP/w/b2.pst.bak")" = keep ] || fail "FILE.bak was replaced"
[ "$(sha "$TMP/w/b2.pst")" = "$bad" ] || fail "refused, yet FILE changed"
rm "$TMP/w/b2.pst.bak"

# not a PST: one line, 8, nothing written
printf 'From someone@example.com Mon Jan  1 00:00:00 2024\n\nhi\n' \
	>"$TMP/w/mail.pst"
listing >"$TMP/before"
run repair "$TMP/w/mail.pst"
expect_rc 8
[ "$(cat "$OUT" "$ERR" | wc -l)" -eq 1 ] || { show; fail "not one line"; }
expect_out 'mail.pst: cannot repair: '
listing >"$TMP/after"
cmp -s "$TMP/before" "$TMP/after" || fail "files appeared for a non-PST"
run repair "$TMP/w/missing.pst"
expect_rc 8
expect_out 'missing.pst: cannot repair: No such file'

# several files, -j 2: each verdict, a table, the OR (0 | 1 | 8)
cp "$TMP/w/bad.pst" "$TMP/w/j1.pst"
run repair -q -j 2 "$TMP/w/good.pst" "$TMP/w/j1.pst" "$TMP/w/mail.pst"
expect_rc 9
expect_out '^FILE +LEVEL +KEPT +LOST +RESULT'
expect_out 'good.pst +none +20 +0 +nothing to repair'
expect_out 'j1.pst +header +20 +0 +repaired'
expect_out 'mail.pst .* failed'

# --json: one record per file and a total
if command -v python3 >/dev/null 2>&1; then
	cp "$TMP/w/bad.pst" "$TMP/w/j2.pst"
	run repair --json -j 2 "$TMP/w/good.pst" "$TMP/w/j2.pst"
	expect_rc 1
	python3 - "$OUT" <<'PY' || { show; fail "bad --json output"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 3, recs
by = {r["file"].split("/")[-1]: r for r in recs if r["type"] == "repair"}
g, b = by["good.pst"], by["j2.pst"]
assert g["result"] == "nothing to repair" and g["exit"] == 0, g
assert g["level"] == "none" and g["output"] is None, g
assert b["result"] == "repaired" and b["exit"] == 1, b
assert b["level"] == "header" and b["done"] == "header", b
assert b["found"]["errors"] == 1 and b["found"]["asking"]["header"] == 1
assert [f["code"] for f in b["findings"]] == ["PF1001"], b["findings"]
assert any("dwCRCPartial" in n for n in b["notes"]), b["notes"]
assert b["counts"]["header_fields"] >= 1, b["counts"]
assert b["messages_kept"] == 20 and b["messages_lost"] == 0, b
assert b["errors_left"] == 0 and b["left"] == [], b
assert b["backup"].endswith("j2.pst.bak"), b
t = recs[-1]
assert t["type"] == "total" and t["files"] == 2 and t["repaired"] == 1
assert t["nothing_to_repair"] == 1 and t["exit"] == 1, t
PY
fi
exit 0
