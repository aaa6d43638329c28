"""A key changes only what it changes: counted, not timed (bench/bench_key_cpu.py times it).

Textual re-lays out a whole screen when any widget asks for a layout (`Screen._refresh_layout`)
and restyles a widget with every descendant when its classes or focus change. These tests
count both around the keys a labeler types on the comparison screen.
"""

from __future__ import annotations

from contextlib import contextmanager

from textual.css.stylesheet import Stylesheet
from textual.screen import Screen
from textual.widgets._footer import FooterKey

from screens.comparison import ComparisonScreen
from screens.widgets.focus_style import OwnFocusStyle
from screens.widgets.footer import Footer, KeySet
from store.views import task_view
from tests.conftest import press_settled, settle
from tui.config import Config

STEPS = {"steps": ["scores", "ranking"]}


@contextmanager
def counted(monkeypatch):
    """{'layouts': full re-layouts, 'restyled': widgets restyled} while the block runs."""
    counts = {"layouts": 0, "restyled": 0}
    layout, restyle = Screen._refresh_layout, Stylesheet.update_nodes

    def counting_layout(self, *args, **kwargs):
        counts["layouts"] += 1
        return layout(self, *args, **kwargs)

    def counting_restyle(self, nodes, animate=False):
        nodes = list(nodes)
        counts["restyled"] += len(nodes)
        return restyle(self, nodes, animate)

    with monkeypatch.context() as patch:
        patch.setattr(Screen, "_refresh_layout", counting_layout)
        patch.setattr(Stylesheet, "update_nodes", counting_restyle)
        yield counts


def app_with(make_app, **comparison):
    config = Config()
    config.data["comparison"].update({**STEPS, **comparison})
    return make_app("alice", config=config)


async def test_a_rating_that_stays_on_its_output_lays_nothing_out(make_app, monkeypatch):
    app = app_with(make_app, advance_after_rating=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c", "3")  # the first edit clears the status line once
        screen = app.screen
        assert isinstance(screen, ComparisonScreen)
        with counted(monkeypatch) as counts:
            await press_settled(pilot, "5", "f", "f", "6")
        assert screen.scores.scores[screen.outputs[0].output_id]["rating"] == 6
        assert counts["layouts"] == 0, counts  # the score cell and title are drawn in place
        assert counts["restyled"] == 0, counts


async def test_a_rating_draws_again_only_the_field_row_it_changes(make_app, monkeypatch):
    """The fields under an output are a view of rows: a rating redraws its own row, not the
    seven rows of every question (a Static draws all its rows on any change)."""
    from textual.widget import Widget

    from screens.widgets.text_view import TextView

    app = app_with(make_app, advance_after_rating=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c", "3")  # the first edit clears the status line once
        screen = app.screen
        assert isinstance(screen, ComparisonScreen)
        fields = screen.scores.query_one("#score-card-0 .card-fields")
        rows = len(str(fields.render()).splitlines())
        drawn: list[int] = []
        for cls in (Widget, TextView):
            original = cls.render_line

            def counting(self, y, _original=original):
                if self is fields:
                    drawn.append(y)
                return _original(self, y)

            monkeypatch.setattr(cls, "render_line", counting)
        await press_settled(pilot, "5")
        await settle(pilot, lambda: drawn)
        assert screen.scores.scores[screen.outputs[0].output_id]["rating"] == 5
        assert rows > 3 and len(drawn) == 1, (rows, drawn)


async def test_a_rating_that_shows_the_next_output_lays_nothing_out(make_app, sample_db, monkeypatch):
    # p1's outputs longer than the card, each wrapping to another number of rows.
    ids = [row[0] for row in sample_db.execute(
        "SELECT id FROM outputs WHERE prompt_id = 'p1' ORDER BY id").fetchall()]
    for n, output_id in enumerate(ids):
        sample_db.execute("UPDATE outputs SET text = ? WHERE id = ?",
                          ("\n".join(f"line {i}" for i in range(20 + 10 * n)), output_id))
    sample_db.conn.commit()
    app = app_with(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c", "3")  # p1's A rated (3 outputs); the status cleared
        screen = app.screen
        assert isinstance(screen, ComparisonScreen) and screen.view.prompt.id == "p1"
        card = screen.scores.query_one("#score-card-0 .card-body")
        rows_before = card.virtual_size.height
        with counted(monkeypatch) as counts:
            await press_settled(pilot, "4")  # B rated: C's text is shown in the same card
        assert card.virtual_size.height != rows_before > card.size.height  # scrolls, both
        # C wraps to another number of rows than B: the card's scroll range changes, not its
        # size, so nothing is laid out (the virtual size's reactive re-laid out the screen).
        assert screen.scores.current == 2
        assert counts["layouts"] == 0 and counts["restyled"] == 0, counts


async def test_a_rating_searches_nothing_of_the_whole_screen(make_app, monkeypatch):
    """A query of the screen walks and matches its ~100 widgets (~1 ms); the status line said
    through one on every edit."""
    from textual.dom import DOMNode

    app = app_with(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c", "3")  # p1's A rated; the status line cleared
        screen = app.screen
        assert isinstance(screen, ComparisonScreen)
        queries: list[str] = []
        query = DOMNode.query

        def counting(self, *args, **kwargs):
            if self is screen:
                queries.append(str(args))
            return query(self, *args, **kwargs)

        monkeypatch.setattr(DOMNode, "query", counting)
        await press_settled(pilot, "4")  # B rated: C shown
        assert screen.scores.current == 2
        assert queries == []


async def test_a_step_change_restyles_a_few_widgets_and_mounts_no_footer_key(make_app, monkeypatch):
    app = app_with(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c", "3", "4", "5", "enter")  # p1 ranked as rated: saved
        screen = app.screen
        assert isinstance(screen, ComparisonScreen) and screen.view.prompt.id == "p2"
        await press_settled(pilot, "2")  # p2's A rated (2 outputs)
        footer = screen.query_one(Footer)
        keys_before = {key: key.description for key in footer.query(FooterKey)}
        with counted(monkeypatch) as counts:
            await press_settled(pilot, "6")  # the last output rated: on to the ranking
            await settle(pilot, lambda: screen.step == "ranking")
        # The focus moved from the scores panel (~14 widgets) to the ranking panel (~40):
        # each restyles alone. The footer showed the ranking's keys on p1: it shows that
        # row again, no key mounted or rewritten (which re-laid out the footer a second time).
        assert counts["restyled"] <= 12, counts
        assert counts["layouts"] <= 2, counts  # p1 had 3 outputs: a card is hidden, then resized
        await press_settled(pilot, "less_than_sign")  # back to the scores, then on again
        await settle(pilot, lambda: screen.step == "scores")
        with counted(monkeypatch) as again:
            await press_settled(pilot, "greater_than_sign")
            await settle(pilot, lambda: screen.step == "ranking")
        # One layout pass: the panels, the footer's keys and the steps bar in one frame (each
        # reached the screen on its own turn of the event loop and set off a pass of its own).
        assert again["layouts"] == 1, again
        assert {key: key.description for key in footer.query(FooterKey)} == keys_before
        shown = footer.key_set()
        assert shown is not None and shown.display
        assert "Submit" in {k.description for k in shown.query(FooterKey) if k.display}
        assert sum(s.display for s in footer.query(KeySet)) == 1


async def test_a_focus_move_does_not_repaint_the_whole_screen(make_app, monkeypatch):
    """Textual's Screen.focused repainted every cell of the screen on each focus move (each
    step change, each task); our screens leave that to the widgets that gain and lose focus."""
    from textual._compositor import Compositor

    app = app_with(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c", "3", "4")  # p1's A and B rated (3 outputs)
        screen = app.screen
        assert isinstance(screen, ComparisonScreen) and screen.step == "scores"
        full: list[bool] = []
        render_full = Compositor.render_full_update

        def counting(self, *args, **kwargs):
            full.append(True)
            return render_full(self, *args, **kwargs)

        monkeypatch.setattr(Compositor, "render_full_update", counting)
        await press_settled(pilot, "5")  # the last output rated: the ranking step, focused
        await settle(pilot, lambda: screen.step == "ranking")
        assert app.focused is screen.query_one("#ranking")
        assert full == []


async def test_no_stylesheet_styles_a_panels_children_by_its_focus(make_app):
    """What OwnFocusStyle relies on: no rule reads `Panel:focus Child` (or :focus-within) for
    a panel that restyles alone on focus."""
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c")  # the comparison screen's CSS and the panels' are read
        assert isinstance(app.screen, ComparisonScreen)
        panels = {cls.__name__ for cls in _subclasses(OwnFocusStyle)}
        assert {"ScoresPanel", "RankingPanel", "InstructionPanel"} <= panels
        offending = [
            rule.css
            for rule in app.stylesheet.rules
            for selector_set in rule.selector_set
            for selector in selector_set.selectors[:-1]
            if {"focus", "focus-within"} & set(selector.pseudo_classes)
            and (selector.name in panels or selector.name in ("", "*", "Widget"))
        ]
        assert offending == []


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


async def test_the_next_task_is_read_while_this_one_is_worked_and_the_submit_only_claims(make_app):
    app = app_with(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c")
        screen = app.screen
        assert isinstance(screen, ComparisonScreen) and screen.view.prompt.id == "p1"
        await settle(pilot, lambda: screen.session.ahead is not None)  # READ_AHEAD_DELAY later
        assert screen.session.ahead.prompt.id == "p2"
        statements: list[str] = []
        app.db.conn.set_trace_callback(statements.append)
        try:
            await press_settled(pilot, "3", "4", "5", "enter")  # p1 rated, ranked as rated
            await settle(pilot, lambda: screen.view is not None and screen.view.prompt.id == "p2")
        finally:
            app.db.conn.set_trace_callback(None)
        # The claim reads the output ids to shuffle them; the texts came from the read ahead.
        reads = [s for s in statements if "text" in s and ("FROM prompts" in s or "FROM outputs" in s)]
        assert reads == [], reads
        assert [o.text for o in screen.view.outputs] == [
            o.text for o in task_view(app.db, screen.view.assignment).outputs]


async def test_strength_digits_and_ranking_letters_with_strength_on_lay_nothing_out(make_app, monkeypatch):
    app = app_with(make_app, steps=["ranking"], strength=True, reason="optional")
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c", "b")  # the first edit clears the status line once
        screen = app.screen
        assert isinstance(screen, ComparisonScreen)
        with counted(monkeypatch) as ranking:
            await press_settled(pilot, "a")  # the strength rows are not redrawn per letter
        await press_settled(pilot, "enter")  # the levels: focus moves, the footer changes
        assert screen.phase == "strength"
        with counted(monkeypatch) as digits:
            await press_settled(pilot, "1", "left", "2")  # one row drawn in place
        assert screen.strength.choice.chosen[0] == "better"
        assert ranking["layouts"] == 0 and digits["layouts"] == 0, (ranking, digits)
        assert ranking["restyled"] == 0 and digits["restyled"] == 0, (ranking, digits)
        await press_settled(pilot, "enter", "x")  # the reason line; its first character
        with counted(monkeypatch) as typed:
            await press_settled(pilot, "y", "space", "z", "backspace")
        assert screen.strength.reason_line.value == "xy "
        assert typed == {"layouts": 0, "restyled": 0}, typed  # Input's own would lay out per key


async def test_an_output_shown_again_is_not_wrapped_again(make_app, monkeypatch):
    """The scores card's window of an output is wrapped once per width (`TextView`): shown
    again (h/l) it is drawn from the rows kept; an output not shown before is wrapped once."""
    from textual.content import Content

    from screens.widgets import text_view

    app = app_with(make_app, advance_after_rating=False)
    text_view._wrapped.cache_clear()  # C's rows from another test in this process
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c", "l")  # output A shown, then B
        screen = app.screen
        assert isinstance(screen, ComparisonScreen) and len(screen.outputs) == 3
        starts = [o.text[:20] for o in screen.outputs]
        wraps: list[str] = []
        wrap = Content._wrap_and_format

        def counting(self, *args, **kwargs):
            wraps.extend(start for start in starts if start in self.plain)
            return wrap(self, *args, **kwargs)

        monkeypatch.setattr(Content, "_wrap_and_format", counting)
        await press_settled(pilot, "h")  # A again
        assert screen.scores.current == 0
        assert wraps == [], wraps
        await press_settled(pilot, "l", "l")  # B again, then C for the first time
        assert screen.scores.current == 2
        assert wraps == [starts[2]], wraps


async def wraps_of_the_next_task(pilot, screen, monkeypatch) -> list[str]:
    """Once the next task is read ahead (and its texts wrapped), a list that collects the
    start of each of its texts wrapped from now on."""
    from textual.content import Content

    await settle(pilot, lambda: screen.session.ahead is not None)
    await settle(pilot)
    texts = [o.text[:20] for o in screen.session.ahead.outputs]
    wraps: list[str] = []
    wrap = Content._wrap_and_format

    def counting(self, *args, **kwargs):
        wraps.extend(t for t in texts if t in self.plain)
        return wrap(self, *args, **kwargs)

    monkeypatch.setattr(Content, "_wrap_and_format", counting)
    return wraps


async def test_the_next_tasks_first_output_is_wrapped_ahead_and_only_drawn_on_submit(make_app, monkeypatch):
    app = app_with(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c")
        screen = app.screen
        assert isinstance(screen, ComparisonScreen)
        wraps = await wraps_of_the_next_task(pilot, screen, monkeypatch)
        await press_settled(pilot, "3", "4", "5", "enter")  # p1 submitted: p2 on screen
        await settle(pilot, lambda: screen.view is not None and screen.view.prompt.id == "p2")
        shown = screen.outputs[screen.scores.current].text[:20]
        assert wraps.count(shown) == 0, wraps  # wrapped ahead: only drawn now
        await settle(pilot, lambda: shown in "".join(
            strip.text for strip in app.screen._compositor.render_strips()))


async def test_the_ranking_steps_next_output_is_wrapped_ahead_when_it_is_the_only_step(
        make_app, monkeypatch):
    """With the ranking alone, the submit shows the next task's first output in the ranking
    card: the read-ahead wraps it for that card's width, so the submit only draws it."""
    app = app_with(make_app, steps=["ranking"])
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c")
        screen = app.screen
        assert isinstance(screen, ComparisonScreen) and screen.step == "ranking"
        wraps = await wraps_of_the_next_task(pilot, screen, monkeypatch)
        await press_settled(pilot, "a", "b", "c", "enter")  # p1 submitted: p2 on screen
        await settle(pilot, lambda: screen.view is not None and screen.view.prompt.id == "p2")
        shown = screen.outputs[0].text[:20]
        assert wraps.count(shown) == 0, wraps  # wrapped ahead: only drawn now
        await settle(pilot, lambda: shown in "".join(
            strip.text for strip in app.screen._compositor.render_strips()))


async def test_a_step_change_scans_no_plain_text_for_what_a_terminal_acts_on(make_app, monkeypatch):
    """The ranking step shows every output again: a text with nothing to make visible is told
    apart in C (`store.text.on_screen`), not scanned by the regular expression character by
    character (~1.5 ms per 100 kB, nine outputs a step change)."""
    import store.text

    app = app_with(make_app)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c")
        screen = app.screen
        assert isinstance(screen, ComparisonScreen)
        texts = {o.text for o in screen.outputs}
        scanned: list[str] = []
        pattern = store.text._UNSAFE

        class Counting:
            def sub(self, replace, text):
                scanned.append(text)
                return pattern.sub(replace, text)

        monkeypatch.setattr(store.text, "_UNSAFE", Counting())
        await press_settled(pilot, "greater_than_sign")  # scores -> ranking
        assert screen.step == "ranking"
        assert not [t for t in scanned if t in texts], scanned


async def test_the_next_tasks_outputs_are_checked_ahead_not_on_submit(make_app, monkeypatch):
    """The read-ahead makes the next task's outputs safe to show (`_visible` keeps them): the
    submit that shows them in the ranking cards checks none again (a text that is not plain
    ASCII costs ~0.2-0.6 ms per 100 kB to check, nine outputs a submit)."""
    from screens.widgets.ranking import ranking_panel

    app = app_with(make_app, steps=["ranking"])
    async with app.run_test(size=(80, 24)) as pilot:
        await press_settled(pilot, "c")
        screen = app.screen
        assert isinstance(screen, ComparisonScreen)
        await settle(pilot, lambda: screen.session.ahead is not None)
        await settle(pilot)
        texts = [o.text for o in screen.session.ahead.outputs]
        checked: list[str] = []
        on_screen = ranking_panel.on_screen

        def counting(text):
            checked.append(text)
            return on_screen(text)

        monkeypatch.setattr(ranking_panel, "on_screen", counting)
        await press_settled(pilot, "a", "b", "c", "enter")  # p1 submitted: p2 on screen
        await settle(pilot, lambda: screen.view is not None and screen.view.prompt.id == "p2")
        assert {o.text for o in screen.outputs} == set(texts)
        # The texts themselves (a head's snippet of a short output is an equal, other string).
        assert not [t for t in checked if any(t is text for text in texts)], checked
