"""Real SSH, end to end: sshd on 127.0.0.1, forced commands, the installed `labeldesk`, tmux.

Each labeler's key runs `labeldesk app --db ... --labeler NAME` (docs/deployment.md, variant A);
whatever the client asks to run is ignored. The app is driven with tmux send-keys and read
with capture-pane, then the database is read back.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.harness import Sshd, Tmux, installed_labeldesk, missing_tools, wait_until

pytestmark = [pytest.mark.slow]
MISSING = missing_tools()
# On a developer's machine without sshd or tmux these tests skip and say why; in CI (CI=true,
# where .ci/setup-e2e.sh installs them) a missing tool is a failure, not a silent skip.
if MISSING is not None and os.environ.get("CI") != "true":
    pytestmark.append(pytest.mark.skip(reason=MISSING))

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
CONFIG = '[comparison]\nsteps = ["ranking"]\n'


class Desk:
    """The deployment under test: database, sshd with one key per labeler, a tmux server."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.db = home / "srv" / "labels.db"
        self.db.parent.mkdir()
        self.labeldesk = installed_labeldesk(ROOT, home)
        self._run("init", "--db", str(self.db))
        self._run("labelers", "add", "rita", "--role", "researcher", "--db", str(self.db))
        for name in ("alice", "bob"):
            self._run("labelers", "add", name, "--db", str(self.db), "--labeler", "rita")
        for kind in ("prompts", "outputs"):
            self._run("import", kind, str(DATA / f"{kind}.jsonl"), "--db", str(self.db),
                      "--labeler", "rita")
        self.config = home / "config.toml"
        self.config.write_text(CONFIG)
        self.sshd = Sshd(home)
        self.sshd.start()
        self.keys = {name: self.sshd.authorize(name, self.forced_command(name))
                     for name in ("alice", "bob")}
        self.tmux = Tmux(home)

    def _run(self, *args: str) -> None:
        done = subprocess.run([str(self.labeldesk), *args], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, (args, done.stderr)

    def forced_command(self, name: str) -> str:
        app = [str(self.labeldesk), "app", "--db", str(self.db), "--labeler", name,
               "--config", str(self.config)]
        return f"umask 007; exec {shlex.join(app)}"

    def login(self, window: str, name: str, *remote: str) -> None:
        self.tmux.open(window, self.sshd.ssh_command(self.keys[name], *remote))

    def query(self, sql: str, *args) -> list[tuple]:
        conn = sqlite3.connect(self.db, timeout=10)
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def app_processes(self, name: str) -> list[int]:
        """Server-side app processes of a labeler (their command line names them)."""
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"app" in argv and name.encode() in argv and str(self.db).encode() in argv:
                found.append(int(proc.name))
        return found

    def stop(self) -> None:
        self.tmux.stop()
        self.sshd.stop()


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    if MISSING is not None:
        pytest.fail(f"CI=true and {MISSING}")
    deployment = Desk(tmp_path_factory.mktemp("ssh"))
    yield deployment
    deployment.stop()


def quit_app(desk: Desk, window: str) -> None:
    desk.tmux.send(window, "C-q")
    desk.tmux.wait_ended(window)
    desk.tmux.close(window)


def wait_for_draft(desk: Desk, text: str) -> None:
    wait_until(lambda: any(text in (d or "") for (d,) in desk.query(
        "SELECT d.data FROM drafts d JOIN assignments a ON a.id = d.assignment_id "
        "WHERE a.labeler = 'alice'")), 20, f"the draft with {text!r} to be saved")


def reconnect(desk: Desk, window: str, drafted: str) -> None:
    """Log alice in again and get back to her drafted demonstration."""
    desk.login(window, "alice")
    shown = wait_until(lambda: next((s for s in [desk.tmux.screen(window)]
                                     if drafted in s or "Labeling as alice" in s), None),
                       20, "the app after reconnecting")
    if drafted not in shown:  # the app may open on home rather than resume the drafted task
        desk.tmux.send(window, "w")
        desk.tmux.wait_for(window, drafted)


def test_a_labeler_lands_in_her_own_app(desk):
    desk.login("alice", "alice")
    screen = desk.tmux.wait_for("alice", "Labeling as alice")
    assert "(labeler)" in screen
    quit_app(desk, "alice")


@pytest.mark.parametrize("remote", [
    ("labeldesk", "app", "--labeler", "alice"),
    ("bash", "-c", "'touch {pwned}'"),
    ("bash",),
    ("sh", "-c", "'echo $SSH_ORIGINAL_COMMAND > {pwned}'"),
], ids=["another name", "a shell command", "an interactive shell", "sh -c"])
def test_the_key_decides_who_and_what_runs(desk, remote):
    pwned = desk.home / "pwned"
    desk.login("bob", "bob", *(part.format(pwned=pwned) for part in remote))
    screen = desk.tmux.wait_for("bob", "Labeling as bob")
    assert "alice" not in screen
    quit_app(desk, "bob")
    assert not pwned.exists()


def test_rank_write_drop_the_connection_reconnect_finish(desk):
    tmux = desk.tmux
    desk.login("work", "alice")
    tmux.wait_for("work", "Labeling as alice")

    # A ranking: steps = ["ranking"], so the comparison screen asks only for the order.
    tmux.send("work", "c")
    tmux.wait_for("work", "Ranking")
    # The window's draw decides the item, so how many outputs it has: B first, then A, then the rest.
    [(order,)] = desk.query("SELECT \"order\" FROM assignments WHERE labeler = 'alice' AND status = 'active'")
    shown = json.loads(order)  # letter A is the first output shown
    tmux.send("work", "b", "a", *"cdefghi"[:len(shown) - 2])
    tmux.send("work", "Enter")
    [(ranking,)] = wait_until(lambda: desk.query(
        "SELECT value FROM labels WHERE labeler = 'alice' AND task = 'ranking'"), 20,
        "alice's ranking in the database")
    assert json.loads(ranking) == [[shown[1]], [shown[0]], *([o] for o in shown[2:])]
    tmux.send("work", "Escape")
    tmux.wait_for("work", "Labeling as alice")

    # A demonstration, cut off by a dropped connection halfway.
    tmux.send("work", "w")
    tmux.wait_for("work", "Write the ideal answer")
    tmux.type("work", "Plants make food from light, ")
    wait_for_draft(desk, "Plants make food from light,")
    tmux.drop("work")
    wait_until(lambda: not desk.app_processes("alice"), 20, "the server side to hang up")
    tmux.close("work")

    reconnect(desk, "again", "Plants make food from light,")  # the lease and draft came back
    tmux.send("again", "End")
    tmux.type("again", "water and air.")
    wait_for_draft(desk, "water and air.")

    # Now the app itself dies without a word (kill -9): the saved draft is all there is.
    for pid in desk.app_processes("alice"):
        os.kill(pid, signal.SIGKILL)
    tmux.wait_ended("again")
    tmux.close("again")
    reconnect(desk, "last", "Plants make food from light, water and air.")
    tmux.send("last", "C-s")
    tmux.wait_for("last", "Submit this answer")
    tmux.send("last", "Enter")  # confirm
    rows = wait_until(lambda: desk.query(
        "SELECT value FROM labels WHERE labeler = 'alice' AND task = 'demonstration'"), 20,
        "the demonstration in the database")
    assert json.loads(rows[0][0]) == "Plants make food from light, water and air."
    assert len(desk.query("SELECT id FROM labels WHERE labeler = 'alice' AND task = 'ranking'")) == 1
    quit_app(desk, "last")


if __name__ == "__main__":  # pragma: no cover - manual run: keep the deployment up to look at
    sys.exit(pytest.main([__file__, "-v"]))
