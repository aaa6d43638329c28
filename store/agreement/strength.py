"""Agreement on preference strength (`ranking.strength`): its levels are ordinal, so a labeler
against gold gets Cohen's kappa with quadratic weights (as every ordinal field of the report),
and labelers among themselves ordinal Krippendorff's alpha.

Units are compared output pairs (`store.strength`: the same two outputs in neighbouring groups of
both rankings, in the same order), each carrying the level of the boundary between them; a
labeler's pair whose order gold or another labeler reverses is a ranking disagreement, counted by
the ranking's own figures, not a strength one. The pairs of one prompt are not independent, so
the bootstrap resamples prompts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from store.agreement.metrics import (
    MIN_SHARED,
    Estimate,
    MetricError,
    alpha_estimate_counts,
    clustered_paired_estimates,
)
from store.strength import misfit, neighbours

Pair = tuple[str, str]  # (better, worse)
Units = dict[Pair, int]  # each neighbouring pair's level, as its position in the levels


class StrengthProblem(MetricError):
    """A strength that cannot be compared: it does not fit the ranking, or names no level."""

    def __init__(self, labeler: int | None, item: int, problem: str) -> None:
        super().__init__(problem)
        self.labeler, self.item = labeler, item


def units(ranking: Sequence[Sequence[str]], levels: Any, index: Mapping[str, int]) -> Units:
    """The levels of one ranking's neighbouring pairs (`index`: level name → position)."""
    problem = misfit(levels, ranking)
    if problem:
        raise MetricError(problem)
    out: Units = {}
    for better, worse, level in neighbours(ranking, levels):
        code = index.get(level) if isinstance(level, str) else None
        if code is None:
            raise MetricError(f"{level!r} is not one of [comparison] strength_levels {list(index)!r}")
        out[(better, worse)] = code
    return out


@dataclass
class Compared:
    """Every labeler's and gold's units, per prompt."""

    labelers: dict[int, dict[int, Units]]  # labeler → prompt → units
    gold: dict[int, Units]  # prompt → gold's units


def compare(
    votes: Mapping[int, list[tuple[int, Any]]],
    gold: Mapping[int, Any],
    rankings: Mapping[int, list[tuple[int, Any]]],
    gold_rankings: Mapping[int, Any],
    skip_gold: set[int],
    index: Mapping[str, int],
) -> Compared:
    """Units from strength labels (`votes`: prompt → [(labeler, levels)], `gold`: prompt →
    levels) and the rankings of the same labelers (gold's from `gold_rankings`). A strength
    whose labeler has no ranking of the prompt has nothing to attach to and is left out;
    `skip_gold` holds prompts whose gold ranking or strength researchers disagree on."""
    out = Compared({}, {})
    for item, cast in votes.items():
        ranking_of = dict(rankings.get(item, ()))
        for labeler, levels in cast:
            ranking = ranking_of.get(labeler)
            if ranking is None:
                continue
            try:
                out.labelers.setdefault(labeler, {})[item] = units(ranking, levels, index)
            except MetricError as exc:
                raise StrengthProblem(labeler, item, str(exc)) from None
    for item, levels in gold.items():
        if item in skip_gold or item not in gold_rankings:
            continue
        try:
            out.gold[item] = units(gold_rankings[item], levels, index)
        except MetricError as exc:
            raise StrengthProblem(None, item, str(exc)) from None
    return out


def against_gold(
    compared: Compared, labels: Sequence[int], *, seed: int, n_boot: int
) -> dict[int, tuple[int, int, dict[str, Estimate] | None]]:
    """Per labeler: (compared pairs, prompts, the figures or None when fewer than MIN_SHARED
    pairs) of the labeler's levels against gold's on the pairs both ordered alike."""
    out: dict[int, tuple[int, int, dict[str, Estimate] | None]] = {}
    for labeler, by_item in compared.labelers.items():
        mine: list[int] = []
        theirs: list[int] = []
        clusters: list[int] = []  # 0, 1, … : the prompts with a compared pair, in turn
        prompts = 0
        for item, own in by_item.items():
            reference = compared.gold.get(item, {})
            shared = [pair for pair in own if pair in reference]
            for pair in shared:
                mine.append(own[pair])
                theirs.append(reference[pair])
                clusters.append(prompts)
            prompts += bool(shared)
        n = len(mine)
        if n < MIN_SHARED:
            out[labeler] = (n, prompts, None)
            continue
        out[labeler] = (n, prompts, clustered_paired_estimates(
            np.asarray(mine), np.asarray(theirs), np.asarray(clusters), labels=labels,
            seed=seed, n_boot=n_boot))
    return out


def between_labelers(
    compared: Compared, labels: Sequence[int], *, seed: int, n_boot: int
) -> tuple[int, int, int, Estimate]:
    """(pairs compared, their prompts, labelers, ordinal alpha): each output pair that two or
    more labelers put side by side in the same order is a unit coded by each of them."""
    unit_of: dict[tuple[int, Pair], int] = {}
    rows: list[tuple[int, int]] = []  # (unit, level)
    items: list[int] = []
    for by_item in compared.labelers.values():
        for item, own in by_item.items():
            for pair, code in own.items():
                unit = unit_of.get((item, pair))
                if unit is None:
                    unit = unit_of[(item, pair)] = len(unit_of)
                    items.append(item)
                rows.append((unit, code))
    counts = np.zeros((len(unit_of), len(labels)), dtype=np.int64)
    for unit, code in rows:
        counts[unit, code] += 1
    clusters = np.asarray(items, dtype=np.int64)
    pairable = counts.sum(axis=1) >= 2
    n_units, estimate = alpha_estimate_counts(counts, domain=labels, level="ordinal", seed=seed,
                                              n_boot=n_boot, clusters=clusters)
    labelers = sum(1 for by_item in compared.labelers.values() if by_item)
    return n_units, len(set(clusters[pairable].tolist())), labelers, estimate
