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


def test_the_report_computed_in_a_child_process(db, tmp_path):
    """The dashboard's computation (screens/dashboard_figures.py) run as the app runs it, in a
    child process on a connection of its own: the report, the competences, then the end; the
    whole kept in the cache file with the stamp it was computed from; the same report as a
    direct call."""
    import json
    from datetime import date

    from screens import dashboard_figures, figures_process
    from store.quality.policy import QualityPolicy
    from store.reports.quality import quality_report

    fill_sample(db)
    schema, policy, day = load_schema(), QualityPolicy(), "2026-03-20"
    with immediate(db):
        write_labels(db, "rhea", [LabelValue("output", "p1-a", "rating", 5)], gold=True, schema=schema)
        write_labels(db, "alice", [LabelValue("output", "p1-a", "rating", 4)], gold=False, schema=schema)
    cache = tmp_path / "reports" / "quality.json"
    child = figures_process.start("screens.dashboard_figures:fresh",
                                  (str(db.path), policy, schema, str(cache), day), "read it")
    got = list(figures_process.frames(child))
    assert figures_process.finish(child) == 0
    assert [name for name, _value in got] == ["report", "competence", "end"]
    report = got[0][1]
    assert report["stamp"] == dashboard_figures.current_stamp(db, day)
    direct = quality_report(db, policy, schema=schema, today=date.fromisoformat(day),
                            with_competence=False)
    assert report["report"]["labelers"] == direct["labelers"]
    kept = json.loads(cache.read_text())
    assert kept["stamp"] == report["stamp"]
    assert kept["fingerprint"] == dashboard_figures.fingerprint(policy, schema)
    assert set(kept["report"]["labelers"]) == {"alice", "bob", "carol"}
    assert not any(e["competence"].get("pending") for e in kept["report"]["labelers"].values())


def test_a_kept_report_is_used_only_as_written_under_the_same_settings(tmp_path):
    """A kept report computed under other [quality] settings or schema, a file cut short and a
    missing one are not used (the dashboard computes instead)."""
    from screens.dashboard_figures import fingerprint, read_cache, write_cache
    from store.quality.policy import QualityPolicy

    schema, path = load_schema(), tmp_path / "reports" / "quality.json"
    assert read_cache(path, fingerprint(QualityPolicy(), schema)) is None
    write_cache(path, {"fingerprint": fingerprint(QualityPolicy(), schema), "stamp": ["d", 1],
                       "computed_at": 0.0, "report": {"labelers": {}}})
    assert read_cache(path, fingerprint(QualityPolicy(), schema))["stamp"] == ["d", 1]
    assert read_cache(path, fingerprint(QualityPolicy(min_gold=99), schema)) is None
    path.write_text(path.read_text()[:-5])
    assert read_cache(path, fingerprint(QualityPolicy(), schema)) is None
