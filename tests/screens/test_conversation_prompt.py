"""A prompt that is a conversation, on the screens that show prompts, at 80x24: every turn with
its role, earlier turns folded to the last few (ctrl+r unfolds), the final user turn marked,
text shown literally."""

from __future__ import annotations

import json

from screens.comparison import ComparisonScreen
from screens.widgets.prompt.conversation import KEEP, render_turns
from screens.writing import WritingScreen
from store.imports import import_outputs, import_prompts
from store.roster import add_labeler
from tests.conftest import press_settled, settle
from tests.screens.screen_text import screen_text

TURNS = [
    {"role": "system", "content": "You are a bicycle shop assistant."},
    {"role": "user", "content": "My brake squeals. " * 12},
    {"role": "assistant", "content": "Have you cleaned the rims?"},
    {"role": "user", "content": "Yes, yesterday."},
    {"role": "assistant", "content": "Then check the pad angle."},
    {"role": "user", "content": "How? [bold]toe-in[/bold] \x1b[31m?"},
]


def _app(db, tmp_path, tasks):
    from store.schema import load_schema
    from tui.app import LabelDeskApp
    from tui.config import Config

    add_labeler(db, "alice", "labeler")
    prompts = tmp_path / "p.jsonl"
    prompts.write_text(json.dumps({"id": "c1", "messages": TURNS, "tasks": tasks}) + "\n")
    import_prompts(db, prompts)
    if tasks == ["comparison"]:
        outputs = tmp_path / "o.jsonl"
        outputs.write_text("".join(json.dumps({"id": f"c1-o{i}", "prompt_id": "c1", "text": t}) + "\n"
                                   for i, t in enumerate(["Loosen the pad bolt.", "Buy a new bike."], 1)))
        import_outputs(db, outputs)
    return LabelDeskApp(db=db, labeler="alice", role="labeler", config=Config(), schema=load_schema())


def test_turns_fold_to_the_last_few_and_the_last_user_turn_stands_out():
    folded = render_turns(TURNS).plain
    assert f"▸ {len(TURNS) - KEEP} earlier turns folded (ctrl+r unfolds)" in folded
    assert "bicycle shop" not in folded and "Assistant: Then check the pad angle." in folded
    assert folded.endswith("▶ User (the outputs answer this turn): How? [bold]toe-in[/bold] ␛[31m?")
    unfolded = render_turns(TURNS, unfolded=True).plain
    assert "System: You are a bicycle shop assistant." in unfolded and "▸" not in unfolded
    assert [line.split(":")[0] for line in unfolded.splitlines()[1:]] == [
        "System", "User", "Assistant", "User", "Assistant", "▶ User (the outputs answer this turn)"]


async def test_the_comparison_screen_shows_the_conversation(db, tmp_path):
    app = _app(db, tmp_path, ["comparison"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, ComparisonScreen) and app.screen.view)
        shown = screen_text(app)
        assert "6 turns, 3 earlier turns folded (ctrl+r unfolds)" in shown
        assert "▶ User (the outputs answer this turn): How?" in shown
        assert "Assistant: Then check the pad angle." in shown and "bicycle shop" not in shown
        assert "[bold]toe-in[/bold]" in shown and "\x1b[31m" not in shown  # literal, inert
        await press_settled(pilot, "ctrl+r")
        shown = screen_text(app)
        assert "all 6 turns (ctrl+r folds)" in shown and "earlier turns folded" not in shown
        # Taller than the panel now: shown from its end, so the turn to answer stays in view.
        assert "▶ User (the outputs answer this turn): How?" in shown and "bicycle shop" not in shown
        await press_settled(pilot, "ctrl+r")
        assert "3 earlier turns folded" in screen_text(app)


async def test_the_writing_screen_shows_the_conversation(db, tmp_path):
    app = _app(db, tmp_path, ["demonstration"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w")
        await settle(pilot, lambda: isinstance(app.screen, WritingScreen) and app.screen.view)
        assert "▶ User (the outputs answer this turn)" in screen_text(app)
        await press_settled(pilot, "ctrl+r")
        assert "all 6 turns" in screen_text(app)
