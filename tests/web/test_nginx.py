"""docs/deployment.md's browser set-up, run for real: Debian's nginx with `auth_basic` in front
of `labeldesk serve --socket`, and a client that logs in as a browser would. The name the proxy
authenticated is the labeler; a header the client forges is replaced; no login, no session."""

from __future__ import annotations

import asyncio
import base64
import sqlite3
import time

import aiohttp
import pytest

from bench.pty_run import key_bytes
from bench.web_run import Screen
from tests.e2e.test_typeahead import rankings_as_typed, shown_order, stored

pytestmark = pytest.mark.slow


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
