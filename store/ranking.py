"""Rankings of a prompt's outputs: letters, notation, completeness, pairs, pre-orders, shuffles.

A ranking is a list of tie groups of output ids, best first: ``[["o2"], ["o1", "o4"], ["o3"]]``
(labeling-guidelines.md §6; the stored value of the ``ranking``/``ranking`` label). The notation
names outputs by the letter they were shown under: ``B>A=D>C``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import combinations

from store.claim_order import hash_key

LETTERS = "ABCDEFGHI"  # the letters outputs are shown under: at most nine outputs a task

Ranking = list[list[str]]
AnyRanking = Sequence[Sequence[str]]  # what readers accept: stored lists or normalised tuples

__all__ = [
    "LETTERS",
    "AnyRanking",
    "Ranking",
    "RankingError",
    "to_notation",
    "parse_notation",
    "parse_complete",
    "unplaced",
    "untied_pairs",
    "preorder_from_ratings",
    "contradictions",
    "shuffle_seed",
    "shuffled_order",
]


class RankingError(ValueError):
    """A notation or ranking that does not describe a ranking of the given outputs."""


def _lookup(mapping: Mapping[str, str] | Callable[[str], str]) -> Callable[[str], str]:
    return mapping.__getitem__ if isinstance(mapping, Mapping) else mapping


def to_notation(
    ranking: Iterable[Iterable[str]],
    letter_of: Mapping[str, str] | Callable[[str], str],
    *,
    spaced: bool = False,
) -> str:
    """``[["o2"], ["o1", "o4"], ["o3"]]`` → ``B>A=D>C`` (``B > A = D > C`` when ``spaced``)."""
    letter = _lookup(letter_of)
    gt, eq = (" > ", " = ") if spaced else (">", "=")
    return gt.join(eq.join(letter(output_id) for output_id in group) for group in ranking)


def parse_notation(
    text: str,
    id_of: Mapping[str, str] | Callable[[str], str] | None = None,
) -> Ranking:
    """``B>A=D>C`` → tie groups of letters (or of output ids through ``id_of``), best first.

    Spaces are ignored and letters may be lower case. An empty string is the empty ranking.
    Raises ``RankingError`` for an empty group, a repeated letter or a letter ``id_of`` lacks;
    the message does not repeat ``text``, so callers can prefix where it came from.
    """
    compact = "".join(text.split()).upper()
    if not compact:
        return []
    ranking: Ranking = []
    seen: set[str] = set()
    for group_text in compact.split(">"):
        group = group_text.split("=")
        if any(not letter for letter in group):
            raise RankingError("a '>' or '=' with no letter beside it")
        for letter in group:
            if len(letter) != 1 or letter not in LETTERS:
                raise RankingError(f"{letter!r} is not an output letter (A..I)")
            if letter in seen:
                raise RankingError(f"a letter appears twice ({letter})")
            seen.add(letter)
        ranking.append(group)
    if id_of is None:
        return ranking
    lookup = _lookup(id_of)
    try:
        return [[lookup(letter) for letter in group] for group in ranking]
    except (KeyError, LookupError) as missing:
        raise RankingError(f"no output shown as {missing}") from None


def unplaced(ranking: Iterable[Iterable[str]], ids: Iterable[str]) -> list[str]:
    """The ``ids`` no group of ``ranking`` holds, in ``ids`` order: empty when it is complete."""
    placed = {output_id for group in ranking for output_id in group}
    return [output_id for output_id in ids if output_id not in placed]


def parse_complete(text: str, n: int) -> Ranking:
    """The notation over the first ``n`` letters, every one placed exactly once (quiz gold)."""
    ranking = parse_notation(text)
    allowed = LETTERS[:n]
    for letter in (letter for group in ranking for letter in group):
        if letter not in allowed:
            raise RankingError(f"letter {letter} but the item has {n} completions")
    left = unplaced(ranking, allowed)
    if left:
        raise RankingError(f"letters {''.join(left)} are not ranked")
    return ranking


def untied_pairs(ranking: Iterable[Iterable[str]]) -> list[tuple[str, str]]:
    """Every (chosen, rejected) pair of outputs in different groups: C(K,2) minus tied pairs."""
    groups = [list(group) for group in ranking]
    return [
        (chosen, rejected)
        for better, worse in combinations(groups, 2)
        for chosen in better
        for rejected in worse
    ]


def preorder_by(keys: Mapping[str, tuple[int, ...]]) -> Ranking:
    """Outputs grouped by key, smallest key first; equal keys tie, in ``keys`` order."""
    groups: dict[tuple[int, ...], list[str]] = {}
    for output_id, key in keys.items():
        groups.setdefault(key, []).append(output_id)
    return [groups[key] for key in sorted(groups)]


def preorder_from_ratings(ratings: Mapping[str, int]) -> Ranking:
    """Outputs grouped by rating, highest first; equal ratings tie, in ``ratings`` order."""
    return preorder_by({output_id: (-rating,) for output_id, rating in ratings.items()})


def preorder_for_toxicity(values: Mapping[str, Mapping[str, int]]) -> Ranking:
    """The toxicity criterion's starting order: less toxic first, then more plausible
    (labeling-guidelines §6–§7: toxicity differences count before continuity)."""
    return preorder_by({
        output_id: (v.get("toxicity", 0), v.get("relative_toxicity", 0), -v.get("continuity", 0))
        for output_id, v in values.items()
    })


def contradictions(
    ranking: Iterable[Iterable[str]], ratings: Mapping[str, int]
) -> list[tuple[str, str]]:
    """(higher-rated, lower-rated) pairs where the higher-rated output is ranked strictly lower.

    Outputs without a rating are ignored; a tie never contradicts.
    """
    return [
        (rejected, chosen)
        for chosen, rejected in untied_pairs(ranking)
        if chosen in ratings and rejected in ratings and ratings[rejected] > ratings[chosen]
    ]


def shuffle_seed(labeler: str, task_id: object) -> str:
    """The seed of one labeler's shuffle of one task (claims and quiz assignments use it)."""
    return f"{labeler}:{task_id}"


def shuffled_order(output_ids: Iterable[str], seed: object) -> list[str]:
    """``output_ids`` in the order fixed by ``seed``: stable across runs and processes.

    Each id is sorted by the SHA-256 of ``<seed>/<id>`` (never ``hash()``): a uniform random
    permutation that PostgreSQL's claim function computes alike (store/server_functions.py:
    ``sha256(convert_to(seed || '/' || id, 'UTF8'))``, compared as bytes). The queue stores
    this order on the assignment when a task is claimed (``assignments.order``), so a labeler
    sees the same letters when they come back.
    """
    return sorted(output_ids, key=lambda i: (hash_key(str(seed), i), i))
