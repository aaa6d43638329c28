"""An unexpected exception in a screen's handler: the labeler's terminal shows one line with the
error log's reference, never a traceback or Textual's report of local variables (which held the
whole config, database URL and password included); the traceback is in the log, masked; the
draft typed so far is saved. Under Pilot and in a real terminal (a pty)."""

from __future__ import annotations

import os
import re
import stat
import sys
import textwrap
from pathlib import Path

import pytest

from bench.pty_run import Typist, plain
from screens.writing import WritingScreen
from tests.conftest import draft_text, settle
from tui.config import load_config

ROOT = Path(__file__).resolve().parents[2]
SECRET = "pa55-w0rd"
# Matched with every space removed: the terminal's width breaks the line (inside a path too).
ONE_LINE = re.compile(r"LabelDeskstoppedonanunexpectederror;youranswersweresaved\."
                      r"Tellyourcoordinator:error(\S+?)in(/\S+?\.log)\.")


def one_line(output: str) -> re.Match | None:
    return ONE_LINE.search(re.sub(r"\s+", "", output))


class Injected(RuntimeError):
    pass


def config_with_secret(tmp_path: Path, log: Path | None = None):
    path = tmp_path / "config.toml"
    lines = ["[database]", f'url = "postgresql://owner:{SECRET}@db.internal/desk"']
    if log is not None:
        lines += ["[log]", f'path = "{log}"']
    path.write_text("\n".join(lines) + "\n")
    return path


def check_log(log: Path, ref: str) -> str:
    text = log.read_text()
    assert f"== {ref}" in text and "Traceback (most recent call last)" in text
    assert "Injected: the handler broke" in text and SECRET not in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    return text


async def test_a_handler_that_raises_shows_one_line_and_logs_the_traceback(
        make_app, db_path, tmp_path, monkeypatch, capsys):
    def broken(self):
        raise Injected(f"the handler broke (postgresql://owner:{SECRET}@db.internal/desk)")

    monkeypatch.setattr(WritingScreen, "action_submit", broken)
    app = make_app("alice", config=load_config(config_with_secret(tmp_path)))
    with pytest.raises(Injected):  # Pilot re-raises it when the app closes: tests stay loud
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("w")
            await settle(pilot, lambda: app.screen.ready)
            await pilot.press(*"Half an answer")
            await pilot.press("ctrl+s")
            await settle(pilot)
    assert app.return_code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "locals" not in err and SECRET not in err
    found = one_line(err)
    assert found, err
    assert Path(found[2]) == tmp_path / "log" / "errors.log"  # LABELDESK_LOG_DIR (conftest)
    check_log(Path(found[2]), found[1])
    assert draft_text(db_path) == "Half an answer"


SCRIPT = textwrap.dedent("""
    import sys
    from screens.writing import WritingScreen

    class Injected(RuntimeError):
        pass

    def broken(self):
        raise Injected("the handler broke (postgresql://owner:{secret}@db.internal/desk)")

    WritingScreen.action_submit = broken
    sys.argv = ["labeldesk", *sys.argv[1:]]
    from tui.cli import main
    main()
""").replace("{secret}", SECRET)


@pytest.mark.slow
def test_in_a_real_terminal_the_labeler_reads_one_line(sample_db, db_path, tmp_path):
    log = tmp_path / "operator" / "labeldesk-errors.log"
    config = config_with_secret(tmp_path, log)
    term = Typist([sys.executable, "-c", SCRIPT, "app", "--db", str(db_path), "--labeler", "alice",
                   "--config", str(config)], cols=100, rows=30, cwd=str(ROOT),
                  env={"PYTHONPATH": str(ROOT)})
    try:
        term.wait_for(b"Labeling as")
        term.send(b"w")
        term.wait_for(b"Your answer")
        term.send(b"Half an answer")
        term.wait_for(b"3 words")
        term.send(b"\x13")  # ctrl+s
        assert term.exit_code() == 1
        term.wait_for(b"Tell your coordinator")
    finally:
        term.close()
    shown = plain(term.seen).decode("utf-8", "replace")
    assert "Traceback" not in shown and "locals" not in shown and SECRET not in shown
    found = one_line(shown)
    assert found, shown[-600:]
    assert Path(found[2]) == log and oct(os.stat(log.parent).st_mode & 0o777) == "0o700"
    check_log(log, found[1])
    assert draft_text(db_path) == "Half an answer"
