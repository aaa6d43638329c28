"""`labeldesk agreement` end to end: a database built through `import`, figures checked by hand."""

import csv
import io
import json

import krippendorff
import pytest

from store.db import open_db
from tests.conftest import write_jsonl

GOLD_RATING = {"p1-a": 7, "p1-b": 4, "p1-c": 1, "p2-a": 6, "p2-b": 3, "p2-c": 2}
ALICE_RATING = {"p1-a": 7, "p1-b": 5, "p1-c": 1, "p2-a": 6, "p2-b": 2, "p2-c": 2}
BOB_RATING = {"p1-a": 6, "p1-b": 5, "p1-c": 2}
GOLD_PII = {"p1": True, "p2": False, "p3": False, "p4": True}
ALICE_PII = {"p1": True, "p2": False, "p3": True, "p4": True}
GOLD_RANKING = {"p1": [["p1-a"], ["p1-b"], ["p1-c"]], "p2": [["p2-b"], ["p2-a", "p2-c"]]}
ALICE_RANKING = {"p1": [["p1-a"], ["p1-c"], ["p1-b"]], "p2": [["p2-a"], ["p2-b"], ["p2-c"]]}
BOB_RANKING = {"p1": [["p1-b"], ["p1-a"], ["p1-c"]]}


def _labels(labeler, task, field, values):
    return [
        {"labeler": labeler, "task": task, "item": item, "field": field, "value": value}
        for item, value in values.items()
    ]


@pytest.fixture
def built(run, tmp_path):
    """Prompts p1..p4 (three outputs each), labels and gold imported through the CLI."""
    prompts = [{"id": f"p{i}", "text": f"prompt {i}", "tasks": ["comparison"]} for i in range(1, 5)]
    outputs = [
        {"id": f"p{i}-{x}", "prompt_id": f"p{i}", "text": f"output {i}{x}"}
        for i in range(1, 5)
        for x in "abc"
    ]
    labels = (
        _labels("alice", "output", "rating", ALICE_RATING)
        + _labels("bob", "output", "rating", BOB_RATING)
        + _labels("carol", "output", "rating", {"p3-a": 4, "p3-b": 5})
        + _labels("alice", "instruction", "pii", ALICE_PII)
        + _labels("bob", "instruction", "pii", {"p1": False})
        + _labels("alice", "ranking", "ranking", ALICE_RANKING)
        + _labels("bob", "ranking", "ranking", BOB_RANKING)
    )
    gold = (
        _labels("rhea", "output", "rating", GOLD_RATING)
        + _labels("rhea", "instruction", "pii", GOLD_PII)
        + _labels("rhea", "ranking", "ranking", GOLD_RANKING)
    )
    assert run("labelers", "add", "rhea", "--role", "researcher").exit_code == 0
    assert run("import", "prompts", write_jsonl(tmp_path / "p.jsonl", prompts)).exit_code == 0
    assert run("import", "outputs", write_jsonl(tmp_path / "o.jsonl", outputs)).exit_code == 0
    r = run("import", "labels", write_jsonl(tmp_path / "l.jsonl", labels), "--add-labelers")
    assert r.exit_code == 0, r.output
    r = run("import", "labels", write_jsonl(tmp_path / "g.jsonl", gold), "--gold")
    assert r.exit_code == 0, r.output
    return run


def _report(run, *args):
    result = run("agreement", "--format", "json", "--resamples", "200", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _quadratic_kappa_by_hand(a, b, scale):
    """Cohen (1968) weighted kappa written out as sums, for checking the vectorised one."""
    n = len(a)
    span = (max(scale) - min(scale)) ** 2
    observed = sum((x - y) ** 2 / span for x, y in zip(a, b, strict=True)) / n
    pa = {v: a.count(v) / n for v in scale}
    pb = {v: b.count(v) / n for v in scale}
    expected = sum(pa[i] * pb[j] * (i - j) ** 2 / span for i in scale for j in scale)
    return 1 - observed / expected


def test_json_matches_hand_computed_figures(built):
    report = _report(built)
    alice = report["per_labeler"]["alice"]

    rating = alice["output.rating"]
    assert rating["n"] == 6
    assert rating["agreement"] == pytest.approx(4 / 6, abs=1e-4)
    assert rating["mean_abs_diff"] == pytest.approx(2 / 6, abs=1e-4)
    items = sorted(GOLD_RATING)
    by_hand = _quadratic_kappa_by_hand(
        [ALICE_RATING[i] for i in items], [GOLD_RATING[i] for i in items], range(1, 8)
    )
    assert rating["cohen_kappa"] == pytest.approx(by_hand, abs=1e-4)
    for figure in ("agreement", "cohen_kappa", "mean_abs_diff"):
        lo, hi = rating[f"{figure}_ci95"]
        assert lo <= rating[figure] <= hi
    assert rating["agreement_se"] > 0

    # p_o = 3/4; alice says yes 3/4, gold 2/4: p_e = 3/4·1/2 + 1/4·1/2 = 1/2; κ = 0.5
    pii = alice["instruction.pii"]
    assert (pii["n"], pii["agreement"], pii["cohen_kappa"]) == (4, 0.75, 0.5)
    assert "mean_abs_diff" not in pii

    # p1: 2 of 3 pairs alike; p2: one alike, one reversed, one tied in gold → 3/5, 1 tie.
    # tau-b p1 = (2 - 1) / 3; p2: C = D = 1 → 0; mean 1/6.
    ranking = alice["ranking.ranking"]
    assert ranking["n"] == 2
    assert ranking["pairwise_agreement"] == pytest.approx(0.6)
    assert ranking["ties_excluded"] == 1
    assert ranking["kendall_tau_b"] == pytest.approx(1 / 6, abs=1e-4)

    bob = report["per_labeler"]["bob"]
    assert bob["output.rating"]["agreement"] == 0 and bob["output.rating"]["mean_abs_diff"] == 1

    inter = report["inter_annotator"]
    expected_alpha = krippendorff.alpha(
        reliability_data=[[7, 5, 1, 6, 2, 2], [6, 5, 2, float("nan"), float("nan"), float("nan")]],
        level_of_measurement="ordinal",
    )
    assert inter["output.rating"]["level"] == "ordinal"
    assert inter["output.rating"]["n_items"] == 3
    assert inter["output.rating"]["krippendorff_alpha"] == pytest.approx(expected_alpha, abs=1e-4)
    # alice vs bob on p1: only (a, c) ordered alike → 1/3
    assert inter["ranking.ranking"]["n_items"] == 1
    assert inter["ranking.ranking"]["pairwise_agreement"] == pytest.approx(1 / 3, abs=1e-4)
    assert "rhea" not in report["per_labeler"]


def test_too_few_items_is_null_with_reason(built):
    report = _report(built)
    bob_pii = report["per_labeler"]["bob"]["instruction.pii"]
    assert bob_pii["n"] == 1
    assert bob_pii["agreement"] is None and bob_pii["cohen_kappa"] is None
    assert bob_pii["reason"] == "fewer than 2 shared items"
    carol = report["per_labeler"]["carol"]["output.rating"]
    assert carol["n"] == 0 and carol["agreement"] is None
    assert "no gold" in carol["reason"]
    # one prompt ranked by two labelers: a figure, but no interval from one item
    assert report["inter_annotator"]["ranking.ranking"]["pairwise_agreement_ci95"] is None


def test_same_seed_same_numbers_and_filters(built):
    assert _report(built, "--seed", "3") == _report(built, "--seed", "3")
    only = _report(built, "--labeler", "alice", "--task", "output", "--field", "rating")
    assert list(only["per_labeler"]) == ["alice"]
    assert list(only["per_labeler"]["alice"]) == ["output.rating"]
    assert list(only["inter_annotator"]) == ["output.rating"]
    later = _report(built, "--since", "2999-01-01")
    assert later["per_labeler"] == {}


def test_csv_and_table(built):
    result = built("agreement", "--format", "csv", "--resamples", "50")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    row = next(
        r
        for r in rows
        if (r["labeler"], r["field"], r["figure"]) == ("alice", "instruction.pii", "cohen_kappa")
    )
    assert float(row["value"]) == 0.5 and row["n"] == "4"
    assert any(
        r["scope"] == "inter_annotator" and r["figure"] == "krippendorff_alpha" for r in rows
    )

    table = built("agreement", "--resamples", "50", env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "alice against researcher gold" in table.output
    assert "fewer than 2 shared items" in table.output


def test_no_gold_is_exit_1(run, tmp_path):
    prompts = [{"id": "p1", "text": "t", "tasks": ["comparison"]}]
    outputs = [{"id": f"p1-{x}", "prompt_id": "p1", "text": x} for x in "ab"]
    run("import", "prompts", write_jsonl(tmp_path / "p.jsonl", prompts))
    run("import", "outputs", write_jsonl(tmp_path / "o.jsonl", outputs))
    run(
        "import",
        "labels",
        write_jsonl(tmp_path / "l.jsonl", _labels("alice", "output", "rating", {"p1-a": 3})),
    )
    result = run("agreement", "--format", "json")
    assert result.exit_code == 1
    assert "no gold labels" in result.output and "--gold" in result.output


def test_unknown_labeler_and_bad_since(built):
    result = built("agreement", "--labeler", "zed")
    assert result.exit_code == 1 and "'zed' has no labels" in result.output
    assert built("agreement", "--since", "last tuesday").exit_code == 2


def test_value_outside_scale_names_labeler_item_field(built, db_path):
    # Imports validate values, so an off-scale value means a database written under another
    # schema; it must stop the report with a pointer, not skew kappa.

    db = open_db(db_path)
    db.execute(
        "UPDATE labels SET value = '9' WHERE labeler = 'alice' AND item = 'p1-b' AND field = 'rating'"
    )
    db.conn.commit()
    db.conn.close()
    result = built("agreement", "--format", "json")
    assert result.exit_code == 1
    assert "labeler 'alice', item 'p1-b', field output.rating" in result.output
    assert "outside the scale" in result.output


def test_rankings_over_different_outputs_are_skipped_with_reason(built, db_path):
    # A fourth output added to p2 after alice ranked it: gold ranks four, alice three.

    db = open_db(db_path)
    db.execute(
        "UPDATE labels SET value = ? WHERE labeler = 'rhea' AND item = 'p2' AND field = 'ranking'",
        [json.dumps([["p2-b"], ["p2-a", "p2-c"], ["p2-d"]])],
    )
    db.conn.commit()
    db.conn.close()
    ranking = _report(built)["per_labeler"]["alice"]["ranking.ranking"]
    assert ranking["n"] == 1 and ranking["pairwise_agreement"] is None
    assert ranking["skipped"] == 1
    assert ranking["skipped_reason"] == "ranking and gold cover different outputs"


def test_labelers_may_not_read_the_report(built):
    result = built("agreement", env={"LABELDESK_LABELER": "alice"})
    assert result.exit_code == 1 and "researchers only" in result.output


def test_resamples_default_is_the_statistics_default():
    from store.agreement.metrics import N_BOOT
    from tui.commands.agreement import RESAMPLES

    assert RESAMPLES == N_BOOT


def test_table_fits_100_columns_and_hides_fields_without_data(built):
    table = built("agreement", "--resamples", "50")
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert max(len(line) for line in lines) <= 100
    hidden = [line for line in lines if "are not shown (--all shows every field)" in line]
    assert hidden and "no gold for this labeler's items" not in table.output.replace(
        "with no gold for this labeler's items are not shown", "")
    every = built("agreement", "--resamples", "50", "--all")
    assert every.exit_code == 0, every.output
    assert "no gold for this labeler's items" in every.output
    assert "are not shown" not in every.output
    assert len(every.output.splitlines()) > len(lines)
