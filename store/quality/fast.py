"""Fast answers: tasks finished in less than `fast_fraction` of the labeler's own median active
time for that kind of task, counted once the labeler has `fast_min_tasks` tasks of the kind."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from statistics import median
from typing import TYPE_CHECKING

from store.quality.policy import QualityPolicy

if TYPE_CHECKING:
    import sqlite_utils


def active_summary(rows: Iterable[tuple[str, float]], policy: QualityPolicy
                   ) -> tuple[dict[str, float], int, int]:
    """From (kind, active seconds) of one labeler's finished tasks: the median per kind, the
    number of fast answers, and the number of tasks the fast rule could judge."""
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, seconds in rows:
        if seconds is not None:
            by_kind[kind].append(seconds)
    medians = {kind: round(median(values), 1) for kind, values in sorted(by_kind.items())}
    fast = judged = 0
    for kind, values in by_kind.items():
        if len(values) < policy.fast_min_tasks:
            continue
        judged += len(values)
        limit = policy.fast_fraction * medians[kind]
        fast += sum(1 for v in values if v < limit)
    return medians, fast, judged


def fast_of_sorted(by_kind: Mapping[str, Sequence[float]], policy: QualityPolicy) -> tuple[int, int]:
    """`active_summary`'s fast answers and judged tasks from each kind's values kept in
    ascending order: a median and a bisection a kind instead of a pass over every task."""
    fast = judged = 0
    for values in by_kind.values():
        n = len(values)
        if not n or n < policy.fast_min_tasks:
            continue
        judged += n
        mid = n // 2  # statistics.median's own arithmetic, so the limit is the same float
        middle = values[mid] if n % 2 else (values[mid - 1] + values[mid]) / 2
        fast += bisect_left(values, policy.fast_fraction * round(middle, 1))
    return fast, judged


def fast_answers(db: sqlite_utils.Database, labeler: str, policy: QualityPolicy) -> tuple[int, int]:
    rows = db.execute(
        """SELECT t.kind, a.active_seconds FROM assignments a CROSS JOIN tasks t ON t.id = a.task_id
           WHERE a.labeler = ? AND a.status = 'done' AND a.active_seconds IS NOT NULL""",
        [labeler]).fetchall()
    _medians, fast, judged = active_summary(rows, policy)
    return fast, judged
