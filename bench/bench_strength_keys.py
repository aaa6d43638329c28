"""CPU per key with preference strength and a reason asked, against the same rankings without
them, in the same run: what `[comparison] strength` and `reason` add to a labeler's keys.

`labeldesk app` runs twice in an 80×24 pty with `[comparison] steps = ["ranking"]` on `TASKS`
comparisons of 4 outputs of ~1,500 characters (bench_key_cpu's workload and its `Counted`
typist: each key once the app is idle, the app's CPU from the key until it is idle again, and
Textual's full re-layouts counted). Without: three letters (the fourth output places itself)
and Enter, which submits. With `strength = true`, `reason = "optional"`: the same letters,
Enter (the levels), a digit per boundary, Enter (the reason line), a short reason, Enter (the
submit). The letters are compared like for like; the new keys are reported by kind.

`python -m bench strength_keys` (`--tasks N`); figures under `strength_keys` in results.json.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from bench.bench_key_cpu import OUTPUT_CHARS, OUTPUTS, QUIET, SIZE, Counted, done
from bench.pty_run import Typist, poll
from bench.results import machine, record
from bench.workload import app_in_pty, build_db

TASKS = 20
REASON = "B is clearer"


def script(tasks: int, strength: bool) -> list[tuple[str, bytes]]:
    keys: list[tuple[str, bytes]] = []
    for t in range(tasks):
        letters = "bad" if t % 2 else "cab"
        keys += [("ranking_letter", ch.encode()) for ch in letters]
        if not strength:
            keys.append(("enter_submit", b"\r"))
            continue
        keys.append(("enter_to_levels", b"\r"))
        keys += [("strength_digit", str(1 + (t + j) % 4).encode()) for j in range(OUTPUTS - 1)]
        keys.append(("enter_to_reason", b"\r"))
        keys += [("reason_character", ch.encode()) for ch in REASON]
        keys.append(("enter_submit", b"\r"))
    return keys


def run(tmp: Path, tasks: int, strength: bool) -> dict:
    name = "with" if strength else "without"
    db_path = tmp / f"{name}.db"
    build_db(db_path, tasks, output_chars=OUTPUT_CHARS, kinds=("comparison",)).conn.close()
    counts = tmp / f"{name}.count"
    lines = ["[comparison]", 'steps = ["ranking"]']
    if strength:
        lines += ["strength = true", 'reason = "optional"']
    (tmp / name).mkdir()
    with app_in_pty(db_path, tmp / name, *lines, terminal=Typist, size=SIZE,
                    launcher=("-m", "bench.counted"),
                    env={"LABELDESK_BENCH_COUNTS": str(counts)}) as pty:
        pty.wait_for(b"Labeling as")
        pty.settle(QUIET)
        pty.burst([b"c"])
        pty.wait_for(b"Rank by")
        figures = Counted(pty, counts).type(script(tasks, strength))
        figures["stored"] = poll(lambda: done(db_path, tasks), f"{tasks} comparisons stored")
    return figures


def measure(tasks: int) -> dict:
    tmp = Path(tempfile.mkdtemp())
    try:
        without = run(tmp, tasks, strength=False)
        with_strength = run(tmp, tasks, strength=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    letter = with_strength["ranking_letter"]["median_ms"] / without["ranking_letter"]["median_ms"]
    return {"without": without, "with_strength_and_reason": with_strength,
            "ranking_letter_ratio": round(letter, 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=TASKS)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv if argv is not None else [])
    figures = measure(args.tasks)
    figures.update({
        "what": f"{args.tasks} rankings of {OUTPUTS} outputs × {OUTPUT_CHARS} characters, paced, "
                "80x24 pty, with and without strength and an optional reason",
        "machine": machine(),
    })
    if args.no_save:
        print(figures)
    else:
        record("strength_keys", figures)


if __name__ == "__main__":
    main(sys.argv[1:])
