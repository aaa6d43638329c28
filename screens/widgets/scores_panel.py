"""Output scores: a rating and flags for each output, one output at a time (two when wide).

Driven by plain data: `ScoresPanel(fields)`, then `set_task(outputs, scores, context)` per task,
`set_context(instruction_answers)` when the instruction labels change (they decide which
conditional fields are asked). Every change posts `ScoresPanel.Changed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from screens.widgets import field_values as fv
from screens.widgets.shown_output import ShownOutput

WIDE_COLUMNS = 160
PREV_KEYS = ("left", "h")
NEXT_KEYS = ("right", "l")
SCROLL_KEYS = {
    "up": "scroll_up", "down": "scroll_down", "pageup": "scroll_page_up",
    "pagedown": "scroll_page_down", "home": "scroll_home", "end": "scroll_end",
}
FLAG_COLUMN = 38


class OutputCard(Vertical):
    """One output: its letter, its scrollable text and its answers."""

    def compose(self) -> ComposeResult:
        yield Static(classes="card-title", markup=False)
        with VerticalScroll(classes="card-body", can_focus=False):
            yield Static(classes="card-text", markup=False)
        yield Static(classes="card-fields", markup=False)

    def show(self, title: Content, text: str, fields: Content) -> None:
        self.query_one(".card-title", Static).update(title)
        self.query_one(".card-text", Static).update(Content(text) if text else _EMPTY)
        self.query_one(".card-fields", Static).update(fields)

    def update_fields(self, title: Content, fields: Content) -> None:
        self.query_one(".card-title", Static).update(title)
        self.query_one(".card-fields", Static).update(fields)

    @property
    def body(self) -> VerticalScroll:
        return self.query_one(".card-body", VerticalScroll)


_EMPTY = Content.styled("(empty output)", "dim italic")


class ScoresPanel(Vertical, can_focus=True):
    """Keys: digits rate, a flag's key toggles it, ←/→ or h/l move, ↑/↓/PgUp/PgDn scroll,
    `0` every unanswered flag → no, `?` what each field means."""

    @dataclass
    class Changed(Message):
        panel: ScoresPanel
        scores: dict[str, dict[str, Any]]

        @property
        def control(self) -> ScoresPanel:
            return self.panel

    def __init__(self, fields: list[Any] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._fields = list(fields)
        scales = [f for f in self._fields if f.kind == "scale"]
        self._rating = scales[0] if scales else None
        self._outputs: list[ShownOutput] = []
        self._instr: dict[str, Any] = {}
        self.scores: dict[str, dict[str, Any]] = {}
        self.current = 0

    def compose(self) -> ComposeResult:
        yield Static(self._legend(), id="scores-legend", markup=False)
        yield Static(self._field_help(), id="scores-help", markup=False)
        with Horizontal(id="scores-cards"):
            yield OutputCard(id="card-0")
            yield OutputCard(id="card-1")

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
        self._outputs = list(outputs)
        self.scores = {o.output_id: dict((scores or {}).get(o.output_id, {})) for o in outputs}
        self._instr = dict(context or {})
        self.current = min(max(current, 0), max(len(outputs) - 1, 0))
        self._show(reset_scroll=True)

    def set_context(self, context: dict[str, Any]) -> None:
        self._instr = dict(context)
        self._show()

    def values(self) -> dict[str, dict[str, Any]]:
        """Each output's answers to the fields that apply to it."""
        out = {}
        for o in self._outputs:
            answers = self.scores[o.output_id]
            shown = fv.applicable(self._fields, self._answers_context(answers))
            out[o.output_id] = {
                f.name: answers[f.name] for f in shown if answers.get(f.name) is not None
            }
        return out

    def ratings(self) -> dict[str, Any]:
        if self._rating is None:
            return {}
        return {
            oid: a[self._rating.name]
            for oid, a in self.scores.items()
            if a.get(self._rating.name) is not None
        }

    def missing(self) -> list[tuple[ShownOutput, Any]]:
        return [
            (o, f)
            for o in self._outputs
            for f in fv.missing(self._fields, self._answers_context(self.scores[o.output_id]))
        ]

    def go_to(self, index: int) -> None:
        if self._outputs:
            self.current = index % len(self._outputs)
            self._show(reset_scroll=True)

    # -- keys ----------------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        if not self._outputs:
            return
        key = event.key
        if key in PREV_KEYS:
            self.go_to(self.current - 1)
        elif key in NEXT_KEYS:
            self.go_to(self.current + 1)
        elif key in SCROLL_KEYS:
            getattr(self._active_card().body, SCROLL_KEYS[key])(animate=False)
        elif key == "question_mark":
            help_ = self.query_one("#scores-help")
            help_.display = not help_.display
        elif key == "0":
            self._answer_unanswered_no()
        elif self._rating is not None and key.isdigit() and (
            self._rating.min <= int(key) <= self._rating.max
        ):
            self._set(self._rating.name, int(key))
        else:
            field = self._flag_for_key(key)
            if field is None:
                return
            answers = self.scores[self._outputs[self.current].output_id]
            self._set(field.name, fv.next_value(field, answers.get(field.name)))
        event.stop()
        event.prevent_default()

    def _flag_for_key(self, key: str) -> Any | None:
        answers = self.scores[self._outputs[self.current].output_id]
        for field in fv.applicable(self._fields, self._answers_context(answers)):
            if field.key == key and fv.is_toggle(field):
                return field
        return None

    def _answer_unanswered_no(self) -> None:
        answers = self.scores[self._outputs[self.current].output_id]
        for field in fv.applicable(self._fields, self._answers_context(answers)):
            if fv.is_toggle(field) and answers.get(field.name) is None:
                answers[field.name] = False
        self._changed()

    def _set(self, name: str, value: Any) -> None:
        self.scores[self._outputs[self.current].output_id][name] = value
        self._changed()

    def _changed(self) -> None:
        self._show()
        self.post_message(self.Changed(self, {k: dict(v) for k, v in self.scores.items()}))

    # -- rendering -----------------------------------------------------------------------------
    def _answers_context(self, answers: dict[str, Any]) -> dict[str, Any]:
        return {**self._instr, **answers}

    def _wide(self) -> bool:
        return self.app.size.width >= WIDE_COLUMNS and len(self._outputs) > 1

    def _active_card(self) -> OutputCard:
        if self._wide() and self.current % 2 == 1:
            return self.query_one("#card-1", OutputCard)
        return self.query_one("#card-0", OutputCard)

    def on_resize(self, _event: events.Resize) -> None:
        self._show(reset_scroll=False)

    def _show(self, *, reset_scroll: bool = False) -> None:
        if not self._outputs:
            return
        wide = self._wide()
        first = self.current - self.current % 2 if wide else self.current
        indexes = [first, first + 1] if wide else [first]
        for slot, card in enumerate(self.query(OutputCard).results(OutputCard)):
            index = indexes[slot] if slot < len(indexes) else None
            card.display = index is not None and index < len(self._outputs)
            if not card.display:
                continue
            shown = self._outputs[index]
            card.set_class(index == self.current, "-active")
            title = self._card_title(index)
            fields = self._fields_content(shown)
            if reset_scroll or getattr(card, "_shown_id", None) != shown.output_id:
                card.show(title, shown.text, fields)
                card.body.scroll_home(animate=False)
                card._shown_id = shown.output_id
            else:
                card.update_fields(title, fields)

    def _card_title(self, index: int) -> Content:
        shown = self._outputs[index]
        marker = "▶ " if index == self.current else "  "
        return Content.assemble(
            (f"{marker}Output {shown.letter}", "bold"),
            (f"  ({index + 1} of {len(self._outputs)})", "dim"),
        )

    def _fields_content(self, shown: ShownOutput) -> Content:
        answers = self.scores[shown.output_id]
        cells = []
        for field in fv.applicable(self._fields, self._answers_context(answers)):
            key = f"{self._rating.min}-{self._rating.max}" if field is self._rating else field.key
            cell = fv.field_row(field, answers.get(field.name), key=key)
            cells.append(cell.truncate(FLAG_COLUMN - 1, ellipsis=True, pad=True).pad_right(1))
        lines = [Content("").join(cells[i:i + 2]) for i in range(0, len(cells), 2)]
        return Content("\n").join(lines)

    def _legend(self) -> Content:
        parts = [Content.from_markup("[b]Scores[/b]  [dim]←/→ h/l output · 0 flags → no · ? help[/dim]")]
        if self._rating is not None:
            anchors = " · ".join(f"{v} {words}" for v, words in fv.anchors_of(self._rating))
            parts.append(Content.styled(
                f"{self._rating.label or self._rating.name} {self._rating.min}–{self._rating.max}: {anchors}",
                "dim",
            ))
        return Content("\n").join(parts)

    def _field_help(self) -> Content:
        lines = []
        for field in self._fields:
            key = f"{field.min}-{field.max}" if field is self._rating else field.key
            text = f"[{key}] {field.label or field.name}: {field.help or ''}"
            if field.when:
                text += "  (asked only when it applies)"
            lines.append(Content(text))
        return Content("\n").join(lines)
