"""Run a command in a real pseudo-terminal: time how long until some text is on screen, send
keys, and count the bytes the program writes back (what an SSH link must carry).

`Typist` types a key script the two ways a labeler's keys reach the app: all in one write, as SSH
delivers keys typed faster than a round trip, or one key at a time with the screen settled in
between. Tests and benchmarks then compare what the database stored.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Self

_ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b.")


def plain(data: bytes) -> bytes:
    return _ANSI.sub(b"", data)


def _take_terminal() -> None:
    """In the child, a session leader by now: the pty becomes its controlling terminal, as a
    login over SSH has it, so closing the master hangs it up (SIGHUP) as a dropped link does."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


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
                                     cwd=cwd, start_new_session=True, preexec_fn=_take_terminal)
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

    def process_cpu_seconds(self) -> float:
        """CPU time of the whole process so far, threads that have ended included (the kernel
        adds an ended thread's time to its process): `/proc/<pid>/stat`'s utime + stime, in clock
        ticks (10 ms), so meant for totals over seconds, not for one key."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

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
        self._stop()
        os.close(self.master)

    def _stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# What a terminal sends for the keys the scripts name; any other key is its own text.
KEY_BYTES = {
    "enter": b"\r", "tab": b"\t", "backspace": b"\x7f", "escape": b"\x1b",
    "up": b"\x1b[A", "down": b"\x1b[B", "right": b"\x1b[C", "left": b"\x1b[D",
    "shift+up": b"\x1b[1;2A", "shift+down": b"\x1b[1;2B",
    "ctrl+k": b"\x0b", "ctrl+n": b"\x0e", "ctrl+o": b"\x0f", "ctrl+q": b"\x11", "ctrl+s": b"\x13",
}


def key_bytes(keys: list[str]) -> list[bytes]:
    """Each key of a script as the bytes a terminal sends for it."""
    return [KEY_BYTES.get(key, key.encode()) for key in keys]


def poll(check: Callable[[], object], what: str, timeout: float = 20.0, interval: float = 0.02):
    """`check()`'s first true result, asked every `interval` s; fails naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
    return result


class Typist(Pty):
    """A Pty whose output a thread reads all the time, as a terminal does: a pty nobody reads
    fills up (~4 kB) and then blocks the app's writes, its timers and its saves."""

    def __init__(self, argv: list[str], **kwargs) -> None:
        super().__init__(argv, **kwargs)
        self._lock = threading.Lock()
        self._last_output = time.perf_counter()
        self._running = True
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        while self._running:
            chunk = self._read(0.02)
            if chunk:
                with self._lock:
                    self.seen += chunk
                    self._last_output = time.perf_counter()
            elif self.proc.poll() is not None:
                return

    def wait_for(self, needle: bytes, timeout=30.0) -> float:
        def shown() -> bool:
            with self._lock:
                return needle in plain(self.seen)

        poll(shown, f"{needle!r} on screen; it had {plain(self.seen)[-400:]!r}", timeout)
        return time.perf_counter() - self.started

    def settle(self, quiet=0.1, timeout=10.0) -> None:
        """Wait until the app has drawn nothing and used no CPU for `quiet` seconds: done with
        the last key, as a labeler who watches the screen before each key would find it (output
        alone falls silent while a screen loads)."""
        busy = [self.cpu_seconds(), time.perf_counter()]

        def idle() -> bool:
            now, cpu = time.perf_counter(), self.cpu_seconds()
            if cpu - busy[0] > 0.002:  # more than the idle event loop's ticks
                busy[:] = [cpu, now]
            return (now - busy[1] >= quiet and now - self._last_output >= quiet
                    or self.proc.poll() is not None)

        poll(idle, "the app to go idle", timeout, interval=quiet / 4)

    def burst(self, keys: list[bytes]) -> None:
        """Every key in one write(): one read for the app, as keys typed ahead arrive over SSH."""
        data = b"".join(keys)
        assert os.write(self.master, data) == len(data), "the pty took part of the burst"

    def paced(self, keys: list[bytes], quiet=0.1) -> None:
        """One key at a time, each after the screen has settled from the one before."""
        for key in keys:
            self.settle(quiet)
            os.write(self.master, key)

    def hang_up(self) -> None:
        """Close the terminal under the running app, as sshd does when the connection drops:
        the app gets SIGHUP (unless it blocks it) and end of input."""
        if self._running:
            self._running = False
            self._reader.join(5)
            os.close(self.master)

    def exit_code(self, timeout: float = 15.0) -> int:
        """The app's exit code once it has left by itself (a signal that killed it: minus its
        number); fails if it is still running after `timeout`."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the app was still running after {timeout:.0f} s") from None

    def close(self) -> None:
        self._stop()
        self.hang_up()


def start_to_text(argv: list[str], needle: bytes, *, timeout=30.0, **kwargs) -> tuple[float, float]:
    """(wall seconds, CPU seconds) from launch until `needle` is on screen."""
    with Pty(argv, **kwargs) as pty:
        wall = pty.wait_for(needle, timeout)
        return wall, pty.cpu_seconds()


def time_to_text(argv: list[str], needle: bytes, **kwargs) -> float:
    return start_to_text(argv, needle, **kwargs)[0]
