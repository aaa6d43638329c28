"""Hidden gold checks: when to serve one, which gold item, and where its answers go.

A check is served only in place of a production task the labeler could have had (never when
the queue is empty, so the last items of a queue are not all gold), is shuffled and shown like
any task, and its answers go to `gold_answers` instead of `labels`: they never count toward an
item's overlap, never reach an export or the production agreement report.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from store.claim_order import draw_fraction, draw_seed, hash_key
from store.db import now
from store.quality.check_scores import keep_score
from store.quality.policy import QualityPolicy
from store.values import Assignment, LabelValue

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

    from store.schema import Schema


def gold_seed(labeler: str, draw: int) -> str:
    """The seed of the gold draws of the labeler's claim number `draw`
    (`claim_order.claim_draw`): whether a check is due, and which gold item."""
    return draw_seed("gold", labeler, draw)


def gold_check_due(labeler: str, draw: int, rate: float) -> bool:
    """A Bernoulli(`rate`) draw: does the labeler's claim number `draw` serve a hidden check?
    (PostgreSQL's claim function draws the same: store/claim_order.py.)"""
    return rate > 0 and draw_fraction(gold_seed(labeler, draw)) < rate


def gold_cutoff(policy: QualityPolicy, at: datetime) -> str:
    """Checks claimed before this may be served again (`gold_repeat_days`); "": never."""
    repeat = policy.gold_repeat_days
    return (at - timedelta(days=repeat)).isoformat(timespec="milliseconds") if repeat else ""


def pick_gold_task(db: sqlite_utils.Database, labeler: str, kind: str, policy: QualityPolicy,
                   at: datetime, draw: int) -> tuple[int, str] | None:
    """A gold task of this kind the labeler has not had (or, with `gold_repeat_days`, had as a
    check longer ago than that), drawn for the labeler's claim number `draw` (the first in
    `gold_seed`'s order); None when there is none left."""
    cutoff = gold_cutoff(policy, at)
    candidates = db.execute(
        """SELECT g.task_id, t.item FROM gold_tasks g JOIN tasks t ON t.id = g.task_id
           WHERE g.kind = ?
             AND NOT EXISTS (SELECT 1 FROM prompts p WHERE p.id = t.item AND p.status != 'pool')
             AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = g.task_id
                             AND a.labeler = ? AND NOT (? != '' AND a.gold_check = 1
                             AND a.status != 'active' AND a.claimed_at < ?))
           ORDER BY g.task_id""",
        [kind, labeler, cutoff, cutoff],
    ).fetchall()
    seed = gold_seed(labeler, draw)
    picked = min(candidates, key=lambda c: (hash_key(seed, c[0]), c[0]), default=None)
    return (int(picked[0]), str(picked[1])) if picked else None


def is_gold_check(db: sqlite_utils.Database, assignment_id: int) -> bool:
    row = db.execute("SELECT gold_check FROM assignments WHERE id = ?", [assignment_id]).fetchone()
    return bool(row and row[0])


def record_gold_answers(db: sqlite_utils.Database, assignment: Assignment,
                        values: Sequence[LabelValue], *,
                        seconds: float | None, active_seconds: float | None,
                        schema: Schema) -> None:
    """Keep a gold check's answers for the quality report, and their counts against the gold
    (store/quality/check_scores.py), inside the caller's transaction."""
    answers: list[list[Any]] = [[v.task, v.item, v.field, v.value] for v in values]
    text, stamp = json.dumps(answers, ensure_ascii=False), now()
    row = db.execute(
        """INSERT INTO gold_answers (assignment_id, labeler, kind, item, answers, submitted_at,
                                     seconds, active_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           RETURNING id""",
        [assignment.id, assignment.labeler, assignment.kind, assignment.item,
         text, stamp, seconds, active_seconds],
    ).fetchone()
    # Scored as the report would read them back: from the stored JSON.
    keep_score(db, int(row[0]), assignment.labeler, stamp, json.loads(text), schema)
