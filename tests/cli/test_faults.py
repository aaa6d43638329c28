"""A corrupt or too-new database and a broken config stop the CLI with one clear line, exit 1."""

from __future__ import annotations

import sqlite3

import pytest

from tests.cli.subproc import labeldesk, labeldesk_here, one_line_error

COMMANDS = [("labelers", "list"), ("app",), ("init",)]


@pytest.fixture
def ready_db(tmp_path):
    path = tmp_path / "desk.db"
    done = labeldesk_here("init", "--db", str(path))
    assert done.returncode == 0, done.stderr
    return path


def _cmd(command: tuple[str, ...], db) -> list[str]:
    return [*command, "--db", str(db)] + (["--labeler", "alice"] if command == ("app",) else [])


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_file_that_is_not_a_database(tmp_path, command):
    """In real processes: each command's exit code and stderr as a shell sees them (the other
    faults go through the same entry point in this process)."""
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"this is not a database\n" * 200)
    line = one_line_error(labeldesk(*_cmd(command, bad)))
    assert str(bad) in line and "database" in line


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_truncated_database(ready_db, command):
    raw = ready_db.read_bytes()
    ready_db.write_bytes(raw[: len(raw) // 2] + b"\0garbage" * 50)
    line = one_line_error(labeldesk_here(*_cmd(command, ready_db)))
    assert str(ready_db) in line


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_database_from_a_newer_labeldesk(ready_db, command):
    with sqlite3.connect(ready_db) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA user_version = {version + 5}")
    conn.close()
    line = one_line_error(labeldesk_here(*_cmd(command, ready_db)))
    assert "newer LabelDesk" in line and str(ready_db) in line
    with sqlite3.connect(ready_db) as conn:  # and the file was left alone
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version + 5


@pytest.mark.parametrize(
    "text, problem",
    [("[overlap\ncomparison = 3\n", "TOML"), ("[overlap]\ncomparison = 'three'\n", "comparison"),
     ("[queue]\nlease_minutes = -1\n", "lease_minutes"), (b"\xff\xfe[overlap]\n", "")],
    ids=["syntax", "type", "range", "encoding"],
)
@pytest.mark.parametrize("command", [("labelers", "list"), ("app",)], ids=" ".join)
def test_a_broken_config(ready_db, tmp_path, command, text, problem):
    config = tmp_path / "config.toml"
    config.write_bytes(text if isinstance(text, bytes) else text.encode())
    line = one_line_error(labeldesk_here(*_cmd(command, ready_db), "--config", str(config)))
    assert str(config) in line and problem in line


def test_a_missing_config_named_explicitly(ready_db, tmp_path):
    line = one_line_error(labeldesk("labelers", "list", "--db", str(ready_db),
                                    "--config", str(tmp_path / "nope.toml")))
    assert "nope.toml" in line
