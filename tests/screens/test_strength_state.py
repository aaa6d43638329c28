"""The strength model alone: defaults from ratings, levels kept by the groups they stand between,
what a close call is, and drafts read back defensively."""

from __future__ import annotations

from screens.widgets.ranking.strength_state import (
    StrengthChoice,
    boundaries,
    close_call,
    default_level,
)
from tui.config import DEFAULTS

LEVELS = DEFAULTS["comparison"]["strength_levels"]


def test_defaults_step_up_one_level_per_rating_point():
    b = (frozenset({"a"}), frozenset({"b"}))
    assert default_level(LEVELS, b, None) == 1  # no ratings: "better"
    assert [default_level(LEVELS, b, {"a": 4 + gap, "b": 4}) for gap in (-2, 0, 1, 2, 3, 5)] == [
        3, 3, 2, 1, 0, 0]
    tied = (frozenset({"a", "c"}), frozenset({"b"}))  # a group's mean: (6 + 4) / 2 - 3 = 2
    assert default_level(LEVELS, tied, {"a": 6, "c": 4, "b": 3}) == 1
    assert default_level(LEVELS, tied, {"a": 6, "b": 3}) == 1  # c unrated: no suggestion


def test_a_changed_ranking_keeps_the_levels_of_the_boundaries_it_still_has():
    choice = StrengthChoice(list(LEVELS))
    choice.show([["a"], ["b"], ["c"]], None)
    assert choice.digit(1) == "" and choice.digit(4) == ""
    choice.accept()
    assert choice.chosen == [LEVELS[0], LEVELS[3]] and choice.accepted
    choice.show([["c"], ["a"], ["b"]], None)  # a > b stays; c moved
    assert not choice.accepted and choice.cursor == 0
    assert choice.chosen == [LEVELS[1], LEVELS[0]]  # c > a new (pre-filled), a > b kept
    choice.show([["a"], ["b", "c"]], None)  # b ties with c: a > b=c is a new boundary
    assert choice.chosen == [LEVELS[1]]


def test_digits_out_of_range_and_no_boundaries_say_why():
    choice = StrengthChoice(list(LEVELS))
    choice.show([["a", "b"]], None)
    assert choice.digit(1).startswith("No boundary")
    choice.show([["a"], ["b"]], None)
    assert choice.digit(5) == "No level 5: 1–4" and choice.digit(0).startswith("No level")
    assert not choice.move(1) and not choice.move(-1)


def test_close_calls():
    assert close_call([["a", "b"], ["c"]], LEVELS, [LEVELS[0]], None) == "the top two are tied"
    assert "negligibly" in close_call([["a"], ["b"]], LEVELS, [LEVELS[3]], None)
    assert close_call([["a"], ["b"]], LEVELS, [LEVELS[0]], {"a": 3, "b": 5}) == (
        "the ranking goes against your ratings")
    assert close_call([["a"], ["b"]], LEVELS, [LEVELS[2]], {"a": 5, "b": 5}) == ""


def test_a_draft_round_trips_and_junk_in_it_is_dropped():
    choice = StrengthChoice(list(LEVELS))
    choice.show([["a"], ["b"], ["c"]], None)
    choice.digit(3)
    again = StrengthChoice(list(LEVELS))
    again.restore(choice.to_draft())
    again.show([["a"], ["b"], ["c"]], None)
    assert again.chosen == choice.chosen and again.cursor == 1
    junk = StrengthChoice(list(LEVELS))
    junk.restore({"ranking": "x", "marks": [["a", "b", "better"], [["a"], ["b"], "unknown level"]],
                  "cursor": 7, "accepted": "yes"})
    junk.show([["a"], ["b"]], None)
    assert junk.marks == {} and junk.cursor == 0 and not junk.accepted
    assert boundaries([["a"], ["b", "c"]]) == [(frozenset({"a"}), frozenset({"b", "c"}))]
