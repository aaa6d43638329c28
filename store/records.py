"""Reading import files record by record (JSONL or CSV by extension), with line numbers.

Bytes are decoded strictly so invalid UTF-8 or lone surrogates become a clear
`file:line: field: problem` error instead of a crash somewhere later.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from store.errors import ImportFileError

Progress = Callable[[int], None]


def _check_text(path: str, line: int, record: dict[str, Any], bad_bytes: bool = False) -> None:
    """Refuse text UTF-8 cannot hold, naming its field. With ``bad_bytes`` the line was decoded
    with surrogateescape, so a surrogate there is an invalid byte of the file, not a JSON escape."""
    for key, value in record.items():
        for text in (str(key), *_strings(value)):
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
    path: str | Path, *, progress: Progress | None = None, json_columns: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, record). CSV cells named in `json_columns` are parsed as JSON."""
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".json", ".ndjson", ".csv"):
        raise ImportFileError(name, 0, "(file)", "unknown format: use .jsonl or .csv")
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise ImportFileError(name, 0, "(file)", exc.strerror or str(exc)) from exc
    with handle:
        if suffix == ".csv":
            yield from _csv(name, handle, progress, json_columns)
        else:
            yield from _jsonl(name, handle, progress)


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


def _jsonl(
    name: str, handle: IO[bytes], progress: Callable[[int], object] | None
) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, raw in enumerate(handle, 1):
        if progress:
            progress(len(raw))
        text, bad_bytes = _decode(raw)
        text = text.strip()
        if not text:
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            if bad_bytes:
                raise _encoding_error(name, line, text) from None
            raise ImportFileError(name, line, "(json)", f"not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(record, dict):
            raise ImportFileError(name, line, "(json)", "each line must be a JSON object")
        _check_text(name, line, record, bad_bytes)
        yield line, record


def _csv(
    name: str, handle: IO[bytes], progress: Callable[[int], object] | None,
    json_columns: Iterable[str],
) -> Iterator[tuple[int, dict[str, Any]]]:
    bad_lines: set[int] = set()

    def lines() -> Iterator[str]:
        for n, raw in enumerate(handle, 1):
            if progress:
                progress(len(raw))
            text, bad_bytes = _decode(raw)
            if bad_bytes:
                bad_lines.add(n)
            yield text

    reader = csv.DictReader(lines())
    for record in reader:
        line = reader.line_num
        if None in record:
            raise ImportFileError(name, line, "(csv)", "more cells than header columns")
        clean: dict[str, Any] = {}
        for key, value in record.items():
            if value is None or value == "":
                continue
            if key in json_columns:
                try:
                    value = json.loads(value)
                except json.JSONDecodeError:
                    if key != "tasks":
                        raise ImportFileError(name, line, key, "not valid JSON") from None
            clean[key] = value
        _check_text(name, line, clean, bool(bad_lines))
        yield line, clean


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


