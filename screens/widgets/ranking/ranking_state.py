"""The keyboard ranking as a pure state machine (no Textual): what each key does to a ranking.

Typed mode builds the ranking best first like editing its notation ``B>A=D>C``: a letter places
that output, ``=`` ties the next placed output with the previous one, Backspace takes back the
last keystroke (a pending ``=``, else the last placement). Move mode adjusts a ranking: a letter
selects an output, ``move_up``/``move_down`` carry it past the neighbouring tie group (leaving its
own tie first), ``toggle_tie`` ties it with the output just above it or splits that tie.
Every change can be undone, including resets and moves.

Keystroke economy: when one output is left unplaced it is placed by the same keystroke (K−1
letters rank K outputs; ``=`` right after ties it with the one above), and its own letter typed
next (a full ranking typed out, ``BADC``) confirms that placement without a word.

A complete ranking (a *prefill* suggested from the ratings, a draft brought back, or one the
labeler typed) is replaced by the first letter of a full retype: outside move mode a letter on a
complete ranking starts a new one with that output first, since it can mean nothing else there;
Backspace or undo of that letter brings the replaced ranking back. A prefill is recognised as
such however it comes back (a preorder equal to it is the suggestion, not a typed ranking).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from store.ranking import Ranking, contradictions, unplaced
from store.views import Output


@dataclass(frozen=True)
class ShownOutput:
    """An output as the labeler sees it: under ``letter``, stored as ``output_id``."""

    letter: str
    output_id: str
    text: str


def shown(outputs: Iterable[Output]) -> list[ShownOutput]:
    """A task view's outputs (``store.views``, already in the labeler's order) as shown."""
    return [ShownOutput(output.letter, output.id, output.text) for output in outputs]


class Outcome(NamedTuple):
    """What a key did: whether the ranking changed, and a hint to show when it did nothing."""

    changed: bool = False
    hint: str = ""


class RankingBuilder:
    """One labeler's ranking of one task's outputs, edited key by key."""

    def __init__(
        self,
        outputs: list[ShownOutput],
        preorder: Ranking | None = None,
        *,
        prefill: Ranking | None = None,
    ) -> None:
        self.outputs = list(outputs)
        self._id_of = {shown.letter.upper(): shown.output_id for shown in self.outputs}
        self.letter_of = {shown.output_id: shown.letter.upper() for shown in self.outputs}
        self.groups: Ranking = []
        self.pending_tie = False
        self.moving = False
        self.selected: str | None = None
        self._history: list[tuple[Ranking, bool]] = []
        # The output the last letter placed for the labeler (the one left over), if any.
        self._auto: str | None = None
        # That output until its own letter confirms it (a ``=`` joining it to a tie keeps it).
        self._unconfirmed: str | None = None
        suggestion = self._known(prefill) if prefill else []
        self.groups = self._known(preorder) if preorder else [list(g) for g in suggestion]
        complete = len(self.placed) == len(self.outputs)
        # The suggested ranking, complete, if one was given: a draft that holds it unchanged
        # (saved after a letter and its Backspace, or by a submit sent back) is still it.
        self.prefill: Ranking | None = (
            suggestion if suggestion and complete and self.groups == suggestion else None
        )
        # The complete ranking a retype's first letter replaced: Backspace brings it back.
        self._replaced: Ranking | None = self.prefill

    def _known(self, ranking: Ranking) -> Ranking:
        """``ranking`` less unknown and repeated ids."""
        placed: set[str] = set()
        groups = []
        for group in ranking:
            kept = [i for i in group if i in self.letter_of and i not in placed]
            placed.update(kept)
            if kept:
                groups.append(kept)
        return groups

    # -- reading ---------------------------------------------------------------------------

    @property
    def ranking(self) -> Ranking:
        """The tie groups of output ids placed so far, best first (a copy)."""
        return [list(group) for group in self.groups]

    @property
    def placed(self) -> list[str]:
        return [output_id for group in self.groups for output_id in group]

    @property
    def remaining(self) -> list[str]:
        """Letters not placed yet, in shown order."""
        return [self.letter_of[i] for i in unplaced(self.groups, (s.output_id for s in self.outputs))]

    @property
    def complete(self) -> bool:
        return len(self.placed) == len(self.outputs)

    @property
    def can_undo(self) -> bool:
        return bool(self._history)

    def contradictions(self, ratings: dict[str, int] | None) -> list[tuple[str, str]]:
        return contradictions(self.groups, ratings) if ratings else []

    def missing_hint(self) -> str:
        """Why the ranking cannot be submitted yet ('' when it can)."""
        if not self.outputs:
            return "Nothing to rank"
        if self.complete:
            return ""
        left = ", ".join(self.remaining)
        return f"Not complete: still to place {left}" if left else "Not complete"

    # -- editing ---------------------------------------------------------------------------

    def _save(self) -> None:
        self._history.append((self.ranking, self.pending_tie))
        self._auto = self._unconfirmed = None

    @property
    def prefilled(self) -> bool:
        """The ranking on show is the suggestion: a letter starts a new one."""
        return self.prefill is not None and self.groups == self.prefill

    def _settle_selection(self) -> None:
        placed = self.placed
        if self.selected not in placed:
            self.selected = placed[-1] if placed else None
        if self.selected is None:
            self.moving = False

    def letter(self, key: str) -> Outcome:
        """A letter key: place that output (typed mode) or select it (move mode)."""
        letter = key.upper()
        output_id = self._id_of.get(letter)
        if output_id is None:
            known = "".join(self._id_of)
            span = f"{known[0]}–{known[-1]}" if len(known) > 1 else known
            return Outcome(hint=f"No output {key} here ({span})")
        if self.moving and output_id in self.placed:
            self.selected = output_id
            return Outcome()
        if self.complete and not self.moving:
            if output_id == self._unconfirmed:  # the letter of the output placed for the labeler
                self._auto = self._unconfirmed = None
                return Outcome()
            # The first letter of a full retype replaces the ranking.
            self._replaced = self.ranking
            self._save()
            self.groups = [[output_id]]
            self.pending_tie = False
            self._place_last()
            return Outcome(changed=True)
        if output_id in self.placed:
            return Outcome(hint=f"{letter} is already placed (Backspace takes it back, m moves it)")
        self._save()
        if self.pending_tie and self.groups:
            self.groups[-1].append(output_id)
        else:
            self.groups.append([output_id])
        self.pending_tie = False
        if self.moving:
            self.selected = output_id
        else:
            self._place_last()
        return Outcome(changed=True)

    def _place_last(self) -> None:
        """One output left: it can only go last, so place it (``=`` then ties it above)."""
        left = [s.output_id for s in self.outputs if s.output_id not in set(self.placed)]
        if len(left) == 1:
            self.groups.append(left)
            self._auto = self._unconfirmed = left[0]

    def confirm(self) -> None:
        """Enter on the ranking: the output placed for the labeler is placed; its letter typed
        after this starts a new ranking like any other."""
        self._auto = self._unconfirmed = None

    def tie(self) -> Outcome:
        """The ``=`` key: in move mode toggle the selection's tie, else tie the next placement."""
        if self.moving:
            return self.toggle_tie()
        if not self.groups:
            return Outcome(hint="Place an output first: = ties the next one with it")
        auto = self._auto
        if auto is not None and self.groups[-1] == [auto] and len(self.groups) > 1:
            self._save()  # the output placed for the labeler joins the tie above it
            self.groups[-2:] = [self.groups[-2] + [auto]]
            self._unconfirmed = auto  # its letter typed next still only confirms it
            return Outcome(changed=True)
        if self.complete:
            return Outcome(
                hint="All placed: press m, a letter, then = to tie it with the one above"
            )
        self._save()
        self.pending_tie = not self.pending_tie
        return Outcome()

    def backspace(self) -> Outcome:
        """Take back the last keystroke: a pending ``=``, else the last placement."""
        if self.pending_tie:
            self._save()
            self.pending_tie = False
            return Outcome()
        if not self.groups:
            return Outcome(hint="Nothing placed yet")
        auto = self._auto
        self._save()
        if auto is not None:  # the keystroke placed two: take both back
            self.groups = [[i for i in g if i != auto] for g in self.groups]
            self.groups = [g for g in self.groups if g]
        last = self.groups[-1]
        last.pop()
        if last:
            self.pending_tie = True  # "A=B" less its "B" reads "A=", as in the notation
        else:
            self.groups.pop()
        if not self.groups and self._replaced is not None:
            # Taking back the first letter of a new ranking brings the one it replaced back.
            self.groups = [list(g) for g in self._replaced]
        self._settle_selection()
        return Outcome(changed=True)

    def reset(self) -> Outcome:
        if not self.groups and not self.pending_tie:
            return Outcome(hint="Nothing to reset")
        self._save()
        self.groups = []
        self.pending_tie = False
        self._settle_selection()
        return Outcome(changed=True)

    def undo(self) -> Outcome:
        if not self._history:
            return Outcome(hint="Nothing to undo")
        before = self.groups
        self.groups, self.pending_tie = self._history.pop()
        self._auto = self._unconfirmed = None
        self._settle_selection()
        return Outcome(changed=before != self.groups)

    # -- move mode -------------------------------------------------------------------------

    def toggle_move(self) -> Outcome:
        """Enter move mode (selecting the last placed output) or leave it."""
        self._unconfirmed = None  # a letter after moving means a letter, not a confirmation
        if self.moving:
            self.moving = False
            return Outcome()
        if not self.groups:
            return Outcome(hint="Place outputs first, then m moves them")
        if self.pending_tie:
            self._save()
            self.pending_tie = False
        self.moving = True
        self._settle_selection()
        return Outcome()

    def _where(self) -> tuple[int, int]:
        for gi, group in enumerate(self.groups):
            if self.selected in group:
                return gi, group.index(self.selected)
        raise LookupError(self.selected)

    def _check_selection(self) -> str:
        if not self.moving or self.selected is None:
            return "Press m to choose an output to move"
        return ""

    def move_up(self) -> Outcome:
        """Carry the selection one step up: out of its tie, else past the group above."""
        return self._move(-1)

    def move_down(self) -> Outcome:
        return self._move(+1)

    def _move(self, step: int) -> Outcome:
        hint = self._check_selection()
        if hint:
            return Outcome(hint=hint)
        gi, _ = self._where()
        assert self.selected is not None  # _check_selection
        group = self.groups[gi]
        selected = [self.selected]
        if len(group) > 1:
            self._save()
            group.remove(self.selected)
            self.groups.insert(gi if step < 0 else gi + 1, selected)
            return Outcome(changed=True)
        target = gi + step
        if not 0 <= target < len(self.groups):
            where = "first" if step < 0 else "last"
            return Outcome(hint=f"{self.letter_of[self.selected]} is already {where}")
        self._save()
        self.groups[gi], self.groups[target] = self.groups[target], self.groups[gi]
        return Outcome(changed=True)

    def toggle_tie(self) -> Outcome:
        """Tie the selection with the output just above it, or split that tie."""
        hint = self._check_selection()
        if hint:
            return Outcome(hint=hint)
        gi, index = self._where()
        assert self.selected is not None  # _check_selection
        if index == 0 and gi == 0:
            return Outcome(hint=f"{self.letter_of[self.selected]} is first: nothing above to tie")
        self._save()
        group = self.groups[gi]
        if index > 0:
            self.groups[gi : gi + 1] = [group[:index], group[index:]]
        else:
            self.groups[gi - 1 : gi + 1] = [self.groups[gi - 1] + group]
        return Outcome(changed=True)
