"""Dawid–Skene (1979): per-labeler confusion matrices and per-item posteriors, by EM.

Arrays in, arrays out: one label is (item index, labeler index, class index), so a million labels
are three integer arrays and every step is a `bincount`. Initialised from the majority vote and
iterated like crowd-kit's `DawidSkene` (the test compares the two): M-step confusion counts
weighted by the current posteriors, clipped at EPS and normalised per labeler and true class;
E-step the log prior plus the sum of log confusions. Gold items keep their known class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS = 1e-8  # crowd-kit's floor under a confusion cell: one unseen answer is not impossible


@dataclass(frozen=True)
class DawidSkeneResult:
    posterior: np.ndarray  # (items, classes): P(true class | every label of the item)
    confusion: np.ndarray  # (labelers, true class, answered class), rows sum to 1
    prior: np.ndarray  # (classes,)
    iterations: int

    @property
    def labels(self) -> np.ndarray:
        best: np.ndarray = self.posterior.argmax(axis=1)
        return best


def majority_posterior(items: np.ndarray, answers: np.ndarray, n_items: int, n_classes: int) -> np.ndarray:
    """Each item's share of answers per class (the majority vote, kept soft)."""
    counts = np.bincount(items * n_classes + answers, minlength=n_items * n_classes)
    counts = counts.reshape(n_items, n_classes).astype(float)
    total = counts.sum(axis=1, keepdims=True)
    shares: np.ndarray = np.divide(counts, total, out=np.full_like(counts, 1.0 / n_classes),
                                   where=total > 0)
    return shares


def _confusion(
    items: np.ndarray, cell: np.ndarray, posterior: np.ndarray, n_labelers: int, n_classes: int,
) -> np.ndarray:
    """`cell`: each label's labeler * n_classes + answer."""
    by_class = posterior.T.copy()  # a class's column contiguous: taken per label below
    conf = np.empty((n_labelers, n_classes, n_classes))
    for true in range(n_classes):
        conf[:, true, :] = np.bincount(
            cell, weights=by_class[true].take(items), minlength=n_labelers * n_classes
        ).reshape(n_labelers, n_classes)
    np.clip(conf, EPS, None, out=conf)
    normalised: np.ndarray = conf / conf.sum(axis=2, keepdims=True)
    return normalised


def _clamp(posterior: np.ndarray, gold: dict[int, int] | None) -> np.ndarray:
    if gold:
        idx = np.fromiter(gold.keys(), dtype=np.int64)
        posterior[idx] = 0.0
        posterior[idx, np.fromiter(gold.values(), dtype=np.int64)] = 1.0
    return posterior


def dawid_skene(
    items: np.ndarray,
    labelers: np.ndarray,
    answers: np.ndarray,
    *,
    n_items: int,
    n_labelers: int,
    n_classes: int,
    gold: dict[int, int] | None = None,
    max_iter: int = 100,
    tol: float = 1e-6,
) -> DawidSkeneResult:
    """`items`, `labelers`, `answers`: one entry per label (integer codes). `gold` maps an item
    index to its known class: that item's posterior stays fixed at it."""
    items = np.asarray(items, dtype=np.int64)
    labelers = np.asarray(labelers, dtype=np.int64)
    answers = np.asarray(answers, dtype=np.int64)
    posterior = _clamp(majority_posterior(items, answers, n_items, n_classes), gold)
    cell = labelers * n_classes + answers
    # Each label's log confusion under a true class, taken from the flat (labeler, true,
    # answer) array: the same values as indexing with three arrays, at a fraction of the cost.
    flat = labelers * (n_classes * n_classes) + answers
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        prior = np.clip(posterior.mean(axis=0), EPS, None)
        log_conf = np.log(_confusion(items, cell, posterior, n_labelers, n_classes)).ravel()
        log_post = np.tile(np.log(prior), (n_items, 1))
        for true in range(n_classes):
            log_post[:, true] += np.bincount(
                items, weights=log_conf.take(flat + true * n_classes), minlength=n_items)
        log_post -= log_post.max(axis=1, keepdims=True)
        new = np.exp(log_post)
        new /= new.sum(axis=1, keepdims=True)
        new = _clamp(new, gold)
        change = float(np.abs(new - posterior).max()) if n_items else 0.0
        posterior = new
        if change < tol:
            break
    confusion = _confusion(items, cell, posterior, n_labelers, n_classes)
    return DawidSkeneResult(posterior, confusion, posterior.mean(axis=0), iterations)
