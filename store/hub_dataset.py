"""Hub-ready datasets: an export as Parquet shards per split plus a dataset card.

`DIR/data/<split>-NNNNN-of-NNNNN.parquet` and `DIR/README.md`, the layout the Hugging Face Hub
and `datasets.load_dataset(DIR)` read: the card's YAML `configs` name each split's files. The
records are streamed twice (once to learn every column's type, once to write) so memory does
not grow with the export. The whole directory is built beside `DIR` and renamed into place, so
a failed export leaves nothing half written. pyarrow (the `parquet` extra) is imported only here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.errors import StoreError

MAX_SHARD_BYTES = 500 * 1000 * 1000  # the Hub's advice: Parquet files of at most ~500 MB
BATCH = 1000  # records per Arrow batch (a row group per batch)
SPLIT_NAME = re.compile(r"^\w+(\.\w+)*$")  # what `datasets` accepts as a split name

# A column's type, learnt from its values: "null", "bool", "int", "float", "string", "json"
# (mixed values, or objects whose keys differ from record to record: stored as JSON text),
# ("list", item) or ("struct", ((key, kind), ...)).
Kind = Any


def kind_of(value: Any) -> Kind:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        item: Kind = "null"
        for v in value:
            item = merge(item, kind_of(v))
        return ("list", item)
    if isinstance(value, dict):
        return ("struct", tuple((k, kind_of(v)) for k, v in value.items()))
    return "json"


def merge(a: Kind, b: Kind) -> Kind:
    if a == b or b == "null":
        return a
    if a == "null":
        return b
    if {a, b} == {"int", "float"}:
        return "float"
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0] == "list":
        return ("list", merge(a[1], b[1]))
    if (isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0] == "struct"
            and [k for k, _ in a[1]] == [k for k, _ in b[1]]):
        return ("struct", tuple((k, merge(x, y)) for (k, x), (_, y) in zip(a[1], b[1], strict=True)))
    return "json"


def _arrow(pa: Any, kind: Kind) -> Any:
    simple = {"null": pa.string(), "bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(),
              "string": pa.string(), "json": pa.string()}
    if isinstance(kind, str):
        return simple[kind]
    if kind[0] == "list":
        return pa.list_(_arrow(pa, kind[1]))
    return pa.struct([(k, _arrow(pa, v)) for k, v in kind[1]])


def _cell(value: Any, kind: Kind) -> Any:
    return json.dumps(value, ensure_ascii=False) if kind == "json" and value is not None else value


def feature_yaml(name: str, kind: Kind, indent: str) -> list[str]:
    """One feature of the card's `dataset_info` in the form `datasets` writes itself."""
    head = f"{indent}- name: {name}" if name else f"{indent}-"
    return [head] + _feature_body(kind, indent + "  ")


def _feature_body(kind: Kind, indent: str) -> list[str]:
    dtypes = {"null": "string", "bool": "bool", "int": "int64", "float": "float64",
              "string": "string", "json": "string"}
    if isinstance(kind, str):
        return [f"{indent}dtype: {dtypes[kind]}"]
    if kind[0] == "list":
        item = kind[1]
        if isinstance(item, str):
            return [f"{indent}list: {dtypes[item]}"]
        if item[0] == "struct":
            return [f"{indent}list:"] + [line for k, v in item[1] for line in feature_yaml(k, v, indent)]
        return [f"{indent}list:"] + _feature_body(item, indent + "  ")
    return [f"{indent}struct:"] + [line for k, v in kind[1] for line in feature_yaml(k, v, indent)]


def type_name(kind: Kind) -> str:
    """A column's type in words, for the card's table."""
    if isinstance(kind, str):
        return {"null": "string (always empty)", "json": "string (JSON text)", "int": "int64",
                "float": "float64"}.get(kind, kind)
    if kind[0] == "list":
        return f"list of {type_name(kind[1])}"
    return "{" + ", ".join(f"{k}: {type_name(v)}" for k, v in kind[1]) + "}"


@dataclass
class Written:
    """What `write_dataset` wrote: records and shards per split, the columns and their kinds,
    and how many records carried each `resolution`."""

    counts: dict[str, int] = field(default_factory=dict)
    shards: dict[str, int] = field(default_factory=dict)
    columns: dict[str, Kind] = field(default_factory=dict)
    resolutions: Counter[str] = field(default_factory=Counter)


Splits = list[tuple[str, Callable[[], Iterable[dict[str, Any]]]]]


def write_dataset(
    out: Path,
    splits: Splits,
    card: Callable[[Written], str],
    *,
    max_shard_bytes: int = MAX_SHARD_BYTES,
) -> Written:
    """Write each (split name, records) as Parquet shards under `out/data/` and `card(written)`
    as `out/README.md`. `out` must not hold anything yet. Raises StoreError for a bad directory
    or split name, or an export with no record."""
    import pyarrow as pa  # the `parquet` extra: only for this format
    import pyarrow.parquet as pq

    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise StoreError(f"{out}: already exists and is not an empty directory (a dataset is "
                         "written into a new directory)")
    for name, _records in splits:
        if not SPLIT_NAME.match(name):
            raise StoreError(f"split {name!r}: the Hub takes letters, digits and _ (dots between); "
                             "rename it in [rules.splits]")
    written = Written()
    for name, records in splits:  # pass 1: every column's kind, and the counts
        for record in records():
            for key, value in record.items():
                written.columns[key] = merge(written.columns.get(key, "null"), kind_of(value))
            written.counts[name] = written.counts.get(name, 0) + 1
            if isinstance(record.get("resolution"), str):
                written.resolutions[record["resolution"]] += 1
    if not written.counts:
        raise StoreError("nothing to export: no record in any split")
    schema = pa.schema([(k, _arrow(pa, v)) for k, v in written.columns.items()])
    work = out.parent / f".{out.name}.partial-{os.getpid()}"
    try:
        (work / "data").mkdir(parents=True)
        for name, records in splits:
            if written.counts.get(name):
                written.shards[name] = _write_split(pa, pq, work / "data", name, records(), schema,
                                                    written.columns, max_shard_bytes)
        (work / "README.md").write_text(card(written), encoding="utf-8")
        if out.exists():
            out.rmdir()
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return written


def _write_split(pa: Any, pq: Any, data: Path, name: str, records: Iterable[dict[str, Any]],
                 schema: Any, columns: dict[str, Kind], max_shard_bytes: int) -> int:
    """Shards of at most `max_shard_bytes` of Arrow data each (Parquet's compressed files are
    smaller); returns how many, after renaming them to `<split>-NNNNN-of-NNNNN.parquet`."""
    paths: list[Path] = []
    writer: Any = None
    size = 0

    def flush(batch: list[dict[str, Any]]) -> None:
        nonlocal writer, size
        table = pa.Table.from_pylist(
            [{k: _cell(r.get(k), kind) for k, kind in columns.items()} for r in batch], schema=schema)
        if writer is not None and size + table.nbytes > max_shard_bytes:
            writer.close()
            writer = None
        if writer is None:
            paths.append(data / f"{name}.{len(paths)}.partial")
            writer, size = pq.ParquetWriter(paths[-1], schema), 0
        writer.write_table(table)
        size += table.nbytes

    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) == BATCH:
            flush(batch)
            batch = []
    if batch:
        flush(batch)
    if writer is not None:
        writer.close()
    for i, path in enumerate(paths):
        path.rename(data / f"{name}-{i:05d}-of-{len(paths):05d}.parquet")
    return len(paths)
