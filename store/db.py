"""Opening the one SQLite file every labeler's process shares.

WAL lets readers run beside the single writer; `busy_timeout` makes writers queue instead of
failing; `synchronous=FULL` because a label that was acknowledged must survive a power cut.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from store.errors import StoreError

if TYPE_CHECKING:
    import sqlite_utils

    _Full = sqlite_utils.Database
else:
    _Full = object

BUSY_TIMEOUT_MS = 10_000


class Database(_Full):
    """What every store function takes: the connection (`conn`) and `execute`, which is all
    the store itself uses. The rest of sqlite-utils' `Database` (`db["table"]`,
    `table_names()`, …) is there too, built on first use — so to a type checker this is a
    `sqlite_utils.Database` — and a labeler's start-up never imports sqlite-utils (~35 ms).
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._utils: sqlite_utils.Database | None = None

    def execute(self, sql: str, parameters=None) -> sqlite3.Cursor:
        if parameters is None:
            return self.conn.execute(sql)
        return self.conn.execute(sql, parameters)

    def close(self) -> None:
        self.conn.close()

    def utils(self) -> sqlite_utils.Database:
        """The full sqlite-utils API on this connection (no sqlite-utils plugins: loading
        them scans every installed package)."""
        if self._utils is None:
            import sqlite_utils

            self._utils = sqlite_utils.Database(self.conn, execute_plugins=False)
        return self._utils

    def __getattr__(self, name: str):
        if name.startswith("_"):  # not sqlite-utils' public API (and no recursion in copies)
            raise AttributeError(name)
        return getattr(self.utils(), name)

    def __getitem__(self, table: str) -> sqlite_utils.Table:
        return self.utils()[table]

    def __repr__(self) -> str:
        return f"<store.db.Database {self.conn!r}>"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def connect(path: str | Path) -> Database:
    """A connection with our pragmas, without running migrations."""
    path = str(path)
    try:
        # Autocommit mode: transactions are explicit (see `immediate`), never implicit.
        conn = sqlite3.connect(
            path, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
        )
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA recursive_triggers=ON")  # as sqlite-utils sets it
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a LabelDesk database ({exc})") from exc
    if mode.lower() != "wal" and path != ":memory:":
        # A read-only directory cannot hold the -wal file; we still open, reads work.
        pass
    return Database(conn)


def open_db(path: str | Path, *, migrate: bool = True) -> Database:
    from store.migrations import check_version, run_migrations

    db = connect(path)
    try:
        if migrate:
            run_migrations(db, str(path))
        else:
            check_version(db, str(path))
    except sqlite3.DatabaseError as exc:
        db.conn.close()
        raise StoreError(f"{path}: cannot read the database ({exc})") from exc
    except StoreError:
        db.conn.close()
        raise
    return db


@contextmanager
def immediate(db: Database) -> Iterator[Database]:
    """`BEGIN IMMEDIATE` … `COMMIT`: takes the write lock before the first read.

    A deferred `BEGIN` that reads and then writes fails with "database is locked" under
    concurrency (measured: most of 4,000 claims across 8 processes), `busy_timeout` or not.
    """
    conn = db.conn
    if conn.in_transaction:
        # Nested use joins the outer transaction: one commit for the whole unit of work.
        yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
