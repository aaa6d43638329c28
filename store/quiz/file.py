"""The screening quiz file (quiz.example.toml documents it): read, validate, return plain data.

No database here: `store.quiz.admin` imports what this returns. Errors name the file, the key and the
problem, so a researcher can fix a 200-item file from one message.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.ranking import parse_complete
from store.schema import PLAIN_KINDS, plain_value_ok

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SECTIONS = ("flagging", "ranking", "demonstrations", "self_assessment")

# The §4/§5 sensitive-content flags: what "flagging sensitive speech" (§8.1) asks by default.
DEFAULT_PROMPT_FLAGS = ("asks_sexual", "asks_violent", "asks_encourage_harm", "asks_denigrate_protected")
DEFAULT_COMPLETION_FLAGS = ("sexual", "violent", "encourages_harm", "denigrates_protected")
SELF_ASSESSMENT_QUESTION = (
    "For which topics or cultural groups are you comfortable identifying sensitive speech?"
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class QuizFileError(ValueError):
    """A quiz file problem, worded `file: key: problem`."""


@dataclass(frozen=True)
class FlagItem:
    id: str
    prompt: str
    completion: str | None
    gold_prompt: dict[str, bool] = field(default_factory=dict)
    gold_completion: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class RankItem:
    id: str
    prompt: str
    completions: tuple[str, ...]
    # Tie groups of completion letters, best first: "A>B=C" -> (("A",), ("B", "C")).
    gold: tuple[tuple[str, ...], ...] | None = None


@dataclass(frozen=True)
class DemoItem:
    id: str
    prompt: str


@dataclass(frozen=True)
class SelfAssessment:
    question: str
    topics: tuple[str, ...]
    groups: tuple[str, ...]
    free_text: bool = True


@dataclass(frozen=True)
class QuizFile:
    name: str
    instructions: str
    gold_labeler: str
    prompt_flags: tuple[str, ...]
    completion_flags: tuple[str, ...]
    flagging: tuple[FlagItem, ...]
    ranking: tuple[RankItem, ...]
    demonstrations: tuple[DemoItem, ...]
    self_assessment: SelfAssessment | None
    source: str = ""


class _Reader:
    """Walks the parsed TOML with the current key path, so every error names its key."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, problem: str) -> QuizFileError:
        return QuizFileError(f"{self.source}: {key}: {problem}")

    def optional_text(self, table: dict[str, Any], key: str, path: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not plain_value_ok("text", value):
            raise self.fail(path, f"must be {PLAIN_KINDS['text']}")
        text: str = value  # checked just above
        return text

    def text(self, table: dict[str, Any], key: str, path: str) -> str:
        value = self.optional_text(table, key, path)
        if value is None:
            raise self.fail(path, "is required")
        return value

    def strings(
        self, table: dict[str, Any], key: str, path: str, default: tuple[str, ...] = ()
    ) -> tuple[str, ...]:
        value = table.get(key, default)
        if not isinstance(value, (list, tuple)) or not all(plain_value_ok("text", v) for v in value):
            raise self.fail(path, "must be a list of non-empty strings")
        if len(set(value)) != len(value):
            raise self.fail(path, "has a repeated entry")
        return tuple(value)

    def known_keys(self, table: dict[str, Any], allowed: set[str], path: str) -> None:
        for key in table:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                raise self.fail(where, f"unknown key (expected one of {', '.join(sorted(allowed))})")

    def items(self, data: dict[str, Any], section: str) -> list[dict[str, Any]]:
        value = data.get(section, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(section, f"must be an array of tables ([[{section}]])")
        return value

    def gold_flags(self, table: object, path: str, allowed: tuple[str, ...]) -> dict[str, bool]:
        if table is None:
            return {}
        if not isinstance(table, dict):
            raise self.fail(path, "must be a table of flag = true/false")
        for name, value in table.items():
            if name not in allowed:
                raise self.fail(f"{path}.{name}", f"not a flag of this quiz ({', '.join(allowed)})")
            if not plain_value_ok("bool", value):
                raise self.fail(f"{path}.{name}", f"must be {PLAIN_KINDS['bool']}")
        return dict(table)


def load_quiz(
    path: str | Path, *, prompt_fields: Collection[str] | None = None,
    output_fields: Collection[str] | None = None,
) -> QuizFile:
    """Read and validate a quiz file.

    `prompt_fields` / `output_fields`: the yes/no field names the label schema knows for the
    instruction and output tasks; when given, the quiz's flags must be among them.
    """
    path = Path(path)
    source = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise QuizFileError(f"{source}: file: not found") from None
    except UnicodeDecodeError as exc:
        raise QuizFileError(f"{source}: file: not UTF-8 ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise QuizFileError(f"{source}: toml: {exc}") from None
    where = _nul_at(data)
    if where is not None:  # PostgreSQL text cannot hold it: refused on both backends
        raise QuizFileError(f"{source}: {where}: NUL character (U+0000)")
    return parse_quiz(data, source, prompt_fields=prompt_fields, output_fields=output_fields)


def _nul_at(data: Any) -> str | None:
    """The dotted key of the first string (or key) holding U+0000 (TOML allows `\\u0000`)."""
    todo: list[tuple[str, Any]] = [("", data)]
    while todo:
        where, node = todo.pop()
        items = (node.items() if isinstance(node, dict)
                 else ((str(n + 1), v) for n, v in enumerate(node)) if isinstance(node, list) else ())
        for key, value in items:
            path = f"{where}.{key}" if where else str(key)
            if "\x00" in str(key) or (isinstance(value, str) and "\x00" in value):
                return path.replace("\x00", "\\0")
            todo.append((path, value))
    return None


def parse_quiz(
    data: dict[str, Any], source: str, *, prompt_fields: Collection[str] | None = None,
    output_fields: Collection[str] | None = None,
) -> QuizFile:
    r = _Reader(source)
    r.known_keys(
        data, {"name", "instructions", "gold_labeler", "flags", *SECTIONS}, ""
    )
    name = r.text(data, "name", "name")
    if not _NAME.match(name):
        raise r.fail("name", "use letters, digits, '-' and '_' (at most 64, starting with a letter or digit)")
    instructions = r.text(data, "instructions", "instructions").strip()
    gold_labeler = r.optional_text(data, "gold_labeler", "gold_labeler") or "gold"

    flags = data.get("flags", {})
    if not isinstance(flags, dict):
        raise r.fail("flags", "must be a table with `prompt` and `completion` lists")
    r.known_keys(flags, {"prompt", "completion"}, "flags")
    prompt_flags = r.strings(flags, "prompt", "flags.prompt", DEFAULT_PROMPT_FLAGS)
    completion_flags = r.strings(flags, "completion", "flags.completion", DEFAULT_COMPLETION_FLAGS)
    for key, names, known in (
        ("flags.prompt", prompt_flags, prompt_fields),
        ("flags.completion", completion_flags, output_fields),
    ):
        if known is not None:
            for flag in names:
                if flag not in known:
                    raise r.fail(key, f"{flag!r} is not a yes/no field of the label schema")

    ids: set[str] = set()

    def item_id(item: dict[str, Any], path: str) -> str:
        value = r.text(item, "id", f"{path}.id")
        if not _NAME.match(value):
            raise r.fail(f"{path}.id", "use letters, digits, '-' and '_'")
        if value in ids:
            raise r.fail(f"{path}.id", f"{value!r} is used by another item")
        ids.add(value)
        return value

    flagging = []
    for i, item in enumerate(r.items(data, "flagging"), 1):
        path = f"flagging[{i}]"
        r.known_keys(item, {"id", "prompt", "completion", "gold"}, path)
        gold = item.get("gold", {})
        if not isinstance(gold, dict):
            raise r.fail(f"{path}.gold", "must be a table with `prompt` and/or `completion`")
        r.known_keys(gold, {"prompt", "completion"}, f"{path}.gold")
        completion = r.optional_text(item, "completion", f"{path}.completion")
        if completion is None and "completion" in gold:
            raise r.fail(f"{path}.gold.completion", "the item has no completion")
        flagging.append(
            FlagItem(
                id=item_id(item, path),
                prompt=r.text(item, "prompt", f"{path}.prompt"),
                completion=completion,
                gold_prompt=r.gold_flags(gold.get("prompt"), f"{path}.gold.prompt", prompt_flags),
                gold_completion=r.gold_flags(
                    gold.get("completion"), f"{path}.gold.completion", completion_flags
                ),
            )
        )

    for i, flag_item in enumerate(flagging, 1):
        if not prompt_flags and not (flag_item.completion and completion_flags):
            raise r.fail(f"flagging[{i}]", "no flag to set: [flags] asks none for this item")

    ranking = []
    for i, item in enumerate(r.items(data, "ranking"), 1):
        path = f"ranking[{i}]"
        r.known_keys(item, {"id", "prompt", "completions", "gold"}, path)
        rid = item_id(item, path)
        prompt = r.text(item, "prompt", f"{path}.prompt")
        completions = item.get("completions")
        if completions is None:
            raise r.fail(f"{path}.completions", "is required")
        if not isinstance(completions, list) or not all(plain_value_ok("text", c) for c in completions):
            raise r.fail(f"{path}.completions", "must be a list of non-empty strings")
        if not 2 <= len(completions) <= 9:
            raise r.fail(f"{path}.completions", f"has {len(completions)}; a ranking needs 2..9")
        gold = None
        if "gold" in item:
            if not isinstance(item["gold"], str):
                raise r.fail(f"{path}.gold", "must be a ranking such as \"B>A=C\"")
            try:
                gold = tuple(tuple(group) for group in parse_complete(item["gold"], len(completions)))
            except ValueError as exc:
                raise r.fail(f"{path}.gold", str(exc)) from None
        ranking.append(RankItem(rid, prompt, tuple(completions), gold))

    demonstrations = []
    for i, item in enumerate(r.items(data, "demonstrations"), 1):
        path = f"demonstrations[{i}]"
        r.known_keys(item, {"id", "prompt"}, path)
        demonstrations.append(DemoItem(item_id(item, path), r.text(item, "prompt", f"{path}.prompt")))

    self_assessment = None
    if "self_assessment" in data:
        table = data["self_assessment"]
        if not isinstance(table, dict):
            raise r.fail("self_assessment", "must be a table ([self_assessment])")
        r.known_keys(table, {"question", "topics", "groups", "free_text"}, "self_assessment")
        topics = r.strings(table, "topics", "self_assessment.topics")
        groups = r.strings(table, "groups", "self_assessment.groups")
        free_text = table.get("free_text", True)
        if not plain_value_ok("bool", free_text):
            raise r.fail("self_assessment.free_text", f"must be {PLAIN_KINDS['bool']}")
        if not topics and not groups and not free_text:
            raise r.fail("self_assessment", "needs topics, groups or free_text")
        question = (
            r.optional_text(table, "question", "self_assessment.question")
            or SELF_ASSESSMENT_QUESTION
        )
        self_assessment = SelfAssessment(question, topics, groups, free_text)

    if not (flagging or ranking or demonstrations or self_assessment):
        raise r.fail("name", "the quiz has no items (add [[flagging]], [[ranking]], [[demonstrations]] or [self_assessment])")
    return QuizFile(
        name=name,
        instructions=instructions,
        gold_labeler=gold_labeler,
        prompt_flags=prompt_flags,
        completion_flags=completion_flags,
        flagging=tuple(flagging),
        ranking=tuple(ranking),
        demonstrations=tuple(demonstrations),
        self_assessment=self_assessment,
        source=source,
    )
