"""bench/results.json: every benchmark merges its figures under its own key."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results.json")


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": sys.version.split()[0],
            "platform": platform.platform()}


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: Sequence[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "p99": percentile(values, 99), "n": len(values)}


def record(key: str, figures: dict[str, Any]) -> None:
    """Merge `figures` under `key` (read-modify-write) and print them."""
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data["machine"] = machine()
    data[key] = figures
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(json.dumps({key: figures}, indent=2))


def record_part(key: str, part: str, figures: dict[str, Any]) -> None:
    """Merge `figures` as `part` of `key`, keeping the key's other parts (a key that two
    benchmarks fill)."""
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    record(key, {**data.get(key, {}), part: figures})


def peak_rss_mib() -> float:
    """This process's own peak RSS. ru_maxrss would do, but Linux carries it over from the
    parent across fork+exec, so a child of a big generator would report the generator's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
