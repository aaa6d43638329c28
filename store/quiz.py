"""Screening quizzes in the database: import, assign, take (answers as drafts), lock on submit.

A quiz item is a prompt `<quiz>/<item>` (status 'held': no pool, queue or export sees it) with
its completions as outputs `<quiz>/<item>/A`.., and a `tasks` row of kind 'quiz'. Assigning makes
one assignment per item for the candidate; each answer is kept in that assignment's draft as it
is given (with the seconds spent), and the final submit writes every answer as labels in one
transaction and locks the quiz. Gold lives only in `labels` (gold = 1): nothing here that a
candidate's screen reads ever touches it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.db import immediate, now
from store.demonstrations import ensure_score_tasks
from store.errors import StoreError
from store.events import log_event
from store.labels import LabelValue, load_draft, save_draft, write_labels
from store.queue import shuffled
from store.quizfile import LETTERS, QuizFile, QuizFileError, load_quiz
from store.resume import pending_quiz  # noqa: F401 - part of this module's API
from store.roster import add_labeler, role_of
from store.schema import Schema, load_schema

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

KIND = "quiz"
SELF_ITEM = "self_assessment"


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
class QuizSession:
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


@dataclass
class QuizSummary:
    name: str
    items: dict[str, int]
    assigned: int
    submitted: int
    takers: list[tuple[str, str | None]] = field(default_factory=list)  # (labeler, submitted_at)


def prompt_id(quiz: str, item: str) -> str:
    return f"{quiz}/{item}"


def bool_fields(schema: Schema, task: str) -> set[str]:
    return {f.name for f in schema.task(task).fields if f.kind == "bool"}


# ----------------------------------------------------------------- import

def _definition(q: QuizFile) -> dict[str, Any]:
    """The quiz as stored for screens: everything except gold."""
    sa = q.self_assessment
    return {
        "flags": {"prompt": list(q.prompt_flags), "completion": list(q.completion_flags)},
        "self_assessment": None if sa is None else {
            "question": sa.question, "topics": list(sa.topics), "groups": list(sa.groups),
            "free_text": sa.free_text,
        },
    }


def _items(q: QuizFile):
    """(section, id, prompt, completions) in quiz order: flagging, ranking, demonstrations."""
    for it in q.flagging:
        yield "flagging", it.id, it.prompt, [it.completion] if it.completion else []
    for it in q.ranking:
        yield "ranking", it.id, it.prompt, list(it.completions)
    for it in q.demonstrations:
        yield "demonstrations", it.id, it.prompt, []


def _gold(q: QuizFile) -> list[LabelValue]:
    out = []
    for it in q.flagging:
        pid = prompt_id(q.name, it.id)
        out += [LabelValue("instruction", pid, k, v) for k, v in it.gold_prompt.items()]
        out += [LabelValue("output", f"{pid}/A", k, v) for k, v in it.gold_completion.items()]
    for it in q.ranking:
        if it.gold:
            pid = prompt_id(q.name, it.id)
            out.append(LabelValue("ranking", pid, "ranking",
                                  [[f"{pid}/{letter}" for letter in group] for group in it.gold]))
    return out


@dataclass
class ImportedQuiz:
    name: str
    items: int
    gold: int
    unchanged: bool = False


def import_quiz(db: sqlite_utils.Database, path: str | Path, *, schema: Schema | None = None) -> ImportedQuiz:
    """Load, validate and store a quiz file with its gold, in one transaction."""
    schema = schema or load_schema()
    q = load_quiz(path, prompt_fields=bool_fields(schema, "instruction"),
                  output_fields=bool_fields(schema, "output"))
    definition = json.dumps(_definition(q), ensure_ascii=False, sort_keys=True)
    gold = _gold(q)
    stamp = now()
    with immediate(db):
        old = db.execute("SELECT definition FROM quizzes WHERE name = ?", [q.name]).fetchone()
        if old is not None:
            same = old[0] == definition and _stored_items(db, q.name) == [
                (s, i, p, c) for s, i, p, c in _items(q)]
            if not same:
                raise QuizFileError(f"{q.source}: name: quiz {q.name!r} is already imported with other content; give the new version a new name")
        try:
            role = role_of(db, q.gold_labeler)
        except StoreError:
            role = None
        if gold and role == "labeler":
            raise QuizFileError(f"{q.source}: gold_labeler: {q.gold_labeler!r} is a labeler, not a researcher")
        if gold and role is None:
            add_labeler(db, q.gold_labeler, "researcher")
        if old is None:
            _insert_quiz(db, q, definition, stamp)
        write_labels(db, q.gold_labeler, gold, gold=True, schema=schema, created_at=stamp)
        log_event(db, None, "quiz_import", {"quiz": q.name, "gold": len(gold)})
    n = len(q.flagging) + len(q.ranking) + len(q.demonstrations) + (q.self_assessment is not None)
    return ImportedQuiz(q.name, n, len(gold), unchanged=old is not None)


def _insert_quiz(db, q: QuizFile, definition: str, stamp: str) -> None:
    db.execute("INSERT INTO quizzes (name, instructions, definition, source, created_at) VALUES (?, ?, ?, ?, ?)",
               [q.name, q.instructions, definition, q.source, stamp])
    entries = list(_items(q))
    if q.self_assessment is not None:
        entries.append(("self_assessment", SELF_ITEM, None, []))
    for position, (section, item, text, completions) in enumerate(entries):
        pid = prompt_id(q.name, item)
        if text is not None:
            if db.execute("SELECT 1 FROM prompts WHERE id = ?", [pid]).fetchone():
                raise QuizFileError(f"{q.source}: {section}: prompt id {pid!r} already exists in the database")
            db.execute(
                "INSERT INTO prompts (id, text, status, reason, tasks, created_at) "
                "VALUES (?, ?, 'held', ?, '[]', ?)", [pid, text, f"quiz {q.name}", stamp])
            for n, completion in enumerate(completions):
                db.execute("INSERT INTO outputs (id, prompt_id, text, position) VALUES (?, ?, ?, ?)",
                           [f"{pid}/{LETTERS[n]}", pid, completion, n])
        task_id = db.execute("INSERT INTO tasks (kind, item, quiz, created_at) VALUES (?, ?, ?, ?)",
                             [KIND, pid, q.name, stamp]).lastrowid
        db.execute("INSERT INTO quiz_items (quiz, position, item, section, task_id) VALUES (?, ?, ?, ?, ?)",
                   [q.name, position, item, section, task_id])


def _stored_items(db, quiz: str) -> list[tuple]:
    out = []
    for section, item in db.execute(
            "SELECT section, item FROM quiz_items WHERE quiz = ? AND section != 'self_assessment' "
            "ORDER BY position", [quiz]):
        pid = prompt_id(quiz, item)
        text = db.execute("SELECT text FROM prompts WHERE id = ?", [pid]).fetchone()[0]
        outs = [r[0] for r in db.execute("SELECT text FROM outputs WHERE prompt_id = ? ORDER BY position", [pid])]
        out.append((section, item, text, outs))
    return out


def _require_quiz(db, name: str) -> tuple[str, dict[str, Any]]:
    row = db.execute("SELECT instructions, definition FROM quizzes WHERE name = ?", [name]).fetchone()
    if row is None:
        known = ", ".join(r[0] for r in db.execute("SELECT name FROM quizzes ORDER BY name")) or "none"
        raise StoreError(f"no quiz {name!r} (imported: {known})")
    return row[0], json.loads(row[1])


# ----------------------------------------------------------------- assign and list

def assign_quiz(db: sqlite_utils.Database, name: str, labelers: list[str]) -> list[str]:
    """Give the quiz to each labeler (idempotent); returns those newly assigned."""
    added = []
    stamp = now()
    with immediate(db):
        _require_quiz(db, name)
        for labeler in labelers:
            role_of(db, labeler)  # raises UnknownLabeler with the fix in its message
            exists = db.execute("SELECT 1 FROM quiz_takers WHERE quiz = ? AND labeler = ?",
                                [name, labeler]).fetchone()
            if exists:
                continue
            db.execute("INSERT INTO quiz_takers (quiz, labeler, assigned_at) VALUES (?, ?, ?)",
                       [name, labeler, stamp])
            for task_id, item in db.execute(
                    "SELECT t.id, t.item FROM quiz_items q JOIN tasks t ON t.id = q.task_id "
                    "WHERE q.quiz = ? ORDER BY q.position", [name]).fetchall():
                ids = [r[0] for r in db.execute(
                    "SELECT id FROM outputs WHERE prompt_id = ? ORDER BY position", [item])]
                db.execute(
                    """INSERT INTO assignments (task_id, labeler, status, claimed_at, "order")
                       VALUES (?, ?, 'active', ?, ?)""",
                    [task_id, labeler, stamp, json.dumps(shuffled(ids, f"{labeler}:{task_id}"))])
            log_event(db, labeler, "quiz_assign", {"quiz": name})
            added.append(labeler)
    return added


def list_quizzes(db: sqlite_utils.Database) -> list[QuizSummary]:
    out = []
    for (name,) in db.execute("SELECT name FROM quizzes ORDER BY created_at, name").fetchall():
        items: dict[str, int] = {}
        for section, n in db.execute(
                "SELECT section, count(*) FROM quiz_items WHERE quiz = ? GROUP BY section", [name]):
            items[section] = n
        takers = [tuple(r) for r in db.execute(
            "SELECT labeler, submitted_at FROM quiz_takers WHERE quiz = ? ORDER BY labeler", [name])]
        out.append(QuizSummary(name, items, len(takers), sum(1 for _, s in takers if s), takers))
    return out


def assigned_quizzes(db: sqlite_utils.Database, labeler: str) -> list[tuple[str, str | None]]:
    return [tuple(r) for r in db.execute(
        "SELECT quiz, submitted_at FROM quiz_takers WHERE labeler = ? ORDER BY assigned_at, quiz",
        [labeler])]


# ----------------------------------------------------------------- taking the quiz

def _taker(db, name: str, labeler: str):
    row = db.execute("SELECT position, submitted_at FROM quiz_takers WHERE quiz = ? AND labeler = ?",
                     [name, labeler]).fetchone()
    if row is None:
        raise StoreError(f"quiz {name!r} is not assigned to {labeler!r}")
    return row


def load_session(db: sqlite_utils.Database, name: str, labeler: str) -> QuizSession:
    instructions, definition = _require_quiz(db, name)
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
    return QuizSession(name, labeler, instructions, items, answers, position, submitted_at)


def save_answer(db: sqlite_utils.Database, session: QuizSession, position: int,
                answer: dict[str, Any], *, seconds: float) -> None:
    """Keep one item's answer as given, with the time spent on it so far; refused once locked."""
    item = session.items[position]
    with immediate(db):
        if _taker(db, session.quiz, session.labeler)[1] is not None:
            raise QuizLocked(f"quiz {session.quiz!r} was submitted and is locked")
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
        ranked = {o for group in answer.get("ranking") or [] for o in group}
        return None if ranked == {o.id for o in item.outputs} else "not every completion is ranked"
    if item.section == "demonstrations":
        return None if (answer.get("text") or "").strip() else "no answer written"
    return None  # the self-assessment may be left empty


def resume_position(session: QuizSession) -> int:
    """Where a returning candidate goes on: the first item not answered completely (one never
    opened, or half done), else the review page (`len(items)`)."""
    for item in session.items:
        answer = session.answers.get(item.position)
        if answer is None or missing(item, answer) is not None:
            return item.position
    return len(session.items)


def submit_quiz(db: sqlite_utils.Database, session: QuizSession, *, schema: Schema | None = None) -> None:
    """Write every saved answer as labels, close the items, lock the quiz: one transaction.

    The labels are the drafts as stored (what the candidate gave), read under the write lock.
    """
    schema = schema or load_schema()
    stamp = now()
    with immediate(db):
        if _taker(db, session.quiz, session.labeler)[1] is not None:
            raise QuizLocked(f"quiz {session.quiz!r} was already submitted")
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

