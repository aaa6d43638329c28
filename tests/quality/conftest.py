"""A queue of ranking items, some with researcher gold, and the app on top of it."""

from __future__ import annotations

import threading

import pytest

from store.db import open_db
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


# -- a large project, for screens that compute (screens/background.py) -------------------

FIELDS = ("closed_domain", "intent_unclear", "asks_advice", "asks_opinion", "pii")
LABELERS, ITEMS, PER_ITEM = 60, 3000, 5


@pytest.fixture(scope="module")
def large_db(tmp_path_factory):
    """75,000 yes/no labels of 60 labelers (five an item, 70% agreeing with the item's truth),
    gold on a fifth of the items, every (labeler, item) a finished assignment and every answer
    on a gold item a gold check: built in SQL (a second), the bench's shape at 1/13 of its size."""
    from bench.bench_quality import _WORK_SQL

    path = tmp_path_factory.mktemp("large") / "large.db"
    db = open_db(path)
    values = "CASE WHEN abs(random()) % 10 < 7 THEN truth ELSE json(CASE abs(random()) % 2 WHEN 0 THEN 'false' ELSE 'true' END) END"
    with db.conn:
        db.conn.execute("PRAGMA synchronous = OFF")
        db.conn.execute(
            f"""WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {ITEMS * PER_ITEM - 1}),
                     f(name) AS (VALUES {",".join(f"('{f}')" for f in FIELDS)}),
                     t(item, k, truth) AS (SELECT 'p' || (i / {PER_ITEM}), i % {PER_ITEM},
                                                  CASE (i / {PER_ITEM}) % 2 WHEN 0 THEN 'false' ELSE 'true' END
                                           FROM n)
                INSERT INTO labels (labeler, task, item, field, value, gold, created_at)
                SELECT printf('l%02d', (CAST(substr(item, 2) AS INTEGER) * 7 + k * 11) % {LABELERS}),
                       'instruction', item, name, {values}, 0, '2026-01-01'
                FROM t, f""")
        db.conn.execute(
            """INSERT INTO labels (labeler, task, item, field, value, gold, created_at)
                SELECT 'researcher', 'instruction', item, field,
                       CASE CAST(substr(item, 2) AS INTEGER) % 2 WHEN 0 THEN 'false' ELSE 'true' END,
                       1, '2026-01-01'
                FROM labels WHERE gold = 0 AND CAST(substr(item, 2) AS INTEGER) % 5 = 0
                GROUP BY item, field""")
        for sql in _WORK_SQL:
            db.conn.execute(sql)
    db.conn.close()
    return path


def app_on(path):
    from store.schema import load_schema
    from tui.app import LabelDeskApp

    return LabelDeskApp(db=open_db(path), labeler="researcher", role="researcher",
                        config=quality_config(), schema=load_schema())


@pytest.fixture
def tracer(monkeypatch):
    """`tracer((module, name), ...)` wraps those functions (as screens call them: through the
    module) and returns what happened, in order: their starts and ends (or aborts) beside the
    test's own notes. `happened.hold`, once cleared, holds a worker at the start of the next
    call until it is set again: the test's keys then surely meet a worker that has not
    finished, whatever the machine's speed."""

    class Happened(list):
        hold = threading.Event()

    happened = Happened()
    hold = happened.hold
    hold.set()

    def trace(module, name):
        real = getattr(module, name)

        def traced_call(*args, **kwargs):
            happened.append(f"{name} started")
            hold.wait(timeout=60)
            try:
                out = real(*args, **kwargs)
            except BaseException as exc:
                happened.append(f"{name} stopped: {exc}")
                raise
            happened.append(f"{name} done")
            return out

        monkeypatch.setattr(module, name, traced_call)

    def make(*targets):
        for module, name in targets:
            trace(module, name)
        return happened

    return make
