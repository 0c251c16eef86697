#!/bin/sh
# smtp_probe.sh - `pstfix outbox probe` against tests/smtp/server.py:
# STARTTLS and implicit TLS with the test CA, each certificate failure,
# STARTTLS not offered or followed by injected bytes, AUTH PLAIN/LOGIN
# ok and 535, 421/554 greetings, a slow greeting, a refused port,
# --try-ports, --json, and the usage rules (sysexits.h codes).
. "$(dirname "$0")/common.shlib"
. "$(dirname "$0")/../smtp/lib.shlib"
need_aiosmtpd
need_pki

echo alicepw >"$TMP/pw"
echo wrongpw >"$TMP/badpw"
# shellcheck disable=SC2046
start_server tls $(tls_args) --user alice:alicepw --enhanced
P_TLS=$PORT
# shellcheck disable=SC2046
start_server implicit $(tls_args) --implicit-tls --user alice:alicepw
P_IMPL=$PORT
start_server wrong --cert "$PKI/wrong.pem" --key "$PKI/wrong.key"
P_WRONG=$PORT
start_server expired --cert "$PKI/expired.pem" --key "$PKI/expired.key" \
	--implicit-tls
P_EXP=$PORT
start_server plain
P_PLAIN=$PORT
# shellcheck disable=SC2046
start_server inject $(tls_args) --starttls-inject
P_INJ=$PORT
start_server busy --reply "greeting=421 4.3.2 too many connections"
P_421=$PORT
start_server deny --reply "greeting=554 5.7.1 no service for you"
P_554=$PORT
start_server slow --delay greeting=5
P_SLOW=$PORT
CA="--ca-file $PKI/ca.pem"

# STARTTLS with the test CA, AUTH PLAIN (auto) and LOGIN
# shellcheck disable=SC2086
run outbox probe --server smtp://127.0.0.1:$P_TLS $CA --user alice \
	--password-file "$TMP/pw"
expect_rc 0
expect_out '^STARTTLS +offered, done'
expect_out '^TLS +TLSv1\.[23], '
expect_out '^cert subject +CN = server test'
expect_out '^cert issuer +CN = pstfix test CA'
expect_out '^cert names +127\.0\.0\.1, ::1, localhost$'
expect_out '^cert expires +[0-9-]+ [0-9:]+ UTC \(in (29|30) days\)$'
expect_no_out '^warning'
expect_out '^verification +ok'
expect_out '^AUTH offered +.*PLAIN'
expect_out '^login +ok \(235'
grep -q 'AUTH' "$TMP/tls.log" || fail "the server saw no AUTH"
grep -q 'alicepw' "$OUT" "$ERR" && fail "the password was printed"
# shellcheck disable=SC2086
run outbox probe --server smtp://127.0.0.1:$P_TLS $CA --user alice \
	--password-command "echo alicepw" --auth login -v
expect_rc 0
expect_err '^C: AUTH LOGIN$'
expect_err '^C: \(redacted\)$'
grep -q 'alicepw' "$OUT" "$ERR" && fail "the password reached the trace"
grep -q "$(printf alicepw | base64)" "$ERR" &&
	fail "the base64 password reached the trace"

# 535: exit 77 and the plain words
# shellcheck disable=SC2086
run outbox probe --server smtp://127.0.0.1:$P_TLS $CA --user alice \
	--password-file "$TMP/badpw"
expect_rc 77
expect_out '^result +AUTH answered 535'
expect_out '^what to do +535: the user name or the password'

# the same server without the CA: verification fails, 78
run outbox probe --server smtp://127.0.0.1:$P_TLS
expect_rc 78
expect_out '^verification +unable to get local issuer certificate'
expect_out '^what to do +the certificate.s issuer \(CA\) is not trusted'
expect_out '^cert subject +CN = server test'

# credentials for a server that offers no AUTH: 78, and why
# shellcheck disable=SC2046
start_server noauth $(tls_args)
# shellcheck disable=SC2086
run outbox probe --server smtp://127.0.0.1:$PORT $CA --user alice \
	--password-file "$TMP/pw"
expect_rc 78
expect_out '^AUTH offered +none'
expect_out '^what to do +the server offers no AUTH here'

# implicit TLS, and 535 there too
# shellcheck disable=SC2086
run outbox probe --server smtps://127.0.0.1:$P_IMPL $CA --user alice \
	--password-file "$TMP/pw"
expect_rc 0
expect_out '^server +127\.0\.0\.1 port [0-9]+, implicit TLS'
expect_out '^login +ok'

# a certificate for another name; an expired one
# shellcheck disable=SC2086
run outbox probe --server smtp://127.0.0.1:$P_WRONG $CA
expect_rc 78
expect_out '^verification +IP address mismatch'
expect_out '^what to do +the server.s certificate is for another name'
expect_out '^cert subject +CN = wrong test'
expect_out '^cert names +wrong\.example$'
# shellcheck disable=SC2086
run outbox probe --server smtps://127.0.0.1:$P_EXP $CA
expect_rc 78
expect_out '^what to do +the server.s certificate has expired'
expect_out '^cert expires .* \(1 day ago\)$'

# no STARTTLS offered: refused, unless --tls=none
run outbox probe --server smtp://127.0.0.1:$P_PLAIN
expect_rc 69
expect_out '^STARTTLS +NOT offered'
expect_out '^what to do +the server does not offer STARTTLS'
run outbox probe --server smtp://127.0.0.1:$P_PLAIN --tls=none
expect_rc 0
expect_out '^result +OK'
# and AUTH is refused without TLS, before anything is sent
run outbox probe --server smtp://127.0.0.1:$P_PLAIN --tls=none \
	--user alice --password-file "$TMP/pw"
expect_rc 78
expect_out '^what to do +TLS is needed for AUTH'
n=$(grep -c '"cmd": "AUTH"' "$TMP/plain.log")
[ "$n" -eq 0 ] || fail "AUTH was sent in cleartext"

# smtps:// to a port that talks cleartext first: the handshake fails
run outbox probe --server smtps://127.0.0.1:$P_PLAIN --timeout 5
expect_rc 76
expect_out '^connection +ok'
expect_out '^result +failed at TLS handshake'
expect_out 'this port expects STARTTLS'

# bytes after the 220 to STARTTLS: abort (CVE-2011-0411 class)
# shellcheck disable=SC2086
run outbox probe --server smtp://127.0.0.1:$P_INJ $CA
expect_rc 76
expect_out 'sent data after its reply to STARTTLS'
expect_out '^what to do +data arrived right after the server agreed'

# 454 to STARTTLS: temporary, and never a fall back to cleartext
# shellcheck disable=SC2046
start_server t454 $(tls_args) --reply "starttls=454 4.7.0 TLS not available"
# shellcheck disable=SC2086
run outbox probe --server smtp://127.0.0.1:$PORT $CA
expect_rc 75
expect_out '^result +STARTTLS answered 454'
expect_out '^what to do +the server cannot start TLS now'
grep -q '"cmd": "MAIL"\|"cmd": "AUTH"' "$TMP/t454.log" &&
	fail "went on after a refused STARTTLS"

# 421 and 554 at the greeting
run outbox probe --server smtp://127.0.0.1:$P_421
expect_rc 75
expect_out '^greeting +421 4\.3\.2 too many connections'
expect_out '^what to do +421: the server is not taking'
run outbox probe --server smtp://127.0.0.1:$P_554
expect_rc 69
expect_out '^what to do +554 at the greeting'
grep -q '"cmd": "QUIT"' "$TMP/deny.log" || fail "no QUIT after 554"

# a greeting slower than --timeout
run outbox probe --server smtp://127.0.0.1:$P_SLOW --timeout 1
expect_rc 75
expect_out '^what to do +connected, but no greeting came'

# a refused port (the port of a server we stop)
start_server gone
P_GONE=$PORT
kill -TERM "${SERVER_PIDS##* }"
wait "${SERVER_PIDS##* }" 2>/dev/null
run outbox probe --server smtp://127.0.0.1:$P_GONE
expect_rc 69
expect_out '^connection +failed'
expect_out '^what to do +connection refused'

# --try-ports: a table, 0 when one port works
# shellcheck disable=SC2086
run outbox probe --server smtp://127.0.0.1 $CA \
	--try-ports=$P_GONE/starttls,$P_IMPL/tls,$P_PLAIN --timeout 5
expect_rc 0
expect_out "^PORT +SECURITY +RESULT +DETAIL"
expect_out "^$P_GONE +STARTTLS +EX_UNAVAILABLE +connection refused"
expect_out "^$P_IMPL +implicit TLS +OK +TLSv1"
expect_out "^$P_PLAIN +STARTTLS +EX_UNAVAILABLE +the server does not offer"
run outbox probe --server smtp://127.0.0.1 --try-ports=$P_GONE,$P_PLAIN
expect_rc 69

# --json: one valid object per port
# shellcheck disable=SC2086
run outbox probe --server smtps://127.0.0.1:$P_IMPL $CA --json
expect_rc 0
"$PY" - "$OUT" <<'PYEOF' || fail "bad --json output"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert len(objs) == 1, objs
o = objs[0]
assert o["exit"] == 0 and o["tls"]["active"] and o["connected"], o
assert o["tls"]["verify_result"] == 0, o
assert o["tls"]["days_left"] in (29, 30), o
assert o["tls"]["names"] == "127.0.0.1, ::1, localhost", o
assert "PLAIN" in o["ehlo"]["auth"], o
PYEOF

# usage: sysexits 64, one line; never a password in argv
run outbox probe
expect_rc 64
run outbox probe --server http://x
expect_rc 64
run outbox probe --server smtp://h --password secret
expect_rc 64
expect_err 'password on the command line'
run outbox probe --server smtp://h --try-ports=25,2/x
expect_rc 64
expect_lines "$OUT" 0
run outbox probe --server smtps://h --tls=none
expect_rc 64
run outbox probe --server smtp://h --user a
expect_rc 64
run outbox probe --server smtp://h --timeout 0
expect_rc 64
run outbox probe --help
expect_rc 0
expect_out '77 EX_NOPERM'
exit 0
