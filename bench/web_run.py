"""`labeldesk serve` in a subprocess on a Unix socket, and the browser's side of its websocket
(what tests/web and bench_web drive)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from bench.pty_run import poll

ROOT = Path(__file__).resolve().parents[1]


class Served:
    """`labeldesk serve --socket` on a copy of `template` (as rhea, a researcher), with a
    config file of `config` lines."""

    def __init__(self, template: Path, tmp: Path, *config: str):
        tmp.mkdir(exist_ok=True)
        self.db = tmp / "desk.db"
        shutil.copy(template, self.db)
        self.socket = str(tmp / "web.sock")
        (tmp / "config.toml").write_text("\n".join(config) + "\n")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "LABELDESK_DATA_DIR": str(tmp / "data"),
               "LABELDESK_CONFIG_DIR": str(tmp / "cfg"), "LABELDESK_LABELER": "rhea"}
        self.log = open(tmp / "serve.log", "w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui", "serve", "--socket", self.socket, "--db", str(self.db),
             "--config", str(tmp / "config.toml")], env=env, cwd=ROOT, stdout=self.log,
            stderr=subprocess.STDOUT)
        poll(self._listening, "the server's socket", timeout=30)

    def _listening(self) -> bool:
        assert self.proc.poll() is None, "the server exited"
        with socket.socket(socket.AF_UNIX) as probe:
            try:
                probe.connect(self.socket)
            except OSError:  # not there yet, or bound but not listening yet
                return False
        return True

    def close(self) -> str:
        """Stop the server; its log."""
        self.proc.terminate()  # each open tab's app is then ended as a closed tab's is
        try:
            self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.log.seek(0)
        return self.log.read()

    def session(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(connector=aiohttp.UnixConnector(path=self.socket))

    def apps(self) -> list[int]:
        """The app processes the server started (its descendants running Python)."""
        return [pid for pid in descendants(self.proc.pid)  # not the `sh -c` around each
                if "python" in _read(f"/proc/{pid}/cmdline").split(" ")[0]]


async def open_tab(served: Served, labeler: str = "ana", origin: str = "http://localhost",
                   size: tuple[object, object] = (80, 24)):
    """A logged-in tab's websocket: (its client session, the websocket)."""
    session = served.session()
    ws = await session.ws_connect(f"http://localhost/ws?width={size[0]}&height={size[1]}",
                                  headers={"X-Forwarded-User": labeler, "Origin": origin})
    return session, ws


class Screen:
    """What the app sent, as one growing byte string, read all the time (a browser does)."""

    def __init__(self, ws):
        self.ws, self.data = ws, b""
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.data += message.data

    async def wait_for(self, text: bytes, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.data:
            assert time.monotonic() < deadline, f"no {text!r} on the screen"
            await asyncio.sleep(0.05)


def _read(path: str) -> str:
    try:
        return Path(path).read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _read(f"/proc/{entry}/stat")
            if stat:
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time of a process, all threads (scheduler run time: barely moved by other load)."""
    total = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pass
    except OSError:
        pass
    return total / 1e9


def rss_mib(pid: int) -> float:
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
