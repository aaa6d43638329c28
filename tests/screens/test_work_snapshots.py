"""What labelers see at 80x24 on the writing, toxicity and scoring screens."""

from store import demonstrations, queue
from tests.conftest import no_cursor_blink, press_settled, settle, snapshot_keys

SIZE = (80, 24)


def test_writing_snapshot(make_app, snap_compare):
    async def run_before(pilot):
        await press_settled(pilot, "w", *"Plants make food", "enter", *"from light.")
        no_cursor_blink(pilot.app)
        pilot.app.screen.flush_drafts()  # the status line then reads "draft saved", whatever the timing
        await settle(pilot)

    assert snap_compare(make_app("alice"), terminal_size=SIZE, run_before=run_before)


def test_writing_confirmation_snapshot(make_app, snap_compare):
    async def run_before(pilot):
        await press_settled(pilot, "w", *"Done.")
        no_cursor_blink(pilot.app)
        await press_settled(pilot, "ctrl+s")

    assert snap_compare(make_app("alice"), terminal_size=SIZE, run_before=run_before)


def test_toxicity_fields_snapshot(make_app, snap_compare):
    assert snap_compare(make_app("alice"), terminal_size=SIZE, run_before=snapshot_keys("x", "1", "0", "minus"))


def test_toxicity_ranking_snapshot(make_app, snap_compare):
    keys = ["x", "0", "0", "0", "7", "2", "1", "2", "enter"]  # pre-ordered from the scores
    assert snap_compare(make_app("alice"), terminal_size=SIZE, run_before=snapshot_keys(*keys))


def test_demo_scoring_snapshot(make_app, sample_db, snap_compare):
    a = queue.claim_next(sample_db, "alice", "demonstration")
    demonstrations.submit_demonstration(sample_db, a.id, a.item, "Plants [b]make[/b] food\x1b[31m.")
    assert snap_compare(make_app("rhea"), terminal_size=SIZE, run_before=snapshot_keys("d", "5"))
