"""A queue of ranking items, some with researcher gold, and the app on top of it."""

from __future__ import annotations

import pytest

from store.imports import import_labels, import_outputs, import_prompts
from store.roster import add_labeler
from tests.conftest import oldest_first, write_jsonl
from tui.config import Config

N_ITEMS, N_GOLD = 200, 20


def gold_ranking(item: str) -> list[list[str]]:
    return [[f"{item}-a"], [f"{item}-b"], [f"{item}-c"]]


@pytest.fixture
def ranking_db(db, tmp_path):
    """200 ranking items of 3 outputs; the last 20 have gold (production reaches them last)."""
    items = ranking_project(db, tmp_path, N_ITEMS)
    add_gold(db, tmp_path, items[-N_GOLD:])
    return db


def ranking_project(db, tmp_path, n: int) -> list[str]:
    """Labelers ana, bo and researcher rhea; `n` ranking items q000.. of 3 outputs each."""
    add_labeler(db, "ana")
    add_labeler(db, "bo")
    add_labeler(db, "rhea", "researcher")
    items = [f"q{n:03d}" for n in range(n)]
    import_prompts(db, write_jsonl(tmp_path / "p.jsonl", [
        {"id": i, "text": f"Question {i}", "tasks": ["comparison"]} for i in items]))
    import_outputs(db, write_jsonl(tmp_path / "o.jsonl", [
        {"id": f"{i}-{x}", "prompt_id": i, "text": f"Answer {x} to {i}"} for i in items for x in "abc"]))
    return items


def add_gold(db, tmp_path, items: list[str]) -> None:
    """rhea's gold ranking (`gold_ranking`) on each of `items`."""
    import_labels(db, write_jsonl(tmp_path / "g.jsonl", [
        {"labeler": "rhea", "task": "ranking", "item": i, "field": "ranking", "value": gold_ranking(i)}
        for i in items]), gold=True)


def quality_config(**quality) -> Config:
    """Ranking only, claims strictly oldest first (these tests know where production is)."""
    cfg = oldest_first()
    cfg.data["comparison"]["steps"] = ["ranking"]
    cfg.data["quality"].update(quality)
    return cfg


@pytest.fixture
def ranking_app(ranking_db):
    from store.schema import load_schema
    from tui.app import LabelDeskApp

    def make(labeler: str = "ana", config: Config | None = None):
        from store.roster import role_of

        return LabelDeskApp(db=ranking_db, labeler=labeler, role=role_of(ranking_db, labeler),
                            config=config or quality_config(), schema=load_schema())

    return make
