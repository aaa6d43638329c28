"""Staging an import so that labelers keep saving while it runs.

An import reads and checks every record first, then makes the file's rows visible at once.
Rows wait in a TEMP table of the importer's own connection: writing it takes no lock on the
database file, so labelers' claims and saves interleave with a long import (measured with
300k prompts: bench/bench_import_load.py). Publishing is one short `BEGIN IMMEDIATE`
transaction (`INSERT … SELECT`); a bad record means nothing is published, so the researcher
still gets all or nothing.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from store.dialect import dialect_of
from store.errors import StoreError

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

BATCH = 1000


# The staging tables live in one server session (PostgreSQL) across several transactions.
NEEDS_SESSION = ("this import's staging table is gone: imports need a database session of their "
                 "own (a direct connection, or PgBouncer in session mode, not transaction mode; "
                 "docs/deployment.md); nothing was imported")


class Stage:
    def __init__(self, db: sqlite_utils.Database, table: str, columns: Sequence[str]) -> None:
        self.db, self.table, self.columns = db, table, list(columns)
        # A name of its own: behind a transaction pooler a batch may reach another client's
        # server session, where it must fail ("does not exist", NEEDS_SESSION) instead of
        # landing in that client's staging table.
        self.name = f"temp.stage_{table}_{secrets.token_hex(4)}"
        self.rows: list[list[Any]] = []
        self.count = 0
        self.derived: list[str] = []
        quoted = ", ".join(dialect_of(db).stage_types(db, table, self.columns))
        db.execute(f"DROP TABLE IF EXISTS {self.name}")
        db.execute(f"CREATE TABLE {self.name} (line INTEGER PRIMARY KEY, {quoted})")

    def add(self, line: int, row: dict[str, Any]) -> None:
        self.rows.append([line, *(row[c] for c in self.columns)])
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        marks = ", ".join("?" for _ in range(len(self.columns) + 1))
        conn = self.db.conn
        own = not conn.in_transaction  # inside a caller's transaction, join it
        if own:
            conn.execute("BEGIN")  # deferred, and only TEMP is written: no lock on the file
        try:
            with self._own_session():
                conn.executemany(f"INSERT INTO {self.name} VALUES ({marks})", self.rows)
        except BaseException:
            if own and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if own:
            conn.execute("COMMIT")
        self.count += len(self.rows)
        self.rows.clear()

    def publish(self) -> int:
        """Copy the staged rows into the table, in file order (call inside `immediate`)."""
        self.flush()
        quoted = ", ".join(f'"{c}"' for c in self.columns)
        with self._own_session():
            cur = self.db.execute(
                f"INSERT INTO main.{self.table} ({quoted}) SELECT {quoted} FROM {self.name} "
                "ORDER BY line")
        return cur.rowcount

    def derive(self, what: str, select: str) -> str:
        """A TEMP table `stage_<table>_<what>` of `select`'s rows (over the staged rows), made
        before publishing so the locked part only copies; dropped with the stage."""
        self.flush()
        name = f"{self.name}_{what}"
        self.derived.append(name)
        self.db.execute(f"DROP TABLE IF EXISTS {name}")
        with self._own_session():
            self.db.execute(f"CREATE TABLE {name} AS {select}")
        return name

    @contextmanager
    def _own_session(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "does not exist" in str(exc) and "stage_" in str(exc):
                raise StoreError(NEEDS_SESSION) from exc
            raise

    def drop(self) -> None:
        self.rows.clear()
        for name in [*self.derived, self.name]:
            self.db.execute(f"DROP TABLE IF EXISTS {name}")

    def clashes(self, key: str, compare: Sequence[str]) -> tuple[list[tuple[int, str]], int]:
        """Rows that meanwhile exist in the table (another import): the (line, key) of those
        with other content, and how many identical ones were dropped from the stage."""
        self.flush()
        differs = " OR ".join(f's."{c}" IS NOT t."{c}"' for c in compare)
        bad = self.db.execute(
            f'SELECT s.line, s."{key}" FROM {self.name} s JOIN main.{self.table} t ON t."{key}" = s."{key}" '
            f"WHERE {differs} ORDER BY s.line LIMIT 20").fetchall()
        same = self.db.execute(
            f'DELETE FROM {self.name} WHERE "{key}" IN (SELECT "{key}" FROM main.{self.table})').rowcount
        return [tuple(r) for r in bad], same
