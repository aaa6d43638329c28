"""Anonymous survey responses (labeling-guidelines §9) and their k-anonymous summary.

A response row holds the survey, the month and the answers; no name, no timestamp, and a random
id in a WITHOUT ROWID table, so neither order nor id says who or when. `survey_takers` only
records that a labeler has answered a survey (so it is not offered twice), with no link to which
row is theirs. Summaries hide every count when fewer than K responses exist.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from datetime import datetime, timezone
from statistics import mean
from typing import Any

import sqlite_utils

from store.db import immediate
from store.errors import StoreError
from store.survey_questions import Survey

K_ANONYMITY = 5


def has_answered(db: sqlite_utils.Database, kind: str, labeler: str) -> bool:
    return db.execute("SELECT 1 FROM survey_takers WHERE survey = ? AND labeler = ?",
                      [kind, labeler]).fetchone() is not None


def record_response(db: sqlite_utils.Database, survey: Survey, labeler: str, answers: dict[str, Any],
                    *, at: datetime | None = None) -> None:
    """Store one response anonymously; a second response by the same labeler is refused."""
    clean = survey.clean(answers)
    month = (at or datetime.now(timezone.utc)).strftime("%Y-%m")
    with immediate(db):
        if has_answered(db, survey.kind, labeler):
            raise StoreError(f"the {survey.kind} survey was already answered")
        db.execute("INSERT INTO survey_takers (survey, labeler) VALUES (?, ?)", [survey.kind, labeler])
        db.execute("INSERT INTO survey_responses (id, survey, month, answers) VALUES (?, ?, ?, ?)",
                   [secrets.token_hex(16), survey.kind, month,
                    json.dumps(clean, ensure_ascii=False, sort_keys=True)])
    # Deliberately no event: the event log carries names and exact times.


def _responses(db: sqlite_utils.Database, kind: str) -> list[dict[str, Any]]:
    return [json.loads(r[0]) for r in db.execute(
        # By the random id: never in the order people answered (PostgreSQL stores that order).
        "SELECT answers FROM survey_responses WHERE survey = ? ORDER BY id", [kind])]


def summarize(db: sqlite_utils.Database, survey: Survey, *, k: int = K_ANONYMITY) -> dict[str, Any]:
    """Counts per answer (choices), mean and counts (agree scales), and the comments.

    With fewer than k responses only the number of responses is given. A choice answered by
    fewer than k people is folded into "fewer than k", so a rare answer cannot single anyone out.
    """
    rows = _responses(db, survey.kind)
    out: dict[str, Any] = {"survey": survey.kind, "responses": len(rows), "k": k}
    if len(rows) < k:
        out["hidden"] = f"fewer than {k} responses: nothing is shown"
        return out
    questions = {}
    for q in survey.questions:
        given = [r[q.key] for r in rows if q.key in r]
        if q.key == "nationality":
            given = [str(v).strip().title() for v in given]  # "kenya" and "Kenya " are one group
        entry: dict[str, Any] = {"text": q.text, "answered": len(given), "skipped": len(rows) - len(given)}
        if q.kind == "agree":
            entry["mean"] = round(mean(given), 2) if given else None
            entry["counts"] = _k_counts(Counter(given), k, labels=dict(enumerate(q.choices, 1)))
        elif q.kind == "choice" or q.key == "nationality":
            entry["counts"] = _k_counts(Counter(given), k)
        else:
            # Free text is shown only in bulk and shuffled, never beside other answers.
            entry["comments"] = sorted(given) if len(given) >= k else []
        questions[q.key] = entry
    out["questions"] = questions
    return out


def _k_counts(counter: Counter[Any], k: int, labels: dict[Any, str] | None = None) -> dict[str, Any]:
    shown, rare = {}, 0
    for value, n in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        if n >= k:
            shown[labels.get(value, value) if labels else value] = n
        else:
            rare += n
    if rare:
        shown[f"(fewer than {k} each)"] = rare
    return shown
