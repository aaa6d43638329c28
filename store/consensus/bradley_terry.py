"""Bradley–Terry scores of each item's outputs from every labeler's ranking of it.

Each ranking gives a win for every untied pair and half a win each way for a tie. Scores are
the maximum a-posteriori estimate under choix's Gaussian prior (`opt_pairwise`'s objective
`alpha * sum(theta**2) + sum(log(1 + exp(theta_loser - theta_winner)))`): without it, a pair
every labeler orders the same way would have an infinite score gap. All items are solved at once
by Newton steps on a stack of K x K systems (K <= 9 outputs), so a million labels need no Python
loop per item; the test checks the scores against choix itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

ALPHA = 0.1  # prior strength: the margin of a pair two labelers agree on stays below 1
TIE = 1e-6  # scores closer than this are tied in the consensus ranking


def wins_matrix(rankings: Sequence[Sequence[Sequence[str]]], outputs: Sequence[str]) -> np.ndarray:
    """(K, K): wins[a, b] = how often output a was ranked above b (ties count 1/2 each way)."""
    index = {o: i for i, o in enumerate(outputs)}
    wins = np.zeros((len(outputs), len(outputs)))
    for ranking in rankings:
        place = {index[o]: rank for rank, group in enumerate(ranking) for o in group}
        for a, ra in place.items():
            for b, rb in place.items():
                if a != b:
                    wins[a, b] += 1.0 if ra < rb else 0.5 if ra == rb else 0.0
    return wins


def scores(wins: np.ndarray, *, alpha: float = ALPHA, max_iter: int = 50, tol: float = 1e-10) -> np.ndarray:
    """Scores for a stack of items: `wins` is (items, K, K), padded with zero rows and columns for
    items with fewer outputs (their scores stay 0). Returns (items, K)."""
    wins = np.asarray(wins, dtype=float)
    n, k, _ = wins.shape
    both = wins + wins.transpose(0, 2, 1)
    theta = np.zeros((n, k))
    eye = np.eye(k)
    for _ in range(max_iter):
        p = 1.0 / (1.0 + np.exp(theta[:, None, :] - theta[:, :, None]))  # P(a beats b)
        grad = 2 * alpha * theta - (wins * (1 - p)).sum(axis=2) + (wins.transpose(0, 2, 1) * p).sum(axis=2)
        c = both * p * (1 - p)
        hess = -c + eye * (c.sum(axis=2)[:, :, None] + 2 * alpha)
        step = np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
        theta -= step
        if np.abs(step).max(initial=0.0) < tol:
            break
    return theta


def win_probability(theta_a: float, theta_b: float) -> float:
    return float(1.0 / (1.0 + np.exp(theta_b - theta_a)))


@dataclass(frozen=True)
class ConsensusRanking:
    ranking: list[list[str]]  # tie groups, best first
    scores: dict[str, float]
    n_labelers: int

    def pairs(self) -> Iterator[tuple[str, str, float]]:
        """(chosen, rejected, margin) for every two outputs in different groups; `margin` is the
        Bradley–Terry probability that `chosen` beats `rejected`."""
        for i, better in enumerate(self.ranking):
            for worse in self.ranking[i + 1:]:
                for chosen in better:
                    for rejected in worse:
                        yield chosen, rejected, win_probability(self.scores[chosen], self.scores[rejected])


def order(outputs: Sequence[str], theta: Sequence[float] | np.ndarray) -> list[list[str]]:
    """Outputs best first, grouping those whose scores are within TIE."""
    groups: list[list[str]] = []
    last = None
    for score, out in sorted(zip(theta, outputs, strict=True), key=lambda t: (-t[0], t[1])):
        if last is not None and last - score < TIE:
            groups[-1].append(out)
        else:
            groups.append([out])
        last = score
    return groups


def consensus_rankings(
    items: Sequence[tuple[Sequence[str], Sequence[Sequence[Sequence[str]]]]],
    *,
    alpha: float = ALPHA,
) -> list[ConsensusRanking]:
    """For each (outputs, rankings) pair: the Bradley–Terry consensus ranking with scores."""
    k = max((len(outs) for outs, _ in items), default=0)
    stack = np.zeros((len(items), k, k))
    for i, (outs, rankings) in enumerate(items):
        stack[i, : len(outs), : len(outs)] = wins_matrix(rankings, outs)
    theta = scores(stack, alpha=alpha) if items else np.zeros((0, 0))
    out = []
    for i, (outs, rankings) in enumerate(items):
        t = theta[i, : len(outs)]
        out.append(ConsensusRanking(order(outs, t), dict(zip(outs, map(float, t), strict=True)), len(rankings)))
    return out
