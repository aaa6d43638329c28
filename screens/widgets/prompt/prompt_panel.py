"""The prompt of the task, shown above every step and collapsible.

The prompt text is untrusted: it is only ever rendered as `Content(text)`, never as markup.
"""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from screens.widgets.prompt.conversation import TurnsToggle, fold_note, render_turns
from screens.widgets.ranking.ranking_panel import _window
from screens.widgets.text_view import TextView

# A few-shot prompt is a run of query/response pairs; a blank line before each "Q:"-like marker
# keeps the pairs apart when the source text crammed them together.
_FEW_SHOT_MARKER = re.compile(r"\n(?=(?:Q|A|Input|Output|User|Assistant|Question|Answer)\s*:)")


def readable_prompt(text: str, style: str | None) -> str:
    """The prompt text with few-shot pairs separated by blank lines (nothing else changes)."""
    if style != "few_shot":
        return text
    return _FEW_SHOT_MARKER.sub("\n\n", text.replace("\r\n", "\n")).replace("\n\n\n", "\n\n")


class PromptBody(TextView, can_focus=True):
    """The scrollable prompt text; focus it (Tab) to scroll it with the arrow and page keys.

    A very long prompt is shown a part at a time (`[`/`]`): re-wrapping 100 kB of text on every
    layout would make each key press slow.
    """

    BINDINGS = [
        Binding("right_square_bracket", "part(1)", "Next part", show=False, id="prompt.next_part"),
        Binding("left_square_bracket", "part(-1)", "Previous part", show=False,
                id="prompt.prev_part"),
    ]

    text = ""
    part = 0

    def show(self, text: str) -> None:
        self.anchor(False)  # a plain prompt reads from its top
        self.text, self.part = text, 0
        self.action_part(0)

    def action_part(self, step: int) -> None:
        if not self.text:
            return  # a conversation: shown whole, turn by turn (PromptPanel.show_turns)
        content, self.part = _window(self.text, self.part + step)
        self.update(content)
        self.scroll_home(animate=False)

    def show_content(self, content: Content) -> None:
        """A conversation: scrolled to its end, so the final user turn is in view at 80x24."""
        self.text, self.part = "", 0
        self.update(content)
        # Anchored: stays at the end while the new content is laid out (a scroll_end after one
        # refresh ran before the taller text was measured in a real terminal), until the
        # labeler scrolls up to read earlier turns.
        self.anchor()


class PromptPanel(TurnsToggle, Vertical):
    """A title line and the prompt text; `collapsed` hides the text and keeps the title."""

    collapsed: reactive[bool] = reactive(False)
    """True when only the title line is shown."""

    def compose(self) -> ComposeResult:
        yield Static(id="prompt-title", markup=False)
        yield PromptBody(id="prompt-body")

    def prepare(self, text: str, *, style: str | None = None,
                messages: list[dict[str, str]] | None = None) -> None:
        """A coming prompt wrapped ahead for this width (a conversation is drawn whole: not)."""
        if messages:
            return
        # Called from a read-ahead that can land before the panel composed its body: the
        # wrap is only a head start, so without a body there is nothing to prepare.
        for body in self.query(PromptBody):
            body.prepare(_window(readable_prompt(text, style), 0)[0])

    def set_prompt(self, text: str, *, prompt_id: str = "", style: str | None = None,
                   messages: list[dict[str, str]] | None = None) -> None:
        """Show a new prompt (a conversation as its turns, folded), scrolled to its top."""
        self._plain_title = Content.assemble(
            ("Prompt", "bold"), f" {prompt_id}" if prompt_id else "",
            (f"  · {style}" if style and style != "plain" else "", "dim"),
        )
        self._title = self._plain_title
        self.turns, self.unfolded = messages, False
        if messages:
            self.show_turns()
        else:
            self.query_one(PromptBody).show(readable_prompt(text, style))
        self._refresh_title()

    def show_turns(self) -> None:
        """The turns in the body; how many and what is folded in the title line, which stays in
        view while the body shows its end."""
        assert self.turns
        note = fold_note(self.turns, self.unfolded)
        self._title = self._plain_title + Content.styled(
            f"  · {len(self.turns)} turns" + (f", {note}" if note else ""), "dim")
        self.query_one(PromptBody).show_content(
            render_turns(self.turns, unfolded=self.unfolded, note=False))
        self._refresh_title()

    def toggle(self) -> None:
        self.collapsed = not self.collapsed

    def watch_collapsed(self, collapsed: bool) -> None:
        self.set_class(collapsed, "-collapsed")
        self.query_one(PromptBody).display = not collapsed
        self._refresh_title()

    def _refresh_title(self) -> None:
        title = getattr(self, "_title", Content("Prompt"))
        marker = "▶ " if self.collapsed else "▼ "
        self.query_one("#prompt-title", Static).update(Content(marker) + title, layout=False)  # one row
