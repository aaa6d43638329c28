"""What `tui/cli.py` and the command modules in `tui/commands/` share: the common options,
`user_errors()`, progress on stderr, the JSONL writer and the groups commands are added to.

Both sides import this module, so `tui.cli` imports the command modules directly and no
command module imports `tui.cli`. Nothing here imports textual (`labeldesk --help` stays light).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from store.errors import StoreError
from store.text import one_line
from tui.output_file import output_file

if TYPE_CHECKING:  # annotations only: sqlite-utils stays off every command's start-up
    from store.imports import ImportResult
    from store.records import Progress

# A command's function, which click's option decorators hand back as they took it.
Fn = TypeVar("Fn", bound=Callable[..., object])

db_option = click.option("--db", "db", metavar="PATH", help="Database file (default: LABELDESK_DB, else the demo database).")
config_option = click.option("--config", "config_path", metavar="PATH", help="Config file (default: LABELDESK_CONFIG, else the XDG config dir).")
labeler_option = click.option("--labeler", metavar="NAME", help="Who is running this (default: LABELDESK_LABELER, else the OS user).")


def _ask_for_demo(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta["labeldesk.demo"] = True  # read by tui.context.resolve


demo_option = click.option(
    "--demo", is_flag=True, expose_value=False, callback=_ask_for_demo,
    help="Use the bundled demo database (a command that writes refuses the demo otherwise).")


# `--wide` for the commands that print tables (tui/tables.py, which loads rich only when a
# table is printed: declaring the option must not).
wide_option = click.option(
    "--wide", is_flag=True,
    help="Table: every column side by side, whatever the terminal's width "
         "(otherwise a narrow terminal gets one record per row).")


def common(f: Fn) -> Fn:
    return db_option(demo_option(config_option(labeler_option(f))))


@contextmanager
def user_errors() -> Iterator[None]:
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


@click.group("labelers")
def labelers_group() -> None:
    """The roster: who may label, and who labels gold."""


@click.group("import")
def import_group() -> None:
    """Import prompts, outputs or labels (JSONL or CSV, by extension; see docs/formats.md)."""


@click.group("export")
def export_group() -> None:
    """Export JSONL: labels, sft, pairs, ppo, consensus."""


@contextmanager
def stderr_progress(what: str, total: int | None) -> Iterator[Progress | None]:
    """A progress bar on stderr when it is a terminal; the callback is None otherwise. Never on
    stdout, which may be the data (`--out -`, `--report -`) going to a file or a pipe."""
    if not sys.stderr.isatty():
        yield None
        return
    # here, not at the top: rich loads only when a table is printed, not on every command's start-up
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(what, total=total)
        yield lambda n: bar.advance(task, n)


@contextmanager
def progress_bar(path: Path) -> Iterator[Progress | None]:
    """Reading an import file: the bar advances by bytes read."""
    with stderr_progress(f"reading {path.name}", path.stat().st_size) as advance:
        yield advance


def import_message(kind: str, path: Path, result: ImportResult) -> str:
    msg = f"{path}: {result.read} {kind} read, {result.added} added, {result.unchanged} already there"
    if result.replaced:
        msg += f", {result.replaced} replaced"
    if result.tasks_created:
        msg += f", {result.tasks_created} tasks created"
    if result.new_labelers:
        msg += f"; new in roster: {', '.join(result.new_labelers)}"
    return msg


def write_jsonl(records: Iterable[object], out: str) -> int:
    """The records as JSON Lines to `out` (`-`: standard output), whole or not at all
    (tui/output_file.py)."""
    # here, not at the top: store.records (csv, gzip) stays off the app's start-up
    from store.records import jsonl_line

    n = 0
    with output_file(out) as handle:
        # JSON escapes C0 controls itself; on a terminal every non-ASCII character is escaped
        # too, so C1 controls and bidi overrides in imported text cannot act on the researcher's
        # screen. The records are the same JSON either way.
        to_terminal = handle.isatty()
        for record in records:
            handle.write(jsonl_line(record, ensure_ascii=to_terminal) + "\n")
            n += 1
    return n
