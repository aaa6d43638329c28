"""The Textual App: one labeler's session. Screens are installed once and reused per task."""

from __future__ import annotations

import asyncio
import gc
import importlib
import os
import signal
import sqlite3
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from rich.text import Text
from textual import events

# Private: the clock Textual stamps events with (Message.time), to compare with it
# (tests/test_textual_private.py).
from textual._time import get_time
from textual.app import SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen, ScreenResultCallbackType
from textual.widget import AwaitMount

from screens.home import HOME_CSS, HomeScreen
from screens.host import Host, KeepsDrafts, OrderedKeys
from screens.key_path import deliver
from screens.registry import WORK, Work, researcher_only
from screens.too_small import TooSmallScreen, too_small
from store.db import (
    APP_BUSY_TIMEOUT_MS,
    APP_PAGE_CACHE_KIB,
    reconnect,
    retry_busy,
    set_guideline_version,
)
from store.dialect import dialect_of
from store.errors import StoreError, fault_kind
from store.resume import unfinished_kind
from store.schema import Schema
from tui.config import Config, ConfigError
from tui.terminal import CHECK_EVERY, CLOSED_CHECKS, input_closed
from tui.text_widths import trim as trim_text_widths

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

T = TypeVar("T")
R = TypeVar("R")  # what a pushed screen is dismissed with


# System commands a labeler must not reach on a shared host (they write files).
_LABELER_HIDDEN = ("Screenshot", "Save screenshot")


HANGUP_GRACE = 3.0
# Seconds between tries to reach a database that went away: growing, then every 30 s for as
# long as it takes (a try costs one connection attempt, at most store.pg.CONNECT_TIMEOUT).
RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)


class LabelDeskApp(Host):
    TITLE = "LabelDesk"
    # Home's style is read with the app's: one parse of the stylesheet at start, where a
    # screen's own CSS_PATH is read when it is first shown and the whole sheet parsed again.
    # Absolute paths: a subclass in another module (the benchmarks') finds them too.
    CSS_PATH = [Path(__file__).with_name("app.tcss"), HOME_CSS]
    BINDINGS = [
        Binding("f1", "guidelines", "Help", id="app.guidelines", priority=True),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        # A conversation's earlier turns, on every screen that shows a prompt.
        Binding("ctrl+r", "toggle_turns", "Earlier turns", show=False, id="app.toggle_turns"),
    ]

    def __init__(self, *, db: sqlite_utils.Database, labeler: str, role: str, config: Config,
                 schema: Schema) -> None:
        super().__init__()
        self.db = db
        # Writes run on the UI thread: wait less per try than the CLI, then retry (retry_busy).
        dialect_of(db).set_busy_timeout(db, APP_BUSY_TIMEOUT_MS)
        dialect_of(db).set_page_cache(db, APP_PAGE_CACHE_KIB)  # memory flat over a day
        self.labeler = labeler
        self.role = role
        self.config = config
        self._site_config = config  # as a Config (the Host contract types `config` narrower)
        self.schema = schema
        # Every label this app saves records the guideline version it was made under.
        set_guideline_version(db, config["guidelines"]["version"])
        self.quality = config.quality_policy()  # gold checks, pause, idle gap
        # Seconds a write keeps retrying a busy database (None: store.db.BUSY_BOUND).
        self.busy_bound: float | None = None
        self._backlog: deque[events.Key | events.Paste] = deque()
        self._drop_before = float("-inf")
        self._resumed = False
        self._small: TooSmallScreen | None = None  # on top while the terminal is too small
        self._tries: int | None = None  # tries to reach the database since it went away
        self._crashed = False  # an unexpected exception was logged (_handle_exception)

    def get_default_screen(self) -> Screen[Any]:
        """Home is the base of the screen stack, as Textual's default screen: no blank screen
        to build and paint, no push at start. (As a named mode's screen it was mounted inside
        the app's start-up batch, so its first layout was drawn for nothing and then again.)"""
        home = HomeScreen()
        self.install_screen(home, name="home")
        return home

    @property
    def work(self) -> list[Work]:
        return [w for w in WORK if self.role == "researcher" or not w.researcher_only]

    @property
    def reports_dir(self) -> Path:
        # here, not at the top: the data directory (platformdirs) only when the dashboard asks
        from tui.locations import data_dir

        return data_dir() / "reports"

    def on_ready(self) -> None:
        """The first frame is on screen. Collection was off for the start (tui/run.py): what
        the start made lives as long as the session (modules, the app, home) and is set aside,
        never walked again, and collection resumes. An app started otherwise (the tests')
        starts with it on and is left alone."""
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def on_mount(self) -> None:
        self._apply_keymap()
        self._install_signal_handlers()
        self._watch_terminal()
        self._start_session()
        if not too_small(*self.size):
            self._resume()
        elif self._small is None:  # the task waits until there is room to draw it
            self._show_too_small()

    # -- the session ------------------------------------------------------------------
    def _start_session(self) -> None:
        """Register this session; a second open session of the same labeler gets its own tasks
        and is told which task the other one holds (store/sessions.py)."""
        # here, not at the top: not on the app's path to its first frame
        from store.sessions import HEARTBEAT_SECONDS, start_session

        others = self._quietly(start_session, self.db, self.labeler) or []
        for other in others:
            # here, not at the top: store.views (~2 ms) only when another session is open
            from store.views import shown_id

            holds = (f" and holds {other.kind} "
                     f"{shown_id(self.role, other.item, other.assignment or 0)}" if other.item else "")
            self.notify(
                f"Another LabelDesk session of yours is open (on {other.host}, since "
                f"{other.started_at[11:16]} UTC){holds}. This one gets its own tasks; nothing "
                "typed in either is lost.", title="Two sessions", timeout=20, markup=False)
        self.set_interval(HEARTBEAT_SECONDS, self._heartbeat)

    def on_unmount(self) -> None:
        self.end_session()  # however the app ends short of a kill (a kill: store/sessions.py)

    def _heartbeat(self) -> None:
        # here, not at the top: not on the app's path to its first frame
        from store.sessions import touch_session

        self._quietly(touch_session, self.db, outage=True)

    def end_session(self) -> None:
        # here, not at the top: not on the app's path to its first frame
        from store.sessions import end_session

        self._quietly(end_session, self.db)

    def _quietly(self, fn: Callable[..., T], *args: object, outage: bool = False) -> T | None:
        """Session bookkeeping never stops the labeler: a fault here costs only the notice
        (with `outage`, a database out of reach is also retried until it is back)."""
        try:
            return retry_busy(fn, *args, bound=1.0)
        except sqlite3.Error as exc:
            if outage and fault_kind(exc) == "unreachable":
                self.database_unreachable()
            return None
        except StoreError:
            return None

    # -- a database that went away ----------------------------------------------------
    def database_unreachable(self) -> None:
        if self._tries is not None:
            return  # already trying
        self._tries = 0
        self.notify("The database cannot be reached. Keep working: your answers stay on screen "
                    "and are saved once it is back; LabelDesk keeps trying.",
                    title="Database unreachable", severity="error", timeout=15, markup=False)
        self._retry_later()

    def _retry_later(self) -> None:
        assert self._tries is not None
        delay = RETRY_DELAYS[min(self._tries, len(RETRY_DELAYS) - 1)]
        self._tries += 1
        self.set_timer(delay, self._try_database)

    def _try_database(self) -> bool:
        """One try to reach the database; when it is back, every screen saves what it holds
        (a submit asked for meanwhile, else the draft). False while it is still away."""
        # here, not at the top: not on the app's path to its first frame
        from store.sessions import touch_session

        if self._tries is None:
            return True
        try:
            reconnect(self.db)
        except sqlite3.Error as exc:
            if fault_kind(exc) == "unreachable":
                self._retry_later()
                return False
        except StoreError:  # e.g. the file came back as another file: each save says so
            pass
        self._tries = None
        self._quietly(touch_session, self.db)  # this session is alive again
        for screen in list(self._installed_screens.values()):
            if isinstance(screen, KeepsDrafts):
                screen.back_online()  # a fault here starts the tries again (database_unreachable)
        return self._tries is None

    # -- the terminal -----------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        width, height = event.size
        if too_small(width, height):
            if self._small is None:
                self._show_too_small()
            else:
                self._small.show(width, height)
        elif self._small is not None:
            self._small = None
            self.pop_screen()
            if not self._resumed:
                self._resume()

    def _show_too_small(self) -> None:
        self._small = TooSmallScreen()
        self.push_screen(self._small)

    def _watch_terminal(self) -> None:
        """Leave (saving drafts) when the terminal's input is gone, whatever signal came or
        did not: an orphaned app would otherwise spin and hold its leases forever."""
        if self.is_headless:
            return

        if sys.__stdin__ is None:
            return
        fd = sys.__stdin__.fileno()
        closed = 0

        def check() -> None:
            nonlocal closed
            closed = closed + 1 if input_closed(fd) else 0
            if closed == CLOSED_CHECKS:
                self._hang_up()

        self.set_interval(CHECK_EVERY, check)

    def _apply_keymap(self) -> None:
        # here, not at the top: not on the app's path to its first frame
        from tui.keymap import keymap, unknown

        try:
            mapping = keymap(self._site_config)
        except ConfigError as exc:  # the labeler's own file: say so and keep the default keys
            self.notify(str(exc), title="Keys not remapped", severity="error", markup=False)
            return
        if not mapping:
            return
        self.set_keymap({bid: keys for bid, (keys, _) in mapping.items()})
        for problem in unknown(mapping):
            self.notify(problem, title="Keys", severity="warning", markup=False)

    def _resume(self) -> None:
        """Back into the task the labeler was typing in when the last session ended."""
        self._resumed = True

        try:
            kind = unfinished_kind(self.db, self.labeler)
        except sqlite3.Error:  # out of reach at start: home, which says what it cannot read
            return
        work = next((w for w in self.work if w.kind == kind), None)
        if work is not None and self.work_screen(work) is not None:
            self.push_screen(work.kind)

    # -- keys: one ordered path (screens/key_path.py says why) -----------------------------------
    async def on_event(self, event: events.Event) -> None:
        # A paste keeps its place among the keys: text pasted then ctrl+s submits the text.
        if not isinstance(event, (events.Key, events.Paste)) or event.is_forwarded:
            await super().on_event(event)
            return
        if not self.screen_stack:
            return  # closing: the screens are gone, a key typed now has nothing to reach
        if not self.app_focus:
            self.app_focus = True
        if event.time <= self._drop_before and not self._is_quit(event):
            return  # typed before a save failed: meant for a task that did not come
        if self._backlog:
            self._backlog.append(event)  # behind keys that are waiting: order is kept
            await self.drain_keys()
        elif isinstance(self.screen, OrderedKeys) and not self.screen.ready:
            if self.screen.takes_now(event):  # leaving a computing screen
                await self._take(event)
            else:
                self._backlog.append(event)  # the screen is coming: it takes them when ready
        else:
            await self._take(event)

    def drop_typed_ahead(self) -> None:
        """A save failed: the keys typed before the labeler could see it (waiting here or in
        the App's queue) were meant for the next task, so none of them is applied."""
        self._drop_before = get_time()
        self._backlog.clear()

    async def drain_keys(self) -> None:
        """Apply waiting keys while the current screen can take them (in arrival order)."""
        while self._backlog and self.screen_stack and (
                not isinstance(self.screen, OrderedKeys) or self.screen.ready):
            await self._take(self._backlog.popleft())

    async def _take(self, event: events.Key | events.Paste) -> None:
        trim_text_widths()  # a cache that grew with every task drawn (tui/text_widths.py)
        screen = self.screen
        if not isinstance(screen, OrderedKeys):
            await super().on_event(event)  # Textual's own path (dialogs, help, stock screens)
            return
        screen.note_input()  # active time: every key and paste
        if not await deliver(screen, event) and isinstance(event, events.Key):
            screen.key_unused(event)

    def _is_quit(self, event: events.Key | events.Paste) -> bool:
        """Quit is never dropped. It waits behind keys typed before it, like any key: a screen
        gets ready within the busy bound, and the keys before it belong in the draft."""
        if not isinstance(event, events.Key):
            return False
        bindings = self._bindings.copy()
        if self._keymap:
            bindings.apply_keymap(self._keymap)
        return any(b.action == "quit" for b in bindings.key_to_bindings.get(event.key, ()))

    def _install_signal_handlers(self) -> None:
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
        self._try_database()  # one last try if the database was out of reach
        self.flush_drafts()
        unsaved = self._unsaved()
        code = 1 if unsaved else 0
        timer = threading.Timer(HANGUP_GRACE, os._exit, args=(code,))
        timer.daemon = True
        timer.start()
        self._leave(unsaved)

    def flush_drafts(self) -> None:
        """Save every screen's draft (`_unsaved` then says what could not be saved)."""
        for screen in self._installed_screens.values():
            if isinstance(screen, KeepsDrafts):
                screen.flush_drafts()

    def _unsaved(self) -> list[str]:
        """`screen item: draft` for each draft a screen could not save."""
        return [f"{name} {line}" for name, screen in self._installed_screens.items()
                if isinstance(screen, KeepsDrafts) and (line := screen.unsaved_draft())]

    def _leave(self, unsaved: list[str]) -> None:
        """Exit; non-zero, naming what was not saved, when a draft could not be written (a full
        disk, a database out of reach): the labeler can copy it from the terminal, and a script
        sees the failure."""
        away = self._tries is not None
        self.end_session()
        if not unsaved:
            self.exit(return_code=0)
            return

        why = "could not be reached" if away else "could not be written"
        note = f"LabelDesk could not save this before quitting (the database {why}):"
        self.exit(return_code=1, message=Text("\n".join([note, *unsaved])))

    # -- an unexpected exception: the log, never the labeler's terminal ------------------------
    def _handle_exception(self, error: Exception) -> None:
        """Textual calls this (private) with any exception a handler, timer or worker raised,
        and would print its traceback with local variables (the config, the database URL).
        Instead: the traceback goes to the error log (tui/crash_log.py), drafts are saved, and
        the terminal gets one line with the log's reference, then what could not be saved."""
        if not self._crashed:
            self._crashed = True

            # here, not at the top: not on the app's path to its first frame
            from tui import crash_log

            unsaved, trouble = [], []
            try:
                self.flush_drafts()
                unsaved = self._unsaved()
            except Exception as exc:  # noqa: BLE001 - the state that failed may fail again
                trouble.append("saving drafts failed too: " + "".join(
                    traceback.format_exception(type(exc), exc, exc.__traceback__)))
            ref, path, failed = crash_log.record(
                error, config=self._site_config, notes=trouble,
                context=f"labeler {self.labeler} screen {self._screen_name()}")
            kept = ("what is below could not be saved" if unsaved or trouble
                    else "your answers were saved")
            line = crash_log.one_line(ref, path, failed, kept)
            self._exit_renderables.append(Text("\n".join([line, *unsaved])))
        self._return_code = 1
        # Kept for Pilot, which raises it when a test's app closes (tests stay loud).
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        self._close_messages_no_wait()

    def _screen_name(self) -> str:
        try:
            return type(self.screen).__name__
        except Exception:  # noqa: BLE001 - no screen yet, or none left
            return "-"

    async def action_quit(self) -> None:
        self._try_database()  # one last try if the database was out of reach
        self.flush_drafts()
        self._leave(self._unsaved())

    if TYPE_CHECKING:  # Textual's two forms, which the gate below keeps

        @overload
        def push_screen(self, screen: Screen[R] | str,
                        callback: ScreenResultCallbackType[R] | None = None,
                        wait_for_dismiss: Literal[False] = False, *,
                        mode: str | None = None) -> AwaitMount: ...

        @overload
        def push_screen(self, screen: Screen[R] | str,
                        callback: ScreenResultCallbackType[R] | None = None,
                        wait_for_dismiss: Literal[True] = True, *,
                        mode: str | None = None) -> asyncio.Future[R]: ...

    def push_screen(self, screen: Screen[R] | str,
                    callback: ScreenResultCallbackType[R] | None = None,
                    wait_for_dismiss: bool = False, *,
                    mode: str | None = None) -> AwaitMount | asyncio.Future[R]:
        """One role gate for every way a screen is opened (a home key, the palette, a screen
        opening another): a labeler never gets a researcher-only screen (gold, others' answers,
        names), not even composed; they are told and stay where they are."""
        target = self.get_screen(screen) if isinstance(screen, str) and self.is_screen_installed(
            screen) else screen

        if researcher_only(target) and self.role != "researcher":
            self.notify("That screen is for researchers.", severity="error", markup=False)
            return AwaitMount(self.screen, [])  # nothing pushed: awaiting it ends at once
        if target in self.screen_stack:  # one installed screen stacked twice is never ready
            return AwaitMount(self.screen, [])
        if wait_for_dismiss:  # one call per overload: a type checker matches a literal flag
            return super().push_screen(screen, callback, wait_for_dismiss=True, mode=mode)
        return super().push_screen(screen, callback, mode=mode)

    def action_command_palette(self) -> None:
        """Textual's palette, at most one in the stack and without Textual's fixed widget id:
        ctrl+p with a palette under another screen, or while the last one was still being
        removed, raised DuplicateIds and ended the app."""
        if self.use_command_palette and not any(
                isinstance(s, CommandPalette) for s in self.screen_stack):
            self.push_screen(CommandPalette())

    def action_toggle_turns(self) -> None:
        """Fold or unfold the earlier turns of the conversation on screen; a bell when there is
        none to unfold."""
        # here, not at the top: not on the app's path to its first frame
        from screens.widgets.prompt.conversation import TurnsToggle

        toggled = [w.toggle_turns() for w in self.screen.query("*") if isinstance(w, TurnsToggle)]
        if not any(toggled):
            self.bell()

    def action_guidelines(self) -> None:
        # here, not at the top: the CLI path never loads textual (tests/test_import_hygiene.py)
        from screens.help import HelpScreen

        if isinstance(self.screen, (HelpScreen, TooSmallScreen)):
            return
        came_from = self.screen
        topic = came_from.HELP_TOPIC if isinstance(came_from, OrderedKeys) else ""
        if not self.is_screen_installed("help"):
            self.install_screen(HelpScreen(), name="help")
        help_screen = self.get_screen("help")
        if isinstance(help_screen, HelpScreen):  # the keys in its first frame; the topic after them
            help_screen.show_keys(came_from, topic)
        self.push_screen("help")

    def work_screen(self, work: Work) -> Screen[Any] | None:
        """The installed screen for a kind of work, created on first use; None if not built."""
        if self.is_screen_installed(work.kind):
            return self.get_screen(work.kind)
        module, _, cls = work.screen.partition(":")
        try:
            screen_cls: type[Screen[Any]] = getattr(importlib.import_module(module), cls)
        except (ModuleNotFoundError, AttributeError):
            return None
        screen = screen_cls()
        self.install_screen(screen, name=work.kind)
        return screen

    def get_system_commands(self, screen: Screen[Any]) -> Iterator[SystemCommand]:
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
