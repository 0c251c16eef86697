#!/bin/sh
# outbox_conn: the server-level faults of `outbox send` (smtp-facts.md
# "The wire"): 421 at the greeting, after MAIL and after the dot, and a
# drop before the dot requeue without charging an attempt and end
# accepted once; a drop after the dot is UNCERTAIN, not resent without
# --resend-uncertain, resent with it; a reply slower than the timeout;
# a server that takes one connection; 554 at the greeting; 535; a port
# nobody listens on.
. tests/cli/common.shlib
. tests/cli/outbox.shlib
need_aiosmtpd

make_outbox 3
n=$(will_send "$TMP/o.pst")

# attempts SPOOL: the largest attempt count of any recipient.
attempts() {
	"$PSTFIX" outbox status --json "$1" | /usr/bin/python3 -c '
import json, sys
print(max(json.loads(l).get("attempts", 0) for l in sys.stdin))'
}

k=0
for fault in "--reply greeting=421 4.3.2 busy@1" \
	     "--reply mail=421 4.4.2 closing@1" \
	     "--reply dot=421 4.3.0 closing@1" \
	     "--drop greeting@1" "--drop mail@1" "--drop rcpt@1" \
	     "--drop data@1"; do
	k=$((k + 1))
	CASE=$fault
	opt=${fault%% *}
	start_server r$k --enhanced "$opt" "${fault#* }"
	send_to "$TMP/r$k" "$TMP/o.pst"
	expect_rc 0
	expect_states "$TMP/r$k" "$n" 0
	expect_err 'next try in [0-9]+ ms'
	[ "$(attempts "$TMP/r$k")" -eq 1 ] || fail "$CASE: charged an attempt"
	expect_once r$k
	[ "$(spool_ids r$k | wc -l)" -eq 3 ] || fail "$CASE: not 3 messages"
	stop_server
done

# a drop after 354 and one byte of the message: the client may have
# written the whole message and the dot before it sees the close (a
# small message fits the socket buffers), so it may not tell this from
# a drop after the dot.  Whatever it decides must be safe: accepted
# once, or UNCERTAIN with a dot record, and never kept by the server.
CASE="drop before the dot"
start_server b --enhanced --drop before_dot@1
send_to "$TMP/b" "$TMP/o.pst"
unc=$(status_count "$TMP/b" uncertain)
expect_states "$TMP/b" $((n - unc)) 0
# seen in time: requeued and sent again in the same run (3 kept);
# not seen: the first message is UNCERTAIN and not kept (2 kept)
kept=3
[ "$unc" -eq 0 ] || kept=2
[ "$(spool_ids b | wc -l)" -eq "$kept" ] || fail "$CASE: not $kept kept"
[ "$unc" -eq 0 ] || grep -q '	dot	' "$TMP/b/journal" ||
	fail "$CASE: uncertain without a dot record"
send_to "$TMP/b" "$TMP/o.pst" --resend-uncertain
expect_rc 0
expect_states "$TMP/b" "$n" 0
expect_once b
stop_server

# a drop after the dot: the message was not kept, nobody can know
CASE="drop after the dot"
start_server u --enhanced --drop after_dot@1
send_to "$TMP/u" "$TMP/o.pst"
expect_rc 65
unc=$(status_count "$TMP/u" uncertain)
[ "$unc" -ge 2 ] || fail "$CASE: $unc uncertain"
expect_out "^note: $unc recipients are UNCERTAIN"
expect_states "$TMP/u" $((n - unc)) 0
[ "$(spool_ids u | wc -l)" -eq 2 ] || fail "$CASE: not 2 kept"
grep -q '	dot	' "$TMP/u/journal" || fail "$CASE: no dot record"
# not resent by a plain run
send_to "$TMP/u" "$TMP/o.pst"
expect_rc 65
[ "$(spool_ids u | wc -l)" -eq 2 ] || fail "$CASE: resent by a plain run"
# --only another message: the request does not reach this one
other=$("$PSTFIX" outbox status --json "$TMP/u" | /usr/bin/python3 -c '
import json, sys
print([r["nid"] for r in map(json.loads, sys.stdin)
       if r.get("state") == "accepted"][0])')
send_to "$TMP/u" --resend-uncertain --only "$other"
expect_rc 65
[ "$(spool_ids u | wc -l)" -eq 2 ] || fail "$CASE: --only let it through"
# resent on request
send_to "$TMP/u" "$TMP/o.pst" --resend-uncertain
expect_rc 0
expect_states "$TMP/u" "$n" 0
[ "$(spool_ids u | wc -l)" -eq 3 ] || fail "$CASE: not resent on request"
expect_once u
stop_server

# a drop after the dot, message kept: resending makes the duplicate, and
# it is the one the report listed as UNCERTAIN
CASE="drop after the dot, kept"
start_server v --enhanced --drop after_dot_kept@1
send_to "$TMP/v" "$TMP/o.pst"
expect_rc 65
uid=$("$PSTFIX" outbox status --json "$TMP/v" | /usr/bin/python3 -c '
import json, sys
print(sorted({r["message_id"] for r in map(json.loads, sys.stdin)
              if r.get("state") == "uncertain"})[0])')
send_to "$TMP/v" "$TMP/o.pst" --resend-uncertain
expect_rc 0
dup=$(spool_ids v | sort | uniq -d)
[ "$dup" = "$uid" ] || fail "$CASE: duplicate '$dup', uncertain '$uid'"
stop_server

# slow replies: past the command timeout before the dot = requeue; past
# the dot timeout = UNCERTAIN
CASE="slow MAIL"
start_server w --enhanced --delay mail=2
send_to "$TMP/w" "$TMP/o.pst" --command-timeout 300ms --once
expect_rc 75
expect_err 'MAIL FROM: .*(time|out)'
[ "$(status_count "$TMP/w" pending)" -eq "$n" ] || fail "$CASE: pending"
stop_server
CASE="slow dot"
start_server x --enhanced --delay dot=2
send_to "$TMP/x" "$TMP/o.pst" --dot-timeout 300ms --once
expect_rc 75          # one message UNCERTAIN, then the server backed off
[ "$(status_count "$TMP/x" uncertain)" -eq 2 ] || fail "$CASE: uncertain"
[ "$(status_count "$TMP/x" pending)" -eq $((n - 2)) ] || fail "$CASE: rest"
stop_server

# a server that takes one connection: the client starts with one, tries
# a second after a success, gets 421 and goes back to one
CASE="connection limit 1"
make_outbox 8
n8=$(will_send "$TMP/o.pst")
start_server y --enhanced --max-connections 1 --delay dot=0.2
send_to "$TMP/y" "$TMP/o.pst" --max-connections 3 --raise-after 1
expect_rc 0
expect_states "$TMP/y" "$n8" 0
grep -q '"limit"' "$TMP/y.log" || fail "$CASE: never went past the limit"
expect_once y
stop_server
make_outbox 3

# 554 at the greeting: the server refuses us; nothing is tried further
CASE="554 greeting"
start_server z --reply "greeting=554 5.7.1 go away"
send_to "$TMP/z" "$TMP/o.pst"
expect_rc 69
expect_out '^stopped: greeting: 554 5\.7\.1 go away'
[ "$(status_count "$TMP/z" pending)" -eq "$n" ] || fail "$CASE: pending"
[ "$(grep -c '"connect"' "$TMP/z.log")" -le 1 ] || fail "$CASE: retried"
stop_server

# nobody listening: 69 once the give-up time has passed
CASE="unreachable"
start_server g
stop_server
RC=0
"$PSTFIX" outbox send --server "smtp://127.0.0.1:$PORT" --tls=none \
	--retry-delay 100ms --give-up 1s --spool "$TMP/g" "$TMP/o.pst" \
	>"$OUT" 2>"$ERR" || RC=$?
expect_rc 69
[ "$(status_count "$TMP/g" expired)" -eq "$n" ] || fail "$CASE: expired"
exit 0
