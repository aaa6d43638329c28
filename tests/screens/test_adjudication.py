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
        a = queue.claim_next(sample_db, who, "comparison", overlap=2, window=1)
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
        a = queue.claim_next(sample_db, who, "comparison", overlap=2, window=1)
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
        a = queue.claim_next(db, who, "comparison", overlap=2, window=1)
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


# ------------------------------------------------------------------ strength and reasons

NINE = [f"w-{x}" for x in "abcdefghi"]


def nine_ranked(db, tmp_path, reasons=("B cites its source", "[bold]close[/] call", None)):
    """Three labelers rank nine outputs of prompt w far apart (max_overlap 3: to a researcher),
    with strengths and reasons (one of them markup, which must show literally)."""
    from store.imports import import_outputs, import_prompts
    from tests.conftest import write_jsonl

    import_prompts(db, write_jsonl(tmp_path / "w.jsonl", [{"id": "w", "text": "Rank these nine.",
                                                           "tasks": ["comparison"]}]))
    import_outputs(db, write_jsonl(tmp_path / "wo.jsonl", [
        {"id": o, "prompt_id": "w", "text": f"answer {o[-1]}"} for o in NINE]))
    orders = (NINE, NINE[::-1], NINE[1::2] + NINE[::2])
    levels = ("better", "slightly better", "significantly better")
    for who, order, level, reason in zip(("alice", "bob", "carol"), orders, levels, reasons, strict=True):
        a = queue.claim_next(db, who, "comparison", overlap=3, window=1)
        while a.item != "w":  # the sample's own prompts first: skip them
            queue.skip(db, a.id, "not this one")
            a = queue.claim_next(db, who, "comparison", overlap=3, window=1)
        values = [LabelValue("ranking", "w", "ranking", [[o] for o in order]),
                  LabelValue("ranking", "w", "strength", [level] * 8)]
        if reason:
            values.append(LabelValue("ranking", "w", "reason", reason))
        submit(db, a.id, values, seconds=40)


def nine_config():
    c = Config()
    c.data["overlap"]["comparison"] = 3
    c.data["adjudication"]["max_overlap"] = 3
    return c


def _rows(app) -> list[str]:
    """The screen's lines between the prompt box and the status line."""
    lines = screen_text(app).splitlines()
    top = max(i for i, line in enumerate(lines) if line.startswith("╰"))
    bottom = next(i for i, line in enumerate(lines) if line.startswith(" reason: "))
    return lines[top + 1:bottom]


async def test_each_labelers_strength_and_reason_under_their_letter(make_app, sample_db, tmp_path):
    nine_ranked(sample_db, tmp_path)
    app = make_app("rhea", config=nine_config())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("a")
        await figures_settled(pilot)
        rows = _rows(app)
        shown = "\n".join(rows)
        assert "A 1 > 2 > 3 > 4 > 5 > 6 > 7 > 8 > 9  strength better ×8" in shown
        assert "B 9 > 8 > 7 > 6 > 5 > 4 > 3 > 2 > 1  strength slightly better ×8" in shown
        assert "C 2 > 4 > 6 > 8 > 1 > 3 > 5 > 7 > 9  strength significantly better ×8" in shown
        assert "reason B cites its source" in shown
        assert "reason [bold]close[/] call" in shown  # literal: never markup
        words = " ".join(shown.split())  # the finding's detail, across its wrapped lines
        assert "strengths 3 levels apart on output 1 vs output 2" in words
        for name in ("alice", "bob", "carol"):
            assert name not in screen_text(app)


async def test_long_answers_wrap_under_themselves_not_to_column_0(make_app, sample_db, tmp_path):
    """The defect: at 80 columns a third labeler's ranking continued at column 0, under the
    field's name. Now every line of a field's answers stands in its margin, at 80 and at 60."""
    nine_ranked(sample_db, tmp_path)
    app = make_app("rhea", config=nine_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await figures_settled(pilot)
        for size in ((80, 24), (60, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            rows = [line for line in _rows(app) if line.strip()]
            assert rows, size
            for line in rows:
                text = line[1:].rstrip(" ▁▂▃▄▅▆▇█")  # the box's padding, then its scrollbar
                if text.lstrip().startswith(("▶", "active time")):
                    continue
                assert text.startswith(" " * 4), (size, line)  # a field's lines stand in
            letters = [line.index(letter + " ") for line in rows for letter in "ABC"
                       if line[1:].lstrip().startswith(letter + " ")]
            assert len(letters) == 3 and set(letters) == {5}, (size, rows)


async def test_a_decision_on_the_ranking_typed_in_a_burst_or_key_by_key_is_the_same(
        make_app, sample_db, tmp_path):
    from tests.screens.burst import burst, paced, script

    stored = []
    for deliver in (burst, paced):
        # The first decision undone: the item goes back to a researcher.
        sample_db.execute("DELETE FROM labels WHERE adjudication_id IS NOT NULL")
        sample_db.execute("DELETE FROM adjudications")
        if deliver is burst:
            nine_ranked(sample_db, tmp_path)
        app = make_app("rhea", config=nine_config())
        async with app.run_test(size=(80, 24)) as pilot:
            await deliver(app, pilot, script("a2>1=3>4>5>6>7>8>9tg\r"))
            await figures_settled(pilot)  # the next case looked for after the decision
        stored.append(sample_db.execute(
            "SELECT l.value, a.reason, a.guideline_update FROM labels l JOIN adjudications a "
            "ON a.id = l.adjudication_id").fetchall())
    assert stored[0] == stored[1] == [
        ('[["w-b"], ["w-a", "w-c"], ["w-d"], ["w-e"], ["w-f"], ["w-g"], ["w-h"], ["w-i"]]',
         "ambiguous_prompt", 1)]


def test_snapshot_80x24_strength_and_reasons(make_app, sample_db, tmp_path, snap_compare):
    nine_ranked(sample_db, tmp_path)
    assert snap_compare(make_app("rhea", config=nine_config()), terminal_size=(80, 24),
                        run_before=snapshot_keys("a"))


async def test_reasons_show_when_only_a_rating_is_disputed(make_app, sample_db):
    for who, rating, reason in (("alice", 2, "A is terse"), ("bob", 7, None)):
        a = queue.claim_next(sample_db, who, "comparison", overlap=2, window=1)
        values = [LabelValue("output", "p1-a", "rating", rating),
                  LabelValue("ranking", "p1", "ranking", RANKING),
                  LabelValue("ranking", "p1", "strength", ["better", "better"])]
        if reason:
            values.append(LabelValue("ranking", "p1", "reason", reason))
        submit(sample_db, a.id, values, seconds=30)
    app = make_app("rhea", config=config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await figures_settled(pilot)
        shown = screen_text(app)
        assert "▶ rating of output 1" in shown and "ranking (not disputed)" in shown
        assert "A 1 > 2 > 3  strength better ×2" in shown and "reason A is terse" in shown
        assert "B 1 > 2 > 3  strength better ×2" in shown
        assert len(app.screen.case.keys) == 1  # information only: nothing more to decide
