"""Where a labeler left off: the unfinished task they last typed into, and a screening quiz
waiting for them. The home screen asks both at start-up, so this module stays light (the quiz
machinery in store/quiz/ costs ~12 ms to import)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils


def unfinished_kind(db: sqlite_utils.Database, labeler: str) -> str | None:
    """The kind of work of the labeler's most recently drafted active task (quizzes aside)."""
    row = db.execute(
        """SELECT t.kind FROM assignments a
           JOIN tasks t ON t.id = a.task_id
           JOIN drafts d ON d.assignment_id = a.id
           WHERE a.labeler = ? AND a.status = 'active' AND t.quiz = ''
           ORDER BY d.updated_at DESC, a.id DESC LIMIT 1""",
        [labeler],
    ).fetchone()
    return row[0] if row else None


def pending_quiz(db: sqlite_utils.Database, labeler: str) -> str | None:
    """The labeler's oldest assigned quiz that is not submitted yet: the home screen opens it first."""
    found = pending_quiz_state(db, labeler)
    return found[0] if found else None


def pending_quiz_state(db: sqlite_utils.Database, labeler: str) -> tuple[str, bool] | None:
    """That quiz and whether the candidate has begun it (an answer saved)."""
    row = db.execute(
        "SELECT quiz, started_at IS NOT NULL FROM quiz_takers WHERE labeler = ? "
        "AND submitted_at IS NULL ORDER BY assigned_at, quiz LIMIT 1", [labeler]).fetchone()
    return (row[0], bool(row[1])) if row else None
