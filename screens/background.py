"""Screens whose figures take long to compute (the quality dashboard, its gold misses,
statistics): the store call runs in a thread worker with a database connection of its own, so
every key is answered while it computes; a computation long enough to hold the interpreter
lock for seconds (the dashboard's report) runs in a child process instead
(`compute_in_process`, screens/figures_process.py), its figures coming the same way.

- **Its own connection.** A sqlite3 connection is not shared across threads (style.md's
  pitfall); the worker opens one (`store.db.connect`: no migrations) and closes it.
- **Cancelled when left.** Leaving the screen cancels the worker; on SQLite a progress handler
  then aborts the statement running (and every later one) within a few thousand VM steps, so a
  report the researcher left stops at its next read instead of running to the end. A child
  process is terminated, when the screen is left and when it is unmounted (the app quits).
- **Keys in order.** Keys that act on the figures wait in the App's backlog until the first
  figures are on screen (cached ones count), then are replayed in typing order, as for any
  screen that is not `ready`. Leaving (Escape) and quitting are taken at once when no key is
  waiting before them.
- **Results as messages.** The worker is a generator's consumer: each `(name, value)` the
  screen's function yields reaches `show_figures(name, value)` on the UI thread, in order, unless
  the screen was left meanwhile.
- **Screens whose keys need no figures** (home: its keys start work whatever the counts say,
  adjudication between cases waits) set `KEYS_WAIT = False`: they are `ready` from their resume.
  A screen that computes again and again while on screen (home polls its counts) sets
  `KEEP_CONNECTION`: its worker's connection is kept from one run to the next while the screen
  stays current, and closed by the run that is cancelled when it is left.
"""

from __future__ import annotations

import inspect
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, cast

from textual import events, on
from textual.message import Message
from textual.worker import get_current_worker

from screens import figures_process
from screens.faults import message as fault_message
from screens.host import Host
from screens.key_path import OrderedScreen
from store.db import connect
from store.errors import StoreError

PROGRESS_STEPS = 5_000  # SQLite VM steps between two looks at the worker's cancel flag
GROUP = "figures"
# Actions taken at once while the first figures are coming: leaving and quitting.
LEAVING = frozenset({"app.pop_screen", "pop_screen", "quit", "app.quit", "home"})

Figures = Iterator[tuple[str, Any]]


class _Figures(Message):
    def __init__(self, run: int, name: str, value: Any) -> None:
        super().__init__()
        self.run, self.name, self.value = run, name, value


class _Failed(Message):
    """`error`: a database fault, or the line a child process sent about its own."""

    def __init__(self, run: int, error: sqlite3.Error | StoreError | str) -> None:
        super().__init__()
        self.run, self.error = run, error


class ComputingScreen(OrderedScreen):
    """An ordered screen that computes its figures off the UI thread (see the module doc).

    Subclasses call `compute(fn)` with `fn(db)` yielding `(name, value)` pairs, implement
    `show_figures(name, value)`, and set `shown` once figures are on screen."""

    app: Host
    DOING = "compute the figures"  # completes "Could not …" when the database fails
    KEYS_WAIT = True  # keys wait until figures are on screen (see the module doc)
    KEEP_CONNECTION = False
    computing = False
    _run = 0  # which compute() a message comes from: a cancelled one's late messages are dropped
    _shown = False
    _resumed = False

    _children: set[Any] | None = None  # running child processes of compute_in_process (Popen)
    _kept: Any = None  # the worker's connection, with KEEP_CONNECTION
    _kept_lock: threading.Lock | None = None  # one run at a time on it

    @property
    def ready(self) -> bool:
        return self._resumed and (self._shown or not self.KEYS_WAIT)

    @ready.setter
    def ready(self, value: bool) -> None:
        self._resumed = value

    @property
    def shown(self) -> bool:
        return self._shown

    @shown.setter
    def shown(self, value: bool) -> None:
        """Figures are on screen: keys kept meanwhile are replayed."""
        self._shown = value
        drain = getattr(self.app, "drain_keys", None)
        if value and self._resumed and drain is not None:
            self.app.call_later(drain)

    def takes_now(self, event: events.Key | events.Paste) -> bool:
        """Whether a key the App would keep for later (no figures yet) is taken now: leaving
        and quitting. The App asks only when no key waits before it."""
        if not isinstance(event, events.Key) or not self._resumed or self.app.screen is not self:
            return False
        found = self.active_bindings.get(event.key)
        return found is not None and found.binding.action in LEAVING

    def _begin(self) -> int:
        """A new run replaces a running one: its child process, if any, is stopped."""
        self._stop_child()
        self.computing = True
        self._run += 1
        return self._run

    def compute(self, fn: Callable[[Any], Figures]) -> None:
        """Run `fn(db)` in a thread worker on a connection of its own; it replaces a running one."""
        target = str(cast(Any, self.app.db).path)  # store.db.Database's (or PgDatabase's)
        run_id = self._begin()
        if self._kept_lock is None:
            self._kept_lock = threading.Lock()
        lock = self._kept_lock

        def run() -> None:
            worker = get_current_worker()
            with lock:
                try:
                    db = self._kept or connect(target)
                except StoreError as exc:
                    self.post_message(_Failed(run_id, exc))
                    return
                self._kept = None
                stop = getattr(db.conn, "set_progress_handler", None)  # SQLite's; not PostgreSQL's
                if stop is not None:
                    stop(lambda: 1 if worker.is_cancelled else 0, PROGRESS_STEPS)
                keep = self.KEEP_CONNECTION
                try:
                    for name, value in fn(db):
                        if worker.is_cancelled:
                            return
                        self.post_message(_Figures(run_id, name, value))
                except (sqlite3.Error, StoreError) as exc:
                    keep = False  # a lost connection is not kept: the next run opens one
                    if not worker.is_cancelled:
                        self.post_message(_Failed(run_id, exc))
                finally:
                    if keep and not worker.is_cancelled:
                        self._kept = db
                    else:
                        db.conn.close()
            if not worker.is_cancelled:
                self.post_message(_Figures(run_id, "done", None))

        self.run_worker(run, name=self.DOING, group=GROUP, thread=True, exclusive=True,
                        exit_on_error=False)

    def compute_in_process(self, target: str, *args: Any) -> None:
        """Run `target(*args)` ("module:function", a generator of `(name, value)` pairs, its
        arguments picklable) in a child process (screens/figures_process.py); a thread waits
        for its pairs and posts them as `compute`'s are. It replaces a running computation."""
        run_id = self._begin()

        def run() -> None:
            worker = get_current_worker()
            try:
                child = figures_process.start(target, args, self.DOING)
            except OSError as exc:
                self.post_message(_Failed(run_id, f"Could not {self.DOING}: the computation "
                                                  f"could not start ({exc.strerror or exc})."))
                return
            children = self._children = self._children or set()
            children.add(child)
            if worker.is_cancelled:  # left while it started
                figures_process.stop(child)
            ended = failed = False
            try:
                for name, value in figures_process.frames(child):
                    if worker.is_cancelled:
                        break
                    if name == figures_process.FAILED:
                        failed = True
                        self.post_message(_Failed(run_id, value))
                    elif name == figures_process.END:
                        ended = True
                    else:
                        self.post_message(_Figures(run_id, name, value))
            finally:
                figures_process.stop(child)
                code = figures_process.finish(child)
                children.discard(child)
            if worker.is_cancelled or failed:
                return
            if ended:
                self.post_message(_Figures(run_id, "done", None))
            else:  # killed from outside, out of memory, …: no pair said why
                self.post_message(_Failed(run_id, f"Could not {self.DOING}: the computation "
                                                  f"ended early (exit code {code})."))

        self.run_worker(run, name=self.DOING, group=GROUP, thread=True, exclusive=True,
                        exit_on_error=False)

    def _stop_child(self) -> None:
        for child in list(self._children or ()):
            figures_process.stop(child)

    def cancel(self) -> None:
        self.workers.cancel_group(self, GROUP)
        self._stop_child()
        self._run += 1
        self.computing = False
        if self.KEEP_CONNECTION and self._kept_lock is not None:
            # Once no run holds it (a cancelled one closes its own): never waited for here.
            threading.Thread(target=self._close_kept, args=(self._kept_lock,), daemon=True).start()

    def _close_kept(self, lock: threading.Lock) -> None:
        with lock:
            kept, self._kept = self._kept, None
            if kept is not None:
                kept.conn.close()

    @on(events.ScreenSuspend)
    def _left(self) -> None:
        self.cancel()

    @on(events.Unmount)
    def _stop_children_on_unmount(self) -> None:
        # The app quits with this screen on it: its child must not make the exit wait.
        self._stop_child()

    @on(_Figures)
    async def _take_figures(self, message: _Figures) -> None:
        message.stop()
        if not self._resumed or message.run != self._run:
            return  # left meanwhile, or replaced: a late message of a cancelled worker
        if message.name == "done":
            self.computing = False
        await self._show(message.name, message.value)

    @on(_Failed)
    async def _failed(self, message: _Failed) -> None:
        message.stop()
        if message.run != self._run:
            return
        self.computing = False
        if self._resumed:
            error = message.error
            line = error if isinstance(error, str) else fault_message(error, self.DOING)
            self.notify(line, title="Database", severity="error", timeout=10, markup=False)
            await self._show("failed", None)

    async def _show(self, name: str, value: Any) -> None:
        shown = self.show_figures(name, value)
        if inspect.isawaitable(shown):
            await shown

    def show_figures(self, name: str, value: Any) -> Awaitable[None] | None:
        """Put `value` on screen (`name` as the computation yielded it; `done` at its end,
        `failed` after a fault the researcher was told of); set `shown`."""
        raise NotImplementedError
