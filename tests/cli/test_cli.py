import getpass
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.conftest import init_db
from tui.cli import cli

from ..conftest import DATA


@pytest.fixture
def run(db_path):
    def invoke(*args, env=None):
        result = CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)
        return result

    return invoke


def test_every_command_has_help(run):
    def walk(group, path):
        yield path
        for name, cmd in getattr(group, "commands", {}).items():
            yield from walk(cmd, path + [name])

    for path in walk(cli, []):
        result = run(*path, "--help")
        assert result.exit_code == 0, path
        assert "Usage:" in result.output


def test_init_labelers_import_export(run, db_path, tmp_path):
    r = run("init", "--db", db_path)
    assert r.exit_code == 0 and r.output == f"{db_path}: ready; {getpass.getuser()} is its first researcher\n"
    assert run("labelers", "add", "rhea", "--role", "researcher", "--db", db_path).exit_code == 0
    r = run("labelers", "list", "--db", db_path)
    assert r.output.splitlines() == sorted(["rhea\tresearcher", f"{getpass.getuser()}\tresearcher"])
    r = run("import", "prompts", DATA / "prompts.jsonl", "--db", db_path)
    assert r.exit_code == 0 and "5 prompts read, 5 added" in r.output
    r = run("import", "outputs", DATA / "outputs.jsonl", "--db", db_path)
    assert r.exit_code == 0 and "tasks created" in r.output
    labels = tmp_path / "l.jsonl"
    labels.write_text(json.dumps({"labeler": "rhea", "task": "output", "item": "p1-a", "field": "rating", "value": 7}) + "\n")
    assert run("import", "labels", labels, "--gold", "--db", db_path).exit_code == 0
    r = run("export", "labels", "--out", "-", "--db", db_path)
    line = json.loads(r.output)
    assert (line["value"], line["gold"]) == (7, True)


def test_bad_file_exit_1_one_line(db_path, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "t", "source": "web"}\n')
    init_db(db_path)
    proc = subprocess.run(
        [sys.executable, "-m", "tui.cli", "import", "prompts", str(bad), "--db", str(db_path)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"Error: {bad}:1: source: 'web' is not one of api, labeler"


def test_usage_error_exit_2(run):
    assert run("import", "prompts").exit_code == 2
    assert run("nonsense").exit_code == 2


def test_labeler_role_cannot_import(run, db_path):
    run("init", "--db", db_path)
    run("labelers", "add", "ana", "--db", db_path)
    r = run("import", "prompts", DATA / "prompts.jsonl", "--db", db_path, "--labeler", "ana")
    assert r.exit_code == 1 and "is a labeler" in r.output


def test_newer_database_is_refused(run, db_path):
    from store.db import connect

    run("init", "--db", db_path)
    conn = connect(db_path)
    conn.dialect.set_version(conn, 999)
    conn.close()
    r = run("labelers", "list", "--db", db_path)
    assert r.exit_code == 1 and "newer LabelDesk" in r.output


def test_broken_config(run, db_path, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[overlap]\ncomparison = 'three'\n")
    r = run("labelers", "list", "--db", db_path, "--config", cfg)
    assert r.exit_code == 1 and "c.toml: overlap.comparison: must be an integer" in r.output
    cfg.write_text("[overlap]\ncomparisons = 3\n")
    r = run("labelers", "list", "--db", db_path, "--config", cfg)
    assert "overlap.comparisons: unknown key" in r.output
    cfg.write_text("[comparison]\nsteps = ['ranking', 'vibes']\n")
    assert "'vibes' is not one of" in run("labelers", "list", "--db", db_path, "--config", cfg).output


def test_unknown_labeler_is_refused_by_app(run, db_path):
    run("init", "--db", db_path)
    r = run("app", "--db", db_path, "--labeler", "mallory")
    assert r.exit_code == 1 and "not in this database's roster" in r.output


def test_demo_database_opens_every_command(run, monkeypatch):
    """`labeldesk` makes the OS user a labeler on the demo; the demo still answers `agreement`."""
    from tui.context import ensure_demo_db
    from tui.locations import demo_db_path

    db = ensure_demo_db(demo_db_path())
    from store.roster import add_labeler

    add_labeler(db, "someone")
    db.conn.close()
    r = run("agreement", "--format", "json", "--resamples", "0", env={"LABELDESK_LABELER": "someone"})
    assert r.exit_code == 0, r.output
    assert "ana" in json.loads(r.output)["per_labeler"]


def test_jsonl_to_a_terminal_escapes_what_could_act_on_it(monkeypatch):
    import io

    from tui.cli_shared import write_jsonl

    record = {"text": "caf\u00e9 \u009b31m \u202eevil \x1b[2J"}

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for handle, terminal in ((Terminal(), True), (io.StringIO(), False)):
        monkeypatch.setattr(sys, "stdout", handle)
        assert write_jsonl([record], "-") == 1
        line = handle.getvalue()
        assert json.loads(line) == record  # the same data either way
        assert "\x1b" not in line  # JSON escapes C0 itself
        if terminal:
            assert line.isascii()
        else:
            assert "café" in line
