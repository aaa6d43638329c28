"""F1 lists a work screen's own keys first, grouped as the labeler uses them (the typed digits,
flag letters and ranking letters included), Textual's generic keys last; `?` explains every
field, with or without a help text in the schema."""

from __future__ import annotations

from textual.widgets import Static

from screens.help import HelpScreen
from screens.widgets.markdown_text import MarkdownText
from store.schema import load_schema
from tests.conftest import press_settled, settle


def listed(app) -> list[str]:
    return str(app.screen.query_one("#help-keys", Static).render()).split("\n")


def index_of(lines: list[str], text: str) -> int:
    return next(n for n, line in enumerate(lines) if text in line)


async def test_f1_on_the_ranking_step_lists_its_keys_first_and_generic_keys_last(make_app):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c", "greater_than_sign", "greater_than_sign", "f1")
        assert isinstance(app.screen, HelpScreen)
        lines = listed(app)
        assert lines[1] == "Ranking step"
        ranking = lines[1:index_of(lines, "Instruction step")]  # then the others, in order
        for what in ("A–C  Place an output, best first",
                     "A–C  On a complete ranking: start anew", "Tie", "Take back", "Move", "Undo",
                     "Submit"):
            assert any(what in line for line in ranking), what
        screen_keys = lines[index_of(lines, "This screen"):index_of(lines, "Everywhere")]
        assert any("Skip" in line for line in screen_keys)
        assert index_of(lines, "Instruction step") < index_of(lines, "Scores step")
        scores = lines[index_of(lines, "Scores step"):index_of(lines, "This screen")]
        assert any("1–7  Rating" in line for line in scores)
        for field in load_schema().task("output").fields:
            if field.kind != "scale":  # every flag letter, as the labeler types it
                assert any(f"{field.key}  {field.label}" in line for line in scores), field.name
        generic = index_of(lines, "Scrolling and focus")
        assert lines[-1].strip() and generic > index_of(lines, "Everywhere")
        for textual_key in ("Focus Next", "Focus Previous", "Copy selected text"):
            assert index_of(lines, textual_key) > generic


async def test_the_keys_are_in_the_help_screens_first_frame(make_app, monkeypatch):
    seen: list[str] = []
    mount = HelpScreen.on_mount

    def on_mount(self) -> None:
        seen.append(str(self.query_one("#help-keys", Static).render()))
        mount(self)

    monkeypatch.setattr(HelpScreen, "on_mount", on_mount)
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c", "f1")
        assert isinstance(app.screen, HelpScreen)
    assert seen and "Instruction step" in seen[0]  # no list popping in after the first frame


async def test_question_mark_explains_every_instruction_field(make_app):
    app = make_app("alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await press_settled(pilot, "c", "question_mark")
        rules = app.screen.query_one("#pii-rules", MarkdownText)
        await settle(pilot, lambda: rules.display and rules.content_size.width)
        text = " ".join(line.plain.strip() for line in rules.lines(rules.content_size.width))
        for field in load_schema().task("instruction").fields:
            assert f"[{field.key}] {field.label}" in text, field.name  # help text or not


async def test_question_mark_on_the_scores_step_lists_every_field(make_app):
    app = make_app("alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await press_settled(pilot, "c", "greater_than_sign", "question_mark")
        shown = str(app.screen.query_one("#scores-help", Static).render())
        for field in load_schema().task("output").fields:
            assert f"[{field.key}] {field.label}" in shown, field.name
