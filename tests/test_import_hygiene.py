"""store/ stays headless, and the CLI path never loads textual (fast --help, no terminal)."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import store

ROOT = Path(__file__).resolve().parents[1]


def loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    ).stdout
    return {m.split(".")[0] for m in out.split()}


def test_store_never_imports_textual_or_rich():
    names = [m.name for m in pkgutil.iter_modules(store.__path__)]
    assert "db" in names
    code = "\n".join(f"import store.{n}" for n in names)
    mods = loaded_after(code)
    assert "textual" not in mods and "rich" not in mods


def test_cli_help_does_not_import_textual():
    code = "import sys; sys.argv = ['labeldesk', '--help']\nfrom tui.cli import cli\ntry:\n    cli(prog_name='labeldesk')\nexcept SystemExit:\n    pass"
    assert "textual" not in loaded_after(code)
