"""Where the quality dashboard's figures come from, in the order it shows them.

1. **Kept** (`kept`, a thread worker: milliseconds): the last report computed, from a file
   (`cache_path`) that the computation writes when it finishes, with the data stamp and time it
   was computed from. Shown with its age; when its stamp is the database's stamp now, it is
   the current report and nothing is computed. Without one (a project's first visit), the
   early figures (`store.reports.early`: gold checks and labels on gold from kept tallies)
   stand in, shown apart from the report's columns.
2. **Fresh** (`fresh`, a child process: screens/figures_process.py): the report without MACE
   competences, then the competences; then the cache file is rewritten.

The file is JSON in the app's data directory (`[reports_dir]/quality-<hash>.json`, the hash of
the database's path or URL, so no password is written anywhere), written to a temporary name
and renamed: a reader never sees half of it. A file that does not parse, or was computed
under other settings (`fingerprint`), is not used.

No Textual here: the child process imports this module.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.changes import data_stamp

if TYPE_CHECKING:
    import sqlite_utils

    from store.quality.policy import QualityPolicy
    from store.schema import Schema

FORMAT = 1  # of the cache file; a file of another format is not read


def cache_path(reports_dir: Path, target: str) -> Path:
    digest = hashlib.sha256(target.encode()).hexdigest()[:16]
    return reports_dir / f"quality-{digest}.json"


def fingerprint(policy: QualityPolicy, schema: Schema) -> str:
    """What else than the data the report depends on: the [quality] settings and the schema."""
    return hashlib.sha256(repr((FORMAT, policy, schema)).encode()).hexdigest()[:16]


def today() -> str:
    """The report's day (its today and week), asked of the app's process: the child is given
    it, so both agree on it."""
    from store.reports import quality

    return quality.utc_today().isoformat()


def current_stamp(db: sqlite_utils.Database, day: str) -> list[Any]:
    """`day` and `store.changes.data_stamp`, as JSON keeps them."""
    return [day, *data_stamp(db)]


def read_cache(path: Path, expected: str) -> dict[str, Any] | None:
    """`{"stamp", "computed_at", "report"}` of the last report, or None."""
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("fingerprint") != expected:
        return None
    return kept


def write_cache(path: Path, kept: dict[str, Any]) -> None:
    """Replace the file in one rename (a failure leaves the last one)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(kept, out, separators=(",", ":"))
        os.replace(temp, path)
    except OSError:
        pass  # a read-only data directory: the next visit computes again, nothing more


def fresh(target: str, policy: QualityPolicy, schema: Schema, cache: str, day: str,
          ) -> Iterator[tuple[str, Any]]:
    """The report in a child process: `("report", {stamp, computed_at, report})` without MACE
    competences, `("competence", {labeler: competence})`; then the whole is kept in `cache`."""
    from store.db import connect
    from store.reports.competence import labeler_competence
    from store.reports.quality import add_competence, quality_report

    db = connect(target)
    try:
        # Read before the report: a label written meanwhile moves the stamp past this one,
        # so the next visit computes again instead of calling these figures current.
        stamp, computed_at = current_stamp(db, day), time.time()
        report = quality_report(db, policy, schema=schema, today=date.fromisoformat(day),
                                with_competence=False)
        yield "report", {"stamp": stamp, "computed_at": computed_at, "report": report}
        competence = labeler_competence(db, schema)
    finally:
        db.conn.close()
    add_competence(report["labelers"], competence)
    write_cache(Path(cache), {"fingerprint": fingerprint(policy, schema), "stamp": stamp,
                              "computed_at": computed_at, "report": report})
    yield "competence", competence
