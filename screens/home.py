"""The home screen: who is labeling, each kind of work with its waiting count and progress.

The counts come from `task_counts` (kept by triggers) and are polled every POLL_SECONDS while
home is on screen, so new work and a newly assigned quiz appear without a restart; an
unchanged list is not redrawn. They are counted in a thread worker (screens/background.py: a
labeler's count reads their own assignments, a researcher's the researchers' finished work),
so the list and its keys are there at once and the counts follow; the assigned quiz and a closed
queue, which decide what a key does, are read on the spot (one indexed row each).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from screens.background import ComputingScreen, Figures
from screens.faults import attempt
from screens.host import Host
from screens.registry import WORK
from screens.widgets.footer import Footer
from screens.widgets.safe_text import safe_markup
from store.db import retry_busy
from store.quality.status import closed_reason
from store.resume import pending_quiz_state

if TYPE_CHECKING:  # annotations only: the claim machinery (store.queue) stays off the first frame
    from store import queue

POLL_SECONDS = 3.0
# Read with the app's own style (tui/app.py says why), not as the screen's CSS_PATH.
HOME_CSS = Path(__file__).with_name("home.tcss")


class HomeScreen(ComputingScreen):
    app: Host  # the typed view of self.app (screens.host)
    DOING = "count the waiting work"
    KEYS_WAIT = False  # a work key needs no count
    KEEP_CONNECTION = True  # polled every POLL_SECONDS
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: Enter starts the work inline, before the next key is read. The option
        # list's own Enter only posts OptionSelected, so keys typed in the same burst went to
        # home and a second Enter pushed the same screen again (stacked twice, never ready).
        Binding("enter", "start_selected", "Start", id="home.start", show=True, priority=True),
        *(Binding(w.key, f"start('{w.kind}')", w.title, id=f"home.{w.kind}", show=False)
          for w in WORK),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home-body"):
            yield Static(id="who")
            yield OptionList(id="work")
            yield Static(id="hint")
        yield Footer()

    _lines: list[tuple[str, str]] | None = None
    _keys: dict[str, str] | None = None
    _counts: dict[str, queue.Counts] | None = None  # the last counted, None before the first

    def on_mount(self) -> None:
        self.set_interval(POLL_SECONDS, self._poll)
        # A keymap set (or changed) after the lines were drawn: draw them with its keys.
        self.bindings_updated_signal.subscribe(self, self._keys_changed)

    def work_keys(self) -> dict[str, str]:
        """Each kind of work's key as the labeler presses it (remapped keys included)."""
        keys = {w.kind: w.key for w in self.app.work}
        for active in self.active_bindings.values():
            kind = (active.binding.id or "").removeprefix("home.")
            if kind in keys and active.binding.id == f"home.{kind}":
                keys[kind] = self.app.get_key_display(active.binding)
        return keys

    def _keys_changed(self, _screen: object) -> None:
        if self._lines is not None and self.work_keys() != self._keys:
            self.draw()

    def _poll(self) -> None:
        if self.app.screen is self:
            self.refresh_counts()

    def on_resize(self) -> None:
        if self._lines is not None:
            self.draw()

    def on_screen_resume(self) -> None:
        # Also the first showing (Textual resumes a screen when it becomes current), so the
        # counts are queried once at start-up, not on mount and again on resume; after this
        # frame is drawn, which does not wait for them (nor share the CPU with their thread).
        self.draw()
        self.call_after_refresh(self._count)

    def refresh_counts(self) -> None:
        """Draw the list now (with the counts last known) and count again in the worker."""
        self.draw()
        self._count()

    def _count(self) -> None:
        if self.computing or self.app.screen is not self:
            # a poll while a count is still running leaves it to finish; a screen opened by a
            # key typed before home's first frame was drawn: counted when home is back
            return
        app = self.app
        labeler, overlaps = app.labeler, {w.kind: app.config.overlap(w.kind) for w in app.work}

        def figures(db: Any) -> Figures:
            # here, not at the top: the claim machinery stays off the first frame
            from store import queue

            yield "counts", retry_busy(queue.counts, db, labeler, overlaps)

        self.compute(figures)

    def show_figures(self, name: str, value: Any) -> None:
        if name == "counts":
            self._counts = value
            self.draw()
            self.shown = True  # counted once (tests wait on it; keys never do: KEYS_WAIT)

    def draw(self) -> None:
        app = self.app
        self.query_one("#who", Static).update(
            safe_markup("Labeling as [b]$name[/b] ($role)", name=app.labeler, role=app.role)
        )
        counts = self._counts or {}
        # An assigned, unsubmitted screening quiz comes first (labeling-guidelines §8).
        quiz = attempt(self.notify, "look for an assigned quiz", pending_quiz_state, app.db,
                       app.labeler)[1]
        works = sorted(app.work, key=lambda w: w.kind != "quiz") if quiz else app.work
        # One line each where it fits (4 + 34 + 22 columns), else the counts on a second line.
        room = self.query_one("#work", OptionList).scrollable_content_region.width
        one_line = room == 0 or room >= 60
        lines = []
        self._keys = keys = self.work_keys()
        for work in works:
            c = counts.get(work.kind)
            tail = f"{c.waiting:>5} waiting {c.done:>5} done" if c else ""
            if work.kind == "quiz" and quiz:
                tail = "    in progress: go on" if quiz[1] else "    to do: start here"
            if one_line:
                lines.append((work.kind, f"[{keys[work.kind]}] {work.title:<34}{tail}"))
            else:
                lines.append((work.kind, f"[{keys[work.kind]}] {work.title}"
                              + (f"\n    {' '.join(tail.split())}" if tail else "")))
        if lines != self._lines:
            options = self.query_one("#work", OptionList)
            highlighted = options.highlighted
            if quiz and (self._lines is None or self._lines[0][0] != "quiz"):
                highlighted = 0  # a quiz just assigned: the cursor goes to it
            self._lines = lines
            options.clear_options()
            options.add_options([Option(Content(text), id=kind) for kind, text in lines])
            options.highlighted = highlighted if highlighted is not None else 0
        self.query_one("#hint", Static).update(
            self._closed_note() or "Enter or a key in brackets starts work · F1 help · ctrl+q quit"
        )

    def _closed_note(self) -> str | None:
        """A paused (or unscreened) labeler's production queue is closed: say so."""
        app = self.app
        if app.role != "labeler":
            return None
        reason = attempt(self.notify, "read your queue's state", closed_reason, app.db,
                         app.labeler, app.quality)[1]
        if reason == "paused":
            return "Your queue is paused. Please contact a researcher to reopen it."
        if reason == "screening":
            return "Your queue opens once you pass the screening quiz (s)."
        return None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_start(event.option.id)

    def action_start_selected(self) -> None:
        options = self.query_one("#work", OptionList)
        if options.highlighted is not None:
            self.action_start(options.get_option_at_index(options.highlighted).id)

    def action_start(self, kind: str | None) -> None:
        work = next((w for w in self.app.work if w.kind == kind), None)
        if work is None:
            return
        # here, not at the top: the claim machinery stays off the first frame
        from store import queue

        closed = self._closed_note() if work.kind in queue.KINDS else None
        if closed:  # paused or unscreened: say why instead of an empty queue
            self.notify(closed, severity="warning", markup=False)
            return
        screen = self.app.work_screen(work)
        if screen is None:
            self.notify(f"{work.title}: this screen is not built yet.", severity="warning")
            return
        self.app.push_screen(work.kind)
