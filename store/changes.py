"""What a report is computed from, in one cheap row: screens that compute a report (the quality
dashboard, statistics) compare it with the row of their last figures and compute again only
when it moved.

Every label, gold-check answer and assignment gets a new id; a submit, skip, expiry, pause or
resume logs an event; the roster and the screening quizzes are counted. Values a later import
rewrites in place (`ON CONFLICT … DO UPDATE` keeps the id) are not seen: the screens' refresh key
computes regardless.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

_STAMP = """SELECT (SELECT max(id) FROM labels), (SELECT max(id) FROM events),
                   (SELECT max(id) FROM gold_answers), (SELECT max(id) FROM assignments),
                   (SELECT count(*) FROM labelers), (SELECT count(*) FROM quiz_takers
                                                     WHERE submitted_at IS NOT NULL)"""


def data_stamp(db: sqlite_utils.Database) -> tuple[Any, ...]:
    """A row that changes whenever labels, checks, assignments, events or the roster do."""
    return tuple(db.execute(_STAMP).fetchone())
