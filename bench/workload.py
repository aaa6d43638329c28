"""A database with `n` open tasks of every kind, imported through the real importers, and the
app built on it as `labeldesk app` builds it — shared by the benchmarks that drive the app."""

from __future__ import annotations

import json
import re
from pathlib import Path

from store.db import open_db
from store.imports import import_outputs, import_prompts
from store.roster import add_labeler

# Each kind of work, the outputs its prompts get (a comparison ranks 2..9).
KIND_OUTPUTS = {"comparison": 4, "instruction": 0, "demonstration": 0, "toxicity": 3}

_SENTENCE = "The answer walks through the question step by step and gives a short example. "


def text(i: int, size: int) -> str:
    """Plausible text of about `size` characters, with [markup] that must stay literal."""
    body = (f"[b]Item {i}[/b]: " + _SENTENCE * (size // len(_SENTENCE) + 1))[:size]
    return re.sub(r"(.{70}) ", r"\1\n", body, count=size // 140)


def build_db(path: Path, n: int, *, labelers=("ana",), output_chars=600, kinds=tuple(KIND_OUTPUTS)):
    """`n` tasks of each of `kinds`, in a new file; returns the open database."""
    work = path.parent
    prompts, outputs = work / "bench-prompts.jsonl", work / "bench-outputs.jsonl"
    with open(prompts, "w") as p, open(outputs, "w") as o:
        for kind in kinds:
            k = KIND_OUTPUTS[kind]
            for i in range(n):
                pid = f"{kind[:3]}{i}"
                p.write(json.dumps({"id": pid, "text": text(i, 200), "tasks": [kind]}) + "\n")
                for j in range(k):
                    o.write(json.dumps({"id": f"{pid}-{j}", "prompt_id": pid,
                                        "text": text(i * 10 + j, output_chars)}) + "\n")
    db = open_db(path)
    for name in labelers:
        add_labeler(db, name)
    import_prompts(db, prompts)
    import_outputs(db, outputs)
    return db


def app_in_pty(db_path: Path, tmp: Path, *config_lines: str, labeler: str = "ana",
               terminal=None, size: tuple[int, int] = (100, 30), launcher: tuple[str, ...] = (),
               env: dict[str, str] | None = None):
    """`labeldesk app` for `labeler` on `db_path` in a real pty of `size` (columns, rows), with a
    config file of `config_lines` if any; data dir under `tmp`. `terminal` is the class to run
    it in: bench.pty_run.Pty by default, or its Typist. `launcher` goes between Python and
    `-m tui.cli` (`("-m", "bench.counted")` counts re-layouts); `env` adds to the environment."""
    import sys

    from bench.pty_run import Pty

    root = Path(__file__).resolve().parents[1]
    argv = [sys.executable, *launcher, "-m", "tui.cli", "app", "--db", str(db_path), "--labeler", labeler]
    if config_lines:
        (tmp / "config.toml").write_text("\n".join(config_lines) + "\n")
        argv += ["--config", str(tmp / "config.toml")]
    env = {"PYTHONPATH": str(root), "LABELDESK_DATA_DIR": str(tmp / "data"),
           "LABELDESK_CONFIG_DIR": str(tmp / "config"), **(env or {})}
    cols, rows = size
    return (terminal or Pty)(argv, env=env, cwd=str(root), cols=cols, rows=rows)


def make_app(db, labeler: str = "ana", **sections):
    """The app as `labeldesk app` builds it; `sections` override config sections
    (`comparison={"steps": ["ranking"]}`)."""
    from store.roster import role_of
    from store.schema import load_schema
    from tui.app import LabelDeskApp
    from tui.config import Config

    config = Config()
    for section, values in sections.items():
        config.data[section].update(values)
    return LabelDeskApp(db=db, labeler=labeler, role=role_of(db, labeler), config=config,
                        schema=load_schema())


def built_kinds(app) -> list:
    """The kinds of work whose screen exists in this checkout (others are "not built yet")."""
    return [w for w in app.work if w.kind in KIND_OUTPUTS and app.work_screen(w) is not None]
