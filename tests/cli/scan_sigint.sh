# scan_sigint.sh - Ctrl-C: the files in progress finish, no new file
# starts, the status gains 32, a note on stderr says how many were left.
# Started from python so SIGINT is not ignored, as it is for background
# jobs of a non-interactive shell (and pstfix keeps an ignored SIGINT
# ignored, like any well-behaved Unix program).
. "$(dirname "$0")/common.shlib"
need_corpus
need_python

i=0
while [ $i -lt 2000 ]; do
	echo "$CORPUS/generator-900msgs.pst"
	i=$((i + 1))
done >"$TMP/list"

for j in 1 3; do
	python3 - "$PSTFIX" "$TMP/list" "$j" "$OUT" "$ERR" <<'PY' ||
import signal, subprocess, sys, time
pstfix, lst, jobs, out, err = sys.argv[1:]
with open(out, "wb") as o, open(err, "wb") as e:
    p = subprocess.Popen([pstfix, "scan", "-q", "-j", jobs,
                          "--from-list", lst], stdout=o, stderr=e)
    # Wait until pstfix catches SIGINT (Linux shows it in SigCgt), so a
    # slow start (sanitizers) does not meet the default action instead.
    for _ in range(200):
        try:
            cgt = [l for l in open("/proc/%d/status" % p.pid)
                   if l.startswith("SigCgt:")][0].split()[1]
        except (OSError, IndexError):
            time.sleep(1)
            break
        if int(cgt, 16) & (1 << (signal.SIGINT - 1)):
            break
        time.sleep(0.05)
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    rc = p.wait(timeout=60)
sys.exit(0 if rc >= 0 and rc & 32 else 1)
PY
		fail "-j $j: no cancelled bit (32) after SIGINT"
	expect_err 'interrupted: [0-9]+ of 2000 files not checked'
	expect_out '^scanned [0-9]+ of 2000 files \(interrupted\)'
done
exit 0
