#!/usr/bin/python3
"""capture.py - a raw SMTP peer for the wire tests: plain sockets, no
aiosmtpd, so nothing between the client's bytes and the record.

  capture.py --port-file F --dir D [--max-seconds S]
      plays a minimal cleartext ESMTP server (220, EHLO -> 250, MAIL/
      RCPT/RSET/NOOP -> 250, DATA -> 354 ... 250, QUIT -> 221) and
      writes every byte each connection sent to D/conn-N.bin, untouched.
  capture.py ... --greeting-file G
      sends the bytes of G instead of the 220 greeting (a line too long,
      too many lines, not SMTP at all), then records as above.
  capture.py --port-file F --filtered [--max-seconds S]
      a port that never answers: a listening socket with its backlog
      filled and never accepted, so new SYNs are dropped, as a firewall
      that filters the port does (the client's connect times out).
  capture.py --check FILE [--message EML] [--absent TEXT]...
      asserts on a capture: no bare CR or LF anywhere; when --message
      is given, the DATA section is EML dot-stuffed (RFC 5321 4.5.2)
      and ends in CRLF.CRLF; no --absent TEXT occurs.  Exit 0 or 1 with
      the reason.

Binds 127.0.0.1 only; stops after --max-seconds (default 60) or SIGTERM.
"""

import argparse
import os
import select
import signal
import socket
import sys
import time


def write_port(path, port):
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(path + ".tmp", path)


class Conn:
    def __init__(self, sock, path, greeting):
        self.sock = sock
        self.out = open(path, "wb")
        self.buf = b""
        self.in_data = False
        self.sock.sendall(greeting)

    def feed(self, data):
        self.out.write(data)
        self.out.flush()
        self.buf += data
        while True:
            if self.in_data:
                end = self.buf.find(b"\r\n.\r\n")
                if self.buf.startswith(b".\r\n"):
                    end, skip = 0, 3
                elif end >= 0:
                    skip = end + 5
                else:
                    return True
                self.buf = self.buf[skip:]
                self.in_data = False
                self.sock.sendall(b"250 2.0.0 captured\r\n")
                continue
            nl = self.buf.find(b"\n")
            if nl < 0:
                return True
            line, self.buf = self.buf[:nl + 1], self.buf[nl + 1:]
            if not self.command(line.rstrip(b"\r\n").upper()):
                return False

    def command(self, line):
        verb = line.split(b" ")[0]
        if verb == b"EHLO":
            self.sock.sendall(b"250-capture\r\n250 8BITMIME\r\n")
        elif verb == b"DATA":
            self.in_data = True
            self.sock.sendall(b"354 go ahead\r\n")
        elif verb == b"QUIT":
            self.sock.sendall(b"221 bye\r\n")
            return False
        elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP", b"HELO"):
            self.sock.sendall(b"250 ok\r\n")
        else:
            self.sock.sendall(b"500 unknown\r\n")
        return True

    def close(self):
        self.out.close()
        self.sock.close()


def serve(a):
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    stop = time.monotonic() + a.max_seconds
    conns = {}
    n = 0
    if a.filtered:
        lsock.listen(0)
        port = lsock.getsockname()[1]
        fill = []
        for _ in range(3):
            c = socket.socket()
            c.setblocking(False)
            try:
                c.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            fill.append(c)
        write_port(a.port_file, port)
        while time.monotonic() < stop:
            time.sleep(0.2)
        return 0
    greeting = b"220 capture ESMTP\r\n"
    if a.greeting_file:
        with open(a.greeting_file, "rb") as f:
            greeting = f.read()
    lsock.listen(8)
    write_port(a.port_file, lsock.getsockname()[1])
    while time.monotonic() < stop:
        r, _, _ = select.select([lsock] + list(conns), [], [], 0.2)
        for s in r:
            if s is lsock:
                c, _ = lsock.accept()
                n += 1
                conns[c] = Conn(c, os.path.join(a.dir, "conn-%d.bin" % n),
                                greeting)
                continue
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data or not conns[s].feed(data):
                conns.pop(s).close()
    return 0


def check(a):
    raw = open(a.check, "rb").read()
    for i, b in enumerate(raw):
        if b == 13 and raw[i + 1:i + 2] != b"\n":
            return "bare CR at offset %d" % i
        if b == 10 and (i == 0 or raw[i - 1] != 13):
            return "bare LF at offset %d" % i
    for t in a.absent:
        if t.encode() in raw:
            return "%r reached the wire" % t
    if a.message:
        msg = open(a.message, "rb").read()
        start = raw.find(b"DATA\r\n")
        if start < 0:
            return "no DATA command"
        body = raw[start + 6:]
        end = body.find(b"\r\n.\r\n")
        if end < 0:
            return "no final dot"
        wire = body[:end + 2]
        want = b"".join(b"." + ln if ln.startswith(b".") else ln
                        for ln in msg.splitlines(keepends=True))
        if not want.endswith(b"\r\n"):
            want += b"\r\n"
        if wire != want:
            return "the DATA section is not the message dot-stuffed"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file")
    ap.add_argument("--dir")
    ap.add_argument("--filtered", action="store_true")
    ap.add_argument("--greeting-file")
    ap.add_argument("--max-seconds", type=float, default=60)
    ap.add_argument("--check")
    ap.add_argument("--message")
    ap.add_argument("--absent", action="append", default=[])
    a = ap.parse_args()
    if a.check:
        why = check(a)
        if why:
            print("capture check: " + why)
            return 1
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    return serve(a)


if __name__ == "__main__":
    sys.exit(main())
