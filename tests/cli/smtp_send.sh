#!/bin/sh
# smtp_send.sh - MAIL/RCPT/DATA through pstfix/smtp (the smtpc driver)
# against tests/smtp/server.py: 421 after MAIL, 4xx/5xx per recipient,
# DATA refused, a drop before the dot (nothing delivered) and after it
# (uncertain, told apart), a timeout after the dot, the dot-stuffing
# round trip, a bare LF refused before DATA, before_dot aborting, the
# connection limit, and the server's seeded random fault mode.
. "$(dirname "$0")/common.shlib"
. "$(dirname "$0")/../smtp/lib.shlib"
need_aiosmtpd
need_smtpc
need_pki

EML=$TMP/m.eml
make_eml "$EML" one
CA="--ca-file $PKI/ca.pem"

# shellcheck disable=SC2046
start_server ok $(tls_args)
P_OK=$PORT

# a good delivery over STARTTLS; the message arrives byte for byte
# (lines starting with '.' intact: dot-stuffed on the wire, unstuffed
# by the server)
# shellcheck disable=SC2086
smtpc --server smtp://127.0.0.1:$P_OK $CA --to b@example.org \
	--to c@example.org "$EML"
expect_rc 0
expect_out '^reply end of data 250 2\.0\.0 '
expect_out '^result delivered$'
[ "$(spooled ok)" -eq 1 ] || fail "expected one spooled message"
f=$TMP/ok.spool/000001.msg
grep -q '^X-Envelope-To: <c@example.org>' "$f" || fail "envelope lost"
sed '1,/^\r$/d' "$f" >"$TMP/body"
cmp "$TMP/body" "$EML" || fail "the message changed on the way"

# three transactions on one connection, RSET between them
# shellcheck disable=SC2086
smtpc --server smtp://127.0.0.1:$P_OK $CA --to b@example.org --count 3 \
	"$EML"
expect_rc 0
n=$(grep -c '^reply RSET 250 ' "$OUT")
[ "$n" -eq 2 ] || fail "expected 2 RSET replies, got $n"
[ "$(spooled ok)" -eq 4 ] || fail "expected 4 spooled messages"
n=$(grep -c '"event": "connect"' "$TMP/ok.log")
[ "$n" -eq 2 ] || fail "--count 3 used $n connections, not 1"

# a message without a final CRLF gets one; the server sees it whole
printf 'Subject: x\r\n\r\nno final newline' >"$TMP/nonl.eml"
# shellcheck disable=SC2086
smtpc --server smtp://127.0.0.1:$P_OK $CA --to b@example.org \
	"$TMP/nonl.eml"
expect_rc 0
[ "$(tail -c 6 "$TMP/ok.spool/000005.msg")" = "$(printf 'line\r\n')" ] ||
	fail "the final CRLF was not added"

# a bare LF is refused before DATA is sent
printf 'Subject: x\r\n\r\nbare\nLF\r\n' >"$TMP/bare.eml"
# shellcheck disable=SC2086
smtpc --server smtp://127.0.0.1:$P_OK $CA --to b@example.org \
	"$TMP/bare.eml"
expect_rc 2
expect_out '^error DATA USAGE refusing to send a message with a bare LF'
n=$(grep -c '"cmd": "DATA"' "$TMP/ok.log")
[ "$n" -eq 5 ] || fail "DATA was sent for the bare-LF message"

# before_dot aborting: no dot, nothing delivered
# shellcheck disable=SC2086
smtpc --server smtp://127.0.0.1:$P_OK $CA --to b@example.org \
	--abort-before-dot "$EML"
expect_rc 2
expect_out '^aborted before the dot'
sleep 0.3
[ "$(spooled ok)" -eq 5 ] || fail "an aborted message was delivered"

# 421 after MAIL: the session ends, the reply says 421
start_server m421 --reply "mail=421 4.7.0 too busy"
smtpc --server smtp://127.0.0.1:$PORT --tls=none --to b@example.org "$EML"
expect_rc 1
expect_out '^reply MAIL FROM 421 4\.7\.0 '

# RCPT: 550 for one, 452 for another, the third accepted and delivered
start_server rcpt --enhanced \
	--rcpt-reply "nobody@example.org=550 5.1.1 no such user" \
	--rcpt-reply "full@example.org=452 4.2.2 mailbox full"
smtpc --server smtp://127.0.0.1:$PORT --tls=none \
	--to nobody@example.org --to full@example.org \
	--to b@example.org "$EML"
expect_rc 0
expect_out '^reply RCPT TO 550 5\.1\.1 '
expect_out '^reply RCPT TO 452 4\.2\.2 '
expect_out '^reply RCPT TO 250 '
grep -q '^X-Envelope-To: <b@example.org>' "$TMP/rcpt.spool/000001.msg" ||
	fail "the accepted recipient did not get it"
grep -q 'nobody@' "$TMP/rcpt.spool/000001.msg" &&
	fail "a refused recipient is in the envelope"

# DATA refused (no 354): R answers DATA
start_server d554 --reply "data=554 5.3.4 message refused"
smtpc --server smtp://127.0.0.1:$PORT --tls=none --to b@example.org "$EML"
expect_rc 1
expect_out '^reply DATA 554 5\.3\.4 '

# replies a command cannot have: 250 to DATA (nothing was sent, so it
# cannot mean "accepted"), 354 to MAIL: protocol errors
start_server d250 --reply "data=250 2.0.0 fine"
smtpc --server smtp://127.0.0.1:$PORT --tls=none --to b@example.org "$EML"
expect_rc 2
expect_out '^error DATA PROTO unexpected reply 250 to DATA'
start_server m354 --reply "mail=354 go on"
smtpc --server smtp://127.0.0.1:$PORT --tls=none --to b@example.org "$EML"
expect_rc 2
expect_out '^error MAIL FROM PROTO unexpected reply 354'

# dropped before the dot: an error at DATA, not uncertain.  16 MiB, so
# the client is still writing when the server resets the connection
# (a small message would fit in the socket buffers: the dot would be
# written before the drop is seen, and that case is uncertain).
start_server before --drop before_dot
"$PY" -c '
import sys
line = b"x" * 998 + b"\r\n"
sys.stdout.buffer.write(b"Subject: big\r\n\r\n" + line * 16800)' \
	>"$TMP/big.eml"
smtpc --server smtp://127.0.0.1:$PORT --tls=none --to b@example.org \
	"$TMP/big.eml"
expect_rc 2
expect_out '^error DATA NET '
expect_no_out 'outcome is unknown'
[ "$(spooled before)" -eq 0 ] || fail "delivered despite the drop"

# the same over TLS: the reset arrives inside SSL_write, which must not
# raise SIGPIPE (the BIO of tls.c sends with MSG_NOSIGNAL)
# shellcheck disable=SC2046
start_server tlsbefore $(tls_args) --drop before_dot
# shellcheck disable=SC2086
smtpc --server smtp://127.0.0.1:$PORT $CA --to b@example.org \
	"$TMP/big.eml"
expect_rc 2
expect_out '^error DATA NET '

# EHLO refused in cleartext: HELO instead (RFC 5321 4.1.4)
start_server helo --reply "ehlo=502 5.5.1 EHLO not implemented"
smtpc --server smtp://127.0.0.1:$PORT --tls=none --to b@example.org "$EML"
expect_rc 0
expect_out '^reply HELO 250 '
grep -q '"cmd": "HELO"' "$TMP/helo.log" || fail "no HELO sent"

# dropped after the dot, with and without the server keeping it: the
# client cannot tell, and must say "uncertain"
start_server after --drop after_dot
smtpc --server smtp://127.0.0.1:$PORT --tls=none --to b@example.org "$EML"
expect_rc 3
expect_out '^error end of data NET after the final dot: .*outcome is unknown'
expect_out '^result uncertain$'
start_server kept --drop after_dot_kept
smtpc --server smtp://127.0.0.1:$PORT --tls=none --to b@example.org "$EML"
expect_rc 3
[ "$(spooled kept)" -eq 1 ] || fail "after_dot_kept kept nothing"

# no reply to the dot within the timeout: uncertain too
start_server late --delay dot=6
smtpc --server smtp://127.0.0.1:$PORT --tls=none --to b@example.org \
	--dot-timeout 1 "$EML"
expect_rc 3
expect_out '^error end of data TIMEOUT after the final dot'

# the connection limit: the second connection gets 421
start_server limit --max-connections 1
P_LIMIT=$PORT
"$PY" -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.recv(100)                          # the greeting: the server counts us
open(sys.argv[2], "w").write("1")
time.sleep(20)' "$P_LIMIT" "$TMP/holding" &
holder=$!
wait_port "$TMP/holding"
smtpc --server smtp://127.0.0.1:$P_LIMIT --tls=none --to b@example.org "$EML"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
expect_rc 1
expect_out '^reply greeting 421 4\.7\.0 4\.7\.0 too many connections'

# a JSON config; "@1": the first time only (a retry then succeeds)
cat >"$TMP/cfg.json" <<'JSON'
{"reply": {"mail": "451 4.3.0 try again@1"},
 "drop": ["after_dot_kept@1"], "enhanced": true}
JSON
start_server cfg --config "$TMP/cfg.json"
for want in 1 3 0; do
	smtpc --server smtp://127.0.0.1:$PORT --tls=none --to b@example.org \
		"$EML"
	expect_rc $want
done
expect_out '^reply end of data 250 '
[ "$(spooled cfg)" -eq 2 ] || fail "config: expected 2 spooled"
n=$(grep -c '"event": "accepted"' "$TMP/cfg.log")
[ "$n" -eq 2 ] || fail "config: the log has $n accepted, not 2"
grep -q '"message_id": "<one@pstfix.test>"' "$TMP/cfg.log" ||
	fail "config: no Message-ID in the log"

# the random mode is seeded: the same seed, the same faults
for run_no in 1 2; do
	start_server "rnd$run_no" \
		--random "0.5:42:dot=451 4.3.0 later,drop=after_dot"
	i=0
	while [ $i -lt 10 ]; do
		"$SMTPC" --server "smtp://127.0.0.1:$PORT" --tls=none \
			--to b@example.org "$EML" | tail -n 1
		i=$((i + 1))
	done >"$TMP/rnd$run_no.results"
done
cmp "$TMP/rnd1.results" "$TMP/rnd2.results" ||
	fail "the random mode is not repeatable"
grep -q 'delivered' "$TMP/rnd1.results" || fail "random: none delivered"
grep -q 'refused' "$TMP/rnd1.results" || fail "random: no 451"
grep -q 'uncertain' "$TMP/rnd1.results" || fail "random: no drop"
n=$(grep -c delivered "$TMP/rnd1.results")
[ "$(spooled rnd1)" -eq "$n" ] || fail "spool and results disagree"
exit 0
