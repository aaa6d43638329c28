"""Markdown drawn as lines of `Content`, the way Textual's `Markdown` widget draws it, without a
widget per block.

Textual's `Markdown` mounts one widget per block (paragraph, list item, table cell…): the
18 kB guidelines were ~500 widgets, ~1.3 s of CPU for the first F1. Here a document is parsed
once (markdown-it, as Textual does) into blocks, and the blocks are laid out at a width into
lines by the same rules as Textual's default CSS for `Markdown` (margins that collapse, heading
styles, bullets hanging, tables in keylines with Textual's grid column sizing), so one widget
(`screens/widgets/markdown_text.py`) shows a whole section. Styles are component-class names
(".h2", ".code_inline"…) that the showing widget resolves from its CSS, so the theme applies.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from textual.content import Content, Span

BULLETS = ["• ", "▪ ", "‣ ", "⭑ ", "◦ "]  # Textual's, by nesting depth
# (margin top, margin bottom) as Textual's default CSS gives each block.
HEADING_MARGIN = {1: (2, 1), 2: (2, 1), 3: (1, 1), 4: (1, 1), 5: (1, 1), 6: (1, 1)}


@dataclass
class Block:
    kind: str  # heading, paragraph, bullets, numbers, quote, table, code, rule
    content: Content = field(default_factory=Content)
    level: int = 0  # heading level; list start number
    children: list[list[Block]] = field(default_factory=list)  # list items / quote's blocks
    rows: list[list[Content]] = field(default_factory=list)  # table: header row first


def _inline(token: Any) -> Content:
    """An inline token as Content, styles as component classes (Textual's own rules)."""
    parts: list[str] = []
    spans: list[Span] = []
    stack: list[tuple[str, int]] = []
    at = 0

    def add(text: str) -> None:
        nonlocal at
        parts.append(text)
        at += len(text)

    for child in token.children or ():
        kind = child.type
        if kind == "text":
            add(re.sub(r"\s+", " ", child.content))
        elif kind == "hardbreak":
            add("\n")
        elif kind == "softbreak":
            add(" ")
        elif kind == "code_inline":
            start = at
            add(child.content)
            spans.append(Span(start, at, ".code_inline"))
        elif kind in ("em_open", "strong_open", "s_open"):
            stack.append(("." + kind.removesuffix("_open"), at))
        elif kind == "link_open":  # underlined as Textual draws a link; it does nothing
            stack.append((".link", at))
        elif kind == "image":
            add("🖼  " + (f"({child.attrs.get('alt', '')})" if child.attrs.get("alt") else ""))
        elif kind.endswith("_close") and stack:
            style, start = stack.pop()
            spans.append(Span(start, at, style))
    return Content("".join(parts), spans=spans)


@lru_cache(maxsize=1)
def _parser() -> Any:
    """CommonMark with tables and strikethrough: Textual's "gfm-like" without linkify, whose
    regular expressions took longer to build than the guidelines take to parse."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def parse(source: str) -> list[Block]:
    """The blocks of a Markdown document (GitHub-flavoured, as Textual parses it)."""
    tokens = _parser().parse(source)
    root: list[Block] = []
    # Open containers: (block, where its children go). A list item or a quote collects blocks.
    stack: list[tuple[Block | None, list[Block]]] = [(None, root)]
    for token in tokens:
        kind = token.type
        here = stack[-1][1]
        if kind == "heading_open":
            here.append(Block("heading", level=int(token.tag[1])))
        elif kind == "paragraph_open":
            here.append(Block("paragraph"))
        elif kind == "inline":
            container = stack[-1][0]
            if container is not None and container.kind == "table":
                container.rows[-1].append(_inline(token))
            elif here:
                here[-1].content = _inline(token)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            block = Block("bullets" if kind == "bullet_list_open" else "numbers",
                          level=int(token.attrs.get("start", 1) or 1))
            here.append(block)
            stack.append((block, []))
        elif kind == "list_item_open":
            owner = stack[-1][0]
            assert owner is not None
            owner.children.append([])
            stack.append((owner, owner.children[-1]))
        elif kind == "blockquote_open":
            block = Block("quote")
            block.children.append([])
            here.append(block)
            stack.append((block, block.children[0]))
        elif kind == "table_open":
            block = Block("table")
            here.append(block)
            stack.append((block, []))
        elif kind == "tr_open":
            container = stack[-1][0]
            assert container is not None
            container.rows.append([])
        elif kind in ("list_item_close", "blockquote_close", "table_close",
                      "bullet_list_close", "ordered_list_close"):
            stack.pop()
        elif kind in ("fence", "code_block"):
            here.append(Block("code", Content(token.content.rstrip())))
        elif kind == "hr":
            here.append(Block("rule"))
    return root


# -- layout ------------------------------------------------------------------------------------

def _wrap(content: Content, width: int) -> list[Content]:
    return content.wrap(max(width, 1)) if content.plain else [Content("")]


def _margins(block: Block, top_level: bool) -> tuple[int, int]:
    if block.kind == "heading":
        return HEADING_MARGIN[block.level]
    if block.kind in ("quote", "code"):
        return (1, 1)
    if block.kind == "paragraph":
        return (0, 1) if top_level else (0, 0)
    if block.kind in ("bullets", "numbers"):
        return (0, 1) if top_level else (0, 0)
    if block.kind == "table":
        return (0, 1)
    if block.kind == "rule":
        return (0, 1)
    return (0, 0)


def _heading(block: Block, width: int) -> list[Content]:
    """Styled text only (an underline stops where the words do); H1 centred."""
    lines = [line.stylize_before(f".h{block.level}") for line in _wrap(block.content, width)]
    if block.level == 1:
        return [Content(" " * ((width - line.cell_length) // 2)) + line for line in lines]
    return lines


def _items(block: Block, width: int, depth: int) -> list[Content]:
    if block.kind == "bullets":
        symbols = [BULLETS[depth % len(BULLETS)]] * len(block.children)
    else:
        numbers = [f"{n}. " for n in range(block.level, block.level + len(block.children))]
        size = max(len(n) for n in numbers)
        symbols = [n.rjust(size + 1) for n in numbers]
    out: list[Content] = []
    for symbol, item in zip(symbols, block.children, strict=True):
        indent = len(symbol)
        body = layout(item, width - indent, top_level=False, depth=depth + 1) or [Content("")]
        out.append(Content.assemble((symbol, ".bullet"), body[0]))
        out += [Content.assemble((" " * indent, ".bullet"), line) for line in body[1:]]
    return out


def _quote(block: Block, width: int, depth: int) -> list[Content]:
    inner = width - 3  # the border's cell and a cell of padding each side
    body = layout(block.children[0], inner, top_level=False, depth=depth)
    return [Content.assemble(("▌", ".quote_border"), " ", line.pad_right(inner - line.cell_length),
                             " ").stylize_before(".quote") for line in body]


def column_widths(natural: list[int], minimum: list[int], total: int) -> list[int]:
    """Textual's grid sizing of `auto` columns with `expand` and `shrink` (textual._resolve):
    each column's natural width, grown in proportion to fill `total`, or shrunk column by
    column from the first (never below its longest word), then in proportion."""
    widths = [Fraction(n) for n in natural]
    used = sum(widths)
    if used < total:
        widths = [w + Fraction(w, used) * (total - used) for w in widths] if used else widths
    excess = used - total
    if excess > 0:
        for index, (least, width) in enumerate(zip(map(Fraction, minimum), widths, strict=True)):
            remove = max(Fraction(width, used), Fraction(1)) * excess
            widths[index] = max(least, width - remove)
            used = used - width + widths[index]
            excess = used - total
            if excess <= 0:
                break
        used = sum(widths)
        excess = used - total
        if excess > 0:
            widths = [w - Fraction(w, used) * excess for w in widths]
    # Offsets floored as Textual does, with a one-cell gutter between columns.
    ends, at, out = [], Fraction(0), []
    for width in widths:
        at += width
        ends.append(at)
        at += 1
    start = 0
    for end in ends:
        out.append(end.__floor__() - start)
        start = end.__floor__() + 1
    return out


def _longest_word(cell: Content) -> int:
    return max((cell_len(word) for word in cell.plain.split()), default=0)


def _table(block: Block, width: int) -> list[Content]:
    if not block.rows:
        return []
    columns = max(len(row) for row in block.rows)
    rows = [row + [Content("")] * (columns - len(row)) for row in block.rows]
    natural = [max(cell.cell_length for cell in column) + 2 for column in zip(*rows, strict=True)]
    least = [max(_longest_word(cell) for cell in column) + 2 for column in zip(*rows, strict=True)]
    widths = column_widths(natural, least, width - 2 - (columns - 1))

    def rule(left: str, middle: str, right: str) -> Content:
        return Content(left + middle.join("─" * w for w in widths) + right).stylize(".keyline")

    bar = Content("│").stylize(".keyline")
    out = [rule("┌", "┬", "┐")]
    for index, row in enumerate(rows):
        cells = [_wrap(cell, w - 2) for cell, w in zip(row, widths, strict=True)]
        height = max(len(c) for c in cells)
        for y in range(height):
            line = bar
            for lines, w in zip(cells, widths, strict=True):
                text = lines[y] if y < len(lines) else Content("")
                text = Content(" ") + text.pad_right(max(w - 2 - text.cell_length, 0)) + " "
                line = line + (text.stylize_before(".th") if index == 0 else text) + bar
            out.append(line)
        out.append(rule("├", "┼", "┤") if index < len(rows) - 1 else rule("└", "┴", "┘"))
    return out


def _block(block: Block, width: int, depth: int) -> list[Content]:
    if block.kind == "heading":
        return _heading(block, width)
    if block.kind == "paragraph":
        return _wrap(block.content, width)
    if block.kind in ("bullets", "numbers"):
        return _items(block, width, depth)
    if block.kind == "quote":
        return _quote(block, width, depth)
    if block.kind == "table":
        return _table(block, width)
    if block.kind == "code":
        lines = [Content(line).pad_right(max(width - 4 - len(line), 0))
                 for line in block.content.plain.split("\n")]
        blank = Content(" " * (width - 4))
        return [(Content("  ") + line + "  ").stylize_before(".code")
                for line in [blank, *lines, blank]]
    if block.kind == "rule":
        return [Content(""), Content("─" * width).stylize(".rule")]
    return []


def layout(blocks: list[Block], width: int, *, top_level: bool = True, depth: int = 0,
           end: bool = False) -> list[Content]:
    """The lines of `blocks` at `width` cells. Vertical margins collapse between blocks (the
    larger wins); the first block's top margin is kept; the last one's bottom margin only when
    the blocks `end` a document (a section followed by another gets the next heading's)."""
    out: list[Content] = []
    previous_bottom: int | None = None
    for block in blocks:
        top, bottom = _margins(block, top_level)
        out += [Content("")] * (top if previous_bottom is None else max(top, previous_bottom))
        out += _block(block, width, depth)
        previous_bottom = bottom
    if end and previous_bottom:
        out += [Content("")] * previous_bottom
    return out


# The bundled guidelines' sections, parsed at build time (`python -m
# screens.widgets.markdown_lines` after editing screens/guidelines.md; a test fails while it is
# stale): the first F1 then neither imports markdown-it (~20 ms) nor parses (~15 ms). A source
# not in it (an edited file, `?`'s field list) is parsed as it comes.
PREBUILT = Path(__file__).resolve().parents[1] / "guidelines.blocks.json"


def _content_data(content: Content) -> list[Any]:
    return [content.plain, [[s.start, s.end, s.style] for s in content.spans]]


def _content(data: list[Any]) -> Content:
    return Content(data[0], [Span(start, end, style) for start, end, style in data[1]])


def to_data(blocks: list[Block]) -> list[dict[str, Any]]:
    return [{"kind": b.kind, "content": _content_data(b.content), "level": b.level,
             "children": [to_data(child) for child in b.children],
             "rows": [[_content_data(cell) for cell in row] for row in b.rows]} for b in blocks]


def from_data(data: list[dict[str, Any]]) -> list[Block]:
    return [Block(d["kind"], _content(d["content"]), d["level"],
                  [from_data(child) for child in d["children"]],
                  [[_content(cell) for cell in row] for row in d["rows"]]) for d in data]


@lru_cache(maxsize=1)
def prebuilt() -> dict[str, Any]:
    try:
        data = json.loads(PREBUILT.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def build_prebuilt() -> dict[str, Any]:
    """What PREBUILT should hold: each section of the bundled guidelines, parsed."""
    from screens.guidelines import read_guidelines, sections

    return {section: to_data(parse(section)) for section in sections(read_guidelines() or "")}


@lru_cache(maxsize=64)
def parsed(source: str) -> list[Block]:
    data = prebuilt().get(source)
    return from_data(data) if data is not None else parse(source)


@lru_cache(maxsize=512)
def lines_at(source: str, width: int, end: bool = True) -> tuple[Content, ...]:
    """A document's (or section's) lines at `width`, computed once per process: it is shown
    again at the same few widths, so every F1 after the first lays out nothing here."""
    return tuple(layout(parsed(source), width, end=end))


if __name__ == "__main__":
    PREBUILT.write_text(json.dumps(build_prebuilt(), ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{PREBUILT}: written")
