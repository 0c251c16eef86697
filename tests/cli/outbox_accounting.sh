#!/bin/sh
# outbox_accounting: 40 stranded messages through a server that injects
# seeded random faults of every class; `send --once` is run again until
# nothing is pending (bounded); then every recipient is accepted exactly
# once or has its final state (perm-fail, expired, UNCERTAIN), nothing is
# delivered twice, and UNCERTAIN ones all had their dot sent.
. tests/cli/common.shlib
. tests/cli/outbox.shlib
need_aiosmtpd

make_outbox 40
n=$(will_send "$TMP/o.pst")
before=$(sha256sum <"$TMP/o.pst")
start_server r --enhanced --random "0.3:7:$RANDOM_FAULTS"
runs=0
RC=75
while [ "$RC" -eq 75 ] && [ $runs -lt 40 ]; do
	runs=$((runs + 1))
	send_to "$TMP/sp" "$TMP/o.pst" --once --max-connections 2
	[ "$RC" -eq 75 ] && sleep 0.3
done
[ "$RC" -eq 65 ] || [ "$RC" -eq 0 ] || { show; fail "run $runs: exit $RC"; }
res=$(account "$TMP/o.pst" "$TMP/sp" r) || { echo "$res"; fail "accounting"; }
echo "$n recipients in $runs runs: accepted/failed/uncertain $res"
[ "${res%%/*}" -gt $((n / 2)) ] || fail "too few accepted: $res"
grep -q '"fault"' "$TMP/r.log" || fail "no fault was injected"
[ "$(sha256sum <"$TMP/o.pst")" = "$before" ] || fail "the PST changed"
exit 0
