"""F1: the keys of the screen it was opened from, then the guidelines and FAQ (searchable).

The guidelines are one `MarkdownLines` per section (cut at headings of levels 1-3), each laid out
as lines once per process and width (screens/widgets/markdown_lines.py): about 40 widgets where
Textual's `Markdown` mounted ~500, so the first F1 is ready at once. A search hides the
sections that do not match and marks the words in those that do.

The key list is read from that screen's active bindings, so a key remapped in `[keys]` or the
labeler's `keys.toml` is listed as remapped, and every key the Footer has no room for is here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static

from screens.guidelines import MISSING, read_guidelines, sections, slugs
from screens.key_help import KeyGroup, key_groups
from screens.key_path import OrderedScreen, focus_now
from screens.widgets.focus_style import OwnFocusStyle
from screens.widgets.footer import Footer
from screens.widgets.markdown_lines import parsed
from screens.widgets.markdown_text import MarkdownDocument, MarkdownLines
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


def heading(section: str) -> str:
    """The plain text of a section's heading ("" when it starts without one)."""
    blocks = parsed(section)
    return blocks[0].content.plain if blocks and blocks[0].kind == "heading" else ""


class GuideSection(MarkdownLines):
    """A section of the guidelines; search matches (marked ~~…~~ by `highlight`, the `s`
    spans) are drawn reversed and bold, never by colour alone."""

    LITERAL_STYLES = {".s": "reverse bold"}


class HelpBody(OwnFocusStyle, VerticalScroll):
    """The scrolling keys and guidelines; a focus change restyles it alone
    (screens/widgets/focus_style.py), not its sections."""


class _Search(SafeInput):
    async def action_submit(self) -> None:
        # At once rather than through Input.Submitted: Escape typed right after Enter closes
        # help instead of clearing a search that has not been shown yet.
        screen = self.screen
        if isinstance(screen, HelpScreen):
            await screen.search(self.value)


class HelpScreen(OrderedScreen):
    # help.tcss as default CSS, not CSS_PATH: a screen's first push with a stylesheet file new
    # to the app restyles every widget of every installed screen (~60 ms of the first F1 over a
    # work screen); default CSS styles only the widgets it is for.
    DEFAULT_CSS = Path(__file__).with_name("help.tcss").read_text(encoding="utf-8")
    BINDINGS = [
        Binding("escape", "close", "Back", id="help.close"),
        Binding("slash,ctrl+f", "search", "Search", id="help.search"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.text = read_guidelines() or f"# Guidelines\n\n{MISSING}"
        self.sections = sections(self.text)
        self.slugs = slugs([heading(s) for s in self.sections])
        self._keys, self._topic, self._anchor = Content(""), "", ""

    def compose(self) -> ComposeResult:
        yield _Search(placeholder="Search the guidelines (Enter), Escape to go back", id="help-search")
        yield Static(id="help-status")
        with HelpBody(id="help-body"):
            yield Static(self._keys, id="help-keys", markup=False)
            with MarkdownDocument(id="help-md"):
                last = len(self.sections) - 1
                for n, section in enumerate(self.sections):
                    yield GuideSection(section, end=n == last)
        yield Footer()

    def on_mount(self) -> None:
        focus_now(self.query_one("#help-body"))
        if self._topic:
            self.goto(self._topic)

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
        if topic:
            self.goto(topic)
        else:
            self.query_one("#help-body", VerticalScroll).scroll_home(animate=False)

    def goto(self, anchor: str) -> None:
        """Scroll to a heading by its slug (a work screen's HELP_TOPIC) once laid out."""
        self._anchor = anchor
        self.call_after_refresh(self._goto_anchor)

    def _goto_anchor(self) -> None:
        if self._anchor in self.slugs:
            section = list(self.query(MarkdownLines))[self.slugs.index(self._anchor)]
            self.query_one("#help-body", VerticalScroll).scroll_to_widget(
                section, top=True, animate=False, immediate=True)
        self._anchor = ""

    def action_search(self) -> None:
        focus_now(self.query_one("#help-search", Input))

    async def search(self, query: str) -> None:
        focus_now(self.query_one("#help-body"))
        await self.show(query)

    async def show(self, query: str) -> None:
        """Every section for an empty ``query``, else those holding each of its words, the
        words marked."""
        status = self.query_one("#help-status", Static)
        shown = self.shown_sections(query)
        for widget, section in zip(self.query(MarkdownLines), self.sections, strict=True):
            widget.display = section in shown
            if widget.display:
                last = section is shown[-1]
                widget.update(highlight(section, query) if query.strip() else section,
                              end=last)
        if not query.strip():
            status.update("")
            return
        status.update(f"{len(shown)} section(s) match, matches reversed; "
                      "an empty search shows everything")
        self.call_after_refresh(self._scroll_to_first_match, query)

    def shown_sections(self, query: str) -> list[str]:
        words = query.lower().split()
        return [s for s in self.sections if all(w in s.lower() for w in words)]

    def first_match(self, query: str) -> tuple[MarkdownLines, int] | None:
        """The first shown section with a word of ``query`` on screen, and the line it is on."""
        words = [w.lower() for w in query.split()]
        for widget in self.query(MarkdownLines):
            if not widget.display:
                continue
            for y, line in enumerate(widget.lines(widget.content_size.width)):
                text = line.plain.lower()
                if any(w in text for w in words):
                    return widget, y
        return None

    def _scroll_to_first_match(self, query: str) -> None:
        """The line of the first match at the top (the key list stays a scroll away)."""
        found = self.first_match(query)
        if found is None:
            return
        widget, y = found
        guide = self.query_one("#help-md", MarkdownDocument)
        top = guide.virtual_region.y + guide.styles.padding.top + widget.virtual_region.y + y
        self.query_one("#help-body", VerticalScroll).scroll_to(y=top, animate=False,
                                                               immediate=True)

    def action_close(self) -> None:
        search = self.query_one("#help-search", Input)
        # `self.focused`, not `search.has_focus`: that flag follows the Blur event, which comes
        # after keys already queued, so an Escape typed right behind the search's Enter saw it
        # still set and cleared the search instead of closing help.
        if self.focused is search and search.value:
            search.value = ""
            self.run_worker(self.show(""))
            return
        self.app.pop_screen()
