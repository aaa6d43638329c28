"""The headless pieces of live quality control, against worked examples and reference code."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

import pytest
from scipy.stats import binomtest

from store import queue
from store.agreement.ranking import pair_counts
from store.exports import export_labels, export_pairs
from store.labels import submit
from store.quality.clock import ActiveClock
from store.quality.fast import active_summary
from store.quality.policy import QualityPolicy
from store.quality.scoring import ranking_pairs
from store.quality.status import closed_reason
from store.reports.intervals import clustered_wilson, wilson
from store.reports.quality import iso_week, quality_report
from store.values import LabelValue
from tests.quality.conftest import gold_ranking
from tests.store.test_screening_report import report_db  # noqa: F401  (a fixture)

ALWAYS = QualityPolicy(gold_rate=1.0)


# ---------------------------------------------------------------- statistics


@pytest.mark.parametrize("k, n, low, high", [
    # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombes_worked_examples(k, n, low, high):
    assert [round(x, 4) for x in wilson(k, n)] == [low, high]


def test_wilson_matches_scipy_and_has_no_interval_without_data():
    rng = random.Random(3)
    for _ in range(50):
        n = rng.randint(1, 500)
        k = rng.randint(0, n)
        ref = binomtest(k, n).proportion_ci(method="wilson")
        assert wilson(k, n) == pytest.approx((ref.low, ref.high), abs=1e-12)
    assert wilson(0, 0) is None


def test_ranking_pairs_agree_with_the_agreement_reports_pair_counts():
    rng = random.Random(7)
    outputs = list("abcdef")
    for _ in range(300):
        def ranking():
            shuffled = rng.sample(outputs, len(outputs))
            groups, i = [], 0
            while i < len(shuffled):
                size = rng.choice([1, 1, 2])
                groups.append(shuffled[i:i + size])
                i += size
            return groups
        a, b = ranking(), ranking()
        ref = pair_counts(a, b)
        assert ranking_pairs(a, b) == (ref.same, ref.same + ref.different)
    assert ranking_pairs([["a"], ["b"]], [["a"], ["c"]]) is None


def test_iso_weeks_cross_the_new_year_as_iso_does():
    assert iso_week("2026-12-31") == "2026-W53"
    assert iso_week("2027-01-04") == "2027-W01"


# ---------------------------------------------------------------- active time and fast answers


def test_active_time_leaves_out_idle_gaps():
    clock = ActiveClock(idle_seconds=120)
    for t in (0, 5, 20, 200, 210, 211):  # 20 -> 200 is a 180 s gap: left out
        clock.touch(t)
    assert clock.seconds == 5 + 15 + 10 + 1
    clock.pause()  # the screen went away: the gap until the next input is not counted
    clock.touch(250)
    clock.touch(260)
    assert clock.seconds == 41
    assert ActiveClock(idle_seconds=10, seconds=3.0).seconds == 3.0  # resumed from a draft


def test_every_labelers_summary_at_once_is_the_one_by_one_summary():
    """`active_summaries` (the report's, from arrays) gives `active_summary`'s medians, fast
    answers and judged tasks exactly: odd and even counts, ties at the limit, kinds below the
    minimum, tasks without active time, labelers without tasks."""
    import numpy as np

    from store.quality.fast import active_summaries

    rng = np.random.default_rng(4)
    kinds = ["comparison", "toxicity", "writing"]
    policy = QualityPolicy(fast_min_tasks=5)
    n = 3000
    labeler = rng.integers(0, 40, n)
    kind = rng.integers(0, 3, n)
    raw = rng.gamma(2.0, 20.0, n)
    seconds = np.where(rng.random(n) < 0.5, np.round(raw), raw)  # whole seconds: ties
    seconds[rng.random(n) < 0.05] = np.nan
    seconds[::97] = 3.0  # ties with limits, once a median rounds to 12.0
    many = active_summaries(labeler, kind, seconds, 41, kinds, policy)
    for j in range(41):
        rows = [(kinds[k], None if np.isnan(s) else float(s))
                for lj, k, s in zip(labeler, kind, seconds, strict=True) if lj == j]
        assert many[j] == active_summary(rows, policy), j


def test_fast_answers_are_judged_against_the_labelers_own_median():
    policy = QualityPolicy(fast_fraction=0.25, fast_min_tasks=10)
    comparison = [("comparison", s) for s in (40, 44, 48, 50, 52, 56, 60, 9, 12.9, 13)]
    medians, fast, judged = active_summary(comparison, policy)
    assert medians == {"comparison": 46.0}
    assert (fast, judged) == (1, 10)  # only 9 is under 0.25 * 46 = 11.5
    writing = [("demonstration", 1.0)] * 9  # fewer than 10 tasks of a kind: not judged
    assert active_summary(comparison + writing, policy)[1:] == (1, 10)


# ---------------------------------------------------------------- gold checks in the queue


def _rank(db, labeler: str, assignment, ranking=None, *, active=None):
    ranking = ranking or [[o] for o in assignment.order]
    submit(db, assignment.id, [LabelValue("ranking", assignment.item, "ranking", ranking)],
           seconds=1.0, active_seconds=active, overlap=1)


def test_gold_answers_stay_out_of_labels_exports_and_overlap(ranking_db):
    check = queue.claim_next(ranking_db, "ana", "comparison", overlap=1, policy=ALWAYS)
    assert check.item >= "q180"
    _rank(ranking_db, "ana", check, active=12.5)
    stored = ranking_db.execute("SELECT item, answers, active_seconds FROM gold_answers").fetchall()
    assert [(i, a) for i, a, _s in stored] == [(check.item, json.dumps(
        [["ranking", check.item, "ranking", [[o] for o in check.order]]]))]
    assert stored[0][2] == 12.5
    assert not [r for r in export_labels(ranking_db) if r["labeler"] == "ana"]
    assert not [r for r in export_pairs(ranking_db).records() if r["labeler"] == "ana"]
    # Overlap 1 and ana is done with the check: the item is still open to bo as production.
    bo = queue.claim_next(ranking_db, "bo", "comparison", overlap=1)
    while bo.item != check.item:  # production reaches the gold items last
        _rank(ranking_db, "bo", bo)
        bo = queue.claim_next(ranking_db, "bo", "comparison", overlap=1)
    assert bo.item == check.item


def test_a_gold_item_comes_back_only_after_gold_repeat_days(ranking_db):
    start = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    once = QualityPolicy(gold_rate=1.0)
    repeat = QualityPolicy(gold_rate=1.0, gold_repeat_days=7)
    seen = []
    for n in range(20):  # every gold item once
        a = queue.claim_next(ranking_db, "ana", "comparison", policy=once, at=start + timedelta(minutes=n))
        seen.append(a.item)
        _rank(ranking_db, "ana", a)
    assert len(set(seen)) == 20
    # No gold left: production as usual, never a repeat without gold_repeat_days.
    a = queue.claim_next(ranking_db, "ana", "comparison", policy=once, at=start + timedelta(days=1))
    assert not ranking_db.execute("SELECT gold_check FROM assignments WHERE id = ?", [a.id]).fetchone()[0]
    _rank(ranking_db, "ana", a)
    a = queue.claim_next(ranking_db, "ana", "comparison", policy=repeat, at=start + timedelta(days=3))
    assert a.item < "q180"  # 3 days later: too soon to repeat
    _rank(ranking_db, "ana", a)
    again = queue.claim_next(ranking_db, "ana", "comparison", policy=repeat, at=start + timedelta(days=8))
    assert again.item in seen and again.status == "active"
    _rank(ranking_db, "ana", again)
    assert ranking_db.execute(
        "SELECT count(*) FROM gold_answers WHERE item = ?", [again.item]).fetchone()[0] == 2


def test_gold_repeat_days_is_exact_to_the_minute(ranking_db):
    """The cut-off is `gold_repeat_days` days, not one more or one less: a minute before the
    first check is that old nothing repeats; half an hour after, every check may."""
    start = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    repeat = QualityPolicy(gold_rate=1.0, gold_repeat_days=7)
    seen = set()
    for n in range(20):
        a = queue.claim_next(ranking_db, "ana", "comparison", policy=repeat, at=start + timedelta(minutes=n))
        seen.add(a.item)
        _rank(ranking_db, "ana", a)
    early = queue.claim_next(ranking_db, "ana", "comparison", policy=repeat,
                             at=start + timedelta(days=7, minutes=-1))
    assert early.item not in seen  # production: no check is 7 days old yet
    _rank(ranking_db, "ana", early)
    late = queue.claim_next(ranking_db, "ana", "comparison", policy=repeat,
                            at=start + timedelta(days=7, minutes=30))
    assert late.item in seen  # every check is older than 7 days: one comes back


def test_an_empty_queue_serves_no_gold(ranking_db):
    ranking_db.execute("UPDATE tasks SET full = 1 WHERE item < 'q180'")
    ranking_db.execute("UPDATE prompts SET status = 'held' WHERE id >= 'q180'")
    assert queue.claim_next(ranking_db, "ana", "comparison", policy=ALWAYS) is None


# ---------------------------------------------------------------- the report


def test_report_figures_and_null_with_a_reason(ranking_db):
    # ana: one check right, one reversed (3/6 pairs); bo: no checks at all.
    for right in (True, False):
        a = queue.claim_next(ranking_db, "ana", "comparison", policy=ALWAYS)
        best = [o for g in gold_ranking(a.item) for o in g]
        _rank(ranking_db, "ana", a, [[o] for o in (best if right else best[::-1])], active=30)
    report = quality_report(ranking_db, QualityPolicy(min_gold=2), n_boot=200)
    ana, bo = report["labelers"]["ana"], report["labelers"]["bo"]
    assert ana["gold_checks"] == 2
    # The 6 pairs came from 2 checks that moved wholly together: the interval is at the
    # effective sample size (1 here), far wider than Wilson's over 6 independent pairs.
    assert ana["rankings"] == {"n_items": 2, "pairs": 6, "pairwise_agreement": 0.5,
                               "ci95": [round(x, 4) for x in clustered_wilson([(3, 3), (0, 3)])]}
    assert ana["rankings"]["ci95"][0] < wilson(3, 6)[0]
    assert ana["agreement"] == 0.5 and ana["status"] == "warn"
    assert ana["flags"]["agreement"] is None and "no gold checks with flags" in ana["flags"]["reason"]
    assert ana["ratings"]["mean_abs_diff"] is None
    assert ana["tasks"] == {"comparison": 2} and ana["active_seconds_median"] == {"comparison": 30.0}
    assert ana["weekly"] and ana["weekly"][-1]["gold_checks"] == 2
    assert bo["gold_checks"] == 0 and bo["agreement"] is None and bo["ci95"] is None
    assert bo["status"] == "too_few" and bo["reason"] == "no gold checks yet"
    assert set(report["thresholds"]) >= {"warn_below", "pause_below", "min_gold", "gold_rate"}
    assert quality_report(ranking_db, labeler="ana", n_boot=0)["labelers"].keys() == {"ana"}


def test_ratings_and_flags_are_scored_against_gold(db, sample_db):
    from store.labels import write_labels
    from store.schema import load_schema

    schema = load_schema()
    a = queue.claim_next(db, "alice", "comparison", policy=ALWAYS)
    assert a is None or a.item  # no gold yet: production
    gold = [LabelValue("output", "p1-a", "rating", 6), LabelValue("output", "p1-b", "rating", 2),
            LabelValue("instruction", "p1", "pii", False),
            LabelValue("output", "p1-a", "hallucination", True)]
    write_labels(db, "rhea", gold, gold=True, schema=schema)
    check = queue.claim_next(db, "bob", "comparison", policy=ALWAYS)
    assert check.item == "p1"
    submit(db, check.id, [LabelValue("output", "p1-a", "rating", 7),
                          LabelValue("output", "p1-b", "rating", 5),
                          LabelValue("instruction", "p1", "pii", False),
                          LabelValue("output", "p1-a", "hallucination", False)], schema=schema)
    bob = quality_report(db, labeler="bob", n_boot=200)["labelers"]["bob"]
    # Both flags are answers of one check: one independent trial, not two.
    assert bob["flags"] == {"n": 2, "agreement": 0.5, "ci95": [round(x, 4) for x in wilson(0.5, 1)]}
    assert bob["ratings"]["n"] == 2 and bob["ratings"]["mean_abs_diff"] == 2.0
    assert bob["ratings"]["within_1"] == 0.5
    assert bob["agreement"] == 0.5  # 1 flag + 1 rating within 1, of 4


# ---------------------------------------------------------------- screening joins up


def test_require_screening_keeps_the_queue_closed_until_a_pass(report_db, tmp_path):  # noqa: F811
    from store.imports import import_outputs, import_prompts

    (tmp_path / "p.jsonl").write_text(json.dumps({"id": "x1", "text": "t", "tasks": ["comparison"]}) + "\n")
    (tmp_path / "o.jsonl").write_text("".join(json.dumps(
        {"id": f"x1-{c}", "prompt_id": "x1", "text": c}) + "\n" for c in "ab"))
    import_prompts(report_db, tmp_path / "p.jsonl")
    import_outputs(report_db, tmp_path / "o.jsonl")
    strict = QualityPolicy(require_screening=True)
    assert closed_reason(report_db, "dana", strict) is None  # passed
    assert closed_reason(report_db, "eli", strict) == "screening"  # failed
    assert closed_reason(report_db, "fay", strict) == "screening"  # never submitted
    assert queue.claim_next(report_db, "eli", "comparison", overlap=3, policy=strict) is None
    assert queue.claim_next(report_db, "eli", "comparison", overlap=3, policy=QualityPolicy())
    assert queue.claim_next(report_db, "dana", "comparison", overlap=3, policy=strict)
    row = quality_report(report_db, labeler="dana", n_boot=0)["labelers"]["dana"]["screening"]
    assert row["result"] == "pass" and row["quiz"] == "screening-demo" and len(row["date"]) == 10


def test_gold_written_again_keeps_one_gold_task(ranking_db):
    from store.labels import write_labels
    from store.schema import load_schema

    value = LabelValue("ranking", "q190", "ranking", gold_ranking("q190"))
    for gold in (True, True, False, True):  # upserts: insert, same again, demoted, promoted
        write_labels(ranking_db, "rhea", [value], gold=gold, schema=load_schema())
    task = ranking_db.execute("SELECT id FROM tasks WHERE item = 'q190'").fetchone()[0]
    assert ranking_db.execute("SELECT count(*) FROM gold_tasks WHERE task_id = ?", [task]).fetchone()[0] == 1


def test_the_waiting_count_moves_the_same_after_a_check_as_after_production(ranking_db):
    """The home screen's "waiting" drops by one after every task, a hidden check on an item
    others had already filled included (it used to stay put there: a tell)."""
    ranking_db.execute("UPDATE tasks SET full = 1 WHERE item >= 'q180'")  # gold items done

    def waiting():
        return queue.counts(ranking_db, "ana", {"comparison": 1})["comparison"].waiting

    moves = []
    for policy in (None, ALWAYS, None, ALWAYS):
        before = waiting()
        a = queue.claim_next(ranking_db, "ana", "comparison", overlap=1, policy=policy)
        check = ranking_db.execute("SELECT gold_check FROM assignments WHERE id = ?", [a.id]).fetchone()[0]
        assert check == (policy is ALWAYS)
        _rank(ranking_db, "ana", a)
        moves.append(before - waiting())
    assert moves == [1, 1, 1, 1]


@pytest.mark.parametrize("checks, agree, status", [
    (10, 3, "paused"),    # exactly min_gold checks, agreement 0.3 < pause_below: paused
    (9, 3, "too_few"),    # one check short of min_gold: never paused, not even warned
    (10, 5, "warn"),      # agreement exactly pause_below (0.5): not below it, only warned
    (10, 7, "ok"),        # exactly warn_below (0.7): not below it either
])
def test_the_pause_rule_at_its_exact_thresholds(checks, agree, status):
    from store.quality.scoring import Tally
    from store.quality.status import judge

    policy = QualityPolicy(min_gold=10, pause_below=0.5, warn_below=0.7)
    tally = Tally(checks=checks, flag_agree=agree, flag_n=10)
    assert tally.agreement == agree / 10
    assert judge(tally, policy)[0] == status


def test_scoring_skips_a_field_gone_from_the_schema_and_lets_a_bug_through():
    """`except Exception` around the schema lookup left an answer unscored without a word
    whatever went wrong; only a field the schema no longer has is skipped now."""
    from store.quality.scoring import Tally, score
    from store.schema import load_schema

    gold = {("output", "o1", "gone_field"): 3, ("output", "o1", "rating"): 3}
    tally = Tally()
    score(tally, [["output", "o1", "gone_field", 1], ["output", "o1", "rating", 3]], gold,
          load_schema())
    assert tally.checks == 1 and tally.rating_diffs == [0]  # the known field scored

    class Broken:
        def field(self, task, name):
            raise RuntimeError("a bug in the schema")

    broken = Broken()  # kept alive: the kind cache is keyed by the schema's id
    with pytest.raises(RuntimeError, match="a bug in the schema"):
        score(Tally(), [["output", "o1", "rating", 3]], gold, broken)
