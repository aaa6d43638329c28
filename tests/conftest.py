"""Shared fixtures: a fresh database, one with a small data set, and the app on top of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.db import open_db
from store.imports import import_outputs, import_prompts
from store.roster import add_labeler

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    """No test touches the real XDG dirs, the user's config or their LABELDESK_* settings."""
    monkeypatch.setenv("LABELDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LABELDESK_CONFIG_DIR", str(tmp_path / "config"))
    for var in ("LABELDESK_DB", "LABELDESK_CONFIG", "LABELDESK_LABELER"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "desk.db"


@pytest.fixture
def db(db_path):
    database = open_db(db_path)
    yield database
    database.conn.close()


@pytest.fixture
def sample_db(db):
    """Five prompts: two comparisons, a demonstration, a toxicity item, an implicit writing task."""
    add_labeler(db, "alice")
    add_labeler(db, "bob")
    add_labeler(db, "carol")
    add_labeler(db, "rhea", "researcher")
    import_prompts(db, DATA / "prompts.jsonl")
    import_outputs(db, DATA / "outputs.jsonl")
    return db


@pytest.fixture
def make_app(sample_db):
    """Build the App for a labeler on the sample database (call inside the test)."""
    from store.schema import load_schema
    from tui.app import LabelDeskApp
    from tui.config import Config

    def make(labeler: str = "alice", role: str | None = None, config: Config | None = None):
        from store.roster import role_of

        return LabelDeskApp(
            db=sample_db,
            labeler=labeler,
            role=role or role_of(sample_db, labeler),
            config=config or Config(),
            schema=load_schema(),
        )

    return make
