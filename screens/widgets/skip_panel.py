"""Choose why a task is skipped: a fixed list of reasons, or other with free text."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList

from screens.key_path import focus_now, report
from screens.widgets.safe_text import SafeInput

REASONS = ("contains PII", "harmful request", "unclear", "other")


class _Reasons(OptionList):
    async def action_select(self) -> None:
        # At once rather than through OptionSelected: keys typed after Enter meet the next task.
        if self.highlighted is not None:
            self.parent.choose(self.highlighted)


class _Other(SafeInput):
    async def action_submit(self) -> None:
        self.parent.choose_other(self.value)


class SkipPanel(Vertical):
    """Hidden until `open`; posts `Chosen(reason)` or `Cancelled`."""

    DEFAULT_CSS = """
    SkipPanel { display: none; height: auto; border: round $warning; padding: 0 1; }
    SkipPanel.-open { display: block; }
    SkipPanel OptionList { height: auto; border: none; }
    SkipPanel Input { display: none; }
    SkipPanel.-other Input { display: block; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    @dataclass
    class Chosen(Message):
        panel: SkipPanel
        reason: str

        @property
        def control(self) -> SkipPanel:
            return self.panel

    @dataclass
    class Cancelled(Message):
        panel: SkipPanel

        @property
        def control(self) -> SkipPanel:
            return self.panel

    def compose(self) -> ComposeResult:
        yield Label("Skip this task because… (↑/↓, Enter; Esc cancels)")
        yield _Reasons(*REASONS, id="skip-reasons")
        yield _Other(placeholder="say why, then Enter", id="skip-other", max_length=500)

    def open(self) -> None:
        self.remove_class("-other")
        self.query_one(Input).value = ""
        self.add_class("-open")
        options = self.query_one(OptionList)
        options.highlighted = 0
        focus_now(options)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def _close(self) -> None:
        self.remove_class("-open", "-other")

    def choose(self, index: int) -> None:
        reason = REASONS[index]
        if reason == "other":
            self.add_class("-other")
            focus_now(self.query_one(Input))
            return
        self._close()
        report(self, self.Chosen(self, reason))

    def choose_other(self, text: str) -> None:
        if not text.strip():
            return
        self._close()
        report(self, self.Chosen(self, f"other: {text.strip()}"))

    def action_cancel(self) -> None:
        self._close()
        report(self, self.Cancelled(self))


class SkipHandling:
    """For a `WorkScreen` that composes a `SkipPanel`: F4 asks why, the store records the skip,
    and the next task comes up. `skip_cancelled` says where focus goes back to."""

    def action_skip(self) -> None:
        if self.view is not None:
            self.flush_drafts()
            self.query_one(SkipPanel).open()

    def on_skip_panel_chosen(self, event: SkipPanel.Chosen) -> None:
        if self.view is not None:
            self.skip(event.reason)

    def on_skip_panel_cancelled(self, event: SkipPanel.Cancelled) -> None:
        self.skip_cancelled()

    def skip_cancelled(self) -> None:
        pass
