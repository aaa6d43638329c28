"""Instruction (prompt) labels: every field of the schema's `instruction` task, one key each.

Driven by plain data: `InstructionPanel(fields)`, then `set_answers(answers)` per task (None
starts from the schema defaults). Every change posts `InstructionPanel.Changed`.
Keys: a field's key answers it (yes/no fields flip, a choice opens its type-to-search list),
`?` shows the PII rules of the guidelines.

The panel keeps the focus while a choice list is open and drives the list itself (typing
searches, ↑/↓ move, Enter chooses, Escape closes): the stock Select moves focus with
call_later, so keys typed in one burst after the field key would reach the wrong widget
(screens/key_path.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Select, Static

from screens.guidelines import MISSING, matching, read_guidelines
from screens.key_path import report
from screens.widgets import field_values as fv
from screens.widgets.focus_style import OwnFocusStyle
from screens.widgets.instruction.choice_select import ChoiceOverlay, ChoiceSelect
from screens.widgets.markdown_lines import Block, parsed
from screens.widgets.markdown_text import MarkdownText
from store.schema import Field

RULES_KEY = "question_mark"


def pii_rules() -> str:
    """The "PII rules" section of the guidelines the F1 screen shows."""
    text = read_guidelines()
    if text is None:
        return f"{MISSING[:-1]} (F1)."
    found = [s for s in matching(text, "pii rules") if s.lower().startswith("## pii rules")]
    return found[0] if found else "See the guidelines (F1), section PII rules."


class InstructionPanel(OwnFocusStyle, VerticalScroll, can_focus=True):
    """One row per field: its key, its label, its answer; sub-fields hide when not asked."""

    @dataclass
    class Changed(Message):
        panel: InstructionPanel
        answers: dict[str, Any]

        @property
        def control(self) -> InstructionPanel:
            return self.panel

    def __init__(self, fields: tuple[Field, ...] | list[Field] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fields = list(fields)
        self.answers: dict[str, Any] = fv.defaults(self.fields)
        self._label_width = min(max((len(f.label) for f in self.fields), default=0), 36)
        self._lines: dict[str, str] = {}
        self.choosing: Field | None = None
        self._query = ""
        self._rules_loaded = False

    def compose(self) -> ComposeResult:
        yield Static(
            Content.from_markup(
                "[b]Instruction labels[/b]  [$text-muted]a field's key answers it "
                "(again to change) · [b]?[/b] help[/]"
            ),
            id="instruction-legend",
        )
        yield MarkdownText(id="pii-rules")
        for field in self.fields:
            if field.kind == "choice":
                with Horizontal(classes="field-row choice-row", id=f"row-{field.name}"):
                    yield Static(classes="field-label", id=f"field-{field.name}", markup=False)
                    select: Select[str] = ChoiceSelect(
                        [(c, c) for c in field.choices],
                        prompt=f"{field.key}: {'required' if field.required else 'choose'}",
                        id=f"select-{field.name}",
                        compact=True,
                    )
                    select.can_focus = False  # the panel drives it (see the module doc)
                    yield select
            else:
                yield Static(classes="field-row", id=f"field-{field.name}", markup=False)

    def on_mount(self) -> None:
        self.query_one("#pii-rules").display = False
        for overlay in self.query(ChoiceOverlay):
            overlay.can_focus = False
        self._refresh()

    # -- data in / out -------------------------------------------------------------------------
    def set_answers(self, answers: dict[str, Any] | None) -> None:
        self._close_choice()
        self.answers = fv.defaults(self.fields) if answers is None else dict(answers)
        for field in self.fields:
            if field.kind == "choice":
                select = self.query_one(f"#select-{field.name}", Select)
                value = self.answers.get(field.name)
                with select.prevent(Select.Changed):
                    select.value = value if value in field.choices else Select.NULL
        self.query_one("#pii-rules").display = False
        self.scroll_home(animate=False)
        self._refresh()

    @property
    def context(self) -> dict[str, Any]:
        return fv.qualified("instruction", self.answers)

    def values(self) -> dict[str, Any]:
        return fv.answered(self.fields, self.answers, self.context)

    def missing(self) -> list[Field]:
        return fv.missing(self.fields, self.answers, self.context)

    # -- keys ----------------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        if self.choosing is not None:
            self._choice_key(event)
        elif event.key == RULES_KEY:
            self.toggle_rules()
        else:
            field = self._field_for_key(event.character or event.key)
            if field is None:
                return
            if field.kind == "choice":
                self._open_choice(field)
            elif fv.is_toggle(field):
                self._set(field.name, fv.next_value(field, self.answers.get(field.name)))
            else:
                return
        event.stop()
        event.prevent_default()

    def explain_key(self, event: events.Key) -> str:
        if event.is_printable:
            return f"{event.character}: no question has that key here"
        return ""

    # -- the open choice list ------------------------------------------------------------------
    def _select(self, field: Field) -> Select[str]:
        return self.query_one(f"#select-{field.name}", Select)

    def _open_choice(self, field: Field) -> None:
        self.choosing, self._query = field, ""
        self._select(field).action_show_overlay()

    def _close_choice(self) -> None:
        if self.choosing is not None:
            self._select(self.choosing).expanded = False
            self.choosing = None

    def _choice_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        field = self.choosing
        assert field is not None
        select = self._select(field)
        overlay = select.query_one(ChoiceOverlay)
        key = event.key
        moves = {"up": "cursor_up", "down": "cursor_down", "home": "first", "end": "last"}
        pages = {"pageup": -1, "pagedown": 1}
        if key == "escape":
            self._close_choice()
        elif key == "enter":
            index = overlay.highlighted
            self._close_choice()
            if index is not None:
                option = select._options[index][1]
                value = None if option is Select.NULL else option
                with select.prevent(Select.Changed):
                    select.value = Select.NULL if value is None else value
                self._set(field.name, value)
        elif key in moves:
            getattr(overlay, f"action_{moves[key]}")()
        elif key in pages:
            overlay.page(pages[key])
        elif key == "backspace":
            self._query = self._query[:-1]
        elif event.is_printable and event.character:
            self._query += event.character
            index = overlay._find_search_match(self._query)
            if index is not None:
                overlay.select(index)

    def toggle_rules(self) -> None:
        rules = self.query_one("#pii-rules", MarkdownText)
        if not rules.display and not self._rules_loaded:
            # Every field's help in full (a row shows it only where it fits), then the PII rules.
            # Built as blocks, not Markdown to parse: the schema's text is shown as written, and
            # the PII rules come parsed with the guidelines (markdown_lines.PREBUILT).
            helps = Block("bullets", level=1, children=[
                [Block("paragraph", Content(fv.field_help_line(f)))] for f in self.fields])
            rules.show_blocks([helps, *parsed(pii_rules())])
            self._rules_loaded = True
        rules.display = not rules.display
        if rules.display:
            self.scroll_to_widget(rules, top=True, animate=False)

    def typed_keys(self) -> list[tuple[str, str]]:
        """The keys this panel reads itself, for F1 (screens/key_help.py)."""
        rows = [(f.key, fv.field_help_line(f, with_help=False)
                 + (" (type to search, ⏎ chooses)" if f.kind == "choice" else ""))
                for f in self.fields if f.key]
        return [*rows, ("?", "What each question means, and the PII rules")]

    def _field_for_key(self, key: str) -> Field | None:
        for field in fv.asked(self.fields, self.context):
            if field.key == key:
                return field
        return None

    @on(Select.Changed)
    def _choice_made(self, event: Select.Changed) -> None:
        event.stop()
        name = (event.select.id or "").removeprefix("select-")
        self._set(name, None if event.value is Select.NULL else event.value)

    def _set(self, name: str, value: Any) -> None:
        self.answers[name] = value
        self._refresh()
        self.scroll_to_widget(self.query_one(f"#field-{name}"), animate=False)
        report(self, self.Changed(self, dict(self.answers)))

    def on_resize(self) -> None:
        self._lines.clear()
        self._refresh()

    def _refresh(self) -> None:
        shown = {f.name for f in fv.asked(self.fields, self.context)}
        for field in self.fields:
            row = self.query_one(f"#field-{field.name}", Static)
            holder = self.query_one(f"#row-{field.name}") if field.kind == "choice" else row
            holder.display = field.name in shown
            line = self._line(field)
            if self._lines.get(field.name) != line.markup:  # rows are one line: no re-layout
                self._lines[field.name] = line.markup
                row.update(line, layout=False)

    def _line(self, field: Field) -> Content:
        if field.kind == "choice":
            return Content.assemble(
                (f"[{field.key}]", "bold $text-accent"), " ",
                Content(field.label).truncate(self._label_width, ellipsis=True, pad=True),
            )
        line = fv.field_row(field, self.answers.get(field.name), self._label_width)
        room = self.scrollable_content_region.width or self.app.size.width - 3
        if field.help and len(line.plain) + 3 + len(field.help) <= room:  # whole, or under ?
            line = line + Content.styled(f"   {field.help}", "$text-muted")
        return line
