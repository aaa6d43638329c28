"""The one place where SQLite and PostgreSQL differ.

Store SQL is written once, in SQLite's spelling (`?` placeholders, `INSERT OR IGNORE`,
`IS NOT ?`, `json_each`, `temp.`/`main.` schema names). A `Database` carries its `dialect`;
`SQLITE` passes statements through unchanged, `POSTGRES` rewrites them once per distinct
statement (cached) and owns the few statements that are truly different: the write lock,
the schema version, table names, busy timeouts, how a claim scans its candidates and the migrations' DDL
(column types, identity columns, triggers in PL/pgSQL).

Semantics kept identical on PostgreSQL: every `immediate()` transaction, and a lone write,
takes one exclusive advisory lock (SQLite's single writer), so read-then-write code needs no
change; only claims and labelers' submits take no global lock: they serialise per task with row
locks (`SELECT … FOR UPDATE [SKIP LOCKED]`), in one server-side function call each
(store/server_functions.py), so they run side by side.
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, Protocol, cast

from store.claim_order import window_order

# A durable SQLite write folds the log into the file after its turn once in this many (SQLite
# would do it inside a commit every 1,000 pages, ~100 submits, holding up every writer).
CHECKPOINT_CHANCE = 1 / 32
# One number for the whole database: pg_advisory_xact_lock(WRITE_LOCK) is SQLite's write lock.
WRITE_LOCK = 0x4C61_6265  # "Labe"
SCHEMA_TABLE = "schema_version"


class Rows(Protocol):
    """A cursor as the dialect reads it (sqlite3's, or `store.pg.Cursor`)."""

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """`db.conn`: sqlite3's connection, or `store.pg.Connection`."""

    @property
    def in_transaction(self) -> bool: ...
    def execute(self, sql: str, parameters: Any = ..., /) -> Rows: ...


class Connected(Protocol):
    """What the dialect uses of a store connection: `store.db.Database`, `store.pg.PgDatabase`,
    or sqlite-utils' `Database` as store functions declare theirs. The writers' queue and the
    wait bound (`write_queue`, `write_wait`) are read where a connection has them."""

    @property
    def conn(self) -> Connection: ...
    def execute(self, sql: str, parameters: Any = None) -> Rows: ...


class Bounded(Connected, Protocol):
    """A connection the store opened (`store.db.Database`, `store.pg.PgDatabase`), whose writes
    wait for their turn for up to `write_wait` seconds. Store functions declare sqlite-utils'
    `Database`, which has no such bound: `set_busy_timeout` is the one place that sets it."""

    write_wait: float
    relaxed: bool  # this transaction commits without waiting for its fsync (begin_write)
    sync_after: bool  # …and syncs the log once it has passed the turn on


class _PgConnection(Connection, Protocol):
    def run(self, script: str) -> None: ...  # store.pg.Connection.run


class _PgDatabase(Bounded, Protocol):
    busy_timeout_ms: int  # store.pg.PgDatabase sets it again on a new connection


class Dialect:
    """SQLite's behaviour; the base every store statement is written for."""

    name = "sqlite"

    def sql(self, text: str) -> str:
        return text

    def begin_write(self, db: Connected, *, shared: bool = False, durable: bool = True) -> None:
        """Start a write transaction: wait in the connection's write queue (store/writelock.py)
        while it moves (busy once it stood still for `db.write_wait` seconds), then
        `BEGIN IMMEDIATE`.

        Group commit: the transaction commits without waiting for its fsync
        (`synchronous=NORMAL`, restored by `end_write`), passes the turn on, and only then
        syncs the log (`WriteQueue.sync_log`) before `immediate()` returns: a write is
        acknowledged once it is on disk, as with `synchronous=FULL`, but the fsync no longer
        holds up the line (it was 7–8 ms of a write's 8 under load), and writers' fsyncs
        overlap (one covers every frame written before it). The WAL is written in order, so
        nothing committed after a write can be on disk without it. Not `durable` (claims,
        heartbeats): no sync at all; the next durable commit of any process covers it, and a
        power cut loses at most those claims and heartbeats, with the processes on this machine
        that made them. Without a queue (no lock file) the commit waits for its fsync."""
        queue = getattr(db, "write_queue", None)
        wait = getattr(db, "write_wait", None)
        if queue is not None and not queue.acquire(10.0 if wait is None else wait):
            raise sqlite3.OperationalError(
                "database is locked (the other writers' line stood still past the bound)")
        try:
            if wait is not None:
                # A writer outside the queue (another tool, a sqlite3 shell) is waited for
                # by SQLite itself, for the bound: our turn just came, the line moved.
                db.conn.execute(f"PRAGMA busy_timeout = {max(1, int(wait * 1000))}")
            if queue is not None or not durable:
                db.conn.execute("PRAGMA synchronous = NORMAL")
                cast(Bounded, db).relaxed = True
                cast(Bounded, db).sync_after = durable
            db.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.end_write(db)
            raise

    def lock_rows(self, tables: str) -> str:
        """The clause that locks a SELECT's rows of `tables` until the transaction ends
        (SQLite: none; its write lock covers the whole file)."""
        return ""

    def exclusive(self, db: Connected) -> None:
        """Inside a write transaction begun `shared`: from here on, write alone (SQLite
        always does)."""

    def end_write(self, db: Connected, *, committed: bool = False) -> None:
        """After the write transaction's COMMIT or ROLLBACK: the next writer's turn, then
        (group commit, `begin_write`) the fsync of a durable write that `committed`."""
        relaxed = getattr(db, "relaxed", False)
        if relaxed:
            db.conn.execute("PRAGMA synchronous = FULL")
            cast(Bounded, db).relaxed = False
        queue = getattr(db, "write_queue", None)
        if queue is not None:
            queue.release()
            if relaxed and committed and getattr(db, "sync_after", False):
                try:
                    queue.sync_log()
                except OSError as exc:
                    raise sqlite3.OperationalError(f"disk I/O error (syncing the log: {exc})") from exc
                if random.random() < CHECKPOINT_CHANCE:
                    # Out of the line: a passive checkpoint waits for no reader or writer
                    # (one process at a time folds; the others find it busy and go on).
                    try:
                        db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    except sqlite3.OperationalError:
                        # "database table is locked": this connection is still reading (a
                        # listing that writes as it goes). The write is committed and synced;
                        # a later checkpoint folds the log.
                        pass

    def version(self, db: Connected) -> int:
        return int(db.execute("PRAGMA user_version").fetchone()[0])

    def set_version(self, db: Connected, version: int) -> None:
        db.execute(f"PRAGMA user_version={int(version)}")

    def table_names(self, db: Connected) -> list[str]:
        return [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'")]

    def busy_timeout(self, db: Connected) -> int:
        return int(db.execute("PRAGMA busy_timeout").fetchone()[0])

    def set_busy_timeout(self, db: Connected, ms: int) -> None:
        """How long a write outside `retry_busy` waits for its turn (and SQLite for its lock)."""
        db.execute(f"PRAGMA busy_timeout = {int(ms)}")
        cast(Bounded, db).write_wait = ms / 1000

    def set_page_cache(self, db: Connected, kib: int) -> None:
        """At most `kib` KiB of database pages cached in this process (SQLite's own cache; the
        operating system caches the file for every process besides)."""
        db.execute(f"PRAGMA cache_size = -{int(kib)}")

    def checkpoint(self, db: Connected) -> None:
        """Fold the WAL into the file (before it is moved or copied)."""
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def file_path(self, db: Connected) -> str | None:
        """The file behind the connection; None where there is none (a server)."""
        row = db.execute("PRAGMA database_list").fetchone()
        return str(row[2]) if row and row[2] else None

    def others_wrote(self, db: Connected) -> int | None:
        """A number that changes when another connection commits (SQLite's `data_version`);
        None where there is none: the caller then assumes someone did."""
        return int(db.execute("PRAGMA data_version").fetchone()[0])

    def begin_snapshot(self, db: Connected) -> None:
        """A read-only transaction whose reads all see one moment (`db copy` of a live
        project): in WAL mode a read transaction is a snapshot."""
        db.conn.execute("BEGIN")

    def after_explicit_ids(self, db: Connected, table: str) -> None:
        """After rows went into `table` with their own ids (`db copy`): SQLite's next id
        follows the largest by itself."""

    def script(self, sqlite: str, postgres: str = "") -> list[str]:
        """A migration's statements: the shared DDL (and on PostgreSQL its own triggers)."""
        return [s for s in sqlite.split(";\n") if s.strip()]

    def create_functions(self, db: Connected, definitions: list[str]) -> None:
        """A migration's server-side functions (store/server_functions.py): none in SQLite,
        whose store runs the same rules in the process."""

    def claim_on_server(self, db: Connected, args: list[Any]) -> tuple[Any, ...] | None:
        """A claim in one round trip (`labeldesk_claim`, arguments in its order): its row, or
        None where there is no such function (SQLite: the store's statements are as fast)."""
        return None

    def submit_on_server(self, db: Connected, args: list[Any]) -> str | None:
        """A labeler's submit in one round trip (`labeldesk_submit`): its outcome, or None."""
        return None

    def json_value(self, expr: str) -> str:
        """A JSON text's value as SQL text (a JSON string unquoted)."""
        return f"json_extract({expr}, '$')"

    def stage_types(self, db: Connected, table: str, columns: list[str]) -> list[str]:
        """Column declarations of a staging table for `table` (SQLite takes any value)."""
        return [f'"{c}"' for c in columns]

    def oldest_first(self, db: Connected, select: str, params: list[Any]) -> Iterator[Any]:
        """The rows of `select` (over tasks `t`, ending in its WHERE clause) for a claim to
        choose from, oldest task first. SQLite holds the write lock: one statement, read as
        the caller decides for each in turn."""
        yield from db.execute(select + " ORDER BY t.id", params)

    def window_first(self, db: Connected, select: str, params: list[Any], window: int,
                     shuffle: str) -> Iterator[Any]:
        """`oldest_first`, but the `window` oldest rows in the order seed `shuffle` fixes first
        (store/claim_order.py)."""
        yield from window_order(self.oldest_first(db, select, params), window, shuffle)


class Postgres(Dialect):
    name = "postgresql"

    def sql(self, text: str) -> str:
        return _translate(text)

    def begin_write(self, db: Connected, *, shared: bool = False, durable: bool = True) -> None:
        # One round trip: the transaction, its bound on lock waits (`db.write_wait`, what
        # `retry_busy` has left; PostgreSQL serves lock waiters in turn, so a write waits in
        # line instead of polling) and, unless `shared`, the write lock. A `shared` write
        # (claims and submits that fall back to store statements) takes no global lock: it
        # locks the rows it decides on, as the server functions do (store/server_functions.py).
        lock = "" if shared else f"; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
        try:
            cast(_PgConnection, db.conn).run(f"BEGIN; SET LOCAL lock_timeout = {_wait_ms(db)}{lock}")
        except BaseException:
            # A wait past lock_timeout (busy, retried by the caller) aborts the transaction:
            # left open, the retry would join it and fail with "transaction is aborted".
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise

    def lock_rows(self, tables: str) -> str:
        return f" FOR UPDATE OF {tables}"

    def exclusive(self, db: Connected) -> None:
        # Only researchers' gold submits ask: they wait for the other researchers' writes (an
        # import, an adjudication) as every other write does.
        db.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

    def end_write(self, db: Connected, *, committed: bool = False) -> None:
        """The transaction's end released the advisory lock."""

    def version(self, db: Connected) -> int:
        if db.execute("SELECT to_regclass(?)", [SCHEMA_TABLE]).fetchone()[0] is None:
            return 0
        row = db.execute(f"SELECT max(version) FROM {SCHEMA_TABLE}").fetchone()
        return int(row[0] or 0)

    def set_version(self, db: Connected, version: int) -> None:
        db.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (version INTEGER NOT NULL)")
        db.execute(f"DELETE FROM {SCHEMA_TABLE}")
        db.execute(f"INSERT INTO {SCHEMA_TABLE} (version) VALUES (?)", [int(version)])

    def table_names(self, db: Connected) -> list[str]:
        return [r[0] for r in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename != ? ORDER BY tablename", [SCHEMA_TABLE])]

    def busy_timeout(self, db: Connected) -> int:
        # The bound every write transaction gives its lock waits (`lock_timeout`), as SQLite's
        # busy_timeout bounds its wait for the write lock.
        return int(cast(_PgDatabase, db).busy_timeout_ms)

    def set_page_cache(self, db: Connected, kib: int) -> None:
        pass  # the server caches pages; a client holds no page cache

    def set_busy_timeout(self, db: Connected, ms: int) -> None:
        # Kept on the connection object, never as a session `SET`: each write transaction sets
        # its own (`begin_write`, the server functions), so a pooler in transaction mode may
        # hand the server session to others in between (docs/deployment.md).
        cast(_PgDatabase, db).write_wait = ms / 1000
        cast(_PgDatabase, db).busy_timeout_ms = ms

    def checkpoint(self, db: Connected) -> None:
        """No WAL file beside the data to fold in: the server owns its files."""

    def file_path(self, db: Connected) -> str | None:
        return None

    def others_wrote(self, db: Connected) -> int | None:
        return None

    def begin_snapshot(self, db: Connected) -> None:
        # READ COMMITTED (the default) takes a new snapshot per statement.
        db.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def after_explicit_ids(self, db: Connected, table: str) -> None:
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

    def create_functions(self, db: Connected, definitions: list[str]) -> None:
        for sql in definitions:
            cast(_PgConnection, db.conn).run(sql)  # as written: no SQLite spelling to rewrite, no parameters

    def claim_on_server(self, db: Connected, args: list[Any]) -> tuple[Any, ...] | None:
        return tuple(db.execute(
            "SELECT * FROM labeldesk_claim(?::text, ?::text, ?::text, ?::integer, ?::integer, "
            "?::text, ?::text, ?::text, ?::text, ?::text, ?::double precision, ?::text, "
            "?::integer, ?::boolean, ?::integer)", [*args, _wait_ms(db)]).fetchone())

    def submit_on_server(self, db: Connected, args: list[Any]) -> str | None:
        return str(db.execute(
            "SELECT labeldesk_submit(?::bigint, ?::text[], ?::text[], ?::text[], ?::text[], "
            "?::double precision, ?::double precision, ?::integer, ?::boolean, ?::text, "
            "?::text, ?::integer)", [*args, _wait_ms(db)]).fetchone()[0])

    def json_value(self, expr: str) -> str:
        return f"(({expr})::jsonb #>> '{{}}')"

    def stage_types(self, db: Connected, table: str, columns: list[str]) -> list[str]:
        # pg_attribute, not information_schema: the latter costs tens of ms a query.
        types = dict(db.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped",
            [table]).fetchall())
        return [f'"{c}" {types.get(c, "text")}' for c in columns]

    def oldest_first(self, db: Connected, select: str, params: list[Any],
                     after: int = 0) -> Iterator[Any]:
        """One statement per row: the oldest after the last one (after task `after`), locked
        `FOR UPDATE SKIP LOCKED` so concurrent claims take different tasks instead of queueing.
        Every new assignment of a task is made under its row lock, so the caller's next
        statement (a fresh snapshot) sees all of them before it decides."""
        while True:
            row = db.execute(select + " AND t.id > ? ORDER BY t.id LIMIT 1 FOR UPDATE OF t SKIP LOCKED",
                             [*params, after]).fetchone()
            if row is None:
                return
            after = row[0]
            yield row

    def window_first(self, db: Connected, select: str, params: list[Any], window: int,
                     shuffle: str) -> Iterator[Any]:
        """The `window` oldest rows read unlocked, then locked one at a time in the order
        seed `shuffle` fixes (`SKIP LOCKED`: a task another claim holds is passed over, as above, and one
        that filled up meanwhile too); past the window, `oldest_first`."""
        head = db.execute(select + " ORDER BY t.id LIMIT ?", [*params, window]).fetchall()
        for row in window_order(head, window, shuffle):
            if db.execute('SELECT 1 FROM tasks t WHERE t.id = ? AND t."full" = 0'
                          " FOR UPDATE OF t SKIP LOCKED", [row[0]]).fetchone() is not None:
                yield row
        if len(head) == window:  # more than the window may be open
            yield from self.oldest_first(db, select, params, after=head[-1][0])


def _wait_ms(db: Connected) -> int:
    """How long a write may wait for a lock, in ms (what `retry_busy` has left of its bound);
    set per transaction, never per session (a pooler may hand the session to others)."""
    return max(1, int(getattr(db, "write_wait", 10.0) * 1000))


SQLITE = Dialect()
POSTGRES = Postgres()


def dialect_of(db: Connected) -> Dialect:
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
