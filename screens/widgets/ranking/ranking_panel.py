"""RankingPanel: rank a task's outputs from the keyboard, best first (labeling-guidelines.md §6).

The host (the comparison screen's ranking step, the toxicity ranking) mounts one panel, focuses
it, and calls ``set_task`` for each task; the panel never touches the store. API::

    panel.set_task(outputs: list[ShownOutput], *, criterion: str,
                   preorder: list[list[str]] | None = None,   # e.g. a saved draft
                   ratings: dict[str, int] | None = None,     # pre-orders, warns on contradiction
                   prefill: list[list[str]] | None = None,    # a suggested order (toxicity)
                   rules: RankingRules = COMPARISON_RULES)    # TOXICITY_RULES for toxicity
    panel.ranking                                              # so far, for the draft

- ``outputs``: in shown (already shuffled) order, each under its letter;
  ``shown(view.outputs)`` makes them from a ``store.views.TaskView``.
- ``criterion``: the "Rank by: …" line, ``CRITERIA[config["comparison"]["priority"]]`` or
  ``TOXICITY_CRITERION``.
- ``preorder`` (may be partial) wins; else ``prefill`` or the ``ratings``
  (``preorder_from_ratings``: equal ratings tied) suggest a ranking, so often only Enter is
  needed; a letter typed on a complete ranking (the suggestion, a draft's, a typed one) starts
  a new ranking, Backspace brings it back. A ``preorder`` equal to the suggestion is the
  suggestion (``builder.prefilled``): hosts keep no ranking in their draft while it is.
  Revisiting the step: ``preorder=panel.ranking`` keeps the ranking and re-checks new ratings.

Messages (``RankingMessage``: ``.panel``, ``.ranking`` = tie groups of output ids, best first):
``Changed`` on every change of the ranking (save a draft), ``Submitted`` on Enter when complete
(Enter on an incomplete ranking names what is missing instead), ``FlagToggled`` (``!``) for
the host to handle. Skipping is the host screen's key (``work.skip``), not the panel's.

Keys: ``A``..``I`` place (typed mode) or select (move mode); ``=`` tie; Backspace take back;
``u`` undo; ``r`` reset; ``m`` move mode (``K``/``J`` or shift+↑/↓ move, ``=`` tie with the one
above, ``m``/Escape done; Escape outside move mode is left to the host); ←/→ choose the output
to read, ↑/↓/PgUp/PgDn/Home/End scroll it, ``[``/``]`` page very long outputs; ``w`` the
weighing rules; Enter submit. Flag is ``!`` rather than ``f`` because ``f`` places output F.
Every binding has an id ``ranking.*`` for the config keymap.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Self

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.content import Content, Span
from textual.geometry import Region
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from screens.key_path import report
from screens.widgets.focus_style import OwnFocusStyle
from screens.widgets.ranking.ranking_rules import (
    COMPARISON_RULES,
    CRITERIA,
    TOXICITY_CRITERION,
    TOXICITY_RULES,
    RankingRules,
)
from screens.widgets.ranking.ranking_state import Outcome, RankingBuilder, ShownOutput, shown
from screens.widgets.safe_text import PART, part_of, safe_content
from screens.widgets.text_view import TextView
from store.ranking import LETTERS, Ranking, preorder_from_ratings
from store.text import on_screen

__all__ = [
    "RankingPanel",
    "RankingMessage",
    "ShownOutput",
    "shown",
    "RankingRules",
    "COMPARISON_RULES",
    "TOXICITY_RULES",
    "CRITERIA",
    "TOXICITY_CRITERION",
]

# PART (from safe_text): characters of the output being read shown at once.
GLIMPSE = 3_000
"""Characters shown of the other outputs: more than a card holds, so new tasks paint fast."""

SNIPPET = 300

ROOMY_SIZE = (120, 30)
"""From this width and height the outputs sit side by side in a grid, each with its text."""


WINDOWS = 40
"""Windows kept (`_window`): a task's outputs, each read whole and glimpsed (K=9 at most), and
the next task's prompt and outputs prepared while it is worked on (`ScoresPanel.prepare`)."""


@lru_cache(maxsize=WINDOWS)
def _window(text: str, part: int, size: int = PART) -> tuple[Content, int]:
    """The ``part``-th ``size`` characters of ``text`` (clamped), noting what lies around them.

    The same window is the same `Content` while cached: Textual keeps the height a Content
    wraps to at a width, so an output shown again (←/→, h/l, a step back and forth, the scores
    card then the ranking card) is wrapped once less. Content is immutable: sharing is safe."""
    if not text:
        return Content.styled("(empty output)", "italic $text-muted"), 0
    piece, start, after = part_of(text, part, size)
    part = start // size
    notes = []
    if start:
        notes.append(f"{start:,} characters before ([)")
    if after:
        notes.append(f"{after:,} more characters ({']' if size == PART else '← → to read'})")
    body = safe_content(piece)
    if not notes:
        return body, part
    note = "\n… " + "; ".join(notes)
    # Joined by hand with its cell length: `Content.__add__` measures both parts again, and the
    # note's "…" takes the body off rich's one-cell-a-character fast path, so a 16,000-character
    # window was measured character by character (~3 ms) every time one was made.
    return Content(
        body.plain + note, [*body.spans, Span(len(body.plain), len(body.plain) + len(note),
                                              "italic $text-muted")],
        body.cell_length + Content(note).cell_length, strip_control_codes=False,
    ), part


@lru_cache(maxsize=WINDOWS)
def _visible(text: str) -> str:
    """`on_screen(text)`, kept per text: every step change to the ranking shows each output
    again, and a text that is not plain ASCII is checked in ~0.2-0.6 ms per 100 kB."""
    return on_screen(text)


def _snippet(text: str) -> str:
    return on_screen(" ".join(text[:SNIPPET].split())) or "(empty output)"


def _place(ranking: Ranking, output_id: str) -> str:
    for index, group in enumerate(ranking, start=1):
        if output_id in group:
            return f"#{index}{'=' if len(group) > 1 else ''}"
    return ""


class HeadLine(Static):
    """A card's head row: its letter, place and rating cells, then a snippet of its text. A
    ranking key changes the place (or rating) of an output, not its snippet: then only the
    cells before the snippet are redrawn and sent to the terminal (a whole head row was ~200
    bytes of a keystroke's ~500)."""

    _columns: int | None = None  # while `show` updates: the content columns that changed

    def show(self, content: Content, columns: int | None) -> None:
        """Show ``content``; ``columns`` (from the left of the content) are all that changed,
        or None for the whole row."""
        self._columns = columns
        try:
            self.update(content, layout=False)
        finally:
            self._columns = None

    def refresh(self, *regions: Region, **kwargs: Any) -> Self:
        if self._columns is not None and not regions:
            regions = (Region(0, 0, self._columns, 1),)
        return super().refresh(*regions, **kwargs)


class OutputCard(Vertical):
    """One output under its letter: a head line and its (windowed, scrollable) text."""

    def __init__(self, index: int) -> None:
        super().__init__(id=f"card-{index}")
        self.shown: ShownOutput | None = None
        self.text = ""  # the output's text with control characters made visible (safe to draw)
        self.part = 0

    _head: Content | None = None
    _head_tail: tuple[Any, ...] = ()  # what follows the place and rating cells in the head

    def compose(self) -> ComposeResult:
        yield HeadLine(classes="card-head", markup=False)
        yield TextView(classes="card-body")

    @property
    def body(self) -> TextView:
        return self.query_one(".card-body", TextView)

    def show(self, output: ShownOutput, *, current: bool) -> None:
        if output is not self.shown:  # the same task's output again (a step back and forth)
            self.text = _visible(output.text)
        self.shown = output
        self.part = 0
        self.set_current(current)

    def set_current(self, current: bool) -> None:
        """Show the part being read in full when ``current``, else a glimpse of the start."""
        assert self.shown is not None
        self.set_class(current, "-current")
        if current:
            self.page(0)
        else:
            self._show_text(_window(self.text, 0, GLIMPSE)[0])

    def page(self, step: int) -> None:
        assert self.shown is not None
        content, self.part = _window(self.text, self.part + step)
        self._show_text(content)

    def _show_text(self, content: Content) -> None:
        self.body.update(content)
        self.body.scroll_home(animate=False)

    def head(self, ranking: Ranking, ratings: dict[str, int] | None, with_snippet: bool) -> None:
        assert self.shown is not None
        place = _place(ranking, self.shown.output_id)
        parts: list[str | tuple[str, str] | Content] = [(f" {self.shown.letter} ", "bold reverse")]
        parts.append((f" {place:<3} ", "bold $text-success" if place else ""))
        if ratings is not None:
            rating = ratings.get(self.shown.output_id)
            parts.append((f"rated {rating} " if rating is not None else " " * 8, "$text-muted"))
        cells = Content.assemble(*parts).cell_length  # the cells a ranking key may change
        tail = (cells, with_snippet, self.text)
        if with_snippet:
            parts.append(("│ ", "$text-muted"))
            parts.append(Content(_snippet(self.text)))
        content = Content.assemble(*parts)
        if content != self._head:  # an unchanged head is not redrawn: fewer bytes per keystroke
            self._head = content
            same_tail, self._head_tail = tail == self._head_tail, tail
            self.query_one(".card-head", HeadLine).show(content, cells if same_tail else None)


@dataclass
class RankingMessage(Message):
    """A message from a RankingPanel with its ranking: tie groups of output ids, best first."""

    panel: RankingPanel
    ranking: Ranking

    @property
    def control(self) -> RankingPanel:
        return self.panel


class RankingPanel(OwnFocusStyle, Widget, can_focus=True):
    """Keyboard ranking of one task's outputs; reused from task to task via ``set_task``."""

    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    BINDINGS = [
        Binding("enter", "submit", "Submit", id="ranking.submit"),
        Binding("equals_sign", "tie", "Tie", id="ranking.tie"),
        Binding("backspace", "backspace", "Take back", id="ranking.backspace"),
        Binding("u", "undo", "Undo", id="ranking.undo"),
        Binding("r", "reset", "Reset", id="ranking.reset"),
        Binding("m", "toggle_move", "Move", id="ranking.move"),
        Binding("K,shift+up", "move_up", "Move up", id="ranking.move_up"),
        Binding("J,shift+down", "move_down", "Move down", id="ranking.move_down"),
        Binding("escape", "leave_move", "Done moving", id="ranking.move_done"),
        Binding("exclamation_mark", "flag", "Flag", id="ranking.flag"),
        Binding("w", "toggle_rules", "Rules", id="ranking.rules"),
        Binding("left", "read(-1)", "Previous output", show=False, id="ranking.prev_output"),
        Binding("right", "read(1)", "Next output", show=False, id="ranking.next_output"),
        Binding("up", "scroll_output('up')", show=False, id="ranking.scroll_up"),
        Binding("down", "scroll_output('down')", show=False, id="ranking.scroll_down"),
        Binding("pageup", "scroll_output('page_up')", show=False, id="ranking.page_up"),
        Binding("pagedown", "scroll_output('page_down')", show=False, id="ranking.page_down"),
        Binding("home", "scroll_output('home')", show=False, id="ranking.scroll_home"),
        Binding("end", "scroll_output('end')", show=False, id="ranking.scroll_end"),
        Binding("right_square_bracket", "part(1)", "Next part", show=False, id="ranking.next_part"),
        Binding(
            "left_square_bracket", "part(-1)", "Previous part", show=False, id="ranking.prev_part"
        ),
    ]

    ENTER = "submits"  # what Enter on a complete ranking does, as the preview line says it

    class Changed(RankingMessage):
        """The ranking changed (typed, taken back, moved, undone, reset): save a draft."""

    class Submitted(RankingMessage):
        """Enter on a complete ranking."""

    class FlagToggled(RankingMessage):
        """The labeler toggled the review flag; the host keeps the flag's state."""

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ):
        super().__init__(name=name, id=id, classes=classes)
        self.builder = RankingBuilder([])
        self.ratings: dict[str, int] | None = None
        self.criterion = ""
        self.rules = COMPARISON_RULES
        self.current = 0
        self.hint = ""
        self._footer_moving = False
        self._status_shown: Content | None = None
        self._criterion_shown: str | None = None
        self._cards: list[OutputCard] = [OutputCard(n) for n in range(len(LETTERS))]

    @property
    def ranking(self) -> Ranking:
        """The ranking so far (for a draft): tie groups of output ids, best first."""
        return self.builder.ranking

    # -- building --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="criterion", classes="ranking-line", markup=False)
        yield Static(id="rules", classes="ranking-line", markup=False)
        with Container(id="outputs"):
            yield from self._cards
        yield Static(id="preview", classes="ranking-line", markup=False)
        yield Static(id="status", classes="ranking-line", markup=False)

    def on_mount(self) -> None:
        self._show_task()

    def on_resize(self, event: events.Resize) -> None:
        width, height = ROOMY_SIZE
        self.set_class(event.size.width >= width and event.size.height >= height, "-roomy")
        self._show_heads()

    def set_task(
        self,
        outputs: list[ShownOutput],
        *,
        criterion: str,
        preorder: Ranking | None = None,
        ratings: dict[str, int] | None = None,
        rules: RankingRules = COMPARISON_RULES,
        prefill: Ranking | None = None,
        pending_tie: bool = False,
    ) -> None:
        """Show a new task's outputs (in shown order, at most 9) and start its ranking;
        `pending_tie` restores a typed `=` that waits for its letter (a draft's `B = _`)."""
        if len(outputs) > len(LETTERS):
            raise ValueError(f"at most {len(LETTERS)} outputs can be ranked, got {len(outputs)}")
        if prefill is None and ratings:
            prefill = preorder_from_ratings(
                {s.output_id: ratings[s.output_id] for s in outputs if s.output_id in ratings}
            )
        self.builder = RankingBuilder(outputs, preorder, prefill=prefill)
        self.builder.pending_tie = pending_tie and bool(self.builder.groups) and not self.builder.complete
        self.ratings = dict(ratings) if ratings else None
        self.criterion = criterion
        self.rules = rules
        self.current = 0
        self.hint = ""
        if self.is_mounted:
            self._show_task()

    def prepare(self, texts: list[str]) -> None:
        """Wrap the windows of a coming task's outputs (read in full when current) for the
        card's width now (the task read ahead): the submit then only draws the first. Each,
        as the claim's order of them is not known yet."""
        # The shown card's body (the others are hidden at 80x24); none before the panel composed.
        view = next(iter(self.query(".-current .card-body").results(TextView)), None)
        if view is not None and view.display:
            for text in texts:
                view.prepare(_window(_visible(text), 0)[0])

    def _show_task(self) -> None:
        outputs = self.builder.outputs
        for index, (card, output) in enumerate(zip(self._cards, outputs, strict=False)):
            card.show(output, current=index == self.current)
        for index, card in enumerate(self._cards):
            card.display = index < len(outputs)
        two_columns = len(outputs) in (2, 4)
        if two_columns != self.has_class("-two-columns"):
            # Only the outputs' grid reads the class: restyle it, not the panel's ~40 widgets.
            self.set_class(two_columns, "-two-columns", update=False)
            self.app.stylesheet.update_nodes([self, self.query_one("#outputs")], animate=True)
        # One line: the project's setting; how to weigh the criteria is one key away (w).
        # The same from task to task: not redrawn (nor re-laid out: it may wrap to 2 rows).
        if self.criterion != self._criterion_shown:
            self._criterion_shown = self.criterion
            self.query_one("#criterion", Static).update(Content.assemble(
                ("Rank by: ", "$text-muted"), Content(on_screen(self.criterion)),
                ("  w: weighing", "italic $text-muted"),
            ))
        self._show_rules()
        self._show_ranking()

    def _show_rules(self) -> None:
        rules = self.query_one("#rules", Static)
        rules.display = self.has_class("-rules-open")
        if rules.display:
            lines = (self.rules.summary, *self.rules.details)
            rules.update(Content("\n".join(f"• {line}" for line in lines)))

    def _show_heads(self) -> None:
        ranking = self.builder.groups
        compact = not self.has_class("-roomy")
        for index, card in enumerate(self._cards[: len(self.builder.outputs)]):
            assert card.shown is not None
            card.head(ranking, self.ratings, compact and index != self.current)
            card.set_class(
                self.builder.moving and card.shown.output_id == self.builder.selected, "-selected"
            )

    def _show_ranking(self) -> None:
        """Refresh what a ranking key changes: preview, status and card heads (no re-layout)."""
        builder = self.builder
        parts: list[str | tuple[str, str] | Content] = [
            ("MOVE " if builder.moving else "Ranking ", "bold"),
        ]
        for gi, group in enumerate(builder.groups):
            if gi:
                parts.append(" > ")
            for oi, output_id in enumerate(group):
                if oi:
                    parts.append(" = ")
                selected = builder.moving and output_id == builder.selected
                parts.append((builder.letter_of[output_id], "bold reverse" if selected else "bold"))
        if builder.pending_tie:
            parts.append(" = _")
        if not builder.groups:
            parts.append(("type letters best first (= ties)", "italic"))
        if builder.remaining:
            parts.append(("   to place: " + " ".join(builder.remaining), "$text-muted"))
        elif builder.prefilled and not builder.moving:
            parts.append((f"   suggested: Enter {self.ENTER} · a letter starts anew", "$text-success"))
        elif builder.moving:
            parts.append(("   K/J move · = tie with above · m done", "$text-muted"))
        else:
            parts.append((f"   complete: Enter {self.ENTER} · a letter retypes", "$text-success"))
        self.query_one("#preview", Static).update(Content.assemble(*parts), layout=False)
        if builder.moving != self._footer_moving:
            self._footer_moving = builder.moving
            self.refresh_bindings()  # the Footer shows the move keys only in move mode
        status = self._status()
        if status != self._status_shown:  # mostly empty: an unchanged row is not resent (~150 bytes)
            self._status_shown = status
            self.query_one("#status", Static).update(status, layout=False)
        self._show_heads()

    def _status(self) -> Content:
        parts: list[str | tuple[str, str] | Content] = []
        letter = self.builder.letter_of
        ratings = self.ratings or {}
        clashes = self.builder.contradictions(self.ratings)
        if self.hint:
            parts.append((self.hint, "bold"))
        if clashes:
            higher, lower = clashes[0]
            more = f" (+{len(clashes) - 1} more)" if len(clashes) > 1 else ""
            parts.append(
                (
                    f"{'  ' if parts else ''}⚠ {letter[higher]} (rated {ratings[higher]}) is ranked "
                    f"below {letter[lower]} (rated {ratings[lower]}){more}",
                    "$text-error",
                )
            )
        return Content.assemble(*parts)

    # -- keys ------------------------------------------------------------------------------

    def _tell(self, hint: str) -> None:
        """A key that could not apply: a bell and why, on the host screen's one status line
        (`refuse`) when it has one, so no second line keeps an older hint; else on the panel's."""
        refuse = getattr(self.screen, "refuse", None)
        if refuse is not None:
            refuse(hint)
            hint = ""
        else:
            self.app.bell()
        if hint != self.hint:
            self.hint = hint
            self._show_ranking()

    def _apply(self, outcome: Outcome, tie_before: bool | None = None) -> None:
        self.hint = ""
        self._show_ranking()
        if outcome.hint and not outcome.changed:
            self._tell(outcome.hint)  # the key could not apply; the hint says why
        if outcome.changed or (tie_before is not None and tie_before != self.builder.pending_tie):
            report(self, self.Changed(self, self.builder.ranking))

    def on_key(self, event: events.Key) -> None:
        character = event.character or ""
        if len(character) == 1 and character.upper() in LETTERS:
            event.stop()
            event.prevent_default()
            self.type_letter(character)

    def type_letter(self, character: str) -> None:
        """A ranking letter, typed here or handed on by the host (the strength step's retype)."""
        self._apply(self.builder.letter(character))

    def typed_keys(self) -> list[tuple[str, str]]:
        """The keys this panel reads itself, for F1 (screens/key_help.py)."""
        count = len(self.builder.outputs) or len(LETTERS)
        letters = f"{LETTERS[0]}–{LETTERS[count - 1]}" if count > 1 else LETTERS[0]
        return [(letters, "Place an output, best first (the last places itself)"),
                (letters, "On a complete ranking: start anew (Backspace brings it back)")]

    def explain_key(self, event: events.Key) -> str:
        """Why a key did nothing (the screen rings the bell and shows it)."""
        character = event.character or ""
        if len(character) == 1 and character.isalpha():
            return self.builder.letter(character).hint  # a letter with no output: says so
        return ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("move_up", "move_down", "leave_move"):
            return self.builder.moving  # else the key falls through to the host (Escape: back)
        return True

    def action_tie(self) -> None:
        # A pending `=` is on screen (`B = _`): the host keeps it in the draft.
        before = self.builder.pending_tie
        self._apply(self.builder.tie(), tie_before=before)

    def action_backspace(self) -> None:
        before = self.builder.pending_tie
        self._apply(self.builder.backspace(), tie_before=before)

    def action_undo(self) -> None:
        self._apply(self.builder.undo())

    def action_reset(self) -> None:
        self._apply(self.builder.reset())

    def action_toggle_move(self) -> None:
        self._apply(self.builder.toggle_move())

    def action_leave_move(self) -> None:
        if self.builder.moving:
            self._apply(self.builder.toggle_move())

    def action_move_up(self) -> None:
        self._apply(self.builder.move_up())

    def action_move_down(self) -> None:
        self._apply(self.builder.move_down())

    def action_submit(self) -> None:
        missing = self.builder.missing_hint()
        if missing:
            self._tell(missing)
            return
        self.builder.moving = False
        self.builder.confirm()
        self.hint = ""
        self._show_ranking()
        report(self, self.Submitted(self, self.builder.ranking))

    def action_flag(self) -> None:
        report(self, self.FlagToggled(self, self.builder.ranking))

    def action_toggle_rules(self) -> None:
        self.toggle_class("-rules-open")
        self._show_rules()

    def action_read(self, step: int) -> None:
        count = len(self.builder.outputs)
        if not count:
            return
        self._cards[self.current].set_current(False)
        self.current = (self.current + step) % count
        self._cards[self.current].set_current(True)
        self._show_heads()

    def action_scroll_output(self, how: str) -> None:
        body = self._cards[self.current].body
        getattr(body, f"scroll_{how}")(animate=False)

    def action_part(self, step: int) -> None:
        if self.builder.outputs:
            self._cards[self.current].page(step)
