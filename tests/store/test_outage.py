"""A database that goes away while a labeler works: a PostgreSQL server that drops the
connection (its backend terminated, as a restart or `pg_ctl stop -m fast` does), a SQLite file
whose directory is gone. Every store call fails as a fault of kind ``unreachable`` (never a raw
driver error), nothing is half written, and once the database is back `reconnect` makes the same
calls work again."""

from __future__ import annotations

import os
import sqlite3

import pytest

from store import labels
from store.db import immediate, open_db, reconnect
from store.errors import describe_fault, fault_kind
from store.task_session import NotSaved, Saved, TaskSession
from store.values import LabelValue


def session(db) -> TaskSession:
    return TaskSession(db, "alice", "demonstration", overlap=1, lease_seconds=600)


def answer(s: TaskSession, text: str) -> list[LabelValue]:
    return [LabelValue("demonstration", s.view.prompt.id, "text", text)]


def cut_off(db) -> None:
    """The server ends this connection's backend, as a shutdown or restart does."""
    import psycopg

    pid = db.conn.raw.info.backend_pid
    with psycopg.connect(db.path, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]  # type: ignore[index]


@pytest.mark.postgres_only
def test_a_lost_server_connection_is_an_unreachable_fault(sample_db):
    cut_off(sample_db)
    with pytest.raises(sqlite3.OperationalError) as first:
        sample_db.execute("SELECT count(*) FROM prompts")
    assert fault_kind(first.value) == "unreachable"
    # Now psycopg knows the connection is closed: making a cursor fails too, in the same kind.
    with pytest.raises(sqlite3.OperationalError) as closed:
        sample_db.conn.cursor()
    assert fault_kind(closed.value) == "unreachable"
    assert "cannot be reached" in describe_fault(closed.value)
    with pytest.raises(sqlite3.OperationalError) as in_write:  # no ROLLBACK hides it
        with immediate(sample_db):
            sample_db.execute("UPDATE prompts SET reason = 'x'")
    assert fault_kind(in_write.value) == "unreachable"
    assert not sample_db.conn.in_transaction


@pytest.mark.postgres_only
def test_reconnect_brings_the_same_calls_back(sample_db):
    from store.dialect import POSTGRES

    POSTGRES.set_busy_timeout(sample_db, 1234)
    s = session(sample_db)
    assert isinstance(s.claim(), Saved)
    cut_off(sample_db)
    outcome = s.save_draft({"text": "typed during the outage"})
    assert isinstance(outcome, NotSaved) and outcome.unreachable
    assert "cannot be reached" in outcome.reason
    reconnect(sample_db)
    assert POSTGRES.busy_timeout(sample_db) == 1234  # the session's lock wait is set again
    assert isinstance(s.save_draft({"text": "typed during the outage"}), Saved)
    assert labels.load_draft(sample_db, s.assignment_id)["text"] == "typed during the outage"
    reconnect(sample_db)  # a live connection is kept as it is
    assert isinstance(s.submit(answer(s, "final")), Saved)


@pytest.mark.postgres_only
def test_reconnect_while_the_server_is_still_away_raises_the_fault(sample_db, monkeypatch):
    from store import pg

    cut_off(sample_db)
    good = sample_db.path
    sample_db.path = good.replace("host=", "host=/nonexistent")  # no server at that socket
    with pytest.raises(sqlite3.OperationalError) as away:
        reconnect(sample_db)
    assert fault_kind(away.value) == "unreachable"
    sample_db.path = good
    reconnect(sample_db)
    assert sample_db.execute("SELECT count(*) FROM prompts").fetchone()[0] == 5
    assert pg.CONNECT_TIMEOUT <= 5  # a retry never holds the labeler for long


@pytest.mark.postgres_only
def test_a_submit_whose_reply_was_lost_is_saved_once(sample_db):
    """The COMMIT went through and the connection died before its answer came back: the next
    try is refused as already done, which the session takes as saved (not as an error, and
    not written twice)."""
    s = session(sample_db)
    s.claim()
    item = s.view.prompt.id

    def submit_then_lose_the_reply(*args, **kwargs):
        labels.submit(*args, **kwargs)
        cut_off(sample_db)
        sample_db.execute("SELECT 1")  # the reply that never comes

    first = s.submit_with(submit_then_lose_the_reply, sample_db, s.assignment_id,
                          answer(s, "once"), schema=None)
    assert isinstance(first, NotSaved) and first.unreachable and s.view is not None
    reconnect(sample_db)
    assert isinstance(s.submit(answer(s, "once")), Saved) and s.view is None
    rows = list(labels.iter_labels(sample_db, task="demonstration"))
    assert [(r.item, r.value) for r in rows] == [(item, "once")]


@pytest.mark.sqlite_only
def test_a_sqlite_file_whose_directory_is_gone_is_unreachable_until_it_is_back(tmp_path, db_path):
    project = tmp_path / "share"
    project.mkdir()
    path = project / "desk.db"
    db = open_db(path)
    try:
        away = tmp_path / "unmounted"
        os.rename(project, away)  # the share went away, the file with it
        with pytest.raises(sqlite3.OperationalError) as gone:
            with immediate(db):
                db.execute("INSERT INTO labelers (name, role, created_at) VALUES ('ana', 'labeler', 'x')")
        assert fault_kind(gone.value) == "unreachable" and str(path) in str(gone.value)
        with pytest.raises(sqlite3.OperationalError):
            reconnect(db)
        os.rename(away, project)  # mounted again: the same file
        reconnect(db)
        with immediate(db):
            db.execute("INSERT INTO labelers (name, role, created_at) VALUES ('ana', 'labeler', 'x')")
        assert db.execute("SELECT name FROM labelers").fetchall() == [("ana",)]
    finally:
        db.close()


def test_sqlite_io_errors_are_unreachable_faults():
    """What SQLite raises when the disk or share under an open file goes away."""
    for text in ("disk I/O error", "unable to open database file"):
        error = sqlite3.OperationalError(text)
        error.sqlite_errorname = "SQLITE_IOERR" if "I/O" in text else "SQLITE_CANTOPEN"
        assert fault_kind(error) == "unreachable"
