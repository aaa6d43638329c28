"""`labeldesk serve`: the app in a browser, one app process per websocket (textual-serve),
behind the team's authenticating reverse proxy.

textual-serve brings the page, the terminal in it and the process protocol; this subclass adds
what a shared labeling floor needs (see `tui.web.policy` for each rule): identity from the
proxy's header only, an Origin check on `/ws`, sizes and messages validated, session caps, a
fixed title with no command line on the page, local fonts, and an app process that is always
ended (drafts flushed, lease released) when its browser goes away, never left blocked on a dead
client. Imported only by `labeldesk serve` (the `web` extra).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shlex
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from store.db import Database
from store.errors import StoreError
from store.events import log_event
from store.roster import role_of
from tui.web.policy import (
    MAX_MESSAGE,
    Refused,
    WebPolicy,
    check_origin,
    clamp_size,
    identity,
    parse_message,
)

log = logging.getLogger("labeldesk.serve")
TEMPLATES = Path(__file__).parent
TITLE = "LabelDesk"
KILL_AFTER = 10.0
"""Seconds after SIGTERM (the app flushes its drafts and exits) before SIGKILL."""


class LabelerApp(AppService):
    """One labeler's app process. Its environment names the database and config (never the
    command line, where `ps` and the page would show a URL's password)."""

    def __init__(self, *args: Any, env: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._env = env
        self.client_gone = False

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        return {**super()._build_environment(width, height), **self._env}

    async def on_data(self, payload: bytes) -> None:
        # Once the browser is gone the app's output is read and dropped, so the app never
        # blocks on a full pipe while it saves and exits.
        if self.client_gone:
            return
        try:
            await super().on_data(payload)
        except (ConnectionResetError, RuntimeError):
            self.client_gone = True

    async def end(self, grace: float) -> None:
        """Ask the app to quit; SIGTERM after `grace` s (drafts flushed), SIGKILL after that."""
        self.client_gone = True
        process = self._process
        if process is None or process.returncode is not None:
            return
        await self.send_meta({"type": "quit"})
        for sig, wait in ((None, grace), (signal.SIGTERM, KILL_AFTER), (signal.SIGKILL, 5.0)):
            if sig is not None and process.returncode is None:
                process.send_signal(sig)
            try:
                await asyncio.wait_for(process.wait(), wait)
                break
            except asyncio.TimeoutError:
                continue
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None


class LabelDeskServer(Server):
    def __init__(self, *, database: Database, db_target: str, config_path: str | None,
                 policy: WebPolicy, host: str = "127.0.0.1", port: int = 8000,
                 socket_path: str | None = None) -> None:
        super().__init__(command="", host=host, port=port, title=TITLE,
                         public_url=policy.public_url or None, templates_path=str(TEMPLATES))
        self.db = database
        self.policy = policy
        self.socket_path = socket_path
        self.sessions: Counter[str] = Counter()
        self._env = {"LABELDESK_DB": db_target, "LABELDESK_WEB": "1"}
        if config_path:
            self._env["LABELDESK_CONFIG"] = str(config_path)

    # -- who is asking -------------------------------------------------------------------

    def _labeler(self, request: web.Request) -> str:
        name = identity(self.policy, request.remote or None, request.headers)
        try:
            role_of(self.db, name)
        except StoreError:
            raise Refused(403, f"{name} is not in the roster") from None
        return name

    def _client(self, request: web.Request) -> str:
        """The address the proxy reports for the browser, else the connection's own."""
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
        return forwarded or request.remote or "unix"

    @staticmethod
    def _refuse(exc: Refused) -> web.Response:
        log.warning("refused: %s", exc)
        return web.Response(status=exc.status, text="Forbidden\n")

    # -- pages ---------------------------------------------------------------------------

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        try:
            self._labeler(request)
        except Refused as exc:
            return self._refuse(exc)
        secure = self._secure(request)
        base = self.policy.public_url.rstrip("/") or f"{'https' if secure else 'http'}://{request.host}"
        scheme, rest = base.split(":", 1)
        context = {
            "title": TITLE,
            "static_url": "static/",
            "websocket_url": f"{'wss' if scheme == 'https' else 'ws'}:{rest}/ws",
        }
        return aiohttp_jinja2.render_template("index.html", request, context)

    @staticmethod
    def _secure(request: web.Request) -> bool:
        return request.secure or request.headers.get("X-Forwarded-Proto") == "https"

    # The ignore: textual-serve declares a WebSocketResponse; a refused connection gets a
    # plain HTTP error response instead (_refuse), before any websocket is opened.
    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        try:
            name = self._labeler(request)
            check_origin(self.policy, request.headers.get("Origin"), request.host,
                         self._secure(request))
            if sum(self.sessions.values()) >= self.policy.max_sessions:
                raise Refused(503, "the server's [web] max_sessions are open")
            if self.sessions[name] >= self.policy.max_sessions_per_labeler:
                raise Refused(429, f"{name} already has [web] max_sessions_per_labeler open")
        except Refused as exc:
            return self._refuse(exc)
        size = self._size(request)
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
        await websocket.prepare(request)
        command = shlex.join([sys.executable, "-m", "tui", "app", "--labeler", name])
        service = LabelerApp(command, write_bytes=websocket.send_bytes,
                             write_str=websocket.send_str, close=websocket.close,
                             download_manager=self.download_manager, env=self._env)
        self.sessions[name] += 1
        client = self._client(request)
        log_event(self.db, name, "web_connect", {"client": client})
        try:
            await service.start(*size)
            await self._messages(websocket, service)
        except asyncio.CancelledError:
            pass
        except Exception:  # logged without locals: the server's log is no place for data
            log.error("session of %s ended by an error", name, exc_info=False)
        finally:
            self.sessions[name] -= 1
            await service.end(self.policy.grace_seconds)
            if not websocket.closed:
                await websocket.close()
            log_event(self.db, name, "web_disconnect", {"client": client})
        return websocket

    def _size(self, request: web.Request) -> tuple[int, int]:
        return clamp_size(self.policy, request.query.get("width", "80"),
                          request.query.get("height", "24")) or (80, 24)

    async def _messages(self, websocket: web.WebSocketResponse, service: LabelerApp) -> None:
        idle = self.policy.idle_minutes * 60
        while True:
            try:
                message = await websocket.receive(timeout=idle)
            except asyncio.TimeoutError:
                log.info("session idle for %s minutes: ended", self.policy.idle_minutes)
                return
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING,
                                WSMsgType.ERROR):
                return
            if message.type != WSMsgType.TEXT:
                continue
            try:
                parsed = parse_message(self.policy, json.loads(message.data))
            except (ValueError, RecursionError):
                parsed = None
            if parsed is None:
                continue  # malformed: ignored, never fatal to the app
            kind, data = parsed
            if kind == "stdin":
                await service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize":
                await service.set_terminal_size(*data)
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    # -- serving -------------------------------------------------------------------------

    def initialize_logging(self) -> None:
        # Plain lines, no rich tracebacks with local variables.
        logging.basicConfig(level="INFO", format="%(asctime)s %(name)s %(message)s")

    async def on_startup(self, app: web.Application) -> None:
        where = self.socket_path or f"{self.host}:{self.port}"
        log.info("serving LabelDesk on %s", where)

    def serve(self, debug: bool = False) -> None:
        self.initialize_logging()
        kwargs: dict[str, Any] = ({"path": self.socket_path} if self.socket_path
                                  else {"host": self.host, "port": self.port})
        if self.socket_path and os.path.exists(self.socket_path):
            os.unlink(self.socket_path)
        web.run_app(self._make_app(), print=lambda *args: None, **kwargs)
