"""95% intervals for the shares of the quality report, honest about what is independent.

A gold check is one item: its ranking gives up to 36 output pairs and its outputs several
flags and ratings, and a labeler who misreads the item tends to miss them together. Counting
those answers as independent trials (a plain Wilson interval over pairs) makes the interval
too narrow. `clustered_wilson` takes the answers grouped by check and uses Kish's effective
sample size (Kish 1965, §8.2): n_eff = p(1-p) / Var(p), with Var(p) the cluster-robust
(ratio-estimator) variance over checks (Cochran 1977, §6.11; the same number as statsmodels'
cluster-robust standard error of a mean), then the Wilson interval at n_eff, as Korn and Graubard
(1998) do for survey proportions. The design effect is never taken below 1 (clustering never
narrows the interval), and where the variance cannot be estimated (one check, or every answer
right or every one wrong) each check counts as one trial: the cautious bound.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Z95 = 1.959963984540054  # the standard normal's 97.5% quantile


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a binomial share (Wilson 1927; Newcombe 1998, method 3)."""
    if n <= 0:
        return None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def effective_n(clusters: Sequence[tuple[int, int]]) -> float:
    """Kish's effective number of independent trials in (successes, trials) per check."""
    clusters = [(s, n) for s, n in clusters if n > 0]
    g, n = len(clusters), sum(t for _s, t in clusters)
    if g == n:
        return float(n)  # one trial a check: nothing is clustered
    p = sum(s for s, _t in clusters) / n
    if g < 2 or p in (0.0, 1.0):
        return float(g)
    variance = g / (g - 1) * sum((s - p * t) ** 2 for s, t in clusters) / (n * n)
    if variance <= 0:
        return float(n)
    return min(float(n), p * (1 - p) / variance)


def clustered_wilson(clusters: Sequence[tuple[int, int]], z: float = Z95
                     ) -> tuple[float, float] | None:
    """Wilson interval of the pooled share sum(s)/sum(n), at the effective sample size."""
    n = sum(t for _s, t in clusters)
    if n <= 0:
        return None
    p = sum(s for s, _t in clusters) / n
    n_eff = effective_n(clusters)
    return wilson(p * n_eff, n_eff, z)
