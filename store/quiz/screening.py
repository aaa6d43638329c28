"""The screening report of labeling-guidelines.md §8: who passed a quiz, and why.

`screening_report(db, quiz, thresholds)` reads candidates' answers and researchers' gold through
`store.quiz` and returns plain data; `tui/commands/screening.py` prints it as a table or JSON. Candidates are
listed under anonymous ids (`c1`, `c2`, ... in a stable but name-free order) unless names are
asked for, since researchers select on anonymised data.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from statistics import mean
from typing import Any

import sqlite_utils

from store.agreement.ranking import PairCounts, pair_counts
from store.errors import StoreError

# The InstructGPT soft cut-offs (§8), overridable in config `[screening]`.
# Keys as in config `[screening]`.
DEFAULT_THRESHOLDS = {"flag_agreement": 0.75, "comparison_agreement": 0.75, "demonstration_score": 6.0}


@dataclass
class CandidateResult:
    id: str
    flags: dict[str, Any] = field(default_factory=dict)  # {"n", "agreed", "agreement"}
    comparisons: dict[str, Any] = field(default_factory=dict)  # {"n_items", "pairs", "agreed", "ties_excluded", "agreement"}
    demonstrations: dict[str, Any] = field(default_factory=dict)  # {"n", "scored", "mean_score"}
    self_assessment: dict[str, Any] = field(default_factory=dict)  # {"selected": [...], "text": str}
    submitted: bool = False
    seconds: float | None = None  # time spent on the quiz's items, summed
    result: str = "pending"  # "pass" | "fail" | "pending"
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "submitted": self.submitted,
            "seconds": self.seconds,
            "flags": self.flags,
            "comparisons": self.comparisons,
            "demonstrations": self.demonstrations,
            "self_assessment": self.self_assessment,
            "result": self.result,
            "reasons": self.reasons,
        }


def flag_agreement(answers: dict[Any, Any], gold: dict[Any, Any]) -> dict[str, Any]:
    """answers/gold: {(task, item, field): bool}. Every gold flag counts; an unanswered one disagrees."""
    agreed = sum(1 for key, value in gold.items() if answers.get(key) == value)
    n = len(gold)
    return {"n": n, "agreed": agreed, "agreement": round(agreed / n, 4) if n else None}


def ranking_agreement(answers: dict[str, Any], gold: dict[str, Any]) -> dict[str, Any]:
    """answers/gold: {prompt id: tie groups of output ids}. Pooled over items: of the output pairs
    both rankings order strictly, the share ordered the same (interfaces.md `pairwise_agreement`).
    A gold item the candidate did not rank counts all its strict gold pairs as disagreements."""
    total = PairCounts()
    for item, gold_ranking in gold.items():
        if item in answers:
            total += pair_counts(answers[item], gold_ranking)
        else:
            strict = pair_counts(gold_ranking, gold_ranking)
            total += PairCounts(different=strict.same, ties_excluded=strict.ties_excluded)
    pairs = total.same + total.different
    return {
        "n_items": len(gold),
        "pairs": pairs,
        "agreed": total.same,
        "ties_excluded": total.ties_excluded,
        "agreement": round(total.same / pairs, 4) if pairs else None,
    }


def demonstration_scores(scores: dict[str, list[int]], n_demos: int) -> dict[str, Any]:
    """scores: {demonstration id: researchers' ratings}. Each answer's ratings are averaged first,
    so a demonstration scored by three researchers weighs as much as one scored by one."""
    per_answer = [mean(r) for r in scores.values() if r]
    return {
        "n": n_demos,
        "scored": len(per_answer),
        "mean_score": round(mean(per_answer), 3) if per_answer else None,
    }


def decide(result: CandidateResult, thresholds: dict[str, Any], *, has_demos: bool, has_flags: bool, has_ranking: bool) -> None:
    """Set result and short reasons: pending while the quiz is open or a measure has nothing to
    score yet (no gold, no researcher score) unless another measure already fails."""
    if not result.submitted:
        result.result, result.reasons = "pending", ["quiz not submitted"]
        return
    checks = []
    if has_flags:
        checks.append(("flags", result.flags.get("agreement"), thresholds["flag_agreement"]))
    if has_ranking:
        checks.append(("ranking", result.comparisons.get("agreement"), thresholds["comparison_agreement"]))
    if has_demos:
        checks.append(("demo score", result.demonstrations.get("mean_score"), thresholds["demonstration_score"]))
    reasons, pending, failed = [], False, False
    for what, value, cut in checks:
        if value is None:
            pending = True
            reasons.append(f"{what}: nothing scored yet")
        elif value < cut:
            failed = True
            reasons.append(f"{what} {value:g} < {cut:g}")
        else:
            reasons.append(f"{what} {value:g} ≥ {cut:g}")
    result.result = "fail" if failed else "pending" if pending else "pass"
    result.reasons = reasons


def anonymous_ids(quiz: str, names: list[str]) -> dict[str, str]:
    """name -> c1, c2, ... ordered by a hash of (quiz, name): stable across runs, yet the order
    says nothing about the names (alphabetical or assignment order would)."""
    ordered = sorted(names, key=lambda n: hashlib.sha256(f"{quiz}\0{n}".encode()).hexdigest())
    return {name: f"c{i}" for i, name in enumerate(ordered, 1)}


# ----------------------------------------------------------------- reading the database

def _labels(db: sqlite_utils.Database, items: list[str], task: str, *, gold: bool,
            labeler: str | None = None) -> dict[tuple[str, str, str], Any]:
    """{(task, item, field): value}, later labels winning (a corrected gold replaces the old)."""
    if not items:
        return {}
    marks = ",".join("?" for _ in items)
    sql = (f"SELECT l.task, l.item, l.field, l.value FROM labels l WHERE l.task = ? "
           f"AND l.item IN ({marks}) AND l.gold = ?")
    args = [task, *items, int(gold)]
    if labeler is not None:
        sql += " AND l.labeler = ?"
        args.append(labeler)
    return {(t, i, f): json.loads(v) for t, i, f, v in db.execute(sql + " ORDER BY l.id", args)}


def screening_report(db: sqlite_utils.Database, quiz: str, *, thresholds: dict[str, Any] | None = None,
                     names: bool = False) -> dict[str, Any]:
    """Per candidate (role labeler) of a quiz: the four §8 measures and pass/fail/pending."""
    thresholds = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    row = db.execute("SELECT definition FROM quizzes WHERE name = ?", [quiz]).fetchone()
    if row is None:
        raise StoreError(f"no quiz {quiz!r}")
    flags = json.loads(row[0])["flags"]
    sections: dict[str, list[str]] = {}
    for section, item in db.execute(
            "SELECT section, item FROM quiz_items WHERE quiz = ? ORDER BY position", [quiz]):
        sections.setdefault(section, []).append(f"{quiz}/{item}")
    flag_prompts = sections.get("flagging", [])
    flag_outputs = [r[0] for p in flag_prompts
                    for r in db.execute("SELECT id FROM outputs WHERE prompt_id = ?", [p])]
    rank_prompts = sections.get("ranking", [])
    demo_prompts = sections.get("demonstrations", [])

    def flag_values(gold: bool, labeler: str | None = None) -> dict[tuple[str, str, str], Any]:
        values = _labels(db, flag_prompts, "instruction", gold=gold, labeler=labeler)
        values.update(_labels(db, flag_outputs, "output", gold=gold, labeler=labeler))
        wanted = {"instruction": set(flags["prompt"]), "output": set(flags["completion"])}
        return {k: v for k, v in values.items() if k[2] in wanted[k[0]]}

    def rankings(gold: bool, labeler: str | None = None) -> dict[str, Any]:
        return {i: v for (_t, i, _f), v in
                _labels(db, rank_prompts, "ranking", gold=gold, labeler=labeler).items()}

    gold_flags, gold_rankings = flag_values(True), rankings(True)
    takers = db.execute(
        """SELECT t.labeler, t.submitted_at, t.self_assessment FROM quiz_takers t
           JOIN labelers l ON l.name = t.labeler WHERE t.quiz = ? AND l.role = 'labeler'""",
        [quiz]).fetchall()
    ids = anonymous_ids(quiz, [t[0] for t in takers])
    candidates = {}
    for labeler, submitted_at, self_assessment in sorted(takers, key=lambda t: int(ids[t[0]][1:])):
        result = CandidateResult(id=labeler if names else ids[labeler], submitted=submitted_at is not None)
        result.flags = flag_agreement(flag_values(False, labeler), gold_flags)
        result.comparisons = ranking_agreement(rankings(False, labeler), gold_rankings)
        result.demonstrations = demonstration_scores(_demo_scores(db, demo_prompts, labeler), len(demo_prompts))
        result.self_assessment = json.loads(self_assessment) if self_assessment else {}
        result.seconds = db.execute(
            """SELECT round(CAST(sum(a.seconds) AS NUMERIC), 1) FROM assignments a JOIN quiz_items q ON q.task_id = a.task_id
               WHERE q.quiz = ? AND a.labeler = ?""", [quiz, labeler]).fetchone()[0]
        decide(result, thresholds, has_flags=bool(gold_flags), has_ranking=bool(gold_rankings),
               has_demos=bool(demo_prompts))
        candidates[result.id] = result.as_dict()
    return {
        "quiz": quiz,
        "thresholds": thresholds,
        "gold": {"flags": len(gold_flags), "rankings": len(gold_rankings)},
        "candidates": candidates,
    }


def _demo_scores(db: sqlite_utils.Database, demo_prompts: list[str], labeler: str) -> dict[str, list[int]]:
    """{d<label id>: researchers' ratings} for the candidate's written answers."""
    out = {}
    for prompt in demo_prompts:
        row = db.execute("SELECT id FROM labels WHERE labeler = ? AND task = 'demonstration' "
                         "AND item = ? AND field = 'text'", [labeler, prompt]).fetchone()
        if row is None:
            continue
        demo = f"d{row[0]}"
        out[demo] = [json.loads(v) for (v,) in db.execute(
            """SELECT l.value FROM labels l JOIN labelers r ON r.name = l.labeler
               WHERE l.task = 'demonstration_score' AND l.item = ? AND l.field = 'rating'
                 AND r.role = 'researcher'""", [demo])]
    return out
