"""Run a command in a real pseudo-terminal: time how long until some text is on screen, send
keys, and count the bytes the program writes back (what an SSH link must carry)."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from pathlib import Path

_ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b.")


def plain(data: bytes) -> bytes:
    return _ANSI.sub(b"", data)


class Pty:
    """One process on a pty of `cols`×`rows`; killed (its whole session) on close."""

    def __init__(self, argv: list[str], *, cols=100, rows=30, env: dict[str, str] | None = None,
                 cwd: str | None = None) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
        full_env.update(env or {})
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=full_env,
                                     cwd=cwd, start_new_session=True)
        os.close(slave)
        self.seen = b""

    def _read(self, wait: float) -> bytes:
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return b""
        try:
            return os.read(self.master, 65536)
        except OSError:  # the program exited and the pty closed
            return b""

    def wait_for(self, needle: bytes, timeout=30.0) -> float:
        """Seconds since start until `needle` is on screen (escape sequences ignored)."""
        while time.perf_counter() - self.started < timeout:
            chunk = self._read(0.05)
            self.seen += chunk
            if chunk and needle in plain(self.seen):
                return time.perf_counter() - self.started
            if not chunk and self.proc.poll() is not None:
                break
        raise RuntimeError(f"{needle!r} never appeared; screen had: {plain(self.seen)[-400:]!r}")

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far, all threads: a figure that other load on the
        machine barely moves, unlike wall time (scheduler run time, nanoseconds)."""
        total = 0
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pass
        return total / 1e9

    def drain(self, quiet=0.25, timeout=10.0) -> bytes:
        """Everything written until the output has been silent for `quiet` seconds."""
        out = b""
        start = last = time.perf_counter()
        while time.perf_counter() - start < timeout:
            chunk = self._read(0.01)
            now = time.perf_counter()
            if chunk:
                out += chunk
                last = now
            elif now - last >= quiet:
                break
        self.seen += out
        return out

    def keystroke(self, key: bytes, quiet=0.3) -> tuple[bytes, float]:
        """One key on a quiet screen: (everything written in answer until it is quiet again,
        seconds from the key to the answer's first byte)."""
        self.drain(quiet)
        start = time.perf_counter()
        self.send(key)
        out = b""
        while not out and time.perf_counter() - start < 5:
            out = self._read(0.005)
        first = time.perf_counter() - start
        return out + self.drain(quiet), first

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def press(self, keys: bytes, *, until: bytes | None = None, quiet=0.25, timeout=10.0) -> bytes:
        """Send `keys` and return what the program wrote in answer: until `until` shows (if
        given) and then until the output goes quiet."""
        self.send(keys)
        out = b""
        if until is not None:
            start = time.perf_counter()
            while until not in plain(out) and time.perf_counter() - start < timeout:
                out += self._read(0.05)
            if until not in plain(out):
                raise RuntimeError(f"{until!r} never appeared after {keys!r}")
            self.seen += out
        return out + self.drain(quiet, timeout)

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)

    def __enter__(self) -> Pty:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def start_to_text(argv: list[str], needle: bytes, *, timeout=30.0, **kwargs) -> tuple[float, float]:
    """(wall seconds, CPU seconds) from launch until `needle` is on screen."""
    with Pty(argv, **kwargs) as pty:
        wall = pty.wait_for(needle, timeout)
        return wall, pty.cpu_seconds()


def time_to_text(argv: list[str], needle: bytes, **kwargs) -> float:
    return start_to_text(argv, needle, **kwargs)[0]
