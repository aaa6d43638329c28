"""One labeler's work on one kind of task, without a screen: claim, draft, skip, flag, submit.

Every write returns `Saved` or `NotSaved`, never a bare bool or an exception, so a caller that
ignores the outcome fails type checking (`Outcome` is a union that has to be matched) and a
status line can only say "Saved" after the transaction committed. A busy database is retried
for up to `busy_bound` seconds (`store.db.retry_busy`); other faults and refused labels are
reported at once, in words for the person at the keyboard.

The session wraps `store.queue`, `store.labels` and `store.demonstrations`; it adds the time on
task (a clock that pauses while the labeler is elsewhere) and the active time (inputs, idle gaps
left out: `store.quality.clock`), and hands the quality policy to claims (gold checks, pause).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from store import demonstrations, labels, queue
from store.claim_order import DEFAULT_WINDOW
from store.db import immediate, retry_busy
from store.errors import StoreError, describe_fault, fault_kind
from store.quality.clock import ActiveClock
from store.quality.policy import QualityPolicy
from store.values import Assignment, LabelValue
from store.views import Ahead, TaskView, read_ahead, task_view

if TYPE_CHECKING:  # annotations only
    import sqlite_utils

    from store.disputes import Rules
    from store.quality.kept import KeptJudgement
    from store.schema import Schema

T = TypeVar("T")

SECONDS_KEY = "_seconds"  # time on task kept in the draft, so a resumed task keeps its clock
ACTIVE_KEY = "_active"  # active seconds kept in the draft likewise


@dataclass(frozen=True)
class Saved:
    """The transaction committed; `value` is what the store call returned."""

    value: Any = None


@dataclass(frozen=True)
class NotSaved:
    """Nothing was written. `reason` is one line for the labeler; `kind` is ``busy``,
    ``unreachable``, ``readonly``, ``full``, ``corrupt``, ``io`` (database faults) or
    ``refused`` (the store refused the data: a validation error, a task no longer open)."""

    reason: str
    kind: str

    @property
    def busy(self) -> bool:
        return self.kind == "busy"

    @property
    def unreachable(self) -> bool:
        """The database is out of reach: the same write may go through once it is back."""
        return self.kind == "unreachable"


Outcome = Saved | NotSaved


@dataclass
class Claimed:
    """A task on the labeler's desk and the draft they left in it (``{}`` when none)."""

    view: TaskView
    draft: dict[str, Any] = field(default_factory=dict)


def attempt(fn: Callable[..., T], *args: Any, bound: float | None = None, **kwargs: Any) -> Outcome:
    """``fn(*args, **kwargs)`` as one transaction: `Saved(result)`, or `NotSaved` saying why."""
    try:
        return Saved(retry_busy(fn, *args, bound=bound, **kwargs))
    except sqlite3.Error as exc:
        return NotSaved(describe_fault(exc), fault_kind(exc))
    except StoreError as exc:
        return NotSaved(str(exc), "refused")


def judge_labeler(db: sqlite_utils.Database, labeler: str, policy: QualityPolicy,
                  schema: Schema | None) -> None:
    """The full judgement `TaskSession` keeps (`store.quality.kept`) and is checked against:
    re-judge the labeler once they have answered a gold check
    (`quality.status.refresh_status`), counting everything again."""
    # here, not at the top: not on the app's path to its first frame
    from store.quality.status import refresh_status

    with immediate(db, shared=True, durable=False):
        refresh_status(db, labeler, policy, schema, news_only=False)


class TaskSession:
    """Claims tasks of one kind for one labeler and writes what they enter."""

    def __init__(self, db: sqlite_utils.Database, labeler: str, kind: str, *, overlap: int,
                 lease_seconds: int, schema: Schema | None = None,
                 busy_bound: float | None = None, policy: QualityPolicy | None = None,
                 escalation: Rules | None = None, window: int = DEFAULT_WINDOW) -> None:
        self.db = db
        self.window = window  # [queue] window: claims draw from the oldest open tasks
        self.escalation = escalation  # the [adjudication] rules: disputed items get more labelers
        self.labeler = labeler
        self.kind = kind
        self.overlap = overlap
        self.lease_seconds = lease_seconds
        self.schema = schema
        self.busy_bound = busy_bound
        self.view: TaskView | None = None
        self._seconds = 0.0
        self._since: float | None = None
        self.policy = policy
        self.clock = self._new_clock()
        self._cut_off = False  # the last submit failed with the connection (submit_with)
        self.ahead: Ahead | None = None  # the likely next task, read while this one is worked
        self._judgement: KeptJudgement | None = None  # made at the first submit

    def _try(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Outcome:
        return attempt(fn, *args, bound=self.busy_bound, **kwargs)

    @property
    def assignment_id(self) -> int:
        assert self.view is not None, "no task claimed"
        return self.view.assignment.id

    # -- claiming ---------------------------------------------------------------------------
    def claim(self) -> Outcome:
        """The labeler's unfinished task of this kind, else the next open one:
        `Saved(Claimed)`, `Saved(None)` when nothing is waiting, or `NotSaved`."""
        outcome = self._try(self._claim)
        self.view = None
        self._cut_off = False
        if isinstance(outcome, Saved) and outcome.value is not None:
            claimed: Claimed = outcome.value
            self.view = claimed.view
            self._seconds = float(claimed.draft.pop(SECONDS_KEY, 0.0))
            self._since = time.monotonic()
            # Showing the task starts a stretch: reading before the first key counts.
            self.clock = self._new_clock(float(claimed.draft.pop(ACTIVE_KEY, 0.0)))
            self.clock.touch(self._since)
        return outcome

    def _claim(self) -> Claimed | None:
        assignment = self.claim_assignment()
        if assignment is None:
            return None
        return Claimed(self.view_of(assignment), labels.load_draft(self.db, assignment.id) or {})

    def claim_assignment(self) -> Assignment | None:
        """Overridden by kinds whose items are not prompts (demonstration scoring)."""
        return queue.claim_next(self.db, self.labeler, self.kind, overlap=self.overlap,
                                lease_seconds=self.lease_seconds, policy=self.policy,
                                escalation=self.escalation, window=self.window)

    def view_of(self, assignment: Assignment) -> TaskView:
        ahead, self.ahead = self.ahead, None
        return task_view(self.db, assignment, ahead)

    def read_ahead(self) -> Outcome:
        """Read the likely next task's prompt and outputs now, while the labeler works on this
        one, so the claim after the submit reads only its assignment (`store.views.read_ahead`).
        Nothing is claimed or leased: the claim stays at the submit, under the overlap rules."""
        skip = self.view.prompt.id if self.view is not None else ""
        outcome = self._try(lambda: read_ahead(self.db, queue.likely_next(
            self.db, self.labeler, self.kind, overlap=self.overlap, skip=skip,
            window=self.window, policy=self.policy)))
        if isinstance(outcome, Saved):
            self.ahead = outcome.value
        return outcome

    def renew(self) -> Outcome:
        """Claim again after a pause: `Saved(True)` while this task is still ours."""
        if self.view is None:
            return Saved(False)
        outcome = self._try(queue.claim_next, self.db, self.labeler, self.kind,
                            overlap=self.overlap, lease_seconds=self.lease_seconds,
                            escalation=self.escalation)
        if isinstance(outcome, NotSaved):
            return outcome
        return Saved(outcome.value is not None and outcome.value.id == self.assignment_id)

    # -- writing ----------------------------------------------------------------------------
    def save_draft(self, data: dict[str, Any]) -> Outcome:
        """Keep `data` (with the time on task) and renew the lease."""
        draft = {**data, SECONDS_KEY: self.seconds(), ACTIVE_KEY: self.active_seconds()}
        return self._try(labels.save_draft, self.db, self.assignment_id, draft,
                         lease_seconds=self.lease_seconds)

    def submit(self, values: list[LabelValue]) -> Outcome:
        return self.submit_with(labels.submit, self.db, self.assignment_id, values,
                                seconds=self.seconds(), schema=self.schema, overlap=self.overlap,
                                active_seconds=self.active_seconds(), escalation=self.escalation)

    def submit_with(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Outcome:
        """Finish the task through a store function of its kind (demonstrations, scores).

        A submit cut off by a lost connection may have committed with only its answer lost:
        when the next try is refused because the task is done, that earlier try saved it, so
        it counts as saved, once."""
        submitted = self.assignment_id
        outcome = self._try(fn, *args, **kwargs)
        if isinstance(outcome, NotSaved) and outcome.kind == "refused" and self._cut_off:
            done = self._try(queue.get_assignment, self.db, self.assignment_id)
            if isinstance(done, Saved) and done.value.status == "done":
                outcome = Saved(None)
        self._cut_off = isinstance(outcome, NotSaved) and outcome.kind == "unreachable"
        if isinstance(outcome, Saved):
            self.view = None
            if self.policy is not None:
                # A failed judgement is no fault: the next claim judges what is left.
                self._try(self._judge, submitted)
        return outcome

    def _judge(self, submitted: int) -> None:
        """After every submit of a labeler with a quality policy, check or production alike:
        re-judge them once they have answered a gold check, from counts kept since the last
        submit (`store.quality.kept`; the same statements whatever the task was). Here, not
        in the next claim: PostgreSQL's claim is then one call of the server function
        whatever came before it (the judgement is Python), so neither the submit nor the
        claim after a check stands out (docs/deployment.md). Not durable: a judgement lost
        with a crash is news again, judged by the next claim."""
        assert self.policy is not None
        if self._judgement is None:
            # here, not at the top: not on the app's path to its first frame
            from store.quality.kept import KeptJudgement
            from store.schema import load_schema

            self._judgement = KeptJudgement(self.labeler, self.policy, self.schema or load_schema())
        if self._judgement.due(self.db):
            with immediate(self.db, shared=True, durable=False):
                self._judgement.judge(self.db, submitted)

    def skip(self, reason: str) -> Outcome:
        outcome = self._try(queue.skip, self.db, self.assignment_id, reason)
        if isinstance(outcome, Saved):
            self.view = None
        return outcome

    def flag(self, flagged: bool) -> Outcome:
        return self._try(queue.set_flag, self.db, self.assignment_id, flagged)

    # -- time on task -----------------------------------------------------------------------
    def pause(self) -> None:
        if self._since is not None:
            self._seconds += time.monotonic() - self._since
            self._since = None
        self.clock.pause()

    def resume(self) -> None:
        if self._since is None:
            self._since = time.monotonic()
            self.clock.touch(self._since)  # the task is on screen again

    # -- active time --------------------------------------------------------------------------
    def _new_clock(self, seconds: float = 0.0) -> ActiveClock:
        idle = self.policy.idle_seconds if self.policy is not None else QualityPolicy.idle_seconds
        return ActiveClock(idle, seconds)

    def note_input(self) -> None:
        """A key or paste while this task is on screen."""
        if self.view is not None:
            self.clock.touch(time.monotonic())

    def active_seconds(self) -> float:
        return self.clock.rounded

    def seconds(self) -> float:
        running = time.monotonic() - self._since if self._since is not None else 0.0
        return round(self._seconds + running, 1)




class ScoreSession(TaskSession):
    """Researchers scoring written demonstrations: the item is a demonstration `d<id>`."""

    def __init__(self, db: sqlite_utils.Database, labeler: str, **kwargs: Any) -> None:
        super().__init__(db, labeler, demonstrations.SCORE_KIND, overlap=1, **kwargs)
        self.demo: demonstrations.Demonstration | None = None

    def claim_assignment(self) -> Assignment | None:
        return demonstrations.claim_score(self.db, self.labeler, lease_seconds=self.lease_seconds)

    def view_of(self, assignment: Assignment) -> TaskView:
        self.demo = demonstrations.get_demonstration(self.db, assignment.item)
        return TaskView(assignment, self.demo.prompt, [])

    def submit_score(self, rating: int) -> Outcome:
        assert self.demo is not None
        return self.submit_with(demonstrations.submit_score, self.db, self.assignment_id,
                                self.demo.id, rating, seconds=self.seconds(), schema=self.schema)


__all__ = ["Claimed", "NotSaved", "Outcome", "Saved", "ScoreSession", "TaskSession", "attempt"]
