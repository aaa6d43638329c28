"""Opening a database only to read it: exports, reports, and the source of `db copy`.

A source is never changed: not migrated, not checkpointed, no `-wal-owner` record. A file
LabelDesk may not write (a kept archive: `chmod 0444`, a read-only directory or mount) opens
too. SQLite's `mode=ro` reads a WAL-mode file together with its log, but needs a `-shm` it can
map, which a read-only directory cannot give it when none is there; with no `-wal` beside the
file there is no log to miss, and `immutable=1` reads the file alone.

A file of an older schema is read through a migrated copy: its pages are copied (SQLite's
backup, from the read-only connection) into a temporary file that the migrations then bring
up to date, deleted again when the connection closes.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import weakref
from pathlib import Path
from urllib.parse import quote

from store import migrations  # by module: tests replace its MIGRATIONS and LATEST
from store.db import BUSY_TIMEOUT_MS, Database, _open_problem, open_db
from store.errors import StoreError
from store.wal_owner import refuse_foreign_wal


def _uri(path: Path, query: str) -> str:
    return f"file:{quote(str(path.resolve()))}?{query}"


def _connect(path: Path) -> sqlite3.Connection:
    refuse_foreign_wal(str(path))  # reading another file's log would be as wrong as replaying it
    tries = ["mode=ro"]
    if not os.path.exists(f"{path}-wal"):
        tries.append("mode=ro&immutable=1")
    error: sqlite3.DatabaseError | None = None
    for query in tries:
        try:
            conn = sqlite3.connect(_uri(path, query), uri=True, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens it for real
            return conn
        except sqlite3.DatabaseError as exc:
            error = exc
    assert error is not None
    problem = _open_problem(path, error)
    if "read-only here" in problem:  # its -wal is there, but no -shm and no way to make one
        problem = (f"cannot read it here: {path.name}-wal is beside it but {path.name}-shm is "
                   "missing and the directory is read-only; open it once where it can be "
                   "written (any LabelDesk command), or copy the files elsewhere")
    raise StoreError(f"{path}: {problem}") from error


def open_read_only(path: str | Path) -> Database:
    """`path` for reading, at the current schema, without changing the file."""
    path = Path(path)
    conn = _connect(path)
    db = Database(conn, str(path))
    db.read_only = True
    try:
        found = migrations.check_version(db, str(path))
    except (StoreError, sqlite3.DatabaseError) as exc:
        conn.close()
        if isinstance(exc, StoreError):
            raise
        raise StoreError(f"{path}: {_open_problem(path, exc)}") from exc
    if found == migrations.LATEST:
        return db
    try:
        return _migrated_copy(db, path)
    finally:
        conn.close()


def _migrated_copy(source: Database, path: Path) -> Database:
    """A temporary copy of `source` brought to the current schema; the file goes with the
    connection."""
    where = tempfile.mkdtemp(prefix="labeldesk-read-")
    copy = os.path.join(where, path.name)
    try:
        target = sqlite3.connect(copy)
        try:
            source.conn.backup(target)
        finally:
            target.close()
        db = open_db(copy)
    except BaseException:
        shutil.rmtree(where, ignore_errors=True)
        raise
    db.read_only = True  # what the caller asked for: the copy is not the file
    weakref.finalize(db, shutil.rmtree, where, ignore_errors=True)
    return db
