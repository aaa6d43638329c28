"""The `labeldesk` command: a click group whose bare form opens the app on the demo data.

Nothing on this path imports textual except the `app` command itself.
"""

from __future__ import annotations

import importlib
import sqlite3
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import click

from store.errors import StoreError
from store.records import jsonl_line
from store.text import one_line
from tui.context import require_researcher, resolve

# Modules in tui/commands/ that add commands: each has `register(cli)`.
COMMAND_MODULES: list[str] = ["agreement", "exports", "stats", "quiz", "surveys", "prompt_rules",
                              "disputes", "quality", "database", "serve"]

db_option = click.option("--db", "db", metavar="PATH", help="Database file (default: LABELDESK_DB, else the demo database).")
config_option = click.option("--config", "config_path", metavar="PATH", help="Config file (default: LABELDESK_CONFIG, else the XDG config dir).")
labeler_option = click.option("--labeler", metavar="NAME", help="Who is running this (default: LABELDESK_LABELER, else the OS user).")


def common(f: Callable) -> Callable:
    return db_option(config_option(labeler_option(f)))


@contextmanager
def user_errors():
    """Store errors are the user's to fix: one line on stderr, exit 1, no traceback."""
    try:
        yield
    except StoreError as exc:
        # An import's problems are one line each (store.errors.ImportProblems).
        raise click.ClickException("\n".join(map(one_line, str(exc).split("\n")))) from None
    except BrokenPipeError:
        raise  # the reader went away (`| head`): click ends quietly, exit 1, no message
    except OSError as exc:
        raise click.ClickException(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}".lstrip(": ")) from None


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="labeldesk")
@common
@click.pass_context
def cli(ctx: click.Context, db, config_path, labeler) -> None:
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
def app(db, config_path, labeler) -> None:
    """Open the app for one labeler."""
    from tui.run import run_app

    run_app(resolve(db, config_path), labeler)


@cli.command()
@click.option("--db", "db", metavar="PATH", required=True, help="Database file to create.")
def init(db) -> None:
    """Create an empty database (migrates an existing older one). Whoever creates it
    (LABELDESK_LABELER, else the OS user) is its first researcher."""
    from store.roster import add_first_researcher
    from tui.context import who

    with user_errors():
        ctx = resolve(db, None)
        database = ctx.open(create=True)
        first = who(None)[0]
        try:
            made = add_first_researcher(database, first)
        finally:
            database.close()
    from store.secrets import mask

    click.echo(f"{mask(db)}: ready" + (f"; {first} is its first researcher" if made else ""))


@cli.group()
def labelers() -> None:
    """The roster: who may label, and who labels gold."""


@labelers.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["labeler", "researcher"]), default="labeler", show_default=True)
@common
def labelers_add(name, role, db, config_path, labeler) -> None:
    """Add NAME to the roster (or change their role)."""
    from store.roster import add_labeler

    ctx = resolve(db, config_path)
    database = ctx.open()
    require_researcher(database, labeler, "labelers add")
    with user_errors():
        changed = add_labeler(database, name, role)
    click.echo(f"{name}: {role}" + ("" if changed else " (unchanged)"))


@labelers.command("list")
@common
def labelers_list(db, config_path, labeler) -> None:
    """List the roster."""
    from store.roster import list_labelers

    for name, role in list_labelers(resolve(db, config_path).open(read_only=True)):
        click.echo(f"{name}\t{role}")


@cli.group("import")
def import_group() -> None:
    """Import prompts, outputs or labels (JSONL or CSV, by extension; see docs/formats.md)."""


@contextmanager
def stderr_progress(what: str, total: int | None):
    """A progress bar on stderr when it is a terminal; the callback is None otherwise. Never on
    stdout, which may be the data (`--out -`, `--report -`) going to a file or a pipe."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(what, total=total)
        yield lambda n: bar.advance(task, n)


@contextmanager
def progress_bar(path: Path):
    """Reading an import file: the bar advances by bytes read."""
    with stderr_progress(f"reading {path.name}", path.stat().st_size) as advance:
        yield advance


def _run_import(kind: str, file: str, db, config_path, labeler, **kwargs) -> None:
    from store import imports

    ctx = resolve(db, config_path)
    database = ctx.open()
    require_researcher(database, labeler, f"import {kind}")
    path = Path(file)
    fn = getattr(imports, f"import_{kind}")
    with user_errors(), progress_bar(path) as progress:
        result = fn(database, path, progress=progress, **kwargs)
    click.echo(import_message(kind, path, result))


def import_message(kind: str, path: Path, result) -> str:
    msg = f"{path}: {result.read} {kind} read, {result.added} added, {result.unchanged} already there"
    if result.replaced:
        msg += f", {result.replaced} replaced"
    if result.tasks_created:
        msg += f", {result.tasks_created} tasks created"
    if result.new_labelers:
        msg += f"; new in roster: {', '.join(result.new_labelers)}"
    return msg


@import_group.command("outputs")
@click.argument("file", type=click.Path(dir_okay=False))
@common
def import_outputs(file, db, config_path, labeler) -> None:
    """Import model outputs for imported prompts (id, prompt_id, text, model).

    Every key, rule and error: docs/formats.md."""
    _run_import("outputs", file, db, config_path, labeler)


@import_group.command("labels")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--gold", is_flag=True, help="Mark every label as researcher gold (every labeler in the file must be a researcher).")
@click.option("--add-labelers", is_flag=True, help="Add labelers missing from the roster, with role labeler (otherwise they are an error).")
@click.option("--replace", is_flag=True, help="Overwrite existing labels that have another value (otherwise an error).")
@common
def import_labels(file, gold, add_labelers, replace, db, config_path, labeler) -> None:
    """Import labels in the flat format (one label value a line).

    Every key, field and value: docs/formats.md."""
    _run_import("labels", file, db, config_path, labeler, gold=gold, add_labelers=add_labelers,
                replace=replace)


@cli.group("export")
def export_group() -> None:
    """Export JSONL: labels, sft, pairs, ppo, consensus."""


def write_jsonl(records, out: str) -> int:
    n = 0
    handle = sys.stdout if out == "-" else open(out, "w", encoding="utf-8")
    # JSON escapes C0 controls itself; on a terminal every non-ASCII character is escaped too,
    # so C1 controls and bidi overrides in imported text cannot act on the researcher's screen.
    # The records are the same JSON either way.
    to_terminal = handle.isatty()
    try:
        for record in records:
            handle.write(jsonl_line(record, ensure_ascii=to_terminal) + "\n")
            n += 1
    finally:
        if handle is not sys.stdout:
            handle.close()
    return n


def main() -> None:
    from tui.masked_stream import masked_stderr

    with masked_stderr():  # no password in any message, warning or traceback
        try:
            cli(prog_name="labeldesk")
        except sqlite3.Error as exc:  # a fault no command caught: still one line, exit 1
            from store.errors import describe_fault

            click.echo(f"Error: {describe_fault(exc)}; nothing of this command was saved", err=True)
            sys.exit(1)
        except Exception as exc:  # noqa: BLE001 - a bug: its traceback goes to the log
            from tui import crash_log

            ref, path, failed = crash_log.record(exc, config=_config_quietly(), context=" ".join(
                ["command", *sys.argv[1:2]]))
            click.echo("Error: " + crash_log.one_line(ref, path, failed, "nothing more was done"),
                       err=True)
            sys.exit(1)


def _config_quietly():
    """The config in use, for `[log] path`; None when it cannot be read (the default log)."""
    from tui import locations
    from tui.config import load_config

    args = sys.argv[1:]
    named = next((a.split("=", 1)[1] for a in args if a.startswith("--config=")), None)
    if named is None and "--config" in args[:-1]:
        named = args[args.index("--config") + 1]
    try:
        return load_config(named or locations.default_config_path())
    except Exception:  # noqa: BLE001 - the log is written whatever else is wrong
        return None


if __name__ == "__main__":
    # `python -m tui.cli`: run the importable `tui.cli`, the one the command modules import and
    # extend (registering them on this __main__ copy would import this file twice, circularly).
    importlib.import_module("tui.cli").main()
else:
    for _name in COMMAND_MODULES:
        importlib.import_module(f"tui.commands.{_name}").register(cli)
