"""MarkdownText draws Markdown as Textual's Markdown widget does (same cells, same styles) while
being one widget, and the help screen built on it stays a few dozen widgets."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Markdown

from screens.help import HelpScreen
from screens.widgets.markdown_lines import column_widths
from screens.widgets.markdown_text import MarkdownText
from tests.conftest import press_settled
from tests.screens.screen_text import screen_text

DOC = """# A title

A paragraph with **bold**, *emphasis*, `code` and ~~struck~~ words, long enough to wrap at the
width of the test terminal, and a [link](#a-title).

## A section

- first item, long enough to wrap onto a second line under the first one's text
- second item
  - nested item
- third item

1. one
2. two, also long enough to wrap onto a second line under the first one's words

### A table

| field | what | anchors |
|---|---|---|
| `pii_sensitive_context` | Only when `pii` is yes: is it information a person would not share? | 1 to 7 |
| short | A conversation the model continues as one speaker. | -1, 0, 1 |

> A quote that is long enough to wrap onto a second line inside its border and background.

Last paragraph.
"""


def cells(app) -> list[list[tuple]]:
    """Each cell's character, colours and attributes (what a terminal shows)."""
    rows = []
    for strip in app.screen._compositor.render_strips():
        row = []
        for segment in strip:
            style = segment.style
            for char in segment.text:
                visible = char != " "
                row.append((char, style.bgcolor, style.color if visible else None,
                            bool(style.bold) and visible, bool(style.italic) and visible,
                            bool(style.underline), bool(style.strike), bool(style.reverse)))
        rows.append(row)
    return rows


async def drawn(widget, size) -> list[list[tuple]]:
    class One(App):
        def compose(self):
            yield widget

    app = One()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        return cells(app)


async def test_markdown_text_draws_what_textuals_markdown_draws():
    for size in ((60, 60), (100, 50)):
        ours, textuals = await drawn(MarkdownText(DOC), size), await drawn(Markdown(DOC), size)
        assert len(ours) == len(textuals)
        differing = [y for y, (a, b) in enumerate(zip(ours, textuals, strict=True)) if a != b]
        # The one known difference: the quote, whose 50% bar and translucent background Textual
        # blends over the page behind it and we over the quote's own background: a shade apart
        # (at most 6 of 255 per channel), same characters and attributes.
        quote_rows = [y for y, row in enumerate(textuals) if any(c[0] == "▌" for c in row)]
        assert quote_rows and set(differing) <= set(quote_rows), (size, differing)
        for y in differing:
            for a, b in zip(ours[y], textuals[y], strict=True):
                assert a[0] == b[0] and a[3:] == b[3:]
                for ours_colour, their_colour in zip(a[1:3], b[1:3], strict=True):
                    assert (ours_colour is None) == (their_colour is None)
                    if ours_colour is not None:
                        assert max(abs(p - q) for p, q in zip(
                            ours_colour.triplet, their_colour.triplet, strict=True)) <= 6

def test_table_columns_are_sized_as_textuals_grid():
    # Natural widths grow to fill; else shrink from the first column, never below a word.
    assert column_widths([10, 20], [5, 5], 61) == [20, 41]
    assert column_widths([36, 28, 102], [15, 11, 16], 70) == [15, 11, 44]


async def test_the_help_screen_is_a_few_dozen_widgets_and_opens_at_its_topic(make_app):
    """Textual's Markdown mounted ~500 widgets for the guidelines (1.3 s of CPU on the first
    F1); a section is one widget now. The writing screen's F1 opens at its HELP_TOPIC."""
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "w", "f1")
        assert isinstance(app.screen, HelpScreen)
        assert len(list(app.screen.query("*"))) < 120
        body = app.screen.query_one("#help-body")
        assert body.scroll_y > 0
        top = screen_text(app).split("\n")[3:8]
        assert any("The three criteria" in line for line in top), top


def test_the_prebuilt_guidelines_are_current_and_parse_alike():
    """screens/guidelines.blocks.json holds each section of the bundled guidelines parsed at
    build time (the first F1 then neither imports markdown-it nor parses): stale, it fails
    here; regenerate it with `python -m screens.widgets.markdown_lines`."""
    from screens.widgets import markdown_lines

    expected = markdown_lines.build_prebuilt()
    assert expected and markdown_lines.prebuilt() == expected, \
        "screens/guidelines.blocks.json is stale: python -m screens.widgets.markdown_lines"
    for section, data in expected.items():
        assert markdown_lines.layout(markdown_lines.from_data(data), 70) == \
            markdown_lines.layout(markdown_lines.parse(section), 70)
