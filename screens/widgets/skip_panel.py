"""Skipping a task, the same on every work screen: say why, then Enter; Escape cancels.

The labeler types a reason (the listed ones are suggested as they type; → accepts the
suggestion) or picks a listed one with ↑/↓, which puts it in the line; Enter skips with the
line as the reason. A skip without a reason is refused. Each screen lists the reasons that fit
its work (`reasons=`); anything else typed is stored as typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import OptionList

from screens.key_path import focus_now, report
from screens.widgets.safe_text import SafeInput

REASONS = ("cannot judge", "contains PII", "harmful request", "unclear")


class _Reason(SafeInput):
    """The line the reason is typed in; ↑/↓ choose a listed reason instead."""

    BINDINGS = [
        Binding("up", "pick(-1)", "Previous reason", show=False, id="skip.previous"),
        Binding("down", "pick(1)", "Next reason", show=False, id="skip.next"),
    ]

    @property
    def panel(self) -> SkipPanel:
        return self.query_ancestor(SkipPanel)

    def action_pick(self, step: int) -> None:
        self.panel.pick(step)

    async def action_submit(self) -> None:
        # At once rather than through Input.Submitted: keys typed after Enter meet the next task.
        self.panel.choose(self.value)


class SkipPanel(Vertical):
    """Hidden until `open`; reports `Chosen(reason)`, `Refused(why)` or `Cancelled`."""

    DEFAULT_CSS = """
    SkipPanel { display: none; height: auto; border: round $warning; padding: 0 1; }
    SkipPanel.-open { display: block; }
    SkipPanel OptionList { height: auto; max-height: 6; border: none; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel skip", priority=True, id="skip.cancel")]

    @dataclass
    class Chosen(Message):
        panel: SkipPanel
        reason: str

        @property
        def control(self) -> SkipPanel:
            return self.panel

    @dataclass
    class Refused(Message):
        panel: SkipPanel
        why: str

        @property
        def control(self) -> SkipPanel:
            return self.panel

    @dataclass
    class Cancelled(Message):
        panel: SkipPanel

        @property
        def control(self) -> SkipPanel:
            return self.panel

    def __init__(self, reasons: Sequence[str] = REASONS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reasons = tuple(reasons)

    def compose(self) -> ComposeResult:
        # The question sits in the border and the list and line are compact: every reason and
        # the box's edge stay above the footer at 80x24 and 60x20.
        self.border_title = "Skip because… type why or ↑/↓ a reason; Enter skips, Esc cancels"
        options = OptionList(*self.reasons, id="skip-reasons", compact=True)
        options.can_focus = False  # the line keeps the keys; ↑/↓ move this list
        yield options
        yield _Reason(placeholder="why skip this task?", id="skip-why", max_length=500,
                      suggester=SuggestFromList(self.reasons, case_sensitive=False), compact=True)

    @property
    def line(self) -> _Reason:
        return self.query_one(_Reason)

    def open(self) -> None:
        self.line.value = ""
        self.query_one(OptionList).highlighted = None
        self.add_class("-open")
        focus_now(self.line)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def pick(self, step: int) -> None:
        options = self.query_one(OptionList)
        now = options.highlighted
        index = (0 if step > 0 else len(self.reasons) - 1) if now is None else now + step
        options.highlighted = index % len(self.reasons)
        self.line.value = self.reasons[options.highlighted]
        self.line.cursor_position = len(self.line.value)

    def choose(self, text: str) -> None:
        text = text.strip()
        if not text:
            report(self, self.Refused(self, "A skip needs a reason: type it or pick one (↑/↓)."))
            return
        listed = {r.casefold(): r for r in self.reasons}
        self.remove_class("-open")
        report(self, self.Chosen(self, listed.get(text.casefold(), text)))

    def action_cancel(self) -> None:
        self.remove_class("-open")
        report(self, self.Cancelled(self))


if TYPE_CHECKING:  # the mixin runs on a WorkScreen; a type checker sees it as one
    from screens.base import WorkScreen as _WorkScreen
else:
    _WorkScreen = object


class SkipHandling(_WorkScreen):
    """For a `WorkScreen` that composes a `SkipPanel`: the skip key asks why, the store records
    the skip, and the next task comes up. `skip_cancelled` says where focus goes back to.
    The key is the work screen's (`work.skip`, F4 unless remapped), the same on every screen."""

    SKIPPABLE = True

    def action_skip(self) -> None:
        if self.view is not None:
            self.flush_drafts()
            self.query_one(SkipPanel).open()

    def on_skip_panel_chosen(self, event: SkipPanel.Chosen) -> None:
        if self.view is not None:
            self.skip(event.reason)
        self.skip_cancelled()

    def on_skip_panel_refused(self, event: SkipPanel.Refused) -> None:
        self.refuse(event.why)

    def on_skip_panel_cancelled(self, event: SkipPanel.Cancelled) -> None:
        self.skip_cancelled()

    def skip_cancelled(self) -> None:
        pass
