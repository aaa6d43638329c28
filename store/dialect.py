"""The one place where SQLite and PostgreSQL differ.

Store SQL is written once, in SQLite's spelling (`?` placeholders, `INSERT OR IGNORE`,
`IS NOT ?`, `json_each`, `temp.`/`main.` schema names). A `Database` carries its `dialect`;
`SQLITE` passes statements through unchanged, `POSTGRES` rewrites them once per distinct
statement (cached) and owns the few statements that are truly different: the write lock,
the schema version, table names, busy timeouts, the claim scan and the migrations' DDL
(column types, identity columns, triggers in PL/pgSQL).

Semantics kept identical on PostgreSQL: every `immediate()` transaction, and a lone write,
takes one exclusive advisory lock (SQLite's single writer), so read-then-write code needs no
change; only claims and labelers' submits take it shared and serialise per task with row locks
(`SELECT … FOR UPDATE [SKIP LOCKED]`), so they run side by side.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

# One number for the whole database: pg_advisory_xact_lock(WRITE_LOCK) is SQLite's write lock.
WRITE_LOCK = 0x4C61_6265  # "Labe"
SCHEMA_TABLE = "schema_version"


class Dialect:
    """SQLite's behaviour; the base every store statement is written for."""

    name = "sqlite"

    def sql(self, text: str) -> str:
        return text

    def begin_write(self, db: Any, *, shared: bool = False) -> None:
        """Start a write transaction: wait in the connection's write queue (store/writelock.py)
        for up to `db.write_wait` seconds, then `BEGIN IMMEDIATE`."""
        queue = getattr(db, "write_queue", None)
        wait = getattr(db, "write_wait", None)
        start = time.monotonic()
        if queue is not None and not queue.acquire(10.0 if wait is None else wait):
            raise sqlite3.OperationalError(
                "database is locked (waited for the other writers past the bound)")
        try:
            if wait is not None:
                # A writer outside the queue (another tool, a sqlite3 shell) is waited for
                # by SQLite itself, within what is left of the bound.
                left = max(1, int((wait - (time.monotonic() - start)) * 1000))
                db.conn.execute(f"PRAGMA busy_timeout = {left}")
            db.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.end_write(db)
            raise

    def lock_rows(self, tables: str) -> str:
        """The clause that locks a SELECT's rows of `tables` until the transaction ends
        (SQLite: none; its write lock covers the whole file)."""
        return ""

    def exclusive(self, db: Any) -> None:
        """Inside a write transaction begun `shared`: from here on, write alone (SQLite
        always does)."""

    def end_write(self, db: Any) -> None:
        """After the write transaction's COMMIT or ROLLBACK: the next writer's turn."""
        queue = getattr(db, "write_queue", None)
        if queue is not None:
            queue.release()

    def version(self, db: Any) -> int:
        return int(db.execute("PRAGMA user_version").fetchone()[0])

    def set_version(self, db: Any, version: int) -> None:
        db.execute(f"PRAGMA user_version={int(version)}")

    def table_names(self, db: Any) -> list[str]:
        return [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'")]

    def busy_timeout(self, db: Any) -> int:
        return int(db.execute("PRAGMA busy_timeout").fetchone()[0])

    def set_busy_timeout(self, db: Any, ms: int) -> None:
        """How long a write outside `retry_busy` waits for its turn (and SQLite for its lock)."""
        db.execute(f"PRAGMA busy_timeout = {int(ms)}")
        db.write_wait = ms / 1000

    def set_page_cache(self, db: Any, kib: int) -> None:
        """At most `kib` KiB of database pages cached in this process (SQLite's own cache; the
        operating system caches the file for every process besides)."""
        db.execute(f"PRAGMA cache_size = -{int(kib)}")

    def checkpoint(self, db: Any) -> None:
        """Fold the WAL into the file (before it is moved or copied)."""
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def file_path(self, db: Any) -> str | None:
        """The file behind the connection; None where there is none (a server)."""
        row = db.execute("PRAGMA database_list").fetchone()
        return str(row[2]) if row and row[2] else None

    def others_wrote(self, db: Any) -> int | None:
        """A number that changes when another connection commits (SQLite's `data_version`);
        None where there is none: the caller then assumes someone did."""
        return int(db.execute("PRAGMA data_version").fetchone()[0])

    def begin_snapshot(self, db: Any) -> None:
        """A read-only transaction whose reads all see one moment (`db copy` of a live
        project): in WAL mode a read transaction is a snapshot."""
        db.conn.execute("BEGIN")

    def after_explicit_ids(self, db: Any, table: str) -> None:
        """After rows went into `table` with their own ids (`db copy`): SQLite's next id
        follows the largest by itself."""

    def script(self, sqlite: str, postgres: str = "") -> list[str]:
        """A migration's statements: the shared DDL (and on PostgreSQL its own triggers)."""
        return [s for s in sqlite.split(";\n") if s.strip()]

    def json_value(self, expr: str) -> str:
        """A JSON text's value as SQL text (a JSON string unquoted)."""
        return f"json_extract({expr}, '$')"

    def stage_types(self, db: Any, table: str, columns: list[str]) -> list[str]:
        """Column declarations of a staging table for `table` (SQLite takes any value)."""
        return [f'"{c}"' for c in columns]

    def open_tasks(self, db: Any, kind: str, quiz: str, labeler: str, cap: int,
                   stamp: str) -> Iterator[tuple[int, str]]:
        """Claim candidates, oldest first: open tasks of `kind` the labeler never had, with
        fewer than `cap` labelers done or holding a live lease. SQLite holds the write lock,
        so the caller counts and decides for each in turn. (Without the count here, a claim
        counted every task others hold leases on, one statement each: with 200 labelers at
        work, ~70 statements under the write lock per claim.)"""
        yield from db.execute(_OPEN_TASKS + f" AND {TAKEN} < ? ORDER BY t.id",
                              [kind, quiz, labeler, stamp, cap])


# A task's labelers that count for overlap (non-gold labelers done or holding a live lease).
TAKEN = """(SELECT count(*) FROM assignments a JOIN labelers l ON l.name = a.labeler
            WHERE a.task_id = t.id AND l.role = 'labeler' AND a.gold_check = 0
              AND (a.status = 'done' OR (a.status = 'active' AND a.lease_until > ?)))"""

_OPEN_TASKS = """SELECT t.id, t.item FROM tasks t
           WHERE t.kind = ? AND t.quiz = ? AND t.full = 0
             AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id AND a.labeler = ?)
             AND NOT EXISTS (SELECT 1 FROM prompts p WHERE p.id = t.item AND p.status != 'pool')"""


class Postgres(Dialect):
    name = "postgresql"

    def sql(self, text: str) -> str:
        return _translate(text)

    def begin_write(self, db: Any, *, shared: bool = False) -> None:
        # One round trip: the transaction, its bound on lock waits (`db.write_wait`, what
        # `retry_busy` has left; PostgreSQL serves lock waiters in turn, so a write waits in
        # line instead of polling) and the write lock.
        lock = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        wait_ms = max(1, int(getattr(db, "write_wait", 10.0) * 1000))
        try:
            db.conn.run(f"BEGIN; SET LOCAL lock_timeout = {wait_ms}; SELECT {lock}({WRITE_LOCK})")
        except BaseException:
            # A wait past lock_timeout (busy, retried by the caller) aborts the transaction:
            # left open, the retry would join it and fail with "transaction is aborted".
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise

    def lock_rows(self, tables: str) -> str:
        return f" FOR UPDATE OF {tables}"

    def exclusive(self, db: Any) -> None:
        # Two shared holders asking at once deadlock; the server ends one of them (busy, tried
        # again by retry_busy). Only researchers' gold submits ask.
        db.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

    def end_write(self, db: Any) -> None:
        """The transaction's end released the advisory lock."""

    def version(self, db: Any) -> int:
        if db.execute("SELECT to_regclass(?)", [SCHEMA_TABLE]).fetchone()[0] is None:
            return 0
        row = db.execute(f"SELECT max(version) FROM {SCHEMA_TABLE}").fetchone()
        return int(row[0] or 0)

    def set_version(self, db: Any, version: int) -> None:
        db.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (version INTEGER NOT NULL)")
        db.execute(f"DELETE FROM {SCHEMA_TABLE}")
        db.execute(f"INSERT INTO {SCHEMA_TABLE} (version) VALUES (?)", [int(version)])

    def table_names(self, db: Any) -> list[str]:
        return [r[0] for r in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename != ? ORDER BY tablename", [SCHEMA_TABLE])]

    def busy_timeout(self, db: Any) -> int:
        # lock_timeout bounds the wait for the write lock as busy_timeout does in SQLite.
        return int(db.execute(
            "SELECT setting FROM pg_settings WHERE name = 'lock_timeout'").fetchone()[0])

    def set_page_cache(self, db: Any, kib: int) -> None:
        pass  # the server caches pages; a client holds no page cache

    def set_busy_timeout(self, db: Any, ms: int) -> None:
        # 0 waits forever on PostgreSQL; SQLite's 0 gives up at once.
        db.execute(f"SET lock_timeout = {max(1, int(ms))}")
        db.write_wait = ms / 1000
        db.busy_timeout_ms = ms  # set again on a new connection (PgDatabase.reconnect)

    def checkpoint(self, db: Any) -> None:
        """No WAL file beside the data to fold in: the server owns its files."""

    def file_path(self, db: Any) -> str | None:
        return None

    def others_wrote(self, db: Any) -> int | None:
        return None

    def begin_snapshot(self, db: Any) -> None:
        # READ COMMITTED (the default) takes a new snapshot per statement.
        db.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def after_explicit_ids(self, db: Any, table: str) -> None:
        """An identity column's sequence does not see ids inserted explicitly: move it past
        the largest, or the next insert collides with a copied row."""
        for (column,) in db.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = ?::regclass "
                "AND attidentity != '' AND NOT attisdropped", [table]).fetchall():
            db.execute(f"SELECT setval(pg_get_serial_sequence(?, ?), coalesce(max({column}), 0) + 1, "
                       f"false) FROM {table}", [table, column])

    def script(self, sqlite: str, postgres: str = "") -> list[str]:
        shared = [_ddl(s) for s in super().script(sqlite) if not _is_trigger(s)]
        return shared + [s for s in postgres.split(";\n") if s.strip()]

    def json_value(self, expr: str) -> str:
        return f"(({expr})::jsonb #>> '{{}}')"

    def stage_types(self, db: Any, table: str, columns: list[str]) -> list[str]:
        # pg_attribute, not information_schema: the latter costs tens of ms a query.
        types = dict(db.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped",
            [table]).fetchall())
        return [f'"{c}" {types.get(c, "text")}' for c in columns]

    def open_tasks(self, db: Any, kind: str, quiz: str, labeler: str, cap: int,
                   stamp: str) -> Iterator[tuple[int, str]]:
        """One statement per candidate: the oldest open task with room under `cap`, locked
        `FOR UPDATE SKIP LOCKED` so concurrent claims take different tasks instead of queueing.
        Every new assignment of a task is made under its row lock, so the caller's count
        (a new statement, hence a fresh snapshot) sees all of them before it decides."""
        after = 0
        while True:
            row = db.execute(
                _OPEN_TASKS + f" AND t.id > ? AND {TAKEN} < ? ORDER BY t.id LIMIT 1"
                " FOR UPDATE OF t SKIP LOCKED",
                [kind, quiz, labeler, after, stamp, cap]).fetchone()
            if row is None:
                return
            after = row[0]
            if db.execute("SELECT 1 FROM assignments WHERE task_id = ? AND labeler = ?",
                          [row[0], labeler]).fetchone() is None:
                yield row[0], row[1]


SQLITE = Dialect()
POSTGRES = Postgres()


def dialect_of(db: Any) -> Dialect:
    """The dialect of a store connection (a plain sqlite-utils Database is SQLite)."""
    found = getattr(db, "dialect", None)
    return found if isinstance(found, Dialect) else SQLITE


_LONE_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def is_lone_write(sql: str) -> bool:
    """A statement that writes the database's own tables (TEMP staging tables excluded): run
    outside a transaction, it takes the write lock on its own."""
    return _LONE_WRITE.match(sql) is not None and "temp." not in sql


def is_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


# -- SQLite spelling -> PostgreSQL --------------------------------------------------------------

# Quoted strings and identifiers pass through untouched; everything else is rewritten.
_TOKENS = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*")""")
_REWRITES = [
    (re.compile(r"\?"), "%s"),
    (re.compile(r"(?<![:\w]):([A-Za-z_]\w*)"), r"%(\1)s"),  # sqlite3's named parameters
    (re.compile(r"\bIS NOT (?!NULL\b|DISTINCT\b|TRUE\b|FALSE\b)"), "IS DISTINCT FROM "),
    (re.compile(r"\bIS (?!NOT\b|NULL\b|DISTINCT\b|TRUE\b|FALSE\b)"), "IS NOT DISTINCT FROM "),
    (re.compile(r"\bmain\."), ""),
    (re.compile(r"\btemp\."), "pg_temp."),
    (re.compile(r"(?<![.\w])full\b"), '"full"'),  # a reserved word in PostgreSQL
    (re.compile(r"\bCROSS JOIN (\w+ \w+ ON)\b"), r"JOIN \1"),  # SQLite's join-order hint
    (re.compile(r"json_each\(([^()]*)\) (\w+)"), r"json_array_elements_text(\1::json) AS \2(value)"),
]
_OR_IGNORE = re.compile(r"\bINSERT OR IGNORE INTO\b")


@lru_cache(maxsize=1024)
def _translate(text: str) -> str:
    parts = _TOKENS.split(text.replace("%", "%%"))  # a literal % is not a placeholder
    for i in range(0, len(parts), 2):  # even parts are outside quotes
        for pattern, repl in _REWRITES:
            parts[i] = pattern.sub(repl, parts[i])
    out = "".join(parts)
    if _OR_IGNORE.search(out):
        out = _OR_IGNORE.sub("INSERT INTO", out).rstrip().rstrip(";") + " ON CONFLICT DO NOTHING"
    return out


def _is_trigger(statement: str) -> bool:
    return statement.lstrip().upper().startswith("CREATE TRIGGER")


_DDL = [
    (re.compile(r"\bid INTEGER PRIMARY KEY\b"), "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\)\s*WITHOUT ROWID\s*$"), ")"),
]


def _ddl(statement: str) -> str:
    for pattern, repl in _DDL:
        statement = pattern.sub(repl, statement)
    if re.match(r"\s*CREATE TABLE prompts\b", statement):
        # SQLite orders prompts by rowid (import order); PostgreSQL gets that column explicitly.
        statement = statement.replace("(", "(\n    rowid BIGINT GENERATED ALWAYS AS IDENTITY,", 1)
    return statement
