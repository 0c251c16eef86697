# export_cli.sh - `pstfix export` options and guarantees on a writer
# sample: usage errors (16) and an unreadable file (8); --folder, --since
# and --until select exactly the items they name; Maildir and mbox
# layouts (mboxrd quoting of "From " lines); the same file exported twice
# gives byte-identical trees; no temporary file is ever left; an mbox
# imported and exported again keeps its messages.
. "$(dirname "$0")/common.shlib"
need_python

run export
expect_rc 16
run export "$TMP/none.pst"
expect_rc 16
expect_err '-o DIR is required'
run export "$TMP/none.pst" -o "$TMP/x" --format tar
expect_rc 16
run export "$TMP/none.pst" -o "$TMP/x" --since yesterday
expect_rc 16
run export "$TMP/none.pst" -o "$TMP/x"
expect_rc 8

# a sample whose bodies have "From " lines, made by import from an mbox
# (its reader undoes mboxrd quoting: the bodies hold "From the start" and
# ">From quoted once")
python3 - "$TMP/in.mbox" <<'PY' || fail "could not write the mbox"
import sys
with open(sys.argv[1], 'w') as f:
    for i in range(12):
        f.write('From a@example.org Thu Jan  1 00:00:00 2026\n'
                'From: A <a@example.org>\nTo: b@example.org\n'
                'Subject: m%d\nMessage-ID: <m%d@example.org>\n'
                'Date: Thu, %02d Jan 2026 10:00:00 +0000\n\n'
                'line\n>>From quoted once\n>From the start\n\n' % (i, i, i + 1))
PY
run import -o "$TMP/f.pst" "$TMP/in.mbox"
expect_rc 0
run create --sample messages=30,folders=3 -o "$TMP/s.pst"
expect_rc 0

count() {
	find "$1" -type f -name "${2:-*.eml}" | wc -l | tr -d ' '
}

run export "$TMP/f.pst" -o "$TMP/all"
expect_rc 0
expect_out ': 12 messages, 0 contacts, 0 calendar items'
[ "$(count "$TMP/all")" -eq 12 ] || fail "12 .eml files expected"
run export "$TMP/f.pst" -o "$TMP/since" --since 2026-01-05 \
	--until "2026-01-08 10:00:00"
expect_rc 0
expect_out 'filtered out 8'
[ "$(count "$TMP/since")" -eq 4 ] || fail "--since/--until: 4 expected"
run export "$TMP/f.pst" -o "$TMP/until" --until 2026-01-03
expect_rc 0
[ "$(count "$TMP/until")" -eq 3 ] || fail "--until DATE is inclusive"

# --folder: that folder and below, as 'ls' names it
run export "$TMP/s.pst" -o "$TMP/full"
expect_rc 0
run ls "$TMP/s.pst"
sub=$(sed -n 's/^ *\(Folder 1[^[]*\)  \[.*/\1/p' "$OUT" | head -n 1)
[ -n "$sub" ] || { show; fail "no 'Folder 1' in ls"; }
want=$(count "$TMP/full/Top of Personal Folders/Inbox/$sub")
run export "$TMP/s.pst" -o "$TMP/one" --folder \
	"Top of Personal Folders/Inbox/$sub"
expect_rc 0
[ "$(count "$TMP/one")" -eq "$want" ] && [ "$want" -gt 0 ] ||
	fail "--folder: $(count "$TMP/one") files, $want expected"
run export "$TMP/s.pst" -o "$TMP/no" --folder "No/Such"
expect_rc 16

# Maildir: cur/ of each folder, maildir(5) names, LF line ends
run export "$TMP/f.pst" -o "$TMP/md" --format maildir
expect_rc 0
[ "$(count "$TMP/md" '*.pstfix:2,*')" -eq 12 ] || fail "maildir: 12 files"
f=$(find "$TMP/md" -path '*/cur/*' -type f | head -n 1)
! grep -q "$(printf '\r')" "$f" || fail "maildir file with CR"

# mbox: mboxrd quoting of every ">*From " line of a message
run export "$TMP/f.pst" -o "$TMP/mb" --format mbox
expect_rc 0
mb=$(find "$TMP/mb" -name mbox)
[ "$(grep -c '^From a@example.org ' "$mb")" -eq 12 ] || fail "12 From lines"
[ "$(grep -c '^>From the start$' "$mb")" -eq 12 ] || fail "From not quoted"
[ "$(grep -c '^>>From quoted once$' "$mb")" -eq 12 ] ||
	fail ">From not quoted again"
grep -q '^From the start' "$(find "$TMP/all" -name '*.eml' | head -n 1)" ||
	fail "the .eml lost its line"

# the round trip mbox -> import -> export --format mbox: the same
# Message-IDs, subjects and text bodies (UTF-8 and RFC 2047 subjects,
# alternatives, attachments, "From " and "." lines; import_check.py)
tools=$(cd "$(dirname "$0")/../tools" && pwd)
python3 "$tools/import_check.py" make "$TMP/rt.mbox" 60 ||
	fail "could not make the mbox"
run import -o "$TMP/rt.pst" "$TMP/rt.mbox"
expect_rc 0
run export -q --format mbox "$TMP/rt.pst" -o "$TMP/rt"
expect_rc 0
python3 "$tools/import_check.py" compare "$TMP/rt.mbox" "$TMP/rt" ||
	fail "mbox -> import -> export changed messages"

# deterministic, and nothing temporary left
run export "$TMP/s.pst" -o "$TMP/again"
expect_rc 0
diff -r "$TMP/full" "$TMP/again" >/dev/null || fail "two exports differ"
[ -z "$(find "$TMP" -name '.pstfix-tmp-*')" ] || fail "temporary files left"
exit 0
