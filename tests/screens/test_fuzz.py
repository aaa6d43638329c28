"""Random key bursts into every screen, for a labeler and a researcher (fixed seeds).

Each run opens one screen from home and types a few hundred keys in bursts, as SSH delivers
fast typing: letters, digits, arrows, page keys, Escape, Enter, Tab, F-keys, ctrl+letters and
pastes of hostile text. Escape may lead home and a letter on to another screen: the fuzz goes
where the keys take it. Afterwards the app is still running (an exception inside Textual ends
`run_test` with it), the database passes `PRAGMA integrity_check` and `foreign_key_check`, and
nothing is stored that the keys could not have asked for: rows of other people and the imported
data are untouched, and every label the fuzzer's keys stored is its own and valid by the schema.
"""

from __future__ import annotations

import json
import random
import string
import zlib

import pytest
from textual import events

from store.quiz import admin
from store.schema import load_schema
from tests.conftest import QUIZ_EXAMPLE
from tests.screens.burst import key_event, until_idle

KEYS_PER_SCREEN = 150  # a screen costs ~3 s of CPU, mostly Textual re-applying CSS
NAMED = ["up", "down", "left", "right", "pageup", "pagedown", "home", "end", "escape", "enter",
         "tab", "shift+tab", "backspace", "delete", "space", "question_mark", "equals_sign",
         "greater_than_sign", "slash", *(f"f{n}" for n in range(1, 13)),
         # ctrl+q quits (the app leaves as asked, saving drafts); every other ctrl+letter
         *(f"ctrl+{c}" for c in string.ascii_lowercase if c != "q")]
PASTES = ["[/b]unclosed [red]markup[/red]", "line one\nline two\r\n", "\x1b[31mred\x1b[0m",
          "مرحبا ‮evil‬ 👍🏽", "B>A=C", "x" * 300, "  ", "\t=?\x00"]
# Tables whose rows no key may change (the imported data, the roster, quizzes as imported).
FIXED = ["prompts", "outputs", "labelers", "quizzes", "quiz_items"]

# The key on home that opens each screen (f1: the help screen).
LABELER_SCREENS = ["c", "w", "x", "i", "s", "v", "f1"]
RESEARCHER_SCREENS = ["c", "t", "q", "d", "a"]


def random_burst(rng: random.Random) -> list[str | events.Paste]:
    keys: list[str | events.Paste] = []
    for _ in range(rng.randint(1, 24)):
        roll = rng.random()
        if roll < 0.45:
            keys.append(rng.choice(string.ascii_letters))
        elif roll < 0.6:
            keys.append(rng.choice(string.digits))
        elif roll < 0.97:
            keys.append(rng.choice(NAMED))
        else:
            keys.append(events.Paste(rng.choice(PASTES)))
    return keys


def rows(db, table: str) -> list[tuple]:
    return sorted(map(tuple, db.execute(f"SELECT * FROM {table}").fetchall()), key=repr)


def snapshot(db) -> dict[str, list[tuple]]:
    return {table: rows(db, table) for table in FIXED}


def others_labels(db, name: str) -> list[tuple]:
    return sorted(map(tuple, db.execute("SELECT * FROM labels WHERE labeler != ?",
                                        [name]).fetchall()), key=repr)


def assert_intact(db, name: str, before: dict, before_others: list[tuple], role: str) -> None:
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert snapshot(db) == before
    assert others_labels(db, name) == before_others
    schema = load_schema()
    for task, field, value, gold, assignment in db.execute(
        "SELECT task, field, value, gold, assignment_id FROM labels WHERE labeler = ?", [name],
    ):
        schema.validate(task, field, json.loads(value))  # raises on a value no key could make
        assert role == "researcher" or gold == 0  # a labeler's keys never make gold
        if assignment is not None:
            owner = db.execute("SELECT labeler FROM assignments WHERE id = ?", [assignment]).fetchone()
            assert owner is not None and owner[0] == name
    for (owner,) in db.execute(
        "SELECT a.labeler FROM drafts d JOIN assignments a ON a.id = d.assignment_id"
    ):
        assert owner == name


def send(app, keys: list[str | events.Paste]) -> None:
    for key in keys:
        event = key if isinstance(key, events.Paste) else key_event(key)
        event.set_sender(app)
        app._driver.send_message(event)  # all queued before the first is read, as from SSH


async def fuzz(app, pilot, key: str, seed: int) -> None:
    """Bursts into the screen `key` opens; when the keys have led elsewhere (home, help, the
    palette, another screen), back to it before the next burst."""
    rng = random.Random(seed)
    target = type(app.screen)
    sent = 0
    while sent < KEYS_PER_SCREEN and app.is_running:
        burst = random_burst(rng)
        send(app, burst)
        sent += len(burst)
        await until_idle(app, pilot)
        if type(app.screen) is not target:
            send(app, ["escape", "escape", "escape", key])
            await until_idle(app, pilot)


def work_for(key: str, db, tmp_path, name: str):
    """What the screen behind `key` needs to show work (the sample data has none for some);
    the config to run with."""
    from store import demonstrations, queue
    from store.imports import import_prompts
    from tests.screens.test_adjudication import config as adjudication_config
    from tests.screens.test_adjudication import disputed
    from tui.config import Config

    if key == "s":
        admin.import_quiz(db, QUIZ_EXAMPLE)
        admin.assign_quiz(db, "screening-demo", [name])
    elif key == "i":
        path = tmp_path / "p.jsonl"
        path.write_text(json.dumps({"id": "p9", "text": "Name a colour.", "tasks": ["instruction"]}) + "\n")
        import_prompts(db, path)
    elif key == "d":
        assignment = queue.claim_next(db, "bob", "demonstration")
        demonstrations.submit_demonstration(db, assignment.id, assignment.item, "Bob's answer.")
    elif key == "a":
        disputed(db)
        return adjudication_config()
    return Config()


@pytest.mark.parametrize("role, name, key", [
    *(("labeler", "alice", k) for k in LABELER_SCREENS),
    *(("researcher", "rhea", k) for k in RESEARCHER_SCREENS),
])
async def test_random_bursts_leave_the_app_and_the_data_whole(make_app, sample_db, tmp_path,
                                                              role, name, key):
    config = work_for(key, sample_db, tmp_path, name)
    before, before_others = snapshot(sample_db), others_labels(sample_db, name)
    app = make_app(name, config=config)
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        await pilot.press(key)
        await until_idle(app, pilot)
        assert type(app.screen).__name__ != "HomeScreen", f"{key} opened nothing to fuzz"
        await fuzz(app, pilot, key, zlib.crc32(f"{role}/{key}".encode()))
        assert app.is_running and app.return_code is None
    assert_intact(sample_db, name, before, before_others, role)


# -- what the fuzz found, each as a test of its own ---------------------------------------------

@pytest.mark.parametrize("keys", [["ctrl+p", "f1", "ctrl+p"], ["ctrl+p", "escape", "ctrl+p"]])
async def test_the_command_palette_opened_twice_in_one_burst(make_app, keys):
    """Each palette took the same widget id: ctrl+p with a palette under the help screen
    raised DuplicateIds and the app exited."""
    from tests.screens.burst import burst

    app = make_app("alice")
    async with app.run_test(size=(100, 32)) as pilot:
        await until_idle(app, pilot)
        await burst(app, pilot, keys)
        assert app.is_running
        await burst(app, pilot, ["escape", "escape", "escape"])
        assert app.is_running


async def test_two_enters_on_home_in_one_burst_open_the_work_once(make_app, sample_db):
    """Enter on home only posted the option list's selection: the keys after it went to home,
    and a second Enter pushed the same screen again, which then never took a key."""
    from screens.comparison import ComparisonScreen
    from tests.screens.burst import burst

    app = make_app("alice")
    async with app.run_test(size=(100, 32)) as pilot:
        await until_idle(app, pilot)
        await burst(app, pilot, ["enter", "p", "enter"])
        screen = app.screen
        assert isinstance(screen, ComparisonScreen) and app.screen_stack.count(screen) == 1
        assert screen.ready and not app._backlog
        assert screen.instruction.answers["pii"] is True  # the key after Enter reached the task
        await burst(app, pilot, ["escape"])
        assert type(app.screen).__name__ == "HomeScreen"
