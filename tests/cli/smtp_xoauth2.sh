#!/bin/sh
# smtp_xoauth2.sh - AUTH XOAUTH2 (a token from a file and from a
# command) against npm's smtp-server (tests/smtp/xoauth2.js): accepted,
# and a bad token answered through the 334 error challenge to a 535;
# the token never reaches the trace; and smtp-server's maxClients ->
# 421, which the probe explains.  `make setup` installs smtp-server
# into build/npm when node and npm exist.
. "$(dirname "$0")/common.shlib"
. "$(dirname "$0")/../smtp/lib.shlib"
MODS=$SMTP_ROOT/build/npm/node_modules
command -v node >/dev/null 2>&1 || skip "node absent (nodesource)"
[ -d "$MODS/smtp-server" ] ||
	skip "smtp-server not installed in build/npm (run make setup)"
need_pki
need_smtpc

TOKEN=ya29.test-token-$$
start_node() {
	node "$SMTP_ROOT/tests/smtp/xoauth2.js" "$MODS" "$TMP/$1.port" \
		"$PKI/server.pem" "$PKI/server.key" alice@example.org \
		"$TOKEN" "$2" 60 >"$TMP/$1.out" 2>"$TMP/$1.err" &
	SERVER_PIDS="$SERVER_PIDS $!"
	wait_port "$TMP/$1.port"
}
start_node x 0
URL=smtp://127.0.0.1:$PORT
CA="--ca-file $PKI/ca.pem"
echo "$TOKEN" >"$TMP/token"
echo "ya29.expired" >"$TMP/badtoken"

# shellcheck disable=SC2086
run outbox probe --server "$URL" $CA --user alice@example.org \
	--token-file "$TMP/token" -v
expect_rc 0
expect_out '^AUTH offered +.*XOAUTH2'
expect_out '^login +ok \(235'
expect_err '^C: AUTH XOAUTH2 \(redacted\)$'
grep -q "$TOKEN" "$OUT" "$ERR" && fail "the token reached the output"

# shellcheck disable=SC2086
run outbox probe --server "$URL" $CA --user alice@example.org \
	--token-command "cat $TMP/token"
expect_rc 0

# a bad token: 334 error challenge, empty line, 535
# shellcheck disable=SC2086
run outbox probe --server "$URL" $CA --user alice@example.org \
	--token-file "$TMP/badtoken" -v
expect_rc 77
expect_err '^S: 334 '
expect_err '^C: $'
expect_out '^result +AUTH answered 535'

# a message through XOAUTH2 with the driver
printf 'Subject: x\r\n\r\nhello\r\n' >"$TMP/m.eml"
# shellcheck disable=SC2086
smtpc --server "$URL" $CA --user alice@example.org \
	--password-file "$TMP/token" --auth xoauth2 --to b@example.org \
	"$TMP/m.eml"
expect_rc 0

# maxClients 1: a second connection at once gets 421
start_node limit 1
P_LIMIT=$PORT
"$PY" -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.recv(100)
open(sys.argv[2], "w").write("1")
time.sleep(20)' "$P_LIMIT" "$TMP/holding" &
holder=$!
wait_port "$TMP/holding"
run outbox probe --server "smtp://127.0.0.1:$P_LIMIT" $CA
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
expect_rc 75
expect_out '^greeting +421 '
expect_out '^what to do +421: the server is not taking'
exit 0
