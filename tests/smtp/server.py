#!/usr/bin/python3
"""server.py - a fault-injecting SMTP server for pstfix's tests.

Runs on Debian's python3-aiosmtpd: start it with /usr/bin/python3 (the
python3 first on PATH may not see that package).  It binds 127.0.0.1 on a
port the kernel chooses, prints "PORT <n>" on stdout (and writes the number
to --port-file when given), serves until SIGTERM, SIGINT or --max-seconds
(default 120) and exits 0.

Usage
  /usr/bin/python3 tests/smtp/server.py --spool DIR --log FILE.jsonl \\
      [--port-file F] [--max-seconds S] [--config FILE.json] [options]

Options (each also a key of the JSON config; options override it)
  --reply STAGE=REPLY      answer STAGE with REPLY ("451 4.3.0 try later"),
                           STAGE one of greeting ehlo starttls auth mail
                           rcpt data dot rset.  "421 ..." also closes the
                           connection (RFC 5321 3.8).  STAGE=REPLY@N: only
                           the first N times (counted over all
                           connections), then normal service.
  --rcpt-reply ADDR=REPLY  answer RCPT TO:<ADDR> with REPLY.
  --delay STAGE=SECONDS    wait before answering STAGE.
  --drop WHEN[@N]          close the connection without a reply, WHEN one
                           of greeting mail rcpt data before_dot (after a
                           354 and some message bytes) after_dot (the
                           message is NOT kept) after_dot_kept (the message
                           IS spooled, then the connection drops: the
                           client cannot know it was delivered).
  --max-connections N      connections beyond N get "421 4.7.0 too many
                           connections" and are closed.
  --cert F --key F         PEM certificate and key: offer STARTTLS.
  --implicit-tls           the listener speaks TLS from the first byte
                           (RFC 8314); needs --cert/--key.
  --no-starttls            do not offer STARTTLS even with a certificate.
  --starttls-inject        answer STARTTLS with "220" and, in the same
                           write, a forged "250" line (CVE-2011-0411
                           class), then close.
  --user NAME:PASSWORD     accept AUTH PLAIN/LOGIN for this user (repeat);
                           a wrong password gets 535.  AUTH is offered
                           only under TLS.
  --enhanced               advertise ENHANCEDSTATUSCODES and PIPELINING.
  --random P:SEED:FAULT[,FAULT...]
                           each transaction (from MAIL on) gets, with
                           probability P (seeded random), one of the
                           FAULTs, chosen uniformly: "STAGE=REPLY" or
                           "drop=WHEN" (mail rcpt data dot / before_dot
                           after_dot after_dot_kept).

JSON config: {"reply": {"mail": "451 ..."}, "rcpt_reply": {"a@b": "550 ..."},
  "delay": {"dot": 3}, "drop": ["after_dot@1"], "max_connections": 1,
  "cert": F, "key": F, "implicit_tls": false, "starttls": true,
  "starttls_inject": false, "users": {"alice": "pw"}, "enhanced": true,
  "random": {"p": 0.3, "seed": 7, "faults": ["dot=451 4.3.0 later",
  "drop=after_dot"]}}.

Outputs
  --spool DIR: one file per accepted transaction, NNNNNN.msg:
      "X-Envelope-From: <a@b>\\r\\n" "X-Envelope-To: <c@d>\\r\\n"...
      "\\r\\n" then the message bytes exactly as received (dot-unstuffed).
  --log FILE: JSON lines, {"t": secs, "conn": n, "dir": "C"|"S"|"event",
      ...}: every command (AUTH arguments redacted), every reply line,
      and events "accepted" (file, message_id), "fault" (what was
      injected), "drop", "connect", "limit".
"""

import argparse
import asyncio
import json
import os
import random
import re
import signal
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

STAGES = ("greeting", "ehlo", "starttls", "auth", "mail", "rcpt", "data",
          "dot", "rset")
DROPS = ("greeting", "mail", "rcpt", "data", "before_dot", "after_dot",
         "after_dot_kept")


class Fault:
    """A reply or a drop, optionally only the first `times` times."""

    def __init__(self, spec):
        self.times = None
        m = re.match(r"^(.*)@(\d+)$", spec, re.S)
        if m:
            spec, self.times = m.group(1), int(m.group(2))
        self.value = spec

    def take(self):
        if self.times is None:
            return True
        if self.times <= 0:
            return False
        self.times -= 1
        return True


class State:
    """What every connection shares: config, counters, outputs."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.replies = {k: Fault(v) for k, v in cfg["reply"].items()}
        self.drops = {}
        for d in cfg["drop"]:
            f = Fault(d)
            self.drops[f.value] = f
        self.conns = 0
        self.active = 0
        # go on after what an earlier run left in the same spool
        self.spooled = len([n for n in os.listdir(cfg["spool"])
                            if n.endswith(".msg")])
        rnd = cfg.get("random")
        self.rng = random.Random(rnd["seed"]) if rnd else None
        self.logf = open(cfg["log"], "a", buffering=1) if cfg["log"] \
            else None
        self.t0 = time.monotonic()

    def log(self, conn, kind, **kw):
        if not self.logf:
            return
        rec = {"t": round(time.monotonic() - self.t0, 3), "conn": conn,
               "dir": kind}
        rec.update(kw)
        self.logf.write(json.dumps(rec) + "\n")

    def spool(self, env):
        self.spooled += 1
        name = "%06d.msg" % self.spooled
        path = os.path.join(self.cfg["spool"], name)
        head = "X-Envelope-From: <%s>\r\n" % env.mail_from
        for r in env.rcpt_tos:
            head += "X-Envelope-To: <%s>\r\n" % r
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(head.encode() + b"\r\n" + env.original_content)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, path)
        m = re.search(rb"^Message-ID:\s*(<[^>\r\n]*>)",
                      env.original_content, re.I | re.M)
        return name, m.group(1).decode("ascii", "replace") if m else None


class Handler:
    """aiosmtpd hooks: EHLO keywords, the reply after the dot, spooling."""

    def __init__(self, state):
        self.st = state

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        session.host_name = hostname
        # aiosmtpd lists "AUTH" with no mechanism when none is enabled
        responses = [r for r in responses if r.strip() != "250-AUTH"]
        if self.st.cfg["enhanced"]:
            responses.insert(1, "250-ENHANCEDSTATUSCODES")
            responses.insert(1, "250-PIPELINING")
        return responses

    async def handle_DATA(self, server, session, envelope):
        return await server.after_dot(envelope)


class FaultSMTP(SMTP):
    """aiosmtpd's SMTP with a fault check in front of every command."""

    def __init__(self, state, **kw):
        self.st = state
        state.conns += 1
        self.conn = state.conns
        self.txn_fault = None
        super().__init__(Handler(state), **kw)
        for name, method in list(self._smtp_methods.items()):
            self._smtp_methods[name] = self._logged(name, method)

    def _logged(self, name, method):
        async def wrapper(arg):
            shown = arg
            if name == "AUTH" and arg:
                shown = arg.split(" ")[0] + " (redacted)"
            self.st.log(self.conn, "C", cmd=name, arg=shown)
            await method(arg)
        return wrapper

    async def push(self, status):
        text = status.decode("ascii", "replace") \
            if isinstance(status, bytes) else status
        for line in text.split("\r\n"):
            self.st.log(self.conn, "S", line=line)
        await super().push(status)

    def connection_made(self, transport):
        first = self.transport is None
        super().connection_made(transport)
        if first:
            self.st.active += 1
            self.st.log(self.conn, "event", event="connect",
                        active=self.st.active)

    def connection_lost(self, error):
        self.st.active -= 1
        super().connection_lost(error)

    # ---- the faults ----

    def _close(self, why):
        self.st.log(self.conn, "event", event="drop", at=why)
        if self.transport is not None:
            self.transport.close()

    def _random_fault(self):
        """At MAIL: pick this transaction's fault, if any."""
        rnd = self.st.cfg.get("random")
        self.txn_fault = None
        if not rnd or self.st.rng.random() >= rnd["p"]:
            return
        self.txn_fault = self.st.rng.choice(rnd["faults"])
        self.st.log(self.conn, "event", event="fault",
                    random=self.txn_fault)

    def _drop_wanted(self, when):
        if self.txn_fault == "drop=" + when:
            return True
        f = self.st.drops.get(when)
        return f is not None and f.take()

    def _reply_wanted(self, stage):
        if self.txn_fault and self.txn_fault.startswith(stage + "="):
            return self.txn_fault[len(stage) + 1:]
        f = self.st.replies.get(stage)
        if f is not None and f.take():
            return f.value
        return None

    async def _fault(self, stage):
        """Delay, drop or a configured reply for STAGE; True: handled."""
        delay = self.st.cfg["delay"].get(stage)
        if delay:
            await asyncio.sleep(float(delay))
        if stage in DROPS and self._drop_wanted(stage):
            self._close(stage)
            return True
        reply = self._reply_wanted(stage)
        if reply is None:
            return False
        self.st.log(self.conn, "event", event="fault", stage=stage,
                    reply=reply)
        await self.push(reply)
        if reply.startswith("421"):
            self._close(stage + " 421")
        return True

    # ---- the stages ----

    async def _handle_client(self):
        limit = self.st.cfg["max_connections"]
        if limit and self.st.active > limit:
            self.st.log(self.conn, "event", event="limit")
            await self.push("421 4.7.0 too many connections, try later")
            self._close("limit")
            return
        if await self._fault("greeting"):
            await self._after_bad_greeting()
            return
        await super()._handle_client()

    async def _after_bad_greeting(self):
        """RFC 5321 3.1: after a 554 greeting, wait for QUIT; 503 else."""
        while self.transport is not None:
            try:
                line = await self._reader.readuntil()
            except Exception:
                return
            cmd = line.strip().split(b" ")[0].upper()
            self.st.log(self.conn, "C", cmd=cmd.decode("ascii", "replace"))
            if cmd == b"QUIT":
                await self.push("221 bye")
                self._close("quit")
                return
            await self.push("503 5.5.1 no service")

    async def smtp_EHLO(self, arg):
        if not await self._fault("ehlo"):
            await super().smtp_EHLO(arg)

    async def smtp_STARTTLS(self, arg):
        if await self._fault("starttls"):
            return
        if self.st.cfg["starttls_inject"] and self.tls_context:
            await self.push("220 2.0.0 ready\r\n250 2.0.0 injected")
            self._close("starttls inject")
            return
        await super().smtp_STARTTLS(arg)

    async def smtp_AUTH(self, arg):
        if not await self._fault("auth"):
            await super().smtp_AUTH(arg)

    async def smtp_MAIL(self, arg):
        self._random_fault()
        if not await self._fault("mail"):
            await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg):
        m = re.search(r"<([^>]*)>", arg or "")
        want = self.st.cfg["rcpt_reply"].get(m.group(1)) if m else None
        if want:
            self.st.log(self.conn, "event", event="fault", stage="rcpt",
                        reply=want)
            await self.push(want)
            return
        if not await self._fault("rcpt"):
            await super().smtp_RCPT(arg)

    async def smtp_RSET(self, arg):
        if not await self._fault("rset"):
            await super().smtp_RSET(arg)

    async def smtp_DATA(self, arg):
        if await self._fault("data"):
            return
        if self.envelope.rcpt_tos and self._drop_wanted("before_dot"):
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            try:
                await self._reader.read(1)
            except Exception:
                pass
            self._close("before_dot")
            return
        await super().smtp_DATA(arg)

    async def after_dot(self, env):
        """The reply to the final dot (Handler.handle_DATA)."""
        if await self._fault("dot"):
            return None
        if self._drop_wanted("after_dot"):
            self._close("after_dot")
            return None
        name, mid = self.st.spool(env)
        self.st.log(self.conn, "event", event="accepted", file=name,
                    message_id=mid, mail_from=env.mail_from,
                    rcpts=list(env.rcpt_tos))
        if self._drop_wanted("after_dot_kept"):
            self._close("after_dot_kept")
            return None
        return "250 2.0.0 Ok: queued as %s" % name


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config")
    ap.add_argument("--spool")
    ap.add_argument("--log")
    ap.add_argument("--port-file")
    ap.add_argument("--max-seconds", type=float)
    ap.add_argument("--reply", action="append", default=[])
    ap.add_argument("--rcpt-reply", action="append", default=[])
    ap.add_argument("--delay", action="append", default=[])
    ap.add_argument("--drop", action="append", default=[])
    ap.add_argument("--max-connections", type=int)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--implicit-tls", action="store_true")
    ap.add_argument("--no-starttls", action="store_true")
    ap.add_argument("--starttls-inject", action="store_true")
    ap.add_argument("--user", action="append", default=[])
    ap.add_argument("--enhanced", action="store_true")
    ap.add_argument("--random")
    return ap.parse_args(argv)


def pairs(items, what):
    out = {}
    for it in items:
        k, sep, v = it.partition("=")
        if not sep:
            sys.exit("server.py: --%s wants KEY=VALUE, got %r" % (what, it))
        out[k] = v
    return out


def load_config(a):
    cfg = {"reply": {}, "rcpt_reply": {}, "delay": {}, "drop": [],
           "max_connections": 0, "cert": None, "key": None,
           "implicit_tls": False, "starttls": True,
           "starttls_inject": False, "users": {}, "enhanced": False,
           "random": None, "spool": None, "log": None, "max_seconds": 120}
    if a.config:
        with open(a.config) as f:
            cfg.update(json.load(f))
    cfg["reply"].update(pairs(a.reply, "reply"))
    cfg["rcpt_reply"].update(pairs(a.rcpt_reply, "rcpt-reply"))
    cfg["delay"].update(pairs(a.delay, "delay"))
    cfg["drop"] += a.drop
    for u in a.user:
        name, _, pw = u.partition(":")
        cfg["users"][name] = pw
    for key in ("spool", "log", "cert", "key", "max_connections",
                "max_seconds"):
        if getattr(a, key) is not None:
            cfg[key] = getattr(a, key)
    cfg["implicit_tls"] |= a.implicit_tls
    cfg["starttls_inject"] |= a.starttls_inject
    cfg["enhanced"] |= a.enhanced
    if a.no_starttls:
        cfg["starttls"] = False
    if a.random:
        p, seed, faults = a.random.split(":", 2)
        cfg["random"] = {"p": float(p), "seed": int(seed),
                         "faults": faults.split(",")}
    for st in list(cfg["reply"]) + list(cfg["delay"]):
        if st not in STAGES:
            sys.exit("server.py: unknown stage %r" % st)
    for d in cfg["drop"]:
        if Fault(d).value not in DROPS:
            sys.exit("server.py: unknown drop point %r" % d)
    if not cfg["spool"]:
        sys.exit("server.py: --spool DIR is required")
    os.makedirs(cfg["spool"], exist_ok=True)
    return cfg


def tls_context(cfg):
    if not cfg["cert"]:
        if cfg["implicit_tls"]:
            sys.exit("server.py: --implicit-tls needs --cert and --key")
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cfg["cert"], cfg["key"])
    return ctx


def authenticator(users):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and
              users.get(auth_data.login.decode()) ==
              auth_data.password.decode())
        return AuthResult(success=ok, handled=False)
    return check


async def serve(cfg):
    st = State(cfg)
    ctx = tls_context(cfg)
    loop = asyncio.get_running_loop()
    kw = {"hostname": "test.invalid", "ident": "pstfix test server",
          "authenticator": authenticator(cfg["users"]),
          "auth_exclude_mechanism": [] if cfg["users"] else
          ["PLAIN", "LOGIN"], "timeout": cfg["max_seconds"]}
    if ctx and cfg["starttls"] and not cfg["implicit_tls"]:
        kw["tls_context"] = ctx
    elif cfg["implicit_tls"]:
        kw["auth_require_tls"] = False

    def factory():
        return FaultSMTP(st, loop=loop, **kw)

    srv = await loop.create_server(
        factory, "127.0.0.1", 0,
        ssl=ctx if cfg["implicit_tls"] else None)
    port = srv.sockets[0].getsockname()[1]
    if cfg.get("port_file"):
        with open(cfg["port_file"] + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(cfg["port_file"] + ".tmp", cfg["port_file"])
    print("PORT %d" % port, flush=True)
    done = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: done.done() or
                                done.set_result(None))
    loop.call_later(float(cfg["max_seconds"]),
                    lambda: done.done() or done.set_result(None))
    await done
    srv.close()


def main():
    a = parse_args(sys.argv[1:])
    cfg = load_config(a)
    cfg["port_file"] = a.port_file
    asyncio.run(serve(cfg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
