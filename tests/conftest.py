"""Shared fixtures and helpers: a fresh database, one with a small data set, the app on top of
it, and the waits that make app tests independent of machine load (no fixed sleeps)."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from store.db import open_db
from store.imports import import_outputs, import_prompts
from store.queue import claim_next
from store.roster import add_labeler

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]
QUIZ_EXAMPLE = ROOT / "quiz.example.toml"
# How long a wait on a condition may take before the test fails: generous, because CI shares
# its machine; a passing test returns as soon as the condition holds.
SETTLE_TIMEOUT = 30.0


def pytest_configure(config):
    """Bytecode for the whole checkout, written once before any test runs (in the xdist
    controller, before its workers start). Where the environment says not to write bytecode
    (PYTHONDONTWRITEBYTECODE, as in CI's container) every worker would otherwise compile and
    assertion-rewrite every test module again (~4 s of CPU each), and every app or CLI process
    a test starts would compile LabelDesk's modules at launch. `__pycache__` is git-ignored."""
    if hasattr(config, "workerinput"):
        return
    import compileall

    for package in ("tui", "store", "screens", "bench", "tests"):
        compileall.compile_dir(ROOT / package, quiet=2)
    _rewrite_test_modules(config)


def _rewrite_test_modules(config) -> None:
    """Store pytest's assertion-rewritten bytecode of each test module and conftest, as its
    import hook does when it may write bytecode. pytest's own (private) functions: if they
    change, this quietly does nothing and each worker rewrites the modules it imports."""
    try:
        from _pytest.assertion import rewrite

        state = config.stash[rewrite.assertstate_key]
        for source in (ROOT / "tests").rglob("*.py"):
            if not (source.name.startswith("test_") or source.name == "conftest.py"):
                continue
            cache = rewrite.get_cache_dir(source)
            pyc = cache / (source.name[:-3] + rewrite.PYC_TAIL)
            if rewrite._read_pyc(source, pyc) is None and rewrite.try_makedirs(cache):
                source_stat, code = rewrite._rewrite_test(source, config)
                rewrite._write_pyc(state, code, source_stat, pyc)
    except (ImportError, AttributeError, KeyError, TypeError):
        return


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    """No test touches the real XDG dirs, the user's config or their LABELDESK_* settings."""
    monkeypatch.setenv("LABELDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LABELDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("LABELDESK_LOG_DIR", str(tmp_path / "log"))
    for var in ("LABELDESK_DB", "LABELDESK_CONFIG", "LABELDESK_LABELER"):
        monkeypatch.delenv(var, raising=False)


# -- the two backends -----------------------------------------------------------------------
# Store, quality-store and CLI tests run on SQLite and on PostgreSQL (a throwaway cluster,
# tests/pg_cluster.py); app and screen tests stay on SQLite (the screens never see which).
# A test that is about SQLite itself (files, WAL, crashes) is marked `sqlite_only`; one about a
# server connection (a backend ended, a restart) is marked `postgres_only`. Either way the other
# variant is never generated, so it cannot show up as a skip.
# LABELDESK_TEST_BACKENDS=sqlite leaves the PostgreSQL variants out (a quick local run).
BOTH_BACKENDS = ("tests/store/", "tests/quality/test_store_quality.py",
                 "tests/quality/test_cli_quality.py", "tests/cli/")
BACKENDS = [b for b in os.environ.get("LABELDESK_TEST_BACKENDS", "sqlite,postgres").split(",") if b]


def pytest_generate_tests(metafunc):
    if "backend" not in metafunc.fixturenames:
        return
    where = Path(metafunc.definition.path).relative_to(ROOT).as_posix()
    if not where.startswith(BOTH_BACKENDS) or metafunc.definition.get_closest_marker("sqlite_only"):
        return
    only_server = metafunc.definition.get_closest_marker("postgres_only")
    metafunc.parametrize("backend", [b for b in BACKENDS if b == "postgres" or not only_server],
                         indirect=True)


@pytest.fixture
def backend(request) -> str:
    """``sqlite``, or ``postgres`` for the PostgreSQL variant of a store or CLI test."""
    return getattr(request, "param", "sqlite")


def reference_library(name: str):
    """Import a library a test checks our statistics against (crowd-kit, choix, pandas: the
    `test` extra). Missing, the test skips and says why; under CI=true it fails instead, so a
    broken install cannot turn the checks against reference libraries off unnoticed."""
    try:
        return pytest.importorskip(name)
    except pytest.skip.Exception as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run this test: {exc}")
        raise


@pytest.fixture(scope="session")
def pg_cluster():
    """One PostgreSQL cluster per session (per xdist worker). Without PostgreSQL the
    PostgreSQL variants skip, saying why; under CI=true they fail instead."""
    yield from running_cluster()


@pytest.fixture
def own_pg_cluster():
    """A cluster of the test's own (a test that stops and starts its server: the session's
    cluster serves other tests of the worker meanwhile). ~2 s to start."""
    yield from running_cluster()


def running_cluster(**settings: str | int):
    """A started `tests.pg_cluster.Cluster` with `settings` over the tests' server defaults,
    stopped afterwards. Without PostgreSQL the test skips, saying why; under CI=true it fails."""
    from tests import pg_cluster as pg

    why = pg.missing()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests: {why}")
        pytest.skip(why)
    cluster = pg.Cluster(**settings)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def db_path(tmp_path, backend, request):
    """Where the test's database lives: a file path, or on PostgreSQL a fresh database's URL
    (a str: `open_db`, `--db` and `str()` take it as they take the path)."""
    if backend != "postgres":
        yield tmp_path / "desk.db"
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database(empty=request.node.get_closest_marker("empty_database") is not None)
    yield url
    cluster.drop(url)


def fill_sample(db) -> None:
    """Five prompts: two comparisons, a demonstration, a toxicity item, an implicit writing task."""
    add_labeler(db, "alice")
    add_labeler(db, "bob")
    add_labeler(db, "carol")
    add_labeler(db, "rhea", "researcher")
    import_prompts(db, DATA / "prompts.jsonl")
    import_outputs(db, DATA / "outputs.jsonl")


@pytest.fixture(scope="session")
def _templates(tmp_path_factory) -> dict[str, Path]:
    """A freshly migrated database and the sample one, built once per test process through the
    real `open_db` and importers; each test gets a copy of the file (a few ms, where migrating
    and importing take ~10 ms of CPU and ~100 ms of fsyncs)."""
    root = tmp_path_factory.mktemp("templates")
    paths = {"empty": root / "empty.db", "sample": root / "sample.db"}
    for name, path in paths.items():
        database = open_db(path)
        if name == "sample":
            fill_sample(database)
        database.conn.close()  # the last connection: its WAL is checkpointed into the file
        assert not Path(f"{path}-wal").exists()
    return paths


def init_db(db_path) -> None:
    """`labeldesk init --db db_path`, the one command that creates a database: its creator
    (this test's OS user) becomes the first researcher, who runs the researcher commands that
    follow without naming anyone."""
    from tests.cli.subproc import labeldesk_here

    done = labeldesk_here("init", "--db", str(db_path))
    assert done.returncode == 0, done.stderr


def write_jsonl(path: Path, records: Iterable[object]) -> Path:
    """`records` as a JSON Lines file at `path` (an import's input); returns `path`."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# The store tests' clock: claims are made at T0 unless a test says otherwise.
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def claim(db, who: str, kind: str = "comparison", *, overlap: int = 2, at: datetime | None = T0,
          lease: int = 600, window: int = 1, **more):
    """`store.queue.claim_next` as the store tests call it: a comparison at T0, two labelers an
    item, a ten-minute lease, and strictly oldest first (`window` 1: the tests know which task
    comes next; the shuffled default has tests of its own); `more` is passed on (escalation=,
    policy=, quiz=)."""
    return claim_next(db, who, kind, overlap=overlap, lease_seconds=lease, at=at, window=window,
                      **more)


def oldest_first(config=None):
    """`config` (default: the defaults) with `[queue] window = 1`: claims strictly oldest first,
    for the app tests that know which task comes next."""
    from tui.config import Config

    config = config or Config()
    config.data["queue"]["window"] = 1
    return config


@pytest.fixture
def db(db_path, request):
    """A migrated database of the test's own. On SQLite a copy of a template file, with the
    sample data already in it when the test (or a fixture it uses) asks for ``sample_db``,
    which is then this same database."""
    if isinstance(db_path, Path):
        templates = request.getfixturevalue("_templates")
        shutil.copyfile(templates["sample" if "sample_db" in request.fixturenames else "empty"],
                        db_path)
    database = open_db(db_path)
    yield database
    database.conn.close()


DEMO_DIR = Path(__file__).resolve().parents[1] / "tui" / "demo"


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory) -> Path:
    """The bundled demo project imported once per test process (SQLite): `demo_db` copies it."""
    from store.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = open_db(path)
    load_demo(database, DEMO_DIR)
    database.conn.close()
    return path


@pytest.fixture
def demo_db(db_path, request):
    """`db_path` holding the demo project (`store.demo.load_demo` of tui/demo), as imported
    once per test process through the real importers and then copied: a file on SQLite, a
    template database on PostgreSQL."""
    if isinstance(db_path, Path):
        shutil.copyfile(request.getfixturevalue("_demo_template"), db_path)
    else:
        from store.demo import load_demo

        request.getfixturevalue("pg_cluster").filled(
            db_path, "labeldesk_demo", lambda database: load_demo(database, DEMO_DIR))
    return db_path


@pytest.fixture
def sample_db(db, db_path):
    """Five prompts: two comparisons, a demonstration, a toxicity item, an implicit writing task
    (see `fill_sample`: on SQLite `db` copied them from the template)."""
    if not isinstance(db_path, Path):  # PostgreSQL: no file to copy; imported as written
        fill_sample(db)
    return db


@pytest.fixture
def make_app(sample_db):
    """Build the App for a labeler on the sample database (call inside the test)."""
    from store.schema import load_schema
    from tui.app import LabelDeskApp
    from tui.config import Config

    def make(labeler: str = "alice", role: str | None = None, config: Config | None = None,
             window: int | None = 1):
        """`window` 1 (claims strictly oldest first: these tests know which task comes next);
        None keeps the config's (the shuffled default)."""
        from store.roster import role_of

        return LabelDeskApp(
            db=sample_db,
            labeler=labeler,
            role=role or role_of(sample_db, labeler),
            config=oldest_first(config) if window == 1 else config or Config(),
            schema=load_schema(),
        )

    return make


def draft_text(target) -> str:
    """The text of the one draft in the database at `target` (a path or URL), "" when none."""
    import json

    db = open_db(target)
    try:
        row = db.execute("SELECT data FROM drafts").fetchone()
        return json.loads(row[0]).get("text", "") if row else ""
    finally:
        db.close()


# -- waiting for the app, not the clock ------------------------------------------------------

async def settle(pilot, until: Callable[[], object] | None = None, *,
                 timeout: float = SETTLE_TIMEOUT) -> None:
    """Let the app finish what the last keys started, then (if given) wait for ``until()``.

    ``pilot.pause()`` drains the message queues of the app and the current screen once; a
    handled event can post more (a key reaches the app, then the screen, then the focused
    widget, which may post a Changed message), so it runs a few rounds. A condition is polled
    the same way until it holds or ``timeout`` passes, and then the test fails with its name.
    """
    for _ in range(3):
        await pilot.pause()
    if until is None:
        return
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {until}")
        await pilot.pause(0.02)


def tables_measured(screen) -> bool:
    """Every DataTable on `screen` has measured the rows and cells it was given. A DataTable
    sizes its columns in its own Idle handler, which a loaded machine can delay past a few
    pauses: a snapshot taken before shows columns only as wide as their labels."""
    from textual.widgets import DataTable

    return not any(t._require_update_dimensions or t._updated_cells for t in screen.query(DataTable))


async def figures_settled(pilot) -> None:
    """Wait until the current screen's figures, computed in a worker (screens/background.py),
    are on screen, the worker is done, the keys that waited for them are applied and its
    tables are measured."""
    await settle(pilot, until=lambda: getattr(pilot.app.screen, "shown", True)
                 and not getattr(pilot.app.screen, "computing", False)
                 and not getattr(pilot.app, "_backlog", None))
    await settle(pilot, until=lambda: tables_measured(pilot.app.screen))


async def press_settled(pilot, *keys: str) -> None:
    """Press ``keys`` one at a time, each handled to the end before the next (under load,
    `pilot.press` with many keys can leave the last ones in flight when it returns)."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def no_cursor_blink(app) -> None:
    """Every text cursor on the current screen steady, so a snapshot does not catch it blinking."""
    from textual.widgets import Input, TextArea

    for widget in app.screen.query("Input, TextArea"):
        if isinstance(widget, (Input, TextArea)):
            widget.cursor_blink = False


def snapshot_keys(*keys: str, blink: bool = False):
    """A `snap_compare(run_before=...)` that presses ``keys`` settled, then stills the cursor."""

    async def run_before(pilot) -> None:
        await press_settled(pilot, *keys)
        await figures_settled(pilot)  # a screen computing in a worker (screens/background.py)
        if not blink:
            no_cursor_blink(pilot.app)
        await settle(pilot)

    return run_before


# -- screening quizzes --------------------------------------------------------------------------

def complete_answers(session) -> dict:
    """Answer every item: all flags False, rankings in shown order, some text."""
    out: dict[int, dict[str, Any]] = {}
    for item in session.items:
        if item.section == "flagging":
            out[item.position] = {"prompt": {f: False for f in item.prompt_flags},
                                  "completion": {f: False for f in item.completion_flags}}
        elif item.section == "ranking":
            out[item.position] = {"ranking": [[o.id] for o in item.outputs]}
        elif item.section == "demonstrations":
            out[item.position] = {"text": f"answer to {item.item}"}
        else:
            out[item.position] = {"selected": ["politics"], "text": "sports"}
    return out


def take_quiz(db, labeler, *, seconds=1.0, quiz="screening-demo"):
    """The labeler answers every item (see complete_answers) and submits."""
    from store.quiz import taking

    session = taking.load_session(db, quiz, labeler)
    for pos, answer in complete_answers(session).items():
        taking.save_answer(db, session, pos, answer, seconds=seconds)
    taking.submit_quiz(db, session)
    return session
