from textual import events
from textual.widgets import TextArea

from screens.writing import WritingScreen
from store import labels
from tests.conftest import settle
from tests.screens.screen_text import screen_text


def active_assignment(db, labeler, kind="demonstration"):
    return db.execute(
        "SELECT a.id, t.item FROM assignments a JOIN tasks t ON t.id = a.task_id "
        "WHERE a.labeler = ? AND t.kind = ? AND a.status = 'active'",
        [labeler, kind],
    ).fetchone()


async def test_typing_is_autosaved_within_a_second(make_app, sample_db):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w")
        assert isinstance(app.screen, WritingScreen)
        await pilot.press(*"Plants eat light.")
        assignment_id, _ = active_assignment(sample_db, "alice")
        # Nothing flushes here but the autosave timer (a throttle of DRAFT_DELAY < 1 s: on a
        # slow machine it may first save part of the typing, then the rest).
        await settle(pilot, until=lambda: (labels.load_draft(sample_db, assignment_id) or {})
                     .get("text") == "Plants eat light.")
        assert "3 words · 17 characters" in screen_text(app)


async def test_quit_mid_answer_then_reopen_lands_in_the_task_with_the_draft(make_app, sample_db):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w", *"Half an ans", "enter", *"wer")
        prompt_shown = app.screen.view.prompt.id
        await pilot.press("ctrl+q")  # quits at once: the draft is flushed, no autosave wait
    assignment_id, item = active_assignment(sample_db, "alice")
    assert item == prompt_shown
    assert labels.load_draft(sample_db, assignment_id)["text"] == "Half an ans\nwer"

    again = make_app("alice")
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = again.screen
        assert isinstance(screen, WritingScreen)  # straight back into the unfinished task
        assert screen.view.prompt.id == prompt_shown
        editor = screen.query_one(TextArea)
        assert editor.text == "Half an ans\nwer"
        assert editor.has_focus and editor.cursor_location == (1, 3)
        assert "draft restored" in screen_text(again)
        await pilot.press(*"!", "ctrl+z")
        assert editor.text == "Half an ans\nwer"  # undo works on top of the restored draft
        await pilot.press("ctrl+y")
        assert editor.text == "Half an ans\nwer!"
        again.post_message(events.Paste(" [b]pasted[/b]"))  # as the driver posts a bracketed paste
        await pilot.pause()
        assert editor.text == "Half an ans\nwer! [b]pasted[/b]"


async def test_a_killed_app_keeps_what_autosave_wrote(make_app, sample_db):
    """kill -9 skips every flush: only what autosave wrote survives, and that is restored."""
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w", *"saved part")
        assignment_id, _ = active_assignment(sample_db, "alice")
        await settle(pilot, until=lambda: (labels.load_draft(sample_db, assignment_id) or {})
                     .get("text") == "saved part")
        app.screen.flush_drafts = lambda: None  # what a kill does: no more writes
        app.flush_drafts = lambda: None
        await pilot.press(*" lost")
    again = make_app("alice")
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.screen.query_one(TextArea).text == "saved part"


async def test_submit_needs_text_and_confirmation(make_app, sample_db):
    app = make_app("alice")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("w")
        first = app.screen.view.prompt.id
        await pilot.press("ctrl+s")
        assert "Write an answer" in str(app.screen.query_one("#status").render())
        await pilot.press(*"An answer.", "ctrl+s", "n")
        assert app.screen.view.prompt.id == first  # declined: still writing
        await pilot.press("ctrl+s", "y")
        await pilot.pause()
    rows = list(labels.iter_labels(sample_db, labeler="alice", task="demonstration"))
    assert [(r.item, r.field, r.value) for r in rows] == [(first, "text", "An answer.")]
    assert rows[0].seconds is not None
    assert active_assignment(sample_db, "alice") is not None  # the next task was claimed
    queued = sample_db.execute(
        "SELECT item FROM tasks WHERE kind = 'demonstration_score'").fetchall()
    assert queued == [(f"d{rows[0].id}",)]


async def test_skip_with_a_typed_reason(make_app, sample_db):
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w")
        assignment_id, _ = active_assignment(sample_db, "alice")
        await pilot.press("f4", "down", "down", "escape")  # picked, then thought better of it
        await pilot.press("f4", *"duplicate", "enter")
        await pilot.pause()
    status, reason = sample_db.execute(
        "SELECT status, reason FROM assignments WHERE id = ?", [assignment_id]).fetchone()
    assert (status, reason) == ("skipped", "duplicate")


async def test_copy_prompt_and_answer_use_osc52(make_app, monkeypatch):
    import pyperclip

    def broken(_text):
        raise pyperclip.PyperclipException("no clipboard tool")

    monkeypatch.setattr(pyperclip, "copy", broken)
    monkeypatch.setenv("DISPLAY", ":0")  # looks local, so pyperclip is tried (and fails)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w", "f2")
        assert app.clipboard == app.screen.view.prompt.text
        await pilot.press(*"mine", "f3")
        assert app.clipboard == "mine"


async def test_help_key_opens_the_guidelines_at_the_criteria(make_app, tmp_path, monkeypatch):
    filler = "\n\n".join(f"Paragraph {n}." for n in range(80))
    guide = f"# Guide\n\n{filler}\n\n## The three criteria\n\nHelpful, truthful, harmless.\n\nMore.\n"
    (tmp_path / "g.md").write_text(guide)
    monkeypatch.setattr("screens.guidelines.GUIDELINES", tmp_path / "g.md")
    app = make_app("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w", "f1")
        await settle(pilot, until=lambda: "The three criteria" in screen_text(app))
        assert "Paragraph 0." not in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, WritingScreen)


async def test_submitting_a_task_closed_meanwhile_keeps_the_text(make_app, sample_db):
    from store import queue

    app = make_app("alice")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("w", *"Mine.")
        queue.skip(sample_db, app.screen.view.assignment.id, "unclear")  # e.g. another session
        await pilot.press("ctrl+s", "y")
        assert "Not saved: this task was already skipped" in str(
            app.screen.query_one("#status").render())
        assert app.screen.query_one(TextArea).text == "Mine."
