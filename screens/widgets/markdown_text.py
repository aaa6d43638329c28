"""Markdown in one widget: its lines laid out by `markdown_lines` at the widget's width (cached
per process), styled by the component classes below, which carry the rules of Textual's default
CSS for `Markdown` so it looks the same.

`MarkdownText` is a whole document in a widget. `MarkdownDocument` is a column of
`MarkdownLines` (one per section, so a search can hide sections and a heading can be scrolled
to) whose styles it holds once: a widget's component classes are restyled with it, and 17 of
them on each of ~40 sections cost more than everything else on the first F1."""

from __future__ import annotations

from textual.containers import Vertical
from textual.content import Content, Span
from textual.geometry import Size
from textual.widget import Widget

from screens.widgets.markdown_lines import Block, layout, lines_at

COMPONENTS = {"h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "s", "code_inline", "link",
              "bullet", "quote", "quote_border", "th", "keyline", "code", "rule"}
# Textual's default CSS for Markdown's blocks, as component classes of the widget that holds them.
STYLES = "".join(f"""
    & > .h{n} {{ color: $markdown-h{n}-color; background: $markdown-h{n}-background;
        text-style: $markdown-h{n}-text-style; }}""" for n in range(1, 7)) + """
    & > .em { text-style: italic; }
    & > .strong { text-style: bold; }
    & > .s { text-style: strike; }
    & > .link { text-style: underline; }
    &:dark > .code_inline { background: $warning 10%; color: $text-warning 95%; }
    &:light > .code_inline { background: $error 5%; color: $text-error 95%; }
    & > .bullet { color: $text-primary; }
    &:light > .bullet { color: $text-secondary; }
    & > .quote { background: $boost; }
    & > .quote_border { color: $text-primary 50%; }
    &:light > .quote_border { color: $text-secondary; }
    & > .th { color: $primary; }
    & > .keyline { color: $foreground 20%; }
    & > .code { color: rgb(210,210,210); background: black 10%; }
    & > .rule { color: $secondary; }
"""


class MarkdownLines(Widget):
    """Markdown source shown as lines: one widget however many blocks it has. Its spans name
    component classes (".h2"…) that an ancestor holding `COMPONENTS` resolves."""

    # Component class -> a literal style drawn instead: Textual's component styles cannot
    # carry `reverse` (get_visual_style keeps bold, dim, italic, underline and strike only).
    LITERAL_STYLES: dict[str, str] = {}
    DEFAULT_CSS = """
    MarkdownLines {
        height: auto;
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    def __init__(self, source: str = "", *, end: bool = True, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.source = source
        self.end = end  # the last block's bottom margin is drawn (a document ends here)
        self.blocks: list[Block] | None = None  # shown instead of `source` when given
        self._laid_out: dict[int, tuple[Content, ...]] = {}

    def update(self, source: str, *, end: bool | None = None) -> None:
        if end is not None:
            self.end = end
        self.source, self.blocks = source, None
        self.refresh(layout=True)

    def show_blocks(self, blocks: list[Block]) -> None:
        """Blocks built in code (text shown as written, nothing parsed), laid out as Markdown."""
        self.source, self.blocks, self._laid_out = "", blocks, {}
        self.refresh(layout=True)

    def lines(self, width: int) -> tuple[Content, ...]:
        if self.blocks is not None:
            if width not in self._laid_out:
                self._laid_out = {width: tuple(layout(self.blocks, width, end=self.end))}
            return self._laid_out[width]
        return lines_at(self.source, width, self.end) if self.source else ()

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        lines = self.lines(self.content_size.width)
        if self.LITERAL_STYLES:
            swap = self.LITERAL_STYLES
            lines = tuple(Content(line.plain, [Span(span.start, span.end, swap.get(
                span.style, span.style)) if isinstance(span.style, str) else span
                for span in line.spans]) for line in lines)
        return Content("\n").join(lines)


class MarkdownText(MarkdownLines):
    """A Markdown document with its own styles and the padding of Textual's `Markdown`."""

    COMPONENT_CLASSES = COMPONENTS
    DEFAULT_CSS = "MarkdownText { padding: 0 2; " + STYLES + "}"


class MarkdownDocument(Vertical):
    """Sections of Markdown (`MarkdownLines`), with the styles and padding of Textual's
    `Markdown`."""

    COMPONENT_CLASSES = COMPONENTS
    DEFAULT_CSS = "MarkdownDocument { height: auto; padding: 0 2; " + STYLES + "}"
