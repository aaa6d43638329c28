"""TextView: a scrollable text (a prompt, an output) wrapped once per width, drawing only the
rows on screen.

A `Static` in a `VerticalScroll` wraps its whole text to
lay it out, again to draw it, and turns every wrapped row into a strip whenever anything in
its region is redrawn: a key that changes one score cell paid for the texts around it. Here
the text's rows are counted once per (text, width) (`_wrapped`, shared by every view: an output
shown again in another card, or the scores card then the ranking card, is not counted again),
a paragraph is wrapped into rows only when one of its rows is drawn (`Rows`), and a row becomes
a strip only when it is on screen, once (kept until the text, the width or the style changes).
Scrolling and a redraw of the region reuse them.

The rows are wrapped and drawn exactly as Textual's `Static` draws a `Content` (the same
`Content` wrapping, the same style rules: `text-wrap`, `text-overflow`, `text-align`,
`line-pad`), so a screen looks the same cell for cell. The content is built by the caller
from untrusted text with `safe_content`/`_window`: literal, never markup.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from typing import Any

from rich._wrap import divide_line
from textual import events
from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import NULL_STYLE, Style

ROWS_KEPT = 64
"""Wrapped texts kept (`_rows`): a task's prompt and outputs at two widths, and the next task's."""


def _key(content: Content) -> tuple[Any, ...]:
    # Content compares equal on its text alone: the spans (styles) are part of what is drawn.
    return (content.plain, tuple(content.spans))


def _style(style: Style | str) -> Style:
    """A span's style, as `Widget._get_style` resolves it for a Static: our texts carry no
    component-class (".name") styles, so no widget is needed and a wrap is shared."""
    if isinstance(style, Style):
        return style
    try:
        return Style.parse(style)
    except Exception:
        return NULL_STYLE


class Rows:
    """A text's rows at one width, wrapped as `Content.render_strips` wraps it, counted for the
    whole text but built only a paragraph (a source line) at a time, when one of its rows is
    drawn (`build`).

    Content wraps each source line on its own (`Content._wrap_and_format` splits the text on
    "\n" and wraps line by line), so a paragraph's rows are the same wrapped alone. Counting
    needs only rich's `divide_line` on the plain text, which the wrap calls too: a 16,000-
    character window is counted in ~40% of the time its wrap takes, and keeps a row count per
    paragraph instead of ~1,000 objects (rows, their Content and spans) the cycle collector
    walks on every full collection."""

    def __init__(self, content: Content, width: int, rules: tuple[Any, ...]) -> None:
        self.width, self.rules = width, rules
        self.lines = content.split(allow_blank=True)
        align, overflow, no_wrap, line_pad = rules
        starts = [0]
        for line in self.lines:
            starts.append(starts[-1] + _count(line, width, overflow, no_wrap, line_pad))
        self.starts = starts  # the first row of each paragraph; the row count last
        self._built: dict[int, list[Any]] = {}

    def __len__(self) -> int:
        return self.starts[-1]

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):  # the rows in view
            return [self[n] for n in range(*index.indices(len(self)))]
        line = bisect_right(self.starts, index) - 1
        return self._paragraph(line)[index - self.starts[line]]

    def build(self, first: int, count: int) -> None:
        """Wrap now the paragraphs holding rows ``first`` to ``first + count`` (a text about to
        be shown: then drawing it wraps nothing)."""
        end = min(first + count, len(self))
        line = bisect_right(self.starts, first) - 1
        while 0 <= line < len(self.lines) and self.starts[line] < end:
            self._paragraph(line)
            line += 1

    def _paragraph(self, line: int) -> list[Any]:
        rows = self._built.get(line)
        if rows is None:
            align, overflow, no_wrap, line_pad = self.rules
            # Private (Content.render_strips wraps and draws every row at once; this only
            # wraps): tests/test_textual_private.py checks its name and the arguments used here.
            rows = self.lines[line]._wrap_and_format(
                self.width, align=align, overflow=overflow, no_wrap=no_wrap, line_pad=line_pad,
                tab_size=8, get_style=_style)
            for row in rows:
                row.y = line  # as wrapped with the whole text (the offset its styles carry)
            self._built[line] = rows
        return rows


def _count(line: Content, width: int, overflow: str, no_wrap: bool, line_pad: int) -> int:
    """The rows `Content._wrap_and_format` wraps one source line to (its cuts, plus one)."""
    if "\t" in line.plain:
        line = line.expand_tabs(8)
    if no_wrap:
        return max(1, len(range(0, line.cell_length, width))) if overflow == "fold" else 1
    return len(divide_line(line.plain, width - line_pad * 2, fold=overflow == "fold")) + 1


@lru_cache(maxsize=ROWS_KEPT)
def _wrapped(key: tuple[Any, ...], content: Content, width: int, rules: tuple[Any, ...]) -> Rows:
    return Rows(content, width, rules)


def _row_key(row: Any) -> tuple[Any, ...]:
    """What a wrapped row draws from, besides the view's style (`_FormattedLine.to_strip`)."""
    return (*_key(row.content), row.width, row.x, row.align, row.line_end)


class TextView(ScrollView, can_focus=False):
    """A text that scrolls vertically; `update(content)` shows another from its top."""

    DEFAULT_CSS = """
    TextView { overflow-x: hidden; overflow-y: auto; }
    """

    def __init__(self, content: Content | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._content = content if content is not None else Content("")
        self._strips: dict[int, Strip] = {}
        self._strips_key: tuple[Any, ...] = ()

    @property
    def content(self) -> Content:
        return self._content

    def update(self, content: Content) -> None:
        """Show `content` (scrolled to its top by the caller as it needs). Rows on screen that
        draw as before keep their strips and are not redrawn (the fields under an output: a
        rating changes one of their rows)."""
        if content is self._content:
            return
        before = self._rows_on_screen()
        self._content = content
        self._fit()
        after = self._rows_on_screen()
        if before is None or after is None or before[0] != after[0]:
            self._strips.clear()
            self.refresh()
            return
        (shown, old), (_, new) = before, after
        top = shown[1]
        same = {top + n for n in range(min(len(old), len(new))) if _row_key(old[n]) == _row_key(new[n])}
        self._strips = {y: strip for y, strip in self._strips.items() if y in same}
        start = None  # of a run of rows to redraw
        for y in range(top, top + max(len(old), len(new)) + 1):
            if y not in same and y < top + max(len(old), len(new)):
                start = y if start is None else start
            elif start is not None:
                self.refresh_lines(start, y - start)
                start = None

    def _rows_on_screen(self) -> tuple[tuple[Any, ...], list[Any]] | None:
        """(what the rows are drawn with, the rows in view), or None before a width is known."""
        width = self.scrollable_content_region.width
        if width <= 0 or not self.size.height:
            return None
        top = self.scroll_offset.y
        rows = self._rows(self._content, width)[top:top + self.size.height]
        return (width, top, self._strips_key), rows

    def prepare(self, content: Content) -> None:
        """Wrap `content` for this view's width ahead of showing it (a read-ahead task)."""
        width = self._text_width(content)
        if width > 0:
            self._rows(content, width).build(0, self.size.height)  # counted; its top wrapped

    def render(self) -> Content:
        """The text shown (what `str(view.render())` reads, as of a Static)."""
        return self._content

    # -- wrapping ------------------------------------------------------------------------------
    def _rules(self) -> tuple[Any, ...]:
        get = self.styles.get
        return (get("text_align", "left"), get("text_overflow", "fold"),
                get("text_wrap", "wrap") == "nowrap", get("line_pad", 0))

    def _rows(self, content: Content, width: int) -> Rows:
        return _wrapped(_key(content), content, width, self._rules())

    def _text_width(self, content: Content) -> int:
        """The width the text wraps to: the view's, less a scrollbar when it needs one."""
        styles = self.styles
        width, height = self.size  # inside the padding and border
        if width <= 0:
            return 0
        if styles.overflow_y != "hidden" and (
            # Rows it wraps to at least (its lines; its cells over the width): a text sure to
            # need the scrollbar is wrapped only for the width that leaves room for it.
            max(content.plain.count("\n") + 1, -(-content.cell_length // width)) > height
            or len(self._rows(content, width)) > height
        ):
            width -= styles.scrollbar_size_vertical
        return max(width, 0)

    def _fit(self) -> None:
        width = self._text_width(self._content)
        if width <= 0:
            return
        size = Size(width, len(self._rows(self._content, width)))
        height = self.styles.height
        if height is None or height.is_auto:
            self.virtual_size = size  # its own height follows its rows: the screen re-lays out
        elif size != self.virtual_size:
            # A fixed height (an output card): another row count changes the scroll range and
            # the scrollbar, not the layout (the reactive would re-lay out the whole screen on
            # every output shown). A scrollbar that comes or goes still re-lays out, through
            # `show_vertical_scrollbar`.
            self.set_reactive(ScrollView.virtual_size, size)
            self._scroll_update(size)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # `height: auto` (the prompt): as many rows as the text wraps to at this width.
        return len(self._rows(self._content, width)) if width > 0 else 0

    def on_resize(self, _event: events.Resize) -> None:
        self._fit()

    # -- drawing -------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        style = self.visual_style
        width = self.scrollable_content_region.width
        index = y + self.scroll_offset.y
        rows = self._rows(self._content, width) if width > 0 else None
        if rows is None or index >= len(rows):
            # Empty: the row is filled as its padding is (one run of the same style, as the
            # space under a Static in a scroll was).
            return Strip([], 0)
        key = (width, style, self._rules())
        if key != self._strips_key:
            self._strips.clear()
            self._strips_key = key
        strip = self._strips.get(index)
        if strip is None:
            strip = self._strips[index] = Strip(*rows[index].to_strip(style))
        return strip
