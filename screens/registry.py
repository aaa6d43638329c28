"""The kinds of work the home screen offers: key, title, and the screen that does it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Work:
    kind: str
    key: str
    title: str
    screen: str  # "module:Class", imported on first use so start-up stays light
    researcher_only: bool = False


WORK: tuple[Work, ...] = (
    Work("comparison", "c", "Comparisons (label, score, rank)", "screens.comparison:ComparisonScreen"),
    Work("demonstration", "w", "Write demonstrations", "screens.writing:WritingScreen"),
    Work("toxicity", "x", "Toxicity labeling", "screens.toxicity:ToxicityScreen"),
    Work("instruction", "i", "Instruction labels only", "screens.instruction:InstructionScreen"),
    Work("quiz", "s", "Screening quiz", "screens.quiz:QuizScreen"),
    Work("survey", "v", "Surveys", "screens.survey:SurveyScreen"),
    Work("stats", "t", "Statistics", "screens.stats:StatsScreen", researcher_only=True),
    Work("quality", "q", "Quality dashboard", "screens.dashboard:DashboardScreen", researcher_only=True),
    Work("demonstration_score", "d", "Score demonstrations", "screens.demo_scoring:DemoScoringScreen", researcher_only=True),
    Work("adjudication", "a", "Adjudicate disputes", "screens.adjudication:AdjudicationScreen", researcher_only=True),
)
