""".ci/run on a stock Debian machine: its python3 lacks ensurepip (package python3-venv), so
the venv step fails unless .ci/setup-python.sh installs it first. Run against a fake python3
without it and a fake apt-get that records what it is asked for."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def fake_bin(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)


@pytest.mark.parametrize("has_venv", [False, True])
def test_setup_installs_python3_venv_where_debian_leaves_it_out(tmp_path, has_venv):
    fake = tmp_path / "bin"
    fake.mkdir()
    log = tmp_path / "apt.log"
    fake_bin(fake, "python3", "exit 0\n" if has_venv else 'echo "No module named ensurepip" >&2; exit 1\n')
    fake_bin(fake, "apt-get", f'echo "$@" >> {log}\n')
    fake_bin(fake, "id", "echo 0\n")
    done = subprocess.run([str(ROOT / ".ci" / "setup-python.sh")], capture_output=True, text=True,
                          env={"PATH": f"{fake}:/usr/bin:/bin", "CI": "true"}, timeout=30)
    assert done.returncode == 0, done.stderr
    if has_venv:
        assert not log.exists()
    else:
        assert "install" in log.read_text() and "python3-venv" in log.read_text()
        assert done.stdout.strip() == "setup-python: installed python3-venv"


def test_ci_run_sets_python_up_before_the_venv():
    run = (ROOT / ".ci" / "run").read_text()
    assert run.index(".ci/setup-python.sh") < run.index("python3 -m venv")
