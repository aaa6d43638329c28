"""Work screens: a `DraftingScreen` (screens/drafting.py) that owns a task session.

A work screen is installed once and shows task after task (Textual 8.2.8 leaks Footer widgets
on every screen push+pop, and a pop costs ~200 ms at p99). Subclasses set KIND, compose their
panels and a `StatusLine`, and implement `show_task` (put a task on screen, restoring `draft`),
`draft_data` (everything on screen worth keeping) and map answers to label values for `finish`.
The status line, the draft throttle, leaving and the ordered key path are the drafting base's;
claiming, the lease, skipping, flagging and submitting go through `store.task_session`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.binding import Binding
from textual.timer import Timer

from screens.drafting import DraftingScreen
from screens.faults import KEPT, OUTAGE
from screens.registry import WORK
from store.records import jsonl_line
from store.task_session import Claimed, NotSaved, Outcome, Saved, TaskSession
from store.text import on_screen
from store.values import LabelValue
from store.views import TaskView


class WorkScreen(DraftingScreen):
    BINDINGS = [
        # One skip key on every work screen. F4: every terminal and browser terminal sends it,
        # no browser keeps it for itself (ctrl+w/t/n), and no text field types or edits with it
        # (ctrl+k deletes to the end of a line in Textual's Input and TextArea).
        Binding("f4", "skip", "Skip", id="work.skip"),
    ]
    SKIPPABLE = False  # True where the screen can skip its task (screens.widgets.skip_panel)
    READ_AHEAD = False  # True: the likely next task is read while this one is worked on
    READ_AHEAD_DELAY = 0.5  # seconds after a task shows: its first frame is drawn by then

    def __init__(self) -> None:
        super().__init__()
        self._session: TaskSession | None = None
        self._ahead_timer: Timer | None = None
        # A submit asked for while the database was out of reach: (the submit, its line),
        # made once the database is back (back_online), unless an answer changes first.
        self._pending: tuple[Callable[[], Outcome], str] | None = None

    # -- the session ------------------------------------------------------------------------
    @property
    def session(self) -> TaskSession:
        if self._session is None:
            self._session = self.make_session()
        return self._session

    def make_session(self) -> TaskSession:
        app = self.app
        return TaskSession(app.db, app.labeler, self.KIND, overlap=app.config.overlap(self.KIND),
                           lease_seconds=app.config.lease_seconds, schema=app.schema,
                           busy_bound=app.busy_bound, policy=app.quality,
                           escalation=app.config.escalation, window=app.config.window)

    @property
    def view(self) -> TaskView | None:
        return self._session.view if self._session is not None else None

    @property
    def shown_id(self) -> str:
        """The task's name on screen (store/views.shown_id: no item id for a labeler)."""
        assert self.view is not None
        return self.view.shown_id(self.app.role)

    def may_work(self) -> bool:
        """False to refuse the screen to this labeler (say why and leave)."""
        return True

    def opened(self) -> None:
        if not self.may_work():
            return
        self.session.resume()
        if self.view is None:
            self.next_task()
        else:
            self.renew_lease()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "skip":
            return self.SKIPPABLE and self.view is not None  # no task, nothing to skip: hidden
        return True

    def suspended(self) -> None:
        self.flush_drafts()
        self.session.pause()

    def renew_lease(self) -> None:
        """Back from home or help, maybe after a long while: renew the claim on this task.

        If the lease ran out and others finished the item meanwhile, the store lets this
        assignment go; what the labeler entered stays on screen and submitting says why.
        """
        outcome = self.session.renew()
        if isinstance(outcome, NotSaved):
            self.unreachable(outcome)
            self.say(f"Could not renew your claim on this task: {outcome.reason}. {KEPT}.",
                     "$text-warning")
        elif not outcome.value:
            self.say("Your claim on this task ran out while you were away and others finished "
                     "it. Your answers are kept.", "$text-warning")

    def next_task(self) -> None:
        self._dirty = False
        self._pending = None
        outcome = self.session.claim()
        if isinstance(outcome, NotSaved):  # home is the one screen that needs no task
            self.unreachable(outcome)
            self.notify(f"Could not fetch your next task: {outcome.reason}.", title="Database",
                        severity="error", timeout=10, markup=False)
            self.leave()
        elif outcome.value is None:
            self.show_empty()
        else:
            claimed: Claimed = outcome.value
            self.show_task(claimed.view, claimed.draft)
            if self.READ_AHEAD:
                if self._ahead_timer is not None:
                    self._ahead_timer.stop()
                self._ahead_timer = self.set_timer(self.READ_AHEAD_DELAY, self._read_ahead)

    def _read_ahead(self) -> None:
        """Read the likely next task's data while this one is worked on (`TaskSession.
        read_ahead`): the submit then only claims. A failed read is no fault: the claim
        reads what it needs itself."""
        self._ahead_timer = None
        if self.view is not None:
            self.session.read_ahead()

    def show_task(self, view: TaskView, draft: dict[str, Any]) -> None:
        raise NotImplementedError

    def show_empty(self) -> None:
        title = next((w.title for w in WORK if w.kind == self.KIND), self.KIND)
        self.notify("Nothing is waiting here right now.", title=title)
        self.leave()

    def draft_data(self) -> dict[str, Any]:
        raise NotImplementedError

    # -- drafts -----------------------------------------------------------------------------
    def changed(self) -> None:
        """Call on every edit (the drafting base's throttle saves the draft); a submit waiting
        for the database is cancelled, since the answers on screen are no longer its."""
        if self._pending is not None:  # the answers the submit would send are not these now
            self._pending = None
            line = ("Submit cancelled: you changed an answer. Submit again when you are done; "
                    f"{OUTAGE}")
            self.say(line, "$text-warning")  # the next draft save's line replaces it: a toast too
            self.notify(line, title="Not submitted", severity="warning", timeout=10, markup=False)
        super().changed()

    def flush_drafts(self) -> Outcome | None:
        """Save the draft if anything changed since the last save (None: nothing to save)."""
        if not self._dirty or self.view is None:
            return None
        outcome = self.session.save_draft(self.draft_data())
        if isinstance(outcome, Saved):
            self._dirty = False
        elif self.unreachable(outcome):  # stays dirty; saved when the database is back
            if self._pending is None:
                self.say(f"Draft not saved: {outcome.reason}. {OUTAGE}", "$text-error")
        else:  # stays dirty: the next change, Escape or quit tries again
            line = f"Draft not saved: {outcome.reason}. {KEPT}."
            self.say(line, "$text-error")
            self.notify(line, title="Not saved", severity="error", timeout=10, markup=False)
        return outcome

    def unsaved_draft(self) -> str | None:
        """`item: draft as JSON` when the last draft save failed (`_dirty` stays set), for the
        message the app leaves with; None when everything on screen is saved."""
        if not self._dirty or self.view is None:
            return None
        data = {k: v for k, v in self.draft_data().items() if not k.startswith("_")}
        held = " (submitted, not saved)" if self._pending else ""
        return f"{self.shown_id}{held}: {jsonl_line(data, ensure_ascii=True)}"

    def back_online(self) -> Outcome | None:
        """The database is reachable again: make the submit the labeler asked for, else save
        the draft. None when there was nothing to save."""
        if self._pending is not None:
            submit, done = self._pending
            self._pending = None
            return self.finished(submit(), done, submit=submit, retried=True)
        outcome = self.flush_drafts()
        if self.view is not None and not isinstance(outcome, NotSaved):  # saved, now or before
            self.say("The database is back: your answers are saved.", "$text-success")
        return outcome

    def seconds_on_task(self) -> float:
        return self.session.seconds()

    # -- finishing --------------------------------------------------------------------------
    def finish(self, values: list[LabelValue], done: str) -> Outcome:
        """Submit the task's labels in one transaction, then show the next task."""
        return self.finish_with(lambda: self.session.submit(values), done)

    def finish_with(self, submit: Callable[[], Outcome], done: str) -> Outcome:
        """Finish the task with `submit` (one transaction through the session); see `finished`."""
        return self.finished(submit(), done, submit=submit)

    def finished(self, outcome: Outcome, done: str, *, submit: Callable[[], Outcome] | None = None,
                 retried: bool = False) -> Outcome:
        """After a submit: on success the next task and `done` in the status line; on failure
        the task and every answer stay on screen, the status line says why, and keys already
        typed for the next task are dropped rather than applied to this one. When the database
        was out of reach, `submit` is made again once it is back (`back_online`)."""
        if isinstance(outcome, NotSaved) and self.unreachable(outcome) and submit is not None:
            self._dirty = True
            self._pending = (submit, done)
            if not retried:  # a retry in the background must not drop what is typed now
                self.app.drop_typed_ahead()
                self.app.bell()
            self.say(f"Not submitted yet: {outcome.reason}. {KEPT}; they are submitted once it "
                     "is back (changing an answer cancels that). LabelDesk keeps trying.",
                     "$text-error")
            return outcome
        if isinstance(outcome, NotSaved):
            self._dirty = True
            self.app.drop_typed_ahead()
            how = "submit again" if outcome.busy else "tell your coordinator"
            line = f"Not saved: {outcome.reason}. {KEPT} (keys typed after it are not applied); {how}."
            self.app.bell()
            self.say(line, "$text-error")
            self.notify(line, title="Not saved", severity="error", timeout=10, markup=False)
            return outcome
        self.next_task()
        self.say(done, "$text-success")
        return outcome

    def skip(self, reason: str) -> Outcome:
        assert self.view is not None
        item = self.shown_id
        outcome = self.session.skip(reason)
        if isinstance(outcome, NotSaved):
            self.unreachable(outcome)
            self.refuse(f"Not skipped: {outcome.reason}. {KEPT}.")
        else:
            self._dirty = False
            self.next_task()
            self.say(f"Skipped {on_screen(item)} ({on_screen(reason)}); researchers see the reason.")
        return outcome

    def set_flag(self, flagged: bool) -> bool:
        """Flag the task for review (or not); False when the store could not."""
        outcome = self.session.flag(flagged)
        if isinstance(outcome, NotSaved):
            self.unreachable(outcome)
            self.refuse(f"Flag not changed: {outcome.reason}.")
            return False
        self.say("Flagged for review." if flagged else "Flag removed.")
        return True

    def note_input(self) -> None:
        """A key or paste reached this screen (LabelDeskApp._take)."""
        if self._session is not None:
            self._session.note_input()

__all__ = ["WorkScreen"]
