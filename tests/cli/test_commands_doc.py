"""docs/commands.md names every command and option the CLI has, so the reference cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from tui.cli import cli, register_commands

DOC = (Path(__file__).resolve().parents[2] / "docs" / "commands.md").read_text(encoding="utf-8")
COMMON = {"--db", "--demo", "--config", "--labeler", "-h", "--help"}


def _leaves(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _leaves(command, path + (name,))
        else:
            yield path + (name,), command


register_commands()  # every command module, as `labeldesk --help` lists them
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


def _doc_commands() -> set[str]:
    """Every `labeldesk …` a row of the reference starts with, up to its first option or
    argument."""
    rows = re.findall(r"^\| `labeldesk([^`]*)`", DOC, re.M)
    words = (re.split(r" (?=[-A-Z\[])", row.strip(), maxsplit=1)[0] for row in rows)
    return {w for w in words}


def test_every_command_in_the_reference_exists():
    names = {" ".join(path) for path, _ in LEAVES} | {""}
    assert _doc_commands() <= names, sorted(_doc_commands() - names)


@pytest.mark.parametrize("path,command", LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_every_option_the_reference_names_exists(path, command):
    """The other way round: an option the reference gives a command, the command has."""
    have = {o for p in command.params if isinstance(p, click.Option) for o in p.opts + p.secondary_opts}
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", _section_of(path)))
    assert named <= have | {"--help"}, (
        f"docs/commands.md gives `labeldesk {' '.join(path)}` {sorted(named - have)}, "
        "which it does not have")


def test_the_common_options_are_on_every_command_the_reference_says():
    """"Common to every command but `init` and `db copy`": the bare `labeldesk` included."""
    assert "Common to every command but `init` and `db copy`" in DOC
    commands = [(("(bare)",), cli)] + [(p, c) for p, c in LEAVES
                                       if p not in (("init",), ("db", "copy"))]
    for path, command in commands:
        have = {o for p in command.params if isinstance(p, click.Option) for o in p.opts}
        assert {"--db", "--config"} <= have, path
        assert "--labeler" in have, path


def test_the_bare_command_opens_the_app_with_its_options(monkeypatch, tmp_path):
    """`labeldesk --labeler rhea` is the demo as its researcher; the options are refused
    before another command, where they would be ignored."""
    from click.testing import CliRunner

    import tui.run

    opened = []
    monkeypatch.setattr(tui.run, "run_app", lambda ctx, labeler: opened.append((ctx, labeler)))
    db = tmp_path / "desk.db"
    assert CliRunner().invoke(cli, ["--labeler", "rhea", "--db", str(db)]).exit_code == 0
    (ctx, labeler), = opened
    assert (labeler, ctx.db_path, ctx.is_demo) == ("rhea", db, False)
    wrong = CliRunner().invoke(cli, ["--db", str(db), "quality"])
    assert wrong.exit_code == 2 and "go after the command" in wrong.output
