"""Scoring gold-check answers against researcher gold: light (no numpy), so the claim path can
re-judge a labeler right after a check without a pause that would give the check away.

Flags (yes/no, n/a and category fields) agree when equal; ratings (scale fields) give a
difference; rankings give output pairs, compared as `interfaces.md` defines pairwise agreement:
over pairs both rankings order strictly, the share ordered the same (ties excluded).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from store.errors import LabelError
from store.ranking import untied_pairs

if TYPE_CHECKING:
    import sqlite_utils

    from store.schema import Schema

GoldKey = tuple[str, str, str]  # (task, item, field)


def same_value(a: Any, b: Any) -> bool:
    # JSON true and 1 are different answers; Python's == would call them equal.
    return a == b and isinstance(a, bool) == isinstance(b, bool)


@dataclass
class Tally:
    """A labeler's gold-check answers: totals, and the same counts per check (`*_by_check`,
    one entry a check that had such answers), because answers about one item are not
    independent (store/reports/intervals.py)."""

    checks: int = 0
    flag_agree: int = 0
    flag_n: int = 0
    rating_diffs: list[int] = field(default_factory=list)
    rank_items: int = 0
    rank_same: int = 0
    rank_compared: int = 0
    flags_by_check: list[tuple[int, int]] = field(default_factory=list)
    ratings_by_check: list[list[int]] = field(default_factory=list)
    ranks_by_check: list[tuple[int, int]] = field(default_factory=list)
    pooled_by_check: list[tuple[int, int]] = field(default_factory=list)

    def __iadd__(self, other: Tally) -> Tally:
        self.checks += other.checks
        self.flag_agree += other.flag_agree
        self.flag_n += other.flag_n
        self.rating_diffs += other.rating_diffs
        self.rank_items += other.rank_items
        self.rank_same += other.rank_same
        self.rank_compared += other.rank_compared
        self.flags_by_check += other.flags_by_check
        self.ratings_by_check += other.ratings_by_check
        self.ranks_by_check += other.ranks_by_check
        self.pooled_by_check += other.pooled_by_check
        return self

    @property
    def within_1(self) -> int:
        return sum(1 for d in self.rating_diffs if d <= 1)

    @property
    def within_1_by_check(self) -> list[tuple[int, int]]:
        return [(sum(1 for d in diffs if d <= 1), len(diffs)) for diffs in self.ratings_by_check]

    @property
    def successes(self) -> int:
        """Pooled over flags, ratings within 1 and ranking pairs: the gold agreement."""
        return self.flag_agree + self.within_1 + self.rank_same

    @property
    def trials(self) -> int:
        return self.flag_n + len(self.rating_diffs) + self.rank_compared

    @property
    def agreement(self) -> float | None:
        return self.successes / self.trials if self.trials else None

    def add_check(self, one: Tally) -> None:
        """Add one gold check's counts (`one` holds that check alone) to the totals, and to
        the per-check lists as one cluster."""
        self.add_counts(one.checks, one.flag_agree, one.flag_n, one.rating_diffs, one.rank_items,
                        one.rank_same, one.rank_compared)

    def add_counts(self, checks: int, flag_agree: int, flag_n: int, diffs: list[int],
                   rank_items: int, rank_same: int, rank_compared: int) -> None:
        """`add_check` from one check's counts (`check_counts`), without a Tally for it."""
        if flag_n:
            self.flags_by_check.append((flag_agree, flag_n))
        if diffs:
            self.ratings_by_check.append(diffs)
        if rank_compared:
            self.ranks_by_check.append((rank_same, rank_compared))
        # The totals field by field (not `+=`, whose list copies cost most of a report's scoring).
        trials = flag_n + len(diffs) + rank_compared
        if trials:
            within_1 = sum(1 for d in diffs if d <= 1) if diffs else 0
            self.pooled_by_check.append((flag_agree + within_1 + rank_same, trials))
        self.checks += checks
        self.flag_agree += flag_agree
        self.flag_n += flag_n
        self.rating_diffs += diffs
        self.rank_items += rank_items
        self.rank_same += rank_same
        self.rank_compared += rank_compared


def ranking_pairs(answer: list[list[str]], gold: list[list[str]]) -> tuple[int, int] | None:
    """(same, compared) output pairs; None when the rankings cover different outputs."""
    gold_rank = {o: n for n, group in enumerate(gold) for o in group}
    if {o for group in answer for o in group} != set(gold_rank):
        return None
    same = compared = 0
    for better, worse in untied_pairs(answer):
        if gold_rank[better] != gold_rank[worse]:
            compared += 1
            same += gold_rank[better] < gold_rank[worse]
    return same, compared


_KINDS: dict[tuple[int, str, str], str | None] = {}


def _kind(schema: Schema, task: str, name: str) -> str | None:
    key = (id(schema), task, name)
    if key not in _KINDS:
        try:
            _KINDS[key] = schema.field(task, name).kind
        except LabelError:  # a task or field no longer in the schema; anything else is a bug
            _KINDS[key] = None
    return _KINDS[key]


Counts = tuple[int, int, int, list[int], int, int, int]  # `Tally.add_counts`'s arguments


def check_counts(answers: Iterable[list[Any]], gold: dict[GoldKey, Any], schema: Schema,
                 misses: list[dict[str, Any]] | None = None) -> Counts:
    """One gold check's counts against the gold (for `Tally.add_counts`); the answers that
    missed the gold go to `misses` when one is given."""
    flag_agree = flag_n = rank_items = rank_same = rank_compared = 0
    diffs: list[int] = []
    for task, item, name, value in answers:
        key = (task, item, name)
        if key not in gold:
            continue
        want = gold[key]
        kind = _kind(schema, task, name)
        if kind is None:  # a field no longer in the schema: nothing to compare
            continue
        missed = False
        if kind == "ranking":
            counts = ranking_pairs(value, want)
            if counts is None:
                continue
            rank_items += 1
            rank_same += counts[0]
            rank_compared += counts[1]
            missed = counts[0] < counts[1]
        elif kind == "scale":
            diff = abs(int(value) - int(want))
            diffs.append(diff)
            missed = diff > 0
        elif kind in ("bool", "bool_na", "choice"):
            agree = same_value(value, want)
            flag_n += 1
            flag_agree += agree
            missed = not agree
        if missed and misses is not None:
            misses.append({"task": task, "item": item, "field": name, "answer": value, "gold": want})
    return 1, flag_agree, flag_n, diffs, rank_items, rank_same, rank_compared


def score(tally: Tally, answers: Iterable[list[Any]], gold: dict[GoldKey, Any], schema: Schema
          ) -> list[dict[str, Any]]:
    """Add one gold check's answers to `tally`; returns the answers that missed the gold."""
    misses: list[dict[str, Any]] = []
    tally.add_counts(*check_counts(answers, gold, schema, misses))
    return misses


def score_one(answers: Iterable[list[Any]], gold: dict[GoldKey, Any], schema: Schema
              ) -> tuple[Tally, list[dict[str, Any]]]:
    """One gold check's counts (a `Tally` of that check alone) and the answers that missed."""
    misses: list[dict[str, Any]] = []
    checks, flag_agree, flag_n, diffs, rank_items, rank_same, rank_compared = check_counts(
        answers, gold, schema, misses)
    return Tally(checks=checks, flag_agree=flag_agree, flag_n=flag_n, rating_diffs=diffs,
                 rank_items=rank_items, rank_same=rank_same, rank_compared=rank_compared), misses


def gold_for(db: sqlite_utils.Database, keys: Iterable[GoldKey] | None = None) -> dict[GoldKey, Any]:
    """Researchers' gold values (all, or for `keys`); where two researchers disagree, no gold."""
    if keys is None:
        rows: Iterable[Any] = db.execute("SELECT task, item, field, value FROM labels WHERE gold = 1")
    else:
        # One statement however many keys: the claim that re-judges a labeler runs the same
        # statements after a gold check as after production work (store/quality/status.py).
        # Tasks and items both: the partial index labels_gold (task, item, field) finds them
        # (items alone scanned every label).
        wanted = set(keys)
        tasks = sorted({task for task, _item, _field in wanted})
        items = sorted({item for _task, item, _field in wanted})
        rows = (row for row in db.execute(
            "SELECT task, item, field, value FROM labels WHERE gold = 1 "
            "AND task IN (SELECT t.value FROM json_each(?) t) "
            "AND item IN (SELECT j.value FROM json_each(?) j)", [json.dumps(tasks), json.dumps(items)])
            if (row[0], row[1], row[2]) in wanted)
    return gold_from_rows(rows)


def gold_from_rows(rows: Iterable[Any]) -> dict[GoldKey, Any]:
    """(task, item, field, value as JSON) rows of researchers' gold as `gold_for` gives them:
    where two researchers disagree, no gold."""
    out: dict[GoldKey, Any] = {}
    conflicts = set()
    for task, item, name, value in rows:
        key, value = (task, item, name), json.loads(value)
        if key in out and not same_value(out[key], value):
            conflicts.add(key)
        out.setdefault(key, value)
    for key in conflicts:
        del out[key]
    return out
