"""A throwaway PostgreSQL cluster for the tests: one per pytest session (per xdist worker).

It listens on a Unix socket in its own temp dir only (no TCP), with fsync, synchronous_commit
and full_page_writes off: nothing in it has to survive. The schema is migrated once into a
template database, copied (`CREATE DATABASE … TEMPLATE`, ~0.1 s) for the tests. A test gives
its database back: a thread empties it (every row deleted, identities restarted: ~5 ms) and
hands it to a later test, or drops it when the test changed the schema; the same thread keeps
a few databases ready, so a test waits for neither. As root, initdb and the server run as
`postgres` (initdb refuses root) in a dir that user owns.
"""

from __future__ import annotations

import itertools
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.db import Database


def _pg_bin() -> Path:
    """LABELDESK_PG_BIN, else the newest Debian install (/usr/lib/postgresql/<version>/bin)."""
    if os.environ.get("LABELDESK_PG_BIN"):
        return Path(os.environ["LABELDESK_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
TEMPLATE = "labeldesk_template"
AHEAD = 3  # databases made ready before they are asked for


def missing() -> str | None:
    """Why no cluster can be started here (None: it can)."""
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL is not installed ({PG_BIN}/initdb missing; apt-get install postgresql)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: initdb refuses root"
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_orphans() -> None:
    """Clusters of test sessions that were killed (their owner pid is gone): stop and remove."""
    for owner in Path(tempfile.gettempdir()).glob("labeldesk-pg-*/owner.pid"):
        try:
            pid = int(owner.read_text())
        except (OSError, ValueError):
            continue
        if _alive(pid):
            continue
        root = owner.parent
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate",
                        "-w", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


class Cluster:
    def __init__(self, **settings: str | int) -> None:
        # Server settings over the tests' defaults (bench_load: durable, more connections).
        self.settings = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
                         "max_connections": 200, **settings}
        self.root = Path(tempfile.mkdtemp(prefix="labeldesk-pg-"))
        self.data = self.root / "data"
        self.user = "postgres" if os.geteuid() == 0 else None
        self._names = itertools.count(1)
        self.started = False
        self._ready: queue.Queue[str] = queue.Queue(maxsize=AHEAD)
        self._work: queue.Queue[str | None] = queue.Queue()  # URLs given back; None: stop
        self._empty: set[str] = set()
        self._shape: tuple[object, ...] = ()
        self._reset_sql = ""
        self._filled: set[str] = set()  # templates `filled` made

    def _run(self, *argv: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *argv], check=True, capture_output=True, text=True)

    def start(self) -> None:
        _stop_orphans()
        (self.root / "owner.pid").write_text(str(os.getpid()))
        if self.user:
            shutil.chown(self.root, self.user)
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-E", "UTF8",
                  "--no-locale", "-U", "postgres", "--no-sync")
        self.start_server()
        self.started = True
        self._server_version = int((self.data / "PG_VERSION").read_text().split(".")[0])
        self._admin(f"CREATE DATABASE {TEMPLATE}")
        from store.db import open_db

        open_db(self.url(TEMPLATE)).close()
        self._learn_template()
        self._helper = threading.Thread(target=self._keep_ready, daemon=True)
        self._helper.start()

    def start_server(self) -> None:
        """Start the server (again, after `stop_server`: a test of a server that goes away)."""
        options = f"-c listen_addresses='' -k {self.root} " + " ".join(
            f"-c {name}={value}" for name, value in self.settings.items())
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-w",
                  "-l", str(self.root / "log"), "start")

    def stop_server(self, mode: str = "fast") -> None:
        """`pg_ctl stop -m fast`: every session is ended, as an operator's restart does."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def _keep_ready(self) -> None:
        import psycopg

        while True:
            try:
                url = self._work.get(timeout=0.05)
            except queue.Empty:
                if not self._ready.full():
                    try:
                        self._ready.put(self._create(empty=False))
                    except psycopg.OperationalError:  # the server is stopped (stop_server)
                        time.sleep(0.1)
                continue
            if url is None:
                return
            if url in self._empty or self._ready.full() or not self._reset(url):
                self._drop_now(url)
            else:
                self._ready.put(url)

    def _shape_of(self, conn) -> tuple[object, ...]:
        """What a test must not have changed for its database to be reused."""
        version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        tables = conn.execute(
            "SELECT string_agg(c.relname || '.' || a.attname, ',' ORDER BY c.relname, a.attnum) "
            "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
            "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0"
        ).fetchone()[0]
        triggers = conn.execute("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal").fetchone()[0]
        return version, tables, triggers

    def _learn_template(self) -> None:
        import psycopg

        with psycopg.connect(self.url(TEMPLATE), autocommit=True) as conn:
            self._shape = self._shape_of(conn)
            tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename != 'schema_version'")]
            sequences = [r[0] for r in conn.execute(
                "SELECT pg_get_serial_sequence(table_name, column_name) FROM information_schema.columns "
                "WHERE table_schema = 'public' AND is_identity = 'YES'")]
        # session_replication_role = replica: no triggers (events forbid DELETE).
        self._reset_sql = ("BEGIN; SET LOCAL session_replication_role = replica; "
                           + "".join(f"DELETE FROM {t}; " for t in tables)
                           + "".join(f"SELECT setval('{s}', 1, false); " for s in sequences)
                           + "COMMIT")

    def _reset(self, url: str) -> bool:
        """Empty a used database for the next test; False when it cannot be reused."""
        import psycopg

        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("SET lock_timeout = 2000")
                if self._shape_of(conn) != self._shape:
                    return False
                conn.execute(self._reset_sql)
        except psycopg.Error:
            return False
        return True

    def url(self, name: str) -> str:
        return f"postgresql://postgres@/{name}?host={self.root}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self, *, empty: bool = False) -> str:
        """A fresh database (its URL): migrated, or `empty` as a new server database is."""
        return self._create(empty=True) if empty else self._ready.get(timeout=60)

    def _create(self, *, empty: bool) -> str:
        name = f"t_{next(self._names)}"
        template = "template0" if empty else TEMPLATE
        # FILE_COPY (PostgreSQL 15+) copies a small database faster than the WAL_LOG default.
        strategy = " STRATEGY FILE_COPY" if self._server_version >= 15 else ""
        self._admin(f"CREATE DATABASE {name} TEMPLATE {template}{strategy}")
        if empty:
            self._empty.add(self.url(name))
        return self.url(name)

    def filled(self, url: str, name: str, fill: Callable[[Database], None]) -> None:
        """Make the test's database at `url` a copy of template `name`, which `fill` filled
        once on a migrated database (the demo project: imported once a session, not once a
        test). The copy replaces the database at the same URL."""
        if name not in self._filled:
            self._admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
            from store.db import open_db

            database = open_db(self.url(name))
            fill(database)
            database.close()
            self._filled.add(name)
        self._drop_now(url)
        strategy = " STRATEGY FILE_COPY" if self._server_version >= 15 else ""
        self._admin(f"CREATE DATABASE {url.split('@/', 1)[1].split('?', 1)[0]} TEMPLATE {name}{strategy}")

    def drop(self, url: str) -> None:
        """Give a test's database back (emptied for reuse, or dropped)."""
        self._work.put(url)

    def _drop_now(self, url: str) -> None:
        name = url.split("@/", 1)[1].split("?", 1)[0]
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        if self.started:
            self._work.put(None)
            self._helper.join(timeout=30)
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
