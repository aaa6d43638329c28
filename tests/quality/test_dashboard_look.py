"""What a researcher sees on the quality dashboard: rows, intervals and the selected labeler's plots."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from store import queue
from store.labels import LabelValue, submit
from store.quality.policy import QualityPolicy
from tests.quality.conftest import gold_ranking, quality_config

TODAY = date(2026, 3, 20)


def _week_of_work(db):
    """ana: 9 gold checks over three weeks, every third ranked against the gold; bo: 2, right."""
    start = datetime(2026, 3, 2, 10)
    for labeler, n in (("ana", 9), ("bo", 2)):
        for k in range(n):
            a = queue.claim_next(db, labeler, "comparison", policy=QualityPolicy(gold_rate=1.0))
            best = [[o] for g in gold_ranking(a.item) for o in g]
            submit(db, a.id, [LabelValue("ranking", a.item, "ranking", best[::-1] if k % 3 == 2 else best)],
                   seconds=40.0, active_seconds=30.0 + k)
            at = (start + timedelta(days=2 * k)).isoformat()
            db.execute("UPDATE assignments SET finished_at = ? WHERE id = ?", [at, a.id])
            db.execute("UPDATE gold_answers SET submitted_at = ? WHERE assignment_id = ?", [at, a.id])


@pytest.fixture
def fixed_today(monkeypatch):
    import store.quality.report

    monkeypatch.setattr(store.quality.report, "utc_today", lambda: TODAY)


def test_dashboard_snapshot(ranking_app, ranking_db, snap_compare, fixed_today):
    _week_of_work(ranking_db)
    app = ranking_app("rhea", quality_config(min_gold=5))
    assert snap_compare(app, terminal_size=(120, 36), press=["q"])
