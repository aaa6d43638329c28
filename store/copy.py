"""Copying a whole project into an empty database (`labeldesk db copy`): SQLite to PostgreSQL
and back, every row with its id, in one transaction on the destination.

Rows go in as they are, parents before children, so the destination's foreign keys hold row by
row. What triggers maintain is not copied twice: the destination's triggers fill `task_counts`,
`gold_tasks`, `dispute_checks` and the tallies as tasks and labels arrive, and those tables are then set to
the source's rows exactly. `events` is append-only on both engines, and only ever inserted into.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from store.db import immediate
from store.dialect import dialect_of
from store.errors import StoreError

# (table, ORDER BY): parents before children. Ids are kept, so the order only matters where
# nothing but storage order remembers it: prompts are listed in import order (SQLite's rowid;
# on PostgreSQL a `rowid` identity column, see store/dialect.py).
TABLES: tuple[tuple[str, str], ...] = (
    ("labelers", "name"),
    ("prompts", "rowid"),
    ("outputs", "prompt_id, position, id"),
    ("tasks", "id"),
    ("sessions", "id"),
    ("assignments", "id"),
    ("drafts", "assignment_id"),
    ("adjudications", "id"),
    ("labels", "id"),
    ("adjudication_drafts", "kind, item, researcher"),
    ("gold_answers", "id"),
    ("gold_check_scores", "answer_id"),
    ("quality_status", "labeler"),
    ("quizzes", "name"),
    ("quiz_items", "quiz, position"),
    ("quiz_takers", "quiz, labeler"),
    ("survey_responses", "id"),
    ("survey_takers", "survey, labeler"),
    ("events", "id"),
    ("competence_starts", "task, field"),
    # Filled by triggers on the tables above; replaced by the source's rows at the end.
    ("task_counts", "kind, quiz, \"full\""),
    ("gold_tasks", "task_id"),
    ("dispute_checks", "task_id"),
    ("item_tallies", "task, item, field, value"),
    ("gold_tallies", "task, field, labeler, value, gold_value"),
)
DERIVED = ("task_counts", "gold_tasks", "dispute_checks", "item_tallies", "gold_tallies")
# Columns an engine adds of its own (PostgreSQL's `prompts.rowid`): the destination makes them.
ENGINE_COLUMNS = frozenset({"rowid"})
BATCH = 1000


@dataclass
class CopyResult:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def count_rows(db: Any) -> dict[str, int]:
    """Rows per table: the progress bar's length, and what a copy must reproduce."""
    return {table: int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table, _ in TABLES}


def first_nonempty(db: Any) -> str | None:
    """The first table holding a row, or None for an empty project."""
    for table, _ in TABLES:
        if db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None:
            return table
    return None


def copy_database(src: Any, dst: Any, *,
                  progress: Callable[[int], None] | None = None) -> CopyResult:
    """Copy every row of `src` into `dst` (both open and migrated to the same schema) in one
    transaction on `dst`, from one snapshot of `src`: on any error nothing of it stays. `progress(n)` is called as rows
    are written. Refuses a destination that holds any row."""
    check_tables(src)
    result = CopyResult()
    with _snapshot(src), immediate(dst):
        # Under the write lock: nobody can fill the destination between the check and the copy.
        table = first_nonempty(dst)
        if table is not None:
            raise StoreError(f"the destination is not empty (table {table} has rows); "
                             "`db copy` writes only into a new, empty database")
        for table, order in TABLES:
            if table in DERIVED:
                dst.execute(f"DELETE FROM {table}")
            result.rows[table] = _copy_table(src, dst, table, order, progress)
            dialect_of(dst).after_explicit_ids(dst, table)
    return result


@contextmanager
def _snapshot(db: Any) -> Iterator[None]:
    """Every table read as of one moment, so a project copied while labelers work is
    consistent (no label without its assignment)."""
    dialect_of(db).begin_snapshot(db)
    try:
        yield
    finally:
        db.conn.execute("ROLLBACK")  # it only read


def check_tables(src: Any) -> None:
    """Refuse a source with a table this code does not know how to copy (a newer LabelDesk's,
    or someone's own): copying the rest would lose it silently."""
    known = {table for table, _ in TABLES}
    unknown = sorted(set(dialect_of(src).table_names(src)) - known)
    if unknown:
        raise StoreError(f"the source has tables `db copy` does not know: {', '.join(unknown)}; "
                         "nothing was copied")


def _copy_table(src: Any, dst: Any, table: str, order: str,
                progress: Callable[[int], None] | None) -> int:
    cursor = src.execute(f"SELECT * FROM {table} ORDER BY {order}")
    names = [d[0] for d in cursor.description]
    keep = [i for i, name in enumerate(names) if name not in ENGINE_COLUMNS]
    columns = ", ".join(f'"{names[i]}"' for i in keep)
    insert = (f"INSERT INTO {table} ({columns}) "
              f"VALUES ({', '.join('?' for _ in keep)})")
    copied = 0
    while True:
        batch: Sequence[Any] = cursor.fetchmany(BATCH)
        if not batch:
            return copied
        _refuse_nul(table, names, order, batch)
        dst.conn.executemany(insert, [[row[i] for i in keep] for row in batch])
        copied += len(batch)
        if progress is not None:
            progress(len(batch))


def _refuse_nul(table: str, names: list[str], order: str, batch: Sequence[Any]) -> None:
    """The one rule for NUL (U+0000) on both backends: PostgreSQL text cannot hold it and
    imports refuse it, so a source row holding one (written by an older LabelDesk, or by hand
    into SQLite) stops the copy, named by table, id and column, before anything is written."""
    for row in batch:
        for column, value in zip(names, row, strict=True):
            if isinstance(value, str) and "\x00" in value:
                key = "id" if "id" in names else order.split(",")[0].strip().strip('"')
                raise StoreError(f"{table} {key} {row[names.index(key)]!r}: {column}: NUL character "
                                 "(U+0000), which PostgreSQL cannot store; remove it from the "
                                 "source; nothing was copied")
