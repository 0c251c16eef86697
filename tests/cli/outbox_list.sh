#!/bin/sh
# outbox_list.sh - `pstfix outbox list` on a sample with every kind of
# Outbox item (create outbox-mix=1): each item has the class the writer
# meant (the manifest), its Message-ID is the one `pstfix export` writes
# and readpst shows, its flags are the ones pffexport shows; --eml writes
# what send would submit (CRLF only, 7-bit, no Bcc, parsed by Python's
# email package without defects); damaged copies (pstcorrupt) still list
# their items through the salvage path and its scratch directory is gone
# afterwards; the PST's bytes never change; corpus files list without
# error (their Outbox found by its entry id, or the note says why).
. "$(dirname "$0")/common.shlib"
need_python

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CHECK="python3 $ROOT/tests/tools/outbox_check.py"
CORRUPT=${PSTCORRUPT:-$ROOT/build/tests/tools/pstcorrupt}
PST=$TMP/mix.pst
MAN=$TMP/mix.jsonl

run create --sample messages=6,folders=2,outbox=2,outbox-mix=1 \
	-o "$PST" --manifest "$MAN"
expect_rc 0
sum_before=$(sha256sum "$PST" | cut -d' ' -f1)

# ---- every class, as the manifest says ----
run outbox list --all --json "$PST"
expect_rc 0
cp "$OUT" "$TMP/all.jsonl"
$CHECK manifest "$MAN" "$TMP/all.jsonl" || exit 1

run outbox list --stranded --json "$PST"
expect_rc 0
grep '"type":"item"' "$OUT" | grep -v '"class":"stranded"' &&
	fail "--stranded listed another class"
$CHECK manifest "$MAN" "$OUT" --subset || exit 1
n=$(grep -c '"class":"stranded"' "$OUT")
want=$(grep -c '"outbox_class":"stranded"' "$MAN")
[ "$n" -eq "$want" ] || fail "--stranded: $n items, $want written"

# the same in an OST with 4 KiB pages (MS-PST 2.2.2.7 for OSTs)
run create --format ost4k --sample messages=2,folders=1,outbox-mix=1 \
	-o "$TMP/mix.ost" --manifest "$TMP/ost.jsonl"
expect_rc 0
run outbox list --all --json "$TMP/mix.ost"
expect_rc 0
cp "$OUT" "$TMP/ost-list.jsonl"
$CHECK manifest "$TMP/ost.jsonl" "$TMP/ost-list.jsonl" || fail "ost4k"

# ---- the report for people: what will be sent, what not, and why ----
run outbox list "$PST"
expect_rc 0
expect_out '^  stranded +0x[0-9a-f]+ +submitted 2026-01-01T'
expect_out '^  deferred .*deferred until 2099-01-01T00:00:00Z'
expect_out '^  draft '
expect_out '^  in-sent '
expect_out 'Sent Items holds it \(NID 0x[0-9a-f]+\)'
expect_out 'Bob Legacy" UNRESOLVABLE \(type EX, no SMTP address\)'
expect_out '"Alice Exchange" <alice@example.com>'
expect_out 'dora@example.com> \(delivered already\)'
expect_out '=> send submits it to 2 recipients; 1 delivered already'
expect_out '^.*mix.pst: [0-9]+ stranded \(to send\), 1 deferred, 1 draft'
expect_no_out '^  sent '       # Outlook's sent items only with --all
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$OUT"; then
	fail "a control character from the PST reached the terminal"
fi
run outbox list --all "$PST"
expect_out '^  sent .*'
expect_out 'never sent again: Outlook marked it sent'

# ---- Message-IDs and flags as other readers see them ----
run export "$PST" -o "$TMP/export"
expect_rc 0
$CHECK export "$TMP/all.jsonl" "$TMP/export/Top of Personal Folders/Outbox" ||
	exit 1
if command -v readpst >/dev/null 2>&1; then
	mkdir "$TMP/readpst"
	readpst -j 0 -e -o "$TMP/readpst" "$PST" >/dev/null 2>&1 ||
		fail "readpst cannot read the sample"
	$CHECK readpst "$TMP/all.jsonl" \
		"$TMP/readpst/Personal Folders/Outbox" || exit 1
fi
if command -v pffexport >/dev/null 2>&1; then
	pffexport -q -t "$TMP/pff" "$PST" >/dev/null 2>&1 ||
		fail "pffexport cannot read the sample"
	$CHECK pff "$TMP/all.jsonl" \
		"$TMP/pff.export/Top of Personal Folders/Outbox" || exit 1
fi

# ---- the bytes send would submit ----
run outbox list --all --eml "$TMP/eml" "$PST"
expect_rc 0
n=$(ls "$TMP/eml" | grep -c '\.eml$')
[ "$n" -eq "$(grep -c '"outbox_class"' "$MAN")" ] ||
	fail "--eml wrote $n files"
ls -a "$TMP/eml" | grep -q pstfix-tmp && fail "--eml left a temporary file"
grep -l 'hidden@example.net' "$TMP"/eml/*.eml >/dev/null &&
	fail "a Bcc recipient is in the rendered bytes"
$CHECK eml "$TMP/eml" || exit 1

# ---- damaged copies: the salvage path, in a scratch directory ----
# A root lost: the rebuild finds every item.  A leaf zeroed (each seed
# picks another): the items under it have no other copy in a file our
# writer made, so they are counted lost (the contents table names them),
# or the store itself is gone (then nothing is guessed: exit 8).
[ -x "$CORRUPT" ] || fail "$CORRUPT is not built (make $CORRUPT)"
mkdir "$TMP/scratch"
damaged() {   # RECIPE SEED: list the damaged copy as JSON
	"$CORRUPT" "$1" --seed "$2" "$PST" "$TMP/bad.pst" >/dev/null 2>&1 ||
		fail "pstcorrupt $1"
	TMPDIR=$TMP/scratch run outbox list --all --json "$TMP/bad.pst"
	cp "$OUT" "$TMP/bad.jsonl"
	[ -z "$(ls -A "$TMP/scratch")" ] ||
		fail "$1: the scratch directory was left:" \
		     "$(ls -A "$TMP/scratch")"
}
for r in zero-nbt-root nbt-root-off-by-one; do
	damaged "$r" 1
	expect_rc 0
	expect_out '"salvaged":true'
	expect_out '"sent_items_partial":true'
	$CHECK manifest "$MAN" "$TMP/bad.jsonl" || fail "$r: see above"
	# rendering reads the items again, from the rebuild: the scratch
	# directory is gone by then, its file still open
	rm -rf "$TMP/beml"
	TMPDIR=$TMP/scratch run outbox list --all --eml "$TMP/beml" \
		"$TMP/bad.pst"
	expect_rc 0
	$CHECK eml "$TMP/beml" >/dev/null || fail "$r: --eml"
	n=$(ls "$TMP/beml" | grep -c '\.eml$')
	[ "$n" -eq "$(grep -c '"outbox_class"' "$MAN")" ] ||
		fail "$r: --eml wrote $n files"
	run outbox list --no-salvage "$TMP/bad.pst"
	expect_rc 8
	TMPDIR=$TMP/scratch run outbox list "$TMP/bad.pst"
	expect_out 'warning: Sent Items was not read whole'
	expect_out 'note: salvaged \('
done
whole=0 some=0 nostore=0
for seed in 1 2 3 4 5 6 7 8; do
	damaged zero-nbt-leaf "$seed"
	if [ "$RC" -eq 8 ]; then
		expect_out '"error":"the message store \(NID 0x21\) cannot'
		nostore=$((nostore + 1))
		continue
	fi
	expect_rc 0
	expect_out '"salvaged":true'
	$CHECK manifest "$MAN" "$TMP/bad.jsonl" --subset >/dev/null ||
		fail "zero-nbt-leaf seed $seed: a listed item is wrong"
	$CHECK lost "$MAN" "$TMP/bad.jsonl" || fail "zero-nbt-leaf seed $seed"
	if grep -q '"lost":0,' "$OUT"; then
		whole=$((whole + 1))
	else
		some=$((some + 1))
	fi
done
[ "$whole" -gt 0 ] && [ "$some" -gt 0 ] ||
	fail "zero-nbt-leaf: $whole whole, $some with lost items," \
	     "$nostore without a store: the seeds no longer cover the cases"

# ---- usage and unreadable files ----
run outbox list
expect_rc 16
run outbox list --all --stranded "$PST"
expect_rc 16
run outbox list --bogus "$PST"
expect_rc 16
run outbox list "$TMP/missing.pst"
expect_rc 8
expect_err 'missing.pst'
run outbox list --json "$TMP/missing.pst" "$PST"
expect_rc 8
expect_out '"type":"error"'
expect_out '"type":"summary"'
run outbox list --help
expect_rc 0
expect_out 'usage: pstfix outbox list'
run outbox --help
expect_out '^  list '

# ---- read-only ----
[ "$(sha256sum "$PST" | cut -d' ' -f1)" = "$sum_before" ] ||
	fail "outbox list changed the PST"

# ---- the corpus ----
[ -d "$CORPUS" ] || { echo "corpus absent: its part skipped"; exit 0; }
for f in "$CORPUS"/*.pst "$CORPUS"/*.ost; do
	[ -f "$f" ] || continue
	b=$(basename "$f")
	before=$(sha256sum "$f" | cut -d' ' -f1)
	TMPDIR=$TMP/scratch run outbox list --json "$f"
	case "$b" in
	NOTPST-*) [ "$RC" -eq 0 ] || [ "$RC" -eq 8 ] || fail "$b: exit $RC" ;;
	*) [ "$RC" -eq 0 ] || { show; fail "$b: exit $RC"; } ;;
	esac
	python3 - "$OUT" "$b" <<'EOF' || exit 1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
for r in recs:
    if r['type'] == 'summary' and not r['outbox_nid'] and not r['note']:
        print('FAIL: %s: no Outbox and no note saying why' % sys.argv[2])
        sys.exit(1)
    if r['type'] == 'item' and r['class'] not in (
            'stranded', 'draft', 'sent', 'deferred', 'in-sent'):
        print('FAIL: %s: class %r' % (sys.argv[2], r['class']))
        sys.exit(1)
EOF
	[ "$(sha256sum "$f" | cut -d' ' -f1)" = "$before" ] ||
		fail "$b: changed by outbox list"
	[ -z "$(ls -A "$TMP/scratch")" ] || fail "$b: scratch left"
done

# a file that does not open: one line naming it once, no salvage attempt
run outbox list "$TMP/nonesuch.pst"
expect_rc 8
expect_lines "$ERR" 1
expect_err '^pstfix outbox list: [^:]*nonesuch.pst: No such file or directory$'
run outbox send "$TMP/nonesuch.pst" --dry-run
expect_rc 66
expect_err '^pstfix outbox send: [^:]*nonesuch.pst: No such file or directory$'
run export "$TMP/nonesuch.pst" -o "$TMP/none.out"
expect_rc 8
expect_lines "$ERR" 1
expect_err '^pstfix export: [^:]*nonesuch.pst: No such file or directory$'
exit 0
