"""Property: any key sequence over the ranking, arriving as ONE burst (every Key event posted
before the app runs a single handler, as one read from SSH is), ends with the ranking that the
pure RankingBuilder reaches fed the same keys one by one."""

from __future__ import annotations

import asyncio
import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events

from bench.workload import build_db, make_app
from screens.widgets.ranking.ranking_panel import RankingPanel
from screens.widgets.ranking.ranking_state import RankingBuilder
from store.db import open_db
from tests.conftest import settle

# (Textual key, character) of every key the property types.
LETTER_KEYS = [(c, c) for c in "ABCDEFGHIJK"]
OTHER_KEYS = [("equals_sign", "="), ("backspace", "\x7f"), ("u", "u"), ("r", "r"), ("m", "m"),
              ("up", None), ("down", None), ("enter", "\r")]
KEYS = st.lists(st.sampled_from(LETTER_KEYS + OTHER_KEYS), min_size=1, max_size=24)


def model(outputs, keys) -> tuple[list[list[str]], bool, RankingBuilder]:
    """What the ranking panel's keys do (screens/widgets/ranking/ranking_panel.py bindings), on the pure
    builder: (the ranking, whether Enter submitted it, the builder)."""
    builder = RankingBuilder(outputs)
    for key, character in keys:
        if key in ("J", "K"):  # move down/up, bound only in move mode
            if builder.moving:
                (builder.move_down if key == "J" else builder.move_up)()
        elif character and len(character) == 1 and character.isupper():
            builder.letter(character)
        elif key == "enter":
            if builder.complete:
                return builder.ranking, True, builder
        else:
            action = {"equals_sign": builder.tie, "backspace": builder.backspace,
                      "u": builder.undo, "r": builder.reset, "m": builder.toggle_move}.get(key)
            if action is not None:
                action()
    return builder.ranking, False, builder


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("burst") / "desk.db"
    build_db(path, 1, labelers=("ana",), output_chars=120, kinds=("comparison",)).conn.close()
    return path


async def burst(db_path, keys):
    db = open_db(db_path)
    app = make_app(db, comparison={"steps": ["ranking"]})
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("c")
            await pilot.pause()
            panel = app.screen.query_one(RankingPanel)
            outputs = list(panel.builder.outputs)
            assignment = app.screen.view.assignment.id
            for key, character in keys:  # all queued before any is handled
                app.post_message(events.Key(key, character))
            # The App applies each key with all it causes before reading the next
            # (screens/key_path.py), so once its queue has drained past the burst the state is
            # final: settle's first round already waits for a callback queued behind the last key.
            await settle(pilot)
            on_screen = panel.builder.ranking
        row = db.execute("SELECT value FROM labels WHERE assignment_id = ? AND task = 'ranking'",
                         [assignment]).fetchone()
        return outputs, on_screen, json.loads(row[0]) if row else None
    finally:
        db.conn.close()


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(keys=KEYS)
def test_a_burst_ranks_as_the_keys_say_one_by_one(keys, template, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("example") / "desk.db"
    shutil.copy(template, db_path)
    outputs, on_screen, stored = asyncio.run(burst(db_path, keys))
    expected, submitted, _ = model(outputs, keys)
    if submitted:
        assert stored == expected
    else:
        assert stored is None
        assert on_screen == expected
