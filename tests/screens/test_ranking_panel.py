"""The ranking panel driven by real key presses on a tiny host app."""

from __future__ import annotations

import json

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from screens.widgets.ranking.ranking_panel import CRITERIA, RankingPanel, ShownOutput, shown
from screens.widgets.ranking.ranking_rules import TOXICITY_RULES
from screens.widgets.text_view import TextView
from store import labels, queue
from store.ranking import LETTERS, shuffle_seed, shuffled_order
from store.schema import load_schema
from store.values import LabelValue
from store.views import task_view
from tests.conftest import press_settled, settle, snapshot_keys


def shown_outputs(
    texts: dict[str, str], labeler: str = "alice", task_id: int = 7
) -> list[ShownOutput]:
    order = shuffled_order(texts, shuffle_seed(labeler, task_id))
    return [
        ShownOutput(LETTERS[n], output_id, texts[output_id]) for n, output_id in enumerate(order)
    ]


def by_letter(outputs: list[ShownOutput], notation_groups: list[str]) -> list[list[str]]:
    """Tie groups of letters ("B", "AD", "C") → tie groups of output ids through the shuffle."""
    id_of = {o.letter: o.output_id for o in outputs}
    return [[id_of[letter] for letter in group] for group in notation_groups]


TEXTS = {f"o{n}": f"Answer number {n}: " + "words " * (20 * n) for n in range(1, 5)}


class Host(App):
    """Collects the panel's messages; Escape and a letter binding prove keys fall through."""

    BINDINGS = [Binding("escape", "back", "Back"), Binding("x", "other", "Other")]

    def __init__(self, outputs: list[ShownOutput], **task) -> None:
        super().__init__()
        self.outputs = outputs
        self.task_kwargs = {"criterion": "Helpfulness first", **task}
        self.messages: list[tuple[str, list[list[str]]]] = []
        self.host_actions: list[str] = []

    def compose(self) -> ComposeResult:
        yield RankingPanel()
        yield Footer()

    def on_mount(self) -> None:
        panel = self.query_one(RankingPanel)
        panel.set_task(self.outputs, **self.task_kwargs)
        panel.focus()

    def on_ranking_panel_changed(self, message: RankingPanel.Changed) -> None:
        self.messages.append(("changed", message.ranking))

    def on_ranking_panel_submitted(self, message: RankingPanel.Submitted) -> None:
        self.messages.append(("submitted", message.ranking))

    def on_ranking_panel_flag_toggled(self, message: RankingPanel.FlagToggled) -> None:
        self.messages.append(("flag", message.ranking))

    def action_back(self) -> None:  # type: ignore[override]
        self.host_actions.append("back")

    def action_other(self) -> None:
        self.host_actions.append("other")

    def sent(self, kind: str) -> list[list[list[str]]]:
        return [ranking for what, ranking in self.messages if what == kind]

    def line(self, selector: str) -> str:
        return str(self.query_one(selector, Static).visual)


async def test_typed_ranking_with_a_tie_is_submitted_as_output_ids():
    outputs = shown_outputs(TEXTS)
    app = Host(outputs)
    async with app.run_test() as pilot:
        await pilot.press("b", "a", "equals_sign")
        assert "to place: C D" in app.line("#preview")
        await pilot.press("d")  # C, the one left, goes last with it
        assert "B > A = D > C" in app.line("#preview")
        await pilot.press("C", "enter")  # C: a hint only
    expected = by_letter(outputs, ["B", "AD", "C"])
    assert app.sent("submitted") == [expected]
    assert app.sent("changed")[-1] == expected
    # one per placing key, and one for the "=" typed: a pending tie (`B = _`) goes into the draft
    assert len(app.sent("changed")) == 4


async def test_enter_when_incomplete_names_what_is_missing():
    app = Host(shown_outputs(TEXTS))
    async with app.run_test() as pilot:
        await pilot.press("c", "a", "enter")
        assert app.sent("submitted") == []
        assert "still to place B, D" in app.line("#status")
        await pilot.press("b", "d", "enter")
        assert len(app.sent("submitted")) == 1


async def test_backspace_undo_and_reset():
    outputs = shown_outputs(TEXTS)
    app = Host(outputs)
    async with app.run_test() as pilot:
        await pilot.press("a", "b", "equals_sign", "c", "backspace")
        assert app.line("#preview").startswith("Ranking A > B = _")
        await pilot.press("backspace", "backspace")
        assert app.line("#preview").startswith("Ranking A ")
        await pilot.press("d", "c", "r")  # the c places B too
        assert app.sent("changed")[-1] == []
        await pilot.press("u")  # undo the reset
        assert app.sent("changed")[-1] == by_letter(outputs, ["A", "D", "C", "B"])
        await pilot.press("u", "u", "enter")
        assert app.sent("submitted") == []
        await pilot.press("d", "c", "enter")
    assert app.sent("submitted") == [by_letter(outputs, ["A", "D", "C", "B"])]


async def test_unknown_and_placed_letters_hint_and_change_nothing():
    app = Host(shown_outputs(TEXTS))
    async with app.run_test() as pilot:
        await pilot.press("a", "A")
        assert "already placed" in app.line("#status")
        await pilot.press("i")
        assert "No output i here (A–D)" in app.line("#status")
        await pilot.press("x")  # not an output letter: the host's binding gets it
        assert app.host_actions == ["other"]
        assert len(app.sent("changed")) == 1


async def test_move_mode_moves_ties_and_hands_escape_back():
    outputs = shown_outputs(TEXTS)
    app = Host(outputs)
    async with app.run_test() as pilot:
        await pilot.press("a", "b", "c", "d", "escape")
        assert app.host_actions == ["back"]  # not moving: Escape belongs to the host
        await pilot.press("m", "K", "K")  # D, selected, goes up twice
        assert app.line("#preview").startswith("MOVE A > D > B > C")
        await pilot.press("c", "shift+up", "equals_sign")  # C up past B, tied with D above
        assert app.line("#preview").startswith("MOVE A > D = C > B")
        await pilot.press("a", "J", "J")  # A down past D=C, then past B
        await pilot.press("escape")
        assert app.host_actions == ["back"]
        assert app.line("#preview").startswith("Ranking D = C > B > A")
        await pilot.press("u", "enter")  # undo the last move
    assert app.sent("submitted") == [by_letter(outputs, ["DC", "A", "B"])]


async def test_k2_and_k9_and_reuse_for_the_next_task():
    two = shown_outputs({"x1": "yes", "x2": "no"})
    nine_texts = {f"n{n}": f"nine {n}" for n in range(9)}
    nine = shown_outputs(nine_texts, task_id=8)
    app = Host(two)
    async with app.run_test() as pilot:
        await pilot.press("b", "a", "enter")
        panel = app.query_one(RankingPanel)
        panel.set_task(nine, criterion="Truthful and harmless first")
        await pilot.pause()
        assert "Truthful and harmless first" in app.line("#criterion")
        await pilot.press(*"ihg", "equals_sign", *"fedcb", "equals_sign", "a", "enter")
    assert app.sent("submitted") == [
        by_letter(two, ["B", "A"]),
        by_letter(nine, ["I", "H", "GF", "E", "D", "C", "BA"]),
    ]
    assert len(app.sent("submitted")[1]) == 7


async def test_identical_empty_and_hostile_texts_show_literally():
    markup = "[/foo] [@click=app.quit]quit[/] [b]x"
    terminal = "\x1b]52;c;aGk=\x07 \x1b[2J title\u202e"
    texts = {"o1": "same", "o2": "same", "o3": "", "o4": markup, "o5": terminal}
    outputs = shown_outputs(texts)
    app = Host(outputs, criterion="\x1b]0;pwned\x07")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        letter = {o.output_id: o.letter for o in outputs}
        for output_id in ["o4", "o3", "o1", "o2", "o5"]:
            await pilot.press(letter[output_id].lower())
        await pilot.press("enter")
        bodies = [str(app.query_one(f"#card-{n} .card-body", TextView).content) for n in range(5)]
        heads = "\n".join(
            str(app.query_one(f"#card-{n} .card-head", Static).visual) for n in range(5)
        )
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "(empty output)" in bodies
        assert markup in bodies[0] or markup in heads
        assert "␛]52;c;aGk=␇ ␛[2J title⟨U+202E⟩" in bodies + [heads]
        assert "\x1b" not in shown and "\x07" not in shown and "␛]0;pwned␇" in shown
    assert app.sent("submitted") == [[["o4"], ["o3"], ["o1"], ["o2"], ["o5"]]]
    assert app.return_code in (None, 0)


async def test_ratings_preorder_only_enter_is_needed_and_contradictions_warn():
    outputs = shown_outputs(TEXTS)
    ratings = {"o1": 3, "o2": 6, "o3": 6, "o4": 1}
    app = Host(outputs, ratings=ratings)
    async with app.run_test() as pilot:
        assert app.line("#status") == ""
        await pilot.press("enter")
        letter = {o.output_id: o.letter for o in outputs}
        tied = sorted(["o2", "o3"], key=letter.get)  # a tie group lists outputs in shown order
        assert app.sent("submitted") == [[tied, ["o1"], ["o4"]]]
        await pilot.press("r", letter["o4"], letter["o1"], letter["o2"], letter["o3"])
        warning = app.line("#status")
        assert f"⚠ {letter['o1']} (rated 3) is ranked below {letter['o4']} (rated 1)" in warning
        assert "(+4 more)" in warning


async def test_draft_preorder_wins_over_ratings_and_may_be_partial():
    outputs = shown_outputs(TEXTS)
    app = Host(outputs, preorder=[["o4"], ["o2"]], ratings={"o1": 7, "o2": 1, "o3": 1, "o4": 1})
    async with app.run_test() as pilot:
        letter = {o.output_id: o.letter for o in outputs}
        await pilot.press(letter["o1"], "equals_sign", letter["o3"], "enter")
    assert app.sent("submitted") == [[["o4"], ["o2"], ["o1", "o3"]]]


async def test_flag_rules_and_a_remapped_key():
    app = Host(shown_outputs(TEXTS), rules=TOXICITY_RULES)
    async with app.run_test() as pilot:
        await pilot.press("a", "exclamation_mark")
        assert [kind for kind, _ in app.messages] == ["changed", "flag"]
        assert not app.query_one("#rules").display  # one "Rank by" line; w opens the rules
        assert "w: weighing" in app.line("#criterion")
        await pilot.press("w")
        assert "Toxic: rude" in app.line("#rules")
        assert "toxicity differences" in app.line("#rules")
        app.set_keymap({"ranking.undo": "z"})
        await pilot.press("z")
        assert app.sent("changed")[-1] == []


async def test_placing_an_output_resends_its_place_cells_not_its_snippet(monkeypatch):
    """A ranking key changes an output's place, not the snippet of its text in its head row:
    only the cells before the snippet reach the terminal (bench_bytes counts the bytes)."""
    app = Host(shown_outputs(TEXTS))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        spans: list[tuple[int, int, int]] = []
        display = App._display

        def sending(self, screen, renderable):
            spans.extend(getattr(renderable, "spans", ()))  # a partial update: (y, x1, x2)
            return display(self, screen, renderable)

        monkeypatch.setattr(App, "_display", sending)
        await press_settled(pilot, "b")
        head = app.query_one("#card-1 .card-head", Static)
        text = str(head.visual)
        assert text.startswith(" B  #1 ") and "│ Answer number" in text
        snippet_x = head.content_region.x + text.index("│")
        sent = [(x1, x2) for y, x1, x2 in spans if y == head.region.y]
        assert sent and all(x2 <= snippet_x for _, x2 in sent), (sent, snippet_x)
        await press_settled(pilot, "backspace")  # taken back: the place cells again, and only
        assert str(head.visual).startswith(" B      ")
        sent = [(x1, x2) for y, x1, x2 in spans if y == head.region.y]
        assert all(x2 <= snippet_x for _, x2 in sent), (sent, snippet_x)


async def test_long_output_scrolls_and_pages_by_keyboard():
    texts = {"o1": "line\n" * 30_000, "o2": "short"}
    outputs = [ShownOutput("A", "o1", texts["o1"]), ShownOutput("B", "o2", texts["o2"])]
    app = Host(outputs)
    async with app.run_test(size=(80, 24)) as pilot:
        body = app.query_one("#card-0 .card-body")
        await pilot.press("pagedown", "pagedown")
        assert body.scroll_y > 0
        await pilot.press("end")
        text = str(body.content)
        assert "more characters (])" in text
        await pilot.press("right_square_bracket")
        text = str(body.content)
        assert "characters before ([)" in text and body.scroll_y == 0
        await pilot.press("right")
        assert app.query_one("#card-1").has_class("-current")


class StoreHost(Host):
    """The path a work screen takes: queue → view → panel → draft → submit → labels."""

    def __init__(self, db, view) -> None:
        super().__init__(shown(view.outputs), criterion=CRITERIA["helpfulness"])
        self.db, self.view = db, view

    def on_ranking_panel_changed(self, message: RankingPanel.Changed) -> None:
        labels.save_draft(self.db, self.view.assignment.id, {"ranking": message.ranking})

    def on_ranking_panel_submitted(self, message: RankingPanel.Submitted) -> None:
        value = LabelValue("ranking", self.view.prompt.id, "ranking", message.ranking)
        labels.submit(self.db, self.view.assignment.id, [value], seconds=1.0, schema=load_schema())


async def test_ranking_typed_on_a_claimed_task_lands_in_the_labels(sample_db):
    assignment = queue.claim_next(sample_db, "alice", "comparison", window=1)  # oldest: p1
    view = task_view(sample_db, assignment)
    app = StoreHost(sample_db, view)
    letter = {output.id: output.letter for output in view.outputs}
    assert [output.id for output in view.outputs] == assignment.order
    best, middle, worst = ["p1-b"], ["p1-a"], ["p1-c"]
    async with app.run_test() as pilot:
        await pilot.press(letter["p1-b"], letter["p1-c"])  # p1-a, left over, is placed last
        assert labels.load_draft(sample_db, assignment.id) == {
            "ranking": [best, ["p1-c"], ["p1-a"]]
        }
        await pilot.press("backspace", letter["p1-a"], "enter")
    rows = list(sample_db["labels"].rows_where("labeler = 'alice' AND task = 'ranking'"))
    assert [(r["item"], r["field"], json.loads(r["value"])) for r in rows] == [
        ("p1", "ranking", [best, middle, worst])
    ]
    assert labels.load_draft(sample_db, assignment.id) is None


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_typed_with_tie(snap_compare, size):
    outputs = shown_outputs(TEXTS)
    app = Host(outputs, ratings={"o1": 5, "o2": 5, "o3": 2})
    assert snap_compare(app, terminal_size=size, run_before=snapshot_keys("r", "c", "b", "equals_sign", "a"))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_nine_outputs_in_move_mode(snap_compare, size):
    nine = shown_outputs({f"n{n}": f"Output {n}. " + "text " * (15 * n) for n in range(9)})
    app = Host(nine)
    assert snap_compare(app, terminal_size=size, run_before=snapshot_keys(*"abcdefghi", "m", "c", "K", "w"))
