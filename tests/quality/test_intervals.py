"""The quality report's intervals count gold checks, not the answers inside one check, as the
independent trials (store/reports/intervals.py)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from store.reports.intervals import clustered_wilson, effective_n, wilson


def _statsmodels_variance(clusters):
    """Cluster-robust variance of the mean of the 0/1 answers (statsmodels, Liang–Zeger)."""
    import statsmodels.api as sm

    y = np.concatenate([[1.0] * s + [0.0] * (n - s) for s, n in clusters])
    groups = np.concatenate([[g] * n for g, (_s, n) in enumerate(clusters)])
    fit = sm.OLS(y, np.ones(len(y))).fit(cov_type="cluster", cov_kwds={"groups": groups})
    return float(fit.bse[0] ** 2)


@pytest.mark.parametrize("clusters", [
    [(3, 6), (1, 6), (6, 6), (2, 3), (0, 1), (5, 10)],
    [(30, 36), (10, 36), (15, 15), (2, 3)],
    [(1, 2), (2, 2), (0, 2), (1, 2), (2, 2), (1, 2), (0, 2), (2, 2)],
])
def test_the_effective_sample_size_uses_the_cluster_robust_variance_of_statsmodels(clusters):
    n = sum(t for _s, t in clusters)
    p = sum(s for s, _t in clusters) / n
    want = min(n, p * (1 - p) / _statsmodels_variance(clusters))
    assert effective_n(clusters) == pytest.approx(want, rel=1e-12)
    assert clustered_wilson(clusters) == pytest.approx(wilson(p * want, want), abs=1e-12)


@pytest.mark.parametrize("k,n", [(0, 10), (1, 29), (15, 148), (81, 263), (5, 5)])
def test_one_answer_a_check_is_the_plain_wilson_interval(k, n):
    clusters = [(1, 1)] * k + [(0, 1)] * (n - k)
    ref = binomtest(k, n).proportion_ci(method="wilson")
    assert clustered_wilson(clusters) == pytest.approx((ref.low, ref.high), abs=1e-12)


def test_answers_that_move_together_count_as_one_trial_a_check():
    # Two rankings of 3 untied pairs each: one wholly right, one wholly reversed. The 6 pairs
    # are 2 independent observations, not 6: the interval is Wilson's for 1 in 2 or wider.
    clusters = [(3, 3), (0, 3)]
    assert clustered_wilson(clusters)[0] < wilson(1, 2)[0]
    assert clustered_wilson(clusters)[1] > wilson(1, 2)[1]
    assert clustered_wilson(clusters)[0] < wilson(3, 6)[0]


def test_unknowable_spread_is_taken_at_its_worst():
    # One check, or all answers right: the within-check correlation cannot be estimated.
    assert effective_n([(5, 9)]) == 1
    assert effective_n([(9, 9), (4, 4), (6, 6)]) == 3
    assert clustered_wilson([(9, 9), (4, 4), (6, 6)]) == pytest.approx(wilson(3, 3), abs=1e-12)
    assert clustered_wilson([]) is None and clustered_wilson([(0, 0)]) is None


def test_clustering_never_narrows_the_interval():
    rng = np.random.default_rng(7)
    for _ in range(300):
        g = int(rng.integers(1, 12))
        sizes = rng.integers(1, 37, size=g)
        clusters = [(int(rng.integers(0, t + 1)), int(t)) for t in sizes]
        s, n = sum(c[0] for c in clusters), int(sizes.sum())
        lo, hi = clustered_wilson(clusters)
        plain = wilson(s, n)
        assert lo <= plain[0] + 1e-12 and hi >= plain[1] - 1e-12
