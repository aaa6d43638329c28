"""The dashboard's early figures (store/reports/early.py), on both engines: each labeler's own
labels on items with gold and how many equal it, from the kept tallies; the stored status;
researchers left out. (Their gold-check counts are checked against the report's in
tests/quality/test_dashboard_background.py.)"""

from __future__ import annotations

from store.db import immediate
from store.labels import write_labels
from store.quality.status import set_status
from store.reports.early import early_figures
from store.schema import load_schema
from store.values import LabelValue
from tests.conftest import fill_sample


def test_early_figures(db):
    fill_sample(db)
    schema = load_schema()

    def label(who: str, item: str, value: int, *, gold: bool = False) -> None:
        write_labels(db, who, [LabelValue("output", item, "rating", value)], gold=gold, schema=schema)

    with immediate(db):
        label("rhea", "p1-a", 5, gold=True)
        label("alice", "p1-a", 5)
        label("bob", "p1-a", 4)
        label("rhea", "p1-b", 2, gold=True)
        label("alice", "p1-b", 2)
        label("alice", "p2-a", 7)  # no gold on this item: not counted
        set_status(db, "bob", "warn", ["agreement"])
    assert early_figures(db) == {
        "alice": {"status": None, "gold_checks": 0, "gold_labels": 2, "same_as_gold": 2},
        "bob": {"status": "warn", "gold_checks": 0, "gold_labels": 1, "same_as_gold": 0},
        "carol": {"status": None, "gold_checks": 0, "gold_labels": 0, "same_as_gold": 0},
    }
