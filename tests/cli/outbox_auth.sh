#!/bin/sh
# outbox_auth: `outbox send` over STARTTLS with AUTH: the right password
# sends; a wrong one (535) stops every message at once and exits 77
# without retrying (no account lock-out); a certificate for another name
# stops with 78 before anything is sent.
. tests/cli/common.shlib
. tests/cli/outbox.shlib
need_aiosmtpd
command -v openssl >/dev/null 2>&1 || skip "openssl absent"
sh tests/smtp/mkcerts.sh "$TMP/pki" >/dev/null 2>&1 || fail "mkcerts"

make_outbox 3
n=$(will_send "$TMP/o.pst")
printf 'secret\n' >"$TMP/good"
printf 'wrong\n' >"$TMP/bad"
tls="--retry-delay 100ms --give-up 1d --ca-file $TMP/pki/ca.pem"

CASE="AUTH ok"
start_server a --enhanced --cert "$TMP/pki/server.pem" \
	--key "$TMP/pki/server.key" --user alice:secret
run outbox send --server "smtp://127.0.0.1:$PORT" $tls --user alice \
	--password-file "$TMP/good" --spool "$TMP/a" "$TMP/o.pst"
expect_rc 0
expect_states "$TMP/a" "$n" 0
grep -q '"cmd": "STARTTLS"' "$TMP/a.log" || fail "$CASE: no STARTTLS"
! grep -q secret "$TMP/a.log" || fail "the password reached the log"

CASE="535"
run outbox send --server "smtp://127.0.0.1:$PORT" $tls --user alice \
	--password-command "cat $TMP/bad" --spool "$TMP/b" "$TMP/o.pst"
expect_rc 77
expect_out '^stopped: AUTH: 535'
[ "$(status_count "$TMP/b" pending)" -eq "$n" ] || fail "$CASE: pending"
auths=$(grep -c '"cmd": "AUTH"' "$TMP/a.log")
[ "$auths" -eq 2 ] || fail "$CASE: $auths AUTH commands (1 + 1 expected)"
stop_server

CASE="wrong certificate"
start_server c --enhanced --cert "$TMP/pki/wrong.pem" \
	--key "$TMP/pki/wrong.key"
run outbox send --server "smtp://127.0.0.1:$PORT" $tls \
	--spool "$TMP/c" "$TMP/o.pst"
expect_rc 78
[ "$(ls "$TMP/c.srv" | wc -l)" -eq 0 ] || fail "$CASE: sent"
exit 0
