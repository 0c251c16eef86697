#!/bin/sh
# outbox_cli: `outbox send` selection and options on the outbox-mix
# sample (every class of Outbox item), --dry-run (connects to nothing),
# --sendmail (argv, stdin, exit statuses), --from-override, --only,
# --include-drafts, usage errors (64) and `outbox status` errors.
. tests/cli/common.shlib
. tests/cli/outbox.shlib

"$PSTFIX" create --sample messages=0,outbox-mix=1 -o "$TMP/mix.pst" \
	>/dev/null || fail "create outbox-mix"
before=$(sha256sum <"$TMP/mix.pst")
# nid ID: the NID of the item with Message-ID ID
nid() {
	"$PSTFIX" outbox list --all --json "$TMP/mix.pst" |
		/usr/bin/python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r.get("message_id") == sys.argv[1]:
        print(r["nid"])' "$1"
}
quarterly=$(nid outbox-mix-1@pstfix.test)
draft=$(nid outbox-mix-2@pstfix.test)
[ -n "$quarterly" ] && [ -n "$draft" ] || fail "sample items not found"

# usage errors: one line, 64
for args in "" "--server smtp://127.0.0.1:25" \
	"$TMP/mix.pst" \
	"$TMP/mix.pst --server smtp://x --sendmail /bin/true" \
	"$TMP/mix.pst --server ftp://x" \
	"$TMP/mix.pst --server smtp://x --retry-delay 5parsecs" \
	"$TMP/mix.pst --server smtp://x --tls=maybe" \
	"$TMP/mix.pst --server smtps://x --tls=none" \
	"$TMP/mix.pst --server smtp://x --user u" \
	"$TMP/mix.pst --server smtp://x --password-file /dev/null" \
	"$TMP/mix.pst --server smtp://x --only 0x2000zz" \
	"$TMP/mix.pst --server smtp://x --rate 5/hour" \
	"$TMP/mix.pst --server smtp://x --from-override a<b@c" \
	"$TMP/mix.pst --server smtp://x --bogus"; do
	run outbox send $args
	expect_rc 64
	expect_lines "$ERR" 1
	expect_lines "$OUT" 0
done
run outbox send --help
expect_rc 0
expect_out '^Exit \(sysexits.h'
run outbox status
expect_rc 64
run outbox status "$TMP"
expect_rc 66
expect_err 'no journal'

# --dry-run: every class explained, nothing connected, nothing written
if /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
	start_server d
	run outbox send "$TMP/mix.pst" --dry-run \
		--server "smtp://127.0.0.1:$PORT" --spool "$TMP/dry"
	[ ! -s "$TMP/d.log" ] || fail "--dry-run talked to the server"
	stop_server
else
	run outbox send "$TMP/mix.pst" --dry-run --spool "$TMP/dry"
fi
expect_rc 65          # the mix has an unresolvable recipient
[ ! -e "$TMP/dry" ] || fail "--dry-run made a spool"
expect_out '^  draft: not submitted in Outlook \(--include-drafts'
expect_out '^  sent already: Outlook cleared its unsent flag'
expect_out '^  sent already: its copy is in Sent Items \(nid 0x'
expect_out '^  deferred: not to be delivered before 2099-01-01'
expect_out 'unresolvable: no SMTP address \(address type EX\)'
expect_out 'delivered already \(recipient flag 0x80000000\)'
expect_out '^  would send [0-9]+ bytes'
run outbox send "$TMP/mix.pst" --dry-run --json
/usr/bin/python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert recs[-1]["type"] == "summary" and recs[-1]["exit"] == 65
states = {r["state"] for r in recs if r["type"] == "message"}
assert {"would-send", "skipped", "deferred"} <= states, states' "$OUT" ||
	fail "--dry-run --json"

# --sendmail: a program that records its argv and stdin; exit status
# from $TMP/sm.rc (0 sent, 75 later, else failed)
cat >"$TMP/sm" <<SH
#!/bin/sh
n=\$(ls "$TMP/sm.out" | grep -c argv)
printf '%s\n' "\$@" >"$TMP/sm.out/\$n.argv"
cat >"$TMP/sm.out/\$n.in"
exit \$(cat "$TMP/sm.rc")
SH
chmod +x "$TMP/sm"
mkdir "$TMP/sm.out"
SM="--give-up 1h --sendmail $TMP/sm"
echo 75 >"$TMP/sm.rc"
run outbox send "$TMP/mix.pst" $SM --spool "$TMP/sm.sp" \
	--once --retry-delay 1h --only $quarterly
expect_rc 75
expect_out 'temp-fail  To  ann@example.com  \[sendmail\] exit status 75'
echo 0 >"$TMP/sm.rc"
run outbox send "$TMP/mix.pst" $SM --spool "$TMP/sm.sp" \
	--retry-now --only $quarterly --from-override env@example.org
expect_rc 0
expect_out 'accepted   Bcc hidden@example.net  \[sendmail\] exit status 0'
printf -- '%s\n' -i -f tester@example.org -- ann@example.com \
	omer@example.com hidden@example.net >"$TMP/argv.want"
cmp -s "$TMP/argv.want" "$TMP/sm.out/1.argv" ||
	{ cat "$TMP/sm.out/1.argv"; fail "sendmail argv"; }
cmp -s "$TMP/sm.out/1.in" "$TMP"/sm.sp/msg/m*.eml || fail "sendmail stdin"
! grep -a -qi '^bcc:' "$TMP/sm.out/1.in" || fail "Bcc header to sendmail"
# the envelope sender was spooled with the message on the first run
grep -q 'env@example.org' "$TMP/sm.sp/journal" &&
	fail "--from-override applied to a message spooled already"
echo 1 >"$TMP/sm.rc"
run outbox send "$TMP/mix.pst" $SM --spool "$TMP/sm2" \
	--only $draft --include-drafts --from-override env@example.org
expect_rc 65
expect_out 'perm-fail  To  ann@example.com  \[sendmail\] exit status 1'
grep -qx 'env@example.org' "$TMP/sm.out/2.argv" || fail "--from-override"
[ "$(ls "$TMP/sm.out" | wc -l)" -eq 6 ] || fail "sendmail runs"
echo 0 >"$TMP/sm.rc"

# a spooled message that the PST shows sent by the next run (Outlook ran
# in between) is not sent again: spool o.pst's item (sendmail says
# later), give it the Message-ID of the mix's sent item in the journal
# (CRCs recomputed), run on the mix
make_outbox 1
echo 75 >"$TMP/sm.rc"
run outbox send "$TMP/o.pst" $SM --spool "$TMP/sm5" --once
expect_rc 75
/usr/bin/python3 - "$TMP/sm5/journal" <<'PY'
import sys, zlib
p = sys.argv[1]
out = []
for line in open(p, "rb").read().split(b"\n")[:-1]:
    body = line.rsplit(b"\t", 1)[0]
    if b"\titem\t" in body:
        body = body.replace(b"sample-1000003@pstfix.test",
                            b"outbox-mix-3@pstfix.test")
    out.append(body + b"\t%08x" % zlib.crc32(body))
open(p, "wb").write(b"\n".join(out) + b"\n")
PY
echo 0 >"$TMP/sm.rc"
rm -f "$TMP"/sm.out/*
run outbox send "$TMP/mix.pst" $SM --spool "$TMP/sm5"
expect_out '^  skipped    To .*sent already: Outlook cleared its unsent flag si'
[ "$(status_count "$TMP/sm5" temp-fail)" -eq 0 ] || fail "still to send"
! grep -q "sample-1000003" "$TMP"/sm.out/*.in || fail "sent twice"
[ "$(ls "$TMP/sm.out" | wc -l)" -ge 2 ] || fail "the mix was not sent"

# a sendmail that cannot run: 78, the message stays pending
run outbox send "$TMP/mix.pst" --give-up 1h --sendmail "$TMP/nonesuch" \
	--spool "$TMP/sm4" --only "$quarterly"
expect_rc 78
expect_out '^stopped: cannot run .*nonesuch'
[ "$(status_count "$TMP/sm4" pending)" -eq 3 ] || fail "not pending"

# a spool that cannot be made: 74
run outbox send "$TMP/mix.pst" $SM --spool /dev/null/sp
expect_rc 74
expect_lines "$ERR" 1
# a PST that cannot be read: 66, the others still go
: >"$TMP/empty.pst"
run outbox send "$TMP/empty.pst" "$TMP/mix.pst" $SM \
	--spool "$TMP/sm3" --only "$quarterly"
expect_rc 66
expect_out 'accepted   Bcc hidden@example.net'

[ "$(sha256sum <"$TMP/mix.pst")" = "$before" ] || fail "the PST changed"
exit 0
