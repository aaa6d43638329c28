"""The researchers' reports on one project, at 1M and 3M labels: each command in a child process
of its own (CPU seconds, wall seconds, peak RSS), and the dashboard's keys while it computes.

    python -m bench reports                       # builds the 1M and 3M projects, runs all
    python bench/bench_reports.py DB [DB ...]     # on projects built before (figures printed)
    python bench/bench_reports.py --record 1m DB [COMMAND ...]   # ... kept as results' reports.1m

A project is bench_agreement's (`generate`: 20 fields, five labelers an item, 70% accurate, gold
on a fifth of the items; 500 labelers for 1,000,000 labels, 1,500 for 3,000,000) with
bench_quality's work (every (labeler, item) a finished assignment, every answer on a gold item a
gold check). The commands: `labeldesk quality` (1,000 resamples, MACE competences included),
its competences alone (each cold, then warm from the cold run's parameters), `labeldesk agreement` (1,000 resamples), `labeldesk export consensus`,
and the dashboard (bench_dashboard: q → first and all figures, Escape → home while computing).
The load average is recorded beside the figures: on a shared machine wall time is mostly the
wait for a core, CPU time is what the code costs.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import bench_agreement, bench_consensus, bench_dashboard, bench_quality  # noqa: E402
from bench.child import record_run, run_in_child, stamped  # noqa: E402
from bench.results import RESULTS, record_part  # noqa: E402

# name: (benchmark script, its child's arguments after the database)
# `*_cold`: MACE's competences without the last run's parameters (as on a project whose report
# never ran), then the same warm, from the parameters the cold run kept (the labels unchanged).
COMMANDS: dict[str, tuple[str, list[str]]] = {
    "quality_cold": (bench_quality.__file__, ["1000", "cold"]),
    "quality": (bench_quality.__file__, ["1000"]),
    "competence_cold": (bench_consensus.__file__, ["competence_cold"]),
    "competence": (bench_consensus.__file__, ["competence"]),
    "agreement": (bench_agreement.__file__, ["1000"]),
    "consensus": (bench_consensus.__file__, []),
    "dashboard": (bench_dashboard.__file__, []),
}
SIZES = {"1m": 500, "3m": 1500}  # labelers: 100 labels each per field, 20 fields


def _child_args(name: str, path: Path) -> list[str]:
    script, extra = COMMANDS[name]
    if script == bench_consensus.__file__:  # `run DB` or `mace DB competence`
        return [script, "mace", str(path), *extra] if extra else [script, "run", str(path)]
    return [script, str(path), *extra]


def measure_all(path: Path, names: tuple[str, ...] = tuple(COMMANDS)) -> dict:
    """Each command's figures on the project at `path`, one child process each."""
    figures = {}
    for name in names:
        figures[name] = run_in_child(*_child_args(name, path))
        figures[name]["load_average_1min"] = round(os.getloadavg()[0], 1)
        print(f"{path.name} {name}: {figures[name]}", file=sys.stderr)
    return figures


def build(path: Path, labelers: int) -> dict:
    built = bench_agreement.generate(path, labelers_n=labelers)
    built.update(bench_quality.add_work(path))
    return built


def record_prebuilt(size: str, path: Path, names: tuple[str, ...]) -> None:
    """`names`' figures on the project at `path`, kept under reports.SIZE beside the commands
    measured there before (one command can be measured again without the others)."""
    kept = json.loads(RESULTS.read_text()).get("reports", {}).get(size, {}) if RESULTS.exists() else {}
    record_part("reports", size, stamped({**kept, **measure_all(path, names)}))


def main() -> None:
    scratch = "/dev/shm" if Path("/dev/shm").is_dir() else None
    runs = {}
    for size, labelers in SIZES.items():
        with tempfile.TemporaryDirectory(dir=scratch) as tmp:
            path = Path(tmp) / f"{size}.db"
            runs[size] = {"project": build(path, labelers), **measure_all(path)}
    record_run("reports", runs)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--record":
        # `--record SIZE DB [COMMAND ...]`: a project built before, its figures kept as SIZE's
        size, path, *names = sys.argv[2:]
        record_prebuilt(size, Path(path), tuple(names or COMMANDS))
    elif len(sys.argv) > 1:
        print(json.dumps({p: measure_all(Path(p)) for p in sys.argv[1:]}, indent=1))
    else:
        main()
