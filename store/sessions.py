"""Sessions: one row per running app, so two terminals of one labeler never share a task.

An assignment remembers the session holding it. A claim hands the labeler's unfinished task
only to the session that holds it, or to any session once the holder is gone (quit, killed,
or silent); a second live session gets its own next task and its own draft, and is told at
start which task the other holds. Nothing typed in either can overwrite the other.

A session is live while it has not ended, its heartbeat (`touch_session`) is recent, and — on
this host — its process exists (so a restart after `kill -9` resumes the task at once).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from store.db import Database, immediate, now

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils


HEARTBEAT_SECONDS = 30
STALE_SECONDS = 120  # no heartbeat for this long: the session is gone


@dataclass(frozen=True)
class OtherSession:
    host: str
    pid: int
    started_at: str
    kind: str | None  # the task it holds, if any
    item: str | None
    assignment: int | None = None  # its assignment (what a labeler sees: store/views.shown_id)


def start_session(db: Database, labeler: str) -> list[OtherSession]:
    """Register this process's session on `db` (claims made through it are its own) and
    return the labeler's other live sessions, with the task each holds."""
    sid = os.urandom(8).hex()  # as secrets.token_hex, without its hmac and hashlib (start-up)
    stamp = now()
    with immediate(db):
        db.execute("INSERT INTO sessions (id, labeler, host, pid, started_at, seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                   [sid, labeler, this_host(), os.getpid(), stamp, stamp])
    db.session_id = sid
    others = []
    for row in db.execute(
        """SELECT s.id, s.host, s.pid, s.started_at, s.seen_at, s.ended_at,
                  (SELECT t.kind FROM assignments a JOIN tasks t ON t.id = a.task_id
                   WHERE a.session = s.id AND a.status = 'active' ORDER BY a.id LIMIT 1),
                  (SELECT t.item FROM assignments a JOIN tasks t ON t.id = a.task_id
                   WHERE a.session = s.id AND a.status = 'active' ORDER BY a.id LIMIT 1)
                  , (SELECT a.id FROM assignments a
                   WHERE a.session = s.id AND a.status = 'active' ORDER BY a.id LIMIT 1)
           FROM sessions s WHERE s.labeler = ? AND s.ended_at IS NULL AND s.id != ?
           ORDER BY s.started_at""", [labeler, sid]):
        if _alive(row[1], row[2], row[4], row[5]):
            others.append(OtherSession(row[1], row[2], row[3], row[6], row[7], row[8]))
    return others


def touch_session(db: Database) -> None:
    sid = getattr(db, "session_id", None)
    if sid is not None:
        # In a write transaction, which first checks that the file is still the one opened:
        # a heartbeat must not start a fresh log for a file that was replaced (store/wal_owner.py).
        with immediate(db, durable=False):  # a heartbeat lost in a power cut costs nothing
            db.execute("UPDATE sessions SET seen_at = ? WHERE id = ?", [now(), sid])


def end_session(db: Database) -> None:
    """This session is over: its unfinished tasks wait for the labeler's next session."""
    sid = getattr(db, "session_id", None)
    if sid is None:
        return
    with immediate(db):
        db.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", [now(), sid])
        db.execute("UPDATE assignments SET session = NULL WHERE session = ?", [sid])
    db.session_id = None


def this_host() -> str:
    """The name sessions on this machine are registered under (their pids are looked up here
    only)."""
    return socket.gethostname()


def held_elsewhere(db: sqlite_utils.Database, holder: str | None) -> bool:
    """Whether an assignment held by session `holder` belongs to another live session."""
    mine = getattr(db, "session_id", None)
    if holder is None or mine is None or holder == mine:
        return False
    row = db.execute("SELECT host, pid, seen_at, ended_at FROM sessions WHERE id = ?", [holder]).fetchone()
    return row is not None and _alive(*row)


def _alive(host: str, pid: int, seen_at: str, ended_at: str | None) -> bool:
    if ended_at is not None:
        return False
    stale = (datetime.now(timezone.utc) - timedelta(seconds=STALE_SECONDS)).isoformat(timespec="milliseconds")
    if seen_at < stale:
        return False
    if host != this_host():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process with that pid: alive
        return True
    return True
