"""Without --db a command falls back to the bundled demo database: it says so on standard
error, and a command that writes refuses unless the demo was asked for (`--demo`, or `--db`
naming it). `labeldesk import prompts prompts.jsonl` used to add a project's prompts to the
demo without a word."""

from __future__ import annotations

import pytest

from store.db import open_db
from tests.cli.subproc import labeldesk_here, one_line_error
from tui.context import ensure_demo_db
from tui.locations import demo_db_path

from ..conftest import DATA

pytestmark = pytest.mark.sqlite_only  # the demo is a file


@pytest.fixture
def demo():
    ensure_demo_db(demo_db_path()).close()
    return demo_db_path()


def prompts_in(path) -> int:
    db = open_db(path)
    try:
        return int(db.execute("SELECT count(*) FROM prompts").fetchone()[0])
    finally:
        db.close()


WRITERS = [
    ("import", "prompts", str(DATA / "prompts.jsonl")),
    ("import", "outputs", str(DATA / "outputs.jsonl")),
    ("labelers", "add", "zed"),
    ("labelers", "resume", "zed"),
    ("quiz", "assign", "screening-demo", "--labelers", "ana"),
]


@pytest.mark.parametrize("args", WRITERS, ids=lambda a: " ".join(a[:2]))
def test_a_command_that_writes_refuses_the_demo_it_was_not_given(demo, args):
    before = prompts_in(demo)
    line = one_line_error(labeldesk_here(*args))
    assert "no database given" in line and "--demo" in line, line
    assert prompts_in(demo) == before


def test_asked_for_it_writes_into_the_demo(demo):
    before = prompts_in(demo)
    done = labeldesk_here("import", "prompts", str(DATA / "prompts.jsonl"), "--demo")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # asked for: nothing to warn about
    assert prompts_in(demo) > before
    done = labeldesk_here("labelers", "add", "zed", "--db", str(demo))  # named by --db
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_a_reading_command_says_it_uses_the_demo(demo):
    done = labeldesk_here("labelers", "list")
    assert done.returncode == 0
    assert done.stderr.strip() == (
        "labeldesk labelers list: no database given (--db, LABELDESK_DB or [database] in the "
        f"config): using the bundled demo database {demo}")
    assert "ana" in done.stdout


def test_demo_and_db_together_are_refused(demo, tmp_path):
    line = one_line_error(labeldesk_here("labelers", "list", "--demo", "--db", str(tmp_path / "x.db")))
    assert line == "Error: --demo and --db name two databases: give one"


def test_the_demo_asks_for_strength_and_reasons_a_project_does_not(monkeypatch, tmp_path):
    from tui.context import resolve

    monkeypatch.delenv("LABELDESK_DB", raising=False)
    demo_ctx = resolve(None, None)
    assert demo_ctx.is_demo
    assert (demo_ctx.config["comparison"]["strength"], demo_ctx.config["comparison"]["reason"]) == (
        True, "optional")
    project = resolve(str(tmp_path / "desk.db"), None)
    assert not project.is_demo
    assert (project.config["comparison"]["strength"], project.config["comparison"]["reason"]) == (
        False, "off")
