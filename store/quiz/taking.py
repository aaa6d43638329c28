"""Taking a screening quiz: the candidate's session, answers as drafts, lock on submit.

A quiz item is a prompt `<quiz>/<item>` (status 'held': no pool, queue or export sees it) with
its completions as outputs `<quiz>/<item>/A`.., and a `tasks` row of kind 'quiz'. Assigning makes
one assignment per item for the candidate; each answer is kept in that assignment's draft as it
is given (with the seconds spent), and the final submit writes every answer as labels in one
transaction and locks the quiz. Gold lives only in `labels` (gold = 1): nothing here that a
candidate's screen reads ever touches it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from store.db import immediate, now
from store.demonstrations import ensure_score_tasks
from store.errors import StoreError
from store.events import log_event
from store.labels import load_draft, save_draft, write_labels
from store.quiz.admin import prompt_id, require_quiz
from store.quiz.holding import require_holder
from store.ranking import LETTERS, unplaced
from store.roster import role_of
from store.schema import Schema, load_schema
from store.values import LabelValue

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

class QuizLocked(StoreError):
    pass


@dataclass(frozen=True)
class QuizOutput:
    id: str
    letter: str  # as shown to this candidate
    text: str


@dataclass(frozen=True)
class QuizItem:
    position: int
    section: str
    item: str
    assignment_id: int
    prompt_id: str
    prompt: str = ""
    outputs: tuple[QuizOutput, ...] = ()
    prompt_flags: tuple[str, ...] = ()
    completion_flags: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    question: str = ""
    free_text: bool = True


@dataclass
class QuizView:
    """What the candidate's screen may know: items and their own answers, never gold."""

    quiz: str
    labeler: str
    instructions: str
    items: list[QuizItem]
    answers: dict[int, dict[str, Any]]  # position -> draft (answer + "_seconds")
    position: int
    submitted_at: str | None

    @property
    def locked(self) -> bool:
        return self.submitted_at is not None


def _taker(db: sqlite_utils.Database, name: str, labeler: str) -> tuple[int, str | None]:
    row = db.execute("SELECT position, submitted_at FROM quiz_takers WHERE quiz = ? AND labeler = ?",
                     [name, labeler]).fetchone()
    if row is None:
        raise StoreError(f"quiz {name!r} is not assigned to {labeler!r}")
    return row[0], row[1]


def load_session(db: sqlite_utils.Database, name: str, labeler: str) -> QuizView:
    instructions, definition = require_quiz(db, name)
    position, submitted_at = _taker(db, name, labeler)
    flags = definition["flags"]
    sa = definition.get("self_assessment") or {}
    items, answers = [], {}
    rows = db.execute(
        """SELECT q.position, q.section, q.item, a.id, a."order", p.text
           FROM quiz_items q JOIN assignments a ON a.task_id = q.task_id AND a.labeler = ?
           LEFT JOIN prompts p ON p.id = ? || '/' || q.item
           WHERE q.quiz = ? ORDER BY q.position""", [labeler, name, name]).fetchall()
    for pos, section, item, assignment_id, order, text in rows:
        outputs = {r[0]: r[1] for r in db.execute(
            "SELECT id, text FROM outputs WHERE prompt_id = ?", [prompt_id(name, item)])}
        shown = tuple(QuizOutput(oid, LETTERS[n], outputs[oid])
                      for n, oid in enumerate(json.loads(order or "[]")) if oid in outputs)
        extra: dict[str, Any] = {}
        if section == "flagging":
            extra = {"prompt_flags": tuple(flags["prompt"]),
                     "completion_flags": tuple(flags["completion"]) if shown else ()}
        elif section == "self_assessment":
            extra = {"topics": tuple(sa.get("topics", ())), "groups": tuple(sa.get("groups", ())),
                     "question": sa.get("question", ""), "free_text": sa.get("free_text", True)}
        items.append(QuizItem(pos, section, item, assignment_id, prompt_id(name, item), text or "",
                              shown, **extra))
        draft = load_draft(db, assignment_id)
        if draft is not None:
            answers[pos] = draft
    return QuizView(name, labeler, instructions, items, answers, position, submitted_at)


def save_answer(db: sqlite_utils.Database, session: QuizView, position: int,
                answer: dict[str, Any], *, seconds: float) -> None:
    """Keep one item's answer as given, with the time spent on it so far; refused once locked."""
    item = session.items[position]
    with immediate(db):
        if _taker(db, session.quiz, session.labeler)[1] is not None:
            raise QuizLocked(f"quiz {session.quiz!r} was submitted and is locked")
        require_holder(db, session.quiz, session.labeler)  # not two terminals at once
        data = dict(answer, _seconds=round(seconds, 1))
        save_draft(db, item.assignment_id, data)
        db.execute(
            "UPDATE quiz_takers SET position = ?, started_at = coalesce(started_at, ?) "
            "WHERE quiz = ? AND labeler = ?", [position, now(), session.quiz, session.labeler])
    session.answers[position] = data


def answer_values(item: QuizItem, answer: dict[str, Any]) -> list[LabelValue]:
    """The labels one item's answer becomes; [] for the self-assessment (stored on the taker)."""
    pid = item.prompt_id
    if item.section == "flagging":
        given_p, given_c = answer.get("prompt", {}), answer.get("completion", {})
        values = [LabelValue("instruction", pid, f, given_p[f]) for f in item.prompt_flags if f in given_p]
        if item.outputs:
            values += [LabelValue("output", item.outputs[0].id, f, given_c[f])
                       for f in item.completion_flags if f in given_c]
        return values
    if item.section == "ranking" and answer.get("ranking"):
        return [LabelValue("ranking", pid, "ranking", answer["ranking"])]
    if item.section == "demonstrations" and (answer.get("text") or "").strip():
        return [LabelValue("demonstration", pid, "text", answer["text"])]
    return []


def missing(item: QuizItem, answer: dict[str, Any] | None) -> str | None:
    """Why an item is not answered yet, or None when it is complete."""
    answer = answer or {}
    if item.section == "flagging":
        unset = [f for f in item.prompt_flags if f not in answer.get("prompt", {})]
        unset += [f for f in item.completion_flags if f not in answer.get("completion", {})]
        return f"flags not set: {', '.join(unset)}" if unset else None
    if item.section == "ranking":
        left = unplaced(answer.get("ranking") or [], [o.id for o in item.outputs])
        return "not every completion is ranked" if left else None
    if item.section == "demonstrations":
        return None if (answer.get("text") or "").strip() else "no answer written"
    return None  # the self-assessment may be left empty


def resume_position(session: QuizView) -> int:
    """Where a returning candidate goes on: the first item not answered completely (one never
    opened, or half done), else the review page (`len(items)`)."""
    for item in session.items:
        answer = session.answers.get(item.position)
        if answer is None or missing(item, answer) is not None:
            return item.position
    return len(session.items)


def submit_quiz(db: sqlite_utils.Database, session: QuizView, *, schema: Schema | None = None) -> None:
    """Write every saved answer as labels, close the items, lock the quiz: one transaction.

    The labels are the drafts as stored (what the candidate gave), read under the write lock.
    """
    schema = schema or load_schema()
    stamp = now()
    with immediate(db):
        if _taker(db, session.quiz, session.labeler)[1] is not None:
            raise QuizLocked(f"quiz {session.quiz!r} was already submitted")
        require_holder(db, session.quiz, session.labeler)
        saved = {i.position: load_draft(db, i.assignment_id) or {} for i in session.items}
        gaps = [f"item {i.position + 1}: {why}" for i in session.items
                if (why := missing(i, saved[i.position]))]
        if gaps:
            raise StoreError("the quiz is not complete: " + "; ".join(gaps))
        gold = role_of(db, session.labeler) == "researcher"
        self_assessment = None
        for item in session.items:
            answer = saved[item.position]
            seconds = answer.get("_seconds")
            values = answer_values(item, answer)
            if values:
                write_labels(db, session.labeler, values, gold=gold, schema=schema,
                             seconds=seconds, assignment_id=item.assignment_id, created_at=stamp)
            if item.section == "self_assessment":
                self_assessment = {"selected": list(answer.get("selected", [])),
                                   "text": (answer.get("text") or "").strip()}
            db.execute("UPDATE assignments SET status = 'done', finished_at = ?, seconds = ? "
                       "WHERE id = ?", [stamp, seconds, item.assignment_id])
            db.execute("DELETE FROM drafts WHERE assignment_id = ?", [item.assignment_id])
        db.execute("UPDATE quiz_takers SET submitted_at = ?, self_assessment = ? "
                   "WHERE quiz = ? AND labeler = ?",
                   [stamp, json.dumps(self_assessment, ensure_ascii=False) if self_assessment else None,
                    session.quiz, session.labeler])
        # The written answers join the researchers' scoring queue, quiz answers first.
        ensure_score_tasks(db)
        log_event(db, session.labeler, "quiz_submit", {"quiz": session.quiz})
    session.submitted_at = stamp

