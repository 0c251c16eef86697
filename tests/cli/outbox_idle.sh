#!/bin/sh
# outbox_idle: a server that closes a connection after its first message
# (as an idle timeout does between two messages): `outbox send` finds the
# kept connection dead at the next MAIL FROM and goes on at once on a new
# one, with no backoff (--retry-delay 30s --once would end the run) and
# no attempt charged.  A tiny SMTP server in Python (no aiosmtpd).
. tests/cli/common.shlib
. tests/cli/outbox.shlib
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 absent"

make_outbox 3
n=$(will_send "$TMP/o.pst")
/usr/bin/python3 - "$TMP/port" "$TMP/got" <<'PY' &
import socket, sys
# no timeouts here (this machine's clock may jump): the test's exit trap
# kills it, and at most 20 connections are served
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(8)
open(sys.argv[1], "w").write(str(srv.getsockname()[1]))
got = open(sys.argv[2], "a", buffering=1)
conns = 0
while conns < 20:
    c, _ = srv.accept()
    conns += 1
    f = c.makefile("rb")
    c.sendall(b"220 idle test\r\n")
    while True:
        line = f.readline()
        if not line:
            break
        cmd = line[:4].upper()
        if cmd in (b"EHLO", b"HELO"):
            c.sendall(b"250 ok\r\n")
        elif cmd == b"DATA":
            c.sendall(b"354 go\r\n")
            while f.readline() not in (b".\r\n", b""):
                pass
            got.write("conn %d message\n" % conns)
            c.sendall(b"250 2.0.0 queued\r\n")
            if conns == 1:       # the idle timeout, right after
                break
        elif cmd == b"QUIT":
            c.sendall(b"221 bye\r\n")
            break
        else:
            c.sendall(b"250 ok\r\n")
    c.close()
PY
SRVPIDS="$SRVPIDS $!"
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat "$TMP/port")
send_to "$TMP/sp" "$TMP/o.pst" --retry-delay 30s --once
expect_rc 0
[ "$(status_count "$TMP/sp" accepted)" -eq "$n" ] || fail "not all accepted"
[ "$(grep -c message "$TMP/got")" -eq 3 ] || fail "not 3 messages"
grep -q '^conn 2 message' "$TMP/got" || fail "no second connection"
"$PSTFIX" outbox status --json "$TMP/sp" | /usr/bin/python3 -c '
import json, sys
assert all(r["attempts"] == 1 for r in map(json.loads, sys.stdin)
           if r.get("type") == "recipient")' || fail "an attempt charged"
exit 0
