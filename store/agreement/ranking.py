"""Two rankings of one prompt compared: pair counts, Kendall's tau-b, pairwise agreement with
gold and between labelers, each with its seeded bootstrap interval (``store.agreement.metrics``).

Rankings are ``store.ranking`` tie groups of output ids, best first: ``[["o2"], ["o1", "o4"], ["o3"]]``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from store.agreement.metrics import N_BOOT, Estimate, MetricError, with_intervals
from store.ranking import AnyRanking


class RankingMismatch(MetricError):
    """Two rankings of one prompt that do not cover the same outputs."""


def ranks(ranking: AnyRanking) -> dict[str, int]:
    """Output id → tie-group position (0 = best)."""
    out: dict[str, int] = {}
    if not isinstance(ranking, (list, tuple)) or not ranking:
        raise MetricError(f"a ranking is a non-empty list of tie groups, not {ranking!r}")
    for position, group in enumerate(ranking):
        if not isinstance(group, (list, tuple)) or not group:
            raise MetricError(f"tie group {group!r} is not a non-empty list of output ids")
        for output in group:
            if not isinstance(output, str):
                raise MetricError(f"output id {output!r} is not a string")
            if output in out:
                raise MetricError(f"output {output!r} appears twice in one ranking")
            out[output] = position
    return out


@dataclass(frozen=True)
class PairCounts:
    """Output pairs of one prompt: ordered alike, ordered oppositely, tied by either ranking."""

    same: int = 0
    different: int = 0
    ties_excluded: int = 0

    def __add__(self, other: PairCounts) -> PairCounts:
        return PairCounts(
            self.same + other.same,
            self.different + other.different,
            self.ties_excluded + other.ties_excluded,
        )


def _aligned_ranks(a: AnyRanking, b: AnyRanking) -> tuple[list[int], list[int]]:
    ra, rb = ranks(a), ranks(b)
    if ra.keys() != rb.keys():
        raise RankingMismatch(f"rankings cover different outputs: {sorted(ra)} vs {sorted(rb)}")
    outputs = sorted(ra)
    return [ra[o] for o in outputs], [rb[o] for o in outputs]


def _pairs(xa: list[int], xb: list[int]) -> tuple[PairCounts, int, int]:
    """Every output pair compared once: the pair counts, and the pairs tied in `xa` and in `xb`
    (what tau-b's denominator needs)."""
    same = different = ties = tied_a = tied_b = 0
    for i, j in combinations(range(len(xa)), 2):
        da, db = xa[i] - xa[j], xb[i] - xb[j]
        tied_a += da == 0
        tied_b += db == 0
        if da == 0 or db == 0:
            ties += 1
        elif (da > 0) == (db > 0):
            same += 1
        else:
            different += 1
    return PairCounts(same, different, ties), tied_a, tied_b


def _tau_b(counts: PairCounts, tied_a: int, tied_b: int, n: int) -> float | None:
    """Kendall's tau-b from pair counts: (concordant - discordant) / sqrt((n0 - ties in a) *
    (n0 - ties in b)), computed as scipy.stats.kendalltau does (two square roots, clipped to
    [-1, 1]); None where a ranking ties everything. Checked against scipy in
    tests/store/test_agreement_metrics.py."""
    total = n * (n - 1) // 2
    if n < 2 or tied_a == total or tied_b == total:
        return None
    tau = (counts.same - counts.different) / math.sqrt(total - tied_a) / math.sqrt(total - tied_b)
    return min(1.0, max(-1.0, tau))


def pair_counts(a: AnyRanking, b: AnyRanking) -> PairCounts:
    """Compare every output pair: counted when both order it strictly, else a tie excluded."""
    return _pairs(*_aligned_ranks(a, b))[0]


def kendall_tau_b(a: AnyRanking, b: AnyRanking) -> float | None:
    """Kendall's tau-b of two rankings of the same outputs (as ``scipy.stats.kendalltau``)."""
    xa, xb = _aligned_ranks(a, b)
    counts, tied_a, tied_b = _pairs(xa, xb)
    return _tau_b(counts, tied_a, tied_b, len(xa))


def _pooled_share(same: np.ndarray, compared: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    def statistic(idx: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(same[idx].sum(axis=1) / compared[idx].sum(axis=1))

    return statistic


def ranking_estimates(
    pairs: Sequence[tuple[AnyRanking, AnyRanking]], *, seed: int, n_boot: int = N_BOOT
) -> dict[str, Estimate | int]:
    """A labeler's rankings against gold, one (labeler, gold) pair a prompt.

    ``pairwise_agreement`` pools output pairs over prompts; ``kendall_tau_b`` is the mean over
    prompts where it is defined. Mismatched output sets raise ``RankingMismatch``: the caller
    decides to skip them with a reason.
    """
    counts, tau_list = [], []
    for a, b in pairs:  # one pass over each prompt's output pairs for both figures
        xa, xb = _aligned_ranks(a, b)
        one, tied_a, tied_b = _pairs(xa, xb)
        counts.append(one)
        tau_list.append(_nan_if_none(_tau_b(one, tied_a, tied_b, len(xa))))
    taus = np.array(tau_list, dtype=float)
    same = np.array([c.same for c in counts], dtype=float)
    compared = np.array([c.same + c.different for c in counts], dtype=float)
    total = sum(counts, PairCounts())
    share = total.same / (total.same + total.different) if total.same + total.different else None
    defined = np.isfinite(taus)

    def mean_tau(idx: np.ndarray) -> np.ndarray:
        t = taus[idx]
        ok = np.isfinite(t)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.where(ok, t, 0).sum(axis=1) / ok.sum(axis=1))

    out: dict[str, Estimate | int] = dict(
        with_intervals(
            {
                "pairwise_agreement": (share, _pooled_share(same, compared)),
                "kendall_tau_b": (float(taus[defined].mean()) if defined.any() else None, mean_tau),
            },
            len(pairs),
            seed=seed,
            n_boot=n_boot,
        )
    )
    out["ties_excluded"] = total.ties_excluded
    return out


def _nan_if_none(x: float | None) -> float:
    return float("nan") if x is None else x


@dataclass(frozen=True)
class InterAnnotatorRanking:
    n_items: int
    pairwise_agreement: Estimate
    labeler_pairs: int
    skipped_mismatched: int


def inter_annotator_ranking(
    items: Sequence[Sequence[AnyRanking]], *, seed: int, n_boot: int = N_BOOT
) -> InterAnnotatorRanking:
    """For every two labelers who ranked the same prompt, the share of output pairs both order
    strictly that they order the same, pooled over labeler pairs and prompts (our reading of
    InstructGPT's inter-annotator agreement). Labeler pairs whose rankings cover different
    outputs are skipped and counted."""
    same, compared = [], []
    labeler_pairs = skipped = 0
    for rankings in items:
        item_same, item_different, item_pairs, item_skipped = _item_pairs(rankings)
        labeler_pairs += item_pairs
        skipped += item_skipped
        # A prompt counts once some pair of its outputs was ordered strictly by two labelers.
        if item_same + item_different:
            same.append(item_same)
            compared.append(item_same + item_different)
    s, c = np.array(same, dtype=float), np.array(compared, dtype=float)
    share = float(s.sum() / c.sum()) if c.sum() else None
    estimate = with_intervals(
        {"share": (share, _pooled_share(s, c))}, len(s), seed=seed, n_boot=n_boot
    )["share"]
    return InterAnnotatorRanking(len(s), estimate, labeler_pairs, skipped)


def _item_pairs(rankings: Sequence[AnyRanking]) -> tuple[int, int, int, int]:
    """One prompt's pair counts summed over every two of its rankings that cover the same
    outputs: (same, different, labeler pairs compared, labeler pairs skipped).

    Each ranking's positions are found once, and every output pair is counted over the
    rankings at once: of `up` rankings putting its first output ahead and `down` the second,
    C(up, 2) + C(down, 2) labeler pairs order it alike and up * down oppositely; the same
    integers as `pair_counts` summed over the labeler pairs, without a pass per pair."""
    if len(rankings) < 2:
        return 0, 0, 0, 0
    groups: dict[frozenset[str], list[dict[str, int]]] = {}
    for ranking in rankings:
        positions = ranks(ranking)
        groups.setdefault(frozenset(positions), []).append(positions)
    same = different = compared = 0
    sizes = [len(group) for group in groups.values()]
    for outputs, group in groups.items():
        compared += len(group) * (len(group) - 1) // 2
        if len(group) < 2:
            continue
        columns = [[positions[o] for positions in group] for o in sorted(outputs)]
        for first, second in combinations(columns, 2):
            up = down = 0
            for x, y in zip(first, second, strict=True):
                if x < y:
                    up += 1
                elif x > y:
                    down += 1
            same += up * (up - 1) // 2 + down * (down - 1) // 2
            different += up * down
    everyone = sum(sizes)
    skipped = (everyone * (everyone - 1) // 2) - compared
    return same, different, compared, skipped
