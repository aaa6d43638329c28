"""Preference pairs from a ranking (guidelines §1: every ranking of K yields its C(K,2) pairs)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence


def untied_pairs(ranking: Sequence[Sequence[str]]) -> Iterator[tuple[str, str]]:
    """(chosen, rejected) for every two outputs in different tie groups, best group first.

    ``ranking`` is the stored value: tie groups of output ids, best first. Outputs tied with each
    other give no pair, so a ranking yields C(K,2) minus C(size,2) for each tie group.
    """
    for i, better in enumerate(ranking):
        for worse in ranking[i + 1 :]:
            for chosen in better:
                for rejected in worse:
                    yield chosen, rejected
