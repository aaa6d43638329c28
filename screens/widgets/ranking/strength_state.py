"""Preference strength and the reason as a pure model (no Textual): what each key does to them.

After the ranking, each boundary between consecutive tie groups gets one level of `[comparison]
strength_levels` (strongest first: Llama 2's "significantly better" … "negligibly better /
unsure"). Every boundary is pre-filled, so Enter alone accepts the lot; a digit sets the
boundary under the cursor and moves on to the next, so no boundary costs more than one key.

The default of a boundary comes from the labeler's own ratings when both groups are rated: the
weakest level when the upper group is rated no higher than the lower one, one level stronger
per rating point of difference (the groups' mean ratings, rounded); without ratings, the level
at `(n - 1) // 2` (Llama 2's four: "better").

A level belongs to the two groups it stands between (`Boundary`), not to a position: when the
ranking changes, a boundary whose two neighbouring groups are unchanged keeps its level and
every other boundary is pre-filled again, and the new ranking's strength must be accepted again
(Enter) before the task can be submitted.

The reason (`[comparison] reason`): "optional" is asked after every ranking and may be left
empty; "close" is asked, and required, only when the call is close (`close_call`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from store.ranking import Ranking, contradictions

Boundary = tuple[frozenset[str], frozenset[str]]
"""The two tie groups a level stands between: (the upper group, the lower group)."""


def boundaries(ranking: Ranking) -> list[Boundary]:
    """Each boundary between consecutive groups, best first."""
    return [(frozenset(upper), frozenset(lower)) for upper, lower in zip(ranking, ranking[1:], strict=False)]


def default_level(levels: list[str], boundary: Boundary, ratings: Mapping[str, int] | None) -> int:
    """The pre-filled level (an index into `levels`) of one boundary."""
    weakest = len(levels) - 1
    upper, lower = boundary
    if ratings and all(i in ratings for i in upper | lower):
        gap = sum(ratings[i] for i in upper) / len(upper) - sum(ratings[i] for i in lower) / len(lower)
        return min(weakest, max(0, weakest - round(gap))) if gap > 0 else weakest
    return weakest // 2


def close_call(ranking: Ranking, levels: list[str], chosen: list[str],
               ratings: Mapping[str, int] | None) -> str:
    """Why a reason is required under `reason = "close"` ('' when it is not): the top two
    tied, a boundary at the weakest level, or the ranking against the labeler's own ratings."""
    if ranking and len(ranking[0]) > 1:
        return "the top two are tied"
    if levels and levels[-1] in chosen:
        return f"a boundary is {levels[-1]!r}"
    if ratings and contradictions(ranking, ratings):
        return "the ranking goes against your ratings"
    return ""


@dataclass
class StrengthChoice:
    """One labeler's strength levels for one task's ranking, edited key by key."""

    levels: list[str]
    ranking: Ranking = field(default_factory=list)
    ratings: dict[str, int] | None = None
    # Levels the labeler set (a digit) or accepted (Enter), by the groups they stand between.
    marks: dict[Boundary, str] = field(default_factory=dict)
    cursor: int = 0
    accepted: bool = False  # Enter accepted the strength of this very ranking

    def show(self, ranking: Ranking, ratings: Mapping[str, int] | None) -> None:
        """The ranking (and ratings) the levels are for; a different ranking must be accepted
        again, keeping the levels of the boundaries it still has."""
        ranking = [list(g) for g in ranking]
        if ranking != self.ranking:
            self.accepted = False
            self.cursor = 0
        self.ranking = ranking
        self.ratings = dict(ratings) if ratings else None
        self.cursor = min(self.cursor, max(0, len(self.boundaries) - 1))

    @property
    def boundaries(self) -> list[Boundary]:
        return boundaries(self.ranking)

    def level_of(self, boundary: Boundary) -> str:
        mark = self.marks.get(boundary)
        if mark in self.levels:
            return mark
        return self.levels[default_level(self.levels, boundary, self.ratings)]

    @property
    def chosen(self) -> list[str]:
        """One level name per boundary, best first: what is stored."""
        return [self.level_of(b) for b in self.boundaries]

    def is_marked(self, index: int) -> bool:
        return self.boundaries[index] in self.marks

    # -- keys ------------------------------------------------------------------------------

    def digit(self, number: int) -> str:
        """Level `number` (1 = strongest) for the boundary under the cursor, then the next
        boundary; a hint when the digit names no level ('' when it applied)."""
        if not 1 <= number <= len(self.levels):
            return f"No level {number}: 1–{len(self.levels)}"
        found = self.boundaries
        if not found:
            return "No boundary to weigh: every output is tied"
        self.marks[found[self.cursor]] = self.levels[number - 1]
        self.cursor = min(self.cursor + 1, len(found) - 1)
        return ""

    def move(self, step: int) -> bool:
        """The cursor one boundary left or right; False at either end."""
        target = self.cursor + step
        if not 0 <= target < len(self.boundaries):
            return False
        self.cursor = target
        return True

    def accept(self) -> None:
        """Enter: every level on show is the labeler's."""
        for boundary in self.boundaries:
            self.marks[boundary] = self.level_of(boundary)
        self.accepted = True

    # -- drafts ----------------------------------------------------------------------------

    def to_draft(self) -> dict[str, object]:
        return {
            "ranking": self.ranking,
            "marks": [[sorted(upper), sorted(lower), level] for (upper, lower), level in self.marks.items()],
            "cursor": self.cursor,
            "accepted": self.accepted,
        }

    def restore(self, data: Mapping[str, object] | None) -> None:
        """A draft's ranking, marks, cursor and acceptance; `show` then says which ranking is on
        screen now (a different one must be accepted again)."""
        data = data or {}
        ranking = data.get("ranking")
        self.ranking = [[str(i) for i in g] for g in ranking if isinstance(g, list)] if isinstance(
            ranking, list) else []
        self.marks = {}
        marks = data.get("marks")
        if isinstance(marks, list):
            for mark in marks:
                if (isinstance(mark, list) and len(mark) == 3 and mark[2] in self.levels
                        and isinstance(mark[0], list) and isinstance(mark[1], list)):
                    self.marks[(frozenset(mark[0]), frozenset(mark[1]))] = mark[2]
        cursor = data.get("cursor")
        self.cursor = cursor if isinstance(cursor, int) and 0 <= cursor < len(self.boundaries) else 0
        self.accepted = data.get("accepted") is True and bool(self.ranking)


__all__ = ["Boundary", "StrengthChoice", "boundaries", "close_call", "default_level"]
