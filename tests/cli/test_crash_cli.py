"""A bug in a command: one line naming the error log's entry, exit 1, the traceback in the log
(never on the terminal)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.subproc import labeldesk_here, one_line_error


@pytest.mark.sqlite_only
def test_an_unexpected_error_in_a_command_goes_to_the_log(sample_db, db_path, tmp_path, monkeypatch):
    from store import roster

    def broken(db):
        raise KeyError("a bug")

    monkeypatch.setattr(roster, "list_labelers", broken)
    line = one_line_error(labeldesk_here("labelers", "list", "--db", str(db_path)))
    found = re.fullmatch(r"Error: LabelDesk stopped on an unexpected error; nothing more was done\. "
                         r"Tell your coordinator: error (\S+) in (\S+)\.", line)
    assert found, line
    assert Path(found[2]) == tmp_path / "log" / "errors.log"
    logged = Path(found[2]).read_text()
    assert f"== {found[1]} pid" in logged and "command labelers" in logged
    assert "Traceback (most recent call last)" in logged and "KeyError: 'a bug'" in logged
