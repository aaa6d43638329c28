"""Agreement metrics against published worked examples and their published values."""

import math
import warnings

import krippendorff
import numpy as np
import pytest

from store.agreement.metrics import (
    MetricError,
    agreement_share,
    alpha_estimate,
    alpha_replicates,
    bootstrap,
    bootstrap_many,
    cohen_kappa,
    krippendorff_alpha,
    mean_abs_diff,
    paired_estimates,
    value_counts,
)
from store.agreement.ranking import (
    PairCounts,
    RankingMismatch,
    inter_annotator_ranking,
    kendall_tau_b,
    pair_counts,
    ranking_estimates,
)

# Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability", Annenberg School for
# Communication, University of Pennsylvania, section C ("Nominal data, any number of observers,
# missing values"; the same data for ordinal/interval later): 4 observers × 12 units, "." missing.
# Published: alpha nominal = .743, ordinal = .815, interval = .849.
_: None = None
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],  # observer A
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],  # observer B
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],  # observer C
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],  # observer D
]


def _units(matrix):
    return [[row[j] for row in matrix if row[j] is not None] for j in range(len(matrix[0]))]


@pytest.mark.parametrize(
    "level, published", [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_krippendorff_2011_reliability_data(level, published):
    alpha = krippendorff_alpha(_units(KRIPPENDORFF_2011), domain=[1, 2, 3, 4, 5], level=level)
    assert round(alpha, 3) == published


@pytest.mark.parametrize("level", ["ordinal", "interval"])
def test_alpha_over_a_wider_full_scale_keeps_the_published_value(level):
    # Our scales (1..7) are wider than the values used; unused values must not move alpha.
    narrow = krippendorff_alpha(_units(KRIPPENDORFF_2011), domain=[1, 2, 3, 4, 5], level=level)
    wide = krippendorff_alpha(_units(KRIPPENDORFF_2011), domain=list(range(1, 8)), level=level)
    assert wide == pytest.approx(narrow)


def test_alpha_nominal_on_categories_and_booleans():
    units = [[True, True], [False, False], [True, False], [False, False, False]]
    by_bool = krippendorff_alpha(units, domain=[False, True], level="nominal")
    as_ints = [[int(v) for v in u] for u in units]
    assert by_bool == pytest.approx(krippendorff_alpha(as_ints, domain=[0, 1], level="nominal"))


def test_alpha_undefined_cases_are_none():
    assert krippendorff_alpha([[3], [4]], domain=[1, 2, 3, 4], level="ordinal") is None
    # everyone gave the same value: no expected disagreement, alpha undefined
    assert krippendorff_alpha([[2, 2], [2, 2]], domain=[1, 2, 3], level="nominal") is None


def test_alpha_estimate_counts_pairable_units_and_is_seeded():
    units = _units(KRIPPENDORFF_2011)
    n, est = alpha_estimate(units, domain=[1, 2, 3, 4, 5], level="ordinal", seed=7, n_boot=200)
    assert n == 11  # unit 12 has a single value
    assert round(est.value, 3) == 0.815
    lo, hi = est.ci95
    assert lo <= est.value <= hi
    again = alpha_estimate(units, domain=[1, 2, 3, 4, 5], level="ordinal", seed=7, n_boot=200)
    assert again[1] == est


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_alpha_replicates_match_the_package(level):
    # The bootstrap's vectorised alpha must equal krippendorff.alpha on every resample.
    rng = np.random.default_rng(11)
    domain = [1, 2, 3, 4, 5, 6, 7]
    units = [list(rng.integers(1, 8, size=rng.integers(2, 5))) for _ in range(30)]
    counts = value_counts(units, domain)
    idx = rng.integers(0, len(units), size=(20, len(units)))
    numeric = np.asarray(domain, dtype=float)
    fast = alpha_replicates(counts, numeric, level)(idx)
    for row, got in zip(idx, fast, strict=True):
        want = krippendorff.alpha(
            value_counts=counts[row], value_domain=domain, level_of_measurement=level
        )
        assert got == pytest.approx(want, abs=1e-12)


def test_out_of_scale_value_is_an_error():
    with pytest.raises(MetricError, match="not on the scale"):
        krippendorff_alpha([[1, 9]], domain=[1, 2, 3], level="ordinal")
    with pytest.raises(MetricError, match="8"):
        cohen_kappa([1, 8], [1, 2], labels=range(1, 8))


# Wikipedia, "Cohen's kappa", section "Simple example": 50 grant proposals read by A and B;
# both yes 20, A yes/B no 5, A no/B yes 10, both no 15. Published p_o = 0.7, p_e = 0.5, κ = 0.4.
def _table(cells):
    a, b = [], []
    for (x, y), count in cells.items():
        a += [x] * count
        b += [y] * count
    return a, b


def test_cohen_kappa_wikipedia_grant_proposals():
    a, b = _table({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15})
    assert agreement_share(a, b) == pytest.approx(0.7)
    assert cohen_kappa(a, b, labels=["yes", "no"]) == pytest.approx(0.4)


# easycalculation.com, "Cohen's kappa index" worked example: 20 patients, doctors A and B;
# both yes 12, B yes/A no 2, B no/A yes 4, both no 2. Published Pr(a) = 0.7, Pr(e) = 0.62,
# κ = 0.08 / 0.38 = 0.21.
def test_cohen_kappa_easycalculation_doctors():
    a, b = _table({(True, True): 12, (False, True): 2, (True, False): 4, (False, False): 2})
    assert cohen_kappa(a, b, labels=[False, True]) == pytest.approx(0.08 / 0.38)
    assert round(cohen_kappa(a, b, labels=[False, True]), 2) == 0.21


# Maple help, EssayTools[QuadraticWeightedKappa], Examples (scale min/max taken from the data,
# 1..10): published 0.758620689655172 and 0.438095238095238.
ESSAYS = [9, 7, 8, 7, 6, 8, 3, 5, 10]


@pytest.mark.parametrize(
    "other, published",
    [
        ([8, 8, 6, 6, 7, 6, 1, 4, 8], 0.758620689655172),
        ([3, 5, 6, 6, 7, 6, 1, 4, 8], 0.438095238095238),
    ],
)
def test_quadratic_weighted_kappa_maple_essaytools(other, published):
    kappa = cohen_kappa(ESSAYS, other, labels=range(1, 11), weighting="quadratic")
    assert kappa == pytest.approx(published, abs=1e-12)


def test_quadratic_weights_follow_scale_distance_not_observed_positions():
    # Values 1, 2, 7 on a 1..7 scale. Position-based weights (the observed values re-indexed as
    # 0, 1, 2) would treat 2→7 like 1→2; by hand with scale distances:
    # observed table: (1,1) (2,7) (7,2) (7,7) → Do = (25 + 25) / 36 / 4
    # marginals a: 1:.25 2:.25 7:.5, b: 1:.25 2:.25 7:.5 → De = Σ p_i q_j (i-j)² / 36
    a, b = [1, 2, 7, 7], [1, 7, 2, 7]
    p = {1: 0.25, 2: 0.25, 7: 0.5}
    de = sum(p[i] * p[j] * (i - j) ** 2 for i in p for j in p) / 36
    do = 50 / 36 / 4
    assert cohen_kappa(a, b, labels=range(1, 8), weighting="quadratic") == pytest.approx(
        1 - do / de
    )


def test_kappa_undefined_when_both_use_one_category():
    assert cohen_kappa([1, 1, 1], [1, 1, 1], labels=[0, 1]) is None
    assert cohen_kappa([], [], labels=[0, 1]) is None


def test_mean_abs_diff():
    assert mean_abs_diff([1, 4, 7], [2, 4, 4]) == pytest.approx(4 / 3)


def test_paired_estimates_ordinal_and_nominal_keys():
    a = [1, 2, 3, 4, 5, 6, 7, 7, 6, 5]
    b = [1, 2, 3, 4, 5, 6, 7, 6, 6, 4]
    est = paired_estimates(a, b, labels=range(1, 8), ordinal=True, seed=1, n_boot=300)
    assert set(est) == {"agreement", "cohen_kappa", "mean_abs_diff"}
    assert est["agreement"].value == pytest.approx(0.8)
    assert est["mean_abs_diff"].value == pytest.approx(0.2)
    assert est["cohen_kappa"].value == pytest.approx(
        cohen_kappa(a, b, labels=range(1, 8), weighting="quadratic")
    )
    for e in est.values():
        lo, hi = e.ci95
        assert lo <= e.value <= hi and e.se >= 0
    nominal = paired_estimates(
        [True, False], [True, True], labels=[False, True], ordinal=False, seed=1
    )
    assert set(nominal) == {"agreement", "cohen_kappa"}


def test_bootstrap_kappa_matches_direct_kappa_on_each_resample():
    rng = np.random.default_rng(3)
    a = rng.integers(1, 8, 40).tolist()
    b = [min(7, max(1, x + int(rng.integers(-1, 2)))) for x in a]
    seen = []

    def record(idx):
        for row in idx:
            seen.append(
                cohen_kappa(
                    [a[i] for i in row],
                    [b[i] for i in row],
                    labels=range(1, 8),
                    weighting="quadratic",
                )
            )
        return np.array(seen[-len(idx) :], dtype=float)

    ci_direct, _ = bootstrap(record, 40, seed=5, n_boot=50)
    est = paired_estimates(a, b, labels=range(1, 8), ordinal=True, seed=5, n_boot=50)
    assert est["cohen_kappa"].ci95 == pytest.approx(ci_direct)


def test_bootstrap_interval_is_scipys_percentile_interval():
    """The reference: scipy.stats.bootstrap(method="percentile"), 95%, on the same seeded draws
    (both take rng.integers(0, n, (resamples, n))): the interval is the 2.5th and 97.5th
    percentile of the resampled means, and the standard error their standard deviation."""
    from scipy import stats

    x = np.array([0.1, 0.4, 0.35, 0.8, 0.55, 0.2, 0.9, 0.65, 0.3, 0.7, 0.45, 0.05])
    ci, se = bootstrap(lambda idx: x[idx].mean(axis=1), len(x), seed=7, n_boot=2000)
    ref = stats.bootstrap((x,), np.mean, n_resamples=2000, method="percentile",
                          confidence_level=0.95, rng=np.random.default_rng(7))
    assert ci == pytest.approx((ref.confidence_interval.low, ref.confidence_interval.high),
                               abs=1e-12)
    assert se == pytest.approx(ref.standard_error, abs=1e-12)
    assert ci == pytest.approx((0.31666666666666665, 0.6041666666666666), abs=1e-12)


def test_bootstrap_is_seeded_and_needs_two_items():
    data = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0])

    def stat(idx):
        return data[idx].mean(axis=1)

    assert bootstrap(stat, 6, seed=3) == bootstrap(stat, 6, seed=3)
    assert bootstrap(stat, 6, seed=3) != bootstrap(stat, 6, seed=4)
    assert bootstrap(stat, 1, seed=3) == (None, None)


# scipy.stats.kendalltau documentation, Examples: x1 = [12, 2, 1, 12, 2], x2 = [1, 4, 7, 1, 0],
# published statistic -0.47140452079103173 (tau-b, with ties in both).
def test_kendall_tau_b_scipy_documented_example():
    # The same data as rankings, best (largest) first; ties become tie groups.
    x1 = [["o1", "o4"], ["o2", "o5"], ["o3"]]  # 12, 12 | 2, 2 | 1
    x2 = [["o3"], ["o2"], ["o1", "o4"], ["o5"]]  # 7 | 4 | 1, 1 | 0
    assert kendall_tau_b(x1, x2) == pytest.approx(-0.47140452079103173, abs=1e-15)


def test_pair_counts_by_hand():
    gold = [["o2"], ["o1", "o4"], ["o3"]]
    mine = [["o1"], ["o2"], ["o3"], ["o4"]]
    # pairs: (o1,o2) differ; (o1,o3) same; (o1,o4) tied in gold; (o2,o3) same; (o2,o4) same;
    # (o3,o4) differ (gold o4 > o3, mine o3 > o4)
    assert pair_counts(mine, gold) == PairCounts(same=3, different=2, ties_excluded=1)


def test_ranking_mismatch_and_malformed():
    with pytest.raises(RankingMismatch):
        pair_counts([["o1"], ["o2"]], [["o1"], ["o3"]])
    with pytest.raises(MetricError, match="twice"):
        pair_counts([["o1"], ["o1"]], [["o1"], ["o2"]])
    with pytest.raises(MetricError):
        pair_counts([], [["o1"]])


def test_all_tied_ranking_has_no_tau():
    assert kendall_tau_b([["o1", "o2", "o3"]], [["o1"], ["o2"], ["o3"]]) is None


def test_ranking_estimates_pool_pairs_and_average_tau():
    p1 = ([["a"], ["b"], ["c"]], [["a"], ["b"], ["c"]])  # 3 same
    p2 = ([["a"], ["b"], ["c"]], [["c"], ["b", "a"]])  # (a,b) tie; (a,c),(b,c) differ
    est = ranking_estimates([p1, p2], seed=0, n_boot=200)
    assert est["pairwise_agreement"].value == pytest.approx(3 / 5)
    assert est["ties_excluded"] == 1
    tau2 = kendall_tau_b(*p2)
    assert est["kendall_tau_b"].value == pytest.approx((1.0 + tau2) / 2)
    lo, hi = est["pairwise_agreement"].ci95
    assert lo <= 0.6 <= hi


def test_inter_annotator_ranking_by_hand():
    item1 = [[["a"], ["b"], ["c"]], [["a"], ["c"], ["b"]], [["b"], ["a"], ["c"]]]
    # pairs of labelers: (1,2): ab same, ac same, bc differ → 2/3; (1,3): ab differ, ac, bc same
    # → 2/3; (2,3): ab differ, ac same, bc: 2 has c>b, 3 has b>c → differ → 1/3
    item2 = [[["x"], ["y"]], [["x", "y"]], [["x"], ["z"]]]  # tie excluded; mismatch skipped
    result = inter_annotator_ranking([item1, item2, [[["q"], ["r"]]]], seed=0, n_boot=100)
    assert result.pairwise_agreement.value == pytest.approx(5 / 9)
    assert result.n_items == 1  # item2 has only a tied pair; item3 a single labeler
    assert result.skipped_mismatched == 2
    assert result.labeler_pairs == 4
    assert result.pairwise_agreement.ci95 is None  # one item cannot be resampled meaningfully


def test_inter_annotator_ranking_nothing_comparable():
    result = inter_annotator_ranking([[[["a"], ["b"]]]], seed=0)
    assert result.n_items == 0 and result.pairwise_agreement.value is None


def random_ranking(rng, outputs: list[str]) -> list[list[str]]:
    """`outputs` in a random order, each tied with the one before it three times in ten."""
    order = rng.sample(outputs, len(outputs))
    groups: list[list[str]] = []
    for o in order:
        if groups and rng.random() < 0.3:
            groups[-1].append(o)
        else:
            groups.append([o])
    return groups


def test_inter_annotator_ranking_is_every_labeler_pair_compared_on_random_prompts():
    """The pooled counts equal `pair_counts` summed over every two labelers of each prompt
    (ties, mismatched output sets, single labelers), and so do the figures and intervals."""
    import random
    from itertools import combinations

    rng = random.Random(5)
    items = []
    for _ in range(300):
        outputs = [f"o{i}" for i in range(rng.randint(2, 5))]
        items.append([random_ranking(rng, outputs if rng.random() < 0.85 else outputs[:-1] + ["x"])
                      for _ in range(rng.randint(1, 6))])
    same, compared, labeler_pairs, skipped = [], [], 0, 0
    for rankings in items:
        total = PairCounts()
        for a, b in combinations(rankings, 2):
            try:
                total += pair_counts(a, b)
            except RankingMismatch:
                skipped += 1
                continue
            labeler_pairs += 1
        if total.same + total.different:
            same.append(total.same)
            compared.append(total.same + total.different)
    result = inter_annotator_ranking(items, seed=3, n_boot=500)
    assert (result.n_items, result.labeler_pairs, result.skipped_mismatched) == (
        len(same), labeler_pairs, skipped)
    assert skipped > 0 and labeler_pairs > 0
    s, c = np.array(same, dtype=float), np.array(compared, dtype=float)
    assert result.pairwise_agreement.value == s.sum() / c.sum()
    ci95, se = bootstrap_many({"share": lambda idx: s[idx].sum(axis=1) / c[idx].sum(axis=1)},
                              len(s), seed=3, n_boot=500)["share"]
    assert (result.pairwise_agreement.ci95, result.pairwise_agreement.se) == (ci95, se)


def test_kendall_tau_b_from_pair_counts_is_scipys_on_random_rankings():
    """tau-b is computed from the pair counts (no scipy in the report); scipy is the reference."""
    import random

    from scipy.stats import kendalltau

    rng = random.Random(7)
    compared = 0
    for _ in range(500):
        outputs = [f"o{i}" for i in range(rng.randint(2, 9))]
        a, b = random_ranking(rng, outputs), random_ranking(rng, outputs)
        ra = {o: n for n, g in enumerate(a) for o in g}
        rb = {o: n for n, g in enumerate(b) for o in g}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = kendalltau([ra[o] for o in outputs], [rb[o] for o in outputs]).statistic
        got = kendall_tau_b(a, b)
        if math.isnan(want):
            assert got is None
        else:
            assert got == pytest.approx(want, abs=1e-12)
            compared += 1
    assert compared > 300


def test_labelers_bootstrapped_together_get_their_own_intervals():
    """paired_estimates_many (one index matrix for labelers with as many shared items) gives
    each labeler what paired_estimates_codes gives it alone, for the same seed: the same
    figures, and the same intervals to rounding."""
    from store.agreement.metrics import paired_estimates_codes, paired_estimates_many

    rng = np.random.default_rng(1)
    for labels, ordinal in ((list(range(1, 8)), True), ([False, True], False), (["a", "b", "c"], False)):
        for n in (2, 7, 41):
            ca, cb = rng.integers(0, len(labels), size=(2, 6, n))
            ca[0], cb[0] = 0, 0  # kappa undefined
            many = paired_estimates_many(ca, cb, labels=labels, ordinal=ordinal, seed=3, n_boot=200)
            for i in range(6):
                alone = paired_estimates_codes(ca[i], cb[i], labels=labels, ordinal=ordinal,
                                               seed=3, n_boot=200)
                assert many[i].keys() == alone.keys()
                for name, est in alone.items():
                    # Kappa's resamples go through matrix products: equal to rounding.
                    got = many[i][name]
                    assert (got.value, got.ci95 is None, got.se is None) == \
                        (est.value, est.ci95 is None, est.se is None)
                    if est.ci95 is not None:
                        assert got.ci95 == pytest.approx(est.ci95, abs=1e-12)
                        assert got.se == pytest.approx(est.se, abs=1e-12)


def test_alpha_interval_from_count_rows_is_the_units_bootstrap():
    """alpha's interval draws how often each distinct count row is resampled (one multinomial
    draw a resample) instead of one index a unit: the same resampling distribution, so with
    many resamples the percentiles match those of resampling units, to Monte Carlo error."""
    from store.agreement.metrics import _alpha_interval, _numeric_domain, bootstrap

    rng = np.random.default_rng(5)
    truth = rng.integers(0, 3, size=400)
    answers = np.where(rng.random((400, 4)) < 0.7, truth[:, None], rng.integers(0, 3, (400, 4)))
    counts = np.stack([np.bincount(row, minlength=3) for row in answers])
    for level in ("nominal", "ordinal"):
        numeric = _numeric_domain([1, 2, 3], level)
        units_ci, units_se = bootstrap(alpha_replicates(counts, numeric, level), len(counts),
                                       seed=1, n_boot=4000)
        rows_ci, rows_se = _alpha_interval(counts, numeric, level, seed=2, n_boot=4000)
        assert rows_ci == pytest.approx(units_ci, abs=0.01)
        assert rows_se == pytest.approx(units_se, rel=0.1)
