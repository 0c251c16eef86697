#!/bin/sh
# smtp_wire.sh - the bytes pstfix/smtp puts on the wire, recorded by a
# raw socket peer (tests/smtp/capture.py, no SMTP library in between):
# CRLF only, never a bare CR or LF (SMTP smuggling, CVE-2023-51764);
# lines starting with '.' dot-stuffed (RFC 5321 4.5.2); an address
# holding CR/LF, or a message holding a bare CR or LF, refused before a
# byte of it is sent.  Also a filtered port (no SYN answer): the probe
# says so and exits 69.
. "$(dirname "$0")/common.shlib"
. "$(dirname "$0")/../smtp/lib.shlib"
[ -x "$PY" ] || skip "/usr/bin/python3 absent"
need_smtpc
CAP=$SMTP_ROOT/tests/smtp/capture.py

mkdir "$TMP/cap"
"$PY" "$CAP" --port-file "$TMP/cap.port" --dir "$TMP/cap" \
	--max-seconds 60 &
SERVER_PIDS="$SERVER_PIDS $!"
wait_port "$TMP/cap.port"
URL=smtp://127.0.0.1:$PORT

# 1: a message full of dots and edge lines: stuffed, CRLF only
EML=$TMP/dots.eml
printf '.\r\n..\r\n.x\r\nplain\r\n\r\n. \r\n.\r\n.\r\nend.\r\n' >"$EML"
printf '...three\r\nlast line without CRLF then .' >>"$EML"
smtpc --server "$URL" --tls=none --to b@example.org "$EML"
expect_rc 0
"$PY" "$CAP" --check "$TMP/cap/conn-1.bin" --message "$EML" ||
	fail "conn 1: $(cat "$TMP/cap/conn-1.bin" | head -c 400)"

# 2: a sender address carrying a second command: refused at MAIL,
# nothing of it on the wire (not even MAIL)
EVIL=$(printf 'a@b\r\nRCPT TO:<x@y>')
smtpc --server "$URL" --tls=none --from "$EVIL" --to b@example.org "$EML"
expect_rc 2
expect_out '^error MAIL FROM USAGE refusing the sender address'
"$PY" "$CAP" --check "$TMP/cap/conn-2.bin" --absent "x@y" \
	--absent "MAIL" || fail "conn 2: the address reached the wire"

# 3: the same in a recipient, and a lone LF in one
smtpc --server "$URL" --tls=none --to "$EVIL" "$EML"
expect_rc 2
expect_out '^error RCPT TO USAGE refusing the recipient'
"$PY" "$CAP" --check "$TMP/cap/conn-3.bin" --absent "x@y" \
	--absent "RCPT" || fail "conn 3: the address reached the wire"
smtpc --server "$URL" --tls=none --to "$(printf 'b@exa\nmple.org')" "$EML"
expect_rc 2
"$PY" "$CAP" --check "$TMP/cap/conn-4.bin" --absent "RCPT" ||
	fail "conn 4: an LF address reached the wire"

# 4: smuggling shapes in the message: bare LF before a dot, bare CR
for body in 'a\n.\r\nMAIL FROM:<x@y>\r\n' 'a\r.\r\nx' 'a\r\n.\n' 'x\r'; do
	printf "Subject: s\r\n\r\n$body" >"$TMP/smuggle.eml"
	smtpc --server "$URL" --tls=none --to b@example.org "$TMP/smuggle.eml"
	expect_rc 2
	expect_out '^error DATA USAGE refusing to send a message with a bare'
done
for n in 5 6 7 8; do
	"$PY" "$CAP" --check "$TMP/cap/conn-$n.bin" --absent DATA \
		--absent "x@y" || fail "conn $n: DATA was sent"
done

# 5: replies that break the grammar or its limits (RFC 5321 4.2,
# 4.5.3.1.5): a protocol error, 76, in bounded time
i=0
for g in long many http mixed; do
	i=$((i + 1))
	"$PY" - "$TMP/$g.greet" "$g" <<'PYEOF'
import sys
kind = sys.argv[2]
data = {"long": b"220 " + b"x" * 600 + b"\r\n",
        "many": b"220-x\r\n" * 150 + b"220 x\r\n",
        "http": b"HTTP/1.1 400 Bad Request\r\n\r\n",
        "mixed": b"220-x\r\n250 y\r\n"}[kind]
open(sys.argv[1], "wb").write(data)
PYEOF
	mkdir "$TMP/cap$i"
	"$PY" "$CAP" --port-file "$TMP/g$i.port" --dir "$TMP/cap$i" \
		--greeting-file "$TMP/$g.greet" --max-seconds 30 &
	SERVER_PIDS="$SERVER_PIDS $!"
	wait_port "$TMP/g$i.port"
	run outbox probe --server "smtp://127.0.0.1:$PORT" --timeout 5
	expect_rc 76
	expect_out '^what to do +the server broke the SMTP protocol'
done

# 5: a filtered port: connect times out; plain words, exit 69
"$PY" "$CAP" --port-file "$TMP/filt.port" --filtered --max-seconds 30 &
SERVER_PIDS="$SERVER_PIDS $!"
wait_port "$TMP/filt.port"
run outbox probe --server "smtp://127.0.0.1:$PORT" --timeout 1
expect_rc 69
expect_out '^what to do +no answer to the connection attempt: the port is'
exit 0
