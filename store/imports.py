"""Imports of prompts, outputs and labels: validated record by record, all or nothing.

Every record is checked first; bad records raise `ImportFileError` (`file:line: field:
problem`, every one of them up to 20, see `store.errors.Problems`) and nothing of the file
stays. Every import is staged (store/staging.py) while the file is read and published in one
short transaction, so labelers keep saving during a long import. Re-importing a
record that is already there with the same content is a no-op; the same id with other content
is an error.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from store.conversation import (
    ConversationError,
    check_messages,
    conversation_text,
    hh_pair,
    request,
    stored,
)
from store.db import guideline_version_of, immediate, now
from store.demonstrations import label_id_of
from store.errors import ImportFileError, ImportProblems, Problems, StoreError
from store.records import Progress, read_records
from store.roster import add_labeler, check_name
from store.rules import PromptRules
from store.schema import Schema, load_schema
from store.staging import Stage

SOURCES = ("api", "labeler")
STYLES = ("plain", "few_shot", "user_based")
PROMPT_TASKS = ("demonstration", "comparison", "toxicity", "instruction")
MIN_OUTPUTS, MAX_OUTPUTS = 2, 9


@dataclass
class ImportResult:
    read: int = 0
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
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


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _name(path: str, line: int, record: dict[str, Any], key: str) -> str | None:
    """A value that becomes part of a file name or a filter (a split): no paths, no spaces."""
    value = _str(path, line, record, key)
    if value is not None and (not _NAME.fullmatch(value) or ".." in value or len(value) > 64):
        raise ImportFileError(path, line, key, f"{value!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    return value


def _required(
    path: str, line: int, record: dict[str, Any], key: str, *,
    choices: Collection[str] | None = None,
) -> str:
    value = _str(path, line, record, key, required=True, choices=choices)
    assert value is not None  # required: _str raised
    return value


def _check_keys(path: str, line: int, record: dict[str, Any], known: Collection[str]) -> None:
    unknown = [key for key in record if key not in known]
    if unknown:
        raise ImportFileError(path, line, ", ".join(unknown),
                              f"unknown key{'s' if len(unknown) > 1 else ''} (known: {', '.join(known)})")


# ------------------------------------------------------------------ prompts

PROMPT_KEYS = ("id", "text", "messages", "user_id", "source", "style", "category", "split", "tasks")
HH_KEYS = ("chosen", "rejected", *(k for k in PROMPT_KEYS if k not in ("text", "messages")))


def hh_id(path: str, line: int) -> str:
    """The prompt id of an HH-RLHF record without one: the file's name and the line."""
    return f"{Path(path).name.split('.')[0]}-{line}"


def _hh_record(path: str, line: int, record: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    """An HH-RLHF line (`chosen`, `rejected` transcripts) as a prompt record with `messages`,
    and the chosen and rejected final turns."""
    _check_keys(path, line, record, HH_KEYS)
    for key in ("chosen", "rejected"):
        if not isinstance(record.get(key), str):
            raise ImportFileError(path, line, key, "missing (required: an HH-RLHF transcript)")
    try:
        turns, chosen, rejected = hh_pair(record["chosen"], record["rejected"])
    except ConversationError as exc:
        raise ImportFileError(path, line, exc.where if exc.where in ("chosen", "rejected") else "chosen",
                              str(exc)) from None
    prompt = {k: v for k, v in record.items() if k not in ("chosen", "rejected")}
    prompt.setdefault("id", hh_id(path, line))
    prompt["messages"] = turns
    return prompt, chosen, rejected


def _conversation(path: str, line: int, record: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(text, messages JSON, the request) of a record: its `messages` checked and joined into the
    text, or its plain `text`."""
    if record.get("messages") is None:
        return _required(path, line, record, "text"), None, None
    try:
        turns = check_messages(record["messages"])
    except ConversationError as exc:
        raise ImportFileError(path, line, exc.where, str(exc)) from None
    text = conversation_text(turns)
    given = _str(path, line, record, "text")
    if given is not None and given not in (text, request(turns)):
        raise ImportFileError(path, line, "text", "differs from messages (leave it out: it is made "
                              "from the turns)")
    return text, stored(turns), request(turns)


def parse_prompt(path: str, line: int, record: dict[str, Any], schema: Schema, *,
                 from_hh: bool = False) -> dict[str, Any]:
    if from_hh:
        record = _hh_record(path, line, record)[0]
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
    text, messages, req = _conversation(path, line, record)
    return {
        "id": _str(path, line, record, "id", required=True),
        "text": text,
        "messages": messages,
        "request": req,
        "user_id": user_id,
        "source": _str(path, line, record, "source", choices=SOURCES),
        "style": _str(path, line, record, "style", choices=STYLES),
        "category": _str(path, line, record, "category", choices=categories),
        "split": _name(path, line, record, "split"),
        "tasks": json.dumps(sorted(set(tasks)) if tasks else []),
    }


def import_prompts(
    db: sqlite_utils.Database,
    path: str | Path,
    *,
    schema: Schema | None = None,
    progress: Progress | None = None,
    rules: PromptRules | None = None,
    from_hh: bool = False,
) -> ImportResult:
    """Import prompts; `rules` (store.rules.PromptRules) may set split/status/reason on
    each row. Without it, a missing split is computed from the user id with the default ratios.
    A prompt is plain `text` or a conversation (`messages`); `from_hh` reads HH-RLHF lines
    (`chosen`/`rejected` transcripts) and imports their shared conversation."""
    schema = schema or load_schema()
    rules = rules or PromptRules(api_rules=False)
    name = str(path)
    result = ImportResult()
    problems = Problems()
    seen: set[str] = set()
    stage = Stage(db, "prompts", PROMPT_COLUMNS)
    try:
        for line, record in read_records(path, progress=progress, json_columns=("tasks", "messages"),
                                         problems=problems, columns=HH_KEYS if from_hh else PROMPT_KEYS):
            try:
                row = parse_prompt(name, line, record, schema, from_hh=from_hh)
                result.read += 1
                old = db.execute("SELECT text FROM prompts WHERE id = ?", [row["id"]]).fetchone()
                if _already_there(name, line, row, old, ("text",), seen, "prompt", "text"):
                    result.unchanged += 1
                    continue
            except ImportFileError as exc:
                problems.add(exc)
                continue
            seen.add(row["id"])
            if problems:
                continue  # the import is refused anyway: only look for more problems
            # After the checks above, so a re-imported prompt is not judged against itself.
            rules.apply(row)
            del row["request"]
            row["status"] = row.get("status") or "pool"
            row["created_at"] = now()
            stage.add(line, row)
        problems.check()
        # The new prompts' tasks, worked out before taking the lock: they have no outputs yet
        # (outputs need their prompt), so nothing published meanwhile can change them.
        tasks = stage.derive("tasks", _task_rows(f"(SELECT line AS seq, * FROM {stage.name})"))
        with immediate(db):
            result.unchanged += _settle(stage, name, "text", "prompt")
            result.added = stage.publish()
            before = db.execute("SELECT count(*) FROM tasks").fetchone()[0]
            _insert_tasks(db, f"SELECT * FROM {tasks} WHERE item IN (SELECT id FROM {stage.name})")
            result.tasks_created = db.execute("SELECT count(*) FROM tasks").fetchone()[0] - before
    finally:
        stage.drop()
    return result


PROMPT_COLUMNS = ("id", "text", "messages", "user_id", "source", "style", "category", "split", "tasks", "status",
                  "reason", "created_at")


def _already_there(
    name: str, line: int, row: dict[str, Any], old: Any, columns: tuple[str, ...],
    seen: Collection[str], what: str, differs: str,
) -> bool:
    """True when the database already holds `row` as it is (`old`: its `columns` there, or None):
    a re-import leaves it unchanged. The same id with other `columns`, or twice in this file
    (`seen`: the ids read so far), is a problem."""
    if old is not None:
        if tuple(old) != tuple(row[c] for c in columns):
            raise ImportFileError(name, line, "text", f"{what} {row['id']!r} already exists with different {differs}")
        return True
    if row["id"] in seen:
        raise ImportFileError(name, line, "id", f"{row['id']!r} appears twice in this file")
    return False


def _settle(stage: Stage, name: str, field: str, what: str, compare: tuple[str, ...] | None = None,
            per_line: int = 1) -> int:
    """Rows another import added while this file was read: the same ones count as already there,
    different ones refuse the file."""
    clashes, same = stage.clashes("id", compare or (field,))
    problems = Problems()
    for seq, key in clashes:
        problems.add(ImportFileError(name, seq // per_line, field, f"{what} {key!r} was added with different content while this file was read"))
    problems.check()
    return same


def _task_rows(prompts: str) -> str:
    """SQL for the (kind, item, part, seq) tasks that the pooled prompts of `prompts` (a query
    with the columns of `prompts` and `seq`, the prompts' order) call for (see interfaces.md,
    `tasks`); tasks are made in (part, seq) order, so task ids follow the file's order."""
    counted = "(SELECT count(*) FROM main.outputs o WHERE o.prompt_id = p.id)"
    return " UNION ALL ".join([
        # Explicit kinds that need no outputs.
        f"""SELECT j.value AS kind, p.id AS item, 1 AS part, p.seq FROM {prompts} p, json_each(p.tasks) j
            WHERE p.status = 'pool' AND j.value IN ('demonstration', 'instruction')""",
        f"""SELECT 'comparison', p.id, 2, p.seq FROM {prompts} p
            WHERE p.status = 'pool' AND {counted} BETWEEN {MIN_OUTPUTS} AND {MAX_OUTPUTS}
              AND (p.tasks = '[]' OR EXISTS (SELECT 1 FROM json_each(p.tasks) j
                                             WHERE j.value = 'comparison'))""",
        f"""SELECT 'toxicity', p.id, 3, p.seq FROM {prompts} p
            WHERE p.status = 'pool' AND {counted} BETWEEN 1 AND {MAX_OUTPUTS}
              AND EXISTS (SELECT 1 FROM json_each(p.tasks) j WHERE j.value = 'toxicity')""",
        # Implicit kind: a prompt without outputs (and without `tasks`) is for writing.
        f"""SELECT 'demonstration', p.id, 4, p.seq FROM {prompts} p
            WHERE p.status = 'pool' AND p.tasks = '[]' AND {counted} = 0""",
    ])


def _insert_tasks(db: sqlite_utils.Database, rows_sql: str) -> None:
    db.execute(f"INSERT OR IGNORE INTO tasks (kind, item, created_at) SELECT kind, item, ? FROM ({rows_sql}) AS wanted ORDER BY part, seq",
               [now()])


def sync_tasks(db: sqlite_utils.Database, items: str | None = None) -> int:
    """Create the tasks each pooled prompt calls for. `items`, an SQL query of prompt ids,
    limits the work to those (an import's own prompts), which keeps the publishing
    transaction short."""
    before = int(db.execute("SELECT count(*) FROM tasks").fetchone()[0])
    only = f" WHERE id IN ({items})" if items else ""
    _insert_tasks(db, _task_rows(f"(SELECT rowid AS seq, * FROM main.prompts{only})"))
    # Outputs arrived for an implicit prompt: it became a comparison; drop the untouched
    # writing task that was made for it while it had none.
    db.execute(
        f"""DELETE FROM tasks WHERE kind = 'demonstration' AND quiz = ''
           AND item IN (SELECT p.id FROM (SELECT * FROM main.prompts{only}) p WHERE p.tasks = '[]')
           AND EXISTS (SELECT 1 FROM outputs o WHERE o.prompt_id = tasks.item)
           AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = tasks.id)"""
    )
    return int(db.execute("SELECT count(*) FROM tasks").fetchone()[0]) - before


# ------------------------------------------------------------------ outputs

OUTPUT_KEYS = ("id", "prompt_id", "text", "model")


def import_outputs(
    db: sqlite_utils.Database, path: str | Path, *, progress: Progress | None = None,
    from_hh: bool = False,
) -> ImportResult:
    """Import outputs; `from_hh` reads HH-RLHF lines and imports each one's chosen and rejected
    final assistant turns as outputs `<prompt id>-o1` and `-o2` of the prompt `import prompts
    --from-hh` made of the same line."""
    name = str(path)
    result = ImportResult()
    problems = Problems()
    first_line: dict[str, int] = {}
    positions: dict[str, int] = {}
    touched: dict[str, int] = {}
    stage = Stage(db, "outputs", ("id", "prompt_id", "text", "model", "position"))
    per_line = 2 if from_hh else 1
    try:
        for line, record in read_records(path, progress=progress, problems=problems,
                                         columns=HH_KEYS if from_hh else OUTPUT_KEYS):
            try:
                records = _hh_outputs(name, line, record) if from_hh else [record]
            except ImportFileError as exc:
                problems.add(exc)
                continue
            for k, output in enumerate(records):
                try:
                    row = _output_row(db, name, line, output)
                    result.read += 1
                    old = db.execute("SELECT prompt_id, text FROM outputs WHERE id = ?", [row["id"]]).fetchone()
                    if _already_there(name, line, row, old, ("prompt_id", "text"), first_line, "output", "content"):
                        result.unchanged += 1
                        continue
                except ImportFileError as exc:
                    problems.add(exc)
                    continue
                first_line[row["id"]] = line
                if problems:
                    continue
                touched[row["prompt_id"]] = line
                pid = row["prompt_id"]
                if pid not in positions:
                    positions[pid] = db.execute(
                        "SELECT count(*) FROM outputs WHERE prompt_id = ?", [pid]).fetchone()[0]
                row["position"] = positions[pid]
                positions[pid] += 1
                stage.add(line * per_line + k, row)  # staged by line: an HH line gives two
        problems.check()
        with immediate(db):
            result.unchanged += _settle(stage, name, "text", "output", ("prompt_id", "text"), per_line)
            result.added = stage.publish()
            _check_output_counts(db, name, touched)
            result.tasks_created = sync_tasks(db, f"SELECT prompt_id FROM {stage.name}")
    finally:
        stage.drop()
    return result


def _hh_outputs(name: str, line: int, record: dict[str, Any]) -> list[dict[str, Any]]:
    prompt, chosen, rejected = _hh_record(name, line, record)
    pid = _required(name, line, prompt, "id")
    return [{"id": f"{pid}-o1", "prompt_id": pid, "text": chosen},
            {"id": f"{pid}-o2", "prompt_id": pid, "text": rejected}]


def _output_row(db: sqlite_utils.Database, name: str, line: int, record: dict[str, Any]) -> dict[str, Any]:
    _check_keys(name, line, record, OUTPUT_KEYS)
    row: dict[str, Any] = {
        "id": _required(name, line, record, "id"),
        "prompt_id": _required(name, line, record, "prompt_id"),
        "text": _str(name, line, record, "text"),
        "model": _str(name, line, record, "model"),
    }
    if row["text"] is None:
        raise ImportFileError(name, line, "text", "missing (required; may be empty)")
    if db.execute("SELECT 1 FROM prompts WHERE id = ?", [row["prompt_id"]]).fetchone() is None:
        raise ImportFileError(name, line, "prompt_id", f"no prompt {row['prompt_id']!r} (import prompts first)")
    return row


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

# `resolution` (written by `export labels`) is derived from all labels, so it is read and let go;
# `guideline_version` is kept as given.
LABEL_KEYS = ("labeler", "task", "item", "field", "value", "gold", "created_at", "seconds",
              "guideline_version", "resolution")
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
    add_labelers: bool = False,
    replace: bool = False,
    schema: Schema | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import labels in the flat format. The roster changes only with `add_labelers` (role
    `labeler`); gold only with `gold`, only from researchers; an existing label with another
    value is refused unless `replace` (and a gold one is replaced only by a gold import)."""
    schema = schema or load_schema()
    name = str(path)
    result = ImportResult()
    problems = Problems()
    done: set[tuple[str, str, str]] = set()
    seen: dict[tuple[str, str, str, str], int] = {}
    roles = dict(db.execute("SELECT name, role FROM labelers").fetchall())
    stage = Stage(db, "labels", LABEL_STAGE)
    try:
        for line, record in read_records(path, progress=progress, json_columns=("value", "gold", "seconds"),
                                         problems=problems, columns=LABEL_KEYS):
            try:
                label = _parse_label(db, name, line, record, schema, gold)
                key = (label.labeler, label.task, label.item, label.field)
                if key in seen:
                    raise ImportFileError(name, line, "field", f"this label appears twice in this file (first at line {seen[key]})")
                seen[key] = line
                _check_labeler(name, line, label.labeler, roles, gold=gold, add=add_labelers, result=result)
                change, old = _change(db, name, line, label, gold=gold, replace=replace)
            except ImportFileError as exc:
                problems.add(exc)
                continue
            result.read += 1
            if problems:
                continue
            if change == "unchanged":
                result.unchanged += 1
            else:
                stage.add(line, {
                    "labeler": label.labeler, "task": label.task, "item": label.item, "field": label.field,
                    "value": json.dumps(label.value, ensure_ascii=False), "gold": int(gold),
                    "created_at": label.created_at or now(), "seconds": label.seconds, "old": old,
                    "guideline_version": label.guideline_version or guideline_version_of(db)})
                setattr(result, change, getattr(result, change) + 1)
            done.add((label.labeler, _KIND_OF.get(label.task, label.task), label.prompt))
        problems.check()
        with immediate(db):
            for labeler in result.new_labelers:
                add_labeler(db, labeler, "labeler")
            _publish_labels(db, stage, name)
            _mark_done(db, done)
    finally:
        stage.drop()
    return result


# A staged label keeps the value it replaces (`old`, NULL for a new one): publishing checks that
# nobody changed it while the file was read.
LABEL_STAGE = ("labeler", "task", "item", "field", "value", "gold", "created_at", "seconds", "old",
               "guideline_version")


def _publish_labels(db: sqlite_utils.Database, stage: Stage, name: str) -> None:
    stage.flush()
    moved = db.execute(
        f"""SELECT s.line, s.labeler FROM {stage.name} s LEFT JOIN main.labels l
            ON l.labeler = s.labeler AND l.task = s.task AND l.item = s.item AND l.field = s.field
            WHERE l.value IS NOT s.old ORDER BY s.line LIMIT {ImportProblems.SHOWN}""").fetchall()
    problems = Problems()
    for line, labeler in moved:
        problems.add(ImportFileError(name, line, "value", f"{labeler}'s label here changed while this file was read"))
    problems.check()
    db.execute(
        f"""INSERT INTO labels (labeler, task, item, field, value, gold, created_at, seconds,
                                guideline_version)
            SELECT labeler, task, item, field, value, gold, created_at, seconds, guideline_version
            FROM {stage.name} WHERE true ORDER BY line
            ON CONFLICT(labeler, task, item, field) DO UPDATE SET
              value = excluded.value, gold = excluded.gold, created_at = excluded.created_at,
              seconds = excluded.seconds, assignment_id = NULL,
              guideline_version = excluded.guideline_version""")


@dataclass(frozen=True)
class _Label:
    labeler: str
    task: str
    item: str
    field: str
    value: Any
    prompt: str
    seconds: float | None
    created_at: str | None
    guideline_version: str | None = None


def _parse_label(db: sqlite_utils.Database, name: str, line: int, record: dict[str, Any], schema: Schema, gold: bool) -> _Label:
    _check_keys(name, line, record, LABEL_KEYS)
    labeler = _required(name, line, record, "labeler")
    try:
        check_name(labeler)
    except StoreError as exc:
        raise ImportFileError(name, line, "labeler", str(exc)) from None
    task = _required(name, line, record, "task", choices=tuple(schema.tasks))
    item = _required(name, line, record, "item")
    fname = _required(name, line, record, "field")
    if "value" not in record:
        raise ImportFileError(name, line, "value", "missing (required)")
    value = record["value"]
    if "gold" in record:
        flag = record["gold"]
        if not isinstance(flag, bool):
            raise ImportFileError(name, line, "gold", f"must be true or false, not {flag!r}")
        if not gold:
            raise ImportFileError(name, line, "gold", "gold labels come only with `import labels --gold`")
        if not flag:
            raise ImportFileError(name, line, "gold", "false in a --gold import (which makes every label gold)")
    try:
        schema.validate(task, fname, value)
    except StoreError as exc:
        raise ImportFileError(name, line, "value" if "unknown field" not in str(exc) else "field", str(exc)) from None
    prompt = _item_prompt(db, task, item)
    if prompt is None:
        raise ImportFileError(name, line, "item", f"no {schema.task(task).item or 'item'} {item!r} for task {task!r}")
    if task == "ranking" and fname == "ranking":
        _check_ranking_outputs(db, name, line, item, value)
    return _Label(labeler, task, item, fname, value, prompt, _seconds(name, line, record),
                  _created_at(name, line, record), _str(name, line, record, "guideline_version"))


def _seconds(name: str, line: int, record: dict[str, Any]) -> float | None:
    seconds = record.get("seconds")
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise ImportFileError(name, line, "seconds", "must be a number")
    if not math.isfinite(seconds) or seconds < 0:
        raise ImportFileError(name, line, "seconds", f"must be a finite number ≥ 0, not {seconds!r}")
    return seconds


def _created_at(name: str, line: int, record: dict[str, Any]) -> str | None:
    """An ISO 8601 time, kept as UTC text the way `store.db.now` writes it, so `--since`
    (a text comparison) compares times."""
    text = _str(name, line, record, "created_at")
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ImportFileError(name, line, "created_at", f"{text!r} is not an ISO 8601 date or time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def _check_labeler(name: str, line: int, labeler: str, roles: dict[str, str], *, gold: bool,
                   add: bool, result: ImportResult) -> None:
    role = roles.get(labeler)
    if role is None:
        if not add:
            raise ImportFileError(name, line, "labeler", f"{labeler!r} is not in the roster (add them with "
                                  f"`labeldesk labelers add`, or import with --add-labelers)")
        if gold:
            raise ImportFileError(name, line, "labeler", f"{labeler!r} is not in the roster; gold comes only "
                                  f"from researchers (`labeldesk labelers add {labeler} --role researcher`)")
        roles[labeler] = "labeler"  # added when the file is published
        result.new_labelers.append(labeler)
    elif gold and role != "researcher":
        raise ImportFileError(name, line, "labeler", f"{labeler!r} is a {role}; gold comes only from researchers")


def _change(db: sqlite_utils.Database, name: str, line: int, label: _Label, *, gold: bool,
            replace: bool) -> tuple[str, str | None]:
    """`added`, `unchanged` or `replaced` for this label, with the stored value it replaces;
    refused when replacing is not allowed."""
    old = db.execute(
        "SELECT value, gold FROM labels WHERE labeler = ? AND task = ? AND item = ? AND field = ?",
        [label.labeler, label.task, label.item, label.field],
    ).fetchone()
    if old is None:
        return "added", None
    same_value = json.loads(old[0]) == label.value
    if same_value and (bool(old[1]) == gold or not gold):
        return "unchanged", old[0]  # a plain import of a gold label's own value leaves it gold
    if old[1] and not gold:
        raise ImportFileError(name, line, "value", f"{label.labeler} has a gold label here ({old[0]}); "
                              f"only `import labels --gold --replace` changes it")
    if not replace:
        was = old[0] if not same_value else ("gold" if old[1] else "not gold")
        raise ImportFileError(name, line, "value", f"{label.labeler} already has a label here ({was}); "
                              f"import with --replace to overwrite it")
    return "replaced", old[0]


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
