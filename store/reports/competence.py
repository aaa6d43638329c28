"""Each labeler's MACE competence (store/consensus/mace.py) for the quality report: from all their
yes/no and category labels, not only the few gold checks. One field at a time (as consensus
does, so memory follows the largest field); gold items are known answers. A labeler's pooled
figure is the mean of their per-field competences weighted by their labels in each field.

MACE learns a labeler's competence only from items where answers differ (or gold is known):
where every item a labeler answered was unanimous (three labelers who always agree, a lone
labeler), it has nothing to tell knowing from guessing, and its estimate is an artefact of the
start and smoothing (θ ≈ 0.0003 for three unanimous labelers). Such a field is left out of the
labeler's figure; with no other field, the figure is null with `NO_DISAGREEMENT` as reason.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np

from store.consensus.compute import categorical_fields, read_categorical
from store.consensus.mace import mace

if TYPE_CHECKING:
    import sqlite_utils

    from store.schema import Schema

MIN_LABELS = 20  # below this a competence is mostly its random start and smoothing
NO_DISAGREEMENT = "no disagreement to learn from"
DIGITS = 4
METHOD = (f"MACE (Hovy et al. 2013) per yes/no and category field, EM with 10 seeded restarts "
          f"(the likeliest after 10 steps runs on to 50), "
          f"gold items as known answers; pooled over fields weighted by labels; null below "
          f"{MIN_LABELS} labels, and null ({NO_DISAGREEMENT}) where every item a labeler "
          f"answered was unanimous and without gold")


def _figure(weighted: float, labels: int) -> float | None:
    return round(weighted / labels, DIGITS) if labels >= MIN_LABELS else None


def labeler_competence(db: sqlite_utils.Database, schema: Schema, *, since: str = "",
                       seed: int = 0) -> dict[str, dict[str, Any]]:
    """`{labeler: {"theta", "labels", "fields": {"task.field": {"theta", "labels"}}}}`, plus a
    `reason` where `theta` is null, for every labeler with a label on such a field."""
    fields: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    weighted: dict[str, float] = defaultdict(float)  # competence times labels, summed over fields
    counts: dict[str, int] = defaultdict(int)
    informative: dict[str, int] = defaultdict(int)  # labels in fields MACE could learn from
    for task, field, domain in categorical_fields(db, schema):
        data = read_categorical(db, task, field, domain, since)
        if not data.labelers:
            continue
        gold = data.gold_classes()
        result = mace(data.it, data.lb, data.ans, n_items=len(data.items),
                      n_labelers=len(data.labelers), n_classes=len(domain),
                      gold=gold, seed=seed)
        learnt = _learnt_from(data.it, data.lb, data.ans, len(data.items), len(data.labelers), gold)
        for name, j in data.labelers.items():
            theta, n = float(result.competence[j]), int(result.labels[j])
            counts[name] += n
            if not learnt[j]:
                fields[name][f"{task}.{field}"] = {"theta": None, "labels": n,
                                                   "reason": NO_DISAGREEMENT}
                continue
            fields[name][f"{task}.{field}"] = {"theta": _figure(theta * n, n), "labels": n}
            weighted[name] += theta * n
            informative[name] += n
    out = {}
    for name, n in counts.items():
        entry: dict[str, Any] = {"theta": _figure(weighted[name], informative[name]), "labels": n,
                                 "fields": dict(sorted(fields[name].items()))}
        if n < MIN_LABELS:
            entry["reason"] = f"fewer than {MIN_LABELS} yes/no or category labels"
        elif not informative[name]:
            entry["reason"] = NO_DISAGREEMENT
        elif entry["theta"] is None:
            entry["reason"] = (f"fewer than {MIN_LABELS} yes/no or category labels on items "
                               "where answers differ")
        out[name] = entry
    return out


def _learnt_from(it: Any, lb: Any, ans: Any, n_items: int, n_labelers: int,
                 gold: dict[int, int]) -> Any:
    """Per labeler: whether any item they answered had differing answers or a gold answer,
    the only items from which MACE can tell their competence."""
    low = np.full(n_items, np.iinfo(np.int64).max)
    high = np.full(n_items, -1)
    np.minimum.at(low, it, ans)
    np.maximum.at(high, it, ans)
    telling = low != high
    if gold:
        telling[np.fromiter(gold, dtype=np.int64)] = True
    return np.bincount(lb, weights=telling[it], minlength=n_labelers) > 0


def no_competence() -> dict[str, Any]:
    """The entry of a labeler without a yes/no or category label."""
    return {"theta": None, "labels": 0, "fields": {},
            "reason": "no yes/no or category labels yet"}


def pending_competence() -> dict[str, Any]:
    """The entry of a report computed without competences (they come after)."""
    return {"theta": None, "labels": 0, "fields": {}, "pending": True,
            "reason": "not computed yet"}
