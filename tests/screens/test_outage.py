"""The database goes away while a labeler writes, in the app (Pilot): it keeps running and
every answer on screen, the status line says the database cannot be reached and that it keeps
trying, and once the database is back it saves the latest draft and the submit the labeler
asked for, once. Quitting while it is away exits 1 and prints what was not saved.

PostgreSQL: the server ends the app's connection (`pg_terminate_backend`) while the database
refuses new ones (`ALLOW_CONNECTIONS false`), as a server that is down does; SQLite: the
directory holding the file is moved away and back, as a network share that is unmounted and
mounted again."""

from __future__ import annotations

import os

import pytest

from store import labels
from store.db import open_db
from store.schema import load_schema
from tests.conftest import draft_text, fill_sample, settle
from tui.app import LabelDeskApp
from tui.config import Config


def status(app) -> str:
    return " ".join(line.said for line in app.screen.query("StatusLine"))


def stored_answers(db) -> list[str]:
    return [r.value for r in labels.iter_labels(db, task="demonstration")]


class PgOutage:
    """A server database that the test can take away and give back."""

    def __init__(self, cluster) -> None:
        import psycopg

        self.url = cluster.new_database()
        self.name = self.url.split("@/", 1)[1].split("?", 1)[0]
        self.admin = psycopg.connect(cluster.url("postgres"), autocommit=True)
        self.cluster = cluster

    def down(self, db) -> None:
        self.admin.execute(f"ALTER DATABASE {self.name} ALLOW_CONNECTIONS false")
        self.admin.execute("SELECT pg_terminate_backend(%s)", [db.conn.raw.info.backend_pid])

    def up(self) -> None:
        self.admin.execute(f"ALTER DATABASE {self.name} ALLOW_CONNECTIONS true")

    def close(self) -> None:
        self.up()
        self.admin.close()
        self.cluster.drop(self.url)


@pytest.fixture
def pg(pg_cluster):
    outage = PgOutage(pg_cluster)
    db = open_db(outage.url)
    fill_sample(db)
    yield outage, db
    db.close()
    outage.close()


def app_on(db) -> LabelDeskApp:
    return LabelDeskApp(db=db, labeler="alice", role="labeler", config=Config(), schema=load_schema())


async def test_postgres_goes_away_and_comes_back_while_writing(pg):
    outage, db = pg
    app = app_on(db)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("w")
        await settle(pilot, lambda: app.screen.ready)
        await pilot.press(*"Before")
        await settle(pilot, lambda: draft_text(outage.url) == "Before")
        outage.down(db)
        await pilot.press(*" during")
        await settle(pilot, lambda: "cannot be reached" in status(app))
        assert "keeps trying" in status(app)
        assert app.return_code is None and app.screen.editor.text == "Before during"
        await pilot.press("ctrl+s", "y")
        await settle(pilot, lambda: "Not submitted yet" in status(app))
        assert app.screen.editor.text == "Before during"
        outage.up()
        check = open_db(outage.url)
        await settle(pilot, lambda: stored_answers(check) == ["Before during"])
        await settle(pilot, lambda: "Saved your answer" in status(app))
        await pilot.pause(1.5)  # a later retry never submits it again
        assert stored_answers(check) == ["Before during"]
        assert check.execute("SELECT count(*) FROM events WHERE kind = 'submit'").fetchone()[0] == 1
        notes = [str(n.message) for n in app._notifications]
        assert any("The database cannot be reached" in n for n in notes), notes
        check.close()


async def test_quitting_while_postgres_is_away_prints_what_was_not_saved(pg, capsys):
    outage, db = pg
    app = app_on(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("w")
        await settle(pilot, lambda: app.screen.ready)
        mine = app.screen.view.assignment.id  # p3, named on a labeler's screen by this number
        outage.down(db)
        await pilot.press(*"Typed while away")
        await settle(pilot, lambda: "cannot be reached" in status(app))
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert app.return_code == 1
    printed = " ".join(capsys.readouterr().err.split())
    assert "the database could not be reached" in printed
    assert f'demonstration #{mine}: {{"text": "Typed while away"' in printed


async def test_a_sqlite_directory_that_goes_away_and_comes_back(make_app, db_path, tmp_path):
    app = make_app("alice")
    away = tmp_path.with_name(tmp_path.name + "-unmounted")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("w")
        await settle(pilot, lambda: app.screen.ready)
        os.rename(tmp_path, away)
        try:
            await pilot.press(*"Kept")
            await settle(pilot, lambda: "cannot be reached" in status(app))
            await pilot.press("ctrl+s", "y")
            await settle(pilot, lambda: "Not submitted yet" in status(app))
            assert app.screen.editor.text == "Kept"
        finally:
            os.rename(away, tmp_path)
        await settle(pilot, lambda: "Saved your answer" in status(app))
    assert stored_answers(open_db(db_path)) == ["Kept"]


async def test_changing_an_answer_cancels_the_held_submit(make_app, db_path, tmp_path):
    app = make_app("alice")
    away = tmp_path.with_name(tmp_path.name + "-unmounted")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("w")
        await settle(pilot, lambda: app.screen.ready)
        os.rename(tmp_path, away)
        try:
            await pilot.press(*"First")
            await pilot.press("ctrl+s", "y")
            await settle(pilot, lambda: "Not submitted yet" in status(app))
            await pilot.press(*" and more")
            await settle(pilot, lambda: any("Submit cancelled: you changed an answer" in str(n.message)
                                            for n in app._notifications))
        finally:
            os.rename(away, tmp_path)
        await settle(pilot, lambda: "The database is back" in status(app))
        assert app.screen.editor.text == "First and more"
    assert stored_answers(open_db(db_path)) == [] and draft_text(db_path) == "First and more"


async def test_a_claim_while_the_database_is_away_says_so_and_works_once_it_is_back(
        make_app, db_path, tmp_path):
    app = make_app("alice")
    away = tmp_path.with_name(tmp_path.name + "-unmounted")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        os.rename(tmp_path, away)
        try:
            await pilot.press("w")
            await settle(pilot, lambda: any("Could not fetch your next task: the database cannot "
                                            "be reached" in str(n.message)
                                            for n in app._notifications))
            assert app.return_code is None and type(app.screen).__name__ == "HomeScreen"
        finally:
            os.rename(away, tmp_path)
        await settle(pilot, lambda: app._tries is None)  # reached again by the App's retry
        await pilot.press("w")
        await settle(pilot, lambda: getattr(app.screen, "view", None) is not None)


async def test_the_heartbeat_notices_a_lost_server_and_the_app_reconnects(pg):
    """Nobody types: the session's heartbeat (every 30 s; called here at once) finds the
    connection gone, and the App's retry reconnects and keeps the session alive."""
    outage, db = pg
    app = app_on(db)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        from store.db import now

        cut_at = now()
        outage.admin.execute("SELECT pg_terminate_backend(%s)", [db.conn.raw.info.backend_pid])
        app._heartbeat()
        assert app._tries is not None
        await settle(pilot, lambda: app._tries is None)
        [seen] = db.execute("SELECT seen_at FROM sessions WHERE id = ?", [db.session_id]).fetchone()
        assert seen > cut_at and app.return_code is None  # touched on the new connection
        notes = [str(n.message) for n in app._notifications]
        assert any("The database cannot be reached" in n for n in notes), notes
