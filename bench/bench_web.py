"""The app in a browser (`labeldesk serve`): memory per open tab at 1, 10 and 50 tabs (each a
labeler's app process, RSS from /proc, and the server's own), and CPU per key for the same
ranking script typed through a tab and in a pty (app CPU from /proc, plus the server's share
for the tab)."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bench.pty_run import Typist, key_bytes
from bench.results import record
from bench.web_run import Screen, Served, cpu_seconds, open_tab, rss_mib
from bench.workload import app_in_pty, build_db
from store.roster import add_labeler

TABS = (1, 10, 50)
TASKS = 20
RANKING_ONLY = ("[comparison]", 'steps = ["ranking"]')


def _script(tasks: int) -> list[str]:
    return ["c"] + [k for _ in range(tasks) for k in (*"badc", "enter")]


def _template(tmp: Path, labelers: int, tasks: int) -> Path:
    path = tmp / "template.db"
    names = tuple(f"l{n:02d}" for n in range(labelers))
    db = build_db(path, max(tasks, 2), labelers=("ana", *names), output_chars=1500,
                  kinds=("comparison",))
    add_labeler(db, "rhea", "researcher")
    db.conn.close()
    return path


async def _tabs(served: Served, n: int) -> dict[str, float]:
    # One tab after another, each once its app has drawn (a shift's logins, not one stampede:
    # 50 start-ups at once on 2 cores would measure the queue, not the memory).
    tabs, screens = [], []
    for i in range(n):
        tabs.append(await open_tab(served, f"l{i:02d}"))
        screens.append(Screen(tabs[-1][1]))
        await screens[-1].wait_for(b"Labeling", timeout=300)
    await asyncio.sleep(1.0)
    apps = served.apps()
    per_tab = sum(rss_mib(pid) for pid in apps) / max(len(apps), 1)
    figures = {"tabs": n, "apps": len(apps), "rss_per_tab_mib": round(per_tab, 1),
               "server_rss_mib": round(rss_mib(served.proc.pid), 1)}
    for (session, ws), screen in zip(tabs, screens, strict=True):
        await ws.close()
        screen.task.cancel()
        await session.close()
    return figures


async def _typed_in_tab(served: Served, keys: list[str], pace: float) -> dict[str, float]:
    session, ws = await open_tab(served)
    screen = Screen(ws)
    await screen.wait_for(b"Labeling", timeout=60)
    await asyncio.sleep(0.5)
    (app,) = served.apps()
    app0, server0 = cpu_seconds(app), cpu_seconds(served.proc.pid)
    for key in key_bytes(keys):
        await ws.send_json(["stdin", key.decode()])
        await asyncio.sleep(pace)
    await asyncio.sleep(1.0)
    app_cpu, server_cpu = cpu_seconds(app) - app0, cpu_seconds(served.proc.pid) - server0
    await ws.close()
    screen.task.cancel()
    await session.close()
    return {"app_ms_per_key": round(1000 * app_cpu / len(keys), 2),
            "server_ms_per_key": round(1000 * server_cpu / len(keys), 2)}


def _typed_in_pty(template: Path, tmp: Path, keys: list[str], pace: float) -> float:
    db = tmp / "pty.db"
    db.write_bytes(template.read_bytes())
    with app_in_pty(db, tmp, *RANKING_ONLY, terminal=Typist, size=(80, 24)) as term:
        term.wait_for(b"Labeling as")
        time.sleep(0.5)
        before = term.cpu_seconds()
        for key in key_bytes(keys):
            term.burst([key])
            time.sleep(pace)
        time.sleep(1.0)
        return round(1000 * (term.cpu_seconds() - before) / len(keys), 2)


def run(tmp: Path, tabs: tuple[int, ...] = TABS, tasks: int = TASKS,
        pace: float = 0.1) -> dict:
    template = _template(tmp, max(tabs), tasks)
    keys = _script(tasks)
    memory = []
    for n in tabs:
        served = Served(template, tmp / f"tabs{n}", "[web]", f"max_sessions = {max(tabs) + 5}")
        try:
            memory.append(asyncio.run(_tabs(served, n)))
        finally:
            served.close()
    served = Served(template, tmp / "keys", *RANKING_ONLY)
    try:
        web = asyncio.run(_typed_in_tab(served, keys, pace))
    finally:
        served.close()
    web["pty_app_ms_per_key"] = _typed_in_pty(template, tmp, keys, pace)
    web["keys"] = len(keys)
    return {"memory": memory, "cpu_per_key": web}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        record("web", run(Path(tmp)))


if __name__ == "__main__":
    main()
