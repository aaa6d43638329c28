"""What a command says when there is little to say, or when the input is off: a pipe closed
early, an empty list, a misnamed file or column, the `task.field` form the reports print."""

import json
import os
import subprocess
import sys

import pytest

from store.db import immediate
from store.imports import import_prompts
from store.labels import write_labels
from store.schema import load_schema
from store.values import LabelValue

from .subproc import ROOT, labeldesk_here, one_line_error

RESEARCHER = {"LABELDESK_LABELER": "rhea"}


@pytest.fixture
def here(db_path):
    def run(*args: str):
        return labeldesk_here(*args, "--db", str(db_path), env=RESEARCHER)
    return run


def test_a_reader_that_stops_early_ends_the_export_quietly(sample_db, db_path, tmp_path):
    """`export … --out - | head -1`: no "Error: Broken pipe", no traceback."""
    script = (f"{sys.executable} -m tui export ppo --out - --db {db_path} 2>{tmp_path}/err "
              "| head -c 1 >/dev/null; echo ${PIPESTATUS[0]}")
    env = {**os.environ, "PYTHONPATH": str(ROOT), **RESEARCHER}
    # Enough records that the writer is still writing when `head` has gone.
    many = tmp_path / "many.jsonl"
    many.write_text("".join(json.dumps({"id": f"m{i}", "text": "x" * 200}) + "\n"
                            for i in range(3000)))
    import_prompts(sample_db, many)
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert done.stdout.strip() in ("0", "1"), done.stdout
    err = (tmp_path / "err").read_text()
    assert "Broken pipe" not in err and "Traceback" not in err, err


def test_quiz_list_says_when_there_is_none(sample_db, here):
    done = here("quiz", "list")
    assert done.returncode == 0
    assert "no quizzes yet" in done.stdout


def test_an_unknown_extension_names_the_ones_read(sample_db, here, tmp_path):
    txt = tmp_path / "prompts.txt"
    txt.write_text("hello\n")
    line = one_line_error(here("import", "prompts", str(txt)))
    assert line.startswith(f"Error: {txt}: unknown format '.txt': records are read from .jsonl ")
    assert line.endswith(" or .csv files")


def test_every_bad_csv_column_at_once_at_line_1(sample_db, here, tmp_path):
    bad = tmp_path / "p.csv"
    bad.write_text("idd,text,colour\n1,a,red\n2,b,blue\n")
    line = one_line_error(here("import", "prompts", str(bad)))
    assert line.startswith(f"Error: {bad}:1: idd, colour: unknown columns (known: id, text,")


def test_every_bad_jsonl_key_at_once(sample_db, here, tmp_path):
    bad = tmp_path / "p.jsonl"
    bad.write_text(json.dumps({"idd": "a", "texxt": "t"}) + "\n")
    line = one_line_error(here("import", "prompts", str(bad)))
    assert line.startswith(f"Error: {bad}:1: idd, texxt: unknown keys (known: id, text,")


@pytest.fixture
def rated(sample_db):
    """Gold and one labeler's score of the same output."""
    item = sample_db.execute("SELECT id FROM outputs ORDER BY id LIMIT 1").fetchone()[0]
    schema = load_schema()
    with immediate(sample_db):
        write_labels(sample_db, "rhea", [LabelValue("output", item, "rating", 5)],
                     schema=schema, gold=True)
        write_labels(sample_db, "alice", [LabelValue("output", item, "rating", 4)],
                     schema=schema, gold=False)
    return sample_db


def test_agreement_takes_the_task_dot_field_form_it_prints(rated, here):
    dotted = here("agreement", "--field", "output.rating", "--format", "json", "--resamples", "0")
    split = here("agreement", "--task", "output", "--field", "rating", "--format", "json",
                 "--resamples", "0")
    assert dotted.returncode == 0, dotted.stderr
    assert json.loads(dotted.stdout) == json.loads(split.stdout)
    assert "output.rating" in json.loads(dotted.stdout)["per_labeler"]["alice"]
    clash = here("agreement", "--task", "ranking", "--field", "output.rating")
    assert clash.returncode == 2 and "names task 'output'" in clash.stderr


def test_agreement_notes_no_free_text_field(rated, here):
    """A demonstration's text is a field of the schema without an agreement figure: no note
    calling it unknown."""
    with immediate(rated):
        write_labels(rated, "alice", [LabelValue("demonstration", "p3", "text", "An answer.")],
                     schema=load_schema(), gold=False)
    done = here("agreement", "--format", "json", "--resamples", "0")
    assert done.returncode == 0, done.stderr
    notes = json.loads(done.stdout).get("notes", [])
    assert not any("demonstration.text" in note for note in notes), notes
