"""MACE (Hovy, Berg-Kirkpatrick, Vaswani and Hovy 2013, "Learning Whom to Trust with MACE"):
each labeler either knows the item and gives its true class, or "spams" with their own answer
distribution. The model estimates every labeler's competence (the probability of not
spamming) from all their labels, without gold, and a posterior class per item.

Arrays in, arrays out, like `dawid_skene`: one label is (item, labeler, class) and every step is
a `bincount`, in log space so an item with many labels cannot underflow. The true class is
uniform a priori (the paper's model). Training follows the paper and its reference code
(crowd-kit's `MACE` reimplements it; the tests compare the two): EM whose M-step adds
`smoothing` (0.01 / classes) to the expected counts before normalising, or, with
`variational=True`, variational Bayes with Beta(alpha, beta) priors on competence and
Dirichlet(strategy_prior) on the spam distributions; random restarts from a seeded generator
(same data and seed, same result), the likeliest after a short burn-in running on (see `mace`).
Gold items keep their known class, as the paper's "controls" do.

A warm start (`start`: a former run's competences and spam distributions) replaces the
restarts with one run from there: what the quality report does on large fields, from its last
run's parameters (store/reports/competence.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

INIT_LOW, INIT_HIGH = 1.0, 1.5  # random starting weights, normalised: no labeler starts certain


@dataclass(frozen=True)
class MaceResult:
    competence: np.ndarray  # (labelers,): P(not spamming); 0.5 for a labeler without labels
    strategy: np.ndarray  # (labelers, classes): the answer distribution when spamming
    posterior: np.ndarray  # (items, classes): P(true class | every label of the item)
    labels: np.ndarray  # (labelers,): how many labels each competence rests on
    log_likelihood: float  # of the winning restart
    iterations: int  # of the winning restart


@dataclass(frozen=True)
class MaceStart:
    """Where a warm run starts: per labeler a competence and a spam distribution (a former
    run's `competence` and `strategy`); a labeler with a NaN competence (none known) gets the
    seeded random start."""

    competence: np.ndarray  # (labelers,)
    strategy: np.ndarray  # (labelers, classes)


@dataclass
class _Params:
    spam: np.ndarray  # (labelers,) weight of spamming
    know: np.ndarray  # (labelers,) weight of knowing (with EM, spam + know = 1)
    strategy: np.ndarray  # (labelers, classes)


@dataclass
class _Expected:
    log_likelihood: float
    posterior: np.ndarray
    know: np.ndarray  # (labelers,) expected labels given while knowing
    spam: np.ndarray  # (labelers,) expected labels given while spamming
    strategy: np.ndarray  # (labelers, classes) expected spam answers per class


class _Labels:
    """One field's labels as integer codes, with what every E-step needs precomputed."""

    def __init__(self, items: np.ndarray, labelers: np.ndarray, answers: np.ndarray,
                 n_items: int, n_labelers: int, n_classes: int, gold: dict[int, int] | None):
        self.items, self.labelers, self.answers = items, labelers, answers
        self.n_items, self.n_labelers, self.n_classes = n_items, n_labelers, n_classes
        self.item_answer = items * n_classes + answers
        self.labeler_answer = labelers * n_classes + answers
        # Labels per (labeler, answer): what was not given knowingly was spammed.
        self.answered = np.bincount(self.labeler_answer, minlength=n_labelers * n_classes
                                    ).reshape(n_labelers, n_classes).astype(float)
        self.gold_mask: np.ndarray | None = None
        if gold:
            mask = np.zeros((n_items, n_classes), dtype=bool)
            idx = np.fromiter(gold.keys(), dtype=np.int64)
            mask[idx] = True
            mask[idx, np.fromiter(gold.values(), dtype=np.int64)] = False
            self.gold_mask = mask  # True where a gold item cannot be


def _by_row(ufunc: np.ufunc, matrix: np.ndarray) -> np.ndarray:
    """`ufunc.reduce(matrix, axis=1, keepdims=True)` for a few columns, column by column: numpy
    reduces a short row slowly (a third of an E-step at two classes). The same numbers: left
    to right, as numpy sums fewer than eight values (eight or more: numpy's own reduce)."""
    if matrix.shape[1] >= 8:
        return np.asarray(ufunc.reduce(matrix, axis=1, keepdims=True))
    out = matrix[:, :1].copy()
    for j in range(1, matrix.shape[1]):
        ufunc(out, matrix[:, j:j + 1], out=out)
    return out


def _e_step(data: _Labels, p: _Params) -> _Expected:
    k, c = data.n_items, data.n_classes
    # P(answer | true class) is spam * strategy[answer], plus know when the answer is the class.
    # Every term depends on the (labeler, answer) pair only: computed once per pair (a few
    # thousand) and gathered per label, the same numbers as computing them per label.
    spam_answer = p.spam[:, None] * p.strategy
    know = np.broadcast_to(p.know[:, None], spam_answer.shape)
    pair = data.labeler_answer
    log_post = np.full((k, c), -np.log(c))
    # `take` gathers the same values as indexing, at about half the cost per label.
    log_post += np.bincount(data.items, weights=np.log(spam_answer).ravel().take(pair),
                            minlength=k)[:, None]
    log_post += np.bincount(data.item_answer,
                            weights=np.log1p(know / spam_answer).ravel().take(pair),
                            minlength=k * c).reshape(k, c)
    if data.gold_mask is not None:
        log_post[data.gold_mask] = -np.inf
    top = _by_row(np.maximum, log_post)
    posterior = np.exp(log_post - top)
    total = _by_row(np.add, posterior)
    log_likelihood = float((np.log(total) + top).sum())
    posterior /= total
    # A label was given knowingly only if its answer is the true class.
    knew = (posterior.ravel().take(data.item_answer) * know.ravel().take(pair)
            / (spam_answer + know).ravel().take(pair))
    knew_by_answer = np.bincount(data.labeler_answer, weights=knew,
                                 minlength=data.n_labelers * c).reshape(data.n_labelers, c)
    spammed = data.answered - knew_by_answer
    return _Expected(log_likelihood, posterior, knew_by_answer.sum(axis=1), spammed.sum(axis=1),
                     spammed)


def _m_step(e: _Expected, smoothing: float) -> _Params:
    total = e.know + e.spam + 2 * smoothing
    strategy = e.strategy + smoothing
    return _Params((e.spam + smoothing) / total, (e.know + smoothing) / total,
                   strategy / strategy.sum(axis=1, keepdims=True))


def _variational_m_step(e: _Expected, alpha: float, beta: float, strategy_prior: float) -> _Params:
    # exp(E[log p]) under the Beta/Dirichlet posteriors: weights that need not sum to 1.
    from scipy.special import digamma  # here only: scipy takes ~1 s of CPU to import

    norm = digamma(e.know + e.spam + alpha + beta)
    strategy = e.strategy + strategy_prior
    return _Params(np.exp(digamma(e.spam + alpha) - norm), np.exp(digamma(e.know + beta) - norm),
                   np.exp(digamma(strategy) - digamma(strategy.sum(axis=1, keepdims=True))))


def _start(rng: np.random.Generator, n_labelers: int, n_classes: int) -> _Params:
    weights = rng.uniform(INIT_LOW, INIT_HIGH, size=(n_labelers, 2))
    weights /= weights.sum(axis=1, keepdims=True)
    strategy = rng.uniform(INIT_LOW, INIT_HIGH, size=(n_labelers, n_classes))
    return _Params(weights[:, 0], weights[:, 1], strategy / strategy.sum(axis=1, keepdims=True))


def _warm(start: MaceStart, rng: np.random.Generator, n_labelers: int, n_classes: int) -> _Params:
    params = _start(rng, n_labelers, n_classes)
    known = ~np.isnan(start.competence)
    params.know[known] = start.competence[known]
    params.spam[known] = 1.0 - start.competence[known]
    params.strategy[known] = start.strategy[known]
    return params


def _run(data: _Labels, step: Callable[[_Expected], _Params], params: _Params,
         expected: _Expected, steps: int, tol: float) -> tuple[_Params, _Expected, int]:
    """Up to `steps` EM (or VB) steps, fewer once the log likelihood moves by less than `tol`."""
    done = 0
    while done < steps:
        done += 1
        params = step(expected)
        before, expected = expected.log_likelihood, _e_step(data, params)
        if abs(expected.log_likelihood - before) < tol:
            break
    return params, expected, done


def mace(
    items: np.ndarray,
    labelers: np.ndarray,
    answers: np.ndarray,
    *,
    n_items: int,
    n_labelers: int,
    n_classes: int,
    gold: dict[int, int] | None = None,
    restarts: int = 10,
    max_iter: int = 50,
    burn_in: int | None = 10,
    tol: float = 1e-6,
    variational: bool = False,
    smoothing: float | None = None,
    alpha: float = 0.5,
    beta: float = 0.5,
    strategy_prior: float = 10.0,
    seed: int = 0,
    start: MaceStart | None = None,
) -> MaceResult:
    """`items`, `labelers`, `answers`: one entry per label (integer codes). `gold` maps an item
    index to its known class. A run of EM (or VB) stops when the log likelihood moves by less
    than `tol`, or after `max_iter` steps; the paper's defaults are 10 restarts of 50 steps.
    The reference code runs every restart all the way; here the restarts are compared after
    `burn_in` steps and only the most likely runs on (`burn_in=None`: every restart runs all
    the way), which is 3.6 times less work with the defaults. `smoothing` defaults to the
    reference code's 0.01 / `n_classes`. With `start`, one run of up to `max_iter` steps from
    there instead of the restarts."""
    data = _Labels(np.asarray(items, dtype=np.int64), np.asarray(labelers, dtype=np.int64),
                   np.asarray(answers, dtype=np.int64), n_items, n_labelers, n_classes, gold)
    smoothing = 0.01 / n_classes if smoothing is None else smoothing
    rng = np.random.default_rng(seed)
    step = ((lambda e: _variational_m_step(e, alpha, beta, strategy_prior)) if variational
            else (lambda e: _m_step(e, smoothing)))
    first = min(burn_in or max_iter, max_iter)
    best: tuple[_Params, _Expected, int] | None = None
    if start is not None:
        params = _warm(start, rng, n_labelers, n_classes)
        best = _run(data, step, params, _e_step(data, params), max_iter, tol)
        first = max_iter  # nothing runs on after
    for _restart in range(max(restarts, 1) if start is None else 0):
        params = _start(rng, n_labelers, n_classes)
        run = _run(data, step, params, _e_step(data, params), first, tol)
        if best is None or run[1].log_likelihood > best[1].log_likelihood:
            best = run
    assert best is not None
    if best[2] == first < max_iter:  # not converged yet: the winner alone runs on
        params, expected, done = _run(data, step, best[0], best[1], max_iter - first, tol)
        best = (params, expected, first + done)
    params, expected, iterations = best
    competence = params.know / (params.know + params.spam)
    strategy = params.strategy / params.strategy.sum(axis=1, keepdims=True)
    counts = np.bincount(data.labelers, minlength=n_labelers)
    return MaceResult(competence, strategy, expected.posterior, counts,
                      expected.log_likelihood, iterations)
