"""The adjudication screen: a researcher's keys in, a gold row with its reason out, no names."""

from screens.adjudication import AdjudicationScreen
from store import queue
from store.disputes import Rules
from store.labels import submit
from store.values import LabelValue
from tests.conftest import figures_settled, oldest_first, snapshot_keys
from tests.screens.screen_text import screen_text
from tui.config import Config

RANKING = [["p1-a"], ["p1-b"], ["p1-c"]]


def disputed(db, ratings=(2, 7)):
    """alice and bob rate p1-a far apart (overlap 2, nobody to escalate to: max_overlap 2)."""
    for who, rating in zip(("alice", "bob"), ratings, strict=True):
        a = queue.claim_next(db, who, "comparison", overlap=2, window=1)
        submit(db, a.id, [LabelValue("output", "p1-a", "rating", rating),
                          LabelValue("ranking", "p1", "ranking", RANKING)], seconds=30)


def config():
    c = oldest_first()  # which item a claim gets is what these tests read
    c.data["overlap"]["comparison"] = 2
    c.data["adjudication"]["max_overlap"] = 2
    return c


async def test_researcher_decides_with_keys(make_app, sample_db):
    disputed(sample_db)
    app = make_app("rhea", config=config())
    assert app.config.escalation == Rules(max_overlap=2)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await figures_settled(pilot)
        assert isinstance(app.screen, AdjudicationScreen)
        shown = screen_text(app)
        assert "Dispute p1" in shown and "rating of output 1" in shown
        assert "A 2" in shown and "B 7" in shown and "A: 30s" in shown
        for name in ("alice", "bob", "carol"):
            assert name not in shown
        await pilot.press("enter")  # no value yet: nothing stored
        assert sample_db.execute("SELECT count(*) FROM adjudications").fetchone()[0] == 0
        await pilot.press("B")  # take B's answer (7) ...
        await pilot.press("5")  # ... then enter 5 instead
        await pilot.press("enter")  # no reason yet: nothing stored
        assert sample_db.execute("SELECT count(*) FROM adjudications").fetchone()[0] == 0
        await pilot.press("t", "t", "g", "enter")  # guideline gap, update needed
        await figures_settled(pilot)
        assert "No disputed item waits" in screen_text(app)
    row = sample_db.execute(
        "SELECT l.labeler, l.item, l.value, l.gold, a.reason, a.guideline_update, a.letters "
        "FROM labels l JOIN adjudications a ON a.id = l.adjudication_id").fetchall()
    assert row == [("rhea", "p1-a", "5", 1, "guideline_gap", 1, '{"A": "alice", "B": "bob"}')]
    kinds = [k for (k,) in sample_db.execute("SELECT kind FROM events ORDER BY id")]
    assert kinds[-1] == "adjudicate"


async def test_letter_takes_that_labelers_answer(make_app, sample_db):
    disputed(sample_db, ratings=(1, 6))
    app = make_app("rhea", config=config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "A", "t", "enter")
        await figures_settled(pilot)
    value = sample_db.execute("SELECT value FROM labels WHERE adjudication_id IS NOT NULL").fetchone()
    assert value == ("1",)


async def test_labelers_cannot_adjudicate(make_app, sample_db):
    disputed(sample_db)
    app = make_app("carol", config=config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await figures_settled(pilot)
        assert not isinstance(app.screen, AdjudicationScreen)
        assert "Dispute" not in screen_text(app)


def test_adjudication_snapshot_80x24(make_app, sample_db, snap_compare):
    disputed(sample_db)

    async def open_it(pilot):
        await pilot.press("a", "B")
        await figures_settled(pilot)

    assert snap_compare(make_app("rhea", config=config()), terminal_size=(80, 24), run_before=open_it)


async def test_app_stamps_the_guideline_version(make_app, sample_db):
    c = config()
    c.data["guidelines"]["version"] = "2026-03 pii clarified"
    disputed(sample_db)  # before the app: no version
    app = make_app("rhea", config=c)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "c", "t", "enter")
        await figures_settled(pilot)
    rows = sample_db.execute("SELECT labeler, guideline_version FROM labels ORDER BY id").fetchall()
    assert rows[-1] == ("rhea", "2026-03 pii clarified")
    assert {v for who, v in rows if who != "rhea"} == {None}


async def test_a_decision_in_progress_survives_a_lost_session(make_app, sample_db):
    disputed(sample_db)
    app = make_app("rhea", config=config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", "4", "t", "t", "t", "g")
        await figures_settled(pilot)
    # The session ends without saving (as a dropped connection would); a new one resumes.
    assert sample_db.execute("SELECT count(*) FROM adjudications").fetchone()[0] == 0
    app = make_app("rhea", config=config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await figures_settled(pilot)
        shown = screen_text(app)
        assert "final: 4" in shown and "reason: labeler error" in shown
        assert "guideline update needed: yes" in shown
        await pilot.press("enter")
        await figures_settled(pilot)
    row = sample_db.execute("SELECT a.reason, a.guideline_update, l.value FROM adjudications a "
                            "JOIN labels l ON l.adjudication_id = a.id").fetchall()
    assert row == [("labeler_error", 1, "4")]
    assert sample_db.execute("SELECT count(*) FROM adjudication_drafts").fetchone()[0] == 0


async def test_researcher_types_a_ranking_of_their_own(make_app, sample_db):
    """Two labelers rank p1 in opposite orders: the researcher types 2>1=3 instead."""
    for who, ranking in (("alice", RANKING), ("bob", RANKING[::-1])):
        a = queue.claim_next(sample_db, who, "comparison", overlap=2)
        submit(sample_db, a.id, [LabelValue("ranking", "p1", "ranking", ranking)], seconds=5)
    app = make_app("rhea", config=config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await figures_settled(pilot)
        shown = screen_text(app)
        assert "A 1 > 2 > 3" in shown and "B 3 > 2 > 1" in shown
        await pilot.press("2", "greater_than_sign", "1", "equals_sign")
        assert "2>1=… (every output once)" in screen_text(app)
        await pilot.press("enter", "t")  # incomplete: not stored
        assert sample_db.execute("SELECT count(*) FROM adjudications").fetchone() == (0,)
        await pilot.press("4", "backspace", "3", "enter")
        await figures_settled(pilot)
    value = sample_db.execute("SELECT value FROM labels WHERE adjudication_id IS NOT NULL").fetchone()
    assert value == ('[["p1-b"], ["p1-a", "p1-c"]]',)


async def test_the_current_field_stays_in_view(make_app, sample_db):
    """Five disputed fields do not fit at 80x24: moving down scrolls the last into view."""
    for who, rating, pii, ranking in (("alice", 1, True, RANKING), ("bob", 7, False, RANKING[::-1])):
        a = queue.claim_next(sample_db, who, "comparison", overlap=2)
        values = [LabelValue("output", o, "rating", rating) for o in ("p1-a", "p1-b", "p1-c")]
        values += [LabelValue("instruction", "p1", "pii", pii),
                   LabelValue("ranking", "p1", "ranking", ranking)]
        submit(sample_db, a.id, values, seconds=5)
    app = make_app("rhea", config=config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await figures_settled(pilot)
        assert "▶ pii" in screen_text(app) and "lowest pairwise" not in screen_text(app)
        await pilot.press("down", "down", "down", "down")
        await figures_settled(pilot)
        assert "▶ ranking" in screen_text(app)


async def test_the_comparison_screen_serves_a_disputed_item_to_a_third_labeler(make_app, sample_db):
    """The app's claims carry the [adjudication] rules: carol gets p1 (disputed at overlap 2)
    rather than p2, which she would get if p1 were full."""
    disputed(sample_db)
    c = config()
    c.data["adjudication"]["max_overlap"] = 3
    app = make_app("carol", config=c)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert app.screen.view is not None and app.screen.view.prompt.id == "p1"


async def test_a_decision_another_researcher_stored_first_is_not_called_saved(make_app, sample_db):
    from store import adjudication
    from store.roster import add_labeler

    disputed(sample_db)
    add_labeler(sample_db, "ruth", "researcher")
    app = make_app("rhea", config=config())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("a", "A", "t")
        await figures_settled(pilot)
        case = app.screen.case
        adjudication.decide(sample_db, case, "ruth", [LabelValue(*case.keys[0], 7)],
                            reason="ambiguous_prompt", schema=app.schema)  # ruth, meanwhile
        await pilot.press("enter")
        await figures_settled(pilot)
        said = [n.message for n in app._notifications]
        assert any("adjudicated meanwhile" in m for m in said), said
        assert not any(m.startswith("Saved") for m in said)
    assert [r for (r,) in sample_db.execute("SELECT researcher FROM adjudications")] == ["ruth"]


async def test_with_nothing_to_decide_only_the_keys_that_apply_are_shown(make_app, sample_db):
    from tests.screens.test_layout import visible_keys

    app = make_app("rhea", config=config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await figures_settled(pilot)
        assert isinstance(app.screen, AdjudicationScreen) and app.screen.case is None
        shown = visible_keys(app)
        assert "Home" in shown and not shown & {"Save", "Consensus", "Reason", "Guideline flag"}
        await pilot.press("escape")
        disputed(sample_db)
        await pilot.press("a")
        await figures_settled(pilot)
        assert {"Save", "Consensus", "Reason"} <= visible_keys(app)


async def test_the_demo_as_its_researcher_has_disputes_to_decide():
    """`labeldesk app --labeler rhea` on the demo (which also adds the OS user as a labeler):
    `a` opens a disputed item, not "No disputed item waits"."""
    from store.roster import add_labeler
    from store.schema import load_schema
    from tui.app import LabelDeskApp
    from tui.context import ensure_demo_db
    from tui.locations import demo_db_path

    db = ensure_demo_db(demo_db_path())
    add_labeler(db, "someone")
    app = LabelDeskApp(db=db, labeler="rhea", role="researcher", config=Config(),
                       schema=load_schema())
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("a")
            await figures_settled(pilot)
            assert isinstance(app.screen, AdjudicationScreen)
            assert app.screen.case is not None and app.screen.case.dispute.item == "p07"
            assert "Dispute p07" in screen_text(app)
    finally:
        db.close()


def six_fields_disputed(db):
    """alice and bob apart on each output's rating and harmful-advice flag: 19 lines of rows."""
    for who, rating in (("alice", 1), ("bob", 7)):
        a = queue.claim_next(db, who, "comparison", overlap=2)
        submit(db, a.id, [LabelValue("output", o, field, value)
                          for o in ("p1-a", "p1-b", "p1-c")
                          for field, value in (("rating", rating), ("harmful_advice", rating > 1))]
               + [LabelValue("ranking", "p1", "ranking", RANKING)], seconds=30)


def test_snapshot_80x24_six_disputed_fields(make_app, sample_db, snap_compare):
    six_fields_disputed(sample_db)
    assert snap_compare(make_app("rhea", config=config()), terminal_size=(80, 24),
                        run_before=snapshot_keys("a", "down"))


async def test_at_80x24_many_disputed_fields_leave_the_prompt_room(make_app, sample_db):
    six_fields_disputed(sample_db)
    app = make_app("rhea", config=config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await figures_settled(pilot)
        screen = app.screen
        assert isinstance(screen, AdjudicationScreen) and len(screen.case.keys) == 6
        assert screen.query_one("#adj-context").region.height >= 10  # 8 lines inside the box
        await pilot.press(*["down"] * 5)  # the last field stays in view in its scrolled box
        box = screen.query_one("#adj-rows-box")
        assert box.region.bottom <= screen.query_one("#adj-status").region.y
        assert "▶ rating of output 3" in screen_text(app)  # the sixth field
