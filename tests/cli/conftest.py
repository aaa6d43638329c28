"""Running `labeldesk` in the CLI tests: in this process, through click's CliRunner on the `cli`
group (`tests/cli/subproc.py` runs the installed entry point, in a process of its own or here)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from tests.conftest import init_db
from tui.cli import cli


def invoke(*args, env: dict[str, str] | None = None) -> Result:
    """`labeldesk ARGS` (each made a str). An exception no command turns into a message
    propagates: a bug fails the test with its traceback rather than passing as exit 1."""
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture
def run(db_path):
    """`labeldesk ARGS --db DB` on a database `labeldesk init` made: its creator, this test's OS
    user, is a researcher and runs the researcher commands without naming anyone."""
    init_db(db_path)

    def in_db(*args, env: dict[str, str] | None = None) -> Result:
        return invoke(*args, "--db", db_path, env=env)

    return in_db
