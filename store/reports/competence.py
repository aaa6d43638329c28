"""Each labeler's MACE competence (store/consensus/mace.py) for the quality report: from all their
yes/no and category labels, not only the few gold checks. One field at a time (as consensus
does, so memory follows the largest field); gold items are known answers. A labeler's pooled
figure is the mean of their per-field competences weighted by their labels in each field.

MACE learns a labeler's competence only from items where answers differ (or gold is known):
where every item a labeler answered was unanimous (three labelers who always agree, a lone
labeler), it has nothing to tell knowing from guessing, and its estimate is an artefact of the
start and smoothing (θ ≈ 0.0003 for three unanimous labelers). Such a field is left out of the
labeler's figure; with no other field, the figure is null with `NO_DISAGREEMENT` as reason.

A field of `WARM_MIN_LABELS` labels or more starts from the last run's parameters where there
are some (`competence_starts`, kept by every run on a database it may write): one run of at most
`WARM_STEPS` EM steps instead of 10 restarts of up to 50 (7 times less EM), so the figures
follow the earlier run's solution. On bench_agreement's million labels (16 fields of 50,000) a
field's competences came within 1.2e-3 of a cold run's on the same labels, and within 0.03
after a tenth more labels (docs/performance.md). Smaller fields, and the first run, are cold:
their figures depend only on the labels and the seed.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np

from store.consensus.compute import Categorical, categorical_fields, read_categorical
from store.consensus.mace import MaceResult, MaceStart, mace
from store.db import immediate, now
from store.errors import StoreError

if TYPE_CHECKING:
    import sqlite_utils

    from store.schema import Schema

MIN_LABELS = 20  # below this a competence is mostly its random start and smoothing
WARM_MIN_LABELS = 10_000  # a cold run of a smaller field takes well under 0.1 s
WARM_STEPS = 20
NO_DISAGREEMENT = "no disagreement to learn from"
DIGITS = 4
METHOD = (f"MACE (Hovy et al. 2013) per yes/no and category field, EM with 10 seeded restarts "
          f"(the likeliest after 10 steps runs on to 50; a field of {WARM_MIN_LABELS:,} labels "
          f"or more: up to {WARM_STEPS} steps from the last run's parameters), "
          f"gold items as known answers; pooled over fields weighted by labels; null below "
          f"{MIN_LABELS} labels, and null ({NO_DISAGREEMENT}) where every item a labeler "
          f"answered was unanimous and without gold")


def _figure(weighted: float, labels: int) -> float | None:
    return round(weighted / labels, DIGITS) if labels >= MIN_LABELS else None


def _read_starts(db: sqlite_utils.Database) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    try:
        rows = db.execute("SELECT task, field, classes, params FROM competence_starts").fetchall()
    except sqlite3.OperationalError:  # an older schema read as it is (a read-only archive)
        return {}
    return {(task, field): (classes, json.loads(params)) for task, field, classes, params in rows}


def _warm_start(kept: tuple[str, dict[str, Any]] | None, data: Categorical, classes: str
                ) -> MaceStart | None:
    """The last run's parameters for this field's labelers (NaN for a labeler new since)."""
    if kept is None or kept[0] != classes or len(data.it) < WARM_MIN_LABELS:
        return None
    competence = np.full(len(data.labelers), np.nan)
    strategy = np.full((len(data.labelers), len(data.domain)), np.nan)
    for name, j in data.labelers.items():
        found = kept[1].get(name)
        if found is not None:
            competence[j], strategy[j] = found[0], found[1]
    return MaceStart(competence, strategy)


def _start_row(task: str, field: str, classes: str, data: Categorical, result: MaceResult
               ) -> list[Any]:
    params = {name: [float(result.competence[j]), result.strategy[j].tolist()]
              for name, j in data.labelers.items()}
    return [task, field, classes, json.dumps(params), len(data.it), now()]


def _keep_starts(db: sqlite_utils.Database, rows: list[list[Any]]) -> None:
    """This run's parameters, where the next run starts from (never on a database opened only
    to read). Keeping them is an optimisation: a database busy past the write wait, or of an
    older schema, keeps none, and the next run is cold."""
    if getattr(db, "read_only", False) or not rows:
        return
    try:
        with immediate(db):
            for row in rows:
                db.execute(
                    "INSERT INTO competence_starts (task, field, classes, params, labels, "
                    "written_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (task, field) DO UPDATE "
                    "SET classes = excluded.classes, params = excluded.params, "
                    "labels = excluded.labels, written_at = excluded.written_at", row)
    except (StoreError, sqlite3.OperationalError):
        return


def labeler_competence(db: sqlite_utils.Database, schema: Schema, *, since: str = "",
                       seed: int = 0, warm: bool = True) -> dict[str, dict[str, Any]]:
    """`{labeler: {"theta", "labels", "fields": {"task.field": {"theta", "labels"}}}}`, plus a
    `reason` where `theta` is null, for every labeler with a label on such a field.
    `warm=False`: every field cold (the seeded restarts), and nothing kept."""
    fields: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    weighted: dict[str, float] = defaultdict(float)  # competence times labels, summed over fields
    counts: dict[str, int] = defaultdict(int)
    informative: dict[str, int] = defaultdict(int)  # labels in fields MACE could learn from
    starts = _read_starts(db) if warm else {}
    kept: list[list[Any]] = []
    for task, field, domain in categorical_fields(db, schema):
        data = read_categorical(db, task, field, domain, since)
        if not data.labelers:
            continue
        gold = data.gold_classes()
        classes = json.dumps(domain, ensure_ascii=False)
        start = _warm_start(starts.get((task, field)), data, classes)
        result = mace(data.it, data.lb, data.ans, n_items=len(data.items),
                      n_labelers=len(data.labelers), n_classes=len(domain),
                      gold=gold, seed=seed, start=start,
                      max_iter=WARM_STEPS if start is not None else 50)
        if warm and len(data.it) >= WARM_MIN_LABELS:
            kept.append(_start_row(task, field, classes, data, result))
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
    if warm:
        _keep_starts(db, kept)
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
