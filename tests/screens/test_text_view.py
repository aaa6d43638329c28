"""TextView's rows: counted for the whole text, wrapped a paragraph at a time when drawn, and
the same rows, cell for cell, as Textual wraps the whole text (what a Static draws)."""

from __future__ import annotations

import random

from textual.app import App, ComposeResult
from textual.content import Content, Span
from textual.style import Style

from screens.widgets import text_view
from screens.widgets.text_view import Rows, TextView, _style

WORDS = ["a", "bb", "word", "longerword", "x" * 30, "\t", "é", "日本語", "  ", "…", "e\u0301"]


def some_text(rng: random.Random) -> Content:
    parts = []
    for _ in range(rng.randint(0, 40)):
        parts.append(rng.choice(WORDS))
        parts.append(rng.choice([" ", " ", "  ", "\n", "\n\n", ""]))
    text = "".join(parts)
    spans = []
    if text and rng.random() < 0.5:
        start = rng.randint(0, len(text) - 1)
        spans = [Span(start, rng.randint(start, len(text)), "bold")]
    return Content(text, spans)


def test_rows_a_paragraph_at_a_time_are_the_rows_of_the_whole_text():
    rng = random.Random(7)
    style = Style()
    for _ in range(400):
        content = some_text(rng)
        line_pad = rng.choice([0, 0, 1])
        width = rng.randint(1 + 2 * line_pad, 40)
        rules = (rng.choice(["left", "center", "right", "justify"]),
                 rng.choice(["fold", "ellipsis", "clip"]), rng.random() < 0.2, line_pad)
        align, overflow, no_wrap, _ = rules
        whole = content._wrap_and_format(width, align=align, overflow=overflow, no_wrap=no_wrap,
                                         line_pad=line_pad, tab_size=8, get_style=_style)
        rows = Rows(content, width, rules)
        assert len(rows) == len(whole), (content.plain, width, rules)
        shown = [rows[n] for n in range(len(rows))]
        assert [r.to_strip(style) for r in shown] == [r.to_strip(style) for r in whole]
        assert [(r.x, r.y, r.line_end) for r in shown] == [(r.x, r.y, r.line_end) for r in whole]
        top = rng.randint(0, len(whole))
        assert [r.content for r in rows[top:top + 5]] == [r.content for r in whole[top:top + 5]]


class OneView(App):
    def compose(self) -> ComposeResult:
        yield TextView(classes="body")

    CSS = ".body { height: 10; }"


async def test_a_long_text_prepared_or_shown_wraps_only_the_paragraphs_on_screen(monkeypatch):
    """A 16,000-character window (an output of 100 kB) is counted, not wrapped whole: preparing
    it wraps its first screen's paragraphs, scrolling to its end the last ones."""
    paragraph = ("Some words of a long output, a sentence at a time. " * 12).strip()
    content = Content("\n\n".join(f"{n} {paragraph}" for n in range(25)) + "\n\nThe end.")
    text_view._wrapped.cache_clear()
    wrapped: list[int] = []
    wrap = Content._wrap_and_format

    def counting(self, *args, **kwargs):
        wrapped.append(len(self.plain))
        return wrap(self, *args, **kwargs)

    app = OneView()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(TextView)
        monkeypatch.setattr(Content, "_wrap_and_format", counting)
        view.prepare(content)
        assert 0 < sum(wrapped) <= 2 * len(paragraph), wrapped  # its top: one paragraph or two
        wrapped.clear()
        view.update(content)
        await pilot.pause()
        assert wrapped == [], wrapped  # prepared: only drawn
        view.scroll_end(animate=False)
        await pilot.pause()
        assert 0 < sum(wrapped) <= 2 * len(paragraph), wrapped
        rows = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "The end." in rows
