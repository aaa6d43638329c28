"""Bytes to the terminal per keystroke, in a real pty: what a slow SSH link must carry.

`labeldesk app` runs on a 100×30 pty; each key is sent once the screen has gone quiet and
every byte written until it goes quiet again is counted, along with the time from the key to
the first byte of the answer. Screens: home (moving the highlight through the work list) and,
when `screens/comparison.py` exists, the ranking step of a comparison (config: ranking only)
with 4 outputs of 600 characters.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.results import record, summary
from bench.workload import app_in_pty, build_db

ROOT = Path(__file__).resolve().parents[1]
DOWN, UP, RIGHT, LEFT = b"\x1b[B", b"\x1b[A", b"\x1b[C", b"\x1b[D"
ROUNDS = 5


def keystrokes(pty, keys: list[bytes]) -> dict:
    answers = [pty.keystroke(key) for key in keys]
    sizes = [len(out) for out, _ in answers]
    return {"bytes": summary(sizes), "first_byte_ms": summary([first * 1000 for _, first in answers]),
            "bytes_max": max(sizes)}


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    try:
        db_path = tmp / "bytes.db"
        build_db(db_path, 50).conn.close()
        figures: dict[str, Any] = {}
        with app_in_pty(db_path, tmp) as pty:
            pty.wait_for(b"Labeling as")
            keys = ([DOWN] * 3 + [UP] * 3) * ROUNDS
            figures["home_highlight_move"] = keystrokes(pty, keys)
        if (ROOT / "screens" / "comparison.py").exists():
            figures.update(ranking(db_path, tmp))
        else:
            figures["ranking"] = "not measured: screens/comparison.py is not on this branch yet"
        figures["target_bytes_per_ranking_keystroke"] = 1500
        record("bytes", figures)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ranking(db_path: Path, tmp: Path) -> dict:
    """The ranking step alone: type letters best first and take them back (Backspace), and
    switch the output being read (←/→)."""
    with app_in_pty(db_path, tmp, "[comparison]", 'steps = ["ranking"]') as pty:
        pty.wait_for(b"Labeling as")
        pty.press(b"c", until=b"Rank by")
        typing = keystrokes(pty, [b"a", b"b", b"c", b"\x7f", b"\x7f", b"\x7f"] * ROUNDS)
        reading = keystrokes(pty, [RIGHT, RIGHT, LEFT, LEFT] * ROUNDS)
    # The target is for ranking keystrokes; showing another output sends that output's text.
    return {"ranking_place_and_take_back": typing, "ranking_read_next_output": reading}


if __name__ == "__main__":
    main()
