"""Where a labeler left off: the unfinished task they last typed into."""

from __future__ import annotations

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
