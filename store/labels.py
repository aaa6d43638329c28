"""Saving labels: drafts as the labeler goes, and one transaction per submitted task."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from store.db import guideline_version_of, immediate, now
from store.dialect import dialect_of
from store.disputes import escalated_overlap
from store.errors import LabelError, StoreError
from store.events import log_event
from store.quality.gold import record_gold_answers
from store.queue import done_by_others, lease_end, lock_assignment, mark_full_if_done
from store.roster import role_of
from store.schema import Schema, load_schema
from store.values import Assignment, LabelValue

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

    from store.disputes import Rules


@dataclass(frozen=True)
class LabelRow:
    id: int
    labeler: str
    task: str
    item: str
    field: str
    value: Any
    gold: bool
    created_at: str
    seconds: float | None


def save_draft(
    db: sqlite_utils.Database,
    assignment_id: int,
    data: dict[str, Any],
    *,
    lease_seconds: int | None = None,
) -> None:
    """Keep what the labeler has entered so far. With `lease_seconds`, an active assignment's
    lease is also pushed out to at least that long from now: someone still typing keeps the
    task, however long the answer takes."""
    upsert = (
        "INSERT INTO drafts (assignment_id, data, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(assignment_id) DO UPDATE SET data = excluded.data, "
        "updated_at = excluded.updated_at"
    )
    args = [assignment_id, json.dumps(data, ensure_ascii=False), now()]
    if lease_seconds is None:
        db.execute(upsert, args)  # one statement: atomic on its own
        return
    until = lease_end(lease_seconds)
    with immediate(db):
        db.execute(upsert, args)
        db.execute(
            "UPDATE assignments SET lease_until = "
            "CASE WHEN lease_until > ? THEN lease_until ELSE ? END "
            "WHERE id = ? AND status = 'active'", [until, until, assignment_id])


def load_draft(db: sqlite_utils.Database, assignment_id: int) -> dict[str, Any] | None:
    row = db.execute("SELECT data FROM drafts WHERE assignment_id = ?", [assignment_id]).fetchone()
    return json.loads(row[0]) if row else None


def check_conditions(values: Iterable[LabelValue], schema: Schema) -> None:
    """A conditional field may only be stored when its conditions hold in the same set."""
    given = {f"{v.task}.{v.field}": v.value for v in values}
    by_item = {(v.task, v.field, v.item) for v in values}
    for task, name, item in by_item:
        f = schema.field(task, name)
        for cond, want in f.when.items():
            if cond in given and given[cond] != want:
                raise LabelError(f"{f.qualified} on {item}: only asked when {cond} is {want}")


def write_labels(
    db: sqlite_utils.Database,
    labeler: str,
    values: Iterable[LabelValue],
    *,
    gold: bool,
    schema: Schema,
    seconds: float | None = None,
    assignment_id: int | None = None,
    created_at: str | None = None,
    adjudication_id: int | None = None,
    guideline_version: str | None = None,
) -> int:
    """Insert or replace label values (the caller holds the transaction). Each is stamped with
    `guideline_version`, by default the one the database was opened under
    (`store.db.set_guideline_version`, from `[guidelines] version`)."""
    stamp = created_at or now()
    version = guideline_version or guideline_version_of(db)
    rows = []
    for v in values:
        schema.validate(v.task, v.field, v.value)
        rows.append([labeler, v.task, v.item, v.field, json.dumps(v.value, ensure_ascii=False),
                     int(gold), stamp, seconds, assignment_id, version, adjudication_id])
    if rows:
        # One batch: one round trip to a PostgreSQL server (psycopg pipelines executemany).
        db.conn.executemany(
            """INSERT INTO labels (labeler, task, item, field, value, gold, created_at, seconds,
                                   assignment_id, guideline_version, adjudication_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(labeler, task, item, field) DO UPDATE SET
                 value = excluded.value, gold = excluded.gold, created_at = excluded.created_at,
                 seconds = excluded.seconds, assignment_id = excluded.assignment_id,
                 guideline_version = excluded.guideline_version,
                 adjudication_id = excluded.adjudication_id""", rows)
    return len(rows)


def submit(
    db: sqlite_utils.Database,
    assignment_id: int,
    values: list[LabelValue],
    *,
    seconds: float | None = None,
    schema: Schema | None = None,
    overlap: int | None = None,
    active_seconds: float | None = None,
    escalation: Rules | None = None,
) -> None:
    """Validate and write every label of a task, close its assignment, drop its draft.

    With `overlap`, a task that this submit finishes for good leaves the open pool at once
    (unless `escalation`, the `[adjudication]` rules, finds it disputed: it wants more labelers).
    A hidden gold check's answers go to the quality report (`gold_answers`), not to `labels`.
    """
    schema = schema or load_schema()
    if not values:
        raise LabelError("nothing to submit")
    for v in values:
        schema.validate(v.task, v.field, v.value)
    check_conditions(values, schema)
    # PostgreSQL: one server-side function call (store/server_submit_checks.py; a hidden gold
    # check too), unless a rule that lives here applies (a researcher's gold, a possible
    # escalation).
    outcome = dialect_of(db).submit_on_server(db, [
        assignment_id, [v.task for v in values], [v.item for v in values],
        [v.field for v in values], [json.dumps(v.value, ensure_ascii=False) for v in values],
        seconds, active_seconds, overlap, escalation is not None, now(),
        guideline_version_of(db)])
    if outcome == "done":
        return
    if outcome == "missing":
        raise StoreError(f"no assignment {assignment_id}")
    if outcome is not None and outcome.startswith("status:"):
        raise StoreError(f"this task was already {outcome.removeprefix('status:')}")
    # No global write lock on PostgreSQL either: the assignment's and its task's row locks
    # order the submits and claims of one task, constraints the rest.
    with immediate(db, shared=True):
        a, check, role = lock_assignment(db, assignment_id)
        if a.status not in ("active", "expired"):
            raise StoreError(f"this task was already {a.status}")
        if check:
            record_gold_answers(db, a, values, seconds=seconds, active_seconds=active_seconds,
                                schema=schema)
        else:
            gold = (role or role_of(db, a.labeler)) == "researcher"  # role_of: not in the roster
            if gold:
                # Researchers' gold reaches tasks of other kinds (the gold_tasks triggers):
                # it writes alone, as every other write does.
                dialect_of(db).exclusive(db)
            if overlap is not None and not gold:
                _note_over_overlap(db, a, overlap, escalation)
            write_labels(db, a.labeler, values, gold=gold, schema=schema, seconds=seconds,
                         assignment_id=a.id)
        db.execute(
            "UPDATE assignments SET status = 'done', finished_at = ?, seconds = ?, "
            "active_seconds = ?, lease_until = NULL WHERE id = ?",
            [now(), seconds, active_seconds, a.id],
        )
        db.execute("DELETE FROM drafts WHERE assignment_id = ?", [a.id])
        if overlap is not None and not check:  # a check adds no label: no overlap to fill
            mark_full_if_done(db, a.task_id, overlap, escalation, (a.kind, a.item))
        log_event(db, a.labeler, "submit", {"task": a.task_id, "item": a.item, "n": len(values)})


def _note_over_overlap(
    db: sqlite_utils.Database, a: Assignment, overlap: int, escalation: Rules | None = None
) -> None:
    """A submit that others already filled the item for (this labeler's lease ran out and the
    item went to others meanwhile) is kept — it is real work — and recorded, so `labeldesk
    stats` can say how many items exceed their overlap and why (docs/deployment.md). A disputed
    item escalated to more labelers (`escalation`) is not over its overlap."""
    others = done_by_others(db, a.task_id, a.labeler)
    if others >= overlap and others >= escalated_overlap(db, a.kind, a.item, overlap, escalation):
        log_event(db, a.labeler, "over_overlap", {
            "task": a.task_id, "item": a.item, "done_before": others, "overlap": overlap,
            "lease_until": a.lease_until})


ANY_VERSION = object()  # `iter_labels(guideline_version=...)` default: labels of every version


def guideline_versions(db: sqlite_utils.Database) -> list[str | None]:
    """The guideline versions labelers' labels were made under (None: before versions)."""
    return [r[0] for r in db.execute(
        "SELECT guideline_version FROM labels WHERE gold = 0 GROUP BY guideline_version "
        "ORDER BY guideline_version IS NOT NULL, guideline_version")]


def label_filters(
    *,
    labeler: str | None = None,
    task: str | None = None,
    since: str | None = None,
    gold: bool | None = None,
    guideline_version: Any = ANY_VERSION,
    alias: str = "",
) -> tuple[list[str], list[object]]:
    """SQL conditions (and their arguments) on `labels` columns, for readers of labels."""
    a = f"{alias}." if alias else ""
    where: list[str] = []
    args: list[object] = []
    if guideline_version is not ANY_VERSION:
        where.append(f"{a}guideline_version IS ?")
        args.append(guideline_version)
    for column, value in (("labeler", labeler), ("task", task)):
        if value is not None:
            where.append(f"{a}{column} = ?")
            args.append(value)
    if since:
        where.append(f"{a}created_at >= ?")
        args.append(since)
    if gold is not None:
        where.append(f"{a}gold = ?")
        args.append(int(gold))
    return where, args


def iter_labels(
    db: sqlite_utils.Database,
    *,
    labeler: str | None = None,
    task: str | None = None,
    since: str | None = None,
    gold: bool | None = None,
    guideline_version: Any = ANY_VERSION,
) -> Iterator[LabelRow]:
    where, args = label_filters(labeler=labeler, task=task, since=since, gold=gold,
                                guideline_version=guideline_version)
    sql = "SELECT id, labeler, task, item, field, value, gold, created_at, seconds FROM labels"
    if where:
        sql += " WHERE " + " AND ".join(where)
    for row in db.execute(sql + " ORDER BY id", args):
        yield LabelRow(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), bool(row[6]),
                       row[7], row[8])
