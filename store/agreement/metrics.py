"""Agreement statistics of labels on a scale or in categories, as pure functions: plain sequences in, floats or ``None`` out.

``None`` always means "not defined for these data" (kappa when both raters keep to one category,
alpha without a unit coded twice, ...): callers report it with a reason, never as 0.

Ranking comparison is in ``store.agreement.ranking``.

Uncertainty is a percentile bootstrap over items (``bootstrap``): items, not single labels, are
resampled because the labels of one item are not independent (a ranking gives many pairs).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np

MIN_SHARED = 2
N_BOOT = 1000
# Resample in chunks of at most this many drawn indices so memory stays flat for big fields.
_BOOT_CHUNK = 4_000_000

class MetricError(ValueError):
    """Input a metric cannot use (value outside the scale, malformed ranking)."""


@dataclass(frozen=True)
class Estimate:
    """A figure with its seeded 95% bootstrap interval and bootstrap standard error."""

    value: float | None
    ci95: tuple[float, float] | None = None
    se: float | None = None


# ---------------------------------------------------------------- values on a scale


def _key(value: Hashable) -> Hashable:
    # JSON true/1 must stay distinct: Python treats True == 1 as the same dict key.
    return (bool, value) if isinstance(value, bool) else value


def encode(values: Iterable[Hashable], labels: Sequence[Hashable]) -> np.ndarray:
    """Positions of ``values`` in ``labels`` (the field's full scale); unknown values raise."""
    index = {_key(label): i for i, label in enumerate(labels)}
    out = []
    for value in values:
        try:
            out.append(index[_key(value)])
        except (KeyError, TypeError):
            raise MetricError(f"value {value!r} is not on the scale {list(labels)!r}") from None
    return np.asarray(out, dtype=np.int64)


def kappa_weights(labels: Sequence[Hashable], weighting: str | None) -> np.ndarray:
    """Disagreement weights over the full scale: 0/1 unweighted, or squared distance / span²."""
    k = len(labels)
    if weighting is None:
        return 1.0 - np.eye(k)
    if weighting != "quadratic":
        raise ValueError(f"unknown weighting {weighting!r}")
    v = np.asarray(labels, dtype=float)
    span = v.max() - v.min()
    return np.asarray((v[:, None] - v[None, :]) ** 2 / span**2)


def _kappa_from_tables(tables: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Kappa of each (..., K, K) contingency table; NaN where chance disagreement is 0."""
    p = tables / tables.sum(axis=(-2, -1), keepdims=True)
    expected = p.sum(axis=-1)[..., :, None] * p.sum(axis=-2)[..., None, :]
    observed_d = (weights * p).sum(axis=(-2, -1))
    expected_d = (weights * expected).sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected_d > 0, 1.0 - observed_d / expected_d, np.nan)


def _kappa_of_many(tables: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`_kappa_from_tables` of a stack of (m, K, K) tables through matrix products: numpy's
    reductions over a K x K table are slow a table, and a bootstrap makes millions. The same
    kappa to rounding (~1e-15; the point estimates keep `_kappa_from_tables`)."""
    m, k, _ = tables.shape
    ones = np.ones(k)
    total = tables.reshape(m, k * k) @ np.ones(k * k)
    rows, cols = tables @ ones, ones @ tables  # (m, K) margins
    observed_d = tables.reshape(m, k * k) @ weights.ravel() / total
    expected_d = ((rows @ weights) * cols) @ ones / (total * total)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected_d > 0, 1.0 - observed_d / expected_d, np.nan)


def _one_hot(codes: np.ndarray, k: int) -> np.ndarray:
    """(n, rows * k): item j's column block of row r is the one-hot of `codes[r, j]`."""
    r, n = codes.shape
    out = np.zeros((n, r, k))
    out[np.arange(n)[:, None], np.arange(r)[None, :], codes.T] = 1.0
    return out.reshape(n, r * k)


def _kappa_resampled(times: np.ndarray, ca: np.ndarray, cb: np.ndarray,
                     weights: np.ndarray) -> np.ndarray:
    """Kappa of each row's (labeler against gold, codes `ca`, `cb` (rows, n)) resampled tables,
    `times` (n_boot, n) being how often each item is drawn: (rows, n_boot), as
    `_kappa_of_many` computes it from the tables."""
    r, n = ca.shape
    k = len(weights)
    n_boot = times.shape[0]
    m = r * n_boot
    margin_a = (times @ _one_hot(ca, k)).reshape(n_boot, r, k).transpose(1, 0, 2).reshape(m, k)
    margin_b = (times @ _one_hot(cb, k)).reshape(n_boot, r, k).transpose(1, 0, 2).reshape(m, k)
    total = margin_a @ np.ones(k)
    observed_d = (times @ weights[ca, cb].T).T.reshape(m) / total
    expected_d = ((margin_a @ weights) * margin_b) @ np.ones(k) / (total * total)
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(expected_d > 0, 1.0 - observed_d / expected_d, np.nan)
    return kappa.reshape(r, n_boot)


def _tables(cells: np.ndarray, k: int, idx: np.ndarray) -> np.ndarray:
    """Contingency tables, one per row of the index matrix ``idx`` (reps, n); ``cells`` holds
    each item's cell number ``a * k + b``."""
    reps = idx.shape[0]
    flat = cells[idx] + (np.arange(reps) * k * k)[:, None]
    return np.bincount(flat.ravel(), minlength=reps * k * k).reshape(reps, k, k).astype(float)


def none_if_nan(x: float | np.ndarray) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def agreement_share(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Share of items where the two values are equal."""
    if len(a) != len(b):
        raise ValueError("paired sequences differ in length")
    if not a:
        return None
    return sum(_key(x) == _key(y) for x, y in zip(a, b, strict=True)) / len(a)


def cohen_kappa(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    *,
    labels: Sequence[Hashable],
    weighting: str | None = None,
) -> float | None:
    """Cohen's kappa, unweighted or ``weighting="quadratic"`` with weights over ``labels``.

    ``labels`` is the field's whole scale (1..7 for a rating), so weights follow scale distance
    and not the positions of whichever values happen to occur.
    """
    if len(a) != len(b):
        raise ValueError("paired sequences differ in length")
    if not a:
        return None
    ca, cb = encode(a, labels), encode(b, labels)
    k = len(labels)
    table = np.bincount(ca * k + cb, minlength=k * k).reshape(k, k).astype(float)
    return none_if_nan(_kappa_from_tables(table, kappa_weights(labels, weighting)))


def mean_abs_diff(a: Sequence[float], b: Sequence[float]) -> float | None:
    if len(a) == 0:
        return None
    return float(np.mean(np.abs(np.asarray(a, float) - np.asarray(b, float))))


# ---------------------------------------------------------------- bootstrap


def bootstrap(
    statistic: Callable[[np.ndarray], np.ndarray],
    n_items: int,
    *,
    seed: int,
    n_boot: int = N_BOOT,
) -> tuple[tuple[float, float] | None, float | None]:
    """Percentile 95% interval and standard error of ``statistic`` over resampled items.

    ``statistic`` maps an index matrix (reps, n_items) to one value per row (NaN where the
    figure is undefined for that resample). Same seed, same data → same interval.
    """
    return bootstrap_many({"s": statistic}, n_items, seed=seed, n_boot=n_boot)["s"]


def bootstrap_many(
    statistics: dict[str, Callable[[np.ndarray], np.ndarray]],
    n_items: int,
    *,
    seed: int,
    n_boot: int = N_BOOT,
) -> dict[str, tuple[tuple[float, float] | None, float | None]]:
    """``bootstrap`` of several statistics on the same resamples (drawn once)."""
    if n_items < MIN_SHARED or n_boot <= 0:
        return {name: (None, None) for name in statistics}
    rng = np.random.default_rng(seed)
    chunk = max(1, _BOOT_CHUNK // n_items)
    reps: dict[str, list[np.ndarray]] = {name: [] for name in statistics}
    for start in range(0, n_boot, chunk):
        idx = rng.integers(0, n_items, size=(min(chunk, n_boot - start), n_items))
        for name, statistic in statistics.items():
            reps[name].append(np.asarray(statistic(idx), dtype=float))
    return {name: _interval(np.concatenate(r), n_boot) for name, r in reps.items()}


def _interval(values: np.ndarray, n_boot: int) -> tuple[tuple[float, float] | None, float | None]:
    values = values[np.isfinite(values)]
    # An interval from a minority of defined resamples would be describing other data.
    if len(values) < n_boot / 2:
        return None, None
    lo, hi = np.percentile(values, [2.5, 97.5])
    return (float(lo), float(hi)), float(values.std(ddof=1))


def paired_estimates(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    *,
    labels: Sequence[Hashable],
    ordinal: bool,
    seed: int,
    n_boot: int = N_BOOT,
) -> dict[str, Estimate]:
    """``agreement``, ``cohen_kappa`` (quadratic when ``ordinal``) and, for ordinal scales,
    ``mean_abs_diff`` of a labeler (``a``) against gold (``b``) over shared items."""
    return paired_estimates_codes(
        encode(a, labels),
        encode(b, labels),
        labels=labels,
        ordinal=ordinal,
        seed=seed,
        n_boot=n_boot,
    )


def paired_estimates_codes(
    ca: np.ndarray,
    cb: np.ndarray,
    *,
    labels: Sequence[Hashable],
    ordinal: bool,
    seed: int,
    n_boot: int = N_BOOT,
) -> dict[str, Estimate]:
    """``paired_estimates`` on values already encoded as positions in ``labels``."""
    k = len(labels)
    weights = kappa_weights(labels, "quadratic" if ordinal else None)
    n = len(ca)
    all_items = np.arange(n)[None, :]
    equal = (ca == cb).astype(float)
    cells = ca * k + cb

    def share(idx: np.ndarray) -> np.ndarray:
        return np.asarray(equal[idx].mean(axis=1))

    def kappa(idx: np.ndarray) -> np.ndarray:
        return _kappa_from_tables(_tables(cells, k, idx), weights)

    figures = {"agreement": share, "cohen_kappa": kappa}
    if ordinal:
        scale = np.asarray(labels, dtype=float)
        diff = np.abs(scale[ca] - scale[cb])
        figures["mean_abs_diff"] = lambda idx: diff[idx].mean(axis=1)
    # The point estimate is the statistic on the items as they are (no resampling).
    values = {name: none_if_nan(f(all_items)[0]) if n else None for name, f in figures.items()}
    return with_intervals(
        {name: (values[name], f) for name, f in figures.items()}, n, seed=seed, n_boot=n_boot
    )


def _draws(n_items: int, seed: int, n_boot: int) -> np.ndarray:
    """The index matrix `bootstrap_many` draws for `n_items` (the same chunks, so the same
    numbers for the same seed)."""
    rng = np.random.default_rng(seed)
    chunk = max(1, _BOOT_CHUNK // n_items)
    return np.concatenate([rng.integers(0, n_items, size=(min(chunk, n_boot - start), n_items))
                           for start in range(0, n_boot, chunk)])


def resample_counts(idx: np.ndarray, n_items: int) -> np.ndarray:
    """How often each item is drawn in each resample of the index matrix `idx` (reps, ...):
    a (reps, n_items) float matrix, so a resample's sum of per-item values is one product."""
    reps = idx.shape[0]
    flat = (idx.reshape(reps, -1) + (np.arange(reps) * n_items)[:, None]).ravel()
    return np.bincount(flat, minlength=reps * n_items).reshape(reps, n_items).astype(float)


def _intervals(values: np.ndarray, n_boot: int) -> list[tuple[tuple[float, float] | None, float | None]]:
    """`_interval` of each row of `values` (rows, n_boot); rows without a NaN at once."""
    finite = np.isfinite(values).all(axis=1)
    out: list[tuple[tuple[float, float] | None, float | None]] = [(None, None)] * len(values)
    if finite.any():
        rows = values[finite]
        lo, hi = np.percentile(rows, [2.5, 97.5], axis=1)
        se = rows.std(axis=1, ddof=1)
        for r, i in enumerate(np.flatnonzero(finite)):
            out[i] = ((float(lo[r]), float(hi[r])), float(se[r]))
    for i in np.flatnonzero(~finite):
        out[i] = _interval(values[i], n_boot)
    return out


def paired_estimates_many(
    ca: np.ndarray,
    cb: np.ndarray,
    *,
    labels: Sequence[Hashable],
    ordinal: bool,
    seed: int,
    n_boot: int = N_BOOT,
) -> list[dict[str, Estimate]]:
    """`paired_estimates_codes` of many labelers with as many shared items each (rows of the
    (labelers, n) arrays `ca`, `cb`) at once: the same seed and `n` draw the same index matrix,
    so one matrix serves the whole group and the figures and intervals are those of one call per
    labeler (to floating-point rounding)."""
    n_rows, n = ca.shape
    k = len(labels)
    weights = kappa_weights(labels, "quadratic" if ordinal else None)
    equal = (ca == cb).astype(float)
    cells = ca * k + cb
    point = {"agreement": equal.mean(axis=1)}
    table = np.zeros((n_rows, k * k))
    np.add.at(table, (np.arange(n_rows)[:, None], cells), 1)
    point["cohen_kappa"] = _kappa_from_tables(table.reshape(n_rows, k, k), weights)
    diff = None
    if ordinal:
        scale = np.asarray(labels, dtype=float)
        diff = np.abs(scale[ca] - scale[cb])
        point["mean_abs_diff"] = diff.mean(axis=1)
    values = {name: [none_if_nan(v) for v in figure] for name, figure in point.items()}
    intervals: dict[str, list[tuple[tuple[float, float] | None, float | None]]] = {
        name: [(None, None)] * n_rows for name in point}
    if n >= MIN_SHARED and n_boot > 0 and n_rows:
        # A resample's figures are sums over its items, each as often as it was drawn: one
        # count matrix (n_boot, n) for the group, times each labeler's per-item columns (one
        # matrix product), gives every resample's sums exactly (integer-valued floats) as
        # gathering the drawn items did, without a (rows, n_boot, n) gather.
        times = resample_counts(_draws(n, seed, n_boot), n)
        columns = {"agreement": equal}
        if diff is not None:
            columns["mean_abs_diff"] = diff
        # A resample's kappa needs its table's margins and weighted sum only: each a product
        # of the counts with the labelers' per-item one-hot values or weights (the margins
        # are exact integers, as the tables' were; the weighted sum adds the same terms by item
        # instead of by cell, ~1e-16 apart with quadratic weights, equal with 0/1 weights).
        step = max(1, _BOOT_CHUNK // (n * k))  # labelers a batch: one-hot values near the chunk
        for start in range(0, n_rows, step):
            rows = slice(start, start + step)
            reps = {name: (times @ col[rows].T).T / n for name, col in columns.items()}
            reps["cohen_kappa"] = _kappa_resampled(times, ca[rows], cb[rows], weights)
            for name, rep in reps.items():
                intervals[name][rows] = _intervals(np.asarray(rep, dtype=float), n_boot)
    return [{name: Estimate(values[name][i], *intervals[name][i]) if values[name][i] is not None
             else Estimate(None) for name in point} for i in range(n_rows)]


def clustered_paired_estimates(
    ca: np.ndarray,
    cb: np.ndarray,
    clusters: np.ndarray,
    *,
    labels: Sequence[Hashable],
    seed: int,
    n_boot: int = N_BOOT,
) -> dict[str, Estimate]:
    """`paired_estimates_codes` of an ordinal field (quadratic kappa) whose rows come in
    clusters (`clusters[i]`, 0..m-1: the prompt a compared output pair belongs to): the same
    figures, with the bootstrap resampling clusters, since the rows of one cluster are not
    independent. A resample's contingency table is the sum of its clusters' tables."""
    n, k = len(ca), len(labels)
    if not n:
        return {name: Estimate(None) for name in ("agreement", "cohen_kappa", "mean_abs_diff")}
    m = int(clusters.max()) + 1
    weights = kappa_weights(labels, "quadratic")
    scale = np.asarray(labels, dtype=float)
    tables = np.zeros((m, k * k))
    np.add.at(tables, (clusters, ca * k + cb), 1)
    sums = {"agreement": np.bincount(clusters, weights=(ca == cb).astype(float), minlength=m),
            "mean_abs_diff": np.bincount(clusters, weights=np.abs(scale[ca] - scale[cb]),
                                         minlength=m)}
    rows = np.bincount(clusters, minlength=m).astype(float)
    values = {"agreement": float(sums["agreement"].sum() / n),
              "cohen_kappa": none_if_nan(_kappa_from_tables(tables.sum(axis=0).reshape(k, k), weights)),
              "mean_abs_diff": float(sums["mean_abs_diff"].sum() / n)}

    def times(idx: np.ndarray) -> np.ndarray:
        reps = idx.shape[0]
        flat = (idx + (np.arange(reps) * m)[:, None]).ravel()
        return np.bincount(flat, minlength=reps * m).reshape(reps, m).astype(float)

    def share(name: str) -> Callable[[np.ndarray], np.ndarray]:
        def mean(idx: np.ndarray) -> np.ndarray:
            t = times(idx)
            return np.asarray(t @ sums[name] / (t @ rows))
        return mean

    def kappa(idx: np.ndarray) -> np.ndarray:
        return _kappa_of_many((times(idx) @ tables).reshape(-1, k, k), weights)

    figures = {"agreement": share("agreement"), "cohen_kappa": kappa,
               "mean_abs_diff": share("mean_abs_diff")}
    return with_intervals({name: (values[name], f) for name, f in figures.items()}, m,
                          seed=seed, n_boot=n_boot)


def with_intervals(
    figures: dict[str, tuple[float | None, Callable[[np.ndarray], np.ndarray]]],
    n_items: int,
    *,
    seed: int,
    n_boot: int,
) -> dict[str, Estimate]:
    defined = {name: f for name, (value, f) in figures.items() if value is not None}
    intervals = bootstrap_many(defined, n_items, seed=seed, n_boot=n_boot)
    return {
        name: Estimate(value, *intervals[name]) if value is not None else Estimate(None)
        for name, (value, _) in figures.items()
    }


# ---------------------------------------------------------------- Krippendorff's alpha


def value_counts(units: Sequence[Sequence[Hashable]], domain: Sequence[Hashable]) -> np.ndarray:
    """(units, values) matrix: how many coders gave each value of ``domain`` to each unit."""
    counts = np.zeros((len(units), len(domain)), dtype=np.int64)
    for row, values in enumerate(units):
        np.add.at(counts[row], encode(values, domain), 1)
    return counts


def _alpha_from_counts(counts: np.ndarray, domain: np.ndarray, level: str) -> float:
    try:
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return float(
                krippendorff.alpha(
                    value_counts=counts, value_domain=domain,
                    level_of_measurement=level,  # type: ignore[arg-type]  # a Level, as a str
                )
            )
    except ValueError:
        # No unit coded twice, or a one-value domain: alpha is not defined.
        return float("nan")


def _numeric_domain(domain: Sequence[Hashable], level: str) -> np.ndarray:
    # Nominal distances only test equality, so category positions stand in for the values;
    # ordinal/interval need the scale itself, in order, including values nobody used.
    if level == "nominal":
        return np.arange(len(domain))
    return np.asarray(domain, dtype=float)


def krippendorff_alpha(
    units: Sequence[Sequence[Hashable]],
    *,
    domain: Sequence[Hashable],
    level: str,
) -> float | None:
    """Krippendorff's alpha of ``units`` (each the values its coders gave, any number, any
    missing) at ``level`` (nominal/ordinal/interval) over the full ``domain``."""
    counts = value_counts(units, domain)
    return none_if_nan(_alpha_from_counts(counts, _numeric_domain(domain, level), level))


def alpha_estimate(
    units: Sequence[Sequence[Hashable]],
    *,
    domain: Sequence[Hashable],
    level: str,
    seed: int,
    n_boot: int = N_BOOT,
) -> tuple[int, Estimate]:
    """(pairable units, alpha with a bootstrap over pairable units)."""
    return alpha_estimate_counts(
        value_counts(units, domain), domain=domain, level=level, seed=seed, n_boot=n_boot
    )


def alpha_estimate_counts(
    counts: np.ndarray,
    *,
    domain: Sequence[Hashable],
    level: str,
    seed: int,
    n_boot: int = N_BOOT,
    clusters: np.ndarray | None = None,
) -> tuple[int, Estimate]:
    """``alpha_estimate`` from a (units, values) count matrix (see ``value_counts``).
    ``clusters`` (one number per unit) makes the bootstrap resample clusters of units (the
    prompt each output pair belongs to) instead of units."""
    pairable = counts.sum(axis=1) >= 2
    counts = counts[pairable]
    numeric = _numeric_domain(domain, level)
    enough = len(counts) >= MIN_SHARED
    value = none_if_nan(_alpha_from_counts(counts, numeric, level)) if enough else None
    if value is None:
        return len(counts), Estimate(None)
    if clusters is None:
        ci, se = _alpha_interval(counts, numeric, level, seed=seed, n_boot=n_boot)
        return len(counts), Estimate(value, ci, se)
    groups = np.unique(clusters[pairable], return_inverse=True)[1]
    statistic = alpha_replicates(counts, numeric, level, clusters=groups)
    ci, se = bootstrap(statistic, int(groups.max()) + 1, seed=seed, n_boot=n_boot)
    return len(counts), Estimate(value, ci, se)


def _alpha_interval(counts: np.ndarray, domain: np.ndarray, level: str, *, seed: int,
                    n_boot: int) -> tuple[tuple[float, float] | None, float | None]:
    """The percentile interval of alpha over resampled units, drawn as how often each distinct
    count row is drawn (one multinomial draw a resample): units with the same value counts
    weigh the same in alpha, so this is the distribution of resampling the units themselves,
    at a few draws a resample instead of one per unit (10,000,000 random numbers a field at a
    million labels, most of the report's bootstrap time)."""
    if len(counts) < MIN_SHARED or n_boot <= 0:
        return None, None
    patterns, inverse = np.unique(counts, axis=0, return_inverse=True)
    shares = np.bincount(inverse.ravel(), minlength=len(patterns)) / len(counts)
    times = np.random.default_rng(seed).multinomial(len(counts), shares, size=n_boot)
    return _interval(_alpha_of_times(times.astype(float), _coincidences(patterns), domain, level),
                     n_boot)


def alpha_replicates(
    counts: np.ndarray, domain: np.ndarray, level: str, clusters: np.ndarray | None = None
) -> Callable[[np.ndarray], np.ndarray]:
    """Alpha of many resamples of pairable units at once, for ``bootstrap``.

    Calling ``krippendorff.alpha`` once per resample took 40 of 66 seconds in
    bench/bench_agreement.py, so resamples reuse each unit's coincidences: a resample's
    coincidence matrix is the sum of its units' (Krippendorff 2011, section C), then the same
    distances as the package. ``test_alpha_replicates_match_the_package`` holds them equal.
    """
    if clusters is None:
        # Units with the same value counts have the same coincidences: a resample's sum over
        # its units is a sum over the few distinct count rows, each as often as its units
        # were drawn.
        patterns, inverse = np.unique(counts, axis=0, return_inverse=True)
        per_row, row_of = _coincidences(patterns), inverse.ravel()
    else:  # a cluster's coincidences are the sum of its units'
        per_row = np.zeros((int(clusters.max()) + 1, counts.shape[1] ** 2))
        np.add.at(per_row, clusters, _coincidences(counts))
        row_of = np.arange(len(per_row))

    def statistic(idx: np.ndarray) -> np.ndarray:
        return _alpha_of_times(resample_counts(row_of[idx], len(per_row)), per_row, domain, level)

    return statistic


def _coincidences(counts: np.ndarray) -> np.ndarray:
    """Each unit's (row's) coincidence matrix, flattened: (units, values * values)."""
    v = counts.shape[1]
    c = counts.astype(float)
    per_unit: np.ndarray = (c[:, :, None] * c[:, None, :] - c[:, :, None] * np.eye(v)) / (
        c.sum(axis=1) - 1)[:, None, None]
    return per_unit.reshape(len(c), v * v)


def _alpha_of_times(times: np.ndarray, per_row: np.ndarray, domain: np.ndarray,
                    level: str) -> np.ndarray:
    """Alpha of each resample, `times` (reps, rows) saying how often each row of coincidences
    `per_row` is in it."""
    reps, v = times.shape[0], int(round(per_row.shape[1] ** 0.5))
    observed = (times @ per_row).reshape(reps, v, v)
    n_v = observed.sum(axis=2)
    n = n_v.sum(axis=1)[:, None, None]
    expected = (n_v[:, :, None] * n_v[:, None, :] - n_v[:, :, None] * np.eye(v)) / (n - 1)
    if level == "nominal":
        d: np.ndarray = 1.0 - np.eye(v)
    elif level == "interval":
        d = np.asarray(np.subtract.outer(domain, domain) ** 2)
    elif level == "ordinal":
        lo = np.minimum.outer(np.arange(v), np.arange(v))
        hi = np.maximum.outer(np.arange(v), np.arange(v))
        cum = np.cumsum(n_v, axis=1)
        between = cum[:, hi] - cum[:, lo] + n_v[:, lo]
        d = np.asarray((between - (n_v[:, :, None] + n_v[:, None, :]) / 2) ** 2)
    else:
        raise ValueError(f"unknown level {level!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(1.0 - (observed * d).sum(axis=(1, 2)) / (expected * d).sum(axis=(1, 2)))
