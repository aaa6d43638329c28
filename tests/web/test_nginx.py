"""docs/deployment.md's browser set-up, run for real: Debian's nginx with `auth_basic` in front
of `labeldesk serve --socket`, and a client that logs in as a browser would. The name the proxy
authenticated is the labeler; a header the client forges is replaced; no login, no session."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import socket
import sqlite3
import subprocess
import time

import aiohttp
import pytest

from bench.pty_run import key_bytes
from tests.e2e.test_typeahead import rankings_as_typed, shown_order, stored

from .test_serve import Screen, Served, template  # noqa: F401  (the module's fixture)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
if not os.path.exists(NGINX):
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true and no nginx (.ci/setup-e2e.sh installs it)", pytrace=False)
    pytest.skip("no nginx: .ci/setup-e2e.sh installs it", allow_module_level=True)

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def proxied(template, tmp_path):  # noqa: F811
    """`labeldesk serve` on a socket trusting only the socket, nginx on a loopback port."""
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


def _auth(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_behind_nginx_the_login_is_the_labeler(proxied):
    served, where = proxied

    async def go():
        async with aiohttp.ClientSession() as session:
            async def status(headers):
                async with session.get(f"http://{where}/", headers=headers) as r:
                    return r.status
            assert await status({}) == 401  # nginx asks for the login
            assert await status(_auth("ana", "wrong")) == 401
            # Logged in as mallory (not in the roster), claiming to be ana: refused.
            assert await status({**_auth("mallory", "m"), "X-Forwarded-User": "ana"}) == 403
            assert await status(_auth("ana", "ana-secret")) == 200
            try:
                await session.ws_connect(f"http://{where}/ws", headers={
                    **_auth("ana", "ana-secret"), "Origin": "http://evil.example"})
                raise AssertionError("another origin opened a session")
            except aiohttp.WSServerHandshakeError as exc:
                assert exc.status == 403
            ws = await session.ws_connect(f"http://{where}/ws?width=80&height=24", headers={
                **_auth("ana", "ana-secret"), "Origin": f"http://{where}"})
            screen = Screen(ws)
            await screen.wait_for(b"Labeling")
            keys = ["c", *"B=ADC", "enter"]
            await ws.send_json(["stdin", "".join(k.decode() for k in key_bytes(keys))])
            conn = sqlite3.connect(served.db)
            try:
                deadline = time.monotonic() + 30
                while not conn.execute("SELECT count(*) FROM labels WHERE labeler = 'ana' "
                                       "AND task = 'ranking'").fetchone()[0]:
                    assert time.monotonic() < deadline, "the ranking typed through nginx"
                    await asyncio.sleep(0.05)
                events = conn.execute("SELECT labeler, data FROM events "
                                      "WHERE kind = 'web_connect'").fetchall()
            finally:
                conn.close()
            await ws.close()
            screen.task.cancel()
            assert [name for name, _ in events] == ["ana"]
            conn = sqlite3.connect(served.db)
            typed = rankings_as_typed(stored(conn, "ana"), shown_order(served.db, "ana"))
            conn.close()
            assert typed == ["B=A>D>C"]
            assert '"client": "127.0.0.1"' in events[0][1]
    asyncio.run(go())
