"""The demo project after some work, for `db copy`: the bundled demo (roster, prompts, outputs,
gold, labels, disputes) plus what labelers leave behind — a session, a submitted task, a skipped
one, a draft, a screening quiz assigned and begun, a survey answered, events."""

from __future__ import annotations

from pathlib import Path

from store.demo import load_demo
from store.labels import save_draft, submit
from store.queue import claim_next, skip
from store.quiz.admin import assign_quiz, import_quiz
from store.quiz.taking import load_session, save_answer
from store.sessions import start_session
from store.survey_questions import DEMOGRAPHICS
from store.surveys import record_response
from store.values import LabelValue

from .conftest import QUIZ_EXAMPLE, ROOT

DEMO_DIR = ROOT / "tui" / "demo"


def lived_in_project(db) -> None:
    load_demo(db, DEMO_DIR)
    start_session(db, "ana")
    done = claim_next(db, "ana", "comparison", overlap=3)
    values = [LabelValue("ranking", done.item, "ranking", [[o] for o in done.order])]
    values += [LabelValue("output", o, "rating", 1 + i) for i, o in enumerate(done.order)]
    submit(db, done.id, values, seconds=42.5)
    skipped = claim_next(db, "ben", "comparison", overlap=3)
    skip(db, skipped.id, "I cannot judge the code in it")
    drafted = claim_next(db, "cai", "comparison", overlap=3)
    save_draft(db, drafted.id, {"ranking": "B>A", "note": "half done"})
    quiz = import_quiz(db, QUIZ_EXAMPLE).name
    assign_quiz(db, quiz, ["ben"])
    taking = load_session(db, quiz, "ben")
    save_answer(db, taking, 0, {"flags": {}}, seconds=3.0)
    record_response(db, DEMOGRAPHICS, "cai", {"gender": "woman", "age_band": "25-34"})


def table_rows(db, table: str, order: str) -> list[tuple]:
    """A table's rows without engine columns (PostgreSQL's `prompts.rowid`), in `order`."""
    cursor = db.execute(f"SELECT * FROM {table} ORDER BY {order}")
    keep = [i for i, d in enumerate(cursor.description) if d[0] != "rowid"]
    return [tuple(_plain(row[i]) for i in keep) for row in cursor.fetchall()]


def _plain(value):
    # SQLite hands back what was stored; PostgreSQL its column's type (REAL -> float).
    return float(value) if isinstance(value, float) else value


def export_bytes(run, db: str | Path, tmp: Path, name: str) -> dict[str, bytes]:
    """Every export's file, as `labeldesk export ...` writes it from `db`."""
    out = {}
    for kind in ("labels", "sft", "pairs", "ppo"):
        path = tmp / f"{name}-{kind}.jsonl"
        done = run("export", kind, "--out", path, "--db", db, "--labeler", "rhea")
        assert done.exit_code == 0, done.output
        out[kind] = path.read_bytes()
    return out
