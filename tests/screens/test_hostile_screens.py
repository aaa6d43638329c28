"""Every screen on main, given hostile prompts and outputs through the real importer.

Each group of corpus items (a line each, so one visit checks several) becomes a prompt for every
kind of work and one of its two outputs; the labeler opens each kind of work from the home
screen. Nothing may raise, quit, or reach the
terminal, and the literal text must be on screen.
"""

from __future__ import annotations

import importlib
import json

import pytest
from textual import events
from textual.widgets import Input

from screens.home import HomeScreen
from screens.registry import WORK
from store.db import open_db
from store.imports import import_labels, import_outputs, import_prompts
from store.roster import add_labeler
from store.schema import load_schema
from store.text import on_screen
from tests.conftest import figures_settled, oldest_first, write_jsonl
from tests.corpus.hostile import CORPUS, SCREEN_GROUPS, Hostile
from tests.corpus.terminal import assert_harmless
from tui.app import LabelDeskApp
from tui.config import Config

KINDS = ("comparison", "demonstration", "toxicity", "instruction")
# Work whose items do not come from imported prompts: the quiz has its own test below; survey
# questions are written by researchers in the config.
NOT_FROM_PROMPTS = {"quiz", "survey", "stats", "quality"}  # quality: tests/quality/test_dashboard_look.py
SIZE = (120, 40)


NUL_STAND_IN = "\ufffcNUL\ufffc"


def put_nul_back(db) -> None:
    """NUL where the imports took its stand-in: text columns as they are, JSON ones parsed."""
    def back(value):
        if isinstance(value, str):
            return value.replace(NUL_STAND_IN, "\x00")
        if isinstance(value, list):
            return [back(v) for v in value]
        if isinstance(value, dict):
            return {k: back(v) for k, v in value.items()}
        return value

    with db.conn:
        for table, column, is_json in (("prompts", "text", False), ("outputs", "text", False),
                                       ("labels", "value", True), ("quizzes", "instructions", False),
                                       ("quizzes", "definition", True)):
            for rowid, value in db.execute(f"SELECT rowid, {column} FROM {table}").fetchall():
                if isinstance(value, str) and NUL_STAND_IN in value:
                    new = json.dumps(back(json.loads(value))) if is_json else back(value)
                    db.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", [new, rowid])


@pytest.fixture
def hostile_db(tmp_path, request):
    item: Hostile = request.param
    # Imports refuse NUL (tests/store/test_nul.py); a database an older LabelDesk or a hand
    # wrote may still hold it, so it is put in place after the import.
    text = item.text.replace("\x00", NUL_STAND_IN)
    db = open_db(tmp_path / "hostile.db")
    add_labeler(db, "alice")
    add_labeler(db, "rhea", "researcher")
    records = {
        "prompts.jsonl": [{"id": "h1", "text": text, "tasks": list(KINDS)},
                          {"id": "h2", "text": text, "tasks": ["demonstration"]}],
        "outputs.jsonl": [{"id": "h1-a", "prompt_id": "h1", "text": text},
                          {"id": "h1-b", "prompt_id": "h1", "text": "A plain answer."}],
        # bob's answer to h2, for researchers to score (h1 stays open for alice to write);
        # three labelers far apart on h1-a's rating: a dispute for the adjudication screen
        # (escalated: alice is still served h1 for comparison).
        "labels.jsonl": [{"labeler": "bob", "task": "demonstration", "item": "h2",
                          "field": "text", "value": text}] + [
            {"labeler": who, "task": "output", "item": "h1-a", "field": "rating", "value": rating}
            for who, rating in (("bob", 1), ("dan", 7), ("erin", 4))],
    }
    for name, rows in records.items():
        write_jsonl(tmp_path / name, rows)
    import_prompts(db, tmp_path / "prompts.jsonl")
    import_outputs(db, tmp_path / "outputs.jsonl")
    import_labels(db, tmp_path / "labels.jsonl", add_labelers=True)
    put_nul_back(db)
    yield db, item
    db.conn.close()


def make_app(db, labeler: str, config: Config | None = None) -> LabelDeskApp:
    role = "researcher" if labeler == "rhea" else "labeler"
    return LabelDeskApp(db=db, labeler=labeler, role=role, config=config or oldest_first(),
                        schema=load_schema())


def built(work) -> bool:
    module, _, cls = work.screen.partition(":")
    try:
        return hasattr(importlib.import_module(module), cls)
    except ModuleNotFoundError:
        return False


# Quiz, survey and statistics screens show no imported prompt text: the quiz has its own hostile
# test below, survey questions come from the config, statistics are checked in test_stats_screen.
# A screen that is renamed or missing fails (test_every_kind_of_work_is_built), never skips.
WORK_PARAMS = [w for w in WORK if w.kind not in NOT_FROM_PROMPTS]


@pytest.mark.parametrize("work", WORK, ids=lambda w: w.kind)
def test_every_kind_of_work_is_built(work):
    assert built(work), f"{work.screen} (home key {work.key}) does not import"


async def check_still_running(app, pilot) -> None:
    await pilot.pause()
    assert app.is_running and app.return_code is None


def test_the_groups_hold_the_whole_corpus():
    pieces = {p for group in SCREEN_GROUPS for p in group.visible}
    texts = "\n".join(group.text for group in SCREEN_GROUPS)
    for item in CORPUS:
        assert set(item.visible) <= pieces and item.text in texts, item.name


@pytest.mark.parametrize("hostile_db", SCREEN_GROUPS, ids=lambda i: i.name, indirect=True)
async def test_home_and_help(hostile_db, tmp_path, monkeypatch):
    db, item = hostile_db
    (tmp_path / "guide.md").write_text("# Guide\n\n## Ranking\n\nTies are fine.\n")
    monkeypatch.setattr("screens.guidelines.GUIDELINES", tmp_path / "guide.md")  # short: fast
    app = make_app(db, "alice")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert_harmless(app, item, literal=False)
        await pilot.press("f1")
        search = app.screen.query_one(Input)
        search.focus()
        app.post_message(events.Paste(item.text[:2000]))  # a labeler pastes the prompt
        await pilot.pause()
        assert search.value
        await pilot.press("enter")
        await check_still_running(app, pilot)
        assert_harmless(app, item, literal=False)


@pytest.mark.parametrize("work", WORK_PARAMS, ids=lambda w: w.kind)
@pytest.mark.parametrize("hostile_db", SCREEN_GROUPS, ids=lambda i: i.name, indirect=True)
async def test_work_screens(hostile_db, work):
    db, item = hostile_db
    config = oldest_first()  # the hostile item is the first in its queue
    if work.kind == "adjudication":  # h1's dispute goes to a researcher at 3 labelers
        config.data["adjudication"]["max_overlap"] = 3
    app = make_app(db, "rhea" if work.researcher_only else "alice", config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press(work.key)
        await pilot.pause()
        assert not isinstance(app.screen, HomeScreen), f"{work.kind}: no task was shown"
        assert_harmless(app, item)
        if item.name == "markup":  # a [@click=...] anywhere must not act
            for y in range(2, SIZE[1], 4):
                await pilot.click(offset=(10, y))
        await check_still_running(app, pilot)
        assert_harmless(app, item, literal=False)


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped, the rest raw."""
    return '"' + "".join(
        f"\\u{ord(c):04x}" if c in '"\\' or ord(c) < 0x20 or ord(c) == 0x7F else c for c in text
    ) + '"'


def quiz_file(path, item: Hostile) -> None:
    """A one-item screening quiz whose prompt and completions are the hostile text (TOML
    escapes carry every character, as a quiz built from public prompts would)."""
    text = toml_string(item.text.replace("\x00", NUL_STAND_IN))  # put back after the import
    path.write_text(
        f'name = "hostile"\ninstructions = {text}\n'
        f'[[flagging]]\nid = "f1"\nprompt = {text}\ncompletion = {text}\n'
        f'[[ranking]]\nid = "r1"\nprompt = {text}\ncompletions = [{text}, "plain", "other"]\n'
        'gold = "A>B>C"\n', encoding="utf-8")


@pytest.mark.parametrize("hostile_db", SCREEN_GROUPS, ids=lambda i: i.name, indirect=True)
async def test_quiz_screen(hostile_db, tmp_path):
    from store.quiz.admin import assign_quiz, import_quiz

    db, item = hostile_db
    quiz_file(tmp_path / "quiz.toml", item)
    import_quiz(db, tmp_path / "quiz.toml")
    put_nul_back(db)
    assign_quiz(db, "hostile", ["alice"])
    app = make_app(db, "alice")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, HomeScreen), "the quiz did not open"
        assert_harmless(app, item)  # the instructions
        await pilot.press("enter")
        await check_still_running(app, pilot)
        assert_harmless(app, item)  # the first item: prompt and completion


async def test_hostile_ids_on_the_researcher_screens(db, tmp_path):
    """Prompt and output ids are imported data too: the dashboard's gold misses and the
    adjudication screen (title, rows, the saved note) show them as written, never acting."""
    from screens.adjudication import AdjudicationScreen
    from screens.dashboard import DashboardScreen, MissesScreen
    from store import queue
    from store.labels import submit
    from store.quality.policy import QualityPolicy
    from store.values import LabelValue
    from tests.corpus.hostile import BY_NAME, combined

    item = combined("ids", ("markup_click", "ansi_colours", "bidi_override"))
    pid = item.text.replace("\n", " ")  # disputed
    gid = pid + "-gold"  # a gold check alice misses
    outputs = {p: [f"{p}-{c}" for c in "ab"] for p in (pid, gid)}
    add_labeler(db, "alice")
    add_labeler(db, "rhea", "researcher")
    files = {
        "p.jsonl": [{"id": p, "text": BY_NAME["markup_bold"].text, "tasks": ["comparison"]}
                    for p in (pid, gid)],
        "o.jsonl": [{"id": o, "prompt_id": p, "text": "An answer."}
                    for p in (pid, gid) for o in outputs[p]],
        "gold.jsonl": [{"labeler": "rhea", "task": "ranking", "item": gid, "field": "ranking",
                        "value": [[outputs[gid][0]], [outputs[gid][1]]]}],
        "l.jsonl": [{"labeler": who, "task": "output", "item": outputs[pid][0], "field": "rating",
                     "value": rating} for who, rating in (("bob", 1), ("dan", 7), ("erin", 4))],
    }
    for name, rows in files.items():
        write_jsonl(tmp_path / name, rows)
    import_prompts(db, tmp_path / "p.jsonl")
    import_outputs(db, tmp_path / "o.jsonl")
    import_labels(db, tmp_path / "gold.jsonl", gold=True)
    import_labels(db, tmp_path / "l.jsonl", add_labelers=True)
    check = queue.claim_next(db, "alice", "comparison", policy=QualityPolicy(gold_rate=1.0))
    assert check is not None and check.item == gid
    submit(db, check.id, [LabelValue("ranking", gid, "ranking",
                                     [[outputs[gid][1]], [outputs[gid][0]]])])
    config = Config()
    config.data["adjudication"]["max_overlap"] = 3
    app = make_app(db, "rhea", config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("q")
        await figures_settled(pilot)
        assert isinstance(app.screen, DashboardScreen)
        app.push_screen(MissesScreen("alice"))
        await figures_settled(pilot)
        row = [str(c) for c in app.screen.query_one("#misses-table").get_row_at(0)]
        shown = on_screen(gid)
        assert row[1] == shown and row[3] == f"{shown}-b > {shown}-a"
        assert_harmless(app, item, literal=False)
        await pilot.press("escape", "escape", "a")
        await pilot.pause()
        assert isinstance(app.screen, AdjudicationScreen)
        assert_harmless(app, item)  # the title
        await pilot.press("A", "t", "enter")
        await check_still_running(app, pilot)
        assert_harmless(app, item)  # "Saved the decision on …"
    assert db.execute("SELECT item FROM adjudications").fetchall() == [(pid,)]
