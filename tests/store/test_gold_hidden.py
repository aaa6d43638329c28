"""The labeler's side of hidden gold checks: what a labeler can see or time tells no check apart.

A labeler works 60 tasks at `gold_rate` 0.25 through `TaskSession` (what the work screens
call) and records what the screen gives them: the task's name on screen (`TaskView.shown_id`),
the home screen's counts before and after (`queue.counts`), and how much work the claim took
(statements run: a labeler timing the claim measures these; counted rather than timed so the
test is exact on a loaded machine; bench/bench_gold_claim.py times them). The claim after a
task counts too: re-judging the labeler only after a check made that claim the slow one.

Simple detectors flag tasks from that record. The criterion: for each detector, the one-sided
Fisher exact test of "flagged" against "was a check" (scipy) must not find checks flagged more
often than production work at the 1% level (p >= 0.01). The same detectors on what the
screens showed before (item ids, handed out strictly in import order) find every check
(p < 1e-4): they have the power to catch a tell, so a pass means there is none to catch.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from random import Random
from typing import Any

from scipy.stats import fisher_exact

from store import queue
from store.labels import submit
from store.quality.gold import is_gold_check
from store.quality.policy import QualityPolicy
from store.task_session import Saved, TaskSession
from store.values import LabelValue
from tests.conftest import claim
from tests.quality.conftest import add_gold, ranking_project

N_GOLD, N_ITEMS, TASKS, RATE = 40, 300, 60, 0.25


@dataclass(frozen=True)
class Seen:
    """One task as the labeler saw it, and (hidden from them) whether it was a check."""
    shown: str
    waiting: int  # change of the home screen's "waiting" count over the task
    done: int  # change of its "done" count
    statements: int  # statements the claim ran
    check: bool


def _project(db, tmp_path) -> None:
    """Gold items imported first (q000-q039, researcher gold on each), production after them;
    bo has filled the first 20 (overlap 1), so checks land on full items and on open ones."""
    items = ranking_project(db, tmp_path, N_ITEMS)
    add_gold(db, tmp_path, items[:N_GOLD])
    for _ in range(20):
        a = claim(db, "bo", overlap=1, at=None)
        submit(db, a.id, [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])],
               overlap=1)


def _counting(db, monkeypatch) -> list[int]:
    calls = [0]
    execute = db.execute

    def counted(sql, parameters=None):
        calls[0] += 1
        return execute(sql, parameters)

    monkeypatch.setattr(db, "execute", counted)
    return calls


def _play(db, monkeypatch, *, window: int | None, role_shown: str) -> list[Seen]:
    """Ana's 60 tasks. `window` None: the default; `role_shown` "labeler" names tasks as her
    screen does, "researcher" as the screens did for everyone before (the item's id)."""
    more: dict[str, Any] = {} if window is None else {"window": window}
    session = TaskSession(db, "ana", "comparison", overlap=1, lease_seconds=600,
                          policy=QualityPolicy(gold_rate=RATE), **more)
    calls = _counting(db, monkeypatch)
    seen = []
    for _ in range(TASKS):
        before = queue.counts(db, "ana", {"comparison": 1})["comparison"]
        calls[0] = 0
        assert isinstance(session.claim(), Saved)
        statements = calls[0]
        view = session.view
        assert view is not None
        a = view.assignment
        outcome = session.submit([LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])])
        assert isinstance(outcome, Saved), outcome
        after = queue.counts(db, "ana", {"comparison": 1})["comparison"]
        seen.append(Seen(view.shown_id(role_shown), after.waiting - before.waiting,
                         after.done - before.done, statements, is_gold_check(db, a.id)))
    monkeypatch.undo()
    return seen


# -- detectors: each flags tasks from what the labeler saw --------------------------------------

def _number(shown: str) -> int:
    return int(re.sub(r"\D", "", shown))


def not_the_next_id(seen: list[Seen]) -> list[bool]:
    """A task whose id breaks an otherwise rising run (p032, p054, p033: p054)."""
    x = [_number(s.shown) for s in seen]
    flags = [x[0] > x[1]]
    flags += [x[i - 1] < x[i + 1] and not x[i - 1] <= x[i] <= x[i + 1] for i in range(1, len(x) - 1)]
    return flags + [x[-1] < x[-2]]


def far_from_neighbours(seen: list[Seen]) -> list[bool]:
    """The quarter of tasks whose id is farthest from the median of the 3 before and after."""
    x = [_number(s.shown) for s in seen]
    far = [abs(x[i] - statistics.median(x[max(0, i - 3):i] + x[i + 1:i + 4])) for i in range(len(x))]
    return _top_quarter(far)


def odd_counts(seen: list[Seen]) -> list[bool]:
    """A task after which "waiting" and "done" moved otherwise than after most tasks."""
    usual = Counter((s.waiting, s.done) for s in seen).most_common(1)[0][0]
    return [(s.waiting, s.done) != usual for s in seen]


def slow_claim(seen: list[Seen]) -> list[bool]:
    """A claim that ran more statements than most (what timing it would show)."""
    usual = Counter(s.statements for s in seen).most_common(1)[0][0]
    return [s.statements > usual for s in seen]


def slow_next_claim(seen: list[Seen]) -> list[bool]:
    """A task after which the next claim ran more statements than the claim before it (what
    re-judging the labeler after a check, and only then, would show)."""
    return [i + 1 < len(seen) and seen[i + 1].statements > s.statements
            for i, s in enumerate(seen)]


def _top_quarter(scores: list[float]) -> list[bool]:
    # Ties broken at random (seeded), so equal scores carry no information either way.
    ranked = sorted(range(len(scores)), key=lambda i: (-scores[i], Random(i).random()))
    top = set(ranked[:len(scores) // 4])
    return [i in top for i in range(len(scores))]


DETECTORS = [not_the_next_id, far_from_neighbours, odd_counts, slow_claim, slow_next_claim]


def _p_value(flags: list[bool], seen: list[Seen]) -> float:
    """One-sided Fisher exact test: are checks flagged more often than production work?"""
    table = [[sum(f and s.check for f, s in zip(flags, seen, strict=True)),
              sum(f and not s.check for f, s in zip(flags, seen, strict=True))],
             [sum(not f and s.check for f, s in zip(flags, seen, strict=True)),
              sum(not f and not s.check for f, s in zip(flags, seen, strict=True))]]
    return float(fisher_exact(table, alternative="greater").pvalue)


def test_no_detector_tells_a_check_from_work_better_than_chance(db, tmp_path, monkeypatch):
    _project(db, tmp_path)
    seen = _play(db, monkeypatch, window=None, role_shown="labeler")
    checks = sum(s.check for s in seen)
    assert 8 <= checks <= 25, checks  # ~0.25 of 60 (a wrong rate would make this moot)
    p = {d.__name__: _p_value(d(seen), seen) for d in DETECTORS}
    assert all(v >= 0.01 for v in p.values()), p


def test_the_detectors_find_checks_among_item_ids_in_import_order(db, tmp_path, monkeypatch):
    """The control: item ids on screen, claims strictly oldest first, as before."""
    _project(db, tmp_path)
    seen = _play(db, monkeypatch, window=1, role_shown="researcher")
    p = {d.__name__: _p_value(d(seen), seen) for d in DETECTORS}
    assert p["not_the_next_id"] < 1e-4 and p["far_from_neighbours"] < 1e-4, p


def test_the_read_ahead_foresees_checks_as_it_foresees_work(db, tmp_path):
    """The screen reads the likely next task ahead and shows it sooner when the guess was
    right: a guess that is right for production work only would make checks the slow ones.
    One labeler alone, nobody competing: the guess is the claim's own choice, check or not."""
    _project(db, tmp_path)
    session = TaskSession(db, "ana", "comparison", overlap=1, lease_seconds=600,
                          policy=QualityPolicy(gold_rate=RATE))
    hits: dict[bool, list[bool]] = {True: [], False: []}
    assert isinstance(session.claim(), Saved)
    for _ in range(40):
        view = session.view
        assert view is not None
        assert isinstance(session.read_ahead(), Saved)
        guess = session.ahead.prompt.id if session.ahead is not None else None
        a = view.assignment
        assert isinstance(session.submit([LabelValue("ranking", a.item, "ranking",
                                                     [[o] for o in a.order])]), Saved)
        assert isinstance(session.claim(), Saved)
        now = session.view.assignment
        hits[is_gold_check(db, now.id)].append(guess == now.item)
    assert hits[True] and hits[False]
    assert all(hits[True]) and all(hits[False]), {k: sum(v) / len(v) for k, v in hits.items()}
