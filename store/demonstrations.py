"""Written demonstrations: submitting one, and researchers scoring them anonymously.

A demonstration is known to scorers only as `d<labels.id>` of its `demonstration`/`text` label,
so neither the score task nor the score label names the writer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from store import labels, queue
from store.db import immediate, now
from store.errors import StoreError
from store.roster import role_of
from store.schema import Schema
from store.values import Assignment, LabelValue
from store.views import Prompt, get_prompt

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

WRITE_KIND = "demonstration"
SCORE_KIND = "demonstration_score"
PREFIX = "d"


@dataclass(frozen=True)
class Demonstration:
    """What a scorer sees: the prompt and the answer, never who wrote it."""

    id: str
    prompt: Prompt
    text: str


def demonstration_id(label_id: int) -> str:
    return f"{PREFIX}{label_id}"


def label_id_of(demo_id: str) -> int:
    if not demo_id.startswith(PREFIX) or not demo_id[len(PREFIX):].isdigit():
        raise StoreError(f"{demo_id!r} is not a demonstration id (d<number>)")
    return int(demo_id[len(PREFIX):])


def submit_demonstration(
    db: sqlite_utils.Database,
    assignment_id: int,
    prompt_id: str,
    text: str,
    *,
    seconds: float | None = None,
    schema: Schema | None = None,
    overlap: int | None = None,
    active_seconds: float | None = None,
) -> None:
    """Store the answer as the `demonstration`/`text` label, close the task, and queue the
    answer for the researchers' scoring."""
    value = LabelValue(WRITE_KIND, prompt_id, "text", text)
    labels.submit(db, assignment_id, [value], seconds=seconds, schema=schema, overlap=overlap,
                  active_seconds=active_seconds)
    ensure_score_tasks(db)


def ensure_score_tasks(db: sqlite_utils.Database) -> int:
    """One `demonstration_score` task per labeler-written demonstration (idempotent); the
    researchers' own (gold) answers are not screening data.

    A score task keeps the quiz of the task the answer was written in, so the researchers'
    queue offers quiz answers first. Returns how many tasks were added.
    """
    with immediate(db):
        cur = db.execute(
            """INSERT OR IGNORE INTO tasks (kind, item, quiz, created_at)
               SELECT ?, ? || l.id, coalesce(t.quiz, ''), ?
               FROM labels l
               LEFT JOIN assignments a ON a.id = l.assignment_id
               LEFT JOIN tasks t ON t.id = a.task_id
               WHERE l.task = ? AND l.field = 'text' AND l.gold = 0
               ORDER BY l.id""",
            [SCORE_KIND, PREFIX, now(), WRITE_KIND],
        )
        return cur.rowcount


def get_demonstration(db: sqlite_utils.Database, demo_id: str) -> Demonstration:
    row = db.execute(
        "SELECT item, value FROM labels WHERE id = ? AND task = ? AND field = 'text'",
        [label_id_of(demo_id), WRITE_KIND],
    ).fetchone()
    if row is None:
        raise StoreError(f"no demonstration {demo_id}")
    return Demonstration(demo_id, get_prompt(db, row[0]), json.loads(row[1]))


def claim_score(
    db: sqlite_utils.Database, researcher: str, *, lease_seconds: int = 3600
) -> Assignment | None:
    """The researcher's next demonstration to score (their unfinished one first)."""
    if role_of(db, researcher) != "researcher":
        raise StoreError(f"{researcher!r} is not a researcher; only researchers score demonstrations")
    ensure_score_tasks(db)
    return queue.claim_next(db, researcher, SCORE_KIND, overlap=1, lease_seconds=lease_seconds)


def submit_score(
    db: sqlite_utils.Database,
    assignment_id: int,
    demo_id: str,
    rating: int,
    *,
    seconds: float | None = None,
    schema: Schema | None = None,
) -> None:
    value = LabelValue(SCORE_KIND, demo_id, "rating", rating)
    labels.submit(db, assignment_id, [value], seconds=seconds, schema=schema)
