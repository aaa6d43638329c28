import getpass
import json
import subprocess
import sys

from tests.conftest import init_db
from tui.cli import cli

from ..conftest import DATA
from .conftest import invoke


def test_every_command_has_help():
    def walk(group, path):
        yield path
        for name, cmd in getattr(group, "commands", {}).items():
            yield from walk(cmd, path + [name])

    for path in walk(cli, []):
        result = invoke(*path, "--help")
        assert result.exit_code == 0, path
        assert "Usage:" in result.output


def test_init_labelers_import_export(db_path, tmp_path):
    r = invoke("init", "--db", db_path)
    assert r.exit_code == 0 and r.output == f"{db_path}: ready; {getpass.getuser()} is its first researcher\n"
    assert invoke("labelers", "add", "rhea", "--role", "researcher", "--db", db_path).exit_code == 0
    r = invoke("labelers", "list", "--db", db_path)
    assert r.output.splitlines() == sorted(["rhea\tresearcher", f"{getpass.getuser()}\tresearcher"])
    r = invoke("import", "prompts", DATA / "prompts.jsonl", "--db", db_path)
    assert r.exit_code == 0 and "5 prompts read, 5 added" in r.output
    r = invoke("import", "outputs", DATA / "outputs.jsonl", "--db", db_path)
    assert r.exit_code == 0 and "tasks created" in r.output
    labels = tmp_path / "l.jsonl"
    labels.write_text(json.dumps({"labeler": "rhea", "task": "output", "item": "p1-a", "field": "rating", "value": 7}) + "\n")
    assert invoke("import", "labels", labels, "--gold", "--db", db_path).exit_code == 0
    r = invoke("export", "labels", "--out", "-", "--db", db_path)
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


def test_usage_error_exit_2():
    assert invoke("import", "prompts").exit_code == 2
    assert invoke("nonsense").exit_code == 2


def test_labeler_role_cannot_import(db_path):
    invoke("init", "--db", db_path)
    invoke("labelers", "add", "ana", "--db", db_path)
    r = invoke("import", "prompts", DATA / "prompts.jsonl", "--db", db_path, "--labeler", "ana")
    assert r.exit_code == 1 and "is a labeler" in r.output


def test_newer_database_is_refused(db_path):
    from store.db import connect

    invoke("init", "--db", db_path)
    conn = connect(db_path)
    conn.dialect.set_version(conn, 999)
    conn.close()
    r = invoke("labelers", "list", "--db", db_path)
    assert r.exit_code == 1 and "newer LabelDesk" in r.output


def test_broken_config(db_path, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[overlap]\ncomparison = 'three'\n")
    r = invoke("labelers", "list", "--db", db_path, "--config", cfg)
    assert r.exit_code == 1 and "c.toml: overlap.comparison: must be an integer" in r.output
    cfg.write_text("[overlap]\ncomparisons = 3\n")
    r = invoke("labelers", "list", "--db", db_path, "--config", cfg)
    assert "overlap.comparisons: unknown key" in r.output
    cfg.write_text("[comparison]\nsteps = ['ranking', 'vibes']\n")
    assert "'vibes' is not one of" in invoke("labelers", "list", "--db", db_path, "--config", cfg).output


def test_unknown_labeler_is_refused_by_app(db_path):
    invoke("init", "--db", db_path)
    r = invoke("app", "--db", db_path, "--labeler", "mallory")
    assert r.exit_code == 1 and "not in this database's roster" in r.output


def test_demo_database_opens_every_command(monkeypatch):
    """`labeldesk` makes the OS user a labeler on the demo; the demo still answers `agreement`."""
    from tui.context import ensure_demo_db
    from tui.locations import demo_db_path

    db = ensure_demo_db(demo_db_path())
    from store.roster import add_labeler

    add_labeler(db, "someone")
    db.conn.close()
    r = invoke("agreement", "--format", "json", "--resamples", "0", env={"LABELDESK_LABELER": "someone"})
    assert r.exit_code == 0, r.output
    assert "ana" in json.loads(r.stdout)["per_labeler"]
    assert r.stderr == (f"labeldesk agreement: no database given (--db, LABELDESK_DB or [database] "
                        f"in the config): using the bundled demo database {demo_db_path()}\n")


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
