"""The kinds of work the home screen offers: key, title, role and the screen that does it.

The one place each of these is declared: the home screen and the palette read `WORK`, the
App's role gate reads `researcher_only`, and `tui.keymap` finds the screens' bindings from it.
Screens are named, not imported, so start-up stays light.
"""

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

# Screens a labeler never gets however they are opened (gold, others' answers, names): the
# researcher-only work and the screens it opens. `tui.app.LabelDeskApp.push_screen` is the gate.
RESEARCHER_SCREENS: frozenset[str] = frozenset(
    {w.screen for w in WORK if w.researcher_only} | {"screens.dashboard:MissesScreen"})


def researcher_only(screen: object) -> bool:
    """Whether `screen` is (or derives from) one of `RESEARCHER_SCREENS`."""
    return any(f"{cls.__module__}:{cls.__qualname__}" in RESEARCHER_SCREENS
               for cls in type(screen).__mro__)
