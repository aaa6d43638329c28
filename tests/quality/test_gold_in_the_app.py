"""Hidden gold checks typed by a labeler in the app, read back from the database and the report."""

from __future__ import annotations

from itertools import combinations

from scipy.stats import binom

from screens.comparison import ComparisonScreen
from store import queue
from store.reports.quality import quality_report
from tests.quality.conftest import gold_ranking, quality_config

# 40 tasks at 0.3: 12 checks expected, as 60 at 0.2 gave, and the same 99.99 % bounds from below
# (2 checks; above, the 20 gold items bound it first) for two thirds of the typing.
GOLD_RATE = 0.3
N_TASKS = 40


async def type_rankings(app, pilot, n: int, keys=("a", "b", "c")) -> list[int]:
    """Rank `n` tasks pressing the same letters each time; the assignment ids typed."""
    typed = []
    for _ in range(n):
        screen = app.screen
        assert isinstance(screen, ComparisonScreen) and screen.view is not None
        typed.append(screen.view.assignment.id)
        await pilot.press(*keys, "enter")
        await pilot.pause()
    return typed


def hand_pairwise(db, assignment_ids, keys=("a", "b", "c")) -> tuple[int, int, int]:
    """(gold checks, same, compared): the typed letters mapped through the order shown, every
    output pair compared with the gold ranking by position."""
    checks = same = compared = 0
    for aid in assignment_ids:
        if not db.execute("SELECT gold_check FROM assignments WHERE id = ?", [aid]).fetchone()[0]:
            continue
        a = queue.get_assignment(db, aid)
        typed = [a.order["abc".index(k)] for k in keys]  # best first
        gold = [o for group in gold_ranking(a.item) for o in group]
        checks += 1
        for better, worse in combinations(typed, 2):
            compared += 1
            same += gold.index(better) < gold.index(worse)
    return checks, same, compared


async def test_gold_checks_follow_the_rate_never_repeat_and_are_scored_as_typed(ranking_app, ranking_db):
    app = ranking_app(config=quality_config(gold_rate=GOLD_RATE))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        typed = await type_rankings(app, pilot, N_TASKS)
    db = ranking_db
    rows = db.execute(
        "SELECT a.task_id, t.item, a.status FROM assignments a JOIN tasks t ON t.id = a.task_id "
        "WHERE a.labeler = 'ana' AND a.gold_check = 1").fetchall()
    done = [r for r in rows if r[2] == "done"]
    low, high = binom.interval(0.9999, N_TASKS, GOLD_RATE)
    assert low <= len(done) <= high
    assert len({r[0] for r in rows}) == len(rows)  # never the same gold item twice
    assert all(item >= "q180" for _t, item, _s in rows)  # only items with gold
    # Gold-check answers stay out of labels (exports, overlap, production agreement).
    gold_items = {item for _t, item, _s in rows}
    assert not db.execute(
        f"SELECT count(*) FROM labels WHERE labeler = 'ana' AND item IN ({','.join('?' * len(gold_items))})",
        list(gold_items)).fetchone()[0]
    production = db.execute("SELECT count(*) FROM labels WHERE labeler = 'ana'").fetchone()[0]
    assert production == N_TASKS - len(done)

    checks, same, compared = hand_pairwise(db, typed)
    entry = quality_report(db, app.quality, labeler="ana")["labelers"]["ana"]
    assert entry["gold_checks"] == checks == len(done)
    assert entry["rankings"]["pairs"] == compared
    assert entry["rankings"]["pairwise_agreement"] == round(same / compared, 4)
    assert entry["tasks"] == {"comparison": N_TASKS}
    assert entry["active_seconds_median"]["comparison"] >= 0


async def test_researchers_queue_has_no_gold_checks(ranking_app, ranking_db):
    app = ranking_app("rhea", config=quality_config(gold_rate=1.0))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await type_rankings(app, pilot, 3)
    assert not ranking_db.execute("SELECT count(*) FROM assignments WHERE gold_check = 1").fetchone()[0]


class FakeClock:
    """Stands in for `time` in store.task_session: the test decides when each key is pressed."""

    def __init__(self, at: float) -> None:
        self.at = at

    def monotonic(self) -> float:
        return self.at


async def test_active_time_leaves_out_an_idle_gap_typed_in_the_app(ranking_app, ranking_db, monkeypatch):
    import store.task_session

    clock = FakeClock(1000.0)
    monkeypatch.setattr(store.task_session, "time", clock)
    app = ranking_app(config=quality_config(gold_rate=0.0, idle_seconds=120))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("c")  # the task is shown at 1000
        await pilot.pause()
        aid = app.screen.view.assignment.id
        for key, at in (("a", 1005.0), ("b", 1505.0), ("c", 1510.0), ("enter", 1512.0)):
            clock.at = at  # 1005 -> 1505 is idle (500 s > idle_seconds): left out
            await pilot.press(key)
            await pilot.pause()
    row = ranking_db.execute("SELECT seconds, active_seconds FROM assignments WHERE id = ?", [aid]).fetchone()
    assert row == (512.0, 5.0 + 5.0 + 2.0)


async def test_active_time_survives_a_new_session_through_the_draft(ranking_app, ranking_db, monkeypatch):
    import store.task_session
    from store.labels import load_draft

    clock = FakeClock(0.0)
    monkeypatch.setattr(store.task_session, "time", clock)
    app = ranking_app(config=quality_config(gold_rate=0.0))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        aid = app.screen.view.assignment.id
        clock.at = 7.0
        await pilot.press("a")
        app.screen.flush_drafts()
    assert load_draft(ranking_db, aid)["_active"] == 7.0
    again = ranking_app(config=quality_config(gold_rate=0.0))  # the connection dropped; back later
    clock.at = 5000.0
    async with again.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ComparisonScreen)  # straight back into the task
        assert again.screen.view.assignment.id == aid
        for key, at in (("b", 5003.0), ("c", 5004.0), ("enter", 5005.0)):
            clock.at = at
            await pilot.press(key)
            await pilot.pause()
    active = ranking_db.execute("SELECT active_seconds FROM assignments WHERE id = ?", [aid]).fetchone()[0]
    assert active == 7.0 + 5.0  # the hours away are not counted


async def test_writing_records_active_time(make_app, sample_db, monkeypatch):
    import store.task_session

    clock = FakeClock(100.0)
    monkeypatch.setattr(store.task_session, "time", clock)
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w")  # shown at 100
        await pilot.pause()
        aid = app.screen.view.assignment.id
        for key, at in (("O", 110.0), ("k", 111.0), ("ctrl+s", 400.0), ("y", 402.0)):
            clock.at = at  # 111 -> 400: idle, left out
            await pilot.press(key)
            await pilot.pause()
    row = sample_db.execute("SELECT status, active_seconds FROM assignments WHERE id = ?", [aid]).fetchone()
    assert row == ("done", 10.0 + 1.0 + 2.0)
