#!/bin/sh
# outbox_crash: `outbox send` killed with SIGKILL at seeded random moments
# (bounded loop), then run again until done: the same accounting as
# outbox_accounting (every recipient accepted once or in a final state,
# nothing delivered twice, UNCERTAIN only where the journal says the dot
# was sent), and the journal replays after every kill.
. tests/cli/common.shlib
. tests/cli/outbox.shlib
need_aiosmtpd

make_outbox 30
n=$(will_send "$TMP/o.pst")
start_server k --enhanced --delay dot=0.02 \
	--random "0.15:11:$RANDOM_FAULTS"
# 12 kill times between 20 and 400 ms, from a fixed seed
delays=$(awk 'BEGIN { srand(42); for (i = 0; i < 12; i++)
	printf "%.3f ", 0.02 + rand() * 0.38 }')
kills=0
for d in $delays; do
	"$PSTFIX" outbox send --server "smtp://127.0.0.1:$PORT" $FAST \
		--spool "$TMP/sp" "$TMP/o.pst" >/dev/null 2>&1 &
	pid=$!
	sleep "$d"
	kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
	wait "$pid" 2>/dev/null
	# a reader sees a consistent journal after every kill
	if [ -d "$TMP/sp" ] && [ -s "$TMP/sp/journal" ]; then
		run outbox status "$TMP/sp"
		[ "$RC" -ne 66 ] || { show; fail "status after kill $kills"; }
	fi
done
[ "$kills" -ge 3 ] || fail "only $kills sends were killed (too fast?)"
runs=0
RC=75
while [ "$RC" -eq 75 ] && [ $runs -lt 40 ]; do
	runs=$((runs + 1))
	send_to "$TMP/sp" "$TMP/o.pst" --once
	[ "$RC" -eq 75 ] && sleep 0.3
done
[ "$RC" -eq 65 ] || [ "$RC" -eq 0 ] || { show; fail "run $runs: exit $RC"; }
res=$(account "$TMP/o.pst" "$TMP/sp" k) || { echo "$res"; fail "accounting"; }
echo "$n recipients, $kills kills, $runs runs after:" \
	"accepted/failed/uncertain $res"
exit 0
