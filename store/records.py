"""Reading import files record by record (JSONL or CSV by extension), with line numbers.

Bytes are decoded strictly so invalid UTF-8 or lone surrogates become a clear
`file:line: field: problem` error instead of a crash somewhere later.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from store.errors import ImportFileError

Progress = Callable[[int], None]


def _check_text(path: str, line: int, record: dict[str, Any]) -> None:
    for key, value in record.items():
        for text in _strings(value):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise ImportFileError(path, line, str(key), "contains a lone surrogate (not valid Unicode)") from None


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


def _decode(name: str, line: int, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFileError(name, line, "(encoding)", f"invalid UTF-8 at byte {exc.start}") from None


def _jsonl(name, handle, progress) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, raw in enumerate(handle, 1):
        if progress:
            progress(len(raw))
        text = _decode(name, line, raw).strip()
        if not text:
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFileError(name, line, "(json)", f"not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(record, dict):
            raise ImportFileError(name, line, "(json)", "each line must be a JSON object")
        _check_text(name, line, record)
        yield line, record


def _csv(name, handle, progress, json_columns) -> Iterator[tuple[int, dict[str, Any]]]:
    def lines() -> Iterator[str]:
        for n, raw in enumerate(handle, 1):
            if progress:
                progress(len(raw))
            yield _decode(name, n, raw)

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
        _check_text(name, line, clean)
        yield line, clean


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


