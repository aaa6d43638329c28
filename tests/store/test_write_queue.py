"""SQLite's writers wait in a queue and are served in the order they came (store/writelock.py):
no writer polls, none is passed by later ones, a writer waits while the line moves and gives
up (busy) only when it stands still, one that gives up or dies does not break the line, and a
read-only directory (no lock file) still opens."""

from __future__ import annotations

import os
import signal
import sqlite3
import struct
import subprocess
import sys
import threading
import time

import pytest

from bench.pty_run import poll
from store.db import immediate, open_db, retry_busy
from store.events import log_event
from store.writelock import SUFFIX, WriteQueue
from tests.cli.subproc import ROOT

pytestmark = [
    pytest.mark.sqlite_only,
    # The queue's helper threads pass turns on: an error in one is a broken line, not noise.
    pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning"),
]


def _write(db, who):
    with immediate(db):
        log_event(db, who, "claim", {})


def _writers_in_order(db):
    return [r[0] for r in db.execute("SELECT labeler FROM events WHERE kind = 'claim' ORDER BY id")]


def _tickets_drawn(path) -> int:
    """The line's ticket counter (the lock file's first 8 bytes): writers that have come so far."""
    with open(f"{path}{SUFFIX}", "rb") as f:
        return struct.unpack("<Q", f.read(8))[0]


def test_writers_are_served_in_the_order_they_came(tmp_path):
    path = tmp_path / "q.db"
    holder = open_db(path)
    waiters = [open_db(path, migrate=False) for _ in range(6)]
    try:
        threads = []
        with immediate(holder):
            drawn = _tickets_drawn(path)
            for n, db in enumerate(waiters):
                t = threading.Thread(target=retry_busy, args=(_write, db, f"w{n}"))
                t.start()
                threads.append(t)
                # Each is in line (has drawn its ticket) before the next comes.
                poll(lambda n=n: _tickets_drawn(path) > drawn + n, f"w{n} in line", timeout=30)
            # A write arriving last, while the line is full, goes to its end.
        late = threading.Thread(target=retry_busy, args=(_write, holder, "late"))
        late.start()
        for t in [*threads, late]:
            t.join(10)
        assert _writers_in_order(holder) == [f"w{n}" for n in range(6)] + ["late"]
    finally:
        for db in [holder, *waiters]:
            db.close()


def test_a_writer_that_gives_up_keeps_the_line_going(tmp_path):
    path = tmp_path / "q.db"
    holder, quitter, patient = open_db(path), open_db(path, migrate=False), open_db(path, migrate=False)
    try:
        done = []
        with immediate(holder):
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                retry_busy(_write, quitter, "quitter", bound=0.1)  # in line behind holder, gives up
            t = threading.Thread(target=lambda: done.append(retry_busy(_write, patient, "patient")))
            t.start()  # in line behind the quitter's place
            time.sleep(0.1)
        t.join(5)
        assert done and _writers_in_order(holder) == ["patient"]
        _write(quitter, "quitter")  # and the quitter writes again at once
        assert _writers_in_order(holder) == ["patient", "quitter"]
    finally:
        for db in (holder, quitter, patient):
            db.close()


def test_a_writer_far_back_gives_up_when_the_line_stands_still(tmp_path):
    path = tmp_path / "q.db"
    holder, second, third = open_db(path), open_db(path, migrate=False), open_db(path, migrate=False)
    done = []
    try:
        with immediate(holder):
            drawn = _tickets_drawn(path)
            t = threading.Thread(target=lambda: done.append(retry_busy(_write, second, "second", bound=30)))
            t.start()
            poll(lambda: _tickets_drawn(path) > drawn, "the second writer in line", timeout=30)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                retry_busy(_write, third, "third", bound=0.3)  # no turn ends ahead of it
        t.join(30)
        _write(third, "third")
        assert done == [None] and _writers_in_order(holder) == ["second", "third"]
    finally:
        for db in (holder, second, third):
            db.close()


def test_a_writer_waits_as_long_as_the_line_moves(tmp_path):
    """Five turns ahead of it, each shorter than its bound and all of them longer: it waits
    them out instead of giving up in a line that moves."""
    path = tmp_path / "q.db"
    holders = [open_db(path)] + [open_db(path, migrate=False) for _ in range(4)]
    patient = open_db(path, migrate=False)
    _write(patient, "first")  # the lock file exists; one ticket drawn
    turn = [threading.Event() for _ in holders]
    go = [threading.Event() for _ in holders]
    done, failed = [], []

    def hold(n, db):
        with immediate(db):
            turn[n].set()
            go[n].wait(30)
            log_event(db, f"h{n}", "claim", {})

    def run(fn, *args, **kwargs):
        try:
            done.append(retry_busy(fn, *args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - the assertions below report it
            failed.append(repr(exc))

    try:
        threads = []
        drawn = _tickets_drawn(path)
        for n, db in enumerate([*holders, patient]):
            if db is patient:
                threads.append(threading.Thread(target=run, args=(_write, patient, "patient"),
                                                kwargs={"bound": 1.2}))
            else:
                threads.append(threading.Thread(target=run, args=(hold, n, db), kwargs={"bound": 30}))
            threads[-1].start()
            # In line (has drawn its ticket) before the next one comes.
            poll(lambda n=n: _tickets_drawn(path) > drawn + n, f"writer {n} in line", timeout=30)
        for n in range(len(holders)):
            assert turn[n].wait(30)
            time.sleep(0.3)  # 1.5 s in all: past the patient's bound, which no single turn is
            go[n].set()
        for th in threads:
            th.join(30)
        assert not failed, failed
        assert len(done) == len(threads)
        assert _writers_in_order(patient) == ["first", "h0", "h1", "h2", "h3", "h4", "patient"]
    finally:
        for ev in go:
            ev.set()
        for db in [*holders, patient]:
            db.close()


HOLD_AND_DIE = """
import os, sys, time
from store.db import immediate, open_db
db = open_db(sys.argv[1])
with immediate(db):
    print("holding", flush=True)
    time.sleep(60)
"""


def test_a_writer_killed_in_its_turn_passes_it_on(tmp_path):
    path = tmp_path / "q.db"
    open_db(path).close()
    proc = subprocess.Popen([sys.executable, "-c", HOLD_AND_DIE, str(path)], stdout=subprocess.PIPE,
                            text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT)})
    db = open_db(path)
    try:
        assert proc.stdout.readline().strip() == "holding"
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            retry_busy(_write, db, "ana", bound=0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        retry_busy(_write, db, "ana", bound=5)
        assert _writers_in_order(db) == ["ana"]
    finally:
        proc.kill()
        proc.stdout.close()
        db.close()


def test_the_lock_file_is_shared_like_the_database(tmp_path):
    path = tmp_path / "q.db"
    db = open_db(path)
    os.chmod(path, 0o660)
    db.close()
    os.unlink(str(path) + SUFFIX)
    db = open_db(path)
    try:
        _write(db, "ana")
        assert os.stat(str(path) + SUFFIX).st_mode & 0o777 == 0o660
    finally:
        db.close()


def test_no_lock_file_where_it_cannot_be_made(tmp_path):
    queue = WriteQueue(str(tmp_path / "missing" / "q.db"))  # no directory to put it in
    assert queue.acquire(0.1) and queue.acquire(0.1)  # no queue: SQLite's own wait decides
    queue.release()


def test_a_write_while_the_connection_reads_is_saved_and_says_so(tmp_path, monkeypatch):
    """A listing that writes as it goes (disputes remembering undisputed items) holds a read
    cursor: the passive checkpoint after its commit cannot run then, and the committed write
    must not be reported as failed."""
    from store import dialect

    monkeypatch.setattr(dialect, "CHECKPOINT_CHANCE", 1.0)  # the one write in 32 that folds
    db = open_db(tmp_path / "desk.db")
    for name in ("ana", "bo"):
        log_event(db, name, "seen", {})
    reading = db.conn.cursor().execute("SELECT id FROM events")
    reading.fetchone()
    with immediate(db):
        log_event(db, "cy", "seen", {})
    assert reading.fetchone() is not None
    assert db.execute("SELECT count(*) FROM events WHERE labeler = 'cy'").fetchone()[0] == 1
    db.conn.close()
