"""The judgement after a submit, kept between submits (store/quality/kept.py), decides exactly
what the full re-judgement (`status.refresh_status`) decides, over random histories: checks
and work answered right and wrong, a second session of the same labeler submitting unseen,
researchers changing and contradicting gold, pauses and resumes, checks served again; and it
scores only the new answers."""

from __future__ import annotations

import json
from datetime import timedelta
from random import Random

import pytest

from store import queue
from store.db import immediate
from store.labels import submit
from store.quality import kept as kept_module
from store.quality import scoring
from store.quality import status as status_module
from store.quality.kept import KeptJudgement
from store.quality.policy import QualityPolicy
from store.quality.status import refresh_status, resume, stored_status
from store.schema import load_schema
from store.task_session import Saved, TaskSession
from store.values import LabelValue
from tests.conftest import T0
from tests.quality.conftest import add_gold, ranking_project

POLICY = QualityPolicy(gold_rate=0.3, min_gold=3, warn_below=0.8, pause_below=0.5,
                       fast_min_tasks=4, fast_fraction=0.5, gold_repeat_days=2)


class _Undo(Exception):
    pass


def _recording(monkeypatch) -> list[tuple]:
    """What each judgement was decided from (the same function ends both paths)."""
    seen: list[tuple] = []
    original = status_module.store_judgement

    def record(db, labeler, policy, old, last, *, tally, fresh, fast, tasks):
        seen.append((last, tally, fresh, fast, tasks))
        original(db, labeler, policy, old, last, tally=tally, fresh=fresh, fast=fast, tasks=tasks)

    monkeypatch.setattr(status_module, "store_judgement", record)
    monkeypatch.setattr(kept_module, "store_judgement", record)
    return seen


def _status(db) -> tuple | None:
    row = stored_status(db, "ana")
    if row is None:
        return None
    last_event = db.execute("SELECT data FROM events WHERE kind = 'quality_status' "
                            "ORDER BY id DESC LIMIT 1").fetchone()
    return (row["status"], row["reasons"], row["checked_through"],
            last_event and json.loads(last_event[0]))


def _full(db, schema) -> tuple | None:
    """The full re-judgement's decision, rolled back."""
    try:
        with immediate(db):
            refresh_status(db, "ana", POLICY, schema, news_only=False)
            decided = _status(db)
            raise _Undo
    except _Undo:
        pass
    return decided


def _work(db, rng: Random, at, kept: KeptJudgement | None, schema) -> int | None:
    """Ana claims and submits one task (a random ranking, a random active time); `kept`
    judges after it (None: a second session of hers, judged in full)."""
    a = queue.claim_next(db, "ana", "comparison", overlap=2, lease_seconds=600, at=at,
                         policy=POLICY, window=3)
    if a is None:
        return None
    order = list(a.order)
    if rng.random() < 0.5:
        rng.shuffle(order)  # else the gold order (gold_ranking): a right answer
    ranking = [[o] for o in sorted(order)] if rng.random() < 0.5 else [[o] for o in order]
    submit(db, a.id, [LabelValue("ranking", a.item, "ranking", ranking)], overlap=2,
           schema=schema, active_seconds=rng.choice([1.0, 2.5, 5.0, 10.0, 10.0, 12.0, 30.0, None]))
    if kept is None:
        with immediate(db, shared=True, durable=False):
            refresh_status(db, "ana", POLICY, schema, news_only=False)
    return a.id


@pytest.mark.parametrize("seed", range(2))
def test_the_kept_judgement_decides_as_the_full_one(db, tmp_path, monkeypatch, seed):
    rng = Random(seed)
    items = ranking_project(db, tmp_path, 120)
    add_gold(db, tmp_path, items[:25])
    schema = load_schema()
    seen = _recording(monkeypatch)
    kept = KeptJudgement("ana", POLICY, schema)
    recounts, counted = [0], KeptJudgement._counted

    def recount(self, db):
        recounts[0] += 1
        return counted(self, db)

    monkeypatch.setattr(KeptJudgement, "_counted", recount)
    compared = checks = disturbed = 0
    for step in range(80):
        at = T0 + timedelta(hours=12 * step)  # checks come round again (gold_repeat_days)
        roll = rng.random()
        if roll < 0.1:
            disturbed += _work(db, rng, at, None, schema) is not None
        elif roll < 0.16:
            item = rng.choice(items[:25])
            value = [[f"{item}-{x}"] for x in rng.sample("abc", 3)]
            disturbed += 1
            who = rng.choice(["rhea", "rex"])  # rhea re-states her gold, or rex disagrees
            with immediate(db):
                db.execute("INSERT INTO labels (labeler, task, item, field, value, gold, created_at) "
                           "VALUES (?, 'ranking', ?, 'ranking', ?, 1, '') ON CONFLICT "
                           "(labeler, task, item, field) DO UPDATE SET value = excluded.value",
                           [who, item, json.dumps(value)])
        elif roll < 0.2 and (stored_status(db, "ana") or {}).get("status") == "paused":
            with immediate(db):
                resume(db, "ana", by="rhea")
        else:
            submitted = _work(db, rng, at, kept, schema)
            if submitted is None:  # paused: no work until a researcher resumes her
                assert stored_status(db, "ana")["status"] == "paused"
                with immediate(db):
                    resume(db, "ana", by="rhea")
                continue
            checks += bool(db.execute("SELECT gold_check FROM assignments WHERE id = ?",
                                      [submitted]).fetchone()[0])
            seen.clear()
            full = _full(db, schema)
            full_inputs = list(seen)
            seen.clear()
            with immediate(db, shared=True, durable=False):
                kept.judge(db, submitted)
            assert _status(db) == full, step
            assert seen == full_inputs, step
            compared += 1
    statuses = {e[0] for e in db.execute("SELECT data FROM events WHERE kind = 'quality_status'")}
    assert compared > 40 and checks > 8, (compared, checks)
    # Counted again only after what the session did not do itself: mostly kept, so the
    # comparison above is of the kept counts.
    assert recounts[0] <= 1 + disturbed < compared // 2, (recounts, disturbed, compared)
    assert any('"paused"' in s for s in statuses) or seed != 0, statuses


def test_a_submit_scores_only_its_own_answer(db, tmp_path, monkeypatch):
    """The judgement after a submit scores one gold answer at most (the full one scored every
    answer the labeler ever gave, on every submit)."""
    items = ranking_project(db, tmp_path, 60)
    add_gold(db, tmp_path, items[:30])
    session = TaskSession(db, "ana", "comparison", overlap=1, lease_seconds=600,
                          policy=QualityPolicy(gold_rate=0.3))
    scored = [0]
    original = scoring.score_one

    def counted(*args, **kwargs):
        scored[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(kept_module, "score_one", counted)
    monkeypatch.setattr(scoring, "score_one", counted)
    per_submit = []
    for _ in range(40):
        assert isinstance(session.claim(), Saved)
        a = session.view.assignment
        scored[0] = 0
        assert isinstance(session.submit([LabelValue("ranking", a.item, "ranking",
                                                     [[o] for o in a.order])]), Saved)
        per_submit.append(scored[0])
    answers = db.execute("SELECT count(*) FROM gold_answers").fetchone()[0]
    assert answers >= 6, answers
    assert max(per_submit[1:]) <= 1, per_submit


def test_a_labeler_without_checks_takes_no_write_lock_to_be_judged(db, tmp_path, monkeypatch):
    """Nothing to judge before the first check: one read, no write transaction (a write lock
    per submit, in the line of every other writer); from the first check on, a judgement."""
    items = ranking_project(db, tmp_path, 10)
    session = TaskSession(db, "ana", "comparison", overlap=1, lease_seconds=600,
                          policy=QualityPolicy(gold_rate=0.0))
    import store.task_session as task_session

    opened: list[bool] = []
    real = task_session.immediate

    def counted(*args, **kwargs):
        opened.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(task_session, "immediate", counted)
    for _ in range(2):
        assert isinstance(session.claim(), Saved)
        a = session.view.assignment
        assert isinstance(session.submit([LabelValue("ranking", a.item, "ranking",
                                                     [[o] for o in a.order])]), Saved)
    assert opened == []
    add_gold(db, tmp_path, items)
    with immediate(db):  # her first check, answered (as a check's submit writes it)
        db.execute("INSERT INTO gold_answers (assignment_id, labeler, kind, item, answers, "
                   "submitted_at) VALUES (?, 'ana', 'comparison', ?, '[]', '')", [a.id, a.item])
    session._judge(a.id)
    assert opened == [True]
    assert stored_status(db, "ana")["status"] == "too_few"
