#!/usr/bin/env python3
"""serial-session.py SOCKET CONSOLE SESSION TIMEOUT: the administrator at the serial console.

boot.sh starts QEMU with its serial port on the UNIX socket SOCKET (QEMU waits for this script to
connect before the machine runs, so nothing of the console is lost). Everything the machine prints
goes to CONSOLE. Once the check service has said "SYSCHK READY" and root's shell (agetty's
autologin in libmod-console-login.service, which starts after the check) shows its prompt, this script types the
session a person would: modinfo, modprobe, lsmod, rmmod, a DKMS-style module dropped into
updates/, depmod -a, and the module loaded again from there; then `poweroff`. SESSION gets one
`session ...` line per command and output line and one `check NAME PASS|FAIL detail` line per
expectation, then END, in the report format of libmod-system-check (compare.sh reads both).

The one thing typed that a person would not type is the first line, which puts the exit status
into the prompt (PS1) and turns the terminal's echo off, so that each command's output and
status can be told apart without guessing. Exit 0 when the session ran to the end (checks may
still have failed: compare.sh judges them), 1 when the machine stopped answering.
"""
import os
import re
import socket
import sys
import time

# Not anchored at the end of what was read: a kernel message may follow a prompt on the console.
PROMPT = re.compile(rb"@@rc=(\d+)@@# ")
SHELL_PROMPT = re.compile(rb"root@[^\s:]+:[^\n]*# ")
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\r")


class Console:
    def __init__(self, path, log, deadline):
        self.deadline = deadline
        self.log = open(log, "ab", buffering=0)
        self.buf = b""
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        while True:
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"QEMU's serial socket {path} never accepted")
                time.sleep(0.1)

    def read_until(self, pattern, timeout):
        """Read until pattern matches the unread text; return (match, text up to its end)."""
        end = min(self.deadline, time.monotonic() + timeout)
        while True:
            m = pattern.search(self.buf)
            if m:
                text, self.buf = self.buf[: m.end()], self.buf[m.end():]
                return m, text
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {pattern.pattern!r} on the console; last output: "
                                   f"{self.buf[-300:]!r}")
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise EOFError(f"the machine went away; last output: {self.buf[-300:]!r}")
            self.log.write(data)
            self.buf += data

    def type(self, line):
        self.sock.sendall(line.encode() + b"\r")

    def drain(self, timeout):
        """Keep logging the console until QEMU closes it (the machine powered off)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.sock.settimeout(max(0.1, end - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if not data:
                return
            self.log.write(data)


class Session:
    def __init__(self, console, out):
        self.console = console
        self.out = out

    def line(self, text):
        self.out.write(text + "\n")
        self.out.flush()

    def run(self, command, timeout=180):
        """Type one command; return (exit status, output lines), both recorded."""
        self.console.type(command)
        m, text = self.console.read_until(PROMPT, timeout)
        body = ESCAPES.sub(b"", text[: m.start()]).decode("utf-8", "replace")
        lines = [l for l in body.split("\n") if l.strip()]
        self.line(f"session $ {command}")
        for l in lines:
            self.line(f"session   {l}")
        return int(m.group(1)), lines

    def check(self, name, ok, detail):
        self.line(f"check {name} {'PASS' if ok else 'FAIL'} {detail}")


def loaded(session, module):
    st, out = session.run(f"grep -c '^{module} ' /proc/modules")
    return out[-1:] == ["1"]


def main():
    sock, console_log, session_path, timeout = sys.argv[1:5]
    deadline = time.monotonic() + float(timeout)
    console = Console(sock, console_log, deadline)
    with open(session_path, "w") as out:
        try:
            # The check service reports first; the login comes after it
            # (libmod-console-login.service), so the prompt follows READY.
            console.read_until(re.compile(rb"SYSCHK READY"), float(timeout))
            console.read_until(SHELL_PROMPT, 120)
            console.type("stty -echo; PS1='@@rc=$?@@# '")
            console.read_until(PROMPT, 60)
            s = Session(console, out)
            session(s)
            out.write("END\n")
            out.flush()
            console.type("poweroff")
            console.drain(120)
        except (TimeoutError, EOFError, OSError) as e:
            out.write(f"check serial-session FAIL {e}\n")
            print(f"serial-session.py: {e}", file=sys.stderr)
            return 1
    return 0


def session(s):
    m = "dummy"
    st, out = s.run(f"modinfo -n {m}")
    path = out[-1] if out else ""
    s.check("tool-modinfo", st == 0 and path.startswith("/lib/modules/") and path.endswith(".ko"),
            f"modinfo -n {m}: exit {st}, {path}")
    s.run(f"modinfo {m}")
    s.check("not-loaded-yet", not loaded(s, m), f"{m} not loaded before the session")
    st, _ = s.run(f"modprobe {m}")
    s.check("tool-modprobe", st == 0 and loaded(s, m), f"modprobe {m}: exit {st}, then in /proc/modules")
    st, out = s.run("lsmod")
    s.check("tool-lsmod", st == 0 and any(l.split()[0] == m for l in out[1:]), f"lsmod lists {m}")
    st, _ = s.run(f"rmmod {m}")
    s.check("tool-rmmod", st == 0 and not loaded(s, m), f"rmmod {m}: exit {st}, then gone")
    # A DKMS-style module installed after boot: updates/ wins over kernel/ once depmod has run.
    dkms = "/lib/modules/$(uname -r)/updates/dkms"
    st, _ = s.run(f"mkdir -p {dkms} && cp \"$(modinfo -n {m})\" {dkms}/")
    s.check("dkms-install", st == 0, f"copy {m} into updates/dkms: exit {st}")
    st, _ = s.run("depmod -a")
    s.check("tool-depmod", st == 0, f"depmod -a: exit {st}")
    st, out = s.run(f"modinfo -n {m}")
    upd = out[-1] if out else ""
    s.check("updates-preferred", st == 0 and "/updates/dkms/" in upd, f"modinfo -n {m} after depmod: {upd}")
    st, out = s.run(f"modprobe -v {m}")
    s.check("updates-load", st == 0 and any("/updates/dkms/" in l for l in out) and loaded(s, m),
            f"modprobe -v {m}: exit {st}, loads the updates/ copy")
    st, _ = s.run(f"modprobe -r {m}")
    s.check("tool-modprobe-r", st == 0 and not loaded(s, m), f"modprobe -r {m}: exit {st}, then gone")


if __name__ == "__main__":
    sys.exit(main())
