"""A dropped connection in a real terminal: the app under a pty gets SIGHUP (or SIGTERM) while
the labeler is typing, saves the draft and exits by itself."""

import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from store import labels
from store.db import open_db

ROOT = Path(__file__).resolve().parents[2]


class Terminal:
    def __init__(self, argv: list[str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: a labeler's login shell would exec the app the same way
            os.chdir(ROOT)
            os.environ.update(TERM="xterm-256color", PYTHONPATH=str(ROOT))
            os.execv(argv[0], argv)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.seen = b""

    def read_until(self, needle: bytes, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while needle not in self.seen:
            if time.monotonic() > end:
                raise AssertionError(f"{needle!r} never shown; last output {self.seen[-400:]!r}")
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                self.seen += os.read(self.fd, 65536)

    def type(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def drain(self, seconds: float) -> None:
        """Read what the app draws for `seconds`, as a terminal would: an unread pty fills up
        (~70 kB, 17 keys of the writing screen) and then blocks the app's output."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                self.seen += os.read(self.fd, 65536)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def wait(self, timeout: float = 15.0) -> int:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            if self.fd is None:
                time.sleep(0.05)
                continue
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.05)
                if ready:
                    os.read(self.fd, 65536)
            except OSError:  # EIO: the app closed its side
                time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError("the app did not exit after the signal")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGHUP", "SIGTERM", "terminal closed"])
def test_signal_mid_answer_keeps_the_draft(sample_db, db_path, how):
    term = Terminal([sys.executable, "-m", "tui.cli", "app", "--db", str(db_path), "--labeler", "alice"])
    try:
        term.read_until(b"Labeling as")
        term.type("w")
        term.read_until(b"Your answer")
        term.type("Chlorophyll is green")
        term.read_until(b"3 words")
        term.type(" and")
        term.read_until(b"4 words")
        if how == "terminal closed":  # what sshd does when the connection drops
            term.close()
        else:
            os.kill(term.pid, getattr(signal, how))
        assert term.wait() == 0  # our handler ran: the signal's default action would kill it
    finally:
        term.close()
    db = open_db(db_path)
    (assignment_id,) = db.execute(
        "SELECT a.id FROM assignments a JOIN tasks t ON t.id = a.task_id "
        "WHERE a.labeler = 'alice' AND t.kind = 'demonstration' AND a.status = 'active'"
    ).fetchone()
    assert labels.load_draft(db, assignment_id)["text"] == "Chlorophyll is green and"


def active_draft(db_path):
    db = open_db(db_path)
    try:
        (assignment_id,) = db.execute(
            "SELECT a.id FROM assignments a JOIN tasks t ON t.id = a.task_id "
            "WHERE a.labeler = 'alice' AND t.kind = 'demonstration' AND a.status = 'active'"
        ).fetchone()
        return (labels.load_draft(db, assignment_id) or {}).get("text", "")
    finally:
        db.conn.close()


@pytest.mark.slow
def test_kill_9_while_typing_loses_at_most_the_last_second(sample_db, db_path):
    """Steady typing (a key every 0.1 s) is saved as it goes, not only when the labeler pauses."""
    term = Terminal([sys.executable, "-m", "tui.cli", "app", "--db", str(db_path), "--labeler", "alice"])
    try:
        term.read_until(b"Labeling as")
        term.type("w")
        term.read_until(b"Your answer")
        typed, sent_at = "", []
        for char in "abcdefghijklmnopqrstuvwxyz" + "ABCDEFGHIJKLMN":
            term.type(char)
            typed += char
            sent_at.append(time.monotonic())
            term.drain(0.1)
        killed_at = time.monotonic()
        os.kill(term.pid, signal.SIGKILL)
        os.waitpid(term.pid, 0)
    finally:
        term.close()
    saved = active_draft(db_path)
    assert typed.startswith(saved)
    # everything typed more than ~1 s (plus slack for a loaded machine) before the kill was on
    # disk; a debounced save would have written nothing while the keys kept coming
    assert len(saved) >= sum(1 for t in sent_at if t < killed_at - 2.0) >= 20


@pytest.mark.slow
def test_write_drop_come_back_finish_then_export_sft(sample_db, db_path):
    """The issue's 'done when': a labeler writes, the connection drops mid-answer, they come
    back to the same task with the draft, finish it, and `labeldesk export sft` holds it."""
    app = [sys.executable, "-m", "tui.cli", "app", "--db", str(db_path), "--labeler", "alice"]
    term = Terminal(app)
    try:
        term.read_until(b"Labeling as")
        term.type("w")
        term.read_until(b"Your answer")
        term.type("Leaves catch light")
        term.read_until(b"3 words")
    finally:
        term.close()  # the connection drops
    assert term.wait() == 0

    term = Terminal(app)
    try:
        term.read_until(b"draft restored")  # straight back into the task, not the home screen
        term.type(" and make sugar.")
        term.read_until(b"6 words")
        term.type("\x13")  # ctrl+s
        term.read_until(b"Submit this answer")
        term.type("y")
        term.read_until(b"Saved your answer")
        term.type("\x11")  # ctrl+q
        assert term.wait() == 0
    finally:
        term.close()

    export = subprocess.run(
        [sys.executable, "-m", "tui.cli", "export", "sft", "--db", str(db_path), "--labeler", "rhea",
         "--out", "-"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        check=True,
    )
    records = [json.loads(line) for line in export.stdout.splitlines()]
    assert [r["messages"][1] for r in records] == [
        {"role": "assistant", "content": "Leaves catch light and make sugar."}]
    assert records[0]["messages"][0]["role"] == "user"
