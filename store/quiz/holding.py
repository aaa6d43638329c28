"""Which of a labeler's terminals is taking their quiz: one at a time, taken over explicitly.

A quiz is one set of answers, not a queue: two terminals of one labeler cannot each get their
own item the way ordinary work does (store/sessions.py), and two terminals answering the same
quiz would overwrite each other's answers item by item. So the session that opens the quiz
holds it, like a lease: its quiz assignments carry its session id, which lapses when that
session ends, is killed or falls silent (the session rules of store/sessions.py). While it is
held, another session of the labeler may read the quiz but neither saves nor submits; it can
take the quiz over (`hold_quiz(take_over=True)`, logged as an event), and then the first one is
refused on its next save and told why, its answer kept on its screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.db import immediate
from store.errors import StoreError
from store.events import log_event
from store.sessions import OtherSession, held_elsewhere

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

_QUIZ_ASSIGNMENTS = ("labeler = ? AND task_id IN (SELECT task_id FROM quiz_items WHERE quiz = ?)")


class QuizHeldElsewhere(StoreError):
    """Another live session of the labeler holds the quiz."""

    def __init__(self, quiz: str, other: OtherSession) -> None:
        super().__init__(f"quiz {quiz!r} is open in your other LabelDesk session (on {other.host}, "
                         f"since {other.started_at[11:16]} UTC)")
        self.other = other


def quiz_holder(db: sqlite_utils.Database, quiz: str, labeler: str) -> OtherSession | None:
    """The labeler's other live session holding `quiz`, or None (free, or this session's)."""
    for (sid,) in db.execute(f"SELECT DISTINCT session FROM assignments WHERE {_QUIZ_ASSIGNMENTS} "
                             "AND session IS NOT NULL", [labeler, quiz]).fetchall():
        if held_elsewhere(db, sid):
            row = db.execute("SELECT host, pid, started_at FROM sessions WHERE id = ?", [sid]).fetchone()
            return OtherSession(row[0], row[1], row[2], "quiz", quiz)
    return None


def require_holder(db: sqlite_utils.Database, quiz: str, labeler: str) -> None:
    """Refuse (QuizHeldElsewhere) unless this session may write the quiz: call it under the
    write lock, so no other session takes the quiz over between the check and the write."""
    other = quiz_holder(db, quiz, labeler)
    if other is not None:
        raise QuizHeldElsewhere(quiz, other)


def hold_quiz(db: sqlite_utils.Database, quiz: str, labeler: str, *, take_over: bool = False) -> None:
    """Make this session the one taking `quiz`; refused while another live session holds it,
    unless `take_over` (the labeler chose to continue here)."""
    mine = getattr(db, "session_id", None)
    with immediate(db):
        other = quiz_holder(db, quiz, labeler)
        if other is not None and not take_over:
            raise QuizHeldElsewhere(quiz, other)
        db.execute(f"UPDATE assignments SET session = ? WHERE {_QUIZ_ASSIGNMENTS}",
                   [mine, labeler, quiz])
        if other is not None:
            log_event(db, labeler, "quiz_take_over", {"quiz": quiz, "from_host": other.host,
                                                      "from_pid": other.pid})
