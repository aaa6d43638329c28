"""A labeler's day at 80x24 (and 60x20): every essential key visible in the footer, and a
snapshot of every screen at both sizes (the look; regenerate with --snapshot-update)."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from screens.help import HelpScreen
from store import demonstrations, queue
from store.quiz import admin as quizzes
from tests.conftest import QUIZ_EXAMPLE, press_settled, snapshot_keys
from tui.config import Config

SIZES = [(80, 24), (60, 20)]


def visible_keys(app) -> set[str]:
    """Descriptions of the footer keys drawn wholly on screen, left of the palette key (the
    footer keeps other sets of keys mounted, not displayed: they have no region)."""
    keys = [k for k in app.screen.query(FooterKey) if k.region.width]
    palette = [k for k in keys if k.has_class("-command-palette") and k.display]
    right = palette[0].region.x if palette else app.size.width
    return {k.description for k in keys
            if not k.has_class("-command-palette") and 0 < k.region.width and k.visible
            and k.region.right <= right}


def assign_quiz(db):
    quizzes.import_quiz(db, QUIZ_EXAMPLE)
    quizzes.assign_quiz(db, "screening-demo", ["alice"])


# (what, keys pressed from home, essential footer keys at 80x24)
ESSENTIAL = [
    ("instruction step", ["c"], {"Next / submit", "Skip", "Flag", "Home", "Help", "Quit"}),
    ("scores step", ["c", "greater_than_sign"], {"Next / submit", "Skip", "Flag", "Home", "Help"}),
    ("ranking step", ["c", "greater_than_sign", "greater_than_sign"],
     {"Submit", "Tie", "Take back", "Move", "Skip", "Flag", "Home", "Help"}),
    ("writing", ["w"], {"Submit", "Skip", "Home", "Help", "Quit"}),
    ("toxicity", ["x"], {"Rank / Submit", "Skip", "Home", "Help", "Quit"}),
    ("survey", ["v", "enter"], {"Submit", "Home", "Help"}),
]


@pytest.mark.parametrize(("what", "keys", "essential"), ESSENTIAL, ids=[e[0] for e in ESSENTIAL])
async def test_essential_keys_are_visible_at_80x24(make_app, what, keys, essential):
    cfg = Config()
    cfg.data["comparison"]["advance_after_rating"] = False
    app = make_app("alice", config=cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, *keys)
        assert essential <= visible_keys(app), (what, essential - visible_keys(app))


@pytest.mark.parametrize(("what", "keys"), [(e[0], e[1]) for e in ESSENTIAL]
                         + [("quiz", ["s", "enter"]), ("quiz ranking", ["s", "enter"] + ["ctrl+n"] * 3)],
                         ids=[e[0] for e in ESSENTIAL] + ["quiz", "quiz ranking"])
async def test_help_and_quit_are_visible_on_every_step_at_60_columns(make_app, sample_db, what,
                                                                     keys):
    assign_quiz(sample_db)
    cfg = Config()
    cfg.data["comparison"]["advance_after_rating"] = False
    app = make_app("alice", config=cfg)
    async with app.run_test(size=(60, 20)) as pilot:
        await press_settled(pilot, *keys)
        assert {"Help", "Quit"} <= visible_keys(app), (what, visible_keys(app))


async def test_quiz_keys_are_visible_at_80x24(make_app, sample_db):
    assign_quiz(sample_db)
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", "enter")
        await pilot.pause()
        assert {"Save / submit", "Done", "Yes", "No", "Next item"} <= visible_keys(app)


async def test_f1_lists_the_keys_the_footer_has_no_room_for(make_app):
    app = make_app("alice")
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("c", "greater_than_sign", "greater_than_sign")
        await pilot.pause()
        hidden = {"Undo", "Reset", "Rules"} - visible_keys(app)
        assert hidden  # at 60 columns some keys do not fit …
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = str(app.screen.query_one("#help-keys").render())
        assert all(f"  {d}" in listed for d in hidden)  # … and F1 lists them


# -- snapshots -------------------------------------------------------------------------------

SCREENS = {
    "home": [],
    "help": ["f1"],
    "instruction": ["c"],
    "category_list": ["c", "g"],
    "scores": ["c", "greater_than_sign", "5", "f"],
    "ranking": ["c", "greater_than_sign", "5", "l", "3", "l", "3", "enter"],
    "instruction_only": ["i"],
    "writing": ["w"],
    "writing_skip": ["w", "f4"],
    "toxicity": ["x", "1"],
    "toxicity_ranking": ["x", "0", "0", "0", "7", "right", "0", "2", "1", "2", "enter"],
    "survey": ["v", "enter"],
    "survey_list": ["v"],
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SCREENS))
def test_screen_snapshot(make_app, snap_compare, name, size):
    cfg = Config()
    cfg.data["comparison"]["advance_after_rating"] = False
    assert snap_compare(make_app("alice", config=cfg), terminal_size=size,
                        run_before=snapshot_keys(*SCREENS[name]))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", ["stats", "scoring"])
def test_researcher_screen_snapshot(make_app, sample_db, snap_compare, name, size):
    if name == "scoring":
        a = queue.claim_next(sample_db, "alice", "demonstration")
        demonstrations.submit_demonstration(sample_db, a.id, a.item, "Plants make food.")
    keys = ["t"] if name == "stats" else ["d", "5"]
    assert snap_compare(make_app("rhea"), terminal_size=size, run_before=snapshot_keys(*keys))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", ["flags", "ranking"])
def test_quiz_snapshot(make_app, sample_db, snap_compare, name, size):
    assign_quiz(sample_db)
    keys = ["s", "enter"] + (["ctrl+n"] * 3 if name == "ranking" else [])
    assert snap_compare(make_app("alice"), terminal_size=size, run_before=snapshot_keys(*keys))


# -- nothing cut off ---------------------------------------------------------------------------

def test_flag_rows_pair_fields_and_give_a_long_label_its_own_row():
    from screens.widgets.scores.scores_panel import flag_rows

    assert flag_rows([10, 12, 50, 9, 9, 9], 78, 38) == [[0, 1], [2], [3, 4], [5]]
    assert flag_rows([20, 30, 46, 20, 20], 58) == [[0, 1], [2], [3, 4]]  # flowing when narrow
    assert flag_rows([], 78, 38) == []


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (200, 50)])
async def test_flag_labels_and_the_step_bar_are_never_cut(make_app, size):
    app = make_app("alice")
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", "greater_than_sign")
        await pilot.pause()
        fields = str(app.screen.query_one(".card-fields").render())
        assert "[a] Inappropriate for a customer assistant" in fields and "…" not in fields
        assert max(len(line) for line in fields.splitlines()) <= size[0] - 2
        for line in ("#steps-bar", "#task-title"):
            assert "…" not in str(app.screen.query_one(line).render())


@pytest.mark.parametrize("size", SIZES)
async def test_the_writing_skip_list_shows_every_reason_above_the_footer(make_app, size):
    from textual.widgets import Footer, OptionList

    from screens.widgets.skip_panel import REASONS, SkipPanel

    app = make_app("alice")
    async with app.run_test(size=size) as pilot:
        await pilot.press("w", "f4")
        await pilot.pause()
        panel = app.screen.query_one(SkipPanel)
        options = panel.query_one(OptionList)
        footer = app.screen.query_one(Footer)
        assert options.option_count == len(REASONS)
        assert options.region.height >= len(REASONS)  # every reason has its row
        assert panel.region.bottom <= footer.region.y  # the box's edge above the footer


async def test_a_footer_key_that_does_not_fit_whole_is_not_drawn_half(make_app):
    from textual.widgets._footer import FooterKey

    app = make_app("alice")
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("w")
        await pilot.pause()
        keys = [k for k in app.screen.query(FooterKey) if not k.has_class("-command-palette")]
        assert any(not k.display for k in keys)  # "Copy answer" has no room at 60 columns …
        # … and the keys drawn end before the edge, Help and Quit among them
        assert all(k.region.right <= app.size.width for k in keys if k.display)
        assert {"Help", "Quit"} <= {k.description for k in keys if k.display and k.visible}
