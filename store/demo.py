"""Building the demo database from the bundled files (tui/demo/), through the real importers."""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from store.imports import import_labels, import_outputs, import_prompts
from store.roster import add_labeler

DEMO_FILES = ("labelers.json", "prompts.jsonl", "outputs.jsonl", "gold.jsonl", "labels.jsonl",
              "disputes.jsonl")


def load_demo(db: sqlite_utils.Database, demo_dir: Path) -> None:
    roster = demo_dir / "labelers.json"
    if roster.exists():
        for person in json.loads(roster.read_text(encoding="utf-8")):
            add_labeler(db, person["name"], person.get("role", "labeler"))
    import_prompts(db, demo_dir / "prompts.jsonl")
    import_outputs(db, demo_dir / "outputs.jsonl")
    if (demo_dir / "gold.jsonl").exists():
        import_labels(db, demo_dir / "gold.jsonl", gold=True)
    for name in ("labels.jsonl", "disputes.jsonl"):
        if (demo_dir / name).exists():
            import_labels(db, demo_dir / name)
