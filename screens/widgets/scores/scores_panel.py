"""Output scores: a rating and flags for each output, one output at a time (two when wide).

Driven by plain data: `ScoresPanel(fields)`, then `set_task(outputs, scores, context)` per task
and `set_context(context)` when the instruction labels change (`context` is answers keyed
`task.field`; it decides which conditional fields are asked). Every change posts `Changed`.

With `advance` on (`[comparison] advance_after_rating`), a rating digit that completes an
output moves on to the next output with something missing (`after_rating`); when none is
left the panel posts `Done` and the host moves on to the next step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from screens.key_path import report
from screens.widgets import field_values as fv
from screens.widgets.focus_style import OwnFocusStyle
from screens.widgets.ranking.ranking_panel import _window
from screens.widgets.ranking.ranking_state import ShownOutput
from screens.widgets.text_view import TextView
from store.schema import Field

WIDE_COLUMNS = 160
PREV_KEYS = ("left", "h")
NEXT_KEYS = ("right", "l")
SCROLL_KEYS = {
    "up": "scroll_up", "down": "scroll_down", "pageup": "scroll_page_up",
    "pagedown": "scroll_page_down", "home": "scroll_home", "end": "scroll_end",
}
PART_KEYS = {"left_square_bracket": -1, "right_square_bracket": 1}
FLAG_COLUMN = 38


def flag_rows(widths: list[int], room: int, column: int | None = None) -> list[list[int]]:
    """Field indexes laid out in rows ``room`` wide, in order (the keys still read top to
    bottom). With ``column``, fields pair up in two aligned columns that wide and one wider
    than its column takes a row of its own; without, as many share a row as fit (2 apart).
    No label is ever cut."""
    rows: list[list[int]] = []
    row: list[int] = []
    used = 0
    for index, width in enumerate(widths):
        if column is not None and width > column - 1:
            if row:
                rows.append(row)
                row = []
            rows.append([index])
            continue
        if row and (len(row) == 2 if column is not None else used + width > room):
            rows.append(row)
            row, used = [], 0
        row.append(index)
        used += width + 2
    if row:
        rows.append(row)
    return rows


def after_rating(unfinished: list[bool], current: int) -> int | None:
    """Where a rating on output ``current`` leads: itself while it still lacks something, else
    the next unfinished output (wrapping round), else None (every output is done)."""
    if unfinished[current]:
        return current
    count = len(unfinished)
    for step in range(1, count):
        index = (current + step) % count
        if unfinished[index]:
            return index
    return None


class ScoreCard(Vertical):
    """One output: its letter, its scrollable text (a window of very long texts), its answers."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shown: ShownOutput | None = None
        self.part = 0

    def compose(self) -> ComposeResult:
        yield Static(classes="card-title", markup=False)
        yield TextView(classes="card-body")
        # A view of rows, not a Static: a rating changes a row or two of the fields, and only
        # those are drawn again (a Static draws every row of them on any change).
        yield TextView(classes="card-fields")

    def show(self, shown: ShownOutput) -> None:
        self.shown = shown
        self.part = 0
        self.page(0)

    def page(self, step: int) -> None:
        assert self.shown is not None
        content, self.part = _window(self.shown.text, self.part + step)
        self.body.update(content)
        self.body.scroll_home(animate=False)

    def update_fields(self, title: Content, fields: Content) -> None:
        # Re-laid out only when the number of rows changes (a conditional field came or went:
        # the view's height follows its rows).
        self.query_one(".card-title", Static).update(title, layout=False)
        self.query_one(".card-fields", TextView).update(fields)

    @property
    def body(self) -> TextView:
        return self.query_one(".card-body", TextView)


class ScoresPanel(OwnFocusStyle, Vertical, can_focus=True):
    """Keys: digits rate, a flag's key flips it, ←/→ or h/l move between outputs,
    ↑/↓/PgUp/PgDn scroll, [ / ] page very long outputs, `?` what each field means."""

    @dataclass
    class Changed(Message):
        panel: ScoresPanel
        scores: dict[str, dict[str, Any]]

        @property
        def control(self) -> ScoresPanel:
            return self.panel

    @dataclass
    class Done(Message):
        """A rating completed the last unfinished output (with ``advance`` on)."""

        panel: ScoresPanel

        @property
        def control(self) -> ScoresPanel:
            return self.panel

    def __init__(
        self, fields: tuple[Field, ...] | list[Field] = (), *, advance: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.fields = list(fields)
        self.advance = advance
        scales = [f for f in self.fields if f.kind == "scale"]
        self.rating = scales[0] if scales else None
        self.outputs: list[ShownOutput] = []
        self.instruction_context: dict[str, Any] = {}
        self.scores: dict[str, dict[str, Any]] = {}
        self.current = 0

    def compose(self) -> ComposeResult:
        yield Static(self._legend(), id="scores-legend", markup=False)
        yield Static(self._field_help(), id="scores-help", markup=False)
        with Horizontal(id="scores-cards"):
            yield ScoreCard(id="score-card-0")
            yield ScoreCard(id="score-card-1")

    def on_mount(self) -> None:
        self.query_one("#scores-help").display = False

    # -- data in / out -------------------------------------------------------------------------
    def set_task(
        self,
        outputs: list[ShownOutput],
        scores: dict[str, dict[str, Any]] | None = None,
        context: dict[str, Any] | None = None,
        *,
        current: int = 0,
    ) -> None:
        scores = scores or {}
        self.outputs = list(outputs)
        self.scores = {
            o.output_id: dict(scores[o.output_id]) if o.output_id in scores
            else fv.defaults(self.fields)
            for o in outputs
        }
        self.instruction_context = dict(context or {})
        self.current = min(max(current, 0), max(len(outputs) - 1, 0))
        for card in self.query(ScoreCard):
            card.shown = None
        self._show()

    def prepare(self, texts: list[str]) -> None:
        """Wrap the windows of a coming task's outputs for the card's width now (the task read
        ahead), so showing one later wraps it only to draw it (`_window` keeps the Content,
        Textual its height at a width)."""
        # None yet when the read-ahead lands before the cards compose.
        for view in self.query("#score-card-0 .card-body").results(TextView):
            for output in texts:
                view.prepare(_window(output, 0)[0])

    def set_context(self, context: dict[str, Any]) -> None:
        if context == self.instruction_context:
            return  # the same questions asked: nothing on screen changes (each step change)
        self.instruction_context = dict(context)
        self._show()

    def values(self) -> dict[str, dict[str, Any]]:
        """Each output's answers to the fields asked of it."""
        return {
            o.output_id: fv.answered(self.fields, self.scores[o.output_id], self._context_of(o))
            for o in self.outputs
        }

    def ratings(self) -> dict[str, int]:
        if self.rating is None:
            return {}
        name = self.rating.name
        return {oid: a[name] for oid, a in self.scores.items() if a.get(name) is not None}

    def missing(self) -> list[tuple[ShownOutput, Field]]:
        return [
            (o, f)
            for o in self.outputs
            for f in fv.missing(self.fields, self.scores[o.output_id], self._context_of(o))
        ]

    def go_to(self, index: int) -> None:
        if self.outputs:
            self.current = index % len(self.outputs)
            self._show()

    # -- keys ----------------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        if not self.outputs:
            return
        key = event.key
        if key in PREV_KEYS:
            self.go_to(self.current - 1)
        elif key in NEXT_KEYS:
            self.go_to(self.current + 1)
        elif key in SCROLL_KEYS:
            getattr(self._active_card().body, SCROLL_KEYS[key])(animate=False)
        elif key in PART_KEYS:
            self._active_card().page(PART_KEYS[key])
        elif key == "question_mark":
            help_ = self.query_one("#scores-help")
            help_.display = not help_.display
        elif self.rating is not None and key.isdigit() and (
            (self.rating.min or 0) <= int(key) <= (self.rating.max or 0)
        ):
            # Advancing shows the next output: the rated one is not drawn first for nothing.
            self._set(self.rating.name, int(key), show=not self.advance)
            if self.advance:
                self._advance()
        else:
            field = self._flag_for_key(event.character or key)
            if field is None:
                return
            answers = self.scores[self.outputs[self.current].output_id]
            self._set(field.name, fv.next_value(field, answers.get(field.name)))
        event.stop()
        event.prevent_default()

    def explain_key(self, event: events.Key) -> str:
        """Why a key did nothing (the screen rings the bell and shows it)."""
        if not self.outputs:
            return ""
        rating, key = self.rating, event.character or event.key
        if rating is not None and key.isdigit():
            return f"{key}: {rating.label} is {rating.min}–{rating.max}"
        if event.is_printable:
            letter = self.outputs[self.current].letter
            return f"{key}: no question of output {letter} has that key (? lists them)"
        return ""

    def typed_keys(self) -> list[tuple[str, str]]:
        """The keys this panel reads itself, for F1 (screens/key_help.py)."""
        rows: list[tuple[str, str]] = []
        if self.rating is not None:
            after = " (then the next output)" if self.advance else ""
            rows.append((f"{self.rating.min}–{self.rating.max}", f"{self.rating.label}{after}"))
        rows += [(f.key, fv.field_help_line(f, with_help=False)) for f in self.fields
                 if f.key and fv.is_toggle(f)]
        rows += [("h l ← →", "Previous / next output"), ("↑ ↓ pgup pgdn", "Scroll the output"),
                 ("[ ]", "Page through a very long output"), ("?", "What each question means")]
        return rows

    def _flag_for_key(self, key: str) -> Field | None:
        shown = self.outputs[self.current]
        for field in fv.asked(self.fields, self._context_of(shown)):
            if field.key == key and fv.is_toggle(field):
                return field
        return None

    def _advance(self) -> None:
        unfinished = [
            bool(fv.missing(self.fields, self.scores[o.output_id], self._context_of(o)))
            for o in self.outputs
        ]
        index = after_rating(unfinished, self.current)
        if index is None:
            self._show()
            report(self, self.Done(self))  # handled before the next key: it meets the ranking
        else:
            self.go_to(index)

    def _set(self, name: str, value: Any, *, show: bool = True) -> None:
        self.scores[self.outputs[self.current].output_id][name] = value
        if show:
            self._show()
        report(self, self.Changed(self, {k: dict(v) for k, v in self.scores.items()}))

    # -- rendering -----------------------------------------------------------------------------
    def _context_of(self, shown: ShownOutput) -> dict[str, Any]:
        return {**self.instruction_context, **fv.qualified("output", self.scores[shown.output_id])}

    def _wide(self) -> bool:
        return self.app.size.width >= WIDE_COLUMNS and len(self.outputs) > 1

    def _active_card(self) -> ScoreCard:
        if self._wide() and self.current % 2 == 1:
            return self.query_one("#score-card-1", ScoreCard)
        return self.query_one("#score-card-0", ScoreCard)

    _drawn_for: tuple[int, ...] = ()  # the cards' widths the fields were last drawn for

    def on_resize(self, _event: events.Resize) -> None:
        # Textual sends a panel shown again (each task, each step back to the scores) a Resize
        # at the size it had: fields already drawn for the cards' widths stay as they are.
        if self._card_widths() != self._drawn_for:
            self._show()

    def _card_widths(self) -> tuple[int, ...]:
        return tuple(card.content_size.width or self.app.size.width - 2
                     for card in self.query(ScoreCard).results(ScoreCard) if card.display)

    def _show(self) -> None:
        if not self.outputs or not self.is_mounted:
            return
        wide = self._wide()
        self.set_class(wide, "-wide")
        first = self.current - self.current % 2 if wide else self.current
        indexes = [first, first + 1] if wide else [first]
        for slot, card in enumerate(self.query(ScoreCard).results(ScoreCard)):
            index = indexes[slot] if slot < len(indexes) else None
            card.display = index is not None and index < len(self.outputs)
            if index is None or not card.display:
                continue
            shown = self.outputs[index]
            card.set_class(index == self.current, "-active")
            if card.shown != shown:
                card.show(shown)
            width = card.content_size.width or self.app.size.width - 2
            card.update_fields(self._card_title(index), self._fields_content(shown, width))
        self._drawn_for = self._card_widths()

    def _card_title(self, index: int) -> Content:
        shown = self.outputs[index]
        marker = "▶ " if index == self.current else "  "
        return Content.assemble(
            (f"{marker}Output {shown.letter}", "bold"),
            (f"  ({index + 1} of {len(self.outputs)})", "$text-muted"),
            ("  h/l output · a flag's key flips it · ? help", "$text-muted"),
        )

    def _fields_content(self, shown: ShownOutput, width: int) -> Content:
        """The fields in two columns; a label too long for its column gets the whole row, so
        no label is ever cut (`flag_rows`)."""
        answers = self.scores[shown.output_id]
        asked = fv.asked(self.fields, self._context_of(shown))
        column = FLAG_COLUMN if 2 * FLAG_COLUMN <= width - 1 else None
        aligned = column is not None
        # Measured with the widest value a field can show ("n/a " for yes/no/n/a fields).
        widths = [len(fv.field_row(f, "na" if f.kind == "bool_na" else None).plain)
                  for f in asked]
        rows = []
        for row in flag_rows(widths, width - 1, column):
            cells = []
            for n, index in enumerate(row):
                field = asked[index]
                label_width = FLAG_COLUMN - len(f"[{field.key}]") - 5 if aligned and len(row) > 1 else 0
                cell = fv.field_row(field, answers.get(field.name), label_width)
                cells.append(cell.pad_right(1 if aligned else 2) if n < len(row) - 1 else cell)
            rows.append(Content("").join(cells))
        return Content("\n").join(rows)

    def _legend(self) -> Content:
        # One line where it fits, wrapping to a second: never cut (the anchors are the scale).
        parts = []
        if self.rating is not None:
            parts.append(Content.assemble(
                (f"{self.rating.label} {self.rating.min}–{self.rating.max}: ", "bold"),
                (fv.anchors_line(self.rating), "$text-muted"),
            ))
        return Content(" · ").join(parts)

    def _field_help(self) -> Content:
        return Content("\n").join(Content(fv.field_help_line(f)) for f in self.fields)
