"""The screening report of labeling-guidelines.md §8: who passed a quiz, and why.

`screening_report(db, quiz, thresholds)` reads candidates' answers and researchers' gold through
`store.quiz` and returns plain data; `tui/cli.py` prints it as a table or JSON. Candidates are
listed under anonymous ids (`c1`, `c2`, ... in a stable but name-free order) unless names are
asked for, since researchers select on anonymised data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from statistics import mean

# The InstructGPT soft cut-offs (§8), overridable in config `[screening]`.
DEFAULT_THRESHOLDS = {"flags": 0.75, "comparisons": 0.75, "demo_score": 6.0}


@dataclass
class CandidateResult:
    id: str
    flags: dict = field(default_factory=dict)  # {"n", "agreed", "agreement"}
    comparisons: dict = field(default_factory=dict)  # {"n_items", "pairs", "agreed", "ties_excluded", "agreement"}
    demonstrations: dict = field(default_factory=dict)  # {"n", "scored", "mean_score"}
    self_assessment: dict = field(default_factory=dict)  # {"selected": [...], "text": str}
    submitted: bool = False
    result: str = "pending"  # "pass" | "fail" | "pending"
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "submitted": self.submitted,
            "flags": self.flags,
            "comparisons": self.comparisons,
            "demonstrations": self.demonstrations,
            "self_assessment": self.self_assessment,
            "result": self.result,
            "reasons": self.reasons,
        }


def flag_agreement(answers: dict, gold: dict) -> dict:
    """answers/gold: {(task, item, field): bool}. Every gold flag counts; an unanswered one disagrees."""
    agreed = sum(1 for key, value in gold.items() if answers.get(key) == value)
    n = len(gold)
    return {"n": n, "agreed": agreed, "agreement": round(agreed / n, 4) if n else None}


def _ranks(ranking) -> dict[str, int]:
    return {output: pos for pos, group in enumerate(ranking) for output in group}


def ranking_agreement(answers: dict, gold: dict) -> dict:
    """answers/gold: {prompt id: tie groups of output ids}. Pooled over items: of the output pairs
    both rankings order strictly, the share ordered the same (interfaces.md `pairwise_agreement`).
    A gold item the candidate did not rank counts all its strict gold pairs as disagreements."""
    pairs = agreed = ties = 0
    for item, gold_ranking in gold.items():
        g = _ranks(gold_ranking)
        a = _ranks(answers[item]) if item in answers else None
        outs = sorted(g)
        for i, x in enumerate(outs):
            for y in outs[i + 1:]:
                if g[x] == g[y]:
                    ties += 1
                    continue
                if a is None or x not in a or y not in a:
                    pairs += 1
                    continue
                if a[x] == a[y]:
                    ties += 1
                    continue
                pairs += 1
                agreed += (g[x] < g[y]) == (a[x] < a[y])
    return {
        "n_items": len(gold),
        "pairs": pairs,
        "agreed": agreed,
        "ties_excluded": ties,
        "agreement": round(agreed / pairs, 4) if pairs else None,
    }


def demonstration_scores(scores: dict[str, list[int]], n_demos: int) -> dict:
    """scores: {demonstration id: researchers' ratings}. Each answer's ratings are averaged first,
    so a demonstration scored by three researchers weighs as much as one scored by one."""
    per_answer = [mean(r) for r in scores.values() if r]
    return {
        "n": n_demos,
        "scored": len(per_answer),
        "mean_score": round(mean(per_answer), 3) if per_answer else None,
    }


def decide(result: CandidateResult, thresholds: dict, *, has_demos: bool, has_flags: bool, has_ranking: bool) -> None:
    """Set result/reasons. Pending while the quiz is open or a measure has nothing to score yet."""
    checks = []
    if has_flags:
        checks.append(("flags", "sensitive-speech flag agreement", result.flags.get("agreement"), thresholds["flags"]))
    if has_ranking:
        checks.append(("comparisons", "ranking agreement", result.comparisons.get("agreement"), thresholds["comparisons"]))
    if has_demos:
        checks.append(("demo_score", "mean demonstration score", result.demonstrations.get("mean_score"), thresholds["demo_score"]))
    reasons, pending, failed = [], False, False
    if not result.submitted:
        pending = True
        reasons.append("quiz not submitted")
    for _key, what, value, cut in checks:
        if value is None:
            pending = True
            reasons.append(f"{what}: nothing to score yet (no gold or no researcher score)")
        elif value < cut:
            failed = True
            reasons.append(f"{what} {value:g} < {cut:g}")
        else:
            reasons.append(f"{what} {value:g} >= {cut:g}")
    if result.submitted and failed:
        result.result = "fail"
    elif pending:
        result.result = "pending"
    else:
        result.result = "pass"
    result.reasons = reasons


def anonymous_ids(quiz: str, names: list[str]) -> dict[str, str]:
    """name -> c1, c2, ... ordered by a hash of (quiz, name): stable across runs, yet the order
    says nothing about the names (alphabetical or assignment order would)."""
    ordered = sorted(names, key=lambda n: hashlib.sha256(f"{quiz}\0{n}".encode()).hexdigest())
    return {name: f"c{i}" for i, name in enumerate(ordered, 1)}
