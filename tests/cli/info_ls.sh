# info_ls.sh - `pstfix info` and `pstfix ls` on real files: format,
# encoding, store name, password state and counts agree with what the file
# holds (the counts are libpff's too: see corpus_xcheck.sh); ls lists the
# folder tree and a folder's items; both have --json.
. "$(dirname "$0")/common.shlib"
need_corpus
need_python

run info "$CORPUS/java-libpst-passworded.pst"
expect_rc 0
expect_out '^format: +Unicode PST \(wVer 23, client SM\)'
expect_out '^encoding: +permute'
expect_out '^password: +set'
expect_out '^messages: +3$'

run info "$CORPUS/pstsdk-sample2-ansi.pst"
expect_rc 0
expect_out '^format: +ANSI PST'
expect_out '^password: +none'

run info --json "$CORPUS/generator-900msgs.pst"
expect_rc 0
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["messages"] == 900, d
assert d["format_ver"] == 23 and d["client"] == "PST", d
' "$OUT" || fail "info --json: wrong fields"

run info "$CORPUS/NOTPST-mbox-named-pst.pst"
expect_rc 8
expect_lines "$ERR" 1

run ls "$CORPUS/pstsdk-sample1.pst"
expect_rc 0
expect_out '^  Top of Outlook data file +\[0 items\] +nid 0x8022'
expect_out '^    Sample1 +\[1 item\] +nid 0x8082'

run ls "$CORPUS/pstsdk-submessage.pst" 0x8082
expect_rc 0
expect_out 'R--A +Terry Mahaffey +\| +This is a message which has an embedded message attached$'
expect_out '^1 item$'

run ls --json "$CORPUS/generator-900msgs.pst" "Top of Personal Folders/Top of Outlook data file/Inbox"
expect_rc 0
python3 -c '
import json, sys
items = [json.loads(l) for l in open(sys.argv[1])]
assert len(items) == 22, len(items)
assert all(i["type"] == "item" and "subject" in i for i in items)
' "$OUT" || fail "ls --json: wrong items"

run ls "$CORPUS/pstsdk-sample1.pst" "No Such Folder"
expect_rc 16
exit 0
