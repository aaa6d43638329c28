"""Exports, streamed record by record so a million labels never sit in memory at once."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from store.errors import StoreError
from store.labels import label_filters
from store.ranking import untied_pairs
from store.rules import kept_sql
from store.strength import STRENGTH_MARGINS, misfit
from store.trainer_shapes import (
    PAIR_FORMATS,
    UNPAIRED_FORMATS,
    assistant,
    check_format,
    prompt_turns,
    shape_pair,
    shape_unpaired,
)

# How settled each (task, item, field) is, for `export labels`: gold (a researcher's value,
# `adjudicated` when it settled a dispute) overrides; else the labelers' values agree
# (`unanimous`, two or more), a strict majority gives one value (`majority`), or neither
# (`unresolved`, which includes a value only one labeler gave).
_RESOLUTION = """
WITH counts AS (SELECT task, item, field, value, count(*) AS c FROM labels WHERE gold = 0
                GROUP BY task, item, field, value),
     spread AS (SELECT task, item, field, sum(c) AS n, max(c) AS top, count(*) AS kinds
                FROM counts GROUP BY task, item, field),
     golds AS (SELECT task, item, field, max(CASE WHEN adjudication_id IS NULL THEN 0 ELSE 1 END) AS adjudicated
               FROM labels WHERE gold = 1 GROUP BY task, item, field)
SELECT l.id, l.labeler, l.task, l.item, l.field, l.value, l.gold, l.created_at, l.seconds,
       l.guideline_version,
       CASE WHEN g.adjudicated = 1 THEN 'adjudicated' WHEN g.adjudicated = 0 THEN 'gold'
            WHEN s.n >= 2 AND s.kinds = 1 THEN 'unanimous'
            WHEN s.n >= 2 AND s.top * 2 > s.n THEN 'majority' ELSE 'unresolved' END
FROM labels l LEFT JOIN spread s USING (task, item, field) LEFT JOIN golds g USING (task, item, field)
"""
RESOLUTIONS = ("gold", "adjudicated", "unanimous", "majority", "unresolved")


def export_labels(
    db: sqlite_utils.Database,
    *,
    since: str | None = None,
    labeler: str | None = None,
    task: str | None = None,
    gold: bool | None = None,
) -> Iterator[dict[str, Any]]:
    """The flat label format of interfaces.md, with each value's `resolution` (RESOLUTIONS) and
    `guideline_version`; `import labels` reads it back unchanged."""
    where, args = label_filters(labeler=labeler, task=task, since=since, gold=gold, alias="l")
    sql = _RESOLUTION + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY l.id"
    for (_id, who, task_, item, field, value, is_gold, created, seconds, version,
         resolution) in db.conn.cursor().execute(sql, args):
        record: dict[str, Any] = {
            "labeler": who,
            "task": task_,
            "item": item,
            "field": field,
            "value": json.loads(value),
        }
        if is_gold:
            record["gold"] = True
        record["created_at"] = created
        if seconds is not None:
            record["seconds"] = seconds
        if version is not None:
            record["guideline_version"] = version
        record["resolution"] = resolution
        yield record


# ------------------------------------------------------------------ training data
# Only prompts that passed the data rules are ever exported: held and dropped ones, and PII
# prompts routed to instruction labeling (status 'pool' with a reason), never are.
KEPT = kept_sql("p")


class Export:
    """Records of one export, streamed; `total` counts the rows they come from (labels or
    prompts), for a progress bar that `records(progress)` advances by one a row (None: not
    counted beforehand)."""

    def __init__(
        self,
        total: int | None,
        rows: Callable[[], Iterable[Any]],
        make: Callable[[Any], Iterable[dict[str, Any]]],
    ) -> None:
        self.total = total
        self._rows = rows
        self._make = make

    def records(self, progress: Callable[[int], None] | None = None) -> Iterator[dict[str, Any]]:
        for row in self._rows():
            yield from self._make(row)
            if progress:
                progress(1)


def _query(
    db: sqlite_utils.Database, select: str, tables: str, where: list[str], args: list[Any], order: str
) -> tuple[int, Callable[[], Iterable[Any]]]:
    sql_where = " WHERE " + " AND ".join(where)
    total = int(db.execute(f"SELECT count(*) FROM {tables}{sql_where}", args).fetchone()[0])
    # A cursor of its own: the caller may write to the same connection while it streams.
    return total, lambda: db.conn.cursor().execute(f"SELECT {select} FROM {tables}{sql_where} ORDER BY {order}", args)


def _narrow(where: list[str], args: list[Any], *, created: str, since: str | None, split: str | None) -> None:
    if since:
        where.append(f"{created} >= ?")
        args.append(since)
    if split:
        where.append("p.split = ?")
        args.append(split)


def _label_filters(
    task: str, field: str, *, since: str | None, split: str | None, gold_only: bool = False
) -> tuple[list[str], list[Any]]:
    where = [KEPT, "l.task = ?", "l.field = ?"]
    args: list[Any] = [task, field]
    _narrow(where, args, created="l.created_at", since=since, split=split)
    if gold_only:
        where.append("l.gold = 1")
    return where, args


SFT_FORMATS = ("chat", "prompt-completion")


def export_sft(
    db: sqlite_utils.Database,
    *,
    since: str | None = None,
    split: str | None = None,
    format: str = "chat",
) -> Export:
    """One record per written demonstration: OpenAI chat `messages` (the prompt's whole
    conversation, then the answer), or `prompt`/`completion`."""
    if format not in SFT_FORMATS:
        raise ValueError(f"format must be one of {', '.join(SFT_FORMATS)}")
    where, args = _label_filters("demonstration", "text", since=since, split=split)
    total, rows = _query(db, "p.id, p.text, l.value, p.messages",
                         "labels l JOIN prompts p ON p.id = l.item", where, args, "l.id")

    def make(row: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
        prompt_id, prompt, value, messages = row
        answer = json.loads(value)
        if format == "chat":
            yield {"prompt_id": prompt_id,
                   "messages": prompt_turns(prompt, messages) + assistant(answer)}
        else:
            yield {"prompt_id": prompt_id, "prompt": prompt, "completion": answer}

    return Export(total, rows, make)


class _OutputTexts:
    """The outputs of the last prompt asked for (rankings come grouped by prompt)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.prompt_id: str | None = None
        self.texts: dict[str, str] = {}

    def of(self, prompt_id: str) -> dict[str, str]:
        if prompt_id != self.prompt_id:
            self.prompt_id = prompt_id
            self.texts = dict(self.db.conn.execute("SELECT id, text FROM outputs WHERE prompt_id = ?", [prompt_id]))
        return self.texts


# Each ranking label with the same labeler's strength and reason for the prompt, when there are
# (one each at most: labels are unique by labeler, task, item and field); `RankedBy.read` takes
# the columns of RANKED_BY.
RANKINGS = ("labels l JOIN prompts p ON p.id = l.item "
            "LEFT JOIN labels s ON s.labeler = l.labeler AND s.task = 'ranking' "
            "AND s.item = l.item AND s.field = 'strength' "
            "LEFT JOIN labels r ON r.labeler = l.labeler AND r.task = 'ranking' "
            "AND r.item = l.item AND r.field = 'reason'")
RANKED_BY = "l.labeler, l.value, l.gold, l.adjudication_id, s.value, r.value"


@dataclass(frozen=True)
class RankedBy:
    """One ranking label of a prompt with its labeler's strength and reason, checked."""

    prompt_id: str
    labeler: str
    ranking: list[list[str]]
    gold: bool
    adjudicated: bool
    levels: list[str] | None
    reason: str | None
    group: dict[str, int]  # each output's group, 0 the best

    @classmethod
    def read(cls, prompt_id: str, labeler: str, value: str, gold: int, adjudication_id: int | None,
             strength: str | None, reason: str | None) -> RankedBy:
        """From the RANKED_BY columns; a strength that does not fit the ranking is a
        StoreError naming labeler and prompt."""
        ranking = json.loads(value)
        levels = json.loads(strength) if strength else None
        problem = misfit(levels, ranking) if levels is not None else None
        if problem:
            raise StoreError(f"ranking.strength of {labeler} on {prompt_id}: {problem}")
        return cls(prompt_id, labeler, ranking, bool(gold), adjudication_id is not None, levels,
                   json.loads(reason) if reason is not None else None,
                   {o: n for n, group in enumerate(ranking) for o in group})

    def between(self, better: str, worse: str, margins: Mapping[str, float]) -> tuple[list[str], float]:
        """The levels of the boundaries from `better`'s group down to `worse`'s and the sum of
        their margins (a level not in `margins` is a StoreError)."""
        assert self.levels is not None
        levels = self.levels[self.group[better]:self.group[worse]]
        unknown = [level for level in levels if level not in margins]
        if unknown:
            raise StoreError(f"ranking.strength of {self.labeler} on {self.prompt_id}: {unknown[0]!r} "
                             "is not one of [comparison] strength_levels")
        return levels, round(float(sum(margins[level] for level in levels)), 4)


def export_pairs(
    db: sqlite_utils.Database,
    *,
    since: str | None = None,
    split: str | None = None,
    gold_only: bool = False,
    labelers: Collection[str] | None = None,
    format: str = "trl",
    strength_margins: Mapping[str, float] | None = None,
) -> Export:
    """Every untied pair of every ranking, TRL field names (`prompt`, `chosen`, `rejected`),
    in one of PAIR_FORMATS (store/trainer_shapes.py).

    Where the labeler gave a strength (one level per boundary of the ranking), a pair gets
    `strength` (the levels of the boundaries between its two outputs) and `margin` (the sum of
    their `strength_margins`; a level not among them is a StoreError); a reason is `reason`.

    `labelers`, when given, keeps only those labelers' rankings (see `agreeing_labelers`);
    researchers' gold rankings are kept whoever made them."""
    check_format(format, PAIR_FORMATS)
    where, args = _label_filters("ranking", "ranking", since=since, split=split, gold_only=gold_only)
    # Grouped by prompt, so each prompt's outputs are read once however many ranked it.
    total, rows = _query(db, "p.id, p.text, p.messages, " + RANKED_BY, RANKINGS, where, args,
                         "l.item, l.id")
    texts = _OutputTexts(db)
    margins = dict(strength_margins if strength_margins is not None else STRENGTH_MARGINS)

    def make(row: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
        prompt_id, prompt, messages = row[:3]
        by = RankedBy.read(prompt_id, *row[3:])
        if labelers is not None and not by.gold and by.labeler not in labelers:
            return
        outputs = texts.of(prompt_id)
        turns = prompt_turns(prompt, messages)
        for chosen, rejected in untied_pairs(by.ranking):
            record: dict[str, Any] = {
                "prompt_id": prompt_id, "prompt": prompt, "chosen": outputs[chosen],
                "rejected": outputs[rejected], "chosen_id": chosen, "rejected_id": rejected,
                "labeler": by.labeler}
            if by.levels is not None:
                record["strength"], record["margin"] = by.between(chosen, rejected, margins)
            if by.reason is not None:
                record["reason"] = by.reason
            yield shape_pair(record, format, turns)

    return Export(total, rows, make)


def export_kto(
    db: sqlite_utils.Database,
    *,
    good: int,
    bad: int,
    since: str | None = None,
    split: str | None = None,
    consensus: bool = False,
    format: str = "trl",
) -> Export:
    """Unpaired preferences (TRL's KTO: `prompt`, `completion`, `label`) from output ratings: an
    output rated `good` or more is desirable (`label` true), `bad` or less undesirable, others left
    out. Per labeler, one record per rating; with `consensus`, one per output from the mean of
    its labelers' ratings, a researcher's (gold) rating overriding it as in `export consensus`."""
    check_format(format, UNPAIRED_FORMATS)
    where = [KEPT, "l.task = 'output'", "l.field = 'rating'"]
    args: list[Any] = []
    _narrow(where, args, created="l.created_at", since=since, split=split)
    tables = "labels l JOIN outputs o ON o.id = l.item JOIN prompts p ON p.id = o.prompt_id"
    if consensus:
        # One row per output; gold's last value wins, else the labelers' mean.
        select = ("p.id, p.text, p.messages, o.id, o.text, "
                  "CASE WHEN max(l.gold) = 1 THEN (SELECT CAST(g.value AS REAL) FROM labels g WHERE "
                  "g.task = 'output' AND g.field = 'rating' AND g.item = o.id AND g.gold = 1 "
                  "ORDER BY g.id DESC LIMIT 1) ELSE avg(CASE WHEN l.gold = 0 THEN CAST(l.value AS REAL) END) END, "
                  "count(CASE WHEN l.gold = 0 THEN 1 END), max(l.gold), "
                  "max(CASE WHEN l.gold = 1 AND l.adjudication_id IS NOT NULL THEN 1 ELSE 0 END)")
        sql_where = " WHERE " + " AND ".join(where)
        total = int(db.execute(f"SELECT count(DISTINCT l.item) FROM {tables}{sql_where}", args).fetchone()[0])

        def rows() -> Iterable[Any]:
            return db.conn.cursor().execute(
                f"SELECT {select} FROM {tables}{sql_where} GROUP BY p.rowid, p.id, p.text, p.messages, "
                "o.id, o.text, o.position ORDER BY p.rowid, o.position", args)
    else:
        total, rows = _query(db, "p.id, p.text, p.messages, o.id, o.text, CAST(l.value AS REAL), "
                             "l.labeler, l.gold", tables, where, args, "l.id")

    def make(row: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
        prompt_id, prompt, messages, output_id, completion, rating = row[:6]
        if bad < rating < good:
            return
        record: dict[str, Any] = {"prompt_id": prompt_id, "prompt": prompt, "completion": completion,
                                  "label": rating >= good, "output_id": output_id}
        if consensus:
            record.update(rating=round(rating, 4), n_labelers=row[6],
                          resolution="adjudicated" if row[8] else "gold" if row[7] else "consensus")
        else:
            record.update(rating=int(rating), labeler=row[6])
        yield shape_unpaired(record, format, prompt_turns(prompt, messages))

    return Export(total, rows, make)


def agreeing_labelers(db: sqlite_utils.Database, min_agreement: float) -> set[str]:
    """Labelers whose rankings agree with gold at least this much (`pairwise_agreement` of
    `labeldesk agreement`); a labeler with no ranking compared with gold is not among them.
    Raises `AgreementError` (a StoreError) when there is no gold ranking."""
    from store.reports.agreement import agreement_report  # numpy and scipy: only when asked

    report = agreement_report(db, task="ranking", field="ranking", n_boot=0)
    return {
        name
        for name, fields in report["per_labeler"].items()
        if (fields.get("ranking.ranking") or {}).get("pairwise_agreement") is not None
        and fields["ranking.ranking"]["pairwise_agreement"] >= min_agreement
    }


def export_ppo(
    db: sqlite_utils.Database,
    *,
    since: str | None = None,
    split: str | None = None,
    exclude_labeled: bool = False,
) -> Export:
    """Every kept API prompt; `exclude_labeled` leaves out those with a demonstration or a
    ranking, so the PPO prompts share none with the SFT and RM data."""
    where, args = [KEPT, "p.source = 'api'"], list[Any]()
    _narrow(where, args, created="p.created_at", since=since, split=split)
    if exclude_labeled:
        where.append("NOT EXISTS (SELECT 1 FROM labels l WHERE l.task IN ('demonstration', 'ranking') AND l.item = p.id)")
    total, rows = _query(db, "p.id, p.text, p.split", "prompts p", where, args, "p.rowid")

    def make(row: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
        yield {"prompt_id": row[0], "prompt": row[1], "split": row[2]}

    return Export(total, rows, make)
