"""The judgement after every submit, from counts kept between submits.

`status.refresh_status` judges a labeler from everything: every gold answer scored again and
every finished task's active time read, so a submit costs more the longer the labeler works.
`KeptJudgement` keeps those counts in the labeler's app (each gold answer's counts, each kind's
active times in ascending order) and reads only what changed since its last judgement: gold
answers after the last it kept, the submitted assignment's row. It checks what it keeps
against the database on every call, in SQL (how many gold answers and finished tasks, which
ids, the researchers' gold on the answered items), and reads everything again when anything
differs (the first call; another session of the labeler; a researcher's new gold), so its
judgement is always the full one's (`tests/store/test_kept_judgement.py` compares them over
random histories).

Every call runs the same statements whatever the submitted task was, a check or work: a new
gold answer changes which rows they return, not which statements run, and is scored in
microseconds (tests/store/test_gold_hidden.py).
"""

from __future__ import annotations

import json
from bisect import bisect_left, insort
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from store.quality.fast import fast_of_sorted
from store.quality.policy import QualityPolicy
from store.quality.scoring import GoldKey, Tally, gold_from_rows, score_one
from store.quality.status import store_judgement, stored_status

if TYPE_CHECKING:
    import sqlite_utils

    from store.schema import Schema

_NEW_ANSWERS = ("SELECT id, answers, submitted_at, assignment_id FROM gold_answers "
                "WHERE labeler = ? AND id > ? ORDER BY id")
_ANSWERS = "SELECT count(*) FROM gold_answers WHERE labeler = ?"
# The researchers' gold on the items of the labeler's answers (`scoring.gold_for`'s rows).
_GOLD = ("SELECT id, task, item, field, value FROM labels WHERE gold = 1 "
         "AND task IN (SELECT t.value FROM json_each(?) t) "
         "AND item IN (SELECT j.value FROM json_each(?) j) ORDER BY id")  # index labels_gold
# Which tasks are finished (from the index on (labeler, status) alone), and the submitted one.
_DONE = ("SELECT s.n, s.top, s.total, a.id, t.kind, a.active_seconds FROM (SELECT count(*) AS n, "
         "max(id) AS top, sum(id) AS total FROM assignments WHERE labeler = ? AND status = 'done') s "
         "LEFT JOIN assignments a ON a.id = ? AND a.status = 'done' "
         "LEFT JOIN tasks t ON t.id = a.task_id")
_DONE_ROWS = ("SELECT a.id, t.kind, a.active_seconds FROM assignments a CROSS JOIN tasks t "
              "ON t.id = a.task_id WHERE a.labeler = ? AND a.status = 'done'")

Row = tuple[Any, ...]
Done = dict[int, tuple[str, float | None]]  # a finished task's id: its kind, active seconds


@dataclass
class _Check:
    """One gold answer as scored: its id, when it was submitted, its counts alone."""

    id: int
    submitted_at: str
    one: Tally


@dataclass
class _Kept:
    checks: list[_Check] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    tasks: frozenset[str] = frozenset()  # the tasks and items the answers are about
    items: frozenset[str] = frozenset()
    gold_rows: list[Row] = field(default_factory=list)  # `_GOLD`'s rows for `items`
    gold: dict[GoldKey, Any] = field(default_factory=dict)
    done: Done = field(default_factory=dict)
    top: int | None = None  # the largest id in `done`
    total: int = 0  # the sum of the ids in `done`
    times: dict[str, list[float]] = field(default_factory=dict)  # a kind's active times, ascending

    since: str | None = None  # the resume `fresh` counts from
    fresh: Tally = field(default_factory=Tally)  # the checks since then, of `checks[:fresh_n]`
    fresh_n: int = 0

    def fresh_since(self, since: str) -> Tally:
        """The tally of the checks submitted since `since` (the labeler's last resume)."""
        if since != self.since:
            self.since, self.fresh, self.fresh_n = since, Tally(), 0
        for check in self.checks[self.fresh_n:]:
            if check.submitted_at >= since:
                self.fresh.add_check(check.one)
        self.fresh_n = len(self.checks)
        return self.fresh

    def stamp_with(self, row: tuple[int, tuple[str, float | None]] | None) -> Row:
        """`_DONE`'s count, top and total of the finished tasks' ids, with `row` among them."""
        if row is not None and row[0] not in self.done:
            return (len(self.done) + 1, max(self.top or 0, row[0]), self.total + row[0])
        return (len(self.done), self.top, self.total) if self.done else (0, None, None)


class KeptJudgement:
    """One labeler's judgement after each submit (`judge`), kept between submits."""

    def __init__(self, labeler: str, policy: QualityPolicy, schema: Schema) -> None:
        self.labeler, self.policy, self.schema = labeler, policy, schema
        self._kept: _Kept | None = None

    def due(self, db: sqlite_utils.Database) -> bool:
        """Whether there is anything to judge: the labeler has answered a check (gold answers
        are never deleted, so once kept, always). Read before the judgement's write
        transaction: a labeler without checks takes no write lock for it."""
        return self._kept is not None or bool(db.execute(_ANSWERS, [self.labeler]).fetchone()[0])

    def judge(self, db: sqlite_utils.Database, submitted: int) -> None:
        """Re-judge the labeler after their submit of assignment `submitted` as
        `status.refresh_status(news_only=False)` would, inside the caller's transaction."""
        who, kept = self.labeler, self._kept
        count = int(db.execute(_ANSWERS, [who]).fetchone()[0])
        if not count:  # no check answered yet: nothing to judge (as refresh_status)
            self._kept = None  # counted from scratch at the first check, as before
            return
        old = stored_status(db, who)
        last = kept.checks[-1].id if kept is not None and kept.checks else 0
        new = [(int(r[0]), json.loads(r[1]), str(r[2]), r[3])
               for r in db.execute(_NEW_ANSWERS, [who, last])]
        known = kept.items if kept is not None else frozenset()
        items = known | {a[1] for n in new for a in n[1]}
        label_tasks = (kept.tasks if kept is not None else frozenset()) | {a[0] for n in new for a in n[1]}
        gold_rows = _gold_rows(db, label_tasks, items)
        stamp_and_row = db.execute(_DONE, [who, submitted]).fetchone()
        row = (None if stamp_and_row[3] is None
               else (int(stamp_and_row[3]), (stamp_and_row[4], stamp_and_row[5])))
        if (kept is not None and count == len(kept.checks) + len(new)
                and all(n[3] == submitted for n in new)
                and [r for r in gold_rows if r[2] in known] == kept.gold_rows
                and tuple(stamp_and_row[:3]) == kept.stamp_with(row)):
            self._add(kept, new, label_tasks, items, gold_rows, row)
        else:  # something this session did not do (or its first call): count everything
            kept = self._kept = self._counted(db)
        since = old["resumed_at"] if old and old["resumed_at"] else None
        fresh = kept.tally if since is None else kept.fresh_since(since)
        fast, tasks = fast_of_sorted(kept.times, self.policy)
        store_judgement(db, who, self.policy, old, kept.checks[-1].id, tally=kept.tally,
                        fresh=fresh, fast=fast, tasks=tasks)

    def _add(self, kept: _Kept, new: list[Row], tasks: frozenset[str], items: frozenset[str],
             gold_rows: list[Row], row: tuple[int, tuple[str, float | None]] | None) -> None:
        """Score the new gold answers and count the submitted task's active time into `kept`.
        Everything that can fail comes first, so a retried transaction finds `kept` whole;
        counting the same row again changes nothing."""
        added_rows = [r for r in gold_rows if r[2] not in kept.items]
        gold = {**kept.gold, **gold_from_rows(r[1:] for r in added_rows)} if added_rows else kept.gold
        scored = [(_Check(answer_id, submitted_at, score_one(answers, gold, self.schema)[0]))
                  for answer_id, answers, submitted_at, _assignment in new]
        for check in scored:
            kept.tally.add_check(check.one)
            kept.checks.append(check)
        if added_rows:
            kept.gold, kept.gold_rows = gold, sorted(kept.gold_rows + added_rows)
        kept.tasks, kept.items = tasks, items
        if row is not None and kept.done.get(row[0]) != row[1]:
            _move(kept.times, kept.done.get(row[0]), row[1])
            if row[0] not in kept.done:
                kept.top = max(kept.top or 0, row[0])
                kept.total += row[0]
            kept.done[row[0]] = row[1]

    def _counted(self, db: sqlite_utils.Database) -> _Kept:
        """Everything read and counted again, as `status.refresh_status` counts it."""
        answers = [(int(r[0]), json.loads(r[1]), str(r[2]))
                   for r in db.execute(_NEW_ANSWERS, [self.labeler, 0]).fetchall()]
        tasks = frozenset(a[0] for _i, given, _at in answers for a in given)
        items = frozenset(a[1] for _i, given, _at in answers for a in given)
        gold_rows = _gold_rows(db, tasks, items)
        kept = _Kept(tasks=tasks, items=items, gold_rows=gold_rows,
                     gold=gold_from_rows(r[1:] for r in gold_rows))
        for answer_id, given, submitted_at in answers:
            one, _misses = score_one(given, kept.gold, self.schema)
            kept.tally.add_check(one)
            kept.checks.append(_Check(answer_id, submitted_at, one))
        for done_id, kind, active in db.execute(_DONE_ROWS, [self.labeler]).fetchall():
            kept.done[int(done_id)] = (kind, active)
            _move(kept.times, None, (kind, active))
        if kept.done:
            kept.top, kept.total = max(kept.done), sum(kept.done)
        return kept


def _gold_rows(db: sqlite_utils.Database, tasks: frozenset[str], items: frozenset[str]) -> list[Row]:
    return [tuple(r) for r in db.execute(_GOLD, [json.dumps(sorted(tasks)), json.dumps(sorted(items))])]


def _move(times: dict[str, list[float]], before: tuple[str, float | None] | None,
          after: tuple[str, float | None]) -> None:
    """A task's active time `before` (kind, seconds; None: not counted yet) leaves its kind's
    ascending list, `after` joins; a task without an active time counts in neither."""
    if before is not None and before[1] is not None:
        values = times[before[0]]
        del values[bisect_left(values, before[1])]
    if after[1] is not None:
        insort(times.setdefault(after[0], []), after[1])


__all__ = ["KeptJudgement"]
