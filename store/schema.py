"""Label fields, read from a TOML schema file: the one definition that screens, validation,
exports and the agreement command share.

A field's `when` names conditions on other fields as `task.field = value`; a field whose
conditions do not hold is not asked and must not be stored.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from store.errors import LabelError, StoreError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

SCHEMA_DIR = Path(__file__).parent / "schemas"
DEFAULT_SCHEMA = SCHEMA_DIR / "instructgpt.toml"
KINDS = ("bool", "bool_na", "scale", "choice", "text", "ranking", "levels")
_LEVELS = {"bool": "nominal", "bool_na": "nominal", "choice": "nominal", "scale": "ordinal"}


@dataclass(frozen=True)
class Field:
    task: str
    name: str
    kind: str
    label: str
    help: str = ""
    key: str | None = None
    required: bool = False
    default: Any = None
    min: int | None = None
    max: int | None = None
    anchors: dict[int, str] = field(default_factory=dict)
    choices: tuple[str, ...] = ()
    when: dict[str, Any] = field(default_factory=dict)

    @property
    def qualified(self) -> str:
        return f"{self.task}.{self.name}"

    @property
    def level(self) -> str | None:
        """Krippendorff level / kappa weighting: nominal, ordinal, or None (text, ranking)."""
        return _LEVELS.get(self.kind)

    @property
    def scale(self) -> list[Any]:
        """Every value the field can take, in order (the full scale, not only observed ones)."""
        if self.kind == "scale":
            assert self.min is not None and self.max is not None  # load_schema requires both
            return list(range(self.min, self.max + 1))
        if self.kind == "bool":
            return [False, True]
        if self.kind == "bool_na":
            return [False, True, "na"]
        if self.kind == "choice":
            return list(self.choices)
        return []

    def applies(self, answers: dict[str, Any]) -> bool:
        """Whether the field is asked, given answers keyed `task.field`."""
        return all(answers.get(name) == want for name, want in self.when.items())

    def validate(self, value: Any) -> Any:
        if self.kind == "scale":
            assert self.min is not None and self.max is not None  # load_schema requires both
            ok = isinstance(value, int) and not isinstance(value, bool) and (
                self.min <= value <= self.max
            )
        elif self.kind == "choice":
            ok = value in self.choices
        else:
            ok = plain_value_ok(self.kind, value)
        if not ok:
            raise LabelError(f"{self.qualified}: {value!r} is not {self.describe()}")
        return value

    def describe(self) -> str:
        if self.kind == "scale":
            return f"an integer {self.min}..{self.max}"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        return PLAIN_KINDS.get(self.kind, PLAIN_KINDS["ranking"])


# The kinds whose values need nothing from their field to be checked (a scale needs its range,
# a choice its choices), with how an error message names what is wanted. Label values and
# the quiz file (store.quiz.file) are checked by the same `plain_value_ok`.
PLAIN_KINDS = {
    "bool": "true or false",
    "bool_na": 'true, false or "na"',
    "text": "a non-empty string",
    "ranking": "a list of tie groups of output ids, best first",
    "levels": "a list of level names (non-empty strings)",
}


def plain_value_ok(kind: str, value: Any) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "bool_na":
        return isinstance(value, bool) or value == "na"
    if kind == "text":
        return isinstance(value, str) and value.strip() != ""
    if kind == "ranking":
        return _is_ranking(value)
    if kind == "levels":
        return isinstance(value, list) and bool(value) and all(
            isinstance(v, str) and v.strip() for v in value)
    return False


def _is_ranking(value: Any) -> bool:
    if not isinstance(value, list) or not value:
        return False
    seen: set[str] = set()
    for group in value:
        if not isinstance(group, list) or not group:
            return False
        for item in group:
            if not isinstance(item, str) or item in seen:
                return False
            seen.add(item)
    return True


@dataclass(frozen=True)
class TaskSchema:
    name: str
    label: str
    item: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise LabelError(f"{self.name}: unknown field {name!r}")


@dataclass(frozen=True)
class Schema:
    name: str
    path: Path
    tasks: dict[str, TaskSchema]
    settings: dict[str, Any] = field(default_factory=dict)

    def task(self, name: str) -> TaskSchema:
        try:
            return self.tasks[name]
        except KeyError:
            raise LabelError(f"unknown task {name!r} (known: {', '.join(self.tasks)})") from None

    def field(self, task: str, name: str) -> Field:
        return self.task(task).field(name)

    def all_fields(self) -> list[Field]:
        return [f for t in self.tasks.values() for f in t.fields]

    def validate(self, task: str, name: str, value: Any) -> Any:
        return self.field(task, name).validate(value)


def _problem(path: Path, key: str, problem: str) -> StoreError:
    return StoreError(f"{path}: {key}: {problem}")


def _parse_field(path: Path, task: str, raw: dict[str, Any], index: int) -> Field:
    where = f"tasks.{task}.fields[{index}]"
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise _problem(path, where + ".name", "missing")
    where = f"tasks.{task}.{name}"
    kind = raw.get("kind")
    if kind not in KINDS:
        raise _problem(path, where + ".kind", f"must be one of {', '.join(KINDS)}")
    known = {"name", "kind", "label", "help", "key", "required", "default", "min", "max",
             "anchors", "choices", "when"}
    for extra in set(raw) - known:
        raise _problem(path, f"{where}.{extra}", "unknown key")
    anchors = {}
    for k, v in (raw.get("anchors") or {}).items():
        try:
            anchors[int(k)] = str(v)
        except ValueError:
            raise _problem(path, f"{where}.anchors.{k}", "anchor keys must be integers") from None
    if kind == "scale" and not (isinstance(raw.get("min"), int) and isinstance(raw.get("max"), int)):
        raise _problem(path, where, "a scale needs integer min and max")
    if kind == "choice" and not raw.get("choices"):
        raise _problem(path, where + ".choices", "a choice field needs choices")
    when = raw.get("when") or {}
    for cond in when:
        if "." not in cond:
            raise _problem(path, f"{where}.when.{cond}", "name conditions as task.field")
    return Field(
        task=task,
        name=name,
        kind=kind,
        label=str(raw.get("label", name)),
        help=str(raw.get("help", "")),
        key=raw.get("key"),
        required=bool(raw.get("required", False)),
        default=raw.get("default"),
        min=raw.get("min"),
        max=raw.get("max"),
        anchors=anchors,
        choices=tuple(raw.get("choices") or ()),
        when=dict(when),
    )


@lru_cache(maxsize=8)
def load_schema(path: str | Path | None = None) -> Schema:
    path = Path(path) if path else DEFAULT_SCHEMA
    if not path.is_absolute() and not path.exists() and (SCHEMA_DIR / path).exists():
        path = SCHEMA_DIR / path
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read schema ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise StoreError(f"{path}: invalid TOML ({exc})") from exc
    tasks = {}
    for tname, traw in (raw.get("tasks") or {}).items():
        fields = tuple(
            _parse_field(path, tname, f, i) for i, f in enumerate(traw.get("fields") or [])
        )
        tasks[tname] = TaskSchema(tname, str(traw.get("label", tname)), str(traw.get("item", "")), fields)
    schema = Schema(str(raw.get("name", path.stem)), path, tasks, dict(raw.get("settings") or {}))
    for f in schema.all_fields():
        for cond in f.when:
            t, _, n = cond.partition(".")
            if t not in tasks or n not in {x.name for x in tasks[t].fields}:
                raise _problem(path, f"{f.qualified}.when.{cond}", "names an unknown field")
    return schema
