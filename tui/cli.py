"""The `labeldesk` command: a click group whose bare form opens the app on the demo data.

Nothing on this path imports textual except the `app` command itself. The command modules
(`tui/commands/*`) are imported when a command other than `app` is looked up or the commands
are listed (`--help`), not when the app opens: they were ~a fifth of the app's start-up over a
minimal Textual app (`tests/test_import_hygiene.py` keeps them off that path).
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click

from store.errors import describe_fault
from store.secrets import mask
from tui import locations
from tui.cli_shared import (
    common,
    export_group,
    import_group,
    import_message,
    labelers_group,
    progress_bar,
    user_errors,
)
from tui.config import Config, load_config
from tui.context import require_researcher, resolve, who
from tui.masked_stream import masked_stderr

# Each registers its commands on `cli` or on a group of it (`register(cli)`).
COMMAND_MODULES = ("agreement", "database", "disputes", "exports", "prompt_rules", "quality",
                   "quiz", "serve", "stats", "surveys")
_registered: list[bool] = []


def register_commands() -> None:
    """Import the command modules and let each register its commands (once)."""
    if _registered:
        return
    _registered.append(True)
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"tui.commands.{name}").register(cli)


class _Group(click.Group):
    """The top group: every command but `app` registered on first lookup or listing."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name != "app":
            register_commands()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        register_commands()
        return super().list_commands(ctx)


@click.group(cls=_Group, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="labeldesk")
@common
@click.pass_context
def cli(ctx: click.Context, db: str | None, config_path: str | None, labeler: str | None) -> None:
    """LabelDesk: keyboard-only RLHF labeling in the terminal.

    With no command, opens the app (on the bundled demo database unless --db says otherwise):
    `labeldesk --labeler rhea` is the demo as its researcher.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(app, db=db, config_path=config_path, labeler=labeler)
    elif db or config_path or labeler:
        raise click.UsageError("--db, --config and --labeler go after the command "
                               f"(labeldesk {ctx.invoked_subcommand} … --db PATH)")


@cli.command()
@common
def app(db: str | None, config_path: str | None, labeler: str | None) -> None:
    """Open the app for one labeler."""
    # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
    from tui.run import run_app

    run_app(resolve(db, config_path), labeler)


@cli.command()
@click.option("--db", "db", metavar="PATH", required=True, help="Database file to create.")
def init(db: str) -> None:
    """Create an empty database (migrates an existing older one). Whoever creates it
    (LABELDESK_LABELER, else the OS user) is its first researcher."""
    # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
    from store.roster import add_first_researcher

    with user_errors():
        ctx = resolve(db, None)
        database = ctx.open(create=True)
        first = who(None)[0]
        try:
            made = add_first_researcher(database, first)
        finally:
            database.close()

    click.echo(f"{mask(db)}: ready" + (f"; {first} is its first researcher" if made else ""))


@labelers_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["labeler", "researcher"]), default="labeler", show_default=True)
@common
def labelers_add(name: str, role: str, db: str | None, config_path: str | None,
                 labeler: str | None) -> None:
    """Add NAME to the roster (or change their role)."""
    # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
    from store.roster import add_labeler

    ctx = resolve(db, config_path)
    database = ctx.open()
    require_researcher(database, labeler, "labelers add")
    with user_errors():
        changed = add_labeler(database, name, role)
    click.echo(f"{name}: {role}" + ("" if changed else " (unchanged)"))


@labelers_group.command("list")
@common
def labelers_list(db: str | None, config_path: str | None, labeler: str | None) -> None:
    """List the roster."""
    # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
    from store.roster import list_labelers

    for name, role in list_labelers(resolve(db, config_path).open(read_only=True)):
        click.echo(f"{name}\t{role}")


def _run_import(kind: str, file: str, db: str | None, config_path: str | None, labeler: str | None,
                **flags: bool) -> None:
    # here, not at the top: sqlite-utils stays off the app's start-up path (tests/test_import_hygiene.py)
    from store import imports

    ctx = resolve(db, config_path)
    database = ctx.open()
    require_researcher(database, labeler, f"import {kind}")
    path = Path(file)
    fn = getattr(imports, f"import_{kind}")
    with user_errors(), progress_bar(path) as progress:
        result = fn(database, path, progress=progress, **flags)
    click.echo(import_message(kind, path, result))


@import_group.command("outputs")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--from-hh", is_flag=True,
              help="Read HH-RLHF lines: each one's chosen and rejected final turns become outputs "
                   "-o1 and -o2 of the prompt `import prompts --from-hh` made of the line.")
@common
def import_outputs(file: str, from_hh: bool, db: str | None, config_path: str | None,
                   labeler: str | None) -> None:
    """Import model outputs for imported prompts (id, prompt_id, text, model).

    Every key, rule and error: docs/formats.md."""
    _run_import("outputs", file, db, config_path, labeler, from_hh=from_hh)


@import_group.command("labels")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--gold", is_flag=True, help="Mark every label as researcher gold (every labeler in the file must be a researcher).")
@click.option("--add-labelers", is_flag=True, help="Add labelers missing from the roster, with role labeler (otherwise they are an error).")
@click.option("--replace", is_flag=True, help="Overwrite existing labels that have another value (otherwise an error).")
@common
def import_labels(file: str, gold: bool, add_labelers: bool, replace: bool, db: str | None,
                  config_path: str | None, labeler: str | None) -> None:
    """Import labels in the flat format (one label value a line).

    Every key, field and value: docs/formats.md."""
    _run_import("labels", file, db, config_path, labeler, gold=gold, add_labelers=add_labelers,
                replace=replace)


def main() -> None:
    with masked_stderr():  # no password in any message, warning or traceback
        try:
            cli(prog_name="labeldesk")
        except sqlite3.Error as exc:  # a fault no command caught: still one line, exit 1

            click.echo(f"Error: {describe_fault(exc)}; nothing of this command was saved", err=True)
            sys.exit(1)
        except Exception as exc:  # noqa: BLE001 - a bug: its traceback goes to the log
            # here, not at the top: every command starts (`labeldesk --help` too) without opening a database (tests/test_import_hygiene.py)
            from tui import crash_log

            ref, path, failed = crash_log.record(exc, config=_config_quietly(), context=" ".join(
                ["command", *sys.argv[1:2]]))
            click.echo("Error: " + crash_log.one_line(ref, path, failed, "nothing more was done"),
                       err=True)
            sys.exit(1)


def _config_quietly() -> Config | None:
    """The config in use, for `[log] path`; None when it cannot be read (the default log)."""
    args = sys.argv[1:]
    named = next((a.split("=", 1)[1] for a in args if a.startswith("--config=")), None)
    if named is None and "--config" in args[:-1]:
        named = args[args.index("--config") + 1]
    try:
        return load_config(named or locations.default_config_path())
    except Exception:  # noqa: BLE001 - the log is written whatever else is wrong
        return None


for _group in (labelers_group, import_group, export_group):
    cli.add_command(_group)

if __name__ == "__main__":
    main()
