#!/usr/bin/env python3
"""sigint_run.py OUT ERR CMD... - run CMD with stdout in OUT and stderr in
ERR, send it one SIGINT once it has caught the signal (Linux shows that in
/proc/PID/status SigCgt, so a slow start under sanitizers does not meet the
default action instead) plus 0.3 s, and exit with its status (1 when it
died of a signal).  Used by tests/cli/scan_sigint.sh and repair_sigint.sh:
started from python, SIGINT is not ignored as it is for the background
jobs of a non-interactive shell."""
import signal
import subprocess
import sys
import time


def caught_sigint(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            cgt = [l for l in f if l.startswith("SigCgt:")][0].split()[1]
    except (OSError, IndexError):
        return None
    return bool(int(cgt, 16) & (1 << (signal.SIGINT - 1)))


def main():
    out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(out, "wb") as o, open(err, "wb") as e:
        p = subprocess.Popen(cmd, stdout=o, stderr=e)
        for _ in range(200):
            state = caught_sigint(p.pid)
            if state is None:
                time.sleep(1)
                break
            if state:
                break
            time.sleep(0.05)
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        rc = p.wait(timeout=120)
    sys.exit(rc if rc >= 0 else 1)


main()
