"""Consensus of a 1–7 rating: the mean and the spread (highest minus lowest) per item."""

from __future__ import annotations

import numpy as np


def mean_and_spread(items: np.ndarray, values: np.ndarray, n_items: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, spread, n) per item index; items nobody rated get NaN mean and spread, n 0."""
    items = np.asarray(items, dtype=np.int64)
    values = np.asarray(values, dtype=float)
    n = np.bincount(items, minlength=n_items)
    total = np.bincount(items, weights=values, minlength=n_items)
    hi = np.full(n_items, -np.inf)
    lo = np.full(n_items, np.inf)
    np.maximum.at(hi, items, values)
    np.minimum.at(lo, items, values)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
    spread = np.where(n > 0, hi - lo, np.nan)
    return mean, spread, n
