# import_mbox.sh - `pstfix import` of an mbox of N varied messages gives a
# PST that scans clean and in which readpst's mbox export has the same N
# messages: same Message-IDs, subjects and plain-text bodies
# (tests/tools/import_check.py makes the mbox and compares).  Also: a
# directory of .eml files becomes a folder; an existing OUT is kept.
. "$(dirname "$0")/common.shlib"
need_python
command -v readpst >/dev/null 2>&1 || skip "readpst absent (make setup)"
tools=$(cd "$(dirname "$0")/../tools" && pwd)

python3 "$tools/import_check.py" make "$TMP/in.mbox" 60 ||
	fail "could not make the mbox"
run import -o "$TMP/out.pst" "$TMP/in.mbox"
expect_rc 0
expect_out '^.*out.pst: 60 messages in 1 folders \(0 skipped'
run scan "$TMP/out.pst"
expect_rc 0
expect_out ': clean$'
mkdir "$TMP/rp"
readpst -q -j 0 -o "$TMP/rp" "$TMP/out.pst" >/dev/null 2>&1 ||
	fail "readpst could not read the imported file"
python3 "$tools/import_check.py" compare "$TMP/in.mbox" "$TMP/rp" ||
	fail "readpst's export differs from the mbox"

# a directory of .eml files, with a subdirectory: folders
mkdir -p "$TMP/eml/sub"
python3 - "$TMP/in.mbox" "$TMP/eml" <<'PY' || fail "could not split the mbox"
import mailbox, sys
for i, m in enumerate(mailbox.mbox(sys.argv[1])):
    d = sys.argv[2] + ('/sub' if i % 2 else '')
    open('%s/%03d.eml' % (d, i), 'wb').write(m.as_bytes())
PY
run import -o "$TMP/dir.pst" "$TMP/eml"
expect_rc 0
expect_out 'dir.pst: 60 messages in 2 folders'
run ls "$TMP/dir.pst"
expect_out '^    eml +\[30 items\]'
expect_out '^      sub +\[30 items\]'

# never replace what exists without --force
run import -o "$TMP/out.pst" "$TMP/in.mbox"
expect_rc 16
exit 0
