"""The Textual App: one labeler's session. Screens are installed once and reused per task."""

from __future__ import annotations

import importlib
import os
import signal
import threading
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from screens.host import Host
from screens.registry import WORK, Work
from store.db import APP_BUSY_TIMEOUT_MS
from store.schema import Schema
from tui.config import Config

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils


# System commands a labeler must not reach on a shared host (they write files).
_LABELER_HIDDEN = ("Screenshot", "Save screenshot")


def _home_screen() -> Screen:
    from screens.home import HomeScreen

    return HomeScreen()


HANGUP_GRACE = 3.0


class LabelDeskApp(Host):
    TITLE = "LabelDesk"
    CSS_PATH = "app.tcss"
    # Home is the base of the screen stack, composed in the first frame: no blank default
    # screen to build and paint, no push during start-up.
    SCREENS = {"home": _home_screen}
    MODES = {App.DEFAULT_MODE: "home"}
    BINDINGS = [
        Binding("f1", "guidelines", "Guidelines", id="app.guidelines", priority=True),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(self, *, db: sqlite_utils.Database, labeler: str, role: str, config: Config,
                 schema: Schema) -> None:
        super().__init__()
        self.db = db
        # Writes run on the UI thread: wait less per try than the CLI, then retry (retry_busy).
        db.execute(f"PRAGMA busy_timeout = {APP_BUSY_TIMEOUT_MS}")
        self.labeler = labeler
        self.role = role
        self.config = config
        self.schema = schema
        self.quality = config.quality_policy()  # [h16] gold checks, pause, idle gap

    @property
    def work(self) -> list[Work]:
        return [w for w in WORK if self.role == "researcher" or not w.researcher_only]

    async def on_event(self, event) -> None:
        # [h16 active time] every key and paste, whichever widget or binding takes it
        if isinstance(event, (events.Key, events.Paste)) and self._screen_stack:
            note = getattr(self.screen, "note_input", None)
            if note is not None:
                note()
        await super().on_event(event)

    def on_mount(self) -> None:
        if self.config["keys"]:
            self.set_keymap(self.config["keys"])
        self._install_signal_handlers()
        self._resume()

    def _resume(self) -> None:
        """Back into the task the labeler was typing in when the last session ended."""
        from store.resume import unfinished_kind

        kind = unfinished_kind(self.db, self.labeler)
        work = next((w for w in self.work if w.kind == kind), None)
        if work is not None and self.work_screen(work) is not None:
            self.push_screen(work.kind)

    def _install_signal_handlers(self) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self._hang_up)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - non-Unix
                pass

    def _hang_up(self) -> None:
        """The SSH connection dropped (SIGHUP) or we are told to stop: keep what was typed.

        Drafts are committed before anything else. A clean exit can then stall writing to a
        terminal that is gone, and a stuck process would hold its leases, so a timer ends the
        process if the clean exit has not within HANGUP_GRACE seconds.
        """
        self.flush_drafts()
        timer = threading.Timer(HANGUP_GRACE, os._exit, args=(0,))
        timer.daemon = True
        timer.start()
        self.exit(return_code=0)

    def flush_drafts(self) -> None:
        for screen in self._installed_screens.values():
            flush = getattr(screen, "flush_drafts", None)
            if isinstance(screen, Screen) and flush is not None:
                flush()

    async def action_quit(self) -> None:
        self.flush_drafts()
        self.exit()

    def action_guidelines(self) -> None:
        from screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        topic = getattr(self.screen, "HELP_TOPIC", "")
        if not self.is_screen_installed("help"):
            self.install_screen(HelpScreen(), name="help")
        self.push_screen("help")
        help_screen = self.get_screen("help")
        if topic and isinstance(help_screen, HelpScreen):
            help_screen.goto(topic)

    def work_screen(self, work: Work) -> Screen | None:
        """The installed screen for a kind of work, created on first use; None if not built."""
        if self.is_screen_installed(work.kind):
            return self.get_screen(work.kind)
        module, _, cls = work.screen.partition(":")
        try:
            screen_cls = getattr(importlib.import_module(module), cls)
        except (ModuleNotFoundError, AttributeError):
            return None
        screen = screen_cls()
        self.install_screen(screen, name=work.kind)
        return screen

    def get_system_commands(self, screen: Screen):
        from screens.home import HomeScreen

        home = self.get_screen("home") if self.is_screen_installed("home") else None
        if isinstance(home, HomeScreen) and screen is home:
            for work in self.work:
                yield SystemCommand(f"Start: {work.title}", f"key {work.key}",
                                    lambda kind=work.kind: home.action_start(kind))
        yield SystemCommand("Guidelines and FAQ", "F1", self.action_guidelines)
        for command in super().get_system_commands(screen):
            if self.role != "researcher" and command.title in _LABELER_HIDDEN:
                continue
            yield command


__all__ = ["LabelDeskApp", "WORK", "Work"]
