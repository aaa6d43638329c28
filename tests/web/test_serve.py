"""`labeldesk serve` for real: the server in its own process on a Unix socket (as behind nginx),
a browser's websocket protocol spoken by aiohttp, the app processes it starts, the database
they write. Keys typed in one burst store exactly what the same keys typed one by one store."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import aiohttp
import pytest

from bench.pty_run import key_bytes, poll
from bench.web_run import Screen, Served, open_tab
from tests.e2e.test_typeahead import SCRIPTS, rankings_as_typed, shown_order, stored


async def _type(served: Served, keys: list[str], mode: str, done: str) -> None:
    session, ws = await open_tab(served)
    screen = Screen(ws)
    try:
        await screen.wait_for(b"Labeling")
        data = [k.decode() for k in key_bytes(keys)]
        if mode == "burst":
            await ws.send_json(["stdin", "".join(data)])
        else:
            for key in data:
                await ws.send_json(["stdin", key])
                await asyncio.sleep(0.4)
        conn = sqlite3.connect(served.db)
        try:
            deadline = time.monotonic() + 30
            while not conn.execute(done).fetchone()[0]:
                assert time.monotonic() < deadline, f"{mode}: {keys} not stored"
                await asyncio.sleep(0.05)
        finally:
            conn.close()
        await asyncio.sleep(0.3)
    finally:
        await ws.close()
        screen.task.cancel()
        await session.close()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ranking_with_ties", "instruction_scores_ranking"])
def test_a_burst_in_the_browser_stores_what_was_typed(served, name):
    script = SCRIPTS[name]
    results = {}
    for mode in ("paced", "burst"):
        server = served(*script.config)
        asyncio.run(_type(server, script.keys, mode, script.done))
        conn = sqlite3.connect(server.db)
        results[mode] = stored(conn, "ana")
        conn.close()
        order = shown_order(server.db, "ana")
    assert results["burst"] == results["paced"]
    assert rankings_as_typed(results["burst"], order) == script.expect["ranking"]


async def _status(served: Served, path: str, headers: dict) -> int:
    async with served.session() as session:
        try:
            async with session.get(f"http://localhost{path}", headers=headers) as response:
                return response.status
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


@pytest.mark.slow
def test_who_may_open_a_session(served):
    server = served()
    ana = {"X-Forwarded-User": "ana"}
    assert asyncio.run(_status(server, "/", {})) == 403  # no header: the proxy did not log in
    assert asyncio.run(_status(server, "/", {"X-Forwarded-User": "mallory"})) == 403  # not in roster
    assert asyncio.run(_status(server, "/", ana)) == 200

    async def ws_status(origin):
        async with server.session() as session:
            try:
                ws = await session.ws_connect("http://localhost/ws", headers={**ana, "Origin": origin})
            except aiohttp.WSServerHandshakeError as exc:
                return exc.status
            await ws.close()
            return 101
    assert asyncio.run(ws_status("http://evil.example")) == 403
    assert asyncio.run(ws_status("http://localhost")) == 101


@pytest.mark.slow
def test_the_page_shows_no_command_and_loads_nothing_from_elsewhere(served):
    server = served()

    async def page():
        async with server.session() as session:
            async with session.get("http://localhost/", headers={"X-Forwarded-User": "ana"}) as r:
                return await r.text()
    html = asyncio.run(page())
    assert "<title>LabelDesk</title>" in html
    assert str(server.db) not in html and "python" not in html and "tui" not in html
    assert "https://" not in html and "googleapis" not in html

    async def page_for_host(host):
        async with server.session() as session:
            async with session.get("http://localhost/", headers={
                    "X-Forwarded-User": "ana", "Host": host}) as r:
                return await r.text()
    hostile = asyncio.run(page_for_host('x"><script>alert(1)</script>'))
    assert "<script>alert(1)" not in hostile and "&lt;script&gt;alert(1)" in hostile


@pytest.mark.slow
def test_a_hostile_browser_cannot_crash_or_hold_the_app(served):
    """Malformed and huge sizes and junk messages leave the app alive; a browser that vanishes
    mid-task (no close frame) gets its app ended, the draft saved and the session closed."""
    server = served("[web]", "grace_seconds = 1")

    async def hostile():
        session, ws = await open_tab(server, size=("x", -5))
        screen = Screen(ws)
        await screen.wait_for(b"Labeling")
        for junk in (["resize", {"width": "x", "height": -5}],
                     ["resize", {"width": 4000, "height": 4000}],
                     ["exec", "ls"], [], {"a": 1}, ["stdin", 7]):
            await ws.send_json(junk)
        await ws.send_str("not json")
        await ws.send_json(["stdin", "c"])  # still alive: the key opens the comparison
        await screen.wait_for(b"Category")
        await ws.send_json(["stdin", "gsumm\r"])
        await asyncio.sleep(1.0)
        assert server.apps(), "the app process is running"
        screen.task.cancel()
        await session.close()  # gone without a close frame
    asyncio.run(hostile())
    poll(lambda: not server.apps(), "the app's end after its browser left",
         timeout=30)
    conn = sqlite3.connect(server.db)
    try:
        poll(lambda: conn.execute("SELECT count(*) FROM events WHERE kind = 'web_disconnect' "
                                  "AND labeler = 'ana'").fetchone()[0], "the disconnection event")
        assert conn.execute("SELECT count(*) FROM events WHERE kind = 'web_connect' "
                            "AND labeler = 'ana'").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM sessions WHERE labeler = 'ana' "
                            "AND ended_at IS NULL").fetchone()[0] == 0
        drafts = conn.execute("SELECT d.data FROM drafts d JOIN assignments a "
                              "ON a.id = d.assignment_id WHERE a.labeler = 'ana'").fetchall()
    finally:
        conn.close()
    assert any("summarization" in data for (data,) in drafts), drafts


def test_a_socket_it_cannot_listen_on_is_one_line(tmp_path):
    from store.db import open_db
    from store.roster import add_labeler
    from tests.cli.subproc import labeldesk_here, one_line_error

    db = open_db(tmp_path / "desk.db")
    add_labeler(db, "rhea", "researcher")
    db.close()
    where = tmp_path / "missing" / "web.sock"
    line = one_line_error(labeldesk_here("serve", "--socket", str(where), "--db",
                                         str(tmp_path / "desk.db"), env={"LABELDESK_LABELER": "rhea"}))
    assert line.startswith(f"Error: cannot listen on {where}: ")
