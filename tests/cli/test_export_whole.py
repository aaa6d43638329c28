"""An export that fails part-way leaves no half-written file: it writes a temporary file beside
`--out` and renames it into place only when every record is written (tui/output_file.py)."""

from __future__ import annotations

import json
import os
import stat

import pytest

from tests.conftest import write_jsonl

# Two prompts; pairs come grouped by prompt, so q's pairs are written before r's strength
# (three levels for a ranking with one boundary) stops the export.
LABELS = [
    {"labeler": "ann", "task": "ranking", "item": "q", "field": "ranking", "value": [["q-a"], ["q-b"]]},
    {"labeler": "ann", "task": "ranking", "item": "r", "field": "ranking", "value": [["r-a"], ["r-b"]]},
    {"labeler": "ann", "task": "ranking", "item": "r", "field": "strength",
     "value": ["better", "better", "better"]},
]
FAILURE = "Error: ranking.strength of ann on r: 3 levels for the 1 boundaries of the ranking"


@pytest.fixture
def failing(run, tmp_path):
    """A project whose `export pairs` writes q's pair, then fails on r."""
    write_jsonl(tmp_path / "p.jsonl", [{"id": p, "text": f"prompt {p}"} for p in "qr"])
    write_jsonl(tmp_path / "o.jsonl", [{"id": f"{p}-{x}", "prompt_id": p, "text": f"answer {x}"}
                                       for p in "qr" for x in "ab"])
    write_jsonl(tmp_path / "l.jsonl", LABELS)
    for kind, extra in (("prompts", ()), ("outputs", ()), ("labels", ("--add-labelers",))):
        r = run("import", kind, tmp_path / f"{kind[0]}.jsonl", *extra)
        assert r.exit_code == 0, r.output
    return run


def test_a_failed_export_leaves_no_file_and_no_temporary(failing, tmp_path):
    before = set(os.listdir(tmp_path))
    out = tmp_path / "pairs.jsonl"
    r = failing("export", "pairs", "--out", out)
    assert r.exit_code == 1 and r.output.strip().splitlines()[-1] == FAILURE
    assert not out.exists()
    assert set(os.listdir(tmp_path)) == before  # no `.pairs.jsonl.*.partial` left behind


def test_a_failed_export_leaves_the_previous_file_as_it_was(failing, tmp_path):
    out = tmp_path / "pairs.jsonl"
    out.write_text("the previous export\n")
    r = failing("export", "pairs", "--out", out)
    assert r.exit_code == 1
    assert out.read_text() == "the previous export\n"


def test_standard_output_still_streams_what_came_before_the_failure(failing):
    r = failing("export", "pairs", "--out", "-")
    assert r.exit_code == 1
    first = json.loads(r.stdout.splitlines()[0])
    assert (first["prompt_id"], first["chosen_id"], first["rejected_id"]) == ("q", "q-a", "q-b")


def _fix_r(run, tmp_path):
    """r's strength made to fit its ranking: the export then succeeds."""
    write_jsonl(tmp_path / "fixed.jsonl", [{**LABELS[2], "value": ["better"]}])
    assert run("import", "labels", tmp_path / "fixed.jsonl", "--replace").exit_code == 0


def test_a_successful_export_replaces_the_file_with_the_usual_mode(failing, tmp_path):
    _fix_r(failing, tmp_path)
    out = tmp_path / "pairs.jsonl"
    out.write_text("the previous export\n")
    os.chmod(out, 0o640)
    r = failing("export", "pairs", "--out", out)
    assert r.exit_code == 0, r.output
    assert [json.loads(line)["prompt_id"] for line in out.read_text().splitlines()] == ["q", "r"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o640  # an existing file keeps its mode
    new = tmp_path / "new.jsonl"
    assert failing("export", "pairs", "--out", new).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".partial")]


def test_a_device_or_a_link_is_written_through(failing, tmp_path):
    assert failing("export", "pairs", "--out", os.devnull).exit_code == 1  # fails on r: still a device
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    _fix_r(failing, tmp_path)
    real = tmp_path / "real.jsonl"
    real.write_text("")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    assert failing("export", "pairs", "--out", link).exit_code == 0
    assert link.is_symlink() and len(real.read_text().splitlines()) == 2
