"""What the quality dashboard shows while the report is computed for the first time: figures
that cost an index walk, not a pass over the labels, and are exact for what they say.

- `gold_checks`: each labeler's gold-check answers (`gold_answers` by its labeler index): the
  same count as the report's `gold_checks` column.
- `gold_labels` and `same_as_gold`: from the tallies kept as labels are written
  (`store/tallies.py`'s `gold_tallies`): how many of the labeler's own labels (not their gold
  checks) sit on an item where a researcher gave gold, and how many of those equal it. A
  different population and rule from the report's agreement (checks, ratings within 1,
  ranking pairs), so the dashboard shows it apart, never in the report's column.
- `status`: the stored verdict of the queue's gate (`quality_status`), which the report
  recomputes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils


def early_figures(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Per labeler on the roster: `status` (the stored one, None before any), `gold_checks`,
    `gold_labels`, `same_as_gold`."""
    out: dict[str, dict[str, Any]] = {
        name: {"status": status, "gold_checks": 0, "gold_labels": 0, "same_as_gold": 0}
        for name, status in db.execute(
            "SELECT l.name, q.status FROM labelers l LEFT JOIN quality_status q "
            "ON q.labeler = l.name WHERE l.role = 'labeler' ORDER BY l.name")}
    for name, n in db.execute("SELECT labeler, count(*) FROM gold_answers GROUP BY labeler"):
        if name in out:
            out[name]["gold_checks"] = n
    for name, n, same in db.execute(
            "SELECT labeler, sum(n), sum(CASE WHEN value = gold_value THEN n ELSE 0 END) "
            "FROM gold_tallies GROUP BY labeler"):
        if name in out:
            out[name]["gold_labels"], out[name]["same_as_gold"] = int(n), int(same)
    return out
