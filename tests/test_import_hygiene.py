"""store/ stays headless, and the CLI path never loads textual (fast --help, no terminal)."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import store

ROOT = Path(__file__).resolve().parents[1]


def modules_after(code: str) -> set[str]:
    """Every module `code` leaves loaded, by full name."""
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    ).stdout
    return set(out.split())


def loaded_after(code: str) -> set[str]:
    return {m.split(".")[0] for m in modules_after(code)}


def test_store_never_imports_textual_or_rich():
    names = [m.name for m in pkgutil.iter_modules(store.__path__)]
    assert "db" in names
    code = "\n".join(f"import store.{n}" for n in names)
    mods = loaded_after(code)
    assert "textual" not in mods and "rich" not in mods


def test_cli_help_does_not_import_textual():
    code = "import sys; sys.argv = ['labeldesk', '--help']\nfrom tui.cli import cli\ntry:\n    cli(prog_name='labeldesk')\nexcept SystemExit:\n    pass"
    assert "textual" not in loaded_after(code)


def test_cli_help_does_not_load_the_database_layer():
    """Every command starts (`labeldesk --help` too) without the store's connection and what
    stands on it: a command imports those inside its function, with the reason beside it."""
    code = "import sys; sys.argv = ['labeldesk', '--help']\nfrom tui.cli import cli\ntry:\n    cli(prog_name='labeldesk')\nexcept SystemExit:\n    pass"
    loaded = modules_after(code)
    assert "tui.cli" in loaded
    assert not {"store.db", "store.dialect", "tui.run"} & loaded


def start_path(sample_db, *lines: str) -> str:
    """Code that imports the app's modules, opens the sample database as `db` (as `labeldesk
    app` does, minus the terminal), reads alice's role and the schema, then runs `lines`."""
    path = sample_db.conn.execute("PRAGMA database_list").fetchone()[2]
    return "\n".join([
        "import tui.cli, tui.run, tui.app, screens.home",
        "from tui.context import resolve",
        "from store.roster import role_of",
        "from store.schema import load_schema",
        f"ctx = resolve({path!r}, None)",
        "db = ctx.open()",
        "role_of(db, 'alice'), load_schema()",
        *lines,
    ])


def test_app_start_path_does_not_import_sqlite_utils(sample_db):
    """Everything `labeldesk app` does before the home screen's first frame, minus the
    terminal, and home's counts: sqlite-utils (~35 ms) stays unloaded, as do numpy, pandas and
    psycopg (a SQLite user never loads the PostgreSQL driver)."""
    mods = loaded_after(start_path(sample_db, "from store import queue",
                                   "queue.counts(db, 'alice', {})"))
    assert not {"sqlite_utils", "numpy", "pandas", "psycopg"} & mods


def test_home_first_frame_path_leaves_the_claim_machinery_unloaded(sample_db):
    """What the app imports and runs before home's first frame (the counts come after it, in
    a worker): not the claim machinery (store.queue and the disputes, gold checks and values
    it brings), nor the scoring, the task views, csv, importlib.abc or hashlib (~10 ms of
    start-up)."""
    loaded = modules_after(start_path(
        sample_db,
        "from store.quality.status import closed_reason",
        "from store.resume import pending_quiz_state, unfinished_kind",
        "from store.sessions import start_session",
        "start_session(db, 'alice'), closed_reason(db, 'alice', ctx.config.quality_policy())",
        "pending_quiz_state(db, 'alice'), unfinished_kind(db, 'alice')",
    ))
    assert "screens.home" in loaded
    assert not {"store.queue", "store.disputes", "store.values", "store.quality.gold",
                "store.quality.scoring", "store.views", "store.records", "csv",
                "importlib.abc", "hashlib"} & loaded


def test_opening_the_app_imports_no_other_command():
    """`labeldesk app` (and bare `labeldesk`) resolves its command without importing the other
    commands' modules (tui/commands/*, and what they bring: the stats tables, the quality and
    agreement machinery); `--help` and any other command still find every command."""
    code = (
        "import sys\n"
        "import click\n"
        "from tui.cli import cli\n"
        "ctx = click.Context(cli)\n"
        "assert cli.get_command(ctx, 'app') is not None\n"
        "assert not [m for m in sys.modules if m.startswith('tui.commands.')\n"
        "            or m in ('screens.stats_tables', 'store.stats')]\n"
        "assert {'stats', 'agreement', 'import', 'export'} <= set(cli.list_commands(ctx))\n"
        "assert cli.get_command(ctx, 'import').get_command(ctx, 'prompts') is not None\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr


def test_sqlite_utils_loads_without_numpy_when_used(sample_db):
    path = sample_db.conn.execute("PRAGMA database_list").fetchone()[2]
    code = (
        "from store.db import open_db\n"
        f"db = open_db({path!r})\n"
        "assert db['labelers'].count == 4 and 'labels' in db.table_names()\n"
    )
    mods = loaded_after(code)
    assert "sqlite_utils" in mods and "numpy" not in mods
