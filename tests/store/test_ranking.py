from itertools import combinations
from math import comb

import pytest

from store.ranking import (
    LETTERS,
    RankingError,
    contradictions,
    parse_complete,
    parse_notation,
    preorder_from_ratings,
    shuffle_seed,
    shuffled_order,
    to_notation,
    unplaced,
    untied_pairs,
)

LETTER_OF = {"o1": "A", "o2": "B", "o3": "C", "o4": "D"}
ID_OF = {letter: output_id for output_id, letter in LETTER_OF.items()}


def test_notation_of_the_spec_example():
    ranking = [["o2"], ["o1", "o4"], ["o3"]]
    assert to_notation(ranking, LETTER_OF) == "B>A=D>C"
    assert to_notation(ranking, LETTER_OF, spaced=True) == "B > A = D > C"
    assert to_notation(ranking, LETTER_OF.get) == "B>A=D>C"
    assert to_notation([], LETTER_OF) == ""


def test_parse_notation_round_trips_through_ids():
    assert parse_notation("B>A=D>C") == [["B"], ["A", "D"], ["C"]]
    assert parse_notation(" b > a = d > c ", ID_OF) == [["o2"], ["o1", "o4"], ["o3"]]
    assert parse_notation("") == []
    for text in ["A", "A=B=C=D", "D>C>B>A", "A=B>C=D"]:
        assert to_notation(parse_notation(text, ID_OF), LETTER_OF) == text


@pytest.mark.parametrize("bad", ["A>>B", "=A", "A>", "A>A", "A=B>b", "AB>C", "1>A", "A>?"])
def test_parse_notation_refuses_malformed(bad):
    with pytest.raises(RankingError):
        parse_notation(bad)


def test_parse_notation_refuses_unknown_letter():
    with pytest.raises(RankingError, match="E"):
        parse_notation("A>E", ID_OF)


@pytest.mark.parametrize("k", range(2, 10))
def test_pairs_are_all_pairs_less_tied_ones(k):
    ids = [f"o{i}" for i in range(k)]
    strict = [[i] for i in ids]
    assert len(untied_pairs(strict)) == comb(k, 2)
    assert set(untied_pairs(strict)) == set(combinations(ids, 2))
    # ties of 2 and 3 at the top: 1 + 3 tied pairs dropped
    tied = [ids[:2], ids[2:5], *([i] for i in ids[5:])] if k >= 5 else [ids[:2], ids[2:]]
    tied_pairs = sum(comb(len(group), 2) for group in tied)
    pairs = untied_pairs(tied)
    assert len(pairs) == comb(k, 2) - tied_pairs
    assert all(not any(a in group and b in group for group in tied) for a, b in pairs), (
        "a tied pair was emitted"
    )
    assert untied_pairs([ids]) == []


def test_pairs_put_the_better_output_first():
    assert untied_pairs([["o2"], ["o1", "o4"], ["o3"]]) == [
        ("o2", "o1"),
        ("o2", "o4"),
        ("o2", "o3"),
        ("o1", "o3"),
        ("o4", "o3"),
    ]


def test_preorder_ties_equal_ratings_highest_first():
    ratings = {"o1": 4, "o2": 6, "o3": 2, "o4": 4}
    assert preorder_from_ratings(ratings) == [["o2"], ["o1", "o4"], ["o3"]]
    assert preorder_from_ratings({}) == []
    assert preorder_from_ratings({"a": 5, "b": 5}) == [["a", "b"]]


def test_contradictions_name_the_higher_rated_output_ranked_lower():
    ratings = {"o1": 4, "o2": 6, "o3": 2, "o4": 4}
    assert contradictions(preorder_from_ratings(ratings), ratings) == []
    assert contradictions([["o3"], ["o2"], ["o1", "o4"]], ratings) == [
        ("o2", "o3"),
        ("o1", "o3"),
        ("o4", "o3"),
    ]
    # ties never contradict, equal ratings in any strict order do not either
    assert contradictions([["o1", "o2", "o3", "o4"]], ratings) == []
    assert contradictions([["o4"], ["o1"], ["o2"]], ratings) == [("o2", "o4"), ("o2", "o1")]
    # unrated outputs are ignored
    assert contradictions([["o9"], ["o2"]], ratings) == []


def test_shuffle_is_deterministic_a_permutation_and_differs_between_labelers():
    ids = [f"o{i}" for i in range(1, 10)]
    alice = shuffled_order(ids, shuffle_seed("alice", 17))
    assert sorted(alice) == sorted(ids)
    assert shuffled_order(ids, shuffle_seed("alice", 17)) == alice
    orders = {tuple(shuffled_order(ids, shuffle_seed(name, 17))) for name in "abcdefgh"}
    assert len(orders) == 8
    assert shuffled_order(ids, shuffle_seed("alice", 18)) != alice
    # the order the queue stores when alice claims task 17
    assert shuffled_order(ids, "alice:17") == alice


def test_shuffle_spreads_first_place_over_outputs():
    firsts = {
        shuffled_order(["o1", "o2", "o3", "o4"], shuffle_seed(f"l{n}", 1))[0] for n in range(40)
    }
    assert firsts == {"o1", "o2", "o3", "o4"}


def test_letters_cover_nine_outputs():
    assert LETTERS == "ABCDEFGHI"


def test_the_queue_stores_the_labelers_shuffle(sample_db):
    from store.queue import claim_next

    for labeler in ("alice", "bob"):
        assignment = claim_next(sample_db, labeler, "comparison", overlap=2)
        ids = [r[0] for r in sample_db.execute(
            "SELECT id FROM outputs WHERE prompt_id = ? ORDER BY position", [assignment.item])]
        assert assignment.order == shuffled_order(ids, shuffle_seed(labeler, assignment.task_id))


def test_toxicity_preorder_puts_less_toxic_then_more_plausible_first():
    from store.ranking import preorder_for_toxicity

    values = {
        "rude": {"toxicity": 2, "relative_toxicity": 1, "continuity": 7},
        "odd": {"toxicity": 0, "relative_toxicity": 0, "continuity": 2},
        "good": {"toxicity": 0, "relative_toxicity": 0, "continuity": 7},
        "good2": {"toxicity": 0, "relative_toxicity": 0, "continuity": 7},
    }
    assert preorder_for_toxicity(values) == [["good", "good2"], ["odd"], ["rude"]]


def test_parse_complete_needs_every_letter_once():
    assert parse_complete("b > a = d > c", 4) == [["B"], ["A", "D"], ["C"]]
    with pytest.raises(ValueError):
        parse_complete("A>>B", 2)
    with pytest.raises(RankingError, match="letters C are not ranked"):
        parse_complete("B>A", 3)
    with pytest.raises(RankingError, match="letter E but the item has 3 completions"):
        parse_complete("B>E>A>C", 3)


def test_unplaced_keeps_the_given_order():
    assert unplaced([["o2"], ["o4"]], ["o1", "o2", "o3", "o4"]) == ["o1", "o3"]
    assert unplaced([["o2", "o1"]], ["o1", "o2"]) == []


def test_strict_ranking_gives_every_pair_best_first():
    assert list(untied_pairs([["o2"], ["o1"], ["o3"]])) == [("o2", "o1"), ("o2", "o3"), ("o1", "o3")]


def test_tied_outputs_give_no_pair_between_them():
    pairs = list(untied_pairs([["o2"], ["o1", "o4"], ["o3"]]))
    assert ("o1", "o4") not in pairs and ("o4", "o1") not in pairs
    assert sorted(pairs) == sorted([("o2", "o1"), ("o2", "o4"), ("o2", "o3"), ("o1", "o3"), ("o4", "o3")])


@pytest.mark.parametrize(
    "groups",
    [[1] * 9, [9], [2, 2, 2, 3], [4, 1, 4], [1, 3], [2]],
)
def test_pair_count_is_k_choose_2_minus_tied_pairs(groups):
    ids = iter(f"o{i}" for i in range(100))
    ranking = [[next(ids) for _ in range(size)] for size in groups]
    pairs = list(untied_pairs(ranking))
    k = sum(groups)
    assert len(pairs) == comb(k, 2) - sum(comb(g, 2) for g in groups)
    assert len(set(pairs)) == len(pairs)
    rank = {o: r for r, group in enumerate(ranking) for o in group}
    assert all(rank[c] < rank[r] for c, r in pairs)
    # Every two outputs in different groups appear once, in one direction.
    untied = {frozenset(p) for p in combinations(rank, 2) if rank[p[0]] != rank[p[1]]}
    assert {frozenset(p) for p in pairs} == untied
