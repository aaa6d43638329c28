"""MACE (store/consensus/mace.py) against crowd-kit's `MACE`, the paper's claim about spammers,
and one EM step worked by hand."""

from __future__ import annotations

from math import log
from pathlib import Path

import numpy as np
import pytest

from store.consensus.mace import MaceStart, _e_step, _Labels, _m_step, _Params, mace
from tests.conftest import reference_library

DS_1979 = Path(__file__).parents[1] / "data" / "dawid_skene_1979.txt"
GOOD = (0.9, 0.85, 0.8, 0.75, 0.7)  # competences of the honest labelers
N_ITEMS, N_CLASSES, PER_ITEM = 300, 3, 5


def simulated(seed: int = 0, random_spammers: int = 2):
    """Five honest labelers (GOOD), two spammers who always answer class 0 and
    `random_spammers` who answer at random; five labelers an item. Labelers are numbered in
    that order."""
    rng = np.random.default_rng(seed)
    competence = np.array([*GOOD, 0, 0] + [0] * random_spammers)
    truth = rng.integers(0, N_CLASSES, N_ITEMS)
    it, lb, ans = [], [], []
    for i in range(N_ITEMS):
        for j in rng.choice(len(competence), PER_ITEM, replace=False):
            if rng.random() < competence[j]:
                answer = truth[i]
            elif j in (5, 6):
                answer = 0
            else:
                answer = rng.integers(0, N_CLASSES)
            it.append(i)
            lb.append(j)
            ans.append(answer)
    return np.array(it), np.array(lb), np.array(ans), truth


def dawid_skene_1979():
    """The anaesthetists' ratings: 45 patients, 5 observers (the first rated each patient three
    times; each rating is one label), classes 1-4 as codes 0-3."""
    it, lb, ans = [], [], []
    for line in DS_1979.read_text().splitlines():
        if line.startswith("#"):
            continue
        patient, *ratings = (int(x) for x in line.split())
        for observer, rating in zip((0, 0, 0, 1, 2, 3, 4), ratings, strict=True):
            it.append(patient - 1)
            lb.append(observer)
            ans.append(rating - 1)
    return np.array(it), np.array(lb), np.array(ans)


def crowd_kit(items, labelers, answers, *, method: str, n_iter: int):
    """crowd-kit's competences (by labeler code) and posteriors (by item, class code).

    crowd-kit 1.4 reads its strategy counts in sorted order of worker and label but its
    parameters in order of first appearance, so it is handed codes in which the two agree."""
    pd = reference_library("pandas")
    crowdkit = reference_library("crowdkit.aggregation")
    workers, worker_names = pd.factorize(pd.Series(labelers))
    labels, label_names = pd.factorize(pd.Series(answers))
    frame = pd.DataFrame({"task": items, "worker": workers, "label": labels})
    ref = crowdkit.MACE(n_restarts=1, n_iter=n_iter, method=method, random_state=0).fit(frame)
    weights = ref.spamming_  # columns: spamming, knowing
    competence = pd.Series(weights[:, 1] / weights.sum(axis=1), index=worker_names).sort_index()
    probas = ref.probas_.rename(columns=dict(enumerate(label_names))).sort_index()
    return competence.to_numpy(), probas[sorted(probas.columns)].to_numpy()


def test_matches_crowd_kit_on_simulated_spammers():
    # Without random spammers: their competence sits on a flat ridge of the likelihood that EM
    # crawls along (0.017 against crowd-kit's 0.025 after 50 steps), so where each stops decides.
    it, lb, ans, truth = simulated(random_spammers=0)
    ours = mace(it, lb, ans, n_items=N_ITEMS, n_labelers=7, n_classes=N_CLASSES)
    competence, posterior = crowd_kit(it, lb, ans, method="em", n_iter=30)
    # Both climb to the same optimum (our ten restarts agree); what is left is where each stops:
    # crowd-kit after a fixed 30 steps, ours when the likelihood moves by < 1e-6.
    # Measured gap 6e-6 (competence) and 6e-5 (posterior).
    assert np.abs(ours.competence - competence).max() < 1e-3
    assert np.abs(ours.posterior - posterior).max() < 1e-3
    assert (ours.posterior.argmax(axis=1) == truth).mean() > 0.9


@pytest.mark.parametrize("variational", [False, True])
def test_matches_crowd_kit_on_dawid_skene_1979(variational):
    it, lb, ans = dawid_skene_1979()
    ours = mace(it, lb, ans, n_items=45, n_labelers=5, n_classes=4, variational=variational)
    competence, posterior = crowd_kit(it, lb, ans, method="vb" if variational else "em", n_iter=20)
    # Measured gap 1e-5 (competence) and 7e-5 (posterior), from the stopping rules alone.
    assert np.abs(ours.competence - competence).max() < 1e-3
    assert np.abs(ours.posterior - posterior).max() < 1e-3
    assert ours.labels.tolist() == [135, 45, 45, 45, 45]


def test_spammers_rank_lowest_and_honest_labelers_in_order():
    """The paper's claim (section 4, simulated annotators): competence ranks spammers below
    every honest labeler, whether they repeat one class or answer at random."""
    it, lb, ans, _truth = simulated(seed=3)
    result = mace(it, lb, ans, n_items=N_ITEMS, n_labelers=9, n_classes=N_CLASSES)
    ranked = np.argsort(-result.competence).tolist()
    assert set(ranked[-4:]) == {5, 6, 7, 8}
    assert result.competence[5:].max() < 0.15 < 0.6 < result.competence[:5].min()
    # The honest ones come out near their true competence.
    assert np.abs(result.competence[:5] - np.array(GOOD)).max() < 0.1


def test_same_data_same_seed_same_result_and_restarts_differ():
    it, lb, ans, _ = simulated()
    args = dict(n_items=N_ITEMS, n_labelers=9, n_classes=N_CLASSES)
    a, b = mace(it, lb, ans, **args, seed=7), mace(it, lb, ans, **args, seed=7)
    assert np.array_equal(a.competence, b.competence)
    assert np.array_equal(a.posterior, b.posterior)
    one = mace(it, lb, ans, **args, seed=8, restarts=1, max_iter=1)
    assert not np.array_equal(one.competence, a.competence)
    # Comparing restarts after a burn-in (the default) finds what running all of them does.
    full = mace(it, lb, ans, **args, seed=7, burn_in=None)
    assert np.abs(full.competence - a.competence).max() < 1e-4
    assert full.log_likelihood == pytest.approx(a.log_likelihood, abs=1e-3)


def test_one_em_step_by_hand():
    """Two labelers, two items, two classes. Item 0: both answer 0. Item 1: A answers 0, B 1.
    Start: spam = know = 1/2, spam answers uniform, so P(answer | class) is 3/4 when they
    match and 1/4 when not."""
    data = _Labels(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), np.array([0, 0, 0, 1]),
                   n_items=2, n_labelers=2, n_classes=2, gold=None)
    half = np.full(2, 0.5)
    e = _e_step(data, _Params(half, half, np.full((2, 2), 0.5)))
    # Item 0: 1/2 (3/4)^2 against 1/2 (1/4)^2, so 9/10; item 1: 1/2 * 3/4 * 1/4 either way.
    assert e.posterior == pytest.approx(np.array([[0.9, 0.1], [0.5, 0.5]]))
    assert e.log_likelihood == pytest.approx(log(0.3125) + log(0.1875))
    # Known only if the answer is the true class: P(class = answer) * (1/2) / (3/4).
    knew = [0.9 * 2 / 3, 0.9 * 2 / 3, 0.5 * 2 / 3, 0.5 * 2 / 3]
    assert e.know == pytest.approx([knew[0] + knew[2], knew[1] + knew[3]])
    assert e.spam == pytest.approx([2 - knew[0] - knew[2], 2 - knew[1] - knew[3]])
    assert e.strategy == pytest.approx(np.array([[2 - knew[0] - knew[2], 0],
                                                 [1 - knew[1], 1 - knew[3]]]))
    s = 0.01 / 2  # the reference code's smoothing for two classes
    p = _m_step(e, s)
    assert p.know == pytest.approx((np.array([0.6 + 1 / 3] * 2) + s) / (2 + 2 * s))
    spam_a = 2 - 0.6 - 1 / 3
    assert p.strategy[0] == pytest.approx([(spam_a + s) / (spam_a + 2 * s), s / (spam_a + 2 * s)])
    assert p.strategy[1] == pytest.approx([(0.4 + s) / (spam_a + 2 * s), (2 / 3 + s) / (spam_a + 2 * s)])


def test_gold_items_keep_their_class_and_inform_competence():
    # Item 0: A says 0, B says 1, gold says 1; items 1-3 A and B agree with each other.
    it, lb = np.array([0, 0, 1, 1, 2, 2, 3, 3]), np.array([0, 1] * 4)
    ans = np.array([0, 1, 0, 0, 1, 1, 0, 0])
    result = mace(it, lb, ans, n_items=4, n_labelers=2, n_classes=2, gold={0: 1})
    assert result.posterior[0].tolist() == [0.0, 1.0]
    assert result.competence[1] > result.competence[0]


def test_the_most_likely_restart_is_kept():
    """Of the restarts, the one with the highest log likelihood wins (the first restart is
    one of ten: the winner of ten is at least as likely, here strictly more)."""
    it, lb, ans, _ = simulated()
    args = dict(n_items=N_ITEMS, n_labelers=9, n_classes=N_CLASSES, max_iter=1, burn_in=None,
                seed=3)
    one = mace(it, lb, ans, **args, restarts=1)
    ten = mace(it, lb, ans, **args, restarts=10)
    assert ten.log_likelihood > one.log_likelihood


def test_a_missing_reference_library_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run this test"):
        reference_library("no_such_reference_library")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        reference_library("no_such_reference_library")


def test_a_warm_start_runs_once_from_the_given_parameters():
    """From a cold run's parameters on 90% of the labels, a short warm run on all of them lands
    where a cold run on all of them does; a labeler without parameters (NaN) starts at random."""
    it, lb, ans, _ = simulated(seed=5)
    args = dict(n_items=N_ITEMS, n_labelers=9, n_classes=N_CLASSES)
    keep = np.random.default_rng(0).random(len(it)) < 0.9
    earlier = mace(it[keep], lb[keep], ans[keep], **args)
    competence = earlier.competence.copy()
    competence[4] = np.nan  # a labeler the last run did not know
    start = MaceStart(competence, earlier.strategy)
    cold = mace(it, lb, ans, **args)
    warm = mace(it, lb, ans, **args, start=start, max_iter=20)
    assert warm.iterations <= 20
    assert np.abs(warm.competence - cold.competence).max() < 0.01
    # One step from the start is one EM step: the start's parameters, not a restart's.
    one = mace(it, lb, ans, **args, start=MaceStart(earlier.competence, earlier.strategy),
               max_iter=1)
    params = _Params(1 - earlier.competence, earlier.competence.copy(), earlier.strategy)
    data = _Labels(it, lb, ans, N_ITEMS, 9, N_CLASSES, None)
    by_hand = _m_step(_e_step(data, params), 0.01 / N_CLASSES)
    assert np.allclose(one.competence, by_hand.know / (by_hand.know + by_hand.spam), atol=1e-12)
