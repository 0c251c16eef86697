#!/bin/sh
# outbox_faults: `outbox send` against every reply class at every stage of
# the transaction (smtp-facts.md "The wire"): 4xx at MAIL/RCPT/DATA/dot
# is retried and ends accepted exactly once; 5xx at MAIL/DATA/dot fails
# that message, 5xx at RCPT that recipient; 452 at the second RCPT splits
# the transaction; --once leaves temp failures for a later run, which
# resumes them.
. tests/cli/common.shlib
. tests/cli/outbox.shlib
need_aiosmtpd

make_outbox 3
n=$(will_send "$TMP/o.pst")
# the first message's recipients, in order
first=$("$PSTFIX" outbox list --json "$TMP/o.pst" | head -1 |
	/usr/bin/python3 -c 'import json,sys
r = json.loads(sys.stdin.read())["recipients"]
print(" ".join(x["addr"] for x in r))')
n1=$(echo $first | wc -w)
k=0
for stage in mail rcpt data dot; do
	for code in 451 452 550 553 554; do
		k=$((k + 1))
		CASE="$code at $stage"
		case $code in 4*) e=4.3.0 ;; *) e=5.7.1 ;; esac
		start_server c$k --enhanced --reply "$stage=$code $e fault@1"
		send_to "$TMP/s$k" "$TMP/o.pst"
		case $code:$stage in
		4*) expect_rc 0; expect_states "$TMP/s$k" "$n" 0 ;;
		*:rcpt) expect_rc 65; expect_states "$TMP/s$k" $((n - 1)) 1 ;;
		*) expect_rc 65
		   expect_states "$TMP/s$k" $((n - n1)) "$n1" ;;
		esac
		grep -q "perm-fail .*\] $code $e fault" "$OUT" ||
			case $code in 4*) ;; *) show; fail "$CASE: no reply" ;;
			esac
		expect_once c$k
		stop_server
	done
done

# --once: a 451 at MAIL leaves a temp failure with its next attempt (in
# an hour); a run before then leaves it, --retry-now sends it (2 attempts
# charged)
CASE="451 at mail, --once"
start_server o --enhanced --reply "mail=451 4.3.0 later@1"
send_to "$TMP/once" "$TMP/o.pst" --once --retry-delay 1h
expect_rc 75
re='^  temp-fail  To  .*\[MAIL FROM\] 451 4\.3\.0 later; '
expect_out "${re}next attempt 20[0-9-]+T"
run outbox status "$TMP/once"
expect_rc 75
expect_out 'temp-fail .* next attempt'
send_to "$TMP/once" --once   # no FILE: resumes the spool; not due yet
expect_rc 75
[ "$(ls "$TMP/o.srv" | wc -l)" -eq 2 ] || fail "$CASE: retried early"
send_to "$TMP/once" --retry-now   # a flush: due at once
expect_rc 0
expect_states "$TMP/once" "$n" 0
expect_out '; 2 attempts'
expect_once o
stop_server

# 452 at the second RCPT: the first recipient goes in this transaction,
# the rest in a new one at once (RFC 5321 4.5.3.1.10)
CASE="452 split"
# a message with three recipients: the second one gets 452
set -- $("$PSTFIX" outbox list --json "$TMP/o.pst" | /usr/bin/python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if len(r["recipients"]) >= 3:
        print(r["message_id"], r["recipients"][1]["addr"])
        break')
id1=$1
second=$2
start_server p --enhanced --rcpt-reply "$second=452 4.5.3 too many recipients"
send_to "$TMP/split" "$TMP/o.pst" --once
expect_rc 75
expect_states "$TMP/split" $((n - 1)) 0
grep -q "temp-fail  .* $second .*452 4\.5\.3" "$OUT" || { show; fail \
	"$CASE: $second not temp-failed"; }
files=$(grep -a -l -F "<$id1>" "$TMP/p.srv"/*.msg | wc -l)
[ "$files" -eq 2 ] || fail "$CASE: $id1 in $files transactions"
expect_once p
stop_server
exit 0
