"""An inline yes/no question: shown in place, so asking never pushes a screen."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from screens.key_path import focus_now, report


class ConfirmBar(Static, can_focus=True):
    """Hidden until `ask`; y/Enter confirms, n/Escape declines, and focus goes back."""

    DEFAULT_CSS = """
    ConfirmBar { display: none; height: auto; padding: 0 1; background: $warning 30%; }
    ConfirmBar.-asking { display: block; }
    """
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", priority=True, id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", priority=True, id="confirm.no"),
    ]

    @dataclass
    class Answered(Message):
        bar: ConfirmBar
        confirmed: bool

        @property
        def control(self) -> ConfirmBar:
            return self.bar

    def ask(self, question: Content | str) -> None:
        self.update(Content(question) if isinstance(question, str) else question)
        self.add_class("-asking")
        focus_now(self)

    @property
    def asking(self) -> bool:
        return self.has_class("-asking")

    def action_answer(self, confirmed: bool) -> None:
        self.remove_class("-asking")
        report(self, self.Answered(self, confirmed))
