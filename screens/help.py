"""F1: the labeling guidelines and FAQ, rendered Markdown, searchable by section."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Markdown, Static

from screens.guidelines import MISSING, matching, read_guidelines
from screens.widgets.footer import Footer
from screens.widgets.safe_text import SafeInput


class HelpScreen(Screen):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back", id="help.close"),
        Binding("slash,ctrl+f", "search", "Search", id="help.search"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.text = read_guidelines() or f"# Guidelines\n\n{MISSING}"

    def compose(self) -> ComposeResult:
        yield SafeInput(placeholder="Search the guidelines (Enter), Escape to go back", id="help-search")
        yield Static(id="help-status")
        with VerticalScroll(id="help-body"):
            yield Markdown(self.text, id="help-md")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def goto(self, anchor: str) -> None:
        """Scroll to a heading by its slug (a work screen's HELP_TOPIC), now or once loaded."""
        self._anchor = anchor
        self.call_after_refresh(self._goto_anchor)

    def on_markdown_table_of_contents_updated(self) -> None:
        self.call_after_refresh(self._goto_anchor)

    def _goto_anchor(self) -> None:
        anchor = getattr(self, "_anchor", "")
        if anchor and self.query_one("#help-md", Markdown).goto_anchor(anchor):
            self._anchor = ""

    def action_search(self) -> None:
        self.query_one("#help-search", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.show(event.value)
        self.query_one("#help-body").focus()

    def show(self, query: str) -> None:
        status = self.query_one("#help-status", Static)
        if not query.strip():
            self.query_one("#help-md", Markdown).update(self.text)
            status.update("")
            return
        found = matching(self.text, query)
        self.query_one("#help-md", Markdown).update("\n\n".join(found) if found else "")
        status.update(f"{len(found)} section(s) match; empty search shows everything")

    def action_close(self) -> None:
        search = self.query_one("#help-search", Input)
        if search.has_focus and search.value:
            search.value = ""
            self.show("")
            return
        self.app.pop_screen()
