"""Issue 14 (9): a submit after the lease ran out and others filled the item is kept, recorded
as over-overlap, and counted with its reason by `labeldesk stats`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from store.labels import iter_labels, submit
from store.queue import claim_next
from store.stats import collect_stats
from store.values import LabelValue

T0 = datetime(2026, 5, 1, tzinfo=timezone.utc)


def _answer(a):
    return [LabelValue("ranking", a.item, "ranking", [[o] for o in a.order])]


def test_a_late_submit_is_kept_and_counted(sample_db):
    alice = claim_next(sample_db, "alice", "comparison", overlap=1, lease_seconds=1, at=T0)
    # alice's lease ran out; bob gets the same item and finishes it
    bob = claim_next(sample_db, "bob", "comparison", overlap=1, lease_seconds=60, at=T0 + timedelta(seconds=5))
    assert bob.task_id == alice.task_id
    submit(sample_db, bob.id, _answer(bob), overlap=1)
    assert collect_stats(sample_db, overlap={"comparison": 1})["progress"]["over_overlap"]["items"] == 0
    submit(sample_db, alice.id, _answer(alice), overlap=1)  # late, but real work: kept
    assert {r.labeler for r in iter_labels(sample_db, task="ranking")} == {"alice", "bob"}
    over = collect_stats(sample_db, overlap={"comparison": 1})["progress"]["over_overlap"]
    assert over == {"items": 1, "by_reason": {"late_submit": 1, "other": 0}}
    (event,) = sample_db.execute("SELECT labeler, data FROM events WHERE kind = 'over_overlap'").fetchall()
    assert event[0] == "alice" and json.loads(event[1])["done_before"] == 1
    # with overlap 2 the same two labelers are not over it
    assert collect_stats(sample_db, overlap={"comparison": 2})["progress"]["over_overlap"]["items"] == 0


def test_stats_says_how_many_and_why(sample_db, db_path, tmp_path):
    from click.testing import CliRunner

    from tui.cli import cli

    test_a_late_submit_is_kept_and_counted(sample_db)
    config = tmp_path / "c.toml"
    config.write_text("[overlap]\ncomparison = 1\n")
    r = CliRunner().invoke(cli, ["stats", "--db", str(db_path), "--config", str(config)], env={"COLUMNS": "160"})
    assert r.exit_code == 0, r.output
    assert "items over overlap" in r.output
    assert "submitted after the lease ran out and others had finished the item" in r.output
    data = json.loads(CliRunner().invoke(
        cli, ["stats", "--format", "json", "--db", str(db_path), "--config", str(config)]).output)
    assert data["progress"]["over_overlap"]["items"] == 1
