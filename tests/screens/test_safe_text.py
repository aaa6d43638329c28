"""Every hostile item, shown through SafeText in a real app, stays literal and harmless."""

from __future__ import annotations

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content

from screens.widgets.safe_text import (
    PART,
    SafeInput,
    SafeText,
    safe_content,
    safe_markup,
)
from screens.widgets.safe_text_area import SafeTextArea
from store.text import on_screen
from tests.corpus.hostile import BY_NAME, CORPUS, LONE_SURROGATE, Hostile
from tests.corpus.terminal import assert_harmless, screen_lines


class Host(App):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield SafeText(self.text, id="shown")

    def on_mount(self) -> None:
        self.notify(on_screen(self.text[:200]), title="Imported", markup=False, timeout=60)


@pytest.mark.parametrize("item", [*CORPUS, LONE_SURROGATE], ids=lambda item: item.name)
async def test_hostile_text_is_literal_and_harmless(item: Hostile) -> None:
    app = Host(item.text)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        assert_harmless(app, item)
        await pilot.click("#shown")
        await pilot.press("enter", "space")
        await pilot.pause()
        assert app.is_running and app.return_code is None


async def test_clicking_a_click_action_does_not_quit() -> None:
    item = BY_NAME["markup_click"]
    app = Host(item.text)
    async with app.run_test(size=(60, 10), notifications=True) as pilot:
        for x in range(0, 30, 3):
            await pilot.click("#shown", offset=(x, 0))
        await pilot.pause()
        assert app.is_running
        assert "[@click=app.quit]quit-me[/]" in screen_lines(app)[0]


async def test_a_one_megabyte_line_is_shown_in_parts() -> None:
    item = BY_NAME["one_mb_line"]
    app = Host(item.text)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        shown = app.query_one(SafeText)
        rest = len(item.text) - PART
        assert f"{rest:,} more characters" in shown.render().plain
        shown.focus()
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert shown.part == 2
        assert f"{2 * PART:,} characters before" in shown.render().plain
        for _ in range(3):
            await pilot.press("left_square_bracket")
        assert shown.part == 0
        shown.part = 10**6
        shown.action_next_part()
        assert shown.part == (len(item.text) - 1) // PART
        assert "more characters" not in shown.render().plain


def test_safe_keeps_ordinary_text_and_whitespace() -> None:
    text = "Ünïcødé, tabs\tand\nnew lines; 中文 👍"
    assert on_screen(text) is text or on_screen(text) == text
    assert on_screen("a\r\nb\rc") == "a\nb␍c"
    assert on_screen("\x1b[31m") == "␛[31m"


def test_content_is_never_markup() -> None:
    assert isinstance(safe_content("[b]x[/b]"), Content)
    assert safe_content("[/foo]").plain == "[/foo]"
    mixed = safe_markup("[b]$name[/b] wrote $what", name="[/x]\x1b]0;t\x07", what="$name")
    assert mixed.plain == "[/x]␛]0;t␇ wrote $name"


class Editors(App):
    def compose(self) -> ComposeResult:
        yield SafeInput(id="line")
        yield SafeTextArea(id="area")


@pytest.mark.parametrize("item", [i for i in CORPUS if i.name != "one_mb_line"],
                         ids=lambda item: item.name)
async def test_pasted_hostile_text_is_neutralised(item: Hostile) -> None:
    app = Editors()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        for widget in (app.query_one(SafeInput), app.query_one(SafeTextArea)):
            widget.focus()
            app.post_message(events.Paste(item.text))  # as the driver does for a paste
            await pilot.pause()
        assert app.query_one(SafeTextArea).text == on_screen(item.text)
        assert app.query_one(SafeInput).value == on_screen(item.text).splitlines()[0]
        assert_harmless(app, item, literal=False)


def test_screens_build_inputs_that_neutralise_pastes() -> None:
    """Every Input/TextArea a screen builds (or subclasses) is the Safe one."""
    import ast
    from pathlib import Path

    import screens

    raw = []
    for path in Path(screens.__file__).parent.rglob("*.py"):
        if path.name in ("safe_text.py", "safe_text_area.py"):  # where the Safe ones are made
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            used = [node.func] if isinstance(node, ast.Call) else (
                node.bases if isinstance(node, ast.ClassDef) else [])
            raw += [f"{path.name}:{node.lineno}" for n in used  # type: ignore[attr-defined]
                    if isinstance(n, ast.Name) and n.id in ("Input", "TextArea")]
    assert raw == []
