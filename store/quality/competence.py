"""Each labeler's MACE competence (store/consensus/mace.py) for the quality report: from all their
yes/no and category labels, not only the few gold checks. One field at a time (as consensus
does, so memory follows the largest field); gold items are known answers. A labeler's pooled
figure is the mean of their per-field competences weighted by their labels in each field.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from store.consensus.compute import categorical_fields, read_categorical
from store.consensus.mace import mace

if TYPE_CHECKING:
    import sqlite_utils

    from store.schema import Schema

MIN_LABELS = 20  # below this a competence is mostly its random start and smoothing
DIGITS = 4
METHOD = (f"MACE (Hovy et al. 2013) per yes/no and category field, EM with 10 seeded restarts "
          f"(the likeliest after 10 steps runs on to 50), "
          f"gold items as known answers; pooled over fields weighted by labels; null below "
          f"{MIN_LABELS} labels")


def _figure(weighted: float, labels: int) -> float | None:
    return round(weighted / labels, DIGITS) if labels >= MIN_LABELS else None


def labeler_competence(db: sqlite_utils.Database, schema: Schema, *, since: str = "",
                       seed: int = 0) -> dict[str, dict[str, Any]]:
    """`{labeler: {"theta", "labels", "fields": {"task.field": {"theta", "labels"}}}}`, plus a
    `reason` where `theta` is null, for every labeler with a label on such a field."""
    fields: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    weighted: dict[str, float] = defaultdict(float)  # competence times labels, summed over fields
    counts: dict[str, int] = defaultdict(int)
    for task, field, domain in categorical_fields(db, schema):
        data = read_categorical(db, task, field, domain, since)
        if not data.labelers:
            continue
        result = mace(data.it, data.lb, data.ans, n_items=len(data.items),
                      n_labelers=len(data.labelers), n_classes=len(domain),
                      gold=data.gold_classes(), seed=seed)
        for name, j in data.labelers.items():
            theta, n = float(result.competence[j]), int(result.labels[j])
            fields[name][f"{task}.{field}"] = {"theta": _figure(theta * n, n), "labels": n}
            weighted[name] += theta * n
            counts[name] += n
    out = {}
    for name, n in counts.items():
        entry: dict[str, Any] = {"theta": _figure(weighted[name], n), "labels": n,
                                 "fields": dict(sorted(fields[name].items()))}
        if entry["theta"] is None:
            entry["reason"] = f"fewer than {MIN_LABELS} yes/no or category labels"
        out[name] = entry
    return out


def no_competence() -> dict[str, Any]:
    """The entry of a labeler without a yes/no or category label."""
    return {"theta": None, "labels": 0, "fields": {},
            "reason": "no yes/no or category labels yet"}


def pending_competence() -> dict[str, Any]:
    """The entry of a report computed without competences (they come after)."""
    return {"theta": None, "labels": 0, "fields": {}, "pending": True,
            "reason": "not computed yet"}
