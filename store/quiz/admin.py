"""Screening quizzes in the database: import a quiz file with its gold, assign it, list quizzes.

A quiz item is a prompt `<quiz>/<item>` (status 'held': no pool, queue or export sees it) with
its completions as outputs `<quiz>/<item>/A`.., and a `tasks` row of kind 'quiz'. Assigning makes
one assignment per item for the candidate (`store.quiz.taking` runs the quiz). Gold lives only in
`labels` (gold = 1).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.db import immediate, now
from store.errors import StoreError
from store.events import log_event
from store.labels import write_labels
from store.quiz.file import QuizFile, QuizFileError, load_quiz
from store.ranking import LETTERS, shuffle_seed, shuffled_order
from store.roster import add_labeler, role_of
from store.schema import Schema, load_schema
from store.values import LabelValue

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

KIND = "quiz"
SELF_ITEM = "self_assessment"


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


def _items(q: QuizFile) -> Iterator[tuple[str, str, str, list[str]]]:
    """(section, id, prompt, completions) in quiz order: flagging, ranking, demonstrations."""
    for flag in q.flagging:
        yield "flagging", flag.id, flag.prompt, [flag.completion] if flag.completion else []
    for rank in q.ranking:
        yield "ranking", rank.id, rank.prompt, list(rank.completions)
    for demo in q.demonstrations:
        yield "demonstrations", demo.id, demo.prompt, []


def _gold(q: QuizFile) -> list[LabelValue]:
    out = []
    for it in q.flagging:
        pid = prompt_id(q.name, it.id)
        out += [LabelValue("instruction", pid, k, v) for k, v in it.gold_prompt.items()]
        out += [LabelValue("output", f"{pid}/A", k, v) for k, v in it.gold_completion.items()]
    for rank in q.ranking:
        if rank.gold:
            pid = prompt_id(q.name, rank.id)
            out.append(LabelValue("ranking", pid, "ranking",
                                  [[f"{pid}/{letter}" for letter in group] for group in rank.gold]))
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


def _insert_quiz(db: sqlite_utils.Database, q: QuizFile, definition: str, stamp: str) -> None:
    db.execute("INSERT INTO quizzes (name, instructions, definition, source, created_at) VALUES (?, ?, ?, ?, ?)",
               [q.name, q.instructions, definition, q.source, stamp])
    entries: list[tuple[str, str, str | None, list[str]]] = list(_items(q))
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
        task_id = db.execute("INSERT INTO tasks (kind, item, quiz, created_at) VALUES (?, ?, ?, ?) "
                             "RETURNING id", [KIND, pid, q.name, stamp]).fetchone()[0]
        db.execute("INSERT INTO quiz_items (quiz, position, item, section, task_id) VALUES (?, ?, ?, ?, ?)",
                   [q.name, position, item, section, task_id])


def _stored_items(db: sqlite_utils.Database, quiz: str) -> list[tuple[Any, ...]]:
    out = []
    for section, item in db.execute(
            "SELECT section, item FROM quiz_items WHERE quiz = ? AND section != 'self_assessment' "
            "ORDER BY position", [quiz]):
        pid = prompt_id(quiz, item)
        text = db.execute("SELECT text FROM prompts WHERE id = ?", [pid]).fetchone()[0]
        outs = [r[0] for r in db.execute("SELECT text FROM outputs WHERE prompt_id = ? ORDER BY position", [pid])]
        out.append((section, item, text, outs))
    return out


def require_quiz(db: sqlite_utils.Database, name: str) -> tuple[str, dict[str, Any]]:
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
        require_quiz(db, name)
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
                    [task_id, labeler, stamp, json.dumps(shuffled_order(ids, shuffle_seed(labeler, task_id)))])
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
