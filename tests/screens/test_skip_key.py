"""One skip key on every work screen: shown in the footer at 80x24 under the same key, and it
skips (a reason, Enter) in one burst as key by key; the keymap moves it everywhere at once."""

from __future__ import annotations

import pytest

from screens.base import WorkScreen
from store import demonstrations, queue
from tests.screens.burst import MODES, burst, script
from tests.screens.test_keymap import site
from tests.screens.test_layout import visible_keys

TOXICITY_FIELDS = ["x", "0", "1", "+", "6", "2", "minus", "3"]

# (what, labeler, keys from home to the place the skip key is pressed, the item skipped)
PLACES = [
    ("instruction step", "alice", ["c"], "p1"),
    ("scores step", "alice", ["c", "greater_than_sign"], "p1"),
    ("ranking step", "alice", ["c", "greater_than_sign", "greater_than_sign"], "p1"),
    ("writing", "alice", ["w", *"Half an ans"], "p3"),
    ("toxicity fields", "alice", ["x", "0"], "p4"),
    ("toxicity ranking", "alice", [*TOXICITY_FIELDS, "enter", "b"], "p4"),
    ("demonstration scoring", "rhea", ["d", "6"], None),
]


def skipped(db, labeler: str) -> list[tuple[str, str]]:
    return [tuple(row) for row in db.execute(
        "SELECT t.item, a.reason FROM assignments a JOIN tasks t ON t.id = a.task_id "
        "WHERE a.labeler = ? AND a.status = 'skipped'", [labeler]).fetchall()]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("what", "labeler", "keys", "item"), PLACES, ids=[p[0] for p in PLACES])
async def test_f4_skips_with_a_reason_everywhere(make_app, sample_db, what, labeler, keys, item,
                                                 mode):
    if labeler == "rhea":
        a = queue.claim_next(sample_db, "alice", "demonstration")
        demonstrations.submit_demonstration(sample_db, a.id, a.item, "Plants eat light.")
        item = "d" + str(sample_db.execute("SELECT max(id) FROM labels").fetchone()[0])
    app = make_app(labeler)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(app, pilot, keys)
        assert isinstance(app.screen, WorkScreen)
        assert "Skip" in visible_keys(app), what
        # A reason typed with letters and digits that are also this screen's keys.
        await MODES[mode](app, pilot, ["f4", *script("cannot judge 6\r")])
    assert skipped(sample_db, labeler) == [(item, "cannot judge 6")]


async def test_the_skip_key_is_remapped_on_every_screen_at_once(make_app, sample_db):
    app = make_app("alice", config=site({"work.skip": "ctrl+b"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(app, pilot, ["w", "ctrl+b", *script("unclear\r"), "escape",
                                 "x", "ctrl+b", *script("unclear\r")])
    assert skipped(sample_db, "alice") == [("p3", "unclear"), ("p4", "unclear")]
