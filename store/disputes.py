"""Which finished items labelers disagree on, by the `[adjudication]` rules, and where they go.

An item (a prompt: its instruction labels, its outputs' labels, its ranking) is judged once its
overlap is complete. It is disputed when a rule fires on a field no gold value settles yet:
- `rating_spread`: the ratings of one output differ by at least that much;
- `sensitive_split`: one of the sensitive flags (§5 harm flags, `pii`) is yes for some, no for others;
- `ranking_agreement`: two labelers' rankings agree on fewer than that share of the output pairs
  both order strictly;
- `strength_gap`: two labelers' preference strengths (`ranking.strength`) of the same two outputs,
  which both put side by side (store/strength.py), are that many levels apart, counting across
  "unsure" when their orders differ (the ranking's field is the one to decide).
A disputed item first gets more labelers (up to `max_overlap`), then goes to a researcher.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

from store.db import immediate
from store.ranking import AnyRanking, untied_pairs
from store.strength import LEVELS, largest_gap, misfit, signed

if TYPE_CHECKING:  # annotations only: the app starts without loading sqlite-utils (store/db.py)
    import sqlite_utils

DEFAULT_SENSITIVE = (
    "instruction.pii", "output.sexual", "output.violent", "output.encourages_harm",
    "output.denigrates_protected", "output.harmful_advice",
)
# Work whose items have several labelers' answers to compare (writing has one answer each).
DISPUTABLE = ("comparison", "toxicity", "instruction")
RULES = ("rating_spread", "sensitive_split", "ranking_agreement", "strength_gap")


@dataclass(frozen=True)
class Rules:
    rating_spread: int = 3
    ranking_agreement: float = 0.5
    sensitive: tuple[str, ...] = DEFAULT_SENSITIVE
    max_overlap: int = 0  # 0: the kind's overlap + 2
    strength_gap: int = 2  # levels apart, on the scale of `store.strength.largest_gap`
    strength_levels: tuple[str, ...] = LEVELS  # [comparison] strength_levels, strongest first

    @property
    def key(self) -> str:
        """What a judgement depends on (max_overlap only says where a dispute goes)."""
        return json.dumps([self.rating_spread, self.ranking_agreement, sorted(self.sensitive),
                           self.strength_gap, list(self.strength_levels)])

    def most(self, overlap: int) -> int:
        return self.max_overlap or overlap + 2

    @classmethod
    def from_config(cls, section: Mapping[str, Any], levels: Iterable[str] = LEVELS) -> Rules:
        return cls(int(section["rating_spread"]), float(section["ranking_agreement"]),
                   tuple(section["sensitive_fields"]), int(section["max_overlap"]),
                   int(section["strength_gap"]), tuple(levels))


@dataclass(frozen=True)
class Finding:
    rule: str
    task: str
    item: str
    field: str
    detail: str
    outputs: tuple[str, ...] = ()  # output ids the detail names (a screen shows their numbers)

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "task": self.task, "item": self.item, "field": self.field,
                "detail": self.detail}


@dataclass(frozen=True)
class Dispute:
    kind: str
    item: str
    task_id: int
    labelers: int  # non-gold labelers who finished it
    status: str  # "escalated" (waiting for more labelers) or "adjudication" (for a researcher)
    findings: list[Finding] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "item": self.item, "labelers": self.labelers,
                "status": self.status, "rules": sorted({f.rule for f in self.findings}),
                "findings": [f.as_dict() for f in self.findings]}


@dataclass
class ItemAnswers:
    """Every label on one prompt: each labeler's answers (non-gold), and which keys have gold."""

    answers: dict[str, dict[tuple[str, str, str], Any]]
    gold: set[tuple[str, str, str]]


_ITEM_ROWS = (
    # Two index searches (labels_item), not an OR the planner may turn into a table scan.
    """SELECT id, labeler, task, item, field, value, gold FROM labels
       WHERE task IN ('instruction', 'ranking') AND item = :p
       UNION ALL
       SELECT l.id, l.labeler, l.task, l.item, l.field, l.value, l.gold
       FROM outputs o CROSS JOIN labels l ON l.item = o.id AND l.task IN ('output', 'toxicity')
       WHERE o.prompt_id = :p
       ORDER BY 1""")


def _item_rows(db: sqlite_utils.Database, prompt_id: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in db.execute(_ITEM_ROWS, {"p": prompt_id})]


def item_answers(db: sqlite_utils.Database, prompt_id: str) -> ItemAnswers:
    return _answers(_item_rows(db, prompt_id))


def _answers(rows: Iterable[tuple[Any, ...]]) -> ItemAnswers:
    answers: dict[str, dict[tuple[str, str, str], Any]] = {}
    gold: set[tuple[str, str, str]] = set()
    decoded: dict[str, Any] = {}  # flags and ratings repeat: each text decoded once an item
    for _id, labeler, task, item, name, value, is_gold in rows:
        key = (task, item, name)
        if is_gold:
            gold.add(key)
        else:
            found = decoded.get(value)
            if found is None:
                found = json.loads(value)
                if len(value) <= 8:  # never a ranking (a list other code may hold on to)
                    decoded[value] = found
            answers.setdefault(labeler, {})[key] = found
    return ItemAnswers(answers, gold)


def _by_key(answers: ItemAnswers) -> dict[tuple[str, str, str], list[Any]]:
    out: dict[tuple[str, str, str], list[Any]] = {}
    for values in answers.answers.values():
        for key, value in values.items():
            if key not in answers.gold:
                out.setdefault(key, []).append(value)
    return out


def _ranking_agreement(a: AnyRanking, b: AnyRanking) -> float | None:
    """Share of the output pairs both rankings order strictly that they order alike (the
    `pairwise_agreement` of `labeldesk agreement`). Pure Python: a labeler's submit may ask,
    and store.agreement would load numpy and scipy into the app for it."""
    ours, theirs = set(untied_pairs(a)), set(untied_pairs(b))
    same = len(ours & theirs)
    different = sum((worse, better) in theirs for better, worse in ours)
    return same / (same + different) if same + different else None


def _strength_gap(answers: ItemAnswers, rules: Rules) -> list[Finding]:
    """`strength_gap` on each ranking without gold: the largest gap between two labelers'
    strengths of a pair both put side by side. A strength that does not fit its ranking, or a
    level the config does not name, is left out (this runs in labelers' submits: never raise)."""
    strengths: dict[tuple[str, str], list[dict[frozenset[str], tuple[str, int]]]] = {}
    for values in answers.answers.values():
        for (task, item, name), levels in values.items():
            ranking = values.get((task, item, "ranking"))
            if name != "strength" or (task, item, "ranking") in answers.gold or ranking is None \
                    or not isinstance(ranking, list) or misfit(levels, ranking):
                continue
            strengths.setdefault((task, item), []).append(
                signed(ranking, [str(v) for v in levels], rules.strength_levels))
    found = []
    for (task, item), each in sorted(strengths.items()):
        gaps = [g for a, b in combinations(each, 2) if (g := largest_gap(a, b)) is not None]
        if not gaps:
            continue
        gap, pair = max(gaps, key=lambda g: g[0])
        if gap >= rules.strength_gap:
            ids = tuple(sorted(pair))
            found.append(Finding("strength_gap", task, item, "ranking",
                                 f"strengths {gap} levels apart on {' vs '.join(ids)}", ids))
    return found


def findings(answers: ItemAnswers, rules: Rules) -> list[Finding]:
    """Every rule that fires on this item, one finding per field (gold-settled fields excluded)."""
    found = []
    for (task, item, name), values in sorted(_by_key(answers).items()):
        if len(values) < 2:
            continue
        qualified = f"{task}.{name}"
        if qualified == "output.rating":
            spread = max(values) - min(values)
            if spread >= rules.rating_spread:
                found.append(Finding("rating_spread", task, item, name,
                                     f"ratings {min(values)}..{max(values)}"))
        elif qualified in rules.sensitive and len({json.dumps(v) for v in values}) > 1:
            yes = sum(v is True for v in values)
            found.append(Finding("sensitive_split", task, item, name,
                                 f"{yes} of {len(values)} said yes"))
        elif name == "ranking":
            shares = [s for a, b in combinations(values, 2)
                      if (s := _ranking_agreement(a, b)) is not None]
            if shares and min(shares) < rules.ranking_agreement:
                found.append(Finding("ranking_agreement", task, item, name,
                                     f"lowest pairwise agreement {min(shares):.2f}"))
    return found + _strength_gap(answers, rules)


def is_disputed(db: sqlite_utils.Database, prompt_id: str, rules: Rules) -> bool:
    return bool(findings(item_answers(db, prompt_id), rules))


def _done_counts(
    db: sqlite_utils.Database, kinds: tuple[str, ...], items: tuple[str, ...] | None, rules: str
) -> Iterator[tuple[int, str, str, int, int | None]]:
    """(task id, kind, item, labelers done) of tasks not adjudicated yet, streamed by task id
    (a cursor of its own: the caller reads each item's labels meanwhile)."""
    where = [f"t.kind IN ({','.join('?' * len(kinds))})"]
    args: list[object] = list(kinds)
    if items is not None:
        where.append(f"t.item IN ({','.join('?' * len(items))})")
        args += items
    return db.conn.cursor().execute(
        f"""SELECT t.id, t.kind, t.item, count(*), c.done FROM tasks t
            JOIN assignments a ON a.task_id = t.id AND a.status = 'done'
            JOIN labelers l ON l.name = a.labeler AND l.role = 'labeler'
            LEFT JOIN dispute_checks c ON c.task_id = t.id AND c.rules = ?
            WHERE {' AND '.join(where)} AND t.quiz = ''
              AND NOT EXISTS (SELECT 1 FROM adjudications j WHERE j.kind = t.kind AND j.item = t.item)
            GROUP BY t.id, c.done ORDER BY t.id""",
        [rules, *args],
    )


def _labelers_left(db: sqlite_utils.Database, task_id: int) -> int:
    """Roster labelers who have not had this task: nobody left means no one can be escalated to."""
    left: int = db.execute(
        """SELECT count(*) FROM labelers l WHERE l.role = 'labeler' AND NOT EXISTS
           (SELECT 1 FROM assignments a WHERE a.task_id = ? AND a.labeler = l.name
            AND a.status IN ('done', 'skipped'))""",
        [task_id],
    ).fetchone()[0]
    return left


def iter_disputes(
    db: sqlite_utils.Database,
    rules: Rules,
    overlap: Callable[[str], int],
    *,
    kinds: Iterable[str] = DISPUTABLE,
    items: Iterable[str] | None = None,
) -> Iterator[Dispute]:
    """Disputed items not yet adjudicated, oldest first, found as the scan goes. `status` says
    where each is: more labelers wanted (`escalated`) or a researcher's decision
    (`adjudication`), once it has `max_overlap` labelers or no labeler in the roster is left."""
    chosen = tuple(items) if items is not None else None
    key = rules.key
    remember = not getattr(db, "read_only", False)  # a reading command only reads
    undisputed = _Undisputed(db)
    try:
        for task_id, kind, item, done, checked in _done_counts(db, tuple(kinds), chosen, key):
            need = overlap(kind)
            if done < need or checked == done:
                continue
            rows = _item_rows(db, item)
            found = findings(_answers(rows), rules)
            if not found:
                # Undisputed with this many labelers: not judged again until a label changes.
                if remember:
                    undisputed.add(task_id, item, done, rows)
                    if len(undisputed.items) >= REMEMBER_BATCH:
                        undisputed.write(key)
                continue
            undisputed.write(key)  # before the caller acts on what it is given
            waiting = done < rules.most(need) and _labelers_left(db, task_id) > 0
            yield Dispute(kind, item, task_id, done, "escalated" if waiting else "adjudication", found)
    finally:
        undisputed.write(key)


REMEMBER_BATCH = 200  # undisputed items written in one transaction (one commit each was most of a listing)


class _Undisputed:
    """Items judged undisputed, written to dispute_checks a batch at a time."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.items: list[tuple[int, str, int, list[tuple[Any, ...]]]] = []
        self.since: int | None = None  # others_wrote() when the first of them was read

    def add(self, task_id: int, item: str, done: int, rows: list[tuple[Any, ...]]) -> None:
        if not self.items:
            self.since = self.db.dialect.others_wrote(self.db)  # type: ignore[attr-defined]
        self.items.append((task_id, item, done, rows))

    def write(self, key: str) -> None:
        """One transaction. When another connection may have written since the items were
        read, each item's labels are read again under the write lock and an item whose labels
        changed is left out, to be judged again next time."""
        if not self.items:
            return
        db = self.db
        with immediate(db):
            now = db.dialect.others_wrote(db)  # type: ignore[attr-defined]
            unchanged = now is not None and now == self.since
            for task_id, item, done, rows in self.items:
                if not unchanged and _item_rows(db, item) != rows:
                    continue
                db.execute("INSERT INTO dispute_checks (task_id, item, done, rules) "
                           "VALUES (?, ?, ?, ?) ON CONFLICT (task_id) DO UPDATE SET "
                           "item = excluded.item, done = excluded.done, rules = excluded.rules",
                           [task_id, item, done, key])
        self.items.clear()


def list_disputes(
    db: sqlite_utils.Database,
    rules: Rules,
    overlap: Callable[[str], int],
    *,
    kinds: Iterable[str] = DISPUTABLE,
) -> list[Dispute]:
    return list(iter_disputes(db, rules, overlap, kinds=kinds))


def escalated_overlap(
    db: sqlite_utils.Database, kind: str, item: str, overlap: int, rules: Rules | None
) -> int:
    """How many labelers a task with `overlap` finished labelers wants: more (`max_overlap`) when
    its answers are disputed. Only asked once `overlap` is reached, so the check is rare."""
    if rules is None or kind not in DISPUTABLE or rules.most(overlap) <= overlap:
        return overlap
    return rules.most(overlap) if is_disputed(db, item, rules) else overlap
