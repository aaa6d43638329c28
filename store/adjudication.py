"""A researcher's decision on a disputed item: each labeler's answers side by side, anonymised,
and the final values stored as gold (`labels.adjudication_id` says they were adjudicated).

Labelers are letters (A, B, C… in the order they finished the item); the names never leave the
store except in the `letters` column of the decision, kept for audit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from string import ascii_uppercase
from typing import TYPE_CHECKING, Any

from store.db import immediate, now
from store.disputes import Dispute, Finding, Rules, item_answers, iter_disputes
from store.errors import StoreError
from store.events import log_event
from store.labels import write_labels
from store.roster import role_of
from store.values import LabelValue
from store.views import Output, Prompt, get_prompt, outputs_of

if TYPE_CHECKING:
    import sqlite_utils

    from store.schema import Schema

# (stored tag, what the researcher reads); the tag set is fixed so reports can count them.
REASONS: tuple[tuple[str, str], ...] = (
    ("ambiguous_prompt", "ambiguous prompt"),
    ("guideline_gap", "guideline gap"),
    ("labeler_error", "labeler error"),
    ("edge_case", "edge case"),
    ("subjective", "subjective"),
)
REASON_TAGS = tuple(tag for tag, _ in REASONS)


@dataclass(frozen=True)
class Column:
    """One labeler, anonymised: their letter, answers and active time on the item."""

    letter: str
    seconds: float | None
    answers: dict[tuple[str, str, str], Any]


@dataclass(frozen=True)
class Case:
    dispute: Dispute
    prompt: Prompt
    outputs: list[Output]  # import order, `letter` 1, 2, 3… (letters name the labelers here)
    columns: list[Column]
    consensus: dict[tuple[str, str, str], Any]

    @property
    def keys(self) -> list[tuple[str, str, str]]:
        """The fields to decide: every one a rule fired on, in the findings' order."""
        return list(dict.fromkeys((f.task, f.item, f.field) for f in self.dispute.findings))

    def findings_for(self, key: tuple[str, str, str]) -> list[Finding]:
        return [f for f in self.dispute.findings if (f.task, f.item, f.field) == key]


def _labelers_in_order(db: sqlite_utils.Database, task_id: int) -> list[tuple[str, float | None]]:
    return [(r[0], r[1]) for r in db.execute(
        """SELECT a.labeler, a.seconds FROM assignments a JOIN labelers l ON l.name = a.labeler
           WHERE a.task_id = ? AND a.status = 'done' AND l.role = 'labeler'
           ORDER BY a.finished_at, a.id""",
        [task_id],
    )]


def _consensus(key: tuple[str, str, str], values: list[Any], outputs: list[str]) -> Any:
    """The labelers' consensus for one field: the rounded mean rating, the most common flag
    (the lower-risk answer, yes, on a tie) or the Bradley–Terry ranking."""
    task, _item, name = key
    if not values:
        return None
    if name == "ranking":
        # here, not at the top: numpy loads only when this runs, never on start-up (tests/test_import_hygiene.py)
        from store.consensus.bradley_terry import consensus_rankings

        return consensus_rankings([(outputs, values)])[0].ranking
    if task == "output" and name == "rating":
        return int(round(sum(values) / len(values)))
    counts: dict[str, int] = {}
    for v in values:
        counts[json.dumps(v)] = counts.get(json.dumps(v), 0) + 1
    best = max(counts.values())
    tied = [json.loads(k) for k, c in counts.items() if c == best]
    return True if True in tied else tied[0]


def labeler_reasons(db: sqlite_utils.Database, dispute: Dispute) -> list[tuple[str, str]]:
    """Each labeler's reason for the item's ranking (`ranking.reason`) as (letter, text), with
    the letters the adjudication screen gives them; labelers who gave none are left out. The
    text is the labeler's, untrusted: the caller shows it literally."""
    answers = item_answers(db, dispute.item).answers
    out = []
    for i, (name, _seconds) in enumerate(_labelers_in_order(db, dispute.task_id)):
        reason = answers.get(name, {}).get(("ranking", dispute.item, "reason"))
        if isinstance(reason, str) and reason.strip():
            out.append((ascii_uppercase[i], reason))
    return out


def open_case(db: sqlite_utils.Database, dispute: Dispute) -> Case:
    prompt = get_prompt(db, dispute.item)
    outputs = [Output(o.id, o.text, o.model, str(n)) for n, o in enumerate(outputs_of(db, dispute.item), 1)]
    answers = item_answers(db, dispute.item).answers
    columns = [Column(ascii_uppercase[i], seconds, answers.get(name, {}))
               for i, (name, seconds) in enumerate(_labelers_in_order(db, dispute.task_id))]
    ids = [o.id for o in outputs]
    consensus = {}
    for f in dispute.findings:
        key = (f.task, f.item, f.field)
        consensus[key] = _consensus(key, [c.answers[key] for c in columns if key in c.answers], ids)
    return Case(dispute, prompt, outputs, columns, consensus)


def next_case(
    db: sqlite_utils.Database, researcher: str, rules: Rules, overlap: Callable[[str], int]
) -> Case | None:
    """The disputed item this researcher left a decision draft on, else the oldest waiting for
    a researcher, or None."""
    if role_of(db, researcher) != "researcher":
        raise StoreError(f"{researcher!r} is a labeler; adjudication is for researchers")
    drafted = [tuple(r) for r in db.execute(
        "SELECT kind, item FROM adjudication_drafts WHERE researcher = ?", [researcher])]
    for kind, item in drafted:
        found = [d for d in iter_disputes(db, rules, overlap, kinds=(kind,), items=(item,))
                 if d.status == "adjudication"]
        if found:
            return open_case(db, found[0])
    # The first waiting item ends the scan: the whole list can be long.
    waiting = (d for d in iter_disputes(db, rules, overlap) if d.status == "adjudication")
    first = next(waiting, None)
    return open_case(db, first) if first else None


def save_draft(db: sqlite_utils.Database, case: Case, researcher: str, data: dict[str, Any]) -> None:
    """Keep a decision in progress (one statement: atomic on its own)."""
    db.execute(
        """INSERT INTO adjudication_drafts (kind, item, researcher, data, updated_at)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, item, researcher) DO UPDATE SET
           data = excluded.data, updated_at = excluded.updated_at""",
        [case.dispute.kind, case.dispute.item, researcher, json.dumps(data, ensure_ascii=False),
         now()])


def load_draft(db: sqlite_utils.Database, case: Case, researcher: str) -> dict[str, Any]:
    row = db.execute(
        "SELECT data FROM adjudication_drafts WHERE kind = ? AND item = ? AND researcher = ?",
        [case.dispute.kind, case.dispute.item, researcher]).fetchone()
    return json.loads(row[0]) if row else {}


def decide(
    db: sqlite_utils.Database,
    case: Case,
    researcher: str,
    values: Sequence[LabelValue],
    *,
    reason: str,
    guideline_update: bool = False,
    seconds: float | None = None,
    schema: Schema,
) -> int:
    """Store the final values as the researcher's gold, tied to one adjudication row; returns
    its id. Every disputed field needs a value."""
    if reason not in REASON_TAGS:
        raise StoreError(f"reason must be one of {', '.join(REASON_TAGS)}")
    missing = set(case.keys) - {(v.task, v.item, v.field) for v in values}
    if missing:
        raise StoreError("no final value for " + ", ".join(f"{t}.{f} of {i}" for t, i, f in sorted(missing)))
    for v in values:
        schema.validate(v.task, v.field, v.value)
    letters = {c.letter: name for c, (name, _s) in zip(
        case.columns, _labelers_in_order(db, case.dispute.task_id), strict=False)}
    with immediate(db):
        if role_of(db, researcher) != "researcher":
            raise StoreError(f"{researcher!r} is a labeler; adjudication is for researchers")
        if db.execute("SELECT 1 FROM adjudications WHERE kind = ? AND item = ?",
                      [case.dispute.kind, case.dispute.item]).fetchone():
            raise StoreError(f"{case.dispute.item} was adjudicated meanwhile")
        cur = db.execute(
            """INSERT INTO adjudications (kind, item, researcher, reason, guideline_update, rules,
                                          letters, seconds, decided_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            [case.dispute.kind, case.dispute.item, researcher, reason, int(guideline_update),
             json.dumps(sorted({f.rule for f in case.dispute.findings})), json.dumps(letters),
             seconds, now()],
        )
        adjudication = int(cur.fetchone()[0])
        write_labels(db, researcher, values, gold=True, schema=schema, seconds=seconds,
                     adjudication_id=adjudication)
        db.execute("UPDATE tasks SET full = 1 WHERE id = ?", [case.dispute.task_id])
        db.execute("DELETE FROM adjudication_drafts WHERE kind = ? AND item = ?",
                   [case.dispute.kind, case.dispute.item])
        log_event(db, researcher, "adjudicate", {
            "adjudication": adjudication, "kind": case.dispute.kind, "item": case.dispute.item,
            "reason": reason, "guideline_update": guideline_update, "n": len(values)})
    return adjudication
