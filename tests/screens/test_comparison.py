"""The comparison screen driven by the keys a labeler presses, read back from the database."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone

import pytest

from screens.comparison import ComparisonScreen
from screens.instruction import InstructionScreen
from screens.widgets.instruction.instruction_panel import InstructionPanel
from screens.widgets.prompt.prompt_panel import readable_prompt
from screens.widgets.ranking.ranking_panel import RankingPanel
from screens.widgets.scores.scores_panel import ScoresPanel
from store import labels, queue
from store.imports import import_prompts
from store.values import LabelValue
from tests.conftest import settle, snapshot_keys
from tui.config import Config

# tests/data: p1 (summarization, outputs p1-a..c) and p2 (a haiku with markup-looking text,
# outputs p2-a, p2-b) are the comparisons, claimed in that order.


def config(**comparison) -> Config:
    """A config for these tests; a rating stays on its output unless a test asks to advance."""
    cfg = Config()
    cfg.data["comparison"].update({"advance_after_rating": False, **comparison})
    return cfg


def saved(db, task: str, item: str) -> dict:
    """The labels stored for one item, field → value (through the store's reader)."""
    return {row.field: row.value for row in labels.iter_labels(db, task=task) if row.item == item}


def letters(db, assignment_id: int) -> dict[str, str]:
    """Letter → output id for an assignment: the shuffle the labeler saw."""
    order = queue.get_assignment(db, assignment_id).order
    return {"ABCDEFGHI"[n]: output_id for n, output_id in enumerate(order)}


def assignment_row(db, assignment_id: int) -> dict:
    return next(db.query("SELECT status, reason, flagged, seconds FROM assignments WHERE id = ?",
                         [assignment_id]))


@pytest.fixture
def comparison(make_app):
    """`async with comparison(cfg) as (pilot, screen)`: the app, opened from home with `c`."""

    @asynccontextmanager
    async def start(cfg: Config | None = None, size=(100, 40), labeler: str = "alice"):
        app = make_app(labeler, config=cfg or config())
        async with app.run_test(size=size, notifications=True) as pilot:
            if not isinstance(app.screen, ComparisonScreen):  # else resumed at start-up
                await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, ComparisonScreen)
            yield pilot, app.screen

    return start


def status(screen) -> str:
    return str(screen.query_one("#status").render())


async def test_whole_task_lands_field_by_field(comparison, sample_db):
    async with comparison() as (pilot, screen):
        assignment = screen.view.assignment.id
        ids = letters(sample_db, assignment)
        assert screen.view.prompt.id == "p1"
        # Instruction: PII yes opens its sub-fields; public only yes, certain → no; category by
        # typing; closed domain and explicit constraints yes (they open output fields).
        await pilot.press("p", "u", "e", "g", *"summ", "enter", "d", "x")
        await pilot.press("enter")
        assert screen.step == "scores"
        # Scores: A 6, hallucination yes, constraints → no; B 3, fails task, inappropriate n/a;
        # C 3, violent.
        await pilot.press("6", "u", "k", "l", "3", "f", "a", "a", "right", "3", "v")
        await pilot.press("enter")
        assert screen.step == "ranking"
        ranking = screen.query_one(RankingPanel)
        assert ranking.ranking == [[ids["A"]], [ids["B"], ids["C"]]]  # pre-ordered, B = C tied
        await pilot.press("r", "c", "equals_sign", "a", "b", "enter")
        await pilot.pause()
        assert screen.view.prompt.id == "p2"  # the next task, same screen
        assert pilot.app.screen is screen

    instruction = saved(sample_db, "instruction", "p1")
    assert instruction == {
        "pii": True, "pii_public_only": True, "pii_sensitive_context": False,
        "pii_certain": False, "category": "summarization", "closed_domain": True,
        "intent_unclear": False, "explicit_constraints": True, "asks_sexual": False,
        "asks_violent": False, "asks_encourage_harm": False, "asks_denigrate_protected": False,
        "asks_advice": False, "asks_opinion": False, "asks_moral_judgment": False,
    }
    a, b, c = (saved(sample_db, "output", ids[x]) for x in "ABC")
    assert (a["rating"], a["hallucination"], a["satisfies_constraints"]) == (6, True, False)
    assert (b["rating"], b["fails_task"], b["inappropriate_for_assistant"]) == (3, True, "na")
    assert (c["rating"], c["violent"], c["fails_task"]) == (3, True, False)
    assert len(a) == len(b) == len(c) == 12  # every output field asked, both conditional ones
    assert saved(sample_db, "ranking", "p1") == {"ranking": [[ids["C"], ids["A"]], [ids["B"]]]}
    row = assignment_row(sample_db, assignment)
    assert row["status"] == "done" and row["seconds"] > 0
    assert labels.load_draft(sample_db, assignment) is None


async def test_missing_required_fields_are_named(comparison, sample_db):
    async with comparison(cfg=config(steps=["instruction", "scores"])) as (pilot, screen):
        await pilot.press("enter")
        assert screen.step == "instruction" and "Category (g)" in status(screen)
        await pilot.press("greater_than_sign", "5", "enter")  # skip ahead; rate A only
        assert screen.step == "scores"
        missing = status(screen)
        assert "B: Rating" in missing and "C: Rating" in missing and "A:" not in missing
        await pilot.press("l", "4", "l", "2", "enter")
        assert screen.step == "instruction" and "Category" in status(screen)  # sent back
        await pilot.press("g", *"open", "enter", "enter", "enter")
        await pilot.pause()
        assert screen.view.prompt.id == "p2"
    assert saved(sample_db, "instruction", "p1")["category"] == "open_qa"
    assert saved(sample_db, "ranking", "p1") == {}


async def test_conditional_fields_follow_the_instruction(comparison, sample_db):
    async with comparison(size=(100, 60)) as (pilot, screen):
        scores = screen.query_one(ScoresPanel)
        await pilot.press("greater_than_sign")
        shown = str(scores.query_one(".card-fields").render())
        assert "Hallucination" not in shown and "Satisfies" not in shown
        await pilot.press("u", "k")  # not asked: the keys do nothing
        assert scores.values()[screen.outputs[0].output_id].keys().isdisjoint(
            {"hallucination", "satisfies_constraints"})
        await pilot.press("less_than_sign", "d", "greater_than_sign")
        assert "Hallucination" in str(scores.query_one(".card-fields").render())
        instruction = screen.query_one(InstructionPanel)
        assert "Public figures" not in str(instruction.query_one("#field-pii_public_only").render()) \
            or not instruction.query_one("#field-pii_public_only").display


async def test_steps_subset_from_config(comparison, sample_db):
    async with comparison(cfg=config(steps=["scores", "ranking"])) as (pilot, screen):
        ids = letters(sample_db, screen.view.assignment.id)
        assert screen.steps == ["scores", "ranking"] and screen.step == "scores"
        assert not screen.query(InstructionPanel)
        await pilot.press("2", "l", "5", "l", "5", "enter", "enter")
        await pilot.pause()
    assert saved(sample_db, "instruction", "p1") == {}
    out = saved(sample_db, "output", ids["A"])
    assert out["rating"] == 2 and "hallucination" not in out  # its condition is unknown
    assert saved(sample_db, "ranking", "p1") == {"ranking": [[ids["B"], ids["C"]], [ids["A"]]]}


async def test_instruction_step_alone(comparison, sample_db):
    async with comparison(config(steps=["instruction"])) as (pilot, screen):
        await pilot.press("g", *"summ", "enter", "enter")
        await pilot.pause()
    assert saved(sample_db, "instruction", "p1")["category"] == "summarization"
    assert saved(sample_db, "output", "p1-a") == {}


async def test_instruction_work_from_home(make_app, sample_db, tmp_path):
    prompts = tmp_path / "instruction.jsonl"
    prompts.write_text('{"id": "q1", "text": "Name a colour.", "tasks": ["instruction"]}\n')
    import_prompts(sample_db, prompts)
    app = make_app("alice")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, InstructionScreen) and app.screen.steps == ["instruction"]
        await pilot.press("g", *"gen", "enter", "o", "enter")
        await pilot.pause()
    assert saved(sample_db, "instruction", "q1")["asks_opinion"] is True


async def test_revisiting_steps_keeps_and_changes_answers(comparison, sample_db):
    async with comparison() as (pilot, screen):
        ids = letters(sample_db, screen.view.assignment.id)
        await pilot.press("g", *"summ", "enter", "enter", "4", "l", "4", "l", "4", "enter")
        ranking = screen.query_one(RankingPanel)
        assert ranking.ranking == [[ids["A"], ids["B"], ids["C"]]]
        await pilot.press("less_than_sign")  # back to scores: A is better after all
        assert screen.step == "scores"
        await pilot.press("h", "h", "7", "greater_than_sign")
        assert ranking.ranking == [[ids["A"]], [ids["B"], ids["C"]]]  # re-ordered by the ratings
        await pilot.press("less_than_sign", "less_than_sign", "s")
        assert screen.step == "instruction"
        await pilot.press("greater_than_sign", "greater_than_sign", "r", "b", "a", "c")
        await pilot.press("less_than_sign", "greater_than_sign")  # the typed ranking stays
        assert ranking.ranking == [[ids["B"]], [ids["A"]], [ids["C"]]]
        await pilot.press("enter")
        await pilot.pause()
    assert saved(sample_db, "output", ids["A"])["rating"] == 7
    assert saved(sample_db, "instruction", "p1")["asks_sexual"] is True
    assert saved(sample_db, "ranking", "p1") == {"ranking": [[ids["B"]], [ids["A"]], [ids["C"]]]}


async def test_skip_with_reason_and_flag(comparison, sample_db):
    async with comparison() as (pilot, screen):
        first = screen.view.assignment.id
        await pilot.press("exclamation_mark")
        assert "flagged" in str(screen.query_one("#task-title").render())
        await pilot.press("f4", "enter")
        assert "needs a reason" in status(screen)
        await pilot.press("escape")  # cancels the skip, stays on the task
        assert screen.view.assignment.id == first and pilot.app.screen is screen
        await pilot.press("f4", *"cannot judge", "enter")
        await pilot.pause()
        assert screen.view.prompt.id == "p2"
        second = screen.view.assignment.id
        await pilot.press("greater_than_sign", "greater_than_sign", "exclamation_mark", "f4")
        await pilot.press(*"contains PII", "enter")
        await pilot.pause()
    assert assignment_row(sample_db, first) == {
        "status": "skipped", "reason": "cannot judge", "flagged": 1, "seconds": None}
    row = assignment_row(sample_db, second)
    assert (row["status"], row["reason"], row["flagged"]) == ("skipped", "contains PII", 1)
    assert list(labels.iter_labels(sample_db)) == []


async def test_draft_restored_after_close_mid_task(comparison, sample_db):
    async with comparison() as (pilot, screen):
        assignment = screen.view.assignment.id
        await pilot.press("p", "g", *"chat", "enter", "enter", "5", "l", "f")
        # Written by the autosave timer while running (a kill -9 now loses nothing).
        await settle(pilot, until=lambda: (labels.load_draft(sample_db, assignment) or {})
                     .get("step") == "scores")
        draft = labels.load_draft(sample_db, assignment)
        assert draft["instruction"]["category"] == "chat" and draft["step"] == "scores"
        await pilot.press("l", "3")  # closed right after: flushed on the way out
    async with comparison() as (pilot, screen):
        assert screen.view.assignment.id == assignment
        assert screen.step == "scores" and "Draft restored" in status(screen)
        ids = [o.output_id for o in screen.outputs]
        panel = screen.query_one(ScoresPanel)
        assert panel.ratings() == {ids[0]: 5, ids[2]: 3} and panel.current == 2
        assert panel.scores[ids[1]]["fails_task"] is True
        assert screen.query_one(InstructionPanel).values()["pii"] is True
        await pilot.press("h", "4", "enter", "enter")
        await pilot.pause()
    assert saved(sample_db, "instruction", "p1")["category"] == "chat"
    assert saved(sample_db, "output", ids[1])["fails_task"] is True


async def test_expired_lease_keeps_the_work(comparison, sample_db):
    async with comparison() as (pilot, screen):
        assignment = screen.view.assignment.id
        await pilot.press("g", *"summ", "enter", "enter", "3", "l", "3", "l", "3")
        past = (datetime.now(timezone.utc) - timedelta(hours=2)).isoformat(timespec="milliseconds")
        sample_db.execute("UPDATE assignments SET lease_until = ? WHERE id = ?", [past, assignment])
        await pilot.press("enter", "enter")
        await pilot.pause()
    assert saved(sample_db, "ranking", "p1")["ranking"]
    assert assignment_row(sample_db, assignment)["status"] == "done"


async def test_untrusted_markup_is_shown_as_text(comparison, sample_db):
    async with comparison() as (pilot, screen):
        await pilot.press("f4", *"next", "enter")
        await pilot.pause()
        assert screen.view.prompt.id == "p2"
        assert "[bold]rain[/bold]" in str(screen.query_one("#prompt-body").render())
        await pilot.press("greater_than_sign")
        texts = [str(c.render()) for c in screen.query(".card-body")]
        assert any("rain" in t for t in texts)


def test_snapshot_80x24_instruction(make_app, snap_compare):
    assert snap_compare(make_app("alice"), terminal_size=(80, 24),
                        run_before=snapshot_keys("c", "p", "d"))


def test_snapshot_160x48_scores(make_app, snap_compare):
    assert snap_compare(
        make_app("alice"), terminal_size=(160, 48),
        run_before=snapshot_keys("c", "g", *"summ", "enter", "d", "enter", "6", "u", "l", "2",
                                 "a", "a"),
    )


def test_snapshot_80x24_scores(make_app, snap_compare):
    assert snap_compare(
        make_app("alice"), terminal_size=(80, 24),
        run_before=snapshot_keys("c", "greater_than_sign", "5", "a"),
    )


def expire(db, assignment_id: int) -> None:
    past = (datetime.now(timezone.utc) - timedelta(hours=2)).isoformat(timespec="milliseconds")
    db.execute("UPDATE assignments SET lease_until = ? WHERE id = ?", [past, assignment_id])


async def test_lease_lost_while_away_keeps_the_answers(comparison, sample_db):
    cfg = config()
    cfg.data["overlap"]["comparison"] = 2
    async with comparison(cfg) as (pilot, screen):
        mine = screen.view.assignment.id
        await pilot.press("g", *"summ", "enter")
        await pilot.press("escape")  # home, for a long while
        expire(sample_db, mine)
        for other in ("bob", "carol"):  # overlap 2: the item fills up meanwhile
            theirs = queue.claim_next(sample_db, other, "comparison", overlap=2, window=1)
            labels.submit(sample_db, theirs.id, [LabelValue(
                "ranking", "p1", "ranking", [["p1-a", "p1-b", "p1-c"]])], overlap=2)
        await pilot.press("c")
        await pilot.pause()
        assert screen.view.assignment.id == mine and "ran out" in status(screen)
        assert screen.instruction.answers["category"] == "summarization"
        await pilot.press("enter", "4", "l", "4", "l", "4", "enter", "enter")
        await pilot.pause()
        assert screen.view.prompt.id == "p2"
    assert saved(sample_db, "instruction", "p1")["category"] == "summarization"


async def test_expired_lease_resumes_with_draft_after_restart(comparison, sample_db):
    async with comparison() as (pilot, screen):
        mine = screen.view.assignment.id
        await pilot.press("x")
    expire(sample_db, mine)
    async with comparison() as (pilot, screen):
        assert screen.view.assignment.id == mine
        assert screen.instruction.answers["explicit_constraints"] is True


def test_few_shot_prompts_keep_pairs_apart():
    text = "Translate to French.\nQ: cat\nA: chat\nQ: dog\nA: chien\nQ: bird"
    shown = readable_prompt(text, "few_shot")
    assert shown == "Translate to French.\n\nQ: cat\n\nA: chat\n\nQ: dog\n\nA: chien\n\nQ: bird"
    assert readable_prompt(text, "plain") == text


async def test_prompt_collapses_and_scrolls_by_keyboard(comparison, sample_db):
    async with comparison() as (pilot, screen):
        body = screen.query_one("#prompt-body")
        await pilot.press("ctrl+t")
        assert not body.display
        await pilot.press("ctrl+t", "shift+tab")
        assert body.display and pilot.app.focused is body
        await pilot.press("tab", "tab", "greater_than_sign", "tab")  # from the scores step
        assert pilot.app.focused is body


async def test_ranking_step_shows_priority_and_contradictions(comparison, sample_db):
    async with comparison(config(steps=["scores", "ranking"], priority="truthful_harmless")) as (
        pilot, screen,
    ):
        await pilot.press("6", "l", "4", "l", "2", "enter")
        panel = screen.query_one(RankingPanel)
        criterion = str(panel.query_one("#criterion").render())
        assert "Truthful & harmless first" in criterion and "w: weighing" in criterion
        assert not panel.query_one("#rules").display  # no second line that reads otherwise
        await pilot.press("c", "b")  # a letter starts a new ranking; A goes last by itself
        warning = str(panel.query_one("#status").render())
        assert warning.startswith("⚠ B (rated 4) is ranked below C (rated 2) (+2 more)")


async def test_pii_rules_come_from_the_guidelines(comparison, sample_db):
    async with comparison() as (pilot, screen):
        await pilot.press("question_mark")
        rules = screen.query_one("#pii-rules")
        await pilot.pause()
        shown = " ".join(line.plain for line in rules.lines(rules.content_size.width))
        assert rules.display and "Figures of Greek mythology" in shown
        await pilot.press("question_mark")
        assert not rules.display


def test_snapshot_80x24_ranking(make_app, snap_compare):
    cfg = config(steps=["scores", "ranking"])
    assert snap_compare(
        make_app("alice", config=cfg), terminal_size=(80, 24),
        run_before=snapshot_keys("c", "6", "l", "4", "l", "4", "enter", "r", "c", "equals_sign",
                                 "b"),
    )


def test_snapshot_160x48_instruction_with_pii(make_app, snap_compare):
    assert snap_compare(make_app("alice"), terminal_size=(160, 48),
                        run_before=snapshot_keys("c", "p", "e", "x"))


async def test_a_failed_submit_never_says_saved(comparison, sample_db):
    """submit() returns False on a write fault (the labeler got a note): the status line must
    not then claim the task was saved."""
    async with comparison(config(steps=["ranking"])) as (pilot, screen):
        await pilot.press("b", "a", "c")
        pilot.app.db.execute("PRAGMA query_only = ON")
        await pilot.press("enter")
        await settle(pilot)
        assert "Saved" not in status(screen)
        assert screen.view is not None and screen.view.prompt.id == "p1"  # still on the task
        assert any("Not saved" in str(n.title) for n in pilot.app._notifications)
        pilot.app.db.execute("PRAGMA query_only = OFF")
    assert saved(sample_db, "ranking", "p1") == {}


# -- keystroke economy (issue #15) -------------------------------------------------------------


async def test_ratings_advance_to_the_ranking_and_enter_accepts_it(comparison, sample_db):
    async with comparison(config(advance_after_rating=True)) as (pilot, screen):
        ids = letters(sample_db, screen.view.assignment.id)
        await pilot.press("g", *"summ", "enter", "enter")
        scores = screen.query_one(ScoresPanel)
        await pilot.press("6")
        assert screen.step == "scores" and scores.current == 1  # on to B
        await pilot.press("h", "f", "7")  # back to A: a flag, then a new rating
        assert scores.current == 1
        await pilot.press("3", "3")  # B, then C, the last: on to the ranking
        assert screen.step == "ranking"
        assert screen.query_one(RankingPanel).ranking == [[ids["A"]], [ids["B"], ids["C"]]]
        await pilot.press("enter")
        await pilot.pause()
        assert screen.view.prompt.id == "p2"
    assert saved(sample_db, "ranking", "p1") == {"ranking": [[ids["A"]], [ids["B"], ids["C"]]]}
    a = saved(sample_db, "output", ids["A"])
    assert (a["rating"], a["fails_task"]) == (7, True)


async def test_a_letter_replaces_the_suggested_ranking_and_backspace_restores_it(
    comparison, sample_db
):
    async with comparison(config(advance_after_rating=True, steps=["scores", "ranking"])) as (
        pilot, screen,
    ):
        ids = letters(sample_db, screen.view.assignment.id)
        await pilot.press("6", "4", "2")
        panel = screen.query_one(RankingPanel)
        suggested = [[ids["A"]], [ids["B"]], [ids["C"]]]
        assert screen.step == "ranking" and panel.ranking == suggested
        await pilot.press("c")
        assert panel.ranking == [[ids["C"]]]
        await pilot.press("backspace")
        assert panel.ranking == suggested
        await pilot.press("b", "a", "equals_sign", "enter")  # B > A, C placed, = ties it
        await pilot.pause()
    assert saved(sample_db, "ranking", "p1") == {"ranking": [[ids["B"]], [ids["A"], ids["C"]]]}


async def test_advance_is_off_by_config(comparison, sample_db):
    async with comparison(config(advance_after_rating=False, steps=["scores", "ranking"])) as (
        pilot, screen,
    ):
        await pilot.press("6", "4")
        assert screen.step == "scores" and screen.query_one(ScoresPanel).current == 0


def test_category_search_prefers_a_prefix_and_skips_the_placeholder():
    from screens.widgets.instruction.choice_select import best_match

    choices = [None, "brainstorming", "classification", "extract", "generation", "rewrite",
               "chat", "closed_qa", "open_qa", "summarization", "other"]
    assert best_match(choices, "r") == 5  # rewrite, not the "required: …" placeholder
    assert best_match(choices, "c") == 2  # classification starts with c; "brainstorming" holds none
    assert best_match(choices, "cl") == 2 and best_match(choices, "clo") == 7
    assert best_match(choices, "qa") == 8  # no prefix: found earliest in the word (open_qa)
    assert best_match(choices, "zz") is None
    assert best_match([None], "r") is None


async def test_typing_r_in_the_category_list_picks_rewrite(comparison, sample_db):
    async with comparison() as (pilot, screen):
        await pilot.press("g", "r", "enter")
        assert screen.instruction.answers["category"] == "rewrite"
        await pilot.press("g", "down", "up", "up", "enter")  # the placeholder cannot be chosen
        assert screen.instruction.answers["category"] is not None
        await pilot.press("enter")
        assert screen.step == "scores"


async def test_ratings_and_enter_typed_in_one_burst_save_the_suggested_ranking(
    comparison, sample_db
):
    from textual import events

    async with comparison(config(advance_after_rating=True, steps=["scores", "ranking"])) as (
        pilot, screen,
    ):
        ids = letters(sample_db, screen.view.assignment.id)
        for key, char in [("6", "6"), ("4", "4"), ("2", "2"), ("enter", "\r")]:
            pilot.app.post_message(events.Key(key, char))  # one read, as SSH delivers it
        await settle(pilot, until=lambda: screen.view.prompt.id == "p2")
    assert saved(sample_db, "ranking", "p1") == {"ranking": [[ids["A"]], [ids["B"]], [ids["C"]]]}


async def test_category_typed_in_one_burst_with_its_key_searches_the_list(comparison, sample_db):
    from textual import events

    async with comparison() as (pilot, screen):
        before = dict(screen.instruction.answers)
        for key in "gopen":  # one read, as SSH delivers fast typing: o, p, e are field keys too
            pilot.app.post_message(events.Key(key, key))
        await settle(pilot)
        await pilot.press("enter")  # (Enter in the same burst is the key path's: issue #15 item 7)
        await settle(pilot, until=lambda: screen.instruction.answers.get("category"))
        answers = screen.instruction.answers
        assert answers["category"] == "open_qa"
        assert {k: v for k, v in answers.items() if k != "category"} == {
            k: v for k, v in before.items() if k != "category"}  # no field flipped by the burst


@pytest.mark.parametrize("keys, chosen", [
    (["g", "pagedown"], "other"), (["g", "pageup"], "brainstorming"), (["g", "end"], "other"),
    (["g", "home"], "brainstorming"), (["g", "escape", "g", "pagedown"], "other"),
    (["g", "end", "pageup"], "brainstorming"), (["g", "r", "pagedown", "pageup"], "brainstorming"),
])
async def test_paging_the_category_list_typed_in_one_burst_keeps_the_app(
    comparison, sample_db, keys, chosen
):
    """The list opens on `g` and is paged before it has been laid out (one SSH read)."""
    from tests.screens.burst import burst, paced

    async with comparison() as (pilot, screen):
        await burst(pilot.app, pilot, [*keys, "enter"])
        assert pilot.app.is_running and pilot.app.screen is screen
        assert screen.instruction.answers["category"] == chosen
        await burst(pilot.app, pilot, ["g", "down", "enter"])  # one key at a time: the same
        await paced(pilot.app, pilot, [*keys, "enter"])
        assert screen.instruction.answers["category"] == chosen


def test_a_read_ahead_landing_before_the_panels_composed_prepares_nothing():
    """The read-ahead's wrap is a head start only: panels not composed yet (a burst that opened
    the screen as the read landed, found by the fuzz test) have nothing to prepare, no error."""
    from screens.widgets.prompt.prompt_panel import PromptPanel
    from screens.widgets.scores.scores_panel import ScoresPanel

    PromptPanel().prepare("A coming prompt.")
    ScoresPanel().prepare(["A coming output."])
