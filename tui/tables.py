"""The researcher commands' tables, readable at any width.

A table is printed whole where its columns fit the terminal (a last free-text column such as
"reasons" may wrap); where they do not (an 80-column terminal), each row is printed as a record
of `column  value` lines instead of folding headers to `lab`, `sta`. `--wide`
(`tui.cli_shared.wide_option`) prints the whole table anyway, and a pipe or a file gets it at
`WIDE` columns. rich is imported here only, when a command prints a table.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

WIDE = 160
"""Columns a pipe or a file gets (the whole table, as a spreadsheet would want it)."""
LAST_COLUMN_MIN = 24
"""A wrapping last column narrower than this reads as a column of fragments: stack instead."""

Cell = str | Text


def width() -> int:
    """The terminal's width; for a pipe or file `COLUMNS` if set, else `WIDE`."""
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else WIDE


def _text(cell: Cell) -> Text:
    # Cells come from imported data and people's names: Text, never markup.
    return cell if isinstance(cell, Text) else Text(cell)


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Cell]], *,
           wrap_last: bool) -> Table:
    table = Table(title=Text(title), title_justify="left")
    for n, column in enumerate(columns):
        last = n == len(columns) - 1
        table.add_column(column, no_wrap=not (wrap_last and last),
                         overflow="fold" if wrap_last and last else "ellipsis")
    for row in rows:
        table.add_row(*map(_text, row))
    return table


def _fits(console: Console, columns: Sequence[str], rows: Sequence[Sequence[Cell]],
          wrap_last: bool) -> bool:
    """The whole table fits: every column unwrapped, or all but a free-text last column
    unwrapped with at least `LAST_COLUMN_MIN` left for it."""
    def natural(cols: Sequence[str], cells: Iterable[Sequence[Cell]]) -> int:
        table = _table("", cols, [list(r) for r in cells], wrap_last=False)
        # Measured without the console's width as a cap, which would make everything "fit".
        return Measurement.get(console, console.options.update_width(100_000), table).maximum

    if natural(columns, rows) <= console.width:
        return True
    if not wrap_last or len(columns) < 2:
        return False
    rest = natural(columns[:-1], (r[:-1] for r in rows))
    return rest + 3 + LAST_COLUMN_MIN <= console.width


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Cell]], *,
                wide: bool = False, wrap_last: bool = True) -> Console:
    """Print the table (or its stacked records); returns the console for the lines after it.

    A row whose first cell is empty continues the record above it (a dispute's second
    finding): stacked, its other cells are added to that record."""
    console = Console(width=WIDE if wide else width())
    if wide or _fits(console, columns, rows, wrap_last):
        console.print(_table(title, columns, rows, wrap_last=wrap_last))
        return console
    console.print(Text(title, style="italic"))

    def flush(grid: Table) -> None:
        # A grid pads every line to its widest value: trailing blanks, noise in a file or diff.
        with console.capture() as captured:
            console.print(grid)
        console.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))

    label_width = max(len(c) for c in columns[1:]) if len(columns) > 1 else 0
    record: Table | None = None
    for row in rows:
        head = _text(row[0])
        if head.plain or record is None:
            if record is not None:
                flush(record)
            console.print(Text(head.plain or "—", style="bold"))
            record = Table.grid(padding=(0, 2))
            record.add_column(width=label_width + 2, no_wrap=True)
            record.add_column(overflow="fold")
        for column, cell in zip(columns[1:], row[1:], strict=True):
            text = _text(cell)
            if text.plain:
                record.add_row(Text("  " + column), text)
    if record is not None:
        flush(record)
    return console

