import pytest

from screens.widgets.ranking.ranking_state import RankingBuilder, ShownOutput
from store.ranking import LETTERS, to_notation


def builder(k=4, preorder=None, prefill=None):
    # letters shown in a shuffled order: A is o3, B is o4, C is o1, D is o2
    ids = [f"o{i}" for i in range(1, k + 1)]
    ids = ids[2:] + ids[:2]
    shown = [
        ShownOutput(LETTERS[n], output_id, f"text {output_id}") for n, output_id in enumerate(ids)
    ]
    return RankingBuilder(shown, preorder, prefill=prefill)


def notation(b):
    text = to_notation(b.groups, b.letter_of)
    return text + ("=" if b.pending_tie else "")


def type_keys(b, keys):
    outcomes = []
    for key in keys:
        if key == "=":
            outcomes.append(b.tie())
        elif key == "<":
            outcomes.append(b.backspace())
        else:
            outcomes.append(b.letter(key))
    return outcomes


def test_typed_ranking_with_a_tie_maps_letters_to_ids():
    b = builder()
    outcomes = type_keys(b, "ba=d")  # C, the one left, is placed last by the D
    assert notation(b) == "B>A=D>C"
    assert b.ranking == [["o4"], ["o3", "o2"], ["o1"]]
    assert b.complete and b.missing_hint() == ""
    assert [o.changed for o in outcomes] == [True, True, False, True]
    assert b.letter("c") == (False, "")  # C's own letter confirms where it was put: no word
    assert notation(b) == "B>A=D>C"


@pytest.mark.parametrize(("keys", "ranking"), [
    ("badc", "B>A>D>C"), ("b=adc", "B=A>D>C"), ("bad=c", "B>A>D=C"), ("b=a=d=c", "B=A=D=C"),
    ("ba=dc", "B>A=D>C"),
])
def test_a_full_ranking_typed_out_is_taken_without_a_word(keys, ranking):
    b = builder()
    outcomes = type_keys(b, keys)
    assert [o.hint for o in outcomes] == [""] * len(keys)
    assert notation(b) == ranking


def test_backspace_after_the_confirming_letter_takes_back_that_letter_alone():
    b = builder()
    type_keys(b, "badc")
    b.backspace()
    assert notation(b) == "B>A>D" and b.remaining == ["C"]


def test_the_first_letter_of_a_full_retype_replaces_a_typed_ranking():
    b = builder()
    type_keys(b, "badc")
    outcome = b.letter("c")  # complete: C starts a new ranking
    assert outcome.changed and notation(b) == "C"
    b.backspace()
    assert notation(b) == "B>A>D>C"  # Backspace brings the replaced one back
    type_keys(b, "dab")  # D replaces the ranking; A, then B, C placed; its letter is missing
    assert notation(b) == "D>A>B>C"
    b.undo()
    assert notation(b) == "D>A"
    restored = builder(preorder=[["o1"], ["o2"], ["o3"], ["o4"]])  # a draft: C > D > A > B
    assert not restored.prefilled and restored.letter("b").changed
    type_keys(restored, "adc")
    assert notation(restored) == "B>A>D>C"
    assert not builder(preorder=[["o1"]]).letter("c").changed  # partial: C is placed, refused


def test_move_mode_letters_select_and_a_letter_after_moving_retypes():
    b = builder()
    type_keys(b, "bad")  # C placed for the labeler
    b.toggle_move()
    assert not b.letter("c").changed and b.selected == "o1"  # selects
    b.toggle_move()
    assert b.letter("c").changed and notation(b) == "C"  # no longer a confirmation


def test_k_keystrokes_plus_one_per_tie():
    b = builder(9)
    type_keys(b, "IH=GFEDC=B=A")
    assert b.complete
    assert notation(b) == "I>H=G>F>E>D>C=B=A"


def test_unknown_and_placed_letters_are_ignored_with_a_hint():
    b = builder()
    b.letter("a")
    for key in ["a", "A", "e", "z"]:
        outcome = b.letter(key)
        assert not outcome.changed and outcome.hint
    assert "already placed" in b.letter("A").hint
    assert "A–D" in b.letter("E").hint
    assert notation(b) == "A"


def test_backspace_takes_back_keystrokes_like_editing_the_notation():
    b = builder()
    type_keys(b, "ba=d")
    assert notation(b) == "B>A=D>C"
    b.backspace()  # the D placed C too: both come back
    assert notation(b) == "B>A="
    b.backspace()
    assert notation(b) == "B>A"
    type_keys(b, "=<c")
    assert notation(b) == "B>A>C>D"
    type_keys(b, "<")
    assert notation(b) == "B>A"
    type_keys(b, "<<<<")
    assert notation(b) == "" and b.backspace().hint


def test_tie_needs_a_placement_and_toggles():
    b = builder()
    assert b.tie().hint
    type_keys(b, "a==b")
    assert notation(b) == "A>B"
    type_keys(b, "c")
    assert notation(b) == "A>B>C>D"
    assert b.letter("z").hint  # a hint, not a keystroke: the next = still ties D
    assert b.tie().changed and notation(b) == "A>B>C=D"
    assert "All placed" in b.tie().hint


def test_incomplete_names_what_is_missing():
    b = builder()
    type_keys(b, "c")
    assert not b.complete
    assert b.missing_hint() == "Not complete: still to place A, B, D"
    assert b.remaining == ["A", "B", "D"]


def test_reset_and_undo_of_everything():
    b = builder()
    type_keys(b, "ba=d")
    b.reset()
    assert b.groups == [] and not b.complete
    b.undo()
    assert notation(b) == "B>A=D>C"
    b.backspace()
    b.undo()
    assert notation(b) == "B>A=D>C"
    for expected in ["B>A=", "B>A", "B", ""]:
        b.undo()
        assert notation(b) == expected
    assert b.undo().hint == "Nothing to undo"
    assert b.reset().hint


def test_move_mode_moves_between_groups_and_toggles_ties():
    b = builder()
    type_keys(b, "ba=d")
    b.toggle_move()
    assert b.moving and b.letter_of[b.selected] == "C"
    b.move_up()
    assert notation(b) == "B>C>A=D"
    b.move_up()
    b.move_up()
    assert notation(b) == "C>B>A=D"
    assert "already first" in b.move_up().hint
    b.letter("d")  # selects in move mode
    b.move_up()  # leaves its tie first, above it
    assert notation(b) == "C>B>D>A"
    b.tie()  # = in move mode ties D with the one above
    assert notation(b) == "C>B=D>A"
    b.tie()
    assert notation(b) == "C>B>D>A"
    b.letter("a")
    b.tie()
    assert notation(b) == "C>B>D=A"
    b.letter("d")
    b.move_down()
    assert notation(b) == "C>B>A>D"
    assert "already last" in b.move_down().hint
    b.letter("c")
    assert "first" in b.tie().hint
    for expected in ["C>B>D=A", "C>B>D>A", "C>B=D>A", "C>B>D>A", "C>B>A=D"]:
        b.undo()
        assert notation(b) == expected
    b.toggle_move()
    assert not b.moving


def test_move_mode_places_an_unplaced_letter_and_selects_it():
    b = builder()
    type_keys(b, "ab")
    b.toggle_move()
    b.letter("d")
    assert notation(b) == "A>B>D" and b.letter_of[b.selected] == "D"
    b.move_up()
    assert notation(b) == "A>D>B"


def test_moves_need_move_mode_and_a_placement():
    b = builder()
    assert b.toggle_move().hint
    assert not b.moving
    assert b.move_up().hint and b.move_down().hint


def test_backspace_in_move_mode_keeps_a_valid_selection():
    b = builder()
    type_keys(b, "ab")
    b.toggle_move()
    b.backspace()
    assert b.letter_of[b.selected] == "A"
    b.backspace()
    assert b.selected is None and not b.moving


@pytest.mark.parametrize(
    "preorder, expected",
    [
        ([["o1"], ["o2", "o3"], ["o4"]], "C>D=A>B"),
        ([["o2", "o9"], ["o2"]], "D"),  # unknown and repeated ids are dropped
        ([], ""),
        (None, ""),
    ],
)
def test_preorder_starts_the_ranking(preorder, expected):
    b = builder(preorder=preorder)
    assert notation(b) == expected
    assert not b.can_undo


def test_contradictions_with_ratings():
    b = builder(preorder=[["o4"], ["o1"]])
    assert b.contradictions({"o4": 3, "o1": 6}) == [("o1", "o4")]
    assert b.contradictions(None) == []


def test_no_outputs_cannot_be_submitted():
    assert RankingBuilder([]).missing_hint() == "Nothing to rank"


# -- keystroke economy (issue #15) -------------------------------------------------------------


def test_k_minus_one_letters_rank_k_outputs():
    for k in range(2, 10):
        b = builder(k)
        type_keys(b, LETTERS[: k - 1])
        assert b.complete and notation(b) == ">".join(LETTERS[:k])


def test_a_tie_with_the_output_placed_last_still_needs_equals():
    b = builder(9)
    type_keys(b, "ABCDEFGH")
    assert notation(b) == "A>B>C>D>E>F>G>H>I"
    assert b.tie().changed
    assert notation(b) == "A>B>C>D>E>F>G>H=I"
    b.undo()
    assert notation(b) == "A>B>C>D>E>F>G>H>I"
    b = builder(3)
    type_keys(b, "a=b")  # a pending tie: C is left alone, placed below the tie
    assert notation(b) == "A=B>C"


def test_a_letter_on_a_suggested_ranking_starts_a_new_one_and_backspace_restores_it():
    suggestion = [["o1"], ["o2", "o3"], ["o4"]]  # C > D = A > B (A is o3, D is o2)
    b = builder(prefill=suggestion)
    assert b.prefilled and notation(b) == "C>D=A>B"
    assert b.letter("b").changed
    assert notation(b) == "B" and not b.prefilled
    b.backspace()
    assert b.prefilled and notation(b) == "C>D=A>B"
    type_keys(b, "bad")
    assert notation(b) == "B>A>D>C" and not b.prefilled
    for _ in range(3):
        b.undo()
    assert b.prefilled and notation(b) == "C>D=A>B"


def test_a_draft_preorder_is_a_suggestion_only_when_it_is_the_suggestion():
    b = builder(preorder=[["o1"], ["o2"], ["o3"], ["o4"]])
    assert not b.prefilled
    suggestion = [["o1"], ["o2", "o3"], ["o4"]]
    assert builder(preorder=suggestion, prefill=suggestion).prefilled  # a draft that kept it
    other = builder(preorder=[["o4"], ["o1"], ["o2"], ["o3"]], prefill=suggestion)
    assert not other.prefilled and other.letter("a").changed and notation(other) == "A"
    other.backspace()
    assert notation(other) == "B>C>D>A"  # the draft's ranking back, not the suggestion
    partial = builder(prefill=[["o1"]])  # an incomplete suggestion is simply extended
    assert not partial.prefilled
    partial.letter("a")
    assert notation(partial) == "C>A"


def test_nine_outputs_with_one_tie_in_nine_keys():
    b = builder(9, prefill=[[f"o{i}"] for i in range(1, 10)])
    keys = "IH=GFEDCB"  # 8 letters and one =; A is placed last
    type_keys(b, keys)
    assert b.complete and notation(b) == "I>H=G>F>E>D>C>B>A"
    assert len(keys) == 9


def test_after_rating_goes_to_the_next_unfinished_output_or_says_done():
    from screens.widgets.scores.scores_panel import after_rating

    assert after_rating([False, True, True], 0) == 1
    assert after_rating([True, False, True], 1) == 2
    assert after_rating([True, True, False], 2) == 0  # wraps to an earlier gap
    assert after_rating([False, True, False], 1) == 1  # still lacks a required flag: stays
    assert after_rating([False, False, False], 2) is None
    assert after_rating([False], 0) is None
