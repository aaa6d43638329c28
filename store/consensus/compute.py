"""Consensus of every labeled field of a database, one field at a time (so memory follows the
largest field, not the whole table): Dawid–Skene (or MACE) for yes/no and category fields, mean and
spread for scales, Bradley–Terry for rankings. Gold overrides: an item with a researcher's value
takes it (`resolution` `gold`, or `adjudicated` when it settled a dispute).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlite_utils

from store.consensus.bradley_terry import consensus_rankings
from store.consensus.dawid_skene import dawid_skene
from store.consensus.mace import mace
from store.errors import StoreError
from store.ranking import Ranking
from store.schema import Field, Schema, load_schema
from store.tallies import TALLIED

CATEGORICAL = ("bool", "bool_na", "choice")
CATEGORICAL_METHODS = ("dawid_skene", "mace")
TASKS = ("instruction", "output", "toxicity", "ranking")
RANKING_BATCH = 5_000  # prompts per Newton stack: 5,000 x 9 x 9 floats and a few copies


class _Codes(dict[Any, int]):
    """Names to dense integer codes, in first-seen order."""

    def code(self, name: Any) -> int:
        found = self.get(name)
        if found is None:
            found = self[name] = len(self)
        return found


def _rows(db: sqlite_utils.Database, task: str, field: str, since: str = "") -> sqlite3.Cursor:
    # Gold stays gold whenever it was written; `since` limits the labelers' labels only.
    return db.conn.cursor().execute(
        "SELECT labeler, item, value, gold, adjudication_id FROM labels "
        "WHERE task = ? AND field = ? AND (gold = 1 OR created_at >= ?)", [task, field, since])


def _domain(kind: str, choices: Sequence[str]) -> list[Any]:
    if kind == "bool":
        return [False, True]
    if kind == "bool_na":
        return [False, True, "na"]
    return list(choices)


@dataclass
class Categorical:
    """One yes/no or category field's labels as dense codes: one entry per labeler's label in
    `it`, `lb`, `ans` (item, labeler, class); researchers' values apart in `gold` (item code to
    class and resolution)."""

    domain: list[Any]
    items: _Codes
    labelers: _Codes
    it: np.ndarray
    lb: np.ndarray
    ans: np.ndarray
    gold: dict[int, tuple[int, str]]

    def gold_classes(self) -> dict[int, int]:
        return {i: c for i, (c, _r) in self.gold.items()}


def read_categorical(db: sqlite_utils.Database, task: str, field: str, domain: list[Any],
                     since: str = "") -> Categorical:
    # A plain loop over the streamed rows: fetching them all and coding the columns with
    # C-level maps measured slower at a million labels (2.9 s against 1.8 s for 17 fields).
    items, labelers = _Codes(), _Codes()
    index = {json.dumps(v, ensure_ascii=False): i for i, v in enumerate(domain)}
    it, lb, ans = [], [], []
    gold: dict[int, tuple[int, str]] = {}
    # An item's rows come together (the index is by item): its code is looked up once, not
    # for each of its labels; a labeler's is a dict lookup without a method call.
    last, i = None, -1
    labeler_code = labelers.get
    for labeler, item, value, is_gold, adjudicated in _rows(db, task, field, since):
        code = index.get(value)
        if code is None:
            continue  # outside the schema's domain (an older schema's value): not counted
        if item != last:
            i, last = items.code(item), item
        if is_gold:
            gold[i] = (code, "adjudicated" if adjudicated is not None else "gold")
            continue
        j = labeler_code(labeler)
        if j is None:
            j = labelers[labeler] = len(labelers)
        it.append(i)
        lb.append(j)
        ans.append(code)
    return Categorical(domain, items, labelers, np.asarray(it, dtype=np.int64),
                       np.asarray(lb, dtype=np.int64), np.asarray(ans, dtype=np.int64), gold)


def categorical_fields(
    db: sqlite_utils.Database, schema: Schema
) -> Iterator[tuple[str, str, list[Any]]]:
    """(task, field, domain) of every labeled yes/no and category field the schema knows."""
    for task, field, f in _schema_fields(db, schema):
        if f.kind in CATEGORICAL:
            yield task, field, _domain(f.kind, f.choices)


def _posterior(data: Categorical, method: str) -> np.ndarray:
    solve = mace if method == "mace" else dawid_skene
    posterior: np.ndarray = solve(data.it, data.lb, data.ans, n_items=len(data.items),
                                  n_labelers=max(len(data.labelers), 1),
                                  n_classes=len(data.domain), gold=data.gold_classes()).posterior
    return posterior


def _categorical(
    db: sqlite_utils.Database, task: str, field: str, domain: list[Any], method: str
) -> Iterator[dict[str, Any]]:
    data = read_categorical(db, task, field, domain)
    if not data.items:
        return
    n = np.bincount(data.it, minlength=len(data.items))
    posterior = _posterior(data, method)
    best = posterior.argmax(axis=1)
    for item, i in data.items.items():
        record = {"task": task, "item": item, "field": field, "value": domain[best[i]],
                  "n_labelers": int(n[i])}
        if i in data.gold:
            record.update(method=data.gold[i][1], confidence=1.0)
        else:
            record.update(method=method, confidence=round(float(posterior[i, best[i]]), 4))
        yield record


def _histograms(db: sqlite_utils.Database, task: str, field: str) -> Iterator[tuple[str, str, int]]:
    """(item, value, labels) of a field's labelers' values, by item: from the tallies the
    triggers keep (store/tallies.py) where the task is tallied, else counted from the labels."""
    if task in TALLIED:
        return db.execute("SELECT item, value, n FROM item_tallies WHERE task = ? AND field = ? "
                          "AND n > 0 ORDER BY item, value", [task, field])
    return db.execute("SELECT item, value, count(*) FROM labels WHERE task = ? AND field = ? "
                      "AND gold = 0 GROUP BY item, value ORDER BY item, value", [task, field])


def _scale(db: sqlite_utils.Database, task: str, field: str) -> Iterator[dict[str, Any]]:
    # From value histograms: a 1M-label project has ~120,000 (item, value) rows for its five
    # scale fields against ~250,000 labels. Ratings are integers, so sums are exact either way.
    counts: dict[str, list[tuple[float, int]]] = {}
    for item, value, n in _histograms(db, task, field):
        v = json.loads(value)
        numbers = counts.setdefault(item, [])
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            numbers.append((v, n))
    gold: dict[str, tuple[Any, str]] = {}
    for item, value, adjudicated in db.execute(
            "SELECT item, value, adjudication_id FROM labels WHERE task = ? AND field = ? "
            "AND gold = 1 ORDER BY item, id", [task, field]):  # two researchers: the later
        gold[item] = (json.loads(value), "adjudicated" if adjudicated is not None else "gold")
    for item in sorted(counts.keys() | gold.keys()):
        numbers = counts.get(item, [])
        n = sum(c for _v, c in numbers)
        record = {"task": task, "item": item, "field": field, "n_labelers": n}
        if n:
            record.update(mean=round(sum(v * c for v, c in numbers) / n, 4),
                          spread=float(max(v for v, _c in numbers) - min(v for v, _c in numbers)))
        if item in gold:
            record.update(value=gold[item][0], method=gold[item][1])
        else:
            record.update(value=record.get("mean"), method="mean")
        yield record


Gold = tuple[Ranking, str]  # a researcher's ranking and its resolution


def _rankings(db: sqlite_utils.Database) -> Iterator[dict[str, Any]]:
    batch: list[tuple[str, list[str], list[Ranking], Gold | None]] = []

    def flush() -> Iterator[dict[str, Any]]:
        solved = consensus_rankings([(outs, rankings) for _p, outs, rankings, _g in batch])
        for (prompt, _outs, rankings, gold), result in zip(batch, solved, strict=True):
            record: dict[str, Any] = {"task": "ranking", "item": prompt, "field": "ranking",
                                      "n_labelers": len(rankings)}
            if gold:
                record.update(value=gold[0], method=gold[1])
            else:
                record.update(value=result.ranking, method="bradley_terry",
                              scores={o: round(s, 4) for o, s in result.scores.items()})
            yield record
        batch.clear()

    rows = db.conn.cursor().execute(
        "SELECT item, value, gold, adjudication_id FROM labels "
        "WHERE task = 'ranking' AND field = 'ranking' ORDER BY item")
    current: str | None = None
    rankings: list[Ranking] = []
    gold: Gold | None = None
    for item, value, is_gold, adjudicated in rows:
        if item != current:
            if current is not None:
                batch.append((current, _outputs(rankings, gold), rankings, gold))
            current, rankings, gold = item, [], None
        ranking = json.loads(value)
        if is_gold:
            gold = (ranking, "adjudicated" if adjudicated is not None else "gold")
        else:
            rankings.append(ranking)
        if len(batch) >= RANKING_BATCH:
            yield from flush()
    if current is not None:
        batch.append((current, _outputs(rankings, gold), rankings, gold))
    yield from flush()


def _outputs(rankings: list[Ranking], gold: Gold | None) -> list[str]:
    found = {o for r in rankings for g in r for o in g}
    if gold:
        found |= {o for g in gold[0] for o in g}
    return sorted(found)


def _schema_fields(db: sqlite_utils.Database, schema: Schema) -> Iterator[tuple[str, str, Field]]:
    """The schema's fields of TASKS that have labels, by task and field: one index probe a
    field (a DISTINCT over every label took 0.65 s at a million); a task or field the schema no
    longer has is left out, as it has nothing to say."""
    for f in sorted((f for f in schema.all_fields() if f.task in TASKS),
                    key=lambda f: (f.task, f.name)):
        if db.execute("SELECT 1 FROM labels WHERE task = ? AND field = ? LIMIT 1",
                      [f.task, f.name]).fetchone():
            yield f.task, f.name, f


def consensus(db: sqlite_utils.Database, schema: Schema | None = None, *,
              method: str = "dawid_skene") -> Iterator[dict[str, Any]]:
    """One record per labeled (task, item, field): `value`, `method` (`dawid_skene` or, with
    `method="mace"`, `mace`; `mean`, `bradley_terry`, or `gold`/`adjudicated` when a
    researcher's value overrides) and `n_labelers`; plus `confidence` (the posterior of the
    value) for yes/no and category fields, `mean` and `spread` for scales, `scores` for
    rankings."""
    if method not in CATEGORICAL_METHODS:
        raise StoreError(f"consensus method {method!r}: expected one of {', '.join(CATEGORICAL_METHODS)}")
    schema = schema or load_schema()
    for task, field, f in _schema_fields(db, schema):
        if f.kind == "ranking":
            yield from _rankings(db)
        elif f.kind in CATEGORICAL:
            yield from _categorical(db, task, field, _domain(f.kind, f.choices), method)
        elif f.kind == "scale":
            yield from _scale(db, task, field)
