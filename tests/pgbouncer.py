"""A throwaway PgBouncer in front of a test cluster (tests/pg_cluster.py), Unix socket only.

Transaction mode with fewer server connections than clients: consecutive transactions of one
client land on whichever server connection is free, so anything a client leaves on a server
session (a `SET`, a prepared statement, a TEMP table, a session advisory lock) reaches another
client or is missing on its own next transaction, as behind a production pooler.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

PORT = 6432
BINARY = os.environ.get("LABELDESK_PGBOUNCER", "/usr/sbin/pgbouncer")


def missing() -> str | None:
    """Why no PgBouncer can be started here (None: it can)."""
    if not Path(BINARY).exists() and shutil.which("pgbouncer") is None:
        return "PgBouncer is not installed (apt-get install pgbouncer)"
    return None


class Bouncer:
    def __init__(self, cluster, *, mode: str = "transaction", pool_size: int = 2,
                 max_client_conn: int = 400) -> None:
        self.cluster = cluster
        self.max_client_conn = max_client_conn
        self.dir = cluster.root / f"bouncer-{mode}-{pool_size}"
        self.mode, self.pool_size = mode, pool_size
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # Again after a stop: under xdist a module's fixture is set up again when the worker
        # ran other modules' tests in between (a stale socket would pass the wait below).
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir()
        ini = self.dir / "pgbouncer.ini"
        ini.write_text(f"""[databases]
* = host={self.cluster.root} user=postgres

[pgbouncer]
listen_addr =
listen_port = {PORT}
unix_socket_dir = {self.dir}
auth_type = any
pool_mode = {self.mode}
default_pool_size = {self.pool_size}
max_client_conn = {self.max_client_conn}
server_reset_query =
logfile = {self.dir}/log
pidfile = {self.dir}/pid
""")
        if self.cluster.user:
            shutil.chown(self.dir, self.cluster.user)
        binary = BINARY if Path(BINARY).exists() else str(shutil.which("pgbouncer"))
        prefix = ["runuser", "-u", self.cluster.user, "--"] if self.cluster.user else []
        self.process = subprocess.Popen([*prefix, binary, str(ini)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        socket = self.dir / f".s.PGSQL.{PORT}"
        deadline = time.monotonic() + 10
        while not socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (self.dir / "log").read_text() if (self.dir / "log").exists() else ""
                raise RuntimeError(f"pgbouncer did not start: {log[-500:]}")
            time.sleep(0.02)

    def url(self, cluster_url: str) -> str:
        """The URL of a cluster database (`Cluster.new_database`) through the pooler."""
        name = cluster_url.split("@/", 1)[1].split("?", 1)[0]
        return f"postgresql://postgres@/{name}?host={self.dir}&port={PORT}"

    def stop(self) -> None:
        """Stop it by its own pid (runuser may not pass a signal on)."""
        try:
            os.kill(int((self.dir / "pid").read_text()), signal.SIGTERM)
        except (OSError, ValueError):
            pass
        if self.process is not None:
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
