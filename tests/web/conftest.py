"""The browser tests' shared pieces: a database with work for ana, and nginx in front of
`labeldesk serve` as docs/deployment.md sets it up."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from bench.web_run import Served
from bench.workload import build_db
from store.roster import add_labeler


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("web") / "desk.db"
    db = build_db(path, 2, labelers=("ana", "bob"), output_chars=300)
    add_labeler(db, "rhea", "researcher")
    db.conn.close()
    return path


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def proxied(template, tmp_path):
    """`labeldesk serve` on a socket trusting only the socket, nginx with `auth_basic` (ana's
    password is ana-secret) on a loopback port: (the server, "127.0.0.1:PORT")."""
    if not os.path.exists(NGINX):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and no nginx (.ci/setup-e2e.sh installs it)")
        pytest.skip("no nginx: .ci/setup-e2e.sh installs it")
    served = Served(template, tmp_path / "app", "[web]", 'trusted_proxies = ["unix"]',
                    "[comparison]", 'steps = ["ranking"]')
    port = _free_port()
    (tmp_path / "htpasswd").write_text("ana:{PLAIN}ana-secret\nmallory:{PLAIN}m\n")
    (tmp_path / "nginx.conf").write_text(f"""
user root;
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    server {{
        listen 127.0.0.1:{port};
        auth_basic "LabelDesk";
        auth_basic_user_file {tmp_path}/htpasswd;
        location / {{
            proxy_pass http://unix:{served.socket};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-User $remote_user;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 1h;
        }}
    }}
}}
""")
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                             stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert nginx.poll() is None, nginx.stderr.read()
            assert time.monotonic() < deadline, "nginx did not listen"
            time.sleep(0.05)
    yield served, f"127.0.0.1:{port}"
    nginx.terminate()
    nginx.wait(timeout=20)
    log = served.close()
    assert "Traceback" not in log, log




@pytest.fixture
def served(template, tmp_path):
    """`served(*config_lines)`: a fresh `labeldesk serve` on a copy of the template; stopped
    afterwards, and its log must hold no traceback."""
    made = []

    def serve(*config: str) -> Served:
        made.append(Served(template, tmp_path / f"s{len(made)}", *config))
        return made[-1]

    yield serve
    for server in made:
        log = server.close()
        assert "Traceback" not in log, log
