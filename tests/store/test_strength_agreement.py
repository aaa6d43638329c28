"""Agreement on preference strength (`ranking.strength`): quadratic-weighted kappa against gold
and ordinal alpha between labelers, on the output pairs both rankings put side by side in the
same order; checked against statsmodels' `cohens_kappa`, scikit-learn's `cohen_kappa_score` and
the `krippendorff` package."""

from __future__ import annotations

import random

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa

from store.imports import import_labels, import_outputs, import_prompts
from store.reports.agreement import AgreementError, agreement_report
from store.roster import add_labeler
from store.strength import LEVELS
from tests.conftest import write_jsonl

LABELERS = ("ann", "bo", "cy")
N_PROMPTS = 14
OUTPUTS = "abcd"


def _ranking(rng: random.Random, prompt: str) -> list[list[str]]:
    ids = [f"{prompt}-{x}" for x in OUTPUTS]
    rng.shuffle(ids)
    groups: list[list[str]] = []
    for output in ids:  # now and then a tie with the group above
        if groups and rng.random() < 0.15:
            groups[-1].append(output)
        else:
            groups.append([output])
    return groups


def _labels(seed: int = 7):
    """Gold and three labelers: rankings that mostly follow gold's, strengths near gold's."""
    rng = random.Random(seed)
    gold, labels = [], []
    for n in range(N_PROMPTS):
        prompt = f"p{n}"
        truth = _ranking(rng, prompt)
        truth_levels = [rng.randrange(4) for _ in truth[1:]]
        gold += [{"labeler": "rhea", "task": "ranking", "item": prompt, "field": "ranking", "value": truth},
                 {"labeler": "rhea", "task": "ranking", "item": prompt, "field": "strength",
                  "value": [LEVELS[i] for i in truth_levels]}]
        for who in LABELERS:
            ranking = truth if rng.random() < 0.6 else _ranking(rng, prompt)
            if ranking is truth:
                levels = [min(3, max(0, i + rng.choice((-1, 0, 0, 1)))) for i in truth_levels]
            else:
                levels = [rng.randrange(4) for _ in ranking[1:]]
            labels += [{"labeler": who, "task": "ranking", "item": prompt, "field": "ranking", "value": ranking},
                       {"labeler": who, "task": "ranking", "item": prompt, "field": "strength",
                        "value": [LEVELS[i] for i in levels]}]
    return gold, labels


@pytest.fixture
def ranked(db, tmp_path):
    add_labeler(db, "rhea", "researcher")
    import_prompts(db, write_jsonl(tmp_path / "p.jsonl",
                                   [{"id": f"p{n}", "text": f"prompt {n}"} for n in range(N_PROMPTS)]))
    import_outputs(db, write_jsonl(tmp_path / "o.jsonl", [
        {"id": f"p{n}-{x}", "prompt_id": f"p{n}", "text": x} for n in range(N_PROMPTS) for x in OUTPUTS]))
    gold, labels = _labels()
    import_labels(db, write_jsonl(tmp_path / "g.jsonl", gold), gold=True)
    import_labels(db, write_jsonl(tmp_path / "l.jsonl", labels), add_labelers=True)
    return db, gold, labels


def _side_by_side(ranking, levels):
    """Reference matching, written out: (better, worse) → level position, neighbours only."""
    return {(x, y): LEVELS.index(levels[i]) for i in range(len(ranking) - 1)
            for x in ranking[i] for y in ranking[i + 1]}


def _by(records):
    out = {}
    for r in records:
        out.setdefault((r["labeler"], r["item"]), {})[r["field"]] = r["value"]
    return out


def test_kappa_against_gold_matches_statsmodels_and_sklearn(ranked):
    db, gold, labels = ranked
    report = agreement_report(db, n_boot=200)
    golds, mine = _by(gold), _by(labels)
    for who in LABELERS:
        a, b, prompts = [], [], set()
        for n in range(N_PROMPTS):
            g = golds["rhea", f"p{n}"]
            reference = _side_by_side(g["ranking"], g["strength"])
            own = _side_by_side(mine[who, f"p{n}"]["ranking"], mine[who, f"p{n}"]["strength"])
            for pair in own.keys() & reference.keys():
                a.append(own[pair])
                b.append(reference[pair])
                prompts.add(n)
        entry = report["per_labeler"][who]["ranking.strength"]
        assert (entry["n"], entry["n_prompts"]) == (len(a), len(prompts))
        table = np.zeros((4, 4))
        np.add.at(table, (a, b), 1)
        expected = cohens_kappa(table, wt="quadratic", return_results=False)
        assert entry["cohen_kappa"] == pytest.approx(expected, abs=1e-4)
        assert entry["cohen_kappa"] == pytest.approx(
            cohen_kappa_score(a, b, labels=[0, 1, 2, 3], weights="quadratic"), abs=1e-4)
        assert entry["agreement"] == pytest.approx(np.mean(np.equal(a, b)), abs=1e-4)
        assert entry["mean_abs_diff"] == pytest.approx(np.mean(np.abs(np.subtract(a, b))), abs=1e-4)
        lo, hi = entry["cohen_kappa_ci95"]
        assert lo <= entry["cohen_kappa"] <= hi
    # The rankings' own figures are those of a report without strengths.
    assert report["per_labeler"]["ann"]["ranking.ranking"] == \
        agreement_report(db, n_boot=200, field="ranking")["per_labeler"]["ann"]["ranking.ranking"]


def test_alpha_between_labelers_matches_the_krippendorff_package(ranked):
    db, _gold, labels = ranked
    entry = agreement_report(db, n_boot=200)["inter_annotator"]["ranking.strength"]
    units = {}
    for (who, item), fields in _by(labels).items():
        for pair, level in _side_by_side(fields["ranking"], fields["strength"]).items():
            units.setdefault((item, pair), {})[who] = level
    pairable = [u for u in units.values() if len(u) >= 2]
    data = np.array([[u.get(who, np.nan) for u in pairable] for who in LABELERS], dtype=float)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal",
                                  value_domain=[0, 1, 2, 3])
    assert (entry["level"], entry["n_items"], entry["n_labelers"]) == ("ordinal", len(pairable), 3)
    assert entry["n_prompts"] == len({item for (item, _pair), u in units.items() if len(u) >= 2})
    assert entry["krippendorff_alpha"] == pytest.approx(expected, abs=1e-4)


def test_field_strength_alone_reports_only_strength(ranked):
    db, _gold, _labels = ranked
    alone = agreement_report(db, field="strength", n_boot=0)
    assert set(alone["inter_annotator"]) == {"ranking.strength"}
    assert set(alone["per_labeler"]["ann"]) == {"ranking.strength"}
    both = agreement_report(db, task="ranking", n_boot=0)
    assert alone["per_labeler"]["ann"]["ranking.strength"] == both["per_labeler"]["ann"]["ranking.strength"]


def test_pairs_ordered_differently_or_not_side_by_side_are_not_compared(db, tmp_path):
    add_labeler(db, "rhea", "researcher")
    import_prompts(db, write_jsonl(tmp_path / "p.jsonl", [{"id": "q", "text": "q"}, {"id": "r", "text": "r"}]))
    import_outputs(db, write_jsonl(tmp_path / "o.jsonl", [{"id": f"{p}-{x}", "prompt_id": p, "text": x}
                                                          for p in "qr" for x in "abc"]))

    def ranked_as(who, item, ranking, levels):
        return [{"labeler": who, "task": "ranking", "item": item, "field": "ranking", "value": ranking},
                {"labeler": who, "task": "ranking", "item": item, "field": "strength", "value": levels}]

    import_labels(db, write_jsonl(tmp_path / "g.jsonl", [
        *ranked_as("rhea", "q", [["q-a"], ["q-b"], ["q-c"]], ["better", "slightly better"]),
        *ranked_as("rhea", "r", [["r-a"], ["r-b"], ["r-c"]], ["better", "better"])]), gold=True)
    # q: a>b side by side as in gold (compared); b and c reversed (not compared); c>a is no gold
    # pair. r: a>b>c as gold.
    import_labels(db, write_jsonl(tmp_path / "l.jsonl", [
        *ranked_as("ann", "q", [["q-a"], ["q-c"], ["q-b"]], ["significantly better", "better"]),
        *ranked_as("ann", "r", [["r-a"], ["r-b"], ["r-c"]], ["better", "slightly better"])]),
        add_labelers=True)
    entry = agreement_report(db, n_boot=0)["per_labeler"]["ann"]["ranking.strength"]
    # Compared: r a>b (better/better), r b>c (slightly better/better). q's a>c is not side by
    # side in gold, q's c>b is reversed.
    assert (entry["n"], entry["n_prompts"], entry["agreement"], entry["mean_abs_diff"]) == (2, 1, 0.5, 0.5)


def test_a_strength_that_does_not_fit_names_labeler_item_and_field(ranked, tmp_path):
    db, _gold, _labels = ranked
    import_labels(db, write_jsonl(tmp_path / "bad.jsonl", [
        {"labeler": "bo", "task": "ranking", "item": "p3", "field": "strength", "value": ["better"] * 5}]),
        replace=True)
    with pytest.raises(AgreementError, match=r"labeler 'bo', item 'p3', field ranking.strength: 5 levels "
                                             r"for the \d boundaries of the ranking"):
        agreement_report(db, n_boot=0)
    with pytest.raises(AgreementError, match=r"labeler '\w+', item 'p\d+', field ranking.strength: '[a-z /]+' "
                                             r"is not one of \[comparison\] strength_levels"):
        agreement_report(db, n_boot=0, strength_levels=("much", "a little"))
