"""Data rules for API prompts (labeling-guidelines.md §2), as pure functions over a stream.

`ApiRules.check` is called once per prompt in file order and returns a `Verdict`. The rules, in
the order they are tried (a prompt gets the first reason that applies):

1. ``duplicate_prefix`` (dropped): its first ``prefix_chars`` characters, after collapsing runs of
   whitespace and trimming, equal those of an earlier prompt; the earlier one is kept. A prompt
   shorter than that is compared whole, so exact repeats of short prompts are duplicates too.
   Only a 64-bit digest of each prefix is remembered (one set lookup a prompt, no pairs).
2. ``pii`` (held, or routed to instruction labeling alone): `store.pii.find_pii` found something.
   Held prompts do not count towards their user's cap: the cap limits what a user contributes.
3. ``over_user_cap`` (dropped): the user already has ``user_cap`` kept prompts; the first ones in
   file order are kept, so re-importing the same file keeps the same prompts.

Kept prompts get a split from the hash of their user ID (`split_for`), so a user's prompts all
land in one split whatever order they come in; a prompt with no user ID is its own user.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from store.pii import find_pii
from store.records import jsonl_line

if TYPE_CHECKING:
    import sqlite_utils

DUPLICATE = "duplicate_prefix"
OVER_CAP = "over_user_cap"
PII = "pii"
REASONS = (DUPLICATE, OVER_CAP, PII)
PII_ACTIONS = ("hold", "route_to_instruction")

DEFAULT_SPLITS = {"train": 0.8, "validation": 0.1, "test": 0.1}


@dataclass(frozen=True)
class RulesConfig:
    prefix_chars: int = 100
    user_cap: int = 200
    splits: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SPLITS))
    pii_action: str = "hold"
    split_salt: str = ""

    def __post_init__(self) -> None:
        if self.prefix_chars < 1:
            raise ValueError(f"rules.prefix_chars must be at least 1, not {self.prefix_chars}")
        if self.user_cap < 1:
            raise ValueError(f"rules.user_cap must be at least 1, not {self.user_cap}")
        ratios = list(self.splits.values())
        if not all(isinstance(r, (int, float)) and not isinstance(r, bool) for r in ratios):
            raise ValueError(f"rules.splits ratios must be numbers: {dict(self.splits)}")
        if not ratios or any(r < 0 for r in ratios) or sum(ratios) <= 0:
            raise ValueError(f"rules.splits needs non-negative ratios with a positive sum: {dict(self.splits)}")
        if self.pii_action not in PII_ACTIONS:
            raise ValueError(f"rules.pii_action must be one of {', '.join(PII_ACTIONS)}, not {self.pii_action!r}")

    @classmethod
    def from_mapping(cls, section: Mapping[str, Any]) -> RulesConfig:
        """From the config's ``[rules]`` table; unknown keys are an error (typos would be silent)."""
        known = {"prefix_chars", "user_cap", "splits", "pii_action", "split_salt"}
        unknown = set(section) - known
        if unknown:
            raise ValueError(f"unknown key(s) in [rules]: {', '.join(sorted(unknown))}")
        return cls(**dict(section))


@dataclass(frozen=True)
class Verdict:
    status: str  # pool | held | dropped
    reason: str | None = None
    detail: str | None = None
    split: str | None = None
    # Set when the verdict overrides the prompt's work (PII routed to instruction labeling).
    tasks: tuple[str, ...] | None = None

    @property
    def kept(self) -> bool:
        return self.reason is None


def kept_sql(alias: str = "") -> str:
    """SQL condition for a prompt the rules kept: in the pool with no reason against it (a PII
    prompt routed to instruction labeling is in the pool with a reason, and is never exported)."""
    a = f"{alias}." if alias else ""
    return f"{a}status = 'pool' AND {a}reason IS NULL"


def normalise(text: str) -> str:
    return " ".join(text.split())


def normalised_prefix(text: str, n: int) -> str:
    """``normalise(text)[:n]`` without normalising all of a long text."""
    cut = text[: 2 * n + 64]
    norm = normalise(cut)
    # Past n+1 normalised characters the cut cannot change the first n.
    if len(norm) > n or len(cut) == len(text):
        return norm[:n]
    return normalise(text)[:n]


def _digest(s: str) -> bytes:
    return hashlib.blake2b(s.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def split_for(user_id: str, splits: Mapping[str, float], salt: str = "") -> str:
    """The split of a user: the user's hash, read as a number in [0, 1), against the cumulative
    ratios in config order. Deterministic across runs and machines."""
    u = int.from_bytes(_digest(salt + user_id), "big") / 2**64
    total = sum(splits.values())
    edge = 0.0
    last = ""
    for name, ratio in splits.items():
        if ratio <= 0:
            continue
        edge += ratio / total
        last = name
        if u < edge:
            return name
    return last  # u sits on the float-rounded top edge


class ApiRules:
    """The rules' memory over one import: prefixes seen and prompts kept per user."""

    def __init__(self, config: RulesConfig | None = None) -> None:
        self.config = config or RulesConfig()
        self._first_with_prefix: dict[bytes, str] = {}
        self._kept_per_user: dict[str, int] = {}

    def remember(self, prompt_id: str, text: str, user_id: str | None, *, kept: bool = True) -> None:
        """Count a prompt already in the database, so a later import keeps to the same rules."""
        self._first_with_prefix.setdefault(self._prefix_key(text), prompt_id)
        if kept and user_id is not None:
            self._kept_per_user[user_id] = self._kept_per_user.get(user_id, 0) + 1

    def _prefix_key(self, text: str) -> bytes:
        return _digest(normalised_prefix(text, self.config.prefix_chars))

    def check(self, prompt_id: str, text: str, user_id: str | None = None, *,
              request: str | None = None) -> Verdict:
        """`text` is every turn of a conversation (PII is looked for in all of them); `request`,
        its final user turn, is what the shared-prefix rule compares instead (conversations that
        open with the same system prompt are not duplicates)."""
        key = self._prefix_key(request if request is not None else text)
        first = self._first_with_prefix.get(key)
        if first is not None:
            return Verdict("dropped", DUPLICATE, first)
        self._first_with_prefix[key] = prompt_id

        found = find_pii(text)
        if found:
            detail = ",".join(found)
            if self.config.pii_action == "route_to_instruction":
                return Verdict("pool", PII, detail, tasks=("instruction",))
            return Verdict("held", PII, detail)

        if user_id is not None:
            n = self._kept_per_user.get(user_id, 0)
            if n >= self.config.user_cap:
                return Verdict("dropped", OVER_CAP, user_id)
            self._kept_per_user[user_id] = n + 1
        return Verdict("pool", split=self.split_of(prompt_id, user_id))

    def split_of(self, prompt_id: str, user_id: str | None) -> str:
        owner = user_id if user_id is not None else f"prompt:{prompt_id}"
        return split_for(owner, self.config.splits, self.config.split_salt)


class RulesReport:
    """The import report of interfaces.md: counts per reason and every prompt not kept.

    With a ``dropped_sink`` the entries go there as JSON lines instead of into memory, so a dump
    of millions of prompts does not hold its dropped list.
    """

    def __init__(self, dropped_sink: TextIO | None = None) -> None:
        self.read = 0
        self.kept = 0
        self.counts = dict.fromkeys(REASONS, 0)
        self.dropped: list[dict[str, Any]] = []
        self._sink = dropped_sink

    def add(self, prompt_id: str, verdict: Verdict) -> None:
        self.read += 1
        if verdict.kept:
            self.kept += 1
            return
        assert verdict.reason is not None  # not kept
        self.counts[verdict.reason] += 1
        entry = {"id": prompt_id, "reason": verdict.reason, "detail": verdict.detail}
        if self._sink is None:
            self.dropped.append(entry)
        else:
            self._sink.write(jsonl_line(entry) + "\n")

    def summary(self) -> dict[str, int]:
        return {"read": self.read, "kept": self.kept, **self.counts}

    def as_dict(self) -> dict[str, Any]:
        return {**self.summary(), "dropped": self.dropped}


class PromptRules:
    """The rules as applied inside `store.imports.import_prompts` (its ``rules`` hook).

    `apply(row)` is called on each new prompt row before it is inserted and sets its ``status``,
    ``reason``, ``split`` (and ``tasks`` for PII routed to instruction labeling). With
    ``api_rules`` off it only fills in a missing split, so every prompt has one (interfaces.md:
    "split is computed when absent").
    """

    def __init__(
        self,
        config: RulesConfig | None = None,
        *,
        api_rules: bool = True,
        dropped_sink: TextIO | None = None,
    ) -> None:
        self.config = config or RulesConfig()
        self.api_rules = api_rules
        self.rules = ApiRules(self.config)
        self.report = RulesReport(dropped_sink=dropped_sink)

    def seed(self, db: sqlite_utils.Database) -> None:
        """Count the API prompts already stored: a later import continues their prefixes and caps."""
        if not self.api_rules:
            return
        for pid, text, messages, user_id, status, reason in db.execute(
            "SELECT id, text, messages, user_id, status, reason FROM prompts WHERE source = 'api' ORDER BY rowid"
        ):
            if messages:
                text = json.loads(messages)[-1]["content"]  # the request: see ApiRules.check
            self.rules.remember(pid, text, user_id, kept=status == "pool" and reason is None)

    def apply(self, row: dict[str, Any]) -> None:
        if self.api_rules and row["source"] is None:
            row["source"] = "api"
        # Every row gets the same columns: the importer inserts batches by the first row's keys.
        row["status"], row["reason"] = "pool", None
        if not self.api_rules or row["source"] != "api":
            row["split"] = row["split"] or self.rules.split_of(row["id"], row["user_id"])
            return
        verdict = self.rules.check(row["id"], row["text"], row["user_id"], request=row.get("request"))
        self.report.add(row["id"], verdict)
        row["status"] = verdict.status
        row["reason"] = verdict.reason
        # The user's hash decides, not the file: a given split could put a user in two.
        row["split"] = verdict.split
        if verdict.tasks is not None:
            row["tasks"] = json.dumps(list(verdict.tasks))
