"""Preference strength (Llama 2, Touvron et al. 2023, §3.2.1): the `ranking.strength` label holds
one level of `[comparison] strength_levels` per boundary between consecutive tie groups of the
labeler's ranking, best boundary first.

The one rule for comparing two labelers' strengths (agreement, disputes, adjudication): a level
belongs to a boundary, so two strengths are compared only on the *same two outputs placed in
neighbouring groups by both rankings*, the level each gave the boundary between them. A pair one
labeler puts side by side and the other puts further apart (or ties) has no level of its own in
the second ranking (an export sums the levels between them into a margin) and is not compared;
whether the two orders agree is the ranking's own agreement. Pure Python: a labeler's submit
asks `store.disputes`, which uses this.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

# [comparison] strength_levels and strength_margins by default (tui/config.py): Llama 2's four
# levels, strongest first, with its larger margins.
LEVELS = ("significantly better", "better", "slightly better", "negligibly better / unsure")
STRENGTH_MARGINS = dict(zip(LEVELS, (3.0, 2.0, 1.0, 0.0), strict=True))


def misfit(levels: Any, ranking: Sequence[Sequence[str]]) -> str | None:
    """Why `levels` is not a strength of `ranking` (None when it is one: a list with one level
    per boundary between its groups)."""
    if not isinstance(levels, list):
        return f"{levels!r} is not a list of level names"
    if len(levels) != len(ranking) - 1:
        return f"{len(levels)} levels for the {len(ranking) - 1} boundaries of the ranking"
    return None


def neighbours(ranking: Sequence[Sequence[str]], levels: Sequence[str]) -> Iterator[tuple[str, str, str]]:
    """(better, worse, level) for every two outputs in neighbouring groups of `ranking`: the
    level of the boundary between them. A boundary between tie groups gives one entry per pair
    of their outputs (what `export pairs` gives a trainer)."""
    for i, level in enumerate(levels):
        for better in ranking[i]:
            for worse in ranking[i + 1]:
                yield better, worse, level


def signed(ranking: Sequence[Sequence[str]], levels: Sequence[str],
           order: Sequence[str]) -> dict[frozenset[str], tuple[str, int]]:
    """Each neighbouring pair of outputs → (the better one, the level's distance from the
    weakest level: 0 for the weakest, len(order) - 1 for the strongest). A level not in `order`
    leaves its pairs out."""
    weakest = len(order) - 1
    position = {level: i for i, level in enumerate(order)}
    return {frozenset((better, worse)): (better, weakest - position[level])
            for better, worse, level in neighbours(ranking, levels) if level in position}


def largest_gap(a: dict[frozenset[str], tuple[str, int]],
                b: dict[frozenset[str], tuple[str, int]]) -> tuple[int, frozenset[str]] | None:
    """The largest difference between two labelers' strengths (`signed` of each) on a pair both
    put side by side, on the scale from the strongest preference one way to the strongest the
    other way (the weakest level, "unsure", is the middle either way): levels apart in the same
    direction, or their distances from the weakest level added when the orders differ. None
    when they share no such pair."""
    best: tuple[int, frozenset[str]] | None = None
    for pair in sorted(a.keys() & b.keys(), key=sorted):
        (first, x), (second, y) = a[pair], b[pair]
        gap = abs(x - y) if first == second else x + y
        if best is None or gap > best[0]:
            best = (gap, pair)
    return best
