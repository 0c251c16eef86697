#!/bin/sh
# outbox_send: `outbox send` through tests/smtp/server.py: every stranded
# item accepted once, Bcc only in the envelope, the report and `outbox
# status` agree, a second run sends nothing, a second send on a busy
# spool is refused, and the PST is not modified.
. tests/cli/common.shlib
. tests/cli/outbox.shlib
need_aiosmtpd

make_outbox 6
before=$(sha256sum <"$TMP/o.pst")
n=$(will_send "$TMP/o.pst")
[ "$n" -ge 12 ] || fail "outbox list counts $n recipients"
start_server a --enhanced
send_to "$TMP/sp" "$TMP/o.pst"
expect_rc 0
expect_out "^summary: $n accepted, 0 pending"

expect_out '^  accepted   Bcc user[0-9]+@example.com  \[dot\] 250 2\.0\.0 '
[ "$(ls "$TMP/a.srv" | wc -l)" -eq 6 ] || fail "server spool: not 6"
[ "$(spool_ids a | sort -u | wc -l)" -eq 6 ] || fail "ids not unique"
[ "$(spool_ids a | wc -l)" -eq 6 ] || fail "an id twice"
# Bcc: never a header, always an envelope recipient
! grep -a -il '^bcc:' "$TMP/a.srv"/*.msg || fail "a Bcc header was sent"
bcc=$("$PSTFIX" outbox list -v "$TMP/o.pst" | sed -n \
	's/^ *Bcc: .*<\(.*\)>.*/\1/p' | head -1)
[ -n "$bcc" ] || fail "no Bcc recipient in the sample"
grep -a -q "^X-Envelope-To: <$bcc>" "$TMP/a.srv"/*.msg ||
	fail "Bcc $bcc not in any envelope"
# the spooled bytes are the bytes the server got
for f in "$TMP"/sp/msg/m*.eml; do
	id=$(grep -a -i -m1 '^Message-ID:' "$f" | tr -d '\r')
	m=$(grep -a -l -F "$id" "$TMP/a.srv"/*.msg)
	sed '1,/^\r$/d' "$m" | cmp -s - "$f" || fail "$f differs on the wire"
done

# status from the journal: the same states
run outbox status "$TMP/sp"
expect_rc 0
[ "$(grep -c '^  accepted ' "$OUT")" -eq "$n" ] || { show; fail "status"; }
[ "$(status_count "$TMP/sp" accepted)" -eq "$n" ] || fail "status --json"

# --rate and more connections: the same result on a fresh spool
stop_server
start_server r --enhanced
send_to "$TMP/rate" "$TMP/o.pst" --rate 1200/min --max-connections 3 \
	--raise-after 1
expect_rc 0
[ "$(spool_ids r | sort -u | wc -l)" -eq 6 ] || fail "--rate: not 6"
[ "$(spool_ids r | wc -l)" -eq 6 ] || fail "--rate: an id twice"
stop_server
start_server a2 --enhanced

# a second run: everything is in the journal, nothing is sent again
send_to "$TMP/sp" "$TMP/o.pst"
expect_rc 0
[ "$(ls "$TMP/a2.srv" | wc -l)" -eq 0 ] || fail "resent on a second run"
[ ! -s "$TMP/a2.log" ] || fail "a second run connected with nothing to do"

# --json: one recipient object per recipient, a summary with the exit
send_to "$TMP/sp" "$TMP/o.pst" --json
/usr/bin/python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert sum(r["type"] == "recipient" for r in recs) == int(sys.argv[2])
assert recs[-1]["type"] == "summary" and recs[-1]["exit"] == 0
assert all(r["code"] == 250 and r["enhanced"] == "2.0.0"
           for r in recs if r["type"] == "recipient")' "$OUT" "$n" ||
	fail "send --json"

[ "$(sha256sum <"$TMP/o.pst")" = "$before" ] || fail "the PST changed"

# a second send on a spool in use is refused (the first waits on a
# slow server)
stop_server
make_outbox 2
start_server b --delay dot=2
send_to "$TMP/sp2" "$TMP/o.pst" &
bg=$!
i=0
while [ ! -s "$TMP/sp2/lock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
sleep 0.3
RC=0
"$PSTFIX" outbox send --server "smtp://127.0.0.1:$PORT" $FAST \
	--spool "$TMP/sp2" "$TMP/o.pst" >"$OUT" 2>"$ERR" || RC=$?
expect_rc 75
expect_err 'spool .* is in use by another .outbox send. \(pid [0-9]+\)'
# status reads it meanwhile, without the lock
run outbox status --json "$TMP/sp2"
[ "$RC" -eq 75 ] || [ "$RC" -eq 0 ] || { show; fail "status while sending"; }
expect_out '"type":"summary"'
wait $bg || fail "the first send failed"
[ "$(spool_ids b | wc -l)" -eq 2 ] || fail "busy spool: not 2 sent"

exit 0
