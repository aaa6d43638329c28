"""Imports of prompts, outputs and labels: validated record by record, all or nothing.

Each import is one `BEGIN IMMEDIATE` transaction: the first bad record raises
`ImportFileError` (`file:line: field: problem`) and nothing of the file stays. Re-importing a
record that is already there with the same content is a no-op; the same id with other content
is an error.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from store.db import immediate, now
from store.demonstrations import label_id_of
from store.errors import ImportFileError, StoreError
from store.labels import LabelValue, write_labels
from store.records import Progress, read_records
from store.roster import add_labeler
from store.rules import PromptRules
from store.schema import Schema, load_schema

SOURCES = ("api", "labeler")
STYLES = ("plain", "few_shot", "user_based")
PROMPT_TASKS = ("demonstration", "comparison", "toxicity", "instruction")
MIN_OUTPUTS, MAX_OUTPUTS = 2, 9
BATCH = 1000


@dataclass
class ImportResult:
    read: int = 0
    added: int = 0
    unchanged: int = 0
    tasks_created: int = 0
    new_labelers: list[str] = field(default_factory=list)


def _str(
    path: str, line: int, record: dict[str, Any], key: str, *, required: bool = False,
    choices: Collection[str] | None = None,
) -> str | None:
    value = record.get(key)
    if value is None:
        if required:
            raise ImportFileError(path, line, key, "missing (required)")
        return None
    if not isinstance(value, str):
        raise ImportFileError(path, line, key, f"must be a string, not {type(value).__name__}")
    if required and not value.strip():
        raise ImportFileError(path, line, key, "must not be empty")
    if choices and value not in choices:
        raise ImportFileError(path, line, key, f"{value!r} is not one of {', '.join(choices)}")
    return value


def _required(
    path: str, line: int, record: dict[str, Any], key: str, *,
    choices: Collection[str] | None = None,
) -> str:
    value = _str(path, line, record, key, required=True, choices=choices)
    assert value is not None  # required: _str raised
    return value


def _check_keys(path: str, line: int, record: dict[str, Any], known: Collection[str]) -> None:
    for key in record:
        if key not in known:
            raise ImportFileError(path, line, key, f"unknown key (known: {', '.join(known)})")


# ------------------------------------------------------------------ prompts

PROMPT_KEYS = ("id", "text", "user_id", "source", "style", "category", "split", "tasks")


def parse_prompt(path: str, line: int, record: dict[str, Any], schema: Schema) -> dict[str, Any]:
    _check_keys(path, line, record, PROMPT_KEYS)
    categories = schema.field("instruction", "category").choices if "instruction" in schema.tasks else None
    tasks = record.get("tasks")
    if isinstance(tasks, str):  # CSV: "comparison;instruction"
        tasks = [t for t in tasks.replace(";", ",").replace("|", ",").split(",") if t.strip()]
        tasks = [t.strip() for t in tasks]
    if tasks is not None:
        if not isinstance(tasks, list) or not all(isinstance(t, str) for t in tasks):
            raise ImportFileError(path, line, "tasks", "must be a list of task names")
        for t in tasks:
            if t not in PROMPT_TASKS:
                raise ImportFileError(path, line, "tasks", f"{t!r} is not one of {', '.join(PROMPT_TASKS)}")
    user_id = record.get("user_id")
    if user_id is not None and not isinstance(user_id, str):
        user_id = str(user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) else None
        if user_id is None:
            raise ImportFileError(path, line, "user_id", "must be a string")
    return {
        "id": _str(path, line, record, "id", required=True),
        "text": _str(path, line, record, "text", required=True),
        "user_id": user_id,
        "source": _str(path, line, record, "source", choices=SOURCES),
        "style": _str(path, line, record, "style", choices=STYLES),
        "category": _str(path, line, record, "category", choices=categories),
        "split": _str(path, line, record, "split"),
        "tasks": json.dumps(sorted(set(tasks)) if tasks else []),
    }


def import_prompts(
    db: sqlite_utils.Database,
    path: str | Path,
    *,
    schema: Schema | None = None,
    progress: Progress | None = None,
    rules: PromptRules | None = None,
) -> ImportResult:
    """Import prompts; `rules` (store.rules.PromptRules) may set split/status/reason on
    each row. Without it, a missing split is computed from the user id with the default ratios."""
    schema = schema or load_schema()
    rules = rules or PromptRules(api_rules=False)
    name = str(path)
    result = ImportResult()
    with immediate(db):
        batch: list[dict[str, Any]] = []
        batch_ids: set[str] = set()
        for line, record in read_records(path, progress=progress, json_columns=("tasks",)):
            row = parse_prompt(name, line, record, schema)
            result.read += 1
            old = db.execute("SELECT text FROM prompts WHERE id = ?", [row["id"]]).fetchone()
            if old is not None:
                if old[0] != row["text"]:
                    raise ImportFileError(name, line, "text", f"prompt {row['id']!r} already exists with different text")
                result.unchanged += 1
                continue
            if row["id"] in batch_ids:  # earlier batches are caught by the SELECT above
                raise ImportFileError(name, line, "id", f"{row['id']!r} appears twice in this file")
            # After the checks above, so a re-imported prompt is not judged against itself.
            rules.apply(row)
            row["status"] = row.get("status") or "pool"
            row["created_at"] = now()
            batch.append(row)
            batch_ids.add(row["id"])
            if len(batch) >= BATCH:
                result.added += _insert(db, "prompts", batch)
                batch_ids.clear()
        result.added += _insert(db, "prompts", batch)
        result.tasks_created = sync_tasks(db)
    return result


def _insert(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    columns = list(rows[0])
    quoted = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    db.conn.executemany(
        f"INSERT INTO {table} ({quoted}) VALUES ({marks})", [[r[c] for c in columns] for r in rows]
    )
    n = len(rows)
    rows.clear()
    return n


def sync_tasks(db: sqlite_utils.Database) -> int:
    """Create the tasks each pooled prompt calls for (see interfaces.md, `tasks`)."""
    stamp = now()
    before = int(db.execute("SELECT count(*) FROM tasks").fetchone()[0])
    counted = """(SELECT count(*) FROM outputs o WHERE o.prompt_id = p.id)"""
    statements = [
        # Explicit kinds that need no outputs.
        ("""INSERT OR IGNORE INTO tasks (kind, item, created_at)
            SELECT j.value, p.id, ? FROM prompts p, json_each(p.tasks) j
            WHERE p.status = 'pool' AND j.value IN ('demonstration', 'instruction')"""),
        (f"""INSERT OR IGNORE INTO tasks (kind, item, created_at)
            SELECT 'comparison', p.id, ? FROM prompts p
            WHERE p.status = 'pool' AND {counted} BETWEEN {MIN_OUTPUTS} AND {MAX_OUTPUTS}
              AND (p.tasks = '[]' OR EXISTS (SELECT 1 FROM json_each(p.tasks) j
                                             WHERE j.value = 'comparison'))"""),
        (f"""INSERT OR IGNORE INTO tasks (kind, item, created_at)
            SELECT 'toxicity', p.id, ? FROM prompts p
            WHERE p.status = 'pool' AND {counted} BETWEEN 1 AND {MAX_OUTPUTS}
              AND EXISTS (SELECT 1 FROM json_each(p.tasks) j WHERE j.value = 'toxicity')"""),
        # Implicit kind: a prompt without outputs (and without `tasks`) is for writing.
        (f"""INSERT OR IGNORE INTO tasks (kind, item, created_at)
            SELECT 'demonstration', p.id, ? FROM prompts p
            WHERE p.status = 'pool' AND p.tasks = '[]' AND {counted} = 0"""),
    ]
    for sql in statements:
        db.execute(sql, [stamp])
    # Outputs arrived for an implicit prompt: it became a comparison; drop the untouched
    # writing task that was made for it while it had none.
    db.execute(
        """DELETE FROM tasks WHERE kind = 'demonstration' AND quiz = ''
           AND item IN (SELECT p.id FROM prompts p WHERE p.tasks = '[]')
           AND EXISTS (SELECT 1 FROM outputs o WHERE o.prompt_id = tasks.item)
           AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = tasks.id)"""
    )
    return int(db.execute("SELECT count(*) FROM tasks").fetchone()[0]) - before


# ------------------------------------------------------------------ outputs

OUTPUT_KEYS = ("id", "prompt_id", "text", "model")


def import_outputs(
    db: sqlite_utils.Database, path: str | Path, *, progress: Progress | None = None
) -> ImportResult:
    name = str(path)
    result = ImportResult()
    with immediate(db):
        first_line: dict[str, int] = {}
        positions: dict[str, int] = {}
        touched: dict[str, int] = {}
        batch: list[dict[str, Any]] = []
        for line, record in read_records(path, progress=progress):
            _check_keys(name, line, record, OUTPUT_KEYS)
            row: dict[str, Any] = {
                "id": _required(name, line, record, "id"),
                "prompt_id": _required(name, line, record, "prompt_id"),
                "text": _str(name, line, record, "text"),
                "model": _str(name, line, record, "model"),
            }
            if row["text"] is None:
                raise ImportFileError(name, line, "text", "missing (required; may be empty)")
            result.read += 1
            if db.execute("SELECT 1 FROM prompts WHERE id = ?", [row["prompt_id"]]).fetchone() is None:
                raise ImportFileError(name, line, "prompt_id", f"no prompt {row['prompt_id']!r} (import prompts first)")
            old = db.execute("SELECT prompt_id, text FROM outputs WHERE id = ?", [row["id"]]).fetchone()
            if old is not None:
                if tuple(old) != (row["prompt_id"], row["text"]):
                    raise ImportFileError(name, line, "text", f"output {row['id']!r} already exists with different content")
                result.unchanged += 1
                continue
            if row["id"] in first_line:
                raise ImportFileError(name, line, "id", f"{row['id']!r} appears twice in this file")
            first_line[row["id"]] = line
            touched[row["prompt_id"]] = line
            pid = row["prompt_id"]
            if pid not in positions:
                positions[pid] = db.execute(
                    "SELECT count(*) FROM outputs WHERE prompt_id = ?", [pid]).fetchone()[0]
            row["position"] = positions[pid]
            positions[pid] += 1
            batch.append(row)
            if len(batch) >= BATCH:
                result.added += _insert(db, "outputs", batch)
        result.added += _insert(db, "outputs", batch)
        _check_output_counts(db, name, touched)
        result.tasks_created = sync_tasks(db)
    return result


def _check_output_counts(db: sqlite_utils.Database, name: str, touched: dict[str, int]) -> None:
    """Each prompt this file added outputs to: at most 9, and 2..9 if it is a comparison."""
    for prompt_id, line in touched.items():
        n, tasks = db.execute(
            "SELECT (SELECT count(*) FROM outputs WHERE prompt_id = p.id), p.tasks "
            "FROM prompts p WHERE p.id = ?", [prompt_id]).fetchone()
        if n > MAX_OUTPUTS:
            raise ImportFileError(name, line, "prompt_id", f"prompt {prompt_id!r} would have {n} outputs; a comparison has {MIN_OUTPUTS}..{MAX_OUTPUTS}")
        if n < MIN_OUTPUTS and "comparison" in json.loads(tasks):
            raise ImportFileError(name, line, "prompt_id", f"comparison prompt {prompt_id!r} has only {n} output; it needs {MIN_OUTPUTS}..{MAX_OUTPUTS}")


# ------------------------------------------------------------------ labels

LABEL_KEYS = ("labeler", "task", "item", "field", "value", "gold", "created_at", "seconds")
_KIND_OF = {
    "instruction": "comparison", "output": "comparison", "ranking": "comparison",
    "toxicity": "toxicity", "demonstration": "demonstration",
    "demonstration_score": "demonstration_score",
}


def _item_prompt(db: sqlite_utils.Database, task: str, item: str) -> str | None:
    """The prompt a label's item belongs to, or None when the item does not exist."""
    if task in ("output", "toxicity"):
        row = db.execute("SELECT prompt_id FROM outputs WHERE id = ?", [item]).fetchone()
        return row[0] if row else None
    if task == "demonstration_score":
        try:
            label_id = label_id_of(item)
        except StoreError:
            return None
        row = db.execute(
            "SELECT item FROM labels WHERE id = ? AND task = 'demonstration'", [label_id]
        ).fetchone()
        return item if row else None
    row = db.execute("SELECT id FROM prompts WHERE id = ?", [item]).fetchone()
    return row[0] if row else None


def import_labels(
    db: sqlite_utils.Database,
    path: str | Path,
    *,
    gold: bool = False,
    schema: Schema | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    schema = schema or load_schema()
    name = str(path)
    result = ImportResult()
    done: set[tuple[str, str, str]] = set()
    with immediate(db):
        known = {n for (n,) in db.execute("SELECT name FROM labelers")}
        for line, record in read_records(path, progress=progress, json_columns=("value", "gold", "seconds")):
            _check_keys(name, line, record, LABEL_KEYS)
            labeler = _required(name, line, record, "labeler")
            task = _required(name, line, record, "task", choices=tuple(schema.tasks))
            item = _required(name, line, record, "item")
            fname = _required(name, line, record, "field")
            if "value" not in record:
                raise ImportFileError(name, line, "value", "missing (required)")
            value = record["value"]
            is_gold = gold or record.get("gold") is True
            try:
                schema.validate(task, fname, value)
            except StoreError as exc:
                raise ImportFileError(name, line, "value" if "unknown field" not in str(exc) else "field", str(exc)) from None
            prompt = _item_prompt(db, task, item)
            if prompt is None:
                raise ImportFileError(name, line, "item", f"no {schema.task(task).item or 'item'} {item!r} for task {task!r}")
            if task == "ranking":
                _check_ranking_outputs(db, name, line, item, value)
            if labeler not in known:
                add_labeler(db, labeler, "researcher" if is_gold else "labeler")
                known.add(labeler)
                result.new_labelers.append(labeler)
            seconds = record.get("seconds")
            if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))):
                raise ImportFileError(name, line, "seconds", "must be a number")
            created = _str(name, line, record, "created_at")
            old = db.execute(
                "SELECT value, gold FROM labels WHERE labeler = ? AND task = ? AND item = ? AND field = ?",
                [labeler, task, item, fname],
            ).fetchone()
            if old is not None and json.loads(old[0]) == value and bool(old[1]) == is_gold:
                result.unchanged += 1
            else:
                write_labels(db, labeler, [LabelValue(task, item, fname, value)], gold=is_gold,
                             schema=schema, seconds=seconds, created_at=created)
                result.added += 1
            result.read += 1
            done.add((labeler, _KIND_OF.get(task, task), prompt))
        _mark_done(db, done)
    return result


def _check_ranking_outputs(db: sqlite_utils.Database, name: str, line: int, prompt_id: str, ranking: list[list[str]]) -> None:
    ranked = {o for group in ranking for o in group}
    have = {r[0] for r in db.execute("SELECT id FROM outputs WHERE prompt_id = ?", [prompt_id])}
    if ranked != have:
        missing, extra = sorted(have - ranked), sorted(ranked - have)
        detail = "; ".join(filter(None, [
            f"missing {', '.join(missing)}" if missing else "",
            f"not outputs of {prompt_id}: {', '.join(extra)}" if extra else "",
        ]))
        raise ImportFileError(name, line, "value", f"a ranking must place every output of the prompt ({detail})")


def _mark_done(db: sqlite_utils.Database, done: Iterable[tuple[str, str, str]]) -> None:
    """Imported labels count as finished assignments, so nobody is offered the item again."""
    stamp = now()
    for labeler, kind, item in done:
        task = db.execute("SELECT id FROM tasks WHERE kind = ? AND item = ? AND quiz = ''", [kind, item]).fetchone()
        if task is None:
            continue
        db.execute(
            """INSERT INTO assignments (task_id, labeler, status, claimed_at, finished_at)
               VALUES (?, ?, 'done', ?, ?)
               ON CONFLICT(task_id, labeler) DO UPDATE SET status = 'done',
                 finished_at = coalesce(assignments.finished_at, excluded.finished_at)""",
            [task[0], labeler, stamp, stamp],
        )
