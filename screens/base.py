"""What every work screen shares: claiming the next task, drafts, time on task, going home.

A work screen is installed once and shows task after task (Textual 8.2.8 leaks Footer widgets
on every screen push+pop, and a pop costs ~200 ms at p99). Subclasses set KIND and implement
`show_task` (put a task on screen, restoring `draft`) and `draft_data` (what to keep).
"""

from __future__ import annotations

import time
from typing import Any

from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer

from screens.faults import attempt
from screens.host import Host
from store import labels, queue
from store.quality.clock import ActiveClock
from store.views import TaskView, task_view


class WorkScreen(Screen):
    app: Host  # the typed view of self.app (screens.host)
    KIND = ""
    DRAFT_DELAY = 0.8  # seconds after the last change; the spec allows at most ~1 s of loss

    BINDINGS = [Binding("escape", "home", "Home", id="work.home")]

    def __init__(self) -> None:
        super().__init__()
        self.view: TaskView | None = None
        self._dirty = False
        self._draft_timer: Timer | None = None
        self._active_since: float | None = None
        self._seconds = 0.0
        self.clock = ActiveClock()  # [h16 active time] fed by LabelDeskApp.on_event

    # -- the task ---------------------------------------------------------------
    def on_screen_resume(self) -> None:
        self._active_since = time.monotonic()
        self.clock.touch(self._active_since)  # [h16 active time] the task is on screen again
        if self.view is None:
            self.next_task()

    def on_screen_suspend(self) -> None:
        self.flush_drafts()
        self._pause_clock()
        self.clock.pause()  # [h16 active time]

    def next_task(self) -> None:
        ok, found = attempt(self.notify, "fetch your next task", self._claim)
        if not ok:  # the note says why; home is the one screen that needs no task
            self.view = None
            if self.app.screen is self:
                self.app.pop_screen()
            return
        if found is None:
            self.view = None
            self.show_empty()
            return
        self.view, draft = found
        self._seconds = float(draft.pop("_seconds", 0.0))
        self._active_since = time.monotonic()
        # [h16 active time] showing the task starts a stretch: reading before the first key counts
        self.clock = ActiveClock(self.app.quality.idle_seconds, float(draft.pop("_active", 0.0)))
        self.clock.touch(self._active_since)
        self._dirty = False
        self.show_task(self.view, draft)

    def _claim(self) -> tuple[TaskView, dict[str, Any]] | None:
        app = self.app
        assignment = queue.claim_next(
            app.db, app.labeler, self.KIND,
            overlap=app.config.overlap(self.KIND), lease_seconds=app.config.lease_seconds,
            policy=app.quality,  # [h16 gold checks, pause]
        )
        if assignment is None:
            return None
        return task_view(app.db, assignment), labels.load_draft(app.db, assignment.id) or {}

    def show_task(self, view: TaskView, draft: dict[str, Any]) -> None:
        raise NotImplementedError

    def show_empty(self) -> None:
        self.notify("Nothing is waiting here right now.", title=self.KIND)
        self.app.pop_screen()

    def draft_data(self) -> dict[str, Any]:
        raise NotImplementedError

    # -- drafts -----------------------------------------------------------------
    def changed(self) -> None:
        """Call on every edit. A throttle, not a debounce: the first change starts the timer and
        later ones ride on it, so steady work is on disk within DRAFT_DELAY (a debounce would
        never save a labeler who keeps typing, and `kill -9` would lose all of it)."""
        self._dirty = True
        if self._draft_timer is None:
            self._draft_timer = self.set_timer(self.DRAFT_DELAY, self._timed_flush)

    def _timed_flush(self) -> None:
        self._draft_timer = None
        self.flush_drafts()

    def flush_drafts(self) -> None:
        if not self._dirty or self.view is None:
            return
        data = dict(self.draft_data())
        data["_seconds"] = self.seconds_on_task()
        data["_active"] = self.clock.rounded  # [h16 active time]
        ok, _ = attempt(self.notify, "save your draft", labels.save_draft,
                        self.app.db, self.view.assignment.id, data,
                        lease_seconds=self.app.config.lease_seconds)
        if ok:  # else it stays dirty and the next change or Escape tries again
            self._dirty = False

    # -- time on task -----------------------------------------------------------
    def _pause_clock(self) -> None:
        if self._active_since is not None:
            self._seconds += time.monotonic() - self._active_since
            self._active_since = None

    def seconds_on_task(self) -> float:
        running = time.monotonic() - self._active_since if self._active_since else 0.0
        return round(self._seconds + running, 1)

    # -- finishing --------------------------------------------------------------
    def submit(self, values: list[labels.LabelValue]) -> bool:
        """Write the task's labels in one transaction and show the next task at once.

        False when they could not be saved: the labeler has been told why, and the task with
        its answers stays on screen to submit again."""
        assert self.view is not None
        ok, _ = attempt(self.notify, "save your labels", labels.submit, self.app.db,
                        self.view.assignment.id, values, seconds=self.seconds_on_task(),
                        schema=self.app.schema, overlap=self.app.config.overlap(self.KIND),
                        active_seconds=self.clock.rounded)  # [h16 active time]
        if not ok:
            return False
        self._dirty = False
        self.next_task()
        return True

    def note_input(self) -> None:
        """[h16 active time] An input reached the app while this screen shows a task."""
        if self.view is not None:
            self.clock.touch(time.monotonic())

    def action_home(self) -> None:
        self.flush_drafts()
        self.app.pop_screen()
