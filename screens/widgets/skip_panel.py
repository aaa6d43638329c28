"""Choose why a task is skipped: a fixed list of reasons, or other with free text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList

from screens.faults import attempt
from screens.widgets.safe_text import SafeInput
from store import queue

REASONS = ("contains PII", "harmful request", "unclear", "other")


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
        yield OptionList(*REASONS, id="skip-reasons")
        yield SafeInput(placeholder="say why, then Enter", id="skip-other", max_length=500)

    def open(self) -> None:
        self.remove_class("-other")
        self.query_one(Input).value = ""
        self.add_class("-open")
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def _close(self) -> None:
        self.remove_class("-open", "-other")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        reason = REASONS[event.option_index]
        if reason == "other":
            self.add_class("-other")
            self.query_one(Input).focus()
            return
        self._close()
        self.post_message(self.Chosen(self, reason))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            return
        self._close()
        self.post_message(self.Chosen(self, f"other: {text}"))

    def action_cancel(self) -> None:
        self._close()
        self.post_message(self.Cancelled(self))


if TYPE_CHECKING:  # the mixin runs on a WorkScreen; a type checker sees it as one
    from screens.base import WorkScreen as _WorkScreen
else:
    _WorkScreen = object


class SkipHandling(_WorkScreen):
    """For a `WorkScreen` that composes a `SkipPanel`: F4 asks why, the store records the skip,
    and the next task comes up. `skip_cancelled` says where focus goes back to."""

    def action_skip(self) -> None:
        if self.view is not None:
            self.flush_drafts()
            self.query_one(SkipPanel).open()

    def on_skip_panel_chosen(self, event: SkipPanel.Chosen) -> None:
        if self.view is None:
            return
        ok, _ = attempt(self.notify, "skip this task", queue.skip, self.app.db,
                        self.view.assignment.id, event.reason)
        if not ok:
            return
        self._dirty = False
        self.notify("Skipped; researchers will see the reason.")
        self.next_task()

    def on_skip_panel_cancelled(self, event: SkipPanel.Cancelled) -> None:
        self.skip_cancelled()

    def skip_cancelled(self) -> None:
        pass
