from itertools import combinations
from math import comb

import pytest

from store.rankings import untied_pairs


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
