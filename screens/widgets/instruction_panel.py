"""Instruction (prompt) labels: every field of the schema's `instruction` task, one key each.

Driven by plain data: `set_fields(fields)` once, `set_answers(answers)` per task; every change
posts `InstructionPanel.Changed` with the answers so the screen can save a draft.
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

from screens.widgets import field_values as fv

# The PII rules of labeling-guidelines.md §4, one key away while labeling.
PII_RULES = """\
PII rules (could the text identify a person?)
• Full names always count, even historical figures, authors of quoted books and authors mentioned in context.
• First names alone do not, unless combinable with other information.
• Usernames, stage names and pseudonyms count when they identify someone.
• A small identifiable group ("the Beatles") counts; a large one ("Harvard Law class of 2021") does not; in between: PII = yes, certain = no.
• Unsure whether a name is real or fictional (or a fictional name based on a real person, such as some biblical figures): PII = yes, certain = no.
• Also PII: geographic subdivisions smaller than street + city; dates tied to a person (birth, admission, death); contact details (phone, fax, e-mail); identifiers (ID, social security, medical record, account, licence, vehicle and plate numbers, device identifiers, IP addresses, personal URLs), even partly masked.
• Not PII: company names and company contact details, chat logs without names, product names, receipts without names, figures of Greek mythology.
• Public figures only → "public only" = yes. Information a reasonable person would not share → "sensitive context" = yes (widely known facts about public figures are not sensitive)."""

RULES_KEY = "question_mark"
ALL_NO_KEY = "0"


class InstructionPanel(VerticalScroll, can_focus=True):
    """Keys: a field's key answers it (yes → no → …), `?` the PII rules, `0` unanswered → no."""

    @dataclass
    class Changed(Message):
        panel: InstructionPanel
        answers: dict[str, Any]

        @property
        def control(self) -> InstructionPanel:
            return self.panel

    def __init__(self, fields: list[Any] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._fields = list(fields)
        self.answers: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Static(
            Content.from_markup(
                "[b]Instruction labels[/b]  [dim]press a field's key to answer it "
                "(again to change) · [b]?[/b] PII rules · [b]0[/b] every unanswered yes/no → no[/dim]"
            ),
            id="instruction-legend",
        )
        yield Static(Content(PII_RULES), id="pii-rules", markup=False)
        for field in self._fields:
            if field.kind == "choice":
                with Horizontal(classes="field-row choice-row", id=f"row-{field.name}"):
                    yield Static(classes="field-label", id=f"field-{field.name}", markup=False)
                    yield Select(
                        [(c, c) for c in field.choices],
                        prompt=f"type to search ({field.key} opens)",
                        id=f"select-{field.name}",
                        compact=True,
                    )
            else:
                yield Static(classes="field-row", id=f"field-{field.name}", markup=False)

    def on_mount(self) -> None:
        self.query_one("#pii-rules").display = False
        self._refresh()

    # -- data in / out -------------------------------------------------------------------------
    def set_answers(self, answers: dict[str, Any] | None) -> None:
        self.answers = dict(answers or {})
        for field in self._fields:
            if field.kind == "choice":
                select = self.query_one(f"#select-{field.name}", Select)
                value = self.answers.get(field.name)
                with select.prevent(Select.Changed):
                    select.value = value if value in field.choices else Select.NULL
        self.query_one("#pii-rules").display = False
        self.scroll_home(animate=False)
        self._refresh()

    def values(self) -> dict[str, Any]:
        """The answers to the fields that apply (an answer to a hidden sub-field is dropped)."""
        shown = fv.applicable(self._fields, self.answers)
        return {f.name: self.answers[f.name] for f in shown if self.answers.get(f.name) is not None}

    def missing(self) -> list[Any]:
        return fv.missing(self._fields, self.answers)

    # -- keys ----------------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        if event.key == RULES_KEY:
            self.toggle_rules()
        elif event.key == ALL_NO_KEY:
            self._answer_unanswered_no()
        else:
            field = self._field_for_key(event.key)
            if field is None:
                return
            if field.kind == "choice":
                select = self.query_one(f"#select-{field.name}", Select)
                select.focus()
                select.action_show_overlay()
            else:
                self._set(field.name, _next(field, self.answers.get(field.name)))
        event.stop()
        event.prevent_default()

    def toggle_rules(self) -> None:
        rules = self.query_one("#pii-rules")
        rules.display = not rules.display
        if rules.display:
            self.scroll_to_widget(rules, top=True, animate=False)

    def _field_for_key(self, key: str) -> Any | None:
        for field in fv.applicable(self._fields, self.answers):
            if field.key == key:
                return field
        return None

    def _answer_unanswered_no(self) -> None:
        changed = False
        for field in fv.applicable(self._fields, self.answers):
            if fv.is_toggle(field) and self.answers.get(field.name) is None:
                self.answers[field.name] = False
                changed = True
        if changed:
            self._changed()

    @on(Select.Changed)
    def _choice_made(self, event: Select.Changed) -> None:
        event.stop()
        name = event.select.id.removeprefix("select-")
        self._set(name, None if event.value is Select.NULL else event.value)
        self.call_after_refresh(self.focus)

    def _set(self, name: str, value: Any) -> None:
        self.answers[name] = value
        self._changed()

    def _changed(self) -> None:
        self._refresh()
        self.post_message(self.Changed(self, dict(self.answers)))

    def _refresh(self) -> None:
        shown = {f.name for f in fv.applicable(self._fields, self.answers)}
        for field in self._fields:
            row = self.query_one(f"#field-{field.name}", Static)
            holder = self.query_one(f"#row-{field.name}") if field.kind == "choice" else row
            holder.display = field.name in shown
            value = self.answers.get(field.name)
            line = fv.field_row(field, value if field.kind != "choice" else None)
            if field.kind == "choice":
                line = Content.assemble(
                    (f"[{field.key}]", "bold $accent"), " ", field.label or field.name
                )
            if field.help:
                line = line + Content.styled(f"  {field.help}", "dim")
            row.update(line)


def _next(field: Any, value: Any) -> Any:
    if fv.is_toggle(field):
        return fv.next_value(field, value)
    if field.kind == "scale":
        low, high = field.min, field.max
        return low if value is None or value >= high else value + 1
    return value
