"""A throwaway PostgreSQL cluster for the tests: one per pytest session (per xdist worker).

It listens on a Unix socket in its own temp dir only (no TCP), with fsync, synchronous_commit
and full_page_writes off: nothing in it has to survive. The schema is migrated once into a
template database; every test gets `CREATE DATABASE t_<n> TEMPLATE labeldesk_template` (a
file copy) and drops it after. A thread keeps the next databases ready and drops used ones,
so a test waits for neither (copying one takes ~0.1 s, more than many tests). As root, initdb and the server run as `postgres`
(initdb refuses root) in a dir that user owns.
"""

from __future__ import annotations

import itertools
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

PG_BIN = Path(os.environ.get("LABELDESK_PG_BIN", "/usr/lib/postgresql/15/bin"))
TEMPLATE = "labeldesk_template"
AHEAD = 2  # databases made ready before they are asked for


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
        self._work: queue.Queue[str | None] = queue.Queue()  # URLs to drop; None: stop

    def _run(self, *argv: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *argv], check=True, capture_output=True, text=True)

    def start(self) -> None:
        if self.user:
            shutil.chown(self.root, self.user)
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-E", "UTF8",
                  "--no-locale", "-U", "postgres", "--no-sync")
        options = f"-c listen_addresses='' -k {self.root} " + " ".join(
            f"-c {name}={value}" for name, value in self.settings.items())
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-w",
                  "-l", str(self.root / "log"), "start")
        self.started = True
        self._admin(f"CREATE DATABASE {TEMPLATE}")
        from store.db import open_db

        open_db(self.url(TEMPLATE)).close()
        self._helper = threading.Thread(target=self._keep_ready, daemon=True)
        self._helper.start()

    def _keep_ready(self) -> None:
        while True:
            try:
                url = self._work.get(timeout=0.05)
            except queue.Empty:
                if not self._ready.full():
                    self._ready.put(self._create(empty=False))
                continue
            if url is None:
                return
            self._drop_now(url)

    def url(self, name: str) -> str:
        return f"postgresql://postgres@/{name}?host={self.root}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def new_database(self, *, empty: bool = False) -> str:
        """A fresh database (its URL): migrated, or `empty` as a new server database is."""
        return self._create(empty=True) if empty else self._ready.get(timeout=60)

    def _create(self, *, empty: bool) -> str:
        name = f"t_{next(self._names)}"
        template = "template0" if empty else TEMPLATE
        self._admin(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        return self.url(name)

    def drop(self, url: str) -> None:
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
