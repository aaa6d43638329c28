"""Reading import files record by record (JSONL or CSV by extension), with line numbers.

Bytes are decoded strictly so invalid UTF-8 or lone surrogates become a clear
`file:line: field: problem` error instead of a crash somewhere later.
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from store.errors import ImportFileError, Problems
from store.text import one_line

Progress = Callable[[int], None]


NUL = "NUL character (U+0000)"


def _check_text(path: str, line: int, record: dict[str, Any], bad_bytes: bool = False) -> None:
    """Refuse text UTF-8 cannot hold, and the NUL character, naming its field. With ``bad_bytes`` the line was decoded
    with surrogateescape, so a surrogate there is an invalid byte of the file, not a JSON escape."""
    for key, value in record.items():
        for text in (str(key), *_strings(value)):
            if "\x00" in text:  # PostgreSQL text cannot hold it: refused on both backends
                raise ImportFileError(path, line, one_line(str(key)), NUL)
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                char = ord(text[exc.start])
                if bad_bytes and 0xDC80 <= char <= 0xDCFF:
                    problem = f"invalid UTF-8 (byte 0x{char - 0xDC00:02x})"
                else:
                    problem = "contains a lone surrogate (not valid Unicode)"
                raise ImportFileError(path, line, str(key).encode("utf-8", "replace").decode(), problem) from None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def read_records(
    path: str | Path,
    *,
    progress: Progress | None = None,
    json_columns: tuple[str, ...] = (),
    problems: Problems | None = None,
    columns: Collection[str] | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, record). CSV cells named in `json_columns` are parsed as JSON; a CSV
    header naming anything outside `columns` is one problem at line 1 listing every such column
    (a misspelt header would otherwise be reported once per column, once per run).

    A bad record raises `ImportFileError`; with `problems` it is collected there instead and
    reading goes on (the importer raises them all at the end). A file that cannot be read at
    all always raises."""
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    packed = suffix == ".gz"  # JSON Lines compressed with gzip (as HH-RLHF ships)
    if packed:
        suffix = path.with_suffix("").suffix.lower()
    if suffix not in (".jsonl", ".json", ".ndjson", ".csv") or (packed and suffix == ".csv"):
        raise ImportFileError(name, 0, "(file)", f"unknown format {suffix or '(no extension)'!r}: "
                              "records are read from .jsonl (also .json, .ndjson, and any of "
                              "these gzipped, .jsonl.gz) or .csv files")
    try:
        handle: IO[bytes] = gzip.open(path, "rb") if packed else open(path, "rb")  # type: ignore[assignment]
    except OSError as exc:
        raise ImportFileError(name, 0, "(file)", exc.strerror or str(exc)) from exc
    with handle:
        rows = (_csv(name, handle, progress, json_columns, columns) if suffix == ".csv"
                else _jsonl(name, handle, progress))
        for line, record in rows:
            if isinstance(record, ImportFileError):
                if problems is None:
                    raise record
                problems.add(record)
            else:
                yield line, record


def _decode(raw: bytes) -> tuple[str, bool]:
    """The line's text, and whether it held invalid UTF-8 (kept as surrogate escapes, so the
    error can name the field it is in; `_check_text` refuses them)."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", "surrogateescape"), True


def _encoding_error(name: str, line: int, text: str) -> ImportFileError:
    at = next(i for i, c in enumerate(text) if 0xDC80 <= ord(c) <= 0xDCFF)
    return ImportFileError(name, line, "(encoding)", f"invalid UTF-8 at character {at + 1}")


def parse_json(name: str, line: int, field: str, text: str) -> Any:
    """JSON text, or `ImportFileError` for what `json` would otherwise crash or mislead on."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # exc.msg of "Unterminated string starting at" already ends in "at".
        where = "" if exc.msg.endswith(" at") else " at"
        raise ImportFileError(name, line, field, f"not valid JSON ({exc.msg}{where} column {exc.colno})") from None
    except RecursionError:
        raise ImportFileError(name, line, field, "nested too deeply") from None
    except ValueError:  # Python's limit on the digits of an integer (CVE-2020-10735)
        limit = sys.get_int_max_str_digits()
        raise ImportFileError(name, line, field, f"a number with more than {limit} digits") from None


Rows = Iterator[tuple[int, "dict[str, Any] | ImportFileError"]]


def _jsonl(name: str, handle: IO[bytes], progress: Callable[[int], object] | None) -> Rows:
    for line, raw in enumerate(handle, 1):
        if progress:
            progress(len(raw))
        text, bad_bytes = _decode(raw)
        if line == 1:
            text = text.removeprefix(BOM)
        text = text.strip()
        if not text:
            continue
        try:
            try:
                record = parse_json(name, line, "(json)", text)
            except ImportFileError:
                if bad_bytes:
                    raise _encoding_error(name, line, text) from None
                raise
            if not isinstance(record, dict):
                raise ImportFileError(name, line, "(json)", "each line must be a JSON object")
            _check_text(name, line, record, bad_bytes)
        except ImportFileError as exc:
            yield line, exc
            continue
        yield line, record


BOM = "\ufeff"  # Excel writes it at the start of a "CSV UTF-8" file


def _csv(
    name: str, handle: IO[bytes], progress: Callable[[int], object] | None,
    json_columns: Iterable[str], columns: Collection[str] | None,
) -> Rows:
    bad_lines: set[int] = set()

    def lines() -> Iterator[str]:
        for n, raw in enumerate(handle, 1):
            if progress:
                progress(len(raw))
            text, bad_bytes = _decode(raw)
            if n == 1:
                text = text.removeprefix(BOM)
            if bad_bytes:
                bad_lines.add(n)
            yield text

    # strict: a file cut off inside a quoted cell is an error, not a shorter record.
    reader = csv.DictReader(lines(), strict=True)
    if columns is not None:
        try:
            header = reader.fieldnames or []
        except csv.Error as exc:
            yield 1, ImportFileError(name, 1, "(csv)", _csv_problem(exc))
            return
        unknown = [column for column in header if column not in columns]
        if unknown:
            yield 1, ImportFileError(
                name, 1, ", ".join(unknown),
                f"unknown column{'s' if len(unknown) > 1 else ''} (known: {', '.join(columns)})")
            return
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The reader cannot be trusted past a malformed record: report it and stop.
            line = reader.reader.line_num  # DictReader's own count lags on an error
            yield line, ImportFileError(name, line, "(csv)", _csv_problem(exc))
            return
        line = reader.line_num
        try:
            yield line, _csv_record(name, line, record, json_columns, bool(bad_lines))
        except ImportFileError as exc:
            yield line, exc


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field limit" in text:
        return f"a cell is longer than {csv.field_size_limit():,} characters"
    if "unexpected end of data" in text:
        return "the file ends inside a quoted cell (cut off?)"
    return f"not valid CSV ({text})"


def _csv_record(name: str, line: int, record: dict[str | None, Any], json_columns: Iterable[str],
                bad_bytes: bool) -> dict[str, Any]:
    if None in record:
        raise ImportFileError(name, line, "(csv)", "more cells than header columns")
    clean: dict[str, Any] = {}
    for key, value in record.items():
        assert key is not None  # the extra cells' key, refused above
        if value is None or value == "":
            continue
        if "\x00" in value:
            raise ImportFileError(name, line, key, "contains a NUL character")
        if key in json_columns:
            try:
                value = parse_json(name, line, key, value)
            except ImportFileError as exc:
                if key != "tasks" or exc.problem.startswith(("nested", "a number")):
                    raise ImportFileError(name, line, key, exc.problem) from None
        clean[key] = value
    _check_text(name, line, clean, bad_bytes)
    return clean


# Line breaks to `str.splitlines()` (and to JavaScript before ES2019) that JSON leaves raw:
# escaped, so one record stays one line for every reader of a JSONL file.
_LINE_BREAKS = {0x2028: "\\u2028", 0x2029: "\\u2029", 0x85: "\\u0085"}


def jsonl_line(record: Any, *, ensure_ascii: bool = False) -> str:
    """One JSONL line for ``record`` (without the newline)."""
    return json.dumps(record, ensure_ascii=ensure_ascii).translate(_LINE_BREAKS)




# A spreadsheet runs a text cell that starts with one of these as a formula (OWASP "CSV
# injection"); a leading apostrophe makes it text. Numbers are written as numbers.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` for a CSV cell a spreadsheet will open."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
