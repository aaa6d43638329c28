"""Start-up runs without Python's cycle collector (tui/run.py): it is back on once the first
frame is drawn, with what the start made set aside, and back on however the start ends."""

from __future__ import annotations

import gc

import click
import pytest

from tests.conftest import settle


async def test_collection_resumes_after_the_first_frame(make_app):
    app = make_app("alice")
    gc.disable()  # as tui/run.py leaves it for the app
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, gc.isenabled)
            assert gc.get_freeze_count() > 0  # the start's objects: never walked again
            assert "Labeling as alice" in str(app.screen.query_one("#who").render())
    finally:
        gc.enable()
        gc.unfreeze()  # this test process's objects go back to collection


async def test_an_app_started_with_collection_on_freezes_nothing(make_app):
    app = make_app("alice")
    frozen = gc.get_freeze_count()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: app.screen.query_one("#who").render())
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_collection_is_on_again_when_the_app_cannot_start(sample_db, db_path, monkeypatch):
    from tui.context import resolve
    from tui.run import run_app

    monkeypatch.setattr("tui.run.has_terminal", lambda: False)
    with pytest.raises(click.ClickException, match="needs a terminal"):
        run_app(resolve(str(db_path), None), "alice")
    assert gc.isenabled()
