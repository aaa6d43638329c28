"""A full disk and a read-only filesystem under the database: one clear line, exit 1, no damage.

Real filesystems: a size-limited tmpfs and a read-only bind mount (needs root, as in CI).
tests/screens/test_faults.py covers the same faults inside the app on any machine.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from contextlib import contextmanager

import pytest

from tests.cli.subproc import labeldesk, one_line_error


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount here ({done.stderr.strip()}); the in-app tests still run")


@contextmanager
def mounted(*args: str):
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root (CI runs as root)")
    target = args[-1]
    _mount(*args)
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", target], check=False)


def prompts_file(path, n: int, size: int) -> None:
    with path.open("w") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"p{i}", "text": f"{i} " + "x" * size}) + "\n")


def count_and_integrity(db_path) -> tuple[int, str]:
    conn = sqlite3.connect(db_path)
    try:
        return (conn.execute("SELECT count(*) FROM prompts").fetchone()[0],
                conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def fill(disk, leave: int):
    """Take all but ``leave`` bytes of the disk, as a runaway log file would."""
    filler = disk / "filler"
    # Unbuffered: a buffered file would fail once more at close, flushing what did not fit
    # (whether it does depends on how the free space divides into 16 KiB writes).
    with filler.open("wb", buffering=0) as f:
        try:
            while os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize > leave:
                f.write(b"\0" * 16384)
                f.flush()
        except OSError:
            pass
    return filler


@pytest.mark.parametrize("leave", [256 * 1024, 0], ids=["full while importing", "full at open"])
def test_a_full_disk_stops_an_import_cleanly(tmp_path, leave):
    disk = tmp_path / "disk"
    disk.mkdir()
    with mounted("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)):
        db_path = disk / "desk.db"
        assert labeldesk("init", "--db", str(db_path)).returncode == 0
        filler = fill(disk, leave)
        prompts_file(tmp_path / "p.jsonl", 200, 2000)
        line = one_line_error(labeldesk("import", "prompts", str(tmp_path / "p.jsonl"),
                                        "--db", str(db_path)))
        assert "disk holding the database is full" in line
        filler.unlink()
        assert count_and_integrity(db_path) == (0, "ok")  # all or nothing
        done = labeldesk("import", "prompts", str(tmp_path / "p.jsonl"), "--db", str(db_path))
        assert done.returncode == 0, done.stderr
        assert count_and_integrity(db_path) == (200, "ok")


@pytest.mark.parametrize("command", [
    ("import", "prompts", "{p}"), ("labelers", "add", "bob"), ("app", "--labeler", "alice"),
], ids=lambda c: " ".join(c[:2]))
def test_a_read_only_database_says_so(tmp_path, command):
    source, view = tmp_path / "rw", tmp_path / "ro"
    source.mkdir()
    view.mkdir()
    assert labeldesk("init", "--db", str(source / "desk.db")).returncode == 0
    prompts_file(tmp_path / "p.jsonl", 3, 10)
    with mounted("--bind", str(source), str(view)):
        _mount("-o", "remount,bind,ro", str(view))
        args = [a.format(p=tmp_path / "p.jsonl") for a in command]
        line = one_line_error(labeldesk(*args, "--db", str(view / "desk.db"), timeout=30))
        assert "read-only" in line and str(view / "desk.db") in line
    assert count_and_integrity(source / "desk.db") == (0, "ok")
