"""Submit-to-next-task: Enter on a finished ranking until the next task is on screen and the
finished task's labels are committed. Headless (`run_test`), the comparison screen with the
ranking step alone, 4 outputs of 600 characters.

"On screen" is the first frame the app renders after the screen was handed the next task
(`App._display`, which a real terminal would be written from); the commit is checked in the
database before the next task is taken.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from time import perf_counter

from bench.results import record, summary
from bench.workload import KIND_OUTPUTS, build_db, make_app

ROOT = Path(__file__).resolve().parents[1]
TASKS = 200
LETTERS = "abcdefghi"[: KIND_OUTPUTS["comparison"]]


async def drive(db) -> list[float]:
    app = make_app(db, comparison={"steps": ["ranking"]})
    frames: list[float] = []
    display = app._display  # Textual's hook: every frame the compositor hands to the driver

    def stamp_frame(screen, renderable) -> None:
        if renderable is not None:
            frames.append(perf_counter())
        display(screen, renderable)

    app._display = stamp_frame
    latencies: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        shown: list[float] = []
        show_task = screen.show_task

        def stamped(view, draft) -> None:
            show_task(view, draft)
            shown.append(perf_counter())

        screen.show_task = stamped
        for _ in range(TASKS):
            await pilot.press(*LETTERS)
            await pilot.pause()
            finished = screen.view.assignment.id
            shown.clear()
            start = perf_counter()
            await pilot.press("enter")
            while not shown or not any(f > shown[0] for f in frames):
                await asyncio.sleep(0.0005)
            frame = next(f for f in frames if f > shown[0])
            status = db.execute("SELECT status FROM assignments WHERE id = ?", [finished]).fetchone()[0]
            labels = db.execute("SELECT count(*) FROM labels WHERE assignment_id = ?", [finished]).fetchone()[0]
            if status != "done" or not labels or screen.view.assignment.id == finished:
                raise RuntimeError(f"task {finished} was not submitted ({status}, {labels} labels)")
            latencies.append((frame - start) * 1000)
    return latencies


def main() -> None:
    if not (ROOT / "screens" / "comparison.py").exists():
        record("submit", {"not_measured": "screens/comparison.py is not on this branch yet"})
        return
    tmp = Path(tempfile.mkdtemp())
    try:
        db = build_db(tmp / "submit.db", TASKS + 10)
        ms = asyncio.run(drive(db))
        record("submit", {"submit_to_next_task_ms": summary(ms), "target_ms": 100,
                          "outputs_per_task": KIND_OUTPUTS["comparison"], "steps": ["ranking"]})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
