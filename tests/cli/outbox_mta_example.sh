# outbox_mta_example.sh - the README's "Large Outbox recoveries" block,
# taken from README.md as printed and run on two generated PSTs with
# stranded items, /usr/sbin/sendmail replaced by a script that records
# each call: every stranded message is handed over exactly once with
# "-i -f FROM -- RCPT...", status says all accepted, and running the
# block again hands nothing over a second time.
. "$(dirname "$0")/common.shlib"
need_python

awk -v out="$TMP/block" '
	/tests\/cli\/outbox_mta_example.sh runs this block/ { want = 1; next }
	want && /^```/ { want = 0; on = 1; next }
	on && /^```/ { exit }
	on { print > out }' README.md
grep -q -- '--sendmail /usr/sbin/sendmail' "$TMP/block" 2>/dev/null ||
	fail "README.md: no outbox block with --sendmail /usr/sbin/sendmail"

S=$TMP/share
mkdir -p "$S/ann" "$S/bob" "$TMP/bin"
run create --sample messages=2,outbox=2,seed=21 -o "$S/ann/Outlook.pst"
expect_rc 0
run create --sample messages=2,outbox=3,seed=22 -o "$S/bob/Outlook.pst"
expect_rc 0
ln -s "$PSTFIX" "$TMP/bin/pstfix"
cat >"$TMP/sendmail" <<EOS
#!/bin/sh
# a recording sendmail: the arguments, then the message's Message-ID
{ echo "\$*"; grep -i -m1 '^Message-ID:'; } >>"$TMP/calls"
EOS
chmod +x "$TMP/sendmail"
sed -e "s|/usr/sbin/sendmail|$TMP/sendmail|g" \
    -e "s|/var/spool/pstfix-outbox|$TMP/spool|g" \
    -e "s|/srv/share|$S|g" "$TMP/block" >"$TMP/run.sh"
cat "$TMP/run.sh"

# what should go: the stranded items' Message-IDs, from outbox list
"$PSTFIX" outbox list --stranded --json "$S"/*/Outlook.pst |
	python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r["type"] == "item":
        print(r["message_id"])' | LC_ALL=C sort >"$TMP/want"
[ "$(wc -l <"$TMP/want")" -ge 5 ] || fail "too few stranded items"

for pass in 1 2; do
	RC=0
	PATH=$TMP/bin:$PATH sh "$TMP/run.sh" >"$OUT" 2>"$ERR" || RC=$?
	expect_rc 0
	expect_out '^summary: [0-9]+ accepted, 0 pending, .*; exit 0$'
	grep -i '^Message-ID:' "$TMP/calls" | tr -d '\r' |
		sed 's/^[^:]*: *<//; s/>$//' |
		LC_ALL=C sort >"$TMP/got"
	cmp -s "$TMP/got" "$TMP/want" || {
		diff "$TMP/want" "$TMP/got"
		fail "pass $pass: the messages handed over are not the" \
			"stranded ones, each once"
	}
done
grep -v -i '^Message-ID:' "$TMP/calls" >"$TMP/args"
grep -Evq '^-i -f [^ ]+@[^ ]+ -- [^ ]+@[^ ]+' "$TMP/args" &&
	{ cat "$TMP/args"; fail "sendmail called without -i -f FROM -- RCPT"; }
exit 0
