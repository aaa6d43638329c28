"""The lint gates run inside the test suite, so the README's one test command (and `.ci/run`,
which runs the same command) cannot pass with a broken layer, a type error or a ruff finding.
`make lint` runs the same three tools for a quicker loop while editing."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(tool: str, *args: str) -> None:
    exe = BIN / tool
    if not exe.exists():
        pytest.fail(f"{exe} is missing: install the test extra (pip install -e '.[test]')")
    done = subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"{tool} failed:\n{done.stdout}\n{done.stderr}"


def test_ruff():
    run("ruff", "check", "tui", "screens", "store", "tests", "bench")


def test_layers_import_linter():
    run("lint-imports")


def test_types_mypy():
    run("mypy")
