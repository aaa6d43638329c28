"""Fast answers: tasks finished in less than `fast_fraction` of the labeler's own median active
time for that kind of task, counted once the labeler has `fast_min_tasks` tasks of the kind."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from statistics import median
from typing import TYPE_CHECKING, Any

from store.quality.policy import QualityPolicy

if TYPE_CHECKING:
    import sqlite_utils

Summary = tuple[dict[str, float], int, int]  # `active_summary`'s: medians, fast, judged


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


def active_summaries(labeler: Any, kind: Any, seconds: Any, labelers: int, kinds: list[str],
                     policy: QualityPolicy) -> list[Summary]:
    """`active_summary` of every labeler at once, from arrays with one entry per finished task:
    `labeler` and `kind` codes (`kinds` sorted by name), active `seconds` (NaN: none). The same
    numbers: medians of the same values (a middle one, or the two middle ones' sum halved),
    rounded by Python's `round`, limits from the rounded medians."""
    # here, not at the top: numpy loads only when this runs, never on start-up (tests/test_import_hygiene.py)
    import numpy as np

    timed = ~np.isnan(seconds)
    group = (labeler * len(kinds) + kind)[timed]
    values = seconds[timed]
    order = np.lexsort((values, group))
    group, values = group[order], values[order]
    counts = np.bincount(group, minlength=labelers * len(kinds))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    present = np.flatnonzero(counts)
    n, first = counts[present], starts[present]
    middle = values[first + (n - 1) // 2]
    upper = values[first + n // 2]
    medians = np.where(n % 2 == 1, middle, (middle + upper) / 2)
    rounded = np.zeros(labelers * len(kinds))
    out: list[Summary] = [({}, 0, 0) for _ in range(labelers)]
    judged = np.zeros(labelers, dtype=np.int64)
    for g, count, middle_value in zip(present.tolist(), n.tolist(), medians.tolist(), strict=True):
        j, k = divmod(g, len(kinds))
        rounded[g] = out[j][0][kinds[k]] = round(middle_value, 1)
        if count >= policy.fast_min_tasks:
            judged[j] += count
    eligible = counts >= policy.fast_min_tasks
    fast_rows = eligible[group] & (values < policy.fast_fraction * rounded[group])
    fast = np.bincount(group[fast_rows] // len(kinds), minlength=labelers)
    return [(medians_j, int(fast[j]), int(judged[j])) for j, (medians_j, _f, _n) in enumerate(out)]


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
