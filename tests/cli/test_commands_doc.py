"""docs/commands.md names every command and option the CLI has, so the reference cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from tui.cli import cli

DOC = (Path(__file__).resolve().parents[2] / "docs" / "commands.md").read_text(encoding="utf-8")
COMMON = {"--db", "--config", "--labeler", "-h", "--help"}


def _leaves(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _leaves(command, path + (name,))
        else:
            yield path + (name,), command


LEAVES = list(_leaves(cli))


def _section_of(path: tuple[str, ...]) -> str:
    """The doc's rows for one command: its own row and the ` … ` rows right after it."""
    head = re.escape("`labeldesk " + " ".join(path))
    match = re.search(rf"^\| {head}[ `].*?(?=^\| `labeldesk |^#|\Z)", DOC, re.M | re.S)
    return match.group(0) if match else ""


def test_the_cli_has_the_commands_we_think_it_has():
    names = {" ".join(path) for path, _ in LEAVES}
    assert {"app", "init", "agreement", "export labels", "labelers resume", "quiz assign"} <= names


@pytest.mark.parametrize("path,command", LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_every_command_and_option_is_in_the_reference(path, command):
    section = _section_of(path)
    assert section, f"docs/commands.md has no row for `labeldesk {' '.join(path)}`"
    for param in command.params:
        if isinstance(param, click.Option):
            opts = set(param.opts) - COMMON
            if opts:
                assert any(o in section for o in opts), (
                    f"docs/commands.md: `labeldesk {' '.join(path)}` does not name {sorted(opts)}")
        elif param.name and param.name.upper() not in section:
            pytest.fail(f"docs/commands.md: `labeldesk {' '.join(path)}` does not name {param.name.upper()}")
