"""Opening the one SQLite file every labeler's process shares.

WAL lets readers run beside the single writer; `busy_timeout` makes writers queue instead of
failing; `synchronous=FULL` because a label that was acknowledged must survive a power cut.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from store import migrations  # by module: tests replace its MIGRATIONS and LATEST
from store.dialect import SQLITE, Dialect, dialect_of, is_lone_write, is_url
from store.errors import StoreError, Unreachable, fault_kind
from store.secrets import mask
from store.wal_owner import fold_if_replaced, record_owner, refuse_foreign_wal
from store.writelock import WriteQueue

T = TypeVar("T")

if TYPE_CHECKING:
    import sqlite_utils

    _Full = sqlite_utils.Database
else:
    _Full = object

BUSY_TIMEOUT_MS = 10_000
# The app writes on its UI thread; its store calls go through `retry_busy`, which waits in the
# writers' queue (store/writelock.py) while it moves and tells the labeler the database is busy
# once it stood still for BUSY_BOUND (PostgreSQL: once the server's lock queue kept it that
# long). Calls outside `retry_busy` use APP_BUSY_TIMEOUT_MS as that bound.
APP_BUSY_TIMEOUT_MS = 2_000
# SQLite's page cache for a labeler's session, KiB (its default is 2,000). A session reads a
# few pages per claim and submit, and every other labeler's commit empties the cache anyway
# (SQLite drops it when another connection wrote); the default filled over the first few hundred
# tasks and was most of what a session grew by in a real terminal (bench_memory.pty_growth).
APP_PAGE_CACHE_KIB = 256
BUSY_BOUND = 6.0  # seconds a stuck write keeps trying before the labeler is told the database is busy
BUSY_PAUSE = (0.001, 0.004)


class FileReplaced(StoreError):
    """The file at the database's path is no longer the one the connection opened."""


class Database(_Full):
    """What every store function takes: the connection (`conn`) and `execute`, which is all
    the store itself uses. The rest of sqlite-utils' `Database` (`db["table"]`,
    `table_names()`, …) is there too, built on first use — so to a type checker this is a
    `sqlite_utils.Database` — and a labeler's start-up never imports sqlite-utils (~35 ms).
    """

    # `[guidelines] version` of the process's config, stamped on every label it writes
    # (store.labels.write_labels); set by whoever opens the database with a config.
    guideline_version: str | None = None
    dialect: Dialect = SQLITE
    read_only = False  # opened only to read (store/read_only.py): no write is attempted
    relaxed = False  # the open write commits without waiting for its fsync (Dialect.begin_write)
    sync_after = False  # …and syncs the log after passing the turn on

    def __init__(self, conn: sqlite3.Connection, path: str | None = None) -> None:
        self.conn = conn
        self._utils: sqlite_utils.Database | None = None
        self.path = path
        self._identity = _identity(path)
        self.session_id: str | None = None  # the app's session (store/sessions.py)
        # Writers queue on a lock file beside the database (store/writelock.py); how long a
        # write waits for its turn before it is "busy" (`retry_busy` sets its own bound).
        self.write_queue = WriteQueue(path) if path and self._identity is not None else None
        if self.write_queue is not None:
            # SQLite folds the log into the file inside the commit that crosses 1,000 pages,
            # fsyncs and all, while every queued writer waits; writers here fold it after
            # their turn instead (Dialect.end_write).
            conn.execute("PRAGMA wal_autocheckpoint = 0")
        self.write_wait = BUSY_TIMEOUT_MS / 1000

    def check_same_file(self) -> None:
        """Refuse to write when the file at `path` is no longer the one this connection opened
        (deleted, or replaced by a restore or a copy): SQLite would go on writing into the
        unlinked old file and every "saved" would be a lie."""
        if self._identity is None:
            return
        now_there = _identity(self.path)
        if now_there is None and not _reachable(self.path):
            # An unmounted share, a directory moved away: the file may come back as it was.
            raise Unreachable(f"the database file {self.path} cannot be reached (its "
                              "directory or disk is gone)")
        if now_there != self._identity:
            what = "deleted" if now_there is None else "replaced by another file"
            raise FileReplaced(f"the database file {self.path} was {what} while LabelDesk was "
                               "running; nothing was saved. Tell your coordinator")

    def reconnect(self) -> None:
        """After a fault of kind ``unreachable``: returns once the same file is back at its
        path and can be read; raises the fault (or `FileReplaced`) otherwise."""
        self.check_same_file()
        self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()

    def fold_if_replaced(self) -> None:
        """The file was replaced: leave its name with an empty log (store/wal_owner.py)."""
        if self._identity is not None and self.path and _identity(self.path) != self._identity:
            fold_if_replaced(self.conn, self.path, self._identity)

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        args = () if parameters is None else parameters
        if self.write_queue is None or self.conn.in_transaction or not is_lone_write(sql):
            return self.conn.execute(sql, args)
        # A write on its own waits its turn in the queue too (a draft saved while others
        # submit): outside it, it would poll SQLite's lock against the queue's holder.
        with immediate(self):
            return self.conn.execute(sql, args)

    def close(self) -> None:
        self.fold_if_replaced()
        self.conn.close()
        if self.write_queue is not None:
            self.write_queue.close()

    def utils(self) -> sqlite_utils.Database:
        """The full sqlite-utils API on this connection (no sqlite-utils plugins: loading
        them scans every installed package)."""
        if self._utils is None:
            # here, not at the top: sqlite-utils stays off the app's start-up path (tests/test_import_hygiene.py)
            import sqlite_utils

            self._utils = sqlite_utils.Database(self.conn, execute_plugins=False)
        return self._utils

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not sqlite-utils' public API (and no recursion in copies)
            raise AttributeError(name)
        return getattr(self.utils(), name)

    def __getitem__(self, table: str) -> sqlite_utils.db.Table | sqlite_utils.db.View:
        return self.utils()[table]

    def __repr__(self) -> str:
        return f"<store.db.Database {self.conn!r}>"


def set_guideline_version(db: Any, version: str | None) -> None:
    """Stamp every label written through `db` from now on with `version` (`[guidelines]
    version`); `db` is a `Database` (typed loosely: callers hold it as sqlite-utils')."""
    db.guideline_version = version or None


def guideline_version_of(db: Any) -> str | None:
    """The version `set_guideline_version` gave `db`; None for any other connection."""
    return getattr(db, "guideline_version", None)


def _identity(path: str | None) -> tuple[int, int] | None:
    """(device, inode) of a database file; None in memory or when there is no file."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _reachable(path: str | None) -> bool:
    """Whether the directory that should hold `path` can be read (a file missing from a
    directory that is there was deleted; a directory that is not there took it along)."""
    try:
        os.stat(os.path.dirname(os.path.abspath(path or ".")))
    except OSError:
        return False
    return True


def reconnect(db: Any) -> None:
    """Try the database again after a fault of kind ``unreachable`` (`store.errors.fault_kind`):
    returns once writes can go through (PostgreSQL: a new connection when the old one was
    lost), raises the fault while it is still out of reach."""
    again = getattr(db, "reconnect", None)
    if again is not None:
        again()


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _open_problem(path: Path, exc: sqlite3.DatabaseError) -> str:
    """Why a database cannot be opened, in the words its owner needs to fix it."""
    kind = fault_kind(exc)
    if "not a database" in str(exc) or kind == "corrupt":
        return f"not a LabelDesk database, or a damaged one ({exc})"
    if not path.parent.is_dir():
        return f"cannot open it: the directory {path.parent} does not exist"
    if kind == "readonly" or not os.access(path.parent, os.W_OK) or (
        path.exists() and not os.access(path, os.W_OK)
    ):
        return ("read-only here: LabelDesk must be able to write the file and its directory "
                "(SQLite keeps -wal and -shm files beside it)")
    if kind == "full" or (kind in ("io", "unreachable") and shutil.disk_usage(path.parent).free < 1 << 20):
        return "the disk holding the database is full"
    return f"cannot read the database ({exc})"


def connect(path: str | Path) -> Database:
    """A connection with our pragmas, without running migrations; a ``postgresql://`` URL
    connects to PostgreSQL (store/pg.py, imported only then)."""
    path = str(path)
    if is_url(path):
        # here, not at the top: psycopg loads only for a PostgreSQL URL
        from store import pg

        # The same surface as Database (store/pg.py); typed as one, as sqlite-utils' is.
        return pg.connect(path, BUSY_TIMEOUT_MS)  # type: ignore[return-value]
    on_disk = path != ":memory:" and not path.startswith("file:")
    if on_disk:
        refuse_foreign_wal(path)  # before SQLite replays it
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
        raise StoreError(f"{path}: {_open_problem(Path(path), exc)}") from exc
    if on_disk and mode.lower() == "wal":
        record_owner(path)
    return Database(conn, path)


def run_migrations(db: Database, path: str) -> None:
    """Bring the database up to ``migrations.LATEST``: the missing steps and the version bump in
    one write transaction (``BEGIN IMMEDIATE``; PostgreSQL: under the write lock)."""
    if migrations.check_version(db, path) == migrations.LATEST:
        return
    with immediate(db):
        # Re-read under the write lock: another process may have migrated meanwhile.
        current = migrations.check_version(db, path)
        for step in range(current, migrations.LATEST):
            migrations.MIGRATIONS[step](db)
            db.dialect.set_version(db, step + 1)


def open_db(path: str | Path, *, migrate: bool = True) -> Database:
    db = connect(path)
    try:
        if migrate:
            run_migrations(db, mask(str(path)))  # a URL's password never in a message
        else:
            migrations.check_version(db, mask(str(path)))
    except sqlite3.DatabaseError as exc:
        db.conn.close()
        if is_url(str(path)):
            raise StoreError(f"{mask(str(path))}: cannot open it ({exc})") from exc
        raise StoreError(f"{path}: {_open_problem(Path(path), exc)}") from exc
    except StoreError:
        db.conn.close()
        raise
    return db


def retry_busy(fn: Callable[..., T], *args: Any, bound: float | None = None, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, tried again after a short random pause while the database is
    busy, for up to ``bound`` (default ``BUSY_BOUND``) seconds. ``fn`` must be one transaction
    (a busy error leaves nothing behind). Other errors, and a busy one past the bound, propagate.
    A Database among ``args`` waits for the write lock in its queue (store/writelock.py) as
    long as the queue moves, and is busy once it stood still for what is left of the bound (on
    PostgreSQL: waits in the server's lock queue for what is left of the bound).
    """
    db = next((a for a in args if isinstance(getattr(a, "dialect", None), Dialect)), None)
    bound = BUSY_BOUND if bound is None else bound
    end = time.monotonic() + bound
    before = getattr(db, "write_wait", None)
    try:
        while True:
            if db is not None:
                db.write_wait = max(0.001, end - time.monotonic())
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                if fault_kind(exc) != "busy" or time.monotonic() >= end:
                    raise
                time.sleep(random.uniform(*BUSY_PAUSE))
    finally:
        if db is not None and before is not None:
            db.write_wait = before


@contextmanager
def immediate(db: sqlite_utils.Database, *, shared: bool = False,
              durable: bool = True) -> Iterator[sqlite_utils.Database]:
    """`BEGIN IMMEDIATE` … `COMMIT`: takes the write lock before the first read.

    A deferred `BEGIN` that reads and then writes fails with "database is locked" under
    concurrency (measured: most of 4,000 claims across 8 processes), `busy_timeout` or not.
    On PostgreSQL the write lock is an advisory lock (store/dialect.py); `shared` (claims and
    labelers' submits) takes none: they lock the rows they decide on instead.
    `durable=False` (SQLite): a commit that need not wait for its fsync (`Dialect.begin_write`).
    """
    conn = db.conn
    if conn.in_transaction:
        # Nested use joins the outer transaction: one commit for the whole unit of work.
        yield db
        return
    dialect = dialect_of(db)
    dialect.begin_write(db, shared=shared, durable=durable)
    try:
        # Under the write lock, so no restore can slip in between the check and the writes.
        check = getattr(db, "check_same_file", None)  # a plain sqlite-utils Database has none
        if check is not None:
            check()
        yield db
    except BaseException as exc:
        # SQLite may have rolled back already (a full disk, an I/O error): a second ROLLBACK
        # would raise and hide the error that matters.
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        finally:
            dialect.end_write(db)
        fold = getattr(db, "fold_if_replaced", None)
        if isinstance(exc, FileReplaced) and fold is not None:
            fold()  # now, in case this process is killed before it closes
        raise
    committed = False
    try:
        conn.execute("COMMIT")
        committed = True
    except sqlite3.Error:
        # A commit that fails (disk full, I/O) must not leave the connection inside a
        # transaction that every later write would then trip over.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        dialect.end_write(db, committed=committed)  # SQLite: the fsync, once the turn is passed on
