"""SQLite group commit (store/dialect.py `begin_write`): a write commits without waiting for
its fsync, passes the turn on, and syncs the log before it is acknowledged; claims and
heartbeats skip the sync (the next durable commit covers them); the connection is never
left relaxed; a failed sync is an error, never a silent "saved"."""

from __future__ import annotations

import os
import sqlite3
from typing import Any

import pytest

from store import labels
from store.db import immediate, open_db
from store.errors import StoreError, fault_kind
from store.roster import add_labeler
from store.sessions import start_session, touch_session
from store.values import LabelValue
from tests.conftest import claim

pytestmark = pytest.mark.sqlite_only


def _synchronous(db) -> int:
    return db.execute("PRAGMA synchronous").fetchone()[0]


class Writes:
    """How each transaction of a store call was committed and synced."""

    def __init__(self, db, monkeypatch) -> None:
        self.db = db
        self.events: list[Any] = []
        real = os.fsync

        def fsync(fd):
            name = os.readlink(f"/proc/self/fd/{fd}")
            # Synced after the turn was passed on: the next writer is not held up by it.
            queued = db.write_queue is not None and db.write_queue._mine is not None
            self.events.append(f"fsync {os.path.basename(name)}{' in turn' if queued else ''}")
            return real(fd)

        monkeypatch.setattr(os, "fsync", fsync)

    def of(self, fn, *args, **kwargs) -> list[str]:
        seen: list[str] = []
        self.events = seen
        self.db.conn.set_trace_callback(seen.append)
        try:
            fn(*args, **kwargs)
        finally:
            self.db.conn.set_trace_callback(None)
        keep = ("PRAGMA synchronous = NORMAL", "COMMIT", "PRAGMA synchronous = FULL")
        return [e.replace("PRAGMA synchronous = ", "") for e in seen
                if e in keep or e.startswith("fsync")]


def test_writes_sync_after_their_turn_claims_and_heartbeats_not_at_all(sample_db, monkeypatch):
    db, writes = sample_db, Writes(sample_db, monkeypatch)
    assert _synchronous(db) == 2  # FULL, as opened
    found = []
    assert writes.of(lambda: found.append(claim(db, "alice"))) == ["NORMAL", "COMMIT", "FULL"]
    a = found[0]
    durable = ["NORMAL", "COMMIT", "FULL", "fsync desk.db-wal"]
    assert writes.of(labels.save_draft, db, a.id, {"x": 1}, lease_seconds=600) == durable
    assert writes.of(labels.save_draft, db, a.id, {"x": 2}) == durable  # a lone write
    values = [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])]
    assert writes.of(labels.submit, db, a.id, values, seconds=1.0) == durable
    start_session(db, "alice")
    assert writes.of(touch_session, db) == ["NORMAL", "COMMIT", "FULL"]
    assert _synchronous(db) == 2


def test_a_claim_that_fails_leaves_the_connection_durable(sample_db):
    with pytest.raises(StoreError):
        claim(sample_db, "nobody")  # not in the roster: refused inside the transaction
    assert not sample_db.conn.in_transaction
    assert _synchronous(sample_db) == 2


def test_without_a_queue_a_commit_waits_for_its_fsync(monkeypatch):
    db = open_db(":memory:")
    writes = Writes(db, monkeypatch)

    def write():
        with immediate(db):
            add_labeler(db, "ana")

    assert writes.of(write) == ["COMMIT"]  # synchronous=FULL: SQLite syncs in its commit


def test_a_failed_sync_is_an_error_not_saved(sample_db, monkeypatch):
    a = claim(sample_db, "alice")

    def broken(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(sqlite3.OperationalError) as caught:
        labels.save_draft(sample_db, a.id, {"x": 1})
    # The app's outage path: tried again once the disk answers (a retried submit that finds
    # its task done counts as saved, store/task_session.py).
    assert fault_kind(caught.value) == "unreachable"
    assert _synchronous(sample_db) == 2 and not sample_db.conn.in_transaction
