"""Which database file a `-wal` beside it was written for.

SQLite finds a database's write-ahead log by name (`labels.db-wal`) and replays it into
whatever file is called `labels.db` when it opens it. When that file is replaced (a restore:
`mv restore.db labels.db`) while a process had the old one open, or after a process holding
the old one died, the old file's log stays behind under the new file's name, and the next
open would copy the old file's pages into the restored one: a mix of two databases that
`PRAGMA integrity_check` may not even notice (rows of one, indexes of the other).

Nothing inside a WAL names its database, so every LabelDesk that opens a file records, in
`labels.db-wal-owner`, the identity (device, inode) of the file and of its log. Before opening,
a log that is the same file as recorded while the database is not is refused: the database
was swapped under its log. When both changed they were moved or copied together (another
disk), and the log is theirs.

A running LabelDesk whose file was replaced folds its own log into its own (old) file when it
closes, while the record still names that file, so the name is left with an empty log.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from store.errors import StoreError

WAL_HEADER = 32  # bytes; a shorter log holds nothing SQLite would replay
SUFFIX = "-wal-owner"

Identity = tuple[int, int]


def owner_path(path: str) -> str:
    return path + SUFFIX


def _identity(path: str) -> Identity | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _recorded(path: str) -> tuple[Identity | None, Identity | None] | None:
    """(database, log) as last recorded; None when there is no readable record."""
    try:
        data = json.loads(Path(owner_path(path)).read_text(encoding="utf-8"))
        db, wal = data["db"], data["wal"]
        return (tuple(db) if db else None, tuple(wal) if wal else None)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def foreign_wal(path: str) -> bool:
    """Whether the `-wal` beside `path` was written for another file than the one there now."""
    wal = path + "-wal"
    try:
        if os.path.getsize(wal) < WAL_HEADER:
            return False
    except OSError:
        return False
    record = _recorded(path)
    if record is None:
        return False  # written by something that keeps no record: SQLite's own judgement
    db_then, wal_then = record
    if db_then is None or db_then == _identity(path):
        return False
    # The database changed. If the log changed too, they travelled together.
    return wal_then is None or wal_then == _identity(wal)


def refuse_foreign_wal(path: str) -> None:
    """Raise StoreError (one line, what to do) when opening `path` would replay another
    file's log into it."""
    if foreign_wal(path):
        name = os.path.basename(path)
        raise StoreError(
            f"{path}: {name}-wal and {name}-shm belong to the file that was there before "
            f"{name} was replaced; opening it would copy that file's pages into this one. "
            f"Quit every LabelDesk using it, then move {name}-wal, {name}-shm and "
            f"{name}{SUFFIX} aside (docs/deployment.md, 'Restoring a database file')")


def record_owner(path: str) -> None:
    """Record that the `-wal` beside `path` (if any yet) is this file's. Written only when it
    changed, atomically; a directory LabelDesk cannot write keeps no record."""
    db = _identity(path)
    if db is None:
        return
    wal = _identity(path + "-wal")
    if _recorded(path) == (db, wal):
        return
    target = owner_path(path)
    tmp = f"{target}.{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump({"db": list(db), "wal": list(wal) if wal else None}, handle)
        os.replace(tmp, target)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def fold_if_replaced(conn: sqlite3.Connection, path: str, opened: Identity) -> None:
    """`conn` opened the file `opened`, which is no longer at `path`: copy its log into it (the
    old file, wherever it went) and empty the log, so the name is left with nothing to replay.
    Only while the record still names the old file: a process that opened the new file since
    owns the log now, and folding its pages into the old file would lose them."""
    record = _recorded(path)
    if record is None or record[0] != opened:
        return
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error:
        pass  # busy or gone: the next open refuses the log instead
