"""Every table a researcher command prints is readable at 80 columns: whole where it fits,
otherwise one record per row with every column name and value intact (no `lab`, `sta`, no
ellipsis), and the whole table with --wide or in a pipe."""

from __future__ import annotations

import json

import pytest
from rich.text import Text

from store.db import open_db
from tests.conftest import QUIZ_EXAMPLE, take_quiz
from tui.tables import print_table

from .subproc import labeldesk_here

DEMO = {"LABELDESK_LABELER": "rhea"}
COLUMNS = ("labeler", "status", "gold", "agreement", "reasons")
ROWS = [["ana", "ok", "12", "0.91", "—"],
        ["ben", "warn", "11", "0.64", "agreement 0.64 below warn_below 0.70 over 11 gold checks"]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The bundled demo with a screening quiz taken."""
    from store.quiz.admin import assign_quiz, import_quiz
    from tui.context import ensure_demo_db

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    ensure_demo_db(path).close()
    db = open_db(path)
    quiz = import_quiz(db, QUIZ_EXAMPLE).name
    assign_quiz(db, quiz, ["ben"])
    take_quiz(db, "ben", quiz=quiz)
    db.close()
    return path


def _readable_at_80(out: str, headers: list[str]) -> None:
    lines = out.splitlines()
    assert lines, out
    assert max(len(line.rstrip()) for line in lines) <= 80, out
    assert "…" not in out, out
    for header in headers:
        assert header in out, (header, out)


@pytest.mark.parametrize("args,headers", [
    (("quality",), ["status", "competence", "rating |diff|", "screening", "reasons"]),
    (("disputes",), ["kind", "labelers", "status", "rule", "field", "detail"]),
    (("agreement", "--quiz", "screening-demo"),
     ["flags", "ranking", "demo score", "minutes", "result", "why"]),
])
def test_every_command_table_is_readable_at_80_columns(demo, monkeypatch, args, headers):
    monkeypatch.setenv("COLUMNS", "80")
    done = labeldesk_here(*args, "--db", str(demo), env={**DEMO, "COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    _readable_at_80(done.stdout, headers)
    wide = labeldesk_here(*args, "--db", str(demo), "--wide", env={**DEMO, "COLUMNS": "80"})
    assert wide.returncode == 0 and "┃" in wide.stdout  # --wide: the table itself


def test_quality_at_80_columns_keeps_every_value(demo):
    """The stacked records hold what the JSON holds: each labeler and status."""
    text = labeldesk_here("quality", "--db", str(demo), env={**DEMO, "COLUMNS": "80"}).stdout
    report = json.loads(labeldesk_here("quality", "--db", str(demo), "--format", "json",
                                       env=DEMO).stdout)
    for name, entry in report["labelers"].items():
        assert f"\n{name}\n" in f"\n{text}", name
        assert entry["status"] in text


def _printed(capsys, monkeypatch, columns: int, **kw) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    print_table("Live quality", COLUMNS, ROWS, **kw)
    return capsys.readouterr().out


def test_stacked_records_at_80_columns(capsys, monkeypatch, snapshot):
    assert _printed(capsys, monkeypatch, 60) == snapshot


def test_the_whole_table_where_it_fits(capsys, monkeypatch, snapshot):
    out = _printed(capsys, monkeypatch, 100)
    assert "┃ labeler ┃" in out
    assert out == snapshot


def test_a_narrow_last_column_is_stacked_not_folded(capsys, monkeypatch):
    """At 62 columns the first four fit but would leave the reasons 10 columns: stacked."""
    out = _printed(capsys, monkeypatch, 62)
    assert "┃" not in out and "  reasons" in out


def test_a_continuation_row_joins_the_record_above(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "30")
    print_table("2 disputed items", ("item", "rule", "detail"),
                [["p1", "rating_spread", "2..6"], ["", "ranking_agreement", "0.13"],
                 [Text("[b]p2[/b]"), "sensitive_split", "2 of 3"]])
    out = capsys.readouterr().out
    blocks = out.split("\n[b]p2[/b]\n")  # untrusted text shown literally, never as markup
    assert len(blocks) == 2 and "ranking_agreement" in blocks[0] and "p1" in blocks[0]
