"""NUL (U+0000) in text: one rule on both backends. SQLite would store it and PostgreSQL
cannot, so an import refuses it with `file:line: field: NUL character` and writes nothing, a
quiz file names its key, and `db copy` from a source that holds one (written by hand or by an
older LabelDesk) names table, id and column, leaving the destination empty."""

from __future__ import annotations

import json

import pytest

from store.copy import copy_database, first_nonempty
from store.db import open_db
from store.errors import ImportFileError, StoreError
from store.imports import import_labels, import_prompts
from store.quiz import admin
from store.quiz.file import QuizFileError

from ..conftest import QUIZ_EXAMPLE


def count(db, table: str) -> int:
    return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_an_import_refuses_it_and_writes_nothing(db, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"id": "ok", "text": "Fine."}) + "\n"
                    + json.dumps({"id": "bad", "text": "a\u0000b"}) + "\n")
    with pytest.raises(ImportFileError) as caught:
        import_prompts(db, path)
    assert str(caught.value) == f"{path}:2: text: NUL character (U+0000)"
    assert count(db, "prompts") == 0  # not the good line either


def test_a_label_value_holding_it_is_refused(sample_db, tmp_path):
    path = tmp_path / "l.jsonl"
    path.write_text(json.dumps({"labeler": "alice", "task": "instruction", "item": "p1",
                                "field": "category", "value": "other\u0000"}) + "\n")
    before = count(sample_db, "labels")
    with pytest.raises(ImportFileError, match=r":1: value: NUL character"):
        import_labels(sample_db, path)
    assert count(sample_db, "labels") == before


def test_a_quiz_file_names_the_key(db, tmp_path):
    path = tmp_path / "quiz.toml"
    text = QUIZ_EXAMPLE.read_text()
    path.write_text(text.replace('prompt = "Write a short poem', 'prompt = "\\u0000Write a short poem', 1))
    with pytest.raises(QuizFileError, match=r"quiz.toml: [\w.]*prompt: NUL character"):
        admin.import_quiz(db, path)
    assert count(db, "quizzes") == 0


def test_db_copy_names_table_id_and_column(db, tmp_path):
    source = open_db(tmp_path / "old.db")
    source.execute("INSERT INTO prompts (id, text, source, style, status, created_at) "
                   "VALUES ('p\u00e9', 'fine', 'api', 'plain', 'pool', '2024-01-01')")
    source.execute("INSERT INTO prompts (id, text, source, style, status, created_at) "
                   "VALUES ('p2', ?, 'api', 'plain', 'pool', '2024-01-01')", ["x\u0000y"])
    source.conn.commit()
    with pytest.raises(StoreError) as caught:
        copy_database(source, db)
    assert str(caught.value).startswith("prompts id 'p2': text: NUL character (U+0000)")
    assert first_nonempty(db) is None
    source.close()
