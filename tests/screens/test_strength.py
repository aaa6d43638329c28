"""Preference strength and the reason on the comparison screen's ranking step, by keyboard:
each key script typed in one burst and key by key stores the same labels, read back from the
database; a draft brings the phase back; a changed ranking asks for its strength again."""

from __future__ import annotations

import json

import pytest

from screens.comparison import ComparisonScreen
from screens.widgets.ranking.ranking_panel import RankingPanel
from screens.widgets.ranking.strength_panel import StrengthPanel
from store.imports import import_outputs
from tests.conftest import write_jsonl
from tests.screens.burst import MODES, burst, script, until_idle
from tests.screens.test_input_path import as_letters, stored
from tui.config import DEFAULTS, Config

LEVELS = DEFAULTS["comparison"]["strength_levels"]
SIGNIFICANTLY, BETTER, SLIGHTLY, NEGLIGIBLY = LEVELS


def config(steps=("ranking",), strength=True, reason="optional") -> Config:
    cfg = Config()
    cfg.data["comparison"].update({"steps": list(steps), "strength": strength, "reason": reason,
                                   "advance_after_rating": False})
    return cfg


def four_outputs(db, tmp_path) -> None:
    """p1 gets a fourth output: four to rank."""
    path = tmp_path / "more.jsonl"
    write_jsonl(path, [{"id": "p1-d", "prompt_id": "p1", "text": "Tuesday.", "model": "sft-1.3b"}])
    import_outputs(db, path)


def ranking_of(db, item="p1") -> dict:
    return stored(db, "ranking", item)


async def run(make_app, keys, *, cfg=None, mode="burst", size=(100, 40)):
    """Open the comparison work (`c`) and type `keys` as `mode` says; returns the comparison
    screen (home is on top once no task is left)."""
    app = make_app("alice", config=cfg or config())
    async with app.run_test(size=size) as pilot:
        await burst(app, pilot, ["c"])
        screen = app.screen
        assert isinstance(screen, ComparisonScreen)
        await MODES[mode](app, pilot, keys)
        return screen


@pytest.mark.parametrize("mode", MODES)
async def test_enter_accepts_the_prefilled_levels(make_app, sample_db, mode):
    # B > A > C, Enter: the strength (two boundaries pre-filled "better"), Enter: the reason
    # line (optional), Enter: submitted.
    screen = await run(make_app, script("BA\r\r\r"), mode=mode)
    assert isinstance(screen, ComparisonScreen) and screen.view.prompt.id == "p2"
    got = ranking_of(sample_db)
    assert as_letters(sample_db, "p1", got["ranking"]) == ["B", "A", "C"]
    assert got["strength"] == [BETTER, BETTER] and "reason" not in got


@pytest.mark.parametrize("mode", MODES)
async def test_a_digit_per_boundary_and_a_reason(make_app, sample_db, mode):
    screen = await run(make_app, script("BA\r14\rB cites the time [/x].\r"), mode=mode)
    assert screen.view.prompt.id == "p2"
    got = ranking_of(sample_db)
    assert got["strength"] == [SIGNIFICANTLY, NEGLIGIBLY]
    assert got["reason"] == "B cites the time [/x]."


@pytest.mark.parametrize("mode", MODES)
async def test_the_last_digit_stays_on_the_last_boundary(make_app, sample_db, mode):
    # 1, 2, then 3 on the last boundary again: at most one key per boundary, a second one
    # corrects the last.
    await run(make_app, script("BA\r123\r\r"), mode=mode)
    assert ranking_of(sample_db)["strength"] == [SIGNIFICANTLY, SLIGHTLY]


@pytest.mark.parametrize("mode", MODES)
async def test_strength_off_and_reason_off_submit_on_the_first_enter(make_app, sample_db, mode):
    screen = await run(make_app, script("BA\r"), cfg=config(strength=False, reason="off"), mode=mode)
    assert screen.view.prompt.id == "p2" and screen.strength is None
    assert set(ranking_of(sample_db)) == {"ranking"}


@pytest.mark.parametrize("mode", MODES)
async def test_a_letter_in_the_strength_phase_retypes_the_ranking(make_app, sample_db, mode):
    # B > A > C, Enter, 3 (B > A slightly), then C: back to the ranking, a new one starting
    # with C; B (A placed last): C > B > A; Enter, Enter, Enter.
    await run(make_app, script("BA\r3CB\r\r\r"), mode=mode)
    got = ranking_of(sample_db)
    assert as_letters(sample_db, "p1", got["ranking"]) == ["C", "B", "A"]
    # C > B is new (pre-filled), B > A stands between the same groups: its 3 is kept.
    assert got["strength"] == [BETTER, SLIGHTLY]


@pytest.mark.parametrize("mode", MODES)
async def test_backspace_goes_back_a_boundary_then_to_the_ranking(make_app, sample_db, mode):
    # Enter, 4 (first boundary, cursor on the second), Backspace (first), Backspace (the
    # ranking), m (selects C, the last) = (ties it with A) m: B > A = C.
    await run(make_app, script("BA\r4") + ["backspace", "backspace", "m", "equals_sign", "m",
                                            *script("\r\r\r")], mode=mode)
    got = ranking_of(sample_db)
    assert as_letters(sample_db, "p1", got["ranking"]) == ["B", "AC"]
    assert got["strength"] == [BETTER]  # B > A=C is a new boundary: pre-filled again


@pytest.mark.parametrize("mode", MODES)
async def test_close_asks_for_a_reason_only_when_the_call_is_close(make_app, sample_db, mode):
    cfg = config(reason="close")
    # p1: B > A > C with 1 and 2: not close, no reason asked: Enter submits. p2: A = B tied at
    # the top: the reason is asked; Enter on it empty is refused, then typed.
    await run(make_app, script("BA\r12\rA=B\r\rtoo close to call\r"), cfg=cfg, mode=mode)
    assert ranking_of(sample_db)["strength"] == [SIGNIFICANTLY, BETTER]
    assert "reason" not in ranking_of(sample_db)
    p2 = ranking_of(sample_db, "p2")
    assert len(p2["ranking"]) == 1 and "strength" not in p2  # one group: no boundary
    assert p2["reason"] == "too close to call"


@pytest.mark.parametrize("mode", MODES)
async def test_close_requires_a_reason_for_the_weakest_level(make_app, sample_db, mode):
    app = make_app("alice", config=config(reason="close"))
    async with app.run_test(size=(100, 40)) as pilot:
        await burst(app, pilot, ["c"])
        await MODES[mode](app, pilot, script("BA\r14\r\r"))
        screen = app.screen
        assert screen.view.prompt.id == "p1" and screen.phase == "reason"  # refused: still here
        assert "A reason is needed" in str(screen.query_one("#status").render())
        assert "negligibly" in screen.strength.reason_line.placeholder
    assert ranking_of(sample_db) == {}


async def test_close_requires_a_reason_when_the_ranking_goes_against_the_ratings(make_app, sample_db):
    cfg = config(steps=("scores", "ranking"), reason="close")
    # Rate A 6, B 4, C 2 (suggestion A > B > C), then rank C first: against the ratings; both
    # boundaries "significantly better" (not the weakest level).
    keys = [*script("6l4l2\r"), *script("CBA\r11\r")]
    screen = await run(make_app, keys, cfg=cfg)
    assert screen.phase == "reason" and "against your ratings" in screen.strength.reason_line.placeholder


async def test_defaults_come_from_the_ratings(make_app, sample_db):
    cfg = config(steps=("scores", "ranking"))
    # A 7, B 4, C 3: the suggestion A > B > C; gaps 3 and 1: significantly, slightly.
    await run(make_app, [*script("7l4l3\r"), *script("\r\r\r")], cfg=cfg)
    assert ranking_of(sample_db)["strength"] == [SIGNIFICANTLY, SLIGHTLY]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("phase", ["strength", "reason"])
async def test_quit_mid_step_and_the_draft_brings_it_back(make_app, sample_db, phase, mode):
    typed = {"strength": "BA\r2", "reason": "BA\r2\rhalf a reas"}[phase]
    app = make_app("alice", config=config())
    async with app.run_test(size=(100, 40)) as pilot:
        await burst(app, pilot, ["c", *script(typed), "ctrl+q"])
    row = sample_db.execute("SELECT data FROM drafts").fetchone()
    assert json.loads(row[0])["phase"] == phase
    again = make_app("alice", config=config())
    async with again.run_test(size=(100, 40)) as pilot:
        await until_idle(again, pilot)
        screen = again.screen
        assert isinstance(screen, ComparisonScreen) and screen.phase == phase
        assert screen.strength.choice.chosen[0] == BETTER
        if phase == "reason":
            assert screen.focused is screen.strength.reason_line
            assert screen.strength.reason_line.value == "half a reas"
            tail = script("on\r")
        else:
            assert screen.focused is screen.strength
            tail = script("4\r\r")
        await MODES[mode](again, pilot, tail)
        assert screen.view.prompt.id == "p2"
    got = ranking_of(sample_db)
    if phase == "reason":
        assert got["strength"] == [BETTER, BETTER] and got["reason"] == "half a reason"
    else:
        assert got["strength"] == [BETTER, NEGLIGIBLY] and "reason" not in got


@pytest.mark.parametrize("mode", MODES)
async def test_bounce_to_the_scores_and_back_asks_for_the_strength_again(make_app, sample_db, mode):
    cfg = config(steps=("scores", "ranking"))
    # Rate 6/4/2, the suggestion A > B > C, Enter, 1 2 Enter (accepted: the reason line), ↑
    # (the levels), <: the scores; rate C 7 (the suggestion is now C > A > B); >: the ranking;
    # Enter: its strength, C > A new (pre-filled from the ratings: 7 - 6 = 1 → slightly),
    # A > B between the same groups as before: its 1 is kept.
    keys = [*script("6l4l2\r\r12\r"), "up", "less_than_sign", *script("7"), "greater_than_sign",
            *script("\r\r\r")]
    screen = await run(make_app, keys, cfg=cfg, mode=mode)
    assert screen.view.prompt.id == "p2"
    got = ranking_of(sample_db)
    assert as_letters(sample_db, "p1", got["ranking"]) == ["C", "A", "B"]
    assert got["strength"] == [SLIGHTLY, SIGNIFICANTLY]


async def test_a_ranking_changed_after_its_strength_is_not_submitted_unconfirmed(make_app, sample_db):
    app = make_app("alice", config=config())
    async with app.run_test(size=(100, 40)) as pilot:
        await burst(app, pilot, ["c", *script("BA\r1\r")])  # the reason phase
        screen = app.screen
        assert screen.phase == "reason" and screen.strength.choice.accepted
        await burst(app, pilot, ["up", "backspace", "backspace", *script("CAB")])  # C > A > B
        assert screen.phase == "rank" and not screen.strength.choice.accepted
        panel = screen.query_one(RankingPanel)
        assert as_letters(sample_db, "p1", panel.ranking) == ["C", "A", "B"]
        strength = screen.query_one(StrengthPanel)
        assert strength.choice.chosen == [BETTER, BETTER]  # C > A and A > B: both new


def demo_config() -> Config:
    """What the bundled demo runs with: strength on, the reason optional."""
    cfg = Config()
    cfg.for_demo()
    return cfg


@pytest.mark.parametrize("mode", MODES)
async def test_four_outputs_with_strength_and_a_reason_in_one_burst_reach_export_pairs(
        make_app, sample_db, db_path, tmp_path, mode):
    from click.testing import CliRunner

    from tui.cli import cli

    four_outputs(sample_db, tmp_path)
    # From home: c, the instruction (g: summarization, Enter; Enter: the ranking), the ranking
    # B > D > A > C (C placed last), Enter; 1 2 3 for the three boundaries, Enter; the reason,
    # Enter.
    keys = ["c", *script("gsumm\r\rBDA\r123\rD drops the time; C refuses.\r")]
    cfg = demo_config()
    cfg.data["comparison"]["steps"] = ["instruction", "ranking"]
    app = make_app("alice", config=cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await MODES[mode](app, pilot, keys)
    got = ranking_of(sample_db)
    assert as_letters(sample_db, "p1", got["ranking"]) == ["B", "D", "A", "C"]
    assert got["strength"] == [SIGNIFICANTLY, BETTER, SLIGHTLY]
    result = CliRunner().invoke(cli, ["export", "pairs", "--out", "-", "--db", str(db_path)],
                                env={"LABELDESK_LABELER": "rhea"})
    assert result.exit_code == 0, result.output
    pairs = [json.loads(line) for line in result.output.splitlines()]
    mine = {(p["chosen_id"], p["rejected_id"]): p for p in pairs if p["labeler"] == "alice"}
    order = [g[0] for g in got["ranking"]]  # B, D, A, C as output ids
    best, second, third, last = order
    assert len(mine) == 6
    assert (mine[best, second]["strength"], mine[best, second]["margin"]) == ([SIGNIFICANTLY], 3.0)
    assert mine[best, last]["strength"] == [SIGNIFICANTLY, BETTER, SLIGHTLY]
    assert mine[best, last]["margin"] == 6.0  # 3 + 2 + 1: the boundaries between them
    assert (mine[third, last]["strength"], mine[third, last]["margin"]) == ([SLIGHTLY], 1.0)
    assert {p["reason"] for p in mine.values()} == {"D drops the time; C refuses."}


async def test_f1_question_mark_and_the_footer_show_the_new_keys(make_app, sample_db):
    from textual.widgets._footer import FooterKey

    from screens.help import HelpScreen
    from screens.widgets.footer import Footer
    from store.schema import load_schema
    from tests.conftest import press_settled
    from tests.screens.test_help_keys import index_of, listed

    def footer(app) -> list[str]:
        shown = app.screen.query_one(Footer).key_set()
        return [k.description for k in shown.query(FooterKey) if k.display and k.description]

    app = make_app("alice", config=config(reason="close"))
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c", "B", "A")
        assert "Next: strength / reason" in footer(app)
        await press_settled(pilot, "enter")
        assert footer(app)[:2] == ["Accept strength", "Back"]
        await press_settled(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        lines = listed(app)
        group = lines[index_of(lines, "Strength and reason"):index_of(lines, "This screen")]
        for what in ("1–4  Strength of the boundary under the cursor", "A–I  Back to the ranking",
                     "text  Reason, one line (when the call is close)", "Accept strength",
                     "Back", "Explain strength and reason", "Submit", "Back to strength"):
            assert any(what in line for line in group), what
        ranking = lines[index_of(lines, "Ranking step"):index_of(lines, "Strength and reason")]
        assert any("Next: strength / reason" in line for line in ranking)
        await press_settled(pilot, "escape", "question_mark")
        shown = str(app.screen.query_one("#strength-help").render())
        for field in load_schema().task("ranking").fields:
            if field.name != "ranking":  # the ranking's own keys are the panel's
                assert f"{field.label}: {field.help}" in shown, field.name
        assert "4 negligibly better / unsure" in shown and "only when the call is close" in shown
        await press_settled(pilot, "4", "enter")  # the weakest level: a close call
        assert footer(app)[:2] == ["Submit", "Back to strength"]


def _rated(*keys: str) -> tuple[str, ...]:
    """From home: c, rate four outputs 6, 4, 4, 2 (the suggestion A > B = C > D), Enter: the
    ranking step, then `keys`."""
    return ("c", "6", "l", "4", "l", "4", "l", "2", "enter", *keys)


def test_snapshot_80x24_strength(make_app, sample_db, tmp_path, snap_compare):
    from tests.conftest import snapshot_keys

    four_outputs(sample_db, tmp_path)
    app = make_app("alice", config=config(steps=("scores", "ranking")))
    # Enter on the suggestion: the levels, pre-filled from the ratings; 2: the cursor on the
    # second boundary.
    assert snap_compare(app, terminal_size=(80, 24), run_before=snapshot_keys(*_rated("enter", "2")))


def test_snapshot_80x24_reason_needed(make_app, sample_db, tmp_path, snap_compare):
    from tests.conftest import snapshot_keys

    four_outputs(sample_db, tmp_path)
    app = make_app("alice", config=config(steps=("scores", "ranking"), reason="close"))
    # 1, 4: the second boundary at the weakest level, Enter: the reason is required; typed.
    keys = _rated("enter", "1", "4", "enter", *"B and C say the same")
    assert snap_compare(app, terminal_size=(80, 24), run_before=snapshot_keys(*keys))


async def test_a_failed_submit_keeps_the_levels_and_reason_and_never_says_saved(make_app, sample_db):
    app = make_app("alice", config=config())
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await burst(app, pilot, ["c", *script("BA\r3\rmy reason")])
        screen = app.screen
        assignment = screen.view.assignment.id  # a labeler sees the task as #N
        app.db.execute("PRAGMA query_only = ON")
        await burst(app, pilot, ["enter"])
        assert "Saved" not in str(screen.query_one("#status").render())
        assert screen.view.prompt.id == "p1" and screen.phase == "reason"
        assert screen.strength.reason_line.value == "my reason"
        app.db.execute("PRAGMA query_only = OFF")
        assert ranking_of(sample_db) == {}
        await burst(app, pilot, ["enter"])  # submit again: now it is saved, and says so
        assert str(screen.query_one("#status").render()) == f"Saved #{assignment}."
    got = ranking_of(sample_db)
    assert got["strength"] == [SLIGHTLY, BETTER] and got["reason"] == "my reason"


@pytest.mark.parametrize("mode", MODES)
async def test_a_reason_longer_than_the_line_scrolls_and_is_stored_whole(make_app, sample_db, mode):
    # 98 characters on a 78-column line: the first 60 in one burst either way, the 38 that
    # cross the line's end (and make it scroll) typed as `mode` says.
    start, rest = "A long reason, " * 4, "A long reason, A long reason, the end."
    reason = start + rest
    app = make_app("alice", config=config())
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(app, pilot, ["c", *script("BA\r\r")])
        screen = app.screen
        line = screen.strength.reason_line
        await burst(app, pilot, script(start))
        assert line.value == start and line.scroll_x == 0  # it fits: nothing scrolled yet
        await MODES[mode](app, pilot, script(rest))
        assert line.value == reason and line.scroll_x > 0  # the cursor's end is in view
        assert line.cursor_screen_offset.x < 80
        await MODES[mode](app, pilot, ["enter"])
    assert ranking_of(sample_db)["reason"] == reason


@pytest.mark.parametrize("mode", MODES)
async def test_a_cancelled_skip_goes_back_to_the_phase_it_left(make_app, sample_db, mode):
    # On the reason line: F4 (skip), Escape (cancel), then the reason goes on where it was.
    keys = [*script("BA\r2\rhalf"), "f4", "escape", *script(" and half\r")]
    await run(make_app, keys, mode=mode)
    assert ranking_of(sample_db)["reason"] == "half and half"
