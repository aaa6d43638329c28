"""The labeler surveys of labeling-guidelines.md §9: demographics and satisfaction.

Every question may be skipped (an answer of None). Researchers add satisfaction statements in
config (`[surveys] extra_statements = [...]`); the five of §9 always come first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    kind: str  # "choice" (one of `choices`), "text" (free text), "agree" (1..5 agree scale)
    choices: tuple[str, ...] = ()

    def validate(self, value: Any) -> Any:
        """The stored form of an answer, or ValueError. None means skipped."""
        if value is None or value == "":
            return None
        if self.kind == "choice":
            if value not in self.choices:
                raise ValueError(f"{self.key}: {value!r} is not one of the choices")
            return value
        if self.kind == "agree":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                raise ValueError(f"{self.key}: an agreement is 1..5")
            return value
        if not isinstance(value, str):
            raise ValueError(f"{self.key}: must be text")
        return value.strip()[:2000] or None


@dataclass(frozen=True)
class Survey:
    kind: str  # "demographics" | "satisfaction"
    title: str
    intro: str
    questions: tuple[Question, ...]

    def clean(self, answers: dict[str, Any]) -> dict[str, Any]:
        """Validated answers, keyed by question; unknown keys refused, skipped ones dropped."""
        known = {q.key: q for q in self.questions}
        for key in answers:
            if key not in known:
                raise ValueError(f"{key}: not a question of the {self.kind} survey")
        out = {}
        for q in self.questions:
            value = q.validate(answers.get(q.key))
            if value is not None:
                out[q.key] = value
        return out


AGREE_SCALE = ("strongly disagree", "disagree", "neither agree nor disagree", "agree", "strongly agree")

# Bands, not ages, and short lists: exact values would make rare answers identifying.
DEMOGRAPHICS = Survey(
    kind="demographics",
    title="About you (voluntary, anonymous)",
    intro=(
        "These questions are voluntary. Skip any of them. Answers are stored without your name "
        "and without an exact time, and results are only shown for groups of 5 or more."
    ),
    questions=(
        Question("gender", "Gender", "choice",
                 ("woman", "man", "non-binary", "self-described", "prefer not to say")),
        Question("ethnicity", "Ethnicity", "choice",
                 ("White", "Black or African", "Hispanic or Latino", "East Asian", "South Asian",
                  "Southeast Asian", "Middle Eastern or North African", "Indigenous",
                  "mixed or multiple", "other", "prefer not to say")),
        Question("nationality", "Nationality (country)", "text"),
        Question("age_band", "Age", "choice",
                 ("18-24", "25-34", "35-44", "45-54", "55-64", "65+", "prefer not to say")),
        Question("education", "Highest education", "choice",
                 ("less than high school", "high school", "some college", "bachelor's degree",
                  "master's degree", "doctorate", "other", "prefer not to say")),
    ),
)

SATISFACTION_STATEMENTS = (
    ("instructions_clear", "The instructions were clear."),
    ("enjoyable", "The task was enjoyable and engaging."),
    ("repetitive", "The task was repetitive."),
    ("paid_fairly", "I was paid fairly."),
    ("glad", "Overall, I'm glad I did this task."),
)


def satisfaction_survey(extra_statements: Iterable[str] = ()) -> Survey:
    """The §9 statements, then config's extra ones, then a comment.

    Extra statements are keyed by their wording, so reordering the config keeps old answers.
    """
    statements = list(SATISFACTION_STATEMENTS)
    for text in extra_statements:
        key = "x_" + re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:48]
        if key not in dict(statements):
            statements.append((key, text))
    return Survey(
        kind="satisfaction",
        title="How was the work?",
        intro="Tell us how you found the labeling. Every question can be skipped; answers are anonymous.",
        questions=tuple(Question(key, text, "agree", AGREE_SCALE) for key, text in statements)
        + (Question("comment", "Anything else you'd like to tell us?", "text"),),
    )


def survey(kind: str, extra_statements: Iterable[str] = ()) -> Survey:
    if kind == "demographics":
        return DEMOGRAPHICS
    if kind == "satisfaction":
        return satisfaction_survey(extra_statements)
    raise ValueError(f"unknown survey {kind!r} (demographics or satisfaction)")
