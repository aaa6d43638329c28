"""Consensus: Dawid–Skene against majority vote and crowd-kit, Bradley–Terry against choix."""

from itertools import permutations

import numpy as np
import pytest

from store.consensus.bradley_terry import consensus_rankings, scores, wins_matrix
from store.consensus.dawid_skene import dawid_skene
from store.db import immediate
from store.labels import write_labels
from store.schema import load_schema
from store.values import LabelValue
from tests.conftest import fill_sample, reference_library


def synthetic(seed=7, n_items=1000, classes=3):
    """5 labelers on every item: 2 good (90% right), 3 noisy (45% right, errors skewed to
    class 0), so majority vote often sides with the noise."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, classes, n_items)
    confusions = []
    for accuracy in (0.9, 0.9, 0.45, 0.45, 0.45):
        m = np.full((classes, classes), 0.0)
        for t in range(classes):
            m[t, t] = accuracy
            wrong = [c for c in range(classes) if c != t]
            m[t, wrong[0]] = (1 - accuracy) * 0.8
            m[t, wrong[1]] = (1 - accuracy) * 0.2
        confusions.append(m)
    items, labelers, answers = [], [], []
    for i, t in enumerate(truth):
        for j, m in enumerate(confusions):
            items.append(i)
            labelers.append(j)
            answers.append(rng.choice(classes, p=m[t]))
    return truth, np.array(confusions), np.array(items), np.array(labelers), np.array(answers)


def majority(items, answers, n_items, classes):
    counts = np.zeros((n_items, classes))
    np.add.at(counts, (items, answers), 1)
    return counts.argmax(axis=1)


def test_dawid_skene_beats_majority_and_recovers_confusions():
    truth, confusions, items, labelers, answers = synthetic()
    result = dawid_skene(items, labelers, answers, n_items=len(truth), n_labelers=5, n_classes=3)
    ds = (result.labels == truth).mean()
    mv = (majority(items, answers, len(truth), 3) == truth).mean()
    assert ds > mv + 0.05, (ds, mv)
    assert ds > 0.9
    # The good labelers' diagonals come out near 0.9, the noisy ones' near 0.45.
    diagonals = np.array([np.diag(c).mean() for c in result.confusion])
    assert np.abs(diagonals - np.array([0.9, 0.9, 0.45, 0.45, 0.45])).max() < 0.06
    assert np.abs(result.confusion - confusions).max() < 0.08


@pytest.mark.filterwarnings("ignore")  # crowd-kit's own pandas deprecation warnings
def test_dawid_skene_matches_crowd_kit():
    pd = reference_library("pandas")
    crowdkit = reference_library("crowdkit.aggregation")
    truth, _c, items, labelers, answers = synthetic(seed=11, n_items=300)
    ours = dawid_skene(items, labelers, answers, n_items=len(truth), n_labelers=5, n_classes=3,
                       tol=1e-9, max_iter=100)
    frame = pd.DataFrame({"task": items, "worker": labelers, "label": answers})
    ref = crowdkit.DawidSkene(n_iter=100, tol=1e-9).fit(frame)
    theirs = ref.probas_.reindex(columns=[0, 1, 2]).fillna(0).sort_index().to_numpy()
    assert (ref.labels_.sort_index().to_numpy() == ours.labels).all()
    # Same labels; posteriors within 0.01 (crowd-kit floors probabilities and stops on the
    # evidence bound, we stop on the posteriors).
    assert np.abs(theirs - ours.posterior).max() < 1e-2
    errors = ref.errors_  # index (worker, observed label), columns the true label
    for j in range(5):
        block = errors.loc[j].reindex(index=[0, 1, 2], columns=[0, 1, 2]).fillna(0).to_numpy()
        assert np.abs(block.T - ours.confusion[j]).max() < 1e-2


def test_gold_items_keep_their_class():
    truth, _c, items, labelers, answers = synthetic(n_items=60)
    result = dawid_skene(items, labelers, answers, n_items=60, n_labelers=5, n_classes=3,
                         gold={0: 2, 1: 1})
    assert result.posterior[0].tolist() == [0.0, 0.0, 1.0] and result.labels[1] == 1


def test_ratings_give_mean_and_spread_from_the_tallies_as_from_the_labels(db, monkeypatch):
    """A rating's consensus comes from the value histograms the triggers keep; counted from
    the labels instead it is the same, overwrites and gold included."""
    from store import consensus
    from store.consensus.compute import _scale

    fill_sample(db)
    schema = load_schema()
    with immediate(db):
        for who, value in (("alice", 2), ("bob", 6), ("carol", 7)):
            write_labels(db, who, [LabelValue("output", "p1-a", "rating", value)], gold=False,
                         schema=schema)
        write_labels(db, "bob", [LabelValue("output", "p1-a", "rating", 3)], gold=False, schema=schema)
        write_labels(db, "alice", [LabelValue("output", "p2-a", "rating", 4)], gold=False, schema=schema)
        write_labels(db, "rhea", [LabelValue("output", "p1-b", "rating", 5)], gold=True, schema=schema)
    records = list(_scale(db, "output", "rating"))
    assert records == [
        {"task": "output", "item": "p1-a", "field": "rating", "n_labelers": 3, "mean": 4.0,
         "spread": 5.0, "value": 4.0, "method": "mean"},
        {"task": "output", "item": "p1-b", "field": "rating", "n_labelers": 0, "value": 5,
         "method": "gold"},
        {"task": "output", "item": "p2-a", "field": "rating", "n_labelers": 1, "mean": 4.0,
         "spread": 0.0, "value": 4.0, "method": "mean"},
    ]
    monkeypatch.setattr(consensus.compute, "TALLIED", ())
    assert list(_scale(db, "output", "rating")) == records


def test_bradley_terry_matches_choix_on_a_worked_example():
    """Three rankings of four outputs, one with a tie. choix has no weights and no ties: each
    untied pair is given twice, a tie once each way, and alpha doubled — the same objective
    times two, so the same maximum."""
    choix = reference_library("choix")
    rankings = [[["a"], ["b", "c"], ["d"]], [["b"], ["a"], ["c"], ["d"]], [["a"], ["c"], ["b"], ["d"]]]
    outputs = ["a", "b", "c", "d"]
    wins = wins_matrix(rankings, outputs)
    assert wins[1, 2] == 1.5 and wins[2, 1] == 1.5  # one tie (1/2 each way) + one win each
    ours = scores(wins[None], alpha=0.1)[0]
    data = [(i, j) for i in range(4) for j in range(4) for _ in range(int(round(2 * wins[i, j])))]
    theirs = choix.opt_pairwise(4, data, alpha=0.2, tol=1e-12)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    (result,) = consensus_rankings([(outputs, rankings)], alpha=0.1)
    assert result.ranking == [["a"], ["b"], ["c"], ["d"]] and result.n_labelers == 3
    pairs = list(result.pairs())
    assert len(pairs) == 6 and all(0.5 < margin < 1 for _c, _r, margin in pairs)
    margin = dict(((c, r), m) for c, r, m in pairs)
    assert margin["a", "d"] > margin["a", "b"]  # everyone put d last; a over b was split 2:1


def test_bradley_terry_orders_noisy_rankings_with_ties():
    """Seeded: true qualities 3 > 2 > 1 = 1 > 0 (two outputs truly tied); 7 labelers rank
    with noise and tie outputs whose noisy scores round alike. The consensus ranks by the
    truth and puts the two truly tied outputs next to each other with a margin near 1/2."""
    rng = np.random.default_rng(3)
    truth = {"o1": 3.0, "o2": 2.0, "o3": 1.0, "o4": 1.0, "o5": 0.0}
    items = []
    for _ in range(30):
        rankings = []
        for _labeler in range(7):
            noisy = {o: round(q + rng.normal(0, 0.6)) for o, q in truth.items()}
            groups = {}
            for o, v in noisy.items():
                groups.setdefault(v, []).append(o)
            rankings.append([sorted(groups[v]) for v in sorted(groups, reverse=True)])
        items.append((list(truth), rankings))
    results = consensus_rankings(items)
    ok = 0
    for r in results:
        flat = [o for g in r.ranking for o in g]
        ok += flat[0] == "o1" and flat[1] == "o2" and set(flat[2:4]) == {"o3", "o4"} and flat[4] == "o5"
    assert ok >= 27, ok
    tied = [abs(r.scores["o3"] - r.scores["o4"]) for r in results]
    gaps = [r.scores["o1"] - r.scores["o2"] for r in results]
    assert np.median(tied) < 0.5 < np.median(gaps)


def test_all_tied_ranking_gives_one_group_and_no_pairs():
    (r,) = consensus_rankings([(["x", "y"], [[["x", "y"]], [["y", "x"]]])])
    assert r.ranking == [["x", "y"]] and list(r.pairs()) == []


@pytest.mark.parametrize("order", list(permutations(["a", "b", "c"]))[:3])
def test_unanimous_ranking_is_the_consensus(order):
    ranking = [[o] for o in order]
    (r,) = consensus_rankings([(["a", "b", "c"], [ranking, ranking])])
    assert r.ranking == ranking
