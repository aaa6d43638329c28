"""store.reports.agreement on the sample database: the quiz hook (items) and disagreeing gold."""


import pytest

from store.imports import import_labels
from store.reports.agreement import AgreementError, agreement_report
from tests.conftest import write_jsonl


def _import(db, tmp_path, name, records, gold=False):
    import_labels(db, write_jsonl(tmp_path / f"{name}.jsonl", records), gold=gold)


def _ratings(labeler, values):
    return [
        {"labeler": labeler, "task": "output", "item": item, "field": "rating", "value": v}
        for item, v in values.items()
    ]


@pytest.fixture
def rated(sample_db, tmp_path):
    gold = {"p1-a": 7, "p1-b": 2, "p1-c": 1, "p2-a": 6, "p2-b": 3}
    _import(sample_db, tmp_path, "gold", _ratings("rhea", gold), gold=True)
    _import(sample_db, tmp_path, "alice", _ratings("alice", {**gold, "p1-b": 3, "p2-b": 1}))
    return sample_db


def test_items_restrict_every_figure(rated):
    everything = agreement_report(rated, n_boot=0)["per_labeler"]["alice"]["output.rating"]
    assert (everything["n"], everything["agreement"]) == (5, 0.6)
    quiz = agreement_report(rated, items={"p1-a", "p1-b", "p2-a"}, n_boot=0)
    entry = quiz["per_labeler"]["alice"]["output.rating"]
    assert (entry["n"], entry["agreement"]) == (3, pytest.approx(2 / 3, abs=1e-4))
    assert entry["agreement_ci95"] is None  # no resamples asked for


def test_disagreeing_gold_leaves_the_item_out_with_a_note(rated, tmp_path):
    from store.roster import add_labeler

    add_labeler(rated, "rex", "researcher")  # gold comes only from researchers in the roster
    _import(rated, tmp_path, "gold2", _ratings("rex", {"p1-a": 1}), gold=True)
    report = agreement_report(rated, n_boot=0)
    assert report["per_labeler"]["alice"]["output.rating"]["n"] == 4
    assert any("gold labels disagree on 1 item" in note for note in report["notes"])


def test_gold_only_for_other_fields_is_an_error_for_that_field(rated):
    with pytest.raises(AgreementError, match="no gold labels for task=instruction"):
        agreement_report(rated, task="instruction")


def test_field_with_gold_and_no_labelers_reports_a_reason(rated, tmp_path):
    only_gold = [
        {"labeler": "rhea", "task": "output", "item": i, "field": "fails_task", "value": False}
        for i in ("p1-a", "p1-b")
    ]
    _import(rated, tmp_path, "gold3", only_gold, gold=True)
    entry = agreement_report(rated, n_boot=10)["inter_annotator"]["output.fails_task"]
    assert entry["n_items"] == 0 and entry["krippendorff_alpha"] is None
    assert entry["reason"].startswith("fewer than 2 items")
