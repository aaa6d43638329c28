"""A dropped connection in a real terminal: the app under a pty gets SIGHUP (or SIGTERM) while
the labeler is typing, saves the draft and exits by itself."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.pty_run import Typist
from store import labels
from store.db import open_db

ROOT = Path(__file__).resolve().parents[2]


def terminal(argv: list[str]) -> Typist:
    """The app in a real 80x24 terminal, run from the checkout as a labeler's login would."""
    return Typist(argv, cols=80, rows=24, cwd=str(ROOT), env={"PYTHONPATH": str(ROOT)})


def start_writing(term: Typist) -> None:
    """Open the writing screen and type its first words."""
    term.wait_for(b"Labeling as")
    term.send(b"w")
    term.wait_for(b"Your answer")
    term.send(b"Chlorophyll is green")
    term.wait_for(b"3 words")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGHUP", "SIGTERM", "terminal closed"])
def test_signal_mid_answer_keeps_the_draft(sample_db, db_path, how):
    term = terminal([sys.executable, "-m", "tui.cli", "app", "--db", str(db_path), "--labeler", "alice"])
    try:
        start_writing(term)
        term.send(b" and")
        term.wait_for(b"4 words")
        if how == "terminal closed":  # what sshd does when the connection drops
            term.hang_up()
        else:
            term.proc.send_signal(getattr(signal, how))
        assert term.exit_code() == 0  # our handler ran: the signal's default action would kill it
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
def test_kill_9_while_typing_keeps_what_was_saved_as_it_went(sample_db, db_path):
    """Steady typing (a key every 0.1 s) is saved as it goes, not only when the labeler pauses:
    the draft on disk grows while the keys keep coming (a debounced save would write nothing
    until they stop), and after kill -9 mid-word what is on disk is what was typed, up to a
    point. The keys go on until the draft holds 20 characters, however slowly a loaded machine
    runs the app; no wall-clock threshold."""
    term = terminal([sys.executable, "-m", "tui.cli", "app", "--db", str(db_path), "--labeler", "alice"])
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    try:
        term.wait_for(b"Labeling as")
        term.send(b"w")
        term.wait_for(b"Your answer")
        typed = ""
        while len(active_draft(db_path)) < 20:
            assert len(typed) < 600, f"nothing saved while typing: {active_draft(db_path)!r}"
            char = letters[len(typed) % len(letters)]
            term.send(char.encode())
            typed += char
            time.sleep(0.1)  # the typing pace under test; the terminal reads the screen meanwhile
        for char in "xyz":  # still typing when the connection's process is killed
            term.send(char.encode())
            typed += char
            time.sleep(0.1)
        term.proc.kill()
        term.proc.wait()
    finally:
        term.close()
    saved = active_draft(db_path)
    assert typed.startswith(saved) and len(saved) >= 20


@pytest.mark.slow
def test_write_drop_come_back_finish_then_export_sft(sample_db, db_path):
    """The issue's 'done when': a labeler writes, the connection drops mid-answer, they come
    back to the same task with the draft, finish it, and `labeldesk export sft` holds it."""
    app = [sys.executable, "-m", "tui.cli", "app", "--db", str(db_path), "--labeler", "alice"]
    term = terminal(app)
    try:
        term.wait_for(b"Labeling as")
        term.send(b"w")
        term.wait_for(b"Your answer")
        term.send(b"Leaves catch light")
        term.wait_for(b"3 words")
    finally:
        term.hang_up()  # the connection drops
    assert term.exit_code() == 0

    term = terminal(app)
    try:
        term.wait_for(b"draft restored")  # straight back into the task, not the home screen
        term.send(b" and make sugar.")
        term.wait_for(b"6 words")
        term.send(b"\x13")  # ctrl+s
        term.wait_for(b"Submit this answer")
        term.send(b"y")
        term.wait_for(b"Saved your answer")
        term.send(b"\x11")  # ctrl+q
        assert term.exit_code() == 0
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
