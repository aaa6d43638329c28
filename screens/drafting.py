"""The base of every screen that keeps what the labeler types: work screens, the quiz, surveys.

It holds what they share and nothing about tasks: the status line (`say`, `refuse`,
`key_unused`), the draft throttle (`changed`: saved by `flush_drafts` within DRAFT_DELAY), what
the App asks of a screen that keeps drafts (`screens.host.KeepsDrafts`: `flush_drafts`,
`back_online`, `unsaved_draft`) and leaving safely (Escape saves the draft, then home).
Subclasses say what opening the screen shows (`opened`, on every resume: a screen is installed
once) and what a draft is (`flush_drafts`; none by default). `screens.base.WorkScreen` adds the
task queue through a `store.task_session.TaskSession`, `screens.quiz.QuizScreen` takes a quiz
through a `store.quiz.session.QuizSession`, and `screens.survey.SurveyScreen` keeps no draft.

Keys reach these screens only through the App's ordered path (`screens.key_path.OrderedScreen`): one at a time, each applied with all it causes before the next. While
the screen cannot take keys (`ready` is False: being pushed, fetching a task) the App keeps
them and replays them here, in order, as soon as it can.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.timer import Timer

from screens.host import Host
from screens.key_path import OrderedScreen
from screens.widgets.status_line import StatusLine
from store.task_session import NotSaved, Outcome
from store.text import on_screen


class DraftingScreen(OrderedScreen):
    app: Host  # the typed view of self.app (screens.host)
    KIND = ""
    DRAFT_DELAY = 0.8  # seconds after the first unsaved change; the spec allows ~1 s of loss

    BINDINGS = [
        Binding("escape", "home", "Home", id="work.home"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.ready = False
        self._dirty = False
        self._draft_timer: Timer | None = None

    # -- opening and leaving ----------------------------------------------------------------
    # Handlers, not overridden: Textual calls each class's own on_screen_resume/suspend (see
    # screens/key_path.py), so subclasses override the hooks they call instead.
    def on_screen_resume(self) -> None:
        self.opened()
        # then OrderedScreen's: ready, and the keys kept meanwhile are replayed

    def on_screen_suspend(self) -> None:
        self.suspended()

    def opened(self) -> None:
        """The screen is current again (pushed, or back from help): show what is current."""
        raise NotImplementedError

    def suspended(self) -> None:
        """Another screen covers this one (home, help, quitting): keep what is on screen."""
        self.flush_drafts()

    def leave(self) -> None:
        self.ready = False
        if self.app.screen is self:
            self.app.pop_screen()
            self.app.call_later(self.app.drain_keys)  # keys typed meanwhile go to home

    def action_home(self) -> None:
        self.flush_drafts()
        self.leave()

    # -- the status line --------------------------------------------------------------------
    def say(self, content: Content | str, style: str = "") -> None:
        # The status line is a child of the screen (each screen yields it at the top): a query
        # of the whole screen here cost ~1 ms of every key. None once unmounted (drafts are
        # flushed on exit).
        for line in self.query_children(StatusLine):
            line.say(content, style)

    def refuse(self, why: str) -> None:
        """A key that cannot apply here: a bell and one line saying why."""
        self.app.bell()
        self.say(why, "$text-warning")

    def key_unused(self, event: events.Key) -> None:
        """Nothing took `event`: the focused widget or the screen may explain (`explain_key`),
        else a generic line. Keys typed after it still apply, in order."""
        why = ""
        for node in (self.focused, self):
            explain = getattr(node, "explain_key", None)
            why = why or (explain(event) if explain is not None else "")
        name = event.character if event.is_printable and event.character else event.key
        self.refuse(why or f"{on_screen(name)} does nothing here (F1: keys and guidelines)")

    # -- drafts -----------------------------------------------------------------------------
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

    def flush_drafts(self) -> Outcome | None:
        """Save the draft if anything changed since the last save (None: nothing to save)."""
        return None

    def unsaved_draft(self) -> str | None:
        """`item: draft as JSON` when the last draft save failed, for the message the app
        leaves with; None when everything on screen is saved."""
        return None

    def unreachable(self, outcome: NotSaved) -> bool:
        """True when `outcome` failed because the database is out of reach: the app then
        keeps trying to reach it and calls `back_online` on every screen once it can."""
        if outcome.unreachable:
            self.app.database_unreachable()
        return outcome.unreachable

    def back_online(self) -> Outcome | None:
        """The database is reachable again: save the draft. None when there was nothing to
        save."""
        return self.flush_drafts()


__all__ = ["DraftingScreen"]
