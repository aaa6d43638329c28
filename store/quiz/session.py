"""A candidate taking their screening quiz, without a screen: open, hold, answer, submit.

The quiz's counterpart of `store.task_session.TaskSession`: every write returns `Saved` or
`NotSaved` (a busy database retried for `busy_bound` seconds; other faults and refusals said in
words for the candidate), and the session keeps the time on the item on screen (a clock that
stops while the candidate is elsewhere), which each saved answer carries. `view` is what the
candidate's screen may know (`store.quiz.taking.QuizView`: items and their own answers, never
gold).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from store.quiz import admin, taking
from store.quiz.holding import hold_quiz, quiz_holder
from store.resume import pending_quiz
from store.task_session import Outcome, Saved, attempt

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

    from store.schema import Schema


class QuizSession:
    """One candidate's quiz: which item is on screen (-1 the instructions, `len(items)` the
    review page) and for how long."""

    def __init__(self, db: sqlite_utils.Database, labeler: str, *, schema: Schema | None = None,
                 busy_bound: float | None = None) -> None:
        self.db = db
        self.labeler = labeler
        self.schema = schema
        self.busy_bound = busy_bound
        self.view: taking.QuizView | None = None
        self.position = -1
        self._base = 0.0  # seconds on the item saved with its answer
        self._since: float | None = None  # when the item came on screen, or its last save

    def _try(self, fn: Any, *args: Any, **kwargs: Any) -> Outcome:
        return attempt(fn, *args, bound=self.busy_bound, **kwargs)

    @property
    def live(self) -> taking.QuizView:
        """The loaded quiz (every call but `open` comes after it)."""
        assert self.view is not None
        return self.view

    # -- opening ------------------------------------------------------------------------
    def open(self) -> taking.QuizView | None:
        """The candidate's unsubmitted quiz, else the last one assigned (to show it locked);
        None, and the quiz shown before kept, when none is assigned."""
        name = pending_quiz(self.db, self.labeler)
        if name is None:
            taken = admin.assigned_quizzes(self.db, self.labeler)
            if not taken:
                return None
            name = taken[-1][0]
        self.view = taking.load_session(self.db, name, self.labeler)
        return self.view

    def reload(self) -> taking.QuizView:
        """The same quiz read again (answers another terminal saved, its lock)."""
        self.view = taking.load_session(self.db, self.live.quiz, self.labeler)
        return self.view

    def hold(self, *, take_over: bool = False) -> Outcome:
        """This session takes the quiz (`store.quiz.holding`): `NotSaved` while another session
        of the candidate holds it, unless `take_over`."""
        return self._try(hold_quiz, self.db, self.live.quiz, self.labeler, take_over=take_over)

    def holder(self) -> Outcome:
        """`Saved(the other session)` holding the quiz, `Saved(None)` when none does."""
        return self._try(quiz_holder, self.db, self.live.quiz, self.labeler)

    # -- the item on screen -------------------------------------------------------------
    @property
    def item(self) -> taking.QuizItem | None:
        if self.view and 0 <= self.position < len(self.view.items):
            return self.view.items[self.position]
        return None

    def show(self, position: int) -> None:
        """`position` comes on screen: its clock goes on from the seconds saved with it."""
        self.position = position
        self._since = time.monotonic()
        answer = self.live.answers.get(position) or {}
        self._base = float(answer.get("_seconds", 0.0)) if self.item else 0.0

    def pause(self) -> None:
        """The candidate left the quiz: the item's clock stops."""
        self._since = None

    def seconds_on_item(self) -> float:
        running = time.monotonic() - self._since if self._since is not None else 0.0
        return self._base + running

    def unsaved_seconds(self) -> float:
        """Time on the item since its answer was last saved."""
        return self.seconds_on_item() - self._base

    # -- writing ------------------------------------------------------------------------
    def save_answer(self, answer: dict[str, Any]) -> Outcome:
        """Keep the answer of the item on screen, with the time on it so far."""
        seconds = self.seconds_on_item()
        outcome = self._try(taking.save_answer, self.db, self.live, self.position, answer,
                            seconds=seconds)
        if isinstance(outcome, Saved):
            self._base, self._since = seconds, time.monotonic()
        return outcome

    def submit(self) -> Outcome:
        """Every saved answer written as labels and the quiz locked, in one transaction."""
        return self._try(taking.submit_quiz, self.db, self.live, schema=self.schema)


__all__ = ["QuizSession"]
