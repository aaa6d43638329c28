"""Import files the public could hand us: bad bytes are refused clearly; hostile text is kept."""

from __future__ import annotations

import json

import pytest

from store.errors import ImportFileError
from store.imports import import_outputs, import_prompts
from tests.cli.subproc import labeldesk, one_line_error
from tests.corpus.hostile import CORPUS, INVALID_FILES


@pytest.mark.parametrize("name", INVALID_FILES)
def test_invalid_text_is_refused_with_file_line_field(db, tmp_path, name):
    raw, problem = INVALID_FILES[name]
    path = tmp_path / f"{name}.jsonl"
    path.write_bytes(raw)
    with pytest.raises(ImportFileError) as caught:
        import_prompts(db, path)
    assert str(caught.value).startswith(f"{path}:2: text: ") and problem in str(caught.value)
    assert db.execute("SELECT count(*) FROM prompts").fetchone()[0] == 0  # all or nothing


def test_invalid_utf8_in_a_csv_names_the_column(db, tmp_path):
    path = tmp_path / "prompts.csv"
    path.write_bytes(b"id,text,category\np1,ok,chat\np2,bad \xff\xfe byte,chat\n")
    with pytest.raises(ImportFileError) as caught:
        import_prompts(db, path)
    assert str(caught.value).startswith(f"{path}:3: text: ") and "UTF-8" in str(caught.value)


def test_the_cli_says_so_in_one_line(db_path, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(INVALID_FILES["invalid_utf8"][0])
    assert labeldesk("init", "--db", str(db_path)).returncode == 0
    line = one_line_error(labeldesk("import", "prompts", str(path), "--db", str(db_path)))
    assert f"{path}:2: text:" in line and "UTF-8" in line


def test_a_surrogate_in_an_output_is_refused(db, tmp_path):
    (tmp_path / "p.jsonl").write_text(json.dumps({"id": "p1", "text": "x"}) + "\n")
    import_prompts(db, tmp_path / "p.jsonl")
    path = tmp_path / "o.jsonl"
    path.write_text(json.dumps({"id": "o1", "prompt_id": "p1", "text": "a\udc00"}) + "\n")
    with pytest.raises(ImportFileError, match=r"o\.jsonl:1: text: .*surrogate"):
        import_outputs(db, path)


def test_hostile_text_survives_the_round_trip(db, tmp_path):
    path = tmp_path / "hostile.jsonl"
    # NUL (U+0000) is refused on both backends (tests/store/test_nul.py): PostgreSQL cannot store it.
    corpus = [item for item in CORPUS if "\x00" not in item.text]
    with path.open("w", encoding="utf-8") as f:
        for item in corpus:
            f.write(json.dumps({"id": item.name, "text": item.text}, ensure_ascii=False) + "\n")
    import_prompts(db, path)
    stored = dict(db.execute("SELECT id, text FROM prompts").fetchall())
    assert stored == {item.name: item.text for item in corpus}


SHORT = [item for item in CORPUS if len(item.text) < 1000]


@pytest.mark.parametrize("item", SHORT, ids=lambda item: item.name)
def test_hostile_keys_and_values_in_errors_cannot_act_on_the_terminal(db, tmp_path, item):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"id": "p1", "text": "x", item.text: 1}) + "\n"
                    + json.dumps({"id": "p2", "text": "x", "source": item.text}) + "\n")
    with pytest.raises(ImportFileError) as caught:
        import_prompts(db, path)
    lines = str(caught.value).split("\n")  # one line per bad record
    assert len(lines) == 2 and all(line.isprintable() for line in lines), lines


def test_the_cli_prints_an_escaped_key(db_path, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"id": "p1", "text": "x", "\x1b]0;pwned\x07": 1}) + "\n")
    assert labeldesk("init", "--db", str(db_path)).returncode == 0
    line = one_line_error(labeldesk("import", "prompts", str(path), "--db", str(db_path)))
    assert "\x1b" not in line and "\\x1b]0;pwned\\x07: unknown key" in line
