"""A PostgreSQL connection with the surface the store uses of `store.db.Database`.

psycopg (3) is imported here only, and this module only when a `postgresql://` URL is opened:
a SQLite user's start-up never loads it. Statements are written in SQLite's spelling and
rewritten by `store.dialect.POSTGRES`; psycopg's errors are raised as `sqlite3` error classes
(with the fault kind attached) so every `except sqlite3.Error` and `store.errors.fault_kind`
works unchanged on both backends.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus

from store.dialect import POSTGRES, Dialect, is_lone_write
from store.errors import StoreError
from store.secrets import mask
from store.text import one_line


class PgOperationalError(sqlite3.OperationalError):
    """A PostgreSQL fault, as SQLite's class; `fault` is its `store.errors.fault_kind`."""

    fault = "io"


class PgIntegrityError(sqlite3.IntegrityError):
    fault = "io"


# SQLSTATE (or its class, the first two characters) -> fault kind.
_FAULTS = {
    "40001": "busy", "40P01": "busy", "55P03": "busy", "57014": "busy",  # serialization, deadlock,
    "53100": "full", "25006": "readonly", "42501": "readonly",  # lock/statement timeout
    "XX001": "corrupt", "XX002": "corrupt",
    # The server went away: shut down (fast/immediate, or our backend terminated), crashed,
    # or still starting up. Class 08 (connection exceptions) is matched below.
    "57P01": "unreachable", "57P02": "unreachable", "57P03": "unreachable",
}
# Seconds a reconnection may take before the server counts as still unreachable.
CONNECT_TIMEOUT = 3


def _mapped(exc: psycopg.Error, raw: psycopg.Connection[Any] | None = None
            ) -> PgOperationalError | PgIntegrityError:
    state = exc.sqlstate or ""
    kind = _FAULTS.get(state, "io")
    # A connection that is closed or broken has no SQLSTATE to give ("the connection is
    # closed", "server closed the connection unexpectedly", "consuming input failed").
    if state.startswith("08") or (raw is not None and raw.closed) or (
            not state and isinstance(exc, psycopg.OperationalError)):
        kind = "unreachable"
    cls: type[PgOperationalError] | type[PgIntegrityError]
    # 23: integrity constraints; P0001: a trigger's RAISE (the append-only events), as in SQLite.
    cls = PgIntegrityError if state.startswith("23") or state == "P0001" else PgOperationalError
    words = {"busy": "database is locked: ", "full": "disk is full: "}.get(kind, "")
    err = cls(f"{words}{mask(one_line(' '.join(str(exc).split())))}")
    err.fault = kind
    return err


class _BoolAsInt(Dumper):
    """SQLite stores True as 1: store code passes bools for INTEGER columns."""

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class _Number(Loader):
    """sum()/avg() give NUMERIC on PostgreSQL; SQLite gives int or float, and so do we."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        try:
            return int(text)
        except ValueError:  # a fraction, NaN or Infinity
            return float(text)


class Cursor:
    """psycopg's cursor behind SQLite's spelling: `execute` rewrites and maps errors."""

    def __init__(self, raw: psycopg.Cursor[Any]) -> None:
        self._raw = raw

    def execute(self, sql: str, parameters: Any = None) -> Cursor:
        try:
            args = parameters if isinstance(parameters, dict) else list(parameters or ())
            self._raw.execute(POSTGRES.sql(sql), args)
        except psycopg.Error as exc:
            raise _mapped(exc, self._raw.connection) from exc
        return self

    def executemany(self, sql: str, rows: Sequence[Any]) -> Cursor:
        try:
            self._raw.executemany(POSTGRES.sql(sql), rows)
        except psycopg.Error as exc:
            raise _mapped(exc, self._raw.connection) from exc
        return self

    def fetchone(self) -> Any:
        return self._raw.fetchone() if self._raw.description is not None else None

    def fetchall(self) -> list[Any]:
        return self._raw.fetchall() if self._raw.description is not None else []

    def fetchmany(self, size: int = 1) -> list[Any]:
        return self._raw.fetchmany(size) if self._raw.description is not None else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())

    @property
    def rowcount(self) -> int:
        return self._raw.rowcount

    @property
    def description(self) -> Any:
        return self._raw.description

    def close(self) -> None:
        self._raw.close()


_OPEN = (TransactionStatus.ACTIVE, TransactionStatus.INTRANS, TransactionStatus.INERROR)


class Connection:
    """`db.conn`: what the store (and `immediate`) uses of sqlite3's connection."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    @property
    def in_transaction(self) -> bool:
        # UNKNOWN is a lost connection: the server rolled back whatever was open, and a
        # ROLLBACK sent now would only hide the error that says so.
        return self.raw.info.transaction_status in _OPEN

    def cursor(self) -> Cursor:
        try:
            return Cursor(self.raw.cursor())
        except psycopg.Error as exc:  # "the connection is closed"
            raise _mapped(exc, self.raw) from exc

    def execute(self, sql: str, parameters: Any = None) -> Cursor:
        return self.cursor().execute(sql, parameters)

    def run(self, script: str) -> None:
        """Statements without parameters, `;`-separated, sent as they are in one round trip
        (PostgreSQL's simple query protocol; no SQLite spelling rewritten)."""
        try:
            self.raw.execute(script.encode())
        except psycopg.Error as exc:
            raise _mapped(exc, self.raw) from exc

    def executemany(self, sql: str, rows: Sequence[Any]) -> Cursor:
        return self.cursor().executemany(sql, rows)

    def commit(self) -> None:
        """As sqlite3's: end the open transaction, if any."""
        if self.in_transaction:
            self.execute("COMMIT")

    def close(self) -> None:
        self.raw.close()


class PgDatabase:
    """A PostgreSQL database as the store sees it (see `store.db.Database`)."""

    dialect: Dialect = POSTGRES
    guideline_version: str | None = None

    def __init__(self, raw: psycopg.Connection[Any], url: str) -> None:
        self.conn = Connection(raw)
        self.path = url
        self.session_id: str | None = None
        self.write_wait = 10.0  # seconds a write waits for its locks (Dialect.begin_write)
        self.busy_timeout_ms = 10_000  # the lock wait last set (Postgres.set_busy_timeout)

    def execute(self, sql: str, parameters: Any = None) -> Cursor:
        if self.conn.in_transaction or not is_lone_write(sql):
            return self.conn.execute(sql, parameters)
        # A write on its own waits for the write lock too, as every SQLite write does: a
        # transaction that read first (`immediate`) never sees the rows change under it.
        POSTGRES.begin_write(self)
        try:
            cur = self.conn.execute(sql, parameters)
        except BaseException:
            if self.conn.in_transaction:  # not after a lost connection
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        return cur

    def check_same_file(self) -> None:
        """A server has no file to be swapped under us: nothing to check."""

    def table_names(self) -> list[str]:
        return POSTGRES.table_names(self)

    def reconnect(self) -> None:
        """After the server went away: a new connection if the old one is gone, else nothing.
        Raises `store.errors.Unreachable`-kind errors (`fault` ``unreachable``) while the
        server is still out of reach. Whatever was open on the old connection was rolled back
        by the server; the lock wait travels with each transaction (no session setting)."""
        try:
            if not self.conn.raw.closed:
                self.conn.execute("SELECT 1")
                return
        except sqlite3.OperationalError as exc:
            if getattr(exc, "fault", "") != "unreachable":
                raise
        raw = _open(self.path, connect_timeout=CONNECT_TIMEOUT)
        old, self.conn = self.conn, Connection(raw)
        try:
            old.close()
        except psycopg.Error:
            pass

    def close(self) -> None:
        self.conn.close()

    def __repr__(self) -> str:
        return f"<store.pg.PgDatabase {mask(self.path)}>"


# A server whose host dies or whose network drops answers nothing and closes nothing: without
# these a write waits for the kernel's retransmissions (~15 min) and an idle connection never
# learns. libpq's TCP keepalives find a silent peer on an idle connection in ~60 s, and
# tcp_user_timeout fails a write whose data goes unacknowledged for 30 s; either becomes the
# `unreachable` fault the app rides out. A URL's own values win; a Unix socket ignores them.
TCP_SETTINGS = {"keepalives": "1", "keepalives_idle": "30", "keepalives_interval": "10",
                "keepalives_count": "3", "tcp_user_timeout": "30000"}


def _open(url: str, **options: Any) -> psycopg.Connection[Any]:
    try:
        given = conninfo_to_dict(url)
    except psycopg.Error:
        given = {}  # connect() below reports the malformed URL
    options = {**{k: v for k, v in TCP_SETTINGS.items() if k not in given}, **options}
    try:
        # No prepared statements: under a pooler in transaction mode (PgBouncer before 1.21,
        # Debian 12's 1.18) the next transaction may run on a server session that never saw
        # the PREPARE. Claims and submits are one call each, and the functions' own plans
        # are cached by the server session that runs them.
        raw = psycopg.connect(url, autocommit=True, prepare_threshold=None, **options)
    except psycopg.Error as exc:
        err = _mapped(exc)
        err.fault = "unreachable"  # no connection at all: never a half-done write
        raise err from exc
    raw.adapters.register_dumper(bool, _BoolAsInt)
    raw.adapters.register_loader("numeric", _Number)
    return raw


def connect(url: str, busy_timeout_ms: int) -> PgDatabase:
    try:
        raw = _open(url)
    except sqlite3.Error as exc:
        raise StoreError(f"{mask(url)}: cannot connect to PostgreSQL ({mask(str(exc))})") from exc
    db = PgDatabase(raw, url)
    POSTGRES.set_busy_timeout(db, busy_timeout_ms)
    return db
