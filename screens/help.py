"""F1: the keys of the screen it was opened from, then the guidelines and FAQ (searchable).

The key list is read from that screen's active bindings, so a key remapped in `[keys]` or the
labeler's `keys.toml` is listed as remapped, and every key the Footer has no room for is here.
"""

from __future__ import annotations

import re
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Markdown, Static
from textual.widgets.markdown import MarkdownBlock

from screens.guidelines import MISSING, matching, read_guidelines
from screens.key_help import KeyGroup, key_groups
from screens.key_path import OrderedScreen, focus_now
from screens.widgets.focus_style import OwnFocusStyle
from screens.widgets.footer import Footer
from screens.widgets.safe_text import SafeInput

_UNTOUCHABLE = re.compile(r"`[^`]*`|\]\([^)]*\)")  # inline code and link targets


def highlight(text: str, query: str) -> str:
    """``text`` with each word of ``query`` marked ``~~…~~`` (shown reversed, not struck) in
    its prose: not in headings (their anchors), code blocks, inline code or link targets."""
    words = [re.escape(w) for w in query.split() if w]
    if not words:
        return text
    word = re.compile("|".join(words), re.I)
    out, fenced = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if fenced or line.startswith("#") or line.lstrip().startswith("```"):
            out.append(line)
            continue
        pieces, at = [], 0
        for kept in _UNTOUCHABLE.finditer(line):
            pieces.append(word.sub(lambda m: f"~~{m.group(0)}~~", line[at:kept.start()]))
            pieces.append(kept.group(0))
            at = kept.end()
        pieces.append(word.sub(lambda m: f"~~{m.group(0)}~~", line[at:]))
        out.append("".join(pieces))
    return "\n".join(out)


def keys_content(groups: list[KeyGroup], title: str) -> Content:
    """The key list: a bold heading per group, keys right-aligned across every group."""
    if not groups:
        return Content("")
    width = max(len(keys) for _, rows in groups for keys, _ in rows)
    lines = [Content.styled(f"Keys on {title} (F1 · Escape back)", "bold")]
    for heading, rows in groups:
        lines.append(Content.styled(heading, "bold $text-muted"))
        lines += [Content.assemble((keys.rjust(width), "bold $text-accent"), f"  {what}")
                  for keys, what in rows]
    return Content("\n").join(lines)


class HelpBody(OwnFocusStyle, VerticalScroll):
    """The scrolling keys and guidelines. It holds the focus over ~500 Markdown widgets: a
    focus change restyles it alone (screens/widgets/focus_style.py), not all of them."""


class _Search(SafeInput):
    async def action_submit(self) -> None:
        # At once rather than through Input.Submitted: Escape typed right after Enter closes
        # help instead of clearing a search that has not been shown yet.
        screen = self.screen
        if isinstance(screen, HelpScreen):
            await screen.search(self.value)


class HelpScreen(OrderedScreen):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back", id="help.close"),
        Binding("slash,ctrl+f", "search", "Search", id="help.search"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.text = read_guidelines() or f"# Guidelines\n\n{MISSING}"
        self._keys, self._topic = Content(""), ""

    def compose(self) -> ComposeResult:
        yield _Search(placeholder="Search the guidelines (Enter), Escape to go back", id="help-search")
        yield Static(id="help-status")
        with HelpBody(id="help-body"):
            yield Static(self._keys, id="help-keys", markup=False)
            yield Markdown(self.text, id="help-md")
        yield Footer()

    def on_mount(self) -> None:
        focus_now(self.query_one("#help-body"))
        if self._topic:
            self.call_after_refresh(self.goto, self._topic)

    def show_keys(self, screen: Screen[Any], topic: str = "") -> None:
        """List the keys of ``screen`` (the one F1 was pressed on) above the guidelines, then
        go to its help ``topic`` if it has one (once the list is laid out), else to the top.
        Called before the help screen is shown, so its first frame has the keys (no list that
        pops in a frame later)."""
        title = getattr(screen, "HEADING", "") or type(screen).__name__.removesuffix("Screen")
        self._keys, self._topic = keys_content(key_groups(screen), title), topic
        if not self.is_mounted:
            return  # compose shows them, on_mount goes to the topic
        self.query_one("#help-keys", Static).update(self._keys)
        if topic:  # after the list has its height (one refresh lays it out, the next scrolls)
            self.call_after_refresh(self.goto, topic)
        else:
            self.query_one("#help-body", VerticalScroll).scroll_home(animate=False)

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
        focus_now(self.query_one("#help-search", Input))

    async def search(self, query: str) -> None:
        focus_now(self.query_one("#help-body"))
        await self.show(query)

    async def show(self, query: str) -> None:
        status = self.query_one("#help-status", Static)
        markdown = self.query_one("#help-md", Markdown)
        body = self.query_one("#help-body", VerticalScroll)
        if not query.strip():
            await markdown.update(self.text)
            status.update("")
            return
        found = matching(self.text, query)
        await markdown.update(highlight("\n\n".join(found), query) if found else "")
        status.update(f"{len(found)} section(s) match, matches reversed; "
                      "an empty search shows everything")
        first = self.first_match(query)
        if first is not None:  # jump to it once laid out (the key list stays a scroll away)
            self.call_after_refresh(body.scroll_to_widget, first, top=True, animate=False)

    def first_match(self, query: str) -> MarkdownBlock | None:
        words = [w.lower() for w in query.split()]
        for block in self.query_one("#help-md", Markdown).query(MarkdownBlock):
            text = block._content.plain.lower()
            if block._content.plain and any(w in text for w in words):
                return block
        return None

    def action_close(self) -> None:
        search = self.query_one("#help-search", Input)
        if search.has_focus and search.value:
            search.value = ""
            self.run_worker(self.show(""))
            return
        self.app.pop_screen()
